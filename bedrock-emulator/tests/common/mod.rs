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
