//! Host config reading (HCFG-*), legacy migration (MIG-*) and plugin config validation
//! with the exact CFG-10 messages, against the repository's real manifest.json.

mod common;

use host_harness::config::{
    validate_plugin_config, ConfigIssue, HostConfig, HostConfigError, LEGACY_DISCOVERY_WARNING,
};
use serde_json::{json, Value};

const ID: &str = "amazon-bedrock";
const P: &str = "invalid config for plugin amazon-bedrock at plugins.entries.amazon-bedrock.config";

fn schema() -> Value {
    common::real_manifest()["configSchema"].clone()
}

fn errors(config: Value) -> Vec<String> {
    match validate_plugin_config(ID, &config, &schema(), None) {
        Ok(()) => Vec::new(),
        Err(e) => e.lines(),
    }
}

fn errors_from_json5(config: &str) -> Vec<String> {
    let value: Value = json5::from_str(config).expect("test input is JSON5");
    errors(value)
}

fn one(config: Value) -> String {
    let mut errs = errors(config);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    errs.remove(0)
}

// ---------------------------------------------------------------- CFG-10 table

#[test]
fn cfg_10_unknown_property_is_named_with_full_path() {
    assert_eq!(
        one(json!({"discovery": {"refreshIntervl": 60}})),
        format!("{P}.discovery.refreshIntervl: unknown property \"refreshIntervl\"")
    );
}

#[test]
fn cfg_10_unknown_top_level_property() {
    assert_eq!(
        one(json!({"bearerToken": "x"})),
        format!("{P}.bearerToken: unknown property \"bearerToken\"")
    );
}

#[test]
fn cfg_10_wrong_type_boolean() {
    assert_eq!(
        one(json!({"discovery": {"enabled": "yes"}})),
        format!("{P}.discovery.enabled: expected boolean, got string")
    );
}

#[test]
fn cfg_10_integer_expected_got_number() {
    assert_eq!(
        errors_from_json5("{discovery: {refreshInterval: 1.5}}"),
        [format!(
            "{P}.discovery.refreshInterval: expected integer, got number"
        )]
    );
}

#[test]
fn cfg_10_minimum_refresh_interval() {
    assert_eq!(
        one(json!({"discovery": {"refreshInterval": -1}})),
        format!("{P}.discovery.refreshInterval: must be >= 0")
    );
}

#[test]
fn cfg_10_minimum_default_max_tokens() {
    assert_eq!(
        one(json!({"discovery": {"defaultMaxTokens": 0}})),
        format!("{P}.discovery.defaultMaxTokens: must be >= 1")
    );
}

#[test]
fn cfg_10_enum_guardrail_trace() {
    assert_eq!(
        one(
            json!({"guardrail": {"guardrailIdentifier": "abc123", "guardrailVersion": "1", "trace": "full"}})
        ),
        format!("{P}.guardrail.trace: must be one of \"enabled\", \"disabled\", \"enabled_full\"")
    );
}

#[test]
fn cfg_10_enum_aws_authentication() {
    assert_eq!(
        one(json!({"awsAuthentication": "sso"})),
        format!("{P}.awsAuthentication: must be one of \"apikey\", \"profile\", \"credentials\", \"default\"")
    );
}

#[test]
fn cfg_10_required_guardrail_version() {
    assert_eq!(
        one(json!({"guardrail": {"guardrailIdentifier": "abc123"}})),
        format!("{P}.guardrail: missing required property \"guardrailVersion\"")
    );
}

#[test]
fn cfg_10_array_item_type() {
    assert_eq!(
        one(json!({"discovery": {"providerFilter": ["anthropic", 3]}})),
        format!("{P}.discovery.providerFilter[1]: expected string, got integer")
    );
}

#[test]
fn cfg_10_secret_reference_with_other_source() {
    assert_eq!(
        one(json!({"awsSecretKey": {"source": "file", "id": "X"}})),
        format!("{P}.awsSecretKey: must be a non-empty string or {{\"source\":\"env\",\"id\":\"<VAR>\"}}")
    );
}

#[test]
fn cfg_10_stall_guard_cannot_be_disabled() {
    assert_eq!(
        one(json!({"timeouts": {"streamIdleMs": 0}})),
        format!("{P}.timeouts.streamIdleMs: must be >= 1000")
    );
}

