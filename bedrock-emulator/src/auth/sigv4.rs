//! AWS Signature Version 4, verified by recomputing the signature from the raw request: the path as
//! sent (re-encoded strictly), the query re-encoded and sorted, the signed headers with whitespace
//! folded, and the payload hash. Recomputing (rather than trusting a parsed form) is what catches the
//! client bugs the emulator exists to find.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};

use super::{
    err, header, AuthError, AuthOutcome, SignedRequest, MSG_BAD_SIGNATURE, MSG_INVALID_TOKEN,
};
use crate::config::Credentials;
use crate::record::AuthScheme;

/// Characters encoded in canonical URIs / queries: everything except RFC 3986 unreserved.
const STRICT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
const STRICT_PATH: &AsciiSet = &STRICT.remove(b'/');

/// The `Credential=`, `SignedHeaders=` and `Signature=` parameters of the `Authorization` header.
struct Params<'a> {
    credential: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
}

impl<'a> Params<'a> {
    fn parse(params: &'a str) -> Option<Self> {
        let mut credential = None;
        let mut signed_headers = None;
        let mut signature = None;
        for part in params.split(',') {
            let part = part.trim();
            if let Some(v) = part.strip_prefix("Credential=") {
                credential = Some(v.trim());
            } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
                signed_headers = Some(v.trim());
            } else if let Some(v) = part.strip_prefix("Signature=") {
                signature = Some(v.trim());
            }
        }
        Some(Params {
            credential: credential?,
            signed_headers: signed_headers?,
            signature: signature?,
        })
    }
}

/// The credential scope `AKID/DATE/REGION/SERVICE/aws4_request`.
struct Scope<'a> {
    access_key: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
}

impl<'a> Scope<'a> {
    fn parse(credential: &'a str) -> Option<Self> {
        let parts: Vec<&str> = credential.split('/').collect();
        match parts.as_slice() {
            [access_key, date, region, service, "aws4_request"] => Some(Scope {
                access_key,
                date,
                region,
                service,
            }),
            _ => None,
        }
    }

    /// The scope as it appears in the string to sign (without the access key).
    fn string(&self) -> String {
        format!(
            "{}/{}/{}/aws4_request",
            self.date, self.region, self.service
        )
    }
}

/// Verify an `AWS4-HMAC-SHA256 …` authorization (`params` is what follows the algorithm name).
pub(super) fn verify(
    request: &SignedRequest<'_>,
    params: &str,
    creds: &Credentials,
) -> AuthOutcome {
    let Some(params) = Params::parse(params) else {
        return AuthOutcome::anonymous(err(
            "IncompleteSignatureException",
            "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.",
        ));
    };
    let Some(scope) = Scope::parse(params.credential) else {
        return AuthOutcome::anonymous(err(
            "IncompleteSignatureException",
            format!(
                "Credential should be scoped to a valid region. Credential={}",
                params.credential
            ),
        ));
    };
    let session_token = header(request.headers, "x-amz-security-token");
    AuthOutcome {
        scheme: AuthScheme::SigV4 {
            access_key_id: scope.access_key.to_string(),
            region: scope.region.to_string(),
            service: scope.service.to_string(),
            session_token: session_token.is_some(),
        },
        error: check(request, &params, &scope, session_token, creds).err(),
    }
}

/// The checks AWS makes, in its order: key, session token, service, date header, signature.
fn check(
    request: &SignedRequest<'_>,
    params: &Params<'_>,
    scope: &Scope<'_>,
    session_token: Option<&str>,
    creds: &Credentials,
) -> Result<(), AuthError> {
    if scope.access_key != creds.access_key_id {
        return Err(err("UnrecognizedClientException", MSG_INVALID_TOKEN));
    }
    if let Some(expected) = &creds.session_token {
        if session_token != Some(expected.as_str()) {
            return Err(err("UnrecognizedClientException", MSG_INVALID_TOKEN));
        }
    }
    if scope.service != "bedrock" {
        return Err(err(
            "InvalidSignatureException",
            "Credential should be scoped to correct service: 'bedrock'.",
        ));
    }
    let Some(amz_date) = header(request.headers, "x-amz-date") else {
        return Err(err(
            "IncompleteSignatureException",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        ));
    };
    let expected = expected_signature(
        request,
        params.signed_headers,
        amz_date,
        scope,
        &creds.secret_access_key,
    );
    if expected.as_deref() != Some(params.signature) {
        return Err(err("InvalidSignatureException", MSG_BAD_SIGNATURE));
    }
    Ok(())
}

/// The signature the client should have sent, or `None` when a signed header cannot be found.
fn expected_signature(
    request: &SignedRequest<'_>,
    signed_headers: &str,
    amz_date: &str,
    scope: &Scope<'_>,
    secret: &str,
) -> Option<String> {
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{signed_headers}\n{}",
        request.method,
        canonical_uri(request.raw_path),
        canonical_query(request.raw_query),
        canonical_headers(request.headers, signed_headers)?,
        payload_hash(request.headers, request.body),
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{}\n{}",
        scope.string(),
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let key = signing_key(secret, scope);
    Some(hex::encode(hmac_sha256(&key, string_to_sign.as_bytes())))
}

fn canonical_uri(raw_path: &str) -> String {
    if raw_path.is_empty() {
        "/".to_string()
    } else {
        utf8_percent_encode(raw_path, STRICT_PATH).to_string()
    }
}

/// Query parameters decoded, re-encoded strictly and sorted.
fn canonical_query(raw_query: &str) -> String {
    let decode = |s: &str| {
        let s = s.replace('+', " ");
        percent_decode_str(&s).decode_utf8_lossy().into_owned()
    };
    let encode = |s: &str| utf8_percent_encode(&decode(s), STRICT).to_string();
    let mut params: Vec<(String, String)> = raw_query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (encode(k), encode(v))
        })
        .collect();
    params.sort();
    params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// `name:value` lines for the signed headers (values whitespace-folded, repeats comma-joined).
fn canonical_headers(headers: &http::HeaderMap, signed_headers: &str) -> Option<String> {
    let mut out = String::new();
    for name in signed_headers.split(';') {
        // HTTP/2 clients (the JavaScript SDK among them) may sign the `:authority`
        // pseudo-header instead of `host`; hyper exposes it only through the URI, which the
        // server copies into `host` before verifying.
        let lookup = if name == ":authority" { "host" } else { name };
        if lookup == "host" && headers.get("host").is_none() {
            return None;
        }
        let values: Vec<String> = headers
            .get_all(lookup)
            .iter()
            .map(|v| {
                String::from_utf8_lossy(v.as_bytes())
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        out.push_str(name);
        out.push(':');
        out.push_str(&values.join(","));
        out.push('\n');
    }
    Some(out)
}

fn payload_hash(headers: &http::HeaderMap, body: &[u8]) -> String {
    match header(headers, "x-amz-content-sha256") {
        Some(h) => h.to_string(),
        None => hex::encode(Sha256::digest(body)),
    }
}

/// `kSigning` = HMAC chain over date, region, service and `aws4_request`.
fn signing_key(secret: &str, scope: &Scope<'_>) -> [u8; 32] {
    let k_date = hmac_sha256(format!("AWS4{secret}").as_bytes(), scope.date.as_bytes());
    let k_region = hmac_sha256(&k_date, scope.region.as_bytes());
    let k_service = hmac_sha256(&k_region, scope.service.as_bytes());
    hmac_sha256(&k_service, b"aws4_request")
}

pub(super) fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
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
