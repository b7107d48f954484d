use super::*;

fn convert(request: &ChatRequest, tools_enabled: bool) -> Result<Vec<Message>, PluginError> {
    super::convert(request, &ModelTraits::of(&request.model), tools_enabled)
}
use abi_stable::std_types::{ROption, RString, RVec};
use aws_sdk_bedrockruntime::types::{ImageSource, VideoSource};
use plugin_api::chat::ChatOptions;

pub(crate) const NOVA: &str = "amazon.nova-micro-v1:0";

pub(crate) fn request(model_id: &str, messages: Vec<plugin_api::chat::Message_NE>) -> ChatRequest {
    ChatRequest {
        model: ModelDefinition::new(model_id, "amazon-bedrock", "bedrock-converse-stream"),
        system_prompt: ROption::RNone,
        messages: RVec::from(messages),
        tools: RVec::new(),
        options: ChatOptions::default(),
    }
}

pub(crate) fn user(parts: Vec<ContentPart>) -> plugin_api::chat::Message_NE {
    plugin_api::chat::Message_NE::new(HostMessage::User {
        content: parts.into_iter().map(ContentPart_NE::new).collect(),
        runtime_context: false,
    })
}

fn user_text(value: &str) -> plugin_api::chat::Message_NE {
    HostMessage::user_text(value)
}

fn origin(model: &str, stop: Option<&str>) -> AssistantOrigin {
    AssistantOrigin {
        provider: "amazon-bedrock".into(),
        api: "bedrock-converse-stream".into(),
        model: model.into(),
        stop_reason: stop
            .map(|reason| {
                plugin_api::event::StopReason_NE::new(
                    StopReason::parse(reason).expect("a host stop reason"),
                )
            })
            .into(),
    }
}

fn assistant_from(
    model: &str,
    stop: Option<&str>,
    blocks: Vec<AssistantBlock>,
) -> plugin_api::chat::Message_NE {
    plugin_api::chat::Message_NE::new(HostMessage::Assistant {
        content: blocks.into_iter().map(AssistantBlock_NE::new).collect(),
        origin: origin(model, stop),
        runtime_context: false,
    })
}

pub(crate) fn assistant(model: &str, blocks: Vec<AssistantBlock>) -> plugin_api::chat::Message_NE {
    assistant_from(model, None, blocks)
}

fn thinking(value: &str, signature: Option<&str>, redacted: bool) -> AssistantBlock {
    AssistantBlock::Thinking {
        thinking: value.into(),
        signature: signature.map(RString::from).into(),
        redacted,
    }
}

pub(crate) fn tool_call(id: &str, name: &str, args: &str) -> AssistantBlock {
    AssistantBlock::ToolCall {
        id: id.into(),
        name: name.into(),
        arguments_json: args.into(),
    }
}

pub(crate) fn tool_result(
    id: &str,
    name: &str,
    parts: Vec<ContentPart>,
) -> plugin_api::chat::Message_NE {
    plugin_api::chat::Message_NE::new(HostMessage::ToolResult {
        tool_call_id: id.into(),
        tool_name: name.into(),
        content: parts.into_iter().map(ContentPart_NE::new).collect(),
        is_error: false,
        runtime_context: false,
    })
}

pub(crate) fn text_part(value: &str) -> ContentPart {
    ContentPart::Text { text: value.into() }
}

pub(crate) fn image(data: &str) -> ContentPart {
    ContentPart::Image {
        data: data.into(),
        mime_type: "image/png".into(),
    }
}

fn video(data: &str) -> ContentPart {
    ContentPart::Video {
        data: data.into(),
        mime_type: "video/mp4".into(),
    }
}

fn texts(message: &Message) -> Vec<String> {
    message
        .content()
        .iter()
        .filter_map(|block| block.as_text().ok().cloned())
        .collect()
}

fn result_of(block: &ContentBlock) -> &ToolResultBlock {
    block.as_tool_result().expect("toolResult block")
}

