//! manifest.json drift check (MAN-06), schema shape (MAN-01/10/11, CFG-*) and config
//! parsing/secret handling (CFG-01..05).

use std::collections::HashMap;
use std::time::Duration;

use bedrock_plugin::config::{
    config_schema, AuthMode, GuardrailTrace, PluginConfig, ReasoningEffort, Secret, SecretString,
    StreamProcessingMode, ALLOWED_SCHEMA_KEYWORDS, ENDPOINT_PATTERN, ENDPOINT_USERINFO_MESSAGE,
    ENV_VAR_ID_PATTERN, GUARDRAIL_VERSION_PATTERN, REGION_PATTERN,
};
use bedrock_plugin::manifest::{
    manifest_json, manifest_json_string, API, EMBEDDING_PROVIDER_ID, PLUGIN_ID, PLUGIN_VERSION,
    PROVIDER_ID,
};
use serde_json::{json, Value};

const MANIFEST_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../manifest.json");

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k| map.get(k).cloned()
}

fn no_env(_: &str) -> Option<String> {
    None
}

// ---------------------------------------------------------------- manifest drift

#[test]
fn manifest_json_matches_config_types() {
    let text = std::fs::read_to_string(MANIFEST_PATH).unwrap_or_else(|e| {
        panic!("cannot read {MANIFEST_PATH}: {e}; run `cargo run -p bedrock-plugin --bin gen-manifest-schema -- --write`")
    });
    let on_disk: Value = serde_json::from_str(&text).expect("manifest.json is valid JSON");
    assert!(
        on_disk == manifest_json(),
        "manifest.json is out of date with the config types; run `cargo run -p bedrock-plugin --bin gen-manifest-schema -- --write`"
    );
}

#[test]
fn man_06_manifest_file_is_pretty_printed_with_trailing_newline() {
    let text = std::fs::read_to_string(MANIFEST_PATH).expect("manifest.json exists");
    assert_eq!(
        text,
        manifest_json_string(),
        "manifest.json formatting differs; run `cargo run -p bedrock-plugin --bin gen-manifest-schema -- --write`"
    );
    assert!(text.ends_with("}\n"));
    assert!(text.starts_with("{\n  \"id\": "));
}

// ---------------------------------------------------------------- MAN-01 / 10 / 11

#[test]
fn man_01_top_level_keys_in_table_order() {
    let m = manifest_json();
    let keys: Vec<&str> = m.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "id",
            "name",
            "description",
            "version",
            "enabledByDefault",
            "providers",
            "api",
            "embeddingProviders",
            "envMarkers",
            "library",
            "configSchema",
            "configContracts",
            "uiHints"
        ]
    );
}

