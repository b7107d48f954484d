//! Property-based fuzzing of the embedding response parsers (EMB-21/22, PLG-59): arbitrary bytes,
//! arbitrary JSON shaped like each family's answer, and the recorded real responses of
//! `../shared/oracle/recorded/pydantic-ai/decoded`, as recorded and mutated. Every failure is the
//! typed EMB-21 error; every success has the vectors asked for, finite, and EMB-22 makes them
//! unit length.
//!
//! CI runs `CI_CASES` cases per target; the long mode is
//! `PROPTEST_CASES=100000 cargo test -p bedrock-plugin --test fuzz_embeddings`.

use std::path::PathBuf;

use bedrock_plugin::embeddings::families::{
    finish_vector, parse_response, Family, MALFORMED_RESPONSE,
};
use plugin_api::error::{ErrorKind, PluginError};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};

const CI_CASES: u32 = 512;

fn config() -> Config {
    test_support::proptest_config(CI_CASES)
}

const FAMILIES: [Family; 7] = [
    Family::TitanV2,
    Family::TitanV1,
    Family::CohereV3,
    Family::CohereV4,
    Family::Nova,
    Family::Marengo27,
    Family::Marengo3,
];

fn family() -> impl Strategy<Value = Family> {
    proptest::sample::select(FAMILIES.to_vec())
}

fn is_malformed(error: &PluginError) -> bool {
    error.kind() == Some(ErrorKind::Service) && error.message.as_str() == MALFORMED_RESPONSE
}

/// The EMB-21/22 contract of one parse: a typed error, or `expected` finite vectors that EMB-22
/// turns into unit vectors (or leaves zero).
fn check(family: Family, body: &[u8], expected: usize) -> Result<(), TestCaseError> {
    match parse_response(family, body, expected) {
        Err(error) => prop_assert!(is_malformed(&error), "untyped error {:?}", error),
        Ok(parsed) => {
            prop_assert_eq!(parsed.vectors.len(), expected);
            for vector in parsed.vectors {
                prop_assert!(vector.iter().all(|x| x.is_finite()));
                let len = vector.len();
                let all_zero = vector.iter().all(|x| *x == 0.0);
                let wrong_dims = u32::try_from(len + 1).ok();
                let error = finish_vector(vector.clone(), wrong_dims).unwrap_err();
                prop_assert_eq!(
                    error.message.as_str(),
                    format!(
                        "Amazon Bedrock embedding returned {len} dimensions, expected {}",
                        len + 1
                    )
                );
                let unit = finish_vector(vector.clone(), u32::try_from(len).ok());
                prop_assert!(unit.is_ok());
                let unit = unit.unwrap();
                prop_assert!(
                    unit.iter().all(|x| x.is_finite()),
                    "{:?} → {:?}",
                    vector,
                    unit
                );
                let norm: f64 = unit
                    .iter()
                    .map(|x| f64::from(*x).powi(2))
                    .sum::<f64>()
                    .sqrt();
                if all_zero {
                    prop_assert_eq!(norm, 0.0);
                } else if !unit.iter().all(|x| *x == 0.0) {
                    // A vector whose tiny entries all round to zero in f32 stays zero.
                    prop_assert!((norm - 1.0).abs() < 1e-3, "norm {} of {:?}", norm, vector);
                }
            }
        }
    }
    Ok(())
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => (-1.0f64..1.0).prop_map(|f| json!(f)),
        1 => any::<i64>().prop_map(|n| json!(n)),
        1 => any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        1 => Just(serde_json::from_str::<Value>("1e400").unwrap()),
        1 => Just(serde_json::from_str::<Value>("123456789012345678901234567890").unwrap()),
        1 => Just(json!(1e300)),
        1 => Just(json!(f64::MAX)),
        1 => Just(json!(1e-320)),
        1 => Just(json!(0)),
        1 => Just(json!("1.0")),
        1 => Just(Value::Null),
    ]
}

fn vector() -> impl Strategy<Value = Value> {
    prop_oneof![
        8 => proptest::collection::vec(number(), 0..8).prop_map(Value::Array),
        1 => Just(json!({"bad": true})),
        1 => Just(json!("x")),
    ]
}

/// JSON in the shape of some family's answer, with arbitrary vectors.
fn shaped() -> impl Strategy<Value = Value> {
    let vectors = || proptest::collection::vec(vector(), 0..4);
    prop_oneof![
        vector().prop_map(|v| json!({"embedding": v, "inputTextTokenCount": 3})),
        vector().prop_map(|v| json!({"embeddings": [{"embedding": v}]})),
        vector().prop_map(|v| json!({"data": [{"embedding": v}]})),
        vector().prop_map(|v| json!({"data": {"embedding": v}})),
        vectors().prop_map(|v| json!({"embeddings": v})),
        vectors().prop_map(|v| json!({"embeddings": {"float": v}})),
        Just(json!([])),
        Just(json!({})),
        Just(json!({"inputTextTokenCount": -1, "embedding": []})),
    ]
}

