//! Authentication, region and endpoint rules (AUTH-, REG-, EP-) observed through discovery
//! against the emulator and through `status()`.
//!
//! The fixed env snapshots name temporary shared config / credentials files, which the plugin
//! hands to the SDK's profile provider explicitly. The SDK's web-identity, container and
//! instance-metadata providers read the live process environment (as the spec allows), so
//! this binary disables IMDS and clears those variables once for the whole process.

#![allow(clippy::type_complexity)] // the case tables are clearer inline

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use bedrock_emulator::{
    AuthScheme, Emulator, EmulatorOptions, Operation, DEFAULT_ACCESS_KEY_ID, DEFAULT_BEARER_TOKEN,
    DEFAULT_SECRET_ACCESS_KEY,
};
use common::*;
use plugin_api::error::ErrorKind;
use plugin_api::traits::PluginInstanceBox;
use serde_json::{json, Value};

struct SharedFiles {
    config: PathBuf,
    credentials: PathBuf,
}

fn credentials_text(rotating_key: &str) -> String {
    format!(
        "[default]\naws_access_key_id = {DEFAULT_ACCESS_KEY_ID}\naws_secret_access_key = {DEFAULT_SECRET_ACCESS_KEY}\n\
         [prod]\naws_access_key_id = {DEFAULT_ACCESS_KEY_ID}\naws_secret_access_key = {DEFAULT_SECRET_ACCESS_KEY}\n\
         [alt]\naws_access_key_id = AKIDALT\naws_secret_access_key = alt-secret\n\
         [rotating]\naws_access_key_id = {rotating_key}\naws_secret_access_key = rotating-secret\n"
    )
}

fn shared_files() -> &'static SharedFiles {
    static FILES: OnceLock<SharedFiles> = OnceLock::new();
    FILES.get_or_init(|| {
        let dir = temp_dir("aws-shared");
        let config = dir.join("config");
        let credentials = dir.join("credentials");
        std::fs::write(
            &config,
            "[default]\nregion = us-west-2\n[profile prod]\nregion = us-east-2\n\
             [profile broken]\ncredential_process = /bin/false\n[profile alt]\n[profile rotating]\n",
        )
        .expect("config");
        std::fs::write(&credentials, credentials_text("AKIDOLD")).expect("credentials");
        // Test-only: the chain's later links read the live env (see module docs).
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
        for name in ["AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_BEARER_TOKEN_BEDROCK", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"] {
            std::env::remove_var(name);
        }
        SharedFiles { config, credentials }
    })
}

/// `extra` plus the shared files and (when given) the emulator's control-plane endpoint.
fn env_with(emu: Option<&Emulator>, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let files = shared_files();
    let mut env: Vec<(String, String)> = vec![
        ("AWS_CONFIG_FILE".into(), files.config.display().to_string()),
        (
            "AWS_SHARED_CREDENTIALS_FILE".into(),
            files.credentials.display().to_string(),
        ),
        ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        ("HOME".into(), "/nonexistent-home".into()),
    ];
    if let Some(emu) = emu {
        env.push(("AWS_ENDPOINT_URL_BEDROCK".into(), emu.base_url().into()));
    }
    for (key, value) in extra {
        env.retain(|(existing, _)| existing != key);
        env.push(((*key).into(), (*value).into()));
    }
    env
}

fn make(config: Value, host: Value, env: &[(String, String)]) -> PluginInstanceBox {
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    instance(config, host, &pairs)
}

fn start() -> Emulator {
    Emulator::start(EmulatorOptions::default()).expect("emulator")
}

fn sigv4_keys(emu: &Emulator) -> Vec<(String, String)> {
    emu.requests_for(Operation::ListFoundationModels)
        .into_iter()
        .map(|request| match request.auth {
            AuthScheme::SigV4 {
                access_key_id,
                region,
                ..
            } => (access_key_id, region),
            other => panic!("expected SigV4, got {other:?}"),
        })
        .collect()
}

