//! Malformed wire data through the real SDK path (PLG-57): the emulator breaks the
//! ConverseStream response (frames, body, content type, connection) and the plugin must end the
//! stream with exactly one typed `Error` event, carrying the response's request id whenever a
//! response head arrived.

mod common;

use bedrock_emulator::{Emulator, Fault, FaultRule, FrameDamage, Operation};
use plugin_api::error::ErrorKind;
use plugin_api::event::{StreamEvent, StreamFailure};
use serde_json::json;

const MODEL: &str = "amazon.nova-micro-v1:0";

/// Streams one request against an emulator that injects `fault` into every ConverseStream,
/// with one attempt only (so a transient failure is not retried) and returns every event.
async fn stream_with(fault: Fault) -> (Vec<StreamEvent>, usize) {
    let emu: Emulator = common::emulator();
    emu.add_fault(FaultRule::for_operation(Operation::ConverseStream, fault));
    let instance = common::emulator_instance(&emu, json!({"retry": {"maxAttempts": 1}}));
    let events = common::run_stream(&instance, common::text_request(MODEL, "hi")).await;
    let sent = emu.requests_for(Operation::ConverseStream).len();
    (events, sent)
}

/// The one terminal event is the last one and is an `Error`.
fn only_error(events: &[StreamEvent]) -> &StreamFailure {
    let terminals = events.iter().filter(|event| event.is_terminal()).count();
    assert_eq!(terminals, 1, "exactly one terminal event in {events:?}");
    common::failure(events)
}

fn error_code(failure: &StreamFailure) -> Option<&str> {
    failure
        .error
        .error_code
        .as_ref()
        .into_option()
        .map(|code| code.as_str())
}

fn request_id(failure: &StreamFailure) -> Option<&str> {
    failure
        .error
        .request_id
        .as_ref()
        .into_option()
        .map(|id| id.as_str())
}

/// The request id of the `Start` event (the response head's `x-amzn-requestid`).
fn start_request_id(events: &[StreamEvent]) -> Option<String> {
    events.iter().find_map(|event| match event {
        StreamEvent::Start { request_id, .. } => {
            request_id.as_ref().into_option().map(|id| id.to_string())
        }
        _ => None,
    })
}

/// ERR-02's diagnostic, on failures before any stream event.
fn transport_diagnostic(failure: &StreamFailure) -> Vec<(String, String)> {
    failure
        .error
        .diagnostics
        .iter()
        .map(|d| (d.kind.to_string(), d.details_json.to_string()))
        .collect()
}

const BEFORE_START: &str = r#"{"eventsEmitted":false,"phase":"before_message_stream_start"}"#;

/// A failure after output: one `Error` after the streamed events, kind `network`, not
/// retryable (BR-12), with the request id of the response head and no ERR-02 diagnostic.
fn assert_failed_mid_stream(events: &[StreamEvent], sent: usize, message: &str) {
    assert_eq!(sent, 1, "one attempt");
    let failure = only_error(events);
    assert_eq!(
        &common::event_names(events)[..3],
        ["start", "text_start", "text_delta"],
        "{events:?}"
    );
    assert_eq!(failure.error.kind(), Some(ErrorKind::Network));
    assert_eq!(failure.error.message.as_str(), message);
    assert!(!failure.error.retryable);
    assert_eq!(error_code(failure), None);
    assert_eq!(failure.error.status.into_option(), None);
    let id = start_request_id(events).expect("the response head had a request id");
    assert_eq!(request_id(failure), Some(id.as_str()));
    assert_eq!(
        failure
            .summary
            .request_id
            .as_ref()
            .into_option()
            .map(|r| r.as_str()),
        Some(id.as_str())
    );
    assert!(transport_diagnostic(failure).is_empty());
}

/// A failure before any stream event: the `Error` is the only event, kind `network`,
/// retryable, with the transport `code` (ERR-01) and ERR-02's diagnostic.
fn assert_failed_before_start<'a>(
    events: &'a [StreamEvent],
    sent: usize,
    message: &str,
    code: Option<&str>,
) -> &'a StreamFailure {
    assert_eq!(sent, 1, "one attempt");
    let failure = only_error(events);
    assert_eq!(common::event_names(events), ["error"]);
    assert_eq!(failure.error.kind(), Some(ErrorKind::Network));
    assert_eq!(failure.error.message.as_str(), message);
    assert!(failure.error.retryable);
    assert_eq!(error_code(failure), code);
    assert_eq!(
        transport_diagnostic(failure),
        [(
            "provider_transport_failure".to_owned(),
            BEFORE_START.to_owned()
        )]
    );
    failure
}

