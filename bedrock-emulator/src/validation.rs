//! Request validation with Bedrock's own error types and wording, and model-id resolution
//! (foundation-model ids and ARNs, inference-profile ids and ARNs, application profiles).

use serde_json::Value;

use crate::catalog::{Catalog, FoundationModel};

/// A Bedrock error response: HTTP status, `x-amzn-errortype` name and `{"message"}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) error_type: String,
    pub(crate) message: String,
}

impl ApiError {
    pub(crate) fn new(status: u16, error_type: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            error_type: error_type.to_string(),
            message: message.into(),
        }
    }
    pub(crate) fn validation(message: impl Into<String>) -> Self {
        ApiError::new(400, "ValidationException", message)
    }
    pub(crate) fn not_null(path: &str) -> Self {
        ApiError::validation(format!(
            "1 validation error detected: Value null at '{path}' failed to satisfy constraint: Member must not be null"
        ))
    }
}

pub(crate) const INVALID_MODEL: &str = "The provided model identifier is invalid.";
pub(crate) const MALFORMED: &str =
    "Malformed input request, please reformat your input and try again.";

/// A runtime model id resolved against the catalog.
pub(crate) struct Resolved<'a> {
    pub(crate) model: &'a FoundationModel,
    pub(crate) via_profile: bool,
}

/// Resolve the model id of a runtime request. `on_demand_check` is false for CountTokens.
pub(crate) fn resolve<'a>(
    catalog: &'a Catalog,
    id: &str,
    on_demand_check: bool,
) -> Result<Resolved<'a>, ApiError> {
    if let Some(model) = catalog.model(id) {
        if model.status.eq_ignore_ascii_case("INACTIVE") {
            return Err(ApiError::new(
                404,
                "ResourceNotFoundException",
                "This model version has reached the end of its life. Please refer to the AWS documentation for more details.",
            ));
        }
        if on_demand_check {
            let types = &model.inference_types;
            let on_demand = types.iter().any(|t| t == "ON_DEMAND");
            let profile = types.iter().any(|t| t == "INFERENCE_PROFILE");
            if !on_demand && profile {
                return Err(ApiError::validation(format!(
                    "Invocation of model ID {} with on-demand throughput isn't supported. Retry your request with the ID or ARN of an inference profile that contains this model.",
                    model.model_id
                )));
            }
            if !on_demand && !types.is_empty() {
                return Err(ApiError::validation(INVALID_MODEL));
            }
        }
        return Ok(Resolved {
            model,
            via_profile: false,
        });
    }
    if let Some(profile) = catalog.profile(id) {
        if let Some(model) = profile.base_model_id().and_then(|b| catalog.model(b)) {
            return Ok(Resolved {
                model,
                via_profile: true,
            });
        }
    }
    Err(ApiError::validation(INVALID_MODEL))
}

/// The resolved base model id for fault matching (no validation).
pub(crate) fn base_id(catalog: &Catalog, id: &str) -> Option<String> {
    if let Some(m) = catalog.model(id) {
        return Some(m.model_id.clone());
    }
    catalog
        .profile(id)
        .and_then(|p| p.base_model_id().map(str::to_string))
}

fn is_claude(id: &str) -> bool {
    id.contains("anthropic.claude")
}

/// Claude Opus 4.7+ and Claude 5 identities reject `temperature`.
fn temperature_deprecated(id: &str) -> bool {
    let Some(rest) = id.split("claude-").nth(1) else {
        return false;
    };
    let after_family = |fam: &str| rest.strip_prefix(fam);
    if let Some(v) = after_family("opus-4") {
        let mut chars = v.chars();
        if matches!(chars.next(), Some('-') | Some('.')) {
            if let Some(d) = chars.next() {
                let boundary = chars.next().is_none_or(|c| !c.is_ascii_digit());
                return ('7'..='9').contains(&d) && boundary;
            }
        }
        return false;
    }
    for fam in ["opus-", "sonnet-", "fable-", "mythos-"] {
        if let Some(v) = after_family(fam) {
            let major: String = v.chars().take_while(char::is_ascii_digit).collect();
            if major.parse::<u32>().is_ok_and(|m| m >= 5) {
                return true;
            }
        }
    }
    rest.starts_with("mythos-preview")
}

