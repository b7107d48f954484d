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
    /// No extended thinking.
    Off,
    /// The smallest thinking budget.
    Minimal,
    /// A low thinking budget.
    Low,
    /// A medium thinking budget.
    Medium,
    /// A high thinking budget.
    High,
    /// Effort `xhigh`, sent natively only where the model supports it (THINK-05).
    Xhigh,
    /// Adaptive thinking without an effort: the model decides how much to think (THINK-05).
    Adaptive,
    /// The model's largest effort (THINK-12).
    Max,
}

impl ThinkingLevel {
    /// Every level, in declaration order (least to most thinking, then the special levels).
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

    /// The level a wire/config spelling names (the inverse of [`ThinkingLevel::as_str`]).
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
    /// Thinking text is returned, summarized by the service.
    Summarized,
    /// Thinking text is left out; only the signature comes back.
    Omitted,
}

/// Prompt-cache retention requested by the host (CACHE-02).
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq)]
#[sabi(kind(WithNonExhaustive(size = 8, traits(Debug, Clone, PartialEq, Eq))))]
#[non_exhaustive]
pub enum CacheRetention {
    /// No cache points are written.
    None,
    /// The default, short cache lifetime.
    Short,
    /// The extended (one-hour) cache lifetime.
    Long,
}

/// Tool choice (TOOL-02).
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq)]
#[sabi(kind(WithNonExhaustive(size = [usize; 6], traits(Debug, Clone, PartialEq, Eq))))]
#[non_exhaustive]
pub enum ToolChoice {
    /// The model decides whether to call a tool.
    Auto,
    /// The model must call one of the tools.
    Any,
    /// The model must not call a tool (no tool config is sent at all).
    None,
    /// The model must call this tool.
    Tool {
        /// The name of a tool in [`ChatRequest::tools`].
        name: RString,
    },
}

/// A part of a user message or a tool result. `data` is base64.
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
#[sabi(kind(WithNonExhaustive(size = [usize; 24], traits(Debug, Clone, PartialEq))))]
#[non_exhaustive]
pub enum ContentPart {
    /// Plain text.
    Text {
        /// The text.
        text: RString,
    },
    /// An image (MSG-10).
    Image {
        /// The image bytes, base64.
        data: RString,
        /// Its media type, e.g. `image/png`.
        mime_type: RString,
    },
    /// A video clip (VID-01).
    Video {
        /// The video bytes, base64.
        data: RString,
        /// Its media type, e.g. `video/mp4`.
        mime_type: RString,
    },
    /// A document (PDF, text, spreadsheet …).
    Document {
        /// The document bytes, base64.
        data: RString,
        /// Its media type, e.g. `application/pdf`.
        mime_type: RString,
        /// The file name shown to the model, when the host knows one.
        name: ROption<RString>,
        /// Per-document options of later interface versions (growth path, see [`crate::ext`]).
        extensions: Extensions,
    },
    /// An audio clip.
    Audio {
        /// The audio bytes, base64.
        data: RString,
        /// Its media type, e.g. `audio/mpeg`.
        mime_type: RString,
    },
}

/// A block of an assistant message the host replays.
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
#[sabi(kind(WithNonExhaustive(size = [usize; 16], traits(Debug, Clone, PartialEq))))]
#[non_exhaustive]
pub enum AssistantBlock {
    /// Text the model wrote.
    Text {
        /// The text.
        text: RString,
    },
    /// `signature` is Claude's opaque signature; for `redacted` blocks it holds the base64
    /// of the redacted bytes (MSG-04).
    Thinking {
        /// The thinking text (empty for redacted blocks).
        thinking: RString,
        /// The block's signature, which must be replayed unchanged.
        signature: ROption<RString>,
        /// True for a redacted-reasoning block.
        redacted: bool,
    },
    /// `arguments_json` is the JSON object text the model produced.
    ToolCall {
        /// The tool-use id that the matching [`Message::ToolResult`] refers to.
        id: RString,
        /// The tool's name.
        name: RString,
        /// The arguments, as JSON object text.
        arguments_json: RString,
    },
}

/// Where an assistant message came from, for model-switch rules (MSG-05, BR-71).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct AssistantOrigin {
    /// The provider that produced the message.
    pub provider: RString,
    /// The model API it was produced through.
    pub api: RString,
    /// The model id that produced it.
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
        /// What the user sent.
        content: RVec<ContentPart_NE>,
        /// True for volatile per-turn context (CACHE-11).
        runtime_context: bool,
    },
    /// An earlier assistant message the host replays.
    Assistant {
        /// Its blocks, in order.
        content: RVec<AssistantBlock_NE>,
        /// Which provider and model produced it.
        origin: AssistantOrigin,
        /// True for volatile per-turn context (CACHE-11).
        runtime_context: bool,
    },
    /// The result of a tool call.
    ToolResult {
        /// The id of the [`AssistantBlock::ToolCall`] this answers.
        tool_call_id: RString,
        /// The name of the tool that ran.
        tool_name: RString,
        /// What the tool returned.
        content: RVec<ContentPart_NE>,
        /// True when the tool failed and `content` describes the failure.
        is_error: bool,
        /// True for volatile per-turn context (CACHE-11).
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
    /// The name the model calls it by.
    pub name: RString,
    /// What the tool does, for the model.
    pub description: ROption<RString>,
    /// The JSON Schema of its arguments, as JSON text.
    pub parameters_json: RString,
    /// Per-tool options of later interface versions (growth path, see [`crate::ext`]).
    pub extensions: Extensions,
}

