//! The other commands run as a user runs them: `--json` everywhere, exit codes 0 / 1 / 2,
//! `status` on a disabled plugin and after a failed refresh, `embed` labels, completions,
//! and the help text of every option.

mod common;

use bedrock_emulator::{Emulator, EmulatorOptions, Operation};
use common::cli::{host_config, plugin_config, Setup, BIN, CLAUDE, NOVA};
use serde_json::json;

#[test]
fn models_list_prints_a_table_or_json() {
    let setup = Setup::new();
    let run = setup.run(&["models", "list"]);
    run.expect_code(0);
    let mut lines = run.stdout.lines();
    assert!(lines.next().unwrap().starts_with("ID"));
    assert!(run.stdout.contains(NOVA));
    assert!(run.stdout.contains("COST IN/OUT PER 1M"), "{}", run.stdout);
    assert!(run
        .stdout
        .contains("2 model(s) from provider amazon-bedrock; region us-east-1"));
    let run = setup.run(&["models", "list", "--json"]);
    run.expect_code(0);
    let document = run.json();
    assert_eq!(document["provider"], "amazon-bedrock");
    assert_eq!(document["models"].as_array().unwrap().len(), 2);
    // Options after the command name and before it both work.
    let config = setup.config_path();
    let plugins = setup.plugins_dir();
    let run = setup.run(&[
        "--config",
        config.to_str().unwrap(),
        "--plugins-dir",
        plugins.to_str().unwrap(),
        "models",
        "list",
    ]);
    run.expect_code(0);
}

#[test]
fn status_json_and_text() {
    let setup = Setup::new();
    let run = setup.run(&["status"]);
    run.expect_code(0);
    assert!(run
        .stdout
        .contains("provider: amazon-bedrock (discovery disabled)"));
    assert!(run.stdout.contains("refresh: ok"), "{}", run.stdout);
    let run = setup.run(&["status", "--json", "--cached"]);
    run.expect_code(0);
    let status = run.json();
    assert_eq!(status["enabled"], true);
    assert_eq!(status["region"], "us-east-1");
    assert_eq!(status["refresh"]["ran"], false);
    assert!(status["runtime_endpoint"]
        .as_str()
        .unwrap()
        .starts_with(setup.emulator.base_url()));
}

#[test]
fn status_on_a_disabled_plugin_says_why_and_exits_0() {
    let emulator = Emulator::start(EmulatorOptions::default()).unwrap();
    let config = host_config(plugin_config(&emulator), false);
    let setup = Setup::from_host_config(emulator, config);
    let run = setup.run(&["status"]);
    run.expect_code(0);
    assert!(run
        .stdout
        .contains("provider: amazon-bedrock (plugin disabled)"));
    assert!(
        run.stdout
            .contains("why: plugins.entries.amazon-bedrock.enabled is false in the host config"),
        "{}",
        run.stdout
    );
    let run = setup.run(&["status", "--json"]);
    run.expect_code(0);
    assert_eq!(run.json()["enabled"], false);
    // Other commands still refuse a disabled plugin.
    setup.run(&["models", "list"]).expect_code(1);
}

#[test]
fn a_failed_status_refresh_exits_1() {
    // Discovery on, with an access key the emulator does not know: ListFoundationModels 403.
    let setup = Setup::with(|config| {
        config["discovery"] = json!({"enabled": true});
        config["awsAccessKey"] = json!("AKIDUNKNOWNKEY000000");
    });
    let run = setup.run(&["status"]);
    run.expect_code(1);
    assert!(run.stdout.contains("refresh: failed"), "{}", run.stdout);
    assert!(run.stderr.contains("refresh failed"), "{}", run.stderr);
    assert!(setup.emulator.count(Operation::ListFoundationModels) >= 1);
    let run = setup.run(&["status", "--json"]);
    run.expect_code(1);
    assert_eq!(run.json()["refresh"]["ok"], false);
    // --cached sends nothing and reports this process's state.
    setup.run(&["status", "--cached"]).expect_code(0);
}

#[test]
fn json5_syntax_errors_exit_2_like_other_config_errors() {
    let setup = Setup::new();
    setup.write_config("{ plugins: { entries: ");
    for args in [
        &["status"][..],
        &["models", "list"],
        &["chat", "amazon-bedrock/amazon.nova-micro-v1:0", "hi"],
        &["validate"],
        &["doctor"],
        &["embed", "x"],
    ] {
        let run = setup.run(args);
        run.expect_code(2);
        assert!(
            run.stderr.contains("invalid host config"),
            "{args:?}: {}",
            run.stderr
        );
    }
    // A schema violation is a config error too.
    setup.write_config(
        r#"{plugins: {entries: {"amazon-bedrock": {enabled: true, config: {awsRegion: 5}}}}}"#,
    );
    setup.run(&["status"]).expect_code(2);
    let run = setup.run(&["validate", "--json"]);
    run.expect_code(2);
    assert_eq!(run.json()["ok"], false);
    // A missing explicit config file as well.
    let mut command = setup.command(&["status"]);
    command.env(
        "HOST_HARNESS_CONFIG",
        setup.dir.path().join("missing.json5"),
    );
    assert_eq!(command.output().unwrap().status.code(), Some(2));
}

