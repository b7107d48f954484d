//! Installing a plugin folder atomically: `<plugins dir>/<id>/` gets the library, the
//! manifest and the install record, each written to a temporary name beside its
//! destination, fsynced, then renamed over it. A host that has the old library loaded keeps
//! its (unlinked) inode, so replacing a plugin under a running host cannot fault it; a
//! failed install removes its temporary files and the folders it created.
//!
//! The source library is checked like a library about to be loaded ([`super::open_checked`])
//! before anything is written, and copied from the handle that was checked.

use std::fs::{File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::record::{HashingWriter, InstallRecord, INSTALL_RECORD_FILE};
use super::{open_checked, LibraryProblem};
use crate::plugins::{self, PluginFolderError, MANIFEST_FILE};

/// What an install wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// `<plugins dir>/<id>`.
    pub folder: PathBuf,
    /// The installed library.
    pub library: PathBuf,
    /// What `install.json` now says.
    pub record: InstallRecord,
}

/// Why an install did not happen (nothing was changed) or did not complete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstallError {
    /// The manifest to install is itself invalid (MAN-01..03, confinement).
    #[error("cannot install: {0}")]
    Manifest(PluginFolderError),
    /// The source is not a complete ELF shared object of this machine.
    #[error("cannot install plugin {id}: library {} {problem}", path.display())]
    Source {
        id: String,
        path: PathBuf,
        problem: LibraryProblem,
    },
    /// The source grew or shrank while it was copied.
    #[error("cannot install plugin {id}: library {} changed while it was copied ({copied} bytes copied, {expected} expected); try again", path.display())]
    SourceChanged {
        id: String,
        path: PathBuf,
        copied: u64,
        expected: u64,
    },
    /// Creating, writing, syncing or renaming a file failed.
    #[error("cannot install plugin {id}: cannot {action} {}: {message}", path.display())]
    Io {
        id: String,
        action: &'static str,
        path: PathBuf,
        message: String,
    },
}

/// The steps an install goes through, for failure-injection tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    CreateDir,
    WriteLibrary,
    WriteManifest,
    WriteRecord,
    RenameLibrary,
    RenameManifest,
    RenameRecord,
}

/// Installs `manifest_json` and the library at `source` into `<plugins_dir>/<id>/`.
pub fn install_plugin(
    plugins_dir: &Path,
    source: &Path,
    manifest_json: &str,
) -> Result<Installed, InstallError> {
    install_plugin_with(plugins_dir, source, manifest_json, &mut |_| Ok(()))
}

/// [`install_plugin`], calling `before` ahead of each step; an error from it fails that step.
pub fn install_plugin_with(
    plugins_dir: &Path,
    source: &Path,
    manifest_json: &str,
    before: &mut dyn FnMut(Step) -> io::Result<()>,
) -> Result<Installed, InstallError> {
    let manifest = plugins::parse_manifest(manifest_json, Path::new(MANIFEST_FILE), "plugin")
        .map_err(InstallError::Manifest)?;
    let id = manifest.id.clone();
    // The id names the folder (MAN-05): one plain path component, nothing that climbs out.
    let mut components = Path::new(&id).components();
    if !matches!(
        (components.next(), components.next()),
        (Some(std::path::Component::Normal(name)), None) if name == id.as_str()
    ) {
        return Err(InstallError::Manifest(PluginFolderError::InvalidManifest {
            id: id.clone(),
            detail: format!("id \"{id}\" cannot name a folder in the plugins directory"),
        }));
    }
    let relative = plugins::library_relative_path(&manifest).map_err(InstallError::Manifest)?;
    let library_entry = manifest
        .library
        .library_for_current_os()
        .unwrap_or_default()
        .to_string();

    // Nothing is written before the source passed the same checks as a load.
    let mut checked = open_checked(source).map_err(|problem| InstallError::Source {
        id: id.clone(),
        path: source.to_path_buf(),
        problem,
    })?;
    let expected = checked.summary.len;
    let permissions = checked.file.metadata().ok().map(|meta| meta.permissions());

    let folder = plugins_dir.join(&id);
    let library = folder.join(&relative);
    let mut work = Work {
        id: id.clone(),
        temps: Vec::new(),
        created_dirs: Vec::new(),
        committed: false,
    };
    let io_error = |action: &'static str, path: &Path, err: io::Error| InstallError::Io {
        id: id.clone(),
        action,
        path: path.to_path_buf(),
        message: err.to_string(),
    };

    let library_dir = library.parent().unwrap_or(&folder).to_path_buf();
    before(Step::CreateDir).map_err(|err| io_error("create", &library_dir, err))?;
    work.create_dirs(&library_dir)?;

    // The library: copied from the checked handle, hashed on the way.
    before(Step::WriteLibrary).map_err(|err| io_error("write", &library, err))?;
    let (library_temp, file) = work.temp_beside(&library)?;
    if let Some(permissions) = permissions {
        file.set_permissions(permissions)
            .map_err(|err| io_error("write", &library_temp, err))?;
    }
    let mut writer = HashingWriter::new(file);
    checked
        .file
        .seek(SeekFrom::Start(0))
        .and_then(|_| io::copy(&mut checked.file, &mut writer))
        .map_err(|err| io_error("write", &library_temp, err))?;
    let (file, sha256, copied) = writer.finish();
    if copied != expected {
        return Err(InstallError::SourceChanged {
            id: id.clone(),
            path: source.to_path_buf(),
            copied,
            expected,
        });
    }
    file.sync_all()
        .map_err(|err| io_error("sync", &library_temp, err))?;
    drop(file);

    let manifest_path = folder.join(MANIFEST_FILE);
    before(Step::WriteManifest).map_err(|err| io_error("write", &manifest_path, err))?;
    let manifest_temp = work.write_temp(&manifest_path, manifest_json.as_bytes())?;

    let record = InstallRecord {
        plugin_id: id.clone(),
        version: manifest.version.clone(),
        library: library_entry,
        size: copied,
        sha256,
    };
    let record_path = folder.join(INSTALL_RECORD_FILE);
    before(Step::WriteRecord).map_err(|err| io_error("write", &record_path, err))?;
    let record_temp = work.write_temp(&record_path, record.to_json().as_bytes())?;

    // The swap: library, manifest, then the record that vouches for both.
    for (step, temp, target) in [
        (Step::RenameLibrary, &library_temp, &library),
        (Step::RenameManifest, &manifest_temp, &manifest_path),
        (Step::RenameRecord, &record_temp, &record_path),
    ] {
        before(step)
            .and_then(|_| std::fs::rename(temp, target))
            .map_err(|err| io_error("replace", target, err))?;
        work.temps.retain(|t| t != temp);
    }
    work.committed = true;
    // Make the renames durable; a directory fsync is best effort (some filesystems refuse).
    for dir in [&library_dir, &folder] {
        if let Ok(handle) = File::open(dir) {
            let _ = handle.sync_all();
        }
    }
    Ok(Installed {
        folder,
        library,
        record,
    })
}

