//! BR-41: the debug logs of one request name the model, resolved model, region, endpoint host,
//! auth mode, attempt count, request id, stop reason and usage, and never the message content
//! or a secret. Its own binary, because the log bridge is process-wide and this suite needs a
//! host logger that wants debug records.

use std::sync::Mutex;

use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{RArc, RStr};
use bedrock_emulator::{
    Emulator, EmulatorOptions, DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY,
};
use bedrock_plugin::env::EnvSnapshot;
use bedrock_plugin::instance::EnvSource;
use host_harness::stream::ChatEventStream;
use plugin_api::chat::{ChatOptions, ChatRequest, Message};
use plugin_api::event::StreamEvent;
use plugin_api::host::{HostContext, HostLogger, HostLogger_TO, LogLevel, LogRecord};
use plugin_api::model::ModelDefinition;
use serde_json::json;

/// `message field=value …` of every plugin debug record.
static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

#[derive(Clone)]
struct DebugLogger;

impl HostLogger for DebugLogger {
    fn enabled(&self, level: LogLevel, target: RStr<'_>) -> bool {
        level <= LogLevel::Debug && target.as_str().starts_with("bedrock_plugin")
    }

    fn log(&self, record: &LogRecord) {
        let mut line = record.message.to_string();
        for field in record.fields.iter() {
            line.push_str(&format!(" {}={}", field.name, field.value));
        }
        if let Ok(mut lines) = LINES.lock() {
            lines.push(line);
        }
    }
}

const PROMPT: &str = "the secret plan is tangerine";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_41_debug_logs_name_the_request_but_not_its_content_or_secrets() {
    let emu = Emulator::start(EmulatorOptions::default()).expect("emulator");
    let context = HostContext {
        host_name: "debug-logs".into(),
        host_version: "0".into(),
        logger: HostLogger_TO::from_ptr(RArc::new(DebugLogger), TD_Opaque),
        host_config_json: "{}".into(),
    };
    let config = json!({
        "awsAuthentication": "credentials",
        "awsAccessKey": DEFAULT_ACCESS_KEY_ID,
        "awsSecretKey": DEFAULT_SECRET_ACCESS_KEY,
        "awsRegion": "us-east-1",
        "awsBedrockEndpoint": emu.base_url(),
        "discovery": {"enabled": false}
    });
    let plugin = bedrock_plugin::new_instance_with_env(
        context,
        &config.to_string(),
        EnvSource::Fixed(EnvSnapshot::from_pairs([
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("HOME", "/nonexistent-home"),
        ])),
    )
    .expect("instance");
    let model = ModelDefinition::new(
        "amazon.nova-micro-v1:0",
        "amazon-bedrock",
        "bedrock-converse-stream",
    );
    let request = ChatRequest {
        model,
        system_prompt: abi_stable::std_types::ROption::RNone,
        messages: abi_stable::std_types::RVec::from(vec![Message::user_text(PROMPT)]),
        tools: abi_stable::std_types::RVec::new(),
        options: ChatOptions::default(),
    };
    let handle = plugin
        .chat_provider()
        .stream_chat(request)
        .into_result()
        .expect("stream starts");
    let mut stream = ChatEventStream::new(handle);
    let mut request_id = None;
    while let Some(event) = futures::StreamExt::next(&mut stream).await {
        if let Ok(StreamEvent::Done(summary)) = event.as_enum() {
            request_id = summary
                .request_id
                .as_ref()
                .into_option()
                .map(|id| id.to_string());
        }
    }
    let request_id = request_id.expect("done with a request id");
    let lines = LINES.lock().expect("lines").clone();
    let find = |message: &str| {
        lines
            .iter()
            .find(|line| line.starts_with(message))
            .unwrap_or_else(|| panic!("no {message:?} in {lines:#?}"))
            .clone()
    };
    let host = emu.base_url().trim_start_matches("http://").to_owned();
    let sending = find("sending ConverseStream");
    for part in [
        "model=amazon.nova-micro-v1:0".to_owned(),
        "region=us-east-1".to_owned(),
        "auth_mode=credentials".to_owned(),
    ] {
        assert!(sending.contains(&part), "{part} in {sending}");
    }
    assert!(sending.contains(&host), "endpoint host {host} in {sending}");
    let response = find("ConverseStream response");
    for part in [
        format!("request_id={request_id}"),
        "stop_reason=stop".to_owned(),
        "attempt=1".to_owned(),
        "provider_stop_reason=end_turn".to_owned(),
        "input_tokens=".to_owned(),
        "output_tokens=".to_owned(),
        "resolved_model=".to_owned(),
    ] {
        assert!(response.contains(&part), "{part} in {response}");
    }
    for line in &lines {
        assert!(!line.contains("tangerine"), "content logged: {line}");
        assert!(
            !line.contains(DEFAULT_SECRET_ACCESS_KEY),
            "secret logged: {line}"
        );
    }
}
