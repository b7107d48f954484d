//! Denials per caller and operation, with IAM's wording, principal and resource ARNs.

use super::*;

fn sigv4(region: &str, session_token: bool) -> AuthScheme {
    AuthScheme::SigV4 {
        access_key_id: "AKIDEXAMPLE".into(),
        region: region.into(),
        service: "bedrock".into(),
        session_token,
    }
}

#[test]
fn denies_per_caller_and_wildcard() {
    let p = AccessPolicy::new()
        .deny("AKIDEXAMPLE", [Operation::ConverseStream])
        .deny("*", [Operation::ApplyGuardrail]);
    assert!(p.is_denied("AKIDEXAMPLE", Operation::ConverseStream));
    assert!(!p.is_denied("AKIDEXAMPLE", Operation::Converse));
    assert!(!p.is_denied("AKIDOTHER", Operation::ConverseStream));
    assert!(p.is_denied("AKIDOTHER", Operation::ApplyGuardrail));
    let mut p = p;
    p.allow("AKIDEXAMPLE");
    assert!(!p.is_denied("AKIDEXAMPLE", Operation::ConverseStream));
}

#[test]
fn iam_actions_per_operation() {
    assert_eq!(
        iam_action(Operation::ConverseStream),
        "bedrock:InvokeModelWithResponseStream"
    );
    assert_eq!(iam_action(Operation::Converse), "bedrock:InvokeModel");
    assert_eq!(iam_action(Operation::CountTokens), "bedrock:CountTokens");
    assert_eq!(
        iam_action(Operation::ApplyGuardrail),
        "bedrock:ApplyGuardrail"
    );
    assert_eq!(
        iam_action(Operation::ListInferenceProfiles),
        "bedrock:ListInferenceProfiles"
    );
}

#[test]
fn denial_text_and_resources() {
    let catalog = Catalog::builtin().unwrap();
    let policy = AccessPolicy::new().deny(
        "AKIDEXAMPLE",
        [
            Operation::ConverseStream,
            Operation::ListFoundationModels,
            Operation::GetInferenceProfile,
            Operation::ApplyGuardrail,
        ],
    );
    let deny = |scheme: &AuthScheme, op, id: &str| {
        check(&policy, &catalog, scheme, Some("AKIDEXAMPLE"), op, id).map(|e| e.message)
    };
    let scheme = sigv4("eu-west-1", false);
    assert_eq!(
        deny(&scheme, Operation::ConverseStream, "amazon.nova-micro-v1:0").unwrap(),
        "User: arn:aws:iam::123456789012:user/emulator is not authorized to perform: bedrock:InvokeModelWithResponseStream on resource: arn:aws:bedrock:eu-west-1::foundation-model/amazon.nova-micro-v1:0 because no identity-based policy allows the bedrock:InvokeModelWithResponseStream action"
    );
    assert!(deny(
        &scheme,
        Operation::ConverseStream,
        "us.anthropic.claude-sonnet-4-6"
    )
    .unwrap()
    .contains(" on resource: arn:aws:bedrock:eu-west-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-6 because"));
    let app = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/mi1dadi0g15f";
    assert!(deny(&scheme, Operation::GetInferenceProfile, app)
        .unwrap()
        .contains(&format!(" on resource: {app} because")));
    assert!(deny(&scheme, Operation::ApplyGuardrail, "abc123")
        .unwrap()
        .contains(" on resource: arn:aws:bedrock:eu-west-1:123456789012:guardrail/abc123 because"));
    assert_eq!(
        deny(&sigv4("us-east-1", true), Operation::ListFoundationModels, "").unwrap(),
        "User: arn:aws:sts::123456789012:assumed-role/emulator/emulator-session is not authorized to perform: bedrock:ListFoundationModels because no identity-based policy allows the bedrock:ListFoundationModels action"
    );
    assert_eq!(
        deny(&scheme, Operation::Converse, "amazon.nova-micro-v1:0"),
        None
    );
    let e = check(
        &policy,
        &catalog,
        &scheme,
        Some("AKIDEXAMPLE"),
        Operation::ConverseStream,
        "x",
    )
    .unwrap();
    assert_eq!((e.status, e.origin), (403, Origin::CoralCapital));
    assert_eq!(e.error_type, "AccessDeniedException");
}
