//! The stable-ABI contract between an AI-assistant host and its model-provider plugins.
//!
//! Everything that crosses the dynamic-library boundary is defined here and only here:
//! the versioned root module a plugin exports ([`PluginModule`]), the trait objects it
//! hands out (provider, discovery, embeddings, streams), the data those carry, and the
//! callbacks the host offers (logging, waking).
//!
//! Growth rules, so later plugins and hosts keep loading each other:
//! - the root module is a prefix type: fields after `#[sabi(last_prefix_field)]` are optional
//!   and new ones are only ever appended;
//! - every `#[sabi_trait]` marks its last initial method with `#[sabi(last_prefix_field)]`, so
//!   methods can be appended;
//! - enums that may gain variants are `NonExhaustive` (`*_NE` aliases); match them through
//!   [`NonExhaustive::as_enum`](abi_stable::nonexhaustive_enum::NonExhaustive::as_enum) and treat
//!   an unknown variant as "newer than me";
//! - structs that cross by value and are expected to grow end with an [`ext::Extensions`] field:
//!   new facts are new keys there, never new fields;
//! - anything else that changes a layout bumps the crate's minor version (the interface version
//!   abi_stable checks at load: `0.x` minors are incompatible with each other), is listed in
//!   `CHANGELOG.md`, and is caught by the `abi_fingerprint` test when forgotten.
#![warn(missing_docs)]
#![allow(non_local_definitions)] // one per #[sabi_trait], from abi_stable_derive 0.11.3

pub mod chat;
#[cfg(feature = "json")]
pub mod config_rules;
pub mod embedding;
pub mod error;
pub mod event;
pub mod ext;
pub mod host;
pub mod model;
pub mod poll;
pub mod secret;
pub mod status;
pub mod traits;

use abi_stable::{
    declare_root_module_statics,
    library::RootModule,
    package_version_strings,
    sabi_types::VersionStrings,
    std_types::{RResult, RStr, RString, RVec},
    StableAbi,
};

pub use abi_stable;

use crate::error::PluginError;
use crate::host::HostContext;
use crate::traits::PluginInstanceBox;

/// Facts a library reports about itself, so the host can compare them with the manifest it
/// read before loading (MAN-04).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct PluginInfo {
    pub id: RString,
    pub version: RString,
    pub providers: RVec<RString>,
    pub api: RString,
    pub embedding_providers: RVec<RString>,
}

/// The root module every plugin library exports.
///
/// A host built against another compatible version of this crate still loads the plugin:
/// abi_stable compares the prefix layouts and the semver of `plugin-api` at load time and
/// refuses incompatible ones with `LibraryError` before any function is called.
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = PluginModuleRef)))]
// Fields appended after `last_prefix_field` read as `None` from an older library, so a newer
// host can still load it and fall back.
#[sabi(missing_field(option))]
pub struct PluginModule {
    /// The library's own identity (MAN-04).
    pub plugin_info: extern "C" fn() -> PluginInfo,

    /// Creates an instance from the host context and the plugin's validated config
    /// (`plugins.entries.<id>.config` as JSON text).
    pub new_instance: extern "C" fn(
        host: HostContext,
        config_json: RStr<'_>,
    ) -> RResult<PluginInstanceBox, PluginError>,

    /// Flushes and stops the plugin's background work. Libraries are never unloaded, so this
    /// is the only way a host can ask for an orderly stop before exiting.
    #[sabi(last_prefix_field)]
    pub shutdown: extern "C" fn(),
}

impl RootModule for PluginModuleRef {
    declare_root_module_statics! {PluginModuleRef}
    const BASE_NAME: &'static str = "plugin";
    const NAME: &'static str = "model-provider plugin";
    const VERSION_STRINGS: VersionStrings = package_version_strings!();
}

/// The version of this interface crate, as the host reports it in incompatibility errors.
pub const PLUGIN_API_VERSION: &str = env!("CARGO_PKG_VERSION");