#[test]
fn man_01_fixed_values() {
    let m = manifest_json();
    assert_eq!(m["id"], "amazon-bedrock");
    assert_eq!(m["name"], "Amazon Bedrock Provider");
    assert_eq!(
        m["description"],
        "Amazon Bedrock provider plugin: Converse streaming, model discovery and embeddings"
    );
    assert_eq!(m["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(m["enabledByDefault"], true);
    assert_eq!(m["providers"], json!(["amazon-bedrock"]));
    assert_eq!(m["api"], "bedrock-converse-stream");
    assert_eq!(m["embeddingProviders"], json!(["bedrock"]));
    assert_eq!(
        m["envMarkers"],
        json!([
            ["AWS_BEARER_TOKEN_BEDROCK"],
            ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
            ["AWS_PROFILE"]
        ])
    );
    assert_eq!(
        m["library"],
        json!({"linux": "libbedrock_plugin.so", "macos": "libbedrock_plugin.dylib", "windows": "bedrock_plugin.dll"})
    );
    assert_eq!(
        m["configContracts"],
        json!({"compatibilityMigrationPaths": ["models.bedrockDiscovery"]})
    );
    assert_eq!(m["configSchema"], config_schema());
}

#[test]
fn man_04_constants_match_manifest() {
    assert_eq!(PLUGIN_ID, "amazon-bedrock");
    assert_eq!(PROVIDER_ID, "amazon-bedrock");
    assert_eq!(API, "bedrock-converse-stream");
    assert_eq!(EMBEDDING_PROVIDER_ID, "bedrock");
    assert_eq!(PLUGIN_VERSION, env!("CARGO_PKG_VERSION"));
}

#[test]
fn man_10_ui_hints_exact_labels() {
    let expected = json!({
        "discovery": {"label": "Model Discovery"},
        "discovery.enabled": {"label": "Enable Discovery", "help": "When false, the host keeps the Amazon Bedrock plugin available but skips implicit startup discovery. When true, discovery can run even without AWS auth env markers."},
        "discovery.region": {"label": "Discovery Region"},
        "discovery.providerFilter": {"label": "Provider Filter"},
        "discovery.refreshInterval": {"label": "Discovery Refresh Interval (s)"},
        "discovery.defaultContextWindow": {"label": "Default Context Window"},
        "discovery.defaultMaxTokens": {"label": "Default Max Tokens"},
        "guardrail": {"label": "Guardrail"},
        "awsAuthentication": {"label": "AWS Authentication Mode"},
        "awsBedrockApiKey": {"label": "AWS Bedrock API Key", "sensitive": true},
        "awsProfile": {"label": "AWS Profile"},
        "awsAccessKey": {"label": "AWS Access Key", "sensitive": true},
        "awsSecretKey": {"label": "AWS Secret Key", "sensitive": true},
        "awsSessionToken": {"label": "AWS Session Token", "sensitive": true},
        "awsRegion": {"label": "AWS Region"},
        "awsBedrockEndpoint": {"label": "AWS Bedrock Endpoint"},
        "awsUseCrossRegionInference": {"label": "Use Cross-Region Inference"},
        "awsUseGlobalInference": {"label": "Use Global Inference"},
        "awsBedrockUsePromptCache": {"label": "Enable Bedrock Prompt Cache"},
        "reasoningEffort": {"label": "Reasoning Effort"},
        "thinkingBudgetTokens": {"label": "Thinking Budget Tokens"},
        "enable1MContext": {"label": "Enable 1M Context"},
        "timeouts": {"label": "Timeouts"},
        "retry": {"label": "Retry Policy"}
    });
    assert_eq!(manifest_json()["uiHints"], expected);
}

#[test]
fn man_11_only_secret_keys_are_sensitive() {
    let hints = manifest_json()["uiHints"].clone();
    let sensitive: Vec<&String> = hints
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, h)| h.get("sensitive") == Some(&json!(true)))
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        sensitive,
        [
            "awsBedrockApiKey",
            "awsAccessKey",
            "awsSecretKey",
            "awsSessionToken"
        ]
    );
}

// ---------------------------------------------------------------- schema shape

fn walk_schemas<'a>(schema: &'a Value, path: String, out: &mut Vec<(String, &'a Value)>) {
    out.push((path.clone(), schema));
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            walk_schemas(v, format!("{path}.{k}"), out);
        }
    }
    if let Some(items) = schema.get("items") {
        walk_schemas(items, format!("{path}[]"), out);
    }
    if let Some(branches) = schema.get("oneOf").and_then(Value::as_array) {
        for (i, b) in branches.iter().enumerate() {
            walk_schemas(b, format!("{path}/oneOf{i}"), out);
        }
    }
}

fn all_schemas(schema: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    walk_schemas(schema, "$".to_string(), &mut out);
    out
}

#[test]
fn man_01_schema_uses_only_allowed_keywords() {
    let schema = config_schema();
    for (path, s) in all_schemas(&schema) {
        for key in s.as_object().unwrap().keys() {
            assert!(
                ALLOWED_SCHEMA_KEYWORDS.contains(&key.as_str()),
                "{path} uses keyword {key:?} outside the MAN-01 subset"
            );
        }
    }
    let text = schema.to_string();
    for banned in [
        "$ref",
        "$defs",
        "$schema",
        "\"title\"",
        "\"format\"",
        "null",
        "anyOf",
    ] {
        assert!(!text.contains(banned), "schema contains {banned}");
    }
}

#[test]
fn cfg_schema_every_object_has_additional_properties_false() {
    let schema = config_schema();
    let mut objects = 0;
    for (path, s) in all_schemas(&schema) {
        if s.get("type") == Some(&json!("object")) {
            objects += 1;
            assert_eq!(
                s.get("additionalProperties"),
                Some(&json!(false)),
                "{path} lacks additionalProperties: false"
            );
        }
    }
    // root, discovery, guardrail, timeouts, retry, limits (PLG-90), 4 secret env-ref branches
    assert_eq!(objects, 10);
}

