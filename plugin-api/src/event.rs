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
    Stop,
    Length,
    ToolUse,
    Error,
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
    pub input: f64,
    pub output: f64,
    pub cache_read: f64,
    pub cache_write: f64,
    pub total: f64,
}

/// Token usage (USE-01) and its cost.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Default)]
pub struct Usage {
    pub input: u64,
    pub output: u64,
    pub cache_read: u64,
    pub cache_write: u64,
    pub cache_write_1h: u64,
    pub total_tokens: u64,
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
    pub stop_reason: StopReason_NE,
    /// The raw Bedrock stop reason (`end_turn`, `guardrail_intervened`, …).
    pub provider_stop_reason: ROption<RString>,
    pub usage: Usage,
    pub request_id: ROption<RString>,
    pub latency_ms: ROption<u64>,
    pub time_to_first_token_ms: ROption<u64>,
    pub service_tier: ROption<RString>,
    pub diagnostics: RVec<Diagnostic>,
    /// Facts of later interface versions (growth path, see [`crate::ext`]).
    pub extensions: Extensions,
}

impl ResponseSummary {
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

/// A retry the plugin is about to make (BR-11): shown to the user as "waiting N s".
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct RetryNotice {
    /// The number of the send about to happen (the first send is 1).
    pub attempt: u32,
    pub delay_ms: u64,
    /// `rate_limit`, `overloaded`, `server_error`, `transport`, or a self-heal code.
    pub reason: RString,
    pub detail: RString,
}

/// The terminal error of a stream, with what was known when it failed.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct StreamFailure {
    pub error: PluginError,
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
        model: RString,
        request_id: ROption<RString>,
    },
    TextStart {
        index: u32,
    },
    TextDelta {
        index: u32,
        delta: RString,
    },
    TextEnd {
        index: u32,
    },
    ThinkingStart {
        index: u32,
    },
    ThinkingDelta {
        index: u32,
        delta: RString,
    },
    /// A fragment of the block's signature (it may arrive without any text).
    ThinkingSignature {
        index: u32,
        signature: RString,
    },
    /// Redacted reasoning bytes, base64.
    ThinkingRedacted {
        index: u32,
        data: RString,
    },
    /// `signature` is the complete signature (for redacted blocks: base64 of all bytes).
    ThinkingEnd {
        index: u32,
        signature: ROption<RString>,
        redacted: bool,
    },
    ToolCallStart {
        index: u32,
        id: RString,
        name: RString,
    },
    /// A raw fragment of the arguments JSON, exactly as received.
    ToolCallDelta {
        index: u32,
        fragment: RString,
    },
    /// The parsed arguments (the full JSON object text, numbers kept verbatim).
    ToolCallEnd {
        index: u32,
        id: RString,
        name: RString,
        arguments_json: RString,
    },
    Usage(Usage),
    Retry(RBox<RetryNotice>),
    /// Liveness while events are held back (EVT-20), so host watchdogs do not fire.
    KeepAlive,
    Done(RBox<ResponseSummary>),
    Error(RBox<StreamFailure>),
}

impl StreamEvent {
    /// True for `Done` and `Error`, after which the stream yields nothing more.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Done(_) | Self::Error(_))
    }
}
