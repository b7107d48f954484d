//! The plugin instance and the trait objects it hands to the host.

use std::sync::Arc;

use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{RArc, ROption, RResult, RString, RVec};
use plugin_api::chat::{ChatRequest, ReplayPolicy, ThinkingProfile};
use plugin_api::embedding::EmbeddingProviderRequest;
use plugin_api::error::{ErrorClassification, ErrorKind, PluginError};
use plugin_api::host::ConfigUpdate;
use plugin_api::model::ModelDefinition;
use plugin_api::poll::{PendingCatalog_TO, PendingDoctor_TO, PendingTokenCount_TO};
use plugin_api::status::{DoctorReport, PluginStatus, StatusLine};
use plugin_api::traits::{
    ChatProvider, ChatProviderBox, ChatProvider_TO, ChatStreamBox, ChatStream_TO, DiscoveryService,
    DiscoveryServiceBox, DiscoveryService_TO, EmbeddingProviderBox, ListModelsOptions,
    PendingCatalogBox, PendingDoctorBox, PendingTokenCountBox, PluginInstance,
};

use crate::aws::auth;
use crate::aws::clients::ClientCache;
use crate::aws::credentials::CredentialCache;
use crate::aws::target::{self, RuntimeRequest};
use crate::converse;
use crate::converse::stream::{MapperConfig, StreamMapper};
use crate::discovery;
use crate::env::EnvSnapshot;
use crate::guard::{guard, guard_infallible};
use crate::manifest::{API, PROVIDER_ID};
use crate::models::claude;
use crate::pending::{PendingTask, StreamHandle};
use crate::settings::{LiveSettings, Settings};

/// Where operations read the environment from.
pub enum EnvSource {
    /// The live process environment, snapshotted per operation (production).
    Process,
    /// A fixed snapshot, so in-process tests can run side by side with different env.
    Fixed(EnvSnapshot),
}

/// State shared by the instance and every object it hands out.
pub struct Plugin {
    pub settings: LiveSettings,
    pub credentials: CredentialCache,
    pub clients: ClientCache,
    pub discovery: discovery::DiscoveryState,
    env: EnvSource,
}

impl Plugin {
    pub fn new(settings: Settings) -> Arc<Plugin> {
        Self::with_env(settings, EnvSource::Process)
    }

