//! `install`: copy the built library and the manifest into the plugins directory, checked
//! and atomically (see `host_harness::library_file::install`), with an `install.json` record
//! of the library's size and SHA-256 that every later load verifies.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use host_harness::library_file::install::{install_plugin, Installed};
use host_harness::library_file::INSTALL_RECORD_FILE;
use host_harness::plugins::for_current_os;

use super::output::Out;
use super::{fail, Context, PLUGIN_ID};

/// The manifest, byte for byte as the repository has it (MAN-06).
pub const MANIFEST_JSON: &str = include_str!("../../../manifest.json");

#[derive(clap::Args)]
pub struct Args {
    /// The built library; default: next to this executable (the same cargo target dir).
    #[arg(long)]
    library: Option<PathBuf>,
}

/// The library file name for this OS, as the manifest names it.
pub fn library_file_name() -> &'static str {
    for_current_os(
        "libbedrock_plugin.so",
        "libbedrock_plugin.dylib",
        "bedrock_plugin.dll",
    )
}

/// The library built alongside this executable.
pub fn default_library() -> Option<PathBuf> {
    host_harness::library_file::built_beside(&std::env::current_exe().ok()?, library_file_name())
}

/// Installs into `<plugins_dir>/amazon-bedrock/`, returning that folder. The library is
/// checked (a complete ELF shared object of this machine) before anything is written; every
/// file is written beside its destination and renamed over it, so a host that has the old
/// library loaded keeps running on it; a failed install leaves nothing behind.
pub fn install(plugins_dir: &Path, library: &Path) -> Result<PathBuf, String> {
    install_recorded(plugins_dir, library).map(|installed| installed.folder)
}

fn install_recorded(plugins_dir: &Path, library: &Path) -> Result<Installed, String> {
    install_plugin(plugins_dir, library, MANIFEST_JSON).map_err(|err| err.to_string())
}

pub fn run(context: &Context, args: Args) -> Result<ExitCode, ExitCode> {
    let library = args.library.or_else(default_library).ok_or_else(|| {
        fail(format_args!(
            "cannot find {} next to this executable; build it with `cargo build -p bedrock-plugin` or pass --library",
            library_file_name()
        ))
    })?;
    let installed = install_recorded(&context.plugins_dir, &library).map_err(fail)?;
    Out::new().line(format_args!(
        "installed {PLUGIN_ID} into {} (library sha256 {}, recorded in {INSTALL_RECORD_FILE})",
        installed.folder.display(),
        installed.record.sha256
    ))?;
    Ok(ExitCode::SUCCESS)
}
