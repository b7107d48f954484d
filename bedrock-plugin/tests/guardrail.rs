//! Guardrails end to end against the local emulator: only the newest user turn as guard content
//! (GRD-05) and a guardrail that only masked is a normal answer (GRD-06).

mod common;

use abi_stable::std_types::{ROption, RVec};
use bedrock_emulator::{Emulator, Operation};
use plugin_api::chat::Message;
use plugin_api::event::StopReason;
use plugin_api::traits::PluginInstanceBox;
use serde_json::{json, Value};

use common::{done, failure};

const NOVA: &str = "amazon.nova-micro-v1:0";

#[tokio::test]
async fn grd_05_latest_message_only_sends_the_newest_user_turn_as_guard_content() {
    let emu = common::emulator();
    let instance = guardrail_instance(&emu, json!({"latestMessageOnly": true}));
    let mut request = common::text_request(NOVA, "");
    request.messages = RVec::from(vec![
        Message::user_text("earlier words"),
        Message::user_text("newest words"),
    ]);
    let events = common::run_stream(&instance, request).await;
    assert_eq!(
        common::streamed_text(&events),
        "Hello from the Bedrock emulator. You said: earlier words newest words"
    );
    let sent = emu.requests_for(Operation::ConverseStream);
    let body = sent[0].json().expect("JSON body");
    assert_eq!(
        body["messages"],
        json!([{"role": "user", "content": [
            {"text": "earlier words"},
            {"guardContent": {"text": {"text": "newest words"}}}
        ]}])
    );
}

fn guardrail_instance(emu: &Emulator, extra: Value) -> PluginInstanceBox {
    let mut guardrail =
        json!({"guardrailIdentifier": "gr1", "guardrailVersion": "1", "trace": "enabled"});
    if let (Some(guardrail), Value::Object(extra)) = (guardrail.as_object_mut(), extra) {
        guardrail.extend(extra);
    }
    common::emulator_instance(emu, json!({ "guardrail": guardrail }))
}

#[tokio::test]
async fn grd_06_masked_only_guardrail_is_a_normal_answer() {
    let emu = common::emulator();
    let instance = guardrail_instance(&emu, json!({}));
    let events = common::run_stream(
        &instance,
        common::text_request(NOVA, "!mask write to jane@example.com"),
    )
    .await;
    assert_eq!(
        common::event_names(&events)
            .into_iter()
            .filter(|name| *name != "text_delta")
            .collect::<Vec<_>>(),
        ["start", "text_start", "text_end", "usage", "done"]
    );
    assert_eq!(
        common::streamed_text(&events),
        "Hello from the Bedrock emulator. You said: !mask write to {EMAIL}"
    );
    let summary = done(&events);
    assert_eq!(*summary.stop_reason.as_enum().unwrap(), StopReason::Stop);
    assert_eq!(
        summary.provider_stop_reason,
        ROption::RSome("guardrail_intervened".into())
    );
    let diagnostics = common::diagnostics(summary);
    let kinds: Vec<&str> = diagnostics.iter().map(|(kind, _)| kind.as_str()).collect();
    assert_eq!(kinds, ["guardrail_trace", "guardrail_masked"]);
    assert_eq!(
        diagnostics[0].1["outputAssessments"]["gr1"][0]["sensitiveInformationPolicy"]
            ["piiEntities"],
        json!([{"match": "jane@example.com", "type": "EMAIL", "action": "ANONYMIZED", "detected": true}])
    );
    assert_eq!(
        diagnostics[1].1,
        json!({"provider": "amazon-bedrock", "stopReason": "guardrail_intervened"})
    );
}

#[tokio::test]
async fn grd_06_blocked_guardrail_keeps_the_error() {
    let emu = common::emulator();
    let instance = guardrail_instance(&emu, json!({}));
    let events = common::run_stream(&instance, common::text_request(NOVA, "BLOCKED please")).await;
    let failure = failure(&events);
    assert_eq!(failure.error.message.as_str(), "guardrail_intervened");
    assert_eq!(
        *failure.summary.stop_reason.as_enum().unwrap(),
        StopReason::Error
    );
    assert!(!common::event_names(&events).contains(&"done"));
}