#[test]
fn cfg_10_maximum_retry_attempts() {
    assert_eq!(
        one(json!({"retry": {"maxAttempts": 11}})),
        format!("{P}.retry.maxAttempts: must be <= 10")
    );
}

#[test]
fn cfg_10_min_length_profile() {
    assert_eq!(
        one(json!({"awsProfile": ""})),
        format!("{P}.awsProfile: must not be empty")
    );
}

#[test]
fn cfg_10_pattern_region() {
    assert_eq!(
        one(json!({"awsRegion": "US-EAST-1"})),
        format!("{P}.awsRegion: must match pattern \"^[a-z]{{2,4}}(-[a-z]+)+-[0-9]+$\"")
    );
}

#[test]
fn cfg_10_pattern_endpoint() {
    assert_eq!(
        one(json!({"awsBedrockEndpoint": "bedrock.example.com"})),
        format!("{P}.awsBedrockEndpoint: must match pattern \"^https?://[^\\s/?#]+\"")
    );
}

#[test]
fn cfg_10_pattern_guardrail_version_and_empty_identifier() {
    assert_eq!(
        errors(json!({"guardrail": {"guardrailIdentifier": "", "guardrailVersion": "0"}})),
        [
            format!("{P}.guardrail.guardrailIdentifier: must not be empty"),
            format!("{P}.guardrail.guardrailVersion: must match pattern \"^(DRAFT|[1-9][0-9]{{0,7}})$\""),
        ]
    );
}

#[test]
fn cfg_10_secret_shapes() {
    for bad in [
        json!(""),
        json!(7),
        json!({"source": "exec", "id": "X"}),
        json!({"source": "env"}),
        json!({"source": "env", "id": "1BAD"}),
        json!({"source": "env", "id": "X", "extra": true}),
    ] {
        assert_eq!(
            one(json!({"awsBedrockApiKey": bad.clone()})),
            format!("{P}.awsBedrockApiKey: must be a non-empty string or {{\"source\":\"env\",\"id\":\"<VAR>\"}}"),
            "{bad}"
        );
    }
}

#[test]
fn cfg_03_blank_literal_secret_is_rejected() {
    for key in [
        "awsBedrockApiKey",
        "awsAccessKey",
        "awsSecretKey",
        "awsSessionToken",
    ] {
        assert_eq!(
            one(json!({ key: "  \t " })),
            format!("{P}.{key}: must not be blank")
        );
    }
}

#[test]
fn cfg_04_errors_never_echo_secret_values() {
    let errs = errors(json!({
        "awsSecretKey": {"source": "file", "id": "TOPSECRET1"},
        "awsAccessKey": 12345678,
        "awsBedrockApiKey": {"source": "env", "id": "OK", "value": "TOPSECRET2"},
    }));
    assert_eq!(errs.len(), 3);
    for e in &errs {
        assert!(!e.contains("TOPSECRET") && !e.contains("12345678"), "{e}");
    }
}

#[test]
fn cfg_01_valid_secrets_and_full_config_pass() {
    let config = json!({
        "discovery": {"enabled": true, "region": "us-gov-west-1", "providerFilter": ["anthropic", "amazon"],
                      "refreshInterval": 0, "defaultContextWindow": 1, "defaultMaxTokens": 1},
        "guardrail": {"guardrailIdentifier": "arn:aws:bedrock:us-east-1:123456789012:guardrail/abc123",
                      "guardrailVersion": "DRAFT", "streamProcessingMode": "sync", "trace": "enabled_full"},
        "awsAuthentication": "apikey",
        "awsBedrockApiKey": {"source": "env", "id": "TEAM_BEDROCK_KEY", "provider": "default"},
        "awsProfile": "prod",
        "awsAccessKey": "AKIDEXAMPLE",
        "awsSecretKey": {"source": "env", "id": "_SECRET"},
        "awsSessionToken": " token ",
        "awsRegion": "eusc-de-east-1",
        "awsBedrockEndpoint": "https://vpce-0abc.bedrock-runtime.us-east-1.vpce.amazonaws.com",
        "awsUseCrossRegionInference": false,
        "awsUseGlobalInference": true,
        "awsBedrockUsePromptCache": false,
        "reasoningEffort": "high",
        "thinkingBudgetTokens": 0,
        "enable1MContext": true,
        "timeouts": {"connectMs": 100, "streamIdleMs": 1000},
        "retry": {"maxAttempts": 10, "baseDelayMs": 0, "maxDelayMs": 0, "selfHeal": false}
    });
    assert_eq!(errors(config), Vec::<String>::new());
    assert_eq!(errors(json!({})), Vec::<String>::new());
}

