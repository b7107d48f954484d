//! Service tier (TIER-01..05): a top-level `serviceTier` from the merged extra params.
//!
//! The tier is an operator choice made in host config (`agents.defaults.params`, per-model
//! params) or per request; a value Bedrock would reject is dropped with a warning instead of
//! failing every request of that model.

use std::sync::LazyLock;

use aws_sdk_bedrockruntime::types::{ServiceTier, ServiceTierType};
use plugin_api::error::PluginError;
use plugin_api::model::ModelDefinition;
use regex_lite::Regex;
use serde_json::{Map, Value};

use crate::converse::request::shape_error::build_error;
use crate::manifest::API;
use crate::models::prefixes::PREFIX_GROUP;
use crate::models::traits::ModelTraits;

/// TIER-04's Claude 5 identities (geography prefix optional); the family is captured.
static CLAUDE_5: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?:^|[/.:])(?:{})?(?:anthropic\.)?claude-(fable|opus|sonnet)-5(?:$|[-.:/])",
        *PREFIX_GROUP
    ))
    .expect("constant pattern compiles")
});

/// The tiers Bedrock knows.
const TIERS: [&str; 4] = ["default", "flex", "priority", "reserved"];

/// TIER-04: the Claude 5 models that accept only the `default` tier, with their display name.
fn claude_5_label(traits: &ModelTraits) -> Option<&'static str> {
    traits.identities().find_map(|id| {
        let family = CLAUDE_5.captures(id)?.get(1)?.as_str().to_ascii_lowercase();
        Some(match family.as_str() {
            "fable" => "Fable 5",
            "opus" => "Opus 5",
            _ => "Sonnet 5",
        })
    })
}

/// TIER-01: folds one params object's two spellings into `serviceTier` (a non-null
/// `serviceTier` wins over `service_tier` within the object; `null` counts as unset), so that
/// after the merge a per-model value in either spelling replaces a global one in either.
pub fn fold_spellings(params: &mut Map<String, Value>) {
    let camel = params
        .remove("serviceTier")
        .filter(|value| !value.is_null());
    let snake = params
        .remove("service_tier")
        .filter(|value| !value.is_null());
    if let Some(tier) = camel.or(snake) {
        params.insert("serviceTier".to_owned(), tier);
    }
}

/// TIER-01..04: the tier to inject for these merged extra params, if any.
pub fn service_tier(
    params: &Map<String, Value>,
    model: &ModelDefinition,
    traits: &ModelTraits,
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
        if let Some(label) = claude_5_label(traits) {
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
mod tests;
