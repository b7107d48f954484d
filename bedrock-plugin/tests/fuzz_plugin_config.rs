//! Property-based fuzzing of the plugin's config parsing (PLG-58): `Settings::parse` (the entry
//! point of instance creation and live updates) with arbitrary text, `PluginConfig::from_json`
//! with arbitrary JSON at every key, and the accessors of configs built in code.
//!
//! CI runs `CI_CASES` cases per target; the long mode is
//! `PROPTEST_CASES=100000 cargo test -p bedrock-plugin --test fuzz_plugin_config`.

use std::time::{Duration, Instant};

use bedrock_plugin::config::{
    DiscoveryConfig, PluginConfig, RetryConfig, TimeoutsConfig, MAX_CONNECT_TIMEOUT_MS,
    MAX_CONTEXT_WINDOW, MAX_MAX_TOKENS, MAX_REFRESH_INTERVAL_SECS, MAX_REQUEST_MAX_TOKENS,
    MAX_RETRY_BASE_DELAY_MS, MAX_RETRY_FAILOVER_MEMORY_MS, MAX_RETRY_MAX_ATTEMPTS,
    MAX_RETRY_MAX_DELAY_MS, MAX_STREAM_IDLE_MS, MAX_THINKING_BUDGET_TOKENS, MIN_CONNECT_TIMEOUT_MS,
    MIN_STREAM_IDLE_MS,
};
use bedrock_plugin::host_config::HostView;
use bedrock_plugin::settings::Settings;
use plugin_api::error::ErrorKind;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Map, Value};
use test_support::arbitrary_json;

const CI_CASES: u32 = 512;

fn config() -> Config {
    test_support::proptest_config(CI_CASES)
}

/// Numbers at and past every bound, and the words and shapes keys accept.
fn interesting() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => prop_oneof![
            Just(0u64),
            Just(1),
            Just(10),
            Just(11),
            Just(99),
            Just(100),
            Just(999),
            Just(1000),
            Just(600_000),
            Just(600_001),
            Just(3_600_000),
            Just(3_600_001),
            Just(31_536_000),
            Just(31_536_001),
            Just(86_400_000),
            Just(86_400_001),
            Just(1_000_000),
            Just(1_000_001),
            Just(100_000_000),
            Just(100_000_001),
            Just(u64::MAX / 1000 + 1),
            Just(u64::MAX),
        ]
        .prop_map(Value::from),
        1 => Just(serde_json::from_str::<Value>("18446744073709551616").unwrap()),
        1 => Just(serde_json::from_str::<Value>("1e400").unwrap()),
        1 => Just(json!(-1)),
        1 => Just(json!(2.5)),
        1 => prop_oneof![
            Just(json!("")),
            Just(json!("us-east-1")),
            Just(json!("DRAFT")),
            Just(json!("https://bedrock.example.com")),
            Just(json!("https://user:pass@bedrock.example.com")),
            Just(json!("apikey")),
            Just(json!("credentials")),
            Just(json!("sync")),
            Just(json!("enabled_full")),
            Just(json!("high")),
            Just(json!(["anthropic", ""])),
            Just(json!({"source": "env", "id": "AWS_KEY"})),
            Just(json!({"source": "env", "id": "AWS_KEY", "provider": 1})),
            Just(json!({"guardrailIdentifier": "abc", "guardrailVersion": "1"})),
            Just(json!({})),
        ],
    ]
}

fn plugin_config() -> impl Strategy<Value = Value> {
    proptest::sample::subsequence(test_support::config_keys(), 0..8)
        .prop_flat_map(|keys| {
            keys.into_iter()
                .map(|key| {
                    prop_oneof![3 => interesting(), 1 => arbitrary_json()]
                        .prop_map(move |value| (key, value))
                        .boxed()
                })
                .collect::<Vec<_>>()
        })
        .prop_map(|pairs| {
            let mut root = Map::new();
            for (key, value) in pairs {
                test_support::set_dotted(&mut root, key, value);
            }
            Value::Object(root)
        })
}

/// Every accessor stays in its schema range, and every duration can be added to an `Instant`.
fn check_accessors(config: &PluginConfig) -> Result<(), TestCaseError> {
    let now = Instant::now();
    let durations: [(Duration, u64, u64); 6] = [
        (
            config.connect_timeout(),
            MIN_CONNECT_TIMEOUT_MS,
            MAX_CONNECT_TIMEOUT_MS,
        ),
        (
            config.stream_idle_timeout(),
            MIN_STREAM_IDLE_MS,
            MAX_STREAM_IDLE_MS,
        ),
        (config.retry_base_delay(), 0, MAX_RETRY_BASE_DELAY_MS),
        (config.retry_max_delay(), 0, MAX_RETRY_MAX_DELAY_MS),
        (
            config.retry_failover_memory(),
            0,
            MAX_RETRY_FAILOVER_MEMORY_MS,
        ),
        (
            Duration::from_secs(config.refresh_interval_secs()),
            0,
            MAX_REFRESH_INTERVAL_SECS * 1000,
        ),
    ];
    for (duration, min, max) in durations {
        let ms = duration.as_millis();
        prop_assert!(
            ms >= u128::from(min) && ms <= u128::from(max),
            "{ms} ms outside {min}..={max}"
        );
        prop_assert!(now.checked_add(duration).is_some());
    }
    let attempts = u64::from(config.retry_max_attempts());
    prop_assert!((1..=MAX_RETRY_MAX_ATTEMPTS).contains(&attempts));
    let policy = config.retry_policy();
    prop_assert_eq!(policy.max_attempts, config.retry_max_attempts());
    prop_assert!((1..=MAX_REQUEST_MAX_TOKENS).contains(&config.request_max_tokens()));
    prop_assert!(config
        .thinking_budget_tokens()
        .is_none_or(|budget| budget <= MAX_THINKING_BUDGET_TOKENS));
    prop_assert!((1..=MAX_CONTEXT_WINDOW).contains(&config.default_context_window()));
    prop_assert!((1..=MAX_MAX_TOKENS).contains(&config.default_max_tokens()));
    Ok(())
}

