//! How a stream ends at a limit, end to end against the local emulator: a tool call the output
//! limit cut off (EVT-33), a `maxTokens` above the model's output limit (BR-05 against the
//! emulator's per-model limits) and a daily token quota (BR-16).

mod common;

use abi_stable::std_types::{ROption, RVec};
use bedrock_emulator::{Fault, FaultRule, Operation};
use plugin_api::chat::ChatRequest;
use plugin_api::error::{ErrorKind, FailoverReason};
use plugin_api::event::{StopReason, StreamEvent};
use serde_json::{json, Value};

use common::{done, failure};

const NOVA: &str = "amazon.nova-micro-v1:0";
const DAILY_QUOTA: &str = "Too many tokens per day, please wait before trying again.";

fn request(text: &str) -> ChatRequest {
    common::text_request(NOVA, text)
}

#[tokio::test]
async fn evt_33_tool_call_cut_by_max_tokens_is_not_completed() {
    let emu = common::emulator();
    let instance = common::emulator_instance(&emu, json!({}));
    let mut request = request("call get_weather.");
    request.tools = RVec::from(vec![common::tool(
        "get_weather",
        json!({"type": "object", "properties": {"city": {"type": "string"}}}),
    )]);
    request.options.max_tokens = ROption::RSome(2);
    let events = common::run_stream(&instance, request).await;
    assert_eq!(
        common::event_names(&events),
        [
            "start",
            "toolcall_start",
            "toolcall_delta",
            "toolcall_delta",
            "usage",
            "done"
        ]
    );
    let fragments: String = events
        .iter()
        .filter_map(|event| match event {
            StreamEvent::ToolCallDelta { fragment, .. } => Some(fragment.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(fragments, r#"{"city":"emulato"#);
    let summary = done(&events);
    assert_eq!(*summary.stop_reason.as_enum().unwrap(), StopReason::Length);
    assert_eq!(
        summary.provider_stop_reason,
        ROption::RSome("max_tokens".into())
    );
    assert_eq!(
        common::diagnostics(summary),
        [(
            "warning".to_owned(),
            json!({
                "provider": "amazon-bedrock",
                "message": "tool call get_weather was cut off at maxTokens 2; its arguments are incomplete"
            })
        )]
    );
}

#[tokio::test]
async fn br_05_max_tokens_above_the_claude_output_limit_is_healed_to_the_limit() {
    let emu = common::emulator();
    let instance = common::emulator_instance(&emu, json!({}));
    let model = "anthropic.claude-3-haiku-20240307-v1:0";
    let mut request = common::text_request(model, "hi");
    request.options.max_tokens = ROption::RSome(8192);
    let events = common::run_stream(&instance, request).await;
    let retry = events
        .iter()
        .find_map(|event| match event {
            StreamEvent::Retry(notice) => Some((**notice).clone()),
            _ => None,
        })
        .expect("a self-heal retry");
    assert_eq!(retry.reason.as_str(), "max_tokens_clamped");
    assert!(
        retry.detail.as_str().starts_with(
            "Validation error: The model returned the following errors: max_tokens: 8192 > 4096, which is the maximum allowed number of output tokens for claude-3-haiku-20240307"
        ),
        "{}",
        retry.detail
    );
    assert_eq!(
        *done(&events).stop_reason.as_enum().unwrap(),
        StopReason::Stop
    );
    let sent: Vec<Value> = emu
        .requests_for(Operation::ConverseStream)
        .iter()
        .map(|request| request.json().expect("JSON body")["inferenceConfig"]["maxTokens"].clone())
        .collect();
    assert_eq!(sent, [json!(8192), json!(4096)]);
}

#[tokio::test]
async fn br_16_daily_quota_throttle_ends_at_once_without_retry_as_rate_limit() {
    let emu = common::emulator();
    emu.add_fault(FaultRule::for_operation(
        Operation::ConverseStream,
        Fault::daily_tokens(),
    ));
    let instance = common::emulator_instance(
        &emu,
        json!({"retry": {"maxAttempts": 4, "baseDelayMs": 1, "maxDelayMs": 5}}),
    );
    let events = common::run_stream(&instance, request("hi")).await;
    assert_eq!(
        common::event_names(&events),
        ["error"],
        "no retry event, no output"
    );
    assert_eq!(emu.requests_for(Operation::ConverseStream).len(), 1);
    let error = &failure(&events).error;
    assert_eq!(
        error.message.as_str(),
        format!(
            "Throttling error: {DAILY_QUOTA} (daily token quota reached for {NOVA} in us-east-1) [request id {}]",
            error.request_id.as_ref().map(|id| id.as_str()).unwrap_or_default()
        )
    );
    assert_eq!(error.kind(), Some(ErrorKind::RateLimit));
    assert_eq!(error.status, ROption::RSome(429));
    assert!(!error.retryable);
    let classification = instance.chat_provider().classify_error(error);
    assert_eq!(
        classification
            .failover
            .as_ref()
            .into_option()
            .and_then(|reason| reason.as_enum().ok().copied()),
        Some(FailoverReason::RateLimit)
    );
}

#[tokio::test]
async fn req_02_an_answer_cut_at_request_max_tokens_says_so() {
    let emu = common::emulator();
    let instance = common::emulator_instance(&emu, json!({"requestMaxTokens": 5}));
    // The model allows 10000 (common::text_request); the caller sets no maxTokens.
    let events = common::run_stream(&instance, request("!long=50")).await;
    let summary = done(&events);
    assert_eq!(
        emu.requests_for(Operation::ConverseStream)[0]
            .json()
            .expect("JSON body")["inferenceConfig"]["maxTokens"],
        json!(5)
    );
    assert_eq!(
        summary.provider_stop_reason,
        ROption::RSome("max_tokens".into())
    );
    assert_eq!(
        common::diagnostics(summary),
        [(
            "warning".to_owned(),
            json!({
                "provider": "amazon-bedrock",
                "message": "output stopped at requestMaxTokens 5; the model allows 10000"
            })
        )]
    );

    // A caller's own maxTokens is not requestMaxTokens: no warning.
    let mut own = request("!long=50");
    own.options.max_tokens = ROption::RSome(5);
    let events = common::run_stream(&instance, own).await;
    let summary = done(&events);
    assert_eq!(
        summary.provider_stop_reason,
        ROption::RSome("max_tokens".into())
    );
    assert!(common::diagnostics(summary).is_empty());
}

#[tokio::test]
async fn plg_24_temp_01_an_explicit_temperature_the_model_takes_none_of_is_named_on_the_answer() {
    let emu = common::emulator();
    let instance = common::emulator_instance(&emu, json!({}));
    let mut chat = common::text_request("us.anthropic.claude-opus-4-7", "hi");
    chat.options.temperature = ROption::RSome(0.5);
    let events = common::run_stream(&instance, chat).await;
    let summary = done(&events);
    let sent = emu.requests_for(Operation::ConverseStream)[0]
        .json()
        .expect("JSON body");
    assert!(
        sent["inferenceConfig"].get("temperature").is_none(),
        "{sent}"
    );
    assert_eq!(
        common::diagnostics(summary),
        [(
            "warning".to_owned(),
            json!({
                "provider": "amazon-bedrock",
                "message": "temperature not sent: us.anthropic.claude-opus-4-7 takes no sampling parameters"
            })
        )]
    );

    // Without an explicit value there is nothing to say.
    let events = common::run_stream(
        &instance,
        common::text_request("us.anthropic.claude-opus-4-7", "hi"),
    )
    .await;
    assert!(common::diagnostics(done(&events)).is_empty());
}

#[tokio::test]
async fn plg_25_a_refused_connection_names_the_endpoint() {
    // A port nothing listens on: the emulator is started only to take a free port and stopped.
    let closed = {
        let emu = common::emulator();
        emu.base_url().to_owned()
    };
    let emu = common::emulator();
    let instance = common::emulator_instance(
        &emu,
        json!({"awsBedrockEndpoint": closed, "retry": {"maxAttempts": 1}}),
    );
    let events = common::run_stream(&instance, request("hi")).await;
    let error = &failure(&events).error;
    assert_eq!(error.error_code, ROption::RSome("ECONNREFUSED".into()));
    assert!(
        error
            .message
            .as_str()
            .ends_with(&format!(" (connecting to {closed})")),
        "{}",
        error.message
    );
}
