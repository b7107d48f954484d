//! ConverseStream retries end to end against the local emulator: transient retries with
//! backoff (BR-10..BR-13) and the one-shot self-healing retry (BR-01..BR-07).
//!
//! The learned constraints are process-wide, so every self-heal test uses its own model id.

mod common;

use futures::StreamExt as _;
use std::time::Duration;

use abi_stable::std_types::{ROption, RString, RVec};
use bedrock_emulator::{Emulator, Fault, FaultRule, Operation};
use host_harness::stream::ChatEventStream;
use plugin_api::chat::{ChatOptions, ChatRequest, Message};
use plugin_api::error::ErrorKind;
use plugin_api::event::{ResponseSummary, RetryNotice, StreamEvent, StreamFailure};
use plugin_api::model::ModelDefinition;
use plugin_api::traits::PluginInstanceBox;
use serde_json::{json, Value};

const API: &str = "bedrock-converse-stream";
const PROVIDER: &str = "amazon-bedrock";
const GREETING: &str = "Hello from the Bedrock emulator. You said: hi there";

use common::emulator;

/// Credentials auth against the emulator, tiny backoff delays, discovery off unless `extra`
/// turns it on.
fn config(emu: &Emulator, extra: Value) -> Value {
    let mut merged = json!({"retry": {"baseDelayMs": 1, "maxDelayMs": 5}});
    if let (Some(merged), Value::Object(extra)) = (merged.as_object_mut(), extra) {
        merged.extend(extra);
    }
    common::emulator_plugin_config(emu, merged)
}

fn instance(emu: &Emulator, extra: Value) -> PluginInstanceBox {
    let control_plane = emu.base_url().to_owned();
    common::instance(
        config(emu, extra),
        json!({}),
        &[
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("HOME", "/nonexistent-home"),
            ("AWS_ENDPOINT_URL_BEDROCK", control_plane.as_str()),
        ],
    )
}

fn request(model_id: &str, options: ChatOptions) -> ChatRequest {
    let mut model = ModelDefinition::new(model_id, PROVIDER, API);
    model.input = RVec::from(vec![RString::from("text")]);
    ChatRequest {
        model,
        system_prompt: ROption::RNone,
        messages: RVec::from(vec![Message::user_text("hi there")]),
        tools: RVec::new(),
        options,
    }
}

fn plain(model_id: &str) -> ChatRequest {
    request(model_id, ChatOptions::default())
}

fn done(events: &[StreamEvent]) -> &ResponseSummary {
    match events.last() {
        Some(StreamEvent::Done(summary)) => summary,
        other => panic!("expected done, got {other:?} in {events:?}"),
    }
}

fn failure(events: &[StreamEvent]) -> &StreamFailure {
    match events.last() {
        Some(StreamEvent::Error(failure)) => failure,
        other => panic!("expected error, got {other:?} in {events:?}"),
    }
}

fn retries(events: &[StreamEvent]) -> Vec<RetryNotice> {
    events
        .iter()
        .filter_map(|event| match event {
            StreamEvent::Retry(notice) => Some((**notice).clone()),
            _ => None,
        })
        .collect()
}

fn text(events: &[StreamEvent]) -> String {
    events
        .iter()
        .filter_map(|event| match event {
            StreamEvent::TextDelta { delta, .. } => Some(delta.as_str()),
            _ => None,
        })
        .collect()
}

fn starts(events: &[StreamEvent]) -> usize {
    events
        .iter()
        .filter(|event| matches!(event, StreamEvent::Start { .. }))
        .count()
}

/// The JSON bodies of every ConverseStream request, in order.
fn bodies(emu: &Emulator) -> Vec<Value> {
    emu.requests_for(Operation::ConverseStream)
        .iter()
        .map(|request| request.json().expect("JSON body"))
        .collect()
}

/// The model id of every ConverseStream request, in order.
fn sent_models(emu: &Emulator) -> Vec<String> {
    emu.requests_for(Operation::ConverseStream)
        .iter()
        .map(|request| request.model_id.clone().unwrap_or_default())
        .collect()
}

