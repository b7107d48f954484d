//! Property-based fuzzing of the host config (JSON5) → pre-load validation path (PLG-58):
//! arbitrary text through `HostConfig::from_json5_str`, and host configs with arbitrary JSON
//! values at every plugin config key (and at the legacy `models.bedrockDiscovery`) through
//! `checked_plugin_config` against the repository manifest's `configSchema`.
//!
//! CI runs `CI_CASES` cases per target; the long mode is
//! `PROPTEST_CASES=100000 cargo test -p host-harness --test fuzz_host_config`.

use host_harness::config::HostConfig;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Map, Value};
use test_support::arbitrary_json;

const PLUGIN_ID: &str = "amazon-bedrock";
const CI_CASES: u32 = 256;
/// Marks every secret value generated, so a message that echoes one is caught (CFG-04).
const SECRET_MARK: &str = "zzsecretzz";

fn config() -> Config {
    test_support::proptest_config(CI_CASES)
}

fn schema() -> Value {
    test_support::manifest()["configSchema"].clone()
}

const SECRET_KEYS: &[&str] = &[
    "awsBedrockApiKey",
    "awsAccessKey",
    "awsSecretKey",
    "awsSessionToken",
];

/// Values near what a key accepts: boundaries, enum words, env references, URLs.
fn interesting() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(0)),
        Just(json!(1)),
        Just(json!(10)),
        Just(json!(11)),
        Just(json!(99)),
        Just(json!(100)),
        Just(json!(600000)),
        Just(json!(600001)),
        Just(json!(31536000)),
        Just(json!(86400000)),
        Just(json!(u64::MAX)),
        Just(serde_json::from_str::<Value>("18446744073709551616").unwrap()),
        Just(json!(-1)),
        Just(json!(1.5)),
        Just(json!(1e300)),
        Just(json!("")),
        Just(json!(" ")),
        Just(json!("us-east-1")),
        Just(json!("DRAFT")),
        Just(json!("7")),
        Just(json!("https://bedrock.example.com")),
        Just(json!("https://user:pass@bedrock.example.com")),
        Just(json!("ftp://x")),
        Just(json!("apikey")),
        Just(json!("credentials")),
        Just(json!("profile")),
        Just(json!("default")),
        Just(json!("sync")),
        Just(json!("async")),
        Just(json!("enabled")),
        Just(json!("enabled_full")),
        Just(json!("low")),
        Just(json!("none")),
        Just(json!(["anthropic"])),
        Just(json!([""])),
        Just(json!({"source": "env", "id": "AWS_KEY"})),
        Just(json!({"source": "env", "id": "1BAD"})),
        Just(json!({"source": "file", "id": "X"})),
        Just(json!({"guardrailIdentifier": "abc", "guardrailVersion": "1"})),
        Just(json!({})),
    ]
}

fn secret() -> impl Strategy<Value = Value> {
    prop_oneof![
        "[ -~]{0,8}".prop_map(|s| json!(format!("{SECRET_MARK}{s}"))),
        "[ -~]{0,8}".prop_map(|s| json!({"source": "env", "id": format!("{SECRET_MARK}{s}")})),
        "[ -~]{0,8}".prop_map(|s| json!({"source": format!("{SECRET_MARK}{s}"), "id": "X"})),
    ]
}

/// A value for `key`.
fn value_for(key: &'static str) -> BoxedStrategy<Value> {
    if SECRET_KEYS.contains(&key) {
        prop_oneof![2 => secret(), 1 => interesting(), 1 => arbitrary_json()].boxed()
    } else {
        prop_oneof![2 => interesting(), 1 => arbitrary_json()].boxed()
    }
}

