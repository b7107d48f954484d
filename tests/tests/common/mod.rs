//! Shared helpers for the end-to-end tests: find the built cdylib, install it into a temporary
//! plugins dir, and write host configs that point the plugin at a local emulator.
#![allow(dead_code)]
// each test binary uses a different subset
// `HostError` carries the full load diagnosis by value; tests return it on cold paths only.
#![allow(clippy::result_large_err)]

use std::path::{Path, PathBuf};

use bedrock_emulator::{Emulator, DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY};
use host_harness::config::HostConfig;
use host_harness::host::{self, HostError, LoadedPlugin};
use serde_json::{json, Value};

pub const PLUGIN_ID: &str = "amazon-bedrock";
pub const LIBRARY: &str = "libbedrock_plugin.so";
pub const MODEL: &str = "amazon.nova-micro-v1:0";

/// The repository's manifest.json, as the install copies it.
pub fn manifest() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../manifest.json");
    let text = std::fs::read_to_string(&path).expect("manifest.json at the repo root");
    serde_json::from_str(&text).expect("manifest.json is JSON")
}

/// The cdylib cargo built for this test run (a dev-dependency, so it is always fresh).
pub fn plugin_library() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    host_harness::library_file::built_beside(&exe, LIBRARY)
        .unwrap_or_else(|| panic!("{LIBRARY} not found next to {}", exe.display()))
}

/// A temporary plugins dir holding the plugin.
pub struct Installed {
    pub dir: tempfile::TempDir,
}

impl Installed {
    pub fn plugins_dir(&self) -> PathBuf {
        self.dir.path().join("plugins")
    }

    pub fn folder(&self) -> PathBuf {
        self.plugins_dir().join(PLUGIN_ID)
    }
}

/// Installs the built library with the repository manifest (optionally edited).
pub fn install(edit_manifest: impl FnOnce(&mut Value)) -> Installed {
    let installed = Installed {
        dir: tempfile::tempdir().expect("tempdir"),
    };
    std::fs::create_dir_all(installed.folder()).expect("plugin folder");
    std::fs::copy(plugin_library(), installed.folder().join(LIBRARY)).expect("copy library");
    let mut manifest = manifest();
    edit_manifest(&mut manifest);
    std::fs::write(
        installed.folder().join("manifest.json"),
        serde_json::to_string_pretty(&manifest).expect("manifest"),
    )
    .expect("write manifest");
    installed
}

/// A host config whose plugin entry talks to `emulator` with static test keys and lists
/// `MODEL` explicitly; `plugin_config` keys are merged over the defaults.
pub fn host_config(emulator: &Emulator, plugin_config: Value) -> HostConfig {
    let mut config = json!({
        "awsAuthentication": "credentials",
        "awsAccessKey": DEFAULT_ACCESS_KEY_ID,
        "awsSecretKey": DEFAULT_SECRET_ACCESS_KEY,
        "awsRegion": "us-east-1",
        "awsBedrockEndpoint": emulator.base_url(),
        "discovery": {"enabled": false}
    });
    if let (Some(base), Some(extra)) = (config.as_object_mut(), plugin_config.as_object()) {
        for (key, value) in extra {
            base.insert(key.clone(), value.clone());
        }
    }
    HostConfig::from_value(json!({
        "plugins": {"entries": {PLUGIN_ID: {"enabled": true, "config": config}}},
        "models": {"providers": {PLUGIN_ID: {
            "api": "bedrock-converse-stream",
            "auth": "aws-sdk",
            "models": [
                {"id": MODEL, "name": "Nova Micro", "contextWindow": 128000, "maxTokens": 4096},
                {"id": "us.anthropic.claude-sonnet-4-6", "name": "Claude Sonnet 4.6", "reasoning": true,
                 "input": ["text", "image"], "cost": {"input": 3, "output": 15, "cacheRead": 0.3, "cacheWrite": 3.75},
                 "contextWindow": 1000000, "maxTokens": 64000}
            ]
        }}}
    }))
    .expect("valid host config")
}

/// Loads the installed plugin through abi_stable.
pub fn load(installed: &Installed, config: &HostConfig) -> Result<LoadedPlugin, HostError> {
    host::open(&installed.plugins_dir(), PLUGIN_ID, config)
}

/// A multi-thread runtime like a real host's.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Collects a stream's events until its terminal event.
pub async fn collect(
    mut stream: host_harness::stream::ChatEventStream,
) -> Vec<plugin_api::event::StreamEvent_NE> {
    use futures::StreamExt;
    let mut events = Vec::new();
    while let Some(event) = stream.next().await {
        events.push(event);
    }
    events
}

/// The concatenated text deltas of a stream.
pub fn text_of(events: &[plugin_api::event::StreamEvent_NE]) -> String {
    events
        .iter()
        .filter_map(|event| match event.as_enum() {
            Ok(plugin_api::event::StreamEvent::TextDelta { delta, .. }) => Some(delta.to_string()),
            _ => None,
        })
        .collect()
}

/// A one-message chat request for `model` (looked up in the explicit list when present).
pub fn chat_request(model_id: &str, prompt: &str) -> plugin_api::chat::ChatRequest {
    use plugin_api::abi_stable::std_types::{ROption, RVec};
    let mut model =
        plugin_api::model::ModelDefinition::new(model_id, PLUGIN_ID, "bedrock-converse-stream");
    model.max_tokens = 4096;
    plugin_api::chat::ChatRequest {
        model,
        system_prompt: ROption::RNone,
        messages: RVec::from(vec![plugin_api::chat::Message::user_text(prompt)]),
        tools: RVec::new(),
        options: plugin_api::chat::ChatOptions::default(),
    }
}

/// The raw AWS SDK client pointed at `emulator` with its test keys: the baseline the benches
/// measure the plugin against.
pub fn sdk_client(emulator: &Emulator) -> aws_sdk_bedrockruntime::Client {
    use aws_sdk_bedrockruntime::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_bedrockruntime::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(emulator.base_url())
        .credentials_provider(Credentials::new(
            DEFAULT_ACCESS_KEY_ID,
            DEFAULT_SECRET_ACCESS_KEY,
            None,
            None,
            "bench",
        ))
        .build();
    aws_sdk_bedrockruntime::Client::from_conf(config)
}
