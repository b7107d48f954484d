//! The reply rules that decide a turn: delta cutting, stop precedence, answer precedence, thinking,
//! prompt caching and CountTokens.

use serde_json::{json, Value};

use super::text::{chunk_str, word_deltas};
use super::{converse_body, plan, Block, Planned, Reply};
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
    reply_as(shared, model, "AKIDEXAMPLE", req)
}

fn reply_as(shared: &Shared, model: &str, caller: &str, req: Value) -> Reply {
    let model = shared.catalog.model(model).unwrap().clone();
    let planned = Planned {
        model: &model,
        caller,
        long_stream: None,
        stream: true,
    };
    plan(shared, &req, &planned).unwrap()
}

/// (cacheWriteInputTokens, cacheReadInputTokens, inputTokens) of a reply.
fn cache_usage(r: &Reply) -> (u64, u64, u64) {
    let u = |k: &str| r.usage[k].as_u64().unwrap();
    (
        u("cacheWriteInputTokens"),
        u("cacheReadInputTokens"),
        u("inputTokens"),
    )
}

const SONNET: &str = "anthropic.claude-sonnet-4-6";

#[test]
fn prompt_cache_reads_the_longest_cached_prefix_and_writes_the_rest() {
    let s = shared();
    let cp = json!({"cachePoint": {"type": "default"}});
    let sys = json!([{"text": "one two three"}, cp]);
    let turn1 = json!({"system": sys, "messages": [{"role": "user", "content": [{"text": "four five"}, cp, {"text": "six"}]}]});
    // First sight: everything up to the last point is written; `six` is the uncached rest.
    assert_eq!(cache_usage(&reply_to(&s, SONNET, turn1.clone())), (5, 0, 1));
    // Repeat: read to the last point.
    assert_eq!(cache_usage(&reply_to(&s, SONNET, turn1)), (0, 5, 1));
    // Same system, new message: the system prefix is read, the new message prefix written.
    let turn2 = json!({"system": sys, "messages": [{"role": "user", "content": [{"text": "seven eight nine ten"}, cp]}]});
    let r = reply_to(&s, SONNET, turn2.clone());
    assert_eq!(cache_usage(&r), (4, 3, 0));
    assert_eq!(
        r.usage["cacheDetails"],
        json!([{"ttl": "5m", "inputTokens": 4}])
    );
    // Per caller and per model.
    assert_eq!(
        cache_usage(&reply_as(&s, SONNET, "AKIDOTHER", turn2.clone())),
        (7, 0, 0)
    );
    assert_eq!(
        cache_usage(&reply_to(&s, "amazon.nova-micro-v1:0", turn2)),
        (7, 0, 0)
    );
}

#[test]
fn cache_details_split_writes_by_ttl() {
    let s = shared();
    let req = json!({
        "system": [{"text": "a b c"}, {"cachePoint": {"type": "default", "ttl": "1h"}}],
        "messages": [{"role": "user", "content": [{"text": "d e"}, {"cachePoint": {"type": "default"}}]}]
    });
    let r = reply_to(&s, SONNET, req.clone());
    assert_eq!(
        r.usage["cacheDetails"],
        json!([{"ttl": "1h", "inputTokens": 3}, {"ttl": "5m", "inputTokens": 2}])
    );
    let again = reply_to(&s, SONNET, req);
    assert_eq!(
        again.usage["cacheDetails"],
        json!([]),
        "no writes, empty list"
    );
}

