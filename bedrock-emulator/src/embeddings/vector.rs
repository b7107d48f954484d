//! Deterministic embedding vectors: seeded by (model, text, dimension) through SHA-256 into an
//! xorshift64* generator, so equal inputs embed equally across runs and machines, and rounded to f32
//! precision like the real service.

use sha2::{Digest, Sha256};

/// How a response writes its values, as the real models do (the recorded answers in
/// `shared/oracle/recorded`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Digits {
    /// The shortest form of the f32 value (`-0.042236328`): Cohere. A Cohere v4 answer
    /// (96 × 1,536 values) is then 1.8 MB, not the 3.1 MB of the f64 form.
    F32,
    /// The shortest form of the same value as an f64 (`-0.05289186164736748`): Titan.
    F64,
}

/// What a vector is seeded with: SHA-256 of (model, text, dimension). It also names the vector
/// in the [`cache`](super::cache) of rendered ones.
pub(super) type Seed = [u8; 32];

pub(super) fn seed(model: &str, text: &str, dims: usize) -> Seed {
    let mut h = Sha256::new();
    h.update(model.as_bytes());
    h.update([0]);
    h.update(text.as_bytes());
    h.update((dims as u64).to_le_bytes());
    h.finalize().into()
}

/// Deterministic vector of `dims` values in [-1, 1], optionally L2-normalised. The server
/// goes through the [`cache`](super::cache), which seeds once for its key and the vector.
#[cfg(test)]
pub(super) fn vector(model: &str, text: &str, dims: usize, normalize: bool) -> Vec<f64> {
    seeded(&seed(model, text, dims), dims, normalize)
}

/// The vector of `dims` values in [-1, 1] from its [`seed`], optionally L2-normalised.
pub(super) fn seeded(d: &Seed, dims: usize, normalize: bool) -> Vec<f64> {
    let mut state = u64::from_le_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]) | 1;
    let mut v: Vec<f64> = (0..dims)
        .map(|_| {
            // xorshift64*
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            let x = state.wrapping_mul(0x2545_F491_4F6C_DD1D);
            ((x >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        })
        .collect();
    if normalize {
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm > 0.0 {
            for x in &mut v {
                *x /= norm;
            }
        }
    }
    // Round to f32 precision like the real service.
    v.iter().map(|x| (*x as f32) as f64).collect()
}