/// Claude 4.5 / 4.6 models that reject `temperature` together with `top_p`.
fn temperature_top_p_exclusive(id: &str) -> bool {
    [
        "claude-haiku-4-5",
        "claude-sonnet-4-5",
        "claude-sonnet-4-6",
        "claude-opus-4-5",
        "claude-opus-4-6",
    ]
    .iter()
    .any(|m| id.contains(m))
}

/// Service tiers the model accepts.
pub(crate) fn tier_supported(model_id: &str, tier: &str) -> bool {
    match tier {
        "default" => true,
        "priority" | "flex" => {
            let claude5 = [
                "claude-opus-5",
                "claude-sonnet-5",
                "claude-fable-5",
                "claude-mythos-5",
            ]
            .iter()
            .any(|m| model_id.contains(m));
            (model_id.starts_with("amazon.nova") || model_id.contains("anthropic.claude-"))
                && !claude5
                && !model_id.contains("claude-3")
        }
        _ => false,
    }
}

fn count_cache_points(v: &Value) -> usize {
    let in_list = |list: Option<&Value>| {
        list.and_then(Value::as_array)
            .map(|a| a.iter().filter(|b| b.get("cachePoint").is_some()).count())
            .unwrap_or(0)
    };
    let mut n = in_list(v.get("system"));
    if let Some(msgs) = v.get("messages").and_then(Value::as_array) {
        for m in msgs {
            n += in_list(m.get("content"));
        }
    }
    n += in_list(v.get("toolConfig").and_then(|t| t.get("tools")));
    n
}

