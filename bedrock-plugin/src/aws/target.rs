//! Resolving everything one call needs: auth, region, endpoint, HTTP settings, credentials.
//!
//! [`CallContext`] is the narrow input every service (chat, CountTokens, discovery,
//! embeddings, doctor) takes instead of the whole plugin state: the settings and environment
//! one operation started with (LIVE-01) and the instance's credential and client caches.

use std::sync::Arc;

use abi_stable::std_types::{ROption, RString};
use plugin_api::error::{ErrorKind, PluginError};

use crate::aws::auth::{self, AuthResolution, RequestAuth};
use crate::aws::clients::{ClientCache, ClientSpec};
use crate::aws::credentials::CredentialCache;
use crate::aws::endpoint::{self, EndpointChoice, EndpointVariant, RuntimeEndpointInputs};
use crate::aws::http;
use crate::aws::region::{self, RegionChoice, RuntimeRegionInputs};
use crate::aws::shared_config::{self, ProfileSettings};
use crate::bounded::WarnOnce;
use crate::env::EnvSnapshot;
use crate::settings::Settings;

/// What one operation works with: the settings and env snapshot taken at its start, and the
/// instance's caches and warn-once memory (shared, so a clone is cheap).
#[derive(Clone)]
pub struct CallContext {
    pub settings: Arc<Settings>,
    pub env: EnvSnapshot,
    pub credentials: Arc<CredentialCache>,
    pub clients: Arc<ClientCache>,
    /// The instance's parsed model traits (issue 9: parsed once per model, not per request).
    pub traits: Arc<crate::models::traits::TraitsCache>,
    /// Warnings this instance already logged (REG-02, REQ-08, DISC-50/51 log once).
    pub warnings: Arc<WarnOnce>,
}

/// A source of fresh [`CallContext`]s, for objects that outlive one operation.
pub type CallContexts = Arc<dyn Fn() -> CallContext + Send + Sync>;

impl CallContext {
    /// [`runtime`] with this context's settings, env, credentials and warnings.
    pub async fn runtime_target(
        &self,
        request: RuntimeRequest<'_>,
    ) -> Result<CallTarget, PluginError> {
        runtime(
            &self.settings,
            &self.env,
            request,
            &self.credentials,
            &self.warnings,
        )
        .await
    }

    /// [`control_plane`] with this context's settings, env and credentials.
    pub async fn control_target(&self) -> Result<CallTarget, PluginError> {
        control_plane(&self.settings, &self.env, &self.credentials, None).await
    }

    /// [`control_plane`] in `region` instead of the REG-10 one (REG-11: GetInferenceProfile
    /// runs in the application profile's own region).
    pub async fn control_target_in(&self, region: &str) -> Result<CallTarget, PluginError> {
        control_plane(&self.settings, &self.env, &self.credentials, Some(region)).await
    }
}

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
        let text = |value: &'a ROption<RString>| value.as_ref().into_option().map(RString::as_str);
        let options = &chat.options;
        Self {
            model_id: chat.model.id.as_str(),
            model_base_url: text(&chat.model.base_url),
            region: text(&options.region),
            profile: text(&options.profile),
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
    warnings: &WarnOnce,
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
    warn_on_arn_region_mismatch(request.model_id, &provider_base_urls, &region, warnings);
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

/// Resolves a control-plane (bedrock) call: REG-10 (or the given `region`, REG-11), EP-02.
pub async fn control_plane(
    settings: &Settings,
    env: &EnvSnapshot,
    credentials: &CredentialCache,
    region: Option<&str>,
) -> Result<CallTarget, PluginError> {
    let auth = auth::resolve(&settings.config, env, RequestAuth::default()).map_err(auth_error)?;
    let profile = profile_settings(settings, env, None).await;
    let region = match region {
        Some(region) => RegionChoice::application_profile(region),
        None => region::control_plane_region(
            settings.config.discovery_region(),
            settings.config.aws_region.as_deref(),
            profile.region.as_deref(),
            env,
        ),
    };
    let endpoint = endpoint::control_plane_endpoint(
        settings
            .config
            .aws_bedrock_control_plane_endpoint
            .as_deref(),
        &region.region,
        env,
        &profile,
    );
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
/// warning per (model, baseUrl) and instance.
fn warn_on_arn_region_mismatch(
    model_id: &str,
    provider_base_urls: &[&str],
    region: &RegionChoice,
    warnings: &WarnOnce,
) {
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
    if warnings.first(&format!("REG-02\u{0}{model_id}\u{0}{url}")) {
        tracing::warn!(
            "Amazon Bedrock model ARN region {} differs from provider baseUrl region {}; using {}",
            region.region,
            url_region,
            region.region
        );
    }
}
