//! Bedrock and transport failures as the host's [`PluginError`] (ERR-01, ERR-02, ERR-10,
//! ERR-20, BR-13, BR-40), and the provider's failover verdict on any error ([`classify`]).
//!
//! Three SDK shapes reach the plugin: the initial ConverseStream response error (an HTTP status
//! with `x-amzn-errortype`), exception frames inside the event stream (the modelled variant
//! but with no error code, so the variant itself names the exception), and whatever
//! `EventReceiver::recv()` returns when the body breaks. All end up here so the messages are
//! byte-identical whichever way an exception arrived.

use std::error::Error as StdError;
use std::sync::LazyLock;

use aws_sdk_bedrockruntime::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_bedrockruntime::operation::converse_stream::ConverseStreamError;
use aws_sdk_bedrockruntime::types::error::ConverseStreamOutputError;
use aws_smithy_types::error::ErrorMetadata;
use plugin_api::abi_stable::std_types::ROption;
use plugin_api::error::{
    ErrorClassification, ErrorKind, FailoverReason, FailoverReason_NE, PluginError,
};
use regex::Regex;

/// The header carrying the request id every Bedrock response has (BR-40).
pub const REQUEST_ID_HEADER: &str = "x-amzn-requestid";
/// The header naming the exception of an HTTP error response (`Name:namespace`).
pub const ERROR_TYPE_HEADER: &str = "x-amzn-errortype";
/// ERR-02 diagnostic kind for a transport failure before the message stream started.
pub const TRANSPORT_FAILURE_DIAGNOSTIC: &str = "provider_transport_failure";
/// EVT-32: the message of a terminal error that carried none.
pub const UNKNOWN_ERROR_MESSAGE: &str = "An unknown error occurred";

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

/// A modelled (or coded) Bedrock exception: its name and the service's message.
struct ServiceException<'a> {
    name: String,
    message: Option<&'a str>,
}

/// The ERR-01 prefix of an exception's message; exceptions without a friendly prefix use
/// their own name so the user still sees what failed.
fn err_01_prefix(name: &str) -> &str {
    match name {
        "InternalServerException" => "Internal server error",
        "ModelStreamErrorException" => "Model stream error",
        "ValidationException" => "Validation error",
        "ThrottlingException" => "Throttling error",
        "ServiceUnavailableException" => "Service unavailable",
        other => other,
    }
}

/// The coarse kind and BR-10 retryability of an exception, by name.
fn kind_of_exception(name: &str) -> (ErrorKind, bool) {
    match name {
        "ThrottlingException" => (ErrorKind::RateLimit, true),
        "ServiceQuotaExceededException" => (ErrorKind::RateLimit, false),
        "ServiceUnavailableException" | "ModelNotReadyException" => (ErrorKind::Overloaded, true),
        "InternalServerException" => (ErrorKind::Service, true),
        "ModelTimeoutException" => (ErrorKind::Timeout, false),
        "ValidationException" => (ErrorKind::InvalidRequest, false),
        "AccessDeniedException"
        | "UnrecognizedClientException"
        | "ExpiredTokenException"
        | "ExpiredToken"
        | "InvalidSignatureException"
        | "IncompleteSignature"
        | "MissingAuthenticationTokenException" => (ErrorKind::Auth, false),
        _ => (ErrorKind::Service, false),
    }
}

/// Builds the ERR-01 error for an exception: `<prefix>: <message>`, the BR-40 request-id
/// suffix when the id is known, kind per ERR-20/BR-10, and ContextOverflow when ERR-10 matches.
fn service_error(
    exception: &ServiceException<'_>,
    status: Option<u16>,
    request_id: Option<&str>,
) -> PluginError {
    let text = match exception.message.map(str::trim) {
        Some(message) if !message.is_empty() => message,
        _ => UNKNOWN_ERROR_MESSAGE,
    };
    let mut message = format!("{}: {text}", err_01_prefix(&exception.name));
    if let Some(id) = request_id.filter(|id| !id.is_empty()) {
        message.push_str(&format!(" [request id {id}]"));
    }
    let (mut kind, retryable) = kind_of_exception(&exception.name);
    if kind != ErrorKind::RateLimit
        && context_overflow_pattern(&format!("{}: {text}", exception.name))
    {
        kind = ErrorKind::ContextOverflow;
    }
    let mut error = PluginError::new(kind, message)
        .with_retryable(retryable)
        .with_error_code(exception.name.clone());
    if let Some(status) = status {
        error = error.with_status(status);
    }
    if let Some(id) = request_id.filter(|id| !id.is_empty()) {
        error = error.with_request_id(id);
    }
    error
}

