//! `config get|set|unset|show` run as a user runs them: values read by dotted path as JSON,
//! edits checked against the installed manifest's schema before anything is written (a bad
//! value leaves the file byte for byte as it was), atomic rewrites, and the effective view
//! with defaults (PLG-44, PLG-45). Secrets never appear in any output (CFG-04).

mod common;

use bedrock_emulator::{DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY};
use common::cli::Setup;
use serde_json::json;

const CONFIG: &str = "plugins.entries.amazon-bedrock.config";

fn key(path: &str) -> String {
    format!("{CONFIG}.{path}")
}

/// The names in the setup's folder, so a test can see that no temporary file was left.
fn folder_names(setup: &Setup) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(setup.dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn plg_44_config_get_prints_the_value_as_json_and_never_a_secret() {
    let setup = Setup::new();
    let run = setup.run(&["config", "get", &key("discovery.enabled")]);
    run.expect_code(0);
    assert_eq!(run.stdout, "false\n");
    let run = setup.run(&["config", "get", &key("awsRegion")]);
    run.expect_code(0);
    assert_eq!(run.stdout, "\"us-east-1\"\n");
    let run = setup.run(&[
        "config",
        "get",
        "models.providers.amazon-bedrock.models[0].id",
    ]);
    run.expect_code(0);
    assert_eq!(run.stdout, "\"amazon.nova-micro-v1:0\"\n");

    let run = setup.run(&["config", "get", CONFIG]);
    run.expect_code(0);
    assert_eq!(
        run.json(),
        json!({
            "awsAuthentication": "credentials",
            "awsAccessKey": "(set in config)",
            "awsSecretKey": "(set in config)",
            "awsRegion": "us-east-1",
            "awsBedrockEndpoint": setup.emulator.base_url(),
            "discovery": {"enabled": false}
        })
    );
    let whole = setup.run(&["config", "get", "plugins"]);
    for output in [&run.stdout, &whole.stdout] {
        assert!(!output.contains(DEFAULT_SECRET_ACCESS_KEY), "{output}");
        assert!(!output.contains(DEFAULT_ACCESS_KEY_ID), "{output}");
    }
    // --json prints the same bytes.
    let json = setup.run(&["config", "get", CONFIG, "--json"]);
    json.expect_code(0);
    assert_eq!(json.stdout, run.stdout);
}

#[test]
fn plg_44_config_get_of_a_missing_path_exits_1_naming_it() {
    let setup = Setup::new();
    let run = setup.run(&["config", "get", &key("discovery.refreshInterval")]);
    run.expect_code(1);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        format!(
            "{CONFIG}.discovery.refreshInterval is not set in {} ({CONFIG}.discovery has no \"refreshInterval\")\n",
            setup.config_path().display()
        )
    );
    let run = setup.run(&["config", "get", "plugins..entries"]);
    run.expect_code(2);
    assert_eq!(
        run.stderr,
        "invalid config path \"plugins..entries\": a key is empty; write keys separated by dots, with [n] for an array item, e.g. plugins.entries.amazon-bedrock.config.discovery.enabled\n"
    );
}

