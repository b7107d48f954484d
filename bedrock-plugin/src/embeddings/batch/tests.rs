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
