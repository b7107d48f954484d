//! Helpers the emulator's integration tests (and its benchmark) share: SDK clients pointed at an
//! emulator, one-message requests, and compact descriptions of stream events to assert on.

#![allow(dead_code)]

use aws_sdk_bedrockruntime::operation::converse::builders::ConverseFluentBuilder;
use aws_sdk_bedrockruntime::operation::converse::ConverseError;
use aws_sdk_bedrockruntime::operation::converse_stream::builders::ConverseStreamFluentBuilder;
use aws_sdk_bedrockruntime::operation::converse_stream::ConverseStreamOutput as StreamResponse;
use aws_sdk_bedrockruntime::types::{
    CachePointBlock, CachePointType, ContentBlock, ContentBlockDelta, ConversationRole,
    ConverseStreamOutput, Message,
};
use bedrock_emulator::{
    Emulator, EmulatorOptions, DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY,
};

pub fn creds(secret: &str) -> aws_sdk_bedrockruntime::config::Credentials {
    aws_sdk_bedrockruntime::config::Credentials::new(
        DEFAULT_ACCESS_KEY_ID,
        secret,
        None,
        None,
        "emulator-test",
    )
}

pub fn runtime_client_with(
    emu: &Emulator,
    secret: &str,
    retries: bool,
) -> aws_sdk_bedrockruntime::Client {
    let retry = if retries {
        aws_sdk_bedrockruntime::config::retry::RetryConfig::standard()
            .with_initial_backoff(std::time::Duration::from_millis(1))
    } else {
        aws_sdk_bedrockruntime::config::retry::RetryConfig::disabled()
    };
    let conf = runtime_config(emu, "eu-west-1")
        .credentials_provider(creds(secret))
        .retry_config(retry)
        .build();
    aws_sdk_bedrockruntime::Client::from_conf(conf)
}

/// A runtime client config for the emulator's endpoint in `region`; no credentials, retry policy
/// or HTTP client chosen yet.
pub fn runtime_config(
    emu: &Emulator,
    region: &'static str,
) -> aws_sdk_bedrockruntime::config::Builder {
    aws_sdk_bedrockruntime::Config::builder()
        .behavior_version(aws_sdk_bedrockruntime::config::BehaviorVersion::latest())
        .region(aws_sdk_bedrockruntime::config::Region::new(region))
        .endpoint_url(emu.base_url())
}

pub fn runtime_client(emu: &Emulator) -> aws_sdk_bedrockruntime::Client {
    runtime_client_with(emu, DEFAULT_SECRET_ACCESS_KEY, false)
}

pub fn control_client(emu: &Emulator) -> aws_sdk_bedrock::Client {
    let conf = aws_sdk_bedrock::Config::builder()
        .behavior_version(aws_sdk_bedrock::config::BehaviorVersion::latest())
        .region(aws_sdk_bedrock::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_bedrock::config::Credentials::new(
            DEFAULT_ACCESS_KEY_ID,
            DEFAULT_SECRET_ACCESS_KEY,
            None,
            None,
            "emulator-test",
        ))
        .endpoint_url(emu.base_url())
        .retry_config(aws_sdk_bedrock::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_bedrock::Client::from_conf(conf)
}

pub fn user(text: &str) -> Message {
    Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text(text.to_string()))
        .build()
        .unwrap()
}

/// An emulator with default options and a SigV4 runtime client for it.
pub fn start() -> (Emulator, aws_sdk_bedrockruntime::Client) {
    let emu = Emulator::start(EmulatorOptions::default()).unwrap();
    let client = runtime_client(&emu);
    (emu, client)
}

/// A ConverseStream request to `model` with one user message.
pub fn converse_stream(
    client: &aws_sdk_bedrockruntime::Client,
    model: &str,
    text: &str,
) -> ConverseStreamFluentBuilder {
    client
        .converse_stream()
        .model_id(model)
        .messages(user(text))
}

