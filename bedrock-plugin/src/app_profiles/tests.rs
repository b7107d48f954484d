use std::sync::atomic::{AtomicUsize, Ordering};

use plugin_api::error::ErrorKind;
use plugin_api::model::ModelDefinition;

use super::*;

const OPAQUE: &str =
    "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/us.my-prod-profile";
const NAMED: &str =
    "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/my-claude-profile";

fn traits(id: &str) -> ModelTraits {
    ModelTraits::of(&ModelDefinition::new(
        id,
        "amazon-bedrock",
        "bedrock-converse-stream",
    ))
}

fn denied() -> LookupError {
    LookupError::Call(CallFailure {
        operation: fetch::GET_INFERENCE_PROFILE,
        status: Some(403),
        error_name: Some("AccessDeniedException".into()),
        message: "User is not authorized to perform: bedrock:GetInferenceProfile".into(),
        request_id: None,
        kind: ErrorKind::Auth,
        timed_out: false,
        retry_after: None,
    })
}

/// A lookup that counts its starts, yields once (so concurrent callers overlap) and answers
/// `answer`.
fn counted(starts: &Arc<AtomicUsize>, answer: Result<Vec<String>, LookupError>) -> StartLookup {
    let starts = starts.clone();
    Box::new(move || {
        async move {
            starts.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            answer
        }
        .boxed()
    })
}

fn opus() -> Vec<String> {
    vec!["anthropic.claude-opus-4-7".to_owned()]
}

#[tokio::test]
async fn temp_04_fifty_concurrent_lookups_of_one_arn_start_one_call() {
    let profiles = Arc::new(AppProfiles::default());
    let starts = Arc::new(AtomicUsize::new(0));
    let lookups = (0..50).map(|_| profiles.resolve_with(OPAQUE, counted(&starts, Ok(opus()))));
    let results = futures::future::join_all(lookups).await;
    assert_eq!(starts.load(Ordering::SeqCst), 1);
    assert_eq!(results.len(), 50);
    for result in results {
        assert_eq!(result.as_deref(), Ok(&opus()));
    }
    // Kept: later requests read it without any I/O.
    assert_eq!(profiles.cached(OPAQUE).as_deref(), Some(&opus()));
}

#[tokio::test]
async fn temp_04_failed_lookup_is_not_kept_and_the_next_request_looks_up_again() {
    let profiles = Arc::new(AppProfiles::default());
    let starts = Arc::new(AtomicUsize::new(0));
    let first = profiles
        .resolve_with(OPAQUE, counted(&starts, Err(denied())))
        .await;
    assert_eq!(first, Err(denied()));
    assert_eq!(profiles.cached(OPAQUE), None);
    assert!(profiles.is_empty());
    let second = profiles
        .resolve_with(OPAQUE, counted(&starts, Ok(opus())))
        .await;
    assert_eq!(second.as_deref(), Ok(&opus()));
    // The success is kept: a third request starts nothing.
    let third = profiles
        .resolve_with(OPAQUE, counted(&starts, Err(denied())))
        .await;
    assert_eq!(third.as_deref(), Ok(&opus()));
    assert_eq!(starts.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn temp_04_kept_results_are_bounded_per_instance() {
    let profiles = Arc::new(AppProfiles::with_capacity(2));
    let starts = Arc::new(AtomicUsize::new(0));
    for name in ["a", "b", "c"] {
        let arn =
            format!("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/{name}");
        profiles
            .resolve_with(&arn, counted(&starts, Ok(opus())))
            .await
            .expect("lookup");
    }
    assert_eq!(profiles.len(), 2);
    // The least recently used ARN went first.
    let evicted = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a";
    assert_eq!(profiles.cached(evicted), None);
    assert_eq!(starts.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn temp_04_an_abandoned_lookup_is_started_again() {
    let profiles = Arc::new(AppProfiles::default());
    let starts = Arc::new(AtomicUsize::new(0));
    let counter = starts.clone();
    let never: StartLookup = Box::new(move || {
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            futures::future::pending().await
        }
        .boxed()
    });
    // The only caller gives up (a cancelled chat): nothing is left waiting on it.
    let abandoned = profiles.resolve_with(OPAQUE, never);
    assert!(Box::pin(abandoned).now_or_never().is_none());
    let answer = profiles
        .resolve_with(OPAQUE, counted(&starts, Ok(opus())))
        .await;
    assert_eq!(answer.as_deref(), Ok(&opus()));
    assert_eq!(starts.load(Ordering::SeqCst), 2);
}

#[test]
fn reg_11_lookup_region_is_the_arn_region() {
    assert_eq!(
        arn_region(
            "arn:aws:bedrock:us-west-2:123456789012:application-inference-profile/z27qyso459dd"
        ),
        Some("us-west-2")
    );
    // An empty region field falls back to the runtime region (the caller's).
    assert_eq!(
        arn_region("arn:aws:bedrock::123456789012:application-inference-profile/z27qyso459dd"),
        None
    );
}

#[test]
fn temp_04_lookup_runs_for_opaque_arns_and_for_named_claude_arns_only_with_sampling() {
    assert!(wants_lookup(&traits(OPAQUE), false));
    assert!(wants_lookup(&traits(OPAQUE), true));
    assert!(!wants_lookup(&traits(NAMED), false));
    assert!(wants_lookup(&traits(NAMED), true));
    for id in [
        "us.anthropic.claude-opus-4-7",
        "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-opus-4-7",
        "amazon.nova-micro-v1:0",
    ] {
        assert!(!wants_lookup(&traits(id), true), "{id}");
    }
    assert!(is_application_profile_arn(NAMED));
    assert!(!is_application_profile_arn("us.anthropic.claude-opus-4-7"));
}

#[tokio::test]
async fn temp_04_kept_targets_shape_the_request_at_once() {
    let profiles = Arc::new(AppProfiles::default());
    let (unknown, pending) = traits_from_cache(&profiles, traits(OPAQUE), true);
    assert!(pending);
    assert_eq!(unknown.profile_targets, None);
    // A named Claude profile without sampling needs no lookup at all.
    let (named, pending) = traits_from_cache(&profiles, traits(NAMED), false);
    assert!(!pending);
    assert_eq!(named.profile_targets, None);
    let starts = Arc::new(AtomicUsize::new(0));
    profiles
        .resolve_with(OPAQUE, counted(&starts, Ok(opus())))
        .await
        .expect("lookup");
    let (known, pending) = traits_from_cache(&profiles, traits(OPAQUE), true);
    assert!(!pending);
    assert_eq!(known.profile_targets, Some(opus()));
}

#[test]
fn temp_04_target_model_ids_are_taken_from_the_model_arns() {
    assert_eq!(
        target_model_id("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-opus-4-7"),
        "anthropic.claude-opus-4-7"
    );
    assert_eq!(
        target_model_id("arn:aws:bedrock:us-east-1::foundation-model/cohere.embed-v4:0"),
        "cohere.embed-v4:0"
    );
    let custom = "arn:aws:bedrock:us-east-1:123456789012:custom-model/abc";
    assert_eq!(target_model_id(custom), custom);
}
