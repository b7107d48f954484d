//! `validate`: config + manifest + load; exit 0 when the plugin is usable.

use std::process::ExitCode;

use super::Context;

pub fn run(context: &Context) -> Result<ExitCode, ExitCode> {
    let plugin = context.open()?;
    let info = host_harness::loader::library_facts(plugin.module);
    println!(
        "ok: plugin {} {} (api {}, providers {}) loaded from {}",
        info.id,
        info.version,
        info.api,
        info.providers.join(","),
        plugin.plugin.library_path.display()
    );
    Ok(ExitCode::SUCCESS)
}
