//! Service tier (TIER-01..05): a top-level `serviceTier` from the merged extra params.
//!
//! The tier is an operator choice made in host config (`agents.defaults.params`, per-model
//! params) or per request; a value Bedrock would reject is dropped with a warning instead of
//! failing every request of that model.

use std::sync::OnceLock;

use aws_sdk_bedrockruntime::types::{ServiceTier, ServiceTierType};
use plugin_api::error::PluginError;
use plugin_api::model::ModelDefinition;
use regex::Regex;
use serde_json::{Map, Value};

use crate::converse::request::build_error;
use crate::converse::sampling::identities;
use crate::manifest::API;

/// The tiers Bedrock knows.
const TIERS: [&str; 4] = ["default", "flex", "priority", "reserved"];

/// TIER-04: the Claude 5 models that accept only the `default` tier, with their display name.
fn claude_5_label(model: &ModelDefinition) -> Option<&'static str> {
    static CLAUDE_5: OnceLock<Regex> = OnceLock::new();
    let re = CLAUDE_5.get_or_init(|| {
        Regex::new(
            r"(?i)(?:^|[/.:])(?:(?:us|eu|ap|apac|au|jp|global|us-gov|ca)\.)?(?:anthropic\.)?claude-(fable|opus|sonnet)-5(?:$|[-.:/])",
        )
        .unwrap_or_else(|err| unreachable!("static regex: {err}"))
    });
    identities(model).iter().find_map(|id| {
        let family = re.captures(id)?.get(1)?.as_str().to_ascii_lowercase();
        Some(match family.as_str() {
            "fable" => "Fable 5",
            "opus" => "Opus 5",
            _ => "Sonnet 5",
        })
    })
}

/// TIER-01..04: the tier to inject for these merged extra params, if any.
pub fn service_tier(
    params: &Map<String, Value>,
    model: &ModelDefinition,
) -> Result<Option<ServiceTier>, PluginError> {
    // TIER-02: only the ConverseStream api carries a tier.
    if model.api.as_str() != API {
        return Ok(None);
    }
    let raw = match params
        .get("serviceTier")
        .filter(|value| !value.is_null())
        .or_else(|| params.get("service_tier").filter(|value| !value.is_null()))
    {
        None => return Ok(None),
        Some(raw) => raw,
    };
    let Some(text) = raw.as_str() else {
        // TIER-01: a tier must be a string; anything else is invalid (TIER-03).
        tracing::warn!("ignoring invalid Bedrock service_tier param: {raw}");
        return Ok(None);
    };
    let tier = text.trim().to_lowercase();
    if !TIERS.contains(&tier.as_str()) {
        tracing::warn!("ignoring invalid Bedrock service_tier param: {text}");
        return Ok(None);
    }
    if tier != "default" {
        if let Some(label) = claude_5_label(model) {
            tracing::warn!("ignoring unsupported {label} Bedrock service tier: {tier}");
            return Ok(None);
        }
    }
    ServiceTier::builder()
        .r#type(ServiceTierType::from(tier.as_str()))
        .build()
        .map(Some)
        .map_err(|err| build_error("serviceTier", err))
}

/// TIER-02: a tier already in the payload is never overwritten.
pub fn apply(existing: Option<ServiceTier>, resolved: Option<ServiceTier>) -> Option<ServiceTier> {
    existing.or(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::converse::request::test_log::capture_warnings;
    use serde_json::json;

    fn model(id: &str) -> ModelDefinition {
        ModelDefinition::new(id, "amazon-bedrock", "bedrock-converse-stream")
    }

    fn params(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    fn tier_of(value: Value, model: &ModelDefinition) -> Option<String> {
        service_tier(&params(value), model)
            .expect("builds")
            .map(|tier| tier.r#type().as_str().to_owned())
    }

    #[test]
    fn tier_05_examples() {
        let nova = model("amazon.nova-micro-v1:0");
        assert_eq!(
            tier_of(json!({"serviceTier": "flex"}), &nova).as_deref(),
            Some("flex")
        );
        assert_eq!(
            tier_of(json!({"service_tier": "priority"}), &nova).as_deref(),
            Some("priority")
        );
        assert_eq!(
            tier_of(json!({"serviceTier": " Reserved "}), &nova).as_deref(),
            Some("reserved")
        );
        let mut openai = nova.clone();
        openai.api = "openai-completions".into();
        assert_eq!(tier_of(json!({"serviceTier": "flex"}), &openai), None);
        assert_eq!(tier_of(json!({}), &nova), None);
        // serviceTier wins over service_tier.
        assert_eq!(
            tier_of(
                json!({"serviceTier": "flex", "service_tier": "priority"}),
                &nova
            )
            .as_deref(),
            Some("flex")
        );
    }

    #[test]
    fn tier_02_existing_payload_tier_is_kept() {
        let existing = ServiceTier::builder()
            .r#type(ServiceTierType::Priority)
            .build()
            .ok();
        let resolved = service_tier(
            &params(json!({"serviceTier": "flex"})),
            &model("amazon.nova-pro-v1:0"),
        )
        .expect("builds");
        let kept = apply(existing, resolved.clone());
        assert_eq!(
            kept.map(|t| t.r#type().as_str().to_owned()).as_deref(),
            Some("priority")
        );
        assert_eq!(
            apply(None, resolved)
                .map(|t| t.r#type().as_str().to_owned())
                .as_deref(),
            Some("flex")
        );
    }

    #[test]
    fn tier_03_invalid_values_warn_and_inject_nothing() {
        let nova = model("amazon.nova-micro-v1:0");
        let (tiers, warnings) = capture_warnings(|| {
            (
                tier_of(json!({"serviceTier": "not-a-tier"}), &nova),
                tier_of(json!({"service_tier": 3}), &nova),
            )
        });
        assert_eq!(tiers, (None, None));
        assert_eq!(
            warnings,
            vec![
                "ignoring invalid Bedrock service_tier param: not-a-tier".to_owned(),
                "ignoring invalid Bedrock service_tier param: 3".to_owned(),
            ]
        );
    }

    #[test]
    fn tier_04_claude_5_accepts_only_default() {
        let (tiers, warnings) = capture_warnings(|| {
            (
                tier_of(
                    json!({"serviceTier": "flex"}),
                    &model("us.anthropic.claude-opus-5"),
                ),
                tier_of(
                    json!({"serviceTier": "priority"}),
                    &model("anthropic.claude-fable-5"),
                ),
                tier_of(
                    json!({"serviceTier": "flex"}),
                    &model("global.anthropic.claude-sonnet-5"),
                ),
                tier_of(
                    json!({"serviceTier": "default"}),
                    &model("us.anthropic.claude-opus-5"),
                ),
            )
        });
        assert_eq!(tiers, (None, None, None, Some("default".to_owned())));
        assert_eq!(
            warnings,
            vec![
                "ignoring unsupported Opus 5 Bedrock service tier: flex".to_owned(),
                "ignoring unsupported Fable 5 Bedrock service tier: priority".to_owned(),
                "ignoring unsupported Sonnet 5 Bedrock service tier: flex".to_owned(),
            ]
        );
        // Claude 4.x keeps flex.
        assert_eq!(
            tier_of(
                json!({"serviceTier": "flex"}),
                &model("us.anthropic.claude-sonnet-4-6")
            )
            .as_deref(),
            Some("flex")
        );
    }
}
