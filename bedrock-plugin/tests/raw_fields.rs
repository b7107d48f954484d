//! BR-94 end to end against the local emulator: raw `additionalModelRequestFields` and
//! `additionalModelResponseFieldPaths` from the host-config params reach Bedrock's wire.

mod common;

use bedrock_emulator::Operation;
use plugin_api::error::ErrorKind;
use serde_json::json;

const NOVA: &str = "amazon.nova-micro-v1:0";

#[tokio::test]
async fn br_94_params_fields_and_paths_are_sent() {
    let emu = common::emulator();
    let host = json!({"agents": {"defaults": {"models": {"amazon-bedrock/amazon.nova-micro-v1:0": {"params": {
        "additionalModelRequestFields": {"inferenceConfig": {"topK": 20}},
        "additionalModelResponseFieldPaths": ["/stop_sequence"]
    }}}}}});
    let instance = common::instance(
        common::emulator_plugin_config(&emu, json!({})),
        host,
        &[
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("HOME", "/nonexistent-home"),
        ],
    );
    let events = common::run_stream(&instance, common::text_request(NOVA, "hi")).await;
    common::done(&events);
    let body = emu.requests_for(Operation::ConverseStream)[0]
        .json()
        .expect("JSON body");
    assert_eq!(
        body["additionalModelRequestFields"],
        json!({"inferenceConfig": {"topK": 20}})
    );
    assert_eq!(
        body["additionalModelResponseFieldPaths"],
        json!(["/stop_sequence"])
    );
}

#[tokio::test]
async fn br_94_a_non_object_fields_param_fails_the_request_before_sending() {
    let emu = common::emulator();
    let instance = common::emulator_instance(&emu, json!({}));
    let mut request = common::text_request(NOVA, "hi");
    request.options.extra_params_json =
        abi_stable::std_types::ROption::RSome(r#"{"additionalModelRequestFields": [1]}"#.into());
    let error = instance
        .chat_provider()
        .stream_chat(request)
        .into_result()
        .err()
        .expect("a request error");
    assert_eq!(
        error.message.as_str(),
        "Amazon Bedrock: params.additionalModelRequestFields must be a JSON object, got an array"
    );
    assert_eq!(error.kind(), Some(ErrorKind::InvalidRequest));
    assert!(emu.requests_for(Operation::ConverseStream).is_empty());
}
