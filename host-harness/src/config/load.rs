//! Finding and parsing the host config file, apart from what the host later reads out of it,
//! so the CLI and the library agree on where the file lives and how a bad one is reported.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::HostConfig;

/// Where the host config lives, relative to the home directory, when neither `--config`
/// nor `$HOST_HARNESS_CONFIG` names a file.
pub const DEFAULT_CONFIG_PATH: &str = ".config/host-harness/config.json5";

/// Why the host config could not be read.
#[derive(Debug, thiserror::Error)]
pub enum HostConfigError {
    #[error("host config not found: {}", path.display())]
    NotFound { path: PathBuf },
    #[error("cannot read host config {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid host config{}: {message}", path.as_ref().map(|p| format!(" {}", p.display())).unwrap_or_default())]
    Parse {
        path: Option<PathBuf>,
        message: String,
    },
    #[error("invalid host config{}: the top level must be an object", path.as_ref().map(|p| format!(" {}", p.display())).unwrap_or_default())]
    NotAnObject { path: Option<PathBuf> },
}

impl HostConfig {
    /// The config a host runs with: an `explicit` path (from `--config` or
    /// `$HOST_HARNESS_CONFIG`) must exist; otherwise `<home>/`[`DEFAULT_CONFIG_PATH`] is
    /// read when present, and a missing default file means an empty config.
    pub fn load_or_default(
        explicit: Option<&Path>,
        home: &Path,
    ) -> Result<HostConfig, HostConfigError> {
        match explicit {
            Some(path) => HostConfig::load(path),
            None => {
                let default = home.join(DEFAULT_CONFIG_PATH);
                if default.exists() {
                    HostConfig::load(&default)
                } else {
                    HostConfig::from_value(Value::Object(Map::new()))
                }
            }
        }
    }

    pub fn load(path: &Path) -> Result<HostConfig, HostConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                HostConfigError::NotFound {
                    path: path.to_path_buf(),
                }
            } else {
                HostConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                }
            }
        })?;
        Self::parse(&text, Some(path))
    }

    pub fn from_json5_str(text: &str) -> Result<HostConfig, HostConfigError> {
        Self::parse(text, None)
    }

    pub fn from_value(raw: Value) -> Result<HostConfig, HostConfigError> {
        if raw.is_object() {
            Ok(HostConfig { raw })
        } else {
            Err(HostConfigError::NotAnObject { path: None })
        }
    }

    fn parse(text: &str, path: Option<&Path>) -> Result<HostConfig, HostConfigError> {
        let raw: Value = json5::from_str(text).map_err(|err| HostConfigError::Parse {
            path: path.map(Path::to_path_buf),
            message: err.to_string(),
        })?;
        if raw.is_object() {
            Ok(HostConfig { raw })
        } else {
            Err(HostConfigError::NotAnObject {
                path: path.map(Path::to_path_buf),
            })
        }
    }
}
