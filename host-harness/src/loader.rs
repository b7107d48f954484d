//! Loading a plugin library through abi_stable: the pre-load checks of
//! [`crate::library_file::check_before_load`] (complete ELF shared object of this machine,
//! install record and SHA-256), then `dlopen` of the checked file, then the MAN-04
//! compatibility checks.

use abi_stable::library::{lib_header_from_path, LibraryError};
use plugin_api::PluginModuleRef;

use crate::library_file::{self, Verification};
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
pub fn load(plugin: &PluginFolder) -> Result<PluginModuleRef, LoadError> {
    load_verified(plugin).map(|(module, _)| module)
}

/// [`load`], also saying how the library's identity was verified before it was loaded.
///
/// Nothing of the library runs before [`library_file::check_before_load`] passed, and the
/// file `dlopen` maps is the one that was checked (opened through its handle), even when an
/// install replaces the path meanwhile.
///
/// Uses `lib_header_from_path` + `init_root_module` rather than `load_from_file`, which caches
/// one module per interface type per process and would return the first plugin for every
/// later path (see the notes on abi_stable).
pub fn load_verified(plugin: &PluginFolder) -> Result<(PluginModuleRef, Verification), LoadError> {
    let id = plugin.manifest.id.clone();
    let path = plugin.library_path.display().to_string();
    let loadable = library_file::check_before_load(plugin)?;
    let open_path = loadable.dlopen_path(&plugin.library_path);
    let open_name = open_path.display().to_string();
    // Errors name the library's real path, not the handle it was opened through.
    let classify = |err: LibraryError| {
        let detail = err.to_string().replace(&open_name, &path);
        match err {
            LibraryError::AbiInstability(_)
            | LibraryError::IncompatibleVersionNumber { .. }
            | LibraryError::InvalidAbiHeader(_)
            | LibraryError::InvalidCAbi { .. } => LoadError::Incompatible {
                id: id.clone(),
                detail,
            },
            _ => LoadError::Library {
                id: id.clone(),
                path: path.clone(),
                detail,
            },
        }
    };
    let header = lib_header_from_path(&open_path).map_err(classify)?;
    // The library is mapped now and never unloaded; its handle stays open for the life of
    // the process so its name (`/proc/self/fd/<n>`) keeps resolving for backtraces.
    std::mem::forget(loadable.checked.file);
    let module = header
        .init_root_module::<PluginModuleRef>()
        .map_err(classify)?;
    check_library_facts(&plugin.manifest, &library_facts(module))?;
    Ok((module, loadable.verification))
}
