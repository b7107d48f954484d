//! Every duration and size of the plugin config has a maximum (config-and-manifest.md §2.1),
//! and the host (validating against the generated `configSchema`) and the plugin's own parser
//! reject the same values with the same CFG-10 sentence (PLG-11). Endpoint userinfo is
//! rejected by both too (PLG-12).

use bedrock_plugin::config::{PluginConfig, ENDPOINT_USERINFO_MESSAGE};
use bedrock_plugin::manifest::manifest_json;
use host_harness::config::validate_plugin_config;
use serde_json::{json, Value};

const P: &str = "invalid config for plugin amazon-bedrock at plugins.entries.amazon-bedrock.config";

/// The host's error lines for `config`, validated against the generated schema.
fn host_errors(config: &Value) -> Vec<String> {
    let schema = manifest_json()["configSchema"].clone();
    match validate_plugin_config("amazon-bedrock", config, &schema, None) {
        Ok(()) => Vec::new(),
        Err(errors) => errors.lines(),
    }
}

/// The plugin's own error sentence for `config`.
fn plugin_error(config: &Value) -> Option<String> {
    PluginConfig::from_json(config).err().map(|e| e.to_string())
}

/// `(config, dotted path, first rejected value, the sentence's reason)` for every key with a
/// maximum; the maximum itself must still be accepted.
fn maxima() -> Vec<(Value, Value, &'static str, &'static str)> {
    vec![
        (
            json!({"discovery": {"refreshInterval": 31_536_000u64}}),
            json!({"discovery": {"refreshInterval": 18_446_744_073_709_551_615u64}}),
            "discovery.refreshInterval",
            "must be <= 31536000",
        ),
        (
            json!({"discovery": {"defaultContextWindow": 100_000_000u64}}),
            json!({"discovery": {"defaultContextWindow": 100_000_001u64}}),
            "discovery.defaultContextWindow",
            "must be <= 100000000",
        ),
        (
            json!({"discovery": {"defaultMaxTokens": 1_000_000u64}}),
            json!({"discovery": {"defaultMaxTokens": 1_000_001u64}}),
            "discovery.defaultMaxTokens",
            "must be <= 1000000",
        ),
        (
            json!({"thinkingBudgetTokens": 1_000_000u64}),
            json!({"thinkingBudgetTokens": u64::MAX}),
            "thinkingBudgetTokens",
            "must be <= 1000000",
        ),
        (
            json!({"requestMaxTokens": 1_000_000u64}),
            json!({"requestMaxTokens": 1_000_001u64}),
            "requestMaxTokens",
            "must be <= 1000000",
        ),
        (
            json!({"timeouts": {"connectMs": 600_000u64}}),
            json!({"timeouts": {"connectMs": u64::MAX}}),
            "timeouts.connectMs",
            "must be <= 600000",
        ),
        (
            json!({"timeouts": {"streamIdleMs": 3_600_000u64}}),
            json!({"timeouts": {"streamIdleMs": u64::MAX}}),
            "timeouts.streamIdleMs",
            "must be <= 3600000",
        ),
        (
            json!({"retry": {"maxAttempts": 10}}),
            json!({"retry": {"maxAttempts": 11}}),
            "retry.maxAttempts",
            "must be <= 10",
        ),
        (
            json!({"retry": {"baseDelayMs": 600_000u64}}),
            json!({"retry": {"baseDelayMs": 18_446_744_073_709_551_615u64}}),
            "retry.baseDelayMs",
            "must be <= 600000",
        ),
        (
            json!({"retry": {"maxDelayMs": 3_600_000u64}}),
            json!({"retry": {"maxDelayMs": u64::MAX}}),
            "retry.maxDelayMs",
            "must be <= 3600000",
        ),
        (
            json!({"retry": {"failoverMemoryMs": 86_400_000u64}}),
            json!({"retry": {"failoverMemoryMs": 86_400_001u64}}),
            "retry.failoverMemoryMs",
            "must be <= 86400000",
        ),
        (
            json!({"limits": {"maxConcurrentStreams": 4096}}),
            json!({"limits": {"maxConcurrentStreams": 4097}}),
            "limits.maxConcurrentStreams",
            "must be <= 4096",
        ),
        (
            json!({"limits": {"maxToolArgumentBytes": 67_108_864u64}}),
            json!({"limits": {"maxToolArgumentBytes": 67_108_865u64}}),
            "limits.maxToolArgumentBytes",
            "must be <= 67108864",
        ),
        (
            json!({"limits": {"maxDeltaBytes": 16_777_216u64}}),
            json!({"limits": {"maxDeltaBytes": u64::MAX}}),
            "limits.maxDeltaBytes",
            "must be <= 16777216",
        ),
    ]
}

