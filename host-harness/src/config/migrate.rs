//! Legacy config locations (MIG-01..04): where an older host config kept a plugin's
//! settings, and how they are merged into the plugin's config without rewriting the user's
//! file. Kept apart from validation because a manifest can retire a migration on its own.

use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Map, Value};

use super::{EffectiveConfig, HostConfig, BEDROCK_PLUGIN_ID};

/// Deprecated location of the Bedrock plugin's `discovery` config (MIG-01).
pub const LEGACY_DISCOVERY_PATH: &str = "models.bedrockDiscovery";
/// Where [`LEGACY_DISCOVERY_PATH`] migrates to inside the plugin config.
pub const LEGACY_DISCOVERY_TARGET: &str = "discovery";
/// MIG-03 deprecation warning.
pub const LEGACY_DISCOVERY_WARNING: &str =
    "models.bedrockDiscovery is deprecated; move it to plugins.entries.amazon-bedrock.config.discovery";

/// The `tracing` target of the deprecation warning: the module it was first logged from,
/// so `RUST_LOG` filters written for it keep working.
const WARNING_TARGET: &str = "host_harness::config";

impl HostConfig {
    /// The legacy value that migrates into `plugin_id`'s config, if any (MIG-01).
    pub fn legacy_plugin_value(&self, plugin_id: &str) -> Option<&Value> {
        self.legacy_value(plugin_id, None)
    }

    /// The first legacy value present among the migrations that apply (see
    /// [`effective_plugin_config_with_paths`](Self::effective_plugin_config_with_paths)).
    pub(super) fn legacy_value(
        &self,
        plugin_id: &str,
        manifest_paths: Option<&[String]>,
    ) -> Option<&Value> {
        legacy_migrations(plugin_id, manifest_paths)
            .into_iter()
            .find_map(|(path, _)| self.get_path(path))
    }

    /// [`effective_plugin_config_with_paths`](Self::effective_plugin_config_with_paths)
    /// with the Bedrock plugin's built-in migration path.
    pub fn effective_plugin_config(&self, plugin_id: &str) -> EffectiveConfig {
        self.effective_plugin_config_with_paths(plugin_id, None)
    }

    /// The plugin config with legacy keys merged in per key, plugin keys winning (MIG-02).
    ///
    /// `manifest_paths` is the manifest's `configContracts.compatibilityMigrationPaths`;
    /// a known migration applies only when listed there, so a future manifest can retire
    /// it. `None` means "the manifest says nothing": the built-in migrations apply.
    /// The user's file is never rewritten (MIG-03).
    pub fn effective_plugin_config_with_paths(
        &self,
        plugin_id: &str,
        manifest_paths: Option<&[String]>,
    ) -> EffectiveConfig {
        let mut config = self.plugin_entry(plugin_id).config;
        let mut legacy_used = false;
        for (legacy_path, target) in legacy_migrations(plugin_id, manifest_paths) {
            let Some(legacy) = self.get_path(legacy_path) else {
                continue;
            };
            legacy_used = true;
            warn_legacy_once();
            let (Some(legacy), Some(config_obj)) = (legacy.as_object(), config.as_object_mut())
            else {
                continue;
            };
            let target_value = config_obj
                .entry(target.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Some(target_obj) = target_value.as_object_mut() {
                for (key, value) in legacy {
                    if !target_obj.contains_key(key) {
                        target_obj.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        EffectiveConfig {
            config,
            legacy_used,
        }
    }
}

/// The (legacy path, target key) pairs that apply to `plugin_id` under its manifest.
fn legacy_migrations(
    plugin_id: &str,
    manifest_paths: Option<&[String]>,
) -> Vec<(&'static str, &'static str)> {
    if plugin_id != BEDROCK_PLUGIN_ID {
        return Vec::new();
    }
    let listed =
        manifest_paths.is_none_or(|paths| paths.iter().any(|p| p == LEGACY_DISCOVERY_PATH));
    if listed {
        vec![(LEGACY_DISCOVERY_PATH, LEGACY_DISCOVERY_TARGET)]
    } else {
        Vec::new()
    }
}

static LEGACY_WARNED: AtomicBool = AtomicBool::new(false);

fn warn_legacy_once() {
    if !LEGACY_WARNED.swap(true, Ordering::Relaxed) {
        tracing::warn!(target: WARNING_TARGET, "{LEGACY_DISCOVERY_WARNING}");
    }
}