// ---------------------------------------------------------------- CFG-11

#[test]
fn cfg_11_all_errors_in_document_order() {
    // Keys deliberately out of schema order; errors must follow the input's order.
    let errs = errors_from_json5(
        r#"{
            retry: { maxAttempts: 11 },
            awsRegion: "US-EAST-1",
            zzz: 1,
            discovery: { providerFilter: ["anthropic", 3, ""], enabled: "yes", refreshIntervl: 60 },
            guardrail: { trace: "full", guardrailIdentifier: "abc123" },
            awsProfile: "",
            aaa: true,
        }"#,
    );
    assert_eq!(
        errs,
        [
            format!("{P}.retry.maxAttempts: must be <= 10"),
            format!("{P}.awsRegion: must match pattern \"^[a-z]{{2,4}}(-[a-z]+)+-[0-9]+$\""),
            format!("{P}.zzz: unknown property \"zzz\""),
            format!("{P}.discovery.providerFilter[1]: expected string, got integer"),
            format!("{P}.discovery.providerFilter[2]: must not be empty"),
            format!("{P}.discovery.enabled: expected boolean, got string"),
            format!("{P}.discovery.refreshIntervl: unknown property \"refreshIntervl\""),
            format!("{P}.guardrail: missing required property \"guardrailVersion\""),
            format!(
                "{P}.guardrail.trace: must be one of \"enabled\", \"disabled\", \"enabled_full\""
            ),
            format!("{P}.awsProfile: must not be empty"),
            format!("{P}.aaa: unknown property \"aaa\""),
        ]
    );
}

#[test]
fn cfg_11_display_is_one_line_per_error() {
    let err = validate_plugin_config(
        ID,
        &json!({"bearerToken": "x", "awsProfile": ""}),
        &schema(),
        None,
    )
    .unwrap_err();
    assert_eq!(err.errors.len(), 2);
    assert_eq!(
        err.errors[0],
        ConfigIssue {
            path: "plugins.entries.amazon-bedrock.config.bearerToken".into(),
            reason: "unknown property \"bearerToken\"".into()
        }
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{P}.bearerToken: unknown property \"bearerToken\"\n{P}.awsProfile: must not be empty"
        )
    );
}

#[test]
fn cfg_10_config_that_is_not_an_object() {
    assert_eq!(
        errors(json!(["x"])),
        [format!("{P}: expected object, got array")]
    );
}

// ---------------------------------------------------------------- MIG-01..04

#[test]
fn mig_01_legacy_is_validated_with_discovery_rules() {
    let legacy = json!({"enabled": "yes", "refreshInterval": -1, "region": "us-west-2"});
    let err = validate_plugin_config(ID, &json!({}), &schema(), Some(&legacy)).unwrap_err();
    assert_eq!(
        err.lines(),
        [
            "invalid config for plugin amazon-bedrock at models.bedrockDiscovery.enabled: expected boolean, got string",
            "invalid config for plugin amazon-bedrock at models.bedrockDiscovery.refreshInterval: must be >= 0",
        ]
    );
}

#[test]
fn mig_04_unknown_legacy_key_is_rejected() {
    let legacy = json!({"enabled": true, "bogus": 1});
    let err = validate_plugin_config(ID, &json!({}), &schema(), Some(&legacy)).unwrap_err();
    assert_eq!(
        err.lines(),
        ["invalid config for plugin amazon-bedrock at models.bedrockDiscovery.bogus: unknown property \"bogus\""]
    );
}

#[test]
fn mig_01_plugin_errors_come_before_legacy_errors_and_both_are_reported() {
    let legacy = json!({"bogus": 1});
    let err = validate_plugin_config(ID, &json!({"x": 1}), &schema(), Some(&legacy)).unwrap_err();
    assert_eq!(
        err.lines(),
        [
            format!("{P}.x: unknown property \"x\""),
            "invalid config for plugin amazon-bedrock at models.bedrockDiscovery.bogus: unknown property \"bogus\"".to_string(),
        ]
    );
}

fn host(text: &str) -> HostConfig {
    HostConfig::from_json5_str(text).expect("valid JSON5 host config")
}

