//! Reasoning / thinking end to end (THINK-*, REQ-01 response paths, REQ-02 maxTokens,
//! TOOL-03): in-process plugin instances send to the local emulator, the tests assert the
//! exact `additionalModelRequestFields` the emulator recorded and that the emulator's
//! reasoning block reaches the host as thinking events.

mod common;

use std::path::Path;

use abi_stable::std_types::{ROption, RString, RVec};
use bedrock_emulator::{Emulator, EmulatorOptions, Operation};
use plugin_api::chat::{
    ChatOptions, ChatRequest, Message, ThinkingLevel, ThinkingLevel_NE, ToolChoice, ToolChoice_NE,
    ToolDefinition,
};
use plugin_api::event::StreamEvent;
use plugin_api::model::{ModelDefinition, ThinkingLevelMapping};
use plugin_api::traits::PluginInstanceBox;
use serde_json::{json, Value};

const API: &str = "bedrock-converse-stream";
const PROVIDER: &str = "amazon-bedrock";
const SONNET_46: &str = "us.anthropic.claude-sonnet-4-6";
const SONNET_45: &str = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const FABLE_5: &str = "anthropic.claude-fable-5";
const OPUS_48: &str = "anthropic.claude-opus-4-8";
const MYTHOS_PREVIEW: &str = "anthropic.claude-mythos-preview";
const APP_PROFILE: &str =
    "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/prodopus48";

use common::emulator;

/// An emulator whose catalog holds the Claude models the built-in one lacks (Fable 5,
/// Opus 4.8, Mythos Preview) and an application profile targeting Opus 4.8.
fn emulator_with_claude_5() -> Emulator {
    let model = |id: &str, name: &str| common::fm(id, name, "Anthropic", &["TEXT"], &["TEXT"]);
    let dir = common::catalog_dir(
        "thinking",
        json!([
            model(FABLE_5, "Claude Fable 5"),
            model(OPUS_48, "Claude Opus 4.8"),
            model(MYTHOS_PREVIEW, "Claude Mythos Preview"),
        ]),
        json!([common::profile(
            "prodopus48",
            "Claude Production Opus 4.8",
            "APPLICATION",
            "ACTIVE",
            &[&format!(
                "arn:aws:bedrock:us-east-1::foundation-model/{OPUS_48}"
            )],
        )]),
    );
    start_with_catalog(&dir)
}

fn start_with_catalog(dir: &Path) -> Emulator {
    Emulator::start(EmulatorOptions {
        catalog: Some(dir.to_path_buf()),
        ..EmulatorOptions::default()
    })
    .expect("emulator")
}

fn instance_with(emu: &Emulator, extra: Value) -> PluginInstanceBox {
    let config = common::emulator_plugin_config(emu, extra);
    common::instance(
        config,
        json!({}),
        &[
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("HOME", "/nonexistent-home"),
        ],
    )
}

fn model(id: &str) -> ModelDefinition {
    ModelDefinition::new(id, PROVIDER, API)
}

fn chat(model: ModelDefinition, level: Option<ThinkingLevel>) -> ChatRequest {
    let options = ChatOptions {
        reasoning: level.map(ThinkingLevel_NE::new).into(),
        ..ChatOptions::default()
    };
    ChatRequest {
        model,
        system_prompt: ROption::RNone,
        messages: RVec::from(vec![Message::user_text("hello there")]),
        tools: RVec::new(),
        options,
    }
}

fn mapping(level: ThinkingLevel, effort: Option<&str>) -> ThinkingLevelMapping {
    ThinkingLevelMapping {
        level: ThinkingLevel_NE::new(level),
        effort: effort.map(RString::from).into(),
    }
}

fn last_stream_request(emu: &Emulator) -> Value {
    emu.requests_for(Operation::ConverseStream)
        .last()
        .and_then(|request| request.json())
        .expect("a ConverseStream request")
}

/// The thinking text, signature and the ordered kinds of the thinking events.
fn thinking_of(events: &[StreamEvent]) -> (String, String, Vec<&'static str>) {
    let mut text = String::new();
    let mut signature = String::new();
    let mut kinds = Vec::new();
    for event in events {
        match event {
            StreamEvent::ThinkingStart { .. } => kinds.push("start"),
            StreamEvent::ThinkingDelta { delta, .. } => {
                kinds.push("delta");
                text.push_str(delta);
            }
            StreamEvent::ThinkingSignature { .. } => kinds.push("signature"),
            StreamEvent::ThinkingEnd {
                signature: end_signature,
                redacted,
                ..
            } => {
                assert!(!redacted);
                kinds.push("end");
                if let Some(end_signature) = end_signature.as_ref().into_option() {
                    signature = end_signature.to_string();
                }
            }
            _ => {}
        }
    }
    kinds.dedup();
    (text, signature, kinds)
}

