//! The `x-emulator-fault` header: `;`-separated items (see the crate docs), each parsed into a
//! [`Fault`], with the default error type and message Bedrock uses for a status or stream exception.

use super::{Fault, FrameDamage};

// Throttle and availability texts, real-error-messages.md 10a–10f (all H except 10f, M).
/// 10a: the token-rate throttle.
pub(crate) const TOO_MANY_TOKENS: &str = "Too many tokens, please wait before trying again.";
/// 10b: the request-rate throttle, long form (two spaces before "Wait", as on the wire).
pub(crate) const TOO_MANY_REQUESTS_LONG: &str = "Too many requests, please wait before trying again. You have sent too many requests.  Wait before trying again.";
/// 10c: the request-rate throttle, short form (the default 429).
pub(crate) const TOO_MANY_REQUESTS: &str = "Too many requests, please wait before trying again.";
/// 10d: the daily token quota.
pub(crate) const TOO_MANY_TOKENS_PER_DAY: &str =
    "Too many tokens per day, please wait before trying again.";
/// 10e: service unavailable (the default 503), and its connection-limit variant.
pub(crate) const UNAVAILABLE: &str = "Bedrock is unable to process your request.";
pub(crate) const TOO_MANY_CONNECTIONS: &str =
    "Too many connections, please wait before trying again.";
/// 10f: an imported model that is not loaded (HTTP 429 per the API reference, not re-checked: M).
pub(crate) const MODEL_NOT_READY: &str =
    "Model is not ready for inference. Wait and try your request again.";

/// Default Bedrock error type and message for an HTTP status.
pub(super) fn default_error(status: u16) -> (&'static str, &'static str) {
    match status {
        400 => ("ValidationException", "The request failed validation."),
        403 => (
            "AccessDeniedException",
            "You don't have access to the model with the specified model ID.",
        ),
        404 => (
            "ResourceNotFoundException",
            "The requested resource was not found.",
        ),
        408 => (
            "ModelTimeoutException",
            "Model has timed out in processing the request. Try your request again.",
        ),
        424 => (
            "ModelErrorException",
            "The model encountered an error processing the request.",
        ),
        429 => ("ThrottlingException", TOO_MANY_REQUESTS),
        503 => ("ServiceUnavailableException", UNAVAILABLE),
        _ => (
            "InternalServerException",
            "The server encountered an internal error while processing the request.",
        ),
    }
}

/// Default message of an in-stream exception type.
fn default_stream_message(exception_type: &str) -> &'static str {
    match exception_type {
        "throttlingException" => TOO_MANY_REQUESTS,
        "modelStreamErrorException" => "Model Stream Error",
        "serviceUnavailableException" => UNAVAILABLE,
        "validationException" => "The request failed validation.",
        _ => "The server encountered an internal error while processing the request.",
    }
}

fn num<T: std::str::FromStr>(item: &str, v: &str) -> Result<T, String> {
    v.trim()
        .parse()
        .map_err(|_| format!("invalid number in fault item '{item}'"))
}

/// Parse the `x-emulator-fault` header (`;`-separated items, see the crate docs).
pub(crate) fn parse_header(value: &str) -> Result<Vec<Fault>, String> {
    value
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(parse_item)
        .collect()
}

/// One item: `name` or `name=arg`.
fn parse_item(item: &str) -> Result<Fault, String> {
    let (name, arg) = item.split_once('=').unwrap_or((item, ""));
    let it = Item { item, arg };
    Ok(match name.trim() {
        "throttle" => parse_throttle(item, arg)?,
        "not-ready" => Fault::model_not_ready(),
        "http" => parse_http(item, arg)?,
        "exception" => parse_exception(item, arg)?,
        "disconnect" => Fault::DisconnectAfter { events: it.num()? },
        "bad-crc" => Fault::BadCrcAfter { events: it.num()? },
        "stall" => Fault::StallBetweenEvents { ms: it.num()? },
        "first-byte" => Fault::FirstByteDelay { ms: it.num()? },
        "latency" => Fault::Latency { ms: it.num()? },
        "long" => Fault::LongStream { events: it.num()? },
        "bad-prelude-crc" => broken(it.num()?, FrameDamage::PreludeCrc),
        "truncate" => broken(it.num()?, FrameDamage::Truncated),
        "oversized" => broken(it.num()?, FrameDamage::Oversized),
        "html" => Fault::RawStreamBody {
            content_type: "text/html".into(),
            body: HTML_PAGE.into(),
        },
        "reset-before-headers" => Fault::ResetBeforeHeaders,
        "reset-after-headers" => Fault::DisconnectAfter { events: 0 },
        other => return Err(format!("unknown fault '{other}'")),
    })
}

/// The body of the `html` fault: a proxy's error page answered with HTTP 200.
pub(crate) const HTML_PAGE: &str =
    "<!DOCTYPE html><html><head><title>Gateway</title></head><body><h1>Service temporarily unavailable</h1></body></html>";

fn broken(events: usize, damage: FrameDamage) -> Fault {
    Fault::BrokenFrameAfter { events, damage }
}

/// An item and its argument, for the single-number faults.
struct Item<'a> {
    item: &'a str,
    arg: &'a str,
}

impl Item<'_> {
    fn num<T: std::str::FromStr>(&self) -> Result<T, String> {
        num(self.item, self.arg)
    }
}

/// `throttle[=requests|requests-long|tokens|daily]` (no argument = `requests`).
fn parse_throttle(item: &str, arg: &str) -> Result<Fault, String> {
    Ok(match arg.trim() {
        "" | "requests" => Fault::throttling(),
        "requests-long" => Fault::throttling_requests_long(),
        "tokens" => Fault::throttling_tokens(),
        "daily" => Fault::daily_tokens(),
        _ => return Err(format!("unknown throttle kind in fault item '{item}'")),
    })
}

/// `http=STATUS[:ErrorType[:message]]`.
fn parse_http(item: &str, arg: &str) -> Result<Fault, String> {
    let mut parts = arg.splitn(3, ':');
    let status: u16 = num(item, parts.next().unwrap_or(""))?;
    let (default_type, default_message) = default_error(status);
    Ok(Fault::Http {
        status,
        error_type: parts
            .next()
            .filter(|s| !s.is_empty())
            .unwrap_or(default_type)
            .to_string(),
        message: parts.next().unwrap_or(default_message).to_string(),
    })
}

/// `exception=N[:type[:message]]`.
fn parse_exception(item: &str, arg: &str) -> Result<Fault, String> {
    let mut parts = arg.splitn(3, ':');
    let after_events = num(item, parts.next().unwrap_or(""))?;
    let exception_type = parts
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("internalServerException")
        .to_string();
    let message = parts
        .next()
        .map(str::to_string)
        .unwrap_or_else(|| default_stream_message(&exception_type).to_string());
    Ok(Fault::InStreamException {
        after_events,
        exception_type,
        message,
    })
}
