//! SDK failures of ConverseStream as the plugin's typed [`BedrockError`] (ERR-01, ERR-02,
//! BR-40, BR-16's daily quota), and the provider's failover verdict on any host error
//! ([`classify`], ERR-10, ERR-20, BR-13).
//!
//! Three SDK shapes reach the plugin: the initial ConverseStream response error (an HTTP status
//! with `x-amzn-errortype`), exception frames inside the event stream (the modelled variant
//! but with no error code, so the variant itself names the exception), and whatever
//! `EventReceiver::recv()` returns when the body breaks. All end up as the same
//! [`BedrockError`] so the host's messages are byte-identical whichever way an exception
//! arrived (the formatting itself is `crate::error`'s one conversion).

use std::error::Error as StdError;
use std::sync::LazyLock;

use aws_sdk_bedrockruntime::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_bedrockruntime::operation::converse::ConverseError;
use aws_sdk_bedrockruntime::operation::converse_stream::ConverseStreamError;
use aws_sdk_bedrockruntime::types::error::ConverseStreamOutputError;
use aws_smithy_types::error::ErrorMetadata;
use plugin_api::abi_stable::std_types::ROption;
use plugin_api::error::{
    ErrorClassification, ErrorKind, FailoverReason, FailoverReason_NE, PluginError,
};
use regex_lite::Regex;

use crate::error::{context_overflow_pattern, BedrockError, ServiceException};

/// The header carrying the request id every Bedrock response has (BR-40).
pub const REQUEST_ID_HEADER: &str = "x-amzn-requestid";
/// The header naming the exception of an HTTP error response (`Name:namespace`).
pub const ERROR_TYPE_HEADER: &str = "x-amzn-errortype";
pub use crate::error::{
    add_transport_diagnostic, TRANSPORT_FAILURE_DIAGNOSTIC, UNKNOWN_ERROR_MESSAGE,
};

/// What the plugin needs from the raw response of a failed call: the SDK hands out an HTTP
/// response for the initial call and a `RawMessage` (no status, no headers) for stream frames.
pub trait RawResponseInfo {
    fn status(&self) -> Option<u16>;
    fn header(&self, name: &str) -> Option<&str>;
}

impl<B> RawResponseInfo for aws_smithy_runtime_api::http::Response<B> {
    fn status(&self) -> Option<u16> {
        Some(aws_smithy_runtime_api::http::Response::status(self).as_u16())
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers().get(name)
    }
}

impl RawResponseInfo for aws_smithy_types::event_stream::RawMessage {
    fn status(&self) -> Option<u16> {
        None
    }

    fn header(&self, _name: &str) -> Option<&str> {
        None
    }
}

/// The exception of an initial-response error as (name, service message), or `None` for an
/// unmodelled error with no code (then there is no exception name to show and the error
/// keeps its own message).
fn converse_exception<'a>(
    err: &'a ConverseStreamError,
    error_type_header: Option<&str>,
) -> Option<(String, Option<&'a str>)> {
    let (name, own_message) = match err {
        ConverseStreamError::AccessDeniedException(e) => ("AccessDeniedException", e.message()),
        ConverseStreamError::InternalServerException(e) => ("InternalServerException", e.message()),
        ConverseStreamError::ModelErrorException(e) => ("ModelErrorException", e.message()),
        ConverseStreamError::ModelNotReadyException(e) => ("ModelNotReadyException", e.message()),
        ConverseStreamError::ModelTimeoutException(e) => ("ModelTimeoutException", e.message()),
        ConverseStreamError::ResourceNotFoundException(e) => {
            ("ResourceNotFoundException", e.message())
        }
        ConverseStreamError::ServiceUnavailableException(e) => {
            ("ServiceUnavailableException", e.message())
        }
        ConverseStreamError::ThrottlingException(e) => ("ThrottlingException", e.message()),
        ConverseStreamError::ValidationException(e) => ("ValidationException", e.message()),
        ConverseStreamError::ModelStreamErrorException(e) => {
            ("ModelStreamErrorException", e.message())
        }
        other => {
            // Unmodelled exceptions (UnrecognizedClientException, ServiceQuotaExceeded…)
            // still carry their name in the error code or the x-amzn-errortype header.
            let name = other
                .code()
                .map(str::to_owned)
                .or_else(|| error_type_header.and_then(error_type_name))?;
            return Some((name, other.message()));
        }
    };
    // The modelled field is the message; the metadata copy is the fallback.
    Some((
        name.to_owned(),
        own_message.or_else(|| err.meta().message()),
    ))
}

