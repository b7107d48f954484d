//! Request patches through a full send (EX-I07..I12): temperature removal for Opus 4.7/4.8
//! with the caller's `maxTokens` kept, and the region a request is signed for.

mod common;

use abi_stable::std_types::ROption;
use bedrock_emulator::{Emulator, Operation, RecordedRequest};
use serde_json::{json, Value};

/// The one ConverseStream the emulator received.
fn only_stream(emu: &Emulator) -> RecordedRequest {
    let mut sent = emu.requests_for(Operation::ConverseStream);
    assert_eq!(sent.len(), 1);
    sent.remove(0)
}

fn body(request: &RecordedRequest) -> Value {
    request.json().expect("JSON body")
}

/// The SigV4 scope region of a recorded request (`…/<date>/<region>/bedrock/aws4_request`).
fn signed_region(request: &RecordedRequest) -> String {
    let auth = request.header("authorization").unwrap_or_default();
    auth.split("Credential=")
        .nth(1)
        .and_then(|credential| credential.split('/').nth(2))
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ex_i07_i08_i09_i12_opus_47_48_send_only_the_callers_max_tokens() {
    for (id, temperature, max_tokens) in [
        ("us.anthropic.claude-opus-4-7", 0.2, 10),
        ("us.anthropic.claude-opus-4-8", 0.2, 10),
        ("us.anthropic.claude-opus-4.7-v1:0", 0.2, 10),
        ("eu.anthropic.claude-opus-4-7", 0.4, 12),
    ] {
        let emu = common::emulator();
        let plugin = common::emulator_instance(&emu, json!({}));
        let mut request = common::text_request(id, "patch me");
        request.options.temperature = ROption::RSome(temperature);
        request.options.max_tokens = ROption::RSome(max_tokens);
        common::run_stream(&plugin, request).await;
        assert_eq!(
            body(&only_stream(&emu))["inferenceConfig"],
            json!({"maxTokens": max_tokens}),
            "{id}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ex_i10_a_profile_arn_with_a_region_option_is_signed_for_it_without_temperature() {
    let emu = common::emulator();
    let plugin = common::emulator_instance(&emu, json!({}));
    let arn =
        "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-opus-4-7";
    let mut request = common::text_request(arn, "patch me");
    request.options.temperature = ROption::RSome(0.0);
    request.options.region = ROption::RSome("us-west-2".into());
    common::run_stream(&plugin, request).await;
    let sent = only_stream(&emu);
    assert_eq!(signed_region(&sent), "us-west-2");
    // No temperature: only the model's maxTokens (10000 in `text_request`) is left.
    assert_eq!(body(&sent)["inferenceConfig"], json!({"maxTokens": 10000}));
}

/// EX-I11: a non-standard baseUrl names no region (here the emulator's own URL stands for
/// `https://bedrock-runtime.internal.example`, so the request reaches it), and with no
/// `awsRegion` the plugin's `discovery.region` is the region the request is signed for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ex_i11_a_custom_base_url_takes_its_region_from_discovery_region() {
    let emu = common::emulator();
    let mut config = common::emulator_plugin_config(&emu, json!({}));
    let config_object = config.as_object_mut().expect("object");
    config_object.remove("awsRegion");
    config_object.remove("awsBedrockEndpoint");
    config_object.insert(
        "discovery".to_owned(),
        json!({"enabled": false, "region": "eu-central-1"}),
    );
    let plugin = common::instance(
        config,
        json!({}),
        &[
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("HOME", "/nonexistent-home"),
        ],
    );
    let mut request = common::text_request("amazon.nova-micro-v1:0", "patch me");
    request.model.base_url = ROption::RSome(emu.base_url().into());
    common::run_stream(&plugin, request).await;
    assert_eq!(signed_region(&only_stream(&emu)), "eu-central-1");
}