#[test]
fn plg_59_arbitrary_bytes_give_the_typed_malformed_error_or_valid_vectors() {
    let mut runner = TestRunner::new(config());
    let strategy = (
        family(),
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..64),
            any::<String>().prop_map(String::into_bytes),
        ],
        0..4usize,
    );
    runner
        .run(&strategy, |(family, body, expected)| {
            check(family, &body, expected)
        })
        .unwrap();
}

#[test]
fn plg_59_family_shaped_json_gives_the_typed_malformed_error_or_finite_unit_vectors() {
    let mut runner = TestRunner::new(config());
    runner
        .run(
            &(family(), shaped(), 0..4usize),
            |(family, body, expected)| check(family, body.to_string().as_bytes(), expected),
        )
        .unwrap();
}

#[test]
fn plg_59_huge_finite_entries_normalise_to_a_finite_unit_vector() {
    // Regression: the squared norm of [1e300, 1e300] overflows to infinity, which left the
    // vector unscaled and made every entry f32 infinity.
    for vector in [
        vec![1e300, 1e300],
        vec![f64::MAX, -f64::MAX, 1.0],
        vec![1e39],
    ] {
        let unit = finish_vector(vector.clone(), None).expect("no dims to check");
        assert!(unit.iter().all(|x| x.is_finite()), "{vector:?} → {unit:?}");
        let norm: f64 = unit
            .iter()
            .map(|x| f64::from(*x).powi(2))
            .sum::<f64>()
            .sqrt();
        assert!((norm - 1.0).abs() < 1e-3, "{vector:?} → norm {norm}");
    }
}

/// `$BEDROCK_ORACLE_DIR`, else `../shared/oracle` beside the checkout; `None` when absent.
fn oracle_dir() -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("BEDROCK_ORACLE_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/oracle")
        });
    dir.is_dir().then_some(dir)
}

/// One recorded answer: (file, family, response body, texts sent).
type Recorded = (String, Family, Vec<u8>, usize);

/// The recorded real embedding answers.
fn recorded() -> Option<Vec<Recorded>> {
    let dir = oracle_dir()?.join("recorded/pydantic-ai/decoded");
    if !dir.is_dir() {
        return None;
    }
    let mut out = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.to_string_lossy().ends_with(".http.json"))
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path).ok()?;
        let Ok(Value::Array(exchanges)) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        for exchange in exchanges {
            let uri = exchange["request"]["uri"].as_str().unwrap_or_default();
            if !uri.ends_with("/invoke") || exchange["response"]["status"]["code"] != 200 {
                continue;
            }
            let family = if uri.contains("titan-embed-text-v1") {
                Family::TitanV1
            } else if uri.contains("titan-embed-text-v2") {
                Family::TitanV2
            } else if uri.contains("cohere.embed-v4") {
                Family::CohereV4
            } else if uri.contains("cohere.embed") {
                Family::CohereV3
            } else if uri.contains("nova") {
                Family::Nova
            } else {
                continue;
            };
            let request: Value = exchange["request"]["body"]
                .as_str()
                .and_then(|body| serde_json::from_str(body).ok())
                .unwrap_or_default();
            let texts = request["texts"].as_array().map_or(1, Vec::len);
            let body = serde_json::to_vec(&exchange["response"]["parsed_body"]).ok()?;
            out.push((path.display().to_string(), family, body, texts));
        }
    }
    Some(out)
}

#[test]
fn plg_59_recorded_embedding_answers_parse_to_unit_vectors() {
    let Some(recorded) = recorded() else {
        eprintln!(
            "skipping: the Bedrock oracle (../shared/oracle or $BEDROCK_ORACLE_DIR) is not present"
        );
        return;
    };
    assert!(
        recorded.len() >= 10,
        "recorded answers found: {}",
        recorded.len()
    );
    for (name, family, body, texts) in &recorded {
        let parsed = parse_response(*family, body, *texts)
            .unwrap_or_else(|error| panic!("{name}: {error:?}"));
        assert_eq!(parsed.vectors.len(), *texts, "{name}");
        check(*family, body, *texts).unwrap_or_else(|error| panic!("{name}: {error}"));
    }
}

#[test]
fn plg_59_mutated_recorded_embedding_answers_give_the_typed_error_or_valid_vectors() {
    let Some(recorded) = recorded() else {
        eprintln!(
            "skipping: the Bedrock oracle (../shared/oracle or $BEDROCK_ORACLE_DIR) is not present"
        );
        return;
    };
    let mut runner = TestRunner::new(config());
    let strategy = (
        0..recorded.len(),
        proptest::collection::vec((any::<usize>(), any::<u8>(), 0..3u8), 1..6),
        family(),
    );
    runner
        .run(&strategy, |(which, edits, other_family)| {
            let (_, family, body, texts) = &recorded[which];
            let mut body = body.clone();
            for (at, byte, op) in edits {
                if body.is_empty() {
                    break;
                }
                let at = at % body.len();
                match op {
                    0 => body[at] = byte,
                    1 => body.truncate(at),
                    _ => body.insert(at, byte),
                }
            }
            check(*family, &body, *texts)?;
            // The same bytes read as another family's answer.
            check(other_family, &body, *texts)
        })
        .unwrap();
}