/// `ThrottlingException:http://internal.amazon.com/coral/...` → `ThrottlingException`.
fn error_type_name(header: &str) -> Option<String> {
    let name = header.split(':').next().unwrap_or_default().trim();
    (!name.is_empty()).then(|| name.to_owned())
}

/// The request id of a failed response: the header first, then what the SDK parsed into the
/// error metadata.
fn response_request_id<'a>(
    header: Option<&'a str>,
    meta: &'a ErrorMetadata,
    fallback: Option<&'a str>,
) -> Option<&'a str> {
    header
        .or_else(|| meta.extra("aws_request_id"))
        .or(fallback)
        .filter(|id| !id.is_empty())
}

/// Maps the error of the ConverseStream call itself (before any event was read).
///
/// Service errors get the ERR-01 message, the HTTP status and `x-amzn-requestid`; transport
/// failures get the ERR-02 diagnostic, since by definition no stream event was seen yet.
pub fn from_converse_stream_error<R: RawResponseInfo + std::fmt::Debug + 'static>(
    err: &SdkError<ConverseStreamError, R>,
) -> BedrockError {
    match err {
        SdkError::ServiceError(context) => {
            let raw = context.raw();
            let service_err = context.err();
            let named = converse_exception(service_err, raw.header(ERROR_TYPE_HEADER));
            service_failure(raw, service_err, named)
        }
        other => non_service_error(other, true),
    }
}

/// Maps the error of a Converse call (BR-95's non-streaming resend) like
/// [`from_converse_stream_error`]: the exception name from the error code, else the
/// `x-amzn-errortype` header.
pub fn from_converse_error<R: RawResponseInfo + std::fmt::Debug + 'static>(
    err: &SdkError<ConverseError, R>,
) -> BedrockError {
    from_operation_error(err)
}

/// Maps the error of any unary runtime operation (Converse, CountTokens for BR-52) the same
/// way: the exception name from the error code, else the `x-amzn-errortype` header, with the
/// ERR-01 message, status and request id; transport failures as before any stream.
pub fn from_operation_error<E, R>(err: &SdkError<E, R>) -> BedrockError
where
    E: ProvideErrorMetadata + StdError + 'static,
    R: RawResponseInfo + std::fmt::Debug + 'static,
{
    match err {
        SdkError::ServiceError(context) => {
            let raw = context.raw();
            let service_err = context.err();
            let named = service_err
                .code()
                .map(str::to_owned)
                .or_else(|| raw.header(ERROR_TYPE_HEADER).and_then(error_type_name))
                .map(|name| (name, service_err.message()));
            service_failure(raw, service_err, named)
        }
        other => non_service_error(other, true),
    }
}

/// A service answer of either operation: ERR-01 for a named exception (with the HTTP status
/// and request id), the error chain otherwise.
fn service_failure<R: RawResponseInfo, E: ProvideErrorMetadata + StdError + 'static>(
    raw: &R,
    service_err: &E,
    named: Option<(String, Option<&str>)>,
) -> BedrockError {
    let request_id = response_request_id(raw.header(REQUEST_ID_HEADER), service_err.meta(), None);
    match named {
        Some((name, message)) => daily_quota_not_retryable(BedrockError::service(
            &name,
            message,
            raw.status(),
            request_id,
        )),
        None => BedrockError::Unnamed {
            message: chain_message(service_err),
            status: raw.status(),
            request_id: request_id.map(str::to_owned),
        },
    }
}

/// BR-83: a chat or embedding AccessDeniedException for a model whose access is known and not
/// `available` gets ` (model access: <reason>; request access in the Amazon Bedrock console
/// under Model access for <region>)`, since the IAM text alone sends users to their policies
/// when the missing piece is the model grant or agreement. Any other error is unchanged.
pub fn with_access_hint(error: BedrockError, access: Option<&str>, region: &str) -> BedrockError {
    let denied = error
        .exception()
        .is_some_and(|exception| exception.name == "AccessDeniedException");
    match access {
        Some(access) if denied && access != "available" && access != "unknown" => {
            error.with_extension(format!(
                " (model access: {access}; request access in the Amazon Bedrock console under Model access for {region})"
            ))
        }
        _ => error,
    }
}

