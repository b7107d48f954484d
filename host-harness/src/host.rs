//! The host library's front door: find, validate, load and use a plugin.

use std::path::Path;

use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{RArc, ROption, RResult, RStr, RString};
use plugin_api::chat::{ChatRequest, TokenCount};
use plugin_api::error::PluginError;
use plugin_api::hooks::{PayloadHook, PayloadHookBox, PayloadHook_TO, PayloadView};
use plugin_api::host::{ConfigUpdate, HostContext};
use plugin_api::model::ProviderCatalog;
use plugin_api::status::{DoctorReport, PluginStatus};
use plugin_api::traits::{
    ChatProviderBox, DiscoveryServiceBox, ListModelsOptions, PluginInstanceBox,
};
use plugin_api::PluginModuleRef;

use crate::config::{ConfigValidationErrors, HostConfig};
use crate::library_file::Verification;
use crate::loader::{self, LoadError};
use crate::log_sink;
use crate::plugins::{self, PluginFolder};
use crate::stream::ChatEventStream;
use crate::waker::PendingFuture;

/// The name and version this host reports to plugins.
pub const HOST_NAME: &str = "host-harness";

/// Why a plugin is not available.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    #[error(transparent)]
    Folder(#[from] plugins::PluginFolderError),
    #[error("{0}")]
    Config(ConfigValidationErrors),
    #[error("plugin {0} is disabled (plugins.entries.{0}.enabled is false)")]
    Disabled(String),
    #[error("plugin {id} not found in the plugins directory {dir}")]
    NotFound { id: String, dir: String },
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("plugin {id}: {error}")]
    Instance { id: String, error: Box<PluginError> },
}

impl HostError {
    /// CFG-11: config validation failures exit with status 2, other failures with 1.
    pub fn exit_code(&self) -> i32 {
        match self {
            HostError::Config(_) => 2,
            _ => 1,
        }
    }
}

/// A loaded, configured plugin instance.
pub struct LoadedPlugin {
    pub plugin: PluginFolder,
    pub module: PluginModuleRef,
    /// How the library file was verified before it was loaded (install record or not).
    pub verification: Verification,
    instance: PluginInstanceBox,
    provider: ChatProviderBox,
    discovery: DiscoveryServiceBox,
}

/// Validates the plugin's config (before touching its library), checks the library file
/// (format, install record, digest), then loads it and creates an instance (HCFG-01/02,
/// MAN-04).
pub fn load_plugin(plugin: PluginFolder, config: &HostConfig) -> Result<LoadedPlugin, HostError> {
    let id = plugin.manifest.id.clone();
    let entry = config.plugin_entry(&id);
    if !entry
        .enabled
        .unwrap_or(plugin.manifest.enabled_by_default())
    {
        return Err(HostError::Disabled(id));
    }
    let effective = config
        .checked_plugin_config(
            &id,
            &plugin.manifest.config_schema,
            plugin.manifest.migration_paths(),
        )
        .map_err(HostError::Config)?;
    let (module, verification) = loader::load_verified(&plugin)?;
    let context = HostContext {
        host_name: HOST_NAME.into(),
        host_version: env!("CARGO_PKG_VERSION").into(),
        logger: log_sink::host_logger(),
        host_config_json: RString::from(config.raw().to_string()),
    };
    let config_json = effective.config.to_string();
    let instance = (module.new_instance())(context, RStr::from(config_json.as_str()))
        .into_result()
        .map_err(|error| HostError::Instance {
            id: id.clone(),
            error: Box::new(error),
        })?;
    let provider = instance.chat_provider();
    let discovery = instance.discovery();
    Ok(LoadedPlugin {
        plugin,
        module,
        verification,
        instance,
        provider,
        discovery,
    })
}

/// Finds plugin `id` in `plugins_dir` (its folder is `<plugins_dir>/<id>`, MAN-05) and loads it.
pub fn open(plugins_dir: &Path, id: &str, config: &HostConfig) -> Result<LoadedPlugin, HostError> {
    let folder = plugins_dir.join(id);
    if !folder.join(plugins::MANIFEST_FILE).exists() {
        return Err(HostError::NotFound {
            id: id.to_owned(),
            dir: plugins_dir.display().to_string(),
        });
    }
    load_plugin(plugins::read_plugin(&folder)?, config)
}

