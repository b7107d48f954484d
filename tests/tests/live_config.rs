//! Live config updates through the built cdylib (LIVE-05, LIVE-06): a request in flight keeps
//! the config it started with, even for a resend after the update, while the next request is
//! sent with clients built for the new region and endpoint.

mod common;

use bedrock_emulator::{Emulator, EmulatorOptions, Fault, FaultRule, Operation, RecordedRequest};
use common::*;
use futures::StreamExt;
use plugin_api::event::StreamEvent;
use serde_json::json;

fn emulator() -> Emulator {
    Emulator::start(EmulatorOptions::default()).expect("emulator starts")
}

/// The SigV4 scope region of a recorded request.
fn signed_region(request: &RecordedRequest) -> String {
    request
        .header("authorization")
        .unwrap_or_default()
        .split("Credential=")
        .nth(1)
        .and_then(|credential| credential.split('/').nth(2))
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn live_05_a_request_in_flight_keeps_its_config_for_its_resend() {
    let installed = install(|_| {});
    let (old, new) = (emulator(), emulator());
    // The first send is throttled with a fixed 1 s wait (Retry-After), during which the
    // config moves to another endpoint.
    for fault in [Fault::throttling(), Fault::RetryAfter { seconds: 1 }] {
        old.add_fault(FaultRule {
            times: Some(1),
            ..FaultRule::for_operation(Operation::ConverseStream, fault)
        });
    }
    let retry = json!({"retry": {"baseDelayMs": 1, "maxDelayMs": 1}});
    let plugin = load(&installed, &host_config(&old, retry.clone())).expect("plugin loads");
    let rt = runtime();
    let events = rt.block_on(async {
        let mut stream = plugin
            .stream_chat(chat_request(MODEL, "keep my config"))
            .expect("stream starts");
        let first = stream.next().await.expect("an event");
        assert!(
            matches!(first.as_enum(), Ok(StreamEvent::Retry(_))),
            "{first:?}"
        );
        plugin
            .update_config(&host_config(&new, retry.clone()))
            .expect("valid update");
        let mut events = vec![first];
        while let Some(event) = stream.next().await {
            events.push(event);
        }
        events
    });
    assert_eq!(
        text_of(&events),
        "Hello from the Bedrock emulator. You said: keep my config"
    );
    assert_eq!(
        old.count(Operation::ConverseStream),
        2,
        "resent to the old endpoint"
    );
    assert_eq!(new.count(Operation::ConverseStream), 0);
    // Only the next request sees the update.
    let events = rt.block_on(async {
        collect(
            plugin
                .stream_chat(chat_request(MODEL, "next"))
                .expect("stream"),
        )
        .await
    });
    assert_eq!(
        text_of(&events),
        "Hello from the Bedrock emulator. You said: next"
    );
    assert_eq!(old.count(Operation::ConverseStream), 2);
    assert_eq!(new.count(Operation::ConverseStream), 1);
}

#[test]
fn live_06_a_region_change_builds_a_new_client_on_the_next_request() {
    let installed = install(|_| {});
    let emu = emulator();
    let plugin = load(&installed, &host_config(&emu, json!({}))).expect("plugin loads");
    let rt = runtime();
    let mut regions = Vec::new();
    for region in ["us-east-1", "eu-west-1", "us-east-1"] {
        plugin
            .update_config(&host_config(&emu, json!({"awsRegion": region})))
            .expect("valid update");
        let events = rt.block_on(async {
            collect(
                plugin
                    .stream_chat(chat_request(MODEL, "where"))
                    .expect("stream"),
            )
            .await
        });
        assert_eq!(
            text_of(&events),
            "Hello from the Bedrock emulator. You said: where"
        );
        let sent = emu.requests_for(Operation::ConverseStream);
        regions.push(signed_region(sent.last().expect("recorded")));
    }
    assert_eq!(regions, ["us-east-1", "eu-west-1", "us-east-1"]);
}
