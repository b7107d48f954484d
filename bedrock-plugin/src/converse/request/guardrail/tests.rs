use super::*;
use crate::config::{GuardrailTrace as Trace, StreamProcessingMode};

fn guardrail(
    id: &str,
    version: &str,
    mode: Option<StreamProcessingMode>,
    trace: Option<Trace>,
) -> GuardrailConfig {
    GuardrailConfig {
        guardrail_identifier: id.to_owned(),
        guardrail_version: version.to_owned(),
        stream_processing_mode: mode,
        trace,
        latest_message_only: None,
    }
}

#[test]
fn grd_01_all_four_keys_when_set() {
    let config = guardrail(
        "my-guardrail-id",
        "1",
        Some(StreamProcessingMode::Sync),
        Some(Trace::Enabled),
    );
    let sent = stream_config(Some(&config)).expect("guardrail");
    assert_eq!(sent.config.guardrail_identifier(), "my-guardrail-id");
    assert_eq!(sent.config.guardrail_version(), "1");
    assert_eq!(
        sent.config.stream_processing_mode(),
        &GuardrailStreamProcessingMode::Sync
    );
    assert_eq!(sent.config.trace(), &GuardrailTrace::Enabled);
    assert!(sent.unset_keys().is_empty());
}

#[test]
fn grd_01_only_required_keys_when_optional_unset() {
    let config = guardrail("abc123", "DRAFT", None, None);
    let sent = stream_config(Some(&config)).expect("guardrail");
    assert_eq!(sent.config.guardrail_identifier(), "abc123");
    assert_eq!(sent.config.guardrail_version(), "DRAFT");
    assert_eq!(sent.unset_keys(), ["trace", "streamProcessingMode"]);
    assert!(stream_config(None).is_none(), "EX-I18: no guardrail");
    assert!(stream_config(Some(&guardrail("", "1", None, None))).is_none());
}

