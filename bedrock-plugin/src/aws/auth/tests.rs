use super::*;
use serde_json::json;

fn config(value: serde_json::Value) -> PluginConfig {
    PluginConfig::from_json(&value).expect("valid test config")
}

fn env(pairs: &[(&str, &str)]) -> EnvSnapshot {
    EnvSnapshot::from_pairs(pairs.iter().copied())
}

#[test]
fn auth_20_markers_follow_the_spec_examples() {
    let empty = config(json!({}));
    assert_eq!(
        auth_marker(
            &empty,
            &env(&[
                ("AWS_BEARER_TOKEN_BEDROCK", "bearer"),
                ("AWS_PROFILE", "default")
            ])
        ),
        Some("AWS_BEARER_TOKEN_BEDROCK".into())
    );
    assert_eq!(auth_marker(&empty, &env(&[])), None);
    assert_eq!(
        auth_marker(&empty, &env(&[("AWS_PROFILE", "default")])),
        Some("AWS_PROFILE".into())
    );
    assert_eq!(
        auth_marker(&empty, &env(&[("AWS_ACCESS_KEY_ID", "AKID")])),
        None
    );
    let profile = config(json!({"awsProfile": "prod"}));
    assert_eq!(
        auth_marker(&profile, &env(&[("AWS_BEARER_TOKEN_BEDROCK", "tok")])),
        Some("plugins.entries.amazon-bedrock.config.awsProfile".into())
    );
    let env_ref = config(json!({"awsBedrockApiKey": {"source": "env", "id": "TEAM_BEDROCK_KEY"}}));
    assert_eq!(
        auth_marker(&env_ref, &env(&[("TEAM_BEDROCK_KEY", "abc")])),
        Some("TEAM_BEDROCK_KEY".into())
    );
}

#[test]
fn auth_03_apikey_without_token_fails_with_spec_message() {
    let apikey = config(json!({"awsAuthentication": "apikey"}));
    let error = resolve(&apikey, &env(&[]), RequestAuth::default()).expect_err("no token");
    assert_eq!(
        error.to_string(),
        "Amazon Bedrock auth mode \"apikey\" requires awsBedrockApiKey or AWS_BEARER_TOKEN_BEDROCK"
    );
}

/// PLG-33: a configured key that is an env reference to an unset variable keeps AUTH-03's
/// message and says which variable to set, instead of asking for a key that is set.
#[test]
fn auth_03_plg_33_unset_env_reference_names_the_variable() {
    let apikey = config(json!({
        "awsAuthentication": "apikey",
        "awsBedrockApiKey": {"source": "env", "id": "TEAM_BEDROCK_KEY"}
    }));
    let error = resolve(&apikey, &env(&[]), RequestAuth::default()).expect_err("unset variable");
    assert_eq!(
        error.to_string(),
        "Amazon Bedrock auth mode \"apikey\" requires awsBedrockApiKey or AWS_BEARER_TOKEN_BEDROCK (awsBedrockApiKey refers to TEAM_BEDROCK_KEY, which is not set)"
    );
    // A blank value counts as unset too (CFG-02), and the bearer env still wins over it.
    let blank = env(&[("TEAM_BEDROCK_KEY", "  ")]);
    assert!(resolve(&apikey, &blank, RequestAuth::default()).is_err());
    let with_bearer = env(&[("AWS_BEARER_TOKEN_BEDROCK", "tok")]);
    assert!(resolve(&apikey, &with_bearer, RequestAuth::default()).is_ok());
}

/// PLG-33: the same for static keys; a literal key that is simply absent keeps AUTH-05's
/// message as it is.
#[test]
fn auth_05_plg_33_unset_env_reference_names_the_field_and_variable() {
    let creds = config(json!({
        "awsAuthentication": "credentials",
        "awsAccessKey": "AKIDEXAMPLE",
        "awsSecretKey": {"source": "env", "id": "TEAM_SECRET"}
    }));
    let error = resolve(&creds, &env(&[]), RequestAuth::default()).expect_err("unset variable");
    assert_eq!(
        error.to_string(),
        "Amazon Bedrock auth mode \"credentials\" requires awsAccessKey and awsSecretKey (awsSecretKey refers to TEAM_SECRET, which is not set)"
    );
}

