//! Authentication: SigV4 verification (re-computed from the raw request, as AWS does) and Bedrock API keys.
//!
//! Any region is accepted in the credential scope (one loopback URL serves every region); the service must
//! be `bedrock`. Failures map to the 403 error types AWS returns, so SDK clients see the same errors.
//! This module picks the scheme from the `Authorization` header; [`sigv4`] does the signature work.

mod sigv4;
#[cfg(test)]
mod tests;

use crate::config::Credentials;
use crate::error::{ApiError, Origin};
use crate::record::AuthScheme;

/// An authentication failure: (error type, message, answering layer), always HTTP 403.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuthError {
    pub(crate) error_type: &'static str,
    pub(crate) message: String,
    pub(crate) origin: Origin,
}

impl AuthError {
    /// The HTTP 403 answer.
    pub(crate) fn to_api_error(&self) -> ApiError {
        ApiError::new(403, self.error_type, self.message.clone()).answered_by(self.origin)
    }
}

pub(crate) const MSG_INVALID_TOKEN: &str = "The security token included in the request is invalid.";
pub(crate) const MSG_BAD_SIGNATURE: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/// Bearer-key failures (real-error-messages.md 1a–1c, H/H/M): 403 AccessDeniedException, `{"Message"}`.
pub(crate) const MSG_BEARER_INVALID: &str =
    "Authentication failed: Please make sure your API Key is valid.";
pub(crate) const MSG_BEARER_FORMAT: &str =
    "Invalid API Key format: Must start with pre-defined prefix";
pub(crate) const MSG_BEARER_EXPIRED: &str = "Bearer Token has expired";
/// The prefixes a real Bedrock API key starts with (long-term `ABSK…`, short-term `bedrock-api-key-…`).
const BEARER_PREFIXES: [&str; 2] = ["ABSK", "bedrock-api-key-"];

/// A SigV4-layer failure. The coral.service namespace for these (not only for AccessDenied) is M:
/// it is what coral services send for UnrecognizedClientException; the lower-case key is per the file.
fn err(error_type: &'static str, message: impl Into<String>) -> AuthError {
    AuthError {
        error_type,
        message: message.into(),
        origin: Origin::Coral,
    }
}

/// Result of checking a request.
pub(crate) struct AuthOutcome {
    pub(crate) scheme: AuthScheme,
    pub(crate) error: Option<AuthError>,
}

impl AuthOutcome {
    /// A failure before the request could be tied to any credentials.
    fn anonymous(error: AuthError) -> Self {
        AuthOutcome {
            scheme: AuthScheme::Anonymous,
            error: Some(error),
        }
    }
}

/// The parts of a request a signature covers.
pub(crate) struct SignedRequest<'a> {
    pub(crate) method: &'a str,
    pub(crate) raw_path: &'a str,
    pub(crate) raw_query: &'a str,
    pub(crate) headers: &'a http::HeaderMap,
    pub(crate) body: &'a [u8],
}

fn header<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Check the request's credentials.
pub(crate) fn verify(request: &SignedRequest<'_>, creds: &Credentials) -> AuthOutcome {
    let Some(authz) = header(request.headers, "authorization") else {
        return AuthOutcome::anonymous(missing_authorization(request.headers));
    };
    let authz = authz.trim();
    if let Some(token) = bearer_token(request.headers) {
        return bearer(token, creds);
    }
    match authz.strip_prefix("AWS4-HMAC-SHA256") {
        Some(params) => sigv4::verify(request, params, creds),
        None => AuthOutcome::anonymous(err(
            "IncompleteSignatureException",
            format!(
                "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization={authz}"
            ),
        )),
    }
}

/// No usable `Authorization` header: absent, or not ASCII.
fn missing_authorization(headers: &http::HeaderMap) -> AuthError {
    if headers.get("authorization").is_some() {
        err(
            "IncompleteSignatureException",
            "Authorization header is not valid ASCII.",
        )
    } else {
        err(
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        )
    }
}

/// The bearer token of a request's `Authorization` header, if it has one.
pub(crate) fn bearer_token(headers: &http::HeaderMap) -> Option<&str> {
    let authz = header(headers, "authorization")?.trim();
    authz
        .strip_prefix("Bearer ")
        .or_else(|| authz.strip_prefix("bearer "))
        .map(str::trim)
}

/// A Bedrock API key (`Authorization: Bearer …`). The configured key is accepted whatever its form
/// (the default `emulator-test-token` has no real prefix); any other key without a real prefix fails
/// the format check first, an expired one says so, and any other well-formed key is invalid.
fn bearer(token: &str, creds: &Credentials) -> AuthOutcome {
    let token = token.trim();
    let message = if !creds.bearer_token.is_empty() && token == creds.bearer_token {
        None
    } else if creds.expired_bearer_tokens.iter().any(|t| t == token) {
        Some(MSG_BEARER_EXPIRED)
    } else if BEARER_PREFIXES.iter().any(|p| token.starts_with(p)) {
        Some(MSG_BEARER_INVALID)
    } else {
        Some(MSG_BEARER_FORMAT)
    };
    AuthOutcome {
        scheme: AuthScheme::Bearer,
        error: message.map(|m| AuthError {
            error_type: "AccessDeniedException",
            message: m.to_string(),
            origin: Origin::CoralCapital,
        }),
    }
}

/// Redact secrets in a header value for the request record.
pub(crate) fn redact(name: &str, value: &str) -> String {
    match name {
        "authorization" => {
            if value.starts_with("Bearer ") || value.starts_with("bearer ") {
                "Bearer <redacted>".to_string()
            } else if let Some(idx) = value.find("Signature=") {
                format!("{}Signature=<redacted>", &value[..idx])
            } else {
                "<redacted>".to_string()
            }
        }
        "x-amz-security-token" => "<redacted>".to_string(),
        _ => value.to_string(),
    }
}
