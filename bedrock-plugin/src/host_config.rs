//! The parts of the host config this plugin reads outside its own entry (HCFG-10..14).

use abi_stable::std_types::{ROption, RString, RVec};
use plugin_api::model::{ModelCost, ModelDefinition};
use serde_json::Value;

use crate::manifest::{API, PROVIDER_ID};

/// A `models.providers.<key>` entry served by this plugin.
#[derive(Clone, Debug, PartialEq)]
pub struct ProviderEntry {
    pub key: String,
    pub base_url: Option<String>,
    pub api: Option<String>,
    pub auth: Option<String>,
    pub models: Vec<Value>,
}

/// The host config, parsed once per config version.
#[derive(Clone, Debug, Default)]
pub struct HostView {
    /// Entries this plugin serves: the exact `amazon-bedrock` key first, then aliases (HCFG-12).
    pub providers: Vec<ProviderEntry>,
    /// `agents.defaults.params` (HCFG-13).
    pub default_params: serde_json::Map<String, Value>,
    /// `agents.defaults.models["amazon-bedrock/<id>"].params`, keyed by model id.
    pub model_params: Vec<(String, serde_json::Map<String, Value>)>,
    /// `agents.defaults.memorySearch` when it selects this plugin's embedding provider
    /// (EMB-02: `provider: "bedrock"`, any case); the doctor probes it (BR-31).
    pub memory_search: Option<MemorySearch>,
    /// Whether any `memorySearch.provider` (defaults or an `agents.list[]` entry) names
    /// `bedrock`: the host chose Bedrock embeddings explicitly, which allows EMB-30's probe to
    /// ask instance metadata.
    pub memory_search_bedrock_anywhere: bool,
    /// [`Self::explicit_models`], built on first use: every chat asks for its prices (BR-61),
    /// and rebuilding the definitions from the config JSON per request cost about 40k
    /// instructions on the path to the first token (issue 9). A view belongs to one settings
    /// generation, so the list never goes stale.
    explicit: std::sync::OnceLock<Vec<ModelDefinition>>,
}

/// The Bedrock memory-search selection of the host config (EMB-02, EMB-40).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemorySearch {
    /// `memorySearch.model`; `None` selects the provider default (EMB-01).
    pub model: Option<String>,
    /// `memorySearch.outputDimensionality`.
    pub dimensions: Option<u32>,
    /// `memorySearch.remote.baseUrl`.
    pub base_url: Option<String>,
}

/// Errors reading the host config JSON the host handed over.
#[derive(Debug, thiserror::Error)]
pub enum HostConfigError {
    #[error("host config is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("host config {path}: expected {expected}")]
    Shape {
        path: String,
        expected: &'static str,
    },
}

fn normalise_provider_key(key: &str) -> String {
    key.trim().to_ascii_lowercase().replace('_', "-")
}

fn is_ours(key: &str, entry: &Value) -> bool {
    let normalised = normalise_provider_key(key);
    normalised == PROVIDER_ID
        || normalised == "bedrock"
        || normalised == "aws-bedrock"
        || entry.get("api").and_then(Value::as_str) == Some(API)
}

