use super::*;
use aws_sdk_bedrock::operation::list_foundation_models::ListFoundationModelsError;

#[tokio::test]
async fn net_04_deadline_message_and_kind() {
    let never =
        std::future::pending::<Result<(), SdkError<ListFoundationModelsError, HttpResponse>>>();
    let failure = with_deadline(LIST_FOUNDATION_MODELS, Duration::from_millis(30), never)
        .await
        .expect_err("deadline");
    assert_eq!(failure.kind, ErrorKind::Timeout);
    let failure = CallFailure {
        message: CallFailure::timeout(LIST_FOUNDATION_MODELS, CONTROL_PLANE_DEADLINE).message,
        ..failure
    };
    assert_eq!(
        failure.message,
        "Amazon Bedrock ListFoundationModels timed out after 30000 ms"
    );
    let error = failure.into_catalog_error();
    assert_eq!(
        error.message.as_str(),
        "Amazon Bedrock ListFoundationModels timed out after 30000 ms"
    );
    assert_eq!(error.kind(), Some(ErrorKind::Timeout));
}

#[test]
fn disc_51_strict_message() {
    let failure = CallFailure {
        operation: LIST_FOUNDATION_MODELS,
        status: Some(403),
        error_name: Some("AccessDeniedException".into()),
        message: "User is not authorized to perform: bedrock:ListFoundationModels".into(),
        request_id: None,
        kind: ErrorKind::Auth,
        timed_out: false,
        retry_after: None,
    };
    let error = failure.into_catalog_error();
    assert_eq!(
            error.message.as_str(),
            "Amazon Bedrock model discovery failed (HTTP 403): AccessDeniedException: User is not authorized to perform: bedrock:ListFoundationModels"
        );
    assert_eq!(error.status.into_option(), Some(403));
}

fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(1000),
        max_delay: Duration::from_millis(4000),
        self_heal: true,
    }
}

fn throttled(retry_after: Option<Duration>) -> CallFailure {
    CallFailure {
        operation: GET_INFERENCE_PROFILE,
        status: Some(429),
        error_name: Some("ThrottlingException".into()),
        message: "Too many requests, please wait before trying again.".into(),
        request_id: Some("req-1".into()),
        kind: ErrorKind::RateLimit,
        timed_out: false,
        retry_after,
    }
}

/// Answers the scripted results in order, counting attempts.
fn scripted<'a>(
    attempts: &'a std::sync::atomic::AtomicU32,
    mut results: Vec<Result<&'static str, CallFailure>>,
) -> impl FnMut() -> futures::future::Ready<Result<&'static str, CallFailure>> + 'a {
    results.reverse();
    move || {
        attempts.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        futures::future::ready(results.pop().unwrap_or(Ok("exhausted")))
    }
}

#[tokio::test(start_paused = true)]
async fn br_14_throttled_control_plane_call_is_retried_after_its_retry_after() {
    let attempts = std::sync::atomic::AtomicU32::new(0);
    let started = tokio::time::Instant::now();
    let result = with_retries(
        GET_INFERENCE_PROFILE,
        CONTROL_PLANE_DEADLINE,
        &policy(),
        scripted(
            &attempts,
            vec![Err(throttled(Some(Duration::from_millis(2500)))), Ok("ok")],
        ),
    )
    .await;
    assert_eq!(result, Ok("ok"));
    assert_eq!(attempts.load(std::sync::atomic::Ordering::SeqCst), 2);
    // BR-10: `Retry-After` (2.5 s) is the minimum, above the 1 s jitter cap of attempt 2.
    assert_eq!(started.elapsed(), Duration::from_millis(2500));
}

#[tokio::test(start_paused = true)]
async fn br_14_throttled_control_plane_call_waits_within_the_br_10_backoff_cap() {
    let attempts = std::sync::atomic::AtomicU32::new(0);
    let started = tokio::time::Instant::now();
    let result = with_retries(
        LIST_FOUNDATION_MODELS,
        CONTROL_PLANE_DEADLINE,
        &policy(),
        scripted(&attempts, vec![Err(throttled(None)), Ok("ok")]),
    )
    .await;
    assert_eq!(result, Ok("ok"));
    assert_eq!(attempts.load(std::sync::atomic::Ordering::SeqCst), 2);
    assert!(started.elapsed() <= Duration::from_millis(1000));
}

#[tokio::test(start_paused = true)]
async fn br_14_non_retryable_control_plane_failure_is_returned_at_once() {
    let attempts = std::sync::atomic::AtomicU32::new(0);
    let denied = CallFailure {
        status: Some(403),
        error_name: Some("AccessDeniedException".into()),
        message: "User is not authorized to perform: bedrock:GetInferenceProfile".into(),
        kind: ErrorKind::Auth,
        ..throttled(None)
    };
    let result = with_retries(
        GET_INFERENCE_PROFILE,
        CONTROL_PLANE_DEADLINE,
        &policy(),
        scripted(&attempts, vec![Err(denied.clone()), Ok("ok")]),
    )
    .await;
    assert_eq!(result, Err(denied));
    assert_eq!(attempts.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn br_14_net_04_no_wait_starts_past_the_deadline_and_attempts_stop_at_max() {
    // Retry-After 20 s: attempt 1 at 0 s, attempt 2 at 20 s; a third would start at 40 s,
    // past the 30 s deadline, so the last throttle is returned at 20 s (PLG-40).
    let attempts = std::sync::atomic::AtomicU32::new(0);
    let started = tokio::time::Instant::now();
    let slow = || Err(throttled(Some(Duration::from_secs(20))));
    let result = with_retries(
        GET_INFERENCE_PROFILE,
        CONTROL_PLANE_DEADLINE,
        &policy(),
        scripted(&attempts, vec![slow(), slow(), slow(), slow()]),
    )
    .await;
    assert_eq!(result, Err(throttled(Some(Duration::from_secs(20)))));
    assert_eq!(attempts.load(std::sync::atomic::Ordering::SeqCst), 2);
    assert_eq!(started.elapsed(), Duration::from_secs(20));
    // Without Retry-After the 4 attempts of the policy are the limit.
    let attempts = std::sync::atomic::AtomicU32::new(0);
    let result = with_retries(
        GET_INFERENCE_PROFILE,
        CONTROL_PLANE_DEADLINE,
        &policy(),
        scripted(&attempts, vec![Err(throttled(None)); 6]),
    )
    .await;
    assert_eq!(result, Err(throttled(None)));
    assert_eq!(attempts.load(std::sync::atomic::Ordering::SeqCst), 4);
}

#[tokio::test(start_paused = true)]
async fn net_04_deadline_covers_every_attempt_of_the_call() {
    let result: Result<(), CallFailure> = with_retries(
        GET_INFERENCE_PROFILE,
        CONTROL_PLANE_DEADLINE,
        &policy(),
        std::future::pending,
    )
    .await;
    let failure = result.expect_err("deadline");
    assert_eq!(
        failure.message,
        "Amazon Bedrock GetInferenceProfile timed out after 30000 ms"
    );
    assert_eq!(failure.kind, ErrorKind::Timeout);
}
