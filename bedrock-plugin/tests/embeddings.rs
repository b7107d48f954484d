//! Embeddings end to end in-process: plugin instances call InvokeModel on the local emulator,
//! and the tests check vectors, the exact bodies the emulator recorded, Cohere batching and
//! throttling retries (EMB-12..28, EMB-40).

mod common;

use abi_stable::std_types::{ROption, RString, RVec};
use bedrock_emulator::{Emulator, Fault, FaultRule, Operation};
use host_harness::waker::PendingFuture;
use plugin_api::embedding::{EmbeddingProviderRequest, Embeddings};
use plugin_api::error::PluginError;
use plugin_api::traits::{EmbeddingProviderBox, PluginInstanceBox};
use serde_json::{json, Value};

const ENV: &[(&str, &str)] = &[
    ("AWS_EC2_METADATA_DISABLED", "true"),
    ("HOME", "/nonexistent-home"),
];

use common::emulator;

fn instance(emu: &Emulator) -> PluginInstanceBox {
    common::instance(
        common::emulator_plugin_config(
            emu,
            json!({"retry": {"maxAttempts": 3, "baseDelayMs": 5, "maxDelayMs": 20}}),
        ),
        json!({}),
        ENV,
    )
}

fn request(model: &str, dims: Option<u32>) -> EmbeddingProviderRequest {
    EmbeddingProviderRequest {
        model: model.into(),
        output_dimensionality: dims.into(),
        base_url: ROption::RNone,
        family: ROption::RNone,
        extensions: Default::default(),
    }
}

fn provider(instance: &PluginInstanceBox, model: &str, dims: Option<u32>) -> EmbeddingProviderBox {
    match instance.embedding_provider(request(model, dims)) {
        abi_stable::std_types::RResult::ROk(ROption::RSome(provider)) => provider,
        abi_stable::std_types::RResult::ROk(ROption::RNone) => panic!("no provider for {model}"),
        abi_stable::std_types::RResult::RErr(error) => panic!("{model}: {}", error.message),
    }
}

async fn batch(provider: &EmbeddingProviderBox, texts: &[&str]) -> Result<Embeddings, PluginError> {
    let texts: RVec<RString> = texts.iter().map(|t| RString::from(*t)).collect();
    PendingFuture::new(provider.embed_batch(texts)).await
}

async fn query(provider: &EmbeddingProviderBox, text: &str) -> Result<Embeddings, PluginError> {
    PendingFuture::new(provider.embed_query(text.into())).await
}

fn assert_unit(vector: &RVec<f32>, dims: usize) {
    assert_eq!(vector.len(), dims);
    let norm: f32 = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-3, "norm {norm}");
}

fn invoke_bodies(emu: &Emulator) -> Vec<Value> {
    emu.requests_for(Operation::InvokeModel)
        .iter()
        .map(|r| r.json().expect("json body"))
        .collect()
}

#[tokio::test]
async fn emb_12_20_every_family_round_trips_with_exact_bodies() {
    let emu = emulator();
    let instance = instance(&emu);
    let cases: Vec<(&str, Option<u32>, usize, Value, Value)> = vec![
        (
            "amazon.titan-embed-text-v2:0",
            Some(512),
            512,
            json!({"inputText": "hello world", "dimensions": 512, "normalize": true}),
            json!({"inputText": "find me", "dimensions": 512, "normalize": true}),
        ),
        (
            "amazon.titan-embed-text-v1",
            None,
            1536,
            json!({"inputText": "hello world"}),
            json!({"inputText": "find me"}),
        ),
        (
            "amazon.nova-2-multimodal-embeddings-v1:0",
            Some(384),
            384,
            json!({"taskType":"SINGLE_EMBEDDING","singleEmbeddingParams":{"embeddingPurpose":"GENERIC_INDEX","embeddingDimension":384,"text":{"truncationMode":"END","value":"hello world"}}}),
            json!({"taskType":"SINGLE_EMBEDDING","singleEmbeddingParams":{"embeddingPurpose":"GENERIC_RETRIEVAL","embeddingDimension":384,"text":{"truncationMode":"END","value":"find me"}}}),
        ),
        (
            "twelvelabs.marengo-embed-2-7-v1:0",
            None,
            1024,
            json!({"inputType":"text","inputText":"hello world","textTruncate":"end"}),
            json!({"inputType":"text","inputText":"find me","textTruncate":"end"}),
        ),
        (
            "twelvelabs.marengo-embed-3-0-v1:0",
            None,
            512,
            json!({"inputType":"text","text":{"inputText":"hello world"}}),
            json!({"inputType":"text","text":{"inputText":"find me"}}),
        ),
        (
            "cohere.embed-english-v3",
            None,
            1024,
            json!({"texts":["hello world"],"input_type":"search_document","truncate":"END"}),
            json!({"texts":["find me"],"input_type":"search_query","truncate":"END"}),
        ),
        (
            "cohere.embed-v4:0",
            Some(256),
            256,
            json!({"texts":["hello world"],"input_type":"search_document","truncate":"END","embedding_types":["float"],"output_dimension":256}),
            json!({"texts":["find me"],"input_type":"search_query","truncate":"END","embedding_types":["float"],"output_dimension":256}),
        ),
    ];
    for (model, dims, expected_dims, batch_body, query_body) in cases {
        emu.clear_requests();
        let provider = provider(&instance, model, dims);
        let info = provider.info();
        assert_eq!(info.id.as_str(), "bedrock");
        assert_eq!(info.model.as_str(), model);
        assert_eq!(info.region.as_str(), "us-east-1");
        assert_eq!(info.dimensions, ROption::RSome(expected_dims as u32));

        let documents = batch(&provider, &["hello world"]).await.expect(model);
        assert_eq!(documents.vectors.len(), 1, "{model}");
        assert_unit(&documents.vectors[0], expected_dims);
        // EMB-23: the emulator counts words.
        assert_eq!(documents.input_tokens, ROption::RSome(2), "{model}");

        let found = query(&provider, "find me").await.expect(model);
        assert_eq!(found.vectors.len(), 1);
        assert_unit(&found.vectors[0], expected_dims);

        let requests = emu.requests_for(Operation::InvokeModel);
        assert!(requests
            .iter()
            .all(|r| r.model_id.as_deref() == Some(model)));
        assert!(requests
            .iter()
            .all(|r| r.header("content-type") == Some("application/json")
                && r.header("accept") == Some("application/json")));
        assert_eq!(invoke_bodies(&emu), vec![batch_body, query_body], "{model}");
    }
}

