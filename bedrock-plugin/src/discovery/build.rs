//! Turning control-plane summaries into model definitions: the foundation-model filter
//! (DISC-13..19), model fields (DISC-20), profile inheritance (DISC-30..36), dedupe and sort
//! (DISC-40/41).
//!
//! Everything here is pure so each rule is unit-testable without a server; the summaries are
//! plain strings because unknown enum values must survive as raw text (DISC-12).

use std::collections::HashSet;

use abi_stable::std_types::{ROption, RString, RVec};
use plugin_api::model::{ModelCost, ModelDefinition};

use crate::discovery::profiles::{self, ProfileCandidate};
pub use crate::discovery::profiles::{profile_base_id, RawProfile};
use crate::manifest::{API, PROVIDER_ID};
use crate::models::claude;
use crate::models::limits;
use crate::models::traits::ModelTraits;

/// One `FoundationModelSummary`, enum values kept as the raw strings Bedrock sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawFoundationModel {
    pub model_id: String,
    pub model_name: Option<String>,
    pub provider_name: Option<String>,
    pub input_modalities: Vec<String>,
    pub output_modalities: Vec<String>,
    pub response_streaming_supported: Option<bool>,
    pub inference_types_supported: Vec<String>,
    pub lifecycle_status: Option<String>,
}

/// The settings that shape the catalog (all part of the cache key, DISC-44).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct BuildOptions {
    /// The discovery region (REG-10), also the implicit provider's runtime region.
    pub region: String,
    /// Normalised provider filter (DISC-14): trimmed, lower-cased, no blanks, sorted, unique.
    pub provider_filter: Vec<String>,
    pub default_context_window: u64,
    pub default_max_tokens: u64,
    pub use_cross_region_inference: bool,
    pub use_global_inference: bool,
}

/// DISC-14 normalisation: trimmed, lower-cased, blanks dropped, de-duplicated (sorted so the
/// cache key does not depend on the order the user wrote them in).
pub fn normalise_provider_filter(filter: &[String]) -> Vec<String> {
    let mut normalised: Vec<String> = filter
        .iter()
        .map(|entry| entry.trim().to_lowercase())
        .filter(|entry| !entry.is_empty())
        .collect();
    normalised.sort();
    normalised.dedup();
    normalised
}

fn has(values: &[String], wanted: &str) -> bool {
    values
        .iter()
        .any(|value| value.trim().eq_ignore_ascii_case(wanted))
}

/// DISC-13..19: whether a foundation model is listed.
pub fn keep_foundation_model(model: &RawFoundationModel, filter: &[String]) -> bool {
    let id = model.model_id.trim();
    if id.is_empty() {
        return false;
    }
    if !filter.is_empty() {
        let provider = model
            .provider_name
            .as_deref()
            .map(|name| name.trim().to_lowercase());
        let prefix = id.split('.').next().map(str::to_lowercase);
        let matches = |candidate: &Option<String>| {
            candidate
                .as_ref()
                .is_some_and(|value| filter.iter().any(|entry| entry == value))
        };
        if !matches(&provider) && !matches(&prefix) {
            return false;
        }
    }
    if model.response_streaming_supported != Some(true) {
        return false;
    }
    if claude::is_mythos_preview(id) {
        return false;
    }
    if !has(&model.output_modalities, "TEXT") {
        return false;
    }
    let active = model
        .lifecycle_status
        .as_deref()
        .is_some_and(|status| status.trim().to_uppercase() == "ACTIVE");
    if !active {
        return false;
    }
    let types = &model.inference_types_supported;
    if !types.is_empty() && !has(types, "ON_DEMAND") && !has(types, "INFERENCE_PROFILE") {
        return false;
    }
    true
}

/// DISC-19a: can only be invoked through an inference profile.
pub fn requires_inference_profile(model: &RawFoundationModel) -> bool {
    let types = &model.inference_types_supported;
    has(types, "INFERENCE_PROFILE") && !has(types, "ON_DEMAND")
}

