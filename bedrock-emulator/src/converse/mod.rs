//! Deterministic Converse / ConverseStream responses derived from the request (rules in the crate docs),
//! and CountTokens.
//!
//! A reply is computed once, as a [`Reply`] (blocks, stop reason, usage), by [`plan`]; it is then rendered
//! either as the Converse JSON body ([`converse_body`]) or as the ConverseStream events
//! ([`stream_events`]). Keeping the decision apart from the two wire forms is what keeps Converse and
//! ConverseStream answering the same question identically.

mod body;
mod count_tokens;
pub(crate) mod guardrail;
mod plan;
mod request;
mod stream;
mod surface;
#[cfg(test)]
mod tests;
mod text;
mod tools;
mod usage;

use serde_json::{Map, Value};

pub(crate) use body::converse_body;
pub(crate) use count_tokens::count_tokens;
pub(crate) use plan::{plan, Planned};
pub(crate) use stream::stream_events;

pub(crate) const GREETING: &str = "Hello from the Bedrock emulator. You said:";
pub(crate) const TOOL_RESULT_GREETING: &str = "Hello from the Bedrock emulator. Tool result:";
pub(crate) const GUARDRAIL_BLOCKED: &str = "Sorry, the model cannot answer this question.";

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
    /// Text deltas followed by citations (BR-92; wire JSON of each citation).
    Cited {
        deltas: Vec<String>,
        citations: Vec<Value>,
    },
}

impl Block {
    /// Output tokens the block costs: one per streamed delta (a redacted block counts one).
    fn output_tokens(&self) -> usize {
        match self {
            Block::Text(deltas) | Block::Reasoning { deltas, .. } | Block::Cited { deltas, .. } => {
                deltas.len()
            }
            Block::LongText(n) => *n,
            Block::Redacted(_) => 1,
            Block::ToolUse { input, .. } => text::tool_input_chunks(input).len(),
        }
    }
}

/// The planned reply.
pub(crate) struct Reply {
    pub(crate) blocks: Vec<Block>,
    pub(crate) stop_reason: &'static str,
    pub(crate) usage: Value,
    pub(crate) trailer: Trailer,
}

/// What both wire forms carry after `usage`: the guardrail trace and the request's echoed settings.
#[derive(Clone)]
pub(crate) struct Trailer {
    pub(crate) trace: Option<Value>,
    pub(crate) performance: Option<Value>,
    pub(crate) service_tier: Option<Value>,
}

impl Trailer {
    /// Append `trace`, `performanceConfig` and `serviceTier` (those present, in that order).
    fn append_to(self, map: &mut Map<String, Value>) {
        if let Some(t) = self.trace {
            map.insert("trace".into(), t);
        }
        if let Some(p) = self.performance {
            map.insert("performanceConfig".into(), p);
        }
        if let Some(s) = self.service_tier {
            map.insert("serviceTier".into(), s);
        }
    }
}