impl LoadedPlugin {
    pub fn id(&self) -> &str {
        &self.plugin.manifest.id
    }

    pub fn provider(&self) -> &ChatProviderBox {
        &self.provider
    }

    /// The catalog (strict by default: errors propagate, DISC-03).
    pub async fn list_models(
        &self,
        options: ListModelsOptions,
    ) -> Result<ProviderCatalog, PluginError> {
        PendingFuture::new(self.discovery.list_models(options)).await
    }

    /// Starts a streamed chat.
    pub fn stream_chat(&self, request: ChatRequest) -> Result<ChatEventStream, PluginError> {
        self.provider
            .stream_chat(request)
            .into_result()
            .map(ChatEventStream::new)
    }

    /// Starts a streamed chat whose sends pass through `hook` first (REQ-03): it gets each
    /// send's final payload (after all of the plugin's patches) and answers `Ok(None)` to send
    /// it as it is, `Ok(Some(json))` to send `json` instead, or `Err(message)` to fail the
    /// request with `message`. It runs on one of the plugin's threads, once per send.
    pub fn stream_chat_with_payload_hook(
        &self,
        request: ChatRequest,
        hook: impl Fn(&PayloadView) -> Result<Option<String>, String> + Send + Sync + 'static,
    ) -> Result<ChatEventStream, PluginError> {
        self.provider
            .stream_chat_with_payload_hook(request, payload_hook(hook))
            .into_result()
            .map(ChatEventStream::new)
    }

    pub async fn count_tokens(&self, request: ChatRequest) -> Result<TokenCount, PluginError> {
        PendingFuture::new(self.provider.count_tokens(request)).await
    }

    pub fn status(&self) -> PluginStatus {
        self.discovery.status()
    }

    pub async fn doctor(&self) -> Result<DoctorReport, PluginError> {
        PendingFuture::new(self.instance.doctor()).await
    }

    /// Validates and applies a new host config live (LIVE-03: a bad one changes nothing).
    pub fn update_config(&self, config: &HostConfig) -> Result<(), HostError> {
        let id = self.id().to_owned();
        let manifest = &self.plugin.manifest;
        let effective = config
            .checked_plugin_config(&id, &manifest.config_schema, manifest.migration_paths())
            .map_err(HostError::Config)?;
        self.instance
            .update_config(ConfigUpdate {
                plugin_config_json: RString::from(effective.config.to_string()),
                host_config_json: RString::from(config.raw().to_string()),
            })
            .into_result()
            .map_err(|error| HostError::Instance {
                id,
                error: Box::new(error),
            })
    }

    /// The embedding provider for a request, when the plugin offers one.
    pub fn embedding_provider(
        &self,
        request: plugin_api::embedding::EmbeddingProviderRequest,
    ) -> Result<Option<plugin_api::traits::EmbeddingProviderBox>, PluginError> {
        self.instance
            .embedding_provider(request)
            .into_result()
            .map(|provider| provider.into_option())
    }
}

/// A closure as the ABI's [`PayloadHook`] object.
struct FnPayloadHook<F>(F);

impl<F> PayloadHook for FnPayloadHook<F>
where
    F: Fn(&PayloadView) -> Result<Option<String>, String> + Send + Sync,
{
    fn on_payload(&self, payload: &PayloadView) -> RResult<ROption<RString>, RString> {
        match (self.0)(payload) {
            Ok(replacement) => RResult::ROk(replacement.map(RString::from).into()),
            Err(message) => RResult::RErr(message.into()),
        }
    }
}

/// Wraps `hook` for [`ChatProvider::stream_chat_with_payload_hook`](plugin_api::traits::ChatProvider::stream_chat_with_payload_hook).
pub fn payload_hook(
    hook: impl Fn(&PayloadView) -> Result<Option<String>, String> + Send + Sync + 'static,
) -> PayloadHookBox {
    PayloadHook_TO::from_ptr(RArc::new(FnPayloadHook(hook)), TD_Opaque)
}
