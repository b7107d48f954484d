//! What a request's model is, parsed once: [`ModelTraits`].
//!
//! Many request-shaping rules depend on which model a request goes to (its Claude family,
//! whether it rejects `temperature`, which service tiers it takes, its native thinking
//! efforts, …). They used to re-derive that from the `ModelDefinition` each time, each with its
//! own id and params parsing. Now `request::build` parses the definition (id, `params_json`,
//! display name) once at the start of a request into one value and hands it to every shaping
//! step, so all steps agree on what the model is and the parsing happens once.
//!
//! The facts themselves stay with their rules (models/claude.rs for Claude identities and
//! thinking, request/sampling.rs for TEMP-*, request/tier.rs for TIER-04, request/cache/policy.rs
//! for CACHE-01/20); this module only runs them once.

use plugin_api::model::{ModelDefinition, ThinkingLevelMapping};

use crate::models::caching::ModelCaching;
use crate::models::claude::{self, ClaudeFamily};

/// The identity facts of one request's model.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelTraits {
    /// The model id as sent (trimmed).
    pub id: String,
    /// `params.canonicalModelId` (DISC-35), trimmed, when the params carry a non-empty one.
    pub canonical_id: Option<String>,
    /// The id without ARN prefix and geography prefix, lower-cased (DISC-21/30).
    pub base_key: String,
    /// The Claude family by id, canonical id and name; `None` for a model that is not Claude.
    pub claude: Option<ClaudeFamily>,
    /// The family for thinking decisions: [`Self::claude`] refined by the display name for
    /// opaque ids (THINK-01/05, EX-S08).
    pub thinking_family: Option<ClaudeFamily>,
    /// THINK-03: Claude Opus 5 (thinking defaults to `high` but is not mandatory).
    pub opus_5: bool,
    /// THINK-21: the native thinking-level map (under the model's own entries, THINK-13).
    pub native_level_map: Vec<ThinkingLevelMapping>,
    /// THINK-14: the model takes the 1M-context beta.
    pub one_m_context_beta: bool,
    /// EVT-20 / REQ-01: the model holds events back until `messageStop` (Claude 5).
    pub refusal_buffered: bool,
    /// TOOL-03: Claude Fable 5, whose thinking is mandatory (forced tool choice becomes auto).
    pub fable_5: bool,
    /// MSG-07: models behind an `openai.` id reject images inside tool results, so those
    /// images are lifted out.
    pub lifts_result_images: bool,
    /// TEMP-04 / CACHE-20 / BR-51: for an application-inference-profile ARN whose
    /// `GetInferenceProfile` lookup succeeded, the target model ids (`models[].modelArn`, the
    /// part after `foundation-model/`), in the order the service listed them. `None` for any
    /// other model id and while no lookup result is known.
    pub profile_targets: Option<Vec<String>>,
    /// CACHE-01 / CACHE-20: the caching policy by id (else canonical id), or the
    /// application-profile facts CACHE-20 decides with.
    pub caching: ModelCaching,
    /// TEMP-01 / TEMP-04: the model (or any looked-up target of its application profile) is
    /// Claude Opus 4.7+ or a Claude 5 identity, so `temperature` is never sent.
    pub omits_temperature: bool,
    /// TEMP-05: the model (or any looked-up target) rejects `temperature` with `top_p`.
    pub rejects_temperature_with_top_p: bool,
}

