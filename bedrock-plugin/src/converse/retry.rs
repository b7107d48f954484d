//! Retries of one ConverseStream request (BR-01..BR-07, BR-10..BR-13, BR-96).
//!
//! Two kinds of resend exist and this module decides both, the driver only executes them:
//!
//! * **Transient retries** (BR-10): throttling, overload, server errors and transport
//!   failures before any host output are sent again after a full-jitter backoff
//!   ([`backoff_delay`]); they count against `retry.maxAttempts`.
//! * **Self-heal** (BR-01..BR-05): a `ValidationException` that names a constraint the plugin
//!   can satisfy is answered by one reshaped resend ([`detect_self_heal`]); it does not count
//!   against `retry.maxAttempts` (BR-07), happens at most once per request (BR-06), and the
//!   learned constraint is remembered per model id by the plugin instance
//!   ([`LearnedCorrections`]) so later requests are shaped correctly up front.
//!
//! The inference profile a BR-03/BR-04 resend uses comes through [`ChooseProfile`]: the request
//! path does not know where profiles come from (the plugin state wires in discovery).
//!
//! Reshaping works on the built [`ConverseInput`], never on the caller's request (REQ-06).

use std::sync::LazyLock;

use aws_smithy_types::Document;
use futures::future::BoxFuture;
use regex_lite::Regex;

use crate::converse::learned::LearnedCorrections;
use crate::converse::request::{turn_separation, ConverseInput};
use crate::error::BedrockError;

pub use crate::backoff::{
    backoff_delay, delay_cap, parse_retry_after, transient_reason, FailurePhase, Jitter,
    RetryReason,
};

/// A recognised self-heal case (BR-01..BR-05).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SelfHeal {
    /// BR-01: resend without temperature, topP and top_k.
    TemperatureUnsupported,
    /// BR-02: resend without topP.
    TopPConflict,
    /// BR-03 (`invalid_id: false`) / BR-04 (`invalid_id: true`): resend with an inference
    /// profile, if one can be chosen.
    InferenceProfile { invalid_id: bool },
    /// BR-05: resend with this maxTokens.
    MaxTokensClamped(i32),
    /// BR-90: `optimized` latency rejected outright; resend with `standard`.
    StandardLatency,
}

impl SelfHeal {
    /// The `reason` of the host's retry notice.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::TemperatureUnsupported => "temperature_unsupported",
            Self::TopPConflict => "top_p_conflict",
            Self::InferenceProfile { .. } => "inference_profile",
            Self::MaxTokensClamped(_) => "max_tokens_clamped",
            Self::StandardLatency => crate::converse::request::performance::HEAL_REASON,
        }
    }
}

static MAX_TOKENS_PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(max_tokens|max tokens|maximum tokens)[^.]*?(exceed|greater than|must be less|>)",
    )
    .expect("constant pattern compiles")
});

/// BR-01..BR-05: the self-heal case `error` calls for, given the maxTokens that was sent.
///
/// Only a Bedrock `ValidationException` self-heals (BR-06); the decision reads Bedrock's own
/// message text, never the plugin's formatting of it.
pub fn detect_self_heal(
    error: &BedrockError,
    requested_max_tokens: Option<i32>,
) -> Option<SelfHeal> {
    let exception = error
        .exception()
        .filter(|exception| exception.name == "ValidationException")?;
    let message = exception.text();
    let lower = message.to_ascii_lowercase();
    if lower.contains("temperature") && lower.contains("deprecated") {
        return Some(SelfHeal::TemperatureUnsupported);
    }
    if lower.contains("temperature")
        && lower.contains("top_p")
        && lower.contains("cannot both be specified")
    {
        return Some(SelfHeal::TopPConflict);
    }
    if (lower.contains("on-demand throughput isn")
        || lower.contains("on-demand throughput is not supported"))
        && lower.contains("inference profile")
    {
        return Some(SelfHeal::InferenceProfile { invalid_id: false });
    }
    if lower.contains("the provided model identifier is invalid") {
        return Some(SelfHeal::InferenceProfile { invalid_id: true });
    }
    if MAX_TOKENS_PATTERN.is_match(message) {
        return clamped_max_tokens(message, requested_max_tokens?).map(SelfHeal::MaxTokensClamped);
    }
    None
}

/// BR-05: the largest integer in `message` smaller than `requested` (digit runs; the
/// `[request id …]` suffix is excluded so a numeric id cannot be mistaken for a limit).
pub fn clamped_max_tokens(message: &str, requested: i32) -> Option<i32> {
    let message = message
        .rfind(" [request id ")
        .map_or(message, |at| &message[..at]);
    message
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|digits| digits.parse::<i64>().ok())
        .filter(|value| *value > 0 && *value < i64::from(requested))
        .max()
        .and_then(|value| i32::try_from(value).ok())
}