#[test]
fn cfg_schema_has_no_root_required_and_guardrail_requires_both_keys() {
    let schema = config_schema();
    assert!(schema.get("required").is_none());
    assert_eq!(
        schema["properties"]["guardrail"]["required"],
        json!(["guardrailIdentifier", "guardrailVersion"])
    );
    for key in ["discovery", "timeouts", "retry", "limits"] {
        assert!(schema["properties"][key].get("required").is_none(), "{key}");
    }
}

#[test]
fn cfg_schema_property_order_matches_spec_table() {
    let schema = config_schema();
    let keys: Vec<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "discovery",
            "guardrail",
            "awsAuthentication",
            "awsBedrockApiKey",
            "awsProfile",
            "awsAccessKey",
            "awsSecretKey",
            "awsSessionToken",
            "awsRegion",
            "awsBedrockEndpoint",
            "awsBedrockControlPlaneEndpoint",
            "awsUseCrossRegionInference",
            "awsUseGlobalInference",
            "awsBedrockUsePromptCache",
            "reasoningEffort",
            "thinkingBudgetTokens",
            "requestMaxTokens",
            "enable1MContext",
            "timeouts",
            "retry",
            "limits"
        ]
    );
}

/// Strips `description` so constraint comparisons don't depend on the prose.
fn constraints(schema: &Value) -> Value {
    match schema {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| k.as_str() != "description")
                .map(|(k, v)| (k.clone(), constraints(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(constraints).collect()),
        other => other.clone(),
    }
}

#[test]
fn ex_i17_cfg_schema_constraints_match_spec_table() {
    let s = constraints(&config_schema());
    let p = &s["properties"];
    let d = &p["discovery"]["properties"];
    assert_eq!(d["enabled"], json!({"type": "boolean"}));
    assert_eq!(
        d["region"],
        json!({"type": "string", "pattern": REGION_PATTERN})
    );
    assert_eq!(
        d["providerFilter"],
        json!({"type": "array", "items": {"type": "string", "minLength": 1}})
    );
    assert_eq!(
        d["refreshInterval"],
        json!({"type": "integer", "minimum": 0, "maximum": 31536000, "default": 3600})
    );
    assert_eq!(
        d["defaultContextWindow"],
        json!({"type": "integer", "minimum": 1, "maximum": 100000000, "default": 32000})
    );
    assert_eq!(
        d["defaultMaxTokens"],
        json!({"type": "integer", "minimum": 1, "maximum": 1000000, "default": 4096})
    );
    let g = &p["guardrail"]["properties"];
    assert_eq!(
        g["guardrailIdentifier"],
        json!({"type": "string", "minLength": 1})
    );
    assert_eq!(
        g["guardrailVersion"],
        json!({"type": "string", "pattern": "^(DRAFT|[1-9][0-9]{0,7})$"})
    );
    assert_eq!(
        g["streamProcessingMode"],
        json!({"type": "string", "enum": ["sync", "async"]})
    );
    assert_eq!(
        g["trace"],
        json!({"type": "string", "enum": ["enabled", "disabled", "enabled_full"]})
    );
    assert_eq!(
        g["latestMessageOnly"],
        json!({"type": "boolean", "default": false})
    );
    assert_eq!(
        p["awsAuthentication"],
        json!({"type": "string", "enum": ["apikey", "profile", "credentials", "default"]})
    );
    assert_eq!(p["awsProfile"], json!({"type": "string", "minLength": 1}));
    assert_eq!(
        p["awsRegion"],
        json!({"type": "string", "pattern": "^[a-z]{2,4}(-[a-z]+)+-[0-9]+$"})
    );
    for key in ["awsBedrockEndpoint", "awsBedrockControlPlaneEndpoint"] {
        // The spec's pattern, plus PLG-12's userinfo rule as a one-branch `oneOf`.
        assert_eq!(
            p[key],
            json!({"type": "string", "pattern": "^https?://[^\\s/?#]+", "oneOf": [{
                "pattern": "^[^@]*$|^https?://[^/?#@]*[/?#]"
            }]}),
            "{key}"
        );
        // The branch's description is the reason the host reports.
        assert_eq!(
            config_schema()["properties"][key]["oneOf"][0]["description"],
            json!(ENDPOINT_USERINFO_MESSAGE),
            "{key}"
        );
    }
    for (key, default) in [
        ("awsUseCrossRegionInference", true),
        ("awsUseGlobalInference", true),
        ("awsBedrockUsePromptCache", true),
        ("enable1MContext", false),
    ] {
        assert_eq!(
            p[key],
            json!({"type": "boolean", "default": default}),
            "{key}"
        );
    }
    assert_eq!(
        p["reasoningEffort"],
        json!({"type": "string", "enum": ["none", "low", "medium", "high"]})
    );
    assert_eq!(
        p["thinkingBudgetTokens"],
        json!({"type": "integer", "minimum": 0, "maximum": 1000000})
    );
    assert_eq!(
        p["requestMaxTokens"],
        json!({"type": "integer", "minimum": 1, "maximum": 1000000, "default": 32000})
    );
    let t = &p["timeouts"]["properties"];
    assert_eq!(
        t["connectMs"],
        json!({"type": "integer", "minimum": 100, "maximum": 600000, "default": 10000})
    );
    assert_eq!(
        t["streamIdleMs"],
        json!({"type": "integer", "minimum": 1000, "maximum": 3600000, "default": 300000})
    );
    let r = &p["retry"]["properties"];
    assert_eq!(
        r["maxAttempts"],
        json!({"type": "integer", "minimum": 1, "maximum": 10, "default": 4})
    );
    assert_eq!(
        r["baseDelayMs"],
        json!({"type": "integer", "minimum": 0, "maximum": 600000, "default": 1000})
    );
    assert_eq!(
        r["maxDelayMs"],
        json!({"type": "integer", "minimum": 0, "maximum": 3600000, "default": 30000})
    );
    assert_eq!(
        r["failoverMemoryMs"],
        json!({"type": "integer", "minimum": 0, "maximum": 86400000, "default": 300000})
    );
    assert_eq!(r["selfHeal"], json!({"type": "boolean", "default": true}));
}

#[test]
fn cfg_06_aws_region_has_no_default() {
    let schema = config_schema();
    assert!(schema["properties"]["awsRegion"].get("default").is_none());
}

#[test]
fn cfg_01_secret_schema_is_string_or_env_reference() {
    let s = constraints(&config_schema());
    let expected = json!({"oneOf": [
        {"type": "string", "minLength": 1},
        {"type": "object", "required": ["source", "id"], "properties": {
            "source": {"const": "env"},
            "provider": {"type": "string"},
            "id": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}
        }, "additionalProperties": false}
    ]});
    for key in [
        "awsBedrockApiKey",
        "awsAccessKey",
        "awsSecretKey",
        "awsSessionToken",
    ] {
        assert_eq!(s["properties"][key], expected, "{key}");
    }
}

