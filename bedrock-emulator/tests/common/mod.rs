#![allow(dead_code)]

use aws_sdk_bedrockruntime::types::{
    ContentBlock, ContentBlockDelta, ConversationRole, ConverseStreamOutput, Message,
};
use bedrock_emulator::{Emulator, DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY};

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
    let conf = aws_sdk_bedrockruntime::Config::builder()
        .behavior_version(aws_sdk_bedrockruntime::config::BehaviorVersion::latest())
        .region(aws_sdk_bedrockruntime::config::Region::new("eu-west-1"))
        .credentials_provider(creds(secret))
        .endpoint_url(emu.base_url())
        .retry_config(retry)
        .build();
    aws_sdk_bedrockruntime::Client::from_conf(conf)
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