/// Per-level thinking budgets in tokens (THINK-06); `None` keeps the default.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ThinkingBudgets {
    /// The budget for [`ThinkingLevel::Minimal`].
    pub minimal: ROption<u32>,
    /// The budget for [`ThinkingLevel::Low`].
    pub low: ROption<u32>,
    /// The budget for [`ThinkingLevel::Medium`].
    pub medium: ROption<u32>,
    /// The budget for [`ThinkingLevel::High`].
    pub high: ROption<u32>,
}

/// A string pair (request metadata, extra headers).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    /// The key (metadata key or header name).
    pub key: RString,
    /// Its value.
    pub value: RString,
}

/// Everything a host may set for one request (converse-stream §0).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Default)]
pub struct ChatOptions {
    /// The most output tokens; `None` uses the model's `max_tokens`.
    pub max_tokens: ROption<u64>,
    /// Sampling temperature; `None` keeps the service default.
    pub temperature: ROption<f64>,
    /// Nucleus-sampling probability mass; `None` keeps the service default.
    pub top_p: ROption<f64>,
    /// Sequences that end the response when the model produces them.
    pub stop_sequences: RVec<RString>,
    /// The requested thinking level; `None` uses the model's default (THINK-20).
    pub reasoning: ROption<ThinkingLevel_NE>,
    /// Token budgets overriding the defaults per level (THINK-06).
    pub thinking_budgets: ThinkingBudgets,
    /// Whether Claude may think between tool calls (the interleaved-thinking beta); `None`
    /// keeps the plugin's default.
    pub interleaved_thinking: ROption<bool>,
    /// Whether thinking text is returned (THINK-10); `None` is `Summarized`.
    pub thinking_display: ROption<ThinkingDisplay_NE>,
    /// How the model may use the tools (TOOL-02); `None` sends no choice (the service's
    /// default).
    pub tool_choice: ROption<ToolChoice_NE>,
    /// Prompt-cache retention (CACHE-02); `None` keeps the plugin's default.
    pub cache_retention: ROption<CacheRetention_NE>,
    /// Request metadata the service records with the call.
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

impl ChatOptions {
    /// [`keys::PERFORMANCE`](crate::ext::keys::PERFORMANCE), when the host set it.
    pub fn performance(&self) -> Option<&str> {
        self.extensions.text(crate::ext::keys::PERFORMANCE)
    }

    /// [`keys::RESPONSE_FORMAT`](crate::ext::keys::RESPONSE_FORMAT) as JSON text, when set.
    pub fn response_format_json(&self) -> Option<&str> {
        match self.extensions.get(crate::ext::keys::RESPONSE_FORMAT) {
            Some(crate::ext::ExtValue::Json(json)) => Some(json.as_str()),
            _ => None,
        }
    }
}

/// One chat request: the model, the conversation and the options.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct ChatRequest {
    /// The model to call, as the host has it configured or discovered.
    pub model: ModelDefinition,
    /// The system prompt, if any.
    pub system_prompt: ROption<RString>,
    /// The conversation so far, oldest first.
    pub messages: RVec<Message_NE>,
    /// The tools the model may call.
    pub tools: RVec<ToolDefinition>,
    /// Everything else the host sets for this request.
    pub options: ChatOptions,
}

/// The thinking levels a model offers and its default (THINK-20).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct ThinkingProfile {
    /// The levels the host may offer for this model.
    pub levels: RVec<ThinkingLevel_NE>,
    /// The level used when a request sets none; `None` when the model does not think.
    pub default_level: ROption<ThinkingLevel_NE>,
}

/// How the host should sanitise history it replays to this provider (THINK-22).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq)]
pub struct ReplayPolicy {
    /// How much of the history the host sanitises, by the host's mode name (e.g. `full`).
    pub sanitize_mode: RString,
    /// Whether tool-call ids must be rewritten to a form the provider accepts.
    pub sanitize_tool_call_ids: bool,
    /// How rewritten tool-call ids are formed, by the host's mode name (e.g. `strict`).
    pub tool_call_id_mode: RString,
    /// Whether thinking signatures are replayed (they are only valid for the same model family).
    pub preserve_signatures: bool,
    /// Whether the host repairs tool calls without results (and results without calls).
    pub repair_tool_use_result_pairing: bool,
    /// Whether the host enforces Anthropic's turn rules (alternating roles, first turn user).
    pub validate_anthropic_turns: bool,
    /// Whether the host may insert placeholder results for tool calls that have none.
    pub allow_synthetic_tool_results: bool,
}

/// The result of CountTokens (BR-50, BR-52).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenCount {
    /// The number of input tokens the request would use.
    pub input_tokens: u64,
    /// True when the service could not count and this is the local estimate.
    pub estimated: bool,
}
