//! The seeded fault mix the chaos and soak tests inject (PLG-94, PLG-95): one `FaultRule` per
//! stream, filtered by a model id only that stream uses (a system inference-profile ARN with its
//! own account number, which the emulator resolves to Nova Micro), and the checks every
//! stream's outcome must pass.
#![allow(dead_code)]

use bedrock_emulator::{Fault, FaultRule, Operation};
use plugin_api::error::ErrorKind;
use plugin_api::event::StreamEvent;

use crate::common::text_of;
use crate::resources::Rng;

pub const GREETING: &str = "Hello from the Bedrock emulator. You said: ";

/// The fault one stream's requests get.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Planned {
    Clean,
    /// The first attempt gets this status, the retry succeeds.
    HttpOnce(u16),
    /// Every attempt gets this status.
    HttpAlways(u16),
    /// `throttlingException` (retryable) after this many events, once.
    InStreamThrottle(usize),
    /// `modelStreamErrorException` (not retryable) after this many events, once.
    InStreamModelError(usize),
    /// The connection is closed after this many events, once.
    Disconnect(usize),
    /// A frame with a bad message CRC after this many events, once.
    BadCrc(usize),
    /// 1500 ms between events, over `timeouts.streamIdleMs` 1000, once.
    Stall,
}

impl Planned {
    pub fn label(self) -> &'static str {
        match self {
            Planned::Clean => "clean",
            Planned::HttpOnce(429) => "429 once",
            Planned::HttpOnce(_) => "5xx once",
            Planned::HttpAlways(429) => "429 always",
            Planned::HttpAlways(_) => "5xx always",
            Planned::InStreamThrottle(_) => "in-stream throttlingException",
            Planned::InStreamModelError(_) => "in-stream modelStreamErrorException",
            Planned::Disconnect(_) => "disconnect",
            Planned::BadCrc(_) => "bad CRC",
            Planned::Stall => "stall",
        }
    }

    pub fn rule(self, model_id: &str) -> Option<FaultRule> {
        let (fault, times) = match self {
            Planned::Clean => return None,
            Planned::HttpOnce(status) => (http(status), Some(1)),
            Planned::HttpAlways(status) => (http(status), None),
            Planned::InStreamThrottle(after_events) => (
                Fault::InStreamException {
                    after_events,
                    exception_type: "throttlingException".into(),
                    message: "Too many requests, please wait before trying again.".into(),
                },
                Some(1),
            ),
            Planned::InStreamModelError(after_events) => (
                Fault::InStreamException {
                    after_events,
                    exception_type: "modelStreamErrorException".into(),
                    message: "The model stream failed.".into(),
                },
                Some(1),
            ),
            Planned::Disconnect(events) => (Fault::DisconnectAfter { events }, Some(1)),
            Planned::BadCrc(events) => (Fault::BadCrcAfter { events }, Some(1)),
            Planned::Stall => (Fault::StallBetweenEvents { ms: 1500 }, Some(1)),
        };
        Some(FaultRule {
            operation: Some(Operation::ConverseStream),
            model_id: Some(model_id.to_owned()),
            times,
            fault,
        })
    }
}

fn http(status: u16) -> Fault {
    match status {
        429 => Fault::throttling(),
        500 => Fault::internal(),
        _ => Fault::unavailable(),
    }
}

/// The seeded mix: about 15 % clean, 30 % HTTP faults, 30 % in-stream cuts, 15 % disconnects
/// and stalls.
pub fn plan(rng: &mut Rng) -> Planned {
    let after = |rng: &mut Rng| 1 + rng.below(14) as usize;
    let status = |rng: &mut Rng| if rng.below(2) == 0 { 500 } else { 503 };
    match rng.below(100) {
        0..=14 => Planned::Clean,
        15..=22 => Planned::HttpOnce(429),
        23..=30 => Planned::HttpOnce(status(rng)),
        31..=37 => Planned::HttpAlways(429),
        38..=44 => Planned::HttpAlways(status(rng)),
        45..=56 => Planned::InStreamThrottle(after(rng)),
        57..=64 => Planned::InStreamModelError(after(rng)),
        65..=79 => Planned::Disconnect(after(rng)),
        80..=91 => Planned::BadCrc(after(rng)),
        _ => Planned::Stall,
    }
}

