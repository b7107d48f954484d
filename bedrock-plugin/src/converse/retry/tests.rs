use super::*;
use crate::config::RetryPolicy;
use aws_sdk_bedrockruntime::types::InferenceConfiguration;
use plugin_api::error::ErrorKind;
use plugin_api::error::PluginError;
use std::collections::HashMap;
use std::time::Duration;

fn policy(base_ms: u64, max_ms: u64) -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(base_ms),
        max_delay: Duration::from_millis(max_ms),
        self_heal: true,
    }
}

fn validation(message: &str) -> BedrockError {
    BedrockError::service("ValidationException", Some(message), None, None)
}

#[test]
fn br_10_delay_caps_double_up_to_the_maximum() {
    let policy = policy(1000, 4000);
    let caps: Vec<u64> = (1..=6)
        .map(|n| delay_cap(&policy, n).as_millis() as u64)
        .collect();
    assert_eq!(caps, vec![0, 1000, 2000, 4000, 4000, 4000]);
    assert_eq!(delay_cap(&policy, 200), Duration::from_millis(4000));
}

#[test]
fn br_10_full_jitter_stays_within_zero_and_the_cap() {
    let policy = policy(1000, 4000);
    // The largest random value maps to the cap, zero to zero.
    let mut high = || 1000u64;
    assert_eq!(
        backoff_delay(&policy, 2, None, &mut high),
        Duration::from_millis(1000)
    );
    let mut zero = || 0u64;
    assert_eq!(backoff_delay(&policy, 4, None, &mut zero), Duration::ZERO);
    let mut max = || 4000u64;
    assert_eq!(
        backoff_delay(&policy, 4, None, &mut max),
        Duration::from_millis(4000)
    );
    let mut jitter = Jitter::new(7);
    for n in 2..10 {
        let cap = delay_cap(&policy, n);
        for _ in 0..200 {
            let delay = backoff_delay(&policy, n, None, &mut || jitter.next_u64());
            assert!(delay <= cap, "{delay:?} > {cap:?}");
        }
    }
}

#[test]
fn br_10_retry_after_is_a_minimum() {
    let policy = policy(1000, 4000);
    let mut zero = || 0u64;
    assert_eq!(
        backoff_delay(&policy, 2, Some(Duration::from_secs(3)), &mut zero),
        Duration::from_secs(3)
    );
    let mut high = || 999u64;
    assert_eq!(
        backoff_delay(&policy, 2, Some(Duration::from_millis(10)), &mut high),
        Duration::from_millis(999)
    );
    assert_eq!(parse_retry_after(" 2 "), Some(Duration::from_secs(2)));
    assert_eq!(parse_retry_after("0.5"), Some(Duration::from_millis(500)));
    assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    assert_eq!(parse_retry_after("-1"), None);
}

#[test]
fn br_10_13_classification() {
    let fresh = FailurePhase {
        saw_event: false,
        emitted_output: false,
    };
    let started = FailurePhase {
        saw_event: true,
        emitted_output: false,
    };
    let output = FailurePhase {
        saw_event: true,
        emitted_output: true,
    };
    let throttled = BedrockError::service(
        "ThrottlingException",
        Some("Too many tokens, please wait before trying again."),
        None,
        None,
    );
    assert_eq!(
        transient_reason(&throttled, fresh),
        Some(RetryReason::RateLimit)
    );
    assert_eq!(
        transient_reason(&throttled, started),
        Some(RetryReason::RateLimit)
    );
    assert_eq!(transient_reason(&throttled, output), None);
    let busy = BedrockError::service("ServiceUnavailableException", Some("x"), None, None);
    assert_eq!(
        transient_reason(&busy, fresh),
        Some(RetryReason::Overloaded)
    );
    let server = BedrockError::service("InternalServerException", Some("x"), None, None);
    assert_eq!(
        transient_reason(&server, started),
        Some(RetryReason::ServerError)
    );
    let reset = BedrockError::Transport {
        message: "reset".into(),
        kind: ErrorKind::Network,
        retryable: true,
        code: None,
        request_id: None,
        before_stream: true,
    };
    assert_eq!(
        transient_reason(&reset, fresh),
        Some(RetryReason::Transport)
    );
    assert_eq!(transient_reason(&reset, started), None);
    assert_eq!(transient_reason(&validation("nope"), fresh), None);
    let overflow = BedrockError::Service(crate::error::ServiceException {
        kind: ErrorKind::ContextOverflow,
        retryable: true,
        ..crate::error::ServiceException::new("InternalServerException", Some("x"), None, None)
    });
    assert_eq!(transient_reason(&overflow, fresh), None);
}

