//! The pure half of the doctor (BR-30..32): provider names from the SDK's credential feature
//! markers, probe outcomes from failures, the printed texts, and the verdict rule.

use std::time::{Duration, UNIX_EPOCH};

use aws_credential_types::credential_feature::AwsCredentialFeature;
use aws_credential_types::Credentials;

use super::facts::{self, Outcome, Probe};
use super::probes::usable_model;
use super::*;
use crate::aws::endpoint::{EndpointChoice, EndpointVariant};
use crate::aws::http::{HttpSettings, ProxySettings};
use crate::config::SecretString;
use crate::discovery::build::RawFoundationModel;
use crate::error::BedrockError;

fn tagged(features: &[AwsCredentialFeature]) -> Credentials {
    let mut credentials = Credentials::new("AKIDEXAMPLE12345", "secret", None, None, "test");
    for feature in features {
        credentials
            .get_property_mut_or_default::<Vec<AwsCredentialFeature>>()
            .push(feature.clone());
    }
    credentials
}

fn chain() -> CredentialPlan {
    CredentialPlan::DefaultChain { profile: None }
}

#[test]
fn br_30_sdk_provider_comes_from_the_credential_feature_markers() {
    use AwsCredentialFeature as F;
    let cases: [(&[AwsCredentialFeature], &str); 8] = [
        (&[F::CredentialsProfile], "Profile:default"),
        (
            &[
                F::CredentialsProfile,
                F::CredentialsProfileSso,
                F::CredentialsSso,
            ],
            "Sso",
        ),
        (
            &[F::CredentialsProfileProcess, F::CredentialsProcess],
            "CredentialProcess",
        ),
        (
            &[
                F::CredentialsEnvVarsStsWebIdToken,
                F::CredentialsStsAssumeRoleWebId,
            ],
            "WebIdentityToken",
        ),
        (&[F::CredentialsHttp], "EcsContainer"),
        (&[F::CredentialsImds], "Ec2InstanceMetadata"),
        (&[F::CredentialsEnvVars], "Environment"),
        (&[], "unknown"),
    ];
    for (features, expected) in cases {
        let credentials = tagged(features);
        assert_eq!(
            facts::sdk_provider(&chain(), "aws-sdk-default-chain", Some(&credentials)),
            expected,
            "{features:?}"
        );
    }
    let named = CredentialPlan::DefaultChain {
        profile: Some("work".to_owned()),
    };
    let credentials = tagged(&[F::CredentialsProfile]);
    assert_eq!(
        facts::sdk_provider(&named, "AWS_PROFILE", Some(&credentials)),
        "Profile:work"
    );
    // A profile plan without markers is still its profile.
    let profile = CredentialPlan::Profile("dev".to_owned());
    assert_eq!(
        facts::sdk_provider(
            &profile,
            "plugins.entries.amazon-bedrock.config.awsProfile",
            None
        ),
        "Profile:dev"
    );
}

#[test]
fn plg_70_static_bearer_and_skip_auth_providers() {
    let keys = CredentialPlan::Static {
        access_key_id: SecretString::new("AKIDEXAMPLE12345"),
        secret_access_key: SecretString::new("secret"),
        session_token: None,
    };
    assert_eq!(
        facts::sdk_provider(&keys, "AWS_ACCESS_KEY_ID", None),
        "Environment"
    );
    assert_eq!(
        facts::sdk_provider(
            &keys,
            "plugins.entries.amazon-bedrock.config.awsAccessKey",
            None
        ),
        "Static"
    );
    let bearer = CredentialPlan::Bearer(SecretString::new("token"));
    assert_eq!(
        facts::sdk_provider(&bearer, "AWS_BEARER_TOKEN_BEDROCK", None),
        "Bearer"
    );
    assert_eq!(
        facts::sdk_provider(&CredentialPlan::SkipAuth, "AWS_BEDROCK_SKIP_AUTH", None),
        "SkipAuth"
    );
}

#[test]
fn br_30_expiry_is_rfc_3339_utc() {
    let expiry = UNIX_EPOCH + Duration::from_secs(1_796_223_600);
    assert_eq!(facts::expiry_text(expiry), "2026-12-02T15:00:00Z");
}

#[test]
fn br_30_endpoint_flags_and_a_proxy_with_its_userinfo_masked() {
    let endpoint = EndpointChoice {
        url: "https://bedrock-runtime-fips.us-east-1.amazonaws.com".to_owned(),
        custom: false,
        source: "standard",
    };
    let variant = EndpointVariant {
        fips: true,
        dual_stack: false,
    };
    let http = HttpSettings {
        ca_bundle: None,
        plain_http: false,
        proxy: Some(ProxySettings {
            url: "http://user:pw@proxy.example:3128".to_owned(),
            no_proxy: None,
            for_https: true,
        }),
    };
    assert_eq!(
        facts::endpoint_text(&endpoint, variant, &http),
        "https://bedrock-runtime-fips.us-east-1.amazonaws.com (standard; custom: no, FIPS: yes, dual-stack: no, proxy: http://***@proxy.example:3128)"
    );
    let custom = EndpointChoice {
        url: "http://127.0.0.1:4566".to_owned(),
        custom: true,
        source: "awsBedrockEndpoint",
    };
    assert_eq!(
        facts::endpoint_text(&custom, EndpointVariant::default(), &HttpSettings::default()),
        "http://127.0.0.1:4566 (awsBedrockEndpoint; custom: yes, FIPS: no, dual-stack: no, proxy: none)"
    );
}

