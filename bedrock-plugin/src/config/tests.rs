use super::*;
use std::time::Duration;

#[test]
fn cfg_static_patterns_compile_and_match() {
    assert!(REGION_RE.is_match("us-gov-west-1"));
    assert!(!REGION_RE.is_match("US-EAST-1"));
    assert!(ENDPOINT_RE.is_match("https://bedrock.example"));
    assert!(!ENDPOINT_RE.is_match("ftp://bedrock.example"));
    assert!(GUARDRAIL_VERSION_RE.is_match("DRAFT"));
    assert!(!GUARDRAIL_VERSION_RE.is_match("0"));
}

fn parse_error(value: serde_json::Value) -> (String, String) {
    match PluginConfig::from_json(&value) {
        Ok(config) => panic!("accepted: {config:?}"),
        Err(err) => (err.path().to_owned(), err.message().to_owned()),
    }
}

fn rejected(path: &str, message: &str) -> (String, String) {
    (path.to_owned(), message.to_owned())
}

#[test]
fn plg_11_refresh_interval_u64_max_is_rejected_with_its_range() {
    assert_eq!(
        parse_error(serde_json::json!({"discovery": {"refreshInterval": u64::MAX}})),
        rejected("discovery.refreshInterval", "must be <= 31536000")
    );
    assert!(PluginConfig::from_json(
        &serde_json::json!({"discovery": {"refreshInterval": 31_536_000}})
    )
    .is_ok());
}

#[test]
fn plg_11_retry_delays_beyond_their_maxima_are_rejected() {
    assert_eq!(
        parse_error(serde_json::json!({"retry": {"baseDelayMs": u64::MAX}})),
        rejected("retry.baseDelayMs", "must be <= 600000")
    );
    assert_eq!(
        parse_error(serde_json::json!({"retry": {"maxDelayMs": 3_600_001u64}})),
        rejected("retry.maxDelayMs", "must be <= 3600000")
    );
    assert_eq!(
        parse_error(serde_json::json!({"retry": {"failoverMemoryMs": 86_400_001u64}})),
        rejected("retry.failoverMemoryMs", "must be <= 86400000")
    );
    assert_eq!(
        parse_error(serde_json::json!({"retry": {"maxAttempts": 5_000_000_000u64}})),
        rejected("retry.maxAttempts", "must be <= 10")
    );
}

#[test]
fn plg_11_timeouts_and_token_counts_beyond_their_maxima_are_rejected() {
    assert_eq!(
        parse_error(serde_json::json!({"timeouts": {"streamIdleMs": 3_600_001u64}})),
        rejected("timeouts.streamIdleMs", "must be <= 3600000")
    );
    assert_eq!(
        parse_error(serde_json::json!({"timeouts": {"connectMs": 600_001u64}})),
        rejected("timeouts.connectMs", "must be <= 600000")
    );
    assert_eq!(
        parse_error(serde_json::json!({"timeouts": {"connectMs": 99}})),
        rejected("timeouts.connectMs", "must be >= 100")
    );
    assert_eq!(
        parse_error(serde_json::json!({"thinkingBudgetTokens": 1_000_001u64})),
        rejected("thinkingBudgetTokens", "must be <= 1000000")
    );
    assert_eq!(
        parse_error(serde_json::json!({"requestMaxTokens": 1_000_001u64})),
        rejected("requestMaxTokens", "must be <= 1000000")
    );
    assert_eq!(
        parse_error(serde_json::json!({"requestMaxTokens": 0})),
        rejected("requestMaxTokens", "must be >= 1")
    );
    assert_eq!(
        parse_error(serde_json::json!({"discovery": {"defaultMaxTokens": 1_000_001u64}})),
        rejected("discovery.defaultMaxTokens", "must be <= 1000000")
    );
    assert_eq!(
        parse_error(serde_json::json!({"discovery": {"defaultContextWindow": 100_000_001u64}})),
        rejected("discovery.defaultContextWindow", "must be <= 100000000")
    );
}

#[test]
fn cfg_10_integers_outside_u64_get_the_host_wording() {
    assert_eq!(
        parse_error(serde_json::json!({"discovery": {"refreshInterval": -1}})),
        rejected("discovery.refreshInterval", "must be >= 0")
    );
    assert_eq!(
        parse_error(serde_json::json!({"discovery": {"refreshInterval": 1.5}})),
        rejected("discovery.refreshInterval", "expected integer, got number")
    );
    // 2^64 and beyond do not fit u64 but are still integers above the maximum.
    for text in [
        r#"{"retry": {"baseDelayMs": 18446744073709551616}}"#,
        r#"{"retry": {"baseDelayMs": 1000000000000000000000000000000000000000000}}"#,
    ] {
        let too_big: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
        assert_eq!(
            parse_error(too_big),
            rejected("retry.baseDelayMs", "must be <= 600000")
        );
    }
    let too_small: serde_json::Value = serde_json::from_str(
        r#"{"timeouts": {"connectMs": -100000000000000000000000000000000000000000}}"#,
    )
    .expect("valid JSON");
    assert_eq!(
        parse_error(too_small),
        rejected("timeouts.connectMs", "must be >= 100")
    );
    assert_eq!(
        parse_error(serde_json::json!({"retry": {"maxAttempts": 2.0}})),
        rejected("retry.maxAttempts", "expected integer, got number")
    );
}