/// A distinct model id per stream: the Nova Micro system profile under its own account.
pub fn model_id(stream: usize) -> String {
    format!(
        "arn:aws:bedrock:us-east-1:{:012}:inference-profile/us.amazon.nova-micro-v1:0",
        100_000_000_000u64 + stream as u64
    )
}

pub fn prompt(stream: usize) -> String {
    format!("chaos {stream} lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor")
}

/// How one stream ended, as the host saw it.
#[derive(Debug)]
pub struct Outcome {
    pub terminals: usize,
    pub terminal_is_last: bool,
    pub text: String,
    pub error: Option<(Option<ErrorKind>, String)>,
}

pub fn outcome(events: &[plugin_api::event::StreamEvent_NE]) -> Outcome {
    let mut terminals = 0;
    let mut error = None;
    for event in events {
        match event.as_enum() {
            Ok(StreamEvent::Done(_)) => terminals += 1,
            Ok(StreamEvent::Error(failure)) => {
                terminals += 1;
                error = Some((failure.error.kind(), failure.error.message.to_string()));
            }
            _ => {}
        }
    }
    Outcome {
        terminals,
        terminal_is_last: events
            .last()
            .is_some_and(|event| event.as_enum().is_ok_and(StreamEvent::is_terminal)),
        text: text_of(events),
        error,
    }
}

pub fn kind_name(kind: Option<ErrorKind>) -> String {
    kind.map_or_else(|| "untyped".to_owned(), |kind| format!("{kind:?}"))
}

/// The checks every stream's outcome passes, whatever its fault: exactly one terminal event,
/// the last; the text a prefix of the emulator's reply (equal to it for `Done`); an `Error`
/// typed and with a message. Faults with a known result are held to it: a clean stream and a
/// single HTTP fault (retried) end `Done`, an HTTP fault on every attempt ends in an `Error`
/// before any text, a stall in a `Timeout`. Returns `Done` or `Error <kind>` for the tally.
pub fn check(stream: usize, fault: Planned, expected: &str, got: &Outcome) -> String {
    assert_eq!(got.terminals, 1, "stream {stream} ({fault:?}): {got:?}");
    assert!(
        got.terminal_is_last,
        "stream {stream} ({fault:?}): events after the terminal"
    );
    assert!(
        expected.starts_with(&got.text),
        "stream {stream} ({fault:?}) delivered text that is not a prefix of the reply: {:?}",
        got.text
    );
    let result = match &got.error {
        None => {
            assert_eq!(
                got.text, expected,
                "stream {stream} ({fault:?}) ended Done with lost text"
            );
            "Done".to_owned()
        }
        Some((kind, message)) => {
            assert!(
                kind.is_some(),
                "stream {stream} ({fault:?}): untyped error {message}"
            );
            assert!(
                !message.trim().is_empty(),
                "stream {stream}: empty error message"
            );
            format!("Error {}", kind_name(*kind))
        }
    };
    match fault {
        Planned::Clean | Planned::HttpOnce(_) => {
            assert_eq!(result, "Done", "stream {stream} ({fault:?}): {got:?}")
        }
        Planned::HttpAlways(_) => {
            assert!(got.error.is_some(), "stream {stream} ({fault:?}) succeeded");
            assert_eq!(got.text, "", "stream {stream} ({fault:?}) has text");
        }
        Planned::Stall => assert_eq!(
            result, "Error Timeout",
            "stream {stream} ({fault:?}): {got:?}"
        ),
        Planned::InStreamModelError(_) => {
            assert!(got.error.is_some(), "stream {stream} ({fault:?}) succeeded")
        }
        _ => {}
    }
    result
}