#[test]
fn cfg_10_plg_11_host_rejects_every_value_above_its_maximum_naming_field_and_bound() {
    for (at_max, above, path, reason) in maxima() {
        assert_eq!(host_errors(&at_max), Vec::<String>::new(), "{path}");
        assert_eq!(
            host_errors(&above),
            vec![format!("{P}.{path}: {reason}")],
            "{path}"
        );
    }
}

#[test]
fn cfg_10_plg_11_plugin_parser_rejects_the_same_values_with_the_same_sentence() {
    for (at_max, above, path, reason) in maxima() {
        assert_eq!(plugin_error(&at_max), None, "{path}");
        assert_eq!(
            plugin_error(&above),
            Some(format!("{P}.{path}: {reason}")),
            "{path}"
        );
    }
}

#[test]
fn cfg_10_minimums_of_the_new_keys() {
    let config = json!({"requestMaxTokens": 0});
    let expected = format!("{P}.requestMaxTokens: must be >= 1");
    assert_eq!(host_errors(&config), vec![expected.clone()]);
    assert_eq!(plugin_error(&config), Some(expected));
}

#[test]
fn plg_90_plg_91_minimums_of_the_limits_keys() {
    for (key, min) in [
        ("maxConcurrentStreams", 1),
        ("maxToolArgumentBytes", 1024),
        ("maxDeltaBytes", 1024),
    ] {
        let config = json!({"limits": {key: min - 1}});
        let expected = format!("{P}.limits.{key}: must be >= {min}");
        assert_eq!(host_errors(&config), vec![expected.clone()], "{key}");
        assert_eq!(plugin_error(&config), Some(expected), "{key}");
        assert_eq!(plugin_error(&json!({"limits": {key: min}})), None, "{key}");
    }
}

#[test]
fn plg_12_endpoint_userinfo_rejected_by_host_and_plugin_with_one_sentence_and_no_password() {
    for key in ["awsBedrockEndpoint", "awsBedrockControlPlaneEndpoint"] {
        let config = json!({ key: "https://svc:Plg12HostPass@bedrock.example" });
        let expected = format!(
            "{P}.{key}: must not contain userinfo (user:password@); put credentials in awsBedrockApiKey or the AWS credential keys, not in the URL"
        );
        assert_eq!(expected, format!("{P}.{key}: {ENDPOINT_USERINFO_MESSAGE}"));
        let host = host_errors(&config);
        assert_eq!(host, vec![expected.clone()], "{key}");
        let plugin = plugin_error(&config);
        assert_eq!(plugin, Some(expected), "{key}");
    }
}

#[test]
fn cfg_10_endpoint_that_is_not_a_url_keeps_the_spec_pattern_message() {
    let config = json!({"awsBedrockControlPlaneEndpoint": "bedrock.example.com"});
    let expected =
        format!("{P}.awsBedrockControlPlaneEndpoint: must match pattern \"^https?://[^\\s/?#]+\"");
    assert_eq!(host_errors(&config), vec![expected.clone()]);
    assert_eq!(plugin_error(&config), Some(expected));
}

#[test]
fn req_02_grd_05_new_keys_pass_host_validation() {
    let config = json!({
        "requestMaxTokens": 32000,
        "guardrail": {"guardrailIdentifier": "abc123", "guardrailVersion": "1", "latestMessageOnly": true},
        "awsBedrockControlPlaneEndpoint": "https://bedrock.vpce.example",
        "retry": {"failoverMemoryMs": 0}
    });
    assert_eq!(host_errors(&config), Vec::<String>::new());
    assert_eq!(plugin_error(&config), None);
}

#[test]
fn cfg_10_plg_11_integers_beyond_u64_and_fractions_host_and_plugin_agree() {
    for (text, path, reason) in [
        (
            r#"{"discovery": {"refreshInterval": 18446744073709551616}}"#,
            "discovery.refreshInterval",
            "must be <= 31536000",
        ),
        (
            r#"{"retry": {"baseDelayMs": -1}}"#,
            "retry.baseDelayMs",
            "must be >= 0",
        ),
        (
            r#"{"timeouts": {"streamIdleMs": 1500.5}}"#,
            "timeouts.streamIdleMs",
            "expected integer, got number",
        ),
    ] {
        let config: Value = serde_json::from_str(text).expect("valid JSON");
        let expected = format!("{P}.{path}: {reason}");
        assert_eq!(host_errors(&config), vec![expected.clone()], "{text}");
        assert_eq!(plugin_error(&config), Some(expected), "{text}");
    }
}
