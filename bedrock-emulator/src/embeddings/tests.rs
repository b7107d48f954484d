//! Seeded vectors and the model-family dispatch.

use super::vector::vector;

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
    let invoke =
        |model: &str, body: &str| super::invoke(catalog.model(model).unwrap(), body.as_bytes());
    let v2 = invoke(
        "amazon.titan-embed-text-v2:0",
        r#"{"inputText":"a b","dimensions":256}"#,
    )
    .unwrap();
    assert_eq!(
        v2.body["embeddingsByType"]["float"]
            .as_array()
            .unwrap()
            .len(),
        256
    );
    assert_eq!(v2.input_tokens, 2);
    let v1 = invoke("amazon.titan-embed-text-v1", r#"{"inputText":""}"#).unwrap();
    assert_eq!(v1.body["embedding"].as_array().unwrap().len(), 1536);
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