#[test]
fn mig_02_plugin_keys_win_per_key() {
    let h = host(
        r#"{
        models: { bedrockDiscovery: { enabled: false, region: "us-west-2", refreshInterval: 60 } },
        plugins: { entries: { "amazon-bedrock": { config: { discovery: { enabled: true, region: "us-east-1" } } } } },
    }"#,
    );
    let eff = h.effective_plugin_config(ID);
    assert!(eff.legacy_used);
    assert_eq!(
        eff.config,
        json!({"discovery": {"enabled": true, "region": "us-east-1", "refreshInterval": 60}})
    );
}

#[test]
fn mig_02_legacy_fills_missing_discovery() {
    let h = host(r#"{ models: { bedrockDiscovery: { enabled: true, region: "us-west-2" } } }"#);
    let eff = h.effective_plugin_config(ID);
    assert!(eff.legacy_used);
    assert_eq!(
        eff.config,
        json!({"discovery": {"enabled": true, "region": "us-west-2"}})
    );
    assert_eq!(
        h.legacy_plugin_value(ID),
        Some(&json!({"enabled": true, "region": "us-west-2"}))
    );
}

#[test]
fn mig_02_without_legacy_config_is_unchanged() {
    let h = host(
        r#"{ plugins: { entries: { "amazon-bedrock": { config: { awsRegion: "eu-west-3" } } } } }"#,
    );
    let eff = h.effective_plugin_config(ID);
    assert!(!eff.legacy_used);
    assert_eq!(eff.config, json!({"awsRegion": "eu-west-3"}));
    assert_eq!(h.legacy_plugin_value(ID), None);
}

#[test]
fn mig_02_only_applies_to_the_bedrock_plugin_and_listed_paths() {
    let h = host(r#"{ models: { bedrockDiscovery: { enabled: true } } }"#);
    let other = h.effective_plugin_config("other-plugin");
    assert!(!other.legacy_used);
    assert_eq!(other.config, json!({}));
    assert_eq!(h.legacy_plugin_value("other-plugin"), None);

    let listed = vec!["models.bedrockDiscovery".to_string()];
    assert!(
        h.effective_plugin_config_with_paths(ID, Some(&listed))
            .legacy_used
    );
    let retired: Vec<String> = Vec::new();
    let eff = h.effective_plugin_config_with_paths(ID, Some(&retired));
    assert!(!eff.legacy_used);
    assert_eq!(eff.config, json!({}));
}

#[test]
fn mig_03_migration_does_not_touch_the_raw_config() {
    let h = host(r#"{ models: { bedrockDiscovery: { enabled: true } } }"#);
    let before = h.raw().clone();
    let _ = h.effective_plugin_config(ID);
    assert_eq!(h.raw(), &before);
    assert_eq!(
        LEGACY_DISCOVERY_WARNING,
        "models.bedrockDiscovery is deprecated; move it to plugins.entries.amazon-bedrock.config.discovery"
    );
}

// ---------------------------------------------------------------- HCFG

#[test]
fn hcfg_02_plugin_entry_defaults() {
    let h = host("{}");
    let e = h.plugin_entry(ID);
    assert_eq!(e.enabled, None);
    assert_eq!(e.config, json!({}));

    let h = host(
        r#"{ plugins: { entries: { "amazon-bedrock": { enabled: false, config: { awsProfile: "p" } } } } }"#,
    );
    let e = h.plugin_entry(ID);
    assert_eq!(e.enabled, Some(false));
    assert_eq!(e.config, json!({"awsProfile": "p"}));
    assert!(h.plugin_entry_issues(ID).is_empty());
}

#[test]
fn hcfg_01_non_boolean_enabled_is_reported() {
    let h =
        host(r#"{ plugins: { entries: { "amazon-bedrock": { enabled: "no", config: [] } } } }"#);
    let issues: Vec<String> = h
        .plugin_entry_issues(ID)
        .iter()
        .map(|i| i.render(ID))
        .collect();
    assert_eq!(
        issues,
        [
            "invalid config for plugin amazon-bedrock at plugins.entries.amazon-bedrock.enabled: expected boolean, got string",
            "invalid config for plugin amazon-bedrock at plugins.entries.amazon-bedrock.config: expected object, got array",
        ]
    );
}

#[test]
fn hcfg_json5_features_are_accepted() {
    let h = host(
        r#"// comment
        {
          /* block */ models: { providers: { 'amazon-bedrock': { baseUrl: 'https://bedrock-runtime.us-east-1.amazonaws.com', }, }, },
          agents: { defaults: { params: { serviceTier: "flex" } } },
        }"#,
    );
    assert_eq!(
        h.provider_config(ID).and_then(|p| p.get("baseUrl")),
        Some(&json!("https://bedrock-runtime.us-east-1.amazonaws.com"))
    );
    assert_eq!(
        h.agents_defaults(),
        Some(&json!({"params": {"serviceTier": "flex"}}))
    );
    assert_eq!(h.provider_config("missing"), None);
}

#[test]
fn hcfg_12_aliases_follow_the_exact_key() {
    let h = host(
        r#"{ models: { providers: {
            bedrock: { baseUrl: "https://bedrock-runtime.ca-central-1.amazonaws.com" },
            openai: { api: "openai-completions" },
            custom: { api: "bedrock-converse-stream" },
            "amazon-bedrock": { baseUrl: "https://bedrock-runtime.eu-central-1.amazonaws.com" },
            "Amazon_Bedrock": {},
        } } }"#,
    );
    let keys: Vec<String> = h
        .providers_for_api(ID, "bedrock-converse-stream")
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        keys,
        ["amazon-bedrock", "bedrock", "custom", "Amazon_Bedrock"]
    );

    let only_alias = host(r#"{ models: { providers: { bedrock: { } } } }"#);
    let keys: Vec<String> = only_alias
        .providers_for_api(ID, "bedrock-converse-stream")
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(keys, ["bedrock"]);
    assert!(host("{}")
        .providers_for_api(ID, "bedrock-converse-stream")
        .is_empty());
}

#[test]
fn hcfg_load_reports_missing_file_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.json5");
    let err = HostConfig::load(&path).unwrap_err();
    assert!(matches!(err, HostConfigError::NotFound { .. }));
    assert_eq!(
        err.to_string(),
        format!("host config not found: {}", path.display())
    );
}

