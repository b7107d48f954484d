//! Temperature and topP: which models must not get them (TEMP-01..05) and the [0, 1] range
//! (REQ-08).
//!
//! Bedrock rejects `temperature` outright for Claude Opus 4.7 and newer, and rejects
//! `temperature` together with `top_p` for a few Claude 4.x models. Removing them before the
//! send saves a failed round trip; clamping keeps an out-of-range value from failing the
//! request when the caller's intent is obvious.

use plugin_api::chat::ChatRequest;
use plugin_api::model::ModelDefinition;

use crate::bounded::WarnOnce;
use crate::models::traits::ModelTraits;

/// The sampling parameters actually sent.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sampling {
    pub temperature: Option<f32>,
    pub top_p: Option<f32>,
}

/// TEMP-01 / TEMP-04: the model (or any target of its application profile) is Claude Opus
/// 4.7+ or a Claude 5 identity. Decided once per model by [`ModelTraits`] (the identity
/// patterns live with the other Claude identities in `models/claude.rs`).
pub fn omits_temperature(traits: &ModelTraits) -> bool {
    traits.omits_temperature
}

/// TEMP-05: Claude models that reject `temperature` and `top_p` together (for an application
/// profile, any of its looked-up targets).
pub fn rejects_temperature_with_top_p(traits: &ModelTraits) -> bool {
    traits.rejects_temperature_with_top_p
}

/// Whether `(model, what)` was not warned about yet by this instance (each warning is logged
/// once).
fn first_time(warnings: &WarnOnce, what: &str, model_id: &str) -> bool {
    warnings.first(&format!("REQ-08\u{0}{model_id}\u{0}{what}"))
}

/// REQ-08: values outside [0, 1] are clamped, with one warning per model and parameter.
/// A NaN cannot be sent as JSON and has no obvious clamp, so it is dropped with a warning.
fn clamp(warnings: &WarnOnce, parameter: &str, model_id: &str, value: f64) -> Option<f32> {
    if value.is_nan() {
        if first_time(warnings, &format!("{parameter}-nan"), model_id) {
            tracing::warn!("Amazon Bedrock: {parameter} NaN is not a number; not sending it");
        }
        return None;
    }
    let clamped = value.clamp(0.0, 1.0);
    if clamped != value && first_time(warnings, parameter, model_id) {
        tracing::warn!("Amazon Bedrock: {parameter} {value} is outside [0, 1]; using {clamped}");
    }
    Some(clamped as f32)
}

/// PLG-24: the notice for a caller who set `temperature` or `topP` on a model that takes
/// neither (TEMP-01). TEMP-01 keeps the log quiet, but the user who asked for a value should
/// see on the answer that it was not used.
pub fn not_sent_notice(request: &ChatRequest, traits: &ModelTraits) -> Option<String> {
    let options = &request.options;
    let set: Vec<&str> = [
        options.temperature.is_some().then_some("temperature"),
        options.top_p.is_some().then_some("top_p"),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!set.is_empty() && omits_temperature(traits)).then(|| {
        format!(
            "{} not sent: {} takes no sampling parameters",
            set.join(" and "),
            request.model.id
        )
    })
}

/// Applies TEMP-01, TEMP-05 and REQ-08 (in that order) to the caller's values.
pub fn resolve(
    model: &ModelDefinition,
    traits: &ModelTraits,
    temperature: Option<f64>,
    top_p: Option<f64>,
    warnings: &WarnOnce,
) -> Sampling {
    if omits_temperature(traits) {
        // TEMP-01: nothing is logged at warn level; this is the documented model behaviour.
        tracing::debug!(model = %model.id, "omitting temperature and topP (TEMP-01)");
        return Sampling::default();
    }
    let mut top_p = top_p;
    if temperature.is_some() && top_p.is_some() && rejects_temperature_with_top_p(traits) {
        if first_time(warnings, "temperature+top_p", model.id.as_str()) {
            tracing::warn!(
                "Amazon Bedrock: {} does not accept temperature and top_p together; dropping top_p",
                model.id
            );
        }
        top_p = None;
    }
    Sampling {
        temperature: temperature.and_then(|value| clamp(warnings, "temperature", &model.id, value)),
        top_p: top_p.and_then(|value| clamp(warnings, "top_p", &model.id, value)),
    }
}

#[cfg(test)]
mod tests;