#[test]
fn prompt_cache_ttl_decides_expiry() {
    let s = shared();
    let req = |ttl: Option<&str>| {
        let mut cp = json!({"type": "default"});
        if let Some(t) = ttl {
            cp["ttl"] = json!(t);
        }
        json!({"system": [{"text": format!("prefix for {ttl:?}")}, {"cachePoint": cp}], "messages": [user("hi")]})
    };
    for ttl in [None, Some("1h")] {
        assert_eq!(cache_usage(&reply_to(&s, SONNET, req(ttl))).0, 3);
    }
    if let Ok(mut c) = s.prompt_cache.lock() {
        c.advance(std::time::Duration::from_secs(6 * 60));
    }
    assert_eq!(
        cache_usage(&reply_to(&s, SONNET, req(None))),
        (3, 0, 1),
        "5m expired"
    );
    assert_eq!(
        cache_usage(&reply_to(&s, SONNET, req(Some("1h")))),
        (0, 3, 1),
        "1h kept"
    );
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

#[test]
fn max_tokens_inside_a_tool_call_cuts_its_input_and_stops_with_max_tokens() {
    let s = shared();
    let r = nova(
        &s,
        json!({"messages": [user("call get_weather.")], "toolConfig": weather(), "inferenceConfig": {"maxTokens": 2}}),
    );
    assert_eq!(r.stop_reason, "max_tokens");
    match &r.blocks[..] {
        [Block::ToolUse { name, input, .. }] => {
            assert_eq!(name, "get_weather");
            // Two of the three 8-character chunks of `{"city":"emulator"}`.
            assert_eq!(input, r#"{"city":"emulato"#);
        }
        _ => panic!("expected one toolUse block"),
    }
    assert_eq!(r.usage["outputTokens"], 2);
    let whole = nova(
        &s,
        json!({"messages": [user("call get_weather.")], "toolConfig": weather(), "inferenceConfig": {"maxTokens": 3}}),
    );
    assert_eq!(whole.stop_reason, "tool_use");
}

#[test]
fn mask_directive_anonymizes_emails_with_an_anonymized_only_trace() {
    let s = shared();
    let r = nova(
        &s,
        json!({
            "messages": [user("!mask write to jane@example.com now")],
            "guardrailConfig": {"guardrailIdentifier": "gr1", "guardrailVersion": "1", "trace": "enabled"}
        }),
    );
    assert_eq!(r.stop_reason, "guardrail_intervened");
    let reply = "Hello from the Bedrock emulator. You said: !mask write to {EMAIL} now";
    assert_eq!(text(&r), reply);
    let trace = r.trailer.trace.clone().expect("trace enabled");
    let assessment = &trace["guardrail"]["outputAssessments"]["gr1"][0];
    assert_eq!(
        assessment["sensitiveInformationPolicy"],
        json!({"piiEntities": [{"match": "jane@example.com", "type": "EMAIL", "action": "ANONYMIZED", "detected": true}], "regexes": []})
    );
    assert_eq!(
        assessment["invocationMetrics"]["guardrailCoverage"]["textCharacters"]["guarded"],
        reply.chars().count()
    );
    assert_eq!(trace["guardrail"]["inputAssessment"], json!({}));
    // Without tracing no trace; without a guardrail `!mask` is plain text.
    let untraced = nova(
        &s,
        json!({"messages": [user("!mask a@b.io")], "guardrailConfig": {"guardrailIdentifier": "gr1", "guardrailVersion": "1"}}),
    );
    assert_eq!(untraced.stop_reason, "guardrail_intervened");
    assert!(untraced.trailer.trace.is_none());
    let plain = nova(&s, json!({"messages": [user("!mask a@b.io")]}));
    assert_eq!(
        (plain.stop_reason, text(&plain).as_str()),
        (
            "end_turn",
            "Hello from the Bedrock emulator. You said: !mask a@b.io"
        )
    );
}

#[test]
fn guard_content_text_is_read_and_counted_like_text() {
    let s = shared();
    let r = nova(
        &s,
        json!({"messages": [{"role": "user", "content": [
            {"text": "plain"},
            {"guardContent": {"text": {"text": "guarded words"}}}
        ]}]}),
    );
    assert_eq!(
        text(&r),
        "Hello from the Bedrock emulator. You said: plain guarded words"
    );
    assert_eq!(r.usage["inputTokens"], 3);
}

/// BR-90: `optimized` on a model without latency-optimized inference is served and echoed as
/// standard; on Nova Pro it is served optimized.
#[test]
fn br_90_optimized_falls_back_to_standard_where_unavailable() {
    let s = shared();
    let req = |latency: &str| json!({"messages": [user("hi")], "performanceConfig": {"latency": latency}});
    let body = converse_body(&reply_to(&s, NOVA, req("optimized")), 1);
    assert_eq!(body["performanceConfig"], json!({"latency": "standard"}));
    let body = converse_body(&reply_to(&s, "amazon.nova-pro-v1:0", req("optimized")), 1);
    assert_eq!(body["performanceConfig"], json!({"latency": "optimized"}));
    let body = converse_body(&reply_to(&s, NOVA, req("standard")), 1);
    assert_eq!(body["performanceConfig"], json!({"latency": "standard"}));
}

/// BR-91: a JSON-schema text format answers with a JSON document matching the schema.
#[test]
fn br_91_json_schema_answer() {
    let s = shared();
    let schema = r#"{"type":"object","properties":{"city":{"type":"string"},"count":{"type":"integer"},"ok":{"type":"boolean"},"tags":{"type":"array","items":{"type":"string"}},"unit":{"enum":["c","f"]}}}"#;
    let req = json!({"messages": [user("hi")], "outputConfig": {"textFormat": {"type": "json_schema",
        "structure": {"jsonSchema": {"schema": schema, "name": "w"}}}}});
    let body = converse_body(&reply_to(&s, NOVA, req), 1);
    let text = body["output"]["message"]["content"][0]["text"]
        .as_str()
        .unwrap();
    assert_eq!(
        text,
        r#"{"city":"emulator","count":1,"ok":true,"tags":["emulator"],"unit":"c"}"#
    );
}

/// BR-92: a cited document makes the answer a citationsContent block citing its first 20 characters.
#[test]
fn br_92_cited_document_answer() {
    let s = shared();
    let doc = json!({"document": {"format": "txt", "name": "notes", "source": {"bytes": "VGhlIHNreSBpcyBibHVlIGFuZCB0aGUgZ3Jhc3MgaXMgZ3JlZW4u"},
        "citations": {"enabled": true}}});
    let req = json!({"messages": [{"role": "user", "content": [doc, {"text": "colour?"}]}]});
    let body = converse_body(&reply_to(&s, NOVA, req), 1);
    let cited = &body["output"]["message"]["content"][0]["citationsContent"];
    assert_eq!(
        cited["citations"],
        json!([{"title": "notes", "sourceContent": [{"text": "The sky is blue and "}],
            "location": {"documentChar": {"documentIndex": 0, "start": 0, "end": 20}}}])
    );
    assert!(cited["content"][0]["text"]
        .as_str()
        .unwrap()
        .ends_with("colour?"));
}
