//! Batching, concurrency and ordering of embedding calls (EMB-24..27).
//!
//! The runner is generic over the call so the blank handling, Cohere chunking, the in-flight
//! bound and the output order are testable without a network.

use std::future::Future;

use futures::StreamExt as _;
use plugin_api::error::PluginError;

use super::families::{Family, MALFORMED_RESPONSE};

/// EMB-26: Cohere accepts at most this many texts per call.
pub const COHERE_CHUNK: usize = 96;
/// EMB-27: calls in flight per batch.
pub const MAX_IN_FLIGHT: usize = 8;

/// What one call returns: finished vectors in the order of the texts sent, and the input
/// tokens Bedrock reported for it (EMB-23).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CallResult {
    pub vectors: Vec<Vec<f32>>,
    pub input_tokens: Option<u64>,
}

/// Vectors in input order (blank inputs yield empty vectors) and the summed token usage.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BatchResult {
    pub vectors: Vec<Vec<f32>>,
    pub input_tokens: Option<u64>,
}

/// Blank texts (empty or whitespace) are never sent (EMB-24, EMB-25).
pub fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// The groups of input positions sent together: Cohere chunks of up to 96 non-blank texts in
/// order, one position per call for every other family.
pub fn plan(family: Family, texts: &[String]) -> Vec<Vec<usize>> {
    let positions: Vec<usize> = texts
        .iter()
        .enumerate()
        .filter(|(_, text)| !is_blank(text))
        .map(|(index, _)| index)
        .collect();
    let size = if family.is_cohere() { COHERE_CHUNK } else { 1 };
    positions.chunks(size).map(<[usize]>::to_vec).collect()
}

/// Runs `call` for every planned group with at most [`MAX_IN_FLIGHT`] in flight and puts the
/// vectors back at their input positions. The first failure returns at once; dropping the
/// stream then drops (and so cancels) every call still in flight (EMB-27).
pub async fn run<F, Fut>(
    family: Family,
    texts: Vec<String>,
    call: F,
) -> Result<BatchResult, PluginError>
where
    F: Fn(Vec<String>) -> Fut,
    Fut: Future<Output = Result<CallResult, PluginError>>,
{
    let groups = plan(family, &texts);
    let mut vectors: Vec<Vec<f32>> = vec![Vec::new(); texts.len()];
    let mut input_tokens: Option<u64> = None;
    let calls = groups.into_iter().map(|positions| {
        let chunk: Vec<String> = positions
            .iter()
            .filter_map(|&index| texts.get(index).cloned())
            .collect();
        let pending = call(chunk);
        async move { (positions, pending.await) }
    });
    let mut in_flight = futures::stream::iter(calls).buffer_unordered(MAX_IN_FLIGHT);
    while let Some((positions, result)) = in_flight.next().await {
        let result = result?;
        if result.vectors.len() != positions.len() {
            return Err(PluginError::new(
                plugin_api::error::ErrorKind::Service,
                MALFORMED_RESPONSE,
            ));
        }
        for (index, vector) in positions.into_iter().zip(result.vectors) {
            if let Some(slot) = vectors.get_mut(index) {
                *slot = vector;
            }
        }
        if let Some(tokens) = result.input_tokens {
            input_tokens = Some(input_tokens.unwrap_or(0).saturating_add(tokens));
        }
    }
    Ok(BatchResult {
        vectors,
        input_tokens,
    })
}

#[cfg(test)]
mod tests;
