//! Temperature and topP: which models must not get them (TEMP-01..05) and the [0, 1] range
//! (REQ-08).
//!
//! Bedrock rejects `temperature` outright for Claude Opus 4.7 and newer, and rejects
//! `temperature` together with `top_p` for a few Claude 4.x models. Removing them before the
//! send saves a failed round trip; clamping keeps an out-of-range value from failing the
//! request when the caller's intent is obvious.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use plugin_api::model::ModelDefinition;
use regex::Regex;

/// The region prefixes TEMP-01 allows in front of an id (`us.`, `global.`, …).
const PREFIXES: &str = r"(?:(?:us|eu|ap|apac|au|jp|global|us-gov|ca)\.)?";

/// The sampling parameters actually sent.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sampling {
    pub temperature: Option<f32>,
    pub top_p: Option<f32>,
}

fn regex(cell: &'static OnceLock<Regex>, source: &str) -> &'static Regex {
    cell.get_or_init(|| {
        Regex::new(source).unwrap_or_else(|err| unreachable!("static regex {source}: {err}"))
    })
}

/// `params.canonicalModelId` of a model (DISC-35), when the params carry one.
pub fn canonical_model_id(model: &ModelDefinition) -> Option<String> {
    let params = model.params_json.as_ref().into_option()?;
    let value: serde_json::Value = serde_json::from_str(params.as_str()).ok()?;
    value
        .get("canonicalModelId")
        .and_then(serde_json::Value::as_str)
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
}

/// The strings a model's identity rules are tested against: its id and its canonical id.
pub fn identities(model: &ModelDefinition) -> Vec<String> {
    std::iter::once(model.id.trim().to_owned())
        .chain(canonical_model_id(model))
        .collect()
}

/// TEMP-01 for one id (a model id, canonical id, or resolved profile target ARN).
pub fn omits_temperature_id(id: &str) -> bool {
    static OPUS_47_PLUS: OnceLock<Regex> = OnceLock::new();
    static OPUS_5_PLUS: OnceLock<Regex> = OnceLock::new();
    static CLAUDE_5: OnceLock<Regex> = OnceLock::new();
    let patterns = [
        regex(
            &OPUS_47_PLUS,
            &format!(
                r"(?i)(?:^|[/.:]){PREFIXES}(?:anthropic\.)?claude-opus-4[.-][789](?:$|[-.:/])"
            ),
        ),
        regex(
            &OPUS_5_PLUS,
            &format!(
                r"(?i)(?:^|[/.:]){PREFIXES}(?:anthropic\.)?claude-opus-(?:[5-9]|[1-9][0-9])(?:$|[-.:/])"
            ),
        ),
        regex(
            &CLAUDE_5,
            &format!(
                r"(?i)(?:^|[/.:]){PREFIXES}(?:anthropic\.)?claude-(?:(?:fable|mythos|sonnet)-5|mythos-preview)(?:$|[-.:/])"
            ),
        ),
    ];
    let id = id.trim();
    patterns.iter().any(|re| re.is_match(id))
}

/// TEMP-01: the model id or its canonical id names Claude Opus 4.7+ / a Claude 5 identity.
///
/// Application-profile ARNs are matched as strings: without a GetInferenceProfile lookup
/// this is TEMP-04's fallback for a failed lookup.
pub fn omits_temperature(model: &ModelDefinition) -> bool {
    identities(model).iter().any(|id| omits_temperature_id(id))
}

/// TEMP-05: Claude models that reject `temperature` and `top_p` together.
pub fn rejects_temperature_with_top_p(model: &ModelDefinition) -> bool {
    static EXCLUSIVE: OnceLock<Regex> = OnceLock::new();
    let re = regex(
        &EXCLUSIVE,
        &format!(
            r"(?i)(?:^|[/.:]){PREFIXES}(?:anthropic\.)?claude-(?:haiku-4[.-]5|sonnet-4[.-][56]|opus-4[.-][56])(?:$|[-.:/@])"
        ),
    );
    identities(model).iter().any(|id| re.is_match(id))
}

/// Remembers `(model, what)` pairs already warned about, so each warning is logged once.
fn first_time(what: &str, model_id: &str) -> bool {
    static WARNED: Mutex<Option<HashSet<(String, String)>>> = Mutex::new(None);
    let mut warned = WARNED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    warned
        .get_or_insert_with(HashSet::new)
        .insert((model_id.to_owned(), what.to_owned()))
}

/// REQ-08: values outside [0, 1] are clamped, with one warning per model and parameter.
/// A NaN cannot be sent as JSON and has no obvious clamp, so it is dropped with a warning.
fn clamp(parameter: &str, model_id: &str, value: f64) -> Option<f32> {
    if value.is_nan() {
        if first_time(&format!("{parameter}-nan"), model_id) {
            tracing::warn!("Amazon Bedrock: {parameter} NaN is not a number; not sending it");
        }
        return None;
    }
    let clamped = value.clamp(0.0, 1.0);
    if clamped != value && first_time(parameter, model_id) {
        tracing::warn!("Amazon Bedrock: {parameter} {value} is outside [0, 1]; using {clamped}");
    }
    Some(clamped as f32)
}

/// Applies TEMP-01, TEMP-05 and REQ-08 (in that order) to the caller's values.
pub fn resolve(model: &ModelDefinition, temperature: Option<f64>, top_p: Option<f64>) -> Sampling {
    if omits_temperature(model) {
        // TEMP-01: nothing is logged at warn level; this is the documented model behaviour.
        tracing::debug!(model = %model.id, "omitting temperature and topP (TEMP-01)");
        return Sampling::default();
    }
    let mut top_p = top_p;
    if temperature.is_some() && top_p.is_some() && rejects_temperature_with_top_p(model) {
        if first_time("temperature+top_p", model.id.as_str()) {
            tracing::warn!(
                "Amazon Bedrock: {} does not accept temperature and top_p together; dropping top_p",
                model.id
            );
        }
        top_p = None;
    }
    Sampling {
        temperature: temperature.and_then(|value| clamp("temperature", &model.id, value)),
        top_p: top_p.and_then(|value| clamp("top_p", &model.id, value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::converse::request::test_log::capture_warnings;

    fn model(id: &str) -> ModelDefinition {
        ModelDefinition::new(id, "amazon-bedrock", "bedrock-converse-stream")
    }

    fn with_canonical(id: &str, canonical: &str) -> ModelDefinition {
        let mut model = model(id);
        model.params_json = abi_stable::std_types::ROption::RSome(
            format!(r#"{{"canonicalModelId":"{canonical}"}}"#).into(),
        );
        model
    }

    #[test]
    fn temp_02_opus_47_family_omits_temperature() {
        for id in [
            "anthropic.claude-opus-4-7",
            "us.anthropic.claude-opus-4-7",
            "eu.anthropic.claude-opus-4-7",
            "global.anthropic.claude-opus-4-7",
            "apac.anthropic.claude-opus-4-7",
            "anthropic.claude-opus-4-7-v1:0",
            "us.anthropic.claude-opus-4.7-v1:0",
            "claude-opus-4-7",
            "US.ANTHROPIC.CLAUDE-OPUS-4-7",
            "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-opus-4-7",
            "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-opus-4.7-v1:0",
            "us.anthropic.claude-opus-4-8",
            "us.anthropic.claude-opus-4.8-v1:0",
            "us.anthropic.claude-opus-5",
            "global.anthropic.claude-opus-5",
            "anthropic.claude-opus-5",
            // Claude 5 identities and Mythos Preview (TEMP-01 third bullet).
            "anthropic.claude-fable-5",
            "us.anthropic.claude-sonnet-5",
            "anthropic.claude-mythos-5-v1:0",
            "us.anthropic.claude-mythos-preview",
        ] {
            assert!(
                omits_temperature(&model(id)),
                "{id} should omit temperature"
            );
            let sampling = resolve(&model(id), Some(0.2), Some(0.9));
            assert_eq!(sampling, Sampling::default(), "{id}");
        }
        // Alias with a canonical id.
        let alias = with_canonical("production-claude", "claude-opus-4-8");
        assert!(omits_temperature(&alias));
        // An opaque application profile whose (looked-up) target is Opus 4.7: the target
        // ARN matches, which is what a TEMP-04 lookup result is tested with.
        assert!(omits_temperature_id(
            "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-opus-4.7-v1:0"
        ));
    }

    #[test]
    fn temp_03_other_models_keep_temperature() {
        for id in [
            "anthropic.claude-opus-4-6-v1",
            "us.anthropic.claude-opus-4-6-v1",
            "anthropic.claude-opus-4-5-20251101-v1:0",
            "anthropic.claude-opus-4-1-20250805-v1:0",
            "us.anthropic.claude-sonnet-4-6",
            "anthropic.claude-opus-4-70",
            "my-claude-opus-4-7",
            "amazon.nova-micro-v1:0",
            // Without a lookup the opaque ARN itself is matched (TEMP-04 fallback).
            "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/my-claude-profile",
        ] {
            assert!(!omits_temperature(&model(id)), "{id} should keep temperature");
            assert_eq!(
                resolve(&model(id), Some(0.5), None).temperature,
                Some(0.5),
                "{id}"
            );
        }
    }

    /// TEMP-03 lists `anthropic.claude-opus-47` as NO MATCH, but TEMP-01's normative
    /// "Opus 5 and later majors" pattern `claude-opus-([5-9]|[1-9][0-9])` matches it (major
    /// 47). The README says the rule wins; this pins the rule and flags the example.
    #[test]
    fn temp_03_spec_conflict_opus_47_without_separator_follows_temp_01_rule() {
        assert!(omits_temperature(&model("anthropic.claude-opus-47")));
    }

    #[test]
    fn temp_05_exclusive_models_drop_top_p_with_one_warning() {
        let id = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
        let (first, warnings) = capture_warnings(|| {
            let first = resolve(&model(id), Some(0.3), Some(0.9));
            let _second = resolve(&model(id), Some(0.3), Some(0.9));
            first
        });
        assert_eq!(first.temperature, Some(0.3));
        assert_eq!(first.top_p, None);
        assert_eq!(
            warnings,
            vec![format!(
                "Amazon Bedrock: {id} does not accept temperature and top_p together; dropping top_p"
            )]
        );
        for id in [
            "anthropic.claude-haiku-4-5-20251001-v1:0",
            "us.anthropic.claude-sonnet-4-6",
            "anthropic.claude-opus-4-5-20251101-v1:0",
            "global.anthropic.claude-opus-4-6-v1",
        ] {
            assert!(rejects_temperature_with_top_p(&model(id)), "{id}");
        }
        for id in [
            "anthropic.claude-sonnet-4-20250514-v1:0",
            "anthropic.claude-3-7-sonnet-20250219-v1:0",
            "amazon.nova-micro-v1:0",
        ] {
            assert!(!rejects_temperature_with_top_p(&model(id)), "{id}");
            let kept = resolve(&model(id), Some(0.3), Some(0.9));
            assert_eq!(kept.top_p, Some(0.9), "{id}");
        }
        // Only one of the two set: nothing dropped.
        let only_top_p = resolve(&model("us.anthropic.claude-sonnet-4-6"), None, Some(0.4));
        assert_eq!(only_top_p.top_p, Some(0.4));
    }

    #[test]
    fn req_08_out_of_range_values_are_clamped_once_per_model() {
        let id = "amazon.nova-lite-v1:0-req08";
        let (sampling, warnings) = capture_warnings(|| {
            let sampling = resolve(&model(id), Some(1.5), Some(-0.2));
            resolve(&model(id), Some(2.0), Some(-1.0));
            sampling
        });
        assert_eq!(sampling.temperature, Some(1.0));
        assert_eq!(sampling.top_p, Some(0.0));
        assert_eq!(
            warnings,
            vec![
                "Amazon Bedrock: temperature 1.5 is outside [0, 1]; using 1".to_owned(),
                "Amazon Bedrock: top_p -0.2 is outside [0, 1]; using 0".to_owned(),
            ]
        );
    }
}
