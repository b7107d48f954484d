//! The reply rules that decide a turn: delta cutting, stop precedence, answer precedence, thinking,
//! prompt caching and CountTokens.

use serde_json::{json, Value};

use super::text::{chunk_str, word_deltas};
use super::{converse_body, plan, Block, Reply};
use crate::catalog::Catalog;
use crate::shared::Shared;

#[test]
fn word_deltas_rule() {
    assert_eq!(word_deltas("a b  c"), vec!["a ", "b ", "c"]);
    assert!(word_deltas("").is_empty());
    assert_eq!(chunk_str("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
}

fn shared() -> Shared {
    Shared::new(
        crate::Credentials::default(),
        None,
        Catalog::builtin().unwrap(),
    )
}

fn reply_to(shared: &Shared, model: &str, req: Value) -> Reply {
    let model = shared.catalog.model(model).unwrap().clone();
    plan(shared, &req, &model, None, true).unwrap()
}

fn text(reply: &Reply) -> String {
    converse_body(reply, 1)["output"]["message"]["content"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["text"].as_str())
        .collect()
}

const NOVA: &str = "amazon.nova-micro-v1:0";

fn nova(shared: &Shared, req: Value) -> Reply {
    reply_to(shared, NOVA, req)
}

fn user(text: &str) -> Value {
    json!({"role": "user", "content": [{"text": text}]})
}

fn weather() -> Value {
    json!({"tools": [{"toolSpec": {"name": "get_weather", "inputSchema": {"json": {"properties": {"city": {"type": "string"}}}}}}]})
}

#[test]
fn stop_sequence_then_max_tokens() {
    let s = shared();
    let r = nova(
        &s,
        json!({"messages": [user("one two three")], "inferenceConfig": {"stopSequences": ["three"]}}),
    );
    assert_eq!(r.stop_reason, "stop_sequence");
    assert_eq!(
        text(&r),
        "Hello from the Bedrock emulator. You said: one two"
    );
    let r = nova(
        &s,
        json!({"messages": [user("one two three")], "inferenceConfig": {"stopSequences": ["three"], "maxTokens": 2}}),
    );
    assert_eq!(
        (r.stop_reason, text(&r).as_str()),
        ("max_tokens", "Hello from")
    );
    assert_eq!(r.usage["outputTokens"], 2);
}

#[test]
fn guardrail_beats_tool_use_which_beats_text() {
    let s = shared();
    let blocked = nova(
        &s,
        json!({"messages": [user("BLOCKED get_weather")], "toolConfig": weather(), "guardrailConfig": {"trace": "enabled"}}),
    );
    assert_eq!(blocked.stop_reason, "guardrail_intervened");
    assert!(blocked.trailer.trace.is_some());
    let tool = nova(
        &s,
        json!({"messages": [user("call get_weather.")], "toolConfig": weather()}),
    );
    assert_eq!(tool.stop_reason, "tool_use");
    match &tool.blocks[..] {
        [Block::ToolUse { id, name, input }] => {
            assert_eq!(
                (id.as_str(), name.as_str()),
                ("tooluse_emulator_1", "get_weather")
            );
            assert_eq!(input, r#"{"city":"emulator"}"#);
        }
        _ => panic!("expected one toolUse block"),
    }
    assert_eq!(
        tool.usage["outputTokens"], 3,
        "one token per 8-character input chunk"
    );
    let plain = nova(
        &s,
        json!({"messages": [user("weather please")], "toolConfig": weather()}),
    );
    assert_eq!(plain.stop_reason, "end_turn");
}

#[test]
fn thinking_only_for_claude_and_redacted_on_request() {
    let s = shared();
    let claude = "anthropic.claude-3-7-sonnet-20250219-v1:0";
    let kinds = |model: &str, text: &str| -> Vec<&'static str> {
        let req = json!({"messages": [user(text)], "additionalModelRequestFields": {"thinking": {"type": "enabled"}}});
        reply_to(&s, model, req)
            .blocks
            .iter()
            .map(|b| match b {
                Block::Reasoning { .. } => "reasoning",
                Block::Redacted(_) => "redacted",
                Block::Text(_) => "text",
                _ => "other",
            })
            .collect()
    };
    assert_eq!(kinds(claude, "why"), ["reasoning", "text"]);
    assert_eq!(kinds(claude, "why !redacted"), ["redacted", "text"]);
    assert_eq!(kinds(NOVA, "why"), ["text"]);
}

#[test]
fn prompt_cache_writes_then_reads() {
    let s = shared();
    let req = json!({"system": [{"text": "five words of system text"}, {"cachePoint": {"type": "default"}}], "messages": [user("hi")]});
    let usage = |r: Reply| {
        (
            r.usage["inputTokens"].as_u64(),
            r.usage["cacheWriteInputTokens"].as_u64(),
            r.usage["cacheReadInputTokens"].as_u64(),
        )
    };
    assert_eq!(usage(nova(&s, req.clone())), (Some(1), Some(5), Some(0)));
    assert_eq!(usage(nova(&s, req)), (Some(1), Some(0), Some(5)));
}

#[test]
fn count_tokens_forms() {
    use base64::Engine;
    let body = base64::engine::general_purpose::STANDARD
        .encode(r#"{"a":"one two","b":["three",{"c":"four"}],"n":5}"#);
    let n = super::count_tokens(&json!({"input": {"invokeModel": {"body": body}}})).unwrap();
    assert_eq!(n, json!({"inputTokens": 4}));
    let n = super::count_tokens(&json!({"input": {"converse": {"messages": [user("a b c")]}}}))
        .unwrap();
    assert_eq!(n, json!({"inputTokens": 3}));
    assert!(super::count_tokens(&json!({"input": {}})).is_err());
}