/// Maps an exception frame of the event stream (`:message-type exception`).
///
/// The SDK gives these no error code, so the variant names the exception; `request_id` is the
/// HTTP request id of the stream, which the frame itself does not repeat (BR-40).
pub fn from_stream_output_error(
    err: &ConverseStreamOutputError,
    request_id: Option<&str>,
) -> BedrockError {
    let (name, own_message) = match err {
        ConverseStreamOutputError::InternalServerException(e) => {
            ("InternalServerException", e.message())
        }
        ConverseStreamOutputError::ModelStreamErrorException(e) => {
            ("ModelStreamErrorException", e.message())
        }
        ConverseStreamOutputError::ValidationException(e) => ("ValidationException", e.message()),
        ConverseStreamOutputError::ThrottlingException(e) => ("ThrottlingException", e.message()),
        ConverseStreamOutputError::ServiceUnavailableException(e) => {
            ("ServiceUnavailableException", e.message())
        }
        other => match other.code() {
            Some(code) => (code, None),
            None => {
                return BedrockError::Unnamed {
                    message: chain_message(other),
                    status: None,
                    request_id: request_id.filter(|id| !id.is_empty()).map(str::to_owned),
                };
            }
        },
    };
    let message = own_message.or_else(|| err.meta().message());
    let request_id = response_request_id(None, err.meta(), request_id);
    daily_quota_not_retryable(BedrockError::Service(ServiceException::new(
        name, message, None, request_id,
    )))
}

/// BR-16: a `ThrottlingException` whose Bedrock message says `per day` (`Too many tokens per
/// day, please wait before trying again.`): the daily token quota, which no backoff clears.
pub fn is_daily_quota(error: &BedrockError) -> bool {
    error.exception().is_some_and(|exception| {
        exception.name == "ThrottlingException"
            && exception.text().to_ascii_lowercase().contains("per day")
    })
}

/// BR-16, PLG-51: a daily quota is not retryable, neither by the plugin (BR-10 retries only
/// retryable errors) nor by a host that reads `retryable`; failover (`rate_limit`) still
/// applies because another model or region has its own quota.
fn daily_quota_not_retryable(error: BedrockError) -> BedrockError {
    let daily = is_daily_quota(&error);
    match error {
        BedrockError::Service(mut exception) if daily => {
            exception.retryable = false;
            BedrockError::Service(exception)
        }
        other => other,
    }
}

/// BR-16: the error a daily quota ends the request with, naming the model id it was sent
/// with and the region: `… (daily token quota reached for <model id> in <region>)`. Any other
/// error is returned unchanged.
pub fn with_daily_quota_context(error: BedrockError, model_id: &str, region: &str) -> BedrockError {
    if !is_daily_quota(&error) {
        return error;
    }
    error.with_extension(format!(
        " (daily token quota reached for {model_id} in {region})"
    ))
}

/// Maps what `EventReceiver::recv()` failed with: an exception frame, or a broken body.
///
/// No ERR-02 diagnostic here: whether any event had been seen is the stream mapper's
/// knowledge, and `StreamMapper::on_failure` adds it when none was.
pub fn from_event_receiver_error<R: RawResponseInfo + std::fmt::Debug + 'static>(
    err: &SdkError<ConverseStreamOutputError, R>,
    request_id: Option<&str>,
) -> BedrockError {
    match err {
        SdkError::ServiceError(context) => from_stream_output_error(context.err(), request_id),
        other => non_service_error(other, false).with_request_id(request_id),
    }
}

