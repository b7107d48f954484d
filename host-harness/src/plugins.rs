//! Finding plugin folders in a plugins directory and checking their manifests (MAN-01..05)
//! before any library is loaded, so a broken plugin never gets to run code in the host.
//! (Listing a plugin's models is the plugin's discovery service, not this.)

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::library_file::LibraryProblem;

pub const MANIFEST_FILE: &str = "manifest.json";

/// Top-level manifest keys (MAN-01), in table order.
pub const MANIFEST_KEYS: [&str; 13] = [
    "id",
    "name",
    "description",
    "version",
    "enabledByDefault",
    "providers",
    "api",
    "embeddingProviders",
    "envMarkers",
    "library",
    "configSchema",
    "configContracts",
    "uiHints",
];

/// Keys a manifest must have (MAN-02).
pub const REQUIRED_MANIFEST_KEYS: [&str; 7] = [
    "id",
    "name",
    "version",
    "providers",
    "api",
    "library",
    "configSchema",
];

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub version: String,
    #[serde(default)]
    pub enabled_by_default: Option<bool>,
    pub providers: Vec<String>,
    pub api: String,
    #[serde(default)]
    pub embedding_providers: Vec<String>,
    #[serde(default)]
    pub env_markers: Vec<Vec<String>>,
    pub library: LibraryPaths,
    pub config_schema: Value,
    #[serde(default)]
    pub config_contracts: Option<ConfigContracts>,
    #[serde(default)]
    pub ui_hints: BTreeMap<String, UiHint>,
}

impl Manifest {
    /// HCFG-01: an entry without `enabled` follows the manifest, and a manifest without
    /// `enabledByDefault` is enabled.
    pub fn enabled_by_default(&self) -> bool {
        self.enabled_by_default.unwrap_or(true)
    }

    /// `configContracts.compatibilityMigrationPaths`, if the manifest declares them.
    pub fn migration_paths(&self) -> Option<&[String]> {
        self.config_contracts
            .as_ref()
            .map(|c| c.compatibility_migration_paths.as_slice())
    }
}

/// Library file per OS, relative to the manifest's folder.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct LibraryPaths {
    #[serde(default)]
    pub linux: Option<String>,
    #[serde(default)]
    pub macos: Option<String>,
    #[serde(default)]
    pub windows: Option<String>,
}

impl LibraryPaths {
    pub fn library_for_current_os(&self) -> Option<&str> {
        for_current_os(&self.linux, &self.macos, &self.windows).as_deref()
    }
}

/// Manifest key of the current OS's library entry.
pub fn current_os_key() -> &'static str {
    for_current_os("linux", "macos", "windows")
}