#[tokio::test]
async fn emb_10_default_model_and_prefixed_ids() {
    let emu = emulator();
    let instance = instance(&emu);
    let default = provider(&instance, "", None);
    assert_eq!(
        default.info().model.as_str(),
        "amazon.titan-embed-text-v2:0"
    );
    assert_eq!(default.info().family.as_str(), "titan-v2");
    assert_eq!(default.info().max_input_tokens, ROption::RSome(8192));
    let vectors = batch(&default, &["a b c"]).await.expect("default");
    assert_unit(&vectors.vectors[0], 1024);

    let profile = provider(&instance, "bedrock/us.cohere.embed-v4:0", None);
    assert_eq!(profile.info().model.as_str(), "us.cohere.embed-v4:0");
    assert_eq!(profile.info().family.as_str(), "cohere-v4");
    emu.clear_requests();
    let vectors = batch(&profile, &["x"]).await.expect("profile");
    assert_unit(&vectors.vectors[0], 1536);
    let requests = emu.requests_for(Operation::InvokeModel);
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].model_id.as_deref(),
        Some("us.cohere.embed-v4:0")
    );
}

#[tokio::test]
async fn emb_14_invalid_dimensions_fail_creation() {
    let emu = emulator();
    let instance = instance(&emu);
    let error = instance
        .embedding_provider(request("amazon.titan-embed-text-v2:0", Some(300)))
        .into_result()
        .err()
        .expect("creation error");
    assert_eq!(
        error.message.as_str(),
        "Invalid dimensions 300 for amazon.titan-embed-text-v2:0. Valid values: 256, 512, 1024"
    );
    let error = instance
        .embedding_provider(request("amazon.titan-embed-text-v1", Some(512)))
        .into_result()
        .err()
        .expect("creation error");
    assert_eq!(
        error.message.as_str(),
        "Invalid dimensions 512 for amazon.titan-embed-text-v1. Valid values: 1536"
    );
}

#[tokio::test]
async fn emb_24_25_blank_texts_and_order() {
    let emu = emulator();
    let instance = instance(&emu);
    let provider = provider(&instance, "amazon.titan-embed-text-v2:0", Some(256));
    let empty = batch(&provider, &[]).await.expect("empty");
    assert!(empty.vectors.is_empty());
    let blank = query(&provider, "   ").await.expect("blank query");
    assert_eq!(blank.vectors.len(), 1);
    assert!(blank.vectors[0].is_empty());
    assert_eq!(emu.count(Operation::InvokeModel), 0);

    let texts = ["one", "", "two", " \n", "three"];
    let mixed = batch(&provider, &texts).await.expect("mixed");
    assert_eq!(mixed.vectors.len(), 5);
    assert!(mixed.vectors[1].is_empty() && mixed.vectors[3].is_empty());
    assert_eq!(emu.count(Operation::InvokeModel), 3);
    // Each position holds the vector of its own text.
    for (index, text) in texts
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.trim().is_empty())
    {
        let single = batch(&provider, &[text]).await.expect("single");
        assert_eq!(mixed.vectors[index], single.vectors[0], "{text}");
    }
}

