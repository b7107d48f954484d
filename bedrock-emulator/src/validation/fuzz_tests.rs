//! Property-based fuzzing of the Converse / ConverseStream body validation (PLG-58): arbitrary
//! JSON bodies and Converse-shaped bodies with arbitrary values never panic, and every rejection
//! is a Bedrock-style ValidationException (HTTP 400, a message) — or, for cache points on a
//! model without prompt caching, Bedrock's 403 AccessDeniedException. The bodies real Bedrock
//! accepted (`../shared/oracle/recorded/pydantic-ai/decoded`) are accepted too.
//!
//! CI runs `CI_CASES` cases per target; the long mode is
//! `PROPTEST_CASES=100000 cargo test -p bedrock-emulator --lib validation::fuzz_tests`.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Map, Value};
use test_support::arbitrary_json;

use super::cache::NO_CACHING;
use super::{converse, resolve};
use crate::catalog::{Catalog, FoundationModel};
use crate::error::ApiError;

const CI_CASES: u32 = 512;

fn config() -> Config {
    test_support::proptest_config(CI_CASES)
}

/// Models of every rule family: Nova, Claude (old and new), Titan text, an embedding model.
const MODELS: &[&str] = &[
    "amazon.nova-micro-v1:0",
    "amazon.nova-pro-v1:0",
    "anthropic.claude-sonnet-4-6",
    "anthropic.claude-opus-4-7",
    "anthropic.claude-3-haiku-20240307-v1:0",
    "anthropic.claude-3-7-sonnet-20250219-v1:0",
    "amazon.titan-embed-text-v2:0",
    "meta.llama3-8b-instruct-v1:0",
];

fn models(catalog: &Catalog) -> Vec<&FoundationModel> {
    let found: Vec<&FoundationModel> = MODELS.iter().filter_map(|id| catalog.model(id)).collect();
    assert!(found.len() >= 4, "built-in catalog models: {}", found.len());
    found
}

/// A rejection as Bedrock words it.
fn bedrock_style(error: &ApiError) -> Result<(), TestCaseError> {
    let validation = error.status == 400 && error.error_type == "ValidationException";
    let no_caching = error.status == 403
        && error.error_type == "AccessDeniedException"
        && error.message == NO_CACHING;
    prop_assert!(validation || no_caching, "not Bedrock-style: {:?}", error);
    prop_assert!(!error.message.trim().is_empty(), "{:?}", error);
    Ok(())
}

/// A value that is sometimes right and often wrong for whatever key it is put at.
fn odd() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => arbitrary_json(),
        1 => Just(json!("")),
        1 => Just(json!(-1)),
        1 => Just(json!(0)),
        1 => Just(json!(1.5)),
        1 => Just(json!(1e300)),
        1 => Just(json!(u64::MAX)),
        1 => Just(serde_json::from_str::<Value>("1e400").unwrap()),
        1 => Just(json!({"type": "default"})),
        1 => Just(json!({"type": "flex"})),
        1 => Just(json!({"type": "5m"})),
        1 => Just(json!({"type": "default", "ttl": "1h"})),
    ]
}

fn block() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => ".{0,12}".prop_map(|text| json!({"text": text})),
        1 => odd().prop_map(|v| json!({"text": v})),
        1 => odd().prop_map(|v| json!({"cachePoint": v})),
        1 => Just(json!({"cachePoint": {"type": "default"}})),
        1 => odd().prop_map(|v| json!({"image": {"format": "png", "source": {"bytes": v}}})),
        1 => odd().prop_map(|v| json!({"document": {"format": "txt", "name": v, "source": {"bytes": "aGk="}}})),
        1 => (odd(), odd()).prop_map(|(id, input)| json!({"toolUse": {"toolUseId": id, "name": "t", "input": input}})),
        1 => (odd(), odd()).prop_map(|(id, content)| json!({"toolResult": {"toolUseId": id, "content": content}})),
        1 => odd().prop_map(|v| json!({"reasoningContent": {"reasoningText": {"text": v, "signature": "s"}}})),
        1 => odd().prop_map(|v| json!({"guardContent": v})),
        1 => arbitrary_json(),
    ]
}

