//! Chat requests: the conversation, the tools, and every option the spec lets a host set.
//!
//! Media payloads travel as base64 text exactly as the host holds them; the plugin decodes
//! and validates them (MSG-10, VID-01) so errors name the offending part.

use abi_stable::{
    std_types::{ROption, RString, RVec},
    StableAbi,
};

use crate::event::StopReason_NE;
use crate::ext::Extensions;
use crate::model::ModelDefinition;
use crate::secret::SecretString;

/// The host's thinking level (converse-stream §0).
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[sabi(kind(WithNonExhaustive(size = 8, traits(Debug, Clone, PartialEq, Eq, Hash))))]
#[non_exhaustive]
pub enum ThinkingLevel {
    Off,
    Minimal,
    Low,
    Medium,
    High,
    Xhigh,
    Adaptive,
    Max,
}

impl ThinkingLevel {
    pub const ALL: [ThinkingLevel; 8] = [
        Self::Off,
        Self::Minimal,
        Self::Low,
        Self::Medium,
        Self::High,
        Self::Xhigh,
        Self::Adaptive,
        Self::Max,
    ];

    /// The wire/config spelling (`off`, `xhigh`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Minimal => "minimal",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Xhigh => "xhigh",
            Self::Adaptive => "adaptive",
            Self::Max => "max",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|level| level.as_str() == value)
    }
}

/// Whether Claude returns summarized thinking or omits it (THINK-10).
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq)]
#[sabi(kind(WithNonExhaustive(size = 8, traits(Debug, Clone, PartialEq, Eq))))]
#[non_exhaustive]
pub enum ThinkingDisplay {
    Summarized,
    Omitted,
}

/// Prompt-cache retention requested by the host (CACHE-02).
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq)]
#[sabi(kind(WithNonExhaustive(size = 8, traits(Debug, Clone, PartialEq, Eq))))]
#[non_exhaustive]
pub enum CacheRetention {
    None,
    Short,
    Long,
}

/// Tool choice (TOOL-02).
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq)]
#[sabi(kind(WithNonExhaustive(size = [usize; 6], traits(Debug, Clone, PartialEq, Eq))))]
#[non_exhaustive]
pub enum ToolChoice {
    Auto,
    Any,
    None,
    Tool { name: RString },
}

/// A part of a user message or a tool result. `data` is base64.
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
#[sabi(kind(WithNonExhaustive(size = [usize; 24], traits(Debug, Clone, PartialEq))))]
#[non_exhaustive]
pub enum ContentPart {
    Text {
        text: RString,
    },
    Image {
        data: RString,
        mime_type: RString,
    },
    Video {
        data: RString,
        mime_type: RString,
    },
    Document {
        data: RString,
        mime_type: RString,
        name: ROption<RString>,
        /// Per-document options of later interface versions (growth path, see [`crate::ext`]).
        extensions: Extensions,
    },
    Audio {
        data: RString,
        mime_type: RString,
    },
}

/// A block of an assistant message the host replays.
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
#[sabi(kind(WithNonExhaustive(size = [usize; 16], traits(Debug, Clone, PartialEq))))]
#[non_exhaustive]
pub enum AssistantBlock {
    Text {
        text: RString,
    },
    /// `signature` is Claude's opaque signature; for `redacted` blocks it holds the base64
    /// of the redacted bytes (MSG-04).
    Thinking {
        thinking: RString,
        signature: ROption<RString>,
        redacted: bool,
    },
    /// `arguments_json` is the JSON object text the model produced.
    ToolCall {
        id: RString,
        name: RString,
        arguments_json: RString,
    },
}

/// Where an assistant message came from, for model-switch rules (MSG-05, BR-71).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct AssistantOrigin {
    pub provider: RString,
    pub api: RString,
    pub model: RString,
    /// The host's record of how that message ended, when it kept one.
    pub stop_reason: ROption<StopReason_NE>,
}

