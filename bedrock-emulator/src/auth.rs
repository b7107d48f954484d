//! Authentication: SigV4 verification (re-computed from the raw request, as AWS does) and Bedrock API keys.
//!
//! Any region is accepted in the credential scope (one loopback URL serves every region); the service must
//! be `bedrock`. Failures map to the 403 error types AWS returns, so SDK clients see the same errors.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};

use crate::{AuthScheme, Credentials};

/// Characters encoded in canonical URIs / queries: everything except RFC 3986 unreserved.
const STRICT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
const STRICT_PATH: &AsciiSet = &STRICT.remove(b'/');

/// An authentication failure: (error type, message), always HTTP 403.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuthError {
    pub(crate) error_type: &'static str,
    pub(crate) message: String,
}

pub(crate) const MSG_INVALID_TOKEN: &str = "The security token included in the request is invalid.";
pub(crate) const MSG_BAD_SIGNATURE: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

fn err(error_type: &'static str, message: impl Into<String>) -> AuthError {
    AuthError {
        error_type,
        message: message.into(),
    }
}

/// Result of checking a request.
pub(crate) struct AuthOutcome {
    pub(crate) scheme: AuthScheme,
    pub(crate) error: Option<AuthError>,
}

pub(crate) fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut ipad = [0x36u8; BLOCK];
    let mut opad = [0x5cu8; BLOCK];
    for i in 0..BLOCK {
        ipad[i] ^= k[i];
        opad[i] ^= k[i];
    }
    let mut inner = Sha256::new();
    inner.update(ipad);
    inner.update(data);
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(opad);
    outer.update(inner);
    outer.finalize().into()
}

fn header<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Check the request's credentials.
pub(crate) fn verify(
    method: &str,
    raw_path: &str,
    raw_query: &str,
    headers: &http::HeaderMap,
    body: &[u8],
    creds: &Credentials,
) -> AuthOutcome {
    let Some(authz) = header(headers, "authorization") else {
        if headers.get("authorization").is_some() {
            return AuthOutcome {
                scheme: AuthScheme::Anonymous,
                error: Some(err(
                    "IncompleteSignatureException",
                    "Authorization header is not valid ASCII.",
                )),
            };
        }
        return AuthOutcome {
            scheme: AuthScheme::Anonymous,
            error: Some(err(
                "MissingAuthenticationTokenException",
                "Missing Authentication Token",
            )),
        };
    };
    let authz = authz.trim();
    if let Some(token) = authz
        .strip_prefix("Bearer ")
        .or_else(|| authz.strip_prefix("bearer "))
    {
        let ok = !creds.bearer_token.is_empty() && token.trim() == creds.bearer_token;
        return AuthOutcome {
            scheme: AuthScheme::Bearer,
            error: (!ok).then(|| {
                err(
                    "AccessDeniedException",
                    "Authentication failed: Please make sure your API Key is valid.",
                )
            }),
        };
    }
    let Some(rest) = authz.strip_prefix("AWS4-HMAC-SHA256") else {
        return AuthOutcome {
            scheme: AuthScheme::Anonymous,
            error: Some(err(
                "IncompleteSignatureException",
                format!(
                    "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization={authz}"
                ),
            )),
        };
    };
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v.trim());
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed_headers = Some(v.trim());
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v.trim());
        }
    }
    let (Some(credential), Some(signed_headers), Some(signature)) =
        (credential, signed_headers, signature)
    else {
        return AuthOutcome {
            scheme: AuthScheme::Anonymous,
            error: Some(err(
                "IncompleteSignatureException",
                "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.",
            )),
        };
    };
    let scope: Vec<&str> = credential.split('/').collect();
    let session_token = header(headers, "x-amz-security-token");
    let (access_key, date, region, service) = match scope.as_slice() {
        [ak, date, region, service, "aws4_request"] => (*ak, *date, *region, *service),
        _ => {
            return AuthOutcome {
                scheme: AuthScheme::Anonymous,
                error: Some(err(
                    "IncompleteSignatureException",
                    format!(
                        "Credential should be scoped to a valid region. Credential={credential}"
                    ),
                )),
            }
        }
    };
    let scheme = AuthScheme::SigV4 {
        access_key_id: access_key.to_string(),
        region: region.to_string(),
        service: service.to_string(),
        session_token: session_token.is_some(),
    };
    let fail = |e: AuthError| AuthOutcome {
        scheme: scheme.clone(),
        error: Some(e),
    };
    if access_key != creds.access_key_id {
        return fail(err("UnrecognizedClientException", MSG_INVALID_TOKEN));
    }
    if let Some(expected) = &creds.session_token {
        if session_token != Some(expected.as_str()) {
            return fail(err("UnrecognizedClientException", MSG_INVALID_TOKEN));
        }
    }
    if service != "bedrock" {
        return fail(err(
            "InvalidSignatureException",
            "Credential should be scoped to correct service: 'bedrock'.",
        ));
    }
    let Some(amz_date) = header(headers, "x-amz-date") else {
        return fail(err(
            "IncompleteSignatureException",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        ));
    };

    let expected = match expected_signature(
        method,
        raw_path,
        raw_query,
        headers,
        body,
        signed_headers,
        amz_date,
        &format!("{date}/{region}/{service}/aws4_request"),
        date,
        region,
        service,
        &creds.secret_access_key,
    ) {
        Some(s) => s,
        None => return fail(err("InvalidSignatureException", MSG_BAD_SIGNATURE)),
    };
    if expected != signature {
        return fail(err("InvalidSignatureException", MSG_BAD_SIGNATURE));
    }
    AuthOutcome {
        scheme,
        error: None,
    }
}

