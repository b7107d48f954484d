//! Embedding requests and results.

use abi_stable::{
    std_types::{ROption, RString, RVec},
    StableAbi,
};

/// What the host asks for when it selects this plugin's embedding provider (HCFG-14).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Default)]
pub struct EmbeddingProviderRequest {
    /// `agents.defaults.memorySearch.model`; empty selects the provider default.
    pub model: RString,
    pub output_dimensionality: ROption<u32>,
    /// `memorySearch.remote.baseUrl`: a region hint or a custom runtime endpoint (EMB-40).
    pub base_url: ROption<RString>,
    /// A family the host already knows (skips the application-profile lookup, EMB-11).
    pub family: ROption<RString>,
    /// Options of later interface versions (growth path, see [`crate::ext`]).
    pub extensions: crate::ext::Extensions,
}

/// The provider's identity and limits (EMB-01, EMB-03).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct EmbeddingProviderInfo {
    pub id: RString,
    pub model: RString,
    pub family: RString,
    pub region: RString,
    pub dimensions: ROption<u32>,
    pub max_input_tokens: ROption<u32>,
    /// Facts of later interface versions (growth path, see [`crate::ext`]).
    pub extensions: crate::ext::Extensions,
}

/// Vectors in input order; a blank input yields an empty vector at its position (EMB-25).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Default)]
pub struct Embeddings {
    pub vectors: RVec<RVec<f32>>,
    pub input_tokens: ROption<u64>,
}
