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
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use plugin_api::error::ErrorKind;

    use super::*;

    fn texts(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    /// A fake call returning one vector `[position-derived value]` per text.
    async fn echo(chunk: Vec<String>) -> Result<CallResult, PluginError> {
        Ok(CallResult {
            vectors: chunk.iter().map(|t| vec![t.len() as f32]).collect(),
            input_tokens: Some(chunk.len() as u64),
        })
    }

    #[tokio::test]
    async fn emb_25_empty_batch_makes_no_call() {
        let calls = AtomicUsize::new(0);
        let result = run(Family::TitanV2, Vec::new(), |chunk| {
            calls.fetch_add(1, Ordering::SeqCst);
            echo(chunk)
        })
        .await
        .expect("batch");
        assert!(result.vectors.is_empty());
        assert_eq!(result.input_tokens, None);
        assert_eq!(calls.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn emb_24_25_blank_texts_yield_empty_vectors_and_are_never_sent() {
        let sent = Mutex::new(Vec::new());
        let result = run(
            Family::TitanV1,
            texts(&["a", "", "  \t", "ccc", "bb"]),
            |chunk| {
                sent.lock().expect("lock").extend(chunk.clone());
                echo(chunk)
            },
        )
        .await
        .expect("batch");
        assert_eq!(
            result.vectors,
            vec![vec![1.0], vec![], vec![], vec![3.0], vec![2.0]]
        );
        let mut sent = sent.into_inner().expect("lock");
        sent.sort();
        assert_eq!(sent, texts(&["a", "bb", "ccc"]));
        assert_eq!(result.input_tokens, Some(3));
    }

    #[tokio::test]
    async fn emb_24_blank_query_makes_no_call() {
        let calls = AtomicUsize::new(0);
        let result = run(Family::CohereV3, texts(&["   "]), |chunk| {
            calls.fetch_add(1, Ordering::SeqCst);
            echo(chunk)
        })
        .await
        .expect("query");
        assert_eq!(result.vectors, vec![Vec::<f32>::new()]);
        assert_eq!(calls.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn emb_25_order_is_kept_when_calls_finish_out_of_order() {
        let input: Vec<String> = (0..20).map(|i| "x".repeat(i + 1)).collect();
        let result = run(Family::Nova, input, |chunk| async move {
            // Longer texts finish first.
            let delay = 30u64.saturating_sub(chunk[0].len() as u64);
            tokio::time::sleep(Duration::from_millis(delay)).await;
            echo(chunk).await
        })
        .await
        .expect("batch");
        let lengths: Vec<f32> = result.vectors.iter().map(|v| v[0]).collect();
        assert_eq!(lengths, (1..=20).map(|i| i as f32).collect::<Vec<_>>());
    }

    #[test]
    fn emb_26_cohere_chunks_200_texts_into_96_96_8() {
        let input: Vec<String> = (0..200).map(|i| format!("t{i}")).collect();
        let sizes: Vec<usize> = plan(Family::CohereV4, &input)
            .iter()
            .map(Vec::len)
            .collect();
        assert_eq!(sizes, vec![96, 96, 8]);
        let sizes: Vec<usize> = plan(Family::CohereV3, &input[..96])
            .iter()
            .map(Vec::len)
            .collect();
        assert_eq!(sizes, vec![96]);
        // Chunks keep input order.
        let groups = plan(Family::CohereV3, &input);
        assert_eq!(groups[1][0], 96);
        assert_eq!(groups[2], (192..200).collect::<Vec<_>>());
    }

    #[test]
    fn emb_26_blank_texts_are_left_out_of_cohere_chunks() {
        let input = texts(&["a", " ", "b"]);
        assert_eq!(plan(Family::CohereV3, &input), vec![vec![0, 2]]);
    }

    #[test]
    fn emb_27_other_families_send_one_text_per_call() {
        let input: Vec<String> = (0..5).map(|i| format!("t{i}")).collect();
        assert_eq!(plan(Family::TitanV2, &input).len(), 5);
    }

    #[tokio::test]
    async fn emb_27_at_most_eight_calls_in_flight() {
        let current = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let input: Vec<String> = (0..40).map(|i| format!("t{i}")).collect();
        run(Family::TitanV2, input, |chunk| {
            let current = current.clone();
            let peak = peak.clone();
            async move {
                let now = current.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(5)).await;
                current.fetch_sub(1, Ordering::SeqCst);
                echo(chunk).await
            }
        })
        .await
        .expect("batch");
        assert_eq!(peak.load(Ordering::SeqCst), MAX_IN_FLIGHT);
    }

    #[tokio::test]
    async fn emb_27_first_failure_cancels_the_rest() {
        let finished = Arc::new(AtomicUsize::new(0));
        let input: Vec<String> = (0..8).map(|i| format!("t{i}")).collect();
        let error = run(Family::TitanV2, input, |chunk| {
            let finished = finished.clone();
            async move {
                if chunk[0] == "t0" {
                    return Err(PluginError::new(ErrorKind::Service, "boom"));
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
                finished.fetch_add(1, Ordering::SeqCst);
                echo(chunk).await
            }
        })
        .await
        .expect_err("fails");
        assert_eq!(error.message.as_str(), "boom");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(finished.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn emb_21_cohere_vector_count_mismatch_is_malformed() {
        let error = run(Family::CohereV3, texts(&["a", "b"]), |_chunk| async {
            Ok(CallResult {
                vectors: vec![vec![1.0]],
                input_tokens: None,
            })
        })
        .await
        .expect_err("mismatch");
        assert_eq!(error.message.as_str(), MALFORMED_RESPONSE);
    }
}
