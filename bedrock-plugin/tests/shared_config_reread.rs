//! AUTH-11 and EX-S05 through `aws::target::runtime`, the resolution every runtime call makes:
//! temporary credentials from the shared config are reused until 5 minutes before they expire
//! and dropped when a file changes, complete static keys skip the shared config, and a profile
//! with a standard baseUrl gets its region from it and no explicit endpoint.
//!
//! The profile's `credential_process` appends a line to a file each time it runs, so the tests
//! count resolutions instead of timing them.

mod common;

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_smithy_types::date_time::{DateTime, Format};
use bedrock_plugin::aws::credentials::CredentialCache;
use bedrock_plugin::aws::target::{runtime, CallTarget, RuntimeRequest};
use bedrock_plugin::bounded::WarnOnce;
use bedrock_plugin::env::EnvSnapshot;
use bedrock_plugin::settings::Settings;
use serde_json::{json, Value};

struct Files {
    dir: PathBuf,
    count: PathBuf,
}

/// Shared config files whose profile `dev` runs a counting `credential_process` returning
/// credentials that expire `expires_in` from now.
fn files(label: &str, expires_in: Duration) -> Files {
    let dir = common::temp_dir(label);
    let count = dir.join("runs");
    let expiry = SystemTime::now() + expires_in;
    let secs = expiry
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let expiration = DateTime::from_secs(secs as i64)
        .fmt(Format::DateTime)
        .expect("RFC 3339");
    let script = dir.join("process.sh");
    std::fs::write(
        &script,
        format!(
            "echo run >> '{}'\necho '{{\"Version\":1,\"AccessKeyId\":\"ASIATEMPORARY1\",\"SecretAccessKey\":\"s\",\"SessionToken\":\"t\",\"Expiration\":\"{expiration}\"}}'\n",
            count.display()
        ),
    )
    .expect("script");
    common::write_atomically(
        &dir.join("config"),
        &format!(
            "[profile dev]\ncredential_process = sh {}\n",
            script.display()
        ),
    );
    common::write_atomically(&dir.join("credentials"), "");
    Files { dir, count }
}

fn env(files: &Files, extra: &[(&str, &str)]) -> EnvSnapshot {
    let config = files.dir.join("config").display().to_string();
    let credentials = files.dir.join("credentials").display().to_string();
    let home = files.dir.display().to_string();
    let mut pairs = vec![
        ("AWS_CONFIG_FILE".to_owned(), config),
        ("AWS_SHARED_CREDENTIALS_FILE".to_owned(), credentials),
        ("HOME".to_owned(), home),
        ("AWS_EC2_METADATA_DISABLED".to_owned(), "true".to_owned()),
    ];
    pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    EnvSnapshot::from_pairs(pairs)
}

fn runs(files: &Files) -> usize {
    std::fs::read_to_string(&files.count)
        .map(|text| text.lines().count())
        .unwrap_or(0)
}

async fn resolve(
    config: Value,
    host: Value,
    env: &EnvSnapshot,
    cache: &CredentialCache,
) -> CallTarget {
    let settings = Settings::parse(&config.to_string(), &host.to_string()).expect("settings");
    runtime(
        &settings,
        env,
        RuntimeRequest {
            model_id: "amazon.nova-micro-v1:0",
            ..Default::default()
        },
        cache,
        &WarnOnce::default(),
    )
    .await
    .expect("resolved")
}

fn access_key(target: &CallTarget) -> String {
    target
        .spec
        .credentials
        .as_ref()
        .map(|credentials| credentials.access_key_id().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn auth_11_temporary_credentials_are_reused_until_a_file_changes() {
    let files = files("auth11-reuse", Duration::from_secs(3600));
    let env = env(&files, &[("AWS_PROFILE", "dev")]);
    let cache = CredentialCache::default();
    let config = json!({"awsRegion": "us-east-1"});
    for _ in 0..2 {
        let target = resolve(config.clone(), json!({}), &env, &cache).await;
        assert_eq!(access_key(&target), "ASIATEMPORARY1");
    }
    assert_eq!(runs(&files), 1, "reused while valid");
    // Any change of the shared files (here its size) drops them.
    let config_file = files.dir.join("config");
    let text = std::fs::read_to_string(&config_file).expect("config");
    common::write_atomically(&config_file, &format!("{text}# rotated\n"));
    resolve(config, json!({}), &env, &cache).await;
    assert_eq!(runs(&files), 2, "resolved again after the change");
}

#[tokio::test]
async fn auth_11_credentials_expiring_within_5_minutes_are_not_reused() {
    let files = files("auth11-expiry", Duration::from_secs(4 * 60));
    let env = env(&files, &[("AWS_PROFILE", "dev")]);
    let cache = CredentialCache::default();
    for _ in 0..2 {
        resolve(json!({"awsRegion": "us-east-1"}), json!({}), &env, &cache).await;
    }
    assert_eq!(runs(&files), 2);
}

#[tokio::test]
async fn auth_11_complete_static_keys_skip_the_shared_config() {
    let files = files("auth11-static", Duration::from_secs(3600));
    let cache = CredentialCache::default();
    // Static keys in the config, and in the env: the profile's process never runs.
    let target = resolve(
        json!({"awsAccessKey": "AKIDCONFIGKEY", "awsSecretKey": "secret", "awsRegion": "us-east-1"}),
        json!({}),
        &env(&files, &[("AWS_PROFILE", "dev")]),
        &cache,
    )
    .await;
    assert_eq!(access_key(&target), "AKIDCONFIGKEY");
    let target = resolve(
        json!({"awsRegion": "us-east-1"}),
        json!({}),
        &env(
            &files,
            &[
                ("AWS_PROFILE", "dev"),
                ("AWS_ACCESS_KEY_ID", "AKIDENVKEY"),
                ("AWS_SECRET_ACCESS_KEY", "secret"),
            ],
        ),
        &cache,
    )
    .await;
    assert_eq!(access_key(&target), "AKIDENVKEY");
    assert_eq!(runs(&files), 0);
}

#[tokio::test]
async fn ex_s05_a_profile_with_a_standard_base_url_takes_its_region_and_no_endpoint() {
    let files = files("ex-s05", Duration::from_secs(3600));
    let profile_config = files.dir.join("config");
    let text = std::fs::read_to_string(&profile_config).expect("config");
    common::write_atomically(
        &profile_config,
        &text.replace("[profile dev]", "[profile prod-bedrock]"),
    );
    let target = resolve(
        json!({"awsProfile": "prod-bedrock"}),
        json!({"models": {"providers": {"amazon-bedrock": {
            "baseUrl": "https://bedrock-runtime.us-west-2.amazonaws.com"
        }}}}),
        &env(&files, &[]),
        &CredentialCache::default(),
    )
    .await;
    assert_eq!(target.region.region, "us-west-2");
    assert!(!target.endpoint.custom, "{:?}", target.endpoint);
    assert_eq!(
        target.endpoint.url,
        "https://bedrock-runtime.us-west-2.amazonaws.com"
    );
    assert_eq!(
        access_key(&target),
        "ASIATEMPORARY1",
        "the profile's credentials"
    );
}
