//! Which credentials a request uses, and what status may say about them (AUTH-*).
//!
//! Resolution is pure: it reads the plugin config and one env snapshot and produces a
//! [`CredentialPlan`]. Building SDK providers from the plan happens in `clients`, so every
//! rule here is testable without I/O.

use crate::config::{AuthMode, PluginConfig, Secret, SecretString};
use crate::env::EnvSnapshot;

const CONFIG_PREFIX: &str = "plugins.entries.amazon-bedrock.config";

/// The effective auth mode (AUTH-02), including the env-only skip-auth override.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EffectiveMode {
    ApiKey,
    Profile,
    Credentials,
    Default,
    SkipAuth,
}

impl EffectiveMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ApiKey => "apikey",
            Self::Profile => "profile",
            Self::Credentials => "credentials",
            Self::Default => "default",
            Self::SkipAuth => "skip-auth",
        }
    }
}

/// How requests will be authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CredentialPlan {
    /// `Authorization: Bearer` with no SigV4 chain at all (AUTH-04).
    Bearer(SecretString),
    /// SigV4 with fixed keys (config keys in `credentials` mode, or complete env keys).
    Static {
        access_key_id: SecretString,
        secret_access_key: SecretString,
        session_token: Option<SecretString>,
    },
    /// SigV4 with one shared-config profile (AUTH-06).
    Profile(String),
    /// SigV4 with the SDK chain minus environment keys, which the snapshot already ruled
    /// out (AUTH-01, AUTH-07): profile, web identity, container, instance metadata.
    DefaultChain { profile: Option<String> },
    /// SigV4 with the dummy keys of AUTH-08.
    SkipAuth,
}

impl CredentialPlan {
    /// Feeds the plan, secrets included, into a cache-key hasher (never printed or stored).
    pub fn fingerprint(&self, hasher: &mut impl std::hash::Hasher) {
        use std::hash::Hash;
        match self {
            Self::Bearer(token) => ("bearer", token.expose()).hash(hasher),
            Self::Static {
                access_key_id,
                secret_access_key,
                session_token,
            } => (
                "static",
                access_key_id.expose(),
                secret_access_key.expose(),
                session_token.as_ref().map(SecretString::expose),
            )
                .hash(hasher),
            Self::Profile(name) => ("profile", name).hash(hasher),
            Self::DefaultChain { profile } => ("chain", profile).hash(hasher),
            Self::SkipAuth => "skip".hash(hasher),
        }
    }

    /// Whether this plan reads the shared config files, so they must be re-read per
    /// operation (AUTH-10/11).
    pub fn reads_shared_config(&self) -> bool {
        matches!(self, Self::Profile(_) | Self::DefaultChain { .. })
    }
}

/// The outcome of auth resolution for one operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthResolution {
    pub mode: EffectiveMode,
    pub plan: CredentialPlan,
    /// The credential source by name, never a value (AUTH-30).
    pub source: String,
}

/// Auth configuration errors, with the spec's messages (AUTH-03, AUTH-05).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error(
        "Amazon Bedrock auth mode \"apikey\" requires awsBedrockApiKey or AWS_BEARER_TOKEN_BEDROCK"
    )]
    MissingApiKey,
    #[error("Amazon Bedrock auth mode \"credentials\" requires awsAccessKey and awsSecretKey")]
    MissingStaticKeys,
}

/// Per-request overrides the host may pass (converse-stream §0: `profile`, `bearerToken`).
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestAuth<'a> {
    pub bearer_token: Option<&'a str>,
    pub profile: Option<&'a str>,
}

fn config_path(key: &str) -> String {
    format!("{CONFIG_PREFIX}.{key}")
}

fn resolve_secret(secret: Option<&Secret>, env: &EnvSnapshot) -> Option<SecretString> {
    secret.and_then(|secret| secret.resolve(&env.lookup()))
}

/// AUTH-02: the effective mode for this operation.
pub fn effective_mode(config: &PluginConfig, env: &EnvSnapshot) -> EffectiveMode {
    if env.get("AWS_BEDROCK_SKIP_AUTH") == Some("1") {
        return EffectiveMode::SkipAuth;
    }
    match config.auth_mode(&env.lookup()) {
        AuthMode::Apikey => EffectiveMode::ApiKey,
        AuthMode::Profile => EffectiveMode::Profile,
        AuthMode::Credentials => EffectiveMode::Credentials,
        AuthMode::Default => EffectiveMode::Default,
    }
}