fn result_texts(block: &ContentBlock) -> Vec<String> {
    result_of(block)
        .content()
        .iter()
        .filter_map(|c| c.as_text().ok().cloned())
        .collect()
}

#[test]
fn msg_01_tool_ids_are_normalised() {
    assert_eq!(normalize_tool_id("call:1/a.b"), "call_1_a_b");
    assert_eq!(normalize_tool_id(&"x".repeat(70)).len(), 64);
    assert_eq!(normalize_tool_id("toolu_01-AB"), "toolu_01-AB");
    let req = request(
        NOVA,
        vec![
            user_text("go"),
            assistant(NOVA, vec![tool_call("call:1/a.b", "lookup", "{}")]),
            tool_result("call:1/a.b", "lookup", vec![text_part("done")]),
        ],
    );
    let messages = convert(&req, true).expect("valid");
    let tool_use = messages[1].content()[0].as_tool_use().expect("toolUse");
    assert_eq!(tool_use.tool_use_id(), "call_1_a_b");
    assert_eq!(
        result_of(&messages[2].content()[0]).tool_use_id(),
        "call_1_a_b"
    );
}

#[test]
fn msg_02_user_parts_and_empty_messages() {
    let req = request(
        NOVA,
        vec![
            user(vec![
                text_part("look"),
                text_part("   "),
                image("aGk="),
                ContentPart::Audio {
                    data: "aGk=".into(),
                    mime_type: "audio/wav".into(),
                },
                ContentPart::Document {
                    data: "aGk=".into(),
                    mime_type: "application/pdf".into(),
                    name: ROption::RSome("spec.v2.pdf".into()),
                    extensions: Default::default(),
                },
            ]),
            user(vec![text_part(" ")]),
        ],
    );
    let messages = convert(&req, false).expect("valid");
    assert_eq!(messages.len(), 1);
    let content = messages[0].content();
    assert_eq!(content.len(), 4);
    assert_eq!(content[0].as_text().ok().map(String::as_str), Some("look"));
    let image = content[1].as_image().expect("image");
    assert_eq!(image.format().as_str(), "png");
    assert_eq!(
        image.source(),
        Some(&ImageSource::Bytes(Blob::new(b"hi".to_vec())))
    );
    // BR-93 (beyond MSG-02's skip): audio for a model without audio input is a placeholder.
    assert_eq!(
        content[2].as_text().ok().map(String::as_str),
        Some("[audio omitted: model does not support audio]")
    );
    let document = content[3].as_document().expect("document");
    assert_eq!(document.name(), "spec-v2");
}

#[test]
fn br_93_user_audio_for_an_audio_capable_model_is_an_audio_block() {
    let mut req = request(
        NOVA,
        vec![user(vec![
            ContentPart::Audio {
                data: "aGk=".into(),
                mime_type: "audio/x-wav".into(),
            },
            ContentPart::Audio {
                data: "aGk=".into(),
                mime_type: "audio/midi".into(),
            },
        ])],
    );
    req.model.input = RVec::from(vec![RString::from("text"), RString::from("audio")]);
    let messages = convert(&req, false).expect("valid");
    let content = messages[0].content();
    let audio = content[0].as_audio().expect("audio");
    assert_eq!(audio.format().as_str(), "wav");
    assert_eq!(
        audio.source(),
        Some(&aws_sdk_bedrockruntime::types::AudioSource::Bytes(
            Blob::new(b"hi".to_vec())
        ))
    );
    assert_eq!(
        content[1].as_text().ok().map(String::as_str),
        Some("[audio omitted: unsupported type audio/midi]")
    );
}

#[test]
fn br_92_document_with_citations_flag_enables_citations() {
    let mut extensions = plugin_api::ext::Extensions::new();
    extensions.set(
        plugin_api::ext::keys::DOCUMENT_CITATIONS,
        plugin_api::ext::ExtValue::Bool(true),
    );
    let req = request(
        NOVA,
        vec![user(vec![
            ContentPart::Document {
                data: "aGk=".into(),
                mime_type: "text/plain".into(),
                name: ROption::RSome("notes.txt".into()),
                extensions,
            },
            text_part("cite it"),
        ])],
    );
    let messages = convert(&req, false).expect("valid");
    let document = messages[0].content()[0].as_document().expect("document");
    assert_eq!(document.citations().map(|c| c.enabled()), Some(true));
    assert!(media::citations_enabled(&messages));
}

