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
    pub input: f64,
    pub output: f64,
    pub cache_read: f64,
    pub cache_write: f64,
}

/// One entry of a model's `thinkingLevelMap` (THINK-21): the effort sent for a host level,
/// where `effort: None` is the map's `null` ("not natively supported").
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct ThinkingLevelMapping {
    pub level: ThinkingLevel_NE,
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
    pub id: RString,
    pub name: RString,
    pub api: RString,
    pub provider: RString,
    pub base_url: ROption<RString>,
    pub reasoning: bool,
    pub input: RVec<RString>,
    pub cost: ModelCost,
    pub context_window: u64,
    pub max_tokens: u64,
    pub params_json: ROption<RString>,
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
}

/// A provider entry with its models, as discovery returns it (DISC-02, DISC-42).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct ProviderCatalog {
    pub provider_id: RString,
    pub base_url: ROption<RString>,
    pub api: RString,
    pub auth: RString,
    pub models: RVec<ModelDefinition>,
    /// Unix milliseconds when the control plane answered (or when the explicit list was read).
    pub fetched_at_ms: u64,
    /// True when this answer came from the discovery cache instead of a fresh run.
    pub from_cache: bool,
}
