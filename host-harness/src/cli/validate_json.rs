//! `validate --json`: the same checks as `validate`, reported as one JSON object
//! (`{"ok": true, "plugin": {...}}`, or `{"ok": false, "error": "...", "exit_code": N}`).

use std::process::ExitCode;

use host_harness::config::HostConfig;
use serde_json::json;

use super::output::{Out, FAILURE, USAGE};
use super::{home, Context, PLUGIN_ID};

pub fn run(context: &Context) -> Result<ExitCode, ExitCode> {
    let mut out = Out::new();
    let config = match HostConfig::load_or_default(context.config_path.as_deref(), &home()) {
        Ok(config) => config,
        Err(err) => {
            out.json_pretty(&json!({
                "ok": false,
                "plugin": PLUGIN_ID,
                "stage": "host config",
                "error": err.to_string(),
                "exit_code": USAGE,
            }))?;
            return Ok(ExitCode::from(USAGE));
        }
    };
    match host_harness::host::open(&context.plugins_dir, PLUGIN_ID, &config) {
        Ok(plugin) => {
            let info = host_harness::loader::library_facts(plugin.module);
            out.json_pretty(&json!({
                "ok": true,
                "plugin": {
                    "id": info.id,
                    "version": info.version,
                    "api": info.api,
                    "providers": info.providers,
                    "embedding_providers": info.embedding_providers,
                    "library": plugin.plugin.library_path.display().to_string(),
                },
            }))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            let code = u8::try_from(err.exit_code()).unwrap_or(FAILURE);
            let issues = match &err {
                host_harness::host::HostError::Config(errors) => errors.lines(),
                _ => Vec::new(),
            };
            out.json_pretty(&json!({
                "ok": false,
                "plugin": PLUGIN_ID,
                "error": err.to_string(),
                "issues": issues,
                "exit_code": code,
            }))?;
            Ok(ExitCode::from(code))
        }
    }
}