#[test]
fn msg_03_assistant_blocks_and_invalid_arguments() {
    let req = request(
        NOVA,
        vec![
            user_text("go"),
            assistant(
                NOVA,
                vec![
                    AssistantBlock::Text { text: "  ".into() },
                    AssistantBlock::Text { text: "ok".into() },
                    tool_call("t1", "read", r#"{"path":"#),
                ],
            ),
            tool_result("t1", "read", vec![text_part("x")]),
        ],
    );
    let before = req.clone();
    let messages = convert(&req, true).expect("valid");
    assert_eq!(req, before, "REQ-06 / EX-T04: context unchanged");
    assert_eq!(messages[1].content().len(), 2);
    let tool_use = messages[1].content()[1].as_tool_use().expect("toolUse");
    assert_eq!(
        tool_use.input(),
        &aws_smithy_types::Document::Object(Default::default())
    );
    // Assistant with only blank content is skipped; the users merge (MSG-09).
    let req = request(
        NOVA,
        vec![
            user_text("a"),
            assistant(NOVA, vec![AssistantBlock::Text { text: "".into() }]),
            user_text("b"),
        ],
    );
    let messages = convert(&req, false).expect("valid");
    assert_eq!(messages.len(), 1);
    assert_eq!(texts(&messages[0]), ["a", "b"]);
}

#[test]
fn msg_04_thinking_replay_to_claude() {
    let target = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    let req = request(
        target,
        vec![
            user_text("q"),
            assistant(
                target,
                vec![
                    thinking("secret plan", Some("sig-1"), false),
                    thinking("", Some(" sig-fable "), false),
                    thinking("unsigned", None, false),
                    thinking("x", Some("reasoning_content"), false),
                    thinking("[Reasoning redacted]", Some("3q2+7w=="), true),
                    AssistantBlock::Text {
                        text: "answer".into(),
                    },
                ],
            ),
        ],
    );
    let messages = convert(&req, false).expect("valid");
    let content = messages[1].content();
    assert_eq!(content.len(), 5);
    let signed = content[0].as_reasoning_content().expect("reasoning");
    let text_block = signed.as_reasoning_text().expect("text");
    assert_eq!(
        (text_block.text(), text_block.signature()),
        ("secret plan", Some("sig-1"))
    );
    // EX-S03: empty text with a signature is kept, signature verbatim.
    let empty = content[1]
        .as_reasoning_content()
        .ok()
        .and_then(|r| r.as_reasoning_text().ok())
        .expect("text");
    assert_eq!((empty.text(), empty.signature()), ("", Some(" sig-fable ")));
    assert_eq!(
        content[2].as_text().ok().map(String::as_str),
        Some("unsigned")
    );
    // EX-A01: redacted bytes are the decoded signature.
    let redacted = content[3]
        .as_reasoning_content()
        .ok()
        .and_then(|r| r.as_redacted_content().ok())
        .expect("redacted");
    assert_eq!(redacted.as_ref(), &[0xde, 0xad, 0xbe, 0xef]);
    assert_eq!(
        content[4].as_text().ok().map(String::as_str),
        Some("answer")
    );
}

#[test]
fn msg_04_redacted_signature_errors() {
    let target = "anthropic.claude-haiku-4-5-20251001-v1:0";
    for (signature, message) in [
        (
            None,
            "Bedrock redacted reasoning block is missing its opaque signature",
        ),
        (
            Some("%%not-base64%%"),
            "Bedrock redacted reasoning block has a malformed opaque signature",
        ),
    ] {
        let req = request(
            target,
            vec![
                user_text("q"),
                assistant(target, vec![thinking("", signature, true)]),
            ],
        );
        let error = convert(&req, false).expect_err("error");
        assert_eq!(error.message.as_str(), message);
    }
}

#[test]
fn msg_04_ex_s02_non_claude_gets_plain_text_and_drops_redacted() {
    let req = request(
        NOVA,
        vec![
            user_text("q"),
            assistant(
                NOVA,
                vec![
                    thinking("privatereasoning", Some("sig"), false),
                    thinking("", Some("AQID"), true),
                ],
            ),
        ],
    );
    let messages = convert(&req, false).expect("valid");
    assert_eq!(texts(&messages[1]), ["privatereasoning"]);
    assert_eq!(messages[1].content().len(), 1);
}

#[test]
fn msg_04_ex_s04_thinking_only_reasoning_content_turn_adds_no_message() {
    let req = request(
        NOVA,
        vec![
            user_text("q"),
            assistant(NOVA, vec![thinking("t", Some("reasoning_content"), false)]),
        ],
    );
    let messages = convert(&req, false).expect("valid");
    assert_eq!(messages.len(), 1);
    assert_eq!(texts(&messages[0]), ["q"]);
}

#[test]
fn msg_05_ex_t01_model_switch_drops_redacted_and_signatures() {
    let haiku = "anthropic.claude-haiku-4-5-20251001-v1:0";
    let sonnet = "anthropic.claude-sonnet-4-5-20250929-v1:0";
    let req = request(
        sonnet,
        vec![
            user_text("q"),
            assistant(
                haiku,
                vec![
                    thinking("[Reasoning redacted]", Some("3q2+7w=="), true),
                    AssistantBlock::Text {
                        text: "Safe visible response".into(),
                    },
                ],
            ),
        ],
    );
    let messages = convert(&req, false).expect("valid");
    assert_eq!(messages[1].content().len(), 1);
    assert_eq!(texts(&messages[1]), ["Safe visible response"]);
    // Signed thinking from another model becomes plain text.
    let req = request(
        sonnet,
        vec![
            user_text("q"),
            assistant(haiku, vec![thinking("why", Some("sig"), false)]),
        ],
    );
    assert_eq!(texts(&convert(&req, false).expect("valid")[1]), ["why"]);
}

#[test]
fn br_71_aborted_turn_replays_thinking_without_signature() {
    let target = "anthropic.claude-sonnet-4-5-20250929-v1:0";
    for stop in ["aborted", "error"] {
        let req = request(
            target,
            vec![
                user_text("q"),
                assistant_from(
                    target,
                    Some(stop),
                    vec![
                        thinking("partial", Some("sig-partial"), false),
                        thinking("", Some("AQID"), true),
                    ],
                ),
            ],
        );
        let messages = convert(&req, false).expect("valid");
        assert_eq!(texts(&messages[1]), ["partial"], "{stop}");
        assert_eq!(messages[1].content().len(), 1, "{stop}");
    }
}

#[test]
fn msg_06_tool_results_merge_and_map_content() {
    let req = request(
        NOVA,
        vec![
            user_text("go"),
            assistant(
                NOVA,
                vec![
                    tool_call("a", "one", "{}"),
                    tool_call("b", "two", "{}"),
                    tool_call("c", "three", "{}"),
                ],
            ),
            tool_result(
                "a",
                "one",
                vec![
                    image(""),
                    ContentPart::Audio {
                        data: "aGk=".into(),
                        mime_type: "audio/wav".into(),
                    },
                ],
            ),
            tool_result("b", "two", vec![]),
            plugin_api::chat::Message_NE::new(HostMessage::ToolResult {
                tool_call_id: "c".into(),
                tool_name: "three".into(),
                content: RVec::from(vec![ContentPart_NE::new(text_part("boom"))]),
                is_error: true,
                runtime_context: false,
            }),
        ],
    );
    let messages = convert(&req, true).expect("valid");
    assert_eq!(messages.len(), 3);
    let results = messages[2].content();
    assert_eq!(results.len(), 3, "one user message with all results");
    // EX-T02 / EX-T03.
    assert_eq!(
        result_texts(&results[0]),
        ["(no output)", "(see attached audio)"]
    );
    assert_eq!(result_texts(&results[1]), ["(no output)"]);
    assert_eq!(result_texts(&results[2]), ["boom"]);
    assert_eq!(
        result_of(&results[0]).status(),
        Some(&ToolResultStatus::Success)
    );
    assert_eq!(
        result_of(&results[2]).status(),
        Some(&ToolResultStatus::Error)
    );
}

fn image_result_request(model: &str) -> ChatRequest {
    request(
        model,
        vec![
            user_text("go"),
            assistant(model, vec![tool_call("call_1", "screenshot", "{}")]),
            tool_result(
                "call_1",
                "screenshot",
                vec![text_part("taken"), image("aGk=")],
            ),
        ],
    )
}

#[test]
fn ex_a10_msg_07_images_lifted_for_openai_models() {
    let req = image_result_request("us.openai.gpt-5.6-sol");
    let before = req.clone();
    let messages = convert(&req, true).expect("valid");
    assert_eq!(req, before, "context unchanged");
    let content = messages[2].content();
    assert_eq!(content.len(), 3);
    assert_eq!(
        result_texts(&content[0]),
        [
            "taken",
            "(see attached images labeled \"Images from tool result call_1\")"
        ]
    );
    assert_eq!(
        content[1].as_text().ok().map(String::as_str),
        Some("Images from tool result call_1:")
    );
    assert!(content[2].as_image().is_ok());

    // Nova keeps the image inside the result.
    let messages = convert(&image_result_request(NOVA), true).expect("valid");
    let content = messages[2].content();
    assert_eq!(content.len(), 1);
    assert!(result_of(&content[0])
        .content()
        .iter()
        .any(|c| c.as_image().is_ok()));
}

#[test]
fn msg_08_ex_t05_tool_blocks_become_text_without_tool_config() {
    let req = request(
        NOVA,
        vec![
            user_text("post it"),
            assistant(
                NOVA,
                vec![tool_call(
                    "m1",
                    "message",
                    r##"{"channel":"#general","text":"Deploy done"}"##,
                )],
            ),
            tool_result("m1", "message", vec![text_part("Delivered to #general")]),
        ],
    );
    let messages = convert(&req, false).expect("valid");
    assert_eq!(
        texts(&messages[1]),
        [r##"[Assistant tool call]: message({"channel":"#general","text":"Deploy done"})"##]
    );
    assert_eq!(
        texts(&messages[2]),
        ["[Tool result: message]:", "Delivered to #general"]
    );
    assert!(messages
        .iter()
        .flat_map(|m| m.content())
        .all(|b| !b.is_tool_use() && !b.is_tool_result()));
}

#[test]
fn msg_09_consecutive_same_role_messages_merge() {
    let req = request(
        NOVA,
        vec![
            user_text("a"),
            user_text("b"),
            assistant(NOVA, vec![AssistantBlock::Text { text: "c".into() }]),
            assistant(NOVA, vec![AssistantBlock::Text { text: "d".into() }]),
        ],
    );
    let messages = convert(&req, false).expect("valid");
    assert_eq!(messages.len(), 2);
    assert_eq!(texts(&messages[0]), ["a", "b"]);
    assert_eq!(texts(&messages[1]), ["c", "d"]);
}

#[test]
fn msg_10_image_errors_fail_the_request() {
    let req = request(
        NOVA,
        vec![user(vec![ContentPart::Image {
            data: "aGk=".into(),
            mime_type: "image/tiff".into(),
        }])],
    );
    assert_eq!(
        convert(&req, false).expect_err("error").message.as_str(),
        "Unknown image type: image/tiff"
    );
}

#[test]
fn msg_12_unsupported_document_and_unique_names() {
    let doc = |mime: &str, name: &str| ContentPart::Document {
        data: "aGk=".into(),
        mime_type: mime.into(),
        name: ROption::RSome(name.into()),
        extensions: Default::default(),
    };
    let req = request(
        NOVA,
        vec![user(vec![
            doc("application/pdf", "notes.pdf"),
            doc("text/plain", "notes.txt"),
            doc("application/zip", "bundle.zip"),
        ])],
    );
    let messages = convert(&req, false).expect("valid");
    let content = messages[0].content();
    assert_eq!(content[0].as_document().map(|d| d.name()), Ok("notes"));
    assert_eq!(content[1].as_document().map(|d| d.name()), Ok("notes (2)"));
    assert_eq!(
        content[2].as_text().ok().map(String::as_str),
        Some("(document omitted: unsupported type application/zip)")
    );
}

#[test]
fn msg_13_history_starting_with_assistant_is_rejected() {
    let req = request(
        NOVA,
        vec![
            assistant(
                NOVA,
                vec![AssistantBlock::Text {
                    text: "Hello".into(),
                }],
            ),
            user_text("Hi"),
        ],
    );
    assert_eq!(
        convert(&req, false).expect_err("rejected").message.as_str(),
        FIRST_MESSAGE_NOT_USER
    );
}

fn video_model(input_video: bool) -> ModelDefinition {
    let mut model = ModelDefinition::new(NOVA, "amazon-bedrock", "bedrock-converse-stream");
    if input_video {
        model.input = RVec::from(vec![RString::from("text"), RString::from("video")]);
    }
    model
}

fn with_model(mut req: ChatRequest, model: ModelDefinition) -> ChatRequest {
    req.model = model;
    req
}

#[test]
fn vid_03_ex_v02_model_without_video_input() {
    let req = with_model(
        request(
            NOVA,
            vec![user(vec![text_part("watch"), video("dmlkZW8=")])],
        ),
        video_model(false),
    );
    let messages = convert(&req, false).expect("valid");
    assert_eq!(
        texts(&messages[0]),
        ["watch", "(video omitted: model does not support videos)"]
    );
}

#[test]
fn vid_04_ex_v05_only_the_latest_user_video_is_sent() {
    let req = with_model(
        request(
            NOVA,
            vec![
                user(vec![video("b2xk")]),
                assistant(
                    NOVA,
                    vec![AssistantBlock::Text {
                        text: "seen".into(),
                    }],
                ),
                user(vec![video("dmlkZW8=")]),
            ],
        ),
        video_model(true),
    );
    let messages = convert(&req, false).expect("valid");
    assert_eq!(
        texts(&messages[0]),
        ["(video omitted: Amazon Bedrock accepts one video per request)"]
    );
    let sent = messages[2].content()[0].as_video().expect("video");
    assert_eq!(
        sent.source(),
        Some(&VideoSource::Bytes(Blob::new(vec![
            118, 105, 100, 101, 111
        ])))
    );
}

#[test]
fn vid_04_ex_v06_to_v09_tool_result_videos() {
    let model = video_model(true);
    // V06 + V07: user video then tool video → the tool video is sent inside the result.
    let req = with_model(
        request(
            NOVA,
            vec![
                user(vec![video("b2xk")]),
                assistant(NOVA, vec![tool_call("t1", "record", "{}")]),
                tool_result("t1", "record", vec![video("dmlkZW8=")]),
            ],
        ),
        model.clone(),
    );
    let messages = convert(&req, true).expect("valid");
    assert_eq!(
        texts(&messages[0]),
        ["(video omitted: Amazon Bedrock accepts one video per request)"]
    );
    assert!(result_of(&messages[2].content()[0]).content()[0].is_video());

    // V08: older tool video omitted, a later payload-less one ignored for the count.
    let req = with_model(
        request(
            NOVA,
            vec![
                user_text("go"),
                assistant(
                    NOVA,
                    vec![
                        tool_call("t1", "record", "{}"),
                        tool_call("t2", "record", "{}"),
                    ],
                ),
                tool_result("t1", "record", vec![video("b2xk")]),
                tool_result("t2", "record", vec![video("")]),
                assistant(NOVA, vec![AssistantBlock::Text { text: "ok".into() }]),
                user(vec![video("dmlkZW8=")]),
            ],
        ),
        model.clone(),
    );
    let messages = convert(&req, true).expect("valid");
    assert_eq!(
        result_texts(&messages[2].content()[0]),
        ["(tool video omitted: Amazon Bedrock accepts one video per request)"]
    );
    assert_eq!(result_texts(&messages[2].content()[1]), ["(no output)"]);
    assert!(messages[4].content()[0].is_video());

    // V09: only a payload-less tool video.
    let req = with_model(
        request(
            NOVA,
            vec![
                user_text("go"),
                assistant(NOVA, vec![tool_call("t1", "record", "{}")]),
                tool_result("t1", "record", vec![video("")]),
            ],
        ),
        model,
    );
    let messages = convert(&req, true).expect("valid");
    assert_eq!(result_texts(&messages[2].content()[0]), ["(no output)"]);
}

#[test]
fn br_70_missing_results_are_synthesised_and_orphans_become_text() {
    let req = request(
        NOVA,
        vec![
            user_text("go"),
            assistant(
                NOVA,
                vec![tool_call("a", "one", "{}"), tool_call("b", "two", "{}")],
            ),
            tool_result("a", "one", vec![text_part("ok")]),
            user_text("continue"),
            assistant(
                NOVA,
                vec![AssistantBlock::Text {
                    text: "done".into(),
                }],
            ),
            tool_result("zzz", "ghost", vec![text_part("late")]),
        ],
    );
    let messages = convert(&req, true).expect("valid");
    let answers = messages[2].content();
    assert_eq!(result_of(&answers[0]).tool_use_id(), "a");
    let synthetic = result_of(&answers[1]);
    assert_eq!(synthetic.tool_use_id(), "b");
    assert_eq!(synthetic.status(), Some(&ToolResultStatus::Error));
    assert_eq!(
        result_texts(&answers[1]),
        ["(no result: tool call was interrupted)"]
    );
    assert_eq!(
        answers[2].as_text().ok().map(String::as_str),
        Some("continue")
    );
    assert_eq!(texts(&messages[4]), ["[Tool result: ghost]:", "late"]);

    // A trailing call with no next turn gets a new user turn.
    let req = request(
        NOVA,
        vec![
            user_text("go"),
            assistant(NOVA, vec![tool_call("a", "one", "{}")]),
        ],
    );
    let messages = convert(&req, true).expect("valid");
    assert_eq!(messages.len(), 3);
    assert_eq!(result_of(&messages[2].content()[0]).tool_use_id(), "a");
}

#[test]
fn br_72_reasoning_is_dropped_from_user_turns_and_kept_in_assistant_turns() {
    use aws_sdk_bedrockruntime::types::{ReasoningContentBlock, ReasoningTextBlock};
    let reasoning = || {
        ContentBlock::ReasoningContent(ReasoningContentBlock::ReasoningText(
            ReasoningTextBlock::builder()
                .text("hidden")
                .signature("sig")
                .build()
                .expect("reasoning text"),
        ))
    };
    let turn = |role| Turn {
        role,
        blocks: vec![
            Block::Content(reasoning()),
            Block::Content(ContentBlock::Text("visible".into())),
        ],
    };
    let (user, _) = flatten(turn(ConversationRole::User)).expect("user turn");
    assert_eq!(
        user.expect("a message").content(),
        [ContentBlock::Text("visible".into())]
    );
    // A user turn with nothing but reasoning adds no message at all.
    let (empty, _) = flatten(Turn {
        role: ConversationRole::User,
        blocks: vec![Block::Content(reasoning())],
    })
    .expect("user turn");
    assert!(empty.is_none());
    let (assistant, _) = flatten(turn(ConversationRole::Assistant)).expect("assistant turn");
    assert_eq!(
        assistant.expect("a message").content(),
        [reasoning(), ContentBlock::Text("visible".into())]
    );
}