fn message() -> impl Strategy<Value = Value> {
    (
        prop_oneof![
            Just(json!("user")),
            Just(json!("assistant")),
            Just(Value::Null),
            odd()
        ],
        prop_oneof![
            4 => proptest::collection::vec(block(), 0..4).prop_map(Value::Array),
            1 => odd(),
        ],
        any::<u8>(),
    )
        .prop_map(|(role, content, drop)| {
            let mut message = Map::new();
            if drop % 7 != 0 {
                message.insert("role".into(), role);
            }
            if drop % 5 != 0 {
                message.insert("content".into(), content);
            }
            Value::Object(message)
        })
}

/// A Converse-shaped body: the real keys, each present or not, with odd values mixed in.
fn body() -> impl Strategy<Value = Value> {
    let messages = prop_oneof![
        6 => proptest::collection::vec(message(), 0..4).prop_map(Value::Array),
        // A history Bedrock's history rules (PLG-110) accept, so accepted bodies stay common.
        2 => proptest::collection::vec("[a-z]{1,12}", 1..4).prop_map(|texts| {
            let role = |i: usize| if i.is_multiple_of(2) { "user" } else { "assistant" };
            texts
                .iter()
                .enumerate()
                .map(|(i, text)| json!({"role": role(i), "content": [{"text": text}]}))
                .collect::<Value>()
        }),
        1 => odd(),
    ];
    let system = proptest::option::of(prop_oneof![
        proptest::collection::vec(block(), 0..3).prop_map(Value::Array),
        odd(),
    ]);
    let tools = proptest::option::of(prop_oneof![
        (odd(), odd()).prop_map(|(name, schema)| json!({"tools": [{"toolSpec": {"name": name, "inputSchema": {"json": schema}}}]})),
        Just(json!({"tools": [{"toolSpec": {"name": "t", "inputSchema": {"json": {"type": "object"}}}}, {"cachePoint": {"type": "default"}}]})),
        Just(json!({"tools": []})),
        odd().prop_map(|choice| json!({"tools": [{"toolSpec": {"name": "t", "inputSchema": {"json": {}}}}], "toolChoice": choice})),
        odd(),
    ]);
    let inference = proptest::option::of(
        (
            proptest::option::of(odd()),
            proptest::option::of(prop_oneof![(0.0f64..1.5).prop_map(|t| json!(t)), odd()]),
            proptest::option::of(prop_oneof![(0.0f64..1.5).prop_map(|t| json!(t)), odd()]),
            proptest::option::of(odd()),
        )
            .prop_map(|(max_tokens, temperature, top_p, stop)| {
                let mut config = Map::new();
                for (key, value) in [
                    ("maxTokens", max_tokens),
                    ("temperature", temperature),
                    ("topP", top_p),
                    ("stopSequences", stop),
                ] {
                    if let Some(value) = value {
                        config.insert(key.into(), value);
                    }
                }
                Value::Object(config)
            }),
    );
    let extras = proptest::collection::vec(
        (
            proptest::sample::select(vec![
                "serviceTier",
                "guardrailConfig",
                "additionalModelRequestFields",
                "additionalModelResponseFieldPaths",
                "performanceConfig",
                "promptVariables",
                "requestMetadata",
                "unknownKey",
            ]),
            odd(),
        ),
        0..3,
    );
    (messages, system, tools, inference, extras).prop_map(
        |(messages, system, tools, inference, extras)| {
            let mut body = Map::new();
            body.insert("messages".into(), messages);
            if let Some(system) = system {
                body.insert("system".into(), system);
            }
            if let Some(tools) = tools {
                body.insert("toolConfig".into(), tools);
            }
            if let Some(inference) = inference {
                body.insert("inferenceConfig".into(), inference);
            }
            for (key, value) in extras {
                body.insert(key.into(), value);
            }
            Value::Object(body)
        },
    )
}