/// A Converse request to `model` with one user message.
pub fn converse(
    client: &aws_sdk_bedrockruntime::Client,
    model: &str,
    text: &str,
) -> ConverseFluentBuilder {
    client.converse().model_id(model).messages(user(text))
}

/// Send a Converse request that must fail; its service error.
pub async fn converse_error(request: ConverseFluentBuilder) -> ConverseError {
    request.send().await.unwrap_err().into_service_error()
}

/// A default cache point block.
pub fn cache_point() -> CachePointBlock {
    CachePointBlock::builder()
        .r#type(CachePointType::Default)
        .build()
        .unwrap()
}

/// Every event of a stream that must end cleanly, described by [`describe`].
pub async fn drain(mut out: StreamResponse) -> Vec<String> {
    let mut events = Vec::new();
    while let Some(ev) = out.stream.recv().await.expect("recv") {
        events.push(describe(&ev));
    }
    events
}

/// A compact name for each stream event, plus the text of text deltas.
pub fn describe(ev: &ConverseStreamOutput) -> String {
    match ev {
        ConverseStreamOutput::MessageStart(m) => format!("messageStart:{}", m.role().as_str()),
        ConverseStreamOutput::ContentBlockStart(s) => {
            format!("contentBlockStart:{}", s.content_block_index())
        }
        ConverseStreamOutput::ContentBlockDelta(d) => match d.delta() {
            Some(ContentBlockDelta::Text(t)) => format!("text:{t}"),
            Some(ContentBlockDelta::ToolUse(t)) => format!("toolUse:{}", t.input()),
            Some(ContentBlockDelta::ReasoningContent(_)) => "reasoning".to_string(),
            _ => "delta:other".to_string(),
        },
        ConverseStreamOutput::ContentBlockStop(s) => {
            format!("contentBlockStop:{}", s.content_block_index())
        }
        ConverseStreamOutput::MessageStop(m) => format!("messageStop:{}", m.stop_reason().as_str()),
        ConverseStreamOutput::Metadata(_) => "metadata".to_string(),
        _ => "unknown".to_string(),
    }
}

pub fn oracle_dir() -> Option<std::path::PathBuf> {
    let dir = match std::env::var_os("BEDROCK_ORACLE_DIR") {
        Some(d) => std::path::PathBuf::from(d),
        None => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/oracle"),
    };
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipping: Bedrock oracle directory {} not found",
            dir.display()
        );
        None
    }
}

/// A raw HTTP/1.1 request (no SigV4); returns (status, x-amzn-errortype, body as JSON).
pub async fn raw_request(
    emu: &Emulator,
    method: &str,
    path: &str,
    body: &str,
    bearer: Option<&str>,
) -> (u16, Option<String>, serde_json::Value) {
    use http_body_util::BodyExt;
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", emu.port()))
        .await
        .unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
            .await
            .unwrap();
    tokio::spawn(conn);
    let mut req = http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", "127.0.0.1")
        .header("content-type", "application/json");
    if let Some(b) = bearer {
        req = req.header("authorization", format!("Bearer {b}"));
    }
    let req = req
        .body(http_body_util::Full::new(bytes::Bytes::from(
            body.to_string(),
        )))
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    let status = resp.status().as_u16();
    let et = resp
        .headers()
        .get("x-amzn-errortype")
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        et,
        serde_json::from_slice(&bytes).unwrap_or_default(),
    )
}

/// A runtime client that authenticates with the Bedrock API key `token`.
pub fn bearer_client(emu: &Emulator, token: &str) -> aws_sdk_bedrockruntime::Client {
    let conf = runtime_config(emu, "us-east-1")
        .token_provider(aws_sdk_bedrockruntime::config::Token::new(token, None))
        .auth_scheme_preference([aws_smithy_runtime_api::client::auth::AuthSchemeId::from(
            "httpBearerAuth",
        )])
        .retry_config(aws_sdk_bedrockruntime::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_bedrockruntime::Client::from_conf(conf)
}