#[test]
fn br_01_to_05_detection() {
    assert_eq!(
            detect_self_heal(
                &validation("The model returned the following errors: `temperature` is deprecated for this model."),
                None
            ),
            Some(SelfHeal::TemperatureUnsupported)
        );
    assert_eq!(
        detect_self_heal(&validation("deprecated: temperature"), None),
        Some(SelfHeal::TemperatureUnsupported)
    );
    assert_eq!(
            detect_self_heal(
                &validation("The model returned the following errors: `temperature` and `top_p` cannot both be specified for this model. Please use only one."),
                None
            ),
            Some(SelfHeal::TopPConflict)
        );
    assert_eq!(
            detect_self_heal(
                &validation("Invocation of model ID anthropic.claude-sonnet-4-6 with on-demand throughput isn't supported. Retry your request with the ID or ARN of an inference profile that contains this model."),
                None
            ),
            Some(SelfHeal::InferenceProfile { invalid_id: false })
        );
    assert_eq!(
        detect_self_heal(
            &validation("The provided model identifier is invalid."),
            None
        ),
        Some(SelfHeal::InferenceProfile { invalid_id: true })
    );
    assert_eq!(
            detect_self_heal(
                &validation("max_tokens: 200000 > 64000, which is the maximum allowed number of output tokens for claude-sonnet-4-5-20250929"),
                Some(200_000)
            ),
            Some(SelfHeal::MaxTokensClamped(64000))
        );
    assert_eq!(
        detect_self_heal(
            &validation(
                "The maximum tokens you requested exceeds the model limit of 8192. Try again."
            ),
            Some(10_000)
        ),
        Some(SelfHeal::MaxTokensClamped(8192))
    );
    // BR-06: other validation errors and other kinds do not self-heal.
    assert_eq!(
        detect_self_heal(&validation("Malformed input request"), None),
        None
    );
    let throttled = BedrockError::service(
        "ThrottlingException",
        Some("temperature deprecated"),
        None,
        None,
    );
    assert_eq!(detect_self_heal(&throttled, None), None);
    // BR-05 without a smaller integer, or without a requested value: no self-heal.
    assert_eq!(
        detect_self_heal(
            &validation("max tokens must be less than the limit"),
            Some(10)
        ),
        None
    );
    assert_eq!(
        detect_self_heal(&validation("max_tokens: 5 > 4"), None),
        None
    );
}

#[test]
fn br_05_edge_case_picks_the_date_in_the_model_name() {
    let message = "Validation error: max_tokens: 100000000 > 64000, which is the maximum allowed number of output tokens for claude-sonnet-4-5-20250929";
    assert_eq!(clamped_max_tokens(message, 100_000_000), Some(20_250_929));
    assert_eq!(
        detect_self_heal(
            &validation(&message["Validation error: ".len()..]),
            Some(100_000_000)
        ),
        Some(SelfHeal::MaxTokensClamped(20_250_929))
    );
    // The request id suffix is not a limit.
    assert_eq!(
        clamped_max_tokens("max_tokens: 9 > 8 [request id 7]", 9),
        Some(8)
    );
}

