//! Seeded vectors, the model-family dispatch and the bodies' bytes.

use serde_json::{json, Value};

use super::json::Writer;
use super::vector::{vector, Digits};
use super::VectorCache;

/// The body as JSON, for the tests that look at its fields.
fn parsed(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap()
}

/// A vector's values as their JSON numbers, written through [`Writer::floats`].
fn written(values: &[f64], digits: Digits) -> Vec<Value> {
    let mut w = Writer::with_capacity(0);
    w.floats(values, digits);
    match parsed(&w.into_bytes()) {
        Value::Array(numbers) => numbers,
        other => panic!("not an array: {other}"),
    }
}

#[test]
fn vectors_are_deterministic_and_normalised() {
    let a = vector("m", "hello", 256, true);
    assert_eq!(a, vector("m", "hello", 256, true));
    assert_ne!(a, vector("m", "hello!", 256, true));
    let norm: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    assert!((norm - 1.0).abs() < 1e-3);
}

#[test]
fn families_are_picked_by_model_id_prefix() {
    let catalog = crate::Catalog::builtin().unwrap();
    let cache = VectorCache::default();
    let invoke = |model: &str, body: &str| {
        super::invoke(catalog.model(model).unwrap(), body.as_bytes(), &cache)
    };
    let v2 = invoke(
        "amazon.titan-embed-text-v2:0",
        r#"{"inputText":"a b","dimensions":256}"#,
    )
    .unwrap();
    assert_eq!(
        parsed(&v2.body)["embeddingsByType"]["float"]
            .as_array()
            .unwrap()
            .len(),
        256
    );
    assert_eq!(v2.input_tokens, 2);
    let v1 = invoke("amazon.titan-embed-text-v1", r#"{"inputText":""}"#).unwrap();
    assert_eq!(
        parsed(&v1.body)["embedding"].as_array().unwrap().len(),
        1536
    );
    assert_eq!(v1.input_tokens, 1, "at least one token");
    let err = invoke("cohere.embed-english-v3", r#"{"texts":["a"]}"#)
        .err()
        .unwrap();
    assert_eq!(
        err.message,
        "Malformed input request: #: required key [input_type] not found, please reformat your input and try again."
    );
    assert!(
        invoke("amazon.nova-micro-v1:0", "{}").is_err(),
        "text models are not served"
    );
}

#[test]
fn cohere_vectors_are_written_in_their_shortest_f32_form() {
    let values = vector("m", "hello", 256, true);
    let numbers = written(&values, Digits::F32);
    assert_eq!(numbers.len(), values.len());
    for (number, value) in numbers.iter().zip(&values) {
        let text = number.to_string();
        assert_eq!(text.parse::<f32>().unwrap(), *value as f32, "{text}");
        let mantissa = text.split(['e', 'E']).next().unwrap();
        let significant = mantissa
            .trim_start_matches('-')
            .trim_start_matches(['0', '.'])
            .chars()
            .filter(char::is_ascii_digit)
            .count();
        assert!(significant <= 9, "{text} is longer than an f32 needs");
    }
}

#[test]
fn titan_vectors_keep_the_f64_form_of_their_f32_values() {
    let values = vector("m", "hello", 256, true);
    let expected: Vec<String> = values.iter().map(|x| json!(x).to_string()).collect();
    let texts: Vec<String> = written(&values, Digits::F64)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(texts, expected);
    assert!(
        texts.iter().any(|text| text.len() > 15),
        "the 17-digit form, not the f32 one"
    );
}

/// The seeded vector as the `Value` array the emulator built before it wrote bytes.
fn value_vector(model: &str, text: &str, dims: usize, normalize: bool, digits: Digits) -> Value {
    let values = vector(model, text, dims, normalize).into_iter();
    Value::Array(match digits {
        Digits::F32 => values.map(|x| Value::from(x as f32)).collect(),
        Digits::F64 => values.map(Value::from).collect(),
    })
}

/// Texts with every kind of character JSON escapes, and a blank one.
const AWKWARD: [&str; 4] = ["a b", "say \"hi\"\\\n\tthere\u{1}", "naïve café ☕", ""];

/// EMB-21: every family's body is byte for byte what `serde_json::to_vec` wrote for the
/// `Value` tree the emulator built before it wrote bytes (key order, number forms, escapes),
/// both when its vectors are rendered and when they come from the cache.
#[test]
fn emb_21_bodies_are_the_bytes_the_value_tree_serialised_to() {
    let catalog = crate::Catalog::builtin().unwrap();
    let cache = VectorCache::default();
    let check = |model: &str, request: Value, expected: Value| {
        let expected = serde_json::to_string(&expected).unwrap();
        for pass in ["rendered", "cached"] {
            let got = super::invoke(
                catalog.model(model).unwrap(),
                request.to_string().as_bytes(),
                &cache,
            )
            .unwrap();
            assert_eq!(
                String::from_utf8(got.body).unwrap(),
                expected,
                "{pass}: {model} {request}"
            );
        }
    };
    let v2 = "amazon.titan-embed-text-v2:0";
    for text in AWKWARD {
        for (dims, normalize) in [(1024, true), (256, false), (512, true)] {
            let v = value_vector(v2, text, dims, normalize, Digits::F64);
            let n = text.split_whitespace().count().max(1);
            let request = if dims == 1024 {
                json!({"inputText": text})
            } else {
                json!({"inputText": text, "dimensions": dims, "normalize": normalize})
            };
            check(
                v2,
                request,
                json!({"embedding": v, "embeddingsByType": {"float": v}, "inputTextTokenCount": n}),
            );
        }
        let v1 = "amazon.titan-embed-text-v1";
        check(
            v1,
            json!({"inputText": text}),
            json!({
                "embedding": value_vector(v1, text, 1536, true, Digits::F64),
                "inputTextTokenCount": text.split_whitespace().count().max(1),
            }),
        );
        let nova = "amazon.nova-2-multimodal-embeddings-v1:0";
        for dims in [3072, 256] {
            check(
                nova,
                json!({"singleEmbeddingParams": {"text": {"value": text}, "embeddingDimension": dims}}),
                json!({"embeddings": [{
                    "embeddingType": "TEXT",
                    "embedding": value_vector(nova, text, dims, true, Digits::F64),
                }]}),
            );
        }
        for (marengo, dims) in [
            ("twelvelabs.marengo-embed-2-7-v1:0", 1024),
            ("twelvelabs.marengo-embed-3-0-v1:0", 512),
        ] {
            let expected = json!({"data": [{
                "embedding": value_vector(marengo, text, dims, true, Digits::F64),
                "embeddingOption": "visual-text",
            }]});
            check(marengo, json!({"inputText": text}), expected.clone());
            check(marengo, json!({"text": {"inputText": text}}), expected);
        }
    }
    let cohere_id = |texts: &[&str]| super::models::cohere_id(texts);
    let vectors = |model: &str, texts: &[&str], dims: usize| -> Value {
        texts
            .iter()
            .map(|t| value_vector(model, t, dims, true, Digits::F32))
            .collect()
    };
    let full: Vec<&str> = AWKWARD.iter().copied().cycle().take(96).collect();
    for texts in [&AWKWARD[..], &full[..], &[]] {
        for v3 in ["cohere.embed-english-v3", "cohere.embed-multilingual-v3"] {
            check(
                v3,
                json!({"texts": texts, "input_type": "search_document"}),
                json!({
                    "embeddings": vectors(v3, texts, 1024),
                    "id": cohere_id(texts),
                    "response_type": "embeddings_floats",
                    "texts": texts,
                }),
            );
        }
        let v4 = "cohere.embed-v4:0";
        for (request, dims) in [
            (json!({"texts": texts, "input_type": "search_query"}), 1536),
            (
                json!({"texts": texts, "input_type": "search_document", "output_dimension": 256, "embedding_types": ["float"]}),
                256,
            ),
        ] {
            check(
                v4,
                request,
                json!({
                    "embeddings": {"float": vectors(v4, texts, dims)},
                    "id": cohere_id(texts),
                    "response_type": "embeddings_by_type",
                    "texts": texts,
                }),
            );
        }
    }
}

/// The families without a model-id prefix of their own answer in the Titan v1 shape.
#[test]
fn generic_family_body_is_the_titan_v1_shape_of_1024_values() {
    let got = super::models::generic(
        "acme.embed",
        &json!({"inputText": "x y z"}),
        &VectorCache::default(),
    )
    .unwrap();
    let expected = json!({
        "embedding": value_vector("acme.embed", "x y z", 1024, true, Digits::F64),
        "inputTextTokenCount": 3,
    });
    assert_eq!(got.body, serde_json::to_vec(&expected).unwrap());
    assert_eq!(got.input_tokens, 3);
}