/// A failure that is not a service answer: construction (credentials), timeout, dispatch or a
/// response that could not be read. These keep their own message (ERR-01) and carry a
/// transport code in `error_code` when one is recognisable; `before_stream` marks a failure of
/// the initial call (ERR-02: "never reached Bedrock" rather than "failed mid-answer").
fn non_service_error<E, R>(err: &SdkError<E, R>, before_stream: bool) -> BedrockError
where
    E: StdError + 'static,
    R: std::fmt::Debug + 'static,
{
    let message = chain_message(err);
    let code = transport_code(err);
    // PLG-23: a certificate the client does not trust fails the same way on every attempt,
    // so it is not retried, and the message says what fixes it.
    if let Some(certificate) = untrusted_certificate(err, &message) {
        return BedrockError::Transport {
            message: format!("{message} ({})", trust_advice(&certificate)),
            kind: ErrorKind::Network,
            retryable: false,
            code,
            request_id: None,
            before_stream,
        };
    }
    let (kind, retryable) = match err {
        SdkError::ConstructionFailure(_) => {
            if message.to_ascii_lowercase().contains("credential") {
                (ErrorKind::Auth, false)
            } else {
                (ErrorKind::InvalidRequest, false)
            }
        }
        SdkError::TimeoutError(_) => (ErrorKind::Timeout, false),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => (ErrorKind::Timeout, true),
        SdkError::DispatchFailure(failure) if failure.is_user() => {
            (ErrorKind::InvalidRequest, false)
        }
        // A reset/refused connection, or a body that broke while reading it (BR-10 allows a
        // retry only before any event; the caller checks that with the mapper).
        _ => (ErrorKind::Network, true),
    };
    BedrockError::Transport {
        message,
        kind,
        retryable,
        code,
        request_id: None,
        before_stream,
    }
}