#[allow(clippy::too_many_arguments)]
fn expected_signature(
    method: &str,
    raw_path: &str,
    raw_query: &str,
    headers: &http::HeaderMap,
    body: &[u8],
    signed_headers: &str,
    amz_date: &str,
    scope: &str,
    date: &str,
    region: &str,
    service: &str,
    secret: &str,
) -> Option<String> {
    let canonical_uri = if raw_path.is_empty() {
        "/".to_string()
    } else {
        utf8_percent_encode(raw_path, STRICT_PATH).to_string()
    };
    let mut params: Vec<(String, String)> = raw_query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let dec = |s: &str| {
                let s = s.replace('+', " ");
                percent_decode_str(&s).decode_utf8_lossy().into_owned()
            };
            (
                utf8_percent_encode(&dec(k), STRICT).to_string(),
                utf8_percent_encode(&dec(v), STRICT).to_string(),
            )
        })
        .collect();
    params.sort();
    let canonical_query = params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let mut canonical_headers = String::new();
    for name in signed_headers.split(';') {
        // HTTP/2 clients (the JavaScript SDK among them) may sign the `:authority`
        // pseudo-header instead of `host`; hyper exposes it only through the URI, which the
        // server copies into `host` before verifying.
        let lookup = if name == ":authority" { "host" } else { name };
        let values: Vec<String> = if lookup == "host" && headers.get("host").is_none() {
            return None;
        } else {
            headers
                .get_all(lookup)
                .iter()
                .map(|v| {
                    String::from_utf8_lossy(v.as_bytes())
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect()
        };
        canonical_headers.push_str(name);
        canonical_headers.push(':');
        canonical_headers.push_str(&values.join(","));
        canonical_headers.push('\n');
    }
    let payload_hash = match header(headers, "x-amz-content-sha256") {
        Some(h) => h.to_string(),
        None => hex::encode(Sha256::digest(body)),
    };
    let canonical_request = format!(
        "{method}\n{canonical_uri}\n{canonical_query}\n{canonical_headers}\n{signed_headers}\n{payload_hash}"
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let k_date = hmac_sha256(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac_sha256(&k_date, region.as_bytes());
    let k_service = hmac_sha256(&k_region, service.as_bytes());
    let k_signing = hmac_sha256(&k_service, b"aws4_request");
    Some(hex::encode(hmac_sha256(
        &k_signing,
        string_to_sign.as_bytes(),
    )))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn redacts_secrets() {
        assert_eq!(redact("authorization", "Bearer abc"), "Bearer <redacted>");
        assert_eq!(
            redact(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=A/x, Signature=abc"
            ),
            "AWS4-HMAC-SHA256 Credential=A/x, Signature=<redacted>"
        );
    }
}
