//! Fault injection: programmatic rules (per operation, model id and use count) and the per-request
//! `x-emulator-fault` header. Both resolve to one [`FaultPlan`] per request.
//!
//! The public vocabulary ([`Fault`], [`FaultRule`]) is here; [`header`] parses the header form and
//! [`plan`] merges rules and header into what the server injects.
//!
//! Malformed wire data (PLG-57): header items `bad-prelude-crc=N`, `truncate=N`, `oversized=N`
//! ([`Fault::BrokenFrameAfter`]), `html` ([`Fault::RawStreamBody`] with an HTML page),
//! `reset-before-headers` ([`Fault::ResetBeforeHeaders`]) and `reset-after-headers`
//! (= `disconnect=0`).

mod header;
mod plan;
#[cfg(test)]
mod tests;

pub(crate) use header::parse_header;
pub(crate) use plan::{plan, FaultPlan};

use crate::record::Operation;

/// A fault to inject into matching requests.
#[derive(Clone, Debug)]
pub struct FaultRule {
    /// Only this operation (`None` = any).
    pub operation: Option<Operation>,
    /// Only this model id — matched against the id as sent and its resolved base model id (`None` = any).
    pub model_id: Option<String>,
    /// Apply to this many matching requests, then expire (`None` = every matching request).
    pub times: Option<usize>,
    pub fault: Fault,
}

impl FaultRule {
    /// A rule for every request of every operation.
    pub fn always(fault: Fault) -> Self {
        FaultRule {
            operation: None,
            model_id: None,
            times: None,
            fault,
        }
    }

    /// A rule for every request of one operation.
    pub fn for_operation(operation: Operation, fault: Fault) -> Self {
        FaultRule {
            operation: Some(operation),
            ..FaultRule::always(fault)
        }
    }
}

/// A fault kind.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer with this HTTP status, `x-amzn-errortype` and `{"message"}` body.
    Http {
        status: u16,
        error_type: String,
        message: String,
    },
    /// After `after_events` events, send an exception frame (`:exception-type` = `exception_type`, e.g.
    /// `throttlingException`) and end the stream.
    InStreamException {
        after_events: usize,
        exception_type: String,
        message: String,
    },
    /// Close the connection after this many events (before `messageStop` if the stream is longer).
    DisconnectAfter { events: usize },
    /// After this many events, send a frame whose message CRC is wrong.
    BadCrcAfter { events: usize },
    /// Sleep between events.
    StallBetweenEvents { ms: u64 },
    /// Delay before the response head is sent.
    FirstByteDelay { ms: u64 },
    /// Added latency for the request (any operation).
    Latency { ms: u64 },
    /// Reply with this many text deltas (`w1 w2 …`) — for load tests.
    LongStream { events: usize },
    /// After this many events, send one broken frame (see [`FrameDamage`]) and end the body
    /// cleanly, as a proxy or a cut connection would leave it.
    BrokenFrameAfter { events: usize, damage: FrameDamage },
    /// Answer a ConverseStream with HTTP 200 and this content type and body instead of an event
    /// stream (a proxy's HTML page, a JSON body where a stream was due).
    RawStreamBody { content_type: String, body: String },
    /// Add `Retry-After: <seconds>` to the request's [`Fault::Http`] answer, as a throttle that
    /// names its minimum wait does (the client's BR-10 delay is at least this long).
    RetryAfter { seconds: u64 },
    /// Reset the connection (a TCP RST: `SO_LINGER` 0, then close) before any response byte,
    /// so the client reads `ECONNRESET` rather than an end of stream (EX-A15).
    ResetBeforeHeaders,
}

/// How a [`Fault::BrokenFrameAfter`] frame is broken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameDamage {
    /// The prelude CRC does not match the prelude.
    PreludeCrc,
    /// Only the first half of the frame is sent.
    Truncated,
    /// A prelude (with a valid CRC) announcing a frame over the event-stream limit of 16 MiB,
    /// then a few bytes of it.
    Oversized,
}

