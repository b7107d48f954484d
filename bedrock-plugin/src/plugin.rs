//! The state of one plugin instance, and the narrow inputs it hands each service.
//!
//! Every trait object the instance gives the host shares one [`PluginState`]: the live
//! settings, where the environment is read from, the credential and client caches, discovery's
//! cache and observed state, the learned self-heal corrections, the application-profile lookups
//! and the warn-once memory. None
//! of it is process-global, so two instances (two accounts, two configs) never share a cached
//! credential, a catalog or a learned correction.
//!
//! Services never see this type: each operation gets a [`CallContext`] (the settings and env
//! snapshot it started with plus the shared caches) and only the other parts it needs, which
//! keeps the dependencies one-way (instance → plugin → services → aws/models/config).

use std::sync::Arc;

use futures::future::BoxFuture;
use futures::FutureExt as _;
use plugin_api::chat::ChatRequest;
use plugin_api::error::PluginError;
use plugin_api::traits::ListModelsOptions;

use crate::app_profiles::AppProfiles;
use crate::aws::clients::ClientCache;
use crate::aws::credentials::CredentialCache;
use crate::aws::target::{CallContext, CallContexts};
use crate::bounded::WarnOnce;
use crate::converse;
use crate::converse::learned::LearnedCorrections;
use crate::converse::retry::ChooseProfile;
use crate::discovery::{self, DiscoveryState};
use crate::env::EnvSnapshot;
use crate::pending::StreamHandle;
use crate::settings::{LiveSettings, Settings};

/// Where operations read the environment from.
pub enum EnvSource {
    /// The live process environment, snapshotted per operation (production).
    Process,
    /// A fixed snapshot, so in-process tests can run side by side with different env.
    Fixed(EnvSnapshot),
}

/// State shared by the instance and every object it hands out.
pub struct PluginState {
    pub settings: LiveSettings,
    pub credentials: Arc<CredentialCache>,
    pub clients: Arc<ClientCache>,
    pub discovery: Arc<DiscoveryState>,
    /// BR-01..BR-05 memory of this instance (bounded, see `converse::learned`).
    pub learned: Arc<LearnedCorrections>,
    /// Warnings this instance already logged (bounded, see `bounded::WarnOnce`).
    pub warnings: Arc<WarnOnce>,
    /// GetInferenceProfile results per application-profile ARN (TEMP-04; bounded, single
    /// flight, see `app_profiles`).
    pub app_profiles: Arc<AppProfiles>,
    env: EnvSource,
}

impl PluginState {
    pub fn new(settings: Settings) -> Arc<PluginState> {
        Self::with_env(settings, EnvSource::Process)
    }

    pub fn with_env(settings: Settings, env: EnvSource) -> Arc<PluginState> {
        Arc::new(PluginState {
            settings: LiveSettings::new(settings),
            credentials: Arc::default(),
            clients: Arc::default(),
            discovery: Arc::default(),
            learned: Arc::default(),
            warnings: Arc::default(),
            app_profiles: Arc::default(),
            env,
        })
    }

    /// The env snapshot for one operation (taken once at its start).
    pub fn env(&self) -> EnvSnapshot {
        match &self.env {
            EnvSource::Process => EnvSnapshot::capture(),
            EnvSource::Fixed(snapshot) => snapshot.clone(),
        }
    }

    /// The input of one operation: the current settings and env, and the shared caches.
    pub fn call_context(&self) -> CallContext {
        CallContext {
            settings: self.settings.current(),
            env: self.env(),
            credentials: self.credentials.clone(),
            clients: self.clients.clone(),
            warnings: self.warnings.clone(),
            app_profiles: self.app_profiles.clone(),
        }
    }

    /// A source of fresh [`CallContext`]s for long-lived objects (an embedding provider reads
    /// the settings current at each call, EMB-41).
    pub fn call_contexts(self: &Arc<Self>) -> CallContexts {
        let plugin = self.clone();
        Arc::new(move || plugin.call_context())
    }

    /// Starts a ConverseStream for `request` (shape errors return synchronously).
    pub fn start_chat(self: &Arc<Self>, request: ChatRequest) -> Result<StreamHandle, PluginError> {
        let call = self.call_context();
        // BR-03/BR-04: the profile choice uses the flags of the settings the request started
        // with (LIVE-01) and the request region the driver passes.
        let profiles = DiscoveredProfiles {
            plugin: self.clone(),
            use_cross_region_inference: call.settings.config.use_cross_region_inference(),
            use_global_inference: call.settings.config.use_global_inference(),
        };
        converse::chat::start(call, self.learned.clone(), Box::new(profiles), request)
    }

    /// The catalog for a `list_models` call.
    pub async fn list_models(
        &self,
        options: ListModelsOptions,
    ) -> Result<plugin_api::model::ProviderCatalog, PluginError> {
        discovery::list_models(&self.call_context(), &self.discovery, options).await
    }
}

/// The BR-03/BR-04 profile choice from this instance's discovery results.
struct DiscoveredProfiles {
    plugin: Arc<PluginState>,
    use_cross_region_inference: bool,
    use_global_inference: bool,
}

impl ChooseProfile for DiscoveredProfiles {
    /// DISC-19a's profile choice for `model_id`; runs discovery in strict mode when no
    /// candidates are cached (a failing run just means "no profile").
    fn choose<'a>(&'a self, model_id: &'a str, region: &'a str) -> BoxFuture<'a, Option<String>> {
        async move {
            let discovery = &self.plugin.discovery;
            let mut candidates = discovery.profile_candidates();
            if candidates.is_empty() {
                let run = self
                    .plugin
                    .list_models(ListModelsOptions {
                        strict: true,
                        force_refresh: false,
                        extensions: Default::default(),
                    })
                    .await;
                if let Err(error) = run {
                    tracing::debug!(message = %error.message, "discovery for a profile choice failed");
                }
                candidates = discovery.profile_candidates();
            }
            discovery::profiles::choose_profile(
                model_id,
                region,
                &candidates,
                self.use_cross_region_inference,
                self.use_global_inference,
            )
        }
        .boxed()
    }
}

#[cfg(test)]
mod tests;
