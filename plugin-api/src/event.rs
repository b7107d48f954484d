//! Stream events: the whole lifecycle of one streamed response.
//!
//! Block events carry the Bedrock `contentBlockIndex`, so interleaved blocks stay apart
//! (EVT-02). A stream ends with exactly one terminal event, `Done` or `Error` (EVT-32).

use abi_stable::{
    std_types::{RBox, ROption, RString, RVec},
    StableAbi,
};

use crate::error::{Diagnostic, PluginError};
use crate::ext::Extensions;

/// Why the model stopped (EVT-10), in the host's vocabulary.
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[sabi(kind(WithNonExhaustive(size = 8, traits(Debug, Clone, PartialEq, Eq, Hash))))]
#[non_exhaustive]
pub enum StopReason {
    /// The model finished its turn (or hit a stop sequence).
    Stop,
    /// The output hit the token limit.
    Length,
    /// The model is waiting for tool results.
    ToolUse,
    /// The response failed.
    Error,
    /// The caller cancelled the response.
    Aborted,
}

impl StopReason {
    /// Every reason, in declaration order.
    pub const ALL: [StopReason; 5] = [
        Self::Stop,
        Self::Length,
        Self::ToolUse,
        Self::Error,
        Self::Aborted,
    ];

    /// The host's spelling (`stop`, `length`, `toolUse`, `error`, `aborted`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stop => "stop",
            Self::Length => "length",
            Self::ToolUse => "toolUse",
            Self::Error => "error",
            Self::Aborted => "aborted",
        }
    }

    /// The reason a host spelling names (the inverse of [`StopReason::as_str`]).
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|reason| reason.as_str() == value)
    }
}

/// Cost in USD (USE-02).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Default)]
pub struct Cost {
    /// For the uncached input tokens.
    pub input: f64,
    /// For the output tokens.
    pub output: f64,
    /// For the input tokens read from the prompt cache.
    pub cache_read: f64,
    /// For the input tokens written to the prompt cache.
    pub cache_write: f64,
    /// The sum of the above.
    pub total: f64,
}

/// Token usage (USE-01) and its cost.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Default)]
pub struct Usage {
    /// Uncached input tokens.
    pub input: u64,
    /// Output tokens.
    pub output: u64,
    /// Input tokens read from the prompt cache.
    pub cache_read: u64,
    /// Input tokens written to the prompt cache.
    pub cache_write: u64,
    /// The part of `cache_write` written with the one-hour retention.
    pub cache_write_1h: u64,
    /// All tokens of the request and response together.
    pub total_tokens: u64,
    /// What these tokens cost at the model's prices ([`ModelCost`](crate::model::ModelCost)).
    pub cost: Cost,
}

/// What the host needs to finish its record of the response (EVT-05, BR-40, TIER-06).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct ResponseSummary {
    /// The model id the host asked for.
    pub model: RString,
    /// The id actually sent when the plugin substituted one (inference profile, BR-03).
    pub resolved_model_id: ROption<RString>,
    /// Why the response ended, in the host's vocabulary.
    pub stop_reason: StopReason_NE,
    /// The raw Bedrock stop reason (`end_turn`, `guardrail_intervened`, …).
    pub provider_stop_reason: ROption<RString>,
    /// The final token usage and cost.
    pub usage: Usage,
    /// `x-amzn-requestid` of the response, when known.
    pub request_id: ROption<RString>,
    /// The latency the service reported (`metrics.latencyMs`), when it sent one.
    pub latency_ms: ROption<u64>,
    /// Milliseconds from the start of the request to the first content block.
    pub time_to_first_token_ms: ROption<u64>,
    /// The service tier that served the request, when the service named it (TIER-06).
    pub service_tier: ROption<RString>,
    /// Structured notes about the response (refusal, guardrail trace …).
    pub diagnostics: RVec<Diagnostic>,
    /// Facts of later interface versions (growth path, see [`crate::ext`]).
    pub extensions: Extensions,
}

impl ResponseSummary {
    /// A summary for `model` that stopped normally, with zero usage and nothing else known.
    pub fn new(model: &str) -> Self {
        Self {
            model: model.into(),
            resolved_model_id: ROption::RNone,
            stop_reason: StopReason_NE::new(StopReason::Stop),
            provider_stop_reason: ROption::RNone,
            usage: Usage::default(),
            request_id: ROption::RNone,
            latency_ms: ROption::RNone,
            time_to_first_token_ms: ROption::RNone,
            service_tier: ROption::RNone,
            diagnostics: RVec::new(),
            extensions: Extensions::new(),
        }
    }
}

impl ResponseSummary {
    /// [`keys::RESPONSE_PERFORMANCE`](crate::ext::keys::RESPONSE_PERFORMANCE): the latency
    /// profile the service served, when it said.
    pub fn served_performance(&self) -> Option<&str> {
        self.extensions.text(crate::ext::keys::RESPONSE_PERFORMANCE)
    }

