//! `host-harness doctor` against the emulator (BR-30..32): the exact report with one
//! permission denied by the emulator's IAM policy, an access key Bedrock rejects, an all-ok
//! run with every optional probe (application profile, embeddings, guardrail), and `--json`.

mod common;

use bedrock_emulator::{
    AccessPolicy, Credentials, Emulator, EmulatorOptions, Operation, DEFAULT_SECRET_ACCESS_KEY,
};
use common::cli::{host_config, plugin_config, Setup, NOVA};
use serde_json::json;

/// A 20-character access key id, so the report can show its last 4 characters (PLG-13).
const KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
/// An application profile of the emulator's built-in catalog.
const APP_PROFILE: &str =
    "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/mi1dadi0g15f";

fn emulator(policy: AccessPolicy) -> Emulator {
    Emulator::start(EmulatorOptions {
        credentials: Credentials {
            access_key_id: KEY_ID.to_owned(),
            ..Credentials::default()
        },
        policy,
        ..EmulatorOptions::default()
    })
    .expect("emulator")
}

fn setup_with(emulator: Emulator, edit: impl FnOnce(&mut serde_json::Value)) -> Setup {
    let mut config = plugin_config(&emulator);
    config["awsAccessKey"] = json!(KEY_ID);
    config["awsSecretKey"] = json!(DEFAULT_SECRET_ACCESS_KEY);
    let mut host = host_config(config, true);
    edit(&mut host);
    Setup::from_host_config(emulator, host)
}

/// The decision lines every run against the emulator with static config keys starts with.
fn decision_lines(base_url: &str) -> Vec<String> {
    vec![
        "auth mode: credentials".to_owned(),
        "credential source: plugins.entries.amazon-bedrock.config.awsAccessKey".to_owned(),
        "credential provider: Static".to_owned(),
        "access key id: ****MPLE".to_owned(),
        "runtime region: us-east-1 (awsRegion)".to_owned(),
        format!(
            "runtime endpoint: {base_url} (awsBedrockEndpoint; custom: yes, FIPS: no, dual-stack: no, proxy: none)"
        ),
        "control-plane region: us-east-1 (awsRegion)".to_owned(),
        format!(
            "control-plane endpoint: {base_url} (AWS_ENDPOINT_URL_BEDROCK; custom: yes, FIPS: no, dual-stack: no, proxy: none)"
        ),
        "discovery: disabled (discovery.enabled is false)".to_owned(),
        "discovery last run: never".to_owned(),
        "discovery last error: none".to_owned(),
        "model access: not checked (no discovery run yet)".to_owned(),
        "probe model access: amazon.nova-micro-v1:0: unknown".to_owned(),
    ]
}

#[test]
fn br_31_br_32_one_permission_denied_by_the_emulator_fails_the_doctor() {
    let policy = AccessPolicy::new().deny(KEY_ID, [Operation::ConverseStream]);
    let setup = setup_with(emulator(policy), |_| {});
    let run = setup.run(&["doctor"]);
    // Shown with `--nocapture`: the report as a user sees it.
    println!("{}", run.stdout);
    let mut expected = decision_lines(setup.emulator.base_url());
    expected.extend(
        [
            "bedrock:ListFoundationModels (ListFoundationModels): ok",
            "bedrock:ListInferenceProfiles (ListInferenceProfiles): ok",
            "bedrock:InvokeModelWithResponseStream (ConverseStream amazon.nova-micro-v1:0): denied",
            "bedrock:CountTokens (CountTokens amazon.nova-micro-v1:0): ok",
            "permissions to grant: bedrock:InvokeModelWithResponseStream",
            "credentials: ok",
        ]
        .map(str::to_owned),
    );
    assert_eq!(
        run.stdout.lines().collect::<Vec<_>>(),
        expected,
        "{}",
        run.stderr
    );
    run.expect_code(1);
    // Each probe was really sent, once, and the secret never printed.
    for operation in [
        Operation::ListFoundationModels,
        Operation::ListInferenceProfiles,
        Operation::ConverseStream,
        Operation::CountTokens,
    ] {
        assert_eq!(setup.emulator.count(operation), 1, "{operation:?}");
    }
    assert!(!run.stdout.contains(KEY_ID) && !run.stdout.contains(DEFAULT_SECRET_ACCESS_KEY));
    assert!(!run.stderr.contains(KEY_ID) && !run.stderr.contains(DEFAULT_SECRET_ACCESS_KEY));
}

#[test]
fn br_32_a_denied_count_tokens_is_reported_but_never_fails_the_doctor() {
    let policy = AccessPolicy::new().deny(KEY_ID, [Operation::CountTokens]);
    let setup = setup_with(emulator(policy), |_| {});
    let run = setup.run(&["doctor"]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines.contains(&"bedrock:CountTokens (CountTokens amazon.nova-micro-v1:0): denied"),
        "{}",
        run.stdout
    );
    assert!(lines.contains(&"permissions to grant: bedrock:CountTokens"));
    assert_eq!(lines.last(), Some(&"credentials: ok"));
    run.expect_code(0);
}

