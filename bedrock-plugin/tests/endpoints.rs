//! Custom runtime endpoints (EP-04): an `http://` endpoint works, its path prefix is kept in
//! front of the operation path, and model ids are percent-encoded in the path.

mod common;

use bedrock_emulator::Operation;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ep_04_http_endpoints_and_percent_encoded_model_ids() {
    let emu = common::emulator();
    assert!(emu.base_url().starts_with("http://"), "{}", emu.base_url());
    let plugin = common::emulator_instance(&emu, json!({}));
    for (id, path) in [
        (
            "us.anthropic.claude-opus-4-6-v1:0",
            "/model/us.anthropic.claude-opus-4-6-v1%3A0/converse-stream",
        ),
        (
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-6",
            "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-sonnet-4-6/converse-stream",
        ),
    ] {
        common::run_stream(&plugin, common::text_request(id, "encode me")).await;
        let sent = emu.requests_for(Operation::ConverseStream);
        let last = sent.last().expect("recorded");
        assert_eq!((last.method.as_str(), last.path.as_str()), ("POST", path));
        assert_eq!(last.model_id.as_deref(), Some(id), "decodes to the id");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ep_04_the_endpoint_path_prefix_is_preserved() {
    let emu = common::emulator();
    let prefixed = format!("{}/bedrock", emu.base_url());
    let plugin = common::emulator_instance(&emu, json!({"awsBedrockEndpoint": prefixed}));
    common::run_stream(
        &plugin,
        common::text_request("amazon.nova-micro-v1:0", "prefix me"),
    )
    .await;
    let paths: Vec<String> = emu
        .requests()
        .iter()
        .map(|request| request.path.clone())
        .collect();
    assert_eq!(
        paths.first().map(String::as_str),
        Some("/bedrock/model/amazon.nova-micro-v1%3A0/converse-stream"),
        "{paths:?}"
    );
}
