//! The provider's catalog: explicit models from the host config, and (when enabled) models
//! discovered from the Bedrock control plane.

pub mod explicit;

use std::sync::Arc;

use abi_stable::std_types::{ROption, RString, RVec};
use plugin_api::error::PluginError;
use plugin_api::model::ProviderCatalog;
use plugin_api::status::PluginStatus;
use plugin_api::traits::ListModelsOptions;

use crate::aws::auth;
use crate::aws::endpoint;
use crate::aws::region;
use crate::aws::shared_config::ProfileSettings;
use crate::instance::Plugin;

/// Discovery cache and last-error state of one plugin instance.
#[derive(Default)]
pub struct DiscoveryState {}

/// The catalog for a `list_models` call.
pub async fn list_models(
    plugin: &Arc<Plugin>,
    _options: ListModelsOptions,
) -> Result<ProviderCatalog, PluginError> {
    let settings = plugin.settings.current();
    Ok(explicit::catalog(&settings))
}

/// Status from cached state and the env, without network calls.
pub fn status(plugin: &Arc<Plugin>) -> PluginStatus {
    let settings = plugin.settings.current();
    let env = plugin.env();
    let config = &settings.config;
    let mode = auth::effective_mode(config, &env);
    let marker = auth::auth_marker(config, &env);
    let (enabled, reason) = match config.discovery_enabled() {
        Some(false) => (false, "discovery.enabled is false".to_owned()),
        Some(true) => (true, "discovery.enabled is true".to_owned()),
        None => match &marker {
            Some(marker) => (true, format!("auth marker {marker}")),
            None => (
                false,
                "no auth marker (set discovery.enabled: true to discover anyway)".to_owned(),
            ),
        },
    };
    let credential_source = match auth::resolve(config, &env, auth::RequestAuth::default()) {
        Ok(resolution) => resolution.source,
        Err(error) => format!("unresolved: {error}"),
    };
    let profile = ProfileSettings::default();
    let control_region = region::control_plane_region(
        config.discovery_region(),
        config.aws_region.as_deref(),
        None,
        &env,
    );
    let runtime_region = region::runtime_region(
        &region::RuntimeRegionInputs {
            provider_base_urls: settings.host.provider_base_urls(),
            aws_region: config.aws_region.as_deref(),
            discovery_region: config.discovery_region(),
            ..Default::default()
        },
        &env,
    );
    let runtime_endpoint = endpoint::runtime_endpoint(
        &endpoint::RuntimeEndpointInputs {
            provider_base_urls: settings.host.provider_base_urls(),
            aws_bedrock_endpoint: config.aws_bedrock_endpoint.as_deref(),
            ..Default::default()
        },
        &runtime_region.region,
        &env,
        &profile,
    );
    let control_endpoint = endpoint::control_plane_endpoint(&control_region.region, &env, &profile);
    let explicit = settings.host.explicit_models().len();
    PluginStatus {
        discovery_enabled: enabled,
        discovery_reason: reason.into(),
        auth_mode: mode.as_str().into(),
        credential_source: credential_source.into(),
        region: runtime_region.region.into(),
        region_source: runtime_region.source.into(),
        runtime_endpoint: runtime_endpoint.url.into(),
        control_plane_endpoint: control_endpoint.url.into(),
        catalog_age_ms: ROption::RNone,
        model_count: ROption::RSome(u32::try_from(explicit).unwrap_or(u32::MAX)),
        last_error: ROption::RNone,
        details: RVec::from(vec![plugin_api::status::StatusLine {
            key: RString::from("control-plane region"),
            value: RString::from(format!(
                "{} ({})",
                control_region.region, control_region.source
            )),
        }]),
    }
}