/// The ERR-01 error for a named Bedrock exception answered by any runtime operation
/// (ConverseStream, CountTokens, InvokeModel): one formatting and classification for all.
pub fn exception_error(
    name: &str,
    message: Option<&str>,
    status: Option<u16>,
    request_id: Option<&str>,
) -> PluginError {
    service_error(
        &ServiceException {
            name: name.to_owned(),
            message,
        },
        status,
        request_id,
    )
}

/// The exception of an initial-response error, or `None` for an unmodelled error with no code
/// (then there is no exception name to show and the error keeps its own message).
fn converse_exception<'a>(
    err: &'a ConverseStreamError,
    error_type_header: Option<&str>,
) -> Option<ServiceException<'a>> {
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
            return Some(ServiceException {
                name,
                message: other.message(),
            });
        }
    };
    Some(ServiceException {
        name: name.to_owned(),
        // The modelled field is the message; the metadata copy is the fallback.
        message: own_message.or_else(|| err.meta().message()),
    })
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
) -> PluginError {
    match err {
        SdkError::ServiceError(context) => {
            let raw = context.raw();
            let service_err = context.err();
            let request_id =
                response_request_id(raw.header(REQUEST_ID_HEADER), service_err.meta(), None);
            match converse_exception(service_err, raw.header(ERROR_TYPE_HEADER)) {
                Some(exception) => service_error(&exception, raw.status(), request_id),
                None => {
                    let mut error =
                        PluginError::new(ErrorKind::Service, chain_message(service_err));
                    if let Some(status) = raw.status() {
                        error = error.with_status(status);
                    }
                    if let Some(id) = request_id {
                        error = error.with_request_id(id);
                    }
                    error
                }
            }
        }
        other => with_transport_diagnostic(non_service_error(other)),
    }
}

/// Maps an exception frame of the event stream (`:message-type exception`).
///
/// The SDK gives these no error code, so the variant names the exception; `request_id` is the
/// HTTP request id of the stream, which the frame itself does not repeat (BR-40).
pub fn from_stream_output_error(
    err: &ConverseStreamOutputError,
    request_id: Option<&str>,
) -> PluginError {
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
                let mut error = PluginError::new(ErrorKind::Service, chain_message(other));
                if let Some(id) = request_id.filter(|id| !id.is_empty()) {
                    error = error.with_request_id(id);
                }
                return error;
            }
        },
    };
    let exception = ServiceException {
        name: name.to_owned(),
        message: own_message.or_else(|| err.meta().message()),
    };
    let request_id = response_request_id(None, err.meta(), request_id);
    service_error(&exception, None, request_id)
}

/// Maps what `EventReceiver::recv()` failed with: an exception frame, or a broken body.
///
/// No ERR-02 diagnostic here: whether any event had been seen is the stream mapper's
/// knowledge, and `StreamMapper::on_failure` adds it when none was.
pub fn from_event_receiver_error<R: RawResponseInfo + std::fmt::Debug + 'static>(
    err: &SdkError<ConverseStreamOutputError, R>,
    request_id: Option<&str>,
) -> PluginError {
    match err {
        SdkError::ServiceError(context) => from_stream_output_error(context.err(), request_id),
        other => {
            let mut error = non_service_error(other);
            if let Some(id) = request_id.filter(|id| !id.is_empty()) {
                error = error.with_request_id(id);
            }
            error
        }
    }
}

/// A failure that is not a service answer: construction (credentials), timeout, dispatch or a
/// response that could not be read. These keep their own message (ERR-01) and carry a
/// transport code in `error_code` when one is recognisable.
fn non_service_error<E, R>(err: &SdkError<E, R>) -> PluginError
where
    E: StdError + 'static,
    R: std::fmt::Debug + 'static,
{
    let message = chain_message(err);
    let code = transport_code(err);
    let mut error = match err {
        SdkError::ConstructionFailure(_) => {
            if message.to_ascii_lowercase().contains("credential") {
                PluginError::new(ErrorKind::Auth, message)
            } else {
                PluginError::new(ErrorKind::InvalidRequest, message)
            }
        }
        SdkError::TimeoutError(_) => PluginError::new(ErrorKind::Timeout, message),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => {
            PluginError::new(ErrorKind::Timeout, message).with_retryable(true)
        }
        SdkError::DispatchFailure(failure) if failure.is_user() => {
            PluginError::new(ErrorKind::InvalidRequest, message)
        }
        // A reset/refused connection, or a body that broke while reading it (BR-10 allows a
        // retry only before any event; the caller checks that with the mapper).
        _ => PluginError::new(ErrorKind::Network, message).with_retryable(true),
    };
    if let Some(code) = code {
        error = error.with_error_code(code);
    }
    error
}