#[test]
fn validate_and_doctor_json() {
    let setup = Setup::new();
    let run = setup.run(&["validate", "--json"]);
    run.expect_code(0);
    let report = run.json();
    assert_eq!(report["ok"], true);
    assert_eq!(report["plugin"]["id"], "amazon-bedrock");
    let run = setup.run(&["doctor", "--json"]);
    let report = run.json();
    assert!(report["healthy"].is_boolean());
    assert!(!report["checks"].as_array().unwrap().is_empty());
    assert!(report["checks"][0]["check"].is_string());
    assert_eq!(
        run.code,
        Some(if report["healthy"] == true { 0 } else { 1 })
    );
}

#[test]
fn embed_labels_are_whole_texts_and_blank_inputs_are_explained() {
    let setup = Setup::new();
    let long = "a fairly long document that certainly exceeds forty characters";
    let run = setup.run(&["embed", "--dimensions", "256", "first text", long, "  "]);
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[1].ends_with("\"first text\""), "{}", run.stdout);
    assert!(
        lines[2].ends_with("\"a fairly long document that certainly e…\""),
        "{}",
        run.stdout
    );
    assert!(
        lines[3].contains("0 dims") && lines[3].contains("blank input"),
        "{}",
        run.stdout
    );

    let run = setup.run(&["embed", "--query", "hello", "world"]);
    run.expect_code(0);
    assert!(run.stdout.contains("\"hello world\""), "{}", run.stdout);

    let run = setup.run(&["embed", "--json", "--dimensions", "256", "one", "two"]);
    run.expect_code(0);
    let document = run.json();
    let embeddings = document["embeddings"].as_array().unwrap();
    assert_eq!(embeddings.len(), 2);
    assert_eq!(embeddings[1]["text"], "two");
    assert_eq!(embeddings[0]["vector"].as_array().unwrap().len(), 256);
    assert_eq!(embeddings[0]["dimensions"], 256);
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let output = std::process::Command::new(BIN)
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(output.status.success(), "{shell}");
        let script = String::from_utf8(output.stdout).unwrap();
        assert!(script.contains("host-harness"), "{shell}");
        assert!(script.contains("completions"), "{shell}");
    }
    let output = std::process::Command::new(BIN)
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