/// Validate a Converse / ConverseStream body (already parsed) for `model`.
pub(crate) fn converse(req: &Value, model: &FoundationModel, stream: bool) -> Result<(), ApiError> {
    let Some(obj) = req.as_object() else {
        return Err(ApiError::validation(MALFORMED));
    };
    if !model.output_modalities.iter().any(|m| m == "TEXT") {
        return Err(ApiError::validation(
            "This action doesn't support the model that you provided. Try again with a supported text or chat model.",
        ));
    }
    if stream && !model.streaming {
        return Err(ApiError::validation(
            "The model is unsupported for streaming.",
        ));
    }
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
    for (i, m) in messages.iter().enumerate() {
        let role = match m.get("role") {
            Some(Value::String(r)) => r.as_str(),
            _ => {
                return Err(ApiError::not_null(&format!(
                    "messages.{}.member.role",
                    i + 1
                )))
            }
        };
        if role != "user" && role != "assistant" {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value '{role}' at 'messages.{}.member.role' failed to satisfy constraint: Member must satisfy enum value set: [user, assistant]",
                i + 1
            )));
        }
        let content = match m.get("content") {
            Some(Value::Array(c)) => c,
            _ => {
                return Err(ApiError::not_null(&format!(
                    "messages.{}.member.content",
                    i + 1
                )))
            }
        };
        if content.is_empty() {
            return Err(ApiError::validation(format!(
                "The content field in the Message object at messages.{i} is empty. Add a ContentBlock object to the content field and try again."
            )));
        }
        for (j, block) in content.iter().enumerate() {
            let Some(b) = block.as_object() else {
                return Err(ApiError::validation(MALFORMED));
            };
            if role == "user" && b.contains_key("reasoningContent") {
                return Err(ApiError::validation(
                    "User messages cannot contain reasoning content. Please remove the reasoning content and try again.",
                ));
            }
            if let Some(tu) = b.get("toolUse") {
                for field in ["toolUseId", "name", "input"] {
                    if tu.get(field).is_none_or(Value::is_null) {
                        return Err(ApiError::not_null(&format!(
                            "messages.{}.member.content.{}.member.toolUse.{field}",
                            i + 1,
                            j + 1
                        )));
                    }
                }
            }
            if let Some(tr) = b.get("toolResult") {
                for field in ["toolUseId", "content"] {
                    if tr.get(field).is_none_or(Value::is_null) {
                        return Err(ApiError::not_null(&format!(
                            "messages.{}.member.content.{}.member.toolResult.{field}",
                            i + 1,
                            j + 1
                        )));
                    }
                }
            }
            if let Some(t) = b.get("text") {
                if !t.is_string() {
                    return Err(ApiError::validation(MALFORMED));
                }
            }
        }
    }
    if let Some(tools) = obj.get("toolConfig") {
        let Some(list) = tools.get("tools").and_then(Value::as_array) else {
            return Err(ApiError::not_null("toolConfig.tools"));
        };
        for (i, t) in list.iter().enumerate() {
            if let Some(spec) = t.get("toolSpec") {
                for field in ["name", "inputSchema"] {
                    if spec.get(field).is_none_or(Value::is_null) {
                        return Err(ApiError::not_null(&format!(
                            "toolConfig.tools.{}.member.toolSpec.{field}",
                            i + 1
                        )));
                    }
                }
            }
        }
    }
    let cache_points = count_cache_points(req);
    if cache_points > 4 {
        return Err(ApiError::validation(format!(
            "The model returned the following errors: A maximum of 4 blocks with cache_control may be provided. Found {cache_points}."
        )));
    }
    if !stream {
        if let Some(g) = obj.get("guardrailConfig") {
            if g.get("streamProcessingMode").is_some() {
                return Err(ApiError::validation(
                    "1 validation error detected: Value at 'guardrailConfig.streamProcessingMode' failed to satisfy constraint: Member is not supported for the Converse operation",
                ));
            }
        }
    }
    if let Some(tier) = obj.get("serviceTier") {
        let Some(t) = tier.get("type").and_then(Value::as_str) else {
            return Err(ApiError::not_null("serviceTier.type"));
        };
        if !["priority", "default", "flex", "reserved"].contains(&t) {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value '{t}' at 'serviceTier.type' failed to satisfy constraint: Member must satisfy enum value set: [priority, default, flex, reserved]"
            )));
        }
        if !tier_supported(&model.model_id, t) {
            return Err(ApiError::validation(INVALID_MODEL));
        }
    }
    if let Some(cfg) = obj.get("inferenceConfig") {
        if !cfg.is_object() && !cfg.is_null() {
            return Err(ApiError::validation(MALFORMED));
        }
        if let Some(mt) = cfg.get("maxTokens") {
            match mt.as_i64() {
                Some(n) if n >= 1 => {}
                _ => {
                    return Err(ApiError::validation(format!(
                        "1 validation error detected: Value '{mt}' at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1"
                    )))
                }
            }
        }
        let has_temp = cfg.get("temperature").is_some_and(|v| !v.is_null());
        let has_top_p = cfg.get("topP").is_some_and(|v| !v.is_null());
        let id = model.model_id.as_str();
        if is_claude(id) && has_temp && temperature_deprecated(id) {
            return Err(ApiError::validation(
                "The model returned the following errors: {\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"`temperature` is deprecated for this model.\"}}",
            ));
        }
        if is_claude(id) && has_temp && has_top_p && temperature_top_p_exclusive(id) {
            return Err(ApiError::validation(
                "The model returned the following errors: `temperature` and `top_p` cannot both be specified for this model. Please use only one.",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temperature_rules() {
        assert!(temperature_deprecated("anthropic.claude-opus-4-7"));
        assert!(temperature_deprecated("anthropic.claude-opus-4.8-v1:0"));
        assert!(temperature_deprecated("anthropic.claude-opus-5"));
        assert!(!temperature_deprecated("anthropic.claude-opus-4-6-v1"));
        assert!(!temperature_deprecated("anthropic.claude-opus-4-70"));
        assert!(!temperature_deprecated("anthropic.claude-sonnet-4-6"));
        assert!(temperature_top_p_exclusive("anthropic.claude-sonnet-4-6"));
        assert!(!temperature_top_p_exclusive(
            "anthropic.claude-3-7-sonnet-20250219-v1:0"
        ));
    }

    #[test]
    fn resolves_ids() {
        let c = Catalog::builtin().unwrap();
        assert!(resolve(&c, "amazon.nova-micro-v1:0", true).is_ok());
        assert!(
            resolve(&c, "us.anthropic.claude-sonnet-4-6", true)
                .unwrap()
                .via_profile
        );
        let e = resolve(&c, "anthropic.claude-sonnet-4-6", true)
            .err()
            .unwrap();
        assert!(e.message.starts_with("Invocation of model ID anthropic.claude-sonnet-4-6 with on-demand throughput isn't supported."));
        assert_eq!(
            resolve(&c, "nope", true).err().unwrap().message,
            INVALID_MODEL
        );
        assert_eq!(
            resolve(&c, "anthropic.claude-3-haiku-20240307-v1:0:48k", true)
                .err()
                .unwrap()
                .message,
            INVALID_MODEL
        );
        assert_eq!(
            resolve(&c, "meta.llama3-8b-instruct-v1:0", true)
                .err()
                .unwrap()
                .status,
            404
        );
    }
}
