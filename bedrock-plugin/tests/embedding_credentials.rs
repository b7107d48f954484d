//! EMB-30/31 (PLG-102): the credentials probe before an embedding provider is created, through
//! `PluginInstance::embedding_provider` with shared-config files in a temp dir. The profile's
//! `credential_process` appends a line to a file each time it runs, so the tests count chain
//! resolutions exactly instead of timing them.

mod common;

use std::path::{Path, PathBuf};

use plugin_api::embedding::EmbeddingProviderRequest;
use plugin_api::traits::PluginInstanceBox;
use serde_json::json;

const NO_CREDENTIALS: &str = "No API key found for provider \"bedrock\". AWS credentials are not available. Set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or AWS_BEARER_TOKEN_BEDROCK, configure an EC2/ECS/EKS role, or set agents.defaults.memorySearch.provider to another provider.";

/// A shared config whose profile `dev` resolves through a counting `credential_process`.
fn counting_profile(label: &str) -> (PathBuf, PathBuf) {
    let dir = common::temp_dir(label);
    let count = dir.join("probes");
    let script = dir.join("credentials.sh");
    std::fs::write(
        &script,
        format!(
            "echo probe >> '{}'\necho '{{\"Version\":1,\"AccessKeyId\":\"AKIDPROBE\",\"SecretAccessKey\":\"secret\"}}'\n",
            count.display()
        ),
    )
    .expect("write script");
    std::fs::write(
        dir.join("config"),
        format!(
            "[profile dev]\ncredential_process = sh {}\n",
            script.display()
        ),
    )
    .expect("write config");
    std::fs::write(dir.join("credentials"), "").expect("write credentials");
    (dir, count)
}

fn instance_for(dir: &Path, profile: &str) -> PluginInstanceBox {
    let config = dir.join("config").display().to_string();
    let credentials = dir.join("credentials").display().to_string();
    let home = dir.display().to_string();
    common::instance(
        json!({"awsRegion": "us-east-1", "discovery": {"enabled": false}}),
        json!({}),
        &[
            ("AWS_PROFILE", profile),
            ("AWS_CONFIG_FILE", config.as_str()),
            ("AWS_SHARED_CREDENTIALS_FILE", credentials.as_str()),
            ("HOME", home.as_str()),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ],
    )
}

fn create(instance: &PluginInstanceBox) -> Result<(), String> {
    instance
        .embedding_provider(EmbeddingProviderRequest::default())
        .into_result()
        .map(|provider| assert!(provider.is_some(), "a provider"))
        .map_err(|error| error.message.to_string())
}

fn probes(count: &Path) -> usize {
    std::fs::read_to_string(count)
        .map(|text| text.lines().count())
        .unwrap_or(0)
}

#[test]
fn emb_30_31_a_resolving_profile_is_probed_once_and_memoised() {
    let (dir, count) = counting_profile("emb30-resolving");
    let instance = instance_for(&dir, "dev");
    assert_eq!(create(&instance), Ok(()));
    assert_eq!(probes(&count), 1, "probed once");
    // EMB-31: the same (allowImds, env) within 5 minutes reuses the result, also from
    // another instance and from concurrent creations.
    assert_eq!(create(&instance), Ok(()));
    let other = instance_for(&dir, "dev");
    std::thread::scope(|scope| {
        let a = scope.spawn(|| create(&other));
        let b = scope.spawn(|| create(&instance));
        assert_eq!(a.join().expect("thread"), Ok(()));
        assert_eq!(b.join().expect("thread"), Ok(()));
    });
    assert_eq!(probes(&count), 1, "memoised");
}

#[test]
fn emb_31_concurrent_first_creations_share_one_probe() {
    let (dir, count) = counting_profile("emb31-single-flight");
    let instances: Vec<PluginInstanceBox> = (0..4).map(|_| instance_for(&dir, "dev")).collect();
    std::thread::scope(|scope| {
        let creations: Vec<_> = instances
            .iter()
            .map(|instance| scope.spawn(move || create(instance)))
            .collect();
        for creation in creations {
            assert_eq!(creation.join().expect("thread"), Ok(()));
        }
    });
    assert_eq!(probes(&count), 1, "one chain resolution");
}

#[test]
fn emb_30_32_a_failing_profile_fails_creation() {
    let (dir, count) = counting_profile("emb30-failing");
    let instance = instance_for(&dir, "missing");
    assert_eq!(create(&instance), Err(NO_CREDENTIALS.to_owned()));
    assert_eq!(probes(&count), 0, "the dev profile never ran");
}