#[test]
fn auth_05_credentials_without_keys_fails_with_spec_message() {
    let creds = config(json!({"awsAuthentication": "credentials", "awsAccessKey": "AKID"}));
    let error = resolve(&creds, &env(&[]), RequestAuth::default()).expect_err("no secret");
    assert_eq!(
        error.to_string(),
        "Amazon Bedrock auth mode \"credentials\" requires awsAccessKey and awsSecretKey"
    );
}

#[test]
fn auth_04_bearer_env_wins_in_default_mode_and_bypasses_the_chain() {
    let resolved = resolve(
        &config(json!({})),
        &env(&[
            ("AWS_BEARER_TOKEN_BEDROCK", "tok"),
            ("AWS_PROFILE", "broken"),
        ]),
        RequestAuth::default(),
    )
    .expect("bearer");
    assert_eq!(
        resolved.plan,
        CredentialPlan::Bearer(SecretString::new("tok"))
    );
    assert_eq!(resolved.source, "AWS_BEARER_TOKEN_BEDROCK");
}

#[test]
fn auth_04_profile_mode_ignores_the_bearer_env() {
    let resolved = resolve(
        &config(json!({"awsAuthentication": "profile"})),
        &env(&[("AWS_BEARER_TOKEN_BEDROCK", "tok")]),
        RequestAuth::default(),
    )
    .expect("profile");
    assert_eq!(resolved.plan, CredentialPlan::Profile("default".into()));
}

#[test]
fn auth_04_blank_bearer_in_default_mode_uses_the_sigv4_chain() {
    let resolved = resolve(
        &config(json!({})),
        &env(&[("AWS_BEARER_TOKEN_BEDROCK", "  ")]),
        RequestAuth::default(),
    )
    .expect("chain");
    assert_eq!(
        resolved.plan,
        CredentialPlan::DefaultChain { profile: None }
    );
    assert_eq!(resolved.source, "aws-sdk-default-chain");
}

#[test]
fn auth_01_partial_env_keys_fall_through_to_the_profile() {
    let resolved = resolve(
        &config(json!({})),
        &env(&[
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", ""),
            ("AWS_PROFILE", "prod"),
        ]),
        RequestAuth::default(),
    )
    .expect("chain");
    assert_eq!(
        resolved.plan,
        CredentialPlan::DefaultChain {
            profile: Some("prod".into())
        }
    );
}

#[test]
fn auth_08_skip_auth_overrides_everything_only_for_value_1() {
    let cfg = config(json!({"awsAuthentication": "apikey"}));
    let skip = resolve(
        &cfg,
        &env(&[("AWS_BEDROCK_SKIP_AUTH", "1")]),
        RequestAuth::default(),
    )
    .expect("skip");
    assert_eq!(skip.plan, CredentialPlan::SkipAuth);
    assert_eq!(skip.source, "AWS_BEDROCK_SKIP_AUTH");
    assert!(resolve(
        &cfg,
        &env(&[("AWS_BEDROCK_SKIP_AUTH", "true")]),
        RequestAuth::default()
    )
    .is_err());
}

#[test]
fn cfg_02_env_reference_is_resolved_and_trimmed_at_use_time() {
    let cfg = config(json!({"awsBedrockApiKey": {"source": "env", "id": "TEAM_BEDROCK_KEY"}}));
    let resolved = resolve(
        &cfg,
        &env(&[("TEAM_BEDROCK_KEY", " abc ")]),
        RequestAuth::default(),
    )
    .expect("bearer");
    assert_eq!(
        resolved.plan,
        CredentialPlan::Bearer(SecretString::new("abc"))
    );
}