#[test]
fn plg_71_an_access_key_bedrock_rejects_fails_the_doctor() {
    // Today's doctor said `credentials: ok` without sending anything; the probes now find out.
    let setup = setup_with(emulator(AccessPolicy::new()), |host| {
        host["plugins"]["entries"]["amazon-bedrock"]["config"]["awsAccessKey"] =
            json!("AKIDUNKNOWNKEY000000");
    });
    let run = setup.run(&["doctor"]);
    let rejected =
        "error: UnrecognizedClientException: The security token included in the request is invalid.";
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[3], "access key id: ****0000", "{}", run.stdout);
    let first_probe = lines
        .iter()
        .position(|line| line.starts_with("bedrock:"))
        .expect("probe lines");
    let probes: Vec<String> = lines[first_probe..lines.len() - 1]
        .iter()
        .map(|line| line.to_string())
        .collect();
    assert_eq!(
        probes,
        [
            format!("bedrock:ListFoundationModels (ListFoundationModels): {rejected}"),
            format!("bedrock:ListInferenceProfiles (ListInferenceProfiles): {rejected}"),
            format!(
                "bedrock:InvokeModelWithResponseStream (ConverseStream amazon.nova-micro-v1:0): {rejected}"
            ),
            format!("bedrock:CountTokens (CountTokens amazon.nova-micro-v1:0): {rejected}"),
        ]
    );
    assert_eq!(
        lines.last().copied(),
        Some(
            "credentials: error: rejected by Amazon Bedrock: UnrecognizedClientException: The security token included in the request is invalid."
        )
    );
    run.expect_code(1);
}

#[test]
fn br_31_all_probes_ok_with_an_application_profile_embeddings_and_a_guardrail() {
    let setup = setup_with(emulator(AccessPolicy::new()), |host| {
        let entry = &mut host["plugins"]["entries"]["amazon-bedrock"]["config"];
        entry["guardrail"] = json!({"guardrailIdentifier": "gr1", "guardrailVersion": "1"});
        host["models"]["providers"]["amazon-bedrock"]["models"]
            .as_array_mut()
            .expect("models")
            .push(json!({"id": APP_PROFILE, "name": "App Sonnet"}));
        host["agents"] = json!({"defaults": {"memorySearch": {"provider": "bedrock"}}});
    });
    let run = setup.run(&["doctor"]);
    let mut expected = decision_lines(setup.emulator.base_url());
    expected.extend([
        "bedrock:ListFoundationModels (ListFoundationModels): ok".to_owned(),
        "bedrock:ListInferenceProfiles (ListInferenceProfiles): ok".to_owned(),
        format!("bedrock:GetInferenceProfile (GetInferenceProfile {APP_PROFILE}): ok"),
        format!("bedrock:InvokeModelWithResponseStream (ConverseStream {NOVA}): ok"),
        format!("bedrock:CountTokens (CountTokens {NOVA}): ok"),
        "bedrock:InvokeModel (InvokeModel amazon.titan-embed-text-v2:0): ok".to_owned(),
        "bedrock:ApplyGuardrail (ApplyGuardrail gr1 version 1): ok".to_owned(),
        "credentials: ok".to_owned(),
    ]);
    assert_eq!(
        run.stdout.lines().collect::<Vec<_>>(),
        expected,
        "{}",
        run.stderr
    );
    run.expect_code(0);
    assert_eq!(setup.emulator.count(Operation::GetInferenceProfile), 1);
    assert_eq!(setup.emulator.count(Operation::InvokeModel), 1);
    assert_eq!(setup.emulator.count(Operation::ApplyGuardrail), 1);
    // ConverseStream with `ping` and maxTokens 1 (BR-31).
    let chat = setup.emulator.requests_for(Operation::ConverseStream);
    let body: serde_json::Value = serde_json::from_slice(&chat[0].body).expect("json body");
    assert_eq!(
        body,
        json!({"messages": [{"role": "user", "content": [{"text": "ping"}]}],
               "inferenceConfig": {"maxTokens": 1}})
    );
}

#[test]
fn br_30_doctor_json_carries_checks_probes_and_the_exit_code() {
    let policy = AccessPolicy::new().deny(KEY_ID, [Operation::ListInferenceProfiles]);
    let setup = setup_with(emulator(policy), |_| {});
    let run = setup.run(&["doctor", "--json"]);
    run.expect_code(0);
    let report = run.json();
    assert_eq!(report["healthy"], true);
    assert_eq!(report["exit_code"], 0);
    assert_eq!(
        report["checks"][0],
        json!({"check": "auth mode", "result": "credentials"})
    );
    assert_eq!(
        report["probes"][1],
        json!({
            "operation": "ListInferenceProfiles",
            "action": "bedrock:ListInferenceProfiles",
            "target": null,
            "result": "denied",
            "message": "User: arn:aws:iam::123456789012:user/emulator is not authorized to perform: bedrock:ListInferenceProfiles because no identity-based policy allows the bedrock:ListInferenceProfiles action",
        })
    );
    assert_eq!(
        report["probes"]
            .as_array()
            .expect("probes")
            .iter()
            .map(|probe| probe["result"].as_str().unwrap_or_default())
            .collect::<Vec<_>>(),
        ["ok", "denied", "ok", "ok"]
    );
}