/// One turn of the conversation.
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
#[sabi(kind(WithNonExhaustive(size = [usize; 24], traits(Debug, Clone, PartialEq))))]
#[non_exhaustive]
pub enum Message {
    /// `runtime_context` marks volatile per-turn context that must never sit inside a cached
    /// prefix (CACHE-11).
    User {
        content: RVec<ContentPart_NE>,
        runtime_context: bool,
    },
    Assistant {
        content: RVec<AssistantBlock_NE>,
        origin: AssistantOrigin,
        runtime_context: bool,
    },
    ToolResult {
        tool_call_id: RString,
        tool_name: RString,
        content: RVec<ContentPart_NE>,
        is_error: bool,
        runtime_context: bool,
    },
}

impl Message {
    /// A plain user text message, the most common turn.
    pub fn user_text(text: impl Into<String>) -> Message_NE {
        Message_NE::new(Message::User {
            content: RVec::from(vec![ContentPart_NE::new(ContentPart::Text {
                text: RString::from(text.into()),
            })]),
            runtime_context: false,
        })
    }
}

/// A tool the model may call; `parameters_json` is its JSON Schema.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct ToolDefinition {
    pub name: RString,
    pub description: ROption<RString>,
    pub parameters_json: RString,
    /// Per-tool options of later interface versions (growth path, see [`crate::ext`]).
    pub extensions: Extensions,
}

/// Per-level thinking budgets in tokens (THINK-06); `None` keeps the default.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ThinkingBudgets {
    pub minimal: ROption<u32>,
    pub low: ROption<u32>,
    pub medium: ROption<u32>,
    pub high: ROption<u32>,
}

/// A string pair (request metadata, extra headers).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    pub key: RString,
    pub value: RString,
}

/// Everything a host may set for one request (converse-stream §0).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Default)]
pub struct ChatOptions {
    pub max_tokens: ROption<u64>,
    pub temperature: ROption<f64>,
    pub top_p: ROption<f64>,
    pub stop_sequences: RVec<RString>,
    pub reasoning: ROption<ThinkingLevel_NE>,
    pub thinking_budgets: ThinkingBudgets,
    pub interleaved_thinking: ROption<bool>,
    pub thinking_display: ROption<ThinkingDisplay_NE>,
    pub tool_choice: ROption<ToolChoice_NE>,
    pub cache_retention: ROption<CacheRetention_NE>,
    pub request_metadata: RVec<KeyValue>,
    /// Per-request region (REG-01 step 1).
    pub region: ROption<RString>,
    /// Per-request shared-config profile.
    pub profile: ROption<RString>,
    /// Per-request Bedrock API key (AUTH-04).
    pub bearer_token: ROption<SecretString>,
    /// The merged `agents.defaults.params` + per-model params (HCFG-13) as a JSON object.
    pub extra_params_json: ROption<RString>,
    /// Options of later interface versions (growth path, see [`crate::ext`]).
    pub extensions: Extensions,
}

/// One chat request: the model, the conversation and the options.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct ChatRequest {
    pub model: ModelDefinition,
    pub system_prompt: ROption<RString>,
    pub messages: RVec<Message_NE>,
    pub tools: RVec<ToolDefinition>,
    pub options: ChatOptions,
}

/// The thinking levels a model offers and its default (THINK-20).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct ThinkingProfile {
    pub levels: RVec<ThinkingLevel_NE>,
    pub default_level: ROption<ThinkingLevel_NE>,
}

/// How the host should sanitise history it replays to this provider (THINK-22).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq)]
pub struct ReplayPolicy {
    pub sanitize_mode: RString,
    pub sanitize_tool_call_ids: bool,
    pub tool_call_id_mode: RString,
    pub preserve_signatures: bool,
    pub repair_tool_use_result_pairing: bool,
    pub validate_anthropic_turns: bool,
    pub allow_synthetic_tool_results: bool,
}

/// The result of CountTokens (BR-50, BR-52).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenCount {
    pub input_tokens: u64,
    /// True when the service could not count and this is the local estimate.
    pub estimated: bool,
}
