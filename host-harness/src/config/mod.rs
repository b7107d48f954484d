//! The host config (JSON5): the user's one file, kept as JSON so a plugin sees exactly what
//! was written, and the few facts the host reads out of it (plugin entries, providers).
//!
//! Each concern has its own file: `load` finds and parses the file, `migrate` merges the
//! legacy locations into a plugin's config (MIG-*), and `validate` checks a plugin's entry
//! against its manifest's `configSchema` with the spec's exact messages (CFG-10/11); `edit`
//! addresses values by dotted path and builds the masked views the `config` command prints.

mod edit;
mod load;
mod memory_search;
mod migrate;
mod validate;

use serde_json::{Map, Value};

pub use edit::{
    effective_view, mask_secrets, with_defaults, ConfigPath, EditError, Origin, SecretView,
    ViewLine, SECRET_IN_CONFIG,
};
pub use load::{HostConfigError, DEFAULT_CONFIG_PATH};
pub use memory_search::{MemorySearch, BEDROCK_EMBEDDING_PROVIDER};
pub use migrate::{LEGACY_DISCOVERY_PATH, LEGACY_DISCOVERY_TARGET, LEGACY_DISCOVERY_WARNING};
pub use validate::{validate_plugin_config, ConfigIssue, ConfigValidationErrors};

/// The plugin's own words for config mistakes, so host and plugin say the same thing.
pub use plugin_api::config_rules::{json_type, SECRET_SHAPE_MESSAGE};

/// Plugin id whose config has a legacy location.
pub const BEDROCK_PLUGIN_ID: &str = "amazon-bedrock";

/// The parsed host config; kept as JSON so plugins see exactly what the user wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct HostConfig {
    raw: Value,
}

/// `plugins.entries.<id>` with the host's defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginEntry {
    /// `None` when unset, so the caller can fall back to the manifest's `enabledByDefault`.
    pub enabled: Option<bool>,
    /// `{}` when absent (HCFG-02).
    pub config: Value,
}

/// A plugin config after legacy migration (MIG-02).
#[derive(Debug, Clone, PartialEq)]
pub struct EffectiveConfig {
    pub config: Value,
    /// Whether the legacy location was present (and therefore consulted).
    pub legacy_used: bool,
}

impl HostConfig {
    pub fn raw(&self) -> &Value {
        &self.raw
    }

    /// Walks dotted keys; keys themselves may not contain dots (none in the host schema do).
    pub fn get_path(&self, dotted: &str) -> Option<&Value> {
        dotted
            .split('.')
            .try_fold(&self.raw, |value, key| value.as_object()?.get(key))
    }

    /// `plugins.entries.<id>` as written, whatever its shape.
    fn entry_value(&self, plugin_id: &str) -> Option<&Value> {
        self.raw
            .get("plugins")
            .and_then(|p| p.get("entries"))
            .and_then(|e| e.get(plugin_id))
    }

    pub fn plugin_entry(&self, plugin_id: &str) -> PluginEntry {
        let entry = self.entry_value(plugin_id);
        PluginEntry {
            enabled: entry
                .and_then(|e| e.get("enabled"))
                .and_then(Value::as_bool),
            config: entry
                .and_then(|e| e.get("config"))
                .cloned()
                .unwrap_or_else(|| Value::Object(Map::new())),
        }
    }

    /// `models.providers[id]` (HCFG-10).
    pub fn provider_config(&self, provider_id: &str) -> Option<&Value> {
        self.providers()?.get(provider_id)
    }

    fn providers(&self) -> Option<&Map<String, Value>> {
        self.raw.get("models")?.get("providers")?.as_object()
    }

    /// Provider entries served by a plugin (HCFG-12): the exact key first, then aliases
    /// (normalised id equal, or same `api`) in document order, so callers that take the
    /// first match per setting get "exact key wins".
    pub fn providers_for_api(&self, provider_id: &str, api: &str) -> Vec<(String, &Value)> {
        let Some(providers) = self.providers() else {
            return Vec::new();
        };
        let wanted = normalize_provider_id(provider_id);
        let mut out: Vec<(String, &Value)> = Vec::new();
        if let Some(exact) = providers.get(provider_id) {
            out.push((provider_id.to_string(), exact));
        }
        for (key, value) in providers {
            if key == provider_id {
                continue;
            }
            let same_id = normalize_provider_id(key) == wanted;
            let same_api = value.get("api").and_then(Value::as_str) == Some(api);
            if same_id || same_api {
                out.push((key.clone(), value));
            }
        }
        out
    }

    pub fn agents_defaults(&self) -> Option<&Value> {
        self.raw.get("agents")?.get("defaults")
    }
}

/// Lower-cased, trimmed, `_` → `-`, with the known aliases of the Bedrock provider folded in.
pub fn normalize_provider_id(id: &str) -> String {
    let id = id.trim().to_ascii_lowercase().replace('_', "-");
    match id.as_str() {
        "bedrock" | "aws-bedrock" | "amazon-bedrock" => BEDROCK_PLUGIN_ID.to_string(),
        _ => id,
    }
}
