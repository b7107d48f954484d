//! Malformed wire data through the built cdylib (PLG-57): the same typed `Error` the in-process
//! suite (`bedrock-plugin/tests/malformed_wire.rs`) checks for every fault reaches a host that
//! loaded the library through abi_stable.

mod common;

use bedrock_emulator::{Emulator, EmulatorOptions, Fault, FaultRule, FrameDamage, Operation};
use common::{chat_request, collect, host_config, install, load, runtime, MODEL};
use plugin_api::error::ErrorKind;
use plugin_api::event::{StreamEvent, StreamFailure};
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

/// What the SDK reports for a TCP RST before any response byte.
const RESET_MESSAGE: &str = "dispatch failure: io error: client error (SendRequest): connection error: Connection reset by peer (os error 104)";

/// ERR-02's diagnostic of a failure before any stream event, as the host receives it.
const BEFORE_START: &str = r#"{"eventsEmitted":false,"phase":"before_message_stream_start"}"#;

/// The (kind, details JSON) pairs of an error's diagnostics.
fn diagnostics(failure: &StreamFailure) -> Vec<(String, String)> {
    failure
        .error
        .diagnostics
        .iter()
        .map(|d| (d.kind.to_string(), d.details_json.to_string()))
        .collect()
}

#[test]
fn plg_57_a_reset_before_the_headers_reaches_the_host_as_one_network_error() {
    let events = stream_with(Fault::ResetBeforeHeaders);
    assert_eq!(events.len(), 1, "{events:?}");
    let StreamEvent::Error(failure) = &events[0] else {
        panic!("Error expected, got {events:?}");
    };
    assert_eq!(failure.error.kind(), Some(ErrorKind::Network));
    assert_eq!(failure.error.message.as_str(), RESET_MESSAGE);
    assert!(failure.error.retryable);
    assert!(failure.error.request_id.is_none());
}

/// EX-A15: every send is answered with a TCP RST before any response byte. BR-10 retries a
/// reset before the first event, so the emulator sees `retry.maxAttempts` sends and the host
/// two `Retry` notices (reason `transport`); the stream then ends with the one `Error`, code
/// `ECONNRESET`, carrying ERR-02's provider_transport_failure diagnostic.
#[test]
fn ex_a15_a_connection_reset_before_the_headers_ends_in_econnreset_with_the_transport_diagnostic() {
    let installed = install(|_| {});
    let emu = Emulator::start(EmulatorOptions::default()).expect("emulator starts");
    emu.add_fault(FaultRule::for_operation(
        Operation::ConverseStream,
        Fault::ResetBeforeHeaders,
    ));
    let config = host_config(
        &emu,
        json!({"retry": {"maxAttempts": 3, "baseDelayMs": 1, "maxDelayMs": 1}}),
    );
    let plugin = load(&installed, &config).expect("plugin loads");
    let events: Vec<StreamEvent> = runtime()
        .block_on(async {
            collect(
                plugin
                    .stream_chat(chat_request(MODEL, "hi"))
                    .expect("stream"),
            )
            .await
        })
        .iter()
        .map(|event| event.as_enum().expect("known event").clone())
        .collect();
    assert_eq!(emu.requests_for(Operation::ConverseStream).len(), 3);
    let retries: Vec<(u32, &str)> = events
        .iter()
        .filter_map(|event| match event {
            StreamEvent::Retry(notice) => Some((notice.attempt, notice.reason.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(retries, [(2, "transport"), (3, "transport")], "{events:?}");
    assert_eq!(events.len(), 3, "{events:?}");
    let Some(StreamEvent::Error(failure)) = events.last() else {
        panic!("Error expected last, got {events:?}");
    };
    assert_eq!(failure.error.kind(), Some(ErrorKind::Network));
    assert_eq!(failure.error.message.as_str(), RESET_MESSAGE);
    assert_eq!(
        failure
            .error
            .error_code
            .as_ref()
            .into_option()
            .map(|c| c.as_str()),
        Some("ECONNRESET")
    );
    assert_eq!(failure.error.status.into_option(), None);
    assert!(failure.error.request_id.is_none());
    assert_eq!(
        diagnostics(failure),
        [(
            "provider_transport_failure".to_owned(),
            BEFORE_START.to_owned()
        )]
    );
}
