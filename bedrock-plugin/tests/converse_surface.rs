//! BR-90..BR-93 end to end against the local emulator: latency-optimized inference, structured
//! output, document citations and audio input reach Bedrock's wire, and the answer's served
//! latency, structured mark and citations reach the host's final message.

mod common;

use abi_stable::std_types::{ROption, RString, RVec};
use bedrock_emulator::Operation;
use plugin_api::chat::{ContentPart, ContentPart_NE, Message, Message_NE};
use plugin_api::error::ErrorKind;
use plugin_api::ext::{keys, ExtValue, Extensions};
use serde_json::{json, Value};

const NOVA: &str = "amazon.nova-micro-v1:0";
const NOVA_PRO: &str = "amazon.nova-pro-v1:0";

fn with_option(
    mut request: plugin_api::chat::ChatRequest,
    key: &str,
    value: ExtValue,
) -> plugin_api::chat::ChatRequest {
    request.options.extensions.set(key, value);
    request
}

fn sent_body(emu: &bedrock_emulator::Emulator) -> String {
    let requests = emu.requests_for(Operation::ConverseStream);
    String::from_utf8(requests[0].body.clone()).expect("UTF-8 body")
}

fn warnings(summary: &plugin_api::event::ResponseSummary) -> Vec<String> {
    common::diagnostics(summary)
        .into_iter()
        .filter(|(kind, _)| kind == "warning")
        .map(|(_, details)| details["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn br_91_structured_output_request_body_byte_for_byte_and_structured_answer() {
    let emu = common::emulator();
    let instance = common::emulator_instance(&emu, json!({}));
    let format = r#"{"type":"json_schema","schema":{"type":"object","properties":{"city":{"type":"string"},"count":{"type":"integer"}},"required":["city"]},"name":"weather","description":"A city report"}"#;
    let request = with_option(
        common::text_request(NOVA, "report"),
        keys::RESPONSE_FORMAT,
        ExtValue::Json(format.into()),
    );
    let events = common::run_stream(&instance, request).await;
    assert_eq!(
        sent_body(&emu),
        concat!(
            r#"{"inferenceConfig":{"maxTokens":10000},"#,
            r#""messages":[{"role":"user","content":[{"text":"report"}]}],"#,
            r#""outputConfig":{"textFormat":{"type":"json_schema","structure":{"jsonSchema":{"#,
            r#""schema":"{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},\"count\":{\"type\":\"integer\"}},\"required\":[\"city\"]}","#,
            r#""name":"weather","description":"A city report"}}}}}"#
        )
    );
    let summary = common::done(&events);
    assert!(summary.is_structured());
    let text = common::streamed_text(&events);
    let parsed: Value = serde_json::from_str(&text).expect("the answer is JSON");
    assert_eq!(parsed, json!({"city": "emulator", "count": 1}));
}

#[tokio::test]
async fn br_91_a_schema_that_is_not_an_object_fails_before_sending() {
    let emu = common::emulator();
    let instance = common::emulator_instance(&emu, json!({}));
    let request = with_option(
        common::text_request(NOVA, "report"),
        keys::RESPONSE_FORMAT,
        ExtValue::Json(r#"{"type":"json_schema","schema":true}"#.into()),
    );
    let error = instance
        .chat_provider()
        .stream_chat(request)
        .into_result()
        .err()
        .expect("a request error");
    assert_eq!(
        error.message.as_str(),
        "Amazon Bedrock: options.responseFormat.schema must be a JSON object, got a boolean"
    );
    assert_eq!(error.kind(), Some(ErrorKind::InvalidRequest));
    assert!(emu.requests_for(Operation::ConverseStream).is_empty());
}

#[tokio::test]
async fn br_90_optimized_is_served_as_standard_with_the_notice() {
    let emu = common::emulator();
    let instance = common::emulator_instance(&emu, json!({}));
    let request = with_option(
        common::text_request(NOVA, "hi"),
        keys::PERFORMANCE,
        ExtValue::Text("optimized".into()),
    );
    let events = common::run_stream(&instance, request).await;
    let summary = common::done(&events);
    let body = emu.requests_for(Operation::ConverseStream)[0]
        .json()
        .expect("JSON body");
    assert_eq!(body["performanceConfig"], json!({"latency": "optimized"}));
    assert_eq!(summary.served_performance(), Some("standard"));
    assert_eq!(
        warnings(summary),
        ["latency-optimized inference not available for amazon.nova-micro-v1:0 in us-east-1; served with standard latency"]
    );
}

#[tokio::test]
async fn br_90_params_optimized_served_optimized_has_no_notice() {
    let emu = common::emulator();
    let host = json!({"agents": {"defaults": {"models": {"amazon-bedrock/amazon.nova-pro-v1:0": {"params": {
        "performanceConfig": "optimized"
    }}}}}});
    let instance = common::instance(
        common::emulator_plugin_config(&emu, json!({})),
        host,
        &[
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("HOME", "/nonexistent-home"),
        ],
    );
    let events = common::run_stream(&instance, common::text_request(NOVA_PRO, "hi")).await;
    let summary = common::done(&events);
    assert_eq!(summary.served_performance(), Some("optimized"));
    assert!(warnings(summary).is_empty());
}

#[tokio::test]
async fn br_90_an_unknown_latency_is_a_request_error_naming_both_values() {
    let emu = common::emulator();
    let instance = common::emulator_instance(&emu, json!({}));
    let request = with_option(
        common::text_request(NOVA, "hi"),
        keys::PERFORMANCE,
        ExtValue::Text("fast".into()),
    );
    let error = instance
        .chat_provider()
        .stream_chat(request)
        .into_result()
        .err()
        .expect("a request error");
    assert_eq!(
        error.message.as_str(),
        "Amazon Bedrock: options.performance must be \"standard\" or \"optimized\", got \"fast\""
    );
    assert!(emu.requests_for(Operation::ConverseStream).is_empty());
}

fn user_parts(parts: Vec<ContentPart>) -> Message_NE {
    Message_NE::new(Message::User {
        content: parts.into_iter().map(ContentPart_NE::new).collect(),
        runtime_context: false,
    })
}

#[tokio::test]
async fn br_92_cited_document_citations_delivered_in_order_with_their_text() {
    let emu = common::emulator();
    let instance = common::emulator_instance(&emu, json!({}));
    let mut cite = Extensions::new();
    cite.set(keys::DOCUMENT_CITATIONS, ExtValue::Bool(true));
    let mut request = common::text_request(NOVA, "colour?");
    // "The sky is blue and the grass is green."
    request.messages = RVec::from(vec![user_parts(vec![
        ContentPart::Document {
            data: "VGhlIHNreSBpcyBibHVlIGFuZCB0aGUgZ3Jhc3MgaXMgZ3JlZW4u".into(),
            mime_type: "text/plain".into(),
            name: ROption::RSome(RString::from("notes.txt")),
            extensions: cite,
        },
        ContentPart::Text {
            text: "colour? !web-citation".into(),
        },
    ])]);
    let events = common::run_stream(&instance, request).await;
    let summary = common::done(&events);
    let body = emu.requests_for(Operation::ConverseStream)[0]
        .json()
        .expect("JSON body");
    assert_eq!(
        body["messages"][0]["content"][0]["document"]["citations"],
        json!({"enabled": true})
    );
    let text = common::streamed_text(&events);
    let citations: Value =
        serde_json::from_str(summary.citations_json().expect("citations")).expect("JSON");
    assert_eq!(
        citations,
        json!([
            {"index": 0, "text": text, "title": "notes", "sourceText": "The sky is blue and ",
             "location": {"documentChar": {"documentIndex": 0, "start": 0, "end": 20}}},
            {"index": 0, "text": text, "title": "Emulator web source",
             "source": "https://emulator.example/source",
             "location": {"web": {"url": "https://emulator.example/source", "domain": "emulator.example"}}}
        ])
    );
}

#[tokio::test]
async fn br_93_audio_for_an_audio_model_is_an_audio_block_else_a_placeholder() {
    let emu = common::emulator();
    let instance = common::emulator_instance(&emu, json!({}));
    let audio = || {
        user_parts(vec![
            ContentPart::Audio {
                data: "aGk=".into(),
                mime_type: "audio/mpeg".into(),
            },
            ContentPart::Text {
                text: "transcribe".into(),
            },
        ])
    };
    let mut request = common::text_request(NOVA, "x");
    request.model.input = RVec::from(vec![RString::from("text"), RString::from("audio")]);
    request.messages = RVec::from(vec![audio()]);
    common::done(&common::run_stream(&instance, request).await);
    let mut request = common::text_request(NOVA, "x");
    request.messages = RVec::from(vec![audio()]);
    common::done(&common::run_stream(&instance, request).await);
    let sent = emu.requests_for(Operation::ConverseStream);
    let first = sent[0].json().expect("JSON body");
    assert_eq!(
        first["messages"][0]["content"][0],
        json!({"audio": {"format": "mp3", "source": {"bytes": "aGk="}}})
    );
    let second = sent[1].json().expect("JSON body");
    assert_eq!(
        second["messages"][0]["content"][0],
        json!({"text": "[audio omitted: model does not support audio]"})
    );
}
