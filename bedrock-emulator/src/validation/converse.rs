//! Validation of a Converse / ConverseStream body against the model it resolved to, in the order
//! Bedrock reports problems: model capability, messages and their blocks, tools, cache points
//! ([`cache`]), guardrail, service tier, inference parameters. The first failure is the answer.

use serde_json::{Map, Value};

use super::cache;
use super::model_rules::{
    claude_output_limit, is_claude, temperature_deprecated, temperature_top_p_exclusive,
    tier_supported,
};
use crate::catalog::FoundationModel;
use crate::error::{ApiError, MALFORMED, MODEL_ERRORS};

/// 5 (H): a service tier the model does not offer.
pub(crate) const TIER_UNSUPPORTED: &str =
    "The provided service tier is not supported for this model.";
/// Not in real-error-messages.md (L for the status and type, taken as 400 ValidationException);
/// the text is the one Bedrock users report for Converse on an embedding or image model.
pub(crate) const NOT_A_CHAT_MODEL: &str = "This action doesn't support the model that you provided. Try again with a supported text or chat model.";
/// 2 (H).
pub(crate) const NO_STREAMING: &str = "The model is unsupported for streaming.";
/// real-error-messages.md 2b (M): ConverseStream with tools on a model whose streaming lacks
/// tool use (Llama, DeepSeek).
pub(crate) const NO_STREAMING_TOOL_USE: &str =
    "This model doesn't support tool use in streaming mode.";

type Checked = Result<(), ApiError>;

/// Validate a Converse / ConverseStream body (already parsed) for `model`.
pub(crate) fn converse(req: &Value, model: &FoundationModel, stream: bool) -> Checked {
    let Some(obj) = req.as_object() else {
        return Err(ApiError::validation(MALFORMED));
    };
    check_model(model, stream)?;
    if stream {
        check_streaming_tool_use(obj, model)?;
    }
    check_messages(obj)?;
    if let Some(tools) = obj.get("toolConfig") {
        check_tools(tools)?;
    }
    cache::check(req, model)?;
    if !stream {
        check_guardrail_for_converse(obj)?;
    }
    if let Some(tier) = obj.get("serviceTier") {
        check_service_tier(tier, model)?;
    }
    if let Some(cfg) = obj.get("inferenceConfig") {
        check_inference_config(cfg, model)?;
    }
    Ok(())
}

/// Converse needs a text model, ConverseStream one that streams.
fn check_model(model: &FoundationModel, stream: bool) -> Checked {
    if !model.output_modalities.iter().any(|m| m == "TEXT") {
        return Err(ApiError::validation(NOT_A_CHAT_MODEL));
    }
    if stream && !model.streaming {
        return Err(ApiError::validation(NO_STREAMING));
    }
    Ok(())
}

/// ConverseStream with a tool configuration on a model that cannot stream tool use.
fn check_streaming_tool_use(obj: &Map<String, Value>, model: &FoundationModel) -> Checked {
    if obj.contains_key("toolConfig") && !super::model_rules::streams_tool_use(&model.model_id) {
        return Err(ApiError::validation(NO_STREAMING_TOOL_USE));
    }
    Ok(())
}

/// `fields` of `value` must be present and not null; `path(field)` names a missing one.
fn require(value: &Value, fields: &[&str], path: impl Fn(&str) -> String) -> Checked {
    match fields
        .iter()
        .find(|field| value.get(**field).is_none_or(Value::is_null))
    {
        Some(field) => Err(ApiError::not_null(&path(field))),
        None => Ok(()),
    }
}

fn check_messages(obj: &Map<String, Value>) -> Checked {
    let messages = match obj.get("messages") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(a)) => a.as_slice(),
        Some(_) => return Err(ApiError::validation(MALFORMED)),
    };
    if messages.is_empty() {
        return Err(ApiError::validation(
            "A conversation must start with a user message. Try again with a conversation that starts with a user message.",
        ));
    }
    messages
        .iter()
        .enumerate()
        .try_for_each(|(i, m)| check_message(i, m))
}

/// Message `i` (0-based; Bedrock's paths count from 1): a known role and non-empty content.
fn check_message(i: usize, m: &Value) -> Checked {
    let member = |field: &str| format!("messages.{}.member.{field}", i + 1);
    let role = match m.get("role") {
        Some(Value::String(r)) => r.as_str(),
        _ => return Err(ApiError::not_null(&member("role"))),
    };
    if role != "user" && role != "assistant" {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '{role}' at '{}' failed to satisfy constraint: Member must satisfy enum value set: [user, assistant]",
            member("role")
        )));
    }
    let content = match m.get("content") {
        Some(Value::Array(c)) => c,
        _ => return Err(ApiError::not_null(&member("content"))),
    };
    if content.is_empty() {
        return Err(ApiError::validation(format!(
            "The content field in the Message object at messages.{i} is empty. Add a ContentBlock object to the content field and try again."
        )));
    }
    content.iter().enumerate().try_for_each(|(j, block)| {
        check_block(role, block, |rest| {
            member(&format!("content.{}.member.{rest}", j + 1))
        })
    })
}

