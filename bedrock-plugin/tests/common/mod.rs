//! The one set of shared fixtures for the in-process suites: a recording host logger, plugin
//! instances with a fixed env snapshot, the emulator and its plugin config, catalog directories.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{RArc, RStr};
use bedrock_plugin::env::EnvSnapshot;
use bedrock_plugin::instance::EnvSource;
use host_harness::waker::PendingFuture;
use plugin_api::error::PluginError;
use plugin_api::host::{
    HostContext, HostLogger, HostLoggerBox, HostLogger_TO, LogLevel, LogRecord,
};
use plugin_api::model::{ModelDefinition, ProviderCatalog};
use plugin_api::traits::{ListModelsOptions, PluginInstanceBox};
use serde_json::Value;

/// Every plugin-side log record of this test process. The plugin's log bridge is process-wide
/// (the last installed logger wins), so all instances share this one sink and tests look for
/// messages unique to them.
static RECORDS: Mutex<Vec<(LogLevel, String)>> = Mutex::new(Vec::new());

#[derive(Clone)]
struct RecordingLogger;

impl HostLogger for RecordingLogger {
    fn enabled(&self, level: LogLevel, target: RStr<'_>) -> bool {
        level <= LogLevel::Info && target.as_str().starts_with("bedrock_plugin")
    }

    fn log(&self, record: &LogRecord) {
        // The plugin routes panics (test assertion failures included) to the host log.
        if record.level == LogLevel::Error {
            let fields: Vec<String> = record
                .fields
                .iter()
                .map(|f| format!("{}={}", f.name, f.value))
                .collect();
            eprintln!("[plugin error] {} {}", record.message, fields.join(" "));
        }
        if let Ok(mut records) = RECORDS.lock() {
            records.push((record.level, record.message.to_string()));
        }
    }
}

fn logger() -> HostLoggerBox {
    static LOGGER: OnceLock<HostLoggerBox> = OnceLock::new();
    LOGGER
        .get_or_init(|| HostLogger_TO::from_ptr(RArc::new(RecordingLogger), TD_Opaque))
        .clone()
}

/// Warnings whose message contains `needle`.
pub fn warnings_containing(needle: &str) -> Vec<String> {
    records_containing(LogLevel::Warn, needle)
}

/// Info-level records whose message contains `needle`.
pub fn infos_containing(needle: &str) -> Vec<String> {
    records_containing(LogLevel::Info, needle)
}

