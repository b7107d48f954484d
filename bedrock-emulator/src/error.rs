//! The one error shape every failed request takes: an HTTP status, the `x-amzn-errortype` name and a
//! message body, worded as Bedrock words it (SDKs map the type name to their error variants, and
//! callers match on the message).
//!
//! Where the error comes from decides its namespace and body key, as on the wire
//! (../shared/oracle/real-error-messages.md, "Header and body conventions"): model and request errors
//! use `…/com.amazon.bedrock/` and `{"message"}`; the authentication layer (SigV4, API keys, IAM)
//! uses `…/com.amazon.coral.service/`, with `{"Message"}` for its AccessDeniedException answers
//! (bearer-key failures and IAM denials) and `{"message"}` for the SigV4 ones.

/// Which layer of the service answered: decides the `x-amzn-errortype` namespace and the body key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Bedrock itself: `…/com.amazon.bedrock/`, `{"message"}`.
    Bedrock,
    /// The coral authentication layer with a lower-case `{"message"}` (SigV4 failures).
    Coral,
    /// The coral authentication layer with a capital `{"Message"}` (API keys, IAM denials).
    CoralCapital,
}

impl Origin {
    /// The namespace after `Type:` in `x-amzn-errortype`.
    pub(crate) fn namespace(self) -> &'static str {
        match self {
            Origin::Bedrock => "http://internal.amazon.com/coral/com.amazon.bedrock/",
            Origin::Coral | Origin::CoralCapital => {
                "http://internal.amazon.com/coral/com.amazon.coral.service/"
            }
        }
    }

    /// The body's message key.
    pub(crate) fn message_key(self) -> &'static str {
        match self {
            Origin::CoralCapital => "Message",
            Origin::Bedrock | Origin::Coral => "message",
        }
    }
}

/// A Bedrock error response: HTTP status, `x-amzn-errortype` name and message, and who answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) error_type: String,
    pub(crate) message: String,
    pub(crate) origin: Origin,
}

impl ApiError {
    pub(crate) fn new(status: u16, error_type: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            error_type: error_type.to_string(),
            message: message.into(),
            origin: Origin::Bedrock,
        }
    }

    /// The same error, answered by `origin`.
    pub(crate) fn answered_by(mut self, origin: Origin) -> Self {
        self.origin = origin;
        self
    }

    pub(crate) fn validation(message: impl Into<String>) -> Self {
        ApiError::new(400, "ValidationException", message)
    }

    /// A model-layer 403 (`{"message"}`, bedrock namespace).
    pub(crate) fn access_denied(message: impl Into<String>) -> Self {
        ApiError::new(403, "AccessDeniedException", message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(404, "ResourceNotFoundException", message)
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
/// Converse's prefix for errors the model provider reports (real-error-messages.md, notes).
pub(crate) const MODEL_ERRORS: &str = "The model returned the following errors: ";
