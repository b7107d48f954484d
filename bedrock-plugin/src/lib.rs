//! Amazon Bedrock provider plugin: Converse streaming, model discovery and embeddings.
//!
//! Built as a `cdylib` that exports the `plugin-api` root module; the host loads it with
//! abi_stable, checks its facts against `manifest.json`, and talks to it only through the
//! trait objects of `plugin-api`. Every entry point is panic-guarded (`guard`).
// `PluginError` is the fixed-layout error that crosses the ABI by value; it is returned on
// cold paths only, so boxing it would buy nothing but an allocation.
#![allow(clippy::result_large_err)]

pub mod app_profiles;
pub mod aws;
pub mod backoff;
pub mod bounded;
pub mod config;
pub mod converse;
pub mod discovery;
pub mod doctor;
pub mod embeddings;
pub mod env;
pub mod error;
pub mod guard;
pub mod host_config;
pub mod instance;
pub mod log_bridge;
pub mod manifest;
pub mod models;
pub mod pending;
pub mod plugin;
pub mod runtime;
pub mod settings;
pub mod single_flight;

use abi_stable::export_root_module;
use abi_stable::prefix_type::PrefixTypeTrait;
use abi_stable::sabi_extern_fn;
use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{RResult, RStr, RString, RVec};
use plugin_api::error::PluginError;
use plugin_api::host::HostContext;
use plugin_api::traits::{PluginInstanceBox, PluginInstance_TO};
use plugin_api::{PluginInfo, PluginModule, PluginModuleRef};

/// The library's facts for the MAN-04 check.
pub fn plugin_info() -> PluginInfo {
    PluginInfo {
        id: manifest::PLUGIN_ID.into(),
        version: manifest::PLUGIN_VERSION.into(),
        providers: RVec::from(vec![RString::from(manifest::PROVIDER_ID)]),
        api: manifest::API.into(),
        embedding_providers: RVec::from(vec![RString::from(manifest::EMBEDDING_PROVIDER_ID)]),
    }
}

/// Creates an instance from a host context and config JSON (shared by the FFI entry point
/// and in-process tests).
pub fn new_instance(
    host: HostContext,
    config_json: &str,
) -> Result<PluginInstanceBox, PluginError> {
    new_instance_with_env(host, config_json, plugin::EnvSource::Process)
}

/// [`new_instance`] with an explicit env source (in-process tests pin the environment).
pub fn new_instance_with_env(
    host: HostContext,
    config_json: &str,
    env_source: plugin::EnvSource,
) -> Result<PluginInstanceBox, PluginError> {
    guard::guard("new_instance", || {
        log_bridge::install(host.logger.clone());
        let settings = settings::Settings::parse(config_json, host.host_config_json.as_str())?;
        for warning in settings::semantic_warnings(&settings.config) {
            tracing::warn!("{warning}");
        }
        let plugin = plugin::PluginState::with_env(settings, env_source);
        tracing::debug!(host = %host.host_name, version = manifest::PLUGIN_VERSION, "amazon-bedrock plugin instance created");
        Ok(PluginInstance_TO::from_value(
            instance::Instance::new(plugin),
            TD_Opaque,
        ))
    })
}

#[sabi_extern_fn]
fn ffi_plugin_info() -> PluginInfo {
    guard::guard("plugin_info", || Ok(plugin_info())).unwrap_or_else(|_| PluginInfo {
        id: RString::new(),
        version: RString::new(),
        providers: RVec::new(),
        api: RString::new(),
        embedding_providers: RVec::new(),
    })
}

#[sabi_extern_fn]
fn ffi_new_instance(
    host: HostContext,
    config_json: RStr<'_>,
) -> RResult<PluginInstanceBox, PluginError> {
    new_instance(host, config_json.as_str()).into()
}

#[sabi_extern_fn]
fn ffi_shutdown() {
    let _ = guard::guard("shutdown", || {
        runtime::shutdown();
        Ok(())
    });
}

/// The exported root module.
#[export_root_module]
pub fn get_root_module() -> PluginModuleRef {
    PluginModule {
        plugin_info: ffi_plugin_info,
        new_instance: ffi_new_instance,
        shutdown: ffi_shutdown,
    }
    .leak_into_prefix()
}
