//! BR-90: latency-optimized inference. `options.performance` (the [`keys::PERFORMANCE`]
//! extension) or the `performanceConfig` / `performance_config` param of the merged params
//! (HCFG-13) — `"standard"` or `"optimized"` — is sent as `performanceConfig: {latency}`.
//!
//! The request option wins over the params, as every per-request option does over host config.
//! A param may also be written in the wire's own shape, `{"latency": "optimized"}` (PLG-80), so
//! a value copied from Bedrock's documentation works. Any other value is a request error
//! naming the field and both accepted values: a typo would otherwise be sent, and Bedrock's
//! enum error names neither the plugin option nor the param.
//!
//! Bedrock serves `optimized` only for some models in some regions and otherwise falls back
//! to standard with HTTP 200, echoing the served latency; the response mapper compares the
//! two ([`unavailable_notice`]). Should Bedrock reject `optimized` outright instead,
//! [`rejects_optimized`] and [`heal_to_standard`] are the one-shot self-heal's pieces.
//!
//! [`keys::PERFORMANCE`]: plugin_api::ext::keys::PERFORMANCE

use aws_sdk_bedrockruntime::types::{PerformanceConfigLatency, PerformanceConfiguration};
use plugin_api::chat::ChatOptions;
use plugin_api::error::PluginError;
use serde_json::{Map, Value};

use crate::converse::request::raw_fields::kind;
use crate::converse::request::shape_error::invalid;
use crate::converse::request::ConverseInput;
use crate::error::BedrockError;

/// The param names, in precedence order.
pub const PARAMS: [&str; 2] = ["performanceConfig", "performance_config"];
/// The wire value of the standard profile.
pub const STANDARD: &str = "standard";
/// The wire value of the latency-optimized profile.
pub const OPTIMIZED: &str = "optimized";
/// The retry reason of the heal to standard latency (BR-90 via BR-01's self-heal).
pub const HEAL_REASON: &str = "latency_unsupported";

/// Why a latency setting cannot be sent; each names the field and the accepted values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PerformanceError {
    #[error("Amazon Bedrock: {field} must be \"standard\" or \"optimized\", got {got}")]
    Value { field: String, got: String },
}

impl From<PerformanceError> for PluginError {
    fn from(error: PerformanceError) -> Self {
        invalid(error.to_string())
    }
}

/// The latency profile to ask for, `None` when neither the option nor a param sets one
/// (`null` counts as unset).
pub fn requested(
    options: &ChatOptions,
    params: &Map<String, Value>,
) -> Result<Option<PerformanceConfigLatency>, PerformanceError> {
    if let Some(text) = options.performance() {
        return latency("options.performance", text).map(Some);
    }
    let Some((name, value)) = PARAMS.iter().find_map(|name| {
        params
            .get(*name)
            .filter(|value| !value.is_null())
            .map(|value| (*name, value))
    }) else {
        return Ok(None);
    };
    match value {
        Value::String(text) => latency(&format!("params.{name}"), text).map(Some),
        Value::Object(object) => match object.get("latency") {
            Some(Value::String(text)) => latency(&format!("params.{name}.latency"), text).map(Some),
            other => Err(PerformanceError::Value {
                field: format!("params.{name}.latency"),
                got: other.map_or("nothing", kind).to_owned(),
            }),
        },
        other => Err(PerformanceError::Value {
            field: format!("params.{name}"),
            got: kind(other).to_owned(),
        }),
    }
}

/// One of the two wire values (trimmed, any case).
fn latency(field: &str, text: &str) -> Result<PerformanceConfigLatency, PerformanceError> {
    match text.trim().to_ascii_lowercase().as_str() {
        STANDARD => Ok(PerformanceConfigLatency::Standard),
        OPTIMIZED => Ok(PerformanceConfigLatency::Optimized),
        _ => Err(PerformanceError::Value {
            field: field.to_owned(),
            got: format!("\"{text}\""),
        }),
    }
}

/// The wire `performanceConfig`.
pub fn config(latency: PerformanceConfigLatency) -> PerformanceConfiguration {
    PerformanceConfiguration::builder().latency(latency).build()
}

/// BR-90 for one request: the `performanceConfig` to send, if any.
pub fn from_request(
    options: &ChatOptions,
    params: &Map<String, Value>,
) -> Result<Option<PerformanceConfiguration>, PluginError> {
    Ok(requested(options, params)?.map(config))
}

/// The latency `input` asks for (its wire spelling), for the response mapper's comparison.
pub fn requested_latency(input: &ConverseInput) -> Option<String> {
    input
        .performance_config
        .as_ref()
        .map(|config| config.latency().as_str().to_owned())
}

/// The one notice when the served latency differs from the requested one.
pub fn unavailable_notice(model: &str, region: &str) -> String {
    format!(
        "latency-optimized inference not available for {model} in {region}; served with standard latency"
    )
}

/// BR-90: Bedrock rejected `optimized` (a ValidationException mentioning latency or
/// performanceConfig) for a request that asked for it, so one resend with `standard` may pass.
pub fn rejects_optimized(error: &BedrockError, input: &ConverseInput) -> bool {
    let asked_optimized = matches!(
        input
            .performance_config
            .as_ref()
            .map(|config| config.latency()),
        Some(PerformanceConfigLatency::Optimized)
    );
    asked_optimized
        && error
            .exception()
            .filter(|exception| exception.name == "ValidationException")
            .is_some_and(|exception| {
                let lower = exception.text().to_ascii_lowercase();
                lower.contains("latency") || lower.contains("performanceconfig")
            })
}

/// Reshapes `input` to standard latency; returns the retry event's detail.
pub fn heal_to_standard(input: &mut ConverseInput) -> String {
    input.performance_config = Some(config(PerformanceConfigLatency::Standard));
    format!(
        "latency-optimized inference rejected for {}; retried with standard latency",
        input.model_id
    )
}

#[cfg(test)]
mod tests;
