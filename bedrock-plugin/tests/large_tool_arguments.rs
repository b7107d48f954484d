//! EX-A11: a 64 KB tool-call argument object streamed in 256-character `toolUse` deltas over a
//! real event-stream connection (the emulator replays the frames): every raw delta reaches the
//! host unchanged and in order, and the final arguments are the exact object.

mod common;

use bedrock_emulator::encode_event;
use plugin_api::event::StreamEvent;
use serde_json::{json, Value};

const MODEL: &str = "amazon.nova-micro-v1:0";
const CHUNK: usize = 256;

fn frame(event_type: &str, payload: Value) -> Vec<u8> {
    encode_event(event_type, payload.to_string().as_bytes()).to_vec()
}

/// A compact JSON object of at least 64 KiB, with nesting, escapes and a big integer.
fn big_arguments() -> String {
    let rows: Vec<Value> = (0..1200)
        .map(|i| json!({"id": i, "name": format!("row \"{i}\" \u{e9}\\n"), "tags": ["a", "b"]}))
        .collect();
    let text = json!({"rows": rows, "big": 12345678901234567890u64}).to_string();
    assert!(text.len() >= 64 * 1024, "{}", text.len());
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ex_a11_large_tool_arguments_in_small_deltas_arrive_exact() {
    let arguments = big_arguments();
    let chunks: Vec<String> = arguments
        .chars()
        .collect::<Vec<_>>()
        .chunks(CHUNK)
        .map(|chunk| chunk.iter().collect())
        .collect();
    let mut body = frame("messageStart", json!({"role": "assistant"}));
    body.extend(frame(
        "contentBlockStart",
        json!({"contentBlockIndex": 0, "start": {"toolUse": {"toolUseId": "call-big", "name": "ingest"}}}),
    ));
    for chunk in &chunks {
        body.extend(frame(
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"toolUse": {"input": chunk}}}),
        ));
    }
    body.extend(frame("contentBlockStop", json!({"contentBlockIndex": 0})));
    body.extend(frame("messageStop", json!({"stopReason": "tool_use"})));
    body.extend(frame(
        "metadata",
        json!({"usage": {"inputTokens": 5, "outputTokens": 9000, "totalTokens": 9005}, "metrics": {"latencyMs": 7}}),
    ));
    let emu = common::emulator();
    emu.set_replay(MODEL, body);
    let plugin = common::emulator_instance(&emu, json!({}));
    let mut request = common::text_request(MODEL, "ingest everything");
    request.tools =
        abi_stable::std_types::RVec::from(vec![common::tool("ingest", json!({"type": "object"}))]);
    let events = common::run_stream(&plugin, request).await;
    let fragments: Vec<String> = events
        .iter()
        .filter_map(|event| match event {
            StreamEvent::ToolCallDelta { fragment, .. } => Some(fragment.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(fragments, chunks, "raw deltas preserved, one per frame");
    let ends: Vec<(String, String)> = events
        .iter()
        .filter_map(|event| match event {
            StreamEvent::ToolCallEnd {
                id, arguments_json, ..
            } => Some((id.to_string(), arguments_json.to_string())),
            _ => None,
        })
        .collect();
    assert_eq!(ends, [("call-big".to_owned(), arguments)]);
    assert_eq!(
        common::done(&events).stop_reason.as_enum().ok().copied(),
        Some(plugin_api::event::StopReason::ToolUse)
    );
}