impl ModelTraits {
    /// Parses `model` once.
    pub fn of(model: &ModelDefinition) -> Self {
        let canonical_id = canonical_model_id(model);
        let canonical_lower = canonical_id.as_deref().map(str::to_ascii_lowercase);
        let identity = claude::Identity {
            model,
            canonical: canonical_lower.as_deref(),
        };
        let claude = claude::claude_family(&identity);
        let base_key = claude::base_model_key(model.id.as_str());
        let identities: Vec<&str> = std::iter::once(model.id.trim())
            .chain(canonical_id.as_deref())
            .collect();
        Self {
            id: model.id.trim().to_owned(),
            thinking_family: claude::thinking_family(claude, model),
            opus_5: claude::is_opus_5(&identity),
            native_level_map: claude::native_level_map(claude, &identity),
            one_m_context_beta: claude::is_1m_context_beta_model(model.id.as_str())
                || canonical_lower
                    .as_deref()
                    .is_some_and(claude::is_1m_context_beta_model),
            refusal_buffered: claude == Some(ClaudeFamily::Claude5),
            fable_5: identities.iter().any(|id| claude::is_fable_5_id(id)),
            lifts_result_images: base_key.contains("openai."),
            profile_targets: None,
            caching: ModelCaching::of(model.id.as_str(), canonical_id.as_deref()),
            claude,
            base_key,
            canonical_id,
            omits_temperature: false,
            rejects_temperature_with_top_p: false,
        }
        .with_sampling_facts()
    }

    /// The same traits with the target models of an application inference profile, as its
    /// `GetInferenceProfile` lookup returned them (see [`Self::profile_targets`]).
    pub fn with_profile_targets(mut self, targets: Vec<String>) -> Self {
        self.profile_targets = Some(targets);
        self.with_sampling_facts()
    }

    /// TEMP-01/04/05 decided over the ids the TEMP rules test: an application profile's
    /// looked-up targets when known (TEMP-04: the lookup decides, for TEMP-05 too, PLG-41),
    /// else the model id and its canonical id (for an application profile without a lookup
    /// result that is TEMP-04's fallback, the ARN itself).
    fn with_sampling_facts(mut self) -> Self {
        let (omits, exclusive) = match &self.profile_targets {
            Some(targets) => (
                targets.iter().any(|id| claude::omits_temperature_id(id)),
                targets
                    .iter()
                    .any(|id| claude::rejects_temperature_with_top_p_id(id)),
            ),
            None => (
                self.identities().any(claude::omits_temperature_id),
                self.identities()
                    .any(claude::rejects_temperature_with_top_p_id),
            ),
        };
        self.omits_temperature = omits;
        self.rejects_temperature_with_top_p = exclusive;
        self
    }

    /// The strings identity rules are tested against: the id and the canonical id.
    pub fn identities(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.canonical_id.as_deref())
    }
}

/// How many models' traits an instance keeps ([`TraitsCache`]).
const MAX_CACHED_TRAITS: usize = 256;

/// The definition fields [`ModelTraits::of`] reads: id, display name and params.
type TraitsKey = (String, String, Option<String>);

/// One instance's parsed [`ModelTraits`], by the definition fields they are parsed from.
///
/// Deciding what a model is runs a few dozen identity patterns (about 110k instructions per
/// request with the plugin's regex engine, on the host's thread before `stream_chat`
/// returns; issue 9). A host sends the same few models over and over, so each instance keeps
/// the answer per model (bounded, least recently used out) and a request pays a lookup.
pub struct TraitsCache {
    entries: std::sync::Mutex<crate::bounded::BoundedMap<TraitsKey, ModelTraits>>,
}

impl Default for TraitsCache {
    fn default() -> Self {
        Self {
            entries: std::sync::Mutex::new(crate::bounded::BoundedMap::new(MAX_CACHED_TRAITS)),
        }
    }
}

impl TraitsCache {
    /// [`ModelTraits::of`] `model`, parsed at most once per instance while it stays cached.
    pub fn of(&self, model: &ModelDefinition) -> ModelTraits {
        let key: TraitsKey = (
            model.id.to_string(),
            model.name.to_string(),
            model
                .params_json
                .as_ref()
                .into_option()
                .map(|params| params.to_string()),
        );
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(traits) = entries.get(&key) {
            return traits.clone();
        }
        let traits = ModelTraits::of(model);
        entries.insert(key, traits.clone());
        traits
    }
}

/// `params.canonicalModelId` of a model (DISC-35): the one parser of it, trimmed and
/// non-empty.
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

#[cfg(test)]
mod tests;
