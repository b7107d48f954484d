//! Replay of recorded ConverseStream captures.
//!
//! A capture is split into its frames by the prelude's total-length field so each frame goes out as its
//! own HTTP chunk (as a live stream does); the bytes themselves are never touched, so a replay is
//! byte-for-byte the capture. Trailing bytes that do not form a whole frame are sent as a last chunk.

#[cfg(test)]
mod tests;

use bytes::Bytes;

/// Split a capture into frames (without validating CRCs: a replay must reproduce even bad captures).
pub(crate) fn split_frames(bytes: Vec<u8>) -> Vec<Bytes> {
    let all = Bytes::from(bytes);
    let mut out = Vec::new();
    let mut pos = 0usize;
    while pos < all.len() {
        let rest = &all[pos..];
        if rest.len() < 12 {
            out.push(all.slice(pos..));
            break;
        }
        let total = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        if total < 16 || total > rest.len() {
            out.push(all.slice(pos..));
            break;
        }
        out.push(all.slice(pos..pos + total));
        pos += total;
    }
    out
}
