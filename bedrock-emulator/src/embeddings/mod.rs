//! InvokeModel for embedding models: Titan v1/v2, Cohere v3/v4, Nova multimodal embeddings and
//! TwelveLabs Marengo, with the request/response bodies those models use on Bedrock. Vectors are
//! deterministic (seeded by model, text and dimension) and L2-normalised unless Titan v2 `normalize: false`.
//!
//! This module picks the model family; [`models`] holds one function per family's body format,
//! [`vector`] the seeded vectors they share, [`json`] the writer of their bodies and [`cache`] the
//! vectors already rendered.

mod cache;
mod json;
mod models;
#[cfg(test)]
mod tests;
mod vector;

use serde_json::Value;

pub(crate) use cache::VectorCache;

use crate::catalog::FoundationModel;
use crate::error::ApiError;

/// A finished embedding response: JSON body bytes (written by [`json`], not built as a `Value`)
/// and input token count (for `x-amzn-bedrock-input-token-count`).
pub(crate) struct EmbeddingResponse {
    pub(crate) body: Vec<u8>,
    pub(crate) input_tokens: usize,
}

/// One model family's handler: (model id, request object, the instance's rendered vectors) →
/// response.
type Family = fn(&str, &Value, &VectorCache) -> Result<EmbeddingResponse, ApiError>;

/// Model-id prefixes and their handlers, most specific first; anything else gets [`models::generic`].
const FAMILIES: &[(&str, Family)] = &[
    ("amazon.titan-embed-text-v2", models::titan_v2),
    ("amazon.titan-embed", models::titan_v1),
    ("cohere.embed", models::cohere),
    ("amazon.nova", models::nova),
    ("twelvelabs.marengo", models::marengo),
];

/// Serve InvokeModel for `model` with the raw request body, its vectors rendered once per
/// emulator instance (`vectors`, see [`cache`]).
pub(crate) fn invoke(
    model: &FoundationModel,
    body: &[u8],
    vectors: &VectorCache,
) -> Result<EmbeddingResponse, ApiError> {
    let id = model.model_id.as_str();
    if !model.output_modalities.iter().any(|m| m == "EMBEDDING") {
        return Err(ApiError::validation(
            "The emulator serves InvokeModel for embedding models only; use Converse for text models.",
        ));
    }
    let req: Value =
        serde_json::from_slice(body).map_err(|_| models::malformed("expected a JSON object"))?;
    if !req.is_object() {
        return Err(models::malformed(
            "#: expected type: JSONObject, found: JSONArray",
        ));
    }
    let family = FAMILIES
        .iter()
        .find(|(prefix, _)| id.starts_with(prefix))
        .map_or(models::generic as Family, |(_, family)| *family);
    family(id, &req, vectors)
}