#[test]
fn grd_01_strip_keys_removes_only_the_unset_defaults() {
    let body = br#"{"modelId":"m","inferenceConfig":{"temperature":0.20000000298023224},"guardrailConfig":{"guardrailIdentifier":"abc123","guardrailVersion":"DRAFT","trace":"disabled","streamProcessingMode":"sync"},"n":18446744073709551615}"#;
    let stripped = strip_keys(body, &["trace", "streamProcessingMode"]).expect("changed");
    assert_eq!(
        String::from_utf8(stripped).expect("utf8"),
        r#"{"modelId":"m","inferenceConfig":{"temperature":0.20000000298023224},"guardrailConfig":{"guardrailIdentifier":"abc123","guardrailVersion":"DRAFT"},"n":18446744073709551615}"#
    );
    assert_eq!(strip_keys(body, &[]), None);
    assert_eq!(strip_keys(br#"{"modelId":"m"}"#, &["trace"]), None);
}

#[test]
fn grd_02_converse_config_never_has_stream_processing_mode() {
    let config = guardrail(
        "guardrail-anthropic",
        "2",
        Some(StreamProcessingMode::Async),
        Some(Trace::EnabledFull),
    );
    let sent = converse_config(Some(&config)).expect("guardrail");
    assert_eq!(sent.guardrail_identifier(), "guardrail-anthropic");
    assert_eq!(sent.trace(), &GuardrailTrace::EnabledFull);
    // GuardrailConfiguration has no streamProcessingMode member at all; the stream form
    // keeps it.
    assert_eq!(
        stream_config(Some(&config)).map(|c| c.config.stream_processing_mode().clone()),
        Some(GuardrailStreamProcessingMode::Async)
    );
}

use crate::converse::request::messages::tests::{
    assistant, image, request, text_part, tool_call, tool_result, user, NOVA,
};
use crate::models::traits::ModelTraits;
use aws_sdk_bedrockruntime::types::ContentBlock as Block;
use plugin_api::chat::{AssistantBlock, ContentPart};

fn converted(request: &ChatRequest) -> Converted {
    converted_with_tools(request, false)
}

fn converted_with_tools(request: &ChatRequest, tools_enabled: bool) -> Converted {
    crate::converse::request::messages::convert_with_ends(
        request,
        &ModelTraits::of(&request.model),
        tools_enabled,
    )
    .unwrap()
}

fn guard_text(text: &str) -> Block {
    Block::GuardContent(GuardrailConverseContentBlock::Text(
        GuardrailConverseTextBlock::builder()
            .text(text)
            .build()
            .unwrap(),
    ))
}

fn guarded(request: &ChatRequest) -> Vec<Vec<Block>> {
    let mut converted = converted(request);
    guard_latest_user_message(request, &mut converted);
    converted
        .messages
        .into_iter()
        .map(|message| message.content)
        .collect()
}

#[test]
fn grd_05_plg_53_only_the_last_user_message_text_and_png_jpeg_images_become_guard_content() {
    let gif = ContentPart::Image {
        data: "aGk=".into(),
        mime_type: "image/gif".into(),
    };
    let req = request(
        NOVA,
        vec![
            user(vec![text_part("first")]),
            assistant(
                NOVA,
                vec![AssistantBlock::Text {
                    text: "answer".into(),
                }],
            ),
            user(vec![text_part("second")]),
            // MSG-09 merges this into the same Bedrock message as "second".
            user(vec![text_part("newest"), image("aGk="), gif]),
        ],
    );
    let plain = converted(&req);
    let content = guarded(&req);
    assert_eq!(
        content[0], plain.messages[0].content,
        "earlier turns stay plain"
    );
    assert_eq!(content[1], plain.messages[1].content);
    let last = &plain.messages[2].content;
    let Block::Image(png) = &last[2] else {
        panic!("png image expected, got {last:?}");
    };
    let png_bytes = match png.source() {
        Some(ImageSource::Bytes(bytes)) => bytes.clone(),
        other => panic!("inline image expected, got {other:?}"),
    };
    assert_eq!(
        content[2],
        [
            Block::Text("second".into()),
            guard_text("newest"),
            Block::GuardContent(GuardrailConverseContentBlock::Image(
                GuardrailConverseImageBlock::builder()
                    .format(GuardrailConverseImageFormat::Png)
                    .source(GuardrailConverseImageSource::Bytes(png_bytes))
                    .build()
                    .unwrap()
            )),
            // GIF is no guardrail image format, so it stays plain.
            last[3].clone(),
        ]
    );
    assert!(matches!(&last[3], Block::Image(image) if *image.format() == ImageFormat::Gif));
}

#[test]
fn grd_05_latest_message_only_needs_a_guardrail_and_the_flag() {
    let config = |guardrail: serde_json::Value| -> PluginConfig {
        serde_json::from_value(serde_json::json!({ "guardrail": guardrail })).unwrap()
    };
    let with = |latest: serde_json::Value| {
        let mut guardrail =
            serde_json::json!({"guardrailIdentifier": "gr-1", "guardrailVersion": "1"});
        if !latest.is_null() {
            guardrail["latestMessageOnly"] = latest;
        }
        config(guardrail)
    };
    assert!(latest_message_only(&with(serde_json::json!(true))));
    assert!(!latest_message_only(&with(serde_json::json!(false))));
    assert!(
        !latest_message_only(&with(serde_json::Value::Null)),
        "default false"
    );
    assert!(
        !latest_message_only(&PluginConfig::default()),
        "no guardrail"
    );
}

#[test]
fn grd_05_plg_53_tool_results_after_the_last_user_message_stay_plain() {
    let req = request(
        NOVA,
        vec![
            user(vec![text_part("question")]),
            assistant(NOVA, vec![tool_call("t1", "lookup", "{}")]),
            tool_result("t1", "lookup", vec![text_part("42")]),
        ],
    );
    let plain = converted_with_tools(&req, true);
    let mut guarded = plain.clone();
    guard_latest_user_message(&req, &mut guarded);
    assert_eq!(guarded.messages[0].content, [guard_text("question")]);
    assert_eq!(guarded.messages[1..], plain.messages[1..]);
    assert!(matches!(
        guarded.messages[2].content[0],
        Block::ToolResult(_)
    ));
}