#[test]
fn cfg_schema_every_property_has_a_description() {
    let schema = config_schema();
    for (path, s) in all_schemas(&schema) {
        let is_property = !path.contains("oneOf") && !path.ends_with("[]");
        if is_property {
            let desc = s.get("description").and_then(Value::as_str);
            assert!(
                desc.is_some_and(|d| !d.trim().is_empty()),
                "{path} has no description"
            );
        }
    }
}

#[test]
fn cfg_patterns_compile_and_accept_spec_examples() {
    let region = regex_lite::Regex::new(REGION_PATTERN).unwrap();
    for ok in [
        "us-east-1",
        "us-gov-west-1",
        "us-isob-east-1",
        "eusc-de-east-1",
        "ap-southeast-2",
    ] {
        assert!(region.is_match(ok), "{ok}");
    }
    for bad in ["US-EAST-1", "useast1", "us-east", ""] {
        assert!(!region.is_match(bad), "{bad}");
    }
    let endpoint = regex_lite::Regex::new(ENDPOINT_PATTERN).unwrap();
    for ok in [
        "https://bedrock-proxy.example",
        "http://127.0.0.1:4566",
        "https://proxy.example/bedrock",
    ] {
        assert!(endpoint.is_match(ok), "{ok}");
    }
    for bad in ["ftp://x", "bedrock.example", "https://", "https:// x"] {
        assert!(!endpoint.is_match(bad), "{bad}");
    }
    let version = regex_lite::Regex::new(GUARDRAIL_VERSION_PATTERN).unwrap();
    for ok in ["DRAFT", "1", "7", "12345678"] {
        assert!(version.is_match(ok), "{ok}");
    }
    for bad in ["0", "draft", "123456789", "1.0", ""] {
        assert!(!version.is_match(bad), "{bad}");
    }
    let id = regex_lite::Regex::new(ENV_VAR_ID_PATTERN).unwrap();
    assert!(id.is_match("TEAM_BEDROCK_KEY"));
    assert!(!id.is_match("1BAD"));
    assert!(!id.is_match("A-B"));
}

