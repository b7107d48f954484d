//! Deterministic Converse / ConverseStream responses derived from the request (rules in the crate docs),
//! and CountTokens.

use base64::Engine;
use bytes::Bytes;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::catalog::FoundationModel;
use crate::eventstream::event_json;
use crate::validation::ApiError;
use crate::Shared;

pub(crate) const GREETING: &str = "Hello from the Bedrock emulator. You said:";
pub(crate) const TOOL_RESULT_GREETING: &str = "Hello from the Bedrock emulator. Tool result:";
pub(crate) const GUARDRAIL_BLOCKED: &str = "Sorry, the model cannot answer this question.";
const REDACTED_TRIGGER: &str = "ANTHROPIC_MAGIC_STRING_TRIGGER_REDACTED_THINKING_";
const MAX_LONG: usize = 10_000_000;
const MAX_LONG_NON_STREAM: usize = 1_000_000;

/// One content block of the reply.
pub(crate) enum Block {
    /// Text deltas (their concatenation is the text).
    Text(Vec<String>),
    /// `w1 w2 … wN` generated lazily.
    LongText(usize),
    Reasoning {
        deltas: Vec<String>,
        signature: String,
    },
    Redacted(Vec<u8>),
    ToolUse {
        id: String,
        name: String,
        input: String,
    },
}

/// The planned reply.
pub(crate) struct Reply {
    pub(crate) blocks: Vec<Block>,
    pub(crate) stop_reason: &'static str,
    pub(crate) usage: Value,
    pub(crate) trace: Option<Value>,
    pub(crate) service_tier: Option<Value>,
    pub(crate) performance: Option<Value>,
}

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

fn text_of_blocks(blocks: Option<&Value>) -> Vec<String> {
    let mut out = Vec::new();
    for b in blocks
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
    {
        if let Some(t) = b.get("text").and_then(Value::as_str) {
            out.push(t.to_string());
        }
    }
    out
}

/// Words of all system + message text (text blocks, tool results, reasoning text).
pub(crate) fn input_words(req: &Value) -> usize {
    let mut n = 0;
    for t in text_of_blocks(req.get("system")) {
        n += words(&t);
    }
    for m in req
        .get("messages")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
    {
        for b in m
            .get("content")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            if let Some(t) = b.get("text").and_then(Value::as_str) {
                n += words(t);
            }
            if let Some(tr) = b.get("toolResult") {
                n += tool_result_text(tr).split_whitespace().count();
            }
            if let Some(t) = b
                .get("reasoningContent")
                .and_then(|r| r.get("reasoningText"))
                .and_then(|r| r.get("text"))
                .and_then(Value::as_str)
            {
                n += words(t);
            }
        }
    }
    n
}

fn tool_result_text(tr: &Value) -> String {
    let mut parts = Vec::new();
    for c in tr
        .get("content")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
    {
        if let Some(t) = c.get("text").and_then(Value::as_str) {
            parts.push(t.to_string());
        } else if let Some(j) = c.get("json") {
            parts.push(j.to_string());
        }
    }
    parts.join(" ")
}

/// Words of the text before the last cache point (system first, then messages in order).
fn cached_prefix(req: &Value) -> Option<(usize, Vec<u8>)> {
    let mut seen_words = 0usize;
    let mut prefix = Vec::new();
    let mut found: Option<(usize, Vec<u8>)> = None;
    let mut visit = |blocks: Option<&Value>, seen: &mut usize, prefix: &mut Vec<u8>| {
        for b in blocks
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            if b.get("cachePoint").is_some() {
                found = Some((*seen, prefix.clone()));
            } else {
                prefix.extend_from_slice(b.to_string().as_bytes());
                if let Some(t) = b.get("text").and_then(Value::as_str) {
                    *seen += words(t);
                }
                if let Some(tr) = b.get("toolResult") {
                    *seen += tool_result_text(tr).split_whitespace().count();
                }
            }
        }
    };
    visit(req.get("system"), &mut seen_words, &mut prefix);
    for m in req
        .get("messages")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
    {
        visit(m.get("content"), &mut seen_words, &mut prefix);
    }
    found
}

/// Deltas for the plain text rule: one per word, a space after every word but the last.
fn word_deltas(text: &str) -> Vec<String> {
    let ws: Vec<&str> = text.split_whitespace().collect();
    let last = ws.len().saturating_sub(1);
    ws.iter()
        .enumerate()
        .map(|(i, w)| {
            if i == last {
                w.to_string()
            } else {
                format!("{w} ")
            }
        })
        .collect()
}