/// Why rustls refused the endpoint's TLS certificate: the typed error when the source chain
/// still carries it (directly, or inside the `io::Error` hyper wraps it in), else rustls's
/// own `invalid peer certificate: <reason>` text, which the SDK's connector keeps only as a
/// message.
fn untrusted_certificate(err: &(dyn StdError + 'static), chain: &str) -> Option<Refused> {
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(link) = current {
        let tls = link.downcast_ref::<rustls::Error>().or_else(|| {
            link.downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        });
        if let Some(rustls::Error::InvalidCertificate(certificate)) = tls {
            return Some(match certificate {
                rustls::CertificateError::UnknownIssuer => Refused::UnknownIssuer,
                other => Refused::Other(format!("{other:?}")),
            });
        }
        current = link.source();
    }
    let (_, reason) = chain.split_once("invalid peer certificate: ")?;
    let reason = reason.split([' ', ',', ')']).next().unwrap_or_default();
    Some(match reason {
        "UnknownIssuer" => Refused::UnknownIssuer,
        other => Refused::Other(other.to_owned()),
    })
}

/// How a certificate was refused.
enum Refused {
    UnknownIssuer,
    Other(String),
}

/// What to do about a refused certificate (PLG-23).
fn trust_advice(certificate: &Refused) -> String {
    match certificate {
        Refused::UnknownIssuer => "the endpoint's TLS certificate is signed by a CA this client does not trust; if a proxy or a private CA signs it, set AWS_CA_BUNDLE to that CA's PEM file; not retried".to_owned(),
        Refused::Other(reason) => format!("the endpoint's TLS certificate was refused ({reason}); check the endpoint URL and the server's certificate; not retried"),
    }
}

/// The error and its sources as one line (`dispatch failure: io error: Connection reset…`),
/// without the Debug dump `DisplayErrorContext` appends; repeated links are dropped because
/// SDK layers often wrap an error and repeat its text.
fn chain_message(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(link) = current {
        let text = link.to_string();
        let redundant = text.is_empty()
            || parts
                .last()
                .is_some_and(|previous| previous == &text || previous.ends_with(&text));
        if !redundant {
            parts.push(text);
        }
        current = link.source();
    }
    if parts.is_empty() {
        UNKNOWN_ERROR_MESSAGE.to_owned()
    } else {
        parts.join(": ")
    }
}

/// The POSIX-style transport code of a failure (ERR-01 `errorCode`), from an `io::Error` in
/// the source chain or, when the HTTP stack hid it, from the wording.
fn transport_code(err: &(dyn StdError + 'static)) -> Option<&'static str> {
    use std::io::ErrorKind as Io;
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(link) = current {
        if let Some(io) = link.downcast_ref::<std::io::Error>() {
            let code = match io.kind() {
                Io::ConnectionReset => Some("ECONNRESET"),
                Io::ConnectionRefused => Some("ECONNREFUSED"),
                Io::ConnectionAborted => Some("ECONNABORTED"),
                Io::TimedOut => Some("ETIMEDOUT"),
                Io::BrokenPipe => Some("EPIPE"),
                Io::HostUnreachable => Some("EHOSTUNREACH"),
                Io::NetworkUnreachable => Some("ENETUNREACH"),
                _ => None,
            };
            if code.is_some() {
                return code;
            }
        }
        current = link.source();
    }
    let text = chain_message(err).to_ascii_lowercase();
    [
        ("connection reset", "ECONNRESET"),
        ("connection refused", "ECONNREFUSED"),
        ("broken pipe", "EPIPE"),
        ("connection aborted", "ECONNABORTED"),
    ]
    .into_iter()
    .find(|(needle, _)| text.contains(needle))
    .map(|(_, code)| code)
}

/// ERR-20 name/message rows, in table order.
static FAILOVER_PATTERNS: LazyLock<Vec<(Regex, FailoverReason)>> = LazyLock::new(|| {
    vec![
        (
            Regex::new(r"(?i)ThrottlingException|Too many concurrent requests|Too many tokens|ServiceQuotaExceededException").expect("constant pattern compiles"),
            FailoverReason::RateLimit,
        ),
        (
            Regex::new(r"(?i)ModelNotReadyException|ServiceUnavailableException").expect("constant pattern compiles"),
            FailoverReason::Overloaded,
        ),
        (
            Regex::new(r"(?is)ValidationException.*(temperature.*deprecated|deprecated.*temperature)").expect("constant pattern compiles"),
            FailoverReason::Format,
        ),
        (
            Regex::new(r"(?i)AccessDeniedException|UnrecognizedClientException|ExpiredToken|InvalidSignatureException|security token included in the request is (invalid|expired)|(no|missing|invalid|expired) credentials|credentials? provider").expect("constant pattern compiles"),
            FailoverReason::Auth,
        ),
        (
            Regex::new(r"(?i)ModelTimeoutException|Amazon Bedrock stream stalled").expect("constant pattern compiles"),
            FailoverReason::Timeout,
        ),
    ]
});

/// The text ERR-20 and ERR-10 patterns are tested against: `<ErrorName>: <message>`.
fn classification_subject(error: &PluginError) -> String {
    match &error.error_code {
        ROption::RSome(code) => format!("{code}: {}", error.message),
        ROption::RNone => error.message.to_string(),
    }
}

/// ERR-20 and ERR-10: may the host fail over, and is the prompt too long for the model.
///
/// Name/message patterns win over the HTTP status (Bedrock sends `ModelNotReadyException` with
/// 429); the error's kind stands in for the NET-04/stall timeouts and credential failures that
/// have no exception name. Rate limits are never context overflow (BR-13).
pub fn classify(error: &PluginError) -> ErrorClassification {
    let subject = classification_subject(error);
    let kind = error.kind();
    let by_pattern = FAILOVER_PATTERNS
        .iter()
        .find_map(|(pattern, reason)| pattern.is_match(&subject).then_some(*reason));
    let by_kind = || match kind {
        Some(ErrorKind::Auth) => Some(FailoverReason::Auth),
        Some(ErrorKind::Timeout) => Some(FailoverReason::Timeout),
        _ => None,
    };
    let by_status = || match error.status {
        ROption::RSome(429) => Some(FailoverReason::RateLimit),
        ROption::RSome(503) => Some(FailoverReason::Overloaded),
        _ => None,
    };
    let failover = by_pattern.or_else(by_kind).or_else(by_status);
    let rate_limited =
        failover == Some(FailoverReason::RateLimit) || kind == Some(ErrorKind::RateLimit);
    let context_overflow = !rate_limited
        && (kind == Some(ErrorKind::ContextOverflow) || context_overflow_pattern(&subject));
    ErrorClassification {
        failover: match failover {
            Some(reason) => ROption::RSome(FailoverReason_NE::new(reason)),
            None => ROption::RNone,
        },
        context_overflow,
    }
}

#[cfg(test)]
mod tests;
