//! What the property tests of several crates share: the case count (a fixed number in CI,
//! `PROPTEST_CASES` for the long mode), an arbitrary-JSON strategy, and the list of plugin
//! config keys read from the repository's `manifest.json`, so a fuzz target covers every key
//! the schema has, including ones added after it was written.

use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{Map, Value};

/// Cases per property: `PROPTEST_CASES` when set (the long mode), else `ci_cases`.
pub fn cases(ci_cases: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(ci_cases)
}

/// A runner config with [`cases`] and no failure files written into the source tree.
pub fn proptest_config(ci_cases: u32) -> Config {
    Config {
        cases: cases(ci_cases),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Any JSON value, three levels deep at most: every kind of number (non-finite floats
/// become `null`, which JSON cannot hold otherwise), short strings, arrays and objects.
pub fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-zA-Z]{0,8}", inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// The repository's `manifest.json`.
pub fn manifest() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../manifest.json");
    let text = std::fs::read_to_string(path).expect("manifest.json at the repository root");
    serde_json::from_str(&text).expect("manifest.json is JSON")
}

/// Every key of the plugin config schema, nested ones dotted (`retry.baseDelayMs`), objects
/// before their children, plus two that are no key (`notAKey`, `retry.notAKey`) for the
/// unknown-property paths.
pub fn config_keys() -> &'static [&'static str] {
    static KEYS: OnceLock<Vec<&'static str>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut keys = Vec::new();
        collect_keys(&manifest()["configSchema"], "", &mut keys);
        keys.push("notAKey".to_owned());
        keys.push("retry.notAKey".to_owned());
        // Leaked once per test process, so strategies can hand out `&'static str` keys.
        keys.into_iter()
            .map(|key| &*Box::leak(key.into_boxed_str()))
            .collect()
    })
}

fn collect_keys(schema: &Value, prefix: &str, out: &mut Vec<String>) {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, child) in properties {
        let key = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        out.push(key.clone());
        collect_keys(child, &key, out);
    }
}

/// Puts `value` at the dotted `path` of `root`, creating objects on the way (a path through
/// a value that is not an object is left as it is).
pub fn set_dotted(root: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            root.insert(path.to_owned(), value);
        }
        Some((head, rest)) => {
            let child = root
                .entry(head.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(child) = child {
                set_dotted(child, rest, value);
            }
        }
    }
}
