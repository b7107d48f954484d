use aws_sdk_bedrockruntime::config::{BehaviorVersion, Region};
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ConversationRole, InferenceConfiguration, Message, ServiceTier, ServiceTierType,
};
use plugin_api::error::ErrorKind;

use super::*;

/// A client that is never sent with: the fluent builders need one.
fn client() -> aws_sdk_bedrockruntime::Client {
    let config = aws_sdk_bedrockruntime::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .build();
    aws_sdk_bedrockruntime::Client::from_conf(config)
}

fn user(text: &str) -> Message {
    Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text(text.into()))
        .build()
        .expect("message")
}

#[test]
fn req_03_payload_is_the_sdk_body_with_model_id_first() {
    let request = client()
        .converse_stream()
        .model_id("us.anthropic.claude-opus-4-7")
        .messages(user("Hi"))
        .inference_config(InferenceConfiguration::builder().max_tokens(10).build())
        .service_tier(
            ServiceTier::builder()
                .r#type(ServiceTierType::Priority)
                .build()
                .expect("tier"),
        );
    let (model_id, body) = request.wire().expect("wire");
    assert_eq!(model_id, "us.anthropic.claude-opus-4-7");
    let payload = payload_json("ConverseStream", &model_id, &body).expect("payload");
    assert_eq!(
        payload,
        r#"{"modelId":"us.anthropic.claude-opus-4-7","inferenceConfig":{"maxTokens":10},"messages":[{"role":"user","content":[{"text":"Hi"}]}],"serviceTier":{"type":"priority"}}"#
    );
}

#[test]
fn req_03_converse_payload_uses_the_converse_serialiser() {
    let request = client()
        .converse()
        .model_id("amazon.nova-micro-v1:0")
        .messages(user("Hi"));
    let (model_id, body) = request.wire().expect("wire");
    assert_eq!(
        payload_json(ConverseFluentBuilder::OPERATION, &model_id, &body).expect("payload"),
        r#"{"modelId":"amazon.nova-micro-v1:0","messages":[{"role":"user","content":[{"text":"Hi"}]}]}"#
    );
}

#[test]
fn req_03_replacement_splits_model_id_from_the_body_in_order() {
    let replacement = parse_replacement(
        r#"{"messages":[{"role":"user","content":[{"text":"x"}]}],"modelId":"amazon.nova-lite-v1:0","futureField":{"a":1}}"#,
    )
    .expect("valid");
    assert_eq!(replacement.model_id, "amazon.nova-lite-v1:0");
    assert_eq!(
        String::from_utf8(replacement.body).expect("utf-8"),
        r#"{"messages":[{"role":"user","content":[{"text":"x"}]}],"futureField":{"a":1}}"#
    );
}

fn message_of(json: &str) -> String {
    parse_replacement(json)
        .expect_err("invalid replacement")
        .to_string()
}

#[test]
fn req_03_invalid_replacements_name_the_field() {
    assert_eq!(
        message_of(r#"{"modelId":"m","messages":{}}"#),
        "Amazon Bedrock: the payload hook's replacement is invalid: messages must be a JSON array, got an object"
    );
    assert_eq!(
        message_of(r#"{"messages":[]}"#),
        "Amazon Bedrock: the payload hook's replacement is invalid: modelId must be a non-empty string, got nothing"
    );
    assert_eq!(
        message_of(r#"{"modelId":7}"#),
        "Amazon Bedrock: the payload hook's replacement is invalid: modelId must be a string, got a number"
    );
    assert_eq!(
        message_of(r#"{"modelId":"m","inferenceConfig":[1]}"#),
        "Amazon Bedrock: the payload hook's replacement is invalid: inferenceConfig must be a JSON object, got an array"
    );
    assert_eq!(
        message_of(r#"{"modelId":"m","messages":[{"role":"user","content":"x"}]}"#),
        "Amazon Bedrock: the payload hook's replacement is invalid: messages[0].content must be a JSON array, got a string"
    );
    assert_eq!(
        message_of(r#"{"modelId":"m","messages":[{"content":[]}]}"#),
        "Amazon Bedrock: the payload hook's replacement is invalid: messages[0].role must be a string, got nothing"
    );
    assert_eq!(
        message_of("[1]"),
        "Amazon Bedrock: the payload hook's replacement is invalid: the payload must be a JSON object, got an array"
    );
    assert_eq!(
        message_of(r#"{"modelId":"m","#),
        "Amazon Bedrock: the payload hook's replacement is not valid JSON: EOF while parsing a value at line 1 column 15"
    );
}

#[test]
fn req_03_hook_errors_reach_the_host_as_invalid_request_with_their_code() {
    let error = PluginError::from(PayloadHookError::Rejected("policy says no".into()));
    assert_eq!(error.kind(), Some(ErrorKind::InvalidRequest));
    assert_eq!(
        error.message.as_str(),
        "Amazon Bedrock: the host's payload hook failed the request: policy says no"
    );
    assert_eq!(
        error.error_code.as_ref().map(|code| code.as_str()),
        plugin_api::abi_stable::std_types::ROption::RSome(ERROR_CODE)
    );
    assert!(!error.retryable);
}

#[test]
fn req_03_replacement_body_and_length_replace_the_sdk_body() {
    let mut request = HttpRequest::empty();
    request
        .headers_mut()
        .insert("content-length", "2".to_owned());
    let replacement = Replacement {
        model_id: "m".into(),
        body: br#"{"messages":[]}"#.to_vec(),
    };
    replace_body(&mut request, Some(&replacement));
    assert_eq!(request.body().bytes(), Some(&br#"{"messages":[]}"#[..]));
    assert_eq!(request.headers().get("content-length"), Some("15"));
    replace_body(&mut request, None);
    assert_eq!(request.body().bytes(), Some(&br#"{"messages":[]}"#[..]));
}
