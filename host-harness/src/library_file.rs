//! The plugin library as a file, before anything of it runs: checked to be a complete ELF
//! shared object of this machine ([`elf`]), compared with the install record that
//! `host-harness install` wrote beside it ([`record`]), and installed atomically
//! ([`install`]), so that neither a partial copy, a foreign file, nor an install over a
//! running host can crash the host.
//!
//! Load order (see [`crate::loader::load`]): manifest checks and the library path's
//! confinement to the plugin folder ([`crate::plugins::read_plugin`]), then
//! [`check_before_load`] here (file type, ELF headers, install record, size, SHA-256), then
//! `dlopen` of the very file that was checked, then the MAN-04 checks.

pub mod elf;
pub mod install;
pub mod record;

/// The synthetic-ELF builder the integration tests use too.
#[cfg(test)]
#[path = "../tests/common/elf.rs"]
mod elf_fixture;
#[cfg(test)]
mod tests;

use std::fs::File;
use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};

pub use elf::{ElfSummary, LibraryProblem};
pub use record::{InstallRecord, INSTALL_RECORD_FILE};

use crate::plugins::{PluginFolder, PluginFolderError};

/// The plugin library cargo built alongside the executable `exe`, if there is one: cargo puts
/// a `cdylib` beside the binaries of a profile (`target/<profile>/`) and, for the dependencies of
/// a test binary, into `target/<profile>/deps/`. The CLI's default `--library`, the demo and
/// every test that needs the real plugin look it up here.
pub fn built_beside(exe: &Path, file_name: &str) -> Option<PathBuf> {
    let dir = exe.parent()?;
    [
        dir.join(file_name),
        dir.join("deps").join(file_name),
        dir.join("..").join(file_name),
    ]
    .into_iter()
    .find(|candidate| candidate.is_file())
}

/// Whether the ELF format check applies: on macOS and Windows libraries are Mach-O / PE,
/// and only the regular-file check runs.
pub const CHECKS_ELF: bool = !cfg!(any(target_os = "macos", target_os = "windows"));

/// A library file that passed the format check, still open: loading goes through this
/// handle so the file that was checked is the file that is mapped.
#[derive(Debug)]
pub struct CheckedFile {
    pub file: File,
    pub summary: ElfSummary,
}

/// `kind` of a non-regular file, for [`LibraryProblem::NotRegularFile`].
fn file_kind(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else {
        "not a file"
    }
}

/// Opens `path` and checks it is a regular file holding a complete ELF shared object of
/// this machine. The type is checked before opening, so a FIFO never blocks the host.
pub fn open_checked(path: &Path) -> Result<CheckedFile, LibraryProblem> {
    let meta = std::fs::metadata(path).map_err(|err| LibraryProblem::unreadable(&err))?;
    if !meta.is_file() {
        return Err(LibraryProblem::NotRegularFile {
            kind: file_kind(meta.file_type()),
        });
    }
    let mut file = File::open(path).map_err(|err| LibraryProblem::unreadable(&err))?;
    let meta = file
        .metadata()
        .map_err(|err| LibraryProblem::unreadable(&err))?;
    if !meta.is_file() {
        return Err(LibraryProblem::NotRegularFile {
            kind: file_kind(meta.file_type()),
        });
    }
    let len = meta.len();
    let summary = if CHECKS_ELF {
        elf::check_elf(&mut file, len)?
    } else if len == 0 {
        return Err(LibraryProblem::Empty);
    } else {
        ElfSummary {
            len,
            segments: 0,
            sections: 0,
        }
    };
    Ok(CheckedFile { file, summary })
}

/// How the library's identity was established before loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Size and SHA-256 equal the install record's.
    Recorded { sha256: String },
    /// No install record (the folder was copied by hand): format-checked only; a warning
    /// was logged.
    Unrecorded,
}

/// A library ready to be `dlopen`ed: checked and, when recorded, verified.
#[derive(Debug)]
pub struct LoadableLibrary {
    pub checked: CheckedFile,
    pub verification: Verification,
}