#[test]
fn hcfg_load_reads_json5_file_and_reports_parse_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("host.json5");
    std::fs::write(
        &good,
        "{ plugins: { entries: { 'amazon-bedrock': { enabled: true } } } }",
    )
    .unwrap();
    assert_eq!(
        HostConfig::load(&good).unwrap().plugin_entry(ID).enabled,
        Some(true)
    );

    let bad = dir.path().join("bad.json5");
    std::fs::write(&bad, "{ plugins: ").unwrap();
    let err = HostConfig::load(&bad).unwrap_err();
    assert!(matches!(err, HostConfigError::Parse { .. }));
    assert!(
        err.to_string().contains(&bad.display().to_string()),
        "{err}"
    );

    assert!(matches!(
        HostConfig::from_json5_str("[1]"),
        Err(HostConfigError::NotAnObject { .. })
    ));
    assert!(HostConfig::from_value(json!(1)).is_err());
    assert!(HostConfig::from_value(json!({})).is_ok());
}

#[test]
fn live_03_checked_plugin_config_validates_then_migrates() {
    let h = host(
        r#"{
        models: { bedrockDiscovery: { region: "us-west-2" } },
        plugins: { entries: { "amazon-bedrock": { config: { discovery: { enabled: true } } } } },
    }"#,
    );
    let eff = h.checked_plugin_config(ID, &schema(), None).unwrap();
    assert!(eff.legacy_used);
    assert_eq!(
        eff.config,
        json!({"discovery": {"enabled": true, "region": "us-west-2"}})
    );

    let bad = host(
        r#"{
        models: { bedrockDiscovery: { regoin: "us-west-2" } },
        plugins: { entries: { "amazon-bedrock": { config: { awsRegion: "US" } } } },
    }"#,
    );
    let err = bad.checked_plugin_config(ID, &schema(), None).unwrap_err();
    assert_eq!(
        err.lines(),
        [
            format!("{P}.awsRegion: must match pattern \"^[a-z]{{2,4}}(-[a-z]+)+-[0-9]+$\""),
            "invalid config for plugin amazon-bedrock at models.bedrockDiscovery.regoin: unknown property \"regoin\"".to_string(),
        ]
    );

    let wrong_entry = host(r#"{ plugins: { entries: { "amazon-bedrock": { enabled: 1 } } } }"#);
    let err = wrong_entry
        .checked_plugin_config(ID, &schema(), None)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid config for plugin amazon-bedrock at plugins.entries.amazon-bedrock.enabled: expected boolean, got integer"
    );
}
