//! SigV4 and API-key checks against requests signed by the AWS SDK's own signer, and redaction.

use super::sigv4::hmac_sha256;
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

/// Sign a request with the AWS SDK's own signer and return what the emulator checks.
fn signed(
    creds: aws_credential_types::Credentials,
    path_and_query: &str,
    body: &[u8],
) -> (http::HeaderMap, String, String) {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    let identity = creds.into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("ap-southeast-2")
        .name("bedrock")
        .time(std::time::SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let uri = format!("http://127.0.0.1:1{path_and_query}");
    let headers = [
        ("host", "127.0.0.1:1"),
        ("content-type", "application/json"),
        ("x-custom", "  a   b  "),
    ];
    let signable = SignableRequest::new(
        "POST",
        uri.as_str(),
        headers.into_iter(),
        SignableBody::Bytes(body),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut req = http::Request::post(uri.as_str()).body(()).unwrap();
    for (k, v) in headers {
        req.headers_mut().insert(k, v.parse().unwrap());
    }
    instructions.apply_to_request_http1x(&mut req);
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    (req.headers().clone(), path, query)
}

fn check(
    headers: &http::HeaderMap,
    path: &str,
    query: &str,
    body: &[u8],
    creds: &Credentials,
) -> AuthOutcome {
    verify(
        &SignedRequest {
            method: "POST",
            raw_path: path,
            raw_query: query,
            headers,
            body,
        },
        creds,
    )
}

#[test]
fn accepts_what_the_sdk_signer_signs_and_rejects_tampering() {
    let sdk = aws_credential_types::Credentials::new(
        crate::DEFAULT_ACCESS_KEY_ID,
        crate::DEFAULT_SECRET_ACCESS_KEY,
        None,
        None,
        "unit",
    );
    let body = br#"{"messages":[]}"#;
    let (headers, path, query) = signed(
        sdk,
        "/model/amazon.nova-micro-v1%3A0/converse?b=2&a=1&c=x%20y",
        body,
    );
    let ok = check(&headers, &path, &query, body, &Credentials::default());
    assert_eq!(ok.error, None);
    match ok.scheme {
        AuthScheme::SigV4 {
            region, service, ..
        } => assert_eq!(
            (region.as_str(), service.as_str()),
            ("ap-southeast-2", "bedrock")
        ),
        other => panic!("{other:?}"),
    }
    let tampered = check(&headers, &path, &query, b"{}", &Credentials::default());
    assert_eq!(
        tampered.error.map(|e| e.error_type),
        Some("InvalidSignatureException")
    );
    let reordered = check(
        &headers,
        &path,
        "a=1&b=2&c=x%20y",
        body,
        &Credentials::default(),
    );
    assert_eq!(reordered.error, None, "the canonical query is sorted");
}

#[test]
fn session_tokens_must_match_when_configured() {
    let with_token = Credentials {
        session_token: Some("tok".into()),
        ..Credentials::default()
    };
    let sdk = |token: Option<&str>| {
        aws_credential_types::Credentials::new(
            crate::DEFAULT_ACCESS_KEY_ID,
            crate::DEFAULT_SECRET_ACCESS_KEY,
            token.map(str::to_string),
            None,
            "unit",
        )
    };
    let (headers, path, query) = signed(sdk(Some("tok")), "/foundation-models", b"");
    assert_eq!(check(&headers, &path, &query, b"", &with_token).error, None);
    let (headers, path, query) = signed(sdk(Some("other")), "/foundation-models", b"");
    let wrong = check(&headers, &path, &query, b"", &with_token)
        .error
        .unwrap();
    assert_eq!(wrong.error_type, "UnrecognizedClientException");
    assert_eq!(wrong.message, MSG_INVALID_TOKEN);
}

#[test]
fn missing_and_malformed_authorization() {
    let creds = Credentials::default();
    let outcome = |authz: Option<&str>| {
        let mut headers = http::HeaderMap::new();
        if let Some(a) = authz {
            headers.insert("authorization", a.parse().unwrap());
        }
        check(&headers, "/", "", b"", &creds)
            .error
            .unwrap()
            .error_type
    };
    assert_eq!(outcome(None), "MissingAuthenticationTokenException");
    assert_eq!(outcome(Some("Bearer nope")), "AccessDeniedException");
    assert_eq!(outcome(Some("Basic abc")), "IncompleteSignatureException");
    assert_eq!(
        outcome(Some("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/x/bedrock/aws4_request, SignedHeaders=host, Signature=0")),
        "IncompleteSignatureException"
    );
    assert_eq!(
        outcome(Some("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0")),
        "InvalidSignatureException"
    );
}

#[test]
fn bearer_keys_fail_like_bedrock() {
    let creds = Credentials {
        expired_bearer_tokens: vec!["bedrock-api-key-old".into()],
        ..Credentials::default()
    };
    let error = |token: &str| bearer(token, &creds).error;
    assert_eq!(
        error(crate::DEFAULT_BEARER_TOKEN),
        None,
        "the configured key"
    );
    let e = error("ABSKwrong").unwrap();
    assert_eq!(
        (e.error_type, e.message.as_str(), e.origin),
        (
            "AccessDeniedException",
            MSG_BEARER_INVALID,
            Origin::CoralCapital
        )
    );
    assert_eq!(
        error("bedrock-api-key-wrong").unwrap().message,
        MSG_BEARER_INVALID
    );
    assert_eq!(error("nope").unwrap().message, MSG_BEARER_FORMAT);
    assert_eq!(
        error("bedrock-api-key-old").unwrap().message,
        MSG_BEARER_EXPIRED
    );
    let api = error("nope").unwrap().to_api_error();
    assert_eq!((api.status, api.origin.message_key()), (403, "Message"));
}

#[test]
fn sigv4_failures_come_from_the_coral_layer_with_lower_case_message() {
    let e = missing_authorization(&http::HeaderMap::new()).to_api_error();
    assert_eq!(e.origin, Origin::Coral);
    assert_eq!(e.origin.message_key(), "message");
    assert!(e.origin.namespace().ends_with("/com.amazon.coral.service/"));
}
