//! The memory-search embedding selection of the host config (HCFG-14, EMB-02):
//! `agents.defaults.memorySearch`, overridden key by key by an agent's own
//! `agents.list[].memorySearch`, as the request the host hands the embedding provider.

use abi_stable::std_types::{ROption, RString};
use plugin_api::embedding::EmbeddingProviderRequest;
use serde_json::{Map, Value};

use super::HostConfig;

/// The embedding provider id that selects this plugin (EMB-01).
pub const BEDROCK_EMBEDDING_PROVIDER: &str = "bedrock";

/// One agent's effective `memorySearch` (HCFG-14).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MemorySearch {
    /// `provider`, as written.
    pub provider: Option<String>,
    /// `model`; `None` leaves the provider's default (EMB-01).
    pub model: Option<String>,
    /// `outputDimensionality`.
    pub output_dimensionality: Option<u32>,
    /// `remote.baseUrl`: a region hint or a custom runtime endpoint (EMB-40).
    pub base_url: Option<String>,
}

impl MemorySearch {
    /// EMB-02: `provider: "bedrock"` in any case selects this plugin's embedding provider.
    pub fn selects_bedrock(&self) -> bool {
        self.provider.as_deref().is_some_and(|provider| {
            provider
                .trim()
                .eq_ignore_ascii_case(BEDROCK_EMBEDDING_PROVIDER)
        })
    }

    /// The request for the embedding provider: the selection's model, dimensions and base URL.
    pub fn request(&self) -> EmbeddingProviderRequest {
        EmbeddingProviderRequest {
            model: RString::from(self.model.clone().unwrap_or_default()),
            output_dimensionality: self.output_dimensionality.into(),
            base_url: self.base_url.clone().map(RString::from).into(),
            family: ROption::RNone,
            ..Default::default()
        }
    }
}

/// The `memorySearch` objects that apply, defaults first, so later ones override.
fn layers<'a>(config: &'a HostConfig, agent: Option<&str>) -> Vec<&'a Map<String, Value>> {
    let agents = config.raw().get("agents");
    let defaults = agents
        .and_then(|agents| agents.get("defaults"))
        .and_then(|defaults| defaults.get("memorySearch"))
        .and_then(Value::as_object);
    let own = agent.and_then(|agent| {
        agents?
            .get("list")?
            .as_array()?
            .iter()
            .find(|entry| entry.get("id").and_then(Value::as_str) == Some(agent))?
            .get("memorySearch")?
            .as_object()
    });
    defaults.into_iter().chain(own).collect()
}

fn text(value: Option<&Value>) -> Option<Option<String>> {
    value.map(|value| {
        value
            .as_str()
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    })
}

impl HostConfig {
    /// HCFG-14: the memory search of `agent` (or of the defaults): each key an agent sets
    /// replaces the default's, so an agent can switch provider or model alone.
    pub fn memory_search(&self, agent: Option<&str>) -> MemorySearch {
        let mut search = MemorySearch::default();
        for layer in layers(self, agent) {
            if let Some(provider) = text(layer.get("provider")) {
                search.provider = provider;
            }
            if let Some(model) = text(layer.get("model")) {
                search.model = model;
            }
            if let Some(dimensions) = layer.get("outputDimensionality") {
                search.output_dimensionality =
                    dimensions.as_u64().and_then(|n| u32::try_from(n).ok());
            }
            if let Some(base_url) =
                text(layer.get("remote").and_then(|remote| remote.get("baseUrl")))
            {
                search.base_url = base_url;
            }
        }
        search
    }
}

#[cfg(test)]
mod tests;
