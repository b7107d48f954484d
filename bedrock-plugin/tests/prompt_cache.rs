//! Prompt caching end to end (CACHE-02/03/10/11/20, USE-01): in-process plugin instances send to
//! the local emulator, which judges cache points as Bedrock does (CACHE-12/13/14, no `ttl` off
//! Anthropic, 403 for models without caching) and reports cache reads and writes for repeated
//! prefixes.

mod common;

use abi_stable::std_types::{ROption, RString, RVec};
use bedrock_emulator::{Emulator, EmulatorOptions, Operation};
use plugin_api::chat::{
    AssistantBlock, AssistantBlock_NE, AssistantOrigin, CacheRetention, CacheRetention_NE,
    ChatOptions, ChatRequest, Message, Message_NE,
};
use plugin_api::event::{ResponseSummary, StreamEvent};
use plugin_api::model::ModelDefinition;
use plugin_api::traits::PluginInstanceBox;
use serde_json::{json, Value};

const SONNET_46: &str = "us.anthropic.claude-sonnet-4-6";
const NOVA_MICRO: &str = "amazon.nova-micro-v1:0";
const SONNET_46_BASE: &str = "anthropic.claude-sonnet-4-6";
const NAMED_PROFILE: &str =
    "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/my-claude-profile";
const API: &str = "bedrock-converse-stream";
const PROVIDER: &str = "amazon-bedrock";
const BOUNDARY: &str = "\n<!-- OPENCLAW_CACHE_BOUNDARY -->\n";
/// Sentences of the stable system prefix; 3 words each (the emulator counts words as tokens).
const STABLE_SENTENCES: usize = 400;

fn instance(emu: &Emulator) -> PluginInstanceBox {
    common::instance(
        common::emulator_plugin_config(emu, json!({})),
        json!({}),
        &[
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("HOME", "/nonexistent-home"),
        ],
    )
}

fn stable_prefix() -> String {
    vec!["Stable workspace rule."; STABLE_SENTENCES].join(" ")
}

fn chat(model_id: &str, messages: Vec<Message_NE>) -> ChatRequest {
    ChatRequest {
        model: ModelDefinition::new(model_id, PROVIDER, API),
        system_prompt: ROption::RSome(RString::from(format!(
            "{}{BOUNDARY}Today: Monday",
            stable_prefix()
        ))),
        messages: RVec::from(messages),
        tools: RVec::new(),
        options: ChatOptions::default(),
    }
}

fn assistant(model_id: &str, text: &str) -> Message_NE {
    Message_NE::new(Message::Assistant {
        content: RVec::from(vec![AssistantBlock_NE::new(AssistantBlock::Text {
            text: text.into(),
        })]),
        origin: AssistantOrigin {
            provider: PROVIDER.into(),
            api: API.into(),
            model: model_id.into(),
            stop_reason: ROption::RNone,
        },
        runtime_context: false,
    })
}

fn summary(events: &[StreamEvent]) -> &ResponseSummary {
    match events.last() {
        Some(StreamEvent::Done(summary)) => summary,
        other => panic!("expected done, got {other:?} in {events:?}"),
    }
}

fn reply_text(events: &[StreamEvent]) -> String {
    events
        .iter()
        .filter_map(|event| match event {
            StreamEvent::TextDelta { delta, .. } => Some(delta.to_string()),
            _ => None,
        })
        .collect()
}

