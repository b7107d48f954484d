//! Manifest facts (MAN-01) and the generated `manifest.json`.
//!
//! The library reports the same constants after loading (MAN-04), so keeping them here
//! next to the manifest generator makes a manifest/library mismatch impossible by
//! construction as long as `manifest.json` is regenerated (the drift test enforces it).

use serde_json::{json, Map, Value};

use crate::config::{config_schema, SECRET_KEYS};

pub const PLUGIN_ID: &str = "amazon-bedrock";
pub const PROVIDER_ID: &str = "amazon-bedrock";
pub const API: &str = "bedrock-converse-stream";
pub const EMBEDDING_PROVIDER_ID: &str = "bedrock";
pub const PLUGIN_VERSION: &str = env!("CARGO_PKG_VERSION");
pub const PLUGIN_NAME: &str = "Amazon Bedrock Provider";
pub const PLUGIN_DESCRIPTION: &str =
    "Amazon Bedrock provider plugin: Converse streaming, model discovery and embeddings";
pub const ENABLED_BY_DEFAULT: bool = true;

/// Auth env markers in priority order; a group counts only when all its variables are non-blank.
pub const ENV_MARKERS: &[&[&str]] = &[
    &["AWS_BEARER_TOKEN_BEDROCK"],
    &["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
    &["AWS_PROFILE"],
];

pub const LIBRARY_LINUX: &str = "libbedrock_plugin.so";
pub const LIBRARY_MACOS: &str = "libbedrock_plugin.dylib";
pub const LIBRARY_WINDOWS: &str = "bedrock_plugin.dll";

/// Deprecated host-config location of `discovery` (MIG-01).
pub const LEGACY_DISCOVERY_PATH: &str = "models.bedrockDiscovery";

/// MAN-10 labels and help texts, in the order UIs should show them.
pub const UI_HINTS: &[(&str, &str, Option<&str>)] = &[
    ("discovery", "Model Discovery", None),
    (
        "discovery.enabled",
        "Enable Discovery",
        Some(
            "When false, the host keeps the Amazon Bedrock plugin available but skips implicit startup discovery. When true, discovery can run even without AWS auth env markers.",
        ),
    ),
    ("discovery.region", "Discovery Region", None),
    ("discovery.providerFilter", "Provider Filter", None),
    (
        "discovery.refreshInterval",
        "Discovery Refresh Interval (s)",
        None,
    ),
    (
        "discovery.defaultContextWindow",
        "Default Context Window",
        None,
    ),
    ("discovery.defaultMaxTokens", "Default Max Tokens", None),
    ("guardrail", "Guardrail", None),
    ("awsAuthentication", "AWS Authentication Mode", None),
    ("awsBedrockApiKey", "AWS Bedrock API Key", None),
    ("awsProfile", "AWS Profile", None),
    ("awsAccessKey", "AWS Access Key", None),
    ("awsSecretKey", "AWS Secret Key", None),
    ("awsSessionToken", "AWS Session Token", None),
    ("awsRegion", "AWS Region", None),
    ("awsBedrockEndpoint", "AWS Bedrock Endpoint", None),
    (
        "awsUseCrossRegionInference",
        "Use Cross-Region Inference",
        None,
    ),
    ("awsUseGlobalInference", "Use Global Inference", None),
    (
        "awsBedrockUsePromptCache",
        "Enable Bedrock Prompt Cache",
        None,
    ),
    ("reasoningEffort", "Reasoning Effort", None),
    ("thinkingBudgetTokens", "Thinking Budget Tokens", None),
    ("enable1MContext", "Enable 1M Context", None),
    ("timeouts", "Timeouts", None),
    ("retry", "Retry Policy", None),
];

/// The `uiHints` object (MAN-10, MAN-11).
pub fn ui_hints() -> Value {
    let mut hints = Map::new();
    for (path, label, help) in UI_HINTS {
        let mut hint = Map::new();
        hint.insert("label".to_string(), json!(label));
        if let Some(help) = help {
            hint.insert("help".to_string(), json!(help));
        }
        if SECRET_KEYS.contains(path) {
            hint.insert("sensitive".to_string(), json!(true));
        }
        hints.insert((*path).to_string(), Value::Object(hint));
    }
    Value::Object(hints)
}

/// The complete manifest, keys in MAN-01 table order.
pub fn manifest_json() -> Value {
    json!({
        "id": PLUGIN_ID,
        "name": PLUGIN_NAME,
        "description": PLUGIN_DESCRIPTION,
        "version": PLUGIN_VERSION,
        "enabledByDefault": ENABLED_BY_DEFAULT,
        "providers": [PROVIDER_ID],
        "api": API,
        "embeddingProviders": [EMBEDDING_PROVIDER_ID],
        "envMarkers": ENV_MARKERS,
        "library": {
            "linux": LIBRARY_LINUX,
            "macos": LIBRARY_MACOS,
            "windows": LIBRARY_WINDOWS,
        },
        "configSchema": config_schema(),
        "configContracts": {
            "compatibilityMigrationPaths": [LEGACY_DISCOVERY_PATH],
        },
        "uiHints": ui_hints(),
    })
}

/// `manifest.json` as written to disk: 2-space pretty JSON plus a trailing newline, so the
/// file is stable under regeneration and diffs cleanly.
pub fn manifest_json_string() -> String {
    let mut text = serde_json::to_string_pretty(&manifest_json())
        .unwrap_or_else(|err| format!("{{\"error\": \"{err}\"}}"));
    text.push('\n');
    text
}