#[test]
fn br_30_a_profile_names_its_sdk_provider_from_the_credential_feature_markers() {
    let setup = setup_with(emulator(AccessPolicy::new()), |host| {
        let config = &mut host["plugins"]["entries"]["amazon-bedrock"]["config"];
        let object = config.as_object_mut().expect("plugin config");
        object.remove("awsAccessKey");
        object.remove("awsSecretKey");
        object.insert("awsAuthentication".to_owned(), json!("profile"));
        object.insert("awsProfile".to_owned(), json!("work"));
    });
    std::fs::create_dir_all(setup.dir.path().join(".aws")).expect("~/.aws");
    setup.file(".aws/config", b"");
    setup.file(
        ".aws/credentials",
        format!("[work]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {DEFAULT_SECRET_ACCESS_KEY}\n")
            .as_bytes(),
    );
    let run = setup.run(&["doctor"]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[..4],
        [
            "auth mode: profile",
            "credential source: plugins.entries.amazon-bedrock.config.awsProfile",
            "credential provider: Profile:work",
            "access key id: ****MPLE",
        ],
        "{}",
        run.stdout
    );
    assert_eq!(lines.last(), Some(&"credentials: ok"));
    run.expect_code(0);
}

#[test]
fn plg_71_credentials_that_do_not_resolve_send_nothing_and_fail_the_doctor() {
    let setup = setup_with(emulator(AccessPolicy::new()), |host| {
        let config = &mut host["plugins"]["entries"]["amazon-bedrock"]["config"];
        let object = config.as_object_mut().expect("plugin config");
        object.remove("awsSecretKey");
    });
    let run = setup.run(&["doctor"]);
    assert_eq!(
        run.stdout.lines().collect::<Vec<_>>(),
        [
            "auth mode: credentials",
            "credential source: unresolved: Amazon Bedrock auth mode \"credentials\" requires awsAccessKey and awsSecretKey",
            "credentials: error: Amazon Bedrock auth mode \"credentials\" requires awsAccessKey and awsSecretKey",
            "discovery: disabled (discovery.enabled is false)",
            "discovery last run: never",
            "discovery last error: none",
        ],
        "{}",
        run.stderr
    );
    run.expect_code(1);
    assert!(setup.emulator.requests().is_empty());
}

#[test]
fn br_30_a_credential_process_reports_its_provider_and_expiry() {
    let setup = setup_with(emulator(AccessPolicy::new()), |host| {
        let config = &mut host["plugins"]["entries"]["amazon-bedrock"]["config"];
        let object = config.as_object_mut().expect("plugin config");
        object.remove("awsAccessKey");
        object.remove("awsSecretKey");
        object.insert("awsAuthentication".to_owned(), json!("profile"));
        object.insert("awsProfile".to_owned(), json!("proc"));
    });
    std::fs::create_dir_all(setup.dir.path().join(".aws")).expect("~/.aws");
    let process = json!({
        "Version": 1,
        "AccessKeyId": KEY_ID,
        "SecretAccessKey": DEFAULT_SECRET_ACCESS_KEY,
        "Expiration": "2030-01-01T00:00:00Z",
    });
    setup.file(
        ".aws/config",
        format!("[profile proc]\ncredential_process = echo '{process}'\n").as_bytes(),
    );
    setup.file(".aws/credentials", b"");
    let run = setup.run(&["doctor"]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[..5],
        [
            "auth mode: profile",
            "credential source: plugins.entries.amazon-bedrock.config.awsProfile",
            "credential provider: CredentialProcess",
            "access key id: ****MPLE",
            "credential expiry: 2030-01-01T00:00:00Z",
        ],
        "{}{}",
        run.stdout,
        run.stderr
    );
    assert_eq!(lines.last(), Some(&"credentials: ok"));
    run.expect_code(0);
}

#[test]
fn br_30_an_api_key_is_a_bearer_provider_without_an_access_key_id() {
    let setup = setup_with(emulator(AccessPolicy::new()), |host| {
        let config = &mut host["plugins"]["entries"]["amazon-bedrock"]["config"];
        let object = config.as_object_mut().expect("plugin config");
        object.remove("awsAccessKey");
        object.remove("awsSecretKey");
        object.insert("awsAuthentication".to_owned(), json!("apikey"));
        object.insert(
            "awsBedrockApiKey".to_owned(),
            json!(bedrock_emulator::DEFAULT_BEARER_TOKEN),
        );
    });
    let run = setup.run(&["doctor"]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[..4],
        [
            "auth mode: apikey",
            "credential source: plugins.entries.amazon-bedrock.config.awsBedrockApiKey",
            "credential provider: Bearer",
            "runtime region: us-east-1 (awsRegion)",
        ],
        "{}{}",
        run.stdout,
        run.stderr
    );
    assert_eq!(lines.last(), Some(&"credentials: ok"));
    assert!(!run.stdout.contains(bedrock_emulator::DEFAULT_BEARER_TOKEN));
    run.expect_code(0);
}