// ---------------------------------------------------------------- parsing and defaults

#[test]
fn cfg_05_empty_config_yields_spec_defaults() {
    let c = PluginConfig::from_json(&json!({})).unwrap();
    assert_eq!(c, PluginConfig::default());
    assert_eq!(c.refresh_interval_secs(), 3600);
    assert_eq!(c.default_context_window(), 32000);
    assert_eq!(c.default_max_tokens(), 4096);
    assert_eq!(c.connect_timeout(), Duration::from_millis(10_000));
    assert_eq!(c.stream_idle_timeout(), Duration::from_millis(300_000));
    assert_eq!(c.retry_max_attempts(), 4);
    assert_eq!(c.retry_base_delay(), Duration::from_millis(1000));
    assert_eq!(c.retry_max_delay(), Duration::from_millis(30_000));
    assert!(c.retry_self_heal());
    assert!(c.use_cross_region_inference());
    assert!(c.use_global_inference());
    assert!(c.use_prompt_cache());
    assert!(!c.enable_1m_context());
    assert_eq!(c.discovery_enabled(), None);
    assert!(c.provider_filter().is_empty());
    assert_eq!(c.aws_region, None);
}

#[test]
fn cfg_05_explicit_values_override_defaults() {
    let c = PluginConfig::from_json(&json!({
        "discovery": {"enabled": false, "region": "eu-west-1", "providerFilter": ["anthropic"],
                      "refreshInterval": 0, "defaultContextWindow": 8000, "defaultMaxTokens": 1024},
        "guardrail": {"guardrailIdentifier": "abc123", "guardrailVersion": "DRAFT",
                      "streamProcessingMode": "async", "trace": "enabled_full"},
        "awsAuthentication": "profile",
        "awsProfile": "prod",
        "awsRegion": "us-gov-west-1",
        "awsBedrockEndpoint": "http://127.0.0.1:4566",
        "awsUseCrossRegionInference": false,
        "awsUseGlobalInference": false,
        "awsBedrockUsePromptCache": false,
        "reasoningEffort": "none",
        "thinkingBudgetTokens": 0,
        "enable1MContext": true,
        "timeouts": {"connectMs": 100, "streamIdleMs": 1000},
        "retry": {"maxAttempts": 1, "baseDelayMs": 0, "maxDelayMs": 0, "selfHeal": false}
    }))
    .unwrap();
    assert_eq!(c.discovery_enabled(), Some(false));
    assert_eq!(c.discovery_region(), Some("eu-west-1"));
    assert_eq!(c.provider_filter(), ["anthropic".to_string()]);
    assert_eq!(c.refresh_interval_secs(), 0);
    assert_eq!(c.default_context_window(), 8000);
    assert_eq!(c.default_max_tokens(), 1024);
    let g = c.guardrail.as_ref().unwrap();
    assert_eq!(g.guardrail_identifier, "abc123");
    assert_eq!(g.guardrail_version, "DRAFT");
    assert_eq!(g.stream_processing_mode, Some(StreamProcessingMode::Async));
    assert_eq!(g.trace.map(GuardrailTrace::as_str), Some("enabled_full"));
    assert_eq!(c.aws_authentication, Some(AuthMode::Profile));
    assert_eq!(c.reasoning_effort, Some(ReasoningEffort::None));
    assert!(!c.use_cross_region_inference());
    assert!(!c.use_global_inference());
    assert!(!c.use_prompt_cache());
    assert!(c.enable_1m_context());
    assert_eq!(c.connect_timeout(), Duration::from_millis(100));
    assert_eq!(c.stream_idle_timeout(), Duration::from_millis(1000));
    let r = c.retry_policy();
    assert_eq!(r.max_attempts, 1);
    assert_eq!(r.base_delay, Duration::ZERO);
    assert_eq!(r.max_delay, Duration::ZERO);
    assert!(!r.self_heal);
}

fn parse_err(v: Value) -> (String, String) {
    let e = PluginConfig::from_json(&v).unwrap_err();
    (e.path().to_string(), e.message().to_string())
}