impl LoadableLibrary {
    /// The path to hand `dlopen` so that it maps the inode that was checked, not whatever
    /// the library path names by then: `/proc/self/fd/<n>` of the open handle on Linux
    /// (when /proc is mounted), else `path`.
    pub fn dlopen_path(&self, path: &Path) -> PathBuf {
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd;
            let by_fd = PathBuf::from(format!("/proc/self/fd/{}", self.checked.file.as_raw_fd()));
            if by_fd.exists() {
                return by_fd;
            }
        }
        path.to_path_buf()
    }
}

/// Everything checked between the manifest and `dlopen`: the library is a complete ELF
/// shared object of this machine, and when the folder has an install record, the record
/// matches the manifest and the file's size and SHA-256 match the record. Without a record
/// the library is loaded unverified, with one `warn` line saying so.
pub fn check_before_load(plugin: &PluginFolder) -> Result<LoadableLibrary, PluginFolderError> {
    let id = &plugin.manifest.id;
    let path = &plugin.library_path;
    let mut checked = open_checked(path).map_err(|problem| PluginFolderError::BadLibrary {
        id: id.clone(),
        path: path.clone(),
        problem,
    })?;

    let record_path = plugin.folder.join(INSTALL_RECORD_FILE);
    let record = match record::read_record(&record_path) {
        Ok(Some(record)) => record,
        Ok(None) => {
            tracing::warn!(
                "plugin {id}: library {} is unverified: the plugin folder has no {INSTALL_RECORD_FILE} (it was not installed with `host-harness install`); loading it after the format checks only",
                path.display()
            );
            return Ok(LoadableLibrary {
                checked,
                verification: Verification::Unrecorded,
            });
        }
        Err(problem) => {
            return Err(PluginFolderError::BadInstallRecord {
                id: id.clone(),
                path: record_path,
                detail: match problem {
                    record::RecordProblem::Unreadable(message) => {
                        format!("cannot be read: {message}")
                    }
                    record::RecordProblem::Invalid(message) => format!("is invalid: {message}"),
                },
            })
        }
    };

    let manifest_library = plugin
        .manifest
        .library
        .library_for_current_os()
        .unwrap_or_default();
    let identity = [
        ("pluginId", record.plugin_id.as_str(), id.as_str()),
        (
            "version",
            record.version.as_str(),
            plugin.manifest.version.as_str(),
        ),
        ("library", record.library.as_str(), manifest_library),
    ];
    for (field, recorded, in_manifest) in identity {
        if recorded != in_manifest {
            return Err(PluginFolderError::InstallRecordMismatch {
                id: id.clone(),
                path: record_path,
                field: field.to_string(),
                recorded: recorded.to_string(),
                manifest: in_manifest.to_string(),
            });
        }
    }

    let changed = |detail: String| PluginFolderError::LibraryChanged {
        id: id.clone(),
        path: path.clone(),
        detail,
    };
    let len = checked.summary.len;
    if len != record.size {
        return Err(changed(format!(
            "it has {len} bytes, {INSTALL_RECORD_FILE} records {}",
            record.size
        )));
    }
    let digest = checked
        .file
        .seek(SeekFrom::Start(0))
        .and_then(|_| record::sha256_of(&mut checked.file))
        .map_err(|err| PluginFolderError::BadLibrary {
            id: id.clone(),
            path: path.clone(),
            problem: LibraryProblem::unreadable(&err),
        })?;
    let (sha256, read) = digest;
    if read != len {
        return Err(changed(format!(
            "it changed while being read ({read} bytes read, {len} expected)"
        )));
    }
    if sha256 != record.sha256 {
        return Err(changed(format!(
            "its sha256 is {sha256}, {INSTALL_RECORD_FILE} records {}",
            record.sha256
        )));
    }
    Ok(LoadableLibrary {
        checked,
        verification: Verification::Recorded { sha256 },
    })
}
