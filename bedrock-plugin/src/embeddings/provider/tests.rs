use super::*;
use crate::env::EnvSnapshot;
use crate::settings::Settings;

fn available(config: &str, env: &[(&str, &str)]) -> bool {
    let settings = Settings::parse(config, "{}").expect("settings");
    credentials_may_be_available(&settings, &EnvSnapshot::from_pairs(env.iter().copied()))
}

#[test]
fn emb_30_static_bearer_and_skip_auth_are_available() {
    let off = ("AWS_EC2_METADATA_DISABLED", "true");
    assert!(available(
        r#"{"awsAccessKey":"a","awsSecretKey":"b"}"#,
        &[off]
    ));
    assert!(available(r#"{"awsBedrockApiKey":"k"}"#, &[off]));
    assert!(available("{}", &[off, ("AWS_BEARER_TOKEN_BEDROCK", "t")]));
    assert!(available(
        "{}",
        &[
            off,
            ("AWS_ACCESS_KEY_ID", "a"),
            ("AWS_SECRET_ACCESS_KEY", "b")
        ]
    ));
    assert!(available("{}", &[off, ("AWS_BEDROCK_SKIP_AUTH", "1")]));
}

#[test]
fn emb_30_chain_markers_defer_to_the_call() {
    let off = ("AWS_EC2_METADATA_DISABLED", "true");
    assert!(available("{}", &[off, ("AWS_PROFILE", "dev")]));
    assert!(available(
        "{}",
        &[off, ("AWS_ROLE_ARN", "arn:aws:iam::1:role/r")]
    ));
    assert!(available(
        "{}",
        &[off, ("AWS_WEB_IDENTITY_TOKEN_FILE", "/t")]
    ));
    assert!(available(
        "{}",
        &[off, ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://x")]
    ));
    // Instance metadata not disabled: left to the call.
    assert!(available("{}", &[]));
}

#[test]
fn emb_30_32_nothing_set_with_imds_disabled_is_unavailable() {
    assert!(!available("{}", &[("AWS_EC2_METADATA_DISABLED", "true")]));
    assert!(!available(
        r#"{"awsAuthentication":"apikey"}"#,
        &[("AWS_EC2_METADATA_DISABLED", "true")]
    ));
    assert_eq!(
            no_credentials_error().message.as_str(),
            "No API key found for provider \"bedrock\". AWS credentials are not available. Set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or AWS_BEARER_TOKEN_BEDROCK, configure an EC2/ECS/EKS role, or set agents.defaults.memorySearch.provider to another provider."
        );
}

#[test]
fn br_10_full_jitter_stays_within_the_cap() {
    let policy = RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_millis(250),
        self_heal: false,
    };
    for attempt in 1..=6 {
        let cap = Duration::from_millis((100u64 << (attempt - 1)).min(250));
        for _ in 0..50 {
            assert!(full_jitter(&policy, attempt) <= cap);
        }
    }
}
