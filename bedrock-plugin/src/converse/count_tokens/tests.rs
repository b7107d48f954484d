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

#[test]
fn br_51_application_profile_is_counted_on_its_first_target() {
    let arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/mi1dadi0g15f";
    let targets = vec![
        "anthropic.claude-sonnet-4-6".to_owned(),
        "anthropic.claude-3-opus-20240229-v1:0".to_owned(),
    ];
    assert_eq!(
        count_model_id(arn, Some(&targets)),
        "anthropic.claude-sonnet-4-6"
    );
    // Without a lookup result (a failed lookup) the ARN goes as it is.
    assert_eq!(count_model_id(arn, None), arn);
    assert_eq!(count_model_id(arn, Some(&[])), arn);
    assert_eq!(
        count_model_id("us.anthropic.claude-sonnet-4-6", None),
        "anthropic.claude-sonnet-4-6"
    );
}