/// The event-stream limit on one message (16 MiB), which an oversized frame announces more than.
pub const MAX_FRAME_BYTES: u32 = 16 * 1024 * 1024;

impl FrameDamage {
    /// The broken version of `frame` (a complete, valid frame).
    pub(crate) fn apply(self, frame: &[u8]) -> Vec<u8> {
        match self {
            FrameDamage::PreludeCrc => {
                let mut v = frame.to_vec();
                if let Some(byte) = v.get_mut(8) {
                    *byte ^= 0xFF;
                }
                v
            }
            FrameDamage::Truncated => frame[..frame.len() / 2].to_vec(),
            FrameDamage::Oversized => {
                let mut v = Vec::with_capacity(12 + frame.len());
                v.extend_from_slice(&(MAX_FRAME_BYTES + 1).to_be_bytes());
                v.extend_from_slice(&0u32.to_be_bytes());
                let crc = crc32(&v);
                v.extend_from_slice(&crc.to_be_bytes());
                v.extend_from_slice(frame);
                v
            }
        }
    }
}

/// CRC-32 (IEEE), as event-stream preludes and messages carry it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

impl Fault {
    /// An HTTP fault with the status's default Bedrock error type and message.
    fn http_default(status: u16) -> Self {
        let (error_type, message) = header::default_error(status);
        Fault::Http {
            status,
            error_type: error_type.into(),
            message: message.into(),
        }
    }

    fn http(status: u16, error_type: &str, message: &str) -> Self {
        Fault::Http {
            status,
            error_type: error_type.into(),
            message: message.into(),
        }
    }

    /// A request-rate throttle as Bedrock sends it (HTTP 429, the short form).
    pub fn throttling() -> Self {
        Fault::http_default(429)
    }

    /// The request-rate throttle's long form (HTTP 429; two spaces before "Wait").
    pub fn throttling_requests_long() -> Self {
        Fault::http(429, "ThrottlingException", header::TOO_MANY_REQUESTS_LONG)
    }

    /// The token-rate throttle (HTTP 429 `Too many tokens, please wait before trying again.`).
    pub fn throttling_tokens() -> Self {
        Fault::http(429, "ThrottlingException", header::TOO_MANY_TOKENS)
    }

    /// The daily token quota (HTTP 429 `Too many tokens per day, please wait before trying again.`).
    pub fn daily_tokens() -> Self {
        Fault::http(429, "ThrottlingException", header::TOO_MANY_TOKENS_PER_DAY)
    }

    /// An imported model not loaded yet (HTTP 429 `ModelNotReadyException`).
    pub fn model_not_ready() -> Self {
        Fault::http(429, "ModelNotReadyException", header::MODEL_NOT_READY)
    }

    /// The connection-limit form of service unavailable (HTTP 503).
    pub fn too_many_connections() -> Self {
        Fault::http(
            503,
            "ServiceUnavailableException",
            header::TOO_MANY_CONNECTIONS,
        )
    }

    /// Access denied (HTTP 403).
    pub fn access_denied() -> Self {
        Fault::http_default(403)
    }

    /// Internal server error (HTTP 500).
    pub fn internal() -> Self {
        Fault::http_default(500)
    }

    /// Service unavailable (HTTP 503).
    pub fn unavailable() -> Self {
        Fault::http_default(503)
    }
}

/// A rule with its use count.
pub(crate) struct ActiveRule {
    rule: FaultRule,
    used: usize,
}

impl ActiveRule {
    pub(crate) fn new(rule: FaultRule) -> Self {
        ActiveRule { rule, used: 0 }
    }

    /// The rule's fault if it applies to this request (consuming one use), else `None`.
    fn take(&mut self, operation: Operation, model_ids: &[&str]) -> Option<&Fault> {
        let r = &self.rule;
        if r.operation.is_some_and(|op| op != operation) {
            return None;
        }
        if let Some(m) = &r.model_id {
            if !model_ids.iter().any(|id| id == m) {
                return None;
            }
        }
        if r.times.is_some_and(|t| self.used >= t) {
            return None;
        }
        self.used += 1;
        Some(&self.rule.fault)
    }
}
