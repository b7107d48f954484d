//! Event-stream frame writing (`application/vnd.amazon.eventstream`).
//!
//! Frames are written with `aws-smithy-eventstream` so prelude and message CRCs are exactly what the SDK
//! verifies. Payloads get Bedrock's `p` padding field (a prefix of `a-zA-Z0-9` whose length varies per event),
//! which clients must ignore. Decoding ([`decode_frames`]) verifies the CRCs the same way, for tests and
//! tools that read a stream without an SDK.

use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use bytes::{Bytes, BytesMut};
use serde_json::Value;

const PAD: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// Deterministic padding for event number `n`.
pub(crate) fn padding(n: usize) -> &'static str {
    let len = 1 + (n * 7 + 3) % (PAD.len() - 1);
    &PAD[..len]
}

/// Encode one `:message-type event` frame with a JSON payload.
pub fn encode_event(event_type: &str, payload: &[u8]) -> Bytes {
    encode(
        payload,
        [
            (":event-type", event_type),
            (":content-type", "application/json"),
            (":message-type", "event"),
        ],
    )
}

/// Encode one `:message-type exception` frame, e.g. `throttlingException`.
pub fn encode_exception(exception_type: &str, payload: &[u8]) -> Bytes {
    encode(
        payload,
        [
            (":message-type", "exception"),
            (":exception-type", exception_type),
            (":content-type", "application/json"),
        ],
    )
}

/// A frame with these string headers, in this order (Bedrock's order differs per message type).
fn encode(payload: &[u8], headers: [(&'static str, &str); 3]) -> Bytes {
    let message = headers.into_iter().fold(
        Message::new(Bytes::copy_from_slice(payload)),
        |message, (name, value)| {
            message.add_header(Header::new(
                name,
                HeaderValue::String(value.to_string().into()),
            ))
        },
    );
    write(&message)
}

fn write(message: &Message) -> Bytes {
    let mut buf = BytesMut::with_capacity(128 + message.payload().len());
    // Writing to a BytesMut only fails for oversized headers/payloads, which we never build.
    if aws_smithy_eventstream::frame::write_message_to(message, &mut buf).is_err() {
        return Bytes::new();
    }
    buf.freeze()
}

/// Encode an event whose payload is a JSON object; inserts the `p` padding field.
pub(crate) fn event_json(event_type: &str, mut payload: Value, n: usize) -> Bytes {
    if let Value::Object(map) = &mut payload {
        map.insert("p".to_string(), Value::String(padding(n).to_string()));
    }
    let body = serde_json::to_vec(&payload).unwrap_or_default();
    encode_event(event_type, &body)
}

/// A copy of `frame` with its message CRC corrupted.
pub(crate) fn corrupt(frame: &Bytes) -> Bytes {
    let mut v = frame.to_vec();
    if let Some(last) = v.last_mut() {
        *last ^= 0xFF;
    }
    Bytes::from(v)
}

/// A decoded frame: headers (name, string form of value) and payload.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodedFrame {
    pub headers: Vec<(String, String)>,
    pub payload: Bytes,
}

/// Decode a buffer of concatenated frames (verifying CRCs). For tests and tools.
pub fn decode_frames(mut bytes: &[u8]) -> Result<Vec<DecodedFrame>, String> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        if bytes.len() < 4 {
            return Err("truncated frame".into());
        }
        let total = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
        if total > bytes.len() || total < 16 {
            return Err("truncated frame".into());
        }
        let (frame, rest) = bytes.split_at(total);
        let msg = aws_smithy_eventstream::frame::read_message_from(frame)
            .map_err(|e| format!("bad frame: {e}"))?;
        let headers = msg
            .headers()
            .iter()
            .map(|h| {
                let v = match h.value() {
                    HeaderValue::String(s) => s.as_str().to_string(),
                    other => format!("{other:?}"),
                };
                (h.name().as_str().to_string(), v)
            })
            .collect();
        out.push(DecodedFrame {
            headers,
            payload: msg.payload().clone(),
        });
        bytes = rest;
    }
    Ok(out)
}