/// DISC-20 `reasoning` for an id (and optional name).
pub fn reasoning_for(id: &str, name: &str) -> bool {
    let base = limits::lookup_key(id);
    if claude::is_thinking_model(id) || base.starts_with("deepseek.r1") {
        return true;
    }
    let text = format!("{id} {name}").to_lowercase();
    text.contains("reasoning") || text.contains("thinking")
}

/// DISC-20 `input`: lower-cased, only text/image/video/audio (BR-93), de-duplicated in input
/// order; empty → `["text"]`.
fn input_modalities(raw: &[String]) -> Vec<String> {
    let mut input: Vec<String> = Vec::new();
    for modality in raw {
        let lower = modality.trim().to_lowercase();
        if matches!(lower.as_str(), "text" | "image" | "video" | "audio") && !input.contains(&lower)
        {
            input.push(lower);
        }
    }
    if input.is_empty() {
        input.push("text".to_owned());
    }
    input
}

fn rvec(values: Vec<String>) -> RVec<RString> {
    values.into_iter().map(RString::from).collect()
}

fn positive_or(value: u64, fallback: u64) -> u64 {
    if value == 0 {
        fallback
    } else {
        value
    }
}

pub(crate) fn default_window(options: &BuildOptions) -> u64 {
    positive_or(options.default_context_window, 32_000)
}

pub(crate) fn default_max_tokens(options: &BuildOptions) -> u64 {
    positive_or(options.default_max_tokens, 4_096)
}

fn thinking_map(id: &str) -> RVec<plugin_api::model::ThinkingLevelMapping> {
    let probe = ModelDefinition::new(id, PROVIDER_ID, API);
    RVec::from(ModelTraits::of(&probe).native_level_map)
}

/// DISC-20: the definition of a kept foundation model (`maxTokens` from DISC-23's table).
pub fn foundation_definition(
    model: &RawFoundationModel,
    options: &BuildOptions,
    candidates: &[ProfileCandidate],
) -> ModelDefinition {
    let id = model.model_id.trim();
    let name = model
        .model_name
        .as_deref()
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .unwrap_or(id);
    let mut definition = ModelDefinition::new(id, PROVIDER_ID, API);
    definition.name = name.into();
    definition.reasoning = reasoning_for(id, name);
    definition.input = rvec(input_modalities(&model.input_modalities));
    definition.cost = ModelCost::default();
    definition.context_window =
        limits::known_context_window(id).unwrap_or_else(|| default_window(options));
    definition.max_tokens =
        limits::known_max_output_tokens(id).unwrap_or_else(|| default_max_tokens(options));
    definition.thinking_level_map = thinking_map(id);
    if requires_inference_profile(model) {
        let mut params = serde_json::Map::new();
        params.insert("requiresInferenceProfile".into(), true.into());
        if let Some(profile) = profiles::choose_profile(
            id,
            &options.region,
            candidates,
            options.use_cross_region_inference,
            options.use_global_inference,
        ) {
            params.insert("preferredProfileId".into(), profile.into());
        }
        definition.params_json =
            ROption::RSome(serde_json::Value::Object(params).to_string().into());
    }
    definition
}

/// DISC-32: the provider of each model ARN (text after the first `/`, before the first `.`).
fn arn_providers(profile: &RawProfile) -> impl Iterator<Item = String> + '_ {
    profile.model_arns.iter().filter_map(|arn| {
        let (_, rest) = arn.split_once('/')?;
        rest.split('.').next().map(str::to_lowercase)
    })
}

/// DISC-31/32/34: whether a profile is listed.
pub fn keep_profile(profile: &RawProfile, filter: &[String]) -> bool {
    let id = profile.profile_id.trim();
    if id.is_empty() || profile.status != "ACTIVE" {
        return false;
    }
    if !filter.is_empty() && !arn_providers(profile).any(|provider| filter.contains(&provider)) {
        return false;
    }
    if claude::is_mythos_preview(id)
        || profile_base_id(profile).is_some_and(|base| claude::is_mythos_preview(&base))
    {
        return false;
    }
    true
}

