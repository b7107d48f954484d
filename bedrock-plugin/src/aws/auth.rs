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
    /// AUTH-03's case when the configured key is an env reference that resolves to nothing:
    /// the spec's message, then which variable to set (PLG-33), so the user is not told to
    /// set a key that is already set.
    #[error(
        "Amazon Bedrock auth mode \"apikey\" requires awsBedrockApiKey or AWS_BEARER_TOKEN_BEDROCK (awsBedrockApiKey refers to {variable}, which is not set)"
    )]
    UnresolvedApiKey { variable: String },
    #[error("Amazon Bedrock auth mode \"credentials\" requires awsAccessKey and awsSecretKey")]
    MissingStaticKeys,
    /// AUTH-05's case when a configured key is an env reference that resolves to nothing
    /// (PLG-33).
    #[error(
        "Amazon Bedrock auth mode \"credentials\" requires awsAccessKey and awsSecretKey ({field} refers to {variable}, which is not set)"
    )]
    UnresolvedStaticKey {
        field: &'static str,
        variable: String,
    },
}

/// The variable an env-reference secret names, when it is one (never a value).
fn unresolved_reference(secret: Option<&Secret>) -> Option<String> {
    match secret {
        Some(Secret::Env { id, .. }) => Some(id.clone()),
        _ => None,
    }
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
                .ok_or_else(
                    || match unresolved_reference(config.aws_bedrock_api_key.as_ref()) {
                        Some(variable) => AuthError::UnresolvedApiKey { variable },
                        None => AuthError::MissingApiKey,
                    },
                )?;
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
                (access_key_id, secret_access_key) => {
                    // A configured key whose env reference is unset is named (PLG-33).
                    let unresolved = [
                        (
                            "awsAccessKey",
                            access_key_id.is_none(),
                            config.aws_access_key.as_ref(),
                        ),
                        (
                            "awsSecretKey",
                            secret_access_key.is_none(),
                            config.aws_secret_key.as_ref(),
                        ),
                    ]
                    .into_iter()
                    .find_map(|(field, missing, secret)| {
                        missing
                            .then(|| unresolved_reference(secret))
                            .flatten()
                            .map(|variable| AuthError::UnresolvedStaticKey { field, variable })
                    });
                    return Err(unresolved.unwrap_or(AuthError::MissingStaticKeys));
                }
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
mod tests;