#[test]
fn plg_44_config_set_parses_json5_falls_back_to_a_string_and_the_plugin_sees_it() {
    let setup = Setup::new();
    let file = setup.config_path().display().to_string();
    let run = setup.run(&["config", "set", &key("discovery.refreshInterval"), "600"]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        format!("set {CONFIG}.discovery.refreshInterval = 600 in {file}\n")
    );
    assert_eq!(run.stderr, "");
    let run = setup.run(&["config", "set", &key("awsRegion"), "eu-west-1"]);
    run.expect_code(0);
    let run = setup.run(&[
        "config",
        "set",
        &key("discovery.providerFilter"),
        "['anthropic', \"amazon\"]",
        "--json",
    ]);
    run.expect_code(0);
    assert_eq!(
        run.json(),
        json!({"path": key("discovery.providerFilter"), "value": ["anthropic", "amazon"], "file": file})
    );

    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(setup.config_path()).unwrap()).unwrap();
    let config = &written["plugins"]["entries"]["amazon-bedrock"]["config"];
    assert_eq!(config["discovery"]["refreshInterval"], json!(600));
    assert_eq!(config["awsRegion"], json!("eu-west-1"));
    assert_eq!(
        config["discovery"]["providerFilter"],
        json!(["anthropic", "amazon"])
    );
    // Key order is kept: the edited key stays where it was.
    let keys: Vec<&String> = config.as_object().unwrap().keys().collect();
    assert_eq!(keys[3], "awsRegion");

    // The plugin loads the edited file.
    let run = setup.run(&["status", "--cached"]);
    run.expect_code(0);
    assert!(
        run.stdout.contains("region: eu-west-1 (awsRegion)\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn plg_44_config_set_refuses_a_bad_value_and_leaves_the_file_byte_for_byte() {
    let setup = Setup::new();
    let original = format!(
        "// my config\n{{plugins: {{entries: {{'amazon-bedrock': {{enabled: true, config: {{\n  awsAuthentication: 'credentials', awsAccessKey: '{DEFAULT_ACCESS_KEY_ID}', awsSecretKey: '{DEFAULT_SECRET_ACCESS_KEY}',\n  awsBedrockEndpoint: '{}', discovery: {{enabled: false,}},\n}}}}}}}},}}\n",
        setup.emulator.base_url()
    );
    setup.write_config(&original);
    let before = folder_names(&setup);
    let file = setup.config_path().display().to_string();
    for (path, value, reason) in [
        (
            "discovery.refreshInterval",
            "99999999999",
            "must be <= 31536000",
        ),
        ("discovery.refreshInterval", "-1", "must be >= 0"),
        ("discovery.enabled", "yes", "expected boolean, got string"),
        (
            "discovery.refreshIntervl",
            "60",
            "unknown property \"refreshIntervl\"",
        ),
        (
            "awsRegion",
            "US-EAST-1",
            "must match pattern \"^[a-z]{2,4}(-[a-z]+)+-[0-9]+$\"",
        ),
        (
            "awsSecretKey",
            "{source: 'file', id: 'X'}",
            "must be a non-empty string or {\"source\":\"env\",\"id\":\"<VAR>\"}",
        ),
    ] {
        let run = setup.run(&["config", "set", &key(path), value]);
        run.expect_code(2);
        assert_eq!(run.stdout, "");
        assert_eq!(
            run.stderr,
            format!(
                "invalid config for plugin amazon-bedrock at {CONFIG}.{path}: {reason}\nnot written: {file} is unchanged\n"
            )
        );
        assert_eq!(
            std::fs::read_to_string(setup.config_path()).unwrap(),
            original
        );
        assert_eq!(folder_names(&setup), before, "a temporary file was left");
    }
    // The entry's own shape is checked too, and a path through a scalar is refused.
    let run = setup.run(&[
        "config",
        "set",
        "plugins.entries.amazon-bedrock.enabled",
        "1",
    ]);
    run.expect_code(2);
    assert!(run.stderr.starts_with(
        "invalid config for plugin amazon-bedrock at plugins.entries.amazon-bedrock.enabled: expected boolean, got integer\n"
    ));
    let run = setup.run(&["config", "set", &key("awsSecretKey.id"), "X"]);
    run.expect_code(2);
    assert_eq!(
        run.stderr,
        format!("cannot set {CONFIG}.awsSecretKey.id: {CONFIG}.awsSecretKey is a string, not an object\n")
    );
    assert_eq!(
        std::fs::read_to_string(setup.config_path()).unwrap(),
        original
    );
}

#[test]
fn plg_44_a_json5_file_is_rewritten_as_json_with_a_note_and_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let setup = Setup::new();
    setup.write_config(
        "// comment\n{plugins: {entries: {'amazon-bedrock': {enabled: true, config: {}}}}}",
    );
    std::fs::set_permissions(setup.config_path(), std::fs::Permissions::from_mode(0o600)).unwrap();
    let run = setup.run(&["config", "set", &key("awsRegion"), "us-west-2"]);
    run.expect_code(0);
    assert_eq!(
        run.stderr,
        format!(
            "note: {} was rewritten as JSON; its comments and JSON5-only syntax were not kept\n",
            setup.config_path().display()
        )
    );
    assert_eq!(
        std::fs::read_to_string(setup.config_path()).unwrap(),
        "{\n  \"plugins\": {\n    \"entries\": {\n      \"amazon-bedrock\": {\n        \"enabled\": true,\n        \"config\": {\n          \"awsRegion\": \"us-west-2\"\n        }\n      }\n    }\n  }\n}\n"
    );
    let mode = std::fs::metadata(setup.config_path())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn plg_44_config_set_creates_a_missing_file_and_its_folder() {
    let setup = Setup::new();
    let file = setup.dir.path().join("new/dir/config.json5");
    let mut command = setup.command(&["config", "set", &key("awsProfile"), "dev"]);
    command.env("HOST_HARNESS_CONFIG", &file);
    let output = command.output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "{\n  \"plugins\": {\n    \"entries\": {\n      \"amazon-bedrock\": {\n        \"config\": {\n          \"awsProfile\": \"dev\"\n        }\n      }\n    }\n  }\n}\n"
    );
}

