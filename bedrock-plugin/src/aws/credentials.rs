//! Turning a [`CredentialPlan`] into SigV4 credentials, with the cache AUTH-11 allows.
//!
//! Credentials are resolved before a request is built, so a failure reads
//! `Amazon Bedrock credentials error: …` (AUTH-09) instead of a generic dispatch error, and a
//! bearer plan never touches this module (AUTH-04).

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_config::ecs::EcsCredentialsProvider;
use aws_config::imds::credentials::ImdsCredentialsProvider;
use aws_config::meta::credentials::CredentialsProviderChain;
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::web_identity_token::WebIdentityTokenCredentialsProvider;
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::Credentials;
use aws_types::region::Region;
use plugin_api::error::{ErrorKind, PluginError};

use crate::aws::auth::CredentialPlan;
use crate::aws::shared_config::{self, ProfileSettings};
use crate::bounded::BoundedMap;
use crate::env::EnvSnapshot;
use crate::log_bridge::Redactions;
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};

/// Temporary credentials are reused until this long before they expire (AUTH-11).
const EXPIRY_MARGIN: Duration = Duration::from_secs(5 * 60);

/// Most credential sets one instance caches (one per plan, region and shared-file identity).
pub const CREDENTIAL_CACHE_CAPACITY: usize = 32;

/// Resolved SigV4 credentials, cached per (plan, region, shared-file identity).
///
/// Every credential passes through here, so this is also where the instance's log
/// [`Redactions`] learn the secret values and access key ids it uses (CFG-04, PLG-13).
pub struct CredentialCache {
    entries: Mutex<BoundedMap<u64, Credentials>>,
    redactions: Arc<Redactions>,
}

impl Default for CredentialCache {
    fn default() -> Self {
        Self {
            entries: Mutex::new(BoundedMap::new(CREDENTIAL_CACHE_CAPACITY)),
            redactions: Redactions::new(),
        }
    }
}

fn cache_key(plan: &CredentialPlan, region: &str, profile: &ProfileSettings) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    plan.fingerprint(&mut hasher);
    region.hash(&mut hasher);
    profile.file_identity.hash(&mut hasher);
    hasher.finish()
}

fn still_fresh(credentials: &Credentials) -> bool {
    credentials.expiry().is_none_or(|expiry| {
        expiry
            .duration_since(SystemTime::now())
            .is_ok_and(|left| left > EXPIRY_MARGIN)
    })
}

/// The AUTH-09 error.
pub fn credentials_error(detail: impl std::fmt::Display) -> PluginError {
    PluginError::new(
        ErrorKind::Auth,
        format!("Amazon Bedrock credentials error: {detail}"),
    )
}

impl CredentialCache {
    /// The log redactions of this instance.
    pub fn redactions(&self) -> &Arc<Redactions> {
        &self.redactions
    }

    /// Tells the log bridge the plan's own secrets before the SDK sees (and may log) them.
    fn learn_plan(&self, plan: &CredentialPlan) {
        match plan {
            CredentialPlan::Bearer(token) => self.redactions.add_secret(token.expose()),
            CredentialPlan::Static {
                access_key_id,
                secret_access_key,
                session_token,
            } => {
                self.redactions.add_access_key_id(access_key_id.expose());
                self.redactions.add_secret(secret_access_key.expose());
                if let Some(token) = session_token {
                    self.redactions.add_secret(token.expose());
                }
            }
            CredentialPlan::Profile(_)
            | CredentialPlan::DefaultChain { .. }
            | CredentialPlan::SkipAuth => {}
        }
    }

    /// Tells the log bridge what a credential provider returned.
    fn learn_credentials(&self, credentials: &Credentials) {
        self.redactions
            .add_access_key_id(credentials.access_key_id());
        self.redactions.add_secret(credentials.secret_access_key());
        if let Some(token) = credentials.session_token() {
            self.redactions.add_secret(token);
        }
    }