#[test]
fn cfg_10_from_json_names_the_field_path() {
    let (path, msg) = parse_err(json!({"discovery": {"refreshIntervl": 60}}));
    assert_eq!(path, "discovery.refreshIntervl");
    assert_eq!(msg, "unknown property \"refreshIntervl\"");

    let (path, _) = parse_err(json!({"discovery": {"providerFilter": ["anthropic", 3]}}));
    assert_eq!(path, "discovery.providerFilter[1]");

    let (path, msg) = parse_err(json!({"guardrail": {"guardrailIdentifier": "abc123"}}));
    assert_eq!(path, "guardrail");
    assert_eq!(msg, "missing required property \"guardrailVersion\"");

    let (path, _) = parse_err(json!({"awsAuthentication": "sso"}));
    assert_eq!(path, "awsAuthentication");

    let (path, msg) = parse_err(json!({"timeouts": {"streamIdleMs": 0}}));
    assert_eq!(
        (path.as_str(), msg.as_str()),
        ("timeouts.streamIdleMs", "must be >= 1000")
    );

    let (path, msg) = parse_err(json!({"retry": {"maxAttempts": 11}}));
    assert_eq!(
        (path.as_str(), msg.as_str()),
        ("retry.maxAttempts", "must be <= 10")
    );

    let (path, msg) = parse_err(json!({"awsRegion": "US-EAST-1"}));
    assert_eq!(path, "awsRegion");
    assert_eq!(msg, "must match pattern \"^[a-z]{2,4}(-[a-z]+)+-[0-9]+$\"");

    let (path, msg) = parse_err(json!({"awsProfile": ""}));
    assert_eq!(
        (path.as_str(), msg.as_str()),
        ("awsProfile", "must not be empty")
    );

    let (path, _) =
        parse_err(json!({"guardrail": {"guardrailIdentifier": "g", "guardrailVersion": "0"}}));
    assert_eq!(path, "guardrail.guardrailVersion");

    let (path, _) = parse_err(json!({"awsBedrockEndpoint": "bedrock.example"}));
    assert_eq!(path, "awsBedrockEndpoint");

    let e = PluginConfig::from_json(&json!({"bearerToken": "x"})).unwrap_err();
    assert_eq!(e.path(), "bearerToken");
    assert!(e
        .to_string()
        .starts_with("invalid config for plugin amazon-bedrock at plugins.entries.amazon-bedrock.config.bearerToken: "));
}

#[test]
fn cfg_10_from_json_rejects_wrong_types_and_non_integers() {
    assert_eq!(
        parse_err(json!({"discovery": {"enabled": "yes"}})).0,
        "discovery.enabled"
    );
    assert_eq!(
        parse_err(json!({"discovery": {"refreshInterval": 1.5}})).0,
        "discovery.refreshInterval"
    );
    assert_eq!(
        parse_err(json!({"discovery": {"refreshInterval": -1}})).0,
        "discovery.refreshInterval"
    );
    assert_eq!(
        parse_err(json!({"discovery": {"defaultMaxTokens": 0}})).0,
        "discovery.defaultMaxTokens"
    );
    assert_eq!(parse_err(json!({"guardrail": {"guardrailIdentifier": "a", "guardrailVersion": "1", "trace": "full"}})).0, "guardrail.trace");
    assert_eq!(
        parse_err(json!([])),
        (String::new(), "expected object, got array".to_string())
    );
    assert_eq!(
        parse_err(json!({"discovery": []})),
        (
            "discovery".to_string(),
            "expected object, got array".to_string()
        )
    );
    assert_eq!(parse_err(json!({"retry": null})).0, "retry");
}

// ---------------------------------------------------------------- secrets

#[test]
fn cfg_01_secret_literal_and_env_reference_parse() {
    let c = PluginConfig::from_json(&json!({
        "awsBedrockApiKey": "  tok  ",
        "awsAccessKey": {"source": "env", "id": "MY_KEY_ID"},
        "awsSecretKey": {"source": "env", "id": "MY_SECRET", "provider": "default"},
    }))
    .unwrap();
    let key = c.aws_bedrock_api_key.as_ref().unwrap();
    assert_eq!(key.resolve(&no_env).unwrap().expose(), "tok");
    assert_eq!(
        c.aws_access_key,
        Some(Secret::Env {
            id: "MY_KEY_ID".into(),
            provider: None
        })
    );
    assert_eq!(
        c.aws_secret_key,
        Some(Secret::Env {
            id: "MY_SECRET".into(),
            provider: Some("default".into())
        })
    );
}