/// The one place that maps the build's OS to a manifest `library` entry: `windows` and
/// `macos` by name, every other OS as `linux`.
pub fn for_current_os<T>(linux: T, macos: T, windows: T) -> T {
    if cfg!(target_os = "windows") {
        windows
    } else if cfg!(target_os = "macos") {
        macos
    } else {
        linux
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigContracts {
    #[serde(default)]
    pub compatibility_migration_paths: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct UiHint {
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub help: Option<String>,
    #[serde(default)]
    pub sensitive: bool,
}

/// What a loaded library says about itself (MAN-04).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LibraryFacts {
    pub id: String,
    pub version: String,
    pub providers: Vec<String>,
    pub api: String,
    pub embedding_providers: Vec<String>,
}

/// A plugin folder whose manifest passed the checks and whose library file exists; nothing
/// of it has been loaded yet.
#[derive(Debug, Clone)]
pub struct PluginFolder {
    pub folder: PathBuf,
    pub manifest: Manifest,
    /// Absolute or folder-relative path of the library for this OS; it exists.
    pub library_path: PathBuf,
}

/// Why a plugin folder (or the plugins directory) is not a usable plugin. Distinct from
/// `plugin_api::error::PluginError`, which is what a loaded plugin reports.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PluginFolderError {
    /// The plugins directory itself cannot be listed.
    #[error("cannot read plugins directory {}: {message}", path.display())]
    PluginsDir { path: PathBuf, message: String },
    /// `manifest.json` exists but cannot be read.
    #[error("cannot read manifest {}: {message}", path.display())]
    ManifestRead { path: PathBuf, message: String },
    /// `manifest.json` is not JSON.
    #[error("invalid manifest {}: {message}", path.display())]
    ManifestParse { path: PathBuf, message: String },
    /// MAN-01: a top-level key the manifest format does not define.
    #[error("invalid manifest for plugin {id}: unknown property \"{key}\"")]
    UnknownProperty { id: String, key: String },
    /// MAN-02: a required top-level key is absent.
    #[error("invalid manifest for plugin {id}: missing required property \"{key}\"")]
    MissingProperty { id: String, key: String },
    /// MAN-01: a key has the wrong type, or the manifest is not an object.
    #[error("invalid manifest for plugin {id}: {detail}")]
    InvalidManifest { id: String, detail: String },
    /// MAN-03: no library entry for this OS, or its file is missing.
    #[error("plugin {id}: library not found: {path}")]
    LibraryNotFound { id: String, path: String },
    /// MAN-05: the folder is not named after the manifest's id.
    #[error("plugin folder \"{folder}\" does not match manifest id \"{id}\"")]
    FolderMismatch { folder: String, id: String },
    /// The manifest's library path for this OS is absolute, has a `..` component, or
    /// resolves (through symlinks) outside the plugin folder.
    #[error("invalid manifest for plugin {id}: {field} \"{value}\" {reason}")]
    LibraryPathOutsideFolder {
        id: String,
        /// `library.<os>`.
        field: String,
        value: String,
        reason: String,
    },
    /// The library file is not a complete ELF shared object of this machine (checked
    /// before `dlopen`, so nothing of it has run).
    #[error("plugin {id}: library {} {problem}", path.display())]
    BadLibrary {
        id: String,
        path: PathBuf,
        problem: LibraryProblem,
    },
    /// The folder's install record exists but cannot be read or parsed.
    #[error("plugin {id}: install record {} {detail} (reinstall the plugin)", path.display())]
    BadInstallRecord {
        id: String,
        path: PathBuf,
        detail: String,
    },
    /// The install record names another plugin, version or library than the manifest.
    #[error("plugin {id}: install record {} does not match the manifest: it records {field} \"{recorded}\", the manifest has \"{manifest}\" (reinstall the plugin)", path.display())]
    InstallRecordMismatch {
        id: String,
        path: PathBuf,
        field: String,
        recorded: String,
        manifest: String,
    },
    /// The library's size or SHA-256 differs from the install record.
    #[error("plugin {id}: library {} changed since install: {detail} (reinstall the plugin)", path.display())]
    LibraryChanged {
        id: String,
        path: PathBuf,
        detail: String,
    },
    /// MAN-04: the loaded library describes itself differently from its manifest.
    #[error("plugin {id}: manifest/library mismatch on {field}: manifest \"{manifest}\", library \"{library}\"")]
    LibraryMismatch {
        id: String,
        field: String,
        manifest: String,
        library: String,
    },
}

/// Every sub-folder of `plugins_dir` that holds a `manifest.json`, sorted by folder name
/// so load order (and error order) is reproducible. Folders without a manifest are not
/// plugins and are skipped; one bad plugin does not hide the others.
pub fn find_plugins(plugins_dir: &Path) -> Vec<Result<PluginFolder, PluginFolderError>> {
    let entries = match std::fs::read_dir(plugins_dir) {
        Ok(entries) => entries,
        Err(err) => {
            return vec![Err(PluginFolderError::PluginsDir {
                path: plugins_dir.to_path_buf(),
                message: err.to_string(),
            })]
        }
    };
    let mut folders: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir() && p.join(MANIFEST_FILE).exists())
        .collect();
    folders.sort();
    folders.iter().map(|f| read_plugin(f)).collect()
}

/// Reads and checks one plugin folder: manifest shape (MAN-01/02), folder name (MAN-05)
/// and library presence (MAN-03).
pub fn read_plugin(folder: &Path) -> Result<PluginFolder, PluginFolderError> {
    let manifest_path = folder.join(MANIFEST_FILE);
    let text =
        std::fs::read_to_string(&manifest_path).map_err(|err| PluginFolderError::ManifestRead {
            path: manifest_path.clone(),
            message: err.to_string(),
        })?;
    let folder_name = folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| folder.display().to_string());
    let manifest = parse_manifest(&text, &manifest_path, &folder_name)?;

    if manifest.id != folder_name {
        return Err(PluginFolderError::FolderMismatch {
            folder: folder_name,
            id: manifest.id,
        });
    }

    // Confinement first, from the manifest text alone: nothing outside the folder is read.
    let relative = library_relative_path(&manifest)?;
    let library_path = folder.join(&relative);
    if !library_path.is_file() {
        return Err(PluginFolderError::LibraryNotFound {
            id: manifest.id,
            path: library_path.display().to_string(),
        });
    }
    // Symlinks inside the folder may not lead out of it.
    let resolve = |path: &Path| {
        path.canonicalize()
            .map_err(|err| outside_folder(&manifest, format!("cannot be resolved: {err}")))
    };
    let real_folder = resolve(folder)?;
    let real_library = resolve(&library_path)?;
    if !real_library.starts_with(&real_folder) {
        return Err(outside_folder(
            &manifest,
            format!(
                "resolves to {}, outside the plugin folder {}",
                real_library.display(),
                real_folder.display()
            ),
        ));
    }
    Ok(PluginFolder {
        folder: folder.to_path_buf(),
        manifest,
        library_path,
    })
}

