//! ConverseStream request shaping end to end: in-process plugin instances send to the local
//! emulator, and the tests assert the exact JSON the emulator recorded (REQ-*, MSG-*, TOOL-*,
//! TEMP-*, TIER-*, GRD-*, LIVE-01/02).

mod common;

use std::time::Duration;

use abi_stable::std_types::{ROption, RString, RVec};
use bedrock_emulator::{Emulator, Operation};
use host_harness::waker::PendingFuture;
use plugin_api::chat::{
    AssistantBlock, ChatOptions, ChatRequest, ContentPart, ContentPart_NE, KeyValue, Message,
    Message_NE, ToolDefinition,
};
use plugin_api::event::StreamEvent;
use plugin_api::host::ConfigUpdate;
use plugin_api::model::ModelDefinition;
use plugin_api::traits::PluginInstanceBox;
use serde_json::{json, Value};

const NOVA_MICRO: &str = "amazon.nova-micro-v1:0";
const NOVA_LITE: &str = "amazon.nova-lite-v1:0";
const API: &str = "bedrock-converse-stream";
const PROVIDER: &str = "amazon-bedrock";

use common::warnings_containing;
use common::{assistant, tool_result};

use common::emulator;

fn instance_with(emu: &Emulator, extra: Value, host: Value) -> PluginInstanceBox {
    common::instance(
        common::emulator_plugin_config(emu, extra),
        host,
        &[
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("HOME", "/nonexistent-home"),
        ],
    )
}

fn instance(emu: &Emulator) -> PluginInstanceBox {
    instance_with(emu, json!({}), json!({}))
}

fn model(id: &str, input: &[&str]) -> ModelDefinition {
    let mut model = ModelDefinition::new(id, PROVIDER, API);
    model.input = input.iter().map(|i| RString::from(*i)).collect();
    model
}

fn chat(model: ModelDefinition, messages: Vec<Message_NE>) -> ChatRequest {
    ChatRequest {
        model,
        system_prompt: ROption::RNone,
        messages: RVec::from(messages),
        tools: RVec::new(),
        options: ChatOptions::default(),
    }
}

fn tool(name: &str, description: &str, schema: Value) -> ToolDefinition {
    ToolDefinition {
        name: name.into(),
        description: ROption::RSome(description.into()),
        parameters_json: schema.to_string().into(),
        extensions: Default::default(),
    }
}

/// The last event, asserted to be a successful `Done`.
fn done(events: &[StreamEvent]) -> &plugin_api::event::ResponseSummary {
    match events.last() {
        Some(StreamEvent::Done(summary)) => summary,
        other => panic!("expected done, got {other:?} in {events:?}"),
    }
}

fn stream_requests(emu: &Emulator) -> Vec<Value> {
    emu.requests_for(Operation::ConverseStream)
        .iter()
        .map(|request| request.json().expect("JSON body"))
        .collect()
}

