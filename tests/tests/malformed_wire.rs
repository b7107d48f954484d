//! Malformed wire data through the built cdylib (PLG-57): the same typed `Error` the in-process
//! suite (`bedrock-plugin/tests/malformed_wire.rs`) checks for every fault reaches a host that
//! loaded the library through abi_stable.

mod common;

use bedrock_emulator::{Emulator, EmulatorOptions, Fault, FaultRule, FrameDamage, Operation};
use common::{chat_request, collect, host_config, install, load, runtime, MODEL};
use plugin_api::error::ErrorKind;
use plugin_api::event::StreamEvent;
use serde_json::json;

/// Streams one request through the loaded library against an emulator injecting `fault`, with
/// one attempt only, and returns the events.
fn stream_with(fault: Fault) -> Vec<StreamEvent> {
    let installed = install(|_| {});
    let emu = Emulator::start(EmulatorOptions::default()).expect("emulator starts");
    emu.add_fault(FaultRule::for_operation(Operation::ConverseStream, fault));
    let config = host_config(&emu, json!({"retry": {"maxAttempts": 1}}));
    let plugin = load(&installed, &config).expect("plugin loads");
    let events = runtime().block_on(async {
        collect(
            plugin
                .stream_chat(chat_request(MODEL, "hi"))
                .expect("stream"),
        )
        .await
    });
    assert_eq!(emu.requests_for(Operation::ConverseStream).len(), 1);
    events
        .iter()
        .map(|event| event.as_enum().expect("known event").clone())
        .collect()
}

#[test]
fn plg_57_a_bad_prelude_crc_reaches_the_host_as_one_network_error_with_the_request_id() {
    let events = stream_with(Fault::BrokenFrameAfter {
        events: 2,
        damage: FrameDamage::PreludeCrc,
    });
    let errors: Vec<_> = events
        .iter()
        .filter_map(|event| match event {
            StreamEvent::Error(failure) => Some(failure),
            _ => None,
        })
        .collect();
    assert_eq!(errors.len(), 1, "{events:?}");
    assert!(matches!(events.last(), Some(StreamEvent::Error(_))));
    assert!(!events
        .iter()
        .any(|event| matches!(event, StreamEvent::Done(_))));
    let failure = errors[0];
    assert_eq!(failure.error.kind(), Some(ErrorKind::Network));
    assert!(
        failure
            .error
            .message
            .starts_with("response error: prelude checksum 0x"),
        "{}",
        failure.error.message
    );
    let start_id = events.iter().find_map(|event| match event {
        StreamEvent::Start { request_id, .. } => request_id.clone().into_option(),
        _ => None,
    });
    assert!(start_id.is_some(), "{events:?}");
    assert_eq!(failure.error.request_id.clone().into_option(), start_id);
}

#[test]
fn plg_57_a_reset_before_the_headers_reaches_the_host_as_one_network_error() {
    let events = stream_with(Fault::ResetBeforeHeaders);
    assert_eq!(events.len(), 1, "{events:?}");
    let StreamEvent::Error(failure) = &events[0] else {
        panic!("Error expected, got {events:?}");
    };
    assert_eq!(failure.error.kind(), Some(ErrorKind::Network));
    assert_eq!(
        failure.error.message.as_str(),
        "dispatch failure: other: client error (SendRequest): connection closed before message completed"
    );
    assert!(failure.error.retryable);
    assert!(failure.error.request_id.is_none());
}
