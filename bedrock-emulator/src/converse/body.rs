//! The non-streaming Converse response body: the same blocks as the stream, each as one content item.

use base64::Engine;
use serde_json::{json, Map, Value};

use super::text::long_word;
use super::{Block, Reply};

/// The non-streaming Converse response body.
pub(crate) fn converse_body(reply: &Reply, latency_ms: u64) -> Value {
    let content: Vec<Value> = reply.blocks.iter().map(content_item).collect();
    let mut body = Map::new();
    body.insert("metrics".into(), json!({"latencyMs": latency_ms}));
    body.insert(
        "output".into(),
        json!({"message": {"content": content, "role": "assistant"}}),
    );
    body.insert("stopReason".into(), json!(reply.stop_reason));
    body.insert("usage".into(), reply.usage.clone());
    reply.trailer.clone().append_to(&mut body);
    Value::Object(body)
}

fn content_item(block: &Block) -> Value {
    match block {
        Block::Text(d) => json!({"text": d.concat()}),
        Block::Cited { deltas, citations } => json!({"citationsContent": {
            "content": [{"text": deltas.concat()}],
            "citations": citations,
        }}),
        Block::LongText(n) => {
            let s: String = (0..*n).map(|i| long_word(i, *n)).collect();
            json!({"text": s})
        }
        Block::Reasoning { deltas, signature } => json!({
            "reasoningContent": {"reasoningText": {"text": deltas.concat(), "signature": signature}}
        }),
        Block::Redacted(bytes) => json!({
            "reasoningContent": {"redactedContent": base64::engine::general_purpose::STANDARD.encode(bytes)}
        }),
        Block::ToolUse { id, name, input } => {
            let input: Value = serde_json::from_str(input).unwrap_or_else(|_| json!({}));
            json!({"toolUse": {"toolUseId": id, "name": name, "input": input}})
        }
    }
}