#[test]
fn cfg_01_secret_rejects_other_sources_and_bad_ids() {
    for bad in [
        json!({"source": "file", "id": "X"}),
        json!({"source": "exec", "id": "X"}),
        json!({"source": "env"}),
        json!({"source": "env", "id": "1BAD"}),
        json!({"source": "env", "id": "X", "extra": 1}),
        json!(""),
        json!(42),
    ] {
        let e = PluginConfig::from_json(&json!({"awsSecretKey": bad.clone()})).unwrap_err();
        assert_eq!(e.path(), "awsSecretKey", "{bad}");
    }
    let e = PluginConfig::from_json(&json!({"awsSecretKey": {"source": "file", "id": "X"}}))
        .unwrap_err();
    assert_eq!(
        e.message(),
        r#"must be a non-empty string or {"source":"env","id":"<VAR>"}"#
    );
}

#[test]
fn cfg_03_blank_literal_secret_is_rejected() {
    for key in [
        "awsBedrockApiKey",
        "awsAccessKey",
        "awsSecretKey",
        "awsSessionToken",
    ] {
        let e = PluginConfig::from_json(&json!({ key: "   " })).unwrap_err();
        assert_eq!(e.path(), key);
        assert_eq!(e.message(), "must not be blank");
    }
}

#[test]
fn cfg_02_env_reference_resolved_at_use_time_and_trimmed() {
    let secret = Secret::Env {
        id: "TEAM_BEDROCK_KEY".into(),
        provider: None,
    };
    let env = env_of(&[("TEAM_BEDROCK_KEY", " abc ")]);
    assert_eq!(secret.resolve(&env).unwrap().expose(), "abc");
    // a later value is picked up: nothing is cached in the Secret
    let env = env_of(&[("TEAM_BEDROCK_KEY", "rotated")]);
    assert_eq!(secret.resolve(&env).unwrap().expose(), "rotated");
}

#[test]
fn cfg_02_unset_or_blank_env_reference_counts_as_unset() {
    let secret = Secret::Env {
        id: "TEAM_BEDROCK_KEY".into(),
        provider: None,
    };
    assert!(secret.resolve(&no_env).is_none());
    assert!(secret
        .resolve(&env_of(&[("TEAM_BEDROCK_KEY", "   ")]))
        .is_none());
    assert!(secret
        .resolve(&env_of(&[("TEAM_BEDROCK_KEY", "")]))
        .is_none());
}

#[test]
fn auth_20_secret_source_name_is_path_or_variable_never_value() {
    let literal = Secret::Literal(SecretString::new("supersecret"));
    assert_eq!(
        literal.source_name("plugins.entries.amazon-bedrock.config.awsBedrockApiKey"),
        "plugins.entries.amazon-bedrock.config.awsBedrockApiKey"
    );
    let env = Secret::Env {
        id: "TEAM_BEDROCK_KEY".into(),
        provider: None,
    };
    assert_eq!(env.source_name("ignored"), "TEAM_BEDROCK_KEY");
}

#[test]
fn cfg_04_secrets_never_appear_in_debug_or_display() {
    let c = PluginConfig::from_json(&json!({
        "awsBedrockApiKey": "BEARER-SECRET-1",
        "awsAccessKey": "AKIDSECRET2",
        "awsSecretKey": "SECRETKEY3",
        "awsSessionToken": "SESSIONTOKEN4",
    }))
    .unwrap();
    let debug = format!("{c:?}");
    let pretty = format!("{c:#?}");
    for secret in [
        "BEARER-SECRET-1",
        "AKIDSECRET2",
        "SECRETKEY3",
        "SESSIONTOKEN4",
    ] {
        assert!(!debug.contains(secret), "{debug}");
        assert!(!pretty.contains(secret), "{pretty}");
    }
    assert!(debug.contains("[redacted]"));
    let s = SecretString::new("hunter2");
    assert_eq!(format!("{s:?}"), "[redacted]");
    assert_eq!(format!("{s}"), "[redacted]");
    assert_eq!(s.expose(), "hunter2");
    let resolved = c.aws_secret_key.as_ref().unwrap().resolve(&no_env).unwrap();
    assert!(!format!("{resolved:?}").contains("SECRETKEY3"));
}

