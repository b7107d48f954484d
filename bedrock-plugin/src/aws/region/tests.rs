use super::*;

fn env(pairs: &[(&str, &str)]) -> EnvSnapshot {
    EnvSnapshot::from_pairs(pairs.iter().copied())
}

#[test]
fn reg_04_region_from_standard_base_urls_only() {
    assert_eq!(
        region_from_base_url("https://bedrock-runtime-fips.us-gov-west-1.amazonaws.com").as_deref(),
        Some("us-gov-west-1")
    );
    assert_eq!(
        region_from_base_url("https://bedrock-runtime.cn-north-1.amazonaws.com.cn").as_deref(),
        Some("cn-north-1")
    );
    assert_eq!(
        region_from_base_url("https://bedrock-runtime.us-east-1.api.aws").as_deref(),
        Some("us-east-1")
    );
    assert_eq!(
        region_from_base_url("https://vpce-0abc.bedrock-runtime.us-east-1.vpce.amazonaws.com"),
        None
    );
    assert_eq!(region_from_base_url("http://127.0.0.1:4566"), None);
}

#[test]
fn reg_05_region_from_arns() {
    assert_eq!(
        region_from_arn(
            "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-opus-4-7"
        )
        .as_deref(),
        Some("us-west-2")
    );
    assert_eq!(
        region_from_arn("arn:aws:bedrock:::foundation-model/anthropic.claude-opus-4-6-v1"),
        None
    );
    assert_eq!(region_from_arn("anthropic.claude-opus-4-6-v1"), None);
}

#[test]
fn reg_01_order_follows_the_table() {
    let base = RuntimeRegionInputs {
        model_id: "anthropic.claude-sonnet-4-6",
        ..Default::default()
    };
    let with = |inputs: RuntimeRegionInputs<'_>, env_pairs: &[(&str, &str)]| {
        runtime_region(&inputs, &env(env_pairs)).region
    };
    assert_eq!(
        with(
            RuntimeRegionInputs {
                request_region: Some("ap-northeast-1"),
                aws_region: Some("eu-west-3"),
                ..base.clone()
            },
            &[]
        ),
        "ap-northeast-1"
    );
    assert_eq!(
            with(
                RuntimeRegionInputs {
                    model_id: "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-opus-4-7",
                    provider_base_urls: vec!["https://bedrock-runtime.us-east-1.amazonaws.com"],
                    ..base.clone()
                },
                &[]
            ),
            "us-west-2"
        );
    assert_eq!(
        with(
            RuntimeRegionInputs {
                model_base_url: Some("https://bedrock-runtime.eu-west-1.amazonaws.com"),
                provider_base_urls: vec!["https://bedrock-runtime.eu-central-1.amazonaws.com"],
                ..base.clone()
            },
            &[]
        ),
        "eu-west-1"
    );
    assert_eq!(
        with(
            RuntimeRegionInputs {
                provider_base_urls: vec![
                    "https://bedrock-runtime.internal.example",
                    "https://bedrock-runtime.ca-central-1.amazonaws.com"
                ],
                ..base.clone()
            },
            &[]
        ),
        "ca-central-1"
    );
    assert_eq!(
        with(
            RuntimeRegionInputs {
                aws_region: Some("eu-west-3"),
                ..base.clone()
            },
            &[("AWS_REGION", "us-west-1")]
        ),
        "eu-west-3"
    );
    assert_eq!(
        with(
            RuntimeRegionInputs {
                provider_base_urls: vec!["https://bedrock-runtime.internal.example"],
                discovery_region: Some("eu-central-1"),
                ..base.clone()
            },
            &[("AWS_REGION", "us-west-1")]
        ),
        "eu-central-1"
    );
    assert_eq!(
        with(
            base.clone(),
            &[("AWS_REGION", " "), ("AWS_DEFAULT_REGION", "eu-west-1")]
        ),
        "eu-west-1"
    );
    assert_eq!(
        with(
            RuntimeRegionInputs {
                profile_region: Some("us-east-2"),
                ..base.clone()
            },
            &[]
        ),
        "us-east-2"
    );
    assert_eq!(with(base, &[]), "us-east-1");
}

#[test]
fn reg_10_control_plane_order_and_partition_suffixes() {
    let choice = control_plane_region(Some("eu-central-1"), Some("us-west-2"), None, &env(&[]));
    assert_eq!(
        choice,
        RegionChoice::new("eu-central-1", "discovery.region")
    );
    assert_eq!(
        control_plane_region(None, None, None, &env(&[])).region,
        "us-east-1"
    );
    assert_eq!(
        standard_runtime_base_url("us-east-1"),
        "https://bedrock-runtime.us-east-1.amazonaws.com"
    );
    assert_eq!(
        standard_runtime_base_url("cn-north-1"),
        "https://bedrock-runtime.cn-north-1.amazonaws.com.cn"
    );
    assert_eq!(
        standard_runtime_base_url("us-gov-west-1"),
        "https://bedrock-runtime.us-gov-west-1.amazonaws.com"
    );
    assert_eq!(
        standard_runtime_base_url("eusc-de-east-1"),
        "https://bedrock-runtime.eusc-de-east-1.amazonaws.eu"
    );
    assert_eq!(
        standard_runtime_base_url("us-isob-east-1"),
        "https://bedrock-runtime.us-isob-east-1.sc2s.sgov.gov"
    );
}

#[test]
fn static_patterns_compile() {
    // Forcing each static compiles its constant pattern.
    for pattern in [&*BASE_URL_PATTERN, &*ARN_PATTERN] {
        assert!(!pattern.as_str().is_empty());
    }
}
