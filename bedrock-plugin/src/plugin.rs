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
use crate::converse::payload_hook::HostPayloadHook;
use crate::converse::retry::ChooseProfile;
use crate::discovery::{self, DiscoveryState};
use crate::env::EnvSnapshot;
use crate::models::traits::TraitsCache;
use crate::pending::{StreamHandle, StreamSlots};
use crate::settings::{LiveSettings, Settings};

/// PLG-93 status lines: this instance's chat streams in flight.
pub const STATUS_STREAMS_IN_FLIGHT: &str = "streams in flight";
/// PLG-93: `<limit> (limits.maxConcurrentStreams)`.
pub const STATUS_STREAM_LIMIT: &str = "stream limit";
/// PLG-93: stream tasks alive in this process (every instance).
pub const STATUS_STREAM_TASKS: &str = "plugin stream tasks";
/// PLG-93: one-shot tasks (catalog, embeddings, token count, doctor) alive in this process.
pub const STATUS_PENDING_TASKS: &str = "plugin pending tasks";
/// PLG-93: tasks alive on the plugin runtime (including HTTP connection tasks).
pub const STATUS_RUNTIME_TASKS: &str = "plugin runtime tasks";

/// PLG-92/93: events queued for hosts and not yet polled, over every stream of this process.
pub const STATUS_QUEUED_EVENTS: &str = "plugin queued events";

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
    /// Chat streams in flight, bounded by `limits.maxConcurrentStreams` (PLG-90).
    pub streams: StreamSlots,
    /// Parsed model traits per model (bounded, see `models::traits::TraitsCache`).
    pub traits: Arc<TraitsCache>,
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
            traits: Arc::default(),
            streams: StreamSlots::default(),
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
            traits: self.traits.clone(),
            warnings: self.warnings.clone(),
        }
    }

    /// A source of fresh [`CallContext`]s for long-lived objects (an embedding provider reads
    /// the settings current at each call, EMB-41).
    pub fn call_contexts(self: &Arc<Self>) -> CallContexts {
        let plugin = self.clone();
        Arc::new(move || plugin.call_context())
    }

    /// Starts a ConverseStream for `request` (shape errors return synchronously), with the
    /// host's payload hook when it passed one (REQ-03).
    pub fn start_chat(
        self: &Arc<Self>,
        request: ChatRequest,
        payload_hook: Option<HostPayloadHook>,
    ) -> Result<StreamHandle, PluginError> {
        let call = self.call_context();
        // PLG-90: refused at once when the instance already runs its limit of streams.
        let permit = self
            .streams
            .try_acquire(call.settings.config.max_concurrent_streams())?;
        // BR-03/BR-04: the profile choice uses the flags of the settings the request started
        // with (LIVE-01) and the request region the driver passes.
        let profiles = DiscoveredProfiles {
            plugin: self.clone(),
            use_cross_region_inference: call.settings.config.use_cross_region_inference(),
            use_global_inference: call.settings.config.use_global_inference(),
        };
        converse::chat::start(
            Some(permit),
            call,
            self.learned.clone(),
            self.app_profiles.clone(),
            Box::new(profiles),
            request,
            payload_hook,
        )
    }

    /// Status (AUTH-30, DISC-52) plus the PLG-93 resource lines: this instance's streams in
    /// flight and its limit, and the process's live plugin tasks.
    pub fn status(&self) -> plugin_api::status::PluginStatus {
        let call = self.call_context();
        let mut status = discovery::status(&call, &self.discovery);
        let line = |key: &str, value: String| plugin_api::status::StatusLine {
            key: key.into(),
            value: value.into(),
        };
        let limit = call.settings.config.max_concurrent_streams();
        let runtime_tasks = crate::runtime::alive_tasks()
            .map_or_else(|| "not started".to_owned(), |n| n.to_string());
        for resource in [
            line(
                STATUS_STREAMS_IN_FLIGHT,
                self.streams.in_flight().to_string(),
            ),
            line(
                STATUS_STREAM_LIMIT,
                format!("{limit} (limits.maxConcurrentStreams)"),
            ),
            line(
                STATUS_STREAM_TASKS,
                crate::pending::live_stream_tasks().to_string(),
            ),
            line(
                STATUS_PENDING_TASKS,
                crate::pending::live_pending_tasks().to_string(),
            ),
            line(STATUS_RUNTIME_TASKS, runtime_tasks),
            line(
                STATUS_QUEUED_EVENTS,
                crate::pending::queued_events().to_string(),
            ),
        ] {
            status.details.push(resource);
        }
        status
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
