//! `install`: copy the built library and the manifest into the plugins directory.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use host_harness::plugins::for_current_os;

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
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    [
        dir.join(library_file_name()),
        dir.join("..").join(library_file_name()),
    ]
    .into_iter()
    .find(|candidate| candidate.exists())
}

/// Installs into `<plugins_dir>/amazon-bedrock/`, returning that folder.
pub fn install(plugins_dir: &Path, library: &Path) -> Result<PathBuf, String> {
    let folder = plugins_dir.join(PLUGIN_ID);
    std::fs::create_dir_all(&folder)
        .map_err(|err| format!("cannot create {}: {err}", folder.display()))?;
    let target = folder.join(library_file_name());
    std::fs::copy(library, &target).map_err(|err| {
        format!(
            "cannot copy {} to {}: {err}",
            library.display(),
            target.display()
        )
    })?;
    let manifest = folder.join("manifest.json");
    std::fs::write(&manifest, MANIFEST_JSON)
        .map_err(|err| format!("cannot write {}: {err}", manifest.display()))?;
    Ok(folder)
}

pub fn run(context: &Context, args: Args) -> Result<ExitCode, ExitCode> {
    let library = args.library.or_else(default_library).ok_or_else(|| {
        fail(format_args!(
            "cannot find {} next to this executable; build it with `cargo build -p bedrock-plugin` or pass --library",
            library_file_name()
        ))
    })?;
    let folder = install(&context.plugins_dir, &library).map_err(fail)?;
    println!("installed {PLUGIN_ID} into {}", folder.display());
    Ok(ExitCode::SUCCESS)
}
