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
    /// `memorySearch.outputDimensionality`: the vector size asked for; `None` keeps the
    /// model's default.
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
    /// The embedding provider id (e.g. `bedrock`).
    pub id: RString,
    /// The model id the provider is bound to.
    pub model: RString,
    /// The model family that decides the request shape (e.g. `titan-v2`, `cohere-v4`).
    pub family: RString,
    /// The region the calls go to.
    pub region: RString,
    /// The length of the vectors it returns, when known.
    pub dimensions: ROption<u32>,
    /// The most tokens one input may have, when known.
    pub max_input_tokens: ROption<u32>,
    /// Facts of later interface versions (growth path, see [`crate::ext`]).
    pub extensions: crate::ext::Extensions,
}

/// Vectors in input order; a blank input yields an empty vector at its position (EMB-25).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Default)]
pub struct Embeddings {
    /// One vector per input, in input order.
    pub vectors: RVec<RVec<f32>>,
    /// The input tokens the service counted, when it reported them.
    pub input_tokens: ROption<u64>,
}