/// A [`PluginFolderError::LibraryPathOutsideFolder`] about this OS's library entry.
fn outside_folder(manifest: &Manifest, reason: String) -> PluginFolderError {
    PluginFolderError::LibraryPathOutsideFolder {
        id: manifest.id.clone(),
        field: format!("library.{}", current_os_key()),
        value: manifest
            .library
            .library_for_current_os()
            .unwrap_or_default()
            .to_string(),
        reason,
    }
}

/// This OS's library entry as a path relative to the plugin folder (MAN-03), checked from
/// the text alone: not empty, not absolute (no root, no drive prefix), no `..` component.
pub fn library_relative_path(manifest: &Manifest) -> Result<PathBuf, PluginFolderError> {
    let Some(value) = manifest.library.library_for_current_os() else {
        return Err(PluginFolderError::LibraryNotFound {
            id: manifest.id.clone(),
            path: format!("no \"{}\" entry in manifest library", current_os_key()),
        });
    };
    const INSIDE: &str = "the library must be a relative path inside the plugin folder";
    let path = Path::new(value);
    let mut names = 0;
    for component in path.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => {
                return Err(outside_folder(
                    manifest,
                    format!("is an absolute path; {INSIDE}"),
                ))
            }
            Component::ParentDir => {
                return Err(outside_folder(
                    manifest,
                    format!("has a \"..\" component; {INSIDE}"),
                ))
            }
            Component::CurDir => {}
            Component::Normal(_) => names += 1,
        }
    }
    if names == 0 {
        return Err(outside_folder(
            manifest,
            format!("does not name a file; {INSIDE}"),
        ));
    }
    Ok(path.to_path_buf())
}

/// Parses manifest text; `fallback_id` names the plugin in errors when the manifest has
/// no usable `id`.
pub fn parse_manifest(
    text: &str,
    manifest_path: &Path,
    fallback_id: &str,
) -> Result<Manifest, PluginFolderError> {
    let value: Value =
        serde_json::from_str(text).map_err(|err| PluginFolderError::ManifestParse {
            path: manifest_path.to_path_buf(),
            message: err.to_string(),
        })?;
    let id = value
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or(fallback_id)
        .to_string();
    let Some(obj) = value.as_object() else {
        return Err(PluginFolderError::InvalidManifest {
            id,
            detail: "expected a JSON object".to_string(),
        });
    };
    if let Some(key) = obj.keys().find(|k| !MANIFEST_KEYS.contains(&k.as_str())) {
        return Err(PluginFolderError::UnknownProperty {
            id,
            key: key.clone(),
        });
    }
    if let Some(key) = REQUIRED_MANIFEST_KEYS
        .iter()
        .find(|k| !obj.contains_key(**k))
    {
        return Err(PluginFolderError::MissingProperty {
            id,
            key: (*key).to_string(),
        });
    }
    let manifest: Manifest =
        serde_json::from_value(value).map_err(|err| PluginFolderError::InvalidManifest {
            id: id.clone(),
            detail: err.to_string(),
        })?;
    if !manifest.config_schema.is_object() {
        return Err(PluginFolderError::InvalidManifest {
            id,
            detail: "configSchema must be an object".to_string(),
        });
    }
    Ok(manifest)
}

/// MAN-04: the loaded library must describe itself exactly as its manifest does.
pub fn check_library_facts(
    manifest: &Manifest,
    facts: &LibraryFacts,
) -> Result<(), PluginFolderError> {
    let checks: [(&str, String, String); 5] = [
        ("id", manifest.id.clone(), facts.id.clone()),
        ("version", manifest.version.clone(), facts.version.clone()),
        (
            "providers",
            manifest.providers.join(","),
            facts.providers.join(","),
        ),
        ("api", manifest.api.clone(), facts.api.clone()),
        (
            "embeddingProviders",
            manifest.embedding_providers.join(","),
            facts.embedding_providers.join(","),
        ),
    ];
    for (field, in_manifest, in_library) in checks {
        if in_manifest != in_library {
            return Err(PluginFolderError::LibraryMismatch {
                id: manifest.id.clone(),
                field: field.to_string(),
                manifest: in_manifest,
                library: in_library,
            });
        }
    }
    Ok(())
}