#[test]
fn plg_44_config_unset_removes_the_key_and_a_missing_one_exits_1() {
    let setup = Setup::new();
    let file = setup.config_path().display().to_string();
    let run = setup.run(&["config", "unset", &key("awsRegion")]);
    run.expect_code(0);
    assert_eq!(run.stdout, format!("unset {CONFIG}.awsRegion in {file}\n"));
    setup
        .run(&["config", "get", &key("awsRegion")])
        .expect_code(1);
    let before = std::fs::read(setup.config_path()).unwrap();
    let run = setup.run(&["config", "unset", &key("awsRegion")]);
    run.expect_code(1);
    assert_eq!(
        run.stderr,
        format!("{CONFIG}.awsRegion is not set in {file} ({CONFIG} has no \"awsRegion\")\n")
    );
    assert_eq!(std::fs::read(setup.config_path()).unwrap(), before);
    // Removing a required key is refused like a bad value.
    setup.write_config(
        r#"{"plugins": {"entries": {"amazon-bedrock": {"config": {"guardrail": {"guardrailIdentifier": "g1", "guardrailVersion": "1"}}}}}}"#,
    );
    let run = setup.run(&["config", "unset", &key("guardrail.guardrailVersion")]);
    run.expect_code(2);
    assert_eq!(
        run.stderr,
        format!("invalid config for plugin amazon-bedrock at {CONFIG}.guardrail: missing required property \"guardrailVersion\"\nnot written: {file} is unchanged\n")
    );
}

#[test]
fn plg_45_config_show_effective_applies_the_schema_defaults_and_shows_secret_sources() {
    let setup = Setup::with(|config| {
        config["awsSecretKey"] = json!({"source": "env", "id": "TEAM_SECRET"});
        config["discovery"] = json!({"enabled": false, "refreshInterval": 60});
    });
    let base = setup.emulator.base_url();
    let run = setup.run(&["config", "show"]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        format!(
            "awsAuthentication: credentials\nawsAccessKey: (set in config)\nawsSecretKey: env:TEAM_SECRET\nawsRegion: us-east-1\nawsBedrockEndpoint: {base}\ndiscovery.enabled: false\ndiscovery.refreshInterval: 60\n"
        )
    );
    let run = setup.run(&["config", "show", "--effective"]);
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[1], "awsAccessKey: (set in config)");
    assert_eq!(lines[2], "awsSecretKey: env:TEAM_SECRET");
    assert_eq!(lines[6], "discovery.refreshInterval: 60");
    assert!(
        lines.contains(&"discovery.defaultMaxTokens: 4096 (default)"),
        "{}",
        run.stdout
    );
    assert!(
        lines.contains(&"requestMaxTokens: 32000 (default)"),
        "{}",
        run.stdout
    );
    assert!(
        lines.contains(&"retry.maxAttempts: 4 (default)"),
        "{}",
        run.stdout
    );
    // No guardrail is invented from its defaults (it has required keys).
    assert!(!run.stdout.contains("guardrail"), "{}", run.stdout);
    assert!(!run.stdout.contains(DEFAULT_ACCESS_KEY_ID));

    let run = setup.run(&["config", "show", "--effective", "--json"]);
    run.expect_code(0);
    let shown = run.json();
    assert_eq!(shown["awsAccessKey"], "(set in config)");
    assert_eq!(shown["awsSecretKey"], "env:TEAM_SECRET");
    assert_eq!(shown["discovery"]["refreshInterval"], 60);
    assert_eq!(shown["timeouts"]["streamIdleMs"], 300000);
}

#[test]
fn plg_45_config_show_effective_marks_legacy_values_and_refuses_an_invalid_config() {
    let setup = Setup::new();
    setup.write_config(
        "{models: {bedrockDiscovery: {region: 'eu-west-1'}}, plugins: {entries: {'amazon-bedrock': {config: {discovery: {enabled: false}}}}}}",
    );
    let run = setup.run(&["config", "show", "--effective"]);
    run.expect_code(0);
    assert!(
        run.stdout
            .starts_with("discovery.enabled: false\ndiscovery.region: eu-west-1 (from models.bedrockDiscovery)\n"),
        "{}",
        run.stdout
    );
    setup.write_config(
        "{plugins: {entries: {'amazon-bedrock': {config: {retry: {maxAttempts: 11}}}}}}",
    );
    let run = setup.run(&["config", "show", "--effective"]);
    run.expect_code(2);
    assert_eq!(
        run.stderr,
        format!("invalid config for plugin amazon-bedrock at {CONFIG}.retry.maxAttempts: must be <= 10\n")
    );
    // Without --effective the file is shown as it is, so a broken value can be seen.
    let run = setup.run(&["config", "show"]);
    run.expect_code(0);
    assert_eq!(run.stdout, "retry.maxAttempts: 11\n");
}
