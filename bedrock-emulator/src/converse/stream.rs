//! The ConverseStream events, produced lazily (so a 10M-event stream costs no memory): `messageStart`,
//! per block its deltas (and `contentBlockStart` for tool use) then `contentBlockStop`, `messageStop`,
//! `metadata`. Each event's padding is seeded by a fixed number per event kind, as the wire tests expect.

use base64::Engine;
use bytes::Bytes;
use serde_json::{json, Map, Value};

use super::text::{long_word, tool_input_chunks};
use super::{Block, Reply};
use crate::eventstream::{encode_event, event_json, padding};

/// A lazy sequence of encoded event frames.
type Events = Box<dyn Iterator<Item = Bytes> + Send>;

/// One event, built when the stream reaches it.
fn once(f: impl FnOnce() -> Bytes + Send + 'static) -> Events {
    Box::new(std::iter::once_with(f))
}

fn delta(idx: usize, delta: Value, n: usize) -> Bytes {
    event_json(
        "contentBlockDelta",
        json!({"contentBlockIndex": idx, "delta": delta}),
        n,
    )
}

/// The ConverseStream events, produced lazily (so a 10M-event stream costs no memory).
pub(crate) fn stream_events(reply: Reply, latency_ms: u64) -> Events {
    let Reply {
        blocks,
        stop_reason,
        usage,
        trailer,
    } = reply;
    let mut events: Vec<Events> = vec![once(|| {
        event_json("messageStart", json!({"role": "assistant"}), 0)
    })];
    for (idx, block) in blocks.into_iter().enumerate() {
        events.push(block_events(idx, block));
        events.push(once(move || {
            event_json("contentBlockStop", json!({"contentBlockIndex": idx}), 7)
        }));
    }
    events.push(once(move || {
        event_json("messageStop", json!({"stopReason": stop_reason}), 8)
    }));
    events.push(once(move || {
        let mut m = Map::new();
        m.insert("metrics".into(), json!({"latencyMs": latency_ms}));
        m.insert("usage".into(), usage);
        trailer.append_to(&mut m);
        event_json("metadata", Value::Object(m), 9)
    }));
    Box::new(events.into_iter().flatten())
}

/// The events of block `idx`, before its `contentBlockStop`.
fn block_events(idx: usize, block: Block) -> Events {
    match block {
        Block::Text(deltas) => Box::new(
            deltas
                .into_iter()
                .enumerate()
                .map(move |(i, d)| delta(idx, json!({"text": d}), i + 1)),
        ),
        Block::LongText(count) => long_text_events(idx, count),
        Block::Cited { deltas, citations } => {
            let n = deltas.len();
            let text = deltas
                .into_iter()
                .enumerate()
                .map(move |(i, d)| delta(idx, json!({"text": d}), i + 1));
            let cites = citations
                .into_iter()
                .enumerate()
                .map(move |(i, c)| delta(idx, json!({"citation": c}), n + i + 1));
            Box::new(text.chain(cites))
        }
        Block::Reasoning { deltas, signature } => {
            let text = deltas
                .into_iter()
                .enumerate()
                .map(move |(i, d)| delta(idx, json!({"reasoningContent": {"text": d}}), i + 2));
            let signature = std::iter::once_with(move || {
                delta(
                    idx,
                    json!({"reasoningContent": {"signature": signature}}),
                    5,
                )
            });
            Box::new(text.chain(signature))
        }
        Block::Redacted(bytes) => {
            let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
            once(move || {
                delta(
                    idx,
                    json!({"reasoningContent": {"redactedContent": b64}}),
                    3,
                )
            })
        }
        Block::ToolUse { id, name, input } => {
            let start = std::iter::once_with(move || {
                event_json(
                    "contentBlockStart",
                    json!({"contentBlockIndex": idx, "start": {"toolUse": {"toolUseId": id, "name": name}}}),
                    4,
                )
            });
            let chunks = tool_input_chunks(&input).into_iter().enumerate();
            Box::new(start.chain(
                chunks.map(move |(i, c)| delta(idx, json!({"toolUse": {"input": c}}), i + 6)),
            ))
        }
    }
}

/// Load-test streams format their payloads directly: the words are plain ASCII, and skipping the
/// JSON tree keeps the emulator from being a benchmark's bottleneck.
fn long_text_events(idx: usize, count: usize) -> Events {
    Box::new((0..count).map(move |i| {
        let payload = format!(
            r#"{{"contentBlockIndex":{idx},"delta":{{"text":"{}"}},"p":"{}"}}"#,
            long_word(i, count),
            padding(i + 1)
        );
        encode_event("contentBlockDelta", payload.as_bytes())
    }))
}