fn plugin_config() -> impl Strategy<Value = Value> {
    proptest::sample::subsequence(test_support::config_keys(), 0..8)
        .prop_flat_map(|keys| {
            let values: Vec<BoxedStrategy<(&'static str, Value)>> = keys
                .into_iter()
                .map(|key| value_for(key).prop_map(move |value| (key, value)).boxed())
                .collect();
            values
        })
        .prop_map(|pairs| {
            let mut root = Map::new();
            for (key, value) in pairs {
                test_support::set_dotted(&mut root, key, value);
            }
            Value::Object(root)
        })
}

/// A whole host config: the plugin entry (sometimes of the wrong shape) and sometimes a legacy
/// `models.bedrockDiscovery`.
fn host_config() -> impl Strategy<Value = (Value, bool)> {
    let config = prop_oneof![8 => plugin_config(), 1 => arbitrary_json()];
    let enabled = prop_oneof![4 => Just(json!(true)), 1 => arbitrary_json()];
    let legacy = proptest::option::of(prop_oneof![
        interesting(),
        plugin_config(),
        arbitrary_json()
    ]);
    (config, enabled, legacy).prop_map(|(config, enabled, legacy)| {
        let mut root =
            json!({"plugins": {"entries": {PLUGIN_ID: {"enabled": enabled, "config": config}}}});
        let has_legacy = legacy.is_some();
        if let Some(legacy) = legacy {
            root["models"] = json!({"bedrockDiscovery": legacy});
        }
        (root, has_legacy)
    })
}

#[test]
fn plg_58_arbitrary_text_never_panics_the_json5_loader() {
    let mut runner = TestRunner::new(config());
    let strategy = prop_oneof![
        any::<String>(),
        "[{}\\[\\]:,\"'a-z0-9 /*\\n.+-]{0,64}",
        arbitrary_json().prop_map(|value| value.to_string()),
    ];
    runner
        .run(&strategy, |text| {
            // Accepted exactly when the text is JSON5 for an object; rejected with the
            // host-config sentence otherwise.
            let is_object = json5::from_str::<Value>(&text).is_ok_and(|value| value.is_object());
            match HostConfig::from_json5_str(&text) {
                Ok(_) => prop_assert!(is_object, "accepted a non-object: {:?}", text),
                Err(error) => {
                    prop_assert!(!is_object, "rejected an object: {:?}", text);
                    prop_assert!(error.to_string().starts_with("invalid host config"));
                }
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn plg_58_every_rejected_plugin_config_names_a_field_and_never_echoes_a_secret() {
    let schema = schema();
    let (accepted, rejected) = (std::cell::Cell::new(0u32), std::cell::Cell::new(0u32));
    let mut runner = TestRunner::new(config());
    runner
        .run(&host_config(), |(root, has_legacy)| {
            let text = serde_json::to_string_pretty(&root).unwrap();
            let host = HostConfig::from_json5_str(&text).expect("JSON is JSON5");
            match host.checked_plugin_config(PLUGIN_ID, &schema, None) {
                Ok(effective) => {
                    accepted.set(accepted.get() + 1);
                    // What the host accepts, the plugin's own parser accepts (PLG-11).
                    let parsed = bedrock_plugin::config::PluginConfig::from_json(&effective.config);
                    prop_assert!(
                        parsed.is_ok(),
                        "host accepted but the plugin rejected {}: {:?}",
                        &effective.config,
                        parsed.err()
                    );
                }
                Err(errors) => {
                    rejected.set(rejected.get() + 1);
                    prop_assert!(!errors.errors.is_empty());
                    for issue in &errors.errors {
                        let entry = format!("plugins.entries.{PLUGIN_ID}");
                        prop_assert!(
                            issue.path.starts_with(&entry)
                                || (has_legacy
                                    && issue.path.starts_with("models.bedrockDiscovery")),
                            "issue names no field: {:?}",
                            issue
                        );
                        prop_assert!(!issue.reason.trim().is_empty(), "{:?}", issue);
                    }
                    for line in errors.lines() {
                        prop_assert!(
                            line.starts_with("invalid config for plugin amazon-bedrock at ")
                        );
                        prop_assert!(!line.contains(SECRET_MARK), "secret echoed: {}", line);
                    }
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
