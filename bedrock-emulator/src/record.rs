//! Request recording for introspection: every request is kept (secrets redacted) so tests can assert
//! exactly what a client sent; runtime streams additionally get an outcome ([`StreamOutcome`]).
//!
//! These are the public types a caller reads back; the server fills them in as it goes.

use crate::shared::Shared;

/// The operation a request was routed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    ListFoundationModels,
    GetFoundationModel,
    ListInferenceProfiles,
    GetInferenceProfile,
    /// `GET /foundation-model-availability/{modelId}` (BR-80).
    GetFoundationModelAvailability,
    /// `GET /prompt-routers`.
    ListPromptRouters,
    /// `GET /model-customization/custom-model-deployments`.
    ListCustomModelDeployments,
    /// `GET /custom-models/{modelIdentifier}`.
    GetCustomModel,
    /// `GET /imported-models`.
    ListImportedModels,
    /// `GET /provisioned-model-throughputs`.
    ListProvisionedModelThroughputs,
    ConverseStream,
    Converse,
    InvokeModel,
    CountTokens,
    ApplyGuardrail,
    Unknown,
}

/// How a runtime response stream ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamOutcome {
    /// Every event was written and the body ended.
    Completed,
    /// The client went away (dropped the body / closed the connection) before the end.
    ClientDisconnected,
    /// A fault cut the stream (disconnect, in-stream exception, bad CRC).
    FaultInjected,
}

/// How a request authenticated.
#[derive(Clone, Debug)]
pub enum AuthScheme {
    SigV4 {
        access_key_id: String,
        region: String,
        service: String,
        session_token: bool,
    },
    Bearer,
    Anonymous,
}

/// One request as the emulator saw it.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    pub id: u64,
    /// `HTTP/1.1` or `HTTP/2.0`.
    pub http_version: String,
    pub method: String,
    /// Raw path, as sent (still percent-encoded).
    pub path: String,
    pub query: String,
    /// Header names lower-cased; `authorization` signature / bearer token and `x-amz-security-token` redacted.
    pub headers: Vec<(String, String)>,
    pub auth: AuthScheme,
    pub authorized: bool,
    pub operation: Operation,
    /// Percent-decoded model id / identifier from the path (for ApplyGuardrail the guardrail id).
    pub model_id: Option<String>,
    pub body: Vec<u8>,
    pub status: u16,
}

impl RecordedRequest {
    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// First value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Headers in arrival order, names lower-cased, secrets redacted.
pub(crate) fn redacted_headers(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            let name = k.as_str().to_string();
            let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
            let value = crate::auth::redact(&name, &value);
            (name, value)
        })
        .collect()
}

/// Store a finished request record.
pub(crate) fn push(shared: &Shared, record: RecordedRequest) {
    if let Ok(mut r) = shared.records.lock() {
        r.push(record);
    }
}