impl HostView {
    pub fn parse(json: &str) -> Result<HostView, HostConfigError> {
        let root: Value = if json.trim().is_empty() {
            Value::Object(Default::default())
        } else {
            serde_json::from_str(json)?
        };
        let mut view = HostView::default();
        if let Some(providers) = root.pointer("/models/providers") {
            let providers = providers.as_object().ok_or(HostConfigError::Shape {
                path: "models.providers".into(),
                expected: "an object",
            })?;
            let mut entries: Vec<ProviderEntry> = providers
                .iter()
                .filter(|(key, entry)| is_ours(key, entry))
                .map(|(key, entry)| ProviderEntry {
                    key: key.clone(),
                    base_url: string_at(entry, "baseUrl"),
                    api: string_at(entry, "api"),
                    auth: string_at(entry, "auth"),
                    models: entry
                        .get("models")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default(),
                })
                .collect();
            // The exact key wins (HCFG-12): it goes first, aliases keep their order.
            entries.sort_by_key(|entry| entry.key != PROVIDER_ID);
            view.providers = entries;
        }
        if let Some(params) = root
            .pointer("/agents/defaults/params")
            .and_then(Value::as_object)
        {
            view.default_params = params.clone();
        }
        if let Some(models) = root
            .pointer("/agents/defaults/models")
            .and_then(Value::as_object)
        {
            let prefix = format!("{PROVIDER_ID}/");
            view.model_params = models
                .iter()
                .filter_map(|(model_ref, entry)| {
                    let id = model_ref.strip_prefix(&prefix)?;
                    let params = entry.get("params")?.as_object()?;
                    Some((id.to_owned(), params.clone()))
                })
                .collect();
        }
        let selects_bedrock = |search: &&Value| {
            search
                .get("provider")
                .and_then(Value::as_str)
                .is_some_and(|provider| provider.trim().eq_ignore_ascii_case("bedrock"))
        };
        view.memory_search_bedrock_anywhere = root
            .pointer("/agents/list")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|agent| agent.get("memorySearch"))
            .chain(root.pointer("/agents/defaults/memorySearch"))
            .any(|search| selects_bedrock(&search));
        view.memory_search = root
            .pointer("/agents/defaults/memorySearch")
            .filter(selects_bedrock)
            .map(|search| MemorySearch {
                model: string_at(search, "model"),
                dimensions: search
                    .get("outputDimensionality")
                    .and_then(Value::as_u64)
                    .and_then(|dims| u32::try_from(dims).ok()),
                base_url: search
                    .get("remote")
                    .and_then(|remote| string_at(remote, "baseUrl")),
            });
        Ok(view)
    }

    /// Provider baseUrls, exact key first (REG-01 steps 4–5, EP-01 step 1).
    pub fn provider_base_urls(&self) -> Vec<&str> {
        self.providers
            .iter()
            .filter_map(|entry| entry.base_url.as_deref())
            .collect()
    }

    /// The explicit models of every entry, exact key first, deduplicated by
    /// case-insensitive id (the exact key wins, HCFG-12).
    pub fn explicit_models(&self) -> Vec<ModelDefinition> {
        self.explicit_definitions().to_vec()
    }

    /// The explicit definitions, built once per view.
    fn explicit_definitions(&self) -> &[ModelDefinition] {
        self.explicit.get_or_init(|| {
            let mut seen = std::collections::HashSet::new();
            let mut models = Vec::new();
            for entry in &self.providers {
                for model in &entry.models {
                    if let Some(definition) = model_definition(model, entry) {
                        if seen.insert(definition.id.as_str().to_ascii_lowercase()) {
                            models.push(definition);
                        }
                    }
                }
            }
            models
        })
    }

    /// BR-61: the prices of `model`: its own when it has any, else those of the configured
    /// model with the exact id (so `us.` / `global.` profiles can carry surcharged prices),
    /// else those of the configured model with the id's region prefix removed. All zeros when
    /// none has prices (BR-60).
    pub fn prices_for(&self, model: &ModelDefinition) -> ModelCost {
        if model.cost != ModelCost::default() {
            return model.cost;
        }
        let explicit = self.explicit_definitions();
        let priced = |id: &str| {
            explicit
                .iter()
                .find(|known| known.id.as_str().eq_ignore_ascii_case(id))
                .map(|known| known.cost)
                .filter(|cost| *cost != ModelCost::default())
        };
        let id = model.id.as_str();
        priced(id)
            .or_else(|| priced(crate::models::prefixes::strip_region_prefix(id)))
            .unwrap_or_default()
    }

    /// The merged request params for a model (HCFG-13): per-model keys win.
    pub fn params_for(&self, model_id: &str) -> serde_json::Map<String, Value> {
        let mut merged = serde_json::Map::new();
        for params in self.params_layers(model_id) {
            merged.extend(params.clone());
        }
        merged
    }

    /// The params objects `params_for` merges, in merge order (`agents.defaults.params`, then
    /// the model's own), for rules that must look at each object before the merge (TIER-01).
    pub fn params_layers<'a>(
        &'a self,
        model_id: &'a str,
    ) -> impl Iterator<Item = &'a serde_json::Map<String, Value>> + 'a {
        std::iter::once(&self.default_params).chain(
            self.model_params
                .iter()
                .filter(move |(id, _)| id == model_id)
                .take(1)
                .map(|(_, params)| params),
        )
    }
}

fn string_at(value: &Value, key: &str) -> Option<String> {
    value
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_owned)
}

fn u64_at(value: &Value, key: &str) -> Option<u64> {
    value.get(key).and_then(|number| {
        number.as_u64().or_else(|| {
            number
                .as_f64()
                .filter(|n| *n >= 0.0)
                .map(|n| n.floor() as u64)
        })
    })
}

fn f64_at(value: &Value, key: &str) -> f64 {
    value.get(key).and_then(Value::as_f64).unwrap_or(0.0)
}

/// HCFG-10: one explicit model entry; entries without a non-blank `id` are skipped.
pub fn model_definition(model: &Value, entry: &ProviderEntry) -> Option<ModelDefinition> {
    let id = string_at(model, "id")?;
    let mut definition =
        ModelDefinition::new(&id, PROVIDER_ID, entry.api.as_deref().unwrap_or(API));
    definition.name = RString::from(string_at(model, "name").unwrap_or_else(|| id.clone()));
    definition.reasoning = model
        .get("reasoning")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if let Some(input) = model.get("input").and_then(Value::as_array) {
        let modalities: Vec<RString> = input
            .iter()
            .filter_map(Value::as_str)
            .filter(|modality| matches!(*modality, "text" | "image" | "video"))
            .map(RString::from)
            .collect();
        if !modalities.is_empty() {
            definition.input = RVec::from(modalities);
        }
    }
    if let Some(cost) = model.get("cost") {
        definition.cost = ModelCost {
            input: f64_at(cost, "input"),
            output: f64_at(cost, "output"),
            cache_read: f64_at(cost, "cacheRead"),
            cache_write: f64_at(cost, "cacheWrite"),
        };
    }
    definition.context_window = u64_at(model, "contextWindow").unwrap_or(0);
    definition.max_tokens = u64_at(model, "maxTokens").unwrap_or(0);
    definition.base_url = match string_at(model, "baseUrl") {
        Some(url) => ROption::RSome(url.into()),
        None => ROption::RNone,
    };
    if let Some(params) = model.get("params").filter(|params| params.is_object()) {
        definition.params_json = ROption::RSome(RString::from(params.to_string()));
    }
    Some(definition)
}

#[cfg(test)]
mod tests;
