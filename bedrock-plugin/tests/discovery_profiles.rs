//! Discovery runs against the emulator (DISC-04, DISC-34, DISC-36): the shared config is read
//! again before every run, Mythos Preview profiles are skipped, and a discovered cross-region
//! profile is sent to the runtime region.

mod common;

use std::path::Path;

use bedrock_emulator::{
    Emulator, EmulatorOptions, Operation, RecordedRequest, DEFAULT_ACCESS_KEY_ID,
    DEFAULT_SECRET_ACCESS_KEY,
};
use serde_json::json;

const SONNET_ARN: &str = "arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-6";
const MYTHOS_ARN: &str = "arn:aws:bedrock:::foundation-model/anthropic.claude-mythos-preview";

fn start(catalog: Option<&Path>) -> Emulator {
    Emulator::start(EmulatorOptions {
        catalog: catalog.map(Path::to_path_buf),
        ..Default::default()
    })
    .expect("emulator")
}

/// The SigV4 scope region of a recorded request.
fn signed_region(request: &RecordedRequest) -> String {
    request
        .header("authorization")
        .unwrap_or_default()
        .split("Credential=")
        .nth(1)
        .and_then(|credential| credential.split('/').nth(2))
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn disc_34_mythos_preview_profiles_are_skipped() {
    let dir = common::catalog_dir(
        "disc34",
        json!([
            common::fm(
                "anthropic.claude-sonnet-4-6",
                "Claude Sonnet 4.6",
                "Anthropic",
                &["TEXT", "IMAGE"],
                &["TEXT"]
            ),
            common::fm(
                "anthropic.claude-mythos-preview",
                "Claude Mythos Preview",
                "Anthropic",
                &["TEXT"],
                &["TEXT"]
            ),
        ]),
        json!([
            common::profile(
                "us.anthropic.claude-sonnet-4-6",
                "US Sonnet 4.6",
                "SYSTEM_DEFINED",
                "ACTIVE",
                &[SONNET_ARN]
            ),
            // By profile id, with no models to take a base id from.
            common::profile(
                "us.anthropic.claude-mythos-preview",
                "US Mythos Preview",
                "SYSTEM_DEFINED",
                "ACTIVE",
                &[]
            ),
            // By base id: an application profile over Mythos Preview.
            common::profile(
                "team-mythos",
                "Team Mythos",
                "APPLICATION",
                "ACTIVE",
                &[MYTHOS_ARN]
            ),
        ]),
    );
    let emu = start(Some(&dir));
    let plugin = common::instance(
        common::emulator_plugin_config(&emu, json!({"discovery": {"enabled": true}})),
        json!({}),
        &[
            ("AWS_ENDPOINT_URL_BEDROCK", emu.base_url()),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("HOME", "/nonexistent-home"),
        ],
    );
    let ids = common::ids(&common::list_strict(&plugin).await);
    assert!(
        ids.contains(&"us.anthropic.claude-sonnet-4-6".to_owned()),
        "{ids:?}"
    );
    for skipped in [
        "us.anthropic.claude-mythos-preview",
        "team-mythos",
        "anthropic.claude-mythos-preview",
    ] {
        assert!(
            !ids.iter().any(|id| id.contains(skipped)),
            "{skipped} in {ids:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn disc_36_a_discovered_cross_region_profile_is_sent_in_the_runtime_region() {
    let emu = start(None);
    let plugin = common::instance(
        common::emulator_plugin_config(&emu, json!({"discovery": {"enabled": true}})),
        json!({}),
        &[
            ("AWS_ENDPOINT_URL_BEDROCK", emu.base_url()),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("HOME", "/nonexistent-home"),
        ],
    );
    let catalog = common::list_strict(&plugin).await;
    let profile = common::model(&catalog, "global.anthropic.claude-sonnet-4-6").clone();
    let request = plugin_api::chat::ChatRequest {
        model: profile,
        ..common::text_request("global.anthropic.claude-sonnet-4-6", "route me")
    };
    common::run_stream(&plugin, request).await;
    let sent = emu.requests_for(Operation::ConverseStream);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].model_id.as_deref(),
        Some("global.anthropic.claude-sonnet-4-6"),
        "the profile id is sent as it is"
    );
    assert_eq!(
        signed_region(&sent[0]),
        "us-east-1",
        "awsRegion, the runtime region"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn disc_04_every_run_reads_the_shared_config_again() {
    let emu = start(None);
    let dir = common::temp_dir("disc04");
    let config = dir.join("config");
    let credentials = dir.join("credentials");
    common::write_atomically(&config, "[default]\nregion = eu-west-1\n");
    common::write_atomically(
        &credentials,
        &format!(
            "[default]\naws_access_key_id = {DEFAULT_ACCESS_KEY_ID}\naws_secret_access_key = {DEFAULT_SECRET_ACCESS_KEY}\n"
        ),
    );
    let (config_path, credentials_path) = (
        config.display().to_string(),
        credentials.display().to_string(),
    );
    let home = dir.display().to_string();
    let plugin = common::instance(
        json!({"discovery": {"enabled": true}}),
        json!({}),
        &[
            ("AWS_CONFIG_FILE", config_path.as_str()),
            ("AWS_SHARED_CREDENTIALS_FILE", credentials_path.as_str()),
            ("HOME", home.as_str()),
            ("AWS_ENDPOINT_URL_BEDROCK", emu.base_url()),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ],
    );
    common::list(&plugin, true, true).await.expect("first run");
    let first = emu.requests_for(Operation::ListFoundationModels);
    assert_eq!(first.len(), 1);
    assert_eq!(signed_region(&first[0]), "eu-west-1");
    assert!(first[0].authorized, "signed with the profile's keys");
    // The file changes between runs: the next run uses the new region.
    common::write_atomically(&config, "[default]\nregion = ap-northeast-1\n");
    common::list(&plugin, true, true).await.expect("second run");
    let second = emu.requests_for(Operation::ListFoundationModels);
    assert_eq!(second.len(), 2);
    assert_eq!(signed_region(&second[1]), "ap-northeast-1");
}
