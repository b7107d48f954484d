//! Captures split into frames byte for byte, trailing bytes kept.

use super::*;

#[test]
fn splits_concatenated_frames() {
    let a = crate::eventstream::encode_event("messageStart", br#"{"role":"assistant"}"#);
    let b = crate::eventstream::encode_event("messageStop", br#"{"stopReason":"end_turn"}"#);
    let mut all = a.to_vec();
    all.extend_from_slice(&b);
    all.extend_from_slice(b"xy");
    let frames = split_frames(all);
    assert_eq!(frames.len(), 3);
    assert_eq!(frames[0], a);
    assert_eq!(frames[1], b);
    assert_eq!(&frames[2][..], b"xy");
}
