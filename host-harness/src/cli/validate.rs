//! `validate`: config + manifest + load; exit 0 when the plugin is usable.

use std::process::ExitCode;

use host_harness::library_file::{Verification, INSTALL_RECORD_FILE};

use super::output::Out;
use super::Context;

pub fn run(context: &Context) -> Result<ExitCode, ExitCode> {
    let plugin = context.open()?;
    let info = host_harness::loader::library_facts(plugin.module);
    let verified = match &plugin.verification {
        Verification::Recorded { sha256 } => {
            format!("sha256 {sha256} matches {INSTALL_RECORD_FILE}")
        }
        Verification::Unrecorded => format!("unverified: no {INSTALL_RECORD_FILE}"),
    };
    Out::new().line(format_args!(
        "ok: plugin {} {} (api {}, providers {}) loaded from {} ({verified})",
        info.id,
        info.version,
        info.api,
        info.providers.join(","),
        plugin.plugin.library_path.display()
    ))?;
    Ok(ExitCode::SUCCESS)
}