/// Resolves credentials for one operation (AUTH-02..08).
pub fn resolve(
    config: &PluginConfig,
    env: &EnvSnapshot,
    request: RequestAuth<'_>,
) -> Result<AuthResolution, AuthError> {
    let mode = effective_mode(config, env);
    let marker = auth_marker(config, env);
    let source_or_chain =
        |marker: Option<String>| marker.unwrap_or_else(|| "aws-sdk-default-chain".to_owned());
    if mode == EffectiveMode::SkipAuth {
        return Ok(AuthResolution {
            mode,
            plan: CredentialPlan::SkipAuth,
            source: "AWS_BEDROCK_SKIP_AUTH".to_owned(),
        });
    }
    if let Some(token) = request
        .bearer_token
        .map(str::trim)
        .filter(|token| !token.is_empty())
    {
        return Ok(AuthResolution {
            mode,
            plan: CredentialPlan::Bearer(SecretString::new(token)),
            source: "request bearerToken".to_owned(),
        });
    }
    let plan = match mode {
        EffectiveMode::ApiKey => {
            let token = resolve_secret(config.aws_bedrock_api_key.as_ref(), env)
                .or_else(|| env.get("AWS_BEARER_TOKEN_BEDROCK").map(SecretString::new))
                .ok_or(AuthError::MissingApiKey)?;
            CredentialPlan::Bearer(token)
        }
        EffectiveMode::Credentials => {
            let access_key_id = resolve_secret(config.aws_access_key.as_ref(), env);
            let secret_access_key = resolve_secret(config.aws_secret_key.as_ref(), env);
            match (access_key_id, secret_access_key) {
                (Some(access_key_id), Some(secret_access_key)) => CredentialPlan::Static {
                    access_key_id,
                    secret_access_key,
                    session_token: resolve_secret(config.aws_session_token.as_ref(), env),
                },
                _ => return Err(AuthError::MissingStaticKeys),
            }
        }
        EffectiveMode::Profile => CredentialPlan::Profile(
            request
                .profile
                .map(str::to_owned)
                .or_else(|| config.aws_profile.clone())
                .or_else(|| env.get("AWS_PROFILE").map(str::to_owned))
                .unwrap_or_else(|| "default".to_owned()),
        ),
        EffectiveMode::Default => {
            if let Some(token) = env.get("AWS_BEARER_TOKEN_BEDROCK") {
                CredentialPlan::Bearer(SecretString::new(token))
            } else if let Some(keys) = env.static_keys() {
                CredentialPlan::Static {
                    access_key_id: SecretString::new(keys.access_key_id),
                    secret_access_key: SecretString::new(keys.secret_access_key),
                    session_token: keys.session_token.map(SecretString::new),
                }
            } else {
                CredentialPlan::DefaultChain {
                    profile: request
                        .profile
                        .map(str::to_owned)
                        .or_else(|| env.get("AWS_PROFILE").map(str::to_owned)),
                }
            }
        }
        EffectiveMode::SkipAuth => CredentialPlan::SkipAuth,
    };
    Ok(AuthResolution {
        mode,
        plan,
        source: source_or_chain(marker),
    })
}

/// AUTH-20: the auth marker, by name, without I/O (also the AUTH-22 hook).
pub fn auth_marker(config: &PluginConfig, env: &EnvSnapshot) -> Option<String> {
    let explicit = config
        .aws_authentication
        .is_some_and(|mode| mode != AuthMode::Default)
        || config.aws_bedrock_api_key.is_some()
        || (config.aws_access_key.is_some() && config.aws_secret_key.is_some())
        || config.aws_profile.is_some();
    if explicit {
        let mode = config.auth_mode(&env.lookup());
        let mode_path = config_path("awsAuthentication");
        let marker = match mode {
            AuthMode::Apikey => match &config.aws_bedrock_api_key {
                Some(secret) => Some(secret.source_name(&config_path("awsBedrockApiKey"))),
                None => Some(env_or(env, "AWS_BEARER_TOKEN_BEDROCK", mode_path)),
            },
            AuthMode::Credentials => match &config.aws_access_key {
                Some(secret) if config.aws_secret_key.is_some() => {
                    Some(secret.source_name(&config_path("awsAccessKey")))
                }
                _ => Some(mode_path),
            },
            AuthMode::Profile => match &config.aws_profile {
                Some(_) => Some(config_path("awsProfile")),
                None => Some(env_or(env, "AWS_PROFILE", mode_path)),
            },
            AuthMode::Default => None,
        };
        if marker.is_some() {
            return marker;
        }
    }
    if env.is_set("AWS_BEARER_TOKEN_BEDROCK") {
        return Some("AWS_BEARER_TOKEN_BEDROCK".to_owned());
    }
    if env.static_keys().is_some() {
        return Some("AWS_ACCESS_KEY_ID".to_owned());
    }
    if env.is_set("AWS_PROFILE") {
        return Some("AWS_PROFILE".to_owned());
    }
    None
}

fn env_or(env: &EnvSnapshot, name: &str, fallback: String) -> String {
    if env.is_set(name) {
        name.to_owned()
    } else {
        fallback
    }
}

#[cfg(test)]
mod tests {
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
        let env_ref =
            config(json!({"awsBedrockApiKey": {"source": "env", "id": "TEAM_BEDROCK_KEY"}}));
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
}