/// One content block of a message with `role`; `member(rest)` is the block's path + `rest`.
fn check_block(role: &str, block: &Value, member: impl Fn(&str) -> String) -> Checked {
    let Some(b) = block.as_object() else {
        return Err(ApiError::validation(MALFORMED));
    };
    if role == "user" && b.contains_key("reasoningContent") {
        return Err(ApiError::validation(
            "User messages cannot contain reasoning content. Please remove the reasoning content and try again.",
        ));
    }
    if let Some(tu) = b.get("toolUse") {
        require(tu, &["toolUseId", "name", "input"], |f| {
            member(&format!("toolUse.{f}"))
        })?;
    }
    if let Some(tr) = b.get("toolResult") {
        require(tr, &["toolUseId", "content"], |f| {
            member(&format!("toolResult.{f}"))
        })?;
    }
    if b.get("text").is_some_and(|t| !t.is_string()) {
        return Err(ApiError::validation(MALFORMED));
    }
    Ok(())
}

fn check_tools(tools: &Value) -> Checked {
    let Some(list) = tools.get("tools").and_then(Value::as_array) else {
        return Err(ApiError::not_null("toolConfig.tools"));
    };
    list.iter()
        .enumerate()
        .try_for_each(|(i, t)| match t.get("toolSpec") {
            Some(spec) => require(spec, &["name", "inputSchema"], |f| {
                format!("toolConfig.tools.{}.member.toolSpec.{f}", i + 1)
            }),
            None => Ok(()),
        })
}

/// `guardrailConfig.streamProcessingMode` exists only for ConverseStream. L (item 3): no public
/// capture of the server's answer; a generic 400 ValidationException is the guess.
fn check_guardrail_for_converse(obj: &Map<String, Value>) -> Checked {
    if obj
        .get("guardrailConfig")
        .is_some_and(|g| g.get("streamProcessingMode").is_some())
    {
        return Err(ApiError::validation(
            "1 validation error detected: Value at 'guardrailConfig.streamProcessingMode' failed to satisfy constraint: Member is not supported for the Converse operation",
        ));
    }
    Ok(())
}

fn check_service_tier(tier: &Value, model: &FoundationModel) -> Checked {
    let Some(t) = tier.get("type").and_then(Value::as_str) else {
        return Err(ApiError::not_null("serviceTier.type"));
    };
    if !["priority", "default", "flex", "reserved"].contains(&t) {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '{t}' at 'serviceTier.type' failed to satisfy constraint: Member must satisfy enum value set: [priority, default, flex, reserved]"
        )));
    }
    if !tier_supported(&model.model_id, t) {
        return Err(ApiError::validation(TIER_UNSUPPORTED));
    }
    Ok(())
}

/// `maxTokens` ≥ 1, and the Claude sampling-parameter rules.
fn check_inference_config(cfg: &Value, model: &FoundationModel) -> Checked {
    if !cfg.is_object() && !cfg.is_null() {
        return Err(ApiError::validation(MALFORMED));
    }
    if let Some(mt) = cfg.get("maxTokens") {
        if mt.as_i64().is_none_or(|n| n < 1) {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value '{mt}' at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1"
            )));
        }
        // Anthropic's own wording, wrapped like every Claude model error (the form users report,
        // and BR-05's example; not in real-error-messages.md, M).
        let requested = mt.as_u64().unwrap_or_default();
        if let Some((limit, name)) = claude_output_limit(&model.model_id) {
            if requested > limit {
                return Err(ApiError::validation(format!(
                    "{MODEL_ERRORS}max_tokens: {requested} > {limit}, which is the maximum allowed number of output tokens for {name}"
                )));
            }
        }
    }
    let has_temp = cfg.get("temperature").is_some_and(|v| !v.is_null());
    let has_top_p = cfg.get("topP").is_some_and(|v| !v.is_null());
    let id = model.model_id.as_str();
    if is_claude(id) && has_temp && temperature_deprecated(id) {
        // 11a (H text; M which wrapper Opus 4.7 uses today): the current Converse form.
        return Err(ApiError::validation(format!(
            "{MODEL_ERRORS}`temperature` is deprecated for this model."
        )));
    }
    if is_claude(id) && has_temp && has_top_p && temperature_top_p_exclusive(id) {
        // 11b (H).
        return Err(ApiError::validation(format!(
            "{MODEL_ERRORS}`temperature` and `top_p` cannot both be specified for this model. Please use only one."
        )));
    }
    Ok(())
}