/// DISC-35: a profile's definition, inheriting from the base model found in this run.
pub fn profile_definition(
    profile: &RawProfile,
    foundation: &[ModelDefinition],
    options: &BuildOptions,
) -> ModelDefinition {
    let id = profile.profile_id.trim();
    let base_id = profile_base_id(profile);
    let base = base_id.as_deref().and_then(|base_id| {
        foundation
            .iter()
            .find(|model| model.id.as_str().eq_ignore_ascii_case(base_id))
    });
    let probe_id = base_id.as_deref().unwrap_or(id);
    let name = Some(profile.profile_name.trim())
        .filter(|name| !name.is_empty())
        .unwrap_or(id);
    let mut definition = ModelDefinition::new(id, PROVIDER_ID, API);
    definition.name = name.into();
    match base {
        Some(base) => {
            definition.reasoning = base.reasoning;
            definition.input = base.input.clone();
            definition.cost = base.cost;
            definition.context_window = base.context_window;
            definition.max_tokens = base.max_tokens;
            definition.thinking_level_map = base.thinking_level_map.clone();
        }
        None => {
            definition.reasoning = reasoning_for(probe_id, "");
            let input: &[&str] = if claude::is_image_capable_claude(probe_id) {
                &["text", "image"]
            } else {
                &["text"]
            };
            definition.input = input.iter().map(|m| RString::from(*m)).collect();
            definition.context_window =
                limits::known_context_window(probe_id).unwrap_or_else(|| default_window(options));
            definition.max_tokens = limits::known_max_output_tokens(probe_id)
                .unwrap_or_else(|| default_max_tokens(options));
            definition.thinking_level_map = thinking_map(probe_id);
        }
    }
    if let Some(canonical) = base_id.as_deref().and_then(claude::canonical_model_id) {
        let mut params = serde_json::Map::new();
        params.insert("canonicalModelId".into(), canonical.into());
        definition.params_json =
            ROption::RSome(serde_json::Value::Object(params).to_string().into());
    }
    definition
}

/// DISC-13..41: the discovered model list of one run.
pub fn build_models(
    foundation: &[RawFoundationModel],
    profile_summaries: &[RawProfile],
    options: &BuildOptions,
) -> Vec<ModelDefinition> {
    let candidates = profiles::candidates(profile_summaries);
    let foundation_models: Vec<ModelDefinition> = foundation
        .iter()
        .filter(|model| keep_foundation_model(model, &options.provider_filter))
        .map(|model| foundation_definition(model, options, &candidates))
        .collect();
    // DISC-54 (beyond the spec, which is silent here): a profile whose backing model this
    // run lists without TEXT output (an embedding or image model) is no chat model either,
    // so it is dropped with its model (DISC-17).
    let non_text_bases: HashSet<String> = foundation
        .iter()
        .filter(|model| !has(&model.output_modalities, "TEXT"))
        .map(|model| model.model_id.trim().to_lowercase())
        .collect();
    let profile_models: Vec<ModelDefinition> = profile_summaries
        .iter()
        .filter(|profile| keep_profile(profile, &options.provider_filter))
        .filter(|profile| {
            profile_base_id(profile)
                .is_none_or(|base| !non_text_bases.contains(&base.to_lowercase()))
        })
        .map(|profile| profile_definition(profile, &foundation_models, options))
        .collect();
    let mut seen = HashSet::new();
    let mut models: Vec<ModelDefinition> = foundation_models
        .into_iter()
        .chain(profile_models)
        .filter(|model| seen.insert(model.id.as_str().to_lowercase()))
        .collect();
    sort_models(&mut models);
    models
}

/// DISC-41: `global.` ids first, then by name (Unicode lower-case), ties by id.
pub fn sort_models(models: &mut [ModelDefinition]) {
    models.sort_by_cached_key(|model| {
        (
            !model.id.as_str().to_lowercase().starts_with("global."),
            model.name.as_str().to_lowercase(),
            model.id.to_string(),
        )
    });
}

#[cfg(test)]
mod tests;
