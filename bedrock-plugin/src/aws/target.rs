//! Resolving everything one call needs: auth, region, endpoint, HTTP settings, credentials.

use plugin_api::error::{ErrorKind, PluginError};

use crate::aws::auth::{self, AuthResolution, RequestAuth};
use crate::aws::clients::ClientSpec;
use crate::aws::credentials::CredentialCache;
use crate::aws::endpoint::{self, EndpointChoice, EndpointVariant, RuntimeEndpointInputs};
use crate::aws::http;
use crate::aws::region::{self, RegionChoice, RuntimeRegionInputs};
use crate::aws::shared_config::{self, ProfileSettings};
use crate::env::EnvSnapshot;
use crate::settings::Settings;

/// A resolved call: the client spec plus the decisions behind it (for logs and status).
#[derive(Clone, Debug)]
pub struct CallTarget {
    pub spec: ClientSpec,
    pub region: RegionChoice,
    pub endpoint: EndpointChoice,
    pub auth: AuthResolution,
}

/// Per-request inputs for a runtime call.
#[derive(Clone, Copy, Debug, Default)]
pub struct RuntimeRequest<'a> {
    pub model_id: &'a str,
    pub model_base_url: Option<&'a str>,
    pub region: Option<&'a str>,
    pub profile: Option<&'a str>,
    pub bearer_token: Option<&'a str>,
}

impl<'a> RuntimeRequest<'a> {
    /// The per-request inputs a chat request carries (model id and baseUrl, region, profile,
    /// bearer token; converse-stream §0).
    pub fn for_chat(chat: &'a plugin_api::chat::ChatRequest) -> Self {
        let options = &chat.options;
        Self {
            model_id: chat.model.id.as_str(),
            model_base_url: chat
                .model
                .base_url
                .as_ref()
                .into_option()
                .map(|url| url.as_str()),
            region: options
                .region
                .as_ref()
                .into_option()
                .map(|region| region.as_str()),
            profile: options
                .profile
                .as_ref()
                .into_option()
                .map(|profile| profile.as_str()),
            bearer_token: options
                .bearer_token
                .as_ref()
                .into_option()
                .map(|token| token.expose()),
        }
    }
}

fn auth_error(err: auth::AuthError) -> PluginError {
    PluginError::new(ErrorKind::Auth, err.to_string())
}

async fn profile_settings(
    settings: &Settings,
    env: &EnvSnapshot,
    profile: Option<&str>,
) -> ProfileSettings {
    let active = profile.or(settings.config.aws_profile.as_deref());
    shared_config::load(env, active).await
}

/// Resolves a runtime (bedrock-runtime) call: REG-01, EP-01, AUTH-02..10.
pub async fn runtime(
    settings: &Settings,
    env: &EnvSnapshot,
    request: RuntimeRequest<'_>,
    credentials: &CredentialCache,
) -> Result<CallTarget, PluginError> {
    let auth = auth::resolve(
        &settings.config,
        env,
        RequestAuth {
            bearer_token: request.bearer_token,
            profile: request.profile,
        },
    )
    .map_err(auth_error)?;
    let profile = profile_settings(settings, env, request.profile).await;
    let provider_base_urls = settings.host.provider_base_urls();
    let discovery_region = settings.config.discovery_region();
    let region = region::runtime_region(
        &RuntimeRegionInputs {
            request_region: request.region,
            model_id: request.model_id,
            model_base_url: request.model_base_url,
            provider_base_urls: provider_base_urls.clone(),
            aws_region: settings.config.aws_region.as_deref(),
            discovery_region,
            profile_region: profile.region.as_deref(),
        },
        env,
    );
    warn_on_arn_region_mismatch(request.model_id, &provider_base_urls, &region);
    let endpoint = endpoint::runtime_endpoint(
        &RuntimeEndpointInputs {
            model_base_url: request.model_base_url,
            provider_base_urls,
            aws_bedrock_endpoint: settings.config.aws_bedrock_endpoint.as_deref(),
        },
        &region.region,
        env,
        &profile,
    );
    finish(settings, env, auth, region, endpoint, &profile, credentials).await
}

/// Resolves a control-plane (bedrock) call: REG-10, EP-02.
pub async fn control_plane(
    settings: &Settings,
    env: &EnvSnapshot,
    credentials: &CredentialCache,
) -> Result<CallTarget, PluginError> {
    let auth = auth::resolve(&settings.config, env, RequestAuth::default()).map_err(auth_error)?;
    let profile = profile_settings(settings, env, None).await;
    let region = region::control_plane_region(
        settings.config.discovery_region(),
        settings.config.aws_region.as_deref(),
        profile.region.as_deref(),
        env,
    );
    let endpoint = endpoint::control_plane_endpoint(&region.region, env, &profile);
    finish(settings, env, auth, region, endpoint, &profile, credentials).await
}

async fn finish(
    settings: &Settings,
    env: &EnvSnapshot,
    auth: AuthResolution,
    region: RegionChoice,
    endpoint: EndpointChoice,
    profile: &ProfileSettings,
    credentials: &CredentialCache,
) -> Result<CallTarget, PluginError> {
    let resolved = credentials
        .resolve(&auth.plan, &region.region, profile, env)
        .await?;
    let spec = ClientSpec {
        region: region.region.clone(),
        endpoint: endpoint.clone(),
        variant: EndpointVariant::from_env(env, profile),
        http: http::settings_for(&endpoint.url, env),
        connect_timeout: settings.config.connect_timeout(),
        plan: auth.plan.clone(),
        credentials: resolved,
    };
    Ok(CallTarget {
        spec,
        region,
        endpoint,
        auth,
    })
}

/// REG-02: an ARN region that differs from a standard provider baseUrl region wins, with one
/// warning per (model, baseUrl).
fn warn_on_arn_region_mismatch(model_id: &str, provider_base_urls: &[&str], region: &RegionChoice) {
    use std::collections::HashSet;
    use std::sync::Mutex;
    static WARNED: Mutex<Option<HashSet<(String, String)>>> = Mutex::new(None);
    if region.source != "model ARN" {
        return;
    }
    let Some((url, url_region)) = provider_base_urls
        .iter()
        .find_map(|url| region::region_from_base_url(url).map(|r| (*url, r)))
    else {
        return;
    };
    if url_region == region.region {
        return;
    }
    let mut warned = WARNED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if warned
        .get_or_insert_with(HashSet::new)
        .insert((model_id.to_owned(), url.to_owned()))
    {
        tracing::warn!(
            "Amazon Bedrock model ARN region {} differs from provider baseUrl region {}; using {}",
            region.region,
            url_region,
            region.region
        );
    }
}