fn help(args: &[&str]) -> String {
    let output = std::process::Command::new(BIN)
        .args(args)
        .arg("--help")
        .env_remove("HOST_HARNESS_CONFIG")
        .env_remove("HOST_HARNESS_PLUGINS_DIR")
        .output()
        .unwrap();
    assert!(output.status.success(), "{args:?} --help");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn every_command_has_an_example_exit_codes_and_help_on_every_option() {
    let commands: &[&[&str]] = &[
        &[],
        &["install"],
        &["validate"],
        &["models"],
        &["models", "list"],
        &["models", "show"],
        &["config"],
        &["config", "get"],
        &["config", "set"],
        &["config", "unset"],
        &["config", "show"],
        &["chat"],
        &["embed"],
        &["status"],
        &["doctor"],
        &["emulator"],
        &["demo"],
        &["completions"],
    ];
    for command in commands {
        let text = help(command);
        assert!(text.contains("Examples:\n"), "{command:?} has no example");
        assert!(
            text.contains("Exit codes:\n  0"),
            "{command:?} has no exit codes"
        );
        // Every option line carries a description after its name.
        let options = text.split("Options:\n").nth(1).unwrap_or_default();
        for line in options.lines().take_while(|line| !line.is_empty()) {
            let trimmed = line.trim_start();
            if trimmed.starts_with('-') {
                let described = trimmed
                    .split_once("  ")
                    .is_some_and(|(_, rest)| !rest.trim().is_empty());
                assert!(described, "{command:?}: option without help: {line}");
            }
        }
    }
    // Options only where they are used.
    assert!(!help(&["emulator"]).contains("--config"));
    assert!(!help(&["completions"]).contains("--plugins-dir"));
    assert!(!help(&["install"]).contains("--config"));
    assert!(help(&["chat"]).contains("--config"));
}

#[test]
fn plg_46_models_list_provider_keeps_one_bedrock_provider() {
    let setup = Setup::new();
    let run = setup.run(&["models", "list", "--provider", "Anthropic"]);
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(lines[1].starts_with(CLAUDE), "{}", run.stdout);
    assert!(
        lines[2].starts_with(
            "1 of 2 model(s) (Bedrock provider anthropic) from provider amazon-bedrock; region us-east-1"
        ),
        "{}",
        run.stdout
    );
    let run = setup.run(&["models", "list", "--provider", "amazon", "--json"]);
    run.expect_code(0);
    let ids: Vec<String> = run.json()["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, [NOVA]);
    let run = setup.run(&["models", "list", "--provider", "cohere"]);
    run.expect_code(1);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "no model of Bedrock provider \"cohere\" in the catalog of amazon-bedrock (2 model(s)); its providers: amazon, anthropic\n"
    );
}

#[test]
fn plg_46_models_show_prints_every_field_of_one_model() {
    let setup = Setup::new();
    let run = setup.run(&["models", "show", CLAUDE]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "id: us.anthropic.claude-sonnet-4-6
name: Claude Sonnet 4.6
provider: amazon-bedrock
bedrock provider: anthropic
api: bedrock-converse-stream
base url: none
input: text, image
reasoning: yes
context window: 1000000
max tokens: 64000
cost per 1M tokens: input $3, output $15, cache read $0.3, cache write $3.75
params: none
thinking levels: none
"
    );
    let run = setup.run(&[
        "models",
        "show",
        &format!("amazon-bedrock/{NOVA}"),
        "--json",
    ]);
    run.expect_code(0);
    let model = run.json();
    assert_eq!(model["id"], NOVA);
    assert_eq!(model["contextWindow"], 128000);
    assert_eq!(model["bedrockProvider"], "amazon");
    assert_eq!(model["applicationProfile"], serde_json::Value::Null);
}

#[test]
fn plg_46_models_show_of_an_unknown_id_exits_1_with_the_closest_ids() {
    let setup = Setup::new();
    let run = setup.run(&["models", "show", "amazon.nova-micro"]);
    run.expect_code(1);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "unknown model \"amazon.nova-micro\" in the catalog of amazon-bedrock (2 model(s)); closest: amazon.nova-micro-v1:0, us.anthropic.claude-sonnet-4-6\n"
    );
}

#[test]
fn plg_46_models_show_names_application_profiles_with_their_arn() {
    const ARN: &str =
        "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/mi1dadi0g15f";
    let emulator = Emulator::start(EmulatorOptions::default()).unwrap();
    let mut config = host_config(plugin_config(&emulator), true);
    config["models"]["providers"]["amazon-bedrock"]["models"][0] = json!({
        "id": ARN, "name": "my-prod-profile", "params": {"canonicalModelId": "claude-sonnet-4-6"}
    });
    let setup = Setup::from_host_config(emulator, config);
    let run = setup.run(&["models", "show", ARN]);
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[3], "bedrock provider: unknown (application profile)");
    assert!(
        lines.contains(&"params.canonicalModelId: claude-sonnet-4-6"),
        "{}",
        run.stdout
    );
    assert_eq!(
        lines.last().unwrap(),
        &format!("application profile: my-prod-profile (ARN {ARN})")
    );
    let run = setup.run(&["models", "show", ARN, "--json"]);
    assert_eq!(
        run.json()["applicationProfile"],
        json!({"name": "my-prod-profile", "arn": ARN})
    );
    // Discovered application profiles are listed by their opaque id; the catalog has no ARN.
    let setup = Setup::with(|config| config["discovery"] = json!({"enabled": true}));
    let run = setup.run(&["models", "show", "mi1dadi0g15f"]);
    run.expect_code(0);
    assert!(
        run.stdout.ends_with(
            "application profile: my-prod-profile (ARN not in the catalog: discovery lists the profile by its id)\n"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn plg_14_status_and_the_models_footer_show_the_control_plane_endpoint() {
    // Discovery is off, so nothing is sent to this address.
    let setup = Setup::with(|config| {
        config["awsBedrockControlPlaneEndpoint"] = json!("http://127.0.0.1:9/control");
    });
    let run = setup.run(&["status"]);
    run.expect_code(0);
    assert!(
        run.stdout
            .contains("control-plane endpoint: http://127.0.0.1:9/control\n"),
        "{}",
        run.stdout
    );
    let run = setup.run(&["models", "list"]);
    run.expect_code(0);
    assert!(
        run.stdout
            .contains(", control plane http://127.0.0.1:9/control, catalog age"),
        "{}",
        run.stdout
    );
    assert_eq!(
        setup.run(&["status", "--json"]).json()["control_plane_endpoint"],
        "http://127.0.0.1:9/control"
    );
}
