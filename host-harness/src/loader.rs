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
/// Lines of abi_stable's layout report kept when it has no recognisable path and error.
const LAYOUT_REPORT_LINES: usize = 4;

/// abi_stable's layout report (often thousands of lines, every type on the way dumped in
/// full) cut to what a user needs: the path of fields from the root module to the type that
/// differs, and what was expected and found. The whole report goes to the debug log.
fn layout_summary(report: &str) -> String {
    tracing::debug!(target: "host_harness::loader", report, "full ABI layout report");
    let total = report.lines().count();
    // The path is the run of top-level (four-space) `field_name:`/`type:` pairs just before
    // the expected type's layout; deeper indentation belongs to the dumps.
    let trail = report
        .rfind("Layout of expected type:")
        .map_or("", |at| &report[..at]);
    let mut path = Vec::new();
    let mut lines = trail.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(field) = line.strip_prefix("    field_name:") {
            let kind = lines
                .peek()
                .and_then(|next| next.strip_prefix("    type:"))
                .unwrap_or("?");
            path.push(format!("field_name:{} type:{}", field.trim(), kind.trim()));
        }
    }
    let found = report.rfind("Error:").map(|at| {
        report[at..]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    });
    let summary = match (path.is_empty(), found) {
        (false, Some(found)) => format!("layout mismatch at {}\n{found}", path.join(" → ")),
        _ => report
            .lines()
            .filter(|line| !line.trim().is_empty())
            .take(LAYOUT_REPORT_LINES)
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n"),
    };
    format!(
        "{summary}\n(the full {total}-line layout report is logged with RUST_LOG=host_harness::loader=debug)"
    )
}

/// What the user can do about an incompatible library, after what abi_stable found.
fn with_advice(found: String) -> String {
    format!(
        "{found}\nthe library was built from a plugin-api whose types differ from this host's (plugin-api {}); rebuild the plugin against a compatible plugin-api",
        plugin_api::PLUGIN_API_VERSION
    )
}

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
            LibraryError::AbiInstability(_) => LoadError::Incompatible {
                id: id.clone(),
                detail: with_advice(layout_summary(&detail)),
            },
            LibraryError::IncompatibleVersionNumber { .. }
            | LibraryError::InvalidAbiHeader(_)
            | LibraryError::InvalidCAbi { .. } => LoadError::Incompatible {
                id: id.clone(),
                detail: with_advice(detail.trim().to_owned()),
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
