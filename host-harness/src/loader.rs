//! Loading a plugin library through abi_stable, with the MAN-04 compatibility checks.

use abi_stable::library::{lib_header_from_path, LibraryError};
use plugin_api::PluginModuleRef;

use crate::plugins::{check_library_facts, LibraryFacts, PluginFolder, PluginFolderError};

/// Why a library could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// MAN-04: the layout or version check failed; the host keeps running without it.
    #[error("plugin {id}: incompatible plugin API: {detail}")]
    Incompatible { id: String, detail: String },
    #[error("plugin {id}: cannot load library {path}: {detail}")]
    Library {
        id: String,
        path: String,
        detail: String,
    },
    #[error(transparent)]
    Manifest(#[from] PluginFolderError),
}

/// The library's own facts, as `check_library_facts` expects them.
pub fn library_facts(module: PluginModuleRef) -> LibraryFacts {
    let info = (module.plugin_info())();
    LibraryFacts {
        id: info.id.into(),
        version: info.version.into(),
        providers: info.providers.into_iter().map(Into::into).collect(),
        api: info.api.into(),
        embedding_providers: info
            .embedding_providers
            .into_iter()
            .map(Into::into)
            .collect(),
    }
}

/// Loads the plugin's library and checks it against its manifest.
///
/// Uses `lib_header_from_path` + `init_root_module` rather than `load_from_file`, which caches
/// one module per interface type per process and would return the first plugin for every
/// later path (see the notes on abi_stable).
pub fn load(plugin: &PluginFolder) -> Result<PluginModuleRef, LoadError> {
    let id = plugin.manifest.id.clone();
    let path = plugin.library_path.display().to_string();
    let classify = |err: LibraryError| match err {
        LibraryError::AbiInstability(_)
        | LibraryError::IncompatibleVersionNumber { .. }
        | LibraryError::InvalidAbiHeader(_)
        | LibraryError::InvalidCAbi { .. } => LoadError::Incompatible {
            id: id.clone(),
            detail: err.to_string(),
        },
        other => LoadError::Library {
            id: id.clone(),
            path: path.clone(),
            detail: other.to_string(),
        },
    };
    let header = lib_header_from_path(&plugin.library_path).map_err(classify)?;
    let module = header
        .init_root_module::<PluginModuleRef>()
        .map_err(classify)?;
    check_library_facts(&plugin.manifest, &library_facts(module))?;
    Ok(module)
}