    /// SigV4 credentials for a plan; `None` for bearer plans.
    pub async fn resolve(
        &self,
        plan: &CredentialPlan,
        region: &str,
        profile: &ProfileSettings,
        env: &EnvSnapshot,
    ) -> Result<Option<Credentials>, PluginError> {
        self.learn_plan(plan);
        let credentials = match plan {
            CredentialPlan::Bearer(_) => return Ok(None),
            CredentialPlan::SkipAuth => Credentials::new(
                "dummy-access-key",
                "dummy-secret-key",
                None,
                None,
                "SkipAuth",
            ),
            CredentialPlan::Static {
                access_key_id,
                secret_access_key,
                session_token,
            } => Credentials::new(
                access_key_id.expose(),
                secret_access_key.expose(),
                session_token
                    .as_ref()
                    .map(|token| token.expose().to_owned()),
                None,
                "Static",
            ),
            CredentialPlan::Profile(_) | CredentialPlan::DefaultChain { .. } => {
                let key = cache_key(plan, region, profile);
                let cached = self
                    .entries
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .get(&key)
                    .filter(|credentials| still_fresh(credentials))
                    .cloned();
                if let Some(credentials) = cached {
                    return Ok(Some(credentials));
                }
                let credentials = resolve_from_chain(plan, region, env, true).await?;
                self.learn_credentials(&credentials);
                self.entries
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .insert(key, credentials.clone());
                credentials
            }
        };
        Ok(Some(credentials))
    }
}

