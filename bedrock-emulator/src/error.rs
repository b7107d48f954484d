//! The one error shape every failed request takes: an HTTP status, the `x-amzn-errortype` name and a
//! `{"message"}` body, worded as Bedrock words it (SDKs map the type name to their error variants, and
//! callers match on the message).

/// A Bedrock error response: HTTP status, `x-amzn-errortype` name and `{"message"}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) error_type: String,
    pub(crate) message: String,
}

impl ApiError {
    pub(crate) fn new(status: u16, error_type: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            error_type: error_type.to_string(),
            message: message.into(),
        }
    }

    pub(crate) fn validation(message: impl Into<String>) -> Self {
        ApiError::new(400, "ValidationException", message)
    }

    pub(crate) fn not_null(path: &str) -> Self {
        ApiError::validation(format!(
            "1 validation error detected: Value null at '{path}' failed to satisfy constraint: Member must not be null"
        ))
    }

    /// A request no route (or no control-plane handler) knows.
    pub(crate) fn unknown_operation() -> Self {
        ApiError::new(404, "UnknownOperationException", "Unknown operation")
    }
}

pub(crate) const INVALID_MODEL: &str = "The provided model identifier is invalid.";
pub(crate) const MALFORMED: &str =
    "Malformed input request, please reformat your input and try again.";
