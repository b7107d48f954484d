//! Planning a reply: an optional reasoning block, then the answer — a guardrail refusal, a tool call,
//! a long load-test reply or the greeting text, in that precedence — then usage.

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::request::{max_tokens, stop_sequences, Turn};
use super::text::{tool_input_chunks, word_deltas};
use super::{
    guardrail, surface, tools, usage, Block, Reply, Trailer, GREETING, GUARDRAIL_BLOCKED,
    TOOL_RESULT_GREETING,
};
use crate::catalog::FoundationModel;
use crate::error::ApiError;
use crate::shared::Shared;

const REDACTED_TRIGGER: &str = "ANTHROPIC_MAGIC_STRING_TRIGGER_REDACTED_THINKING_";
const MAX_LONG: usize = 10_000_000;
const MAX_LONG_NON_STREAM: usize = 1_000_000;

/// The answer block and what it says about the turn.
struct Answer {
    block: Block,
    stop_reason: &'static str,
    trace: Option<Value>,
}

impl Answer {
    fn new(block: Block, stop_reason: &'static str) -> Self {
        Answer {
            block,
            stop_reason,
            trace: None,
        }
    }
}

/// What a reply is planned for besides the request: the model serving it, the caller (whose prompt
/// cache it reads), a `LongStream` fault and whether it streams.
#[derive(Clone, Copy)]
pub(crate) struct Planned<'a> {
    pub(crate) model: &'a FoundationModel,
    pub(crate) caller: &'a str,
    pub(crate) long_stream: Option<usize>,
    pub(crate) stream: bool,
}

/// Plan the reply for a validated request.
pub(crate) fn plan(shared: &Shared, req: &Value, planned: &Planned<'_>) -> Result<Reply, ApiError> {
    let Planned {
        model,
        caller,
        long_stream,
        stream,
    } = *planned;
    let turn = Turn::last_user(req);
    let mut blocks: Vec<Block> = thinking(req, model, &turn).into_iter().collect();
    let answer = answer(req, &turn, long_stream, stream);
    // BR-92: cited documents turn the text answer into a cited one.
    let citations = surface::citations(req, turn.has_word("!web-citation"));
    blocks.push(match answer.block {
        Block::Text(deltas) if !citations.is_empty() => Block::Cited { deltas, citations },
        block => block,
    });
    let output_tokens = blocks.iter().map(Block::output_tokens).sum();
    Ok(Reply {
        blocks,
        stop_reason: answer.stop_reason,
        usage: usage::usage(shared, &model.model_id, caller, req, output_tokens),
        trailer: Trailer {
            trace: answer.trace,
            performance: surface::served_performance(req, &model.model_id),
            service_tier: req.get("serviceTier").cloned(),
        },
    })
}

/// The reasoning block of Anthropic Claude models asked to think (`enabled` or `adaptive`).
fn thinking(req: &Value, model: &FoundationModel, turn: &Turn) -> Option<Block> {
    let enabled = req
        .get("additionalModelRequestFields")
        .and_then(|a| a.get("thinking"))
        .and_then(|t| t.get("type"))
        .and_then(Value::as_str)
        .is_some_and(|ty| ty == "enabled" || ty == "adaptive");
    if !enabled || !model.model_id.contains("anthropic.claude") {
        return None;
    }
    if turn.has_word("!redacted") || turn.text.contains(REDACTED_TRIGGER) {
        return Some(Block::Redacted(b"emulator-redacted-thinking".to_vec()));
    }
    let thought = format!("Thinking about: {}", turn.text);
    let digest = Sha256::digest(thought.as_bytes());
    Some(Block::Reasoning {
        deltas: word_deltas(&thought),
        signature: format!("emu-sig-{}", hex::encode(&digest[..8])),
    })
}

