//! The built-in catalog parses and every profile resolves to a model in it.

use super::*;

#[test]
fn builtin_catalog_parses_and_resolves() {
    let c = Catalog::builtin().unwrap();
    assert!(c.models.len() > 20);
    assert!(c.model("amazon.nova-micro-v1:0").is_some());
    assert!(c
        .model("arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-micro-v1:0")
        .is_some());
    let p = c.profile("global.anthropic.claude-opus-4-6-v1").unwrap();
    assert_eq!(p.base_model_id(), Some("anthropic.claude-opus-4-6-v1"));
    assert!(c
        .profile(
            "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.amazon.nova-micro-v1:0"
        )
        .is_some());
    assert!(c
        .profile(
            "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/mi1dadi0g15f"
        )
        .is_some());
    for p in &c.profiles {
        let base = p.base_model_id().unwrap();
        assert!(c.model(base).is_some(), "{base}");
    }
}