fn records_containing(wanted: LogLevel, needle: &str) -> Vec<String> {
    RECORDS
        .lock()
        .map(|records| {
            records
                .iter()
                .filter(|(level, message)| *level == wanted && message.contains(needle))
                .map(|(_, message)| message.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// A plugin instance with `config` (plugin config JSON), `host` (host config JSON) and a
/// fixed env snapshot.
pub fn instance(config: Value, host: Value, env: &[(&str, &str)]) -> PluginInstanceBox {
    let context = HostContext {
        host_name: "discovery-tests".into(),
        host_version: "0".into(),
        logger: logger(),
        host_config_json: host.to_string().into(),
    };
    bedrock_plugin::new_instance_with_env(
        context,
        &config.to_string(),
        EnvSource::Fixed(EnvSnapshot::from_pairs(env.iter().copied())),
    )
    .expect("instance")
}

pub async fn list(
    instance: &PluginInstanceBox,
    strict: bool,
    force_refresh: bool,
) -> Result<ProviderCatalog, PluginError> {
    PendingFuture::new(instance.discovery().list_models(ListModelsOptions {
        strict,
        force_refresh,
        extensions: Default::default(),
    }))
    .await
}

pub async fn list_strict(instance: &PluginInstanceBox) -> ProviderCatalog {
    list(instance, true, false).await.expect("strict catalog")
}

pub fn ids(catalog: &ProviderCatalog) -> Vec<String> {
    catalog.models.iter().map(|m| m.id.to_string()).collect()
}

pub fn model<'a>(catalog: &'a ProviderCatalog, id: &str) -> &'a ModelDefinition {
    catalog
        .models
        .iter()
        .find(|m| m.id.as_str() == id)
        .unwrap_or_else(|| panic!("model {id} not in {:?}", ids(catalog)))
}

pub fn input(model: &ModelDefinition) -> Vec<String> {
    model.input.iter().map(|m| m.to_string()).collect()
}

pub fn params(model: &ModelDefinition) -> Value {
    model
        .params_json
        .as_ref()
        .into_option()
        .map(|json| serde_json::from_str(json.as_str()).expect("params json"))
        .unwrap_or(Value::Null)
}

/// A model's `thinkingLevelMap` (THINK-21) as `(level, effort)` pairs in map order, `None`
/// being the map's `null`, so tests compare the whole map at once.
pub fn level_map(model: &ModelDefinition) -> Vec<(&'static str, Option<&str>)> {
    model
        .thinking_level_map
        .iter()
        .map(|entry| {
            let level = entry
                .level
                .as_enum()
                .map_or("unknown", |level| level.as_str());
            (
                level,
                entry.effort.as_ref().into_option().map(|e| e.as_str()),
            )
        })
        .collect()
}

/// A fresh empty directory under the system temp dir.
pub fn temp_dir(label: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "bedrock-plugin-{label}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A catalog directory in the real API JSON format.
pub fn catalog_dir(label: &str, models: Value, profiles: Value) -> PathBuf {
    let dir = temp_dir(label);
    std::fs::write(
        dir.join("foundation-models.json"),
        serde_json::json!({ "modelSummaries": models }).to_string(),
    )
    .expect("write models");
    std::fs::write(
        dir.join("inference-profiles.json"),
        serde_json::json!({ "inferenceProfileSummaries": profiles }).to_string(),
    )
    .expect("write profiles");
    dir
}

/// A FoundationModelSummary as Bedrock returns it.
pub fn fm(id: &str, name: &str, provider: &str, input: &[&str], output: &[&str]) -> Value {
    serde_json::json!({
        "modelArn": format!("arn:aws:bedrock:us-east-1::foundation-model/{id}"),
        "modelId": id,
        "modelName": name,
        "providerName": provider,
        "inputModalities": input,
        "outputModalities": output,
        "responseStreamingSupported": true,
        "customizationsSupported": [],
        "inferenceTypesSupported": ["ON_DEMAND"],
        "modelLifecycle": {"status": "ACTIVE"}
    })
}

/// An InferenceProfileSummary as Bedrock returns it.
pub fn profile(id: &str, name: &str, kind: &str, status: &str, model_arns: &[&str]) -> Value {
    serde_json::json!({
        "inferenceProfileName": name,
        "description": name,
        "inferenceProfileArn": format!("arn:aws:bedrock:us-east-1:123456789012:inference-profile/{id}"),
        "models": model_arns.iter().map(|arn| serde_json::json!({"modelArn": arn})).collect::<Vec<_>>(),
        "inferenceProfileId": id,
        "status": status,
        "type": kind
    })
}

pub fn write_atomically(path: &Path, contents: &str) {
    let staging = path.with_extension("staging");
    std::fs::write(&staging, contents).expect("write staging");
    std::fs::rename(&staging, path).expect("rename");
}

/// Streams a request to its end and returns every event.
pub async fn run_stream(
    instance: &plugin_api::traits::PluginInstanceBox,
    request: plugin_api::chat::ChatRequest,
) -> Vec<plugin_api::event::StreamEvent> {
    let handle = instance
        .chat_provider()
        .stream_chat(request)
        .into_result()
        .expect("stream starts");
    let mut stream = host_harness::stream::ChatEventStream::new(handle);
    let mut events = Vec::new();
    let collect = async {
        while let Some(event) = futures::StreamExt::next(&mut stream).await {
            events.push(event.as_enum().expect("known event").clone());
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(60), collect)
        .await
        .expect("stream finishes");
    events
}

/// A fresh emulator with default options (every suite's server).
pub fn emulator() -> bedrock_emulator::Emulator {
    bedrock_emulator::Emulator::start(bedrock_emulator::EmulatorOptions::default())
        .expect("emulator")
}

/// Plugin config pointing at `emu` with its static test keys and discovery off, with
/// `extra` keys merged over it.
pub fn emulator_plugin_config(emu: &bedrock_emulator::Emulator, extra: Value) -> Value {
    let mut config = serde_json::json!({
        "awsAuthentication": "credentials",
        "awsAccessKey": bedrock_emulator::DEFAULT_ACCESS_KEY_ID,
        "awsSecretKey": bedrock_emulator::DEFAULT_SECRET_ACCESS_KEY,
        "awsRegion": "us-east-1",
        "awsBedrockEndpoint": emu.base_url(),
        "discovery": {"enabled": false}
    });
    if let (Some(config), Value::Object(extra)) = (config.as_object_mut(), extra) {
        config.extend(extra);
    }
    config
}

/// A plugin instance against `emu` (static keys, discovery off, `extra` config keys merged
/// over it) with no instance metadata and no shared config files to read.
pub fn emulator_instance(emu: &bedrock_emulator::Emulator, extra: Value) -> PluginInstanceBox {
    instance(
        emulator_plugin_config(emu, extra),
        serde_json::json!({}),
        &[
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("HOME", "/nonexistent-home"),
        ],
    )
}

/// The summary of a stream that ended with `Done`.
pub fn done(events: &[plugin_api::event::StreamEvent]) -> &plugin_api::event::ResponseSummary {
    match events.last() {
        Some(plugin_api::event::StreamEvent::Done(summary)) => summary,
        other => panic!("expected done, got {other:?} in {events:?}"),
    }
}

/// The failure of a stream that ended with `Error`.
pub fn failure(events: &[plugin_api::event::StreamEvent]) -> &plugin_api::event::StreamFailure {
    match events.last() {
        Some(plugin_api::event::StreamEvent::Error(failure)) => failure,
        other => panic!("expected error, got {other:?} in {events:?}"),
    }
}

/// A host tool definition with a JSON-schema `schema`.
pub fn tool(name: &str, schema: Value) -> plugin_api::chat::ToolDefinition {
    plugin_api::chat::ToolDefinition {
        name: name.into(),
        description: abi_stable::std_types::ROption::RNone,
        parameters_json: schema.to_string().into(),
        extensions: Default::default(),
    }
}

/// A one-turn text request for `model_id` (text input, a 10000-token model limit).
pub fn text_request(model_id: &str, text: &str) -> plugin_api::chat::ChatRequest {
    use abi_stable::std_types::{ROption, RString, RVec};
    let mut model = ModelDefinition::new(model_id, "amazon-bedrock", "bedrock-converse-stream");
    model.input = RVec::from(vec![RString::from("text")]);
    model.max_tokens = 10_000;
    plugin_api::chat::ChatRequest {
        model,
        system_prompt: ROption::RNone,
        messages: RVec::from(vec![plugin_api::chat::Message::user_text(text)]),
        tools: RVec::new(),
        options: plugin_api::chat::ChatOptions::default(),
    }
}

/// The kind of each event, as the spec names them (`toolcall_delta`, `done` …).
pub fn event_names(events: &[plugin_api::event::StreamEvent]) -> Vec<&'static str> {
    use plugin_api::event::StreamEvent;
    events
        .iter()
        .map(|event| match event {
            StreamEvent::Start { .. } => "start",
            StreamEvent::TextStart { .. } => "text_start",
            StreamEvent::TextDelta { .. } => "text_delta",
            StreamEvent::TextEnd { .. } => "text_end",
            StreamEvent::ThinkingStart { .. } => "thinking_start",
            StreamEvent::ThinkingDelta { .. } => "thinking_delta",
            StreamEvent::ThinkingEnd { .. } => "thinking_end",
            StreamEvent::ToolCallStart { .. } => "toolcall_start",
            StreamEvent::ToolCallDelta { .. } => "toolcall_delta",
            StreamEvent::ToolCallEnd { .. } => "toolcall_end",
            StreamEvent::Usage(_) => "usage",
            StreamEvent::Retry(_) => "retry",
            StreamEvent::KeepAlive => "keep_alive",
            StreamEvent::Done(_) => "done",
            StreamEvent::Error(_) => "error",
            _ => "other",
        })
        .collect()
}

/// The summary's diagnostics as (kind, parsed details).
pub fn diagnostics(summary: &plugin_api::event::ResponseSummary) -> Vec<(String, Value)> {
    summary
        .diagnostics
        .iter()
        .map(|diagnostic| {
            (
                diagnostic.kind.to_string(),
                serde_json::from_str(&diagnostic.details_json).expect("details are JSON"),
            )
        })
        .collect()
}

/// The streamed answer text (every `text_delta` joined).
pub fn streamed_text(events: &[plugin_api::event::StreamEvent]) -> String {
    events
        .iter()
        .filter_map(|event| match event {
            plugin_api::event::StreamEvent::TextDelta { delta, .. } => Some(delta.as_str()),
            _ => None,
        })
        .collect()
}

/// An earlier assistant message of `model_id` (provider amazon-bedrock) with these blocks.
pub fn assistant(
    model_id: &str,
    blocks: Vec<plugin_api::chat::AssistantBlock>,
) -> plugin_api::chat::Message_NE {
    use plugin_api::chat::{AssistantBlock_NE, AssistantOrigin, Message, Message_NE};
    Message_NE::new(Message::Assistant {
        content: blocks.into_iter().map(AssistantBlock_NE::new).collect(),
        origin: AssistantOrigin {
            provider: "amazon-bedrock".into(),
            api: "bedrock-converse-stream".into(),
            model: model_id.into(),
            stop_reason: abi_stable::std_types::ROption::RNone,
        },
        runtime_context: false,
    })
}

/// A successful text result of tool call `id`.
pub fn tool_result(id: &str, name: &str, text: &str) -> plugin_api::chat::Message_NE {
    use plugin_api::chat::{ContentPart, ContentPart_NE, Message, Message_NE};
    Message_NE::new(Message::ToolResult {
        tool_call_id: id.into(),
        tool_name: name.into(),
        content: abi_stable::std_types::RVec::from(vec![ContentPart_NE::new(ContentPart::Text {
            text: text.into(),
        })]),
        is_error: false,
        runtime_context: false,
    })
}