fn rule(model_id: &str, times: Option<usize>, fault: Fault) -> FaultRule {
    FaultRule {
        operation: Some(Operation::ConverseStream),
        model_id: Some(model_id.to_owned()),
        times,
        fault,
    }
}

fn validation(message: &str) -> Fault {
    Fault::Http {
        status: 400,
        error_type: "ValidationException".into(),
        message: message.into(),
    }
}

fn sampling(temperature: f64, top_p: f64) -> ChatOptions {
    ChatOptions {
        temperature: ROption::RSome(temperature),
        top_p: ROption::RSome(top_p),
        ..ChatOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_10_throttling_is_retried_with_a_status_event() {
    let emu = emulator();
    let model = "amazon.nova-micro-v1:0";
    emu.add_fault(rule(model, Some(1), Fault::throttling()));
    let events = common::run_stream(&instance(&emu, json!({})), plain(model)).await;
    done(&events);
    assert_eq!(text(&events), GREETING);
    let notices = retries(&events);
    assert_eq!(notices.len(), 1, "{events:?}");
    assert_eq!(notices[0].attempt, 2);
    assert_eq!(notices[0].reason.as_str(), "rate_limit");
    // Full jitter in [0, min(5, 1 × 2^0)].
    assert!(notices[0].delay_ms <= 1, "{:?}", notices[0]);
    assert!(
        notices[0]
            .detail
            .starts_with("Throttling error: Too many requests, please wait before trying again."),
        "{:?}",
        notices[0]
    );
    assert!(matches!(events.first(), Some(StreamEvent::Retry(_))));
    assert_eq!(starts(&events), 1);
    assert_eq!(emu.count(Operation::ConverseStream), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_10_transient_http_errors_use_their_reasons() {
    let emu = emulator();
    let model = "amazon.nova-micro-v1:0";
    let plugin = instance(&emu, json!({}));
    for (fault, reason) in [
        (Fault::unavailable(), "overloaded"),
        (Fault::internal(), "server_error"),
        (
            Fault::Http {
                status: 429,
                error_type: "ModelNotReadyException".into(),
                message: "Model is not ready".into(),
            },
            "overloaded",
        ),
    ] {
        emu.add_fault(rule(model, Some(1), fault));
        let events = common::run_stream(&plugin, plain(model)).await;
        done(&events);
        let notices = retries(&events);
        assert_eq!(notices.len(), 1, "{events:?}");
        assert_eq!(notices[0].reason.as_str(), reason);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_10_gives_up_after_max_attempts() {
    let emu = emulator();
    let model = "amazon.nova-lite-v1:0";
    emu.add_fault(rule(model, None, Fault::throttling()));
    let plugin = instance(
        &emu,
        json!({"retry": {"maxAttempts": 2, "baseDelayMs": 1, "maxDelayMs": 5}}),
    );
    let events = common::run_stream(&plugin, plain(model)).await;
    let notices = retries(&events);
    assert_eq!(notices.len(), 1, "{events:?}");
    assert_eq!(notices[0].attempt, 2);
    let error = &failure(&events).error;
    assert_eq!(error.kind(), Some(ErrorKind::RateLimit));
    assert!(error
        .message
        .starts_with("Throttling error: Too many requests"));
    assert_eq!(emu.count(Operation::ConverseStream), 2);

    // The default policy makes 4 attempts.
    let emu = emulator();
    emu.add_fault(rule(model, None, Fault::throttling()));
    let plugin = instance(&emu, json!({"retry": {"baseDelayMs": 1, "maxDelayMs": 2}}));
    let events = common::run_stream(&plugin, plain(model)).await;
    let attempts: Vec<u32> = retries(&events).iter().map(|n| n.attempt).collect();
    assert_eq!(attempts, vec![2, 3, 4]);
    failure(&events);
    assert_eq!(emu.count(Operation::ConverseStream), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_10_mid_stream_throttling_before_output_is_retried_with_one_start() {
    let emu = emulator();
    let model = "amazon.nova-micro-v1:0";
    // messageStart only, then the exception: no host event other than `start` was emitted.
    emu.add_fault(rule(
        model,
        Some(1),
        Fault::InStreamException {
            after_events: 1,
            exception_type: "throttlingException".into(),
            message: "Too many tokens, please wait before trying again.".into(),
        },
    ));
    let events = common::run_stream(&instance(&emu, json!({})), plain(model)).await;
    done(&events);
    assert_eq!(text(&events), GREETING);
    let notices = retries(&events);
    assert_eq!(notices.len(), 1, "{events:?}");
    assert_eq!(notices[0].reason.as_str(), "rate_limit");
    assert_eq!(starts(&events), 1, "{events:?}");
    assert_eq!(emu.count(Operation::ConverseStream), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_12_no_retry_after_output() {
    let emu = emulator();
    let model = "amazon.nova-pro-v1:0";
    emu.add_fault(rule(
        model,
        None,
        Fault::InStreamException {
            after_events: 4,
            exception_type: "throttlingException".into(),
            message: "Too many tokens, please wait before trying again.".into(),
        },
    ));
    let plugin = instance(&emu, json!({}));
    let events = common::run_stream(&plugin, plain(model)).await;
    assert!(retries(&events).is_empty(), "{events:?}");
    assert!(!text(&events).is_empty(), "output came first");
    let error = &failure(&events).error;
    assert_eq!(error.kind(), Some(ErrorKind::RateLimit));
    assert!(!error.retryable);
    // BR-13: throttling is a rate limit, never a context overflow.
    let verdict = plugin.chat_provider().classify_error(error);
    assert_eq!(
        verdict
            .failover
            .as_ref()
            .into_option()
            .and_then(|reason| reason.as_enum().ok().copied()),
        Some(plugin_api::error::FailoverReason::RateLimit)
    );
    assert!(!verdict.context_overflow);
    assert_eq!(emu.count(Operation::ConverseStream), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_11_cancellation_during_the_wait_ends_immediately() {
    let emu = emulator();
    let model = "amazon.nova-micro-v1:0";
    // A fixed wait: the throttle names `Retry-After: 1` and the jitter cap is 1 ms, so the
    // BR-10 delay is exactly 1000 ms (raised to the service's minimum), never a short one the
    // resend could beat the cancellation with.
    emu.add_fault(rule(model, Some(1), Fault::throttling()));
    emu.add_fault(rule(model, Some(1), Fault::RetryAfter { seconds: 1 }));
    let plugin = instance(&emu, json!({"retry": {"baseDelayMs": 1, "maxDelayMs": 1}}));
    let handle = plugin
        .chat_provider()
        .stream_chat(plain(model))
        .into_result()
        .expect("stream starts");
    let mut stream = ChatEventStream::new(handle);
    let first = tokio::time::timeout(Duration::from_secs(20), stream.next())
        .await
        .expect("an event")
        .expect("not ended");
    match first.as_enum() {
        Ok(StreamEvent::Retry(notice)) => {
            assert_eq!((notice.attempt, notice.delay_ms), (2, 1000), "{notice:?}");
            assert_eq!(notice.reason.as_str(), "rate_limit");
        }
        other => panic!("expected a retry notice, got {other:?}"),
    }
    stream.cancel();
    let rest = tokio::time::timeout(Duration::from_millis(500), async {
        let mut rest = Vec::new();
        while let Some(event) = stream.next().await {
            rest.push(event.as_enum().expect("known event").clone());
        }
        rest
    })
    .await
    .expect("cancellation ends the stream at once, well before the 1000 ms wait");
    match rest.as_slice() {
        [StreamEvent::Error(failure)] => assert_eq!(
            failure.summary.stop_reason.as_enum().ok().copied(),
            Some(plugin_api::event::StopReason::Aborted)
        ),
        other => panic!("expected one aborted error, got {other:?}"),
    }
    // Past the point where the resend was due, nothing more was sent.
    tokio::time::sleep(Duration::from_millis(1_300)).await;
    assert_eq!(
        emu.count(Operation::ConverseStream),
        1,
        "no resend after cancel"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_01_temperature_self_heal_and_memory() {
    let emu = emulator();
    let model = "mistral.mistral-large-2407-v1:0";
    emu.add_fault(rule(
        model,
        Some(1),
        validation(
            "The model returned the following errors: `temperature` is deprecated for this model.",
        ),
    ));
    let plugin = instance(&emu, json!({}));
    let options = sampling(0.3, 0.8);
    let original = request(model, options.clone());
    let events = common::run_stream(&plugin, original.clone()).await;
    done(&events);
    assert_eq!(text(&events), GREETING);
    let notices = retries(&events);
    assert_eq!(notices.len(), 1, "{events:?}");
    assert_eq!(notices[0].attempt, 2);
    assert_eq!(notices[0].delay_ms, 0);
    assert_eq!(notices[0].reason.as_str(), "temperature_unsupported");
    let sent = bodies(&emu);
    assert_eq!(sent.len(), 2);
    assert!(sent[0]["inferenceConfig"].get("temperature").is_some());
    assert!(sent[1]["inferenceConfig"].get("temperature").is_none());
    assert!(sent[1]["inferenceConfig"].get("topP").is_none());
    // REQ-06: the caller's request is untouched.
    assert_eq!(original.options.temperature, ROption::RSome(0.3));

    // Remembered: the next request omits the sampling params up front.
    let events = common::run_stream(&plugin, request(model, options)).await;
    done(&events);
    assert!(retries(&events).is_empty(), "{events:?}");
    let sent = bodies(&emu);
    assert_eq!(sent.len(), 3);
    assert!(sent[2]["inferenceConfig"].get("temperature").is_none());
    assert!(sent[2]["inferenceConfig"].get("topP").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_02_top_p_conflict_drops_top_p_and_warns() {
    let emu = emulator();
    let model = "cohere.command-r-plus-v1:0";
    emu.add_fault(rule(
        model,
        Some(1),
        validation("The model returned the following errors: `temperature` and `top_p` cannot both be specified for this model. Please use only one."),
    ));
    let plugin = instance(&emu, json!({}));
    let events = common::run_stream(&plugin, request(model, sampling(0.4, 0.7))).await;
    done(&events);
    let notices = retries(&events);
    assert_eq!(notices.len(), 1, "{events:?}");
    assert_eq!(notices[0].reason.as_str(), "top_p_conflict");
    assert_eq!(notices[0].attempt, 2);
    let sent = bodies(&emu);
    assert_eq!(sent.len(), 2);
    assert!(sent[0]["inferenceConfig"].get("topP").is_some());
    assert!(sent[1]["inferenceConfig"].get("topP").is_none());
    assert!(sent[1]["inferenceConfig"].get("temperature").is_some());
    assert!(!common::warnings_containing(&format!(
        "Amazon Bedrock: {model} does not accept temperature and top_p together; dropping top_p"
    ))
    .is_empty());

    let events = common::run_stream(&plugin, request(model, sampling(0.4, 0.7))).await;
    done(&events);
    assert!(retries(&events).is_empty());
    let sent = bodies(&emu);
    assert!(sent[2]["inferenceConfig"].get("topP").is_none());
    assert!(sent[2]["inferenceConfig"].get("temperature").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_03_profile_only_model_is_retried_with_its_profile() {
    let emu = emulator();
    let model = "anthropic.claude-sonnet-4-6";
    let plugin = instance(&emu, json!({"discovery": {"enabled": true}}));
    let events = common::run_stream(&plugin, plain(model)).await;
    let summary = done(&events);
    assert_eq!(summary.model.as_str(), model);
    assert_eq!(
        summary
            .resolved_model_id
            .as_ref()
            .into_option()
            .map(|id| id.as_str()),
        Some("us.anthropic.claude-sonnet-4-6")
    );
    let notices = retries(&events);
    assert_eq!(notices.len(), 1, "{events:?}");
    assert_eq!(notices[0].attempt, 2);
    assert_eq!(notices[0].delay_ms, 0);
    assert_eq!(notices[0].reason.as_str(), "inference_profile");
    assert_eq!(
        notices[0].detail.as_str(),
        "Retried with inference profile us.anthropic.claude-sonnet-4-6"
    );
    assert_eq!(
        sent_models(&emu),
        vec![
            model.to_owned(),
            "us.anthropic.claude-sonnet-4-6".to_owned()
        ]
    );

    // Remembered: the profile is used up front.
    let events = common::run_stream(&plugin, plain(model)).await;
    let summary = done(&events);
    assert!(retries(&events).is_empty());
    assert_eq!(
        summary
            .resolved_model_id
            .as_ref()
            .into_option()
            .map(|id| id.as_str()),
        Some("us.anthropic.claude-sonnet-4-6")
    );
    assert_eq!(sent_models(&emu).len(), 3);
    assert_eq!(sent_models(&emu)[2], "us.anthropic.claude-sonnet-4-6");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_03_without_a_usable_profile_the_error_is_extended() {
    let emu = emulator();
    let model = "meta.llama3-3-70b-instruct-v1:0";
    let plugin = instance(
        &emu,
        json!({
            "discovery": {"enabled": true},
            "awsUseCrossRegionInference": false,
            "awsUseGlobalInference": false
        }),
    );
    let events = common::run_stream(&plugin, plain(model)).await;
    assert!(retries(&events).is_empty(), "{events:?}");
    // Real Bedrock (and the emulator since it follows the recordings) writes `isn’t` with a
    // typographic apostrophe; the spec quotes it with an ASCII one. Either passes through.
    let message = failure(&events)
        .error
        .message
        .to_string()
        .replace('\u{2019}', "'");
    assert!(
        message.starts_with("Validation error: Invocation of model ID meta.llama3-3-70b-instruct-v1:0 with on-demand throughput isn't supported."),
        "{message}"
    );
    assert!(
        message.contains(
            " (no usable inference profile found for meta.llama3-3-70b-instruct-v1:0 in us-east-1)"
        ),
        "{message}"
    );
    assert_eq!(emu.count(Operation::ConverseStream), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_04_invalid_identifier_without_a_profile() {
    let emu = emulator();
    let model = "anthropic.claude-made-up-v9:0";
    let events = common::run_stream(&instance(&emu, json!({})), plain(model)).await;
    assert!(retries(&events).is_empty(), "{events:?}");
    let message = failure(&events).error.message.to_string();
    assert!(
        message.starts_with("Validation error: The provided model identifier is invalid. (anthropic.claude-made-up-v9:0 is not available in us-east-1; check model access or use an inference profile id)"),
        "{message}"
    );
    assert_eq!(emu.count(Operation::ConverseStream), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_04_invalid_identifier_with_a_matching_profile_is_retried() {
    let emu = emulator();
    let model = "anthropic.claude-haiku-4-5-20251001-v1:0";
    emu.add_fault(rule(
        model,
        Some(1),
        validation("The provided model identifier is invalid."),
    ));
    let plugin = instance(&emu, json!({"discovery": {"enabled": true}}));
    let events = common::run_stream(&plugin, plain(model)).await;
    let summary = done(&events);
    let notices = retries(&events);
    assert_eq!(notices.len(), 1, "{events:?}");
    assert_eq!(notices[0].reason.as_str(), "inference_profile");
    assert_eq!(
        summary
            .resolved_model_id
            .as_ref()
            .into_option()
            .map(|id| id.as_str()),
        Some("us.anthropic.claude-haiku-4-5-20251001-v1:0")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_05_max_tokens_clamped() {
    let emu = emulator();
    let model = "mistral.mistral-7b-instruct-v0:2";
    emu.add_fault(rule(
        model,
        Some(1),
        validation("max_tokens: 200000 > 64000, which is the maximum allowed number of output tokens for mistral-7b"),
    ));
    let options = ChatOptions {
        max_tokens: ROption::RSome(200_000),
        ..ChatOptions::default()
    };
    let mut chat = request(model, options);
    chat.model.max_tokens = 200_000;
    let events = common::run_stream(&instance(&emu, json!({})), chat).await;
    done(&events);
    let notices = retries(&events);
    assert_eq!(notices.len(), 1, "{events:?}");
    assert_eq!(notices[0].reason.as_str(), "max_tokens_clamped");
    assert_eq!(notices[0].attempt, 2);
    let sent = bodies(&emu);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0]["inferenceConfig"]["maxTokens"], json!(200_000));
    assert_eq!(sent[1]["inferenceConfig"]["maxTokens"], json!(64_000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_06_self_heal_happens_once_and_not_when_disabled() {
    // A second self-healable failure is returned as is.
    let emu = emulator();
    let model = "ai21.j2-ultra-v1";
    emu.add_fault(rule(
        model,
        None,
        validation(
            "The model returned the following errors: `temperature` is deprecated for this model.",
        ),
    ));
    let events = common::run_stream(
        &instance(&emu, json!({})),
        request(model, sampling(0.2, 0.5)),
    )
    .await;
    let notices = retries(&events);
    assert_eq!(notices.len(), 1, "{events:?}");
    assert!(failure(&events)
        .error
        .message
        .contains("`temperature` is deprecated"));
    assert_eq!(emu.count(Operation::ConverseStream), 2);

    // `retry.selfHeal: false`: no resend.
    let emu = emulator();
    let model = "meta.llama3-70b-instruct-v1:0";
    emu.add_fault(rule(
        model,
        None,
        validation(
            "The model returned the following errors: `temperature` is deprecated for this model.",
        ),
    ));
    let plugin = instance(&emu, json!({"retry": {"selfHeal": false}}));
    let events = common::run_stream(&plugin, request(model, sampling(0.2, 0.5))).await;
    assert!(retries(&events).is_empty(), "{events:?}");
    failure(&events);
    assert_eq!(emu.count(Operation::ConverseStream), 1);
}

/// BR-07's accounting with `maxAttempts: 2`: a counted failure, a self-heal resend (not
/// counted), then a counted failure that exhausts the attempts. The self-heal here is the
/// profile substitution, because the emulator's fault rules can tell the sends apart only by
/// model id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_07_attempt_numbering_example() {
    let emu = emulator();
    let model = "amazon.nova-2-lite-v1:0";
    let profile = "us.amazon.nova-2-lite-v1:0";
    // Send 1 (base id): throttled. Send 2 (base id): the emulator's own on-demand error.
    // Send 3 (profile): throttled.
    emu.add_fault(rule(model, Some(1), Fault::throttling()));
    emu.add_fault(rule(profile, None, Fault::throttling()));
    let plugin = instance(
        &emu,
        json!({
            "discovery": {"enabled": true},
            "retry": {"maxAttempts": 2, "baseDelayMs": 1, "maxDelayMs": 5}
        }),
    );
    let events = common::run_stream(&plugin, plain(model)).await;
    let notices: Vec<(u32, String)> = retries(&events)
        .iter()
        .map(|notice| (notice.attempt, notice.reason.to_string()))
        .collect();
    assert_eq!(
        notices,
        vec![
            (2, "rate_limit".to_owned()),
            (3, "inference_profile".to_owned())
        ],
        "{events:?}"
    );
    assert_eq!(retries(&events)[1].delay_ms, 0);
    let error = &failure(&events).error;
    assert_eq!(error.kind(), Some(ErrorKind::RateLimit));
    assert_eq!(
        sent_models(&emu),
        vec![model.to_owned(), model.to_owned(), profile.to_owned()]
    );
}

fn throttle(message: &str) -> Fault {
    Fault::Http {
        status: 429,
        error_type: "ThrottlingException".into(),
        message: message.into(),
    }
}

const NOVA: &str = "amazon.nova-micro-v1:0";
const NOVA_US: &str = "us.amazon.nova-micro-v1:0";

fn resolved(summary: &ResponseSummary) -> Option<&str> {
    summary
        .resolved_model_id
        .as_ref()
        .into_option()
        .map(|id| id.as_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_15_twice_throttled_on_demand_model_fails_over_to_its_profile_and_remembers_it() {
    let emu = emulator();
    emu.add_fault(rule(
        NOVA,
        Some(2),
        throttle("Too many requests, please wait before trying again."),
    ));
    let plugin = instance(&emu, json!({"discovery": {"enabled": true}}));
    let events = common::run_stream(&plugin, plain(NOVA)).await;
    let summary = done(&events);
    assert_eq!(resolved(summary), Some(NOVA_US));
    assert_eq!(sent_models(&emu), [NOVA, NOVA, NOVA_US]);
    let notices = retries(&events);
    assert_eq!(notices.len(), 2, "{events:?}");
    assert_eq!(
        (notices[0].attempt, notices[0].reason.as_str()),
        (2, "rate_limit")
    );
    assert_eq!(
        (
            notices[1].attempt,
            notices[1].reason.as_str(),
            notices[1].detail.as_str()
        ),
        (3, "rate_limit", "failover to us.amazon.nova-micro-v1:0")
    );
    assert!(
        notices[1].delay_ms <= 1,
        "at most retry.baseDelayMs: {}",
        notices[1].delay_ms
    );
    assert_eq!(text(&events), GREETING);

    // Remembered: the next request goes to the profile at once.
    let events = common::run_stream(&plugin, plain(NOVA)).await;
    assert!(retries(&events).is_empty(), "{events:?}");
    assert_eq!(resolved(done(&events)), Some(NOVA_US));
    assert_eq!(sent_models(&emu)[3], NOVA_US);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_15_failover_memory_zero_disables_failover() {
    let emu = emulator();
    emu.add_fault(rule(
        NOVA,
        None,
        throttle("Too many requests, please wait before trying again."),
    ));
    let plugin = instance(
        &emu,
        json!({"discovery": {"enabled": true}, "retry": {"maxAttempts": 3, "baseDelayMs": 1, "maxDelayMs": 5, "failoverMemoryMs": 0}}),
    );
    let events = common::run_stream(&plugin, plain(NOVA)).await;
    failure(&events);
    assert_eq!(sent_models(&emu), [NOVA, NOVA, NOVA]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_15_br_16_daily_quota_fails_over_at_once_without_waiting() {
    let emu = emulator();
    emu.add_fault(rule(
        NOVA,
        Some(1),
        throttle("Too many tokens per day, please wait before trying again."),
    ));
    let plugin = instance(&emu, json!({"discovery": {"enabled": true}}));
    let events = common::run_stream(&plugin, plain(NOVA)).await;
    assert_eq!(resolved(done(&events)), Some(NOVA_US));
    assert_eq!(sent_models(&emu), [NOVA, NOVA_US]);
    let notices = retries(&events);
    assert_eq!(notices.len(), 1, "{events:?}");
    assert_eq!(
        (
            notices[0].attempt,
            notices[0].delay_ms,
            notices[0].reason.as_str(),
            notices[0].detail.as_str()
        ),
        (2, 0, "rate_limit", "failover to us.amazon.nova-micro-v1:0")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_15_profiles_and_arns_never_fail_over() {
    let emu = emulator();
    emu.add_fault(rule(
        NOVA_US,
        None,
        throttle("Too many requests, please wait before trying again."),
    ));
    let plugin = instance(
        &emu,
        json!({"discovery": {"enabled": true}, "retry": {"maxAttempts": 3, "baseDelayMs": 1, "maxDelayMs": 5}}),
    );
    let events = common::run_stream(&plugin, plain(NOVA_US)).await;
    failure(&events);
    assert_eq!(sent_models(&emu), [NOVA_US, NOVA_US, NOVA_US]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_96_mixed_tool_result_turn_is_resent_separated_once() {
    use plugin_api::chat::AssistantBlock;
    let emu = emulator();
    emu.add_fault(rule(
        NOVA,
        Some(1),
        validation(
            "Conversation blocks and tool result blocks cannot be provided in the same turn.",
        ),
    ));
    let plugin = instance(&emu, json!({}));
    let mut chat = with_weather_tool(plain(NOVA));
    chat.messages = RVec::from(vec![
        Message::user_text("what is the weather?"),
        common::assistant(
            NOVA,
            vec![AssistantBlock::ToolCall {
                id: "t1".into(),
                name: "weather".into(),
                arguments_json: "{}".into(),
            }],
        ),
        common::tool_result("t1", "weather", "sunny"),
        Message::user_text("and tomorrow?"),
    ]);
    let events = common::run_stream(&plugin, chat).await;
    done(&events);
    let notices = retries(&events);
    assert_eq!(notices.len(), 1, "{events:?}");
    assert_eq!(notices[0].reason.as_str(), "capability");
    let sent = bodies(&emu);
    assert_eq!(sent.len(), 2);
    let roles: Vec<&str> = sent[1]["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|message| message["role"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(roles, ["user", "assistant", "user", "assistant", "user"]);
    assert_eq!(
        sent[1]["messages"][3]["content"],
        json!([{"text": "Tool result received."}])
    );
}

const LLAMA: &str = "us.meta.llama3-3-70b-instruct-v1:0";

fn with_weather_tool(mut chat: ChatRequest) -> ChatRequest {
    chat.tools = RVec::from(vec![common::tool(
        "weather",
        json!({"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}}),
    )]);
    chat.messages = RVec::from(vec![Message::user_text("!tool=weather in Paris")]);
    chat
}

fn tool_calls(events: &[StreamEvent]) -> Vec<(String, String)> {
    events
        .iter()
        .filter_map(|event| match event {
            StreamEvent::ToolCallEnd {
                name,
                arguments_json,
                ..
            } => Some((name.to_string(), arguments_json.to_string())),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_95_model_without_streaming_tool_use_is_answered_through_converse_and_remembered() {
    let emu = emulator();
    let plugin = instance(&emu, json!({}));
    let events = common::run_stream(&plugin, with_weather_tool(plain(LLAMA))).await;
    let summary = done(&events);
    assert_eq!(
        common::event_names(&events),
        [
            "retry",
            "start",
            "toolcall_start",
            "toolcall_delta",
            "toolcall_end",
            "usage",
            "done"
        ]
    );
    let notices = retries(&events);
    assert_eq!(
        (
            notices[0].attempt,
            notices[0].delay_ms,
            notices[0].reason.as_str(),
            notices[0].detail.as_str()
        ),
        (
            2,
            0,
            "capability",
            "model does not stream tool use; using Converse"
        )
    );
    assert_eq!(
        tool_calls(&events),
        [(
            "weather".to_owned(),
            r#"{"city":"emulator","days":42}"#.to_owned()
        )]
    );
    assert_eq!(
        summary.stop_reason.as_enum().ok().copied(),
        Some(plugin_api::event::StopReason::ToolUse)
    );
    assert_eq!(emu.requests_for(Operation::ConverseStream).len(), 1);
    assert_eq!(emu.requests_for(Operation::Converse).len(), 1);

    // Remembered: the next request with tools goes to Converse at once …
    let events = common::run_stream(&plugin, with_weather_tool(plain(LLAMA))).await;
    done(&events);
    assert!(retries(&events).is_empty(), "{events:?}");
    assert_eq!(emu.requests_for(Operation::ConverseStream).len(), 1);
    assert_eq!(emu.requests_for(Operation::Converse).len(), 2);
    // … and one without tools keeps streaming.
    let events = common::run_stream(&plugin, plain(LLAMA)).await;
    assert_eq!(text(&events), GREETING);
    assert_eq!(emu.requests_for(Operation::ConverseStream).len(), 2);
}