#[test]
fn br_03_04_extensions_keep_the_request_id_suffix_last() {
    let error = BedrockError::service(
        "ValidationException",
        Some("The provided model identifier is invalid."),
        None,
        Some("abc"),
    );
    assert_eq!(
            PluginError::from(not_available_error(error, "m", "us-west-2"))
                .message
                .as_str(),
            "Validation error: The provided model identifier is invalid. (m is not available in us-west-2; check model access or use an inference profile id) [request id abc]"
        );
    let error = validation("Invocation … isn't supported.");
    assert_eq!(
            PluginError::from(no_profile_error(error, "m", "eu-west-1"))
                .message
                .as_str(),
            "Validation error: Invocation … isn't supported. (no usable inference profile found for m in eu-west-1)"
        );
}

fn input() -> ConverseInput {
    let mut fields = HashMap::new();
    fields.insert("top_k".to_owned(), Document::from(5u64));
    ConverseInput {
        model_id: "m".into(),
        system: Vec::new(),
        messages: Vec::new(),
        inference_config: InferenceConfiguration::builder()
            .max_tokens(100)
            .temperature(0.5)
            .top_p(0.9)
            .build(),
        tool_config: None,
        request_metadata: None,
        guardrail_config: None,
        service_tier: None,
        additional_model_request_fields: Some(Document::Object(fields)),
        additional_model_response_field_paths: None,
        performance_config: None,
        output_config: None,
        request_max_tokens_cap: None,
        notices: Vec::new(),
    }
}

#[test]
fn br_01_02_reshaping_and_memory() {
    let mut shaped = input();
    drop_sampling(&mut shaped);
    assert_eq!(shaped.inference_config.temperature, None);
    assert_eq!(shaped.inference_config.top_p, None);
    assert_eq!(shaped.inference_config.max_tokens, Some(100));
    assert_eq!(shaped.additional_model_request_fields, None);

    let mut shaped = input();
    drop_top_p(&mut shaped);
    assert_eq!(shaped.inference_config.temperature, Some(0.5));
    assert_eq!(shaped.inference_config.top_p, None);

    let model = "unit.test-memory-model";
    let learned = LearnedCorrections::default();
    learned.learn(model, |known| {
        known.no_top_p = true;
        known.max_tokens = Some(50);
        known
            .profiles
            .insert("us-east-1".into(), "us.unit.test-memory-model".into());
    });
    let mut shaped = input();
    assert_eq!(
        apply_learned(&mut shaped, &learned, model, "us-east-1").as_deref(),
        Some("us.unit.test-memory-model")
    );
    assert_eq!(shaped.model_id, "us.unit.test-memory-model");
    assert_eq!(shaped.inference_config.top_p, None);
    assert_eq!(shaped.inference_config.temperature, Some(0.5));
    assert_eq!(shaped.inference_config.max_tokens, Some(50));
    let mut elsewhere = input();
    assert_eq!(
        apply_learned(&mut elsewhere, &learned, model, "eu-west-1"),
        None
    );
    assert_eq!(elsewhere.model_id, "m");
}

#[test]
fn static_patterns_compile() {
    // Forcing each static compiles its constant pattern.
    assert!(!MAX_TOKENS_PATTERN.as_str().is_empty());
}

#[test]
fn br_10_plg_11_oversized_delays_never_wait_beyond_the_max_delay_maximum() {
    // A policy built in code with u64::MAX milliseconds: the reported
    // `[retry 2 in 16646325895702250602 ms: rate_limit]` cannot happen any more.
    let policy = policy(u64::MAX, u64::MAX);
    for attempt in [2, 3, 10, u32::MAX] {
        assert_eq!(
            delay_cap(&policy, attempt),
            Duration::from_millis(3_600_000),
            "{attempt}"
        );
    }
    let mut max = || u64::MAX;
    assert!(backoff_delay(&policy, 2, None, &mut max) <= Duration::from_millis(3_600_000));
    // Through the config: parsing rejects such values, and a config built in code is clamped.
    let mut config = crate::config::PluginConfig::default();
    config.retry = Some(crate::config::RetryConfig {
        base_delay_ms: Some(u64::MAX),
        max_delay_ms: Some(u64::MAX),
        ..Default::default()
    });
    let clamped = config.retry_policy();
    assert_eq!(clamped.base_delay, Duration::from_millis(600_000));
    assert_eq!(delay_cap(&clamped, 2), Duration::from_millis(600_000));
    assert_eq!(delay_cap(&clamped, 4), Duration::from_millis(2_400_000));
    assert_eq!(delay_cap(&clamped, 5), Duration::from_millis(3_600_000));
}