/// EMB-26, and PLG-35: the 96-text answers (about 1 MB) are parsed on the blocking pool, the
/// single-text one on the runtime thread, and both give the same vector for the same text.
#[tokio::test]
async fn emb_26_plg_35_cohere_batches_in_chunks_of_96() {
    let emu = emulator();
    let instance = instance(&emu);
    let provider = provider(&instance, "cohere.embed-multilingual-v3", None);
    let owned: Vec<String> = (0..200).map(|i| format!("document {i}")).collect();
    let texts: Vec<&str> = owned.iter().map(String::as_str).collect();
    let result = batch(&provider, &texts).await.expect("cohere batch");
    assert_eq!(result.vectors.len(), 200);
    for vector in result.vectors.iter() {
        assert_unit(vector, 1024);
    }
    let mut sizes: Vec<usize> = invoke_bodies(&emu)
        .iter()
        .map(|body| {
            assert_eq!(body["input_type"], "search_document");
            body["texts"].as_array().map_or(0, Vec::len)
        })
        .collect();
    sizes.sort_unstable();
    assert_eq!(sizes, vec![8, 96, 96]);
    // Order: the last vector is that of the last text, embedded alone.
    let last = batch(&provider, &["document 199"]).await.expect("single");
    assert_eq!(result.vectors[199], last.vectors[0]);

    emu.clear_requests();
    let small: Vec<&str> = texts[..96].to_vec();
    batch(&provider, &small).await.expect("96");
    assert_eq!(emu.count(Operation::InvokeModel), 1);
}

#[tokio::test]
async fn emb_28_throttling_is_retried() {
    let emu = emulator();
    let instance = instance(&emu);
    let provider = provider(&instance, "amazon.titan-embed-text-v1", None);
    emu.add_fault(FaultRule {
        operation: Some(Operation::InvokeModel),
        model_id: None,
        times: Some(1),
        fault: Fault::throttling(),
    });
    let result = batch(&provider, &["retry me"]).await.expect("retried");
    assert_unit(&result.vectors[0], 1536);
    let statuses: Vec<u16> = emu
        .requests_for(Operation::InvokeModel)
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, vec![429, 200]);
}

#[tokio::test]
async fn emb_28_33_persistent_throttling_and_service_errors_fail() {
    let emu = emulator();
    let instance = instance(&emu);
    let provider = provider(&instance, "amazon.titan-embed-text-v1", None);
    emu.add_fault(FaultRule::for_operation(
        Operation::InvokeModel,
        Fault::throttling(),
    ));
    let error = batch(&provider, &["a"]).await.expect_err("throttled");
    assert!(
        error.message.as_str().starts_with("Throttling error: "),
        "{}",
        error.message
    );
    // maxAttempts 3.
    assert_eq!(emu.count(Operation::InvokeModel), 3);

    emu.clear_faults();
    emu.clear_requests();
    emu.add_fault(FaultRule::for_operation(
        Operation::InvokeModel,
        Fault::access_denied(),
    ));
    let error = batch(&provider, &["a", "b"]).await.expect_err("denied");
    assert!(
        error
            .message
            .as_str()
            .starts_with("AccessDeniedException: You don't have access"),
        "{}",
        error.message
    );

    emu.clear_faults();
    let unknown = provider_for_unknown(&instance);
    let error = batch(&unknown, &["a"]).await.expect_err("unknown model");
    assert!(
        error
            .message
            .as_str()
            .starts_with("Validation error: The provided model identifier is invalid."),
        "{}",
        error.message
    );
}

fn provider_for_unknown(instance: &PluginInstanceBox) -> EmbeddingProviderBox {
    provider(instance, "amazon.titan-embed-nonexistent", None)
}

#[tokio::test]
async fn emb_40_standard_base_url_is_a_region_hint() {
    let emu = emulator();
    let instance = instance(&emu);
    let mut req = request("amazon.titan-embed-text-v2:0", None);
    req.base_url = ROption::RSome("https://bedrock-runtime.eu-west-1.amazonaws.com".into());
    let provider = instance
        .embedding_provider(req)
        .into_result()
        .ok()
        .and_then(|p| p.into_option())
        .expect("provider");
    assert_eq!(provider.info().region.as_str(), "eu-west-1");
    // The configured endpoint still applies; the call is signed for the hinted region.
    batch(&provider, &["x"]).await.expect("embed");
    let requests = emu.requests_for(Operation::InvokeModel);
    let auth = requests[0].header("authorization").unwrap_or_default();
    assert!(auth.contains("/eu-west-1/bedrock/"), "{auth}");
}

#[tokio::test]
async fn emb_32_no_credentials_fails_creation() {
    let instance = common::instance(
        json!({"discovery": {"enabled": false}}),
        json!({}),
        &[
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("HOME", "/nonexistent-home"),
        ],
    );
    let error = instance
        .embedding_provider(request("", None))
        .into_result()
        .err()
        .expect("creation error");
    assert!(
        error.message.as_str().starts_with(
            "No API key found for provider \"bedrock\". AWS credentials are not available."
        ),
        "{}",
        error.message
    );
}
