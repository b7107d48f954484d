//! The plugin's one internal error type, and its one conversion into the host's `PluginError`.
//!
//! Failures of calls to Bedrock are kept as structured data ([`BedrockError`]) while the
//! plugin still decides what to do with them: retry (BR-10) and self-heal (BR-01..BR-05) match
//! on the exception name, kind and retryability, and read the service's own message text, but
//! never parse text the plugin formatted itself. Self-heal's additions to a message (BR-03,
//! BR-04) are kept as [`ServiceException::extensions`], not spliced into a string.
//!
//! Only at the boundary (the stream mapper's terminal event, a pending task's result) does
//! `PluginError::from` format the ERR-01 message: `<prefix>: <message><extensions>` and the
//! BR-40 ` [request id …]` suffix last, with kind, status, request id, error code and the ERR-02
//! diagnostic in their fields. The formatting is byte-identical to what hosts have always seen.

use std::sync::LazyLock;

use plugin_api::error::{ErrorKind, PluginError};
use regex_lite::Regex;

/// The diagnostic kind of a transport failure before the message stream started (ERR-02).
pub const TRANSPORT_FAILURE_DIAGNOSTIC: &str = "provider_transport_failure";
/// The `error_code` of a [`BedrockError::LimitExceeded`] failure (PLG-90..92).
pub const LIMIT_EXCEEDED_CODE: &str = "PluginLimitExceeded";
/// EVT-32: the message of a terminal error that carried none.
pub const UNKNOWN_ERROR_MESSAGE: &str = "An unknown error occurred";

/// A modelled (or coded) Bedrock exception: its name, the service's message and what the
/// plugin derived from the name (ERR-20 kind, BR-10 retryability).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceException {
    /// The exception name (`ValidationException`, `ThrottlingException`, …).
    pub name: String,
    /// Bedrock's own message text, as sent (`None` when the service sent none).
    pub message: Option<String>,
    pub status: Option<u16>,
    pub request_id: Option<String>,
    pub kind: ErrorKind,
    pub retryable: bool,
    /// Explanations the plugin adds after the service's text (BR-03/BR-04), in order.
    pub extensions: Vec<String>,
}

impl ServiceException {
    /// The exception `name` with the service's `message`: kind and retryability by name
    /// (ERR-20, BR-10), ContextOverflow when ERR-10 matches (never for rate limits, BR-13).
    pub fn new(
        name: &str,
        message: Option<&str>,
        status: Option<u16>,
        request_id: Option<&str>,
    ) -> Self {
        let (mut kind, retryable) = kind_of_exception(name);
        let text = service_text(message);
        if kind != ErrorKind::RateLimit && context_overflow_pattern(&format!("{name}: {text}")) {
            kind = ErrorKind::ContextOverflow;
        }
        Self {
            name: name.to_owned(),
            message: message.map(str::to_owned),
            status,
            request_id: request_id.filter(|id| !id.is_empty()).map(str::to_owned),
            kind,
            retryable,
            extensions: Vec::new(),
        }
    }

    /// The service's message as shown: trimmed, or EVT-32's text when there is none.
    pub fn text(&self) -> &str {
        service_text(self.message.as_deref())
    }

    /// The ERR-01 message: `<prefix>: <text><extensions>`, then ` [request id <id>]`.
    fn formatted(&self) -> String {
        let mut message = format!("{}: {}", err_01_prefix(&self.name), self.text());
        for extension in &self.extensions {
            message.push_str(extension);
        }
        if let Some(id) = &self.request_id {
            message.push_str(&format!(" [request id {id}]"));
        }
        message
    }
}

fn service_text(message: Option<&str>) -> &str {
    match message.map(str::trim) {
        Some(message) if !message.is_empty() => message,
        _ => UNKNOWN_ERROR_MESSAGE,
    }
}

/// Why a call to Bedrock failed, while the plugin still decides what to do about it.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum BedrockError {
    /// Bedrock answered with a named exception (ERR-01).
    #[error("{}", .0.formatted())]
    Service(ServiceException),
    /// Bedrock answered with an error that names no exception; the message is the SDK's.
    #[error("{message}")]
    Unnamed {
        message: String,
        status: Option<u16>,
        request_id: Option<String>,
    },
    /// Not a service answer: construction (credentials), timeout, dispatch, or a body that
    /// broke while reading it. `code` is the POSIX-style transport code when recognisable.
    #[error("{message}")]
    Transport {
        message: String,
        kind: ErrorKind,
        retryable: bool,
        code: Option<&'static str>,
        request_id: Option<String>,
        /// The failure happened before the message stream started (ERR-02 diagnostic).
        before_stream: bool,
    },
    /// BR-20: the stall guard fired after `ms` milliseconds without a Bedrock event.
    #[error("Amazon Bedrock stream stalled: no event for {ms} ms")]
    Stalled { ms: u64 },
    /// EVT-31: the caller cancelled the request.
    #[error("Request was aborted")]
    Aborted,
    /// PLG-90..92: a resource limit of the plugin was reached. `what` says what went over it;
    /// the message names the limit's config key.
    #[error("{what} is over the plugin limit {key} = {limit}; raise {key} in the amazon-bedrock plugin config")]
    LimitExceeded {
        what: String,
        key: &'static str,
        limit: u64,
        kind: ErrorKind,
        retryable: bool,
    },
    /// A failure already in the host's form, which no decision inspects: request shaping,
    /// config, credential resolution, a malformed response body.
    #[error("{}", .0.message)]
    Host(PluginError),
}

impl BedrockError {
    /// The named Bedrock exception (see [`ServiceException::new`]).
    pub fn service(
        name: &str,
        message: Option<&str>,
        status: Option<u16>,
        request_id: Option<&str>,
    ) -> Self {
        Self::Service(ServiceException::new(name, message, status, request_id))
    }

