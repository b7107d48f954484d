//! Model definitions: what a model is called, what it accepts, what it costs, how big it is.

use abi_stable::{
    std_types::{ROption, RString, RVec},
    StableAbi,
};

use crate::chat::ThinkingLevel_NE;
use crate::ext::Extensions;

/// Prices in USD per one million tokens (HCFG-10, USE-02).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Default)]
pub struct ModelCost {
    /// Uncached input tokens.
    pub input: f64,
    /// Output tokens.
    pub output: f64,
    /// Input tokens read from the prompt cache.
    pub cache_read: f64,
    /// Input tokens written to the prompt cache.
    pub cache_write: f64,
}

/// One entry of a model's `thinkingLevelMap` (THINK-21): the effort sent for a host level,
/// where `effort: None` is the map's `null` ("not natively supported").
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct ThinkingLevelMapping {
    /// The host level this entry maps.
    pub level: ThinkingLevel_NE,
    /// The effort sent for it; `None` when the level is not natively supported.
    pub effort: ROption<RString>,
}

/// A model the host can call, as configured (`models.providers.<id>.models[]`) or discovered.
///
/// `input` holds wire names (`"text"`, `"image"`, `"video"`) rather than an enum so new
/// modalities never change the layout; `params_json` is the free-form `params` object
/// (e.g. `{"canonicalModelId": "claude-opus-4-8"}`) as JSON text.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct ModelDefinition {
    /// The model id sent to the service (a model id, inference-profile id or ARN).
    pub id: RString,
    /// The display name.
    pub name: RString,
    /// The model API it is called through (e.g. `bedrock-converse-stream`).
    pub api: RString,
    /// The provider id it belongs to (e.g. `amazon-bedrock`).
    pub provider: RString,
    /// The provider's `baseUrl` (a runtime endpoint or region hint), when set.
    pub base_url: ROption<RString>,
    /// Whether the model supports reasoning (thinking).
    pub reasoning: bool,
    /// The input modalities it accepts, by wire name.
    pub input: RVec<RString>,
    /// Its prices.
    pub cost: ModelCost,
    /// The context window in tokens; 0 when unknown.
    pub context_window: u64,
    /// The most output tokens it allows; 0 when unknown.
    pub max_tokens: u64,
    /// The free-form `params` object, as JSON text.
    pub params_json: ROption<RString>,
    /// Its `thinkingLevelMap` (THINK-21); empty when it has none.
    pub thinking_level_map: RVec<ThinkingLevelMapping>,
    /// Facts of later interface versions (growth path, see [`crate::ext`]).
    pub extensions: Extensions,
}

impl ModelDefinition {
    /// A text-only model with zero prices; fields are public for everything else.
    pub fn new(id: &str, provider: &str, api: &str) -> Self {
        Self {
            id: id.into(),
            name: id.into(),
            api: api.into(),
            provider: provider.into(),
            base_url: ROption::RNone,
            reasoning: false,
            input: RVec::from(vec![RString::from("text")]),
            cost: ModelCost::default(),
            context_window: 0,
            max_tokens: 0,
            params_json: ROption::RNone,
            thinking_level_map: RVec::new(),
            extensions: Extensions::new(),
        }
    }

    /// Its [`keys::MODEL_ACCESS`](crate::ext::keys::MODEL_ACCESS), when the plugin set one.
    pub fn access(&self) -> Option<&str> {
        self.extensions.text(crate::ext::keys::MODEL_ACCESS)
    }

    /// Its [`keys::MODEL_ACCESS_DETAIL`](crate::ext::keys::MODEL_ACCESS_DETAIL), when set.
    pub fn access_detail(&self) -> Option<&str> {
        self.extensions.text(crate::ext::keys::MODEL_ACCESS_DETAIL)
    }

    /// Its [`keys::MODEL_SOURCE`](crate::ext::keys::MODEL_SOURCE), when set.
    pub fn source(&self) -> Option<&str> {
        self.extensions.text(crate::ext::keys::MODEL_SOURCE)
    }
}

/// A provider entry with its models, as discovery returns it (DISC-02, DISC-42).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct ProviderCatalog {
    /// The provider id (e.g. `amazon-bedrock`).
    pub provider_id: RString,
    /// The provider's `baseUrl` (DISC-02: the runtime endpoint of the discovery region).
    pub base_url: ROption<RString>,
    /// The model API of its models (e.g. `bedrock-converse-stream`).
    pub api: RString,
    /// The provider's `auth` mode (e.g. `aws-sdk`).
    pub auth: RString,
    /// The models: explicit entries merged with discovered ones (DISC-42).
    pub models: RVec<ModelDefinition>,
    /// Unix milliseconds when the control plane answered (or when the explicit list was read).
    pub fetched_at_ms: u64,
    /// True when this answer came from the discovery cache instead of a fresh run.
    pub from_cache: bool,
}
