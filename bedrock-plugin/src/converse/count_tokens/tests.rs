use super::*;

#[test]
fn br_51_region_prefixes_are_removed() {
    assert_eq!(
        foundation_model_id("us.anthropic.claude-sonnet-4-6"),
        "anthropic.claude-sonnet-4-6"
    );
    assert_eq!(
        foundation_model_id("global.amazon.nova-2-lite-v1:0"),
        "amazon.nova-2-lite-v1:0"
    );
    assert_eq!(
        foundation_model_id("anthropic.claude-sonnet-4-6"),
        "anthropic.claude-sonnet-4-6"
    );
}