#[test]
fn plg_11_accessors_clamp_a_config_built_in_code() {
    let config = PluginConfig {
        discovery: Some(DiscoveryConfig {
            refresh_interval: Some(u64::MAX),
            default_context_window: Some(u64::MAX),
            default_max_tokens: Some(0),
            ..DiscoveryConfig::default()
        }),
        thinking_budget_tokens: Some(u64::MAX),
        request_max_tokens: Some(u64::MAX),
        timeouts: Some(TimeoutsConfig {
            connect_ms: Some(u64::MAX),
            stream_idle_ms: Some(0),
        }),
        retry: Some(RetryConfig {
            max_attempts: Some(u64::MAX),
            base_delay_ms: Some(u64::MAX),
            max_delay_ms: Some(u64::MAX),
            failover_memory_ms: Some(u64::MAX),
            self_heal: None,
        }),
        ..PluginConfig::default()
    };
    assert_eq!(config.refresh_interval_secs(), 31_536_000);
    assert_eq!(config.default_context_window(), 100_000_000);
    assert_eq!(config.default_max_tokens(), 1);
    assert_eq!(config.thinking_budget_tokens(), Some(1_000_000));
    assert_eq!(config.request_max_tokens(), 1_000_000);
    assert_eq!(config.connect_timeout(), Duration::from_millis(600_000));
    assert_eq!(config.stream_idle_timeout(), Duration::from_millis(1000));
    assert_eq!(config.retry_max_attempts(), 10);
    assert_eq!(config.retry_base_delay(), Duration::from_millis(600_000));
    assert_eq!(config.retry_max_delay(), Duration::from_millis(3_600_000));
    assert_eq!(
        config.retry_failover_memory(),
        Duration::from_millis(86_400_000)
    );
    // The cache TTL of the clamped interval can be added to an instant without overflow.
    let ttl = Duration::from_secs(config.refresh_interval_secs());
    assert!(std::time::Instant::now().checked_add(ttl).is_some());
}

#[test]
fn req_02_grd_05_br_15_new_keys_parse_with_defaults() {
    let empty = PluginConfig::default();
    assert_eq!(empty.request_max_tokens(), 32_000);
    assert!(!empty.guardrail_latest_message_only());
    assert_eq!(
        empty.retry_failover_memory(),
        Duration::from_millis(300_000)
    );
    let config = PluginConfig::from_json(&serde_json::json!({
        "requestMaxTokens": 200000,
        "guardrail": {"guardrailIdentifier": "g", "guardrailVersion": "1", "latestMessageOnly": true},
        "retry": {"failoverMemoryMs": 0},
        "awsBedrockControlPlaneEndpoint": "https://bedrock.vpce.example"
    }))
    .expect("valid config");
    assert_eq!(config.request_max_tokens(), 200_000);
    assert!(config.guardrail_latest_message_only());
    assert_eq!(
        config
            .guardrail
            .as_ref()
            .and_then(|g| g.latest_message_only),
        Some(true)
    );
    assert_eq!(config.retry_failover_memory(), Duration::ZERO);
    assert_eq!(
        config.aws_bedrock_control_plane_endpoint.as_deref(),
        Some("https://bedrock.vpce.example")
    );
}

#[test]
fn plg_12_endpoint_userinfo_is_rejected_without_echoing_it() {
    for key in ["awsBedrockEndpoint", "awsBedrockControlPlaneEndpoint"] {
        let err = PluginConfig::from_json(
            &serde_json::json!({ key: "http://user:Pa55w0rdXYZ@bedrock.example:8080/v1" }),
        )
        .expect_err("userinfo rejected");
        assert_eq!(
            (err.path(), err.message()),
            (key, ENDPOINT_USERINFO_MESSAGE)
        );
        assert!(!err.to_string().contains("Pa55w0rdXYZ"));
        assert!(!format!("{err:?}").contains("Pa55w0rdXYZ"));
    }
    assert_eq!(
        ENDPOINT_USERINFO_MESSAGE,
        "must not contain userinfo (user:password@); put credentials in awsBedrockApiKey or the AWS credential keys, not in the URL"
    );
}

#[test]
fn plg_12_userinfo_pattern_rejects_userinfo_and_keeps_spec_examples() {
    for ok in [
        "https://bedrock-proxy.example",
        "http://127.0.0.1:4566",
        "https://proxy.example/bedrock",
        "https://proxy.example/v1/@team",
        "https://proxy.example?x=@",
        // Not a URL: the spec's pattern reports it, not this rule.
        "bedrock.example",
    ] {
        assert!(ENDPOINT_NO_USERINFO_RE.is_match(ok), "{ok}");
        assert!(!endpoint_has_userinfo(ok), "{ok}");
    }
    for bad in [
        "http://user:pass@host",
        "https://user@host/path",
        "https://:pw@host",
    ] {
        assert!(
            ENDPOINT_RE.is_match(bad),
            "the spec's pattern alone accepts {bad}"
        );
        assert!(!ENDPOINT_NO_USERINFO_RE.is_match(bad), "{bad}");
        assert!(endpoint_has_userinfo(bad), "{bad}");
    }
}
