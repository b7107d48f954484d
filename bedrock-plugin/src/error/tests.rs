use super::*;

#[test]
fn err_01_br_40_service_message_prefix_extensions_then_request_id() {
    let error = BedrockError::service(
        "ValidationException",
        Some("  The provided model identifier is invalid. "),
        Some(400),
        Some("rid-1"),
    )
    .with_extension(" (m is not available in us-west-2)".into());
    let host = PluginError::from(error);
    assert_eq!(
        host.message.as_str(),
        "Validation error: The provided model identifier is invalid. (m is not available in us-west-2) [request id rid-1]"
    );
    assert_eq!(host.kind(), Some(ErrorKind::InvalidRequest));
    assert_eq!(host.status.into_option(), Some(400));
    assert_eq!(
        host.error_code
            .as_ref()
            .into_option()
            .map(|code| code.as_str()),
        Some("ValidationException")
    );
    assert_eq!(
        host.request_id.as_ref().into_option().map(|id| id.as_str()),
        Some("rid-1")
    );
}

#[test]
fn evt_32_missing_service_message_and_unprefixed_names() {
    let error = BedrockError::service("ResourceNotFoundException", None, None, Some(""));
    assert_eq!(
        PluginError::from(error).message.as_str(),
        "ResourceNotFoundException: An unknown error occurred"
    );
}

#[test]
fn err_02_transport_diagnostic_only_before_the_stream() {
    let transport = |before_stream| BedrockError::Transport {
        message: "dispatch failure: connection reset".into(),
        kind: ErrorKind::Network,
        retryable: true,
        code: Some("ECONNRESET"),
        request_id: None,
        before_stream,
    };
    let before = PluginError::from(transport(true));
    assert_eq!(before.diagnostics.len(), 1);
    assert_eq!(
        before.diagnostics[0].kind.as_str(),
        TRANSPORT_FAILURE_DIAGNOSTIC
    );
    assert!(before.retryable);
    let during = PluginError::from(transport(false).with_request_id(Some("rid")));
    assert!(during.diagnostics.is_empty());
    assert_eq!(
        during
            .request_id
            .as_ref()
            .into_option()
            .map(|id| id.as_str()),
        Some("rid")
    );
}

#[test]
fn br_10_retryability_and_kind_come_from_the_exception_name() {
    let throttled = BedrockError::service("ThrottlingException", Some("slow down"), None, None);
    assert!(throttled.retryable());
    assert_eq!(throttled.kind(), Some(ErrorKind::RateLimit));
    assert!(throttled.is_exception("ThrottlingException"));
    let overflow = BedrockError::service(
        "ValidationException",
        Some("Input is too long for requested model."),
        None,
        None,
    );
    assert_eq!(overflow.kind(), Some(ErrorKind::ContextOverflow));
    assert!(!BedrockError::Stalled { ms: 5 }.retryable());
    assert_eq!(BedrockError::Aborted.kind(), Some(ErrorKind::Cancelled));
}

#[test]
fn err_10_constant_patterns_compile() {
    assert_eq!(CONTEXT_OVERFLOW_PATTERNS.len(), 3);
    assert!(context_overflow_pattern(
        "ModelStreamErrorException: Input is too long"
    ));
}
