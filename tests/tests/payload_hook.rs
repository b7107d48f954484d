//! REQ-03 through the built cdylib and the host library: a host's payload hook sees the final
//! ConverseStream payload of every send (after the plugin's patches), and what it returns is
//! what the emulator receives; its errors and broken replacements end the stream (PLG-120).

mod common;

use std::sync::{Arc, Mutex};

use bedrock_emulator::{Emulator, EmulatorOptions, Fault, FaultRule, Operation};
use common::{collect, host_config, install, load, runtime, text_of};
use plugin_api::abi_stable::std_types::{ROption, RString, RVec};
use plugin_api::chat::{ChatRequest, ToolDefinition};
use plugin_api::error::ErrorKind;
use plugin_api::event::{StreamEvent, StreamEvent_NE};
use plugin_api::hooks::PayloadView;
use serde_json::{json, Value};

const OPUS_47: &str = "us.anthropic.claude-opus-4-7";
const NOVA: &str = "amazon.nova-micro-v1:0";
const MISTRAL: &str = "mistral.mistral-large-2407-v1:0";
const LLAMA: &str = "us.meta.llama3-3-70b-instruct-v1:0";

fn emulator() -> Emulator {
    Emulator::start(EmulatorOptions::default()).expect("emulator")
}

/// The payloads a hook saw, in call order.
type Seen = Arc<Mutex<Vec<PayloadView>>>;

/// Runs `request` on a fresh instance (plugin config `extra`) with a hook that records each
/// payload and answers with `answer`; gives the events and the payloads seen.
fn run_hooked(
    emu: &Emulator,
    extra: Value,
    request: ChatRequest,
    answer: impl Fn(&PayloadView) -> Result<Option<String>, String> + Send + Sync + 'static,
) -> (Vec<StreamEvent_NE>, Vec<PayloadView>) {
    let installed = install(|_| {});
    let plugin = load(&installed, &host_config(emu, extra)).expect("plugin loads");
    let seen: Seen = Arc::default();
    let recorder = seen.clone();
    let rt = runtime();
    let events = rt.block_on(async {
        let stream = plugin
            .stream_chat_with_payload_hook(request, move |payload| {
                recorder.lock().expect("recorder").push(payload.clone());
                answer(payload)
            })
            .expect("stream starts");
        collect(stream).await
    });
    let seen = seen.lock().expect("seen").clone();
    (events, seen)
}

/// The payload's JSON without `modelId` (which travels in the URL path): the request body.
fn body_of(payload: &PayloadView) -> Value {
    let mut value: Value = serde_json::from_str(payload.payload_json.as_str()).expect("JSON");
    value
        .as_object_mut()
        .expect("object")
        .shift_remove("modelId");
    value
}

fn payload_of(payload: &PayloadView) -> Value {
    serde_json::from_str(payload.payload_json.as_str()).expect("JSON")
}

/// The terminal error of a stream.
fn failure(events: &[StreamEvent_NE]) -> (Option<ErrorKind>, String) {
    match events.last().map(|event| event.as_enum()) {
        Some(Ok(StreamEvent::Error(failure))) => {
            (failure.error.kind(), failure.error.message.to_string())
        }
        other => panic!("expected an error, got {other:?}"),
    }
}

fn ends_done(events: &[StreamEvent_NE]) -> bool {
    matches!(
        events.last().map(|event| event.as_enum()),
        Some(Ok(StreamEvent::Done(_)))
    )
}

#[test]
fn req_03_hook_sees_the_final_payload_with_every_patch_applied() {
    let emu = emulator();
    let mut request = common::chat_request(OPUS_47, "hello hook");
    request.system_prompt = ROption::RSome("Be brief.".into());
    request.options.temperature = ROption::RSome(0.2);
    request.options.max_tokens = ROption::RSome(10);
    request.options.extra_params_json =
        ROption::RSome(RString::from(r#"{"serviceTier":"priority"}"#));
    let (events, seen) = run_hooked(
        &emu,
        json!({"guardrail": {"guardrailIdentifier": "gr1", "guardrailVersion": "1"}}),
        request,
        |_| Ok(None),
    );
    assert!(ends_done(&events), "{events:?}");
    assert_eq!(seen.len(), 1);
    let view = &seen[0];
    assert_eq!(view.operation.as_str(), "ConverseStream");
    assert_eq!(view.model_id.as_str(), OPUS_47);
    assert_eq!(view.region.as_str(), "us-east-1");
    assert_eq!(view.attempt, 1);
    let payload = payload_of(view);
    assert_eq!(payload["modelId"], OPUS_47);
    // Temperature omission (TEMP-02, EX-I07): only maxTokens is left.
    assert_eq!(payload["inferenceConfig"], json!({"maxTokens": 10}));
    // Prompt-cache injection (CACHE-10): the system text is followed by its cache point.
    assert_eq!(payload["system"][0], json!({"text": "Be brief."}));
    assert_eq!(payload["system"][1]["cachePoint"]["type"], "default");
    // Guardrail (GRD-01, the unset optional keys stripped) and service tier (TIER-02).
    assert_eq!(
        payload["guardrailConfig"],
        json!({"guardrailIdentifier": "gr1", "guardrailVersion": "1"})
    );
    assert_eq!(payload["serviceTier"], json!({"type": "priority"}));

    // What the hook saw is byte for byte what was sent.
    let sent = emu.requests_for(Operation::ConverseStream);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].model_id.as_deref(), Some(OPUS_47));
    assert_eq!(sent[0].json().expect("JSON body"), body_of(view));
}