#[test]
fn cfg_04_parse_errors_do_not_echo_secret_values() {
    for bad in [
        json!(987654321),
        json!(98765.4321),
        json!([987654321]),
        json!({"source": "env", "id": 987654321}),
        json!({"source": 987654321, "id": "X"}),
        json!({"source": "env", "id": "X", "provider": 987654321}),
    ] {
        let e = PluginConfig::from_json(&json!({"awsAccessKey": bad.clone()})).unwrap_err();
        assert_eq!(e.path(), "awsAccessKey", "{bad}");
        assert_eq!(
            e.message(),
            r#"must be a non-empty string or {"source":"env","id":"<VAR>"}"#
        );
        assert!(!e.to_string().contains("987654321"), "{e}");
    }
    let e = PluginConfig::from_json(
        &json!({"awsSecretKey": {"source": "file", "id": "TOPSECRETVALUE"}}),
    )
    .unwrap_err();
    assert!(!e.to_string().contains("TOPSECRETVALUE"), "{e}");
}

// ---------------------------------------------------------------- AUTH-02 inference

#[test]
fn auth_02_mode_explicit_then_inferred() {
    let mode = |v: Value, env: &dyn Fn(&str) -> Option<String>| {
        PluginConfig::from_json(&v).unwrap().auth_mode(env)
    };
    assert_eq!(
        mode(
            json!({"awsAuthentication": "credentials", "awsBedrockApiKey": "k"}),
            &no_env
        ),
        AuthMode::Credentials
    );
    assert_eq!(
        mode(json!({"awsBedrockApiKey": "k", "awsProfile": "p"}), &no_env),
        AuthMode::Apikey
    );
    assert_eq!(
        mode(
            json!({"awsAccessKey": "a", "awsSecretKey": "s", "awsProfile": "p"}),
            &no_env
        ),
        AuthMode::Credentials
    );
    assert_eq!(
        mode(json!({"awsAccessKey": "a", "awsProfile": "p"}), &no_env),
        AuthMode::Profile
    );
    assert_eq!(mode(json!({}), &no_env), AuthMode::Default);
    // an env reference to an unset variable counts as unset (CFG-02)
    let api_ref = json!({"awsBedrockApiKey": {"source": "env", "id": "TEAM_KEY"}});
    assert_eq!(mode(api_ref.clone(), &no_env), AuthMode::Default);
    assert_eq!(
        mode(api_ref, &env_of(&[("TEAM_KEY", "tok")])),
        AuthMode::Apikey
    );
}

#[test]
fn cfg_12_credentials_mode_without_keys_warns() {
    let warn = |v: Value| PluginConfig::from_json(&v).unwrap().semantic_warnings();
    let expected = ["awsAuthentication \"credentials\" requires awsAccessKey and awsSecretKey"];
    assert_eq!(warn(json!({"awsAuthentication": "credentials"})), expected);
    assert_eq!(
        warn(json!({"awsAuthentication": "credentials", "awsAccessKey": "AKID"})),
        expected
    );
    assert!(warn(
        json!({"awsAuthentication": "credentials", "awsAccessKey": "AKID", "awsSecretKey": "s"})
    )
    .is_empty());
    assert!(warn(json!({"awsAuthentication": "apikey"})).is_empty());
    assert!(warn(json!({})).is_empty());
}

#[test]
fn plg_26_auth_02_one_half_of_a_static_key_pair_warns_naming_both_fields() {
    let warn = |v: Value| PluginConfig::from_json(&v).unwrap().semantic_warnings();
    assert_eq!(
        warn(json!({"awsAccessKey": "AKID"})),
        ["awsAccessKey is set without awsSecretKey; both are needed for static credentials, so the default AWS credential chain is used instead"]
    );
    assert_eq!(
        warn(json!({"awsSecretKey": "s"})),
        ["awsSecretKey is set without awsAccessKey; both are needed for static credentials, so the default AWS credential chain is used instead"]
    );
    assert!(warn(json!({"awsAccessKey": "AKID", "awsSecretKey": "s"})).is_empty());
    // An explicit mode has its own rule (CFG-12).
    assert!(warn(json!({"awsAuthentication": "default", "awsAccessKey": "AKID"})).is_empty());
}