/// A checksum message of the SDK's decoder: `<what> checksum 0x… didn't match expected
/// checksum 0x…`.
fn assert_checksum_message(events: &[StreamEvent], what: &str) {
    let message = only_error(events).error.message.to_string();
    let rest = message
        .strip_prefix(&format!("response error: {what} checksum 0x"))
        .unwrap_or_else(|| panic!("unexpected message {message:?}"));
    let (got, expected) = rest
        .split_once(" didn't match expected checksum 0x")
        .unwrap_or_else(|| panic!("unexpected message {message:?}"));
    assert!(
        got.len() == 8 && got.chars().all(|c| c.is_ascii_hexdigit()),
        "{message}"
    );
    assert!(
        expected.len() == 8 && expected.chars().all(|c| c.is_ascii_hexdigit()),
        "{message}"
    );
    assert_ne!(got, expected);
    assert_failed_mid_stream(events, 1, &message);
}

const UNEXPECTED_END: &str = "response error: unexpected end of stream";
const BODY_EOF: &str =
    "dispatch failure: io error: error reading a body from connection: unexpected EOF during chunk size line";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plg_57_evt_32_a_truncated_frame_ends_the_stream_with_one_network_error() {
    let (events, sent) = stream_with(Fault::BrokenFrameAfter {
        events: 2,
        damage: FrameDamage::Truncated,
    })
    .await;
    assert_failed_mid_stream(&events, sent, UNEXPECTED_END);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plg_57_evt_32_a_bad_prelude_crc_ends_the_stream_with_one_network_error() {
    let (events, sent) = stream_with(Fault::BrokenFrameAfter {
        events: 2,
        damage: FrameDamage::PreludeCrc,
    })
    .await;
    assert_eq!(sent, 1);
    assert_checksum_message(&events, "prelude");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plg_57_evt_32_a_bad_message_crc_ends_the_stream_with_one_network_error() {
    let (events, sent) = stream_with(Fault::BadCrcAfter { events: 2 }).await;
    assert_eq!(sent, 1);
    assert_checksum_message(&events, "message");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plg_57_evt_32_a_frame_announced_over_16_mib_ends_the_stream_with_one_network_error() {
    let (events, sent) = stream_with(Fault::BrokenFrameAfter {
        events: 2,
        damage: FrameDamage::Oversized,
    })
    .await;
    assert_failed_mid_stream(&events, sent, UNEXPECTED_END);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plg_57_err_02_an_http_200_with_an_html_body_is_one_network_error_with_the_request_id() {
    let (events, sent) = stream_with(Fault::RawStreamBody {
        content_type: "text/html".into(),
        body: "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>".into(),
    })
    .await;
    let failure = assert_failed_before_start(&events, sent, UNEXPECTED_END, None);
    assert!(request_id(failure).is_some_and(|id| !id.is_empty()));
    assert_eq!(
        failure
            .summary
            .request_id
            .as_ref()
            .into_option()
            .map(|r| r.as_str()),
        request_id(failure)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plg_57_err_02_a_json_body_instead_of_an_event_stream_is_one_network_error_with_the_request_id(
) {
    let (events, sent) = stream_with(Fault::RawStreamBody {
        content_type: "application/json".into(),
        body: r#"{"output":{"message":{"role":"assistant","content":[{"text":"hi"}]}},"stopReason":"end_turn"}"#.into(),
    })
    .await;
    let failure = assert_failed_before_start(&events, sent, UNEXPECTED_END, None);
    assert!(request_id(failure).is_some_and(|id| !id.is_empty()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plg_57_err_02_a_connection_reset_before_the_headers_is_one_network_error_without_a_request_id(
) {
    let (events, sent) = stream_with(Fault::ResetBeforeHeaders).await;
    let failure = assert_failed_before_start(
        &events,
        sent,
        "dispatch failure: io error: client error (SendRequest): connection error: Connection reset by peer (os error 104)",
        Some("ECONNRESET"),
    );
    assert_eq!(request_id(failure), None);
    assert!(failure.summary.request_id.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plg_57_err_02_a_connection_reset_after_the_headers_is_one_network_error_with_the_request_id(
) {
    let (events, sent) = stream_with(Fault::DisconnectAfter { events: 0 }).await;
    let failure = assert_failed_before_start(&events, sent, BODY_EOF, None);
    assert!(request_id(failure).is_some_and(|id| !id.is_empty()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plg_57_evt_32_a_connection_reset_mid_stream_is_one_network_error_after_the_output() {
    let (events, sent) = stream_with(Fault::DisconnectAfter { events: 3 }).await;
    assert_failed_mid_stream(&events, sent, BODY_EOF);
    assert!(!events
        .iter()
        .any(|event| matches!(event, StreamEvent::TextEnd { .. })));
}