/// Unique per process and call, so concurrent installs never share a temporary file.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Creates `.<name>.<pid>.<n>.tmp` beside `target`, exclusively (same folder, so the rename
/// that follows stays on one filesystem and is atomic). A failure names the temporary path.
fn create_temp_beside(target: &Path) -> Result<(PathBuf, File), (PathBuf, io::Error)> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    loop {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(err) => return Err((temp, err)),
        }
    }
}

/// Why [`write_atomically`] did not replace its target (which is then unchanged).
#[derive(Debug, thiserror::Error)]
#[error("cannot {action} {}: {source}", path.display())]
pub struct AtomicWriteError {
    pub action: &'static str,
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

/// Replaces `target` with `bytes` the way an install replaces each file: written to a
/// temporary file beside it, fsynced, then renamed over it, so a reader sees the old file or
/// the new one, never a torn one, and a failure leaves the old file as it was (the
/// temporary file is removed). An existing target's permissions are kept (a host config
/// may hold secrets and be `0600`).
pub fn write_atomically(target: &Path, bytes: &[u8]) -> Result<(), AtomicWriteError> {
    let error = |action, path: &Path, source| AtomicWriteError {
        action,
        path: path.to_path_buf(),
        source,
    };
    let (temp, mut file) =
        create_temp_beside(target).map_err(|(temp, err)| error("create", &temp, err))?;
    let result = (|| {
        if let Ok(meta) = std::fs::metadata(target) {
            file.set_permissions(meta.permissions())
                .map_err(|err| error("write", &temp, err))?;
        }
        file.write_all(bytes)
            .map_err(|err| error("write", &temp, err))?;
        file.sync_all().map_err(|err| error("sync", &temp, err))?;
        drop(file);
        std::fs::rename(&temp, target).map_err(|err| error("replace", target, err))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    } else if let Some(dir) = target.parent().and_then(|dir| File::open(dir).ok()) {
        // Best effort, as for an install: some filesystems refuse a directory fsync.
        let _ = dir.sync_all();
    }
    result
}

/// The files and folders an install has created so far; dropped before commit, it removes
/// them again.
struct Work {
    id: String,
    temps: Vec<PathBuf>,
    created_dirs: Vec<PathBuf>,
    committed: bool,
}

impl Work {
    fn io_error(&self, action: &'static str, path: &Path, err: io::Error) -> InstallError {
        InstallError::Io {
            id: self.id.clone(),
            action,
            path: path.to_path_buf(),
            message: err.to_string(),
        }
    }

    /// `create_dir_all`, remembering each folder it created (outermost first).
    fn create_dirs(&mut self, dir: &Path) -> Result<(), InstallError> {
        let mut missing = Vec::new();
        let mut cursor = Some(dir);
        while let Some(path) = cursor {
            if path.as_os_str().is_empty() || path.exists() {
                break;
            }
            missing.push(path.to_path_buf());
            cursor = path.parent();
        }
        for path in missing.into_iter().rev() {
            match std::fs::create_dir(&path) {
                Ok(()) => self.created_dirs.push(path),
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists && path.is_dir() => {}
                Err(err) => return Err(self.io_error("create", &path, err)),
            }
        }
        Ok(())
    }

    /// [`create_temp_beside`], remembering the file so a failed install removes it.
    fn temp_beside(&mut self, target: &Path) -> Result<(PathBuf, File), InstallError> {
        let (temp, file) = create_temp_beside(target)
            .map_err(|(temp, err)| self.io_error("create", &temp, err))?;
        self.temps.push(temp.clone());
        Ok((temp, file))
    }

    /// Writes and fsyncs `bytes` to a temporary file beside `target`.
    fn write_temp(&mut self, target: &Path, bytes: &[u8]) -> Result<PathBuf, InstallError> {
        let (temp, mut file) = self.temp_beside(target)?;
        file.write_all(bytes)
            .map_err(|err| self.io_error("write", &temp, err))?;
        file.sync_all()
            .map_err(|err| self.io_error("sync", &temp, err))?;
        Ok(temp)
    }
}

impl Drop for Work {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        for temp in &self.temps {
            let _ = std::fs::remove_file(temp);
        }
        // Innermost first; a folder that is no longer empty stays.
        for dir in self.created_dirs.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

#[cfg(test)]
mod tests;