fn assert_thinking_events(events: &[StreamEvent]) {
    let (text, signature, kinds) = thinking_of(events);
    assert_eq!(kinds, ["start", "delta", "signature", "end"], "{events:?}");
    assert_eq!(text, "Thinking about: hello there");
    assert!(signature.starts_with("emu-sig-"), "{signature}");
}

fn assert_no_thinking_events(events: &[StreamEvent]) {
    assert!(thinking_of(events).2.is_empty(), "{events:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn think_05_09_sonnet_46_adaptive_stream_carries_thinking_events() {
    let emu = emulator();
    let plugin = instance_with(&emu, json!({}));
    let mut request = chat(model(SONNET_46), Some(ThinkingLevel::High));
    request.options.temperature = ROption::RSome(0.2);
    request.options.top_p = ROption::RSome(0.9);
    let events = common::run_stream(&plugin, request).await;
    assert_thinking_events(&events);
    let sent = last_stream_request(&emu);
    assert_eq!(
        sent["additionalModelRequestFields"],
        json!({"thinking": {"type": "adaptive", "display": "summarized"}, "output_config": {"effort": "high"}})
    );
    assert_eq!(sent["inferenceConfig"], json!({}), "THINK-09");
    assert!(sent.get("additionalModelResponseFieldPaths").is_none());
    assert!(
        sent.get("outputConfig").is_none(),
        "THINK-05: never top-level"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ex_s06_sonnet_46_without_level_sends_no_thinking() {
    let emu = emulator();
    let plugin = instance_with(&emu, json!({}));
    let mut request = chat(model(SONNET_46), None);
    request.options.temperature = ROption::RSome(0.5);
    let events = common::run_stream(&plugin, request).await;
    assert_no_thinking_events(&events);
    let sent = last_stream_request(&emu);
    assert!(sent.get("additionalModelRequestFields").is_none(), "{sent}");
    assert_eq!(sent["inferenceConfig"], json!({"temperature": 0.5}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn think_06_14_budget_thinking_with_1m_context_beta() {
    let emu = emulator();
    let plugin = instance_with(&emu, json!({"enable1MContext": true}));
    let mut sonnet = model(SONNET_45);
    sonnet.reasoning = true;
    sonnet.max_tokens = 64000;
    let mut request = chat(sonnet, Some(ThinkingLevel::Low));
    request.options.max_tokens = ROption::RSome(1000);
    request.options.temperature = ROption::RSome(0.5);
    let events = common::run_stream(&plugin, request).await;
    assert_thinking_events(&events);
    let sent = last_stream_request(&emu);
    assert_eq!(
        sent["additionalModelRequestFields"],
        json!({
            "thinking": {"type": "enabled", "budget_tokens": 2048, "display": "summarized"},
            "anthropic_beta": ["interleaved-thinking-2025-05-14", "context-1m-2025-08-07"]
        })
    );
    assert_eq!(sent["inferenceConfig"], json!({"maxTokens": 3048}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn think_07_plugin_budget_and_interleaved_off() {
    let emu = emulator();
    let plugin = instance_with(&emu, json!({"thinkingBudgetTokens": 4000}));
    let mut sonnet = model(SONNET_45);
    sonnet.reasoning = true;
    sonnet.max_tokens = 64000;
    let mut request = chat(sonnet, Some(ThinkingLevel::High));
    request.options.interleaved_thinking = ROption::RSome(false);
    let events = common::run_stream(&plugin, request).await;
    assert_thinking_events(&events);
    let sent = last_stream_request(&emu);
    assert_eq!(
        sent["additionalModelRequestFields"],
        json!({"thinking": {"type": "enabled", "budget_tokens": 4000, "display": "summarized"}})
    );
    // REQ-02 base min(64000, requestMaxTokens 32000) plus the budget (THINK-06).
    assert_eq!(sent["inferenceConfig"], json!({"maxTokens": 36000}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn think_11_gov_cloud_region_omits_display() {
    let emu = emulator();
    let plugin = instance_with(&emu, json!({}));
    let mut request = chat(model(SONNET_46), Some(ThinkingLevel::Medium));
    request.options.region = ROption::RSome("us-gov-west-1".into());
    let events = common::run_stream(&plugin, request).await;
    assert_thinking_events(&events);
    assert_eq!(
        last_stream_request(&emu)["additionalModelRequestFields"],
        json!({"thinking": {"type": "adaptive"}, "output_config": {"effort": "medium"}})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ex_s10_s11_fable_request_shape() {
    let emu = emulator_with_claude_5();
    let plugin = instance_with(&emu, json!({}));
    let mut request = chat(model(FABLE_5), Some(ThinkingLevel::High));
    request.options.temperature = ROption::RSome(0.2);
    request.options.tool_choice = ROption::RSome(ToolChoice_NE::new(ToolChoice::Any));
    request.tools = RVec::from(vec![ToolDefinition {
        name: "lookup".into(),
        description: ROption::RSome("Look something up".into()),
        parameters_json: json!({"type": "object", "properties": {}})
            .to_string()
            .into(),
        extensions: Default::default(),
    }]);
    let events = common::run_stream(&plugin, request.clone()).await;
    assert_thinking_events(&events);
    let sent = last_stream_request(&emu);
    assert_eq!(sent["inferenceConfig"], json!({}));
    assert_eq!(
        sent["messages"][0]["content"],
        json!([{"text": "hello there"}, {"cachePoint": {"type": "default"}}]),
        "CACHE-11"
    );
    assert_eq!(
        sent["toolConfig"]["toolChoice"],
        json!({"auto": {}}),
        "TOOL-03"
    );
    assert_eq!(
        sent["additionalModelRequestFields"],
        json!({"thinking": {"type": "adaptive", "display": "summarized"}, "output_config": {"effort": "high"}})
    );
    assert_eq!(
        sent["additionalModelResponseFieldPaths"],
        json!(["/stop_details"])
    );

    // EX-S11: toolChoice "none" → no toolConfig at all.
    request.options.tool_choice = ROption::RSome(ToolChoice_NE::new(ToolChoice::None));
    common::run_stream(&plugin, request).await;
    let sent = last_stream_request(&emu);
    assert!(sent.get("toolConfig").is_none(), "{sent}");
    assert_eq!(
        sent["additionalModelResponseFieldPaths"],
        json!(["/stop_details"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ex_s07_req_02_mythos_preview_defaults_high_and_omits_placeholder_max_tokens() {
    let emu = emulator_with_claude_5();
    let plugin = instance_with(&emu, json!({}));
    let mut mythos = model(MYTHOS_PREVIEW);
    mythos.max_tokens = 8192;
    let events = common::run_stream(&plugin, chat(mythos, None)).await;
    assert_thinking_events(&events);
    let sent = last_stream_request(&emu);
    assert_eq!(
        sent["additionalModelRequestFields"],
        json!({"thinking": {"type": "adaptive", "display": "summarized"}, "output_config": {"effort": "high"}})
    );
    assert_eq!(sent["inferenceConfig"], json!({}), "REQ-02 placeholder");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ex_i13_i15_s08_opus_48_effort_max_and_xhigh() {
    let emu = emulator_with_claude_5();
    let plugin = instance_with(&emu, json!({}));

    // EX-I15: level max with an upstream xhigh → max; temperature removed.
    let mut opus = model(OPUS_48);
    opus.max_tokens = 200000;
    opus.thinking_level_map = RVec::from(vec![mapping(ThinkingLevel::Max, Some("xhigh"))]);
    let mut request = chat(opus, Some(ThinkingLevel::Max));
    request.options.temperature = ROption::RSome(0.2);
    let events = common::run_stream(&plugin, request).await;
    assert_thinking_events(&events);
    let sent = last_stream_request(&emu);
    assert_eq!(
        sent["additionalModelRequestFields"],
        json!({"thinking": {"type": "adaptive", "display": "summarized"}, "output_config": {"effort": "max"}})
    );
    // EX-S09 / REQ-02: the default requestMaxTokens caps the model's 200000.
    assert_eq!(
        sent["inferenceConfig"],
        json!({"maxTokens": 32000}),
        "EX-S09"
    );

    // EX-S08: an application profile named "Claude Production Opus 4.8" at xhigh.
    let mut app = model(APP_PROFILE);
    app.name = "Claude Production Opus 4.8".into();
    let events = common::run_stream(&plugin, chat(app, Some(ThinkingLevel::Xhigh))).await;
    assert_thinking_events(&events);
    let sent = last_stream_request(&emu);
    assert_eq!(
        sent["additionalModelRequestFields"]["output_config"],
        json!({"effort": "xhigh"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn think_05_ex_s15_null_map_entry_sends_high() {
    let emu = emulator_with_claude_5();
    let plugin = instance_with(&emu, json!({}));
    // A `null` map entry for `max` means `high`, even on a natively-max model.
    let mut opus = model(OPUS_48);
    opus.thinking_level_map = RVec::from(vec![mapping(ThinkingLevel::Max, None)]);
    let mut request = chat(opus, Some(ThinkingLevel::Max));
    request.options.temperature = ROption::RSome(0.2);
    let events = common::run_stream(&plugin, request).await;
    assert_thinking_events(&events);
    let sent = last_stream_request(&emu);
    assert_eq!(
        sent["additionalModelRequestFields"],
        json!({"thinking": {"type": "adaptive", "display": "summarized"}, "output_config": {"effort": "high"}})
    );
    assert_eq!(sent["inferenceConfig"], json!({}));
}