/// ERR-02: a transport failure before the message stream started says so in a diagnostic,
/// so a host can tell "never reached Bedrock" from "failed mid-answer".
fn with_transport_diagnostic(mut error: PluginError) -> PluginError {
    if matches!(error.kind(), Some(ErrorKind::Network | ErrorKind::Timeout)) {
        error = add_transport_diagnostic(error);
    }
    error
}

/// Adds the ERR-02 diagnostic once (idempotent, so every layer may call it).
pub fn add_transport_diagnostic(error: PluginError) -> PluginError {
    if error
        .diagnostics
        .iter()
        .any(|diagnostic| diagnostic.kind.as_str() == TRANSPORT_FAILURE_DIAGNOSTIC)
    {
        return error;
    }
    error.with_diagnostic(
        TRANSPORT_FAILURE_DIAGNOSTIC,
        r#"{"eventsEmitted":false,"phase":"before_message_stream_start"}"#,
    )
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

/// BR-20: the stall guard fired after `ms` milliseconds without a Bedrock event.
pub fn stall_error(ms: u64) -> PluginError {
    PluginError::new(
        ErrorKind::Timeout,
        format!("Amazon Bedrock stream stalled: no event for {ms} ms"),
    )
}

/// EVT-31: the caller cancelled the request.
pub fn aborted_error() -> PluginError {
    PluginError::new(ErrorKind::Cancelled, "Request was aborted")
}

fn regex(pattern: &str) -> Option<Regex> {
    // The patterns are constants covered by tests; `None` would only disable one rule.
    Regex::new(pattern).ok()
}

/// ERR-20 name/message rows, in table order.
static FAILOVER_PATTERNS: LazyLock<Vec<(Option<Regex>, FailoverReason)>> = LazyLock::new(|| {
    vec![
        (
            regex(
                r"(?i)ThrottlingException|Too many concurrent requests|Too many tokens|ServiceQuotaExceededException",
            ),
            FailoverReason::RateLimit,
        ),
        (
            regex(r"(?i)ModelNotReadyException|ServiceUnavailableException"),
            FailoverReason::Overloaded,
        ),
        (
            regex(r"(?is)ValidationException.*(temperature.*deprecated|deprecated.*temperature)"),
            FailoverReason::Format,
        ),
        (
            regex(
                r"(?i)AccessDeniedException|UnrecognizedClientException|ExpiredToken|InvalidSignatureException|security token included in the request is (invalid|expired)|(no|missing|invalid|expired) credentials|credentials? provider",
            ),
            FailoverReason::Auth,
        ),
        (
            regex(r"(?i)ModelTimeoutException|Amazon Bedrock stream stalled"),
            FailoverReason::Timeout,
        ),
    ]
});

/// ERR-10 patterns (case-insensitive, `.` spans lines).
static CONTEXT_OVERFLOW_PATTERNS: LazyLock<Vec<Option<Regex>>> = LazyLock::new(|| {
    vec![
        regex(r"(?is)ValidationException.*(input is too long|max input token|input token.*exceed)"),
        regex(r"(?is)ValidationException.*exceeds? the (maximum|max) (number of )?(input )?tokens"),
        regex(r"(?is)ModelStreamErrorException.*(Input is too long|too many input tokens)"),
    ]
});

fn context_overflow_pattern(subject: &str) -> bool {
    CONTEXT_OVERFLOW_PATTERNS
        .iter()
        .flatten()
        .any(|pattern| pattern.is_match(subject))
}

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
    let by_pattern = FAILOVER_PATTERNS.iter().find_map(|(pattern, reason)| {
        pattern
            .as_ref()
            .filter(|pattern| pattern.is_match(&subject))
            .map(|_| *reason)
    });
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
mod tests {
    use super::*;
    use aws_sdk_bedrockruntime::types::error::{
        AccessDeniedException, InternalServerException, ModelStreamErrorException,
        ModelTimeoutException, ServiceUnavailableException, ThrottlingException,
        ValidationException,
    };
    use aws_smithy_runtime_api::client::result::ConnectorError;
    use aws_smithy_runtime_api::http::{Response, StatusCode};
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::event_stream::RawMessage;

    fn http(status: u16, request_id: Option<&str>, error_type: Option<&str>) -> Response {
        let mut response = Response::new(StatusCode::try_from(status).unwrap(), SdkBody::empty());
        if let Some(id) = request_id {
            response
                .headers_mut()
                .insert(REQUEST_ID_HEADER, id.to_owned());
        }
        if let Some(error_type) = error_type {
            response
                .headers_mut()
                .insert(ERROR_TYPE_HEADER, error_type.to_owned());
        }
        response
    }

    fn failover(error: &PluginError) -> Option<FailoverReason> {
        match &classify(error).failover {
            ROption::RSome(reason) => reason.as_enum().ok().copied(),
            ROption::RNone => None,
        }
    }

    fn coded(name: &str, message: &str) -> PluginError {
        PluginError::new(ErrorKind::Service, message).with_error_code(name)
    }

    #[test]
    fn err_01_initial_validation_error_message_status_and_request_id() {
        let err = SdkError::service_error(
            ConverseStreamError::ValidationException(
                ValidationException::builder()
                    .message("The provided model identifier is invalid.")
                    .build(),
            ),
            http(
                400,
                None,
                Some("ValidationException:http://internal.amazon.com/coral/"),
            ),
        );
        let error = from_converse_stream_error(&err);
        assert_eq!(
            error.message.as_str(),
            "Validation error: The provided model identifier is invalid."
        );
        assert_eq!(error.kind(), Some(ErrorKind::InvalidRequest));
        assert_eq!(error.status, ROption::RSome(400));
        assert_eq!(
            error.error_code,
            ROption::RSome("ValidationException".into())
        );
        assert!(!error.retryable);
        assert!(error.diagnostics.is_empty());
    }

    #[test]
    fn br_40_request_id_suffix_on_err_01_messages() {
        let err = SdkError::service_error(
            ConverseStreamError::ThrottlingException(
                ThrottlingException::builder()
                    .message("Rate exceeded")
                    .build(),
            ),
            http(429, Some("req-42"), None),
        );
        let error = from_converse_stream_error(&err);
        assert_eq!(
            error.message.as_str(),
            "Throttling error: Rate exceeded [request id req-42]"
        );
        assert_eq!(error.request_id, ROption::RSome("req-42".into()));
        assert_eq!(error.kind(), Some(ErrorKind::RateLimit));
        assert!(error.retryable);
    }

    #[test]
    fn err_01_prefix_table_for_in_stream_exceptions() {
        let cases: Vec<(ConverseStreamOutputError, &str, ErrorKind, bool)> = vec![
            (
                ConverseStreamOutputError::InternalServerException(
                    InternalServerException::builder().message("boom").build(),
                ),
                "Internal server error: boom",
                ErrorKind::Service,
                true,
            ),
            (
                ConverseStreamOutputError::ModelStreamErrorException(
                    ModelStreamErrorException::builder().message("boom").build(),
                ),
                "Model stream error: boom",
                ErrorKind::Service,
                false,
            ),
            (
                ConverseStreamOutputError::ValidationException(
                    ValidationException::builder().message("boom").build(),
                ),
                "Validation error: boom",
                ErrorKind::InvalidRequest,
                false,
            ),
            (
                ConverseStreamOutputError::ThrottlingException(
                    ThrottlingException::builder().message("boom").build(),
                ),
                "Throttling error: boom",
                ErrorKind::RateLimit,
                true,
            ),
            (
                ConverseStreamOutputError::ServiceUnavailableException(
                    ServiceUnavailableException::builder()
                        .message("boom")
                        .build(),
                ),
                "Service unavailable: boom",
                ErrorKind::Overloaded,
                true,
            ),
        ];
        for (err, message, kind, retryable) in cases {
            let error = from_stream_output_error(&err, None);
            assert_eq!(error.message.as_str(), message);
            assert_eq!(error.kind(), Some(kind), "{message}");
            assert_eq!(error.retryable, retryable, "{message}");
            assert_eq!(error.status, ROption::RNone);
            assert!(error.diagnostics.is_empty());
        }
        let with_id = from_stream_output_error(
            &ConverseStreamOutputError::ThrottlingException(
                ThrottlingException::builder().message("slow down").build(),
            ),
            Some("rid-1"),
        );
        assert_eq!(
            with_id.message.as_str(),
            "Throttling error: slow down [request id rid-1]"
        );
        assert_eq!(
            with_id.error_code,
            ROption::RSome("ThrottlingException".into())
        );
    }

    #[test]
    fn err_01_other_modelled_exceptions_use_their_name() {
        let err = SdkError::service_error(
            ConverseStreamError::AccessDeniedException(
                AccessDeniedException::builder()
                    .message("no access")
                    .build(),
            ),
            http(403, None, None),
        );
        let error = from_converse_stream_error(&err);
        assert_eq!(error.message.as_str(), "AccessDeniedException: no access");
        assert_eq!(error.kind(), Some(ErrorKind::Auth));
        assert_eq!(failover(&error), Some(FailoverReason::Auth));

        let timeout = SdkError::service_error(
            ConverseStreamError::ModelTimeoutException(
                ModelTimeoutException::builder().message("too slow").build(),
            ),
            http(408, None, None),
        );
        let error = from_converse_stream_error(&timeout);
        assert_eq!(error.kind(), Some(ErrorKind::Timeout));
        assert_eq!(failover(&error), Some(FailoverReason::Timeout));
    }

    #[test]
    fn err_01_unmodelled_exception_named_by_code() {
        let err = SdkError::service_error(
            ConverseStreamError::generic(
                ErrorMetadata::builder()
                    .code("UnrecognizedClientException")
                    .message("The security token included in the request is invalid.")
                    .build(),
            ),
            http(403, Some("rid-9"), None),
        );
        let error = from_converse_stream_error(&err);
        assert_eq!(
            error.message.as_str(),
            "UnrecognizedClientException: The security token included in the request is invalid. [request id rid-9]"
        );
        assert_eq!(error.kind(), Some(ErrorKind::Auth));
        assert_eq!(failover(&error), Some(FailoverReason::Auth));
    }

    #[test]
    fn err_02_transport_failure_before_stream_has_diagnostic_and_code() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "socket hang up");
        let err: SdkError<ConverseStreamError, Response> =
            SdkError::dispatch_failure(ConnectorError::io(Box::new(io)));
        let error = from_converse_stream_error(&err);
        assert_eq!(error.kind(), Some(ErrorKind::Network));
        assert!(error.retryable);
        assert_eq!(error.error_code, ROption::RSome("ECONNRESET".into()));
        assert!(
            error.message.contains("socket hang up"),
            "{}",
            error.message
        );
        assert!(!error.message.contains("[request id"));
        assert_eq!(error.diagnostics.len(), 1);
        assert_eq!(
            error.diagnostics[0].kind.as_str(),
            TRANSPORT_FAILURE_DIAGNOSTIC
        );
        let details: serde_json::Value =
            serde_json::from_str(&error.diagnostics[0].details_json).unwrap();
        assert_eq!(
            details,
            serde_json::json!({"eventsEmitted": false, "phase": "before_message_stream_start"})
        );
    }

    #[test]
    fn err_02_refused_connection_recognised_from_io_kind() {
        let io = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let err: SdkError<ConverseStreamError, Response> =
            SdkError::dispatch_failure(ConnectorError::io(Box::new(io)));
        let error = from_converse_stream_error(&err);
        assert_eq!(error.error_code, ROption::RSome("ECONNREFUSED".into()));
    }

    #[test]
    fn err_02_mid_stream_body_failure_has_no_diagnostic() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        let err: SdkError<ConverseStreamOutputError, RawMessage> =
            SdkError::response_error(io, RawMessage::invalid(None));
        let error = from_event_receiver_error(&err, Some("rid"));
        assert_eq!(error.kind(), Some(ErrorKind::Network));
        assert_eq!(error.error_code, ROption::RSome("ECONNRESET".into()));
        assert!(error.diagnostics.is_empty());
        assert_eq!(error.request_id, ROption::RSome("rid".into()));
        assert!(!error.message.contains("[request id"));
    }

    #[test]
    fn err_01_event_receiver_service_error_uses_frame_variant() {
        let err: SdkError<ConverseStreamOutputError, RawMessage> = SdkError::service_error(
            ConverseStreamOutputError::ServiceUnavailableException(
                ServiceUnavailableException::builder()
                    .message("busy")
                    .build(),
            ),
            RawMessage::invalid(None),
        );
        let error = from_event_receiver_error(&err, Some("abc"));
        assert_eq!(
            error.message.as_str(),
            "Service unavailable: busy [request id abc]"
        );
        assert_eq!(failover(&error), Some(FailoverReason::Overloaded));
    }

    #[test]
    fn err_10_context_overflow_patterns() {
        let overflowing = [
            (
                "ValidationException",
                "Input is too long for requested model.",
            ),
            (
                "ValidationException",
                "The request max input tokens exceeded",
            ),
            (
                "ValidationException",
                "input token count 300000 exceeds the limit",
            ),
            (
                "ValidationException",
                "prompt exceeds the maximum number of input tokens",
            ),
            ("ValidationException", "This request exceed the max tokens"),
            ("ModelStreamErrorException", "Input is too long"),
            ("ModelStreamErrorException", "too many input tokens"),
        ];
        for (name, message) in overflowing {
            assert!(
                classify(&coded(name, message)).context_overflow,
                "{name}: {message}"
            );
        }
        let exception = ServiceException {
            name: "ValidationException".into(),
            message: Some("Input is too long for requested model."),
        };
        let error = service_error(&exception, Some(400), None);
        assert_eq!(error.kind(), Some(ErrorKind::ContextOverflow));
        assert!(classify(&error).context_overflow);
        assert!(
            !classify(&coded(
                "ValidationException",
                "The provided model identifier is invalid."
            ))
            .context_overflow
        );
        assert!(!classify(&coded("InternalServerException", "Input is too long")).context_overflow);
    }

    #[test]
    fn br_13_throttling_is_never_context_overflow() {
        let exception = ServiceException {
            name: "ThrottlingException".into(),
            message: Some("Too many tokens, please wait before trying again."),
        };
        let error = service_error(&exception, Some(429), None);
        assert_eq!(error.kind(), Some(ErrorKind::RateLimit));
        let verdict = classify(&error);
        assert_eq!(failover(&error), Some(FailoverReason::RateLimit));
        assert!(!verdict.context_overflow);
        let sneaky = coded(
            "ThrottlingException",
            "ValidationException: input is too long, Too many tokens",
        );
        assert!(!classify(&sneaky).context_overflow);
    }

    #[test]
    fn err_20_failover_table_order_and_status_fallback() {
        let rate = [
            coded("ThrottlingException", "Rate exceeded"),
            coded("ModelErrorException", "Too many concurrent requests"),
            coded("ServiceQuotaExceededException", "quota"),
            PluginError::new(ErrorKind::Service, "whatever").with_status(429),
        ];
        for error in &rate {
            assert_eq!(
                failover(error),
                Some(FailoverReason::RateLimit),
                "{error:?}"
            );
        }
        let not_ready = coded("ModelNotReadyException", "warming up").with_status(429);
        assert_eq!(failover(&not_ready), Some(FailoverReason::Overloaded));
        let unavailable = coded("ServiceUnavailableException", "busy").with_status(429);
        assert_eq!(failover(&unavailable), Some(FailoverReason::Overloaded));
        let status_503 = PluginError::new(ErrorKind::Service, "x").with_status(503);
        assert_eq!(failover(&status_503), Some(FailoverReason::Overloaded));
        assert_eq!(
            failover(&coded("ExpiredTokenException", "old")),
            Some(FailoverReason::Auth)
        );
        assert_eq!(
            failover(&stall_error(300_000)),
            Some(FailoverReason::Timeout)
        );
        assert_eq!(failover(&coded("ValidationException", "bad")), None);
        assert_eq!(failover(&aborted_error()), None);
    }

    #[test]
    fn err_20_ex_i16_temperature_deprecated_is_format() {
        let message = "The model returned the following errors: {\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"`temperature` is deprecated for this model.\"}}";
        assert_eq!(
            failover(&coded("ValidationException", message)),
            Some(FailoverReason::Format)
        );
        assert_eq!(
            failover(&coded("ValidationException", "deprecated: temperature")),
            Some(FailoverReason::Format)
        );
    }

    #[test]
    fn br_20_and_evt_31_fixed_messages() {
        let stall = stall_error(1500);
        assert_eq!(
            stall.message.as_str(),
            "Amazon Bedrock stream stalled: no event for 1500 ms"
        );
        assert_eq!(stall.kind(), Some(ErrorKind::Timeout));
        let aborted = aborted_error();
        assert_eq!(aborted.message.as_str(), "Request was aborted");
        assert_eq!(aborted.kind(), Some(ErrorKind::Cancelled));
    }

    #[test]
    fn all_constant_patterns_compile() {
        assert!(FAILOVER_PATTERNS
            .iter()
            .all(|(pattern, _)| pattern.is_some()));
        assert!(CONTEXT_OVERFLOW_PATTERNS.iter().all(Option::is_some));
    }
}