#[test]
fn req_03_replacement_from_the_hook_is_what_the_emulator_receives() {
    let emu = emulator();
    let replacement = json!({
        "modelId": "amazon.nova-lite-v1:0",
        "messages": [{"role": "user", "content": [{"text": "replaced prompt"}]}],
        "inferenceConfig": {"maxTokens": 64}
    });
    let answer = replacement.to_string();
    let (events, seen) = run_hooked(
        &emu,
        json!({}),
        common::chat_request(NOVA, "original prompt"),
        move |_| Ok(Some(answer.clone())),
    );
    assert!(ends_done(&events), "{events:?}");
    assert_eq!(seen.len(), 1);
    assert_eq!(
        payload_of(&seen[0])["messages"][0]["content"][0]["text"],
        "original prompt"
    );
    let sent = emu.requests_for(Operation::ConverseStream);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].model_id.as_deref(), Some("amazon.nova-lite-v1:0"));
    assert!(sent[0].authorized, "the signature covers the replaced body");
    assert_eq!(
        sent[0].json().expect("JSON body"),
        json!({
            "messages": [{"role": "user", "content": [{"text": "replaced prompt"}]}],
            "inferenceConfig": {"maxTokens": 64}
        })
    );
    assert_eq!(
        text_of(&events),
        "Hello from the Bedrock emulator. You said: replaced prompt"
    );
}

#[test]
fn req_03_hook_error_fails_the_stream_with_its_message() {
    let emu = emulator();
    let (events, seen) = run_hooked(&emu, json!({}), common::chat_request(NOVA, "hello"), |_| {
        Err("blocked by policy 7".to_owned())
    });
    assert_eq!(seen.len(), 1);
    assert_eq!(
        failure(&events),
        (
            Some(ErrorKind::InvalidRequest),
            "Amazon Bedrock: the host's payload hook failed the request: blocked by policy 7"
                .to_owned()
        )
    );
    assert_eq!(emu.count(Operation::ConverseStream), 0);
}

#[test]
fn req_03_invalid_replacement_fails_with_a_clear_error_and_sends_nothing() {
    let emu = emulator();
    for (answer, message) in [
        (
            "{not json",
            "Amazon Bedrock: the payload hook's replacement is not valid JSON: key must be a string at line 1 column 2",
        ),
        (
            r#"{"modelId":"amazon.nova-micro-v1:0","messages":"hi"}"#,
            "Amazon Bedrock: the payload hook's replacement is invalid: messages must be a JSON array, got a string",
        ),
        (
            r#"{"messages":[]}"#,
            "Amazon Bedrock: the payload hook's replacement is invalid: modelId must be a non-empty string, got nothing",
        ),
    ] {
        let (events, seen) = run_hooked(
            &emu,
            json!({}),
            common::chat_request(NOVA, "hello"),
            move |_| Ok(Some(answer.to_owned())),
        );
        assert_eq!(seen.len(), 1);
        assert_eq!(
            failure(&events),
            (Some(ErrorKind::InvalidRequest), message.to_owned())
        );
    }
    assert_eq!(emu.count(Operation::ConverseStream), 0);
}

#[test]
fn req_03_hook_sees_the_self_healed_resend() {
    let emu = emulator();
    emu.add_fault(FaultRule {
        operation: Some(Operation::ConverseStream),
        model_id: Some(MISTRAL.to_owned()),
        times: Some(1),
        fault: Fault::Http {
            status: 400,
            error_type: "ValidationException".into(),
            message: "The model returned the following errors: `temperature` is deprecated for this model.".into(),
        },
    });
    let mut request = common::chat_request(MISTRAL, "heal me");
    request.options.temperature = ROption::RSome(0.25);
    let (events, seen) = run_hooked(&emu, json!({}), request, |_| Ok(None));
    assert!(ends_done(&events), "{events:?}");
    let attempts: Vec<u32> = seen.iter().map(|view| view.attempt).collect();
    assert_eq!(attempts, [1, 2]);
    assert_eq!(
        payload_of(&seen[0])["inferenceConfig"],
        json!({"maxTokens": 4096, "temperature": 0.25})
    );
    assert_eq!(
        payload_of(&seen[1])["inferenceConfig"],
        json!({"maxTokens": 4096})
    );
    let sent = emu.requests_for(Operation::ConverseStream);
    assert_eq!(sent.len(), 2);
    for (request, view) in sent.iter().zip(&seen) {
        assert_eq!(request.json().expect("JSON body"), body_of(view));
    }
}

#[test]
fn req_03_hook_sees_the_converse_send_of_a_model_without_streaming_tool_use() {
    let emu = emulator();
    let mut request = common::chat_request(LLAMA, "!tool=weather in Paris");
    request.tools = RVec::from(vec![ToolDefinition {
        name: "weather".into(),
        description: ROption::RNone,
        parameters_json: r#"{"type":"object","properties":{"city":{"type":"string"}}}"#.into(),
        extensions: Default::default(),
    }]);
    let (events, seen) = run_hooked(&emu, json!({}), request, |_| Ok(None));
    assert!(ends_done(&events), "{events:?}");
    let sends: Vec<(&str, u32)> = seen
        .iter()
        .map(|view| (view.operation.as_str(), view.attempt))
        .collect();
    // BR-95: ConverseStream is refused for tool use, the resend goes through Converse.
    assert_eq!(sends, [("ConverseStream", 1), ("Converse", 2)]);
    let converse = emu.requests_for(Operation::Converse);
    assert_eq!(converse.len(), 1);
    assert_eq!(converse[0].json().expect("JSON body"), body_of(&seen[1]));
    assert_eq!(
        payload_of(&seen[1])["toolConfig"]["tools"][0]["toolSpec"]["name"],
        "weather"
    );
}