/// BR-96: Bedrock's rejection of a user turn that mixes tool results with other content.
const MIXED_TOOL_RESULT_TURN: &str =
    "conversation blocks and tool result blocks cannot be provided in the same turn";

/// BR-96: `error` asks for the tool-result turns to be sent separated: a Bedrock
/// `ValidationException` saying `Conversation blocks and tool result blocks cannot be provided
/// in the same turn.` The caller resends once with [`separate_tool_results`] (retry reason
/// [`TURN_SEPARATION_REASON`]), only before any output, and remembers it for the model.
pub fn needs_tool_result_separation(error: &BedrockError) -> bool {
    error
        .exception()
        .filter(|exception| exception.name == "ValidationException")
        .is_some_and(|exception| {
            exception
                .text()
                .to_ascii_lowercase()
                .contains(MIXED_TOOL_RESULT_TURN)
        })
}

/// BR-96: the `reason` of the retry notice before the separated resend.
pub const TURN_SEPARATION_REASON: &str = "capability";

/// BR-96: reshapes `input` with its tool-result turns separated and remembers that for
/// `model_id`; false when there was nothing to separate (then a resend cannot help).
pub fn separate_tool_results(
    input: &mut ConverseInput,
    learned: &LearnedCorrections,
    model_id: &str,
) -> bool {
    let changed = turn_separation::separate_tool_result_turns(&mut input.messages);
    if changed {
        learned.learn(model_id, |known| known.separate_tool_results = true);
    }
    changed
}

/// BR-04 without a profile: `Validation error: The provided model identifier is invalid.
/// (<model> is not available in <region>; check model access or use an inference profile id)`.
pub fn not_available_error(error: BedrockError, model: &str, region: &str) -> BedrockError {
    error.with_extension(format!(
        " ({model} is not available in {region}; check model access or use an inference profile id)"
    ))
}

/// BR-03 without a profile.
pub fn no_profile_error(error: BedrockError, model: &str, region: &str) -> BedrockError {
    error.with_extension(format!(
        " (no usable inference profile found for {model} in {region})"
    ))
}

/// BR-01: drops temperature, topP and any top_k from the input.
pub fn drop_sampling(input: &mut ConverseInput) {
    input.inference_config.temperature = None;
    input.inference_config.top_p = None;
    let emptied = match input.additional_model_request_fields.as_mut() {
        Some(Document::Object(fields)) => {
            fields.remove("top_k");
            fields.is_empty()
        }
        _ => false,
    };
    if emptied {
        // REQ-01: the field is absent rather than an empty object.
        input.additional_model_request_fields = None;
    }
}

/// BR-02: drops topP from the input.
pub fn drop_top_p(input: &mut ConverseInput) {
    input.inference_config.top_p = None;
}

/// Shapes `input` (for the requested `model_id`) by what was learned earlier, and returns
/// the inference profile substituted for the model id, if any.
pub fn apply_learned(
    input: &mut ConverseInput,
    learned: &LearnedCorrections,
    model_id: &str,
    region: &str,
) -> Option<String> {
    let known = learned.get(model_id);
    if known.no_sampling {
        drop_sampling(input);
    } else if known.no_top_p && input.inference_config.temperature.is_some() {
        drop_top_p(input);
    }
    if let (Some(limit), Some(requested)) = (known.max_tokens, input.inference_config.max_tokens) {
        if requested > limit {
            input.inference_config.max_tokens = Some(limit);
        }
    }
    if known.separate_tool_results {
        turn_separation::separate_tool_result_turns(&mut input.messages);
    }
    // BR-03/BR-04 corrections are permanent; a BR-15 failover only until its memory expires.
    let profile = known
        .profiles
        .get(region)
        .cloned()
        .or_else(|| known.failover_in(region).map(str::to_owned));
    if let Some(profile) = &profile {
        input.model_id = profile.clone();
    }
    profile
}

/// BR-03/BR-04: the inference profile to resend `model_id` with, or `None` when none can be
/// chosen (DISC-19a's choice among the profiles the instance knows of).
pub trait ChooseProfile: Send + Sync {
    /// The profile for `model_id` requested in `region`.
    fn choose<'a>(&'a self, model_id: &'a str, region: &'a str) -> BoxFuture<'a, Option<String>>;
}

#[cfg(test)]
mod tests;