fn answer(req: &Value, turn: &Turn, long_stream: Option<usize>, stream: bool) -> Answer {
    if let Some(config) = guardrail::blocking(req, turn) {
        return Answer {
            block: Block::Text(word_deltas(GUARDRAIL_BLOCKED)),
            stop_reason: "guardrail_intervened",
            trace: guardrail::trace(config, turn),
        };
    }
    if let Some(config) = guardrail::masking(req, turn) {
        return masked_reply(config, turn);
    }
    if let Some(spec) = tools::choose(req, turn) {
        return tool_reply(req, spec);
    }
    // BR-91: a JSON-schema text format answers with a JSON document.
    if let Some(json) = surface::structured_answer(req) {
        let chars: Vec<char> = json.chars().collect();
        let chunks = chars.chunks(16).map(|c| c.iter().collect()).collect();
        return Answer::new(Block::Text(chunks), "end_turn");
    }
    let long = long_stream.or_else(|| turn.directive("!long=").and_then(|n| n.parse().ok()));
    match long {
        Some(n) => long_reply(n, stream, max_tokens(req)),
        None => text_reply(turn, &stop_sequences(req), max_tokens(req)),
    }
}

/// The tool call; with `maxTokens` below its input deltas (one token each) only the first `maxTokens`
/// deltas are sent, the block is closed and the stop reason is `max_tokens`, as Bedrock cuts a call
/// the output limit interrupts.
fn tool_reply(req: &Value, spec: &Value) -> Answer {
    match (tools::tool_use(req, spec), max_tokens(req)) {
        (Block::ToolUse { id, name, input }, Some(m)) if m < tool_input_chunks(&input).len() => {
            let cut: String = tool_input_chunks(&input).into_iter().take(m).collect();
            Answer::new(
                Block::ToolUse {
                    id,
                    name,
                    input: cut,
                },
                "max_tokens",
            )
        }
        (block, _) => Answer::new(block, "tool_use"),
    }
}

/// `!mask`: the greeting + T with every e-mail address anonymized, stop reason
/// `guardrail_intervened`, and (tracing on) a trace whose only action is `ANONYMIZED`.
fn masked_reply(config: &Value, turn: &Turn) -> Answer {
    let mut masked = Vec::new();
    let words: Vec<String> = format!("{GREETING} {}", turn.text)
        .split_whitespace()
        .map(|word| {
            if guardrail::is_email(word) {
                masked.push(word.to_string());
                guardrail::EMAIL_MASK.to_string()
            } else {
                word.to_string()
            }
        })
        .collect();
    let reply = words.join(" ");
    let trace = guardrail::masked_trace(config, &masked, reply.chars().count());
    Answer {
        block: Block::Text(word_deltas(&reply)),
        stop_reason: "guardrail_intervened",
        trace,
    }
}

/// `w1 … wN`, capped (more for streams), then cut to `maxTokens`; stop sequences do not apply.
fn long_reply(n: usize, stream: bool, max_tokens: Option<usize>) -> Answer {
    let cap = if stream {
        MAX_LONG
    } else {
        MAX_LONG_NON_STREAM
    };
    let n = n.min(cap);
    match max_tokens {
        Some(m) if m < n => Answer::new(Block::LongText(m), "max_tokens"),
        _ => Answer::new(Block::LongText(n), "end_turn"),
    }
}

/// The greeting + T (or the tool results), whitespace-normalised, cut at the earliest stop sequence,
/// then to `maxTokens` words.
fn text_reply(turn: &Turn, stop_sequences: &[String], max_tokens: Option<usize>) -> Answer {
    let full = if turn.texts.is_empty() && !turn.tool_results.is_empty() {
        format!("{TOOL_RESULT_GREETING} {}", turn.tool_results.join(" "))
    } else {
        format!("{GREETING} {}", turn.text)
    };
    let mut reply: String = full.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut stop_reason = "end_turn";
    let first_stop = stop_sequences
        .iter()
        .filter_map(|s| reply.find(s.as_str()))
        .min();
    if let Some(pos) = first_stop {
        reply.truncate(pos);
        stop_reason = "stop_sequence";
    }
    let mut deltas = word_deltas(&reply);
    if let Some(m) = max_tokens.filter(|&m| m < deltas.len()) {
        deltas.truncate(m);
        if let Some(last) = deltas.last_mut() {
            *last = last.trim_end().to_string();
        }
        stop_reason = "max_tokens";
    }
    Answer::new(Block::Text(deltas), stop_reason)
}