#[test]
fn br_30_discovery_state_texts() {
    assert_eq!(
        facts::discovery_text(Some(false), false, "discovery.enabled is false"),
        "disabled (discovery.enabled is false)"
    );
    assert_eq!(
        facts::discovery_text(None, true, "auth marker AWS_PROFILE"),
        "auto, enabled (auth marker AWS_PROFILE)"
    );
    assert_eq!(facts::last_run_text(None, Some(2)), "never");
    assert_eq!(
        facts::last_run_text(Some(5_400), Some(12)),
        "5 s ago, 12 models"
    );
    assert_eq!(facts::last_run_text(Some(600_000), None), "10 min ago");
}

#[test]
fn br_31_access_denied_is_denied_and_rejected_keys_are_credential_errors() {
    let denied = BedrockError::service(
        "AccessDeniedException",
        Some("User: arn:aws:iam::123456789012:user/emulator is not authorized"),
        Some(403),
        Some("req-1"),
    );
    let probe = Probe::new("ConverseStream", STREAM_ACTION, Some("m".to_owned())).failed(&denied);
    assert_eq!(probe.outcome.result_text(), "denied");
    assert!(!probe.rejected_credentials);
    assert_eq!(
        probe.check(),
        "bedrock:InvokeModelWithResponseStream (ConverseStream m)"
    );

    let rejected = BedrockError::service(
        "UnrecognizedClientException",
        Some("The security token included in the request is invalid."),
        Some(403),
        None,
    );
    let probe =
        Probe::new("ListFoundationModels", "bedrock:ListFoundationModels", None).failed(&rejected);
    assert_eq!(
        probe.outcome.result_text(),
        "error: UnrecognizedClientException: The security token included in the request is invalid."
    );
    assert!(probe.rejected_credentials);

    let throttled =
        BedrockError::service("ThrottlingException", Some("slow down"), Some(429), None);
    let (outcome, rejected) = facts::classify("CountTokens", &throttled);
    assert_eq!(
        outcome,
        Outcome::Error("ThrottlingException: slow down".to_owned())
    );
    assert!(!rejected);
}

#[test]
fn br_31_count_tokens_unsupported_only_for_count_tokens() {
    let unsupported = BedrockError::service(
        "ValidationException",
        Some("The provided model doesn't support counting tokens."),
        Some(400),
        None,
    );
    let (outcome, _) = facts::classify("CountTokens", &unsupported);
    assert_eq!(outcome.result_text(), "unsupported");
    let (outcome, _) = facts::classify("ConverseStream", &unsupported);
    assert_eq!(
        outcome.result_text(),
        "error: ValidationException: The provided model doesn't support counting tokens."
    );
    let timeout = BedrockError::Transport {
        message: "Amazon Bedrock CountTokens timed out after 30000 ms".to_owned(),
        kind: plugin_api::error::ErrorKind::Timeout,
        retryable: false,
        code: None,
        request_id: None,
        before_stream: true,
    };
    assert_eq!(
        facts::classify("CountTokens", &timeout).0.result_text(),
        "error: Amazon Bedrock CountTokens timed out after 30000 ms"
    );
}

#[test]
fn br_31_probe_json_shape() {
    let probe = Probe::new(
        "ApplyGuardrail",
        "bedrock:ApplyGuardrail",
        Some("gr1 version 1".into()),
    );
    assert_eq!(
        probe.json(),
        serde_json::json!({"operation": "ApplyGuardrail", "action": "bedrock:ApplyGuardrail",
            "target": "gr1 version 1", "result": "ok", "message": null})
    );
    let skipped = Probe::new("CountTokens", "bedrock:CountTokens", None)
        .with(Outcome::Skipped("no model configured or listed".into()));
    assert_eq!(
        skipped.outcome.result_text(),
        "skipped (no model configured or listed)"
    );
    assert_eq!(skipped.json()["result"], "skipped");
}

fn listed(id: &str, streaming: Option<bool>, types: &[&str], status: &str) -> RawFoundationModel {
    RawFoundationModel {
        model_id: id.to_owned(),
        model_name: None,
        provider_name: None,
        input_modalities: vec!["TEXT".to_owned()],
        output_modalities: vec!["TEXT".to_owned()],
        response_streaming_supported: streaming,
        inference_types_supported: types.iter().map(|t| (*t).to_owned()).collect(),
        lifecycle_status: Some(status.to_owned()),
    }
}

#[test]
fn br_31_a_listed_model_for_the_runtime_probes_is_active_on_demand_and_streams() {
    let models = [
        listed("legacy", Some(true), &["ON_DEMAND"], "LEGACY"),
        listed("profile-only", Some(true), &["INFERENCE_PROFILE"], "ACTIVE"),
        listed("no-stream", Some(false), &["ON_DEMAND"], "ACTIVE"),
        listed("amazon.nova-micro-v1:0", None, &["ON_DEMAND"], "ACTIVE"),
    ];
    assert_eq!(
        usable_model(&models).as_deref(),
        Some("amazon.nova-micro-v1:0")
    );
    assert_eq!(usable_model(&models[..3]), None);
}

#[test]
fn br_32_findings_become_the_report_with_the_probes_extension() {
    let findings = Findings {
        lines: vec![("auth mode".to_owned(), "credentials".to_owned())],
        probes: vec![Probe::new(
            "ListFoundationModels",
            "bedrock:ListFoundationModels",
            None,
        )],
        healthy: true,
    };
    let report = findings.into_report();
    assert!(report.healthy);
    assert_eq!(report.checks[0].key.as_str(), "auth mode");
    assert_eq!(report.checks[0].value.as_str(), "credentials");
    match report.extensions.get(keys::DOCTOR_PROBES) {
        Some(ExtValue::Json(text)) => assert_eq!(
            text.as_str(),
            r#"[{"operation":"ListFoundationModels","action":"bedrock:ListFoundationModels","target":null,"result":"ok","message":null}]"#
        ),
        other => panic!("doctor.probes missing: {other:?}"),
    }
}
