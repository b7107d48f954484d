//! The implicit provider and its merge with an explicit `models.providers["amazon-bedrock"]`
//! entry (DISC-02, DISC-42).

use abi_stable::std_types::{ROption, RString, RVec};
use plugin_api::model::{ModelDefinition, ProviderCatalog};
use serde_json::Value;

use crate::aws::region;
use crate::host_config;
use crate::manifest::{API, PROVIDER_ID};
use crate::settings::Settings;

/// DISC-42: explicit model wins field by field; fields it does not set come from the
/// discovered entry with the same (case-insensitive) id.
fn merge_model(
    raw: &Value,
    explicit: ModelDefinition,
    discovered: &ModelDefinition,
) -> ModelDefinition {
    let has = |key: &str| raw.get(key).is_some_and(|value| !value.is_null());
    let mut merged = explicit;
    if !has("name") {
        merged.name = discovered.name.clone();
    }
    if !has("reasoning") {
        merged.reasoning = discovered.reasoning;
    }
    if !has("input") {
        merged.input = discovered.input.clone();
    }
    if !has("cost") {
        merged.cost = discovered.cost;
    }
    if !has("contextWindow") {
        merged.context_window = discovered.context_window;
    }
    if !has("maxTokens") {
        merged.max_tokens = discovered.max_tokens;
    }
    if !has("params") {
        merged.params_json = discovered.params_json.clone();
    }
    if !has("thinkingLevelMap") {
        merged.thinking_level_map = discovered.thinking_level_map.clone();
    }
    if !has("baseUrl") {
        merged.base_url = discovered.base_url.clone();
    }
    merged
}

/// Unicode case-insensitive id equality without allocating lower-cased copies (a warm
/// `list_models` compares every discovered id with every explicit one).
fn same_id(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// DISC-02 + DISC-42: the implicit provider for `region`, with explicit provider fields
/// overriding and models united by id (explicit first, then the rest in discovery order).
/// Only the discovered models `keep` accepts are copied in (BR-81's filter, applied before
/// the copy: a warm `list_models` is mostly the cost of copying definitions out).
pub fn implicit_catalog(
    settings: &Settings,
    discovered: &[ModelDefinition],
    discovery_region: &str,
    fetched_at_ms: u64,
    from_cache: bool,
    keep: impl Fn(&ModelDefinition) -> bool,
) -> ProviderCatalog {
    let exact = settings.host.providers.first();
    let mut seen: Vec<RString> = Vec::new();
    let mut models: Vec<ModelDefinition> = Vec::new();
    for entry in &settings.host.providers {
        for raw in &entry.models {
            let Some(explicit) = host_config::model_definition(raw, entry) else {
                continue;
            };
            if seen.iter().any(|known| same_id(known, &explicit.id)) {
                continue;
            }
            seen.push(explicit.id.clone());
            let merged = match discovered
                .iter()
                .find(|model| same_id(&model.id, &explicit.id))
            {
                Some(found) => merge_model(raw, explicit, found),
                None => explicit,
            };
            // BR-80: an explicit model is never checked, whatever discovery found for its id.
            let mut merged = merged;
            crate::discovery::access::Access::Unknown.apply(&mut merged);
            models.push(merged);
        }
    }
    models.extend(
        discovered
            .iter()
            .filter(|model| keep(model) && !seen.iter().any(|known| same_id(known, &model.id)))
            .cloned(),
    );
    let api = exact
        .and_then(|entry| entry.api.clone())
        .unwrap_or_else(|| API.to_owned());
    for model in &mut models {
        model.api = RString::from(api.as_str());
    }
    ProviderCatalog {
        provider_id: PROVIDER_ID.into(),
        base_url: ROption::RSome(RString::from(
            exact
                .and_then(|entry| entry.base_url.clone())
                .unwrap_or_else(|| region::standard_runtime_base_url(discovery_region)),
        )),
        api: api.into(),
        auth: RString::from(
            exact
                .and_then(|entry| entry.auth.clone())
                .unwrap_or_else(|| "aws-sdk".to_owned()),
        ),
        models: RVec::from(models),
        fetched_at_ms,
        from_cache,
    }
}