fn base_url(catalog: &plugin_api::model::ProviderCatalog) -> String {
    catalog
        .base_url
        .as_ref()
        .into_option()
        .map(|u| u.to_string())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_04_broken_profile_does_not_break_bearer() {
    let emu = start();
    let env = env_with(
        Some(&emu),
        &[
            ("AWS_BEARER_TOKEN_BEDROCK", DEFAULT_BEARER_TOKEN),
            ("AWS_PROFILE", "broken"),
        ],
    );
    let catalog = list_strict(&make(json!({}), json!({}), &env)).await;
    assert!(!catalog.models.is_empty());
    for request in emu.requests() {
        assert!(
            matches!(request.auth, AuthScheme::Bearer),
            "{:?}",
            request.auth
        );
        assert!(request.authorized);
        assert!(request
            .header("authorization")
            .unwrap_or_default()
            .starts_with("Bearer"));
    }
    // ListFoundationModels, one ListInferenceProfiles page, and BR-80's access checks.
    assert_eq!(
        emu.requests().len() - emu.count(Operation::GetFoundationModelAvailability),
        2
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_04_profile_mode_with_bearer_env_is_sigv4_only() {
    let emu = start();
    let env = env_with(
        Some(&emu),
        &[
            ("AWS_BEARER_TOKEN_BEDROCK", "tok"),
            ("AWS_REGION", "us-east-1"),
        ],
    );
    let catalog = list_strict(&make(json!({"awsProfile": "default"}), json!({}), &env)).await;
    assert!(!catalog.models.is_empty());
    for request in emu.requests() {
        assert!(
            matches!(request.auth, AuthScheme::SigV4 { .. }),
            "{:?}",
            request.auth
        );
        assert!(request.authorized);
        assert!(!request
            .header("authorization")
            .unwrap_or_default()
            .starts_with("Bearer"));
    }
    assert_eq!(
        sigv4_keys(&emu),
        [(DEFAULT_ACCESS_KEY_ID.to_owned(), "us-east-1".to_owned())]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_04_07_blank_bearer_uses_sigv4_default_chain() {
    let emu = start();
    let env = env_with(
        Some(&emu),
        &[
            ("AWS_BEARER_TOKEN_BEDROCK", "  "),
            ("AWS_PROFILE", "default"),
        ],
    );
    let instance = make(json!({}), json!({}), &env);
    list_strict(&instance).await;
    // REG-10: no config/env region, so the active profile's region (us-west-2) signs.
    assert_eq!(
        sigv4_keys(&emu),
        [(DEFAULT_ACCESS_KEY_ID.to_owned(), "us-west-2".to_owned())]
    );
    let status = instance.discovery().status();
    assert_eq!(status.auth_mode.as_str(), "default");
    assert_eq!(status.credential_source.as_str(), "AWS_PROFILE");
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_01_partial_env_keys_fall_through_to_profile() {
    let emu = start();
    let env = env_with(
        Some(&emu),
        &[
            ("AWS_ACCESS_KEY_ID", DEFAULT_ACCESS_KEY_ID),
            ("AWS_SECRET_ACCESS_KEY", ""),
            ("AWS_SESSION_TOKEN", "tok"),
            ("AWS_PROFILE", "alt"),
            ("AWS_REGION", "us-east-1"),
        ],
    );
    let instance = make(json!({}), json!({}), &env);
    let _ = list(&instance, false, false).await;
    assert_eq!(
        sigv4_keys(&emu),
        [("AKIDALT".to_owned(), "us-east-1".to_owned())]
    );
    assert_eq!(
        instance.discovery().status().credential_source.as_str(),
        "AWS_PROFILE"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_05_static_keys_from_config_and_env() {
    let emu = start();
    let env = env_with(
        Some(&emu),
        &[
            ("AWS_REGION", "eu-west-1"),
            ("AWS_BEARER_TOKEN_BEDROCK", "ignored"),
            ("AWS_PROFILE", "broken"),
        ],
    );
    let config =
        json!({"awsAccessKey": DEFAULT_ACCESS_KEY_ID, "awsSecretKey": DEFAULT_SECRET_ACCESS_KEY});
    let instance = make(config, json!({}), &env);
    list_strict(&instance).await;
    assert_eq!(
        sigv4_keys(&emu),
        [(DEFAULT_ACCESS_KEY_ID.to_owned(), "eu-west-1".to_owned())]
    );
    assert!(emu.requests().iter().all(|r| r.authorized));
    let status = instance.discovery().status();
    assert_eq!(status.auth_mode.as_str(), "credentials");
    assert_eq!(
        status.credential_source.as_str(),
        "plugins.entries.amazon-bedrock.config.awsAccessKey"
    );
    assert!(!format!("{status:?}").contains(DEFAULT_SECRET_ACCESS_KEY));

    emu.clear_requests();
    let env = env_with(
        Some(&emu),
        &[
            ("AWS_ACCESS_KEY_ID", DEFAULT_ACCESS_KEY_ID),
            ("AWS_SECRET_ACCESS_KEY", DEFAULT_SECRET_ACCESS_KEY),
            ("AWS_REGION", "eu-west-1"),
        ],
    );
    let instance = make(json!({}), json!({}), &env);
    list_strict(&instance).await;
    assert_eq!(
        sigv4_keys(&emu),
        [(DEFAULT_ACCESS_KEY_ID.to_owned(), "eu-west-1".to_owned())]
    );
    assert_eq!(
        instance.discovery().status().credential_source.as_str(),
        "AWS_ACCESS_KEY_ID"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_03_05_06_09_credential_errors_are_typed_and_send_nothing() {
    let emu = start();
    let env = env_with(Some(&emu), &[("AWS_REGION", "us-east-1")]);
    let missing = make(json!({"awsProfile": "nope"}), json!({}), &env);
    let error = list(&missing, true, false)
        .await
        .expect_err("missing profile");
    assert!(
        error.message.contains("profile \"nope\""),
        "{}",
        error.message
    );
    assert!(
        error
            .message
            .starts_with("Amazon Bedrock credentials error: "),
        "{}",
        error.message
    );
    assert_eq!(error.kind(), Some(ErrorKind::Auth));

    let broken_env = env_with(
        Some(&emu),
        &[("AWS_REGION", "us-east-1"), ("AWS_PROFILE", "broken")],
    );
    let broken = make(json!({}), json!({}), &broken_env);
    let error = list(&broken, true, false)
        .await
        .expect_err("broken credential_process");
    assert!(
        error
            .message
            .starts_with("Amazon Bedrock credentials error: "),
        "{}",
        error.message
    );
    assert_eq!(error.kind(), Some(ErrorKind::Auth));
    // Non-strict: logged, empty.
    assert!(list(&broken, false, false)
        .await
        .expect("non-strict")
        .models
        .is_empty());

    let apikey = make(
        json!({"awsAuthentication": "apikey", "discovery": {"enabled": true}}),
        json!({}),
        &env,
    );
    let error = list(&apikey, true, false).await.expect_err("no key");
    assert_eq!(
        error.message.as_str(),
        "Amazon Bedrock auth mode \"apikey\" requires awsBedrockApiKey or AWS_BEARER_TOKEN_BEDROCK"
    );
    let credentials = make(json!({"awsAuthentication": "credentials"}), json!({}), &env);
    let error = list(&credentials, true, false).await.expect_err("no keys");
    assert_eq!(
        error.message.as_str(),
        "Amazon Bedrock auth mode \"credentials\" requires awsAccessKey and awsSecretKey"
    );
    assert!(emu.requests().is_empty(), "nothing sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_08_skip_auth_signs_with_dummy_keys() {
    let emu = start();
    let env = env_with(
        Some(&emu),
        &[
            ("AWS_BEDROCK_SKIP_AUTH", "1"),
            ("AWS_BEARER_TOKEN_BEDROCK", "tok"),
            ("AWS_REGION", "us-east-1"),
        ],
    );
    let instance = make(json!({"discovery": {"enabled": true}}), json!({}), &env);
    let _ = list(&instance, false, false).await;
    assert_eq!(
        sigv4_keys(&emu),
        [("dummy-access-key".to_owned(), "us-east-1".to_owned())]
    );
    let status = instance.discovery().status();
    assert_eq!(status.auth_mode.as_str(), "skip-auth");
    assert_eq!(status.credential_source.as_str(), "AWS_BEDROCK_SKIP_AUTH");

    emu.clear_requests();
    let env = env_with(
        Some(&emu),
        &[
            ("AWS_BEDROCK_SKIP_AUTH", "true"),
            ("AWS_BEARER_TOKEN_BEDROCK", DEFAULT_BEARER_TOKEN),
        ],
    );
    list_strict(&make(json!({}), json!({}), &env)).await;
    assert!(emu
        .requests()
        .iter()
        .all(|r| matches!(r.auth, AuthScheme::Bearer)));
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_10_rotated_shared_credentials_are_used_without_restart() {
    let emu = start();
    let env = env_with(
        Some(&emu),
        &[("AWS_PROFILE", "rotating"), ("AWS_REGION", "us-east-1")],
    );
    let instance = make(
        json!({"discovery": {"refreshInterval": 0}}),
        json!({}),
        &env,
    );
    let _ = list(&instance, false, false).await;
    write_atomically(
        &shared_files().credentials,
        &format!("# rotated\n{}", credentials_text("AKIDNEW")),
    );
    let _ = list(&instance, false, false).await;
    let keys: Vec<String> = sigv4_keys(&emu).into_iter().map(|(key, _)| key).collect();
    assert_eq!(keys, ["AKIDOLD", "AKIDNEW"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_20_21_30_markers_enablement_and_status_without_network() {
    let cases: &[(&[(&str, &str)], Value, bool, &str, &str)] = &[
        (
            &[
                ("AWS_BEARER_TOKEN_BEDROCK", "bearer"),
                ("AWS_PROFILE", "default"),
            ],
            json!({}),
            true,
            "default",
            "AWS_BEARER_TOKEN_BEDROCK",
        ),
        (&[], json!({}), false, "default", "aws-sdk-default-chain"),
        (
            &[("AWS_PROFILE", "default")],
            json!({}),
            true,
            "default",
            "AWS_PROFILE",
        ),
        (
            &[("AWS_ACCESS_KEY_ID", "AKID")],
            json!({}),
            false,
            "default",
            "aws-sdk-default-chain",
        ),
        (
            &[
                ("AWS_ACCESS_KEY_ID", "AKID"),
                ("AWS_SECRET_ACCESS_KEY", "s"),
            ],
            json!({}),
            true,
            "default",
            "AWS_ACCESS_KEY_ID",
        ),
        (
            &[("AWS_BEARER_TOKEN_BEDROCK", "tok")],
            json!({"awsProfile": "prod"}),
            true,
            "profile",
            "plugins.entries.amazon-bedrock.config.awsProfile",
        ),
        (
            &[],
            json!({"discovery": {"enabled": true}}),
            true,
            "default",
            "aws-sdk-default-chain",
        ),
        (
            &[("AWS_BEARER_TOKEN_BEDROCK", "tok")],
            json!({"discovery": {"enabled": false}}),
            false,
            "default",
            "AWS_BEARER_TOKEN_BEDROCK",
        ),
        (
            &[("TEAM_BEDROCK_KEY", " abc ")],
            json!({"awsBedrockApiKey": {"source": "env", "id": "TEAM_BEDROCK_KEY"}}),
            true,
            "apikey",
            "TEAM_BEDROCK_KEY",
        ),
    ];
    for (env, config, enabled, mode, source) in cases {
        let instance = make(config.clone(), json!({}), &env_with(None, env));
        let status = instance.discovery().status();
        assert_eq!(status.discovery_enabled, *enabled, "{env:?} {config}");
        assert_eq!(status.auth_mode.as_str(), *mode, "{env:?} {config}");
        assert_eq!(
            status.credential_source.as_str(),
            *source,
            "{env:?} {config}"
        );
        assert_eq!(
            instance
                .chat_provider()
                .auth_marker()
                .into_option()
                .map(|m| m.to_string()),
            Some(source.to_string()).filter(|s| s != "aws-sdk-default-chain"),
            "AUTH-22 {env:?}"
        );
        let printed = format!("{status:?}");
        for secret in ["bearer", "tok\"", "abc", "\"s\""] {
            assert!(!printed.contains(secret), "{secret} leaked: {printed}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn reg_10_control_plane_region_order_and_partition_base_urls() {
    let emu = start();
    let keys = [
        ("AWS_ACCESS_KEY_ID", DEFAULT_ACCESS_KEY_ID),
        ("AWS_SECRET_ACCESS_KEY", DEFAULT_SECRET_ACCESS_KEY),
    ];
    let cases: Vec<(Value, Vec<(&str, &str)>, &str, &str)> = vec![
        (
            json!({"discovery": {"region": "eu-central-1"}, "awsRegion": "eu-west-3"}),
            vec![("AWS_REGION", "us-west-1")],
            "eu-central-1",
            "https://bedrock-runtime.eu-central-1.amazonaws.com",
        ),
        (
            json!({"awsRegion": "eu-west-3"}),
            vec![("AWS_REGION", "us-west-1")],
            "eu-west-3",
            "https://bedrock-runtime.eu-west-3.amazonaws.com",
        ),
        (
            json!({}),
            vec![("AWS_REGION", " "), ("AWS_DEFAULT_REGION", "eu-west-1")],
            "eu-west-1",
            "https://bedrock-runtime.eu-west-1.amazonaws.com",
        ),
        (
            json!({}),
            vec![("AWS_PROFILE", "prod")],
            "us-east-2",
            "https://bedrock-runtime.us-east-2.amazonaws.com",
        ),
        (
            json!({}),
            vec![("AWS_CONFIG_FILE", "/nonexistent/config")],
            "us-east-1",
            "https://bedrock-runtime.us-east-1.amazonaws.com",
        ),
        (
            json!({"discovery": {"region": "cn-north-1"}}),
            vec![],
            "cn-north-1",
            "https://bedrock-runtime.cn-north-1.amazonaws.com.cn",
        ),
        (
            json!({"discovery": {"region": "us-gov-west-1"}}),
            vec![],
            "us-gov-west-1",
            "https://bedrock-runtime.us-gov-west-1.amazonaws.com",
        ),
        (
            json!({"discovery": {"region": "us-isob-east-1"}}),
            vec![],
            "us-isob-east-1",
            "https://bedrock-runtime.us-isob-east-1.sc2s.sgov.gov",
        ),
        (
            json!({"discovery": {"region": "eusc-de-east-1"}}),
            vec![],
            "eusc-de-east-1",
            "https://bedrock-runtime.eusc-de-east-1.amazonaws.eu",
        ),
    ];
    for (config, extra, region, url) in cases {
        emu.clear_requests();
        let mut env: Vec<(&str, &str)> = keys.to_vec();
        env.extend(extra.iter().copied());
        let catalog = list_strict(&make(
            config.clone(),
            json!({}),
            &env_with(Some(&emu), &env),
        ))
        .await;
        assert_eq!(base_url(&catalog), url, "{config}");
        // REG-03: signing region = region.
        assert_eq!(
            sigv4_keys(&emu),
            [(DEFAULT_ACCESS_KEY_ID.to_owned(), region.to_owned())],
            "{config}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn reg_01_04_runtime_region_in_status() {
    let cases: Vec<(Value, Value, Vec<(&str, &str)>, &str)> = vec![
        (
            json!({}),
            json!({"models": {"providers": {"amazon-bedrock": {"baseUrl": "https://bedrock-runtime.eu-central-1.amazonaws.com", "models": []}}}}),
            vec![("AWS_REGION", "us-west-2")],
            "eu-central-1",
        ),
        (
            json!({}),
            json!({"models": {"providers": {"bedrock": {"baseUrl": "https://bedrock-runtime.ca-central-1.amazonaws.com", "api": "bedrock-converse-stream", "models": []}}}}),
            vec![],
            "ca-central-1",
        ),
        (
            json!({"awsRegion": "eu-west-3"}),
            json!({}),
            vec![("AWS_REGION", "us-west-2")],
            "eu-west-3",
        ),
        (
            json!({"discovery": {"region": "eu-central-1"}}),
            json!({"models": {"providers": {"amazon-bedrock": {"baseUrl": "https://bedrock-runtime.internal.example", "models": []}}}}),
            vec![("AWS_REGION", "us-west-2")],
            "eu-central-1",
        ),
        (
            json!({}),
            json!({"models": {"providers": {"amazon-bedrock": {"baseUrl": "https://bedrock-runtime-fips.us-gov-west-1.amazonaws.com", "models": []}}}}),
            vec![],
            "us-gov-west-1",
        ),
        (
            json!({}),
            json!({}),
            vec![("AWS_REGION", " "), ("AWS_DEFAULT_REGION", "eu-west-1")],
            "eu-west-1",
        ),
        (
            json!({}),
            json!({}),
            vec![("AWS_CONFIG_FILE", "/nonexistent/config")],
            "us-east-1",
        ),
    ];
    for (config, host, env, region) in cases {
        let status = make(config.clone(), host.clone(), &env_with(None, &env))
            .discovery()
            .status();
        assert_eq!(status.region.as_str(), region, "{config} {host}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn ep_01_02_05_endpoint_orders() {
    let emu = start();
    // EP-02: AWS_ENDPOINT_URL serves the control plane too; awsBedrockEndpoint never does.
    let env = env_with(
        None,
        &[
            ("AWS_BEARER_TOKEN_BEDROCK", DEFAULT_BEARER_TOKEN),
            ("AWS_ENDPOINT_URL", emu.base_url()),
            ("AWS_REGION", "us-east-1"),
        ],
    );
    let instance = make(
        json!({"awsBedrockEndpoint": "http://127.0.0.1:9/runtime"}),
        json!({}),
        &env,
    );
    let catalog = list_strict(&instance).await;
    assert_eq!(
        base_url(&catalog),
        "https://bedrock-runtime.us-east-1.amazonaws.com",
        "EP-05"
    );
    assert_eq!(emu.count(Operation::ListFoundationModels), 1);
    let status = instance.discovery().status();
    assert_eq!(
        status.runtime_endpoint.as_str(),
        "http://127.0.0.1:9/runtime"
    );
    assert_eq!(status.control_plane_endpoint.as_str(), emu.base_url());

    // EP-02 step 3: the profile's services section.
    let dir = temp_dir("services");
    let config_file = dir.join("config");
    std::fs::write(
        &config_file,
        format!("[profile svc]\nregion = us-east-1\nservices = emu\n[services emu]\nbedrock =\n  endpoint_url = {}\n", emu.base_url()),
    )
    .expect("config");
    let env = env_with(
        None,
        &[
            ("AWS_BEARER_TOKEN_BEDROCK", DEFAULT_BEARER_TOKEN),
            ("AWS_PROFILE", "svc"),
            ("AWS_CONFIG_FILE", &config_file.display().to_string()),
        ],
    );
    list_strict(&make(json!({}), json!({}), &env)).await;
    assert_eq!(emu.count(Operation::ListFoundationModels), 2);

    // EP-01 order (status only): awsBedrockEndpoint > AWS_ENDPOINT_URL_BEDROCK_RUNTIME > AWS_ENDPOINT_URL > standard.
    let runtime = |config: Value, env: &[(&str, &str)]| {
        make(config, json!({}), &env_with(None, env))
            .discovery()
            .status()
            .runtime_endpoint
            .to_string()
    };
    let both = [
        ("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "http://runtime.example"),
        ("AWS_ENDPOINT_URL", "http://generic.example"),
        ("AWS_REGION", "us-east-1"),
    ];
    assert_eq!(
        runtime(json!({"awsBedrockEndpoint": "https://vpce.example"}), &both),
        "https://vpce.example"
    );
    assert_eq!(runtime(json!({}), &both), "http://runtime.example");
    assert_eq!(runtime(json!({}), &both[1..]), "http://generic.example");
    assert_eq!(
        runtime(json!({}), &both[2..]),
        "https://bedrock-runtime.us-east-1.amazonaws.com"
    );
    // A standard provider baseUrl is only a region hint.
    let hinted = make(
        json!({}),
        json!({"models": {"providers": {"amazon-bedrock": {"baseUrl": "https://bedrock-runtime.eu-west-1.amazonaws.com", "models": []}}}}),
        &env_with(None, &[]),
    );
    assert_eq!(
        hinted.discovery().status().runtime_endpoint.as_str(),
        "https://bedrock-runtime.eu-west-1.amazonaws.com"
    );
    // Ignored configured endpoints.
    let control = |env: &[(&str, &str)]| {
        make(json!({}), json!({}), &env_with(None, env))
            .discovery()
            .status()
            .control_plane_endpoint
            .to_string()
    };
    assert_eq!(
        control(&[
            ("AWS_ENDPOINT_URL_BEDROCK", "http://cp.example"),
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
            ("AWS_REGION", "us-east-1")
        ]),
        "https://bedrock.us-east-1.amazonaws.com"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ep_03_fips_and_dual_stack() {
    let control = |env: &[(&str, &str)]| {
        make(json!({}), json!({}), &env_with(None, env))
            .discovery()
            .status()
            .control_plane_endpoint
            .to_string()
    };
    assert_eq!(
        control(&[
            ("AWS_USE_FIPS_ENDPOINT", "true"),
            ("AWS_REGION", "us-east-1")
        ]),
        "https://bedrock-fips.us-east-1.amazonaws.com"
    );
    assert_eq!(
        control(&[
            ("AWS_USE_DUALSTACK_ENDPOINT", "true"),
            ("AWS_REGION", "us-east-1")
        ]),
        "https://bedrock.us-east-1.api.aws"
    );
    assert_eq!(
        control(&[
            ("AWS_USE_DUALSTACK_ENDPOINT", "true"),
            ("AWS_USE_FIPS_ENDPOINT", "true"),
            ("AWS_REGION", "us-east-1")
        ]),
        "https://bedrock-fips.us-east-1.api.aws"
    );
    let emu = start();
    let env = env_with(
        Some(&emu),
        &[
            ("AWS_BEARER_TOKEN_BEDROCK", DEFAULT_BEARER_TOKEN),
            ("AWS_USE_FIPS_ENDPOINT", "true"),
        ],
    );
    let error = list(&make(json!({}), json!({}), &env), true, false)
        .await
        .expect_err("fips + custom");
    assert!(
        error
            .message
            .contains("Invalid Configuration: FIPS and custom endpoint are not supported"),
        "{}",
        error.message
    );
    assert!(emu.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_two_instances_with_different_credentials_never_share_them() {
    let emu = start();
    let env = env_with(Some(&emu), &[("AWS_REGION", "us-east-1")]);
    let sigv4 = make(
        json!({"awsAccessKey": DEFAULT_ACCESS_KEY_ID, "awsSecretKey": DEFAULT_SECRET_ACCESS_KEY}),
        json!({}),
        &env,
    );
    let bearer = make(
        json!({"awsAuthentication": "apikey", "awsBedrockApiKey": DEFAULT_BEARER_TOKEN}),
        json!({}),
        &env,
    );
    let wrong = make(
        json!({"awsAccessKey": "AKIDOTHER", "awsSecretKey": "other-secret"}),
        json!({}),
        &env,
    );
    let (a, b, c) = tokio::join!(
        list(&sigv4, true, true),
        list(&bearer, true, true),
        list(&wrong, true, true)
    );
    assert!(
        a.is_ok() && b.is_ok(),
        "the two valid instances succeed side by side"
    );
    let error = c.expect_err("the third instance's unknown key is rejected");
    assert_eq!(error.status.into_option(), Some(403));
    let schemes: Vec<String> = emu
        .requests_for(Operation::ListFoundationModels)
        .into_iter()
        .map(|request| match request.auth {
            AuthScheme::SigV4 { access_key_id, .. } => access_key_id,
            AuthScheme::Bearer => "bearer".to_owned(),
            AuthScheme::Anonymous => "anonymous".to_owned(),
        })
        .collect();
    let mut sorted = schemes.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        ["AKIDEXAMPLE", "AKIDOTHER", "bearer"],
        "{schemes:?}"
    );
}

/// AUTH-09, PLG-27: a machine with no shared files at all (the default `~/.aws` paths absent,
/// no keys, no profile) gets the spec's "no AWS credentials found" message listing where the
/// plugin looked, not an SDK "could not read file" error that blames the missing config file.
#[tokio::test(flavor = "multi_thread")]
async fn auth_09_plg_27_missing_shared_files_mean_no_credentials_not_a_file_error() {
    let emu = start();
    shared_files(); // clears the live credential variables once for this process
    let home = temp_dir("no-aws-home");
    let env = vec![
        ("AWS_REGION".to_owned(), "us-east-1".to_owned()),
        ("AWS_EC2_METADATA_DISABLED".to_owned(), "true".to_owned()),
        ("HOME".to_owned(), home.display().to_string()),
        (
            "AWS_ENDPOINT_URL_BEDROCK".to_owned(),
            emu.base_url().to_owned(),
        ),
    ];
    let instance = make(json!({"discovery": {"enabled": true}}), json!({}), &env);
    let error = list(&instance, true, false)
        .await
        .expect_err("no credentials anywhere");
    assert_eq!(
        error.message.as_str(),
        "Amazon Bedrock credentials error: no AWS credentials found (checked \
         AWS_BEARER_TOKEN_BEDROCK, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, shared \
         config, web identity, container and instance metadata)"
    );
    assert_eq!(error.kind(), Some(ErrorKind::Auth));

    // A named profile in files that do not exist: the message names the profile and the files.
    let env_profile: Vec<(String, String)> = env
        .iter()
        .cloned()
        .chain([("AWS_PROFILE".to_owned(), "work".to_owned())])
        .collect();
    let instance = make(
        json!({"discovery": {"enabled": true}}),
        json!({}),
        &env_profile,
    );
    let error = list(&instance, true, false)
        .await
        .expect_err("profile in absent files");
    assert_eq!(
        error.message.as_str(),
        format!(
            "Amazon Bedrock credentials error: no AWS credentials found: profile \"work\" gives \
             none in {home}/.aws/config or {home}/.aws/credentials (also checked web identity, \
             container and instance metadata)",
            home = home.display()
        )
    );
    assert!(emu.requests().is_empty(), "nothing sent");
}