#[test]
fn plg_58_settings_parse_never_panics_and_rejects_with_invalid_config() {
    let mut runner = TestRunner::new(config());
    let text = prop_oneof![
        any::<String>(),
        "[{}\\[\\]:,\"a-z0-9 .eE+-]{0,48}",
        plugin_config().prop_map(|value| value.to_string()),
        arbitrary_json().prop_map(|value| value.to_string()),
    ];
    runner
        .run(&(text.clone(), text), |(plugin, host)| {
            for (plugin, host) in [(plugin.as_str(), "{}"), ("{}", host.as_str())] {
                match Settings::parse(plugin, host) {
                    Ok(settings) => check_accessors(&settings.config)?,
                    Err(error) => {
                        prop_assert_eq!(error.kind(), Some(ErrorKind::InvalidConfig));
                        prop_assert!(!error.message.trim().is_empty());
                    }
                }
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn plg_58_every_rejected_config_object_names_a_key_it_has_and_accepted_ones_stay_in_range() {
    let (accepted, rejected) = (std::cell::Cell::new(0u32), std::cell::Cell::new(0u32));
    let mut runner = TestRunner::new(config());
    runner
        .run(&plugin_config(), |value| {
            match PluginConfig::from_json(&value) {
                Ok(config) => {
                    accepted.set(accepted.get() + 1);
                    check_accessors(&config)?;
                }
                Err(error) => {
                    rejected.set(rejected.get() + 1);
                    let path = error.path();
                    prop_assert!(!path.is_empty(), "no field named: {}", error);
                    let top = path.split(['.', '[']).next().unwrap_or_default();
                    prop_assert!(
                        value.get(top).is_some(),
                        "{} names {:?}, not a key of {}",
                        error,
                        top,
                        value
                    );
                    prop_assert!(error
                        .to_string()
                        .starts_with("invalid config for plugin amazon-bedrock at plugins.entries.amazon-bedrock.config."));
                }
            }
            Ok(())
        })
        .unwrap();
    // The generator reaches both outcomes, so both branches were checked.
    assert!(
        accepted.get() > 0 && rejected.get() > 0,
        "accepted {}, rejected {}",
        accepted.get(),
        rejected.get()
    );
}

#[test]
fn plg_58_accessors_clamp_configs_built_in_code() {
    let mut runner = TestRunner::new(config());
    let numbers = proptest::collection::vec(proptest::option::of(any::<u64>()), 13);
    runner
        .run(&numbers, |n| {
            let config = PluginConfig {
                discovery: Some(DiscoveryConfig {
                    refresh_interval: n[0],
                    default_context_window: n[1],
                    default_max_tokens: n[2],
                    ..DiscoveryConfig::default()
                }),
                thinking_budget_tokens: n[3],
                request_max_tokens: n[4],
                timeouts: Some(TimeoutsConfig {
                    connect_ms: n[5],
                    stream_idle_ms: n[6],
                }),
                retry: Some(RetryConfig {
                    max_attempts: n[7],
                    base_delay_ms: n[8],
                    max_delay_ms: n[9],
                    failover_memory_ms: n[10],
                    self_heal: n[11].map(|v| v % 2 == 0),
                }),
                ..PluginConfig::default()
            };
            check_accessors(&config)
        })
        .unwrap();
}

#[test]
fn plg_58_host_view_reads_arbitrary_values_under_its_keys_without_panicking() {
    let mut runner = TestRunner::new(config());
    let host = (arbitrary_json(), arbitrary_json(), arbitrary_json()).prop_map(
        |(providers, params, search)| {
            json!({
                "models": {"providers": {"amazon-bedrock": providers, "bedrock": {"api": "bedrock-converse-stream", "models": [params.clone()]}}},
                "agents": {"defaults": {"params": params, "models": {"amazon-bedrock/x": {"params": search.clone()}}, "memorySearch": search}}
            })
        },
    );
    runner
        .run(&host, |host| {
            // `models.providers` is an object here, so the view is always built.
            let view = HostView::parse(&host.to_string());
            prop_assert!(view.is_ok(), "{:?}", view.err());
            let view = view.unwrap();
            let _ = view.provider_base_urls();
            let _ = view.explicit_models();
            let _ = view.params_for("x");
            Ok(())
        })
        .unwrap();
}