fn mixed_turn_input() -> ConverseInput {
    use aws_sdk_bedrockruntime::types::{
        ContentBlock, ConversationRole, Message, ToolResultBlock, ToolResultContentBlock,
    };
    let mut shaped = input();
    shaped.messages = vec![Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::ToolResult(
            ToolResultBlock::builder()
                .tool_use_id("t1")
                .content(ToolResultContentBlock::Text("42".into()))
                .build()
                .unwrap(),
        ))
        .content(ContentBlock::Text("thanks".into()))
        .build()
        .unwrap()];
    shaped
}

#[test]
fn br_96_detection_reshaping_and_memory() {
    assert!(needs_tool_result_separation(&validation(
        "Conversation blocks and tool result blocks cannot be provided in the same turn."
    )));
    assert!(!needs_tool_result_separation(&BedrockError::service(
        "ThrottlingException",
        Some("Conversation blocks and tool result blocks cannot be provided in the same turn."),
        None,
        None
    )));
    assert!(!needs_tool_result_separation(&validation(
        "Malformed input request"
    )));
    assert_eq!(TURN_SEPARATION_REASON, "capability");

    let model = "unit.test-separation-model";
    let learned = LearnedCorrections::default();
    let mut shaped = mixed_turn_input();
    assert!(separate_tool_results(&mut shaped, &learned, model));
    assert_eq!(shaped.messages.len(), 3);
    assert!(learned.get(model).separate_tool_results);
    // Nothing left to separate: no resend can help, nothing more is learned.
    assert!(!separate_tool_results(&mut shaped, &learned, "other.model"));
    assert!(!learned.get("other.model").separate_tool_results);

    // Later requests for the model are built separated from the start.
    let mut later = mixed_turn_input();
    apply_learned(&mut later, &learned, model, "us-east-1");
    assert_eq!(later.messages, shaped.messages);
    let mut other = mixed_turn_input();
    apply_learned(&mut other, &learned, "other.model", "us-east-1");
    assert_eq!(other.messages.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn br_15_a_remembered_failover_shapes_requests_until_its_memory_expires() {
    use crate::converse::learned::Failover;
    let learned = LearnedCorrections::default();
    let until = tokio::time::Instant::now() + std::time::Duration::from_millis(300_000);
    learned.learn("amazon.nova-micro-v1:0", |known| {
        known.failovers.insert(
            "us-east-1".to_owned(),
            Failover {
                profile: "us.amazon.nova-micro-v1:0".to_owned(),
                until,
            },
        );
    });
    let mut sent = input();
    sent.model_id = "amazon.nova-micro-v1:0".to_owned();
    let resolved = apply_learned(&mut sent, &learned, "amazon.nova-micro-v1:0", "us-east-1");
    assert_eq!(resolved.as_deref(), Some("us.amazon.nova-micro-v1:0"));
    assert_eq!(sent.model_id, "us.amazon.nova-micro-v1:0");
    // Another region has no failover.
    let mut elsewhere = input();
    elsewhere.model_id = "amazon.nova-micro-v1:0".to_owned();
    assert_eq!(
        apply_learned(
            &mut elsewhere,
            &learned,
            "amazon.nova-micro-v1:0",
            "eu-west-1"
        ),
        None
    );

    // After retry.failoverMemoryMs, on-demand is tried again.
    tokio::time::advance(std::time::Duration::from_millis(300_000)).await;
    let mut later = input();
    later.model_id = "amazon.nova-micro-v1:0".to_owned();
    assert_eq!(
        apply_learned(&mut later, &learned, "amazon.nova-micro-v1:0", "us-east-1"),
        None
    );
    assert_eq!(later.model_id, "amazon.nova-micro-v1:0");
}