    /// The exception, when Bedrock named one.
    pub fn exception(&self) -> Option<&ServiceException> {
        match self {
            Self::Service(exception) => Some(exception),
            _ => None,
        }
    }

    /// Whether this is the named exception.
    pub fn is_exception(&self, name: &str) -> bool {
        self.exception()
            .is_some_and(|exception| exception.name == name)
    }

    /// The coarse kind the host will see.
    pub fn kind(&self) -> Option<ErrorKind> {
        match self {
            Self::Service(exception) => Some(exception.kind),
            Self::Unnamed { .. } => Some(ErrorKind::Service),
            Self::Transport { kind, .. } => Some(*kind),
            Self::Stalled { .. } => Some(ErrorKind::Timeout),
            Self::Aborted => Some(ErrorKind::Cancelled),
            Self::LimitExceeded { kind, .. } => Some(*kind),
            Self::Host(error) => error.kind(),
        }
    }

    /// BR-10: whether the failure may be retried at all.
    pub fn retryable(&self) -> bool {
        match self {
            Self::Service(exception) => exception.retryable,
            Self::Transport { retryable, .. } | Self::LimitExceeded { retryable, .. } => *retryable,
            Self::Host(error) => error.retryable,
            Self::Unnamed { .. } | Self::Stalled { .. } | Self::Aborted => false,
        }
    }

    /// Adds an explanation after the service's text (BR-03/BR-04; before the request-id
    /// suffix). Only exceptions are explained this way; other failures are left as they are.
    pub fn with_extension(mut self, extension: String) -> Self {
        if let Self::Service(exception) = &mut self {
            exception.extensions.push(extension);
        }
        self
    }

    /// PLG-25: a connection that could not be made names the endpoint it was for, since the
    /// URL came from one of several config, env and shared-config sources. Other errors are
    /// unchanged.
    pub fn with_connect_target(mut self, endpoint: &str) -> Self {
        if let Self::Transport {
            message,
            code: Some("ECONNREFUSED" | "EHOSTUNREACH" | "ENETUNREACH"),
            before_stream: true,
            ..
        } = &mut self
        {
            message.push_str(&format!(" (connecting to {endpoint})"));
        }
        self
    }

    /// Sets the request id of a failure that happened on a stream with a known id (BR-40).
    pub fn with_request_id(mut self, id: Option<&str>) -> Self {
        let id = id.filter(|id| !id.is_empty()).map(str::to_owned);
        match &mut self {
            Self::Transport { request_id, .. } | Self::Unnamed { request_id, .. }
                if id.is_some() =>
            {
                *request_id = id;
            }
            _ => {}
        }
        self
    }
}

impl From<PluginError> for BedrockError {
    fn from(error: PluginError) -> Self {
        Self::Host(error)
    }
}

/// The one conversion into the host's error (ERR-01, ERR-02, BR-40).
impl From<BedrockError> for PluginError {
    fn from(error: BedrockError) -> Self {
        let message = error.to_string();
        match error {
            BedrockError::Service(exception) => {
                let mut out = PluginError::new(exception.kind, message)
                    .with_retryable(exception.retryable)
                    .with_error_code(exception.name);
                if let Some(status) = exception.status {
                    out = out.with_status(status);
                }
                if let Some(id) = exception.request_id {
                    out = out.with_request_id(id);
                }
                out
            }
            BedrockError::Unnamed {
                status, request_id, ..
            } => {
                let mut out = PluginError::new(ErrorKind::Service, message);
                if let Some(status) = status {
                    out = out.with_status(status);
                }
                if let Some(id) = request_id {
                    out = out.with_request_id(id);
                }
                out
            }
            BedrockError::Transport {
                kind,
                retryable,
                code,
                request_id,
                before_stream,
                ..
            } => {
                let mut out = PluginError::new(kind, message);
                if retryable {
                    out = out.with_retryable(true);
                }
                if let Some(code) = code {
                    out = out.with_error_code(code);
                }
                if let Some(id) = request_id {
                    out = out.with_request_id(id);
                }
                if before_stream && matches!(kind, ErrorKind::Network | ErrorKind::Timeout) {
                    out = add_transport_diagnostic(out);
                }
                out
            }
            BedrockError::Stalled { .. } => PluginError::new(ErrorKind::Timeout, message),
            BedrockError::Aborted => PluginError::new(ErrorKind::Cancelled, message),
            BedrockError::LimitExceeded {
                kind, retryable, ..
            } => PluginError::new(kind, message)
                .with_retryable(retryable)
                .with_error_code(LIMIT_EXCEEDED_CODE),
            BedrockError::Host(error) => error,
        }
    }
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

/// ERR-10 patterns (case-insensitive, `.` spans lines), tested against `<ErrorName>: <message>`.
pub(crate) static CONTEXT_OVERFLOW_PATTERNS: LazyLock<[Regex; 3]> = LazyLock::new(|| {
    [
        r"(?is)ValidationException.*(input is too long|max input token|input token.*exceed)",
        r"(?is)ValidationException.*exceeds? the (maximum|max) (number of )?(input )?tokens",
        r"(?is)ModelStreamErrorException.*(Input is too long|too many input tokens)",
    ]
    .map(|pattern| Regex::new(pattern).expect("constant pattern compiles"))
});

/// ERR-10: whether `subject` (`<ErrorName>: <message>`) says the prompt is too long.
pub(crate) fn context_overflow_pattern(subject: &str) -> bool {
    CONTEXT_OVERFLOW_PATTERNS
        .iter()
        .any(|pattern| pattern.is_match(subject))
}

#[cfg(test)]
mod tests;
