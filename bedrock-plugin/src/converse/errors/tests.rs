use super::*;
use aws_sdk_bedrockruntime::types::error::{
    AccessDeniedException, InternalServerException, ModelStreamErrorException,
    ModelTimeoutException, ServiceUnavailableException, ThrottlingException, ValidationException,
};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::http::{Response, StatusCode};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::event_stream::RawMessage;

use crate::error::CONTEXT_OVERFLOW_PATTERNS;

// The mappers return the typed error; these tests check what the host sees, through the
// one conversion.
fn from_converse_stream_error<R: RawResponseInfo + std::fmt::Debug + 'static>(
    err: &SdkError<ConverseStreamError, R>,
) -> PluginError {
    super::from_converse_stream_error(err).into()
}

fn from_stream_output_error(
    err: &ConverseStreamOutputError,
    request_id: Option<&str>,
) -> PluginError {
    super::from_stream_output_error(err, request_id).into()
}

fn from_event_receiver_error<R: RawResponseInfo + std::fmt::Debug + 'static>(
    err: &SdkError<ConverseStreamOutputError, R>,
    request_id: Option<&str>,
) -> PluginError {
    super::from_event_receiver_error(err, request_id).into()
}

fn service_error(name: &str, message: Option<&str>, status: Option<u16>) -> PluginError {
    BedrockError::service(name, message, status, None).into()
}

fn stall_error(ms: u64) -> PluginError {
    BedrockError::Stalled { ms }.into()
}

fn aborted_error() -> PluginError {
    BedrockError::Aborted.into()
}

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
    let error = service_error(
        "ValidationException",
        Some("Input is too long for requested model."),
        Some(400),
    );
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
    let error = service_error(
        "ThrottlingException",
        Some("Too many tokens, please wait before trying again."),
        Some(429),
    );
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
    // Forcing the statics compiles every pattern (a bad one panics here, not in use).
    assert_eq!(FAILOVER_PATTERNS.len(), 5);
    assert_eq!(CONTEXT_OVERFLOW_PATTERNS.len(), 3);
}

const DAILY_QUOTA: &str = "Too many tokens per day, please wait before trying again.";

fn daily_quota_response() -> SdkError<ConverseStreamError, Response> {
    SdkError::service_error(
        ConverseStreamError::ThrottlingException(
            ThrottlingException::builder().message(DAILY_QUOTA).build(),
        ),
        http(
            429,
            Some("req-day"),
            Some("ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"),
        ),
    )
}

#[test]
fn br_16_plg_51_daily_quota_throttle_is_not_retryable_but_fails_over_as_rate_limit() {
    let error = super::from_converse_stream_error(&daily_quota_response());
    assert!(is_daily_quota(&error));
    assert!(!error.retryable());
    let phase = crate::converse::retry::FailurePhase {
        saw_event: false,
        emitted_output: false,
    };
    assert_eq!(
        crate::converse::retry::transient_reason(&error, phase),
        None
    );
    let host: PluginError = error.into();
    assert_eq!(
        host.message.as_str(),
        "Throttling error: Too many tokens per day, please wait before trying again. [request id req-day]"
    );
    assert_eq!(host.kind(), Some(ErrorKind::RateLimit));
    assert!(!host.retryable);
    assert_eq!(failover(&host), Some(FailoverReason::RateLimit));
}

#[test]
fn br_16_in_stream_daily_quota_is_not_retryable_and_others_still_are() {
    let frame = |message: &str| {
        super::from_stream_output_error(
            &ConverseStreamOutputError::ThrottlingException(
                ThrottlingException::builder().message(message).build(),
            ),
            Some("req-1"),
        )
    };
    let daily = frame(DAILY_QUOTA);
    assert!(is_daily_quota(&daily));
    assert!(!daily.retryable());
    let per_minute = frame("Too many tokens, please wait before trying again.");
    assert!(!is_daily_quota(&per_minute));
    assert!(per_minute.retryable());
    // Only a throttle: "per day" in another exception is not the quota.
    let other = BedrockError::service("ValidationException", Some("3 per day"), Some(400), None);
    assert!(!is_daily_quota(&other));
}

#[test]
fn br_16_daily_quota_message_names_model_and_region() {
    let error = super::from_converse_stream_error(&daily_quota_response());
    let error = with_daily_quota_context(
        error,
        "anthropic.claude-sonnet-4-5-20250929-v1:0",
        "eu-west-1",
    );
    let host: PluginError = error.into();
    assert_eq!(
        host.message.as_str(),
        "Throttling error: Too many tokens per day, please wait before trying again. (daily token quota reached for anthropic.claude-sonnet-4-5-20250929-v1:0 in eu-west-1) [request id req-day]"
    );
    let unrelated = BedrockError::service("ThrottlingException", Some("Rate exceeded"), None, None);
    assert_eq!(
        with_daily_quota_context(unrelated.clone(), "m", "us-east-1"),
        unrelated
    );
}
