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
    }

    /// The merged request params for a model (HCFG-13): per-model keys win.
    pub fn params_for(&self, model_id: &str) -> serde_json::Map<String, Value> {
        let mut merged = self.default_params.clone();
        if let Some((_, params)) = self.model_params.iter().find(|(id, _)| id == model_id) {
            for (key, value) in params {
                merged.insert(key.clone(), value.clone());
            }
        }
        merged
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