fn last_stream_request(emu: &Emulator) -> Value {
    stream_requests(emu)
        .pop()
        .expect("a ConverseStream request")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tool_01_02_msg_01_tool_round_trip_records_exact_json() {
    let emu = emulator();
    let plugin = instance(&emu);
    let tools = vec![
        tool(
            "lookup",
            "Look something up",
            json!({"type":"object","properties":{"query":{"type":"string"}},"required":["query"]}),
        ),
        tool(
            "calculate",
            "  ",
            json!({"type":"object","properties":{"x":{"type":"integer"}}}),
        ),
    ];
    let mut first = chat(
        model(NOVA_MICRO, &["text"]),
        vec![Message::user_text("please lookup the weather")],
    );
    first.tools = RVec::from(tools.clone());
    first.options.tool_choice = ROption::RSome(plugin_api::chat::ToolChoice_NE::new(
        plugin_api::chat::ToolChoice::Auto,
    ));
    let events = common::run_stream(&plugin, first.clone()).await;
    done(&events);
    let (call_id, call_name, call_args) = events
        .iter()
        .find_map(|event| match event {
            StreamEvent::ToolCallEnd {
                id,
                name,
                arguments_json,
                ..
            } => Some((id.to_string(), name.to_string(), arguments_json.to_string())),
            _ => None,
        })
        .expect("the emulator answered with a tool call");
    assert_eq!(call_name, "lookup");
    assert_eq!(
        first.tools.to_vec(),
        tools,
        "REQ-06: caller tools untouched"
    );

    let sent = last_stream_request(&emu);
    assert_eq!(
        sent["toolConfig"],
        json!({
            "tools": [
                {"toolSpec": {"name": "calculate", "inputSchema": {"json": {"type":"object","properties":{"x":{"type":"integer"}}}}}},
                {"toolSpec": {"name": "lookup", "description": "Look something up", "inputSchema": {"json": {"type":"object","properties":{"query":{"type":"string"}},"required":["query"]}}}}
            ],
            "toolChoice": {"auto": {}}
        })
    );

    // Replay the call with an id that needs normalising (MSG-01) and its result.
    let odd_id = format!("{call_id}:v1/x");
    let normalised = format!("{call_id}_v1_x");
    let mut second = chat(
        model(NOVA_MICRO, &["text"]),
        vec![
            Message::user_text("please lookup the weather"),
            assistant(
                NOVA_MICRO,
                vec![AssistantBlock::ToolCall {
                    id: odd_id.as_str().into(),
                    name: call_name.as_str().into(),
                    arguments_json: call_args.as_str().into(),
                }],
            ),
            tool_result(&odd_id, "lookup", "Sunny, 21 degrees"),
        ],
    );
    second.tools = RVec::from(tools);
    let events = common::run_stream(&plugin, second).await;
    done(&events);
    let text: String = events
        .iter()
        .filter_map(|event| match event {
            StreamEvent::TextDelta { delta, .. } => Some(delta.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(
        text,
        "Hello from the Bedrock emulator. Tool result: Sunny, 21 degrees"
    );
    let sent = last_stream_request(&emu);
    assert_eq!(
        sent["messages"],
        json!([
            {"role": "user", "content": [{"text": "please lookup the weather"}]},
            {"role": "assistant", "content": [{"toolUse": {"toolUseId": normalised, "name": "lookup", "input": {"query": "emulator"}}}]},
            {"role": "user", "content": [{"toolResult": {"toolUseId": normalised, "content": [{"text": "Sunny, 21 degrees"}], "status": "success"}}]}
        ])
    );
    assert!(
        sent["toolConfig"].get("toolChoice").is_none(),
        "TOOL-02: unset"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn msg_08_ex_t05_history_tool_blocks_become_text_without_tools() {
    let emu = emulator();
    let plugin = instance(&emu);
    let request = chat(
        model(NOVA_MICRO, &["text"]),
        vec![
            Message::user_text("tell the team"),
            assistant(
                NOVA_MICRO,
                vec![AssistantBlock::ToolCall {
                    id: "call_1".into(),
                    name: "message".into(),
                    arguments_json: r##"{"channel":"#general","text":"Deploy done"}"##.into(),
                }],
            ),
            tool_result("call_1", "message", "Delivered to #general"),
        ],
    );
    done(&common::run_stream(&plugin, request).await);
    let sent = last_stream_request(&emu);
    assert!(sent.get("toolConfig").is_none());
    assert_eq!(
        sent["messages"],
        json!([
            {"role": "user", "content": [{"text": "tell the team"}]},
            {"role": "assistant", "content": [{"text": "[Assistant tool call]: message({\"channel\":\"#general\",\"text\":\"Deploy done\"})"}]},
            {"role": "user", "content": [{"text": "[Tool result: message]:"}, {"text": "Delivered to #general"}]}
        ])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn msg_02_msg_10_image_part_is_sent_as_bytes() {
    let emu = emulator();
    let plugin = instance(&emu);
    let request = chat(
        model(NOVA_LITE, &["text", "image", "video"]),
        vec![Message_NE::new(Message::User {
            content: RVec::from(vec![
                ContentPart_NE::new(ContentPart::Text {
                    text: "what is this".into(),
                }),
                ContentPart_NE::new(ContentPart::Image {
                    data: "iVBORw0KGgo=".into(),
                    mime_type: "image/PNG".into(),
                }),
                ContentPart_NE::new(ContentPart::Document {
                    data: "aGVsbG8=".into(),
                    mime_type: "text/plain".into(),
                    name: ROption::RSome("notes.v1.txt".into()),
                    extensions: Default::default(),
                }),
            ]),
            runtime_context: false,
        })],
    );
    done(&common::run_stream(&plugin, request).await);
    let sent = last_stream_request(&emu);
    assert_eq!(
        sent["messages"],
        json!([{"role": "user", "content": [
            {"text": "what is this"},
            {"image": {"format": "png", "source": {"bytes": "iVBORw0KGgo="}}},
            {"document": {"format": "txt", "name": "notes-v1", "source": {"bytes": "aGVsbG8="}}}
        ]}])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn msg_10_unknown_image_type_fails_before_sending() {
    let emu = emulator();
    let plugin = instance(&emu);
    let request = chat(
        model(NOVA_LITE, &["text", "image"]),
        vec![Message_NE::new(Message::User {
            content: RVec::from(vec![ContentPart_NE::new(ContentPart::Image {
                data: "aGk=".into(),
                mime_type: "image/bmp".into(),
            })]),
            runtime_context: false,
        })],
    );
    let error = plugin
        .chat_provider()
        .stream_chat(request)
        .into_result()
        .err()
        .expect("rejected before sending");
    assert_eq!(error.message.as_str(), "Unknown image type: image/bmp");
    assert!(stream_requests(&emu).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tool_05_invalid_tool_name_fails_before_sending() {
    let emu = emulator();
    let plugin = instance(&emu);
    let mut request = chat(model(NOVA_MICRO, &["text"]), vec![Message::user_text("hi")]);
    request.tools = RVec::from(vec![tool("web.search", "Search", json!({"type":"object"}))]);
    let error = plugin
        .chat_provider()
        .stream_chat(request)
        .into_result()
        .err()
        .expect("rejected before sending");
    assert_eq!(
        error.message.as_str(),
        "Amazon Bedrock tool name \"web.search\" is invalid: it must match [a-zA-Z0-9_-]{1,64}"
    );
    assert!(stream_requests(&emu).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn msg_13_assistant_first_history_fails_before_sending() {
    let emu = emulator();
    let plugin = instance(&emu);
    let request = chat(
        model(NOVA_MICRO, &["text"]),
        vec![
            assistant(
                NOVA_MICRO,
                vec![AssistantBlock::Text {
                    text: "Hello".into(),
                }],
            ),
            Message::user_text("Hi"),
        ],
    );
    let error = plugin
        .chat_provider()
        .stream_chat(request)
        .into_result()
        .err()
        .expect("rejected");
    assert_eq!(
        error.message.as_str(),
        "Amazon Bedrock requires the conversation to start with a user message"
    );
    assert!(stream_requests(&emu).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_01_02_ex_i23_i24_guardrail_follows_the_live_config() {
    let emu = emulator();
    let plugin = instance_with(
        &emu,
        json!({"guardrail": {"guardrailIdentifier": "startup-guardrail", "guardrailVersion": "5"}}),
        json!({}),
    );
    let request = || chat(model(NOVA_MICRO, &["text"]), vec![Message::user_text("hi")]);

    // Startup guardrail, only the two required keys (GRD-01, EX-I20).
    done(&common::run_stream(&plugin, request()).await);
    assert_eq!(
        last_stream_request(&emu)["guardrailConfig"],
        json!({"guardrailIdentifier": "startup-guardrail", "guardrailVersion": "5"})
    );

    // LIVE-02: removed → absent, the startup value is not revived.
    plugin
        .update_config(ConfigUpdate {
            plugin_config_json: common::emulator_plugin_config(&emu, json!({}))
                .to_string()
                .into(),
            host_config_json: "{}".into(),
        })
        .into_result()
        .expect("update");
    done(&common::run_stream(&plugin, request()).await);
    assert!(last_stream_request(&emu).get("guardrailConfig").is_none());

    // LIVE-01: gained → present on the next request.
    plugin
        .update_config(ConfigUpdate {
            plugin_config_json: common::emulator_plugin_config(
                &emu,
                json!({"guardrail": {"guardrailIdentifier": "live-guardrail", "guardrailVersion": "7"}}),
            )
            .to_string()
            .into(),
            host_config_json: "{}".into(),
        })
        .into_result()
        .expect("update");
    done(&common::run_stream(&plugin, request()).await);
    assert_eq!(
        last_stream_request(&emu)["guardrailConfig"],
        json!({"guardrailIdentifier": "live-guardrail", "guardrailVersion": "7"})
    );

    // EX-I19: all four keys when set.
    plugin
        .update_config(ConfigUpdate {
            plugin_config_json: common::emulator_plugin_config(
                &emu,
                json!({"guardrail": {
                    "guardrailIdentifier": "my-guardrail-id",
                    "guardrailVersion": "1",
                    "streamProcessingMode": "async",
                    "trace": "enabled"
                }}),
            )
            .to_string()
            .into(),
            host_config_json: "{}".into(),
        })
        .into_result()
        .expect("update");
    done(&common::run_stream(&plugin, request()).await);
    assert_eq!(
        last_stream_request(&emu)["guardrailConfig"],
        json!({
            "guardrailIdentifier": "my-guardrail-id",
            "guardrailVersion": "1",
            "trace": "enabled",
            "streamProcessingMode": "async"
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tier_02_service_tier_from_host_params_is_sent_and_echoed() {
    let emu = emulator();
    let host = json!({"agents": {"defaults": {
        "params": {"serviceTier": "priority"},
        "models": {"amazon-bedrock/amazon.nova-lite-v1:0": {"params": {"service_tier": " Flex "}}}
    }}});
    let plugin = instance_with(&emu, json!({}), host);
    let events = common::run_stream(
        &plugin,
        chat(model(NOVA_LITE, &["text"]), vec![Message::user_text("hi")]),
    )
    .await;
    // TIER-01: the spellings are folded per params object before the merge, so the per-model
    // `service_tier` beats the default params' `serviceTier`.
    assert_eq!(
        last_stream_request(&emu)["serviceTier"],
        json!({"type": "flex"})
    );
    assert_eq!(
        done(&events)
            .service_tier
            .as_ref()
            .into_option()
            .map(RString::as_str),
        Some("flex")
    );

    // A request-level extra param wins over host params.
    let mut request = chat(model(NOVA_LITE, &["text"]), vec![Message::user_text("hi")]);
    request.options.extra_params_json = ROption::RSome(r#"{"serviceTier":"priority"}"#.into());
    done(&common::run_stream(&plugin, request).await);
    assert_eq!(
        last_stream_request(&emu)["serviceTier"],
        json!({"type": "priority"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tier_03_invalid_tier_warns_and_sends_none() {
    let emu = emulator();
    let plugin = instance(&emu);
    let mut request = chat(model(NOVA_MICRO, &["text"]), vec![Message::user_text("hi")]);
    request.options.extra_params_json =
        ROption::RSome(r#"{"service_tier":"tier-shaping-bogus"}"#.into());
    done(&common::run_stream(&plugin, request).await);
    assert!(last_stream_request(&emu).get("serviceTier").is_none());
    assert_eq!(
        warnings_containing("tier-shaping-bogus"),
        ["ignoring invalid Bedrock service_tier param: tier-shaping-bogus"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn temp_02_ex_i07_opus_47_stream_succeeds_without_temperature() {
    let emu = emulator();
    let plugin = instance(&emu);
    let mut request = chat(
        model("us.anthropic.claude-opus-4-7", &["text", "image"]),
        vec![Message::user_text("hi")],
    );
    request.options.temperature = ROption::RSome(0.2);
    request.options.top_p = ROption::RSome(0.9);
    request.options.max_tokens = ROption::RSome(10);
    // The emulator rejects temperature for Opus 4.7, so a clean `done` proves it was omitted.
    done(&common::run_stream(&plugin, request).await);
    assert_eq!(
        last_stream_request(&emu)["inferenceConfig"],
        json!({"maxTokens": 10})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn temp_05_sonnet_45_drops_top_p_and_succeeds() {
    let emu = emulator();
    let plugin = instance(&emu);
    let mut request = chat(
        model("us.anthropic.claude-sonnet-4-5-20250929-v1:0", &["text"]),
        vec![Message::user_text("hi")],
    );
    request.options.temperature = ROption::RSome(0.5);
    request.options.top_p = ROption::RSome(0.9);
    done(&common::run_stream(&plugin, request).await);
    assert_eq!(
        last_stream_request(&emu)["inferenceConfig"],
        json!({"temperature": 0.5})
    );
    assert_eq!(
        warnings_containing("us.anthropic.claude-sonnet-4-5-20250929-v1:0 does not accept"),
        ["Amazon Bedrock: us.anthropic.claude-sonnet-4-5-20250929-v1:0 does not accept temperature and top_p together; dropping top_p"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn req_04_05_stop_sequences_and_request_metadata() {
    let emu = emulator();
    let plugin = instance(&emu);
    let mut request = chat(model(NOVA_MICRO, &["text"]), vec![Message::user_text("hi")]);
    request.options.stop_sequences = RVec::from(vec![
        RString::from("END"),
        RString::from(""),
        RString::from("STOP"),
    ]);
    request.options.request_metadata = RVec::from(vec![
        KeyValue {
            key: "team".into(),
            value: "search".into(),
        },
        KeyValue {
            key: "shaping bad key!".into(),
            value: "hidden-value".into(),
        },
    ]);
    done(&common::run_stream(&plugin, request).await);
    let sent = last_stream_request(&emu);
    assert_eq!(
        sent["inferenceConfig"]["stopSequences"],
        json!(["END", "STOP"])
    );
    assert_eq!(sent["requestMetadata"], json!({"team": "search"}));
    assert_eq!(
        warnings_containing("shaping bad key!"),
        ["Amazon Bedrock: dropping invalid requestMetadata entry \"shaping bad key!\""]
    );
    assert!(warnings_containing("hidden-value").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grd_02_count_tokens_carries_tool_config_and_no_guardrail() {
    let emu = emulator();
    let plugin = instance_with(
        &emu,
        json!({"guardrail": {"guardrailIdentifier": "g", "guardrailVersion": "1", "streamProcessingMode": "sync"}}),
        json!({}),
    );
    let mut request = chat(
        model("anthropic.claude-sonnet-4-6", &["text"]),
        vec![
            Message::user_text("go"),
            assistant(
                "anthropic.claude-sonnet-4-6",
                vec![AssistantBlock::ToolCall {
                    id: "t1".into(),
                    name: "lookup".into(),
                    arguments_json: r#"{"q":"x"}"#.into(),
                }],
            ),
            tool_result("t1", "lookup", "found it"),
        ],
    );
    request.tools = RVec::from(vec![tool("lookup", "Look up", json!({"type":"object"}))]);
    let counted = tokio::time::timeout(
        Duration::from_secs(60),
        PendingFuture::new(plugin.chat_provider().count_tokens(request)),
    )
    .await
    .expect("finishes")
    .expect("counted");
    assert!(!counted.estimated);
    let recorded = emu.requests_for(Operation::CountTokens);
    let body = recorded
        .last()
        .and_then(|r| r.json())
        .expect("CountTokens body");
    let converse = &body["input"]["converse"];
    assert_eq!(
        converse["toolConfig"]["tools"][0]["toolSpec"]["name"],
        json!("lookup")
    );
    assert!(converse.get("guardrailConfig").is_none());
    assert!(body.to_string().find("streamProcessingMode").is_none());
}