fn stream_bodies(emu: &Emulator) -> Vec<(u16, Value)> {
    emu.requests_for(Operation::ConverseStream)
        .iter()
        .map(|request| (request.status, request.json().expect("JSON body")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_10_11_use_01_sonnet_46_second_chat_reads_the_cached_prefix() {
    let emu = common::emulator();
    let plugin = instance(&emu);
    let first = chat(SONNET_46, vec![Message::user_text("hello there")]);

    let events = common::run_stream(&plugin, first.clone()).await;
    let written = &summary(&events).usage;
    // Everything up to the message point is written: 1200 stable words, "Today: Monday",
    // "hello there".
    let prefix_words = (3 * STABLE_SENTENCES + 4) as u64;
    assert_eq!((written.cache_read, written.cache_write), (0, prefix_words));

    // The same chat again reads the whole prefix.
    let events = common::run_stream(&plugin, first).await;
    let repeated = &summary(&events).usage;
    assert_eq!(
        (repeated.cache_read, repeated.cache_write),
        (prefix_words, 0)
    );

    // The next turn reads the stable system prefix the boundary closed.
    let answer = reply_text(&events);
    let next = chat(
        SONNET_46,
        vec![
            Message::user_text("hello there"),
            assistant(SONNET_46, &answer),
            Message::user_text("and now"),
        ],
    );
    let events = common::run_stream(&plugin, next).await;
    assert_eq!(
        summary(&events).usage.cache_read,
        (3 * STABLE_SENTENCES) as u64
    );

    let bodies = stream_bodies(&emu);
    assert_eq!(
        bodies.iter().map(|(status, _)| *status).collect::<Vec<_>>(),
        [200, 200, 200],
        "the emulator accepted every request"
    );
    let (_, last) = &bodies[2];
    assert_eq!(
        last["system"],
        json!([
            {"text": stable_prefix()},
            {"cachePoint": {"type": "default"}},
            {"text": "Today: Monday"}
        ])
    );
    assert_eq!(
        last["messages"],
        json!([
            {"role": "user", "content": [{"text": "hello there"}]},
            {"role": "assistant", "content": [{"text": answer}]},
            {"role": "user", "content": [{"text": "and now"}, {"cachePoint": {"type": "default"}}]}
        ])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_03_ex_a05_nova_long_retention_sends_points_without_ttl() {
    let emu = common::emulator();
    let plugin = instance(&emu);
    let mut request = chat(NOVA_MICRO, vec![Message::user_text("hello there")]);
    request.options.cache_retention = ROption::RSome(CacheRetention_NE::new(CacheRetention::Long));
    // The emulator rejects a ttl on a non-Anthropic model, so `done` proves there is none.
    let events = common::run_stream(&plugin, request).await;
    summary(&events);
    let bodies = stream_bodies(&emu);
    assert_eq!(bodies.len(), 1);
    let (status, body) = &bodies[0];
    assert_eq!(*status, 200);
    assert_eq!(
        body["system"][1],
        json!({"cachePoint": {"type": "default"}})
    );
    assert_eq!(
        body["messages"][0]["content"],
        json!([{"text": "hello there"}, {"cachePoint": {"type": "default"}}])
    );
}

/// An emulator whose catalog holds Sonnet 4.6 and an application profile named
/// `my-claude-profile` that targets it.
fn emulator_with_claude_profile() -> Emulator {
    let dir = common::catalog_dir(
        "prompt-cache",
        json!([common::fm(
            SONNET_46_BASE,
            "Claude Sonnet 4.6",
            "Anthropic",
            &["TEXT"],
            &["TEXT"]
        )]),
        json!([common::profile(
            "my-claude-profile",
            "My Claude profile",
            "APPLICATION",
            "ACTIVE",
            &[&format!(
                "arn:aws:bedrock:us-east-1::foundation-model/{SONNET_46_BASE}"
            )],
        )]),
    );
    Emulator::start(EmulatorOptions {
        catalog: Some(dir),
        ..EmulatorOptions::default()
    })
    .expect("emulator")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_20_ex_i31_named_claude_profile_gets_points_and_reads_them_back() {
    let emu = emulator_with_claude_profile();
    let plugin = instance(&emu);
    let mut request = chat(NAMED_PROFILE, vec![Message::user_text("hello there")]);
    request.system_prompt = ROption::RSome(RString::from(stable_prefix()));

    let events = common::run_stream(&plugin, request.clone()).await;
    let prefix_words = (3 * STABLE_SENTENCES + 2) as u64;
    let written = &summary(&events).usage;
    assert_eq!((written.cache_read, written.cache_write), (0, prefix_words));
    let events = common::run_stream(&plugin, request).await;
    let read = &summary(&events).usage;
    assert_eq!((read.cache_read, read.cache_write), (prefix_words, 0));

    let bodies = stream_bodies(&emu);
    assert_eq!(
        bodies.iter().map(|(status, _)| *status).collect::<Vec<_>>(),
        [200, 200]
    );
    let (_, body) = &bodies[1];
    assert_eq!(
        body["system"],
        json!([{"text": stable_prefix()}, {"cachePoint": {"type": "default"}}])
    );
    assert_eq!(
        body["messages"],
        json!([{"role": "user", "content": [{"text": "hello there"}, {"cachePoint": {"type": "default"}}]}])
    );
}
