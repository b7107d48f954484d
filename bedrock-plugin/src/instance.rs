//! The ABI adapters: the `plugin-api` trait implementations the host calls through.
//!
//! Each adapter is a handle on the shared [`PluginState`] and holds no state of its own; a
//! method guards against panics, hands the call to its service with the narrow inputs the
//! plugin state builds, and wraps async work in a pending task the host polls.

use std::sync::Arc;

use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{RArc, ROption, RResult, RString, RVec};
use plugin_api::chat::{ChatRequest, ReplayPolicy, ThinkingProfile};
use plugin_api::embedding::EmbeddingProviderRequest;
use plugin_api::error::{ErrorClassification, PluginError};
use plugin_api::hooks::PayloadHookBox;
use plugin_api::host::ConfigUpdate;
use plugin_api::model::ModelDefinition;
use plugin_api::poll::{PendingCatalog_TO, PendingDoctor_TO, PendingTokenCount_TO};
use plugin_api::status::PluginStatus;
use plugin_api::traits::{
    ChatProvider, ChatProviderBox, ChatProvider_TO, ChatStreamBox, ChatStream_TO, DiscoveryService,
    DiscoveryServiceBox, DiscoveryService_TO, EmbeddingProviderBox, ListModelsOptions,
    PendingCatalogBox, PendingDoctorBox, PendingTokenCountBox, PluginInstance,
};

use crate::aws::auth;
use crate::converse;
use crate::doctor;
use crate::guard::{guard, guard_infallible};
use crate::manifest::{API, PROVIDER_ID};
use crate::models::claude;
use crate::pending::PendingTask;
pub use crate::plugin::EnvSource;
use crate::plugin::PluginState;
use crate::settings::Settings;

/// The `PluginInstance` trait object's implementation.
pub struct Instance {
    plugin: Arc<PluginState>,
}

impl Instance {
    pub fn new(plugin: Arc<PluginState>) -> Self {
        Self { plugin }
    }
}

/// The `ChatProvider` implementation.
#[derive(Clone)]
pub struct Provider {
    plugin: Arc<PluginState>,
}

/// The `DiscoveryService` implementation.
#[derive(Clone)]
pub struct Discovery {
    plugin: Arc<PluginState>,
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
            crate::embeddings::create(
                self.plugin.call_contexts(),
                self.plugin.app_profiles.clone(),
                &request,
            )
            .map(ROption::RSome)
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
        let task = PendingTask::spawn("PluginInstance::doctor", async move {
            doctor::report(&plugin.call_context(), &plugin.discovery).await
        });
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
            let handle = self.plugin.start_chat(request, None)?;
            Ok(ChatStream_TO::from_value(handle, TD_Opaque))
        })
        .into()
    }

    fn stream_chat_with_payload_hook(
        &self,
        request: ChatRequest,
        hook: PayloadHookBox,
    ) -> RResult<ChatStreamBox, PluginError> {
        guard("ChatProvider::stream_chat_with_payload_hook", || {
            let hook = converse::payload_hook::HostPayloadHook::new(hook);
            let handle = self.plugin.start_chat(request, Some(hook))?;
            Ok(ChatStream_TO::from_value(handle, TD_Opaque))
        })
        .into()
    }

    fn count_tokens(&self, request: ChatRequest) -> PendingTokenCountBox {
        let plugin = self.plugin.clone();
        let task = PendingTask::spawn("ChatProvider::count_tokens", async move {
            converse::count_tokens::count(&plugin.call_context(), &plugin.app_profiles, request)
                .await
        });
        PendingTokenCount_TO::from_value(task, TD_Opaque)
    }

    fn thinking_profile(&self, model: &ModelDefinition) -> ThinkingProfile {
        let fallback = ThinkingProfile {
            levels: RVec::new(),
            default_level: ROption::RNone,
        };
        guard_infallible("ChatProvider::thinking_profile", fallback, || {
            claude::thinking_profile(self.plugin.traits.of(model).claude)
        })
    }

    fn replay_policy(&self, model: &ModelDefinition) -> ROption<ReplayPolicy> {
        guard_infallible("ChatProvider::replay_policy", ROption::RNone, || {
            claude::replay_policy(self.plugin.traits.of(model).claude).into()
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
            let native = self.plugin.traits.of(&model).native_level_map;
            claude::normalize(model, native)
        })
    }
}

impl DiscoveryService for Discovery {
    fn list_models(&self, options: ListModelsOptions) -> PendingCatalogBox {
        let plugin = self.plugin.clone();
        let task = PendingTask::spawn_eager("DiscoveryService::list_models", async move {
            plugin.list_models(options).await
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
            self.plugin.status()
        })
    }
}
