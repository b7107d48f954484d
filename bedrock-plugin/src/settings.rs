//! The instance's current config, replaced whole on live updates (LIVE-01..05).
//!
//! Every operation takes one `Arc<Settings>` when it starts and keeps it to the end, so a
//! stream in flight keeps its config (LIVE-05) while the next request sees the update, and a
//! removed key is simply absent from the new snapshot (LIVE-02).

use std::sync::{Arc, RwLock};

use plugin_api::error::{ErrorKind, PluginError};

use crate::config::PluginConfig;
use crate::host_config::HostView;

/// The plugin config and the host-config view it was paired with.
#[derive(Debug, Default)]
pub struct Settings {
    pub config: PluginConfig,
    pub host: HostView,
}

impl Settings {
    /// Parses both JSON documents; a bad one is rejected whole (LIVE-03).
    pub fn parse(
        plugin_config_json: &str,
        host_config_json: &str,
    ) -> Result<Settings, PluginError> {
        let value: serde_json::Value = if plugin_config_json.trim().is_empty() {
            serde_json::Value::Object(Default::default())
        } else {
            serde_json::from_str(plugin_config_json).map_err(|err| {
                PluginError::new(
                    ErrorKind::InvalidConfig,
                    format!("plugin config is not valid JSON: {err}"),
                )
            })?
        };
        // `ConfigError`'s Display is the CFG-10 sentence with the full host-config path.
        let config = PluginConfig::from_json(&value)
            .map_err(|err| PluginError::new(ErrorKind::InvalidConfig, err.to_string()))?;
        let host = HostView::parse(host_config_json)
            .map_err(|err| PluginError::new(ErrorKind::InvalidConfig, err.to_string()))?;
        Ok(Settings { config, host })
    }
}

/// CFG-12: config that passes the schema but cannot work as written; logged as warnings.
/// The rules live with the config types ([`PluginConfig::semantic_warnings`]).
pub fn semantic_warnings(config: &PluginConfig) -> Vec<String> {
    config.semantic_warnings()
}

/// The swappable current settings.
pub struct LiveSettings {
    current: RwLock<Arc<Settings>>,
}

impl LiveSettings {
    pub fn new(settings: Settings) -> Self {
        Self {
            current: RwLock::new(Arc::new(settings)),
        }
    }

    pub fn current(&self) -> Arc<Settings> {
        self.current
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    pub fn replace(&self, settings: Settings) {
        *self
            .current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(settings);
    }
}
