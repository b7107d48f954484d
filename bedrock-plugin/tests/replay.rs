//! Replayed assistant turns through a full send (EX-S01, EX-A02..A04, EX-T06): the messages
//! the emulator received for a host history with thinking blocks and tool calls.
//!
//! The ABI's strings are UTF-8, so a lone surrogate (the reference's `\uD800`) cannot reach
//! the plugin: the host's conversion replaces or drops it. What these tests pin is the part
//! the plugin owns: thinking text and signatures are sent byte for byte, or become plain text.

mod common;

use abi_stable::std_types::RVec;
use bedrock_emulator::Operation;
use plugin_api::chat::{AssistantBlock, ChatRequest, Message};
use serde_json::{json, Value};

const NOVA: &str = "amazon.nova-micro-v1:0";

fn thinking(text: &str, signature: &str) -> AssistantBlock {
    AssistantBlock::Thinking {
        thinking: text.into(),
        signature: abi_stable::std_types::ROption::RSome(signature.into()),
        redacted: false,
    }
}

/// The messages of the first ConverseStream the emulator received for `request`.
async fn sent_messages(request: ChatRequest) -> Value {
    let emu = common::emulator();
    let plugin = common::emulator_instance(&emu, json!({}));
    common::run_stream(&plugin, request).await;
    let sent = emu.requests_for(Operation::ConverseStream);
    sent.first()
        .and_then(|request| request.json())
        .expect("a JSON ConverseStream body")["messages"]
        .clone()
}

fn history(model: &str, blocks: Vec<AssistantBlock>) -> ChatRequest {
    let mut request = common::text_request(model, "q");
    request.messages = RVec::from(vec![
        Message::user_text("q"),
        common::assistant(model, blocks),
        Message::user_text("next"),
    ]);
    request
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ex_s01_application_profile_claude_keeps_signed_thinking_unchanged() {
    let arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc";
    let text = "plan: caf\u{e9} \u{1F600} step";
    let mut request = history(arn, vec![thinking(text, "sig-1")]);
    request.model.name = "Claude Sonnet application profile".into();
    let messages = sent_messages(request).await;
    assert_eq!(
        messages[1],
        json!({"role": "assistant", "content": [
            {"reasoningContent": {"reasoningText": {"text": text, "signature": "sig-1"}}}
        ]})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ex_a02_non_claude_signed_thinking_is_sent_as_plain_text() {
    let messages = sent_messages(history(NOVA, vec![thinking("privatereasoning", "sig")])).await;
    assert_eq!(
        messages[1],
        json!({"role": "assistant", "content": [{"text": "privatereasoning"}]})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ex_a03_fable_empty_thinking_keeps_its_signature_verbatim() {
    let fable = "anthropic.claude-fable-5";
    let messages = sent_messages(history(fable, vec![thinking("", " sig-fable ")])).await;
    assert_eq!(
        messages[1],
        json!({"role": "assistant", "content": [
            {"reasoningContent": {"reasoningText": {"text": "", "signature": " sig-fable "}}}
        ]})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ex_a04_a_thinking_only_reasoning_content_turn_adds_no_message() {
    let mut request = common::text_request(NOVA, "q");
    request.messages = RVec::from(vec![
        Message::user_text("q"),
        common::assistant(NOVA, vec![thinking("t", "reasoning_content")]),
    ]);
    assert_eq!(
        sent_messages(request).await,
        json!([{"role": "user", "content": [{"text": "q"}]}])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ex_t06_tool_use_and_results_are_kept_with_tools() {
    let mut request = common::text_request(NOVA, "q");
    request.tools = RVec::from(vec![common::tool(
        "lookup",
        json!({"type": "object", "properties": {"q": {"type": "string"}}}),
    )]);
    request.messages = RVec::from(vec![
        Message::user_text("find it"),
        common::assistant(
            NOVA,
            vec![AssistantBlock::ToolCall {
                id: "call-1".into(),
                name: "lookup".into(),
                arguments_json: r#"{"q":"it"}"#.into(),
            }],
        ),
        common::tool_result("call-1", "lookup", "found"),
    ]);
    let messages = sent_messages(request).await;
    assert_eq!(
        messages[1],
        json!({"role": "assistant", "content": [
            {"toolUse": {"toolUseId": "call-1", "name": "lookup", "input": {"q": "it"}}}
        ]})
    );
    assert_eq!(
        messages[2]["content"][0]["toolResult"]["toolUseId"],
        "call-1"
    );
    assert_eq!(
        messages[2]["content"][0]["toolResult"]["content"],
        json!([{"text": "found"}])
    );
}
