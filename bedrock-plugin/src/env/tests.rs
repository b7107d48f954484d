use super::*;

#[test]
fn auth_01_blank_values_count_as_unset() {
    let env = EnvSnapshot::from_pairs([
        ("AWS_BEARER_TOKEN_BEDROCK", "  "),
        ("AWS_REGION", " "),
        ("AWS_DEFAULT_REGION", "eu-west-1"),
    ]);
    assert_eq!(env.get("AWS_BEARER_TOKEN_BEDROCK"), None);
    assert_eq!(env.get("AWS_REGION"), None);
    assert_eq!(env.get("AWS_DEFAULT_REGION"), Some("eu-west-1"));
}

#[test]
fn auth_01_partial_static_keys_are_ignored_with_their_token() {
    let env = EnvSnapshot::from_pairs([
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", ""),
        ("AWS_SESSION_TOKEN", "token"),
    ]);
    assert!(env.static_keys().is_none());
}

#[test]
fn values_are_trimmed_and_debug_hides_them() {
    let env = EnvSnapshot::from_pairs([("TEAM_BEDROCK_KEY", " abc ")]);
    assert_eq!(env.get("TEAM_BEDROCK_KEY"), Some("abc"));
    assert!(!format!("{env:?}").contains("abc"));
}
