//! Routing of the runtime and control-plane paths.

use http::Method;

use super::route::route;
use crate::record::Operation;

#[test]
fn routes_paths() {
    let (op, id) = route(
        &Method::POST,
        "/model/amazon.nova-micro-v1%3A0/converse-stream",
    );
    assert_eq!(op, Operation::ConverseStream);
    assert_eq!(id.as_deref(), Some("amazon.nova-micro-v1:0"));
    let (op, id) = route(
        &Method::POST,
        "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fabc/converse",
    );
    assert_eq!(op, Operation::Converse);
    assert_eq!(
        id.as_deref(),
        Some("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc")
    );
    assert_eq!(
        route(&Method::GET, "/inference-profiles").0,
        Operation::ListInferenceProfiles
    );
    assert_eq!(route(&Method::GET, "/nope").0, Operation::Unknown);
}

#[test]
fn routes_edge_cases() {
    let cases = [
        (
            Method::GET,
            "/foundation-models/",
            Operation::ListFoundationModels,
            None,
        ),
        (
            Method::GET,
            "/inference-profiles/us.amazon.nova-micro-v1%3A0",
            Operation::GetInferenceProfile,
            Some("us.amazon.nova-micro-v1:0"),
        ),
        (Method::GET, "/foundation-modelsX", Operation::Unknown, None),
        (Method::GET, "/model/x/converse", Operation::Unknown, None),
        (Method::PUT, "/foundation-models", Operation::Unknown, None),
        (Method::POST, "/model//converse", Operation::Unknown, None),
        (
            Method::POST,
            "/model/m/count-tokens",
            Operation::CountTokens,
            Some("m"),
        ),
        (
            Method::POST,
            "/model/m/invoke",
            Operation::InvokeModel,
            Some("m"),
        ),
    ];
    for (method, path, op, id) in cases {
        let (got_op, got_id) = route(&method, path);
        assert_eq!((got_op, got_id.as_deref()), (op, id), "{method} {path}");
    }
}

#[test]
fn br_80_br_85_account_catalog_paths() {
    let cases = [
        (
            "/foundation-model-availability/ai21.jamba-1-5-large-v1%3A0",
            Operation::GetFoundationModelAvailability,
            Some("ai21.jamba-1-5-large-v1:0"),
        ),
        ("/foundation-model-availability/", Operation::Unknown, None),
        ("/prompt-routers", Operation::ListPromptRouters, None),
        (
            "/model-customization/custom-model-deployments",
            Operation::ListCustomModelDeployments,
            None,
        ),
        (
            "/custom-models/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Acustom-model%2Fm",
            Operation::GetCustomModel,
            Some("arn:aws:bedrock:us-east-1:123456789012:custom-model/m"),
        ),
        ("/imported-models", Operation::ListImportedModels, None),
        (
            "/provisioned-model-throughputs",
            Operation::ListProvisionedModelThroughputs,
            None,
        ),
    ];
    for (path, op, id) in cases {
        assert_eq!(
            route(&Method::GET, path),
            (op, id.map(str::to_owned)),
            "{path}"
        );
    }
}

/// A TCP connection to `emu` with a read timeout as a hang guard (never reached by a passing
/// test: the server answers, closes or resets long before).
pub(super) fn connect(emu: &crate::Emulator) -> std::net::TcpStream {
    let stream = std::net::TcpStream::connect(("127.0.0.1", emu.port())).expect("connect");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .expect("read timeout");
    stream
}

/// A ConverseStream request as HTTP/1.1 bytes, authorized with the default bearer token, with
/// `fault` (if any) as its `x-emulator-fault` header.
pub(super) fn converse_stream_request(emu: &crate::Emulator, fault: Option<&str>) -> Vec<u8> {
    let body = r#"{"messages":[{"role":"user","content":[{"text":"hi"}]}]}"#;
    let fault = fault
        .map(|f| format!("x-emulator-fault: {f}\r\n"))
        .unwrap_or_default();
    format!(
        "POST /model/amazon.nova-micro-v1%3A0/converse-stream HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\n\
         authorization: Bearer {token}\r\ncontent-type: application/json\r\n{fault}\
         content-length: {len}\r\n\r\n{body}",
        port = emu.port(),
        token = crate::DEFAULT_BEARER_TOKEN,
        len = body.len(),
    )
    .into_bytes()
}
