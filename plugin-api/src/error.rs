//! The typed error that crosses the boundary.

use abi_stable::{
    std_types::{ROption, RString, RVec},
    StableAbi,
};
use std::fmt;

/// What went wrong, coarsely, so hosts can react without parsing messages.
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[sabi(kind(WithNonExhaustive(size = 8, traits(Debug, Clone, PartialEq, Eq, Hash))))]
#[non_exhaustive]
pub enum ErrorKind {
    /// The plugin config or a live update is invalid.
    InvalidConfig,
    /// The request cannot be sent as given (bad tool name, media type, history shape …).
    InvalidRequest,
    /// Credentials are missing, rejected or expired.
    Auth,
    /// Throttled: retry later or fail over.
    RateLimit,
    /// The service or model is temporarily unavailable.
    Overloaded,
    /// A deadline or the stall guard fired.
    Timeout,
    /// The prompt does not fit the model's context window.
    ContextOverflow,
    /// The connection failed before or while talking to the service.
    Network,
    /// Any other error the service returned.
    Service,
    /// The caller cancelled.
    Cancelled,
    /// The plugin does not offer this operation for this input.
    Unsupported,
    /// A bug inside the plugin (including a caught panic).
    Internal,
}

/// Failover classification (ERR-20): why a host might switch to another model or provider.
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[sabi(kind(WithNonExhaustive(size = 8, traits(Debug, Clone, PartialEq, Eq, Hash))))]
#[non_exhaustive]
pub enum FailoverReason {
    /// Throttled by the service.
    RateLimit,
    /// The service or model is overloaded or unavailable.
    Overloaded,
    /// The request's shape was rejected; another model may accept it.
    Format,
    /// Credentials were missing, rejected or expired.
    Auth,
    /// The call timed out.
    Timeout,
}

/// A structured note attached to an error or final message (ERR-02, EVT-10 refusal,
/// GRD-04 guardrail trace); `details_json` is a JSON object.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// What kind of note this is (e.g. `provider_refusal`, `guardrail_trace`).
    pub kind: RString,
    /// The details, as JSON object text.
    pub details_json: RString,
}

/// An error from any plugin operation.
#[repr(C)]
#[derive(StableAbi, Clone, PartialEq)]
pub struct PluginError {
    /// The coarse kind; read it through [`PluginError::kind`].
    pub kind: ErrorKind_NE,
    /// Human-readable, already in the spec's format (e.g. `Throttling error: Rate exceeded`).
    pub message: RString,
    /// Whether sending the same request again may succeed.
    pub retryable: bool,
    /// HTTP status of the failed response, when there was one.
    pub status: ROption<u16>,
    /// `x-amzn-requestid` of the failed response, when known.
    pub request_id: ROption<RString>,
    /// The service's error name (`ThrottlingException`) or a transport code (`ECONNRESET`).
    pub error_code: ROption<RString>,
    /// Structured notes (transport failure details, context-overflow facts …).
    pub diagnostics: RVec<Diagnostic>,
}

impl PluginError {
    /// An error of `kind` with `message`, not retryable and without further details.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind_NE::new(kind),
            message: RString::from(message.into()),
            retryable: false,
            status: ROption::RNone,
            request_id: ROption::RNone,
            error_code: ROption::RNone,
            diagnostics: RVec::new(),
        }
    }

    /// The kind, or `None` when a newer peer sent a kind this build does not know.
    pub fn kind(&self) -> Option<ErrorKind> {
        self.kind.as_enum().ok().copied()
    }

    /// Sets the HTTP status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = ROption::RSome(status);
        self
    }

    /// Sets whether sending the same request again may succeed.
    pub fn with_retryable(mut self, retryable: bool) -> Self {
        self.retryable = retryable;
        self
    }

    /// Sets the service's request id.
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = ROption::RSome(RString::from(request_id.into()));
        self
    }

    /// Sets the service's error name or the transport code.
    pub fn with_error_code(mut self, code: impl Into<String>) -> Self {
        self.error_code = ROption::RSome(RString::from(code.into()));
        self
    }

    /// Appends a [`Diagnostic`] of `kind` with `details_json` (a JSON object text).
    pub fn with_diagnostic(mut self, kind: &str, details_json: impl Into<String>) -> Self {
        self.diagnostics.push(Diagnostic {
            kind: kind.into(),
            details_json: RString::from(details_json.into()),
        });
        self
    }

    /// The error every entry point returns when the plugin panicked inside it.
    pub fn internal_panic(entry_point: &str) -> Self {
        Self::new(
            ErrorKind::Internal,
            format!("plugin panicked in {entry_point}; the operation was abandoned"),
        )
    }
}

impl fmt::Debug for PluginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PluginError")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("retryable", &self.retryable)
            .field("status", &self.status)
            .field("request_id", &self.request_id)
            .field("error_code", &self.error_code)
            .finish()
    }
}

impl fmt::Display for PluginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PluginError {}

/// The provider's verdict on an error (ERR-10, ERR-20): may the host fail over, and is the
/// prompt too long for the model.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct ErrorClassification {
    /// Why the host may fail over to another model or provider; `None` when it should not.
    pub failover: ROption<FailoverReason_NE>,
    /// True when the prompt did not fit the model's context window.
    pub context_overflow: bool,
}
