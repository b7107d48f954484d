//! The embedding provider's identity (EMB-01, EMB-03, PLG-105): its descriptor, and the
//! `{provider, region, model, dimensions}` that identify one instance, from `info()` through
//! the ABI trait object.

mod common;

use abi_stable::std_types::ROption;
use plugin_api::embedding::{EmbeddingProviderInfo, EmbeddingProviderRequest};
use plugin_api::ext::{keys, ExtValue};
use serde_json::{json, Value};

fn info(config: Value, request: EmbeddingProviderRequest) -> EmbeddingProviderInfo {
    let instance = common::instance(
        config,
        json!({}),
        &[
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("HOME", "/nonexistent-home"),
        ],
    );
    match instance.embedding_provider(request).into_result() {
        Ok(ROption::RSome(provider)) => provider.info(),
        Ok(ROption::RNone) => panic!("no provider"),
        Err(error) => panic!("{}", error.message),
    }
}

fn static_keys(region: &str) -> Value {
    json!({"awsAccessKey": "AKIDEXAMPLE", "awsSecretKey": "secret", "awsRegion": region,
           "discovery": {"enabled": false}})
}

#[test]
fn emb_01_the_descriptor_and_the_default_model() {
    let info = info(
        static_keys("us-east-1"),
        EmbeddingProviderRequest::default(),
    );
    assert_eq!(info.id.as_str(), "bedrock");
    assert_eq!(info.model.as_str(), "amazon.titan-embed-text-v2:0");
    let Some(ExtValue::Json(descriptor)) = info.extensions.get(keys::EMBEDDING_DESCRIPTOR) else {
        panic!("no descriptor in {:?}", info.extensions);
    };
    assert_eq!(
        serde_json::from_str::<Value>(descriptor.as_str()).expect("JSON"),
        json!({
            "id": "bedrock",
            "defaultModel": "amazon.titan-embed-text-v2:0",
            "transport": "remote",
            "authProviderId": "amazon-bedrock",
            "autoSelectPriority": 60,
        })
    );
}

#[test]
fn emb_03_an_instance_is_identified_by_provider_region_model_and_dimensions() {
    let identity = |info: &EmbeddingProviderInfo| {
        (
            info.id.to_string(),
            info.region.to_string(),
            info.model.to_string(),
            info.dimensions.into_option(),
        )
    };
    let request = |model: &str, dimensions: Option<u32>| EmbeddingProviderRequest {
        model: model.into(),
        output_dimensionality: dimensions.into(),
        ..Default::default()
    };
    assert_eq!(
        identity(&info(
            static_keys("eu-west-1"),
            request("amazon.titan-embed-text-v2:0", Some(512))
        )),
        (
            "bedrock".to_owned(),
            "eu-west-1".to_owned(),
            "amazon.titan-embed-text-v2:0".to_owned(),
            Some(512)
        )
    );
    // Each part changes the identity: region, model, dimensions.
    assert_eq!(
        identity(&info(
            static_keys("us-west-2"),
            request("cohere.embed-english-v3", None)
        )),
        (
            "bedrock".to_owned(),
            "us-west-2".to_owned(),
            "cohere.embed-english-v3".to_owned(),
            Some(1024)
        )
    );
}

/// The region `info()` reports for this config, host config, env and request.
fn region_of(
    config: Value,
    host: Value,
    env: &[(&str, &str)],
    request: EmbeddingProviderRequest,
) -> String {
    let mut env = env.to_vec();
    env.extend([
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("HOME", "/nonexistent-home"),
    ]);
    let instance = common::instance(config, host, &env);
    match instance.embedding_provider(request).into_result() {
        Ok(ROption::RSome(provider)) => provider.info().region.to_string(),
        Ok(ROption::RNone) => panic!("no provider"),
        Err(error) => panic!("{}", error.message),
    }
}

#[test]
fn reg_12_emb_40_the_embedding_region_order() {
    let keys = |extra: Value| {
        let mut config = json!({"awsAccessKey": "AKIDEXAMPLE", "awsSecretKey": "secret",
                                "discovery": {"enabled": false}});
        if let (Some(config), Value::Object(extra)) = (config.as_object_mut(), extra) {
            config.extend(extra);
        }
        config
    };
    let with_base_url = |url: &str| EmbeddingProviderRequest {
        base_url: ROption::RSome(url.into()),
        ..Default::default()
    };
    let provider_url =
        |url: &str| json!({"models": {"providers": {"amazon-bedrock": {"baseUrl": url}}}});
    // memorySearch.remote.baseUrl first, over the provider's baseUrl and awsRegion.
    assert_eq!(
        region_of(
            keys(json!({"awsRegion": "us-west-2"})),
            provider_url("https://bedrock-runtime.ca-central-1.amazonaws.com"),
            &[],
            with_base_url("https://bedrock-runtime.eu-west-1.amazonaws.com"),
        ),
        "eu-west-1"
    );
    // Then the provider's baseUrl, then awsRegion, discovery.region, AWS_REGION.
    assert_eq!(
        region_of(
            keys(json!({"awsRegion": "us-west-2"})),
            provider_url("https://bedrock-runtime.ca-central-1.amazonaws.com"),
            &[],
            EmbeddingProviderRequest::default(),
        ),
        "ca-central-1"
    );
    assert_eq!(
        region_of(
            keys(
                json!({"awsRegion": "us-west-2", "discovery": {"enabled": false, "region": "eu-north-1"}})
            ),
            json!({}),
            &[("AWS_REGION", "ap-south-1")],
            EmbeddingProviderRequest::default(),
        ),
        "us-west-2"
    );
    assert_eq!(
        region_of(
            keys(json!({"discovery": {"enabled": false, "region": "eu-north-1"}})),
            json!({}),
            &[("AWS_REGION", "ap-south-1")],
            EmbeddingProviderRequest::default(),
        ),
        "eu-north-1"
    );
    assert_eq!(
        region_of(
            keys(json!({})),
            json!({}),
            &[("AWS_REGION", "ap-south-1")],
            EmbeddingProviderRequest::default()
        ),
        "ap-south-1"
    );
    assert_eq!(
        region_of(
            keys(json!({})),
            json!({}),
            &[],
            EmbeddingProviderRequest::default()
        ),
        "us-east-1"
    );
    // An ARN model id's region wins over all of these.
    assert_eq!(
        region_of(
            keys(json!({"awsRegion": "us-west-2"})),
            json!({}),
            &[],
            EmbeddingProviderRequest {
                model:
                    "arn:aws:bedrock:ap-northeast-1::foundation-model/amazon.titan-embed-text-v2:0"
                        .into(),
                base_url: ROption::RSome("https://bedrock-runtime.eu-west-1.amazonaws.com".into()),
                ..Default::default()
            },
        ),
        "ap-northeast-1"
    );
}