#[test]
fn plg_58_arbitrary_json_bodies_are_rejected_only_as_bedrock_rejects() {
    let catalog = Catalog::builtin().unwrap();
    let models = models(&catalog);
    let mut runner = TestRunner::new(config());
    let strategy = (arbitrary_json(), 0..models.len(), any::<bool>());
    runner
        .run(&strategy, |(body, model, stream)| {
            if let Err(error) = converse(&body, models[model], stream) {
                bedrock_style(&error)?;
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn plg_58_converse_shaped_bodies_are_rejected_only_as_bedrock_rejects() {
    let catalog = Catalog::builtin().unwrap();
    let models = models(&catalog);
    let (accepted, rejected) = (std::cell::Cell::new(0u32), std::cell::Cell::new(0u32));
    let mut runner = TestRunner::new(config());
    let strategy = (body(), 0..models.len(), any::<bool>());
    runner
        .run(&strategy, |(body, model, stream)| {
            match converse(&body, models[model], stream) {
                Ok(()) => accepted.set(accepted.get() + 1),
                Err(error) => {
                    rejected.set(rejected.get() + 1);
                    bedrock_style(&error)?;
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
fn plg_58_a_valid_body_with_one_key_replaced_is_accepted_or_rejected_as_bedrock_rejects() {
    let catalog = Catalog::builtin().unwrap();
    let model = catalog.model("amazon.nova-micro-v1:0").expect("nova micro");
    let valid = json!({
        "messages": [{"role": "user", "content": [{"text": "hi"}]}],
        "system": [{"text": "be brief"}],
        "inferenceConfig": {"maxTokens": 100, "temperature": 0.5},
    });
    assert!(
        converse(&valid, model, true).is_ok(),
        "the base body is valid"
    );
    let pointers = proptest::sample::select(vec![
        "/messages",
        "/messages/0",
        "/messages/0/role",
        "/messages/0/content",
        "/messages/0/content/0",
        "/messages/0/content/0/text",
        "/system",
        "/system/0",
        "/inferenceConfig",
        "/inferenceConfig/maxTokens",
        "/inferenceConfig/temperature",
    ]);
    let mut runner = TestRunner::new(config());
    runner
        .run(&(pointers, odd()), |(pointer, value)| {
            let mut body = valid.clone();
            if let Some(slot) = body.pointer_mut(pointer) {
                *slot = value;
            }
            if let Err(error) = converse(&body, model, true) {
                bedrock_style(&error)?;
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn plg_58_recorded_bodies_real_bedrock_accepted_are_accepted() {
    let dir = std::env::var_os("BEDROCK_ORACLE_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/oracle")
        })
        .join("recorded/pydantic-ai/decoded");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipping: {} is not present", dir.display());
        return;
    };
    let catalog = Catalog::builtin().unwrap();
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    let mut checked = 0;
    for path in paths {
        if !path.to_string_lossy().ends_with(".http.json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(Value::Array(exchanges)) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        for exchange in exchanges {
            let uri = exchange["request"]["uri"].as_str().unwrap_or_default();
            let stream = uri.ends_with("/converse-stream");
            if !(stream || uri.ends_with("/converse"))
                || exchange["response"]["status"]["code"] != 200
            {
                continue;
            }
            let Some(id) = uri
                .split("/model/")
                .nth(1)
                .and_then(|rest| rest.rsplit_once('/'))
                .map(|(id, _)| id.replace("%3A", ":"))
            else {
                continue;
            };
            let Ok(resolved) = resolve(&catalog, &id, false) else {
                continue;
            };
            let body: Value = exchange["request"]["body"]
                .as_str()
                .and_then(|body| serde_json::from_str(body).ok())
                .unwrap_or_default();
            let result = converse(&body, resolved.model, stream);
            assert!(
                result.is_ok(),
                "{}: Bedrock accepted it, the emulator said {:?}",
                path.display(),
                result.err()
            );
            checked += 1;
        }
    }
    assert!(checked >= 5, "recorded Converse bodies checked: {checked}");
}
