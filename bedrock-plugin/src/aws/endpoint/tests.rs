use super::*;

fn env(pairs: &[(&str, &str)]) -> EnvSnapshot {
    EnvSnapshot::from_pairs(pairs.iter().copied())
}

#[test]
fn ep_01_custom_base_url_beats_everything_and_standard_is_only_a_hint() {
    let profile = ProfileSettings::default();
    let standard_only = RuntimeEndpointInputs {
        provider_base_urls: vec!["https://bedrock-runtime.us-west-2.amazonaws.com"],
        ..Default::default()
    };
    let choice = runtime_endpoint(&standard_only, "us-west-2", &env(&[]), &profile);
    assert!(!choice.custom);
    assert_eq!(
        choice.url,
        "https://bedrock-runtime.us-west-2.amazonaws.com"
    );

    let custom_inputs = RuntimeEndpointInputs {
        provider_base_urls: vec!["https://proxy.example/bedrock/"],
        aws_bedrock_endpoint: Some("https://vpce.example"),
        ..Default::default()
    };
    let choice = runtime_endpoint(
        &custom_inputs,
        "us-east-1",
        &env(&[("AWS_ENDPOINT_URL", "http://x")]),
        &profile,
    );
    assert_eq!(choice.url, "https://proxy.example/bedrock");
    assert!(choice.custom);
}

#[test]
fn ep_01_env_order_and_ignore_switch() {
    let profile = ProfileSettings::default();
    let inputs = RuntimeEndpointInputs::default();
    let both = env(&[
        ("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "http://127.0.0.1:1"),
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:2"),
    ]);
    assert_eq!(
        runtime_endpoint(&inputs, "us-east-1", &both, &profile).url,
        "http://127.0.0.1:1"
    );
    let ignored = env(&[
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:2"),
        ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
    ]);
    assert!(!runtime_endpoint(&inputs, "us-east-1", &ignored, &profile).custom);
}

#[test]
fn ep_02_control_plane_ignores_runtime_overrides() {
    let choice = control_plane_endpoint(
        None,
        "eu-west-1",
        &env(&[("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "http://x")]),
        &ProfileSettings::default(),
    );
    assert_eq!(choice.url, "https://bedrock.eu-west-1.amazonaws.com");
    let choice = control_plane_endpoint(
        None,
        "eu-west-1",
        &env(&[("AWS_ENDPOINT_URL_BEDROCK", "http://127.0.0.1:9")]),
        &ProfileSettings::default(),
    );
    assert_eq!(choice.url, "http://127.0.0.1:9");
}

#[test]
fn ep_03_fips_and_dual_stack_variants() {
    let fips = EndpointVariant {
        fips: true,
        dual_stack: false,
    };
    let dual = EndpointVariant {
        fips: false,
        dual_stack: true,
    };
    let both = EndpointVariant {
        fips: true,
        dual_stack: true,
    };
    assert_eq!(
        standard_url("bedrock-runtime", "us-east-1", fips),
        "https://bedrock-runtime-fips.us-east-1.amazonaws.com"
    );
    assert_eq!(
        standard_url("bedrock-runtime", "us-east-1", dual),
        "https://bedrock-runtime.us-east-1.api.aws"
    );
    assert_eq!(
        standard_url("bedrock", "us-east-1", both),
        "https://bedrock-fips.us-east-1.api.aws"
    );
}

#[test]
fn plg_14_control_plane_endpoint_config_key_comes_first() {
    let choice = control_plane_endpoint(
        Some("https://bedrock.vpce-1.example/"),
        "eu-west-1",
        &env(&[("AWS_ENDPOINT_URL_BEDROCK", "http://127.0.0.1:9")]),
        &ProfileSettings::default(),
    );
    assert_eq!(
        choice,
        EndpointChoice {
            url: "https://bedrock.vpce-1.example".to_owned(),
            custom: true,
            source: "awsBedrockControlPlaneEndpoint",
        }
    );
    // Blank counts as unset.
    let choice = control_plane_endpoint(
        Some("  "),
        "eu-west-1",
        &env(&[]),
        &ProfileSettings::default(),
    );
    assert_eq!(choice.url, "https://bedrock.eu-west-1.amazonaws.com");
}

#[test]
fn plg_12_userinfo_from_env_and_base_urls_is_removed() {
    let choice = control_plane_endpoint(
        None,
        "us-east-1",
        &env(&[(
            "AWS_ENDPOINT_URL",
            "http://admin:Plg02EnvPass@127.0.0.1:4566/",
        )]),
        &ProfileSettings::default(),
    );
    assert_eq!(choice.url, "http://127.0.0.1:4566");
    assert_eq!(choice.source, "AWS_ENDPOINT_URL");
    let inputs = RuntimeEndpointInputs {
        model_base_url: Some("https://team:Plg02BasePass@proxy.example/bedrock?x=1"),
        ..RuntimeEndpointInputs::default()
    };
    let choice = runtime_endpoint(&inputs, "us-east-1", &env(&[]), &ProfileSettings::default());
    assert_eq!(choice.url, "https://proxy.example/bedrock?x=1");
    assert_eq!(choice.source, "provider baseUrl");
}

#[test]
fn plg_12_without_userinfo_leaves_other_urls_alone() {
    assert_eq!(without_userinfo("https://proxy.example/v1/@team"), None);
    assert_eq!(without_userinfo("http://127.0.0.1:4566"), None);
    assert_eq!(
        without_userinfo("https://a@b@host:443/p"),
        Some("https://host:443/p".to_owned())
    );
}