/// The shared files named by the operation's env snapshot, so the SDK's profile provider reads
/// the same files the plugin's own decisions did (it would otherwise read the live env).
///
/// They are read here and handed over as contents: given as paths, a file that does not exist
/// is a hard "could not read file" error for the SDK, which ends the whole default chain and
/// blames a missing `~/.aws/config` when the user simply has no shared config (AUTH-09,
/// PLG-27). A missing file reads as empty, as the SDK treats its own default paths; a file
/// that exists but cannot be read stays a path, so the SDK's error names it.
fn profile_files(env: &EnvSnapshot) -> EnvConfigFiles {
    let [config, credentials] = shared_config::shared_file_paths(env);
    let mut files = EnvConfigFiles::builder();
    for (kind, path) in [
        (EnvConfigFileKind::Config, config),
        (EnvConfigFileKind::Credentials, credentials),
    ] {
        files = match std::fs::read(&path) {
            Ok(bytes) => files.with_contents(kind, String::from_utf8_lossy(&bytes)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => files.with_contents(kind, ""),
            Err(_) => files.with_file(kind, path),
        };
    }
    files.build()
}

/// EMB-30's probe: whether the SDK chain of `plan` yields credentials within `timeout` (one
/// resolution, nothing retried after it; success = a non-empty access key id). Without
/// `with_imds` the chain has no instance-metadata link, so a host that did not choose Bedrock
/// never waits for IMDS, and the process env is left alone. Nothing is cached or learned here.
pub async fn probe_chain(
    plan: &CredentialPlan,
    region: &str,
    env: &EnvSnapshot,
    with_imds: bool,
    timeout: Duration,
) -> bool {
    match tokio::time::timeout(timeout, resolve_from_chain(plan, region, env, with_imds)).await {
        Ok(Ok(credentials)) => !credentials.access_key_id().trim().is_empty(),
        Ok(Err(_)) | Err(_) => false,
    }
}

async fn resolve_from_chain(
    plan: &CredentialPlan,
    region: &str,
    env: &EnvSnapshot,
    with_imds: bool,
) -> Result<Credentials, PluginError> {
    let provider_config =
        ProviderConfig::default().with_region(Some(Region::new(region.to_owned())));
    let result =
        match plan {
            CredentialPlan::Profile(name) => ProfileFileCredentialsProvider::builder()
                .configure(&provider_config)
                .profile_files(profile_files(env))
                .profile_name(name)
                .build()
                .provide_credentials()
                .await
                .map_err(|err| profile_error(name, &err)),
            CredentialPlan::DefaultChain { profile } => {
                let mut profile_provider = ProfileFileCredentialsProvider::builder()
                    .configure(&provider_config)
                    .profile_files(profile_files(env));
                if let Some(name) = profile {
                    profile_provider = profile_provider.profile_name(name);
                }
                // The SDK's default chain minus its environment-keys link: env keys were already
                // taken from the snapshot with the blank rules of AUTH-01.
                let mut chain =
                    CredentialsProviderChain::first_try("Profile", profile_provider.build())
                        .or_else(
                            "WebIdentityToken",
                            WebIdentityTokenCredentialsProvider::builder()
                                .configure(&provider_config)
                                .build(),
                        )
                        .or_else(
                            "EcsContainer",
                            EcsCredentialsProvider::builder()
                                .configure(&provider_config)
                                .build(),
                        );
                if with_imds {
                    chain = chain.or_else(
                        "Ec2InstanceMetadata",
                        InstanceMetadata(
                            ImdsCredentialsProvider::builder()
                                .configure(&provider_config)
                                .build(),
                        ),
                    );
                }
                chain.provide_credentials().await.map_err(|err| {
                    // Every link said "not mine" (typed, not the SDK's wording, which changed
                    // between releases): AUTH-09's message names where the plugin looked.
                    if matches!(
                    err,
                    aws_credential_types::provider::error::CredentialsError::CredentialsNotLoaded(_)
                ) {
                        credentials_error(no_credentials_found(profile.as_deref(), env))
                    } else {
                        credentials_error(
                            aws_smithy_types::error::display::DisplayErrorContext(&err).to_string(),
                        )
                    }
                })
            }
            _ => Err(credentials_error("no SigV4 credentials for this plan")),
        };
    result
}

/// The chain's instance-metadata link. Off an EC2 instance its failures (a refused token
/// request, a proxy answering 403, a timeout) only mean "not on an instance", yet the SDK
/// reports them as errors that end the chain, so a laptop without credentials was told about
/// an IMDS session token instead of AUTH-09's "no AWS credentials found (checked …)" (PLG-27).
/// They are passed on as "not loaded", with the detail logged at debug level.
#[derive(Debug)]
struct InstanceMetadata(ImdsCredentialsProvider);

impl ProvideCredentials for InstanceMetadata {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        aws_credential_types::provider::future::ProvideCredentials::new(async move {
            self.0.provide_credentials().await.map_err(|err| {
                use aws_credential_types::provider::error::CredentialsError;
                match err {
                    CredentialsError::CredentialsNotLoaded(_) => err,
                    other => {
                        let detail = aws_smithy_types::error::display::DisplayErrorContext(&other)
                            .to_string();
                        tracing::debug!(%detail, "instance metadata gave no credentials");
                        CredentialsError::not_loaded(detail)
                    }
                }
            })
        })
    }
}

/// AUTH-09's "no AWS credentials found" text. When a profile was named (AWS_PROFILE), it says
/// which profile the shared files lacked and where they were looked for, since that is almost
/// always what the user has to fix.
fn no_credentials_found(profile: Option<&str>, env: &EnvSnapshot) -> String {
    match profile {
        None => "no AWS credentials found (checked AWS_BEARER_TOKEN_BEDROCK, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, shared config, web identity, container and instance metadata)".to_owned(),
        Some(name) => {
            let [config, credentials] = shared_config::shared_file_paths(env);
            format!(
                "no AWS credentials found: profile \"{name}\" gives none in {} or {} (also checked web identity, container and instance metadata)",
                config.display(),
                credentials.display()
            )
        }
    }
}

fn profile_error(
    name: &str,
    err: &aws_credential_types::provider::error::CredentialsError,
) -> PluginError {
    let detail = aws_smithy_types::error::display::DisplayErrorContext(err).to_string();
    if detail.contains("ProfileNotFound")
        || detail.contains("could not find")
        || detail.contains("not found")
    {
        credentials_error(format!(
            "profile \"{name}\" not found in shared config files"
        ))
    } else {
        credentials_error(format!("profile \"{name}\": {detail}"))
    }
}

#[cfg(test)]
mod tests;