    pub fn with_env(settings: Settings, env: EnvSource) -> Arc<Plugin> {
        Arc::new(Plugin {
            settings: LiveSettings::new(settings),
            credentials: CredentialCache::default(),
            clients: ClientCache::default(),
            discovery: discovery::DiscoveryState::default(),
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
}

/// The `PluginInstance` trait object's implementation.
pub struct Instance {
    plugin: Arc<Plugin>,
}

impl Instance {
    pub fn new(plugin: Arc<Plugin>) -> Self {
        Self { plugin }
    }
}

/// The `ChatProvider` implementation.
#[derive(Clone)]
pub struct Provider {
    plugin: Arc<Plugin>,
}

/// The `DiscoveryService` implementation.
#[derive(Clone)]
pub struct Discovery {
    plugin: Arc<Plugin>,
}

impl PluginInstance for Instance {
    fn chat_provider(&self) -> ChatProviderBox {
        ChatProvider_TO::from_ptr(
            RArc::new(Provider {
                plugin: self.plugin.clone(),
            }),
            TD_Opaque,
        )
    }

    fn discovery(&self) -> DiscoveryServiceBox {
        DiscoveryService_TO::from_ptr(
            RArc::new(Discovery {
                plugin: self.plugin.clone(),
            }),
            TD_Opaque,
        )
    }

    fn embedding_provider(
        &self,
        request: EmbeddingProviderRequest,
    ) -> RResult<ROption<EmbeddingProviderBox>, PluginError> {
        // Every model id gets a provider (unknown ids by family prefix, EMB-13); creation
        // fails only on an invalid dimension (EMB-14) or certainly missing credentials (EMB-32),
        // so a host in auto mode can move on to its next provider.
        guard("PluginInstance::embedding_provider", || {
            crate::embeddings::create(&self.plugin, &request).map(ROption::RSome)
        })
        .into()
    }

    fn update_config(&self, update: ConfigUpdate) -> RResult<(), PluginError> {
        guard("PluginInstance::update_config", || {
            let settings = Settings::parse(
                update.plugin_config_json.as_str(),
                update.host_config_json.as_str(),
            )?;
            self.plugin.settings.replace(settings);
            Ok(())
        })
        .into()
    }

    fn doctor(&self) -> PendingDoctorBox {
        let plugin = self.plugin.clone();
        let task = PendingTask::spawn(
            "PluginInstance::doctor",
            async move { doctor(&plugin).await },
        );
        PendingDoctor_TO::from_value(task, TD_Opaque)
    }
}

impl ChatProvider for Provider {
    fn provider_id(&self) -> RString {
        PROVIDER_ID.into()
    }

    fn api(&self) -> RString {
        API.into()
    }

    fn stream_chat(&self, request: ChatRequest) -> RResult<ChatStreamBox, PluginError> {
        guard("ChatProvider::stream_chat", || {
            let handle = start_stream(&self.plugin, request)?;
            Ok(ChatStream_TO::from_value(handle, TD_Opaque))
        })
        .into()
    }

    fn count_tokens(&self, request: ChatRequest) -> PendingTokenCountBox {
        let plugin = self.plugin.clone();
        let task = PendingTask::spawn("ChatProvider::count_tokens", async move {
            converse::count_tokens::count(&plugin, request).await
        });
        PendingTokenCount_TO::from_value(task, TD_Opaque)
    }

    fn thinking_profile(&self, model: &ModelDefinition) -> ThinkingProfile {
        let fallback = ThinkingProfile {
            levels: RVec::new(),
            default_level: ROption::RNone,
        };
        guard_infallible("ChatProvider::thinking_profile", fallback, || {
            claude::thinking_profile(model)
        })
    }

    fn replay_policy(&self, model: &ModelDefinition) -> ROption<ReplayPolicy> {
        guard_infallible("ChatProvider::replay_policy", ROption::RNone, || {
            claude::replay_policy(model).into()
        })
    }

    fn classify_error(&self, error: &PluginError) -> ErrorClassification {
        let fallback = ErrorClassification {
            failover: ROption::RNone,
            context_overflow: false,
        };
        guard_infallible("ChatProvider::classify_error", fallback, || {
            converse::errors::classify(error)
        })
    }

    fn auth_marker(&self) -> ROption<RString> {
        guard_infallible("ChatProvider::auth_marker", ROption::RNone, || {
            let settings = self.plugin.settings.current();
            auth::auth_marker(&settings.config, &self.plugin.env())
                .map(RString::from)
                .into()
        })
    }

    fn normalize_model(&self, model: ModelDefinition) -> ModelDefinition {
        let fallback = model.clone();
        guard_infallible("ChatProvider::normalize_model", fallback, || {
            claude::normalize(model)
        })
    }
}

/// Validates and shapes the request now (so shape errors return synchronously), then sends
/// it on the plugin runtime.
fn start_stream(plugin: &Arc<Plugin>, request: ChatRequest) -> Result<StreamHandle, PluginError> {
    if request.model.api.as_str() != API {
        return Err(PluginError::new(
            ErrorKind::InvalidRequest,
            format!(
                "Amazon Bedrock stream received unsupported API: {}",
                request.model.api
            ),
        ));
    }
    let settings = plugin.settings.current();
    let env = plugin.env();
    let input = converse::request::build(
        &request,
        &settings,
        converse::request::Operation::ConverseStream,
    )?;
    let model_id = request.model.id.to_string();
    let plugin = plugin.clone();
    StreamHandle::spawn(&model_id, move |sink| async move {
        let mapper_config = MapperConfig {
            model_id: request.model.id.to_string(),
            cost: request.model.cost,
            refusal_buffered: claude::is_refusal_buffered(&request.model),
        };
        let target = target::runtime(
            &settings,
            &env,
            RuntimeRequest::for_chat(&request),
            &plugin.credentials,
        )
        .await;
        let client = target.and_then(|target| {
            tracing::debug!(
                model = %request.model.id,
                region = %target.region.region,
                endpoint = %target.endpoint.url,
                auth_mode = target.auth.mode.as_str(),
                "sending ConverseStream"
            );
            let region = target.region.region.clone();
            plugin
                .clients
                .runtime(&target.spec)
                .map(|client| (client, region))
        });
        match client {
            Ok((client, region)) => {
                // BR-03/BR-04: the profile choice uses the request region and the flags of
                // the settings the request started with (LIVE-01).
                let profiles = converse::retry::ProfileChooser {
                    plugin: plugin.clone(),
                    region: region.clone(),
                    use_cross_region_inference: settings.config.use_cross_region_inference(),
                    use_global_inference: settings.config.use_global_inference(),
                };
                converse::driver::run(
                    converse::driver::StreamRequest {
                        send: converse::driver::Send {
                            client,
                            input,
                            idle_timeout: settings.config.stream_idle_timeout(),
                        },
                        mapper: mapper_config,
                        policy: settings.config.retry_policy(),
                        region,
                        profiles: Some(profiles),
                    },
                    sink,
                )
                .await
            }
            Err(error) => {
                let mut mapper = StreamMapper::new(mapper_config);
                let mut out = Vec::new();
                mapper.on_failure(error, plugin_api::event::StopReason::Error, &mut out);
                sink.send(out).await;
                sink.finish();
            }
        }
    })
}

impl DiscoveryService for Discovery {
    fn list_models(&self, options: ListModelsOptions) -> PendingCatalogBox {
        let plugin = self.plugin.clone();
        let task = PendingTask::spawn("DiscoveryService::list_models", async move {
            discovery::list_models(&plugin, options).await
        });
        PendingCatalog_TO::from_value(task, TD_Opaque)
    }

    fn status(&self) -> PluginStatus {
        let fallback = PluginStatus {
            discovery_enabled: false,
            discovery_reason: "status unavailable".into(),
            auth_mode: RString::new(),
            credential_source: RString::new(),
            region: RString::new(),
            region_source: RString::new(),
            runtime_endpoint: RString::new(),
            control_plane_endpoint: RString::new(),
            catalog_age_ms: ROption::RNone,
            model_count: ROption::RNone,
            last_error: ROption::RNone,
            details: RVec::new(),
            extensions: Default::default(),
        };
        guard_infallible("DiscoveryService::status", fallback, || {
            discovery::status(&self.plugin)
        })
    }
}

async fn doctor(plugin: &Arc<Plugin>) -> Result<DoctorReport, PluginError> {
    let settings = plugin.settings.current();
    let env = plugin.env();
    let mut checks = Vec::new();
    let mut healthy = true;
    let line = |key: &str, value: String| StatusLine {
        key: key.into(),
        value: value.into(),
    };
    match target::control_plane(&settings, &env, &plugin.credentials).await {
        Ok(target) => {
            checks.push(line("auth mode", target.auth.mode.as_str().to_owned()));
            checks.push(line("credential source", target.auth.source.clone()));
            checks.push(line("credentials", "ok".to_owned()));
            checks.push(line(
                "control-plane region",
                format!("{} ({})", target.region.region, target.region.source),
            ));
            checks.push(line("control-plane endpoint", target.endpoint.url.clone()));
        }
        Err(error) => {
            healthy = false;
            checks.push(line("credentials", format!("error: {}", error.message)));
        }
    }
    Ok(DoctorReport {
        checks: RVec::from(checks),
        healthy,
        extensions: Default::default(),
    })
}