fn schema_value(schema: &Value) -> Value {
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        return first.clone();
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => json!("emulator"),
        Some("integer") => json!(42),
        Some("number") => json!(4.2),
        Some("boolean") => json!(true),
        Some("array") => json!([]),
        Some("object") => json!({}),
        _ => json!("emulator"),
    }
}

fn tool_input(spec: &Value) -> String {
    let schema = spec.get("inputSchema").and_then(|s| s.get("json"));
    let mut map = Map::new();
    if let Some(props) = schema
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
    {
        // Sorted by name: clients (e.g. the Rust SDK's Document) may not preserve schema order.
        let mut keys: Vec<&String> = props.keys().collect();
        keys.sort();
        for k in keys {
            map.insert(k.clone(), schema_value(&props[k.as_str()]));
        }
    }
    Value::Object(map).to_string()
}

fn chunk_str(s: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        if cur.chars().count() == max {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Plan the reply for a validated request.
pub(crate) fn plan(
    shared: &Shared,
    req: &Value,
    model: &FoundationModel,
    long_stream: Option<usize>,
    stream: bool,
) -> Result<Reply, ApiError> {
    let messages = req
        .get("messages")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let last_user = messages
        .iter()
        .rev()
        .find(|m| m.get("role").and_then(Value::as_str) == Some("user"));
    let texts = text_of_blocks(last_user.and_then(|m| m.get("content")));
    let t = texts.join(" ");
    let tool_results: Vec<String> = last_user
        .and_then(|m| m.get("content"))
        .and_then(Value::as_array)
        .map(|c| {
            c.iter()
                .filter_map(|b| b.get("toolResult").map(tool_result_text))
                .collect()
        })
        .unwrap_or_default();
    let t_words: Vec<&str> = t.split_whitespace().collect();
    let has_word = |w: &str| t_words.contains(&w);

    let cfg = req.get("inferenceConfig");
    let max_tokens = cfg
        .and_then(|c| c.get("maxTokens"))
        .and_then(Value::as_u64)
        .map(|n| n as usize);
    let stop_sequences: Vec<String> = cfg
        .and_then(|c| c.get("stopSequences"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();

    let mut blocks = Vec::new();
    let mut output_tokens = 0usize;
    let mut stop_reason = "end_turn";
    let mut trace = None;

    // Thinking (Claude only).
    let thinking = req
        .get("additionalModelRequestFields")
        .and_then(|a| a.get("thinking"))
        .and_then(|t| t.get("type"))
        .and_then(Value::as_str)
        .is_some_and(|ty| ty == "enabled" || ty == "adaptive");
    if thinking && model.model_id.contains("anthropic.claude") {
        if has_word("!redacted") || t.contains(REDACTED_TRIGGER) {
            blocks.push(Block::Redacted(b"emulator-redacted-thinking".to_vec()));
            output_tokens += 1;
        } else {
            let thought = format!("Thinking about: {t}");
            let deltas = word_deltas(&thought);
            output_tokens += deltas.len();
            let digest = Sha256::digest(thought.as_bytes());
            let signature = format!("emu-sig-{}", hex::encode(&digest[..8]));
            blocks.push(Block::Reasoning { deltas, signature });
        }
    }

    // Tool use.
    let tools: Vec<&Value> = req
        .get("toolConfig")
        .and_then(|c| c.get("tools"))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|t| t.get("toolSpec")).collect())
        .unwrap_or_default();
    let tool_choice = req.get("toolConfig").and_then(|c| c.get("toolChoice"));
    let tool_name_of = |s: &Value| {
        s.get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let mut chosen: Option<&Value> = None;
    if !tools.is_empty() {
        let forced_name = tool_choice
            .and_then(|c| c.get("tool"))
            .and_then(|t| t.get("name"))
            .and_then(Value::as_str);
        let directive_name = t_words
            .iter()
            .find_map(|w| w.strip_prefix("!tool="))
            .map(str::to_string);
        let named_in_text = tools.iter().copied().find(|s| {
            let name = tool_name_of(s);
            !name.is_empty()
                && t_words.iter().any(|w| {
                    w.trim_matches(|c: char| c.is_ascii_punctuation() && c != '_' && c != '-')
                        == name
                })
        });
        if let Some(n) = forced_name {
            chosen = tools.iter().copied().find(|s| tool_name_of(s) == n);
        } else if let Some(n) = directive_name {
            chosen = tools
                .iter()
                .copied()
                .find(|s| tool_name_of(s) == n)
                .or(tools.first().copied());
        } else if has_word("!tool") || tool_choice.and_then(|c| c.get("any")).is_some() {
            chosen = named_in_text.or(tools.first().copied());
        } else if named_in_text.is_some() {
            chosen = named_in_text;
        }
    }

    let guardrail = req.get("guardrailConfig");
    let blocked = guardrail.is_some() && (has_word("BLOCKED") || has_word("!guardrail"));

    if blocked {
        let deltas = word_deltas(GUARDRAIL_BLOCKED);
        output_tokens += deltas.len();
        blocks.push(Block::Text(deltas));
        stop_reason = "guardrail_intervened";
        let g = guardrail.cloned().unwrap_or(Value::Null);
        let trace_mode = g.get("trace").and_then(Value::as_str).unwrap_or("disabled");
        if trace_mode == "enabled" || trace_mode == "enabled_full" {
            let gid = g
                .get("guardrailIdentifier")
                .and_then(Value::as_str)
                .unwrap_or("emulator-guardrail")
                .to_string();
            let version = g
                .get("guardrailVersion")
                .and_then(Value::as_str)
                .unwrap_or("DRAFT");
            let chars = t.chars().count();
            trace = Some(json!({
                "guardrail": {
                    "actionReason": "Guardrail blocked.",
                    "inputAssessment": {
                        gid.clone(): {
                            "topicPolicy": {"topics": [{"name": "emulator-blocked-topic", "type": "DENY", "action": "BLOCKED", "detected": true}]},
                            "appliedGuardrailDetails": {
                                "guardrailArn": format!("arn:aws:bedrock:us-east-1:123456789012:guardrail/{gid}"),
                                "guardrailId": gid,
                                "guardrailOrigin": ["REQUEST"],
                                "guardrailOwnership": "SELF",
                                "guardrailVersion": version
                            },
                            "invocationMetrics": {
                                "guardrailCoverage": {"textCharacters": {"guarded": chars, "total": chars}},
                                "guardrailProcessingLatency": 1,
                                "usage": {"automatedReasoningPolicies": 0, "automatedReasoningPolicyUnits": 0, "contentPolicyImageUnits": 0, "contentPolicyUnits": 0, "contextualGroundingPolicyUnits": 0, "sensitiveInformationPolicyFreeUnits": 0, "sensitiveInformationPolicyUnits": 0, "topicPolicyUnits": 1, "wordPolicyUnits": 0}
                            }
                        }
                    },
                    "modelOutput": [],
                    "outputAssessments": {}
                }
            }));
        }
    } else if let Some(spec) = chosen {
        let input = tool_input(spec);
        let id = format!("tooluse_emulator_{}", messages.len());
        output_tokens += chunk_str(&input, 8).len();
        blocks.push(Block::ToolUse {
            id,
            name: tool_name_of(spec),
            input,
        });
        stop_reason = "tool_use";
    } else {
        let long = long_stream.or_else(|| {
            t_words
                .iter()
                .find_map(|w| w.strip_prefix("!long="))
                .and_then(|n| n.parse::<usize>().ok())
        });
        if let Some(n) = long {
            let cap = if stream {
                MAX_LONG
            } else {
                MAX_LONG_NON_STREAM
            };
            let mut n = n.min(cap);
            if let Some(m) = max_tokens {
                if m < n {
                    n = m;
                    stop_reason = "max_tokens";
                }
            }
            output_tokens += n;
            blocks.push(Block::LongText(n));
        } else {
            let full = if texts.is_empty() && !tool_results.is_empty() {
                format!("{TOOL_RESULT_GREETING} {}", tool_results.join(" "))
            } else {
                format!("{GREETING} {t}")
            };
            let mut reply: String = full.split_whitespace().collect::<Vec<_>>().join(" ");
            let first_stop = stop_sequences
                .iter()
                .filter_map(|s| reply.find(s.as_str()))
                .min();
            if let Some(pos) = first_stop {
                reply.truncate(pos);
                stop_reason = "stop_sequence";
            }
            let mut deltas = word_deltas(&reply);
            if let Some(m) = max_tokens {
                if m < deltas.len() {
                    deltas.truncate(m);
                    if let Some(last) = deltas.last_mut() {
                        *last = last.trim_end().to_string();
                    }
                    stop_reason = "max_tokens";
                }
            }
            output_tokens += deltas.len();
            blocks.push(Block::Text(deltas));
        }
    }

    // Usage, with prompt caching.
    let total_input = input_words(req);
    let mut usage = Map::new();
    let mut input_tokens = total_input;
    let mut cache = None;
    if let Some((cached_words, prefix)) = cached_prefix(req) {
        let mut h = Sha256::new();
        h.update(model.model_id.as_bytes());
        h.update([0]);
        h.update(&prefix);
        let key: [u8; 32] = h.finalize().into();
        let seen = shared
            .cache_prefixes
            .lock()
            .map(|mut s| !s.insert(key))
            .unwrap_or(false);
        input_tokens = total_input.saturating_sub(cached_words);
        cache = Some(if seen {
            (cached_words, 0)
        } else {
            (0, cached_words)
        });
    }
    usage.insert("inputTokens".into(), json!(input_tokens));
    usage.insert("outputTokens".into(), json!(output_tokens));
    let (read, write) = cache.unwrap_or((0, 0));
    usage.insert(
        "totalTokens".into(),
        json!(input_tokens + output_tokens + read + write),
    );
    if cache.is_some() {
        usage.insert("cacheReadInputTokens".into(), json!(read));
        usage.insert("cacheReadInputTokenCount".into(), json!(read));
        usage.insert("cacheWriteInputTokens".into(), json!(write));
        usage.insert("cacheWriteInputTokenCount".into(), json!(write));
    }
    usage.insert("serverToolUsage".into(), json!({}));

    Ok(Reply {
        blocks,
        stop_reason,
        usage: Value::Object(usage),
        trace,
        service_tier: req.get("serviceTier").cloned(),
        performance: req.get("performanceConfig").cloned(),
    })
}

fn long_word(i: usize, n: usize) -> String {
    if i + 1 == n {
        format!("w{}", i + 1)
    } else {
        format!("w{} ", i + 1)
    }
}

/// The non-streaming Converse response body.
pub(crate) fn converse_body(reply: &Reply, latency_ms: u64) -> Value {
    let mut content = Vec::new();
    for b in &reply.blocks {
        match b {
            Block::Text(d) => content.push(json!({"text": d.concat()})),
            Block::LongText(n) => {
                let s: String = (0..*n).map(|i| long_word(i, *n)).collect();
                content.push(json!({"text": s}));
            }
            Block::Reasoning { deltas, signature } => content.push(json!({
                "reasoningContent": {"reasoningText": {"text": deltas.concat(), "signature": signature}}
            })),
            Block::Redacted(bytes) => content.push(json!({
                "reasoningContent": {"redactedContent": base64::engine::general_purpose::STANDARD.encode(bytes)}
            })),
            Block::ToolUse { id, name, input } => {
                let input: Value = serde_json::from_str(input).unwrap_or_else(|_| json!({}));
                content.push(json!({"toolUse": {"toolUseId": id, "name": name, "input": input}}));
            }
        }
    }
    let mut body = Map::new();
    body.insert("metrics".into(), json!({"latencyMs": latency_ms}));
    body.insert(
        "output".into(),
        json!({"message": {"content": content, "role": "assistant"}}),
    );
    body.insert("stopReason".into(), json!(reply.stop_reason));
    body.insert("usage".into(), reply.usage.clone());
    if let Some(t) = &reply.trace {
        body.insert("trace".into(), t.clone());
    }
    if let Some(p) = &reply.performance {
        body.insert("performanceConfig".into(), p.clone());
    }
    if let Some(s) = &reply.service_tier {
        body.insert("serviceTier".into(), s.clone());
    }
    Value::Object(body)
}

/// The ConverseStream events, produced lazily (so a 10M-event stream costs no memory).
pub(crate) fn stream_events(
    reply: Reply,
    latency_ms: u64,
) -> Box<dyn Iterator<Item = Bytes> + Send> {
    let Reply {
        blocks,
        stop_reason,
        usage,
        trace,
        service_tier,
        performance,
    } = reply;
    let start =
        std::iter::once_with(move || event_json("messageStart", json!({"role": "assistant"}), 0));
    let mut iters: Vec<Box<dyn Iterator<Item = Bytes> + Send>> = vec![Box::new(start)];
    for (idx, block) in blocks.into_iter().enumerate() {
        let it: Box<dyn Iterator<Item = Bytes> + Send> = match block {
            Block::Text(deltas) => Box::new(deltas.into_iter().enumerate().map(move |(i, d)| {
                event_json(
                    "contentBlockDelta",
                    json!({"contentBlockIndex": idx, "delta": {"text": d}}),
                    i + 1,
                )
            })),
            // Load-test streams format their payloads directly: the words are plain ASCII, and
            // skipping the JSON tree keeps the emulator from being a benchmark's bottleneck.
            Block::LongText(count) => Box::new((0..count).map(move |i| {
                let payload = format!(
                    r#"{{"contentBlockIndex":{idx},"delta":{{"text":"{}"}},"p":"{}"}}"#,
                    long_word(i, count),
                    crate::eventstream::padding(i + 1)
                );
                crate::eventstream::encode_event("contentBlockDelta", payload.as_bytes())
            })),
            Block::Reasoning { deltas, signature } => {
                let sig = std::iter::once_with(move || {
                    event_json(
                        "contentBlockDelta",
                        json!({"contentBlockIndex": idx, "delta": {"reasoningContent": {"signature": signature}}}),
                        5,
                    )
                });
                Box::new(
                    deltas
                        .into_iter()
                        .enumerate()
                        .map(move |(i, d)| {
                            event_json(
                                "contentBlockDelta",
                                json!({"contentBlockIndex": idx, "delta": {"reasoningContent": {"text": d}}}),
                                i + 2,
                            )
                        })
                        .chain(sig),
                )
            }
            Block::Redacted(bytes) => {
                let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
                Box::new(std::iter::once_with(move || {
                    event_json(
                        "contentBlockDelta",
                        json!({"contentBlockIndex": idx, "delta": {"reasoningContent": {"redactedContent": b64}}}),
                        3,
                    )
                }))
            }
            Block::ToolUse { id, name, input } => {
                let start = std::iter::once_with(move || {
                    event_json(
                        "contentBlockStart",
                        json!({"contentBlockIndex": idx, "start": {"toolUse": {"toolUseId": id, "name": name}}}),
                        4,
                    )
                });
                let chunks = chunk_str(&input, 8);
                Box::new(
                    start.chain(chunks.into_iter().enumerate().map(move |(i, c)| {
                        event_json(
                            "contentBlockDelta",
                            json!({"contentBlockIndex": idx, "delta": {"toolUse": {"input": c}}}),
                            i + 6,
                        )
                    })),
                )
            }
        };
        iters.push(it);
        iters.push(Box::new(std::iter::once_with(move || {
            event_json("contentBlockStop", json!({"contentBlockIndex": idx}), 7)
        })));
    }
    let stop = std::iter::once_with(move || {
        event_json("messageStop", json!({"stopReason": stop_reason}), 8)
    });
    let metadata = std::iter::once_with(move || {
        let mut m = Map::new();
        m.insert("metrics".into(), json!({"latencyMs": latency_ms}));
        m.insert("usage".into(), usage);
        if let Some(t) = trace {
            m.insert("trace".into(), t);
        }
        if let Some(p) = performance {
            m.insert("performanceConfig".into(), p);
        }
        if let Some(s) = service_tier {
            m.insert("serviceTier".into(), s);
        }
        event_json("metadata", Value::Object(m), 9)
    });
    iters.push(Box::new(stop));
    iters.push(Box::new(metadata));
    Box::new(iters.into_iter().flatten())
}

/// CountTokens: `input.converse` (word rule) or `input.invokeModel.body` (words of every JSON string).
pub(crate) fn count_tokens(req: &Value) -> Result<Value, ApiError> {
    let Some(input) = req.get("input") else {
        return Err(ApiError::not_null("input"));
    };
    if let Some(c) = input.get("converse") {
        if !c.is_object() {
            return Err(ApiError::validation(crate::validation::MALFORMED));
        }
        return Ok(json!({"inputTokens": input_words(c)}));
    }
    if let Some(im) = input.get("invokeModel") {
        let Some(body) = im.get("body").and_then(Value::as_str) else {
            return Err(ApiError::not_null("input.invokeModel.body"));
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(body)
            .map_err(|_| ApiError::validation(crate::validation::MALFORMED))?;
        let v: Value = serde_json::from_slice(&bytes)
            .map_err(|_| ApiError::validation(crate::validation::MALFORMED))?;
        fn walk(v: &Value) -> usize {
            match v {
                Value::String(s) => words(s),
                Value::Array(a) => a.iter().map(walk).sum(),
                Value::Object(o) => o.values().map(walk).sum(),
                _ => 0,
            }
        }
        return Ok(json!({"inputTokens": walk(&v)}));
    }
    Err(ApiError::validation(
        "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have exactly one of [converse, invokeModel] set",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_deltas_rule() {
        assert_eq!(word_deltas("a b  c"), vec!["a ", "b ", "c"]);
        assert!(word_deltas("").is_empty());
        assert_eq!(chunk_str("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
    }
}
