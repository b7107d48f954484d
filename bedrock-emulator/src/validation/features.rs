//! The request's feature settings judged against the model: latency-optimized inference
//! (`performanceConfig`), structured output (`outputConfig.textFormat`), the model's output limit
//! (`inferenceConfig.maxTokens`) and tool use in streams.

use serde_json::Value;

use super::model_rules::is_claude;
use crate::catalog::FoundationModel;
use crate::error::{ApiError, MODEL_ERRORS};

/// M (real-error-messages.md 2b): ConverseStream with tools on a model that cannot stream tool use.
pub(crate) const NO_STREAMING_TOOL_USE: &str =
    "This model doesn't support tool use in streaming mode.";
/// L: the answer when latency-optimized requests are rejected
/// ([`crate::Emulator::reject_latency_optimized`]).
pub(crate) const OPTIMIZED_REJECTED: &str = "Latency-optimized inference (performanceConfig.latency: optimized) is not supported for this model in this Region. Retry with latency set to standard.";

type Checked = Result<(), ApiError>;

fn enum_error(value: &str, path: &str, allowed: &[&str]) -> ApiError {
    ApiError::validation(format!(
        "1 validation error detected: Value '{value}' at '{path}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
        allowed.join(", ")
    ))
}

/// `performanceConfig.latency` ∈ {optimized, standard} (M); `optimized` rejected on request.
pub(crate) fn check_performance(req: &Value, reject_optimized: bool) -> Checked {
    let Some(latency) = req
        .get("performanceConfig")
        .and_then(|p| p.get("latency"))
        .and_then(Value::as_str)
    else {
        return Ok(());
    };
    if latency != "optimized" && latency != "standard" {
        return Err(enum_error(
            latency,
            "performanceConfig.latency",
            &["optimized", "standard"],
        ));
    }
    if latency == "optimized" && reject_optimized {
        return Err(ApiError::validation(OPTIMIZED_REJECTED));
    }
    Ok(())
}

/// `outputConfig.textFormat`: type `json_schema` and a schema string holding a JSON object (L text
/// for a schema that is not one).
pub(super) fn check_output_config(req: &Value) -> Checked {
    let Some(format) = req.get("outputConfig").and_then(|o| o.get("textFormat")) else {
        return Ok(());
    };
    match format.get("type").and_then(Value::as_str) {
        None => return Err(ApiError::not_null("outputConfig.textFormat.type")),
        Some("json_schema") => {}
        Some(t) => return Err(enum_error(t, "outputConfig.textFormat.type", &["json_schema"])),
    }
    let path = "outputConfig.textFormat.structure.jsonSchema.schema";
    let Some(schema) = format
        .get("structure")
        .and_then(|s| s.get("jsonSchema"))
        .and_then(|j| j.get("schema"))
        .and_then(Value::as_str)
    else {
        return Err(ApiError::not_null(path));
    };
    match serde_json::from_str::<Value>(schema) {
        Ok(Value::Object(_)) => Ok(()),
        _ => Err(ApiError::validation(format!(
            "The JSON schema at {path} is invalid: it must be a JSON object. Fix the schema and try again."
        ))),
    }
}

/// The name Anthropic gives a Bedrock Claude id: `anthropic.` and the `-v1:0` suffix removed.
fn anthropic_name(model_id: &str) -> &str {
    let id = model_id.strip_prefix("anthropic.").unwrap_or(model_id);
    match id.rfind("-v") {
        Some(i) if id[i + 2..].chars().next().is_some_and(|c| c.is_ascii_digit()) => &id[..i],
        _ => id,
    }
}

/// `inferenceConfig.maxTokens` within the model's output limit (`maxOutputTokens` in the catalog).
pub(super) fn check_max_tokens(req: &Value, model: &FoundationModel) -> Checked {
    let (Some(limit), Some(asked)) = (
        model.traits.max_output_tokens,
        req.get("inferenceConfig")
            .and_then(|c| c.get("maxTokens"))
            .and_then(Value::as_u64),
    ) else {
        return Ok(());
    };
    if asked <= limit {
        return Ok(());
    }
    if is_claude(&model.model_id) {
        // M: Anthropic's text (BR-05's example), wrapped by Converse.
        return Err(ApiError::validation(format!(
            "{MODEL_ERRORS}max_tokens: {asked} > {limit}, which is the maximum allowed number of output tokens for {}",
            anthropic_name(&model.model_id)
        )));
    }
    // L: the form BR-05 quotes for other models.
    Err(ApiError::validation(format!(
        "The maximum tokens you requested exceeds the model limit of {limit}. Try again with a maximum tokens value within the model limit."
    )))
}

/// ConverseStream with tools on a model that cannot stream tool use.
pub(super) fn check_streaming_tools(req: &Value, model: &FoundationModel, stream: bool) -> Checked {
    let has_tools = req
        .get("toolConfig")
        .and_then(|t| t.get("tools"))
        .and_then(Value::as_array)
        .is_some_and(|t| !t.is_empty());
    if stream && has_tools && !model.traits.streaming_tool_use {
        return Err(ApiError::validation(NO_STREAMING_TOOL_USE));
    }
    Ok(())
}
