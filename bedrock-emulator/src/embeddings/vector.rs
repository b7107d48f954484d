//! Deterministic embedding vectors: seeded by (model, text, dimension) through SHA-256 into an
//! xorshift64* generator, so equal inputs embed equally across runs and machines, and rounded to f32
//! precision like the real service.

use sha2::{Digest, Sha256};

/// Deterministic vector of `dims` values in [-1, 1], optionally L2-normalised.
pub(crate) fn vector(model: &str, text: &str, dims: usize, normalize: bool) -> Vec<f64> {
    let mut h = Sha256::new();
    h.update(model.as_bytes());
    h.update([0]);
    h.update(text.as_bytes());
    h.update((dims as u64).to_le_bytes());
    let d = h.finalize();
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