    /// [`keys::RESPONSE_STRUCTURED`](crate::ext::keys::RESPONSE_STRUCTURED): whether the text
    /// is structured output.
    pub fn is_structured(&self) -> bool {
        self.extensions
            .flag(crate::ext::keys::RESPONSE_STRUCTURED)
            .unwrap_or(false)
    }

    /// [`keys::RESPONSE_CITATIONS`](crate::ext::keys::RESPONSE_CITATIONS) as JSON text, when
    /// the answer had citations.
    pub fn citations_json(&self) -> Option<&str> {
        match self.extensions.get(crate::ext::keys::RESPONSE_CITATIONS) {
            Some(crate::ext::ExtValue::Json(json)) => Some(json.as_str()),
            _ => None,
        }
    }
}

/// A retry the plugin is about to make (BR-11): shown to the user as "waiting N s".
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct RetryNotice {
    /// The number of the send about to happen (the first send is 1).
    pub attempt: u32,
    /// How long the plugin waits before that send.
    pub delay_ms: u64,
    /// `rate_limit`, `overloaded`, `server_error`, `transport`, or a self-heal code.
    pub reason: RString,
    /// The error that caused the retry, as a message for the user.
    pub detail: RString,
}

/// The terminal error of a stream, with what was known when it failed.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct StreamFailure {
    /// What went wrong.
    pub error: PluginError,
    /// What was known about the response when it failed (usage so far, request id …).
    pub summary: ResponseSummary,
}

/// One event of a streamed response.
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
#[sabi(kind(WithNonExhaustive(size = [usize; 16], traits(Debug, Clone, PartialEq))))]
#[non_exhaustive]
pub enum StreamEvent {
    /// The service accepted the request and the assistant message began.
    Start {
        /// The model id the host asked for.
        model: RString,
        /// `x-amzn-requestid` of the response, when known.
        request_id: ROption<RString>,
    },
    /// A text block began.
    TextStart {
        /// The block's `contentBlockIndex`.
        index: u32,
    },
    /// More text of a block.
    TextDelta {
        /// The block's `contentBlockIndex`.
        index: u32,
        /// The new text.
        delta: RString,
    },
    /// A text block ended.
    TextEnd {
        /// The block's `contentBlockIndex`.
        index: u32,
    },
    /// A thinking block began.
    ThinkingStart {
        /// The block's `contentBlockIndex`.
        index: u32,
    },
    /// More thinking text of a block.
    ThinkingDelta {
        /// The block's `contentBlockIndex`.
        index: u32,
        /// The new thinking text.
        delta: RString,
    },
    /// A fragment of the block's signature (it may arrive without any text).
    ThinkingSignature {
        /// The block's `contentBlockIndex`.
        index: u32,
        /// The signature fragment.
        signature: RString,
    },
    /// Redacted reasoning bytes, base64.
    ThinkingRedacted {
        /// The block's `contentBlockIndex`.
        index: u32,
        /// The redacted bytes, base64.
        data: RString,
    },
    /// `signature` is the complete signature (for redacted blocks: base64 of all bytes).
    ThinkingEnd {
        /// The block's `contentBlockIndex`.
        index: u32,
        /// The complete signature, when the block had one.
        signature: ROption<RString>,
        /// True for a redacted-reasoning block.
        redacted: bool,
    },
    /// A tool call began.
    ToolCallStart {
        /// The block's `contentBlockIndex`.
        index: u32,
        /// The tool-use id.
        id: RString,
        /// The tool's name.
        name: RString,
    },
    /// A raw fragment of the arguments JSON, exactly as received.
    ToolCallDelta {
        /// The block's `contentBlockIndex`.
        index: u32,
        /// The fragment.
        fragment: RString,
    },
    /// The parsed arguments (the full JSON object text, numbers kept verbatim).
    ToolCallEnd {
        /// The block's `contentBlockIndex`.
        index: u32,
        /// The tool-use id.
        id: RString,
        /// The tool's name.
        name: RString,
        /// The arguments, as JSON object text.
        arguments_json: RString,
    },
    /// The response's token usage, as soon as the service reports it (`Done` repeats it).
    Usage(Usage),
    /// The plugin is about to retry the request (BR-11).
    Retry(RBox<RetryNotice>),
    /// Liveness while events are held back (EVT-20), so host watchdogs do not fire.
    KeepAlive,
    /// Terminal: the response completed.
    Done(RBox<ResponseSummary>),
    /// Terminal: the response failed (after any retries).
    Error(RBox<StreamFailure>),
}

impl StreamEvent {
    /// True for `Done` and `Error`, after which the stream yields nothing more.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Done(_) | Self::Error(_))
    }
}
