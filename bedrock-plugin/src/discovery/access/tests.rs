use super::*;

fn raw(auth: &str, region: &str, entitlement: &str, agreement: &str) -> RawAvailability {
    RawAvailability {
        authorization_status: auth.into(),
        entitlement_availability: entitlement.into(),
        region_availability: region.into(),
        agreement_status: agreement.into(),
        agreement_error: None,
    }
}

#[test]
fn br_80_classification_order() {
    let ok = "AVAILABLE";
    let no = "NOT_AVAILABLE";
    let cases = [
        (raw("AUTHORIZED", ok, ok, ok), "available"),
        (raw("NOT_AUTHORIZED", no, no, no), "not_authorized"),
        (raw("AUTHORIZED", no, no, no), "not_in_region"),
        (raw("AUTHORIZED", ok, no, no), "not_entitled"),
        (raw("AUTHORIZED", ok, ok, "PENDING"), "agreement_pending"),
        (raw("AUTHORIZED", ok, ok, no), "agreement_required"),
        (raw("AUTHORIZED", ok, ok, "ERROR"), "agreement_error"),
    ];
    for (input, expected) in cases {
        assert_eq!(Access::classify(&input).as_str(), expected, "{input:?}");
    }
    let mut failed = raw("AUTHORIZED", ok, ok, "ERROR");
    failed.agreement_error = Some("Payment method declined".into());
    let access = Access::classify(&failed);
    assert_eq!(
        access,
        Access::AgreementError(Some("Payment method declined".into()))
    );
    let mut model = ModelDefinition::new("ai21.jamba-1-5-large-v1:0", "amazon-bedrock", "x");
    access.apply(&mut model);
    assert_eq!(model.access(), Some("agreement_error"));
    assert_eq!(model.access_detail(), Some("Payment method declined"));
    assert!(is_unavailable(&model));
    Access::Unknown.apply(&mut model);
    assert_eq!(model.access(), Some("unknown"));
    assert_eq!(model.access_detail(), None);
    assert!(!is_unavailable(&model));
}

fn profile(arns: &[&str]) -> RawProfile {
    RawProfile {
        profile_id: "us.acme.model-v1:0".into(),
        profile_name: "Acme".into(),
        status: "ACTIVE".into(),
        profile_type: "SYSTEM_DEFINED".into(),
        model_arns: arns.iter().map(|a| a.to_string()).collect(),
    }
}

#[test]
fn br_80_profile_access_from_backing_models_and_br_82_denial() {
    let mut outcome = AccessOutcome::default();
    outcome.by_model.insert("acme.a".into(), Access::Available);
    outcome
        .by_model
        .insert("acme.b".into(), Access::AgreementPending);
    let arn = |id: &str| format!("arn:aws:bedrock:us-east-1::foundation-model/{id}");
    let all_available = profile(&[&arn("acme.a"), &arn("ACME.A")]);
    assert_eq!(outcome.profile(&all_available), Access::Available);
    let one_pending = profile(&[&arn("acme.a"), &arn("acme.b")]);
    assert_eq!(outcome.profile(&one_pending), Access::AgreementPending);
    let unchecked = profile(&[&arn("acme.a"), &arn("acme.c")]);
    assert_eq!(outcome.profile(&unchecked), Access::Unknown);
    assert_eq!(outcome.profile(&profile(&[])), Access::Unknown);
    assert!(outcome.cacheable());
    outcome.denied = Some(CallFailure {
        operation: fetch::GET_FOUNDATION_MODEL_AVAILABILITY,
        status: Some(403),
        error_name: Some("AccessDeniedException".into()),
        message: "denied".into(),
        request_id: None,
        kind: plugin_api::error::ErrorKind::Auth,
        timed_out: false,
        retry_after: None,
    });
    assert_eq!(outcome.model("acme.a"), Access::Unknown);
    assert!(!outcome.cacheable());
}
