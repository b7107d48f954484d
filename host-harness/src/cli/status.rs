//! `status`.

use std::process::ExitCode;

use plugin_api::status::PluginStatus;
use plugin_api::traits::ListModelsOptions;
use serde_json::{json, Value};

use super::output::{Out, FAILURE};
use super::term::Spinner;
use super::{err_line, runtime, Context, Opened, PluginArgs, PLUGIN_ID};

/// A catalog age for people: seconds under two minutes, else minutes.
pub fn age(ms: u64) -> String {
    let seconds = ms / 1000;
    if seconds < 120 {
        format!("{seconds} s")
    } else {
        format!("{} min", seconds / 60)
    }
}

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub plugin: PluginArgs,
    /// Do not run discovery: report this process's cached state only and send nothing (the
    /// catalog lines then say "not fetched yet" in a fresh process).
    #[arg(long, conflicts_with = "refresh")]
    cached: bool,
    /// Run discovery now (the default; kept for scripts that pass it).
    #[arg(long, hide = true)]
    refresh: bool,
    /// Print the status as one JSON object.
    #[arg(long)]
    json: bool,
}

/// The outcome of the refresh `status` runs first.
enum Refresh {
    Skipped,
    Ok,
    Failed(String),
}

fn status_json(status: &PluginStatus, refresh: &Refresh) -> Value {
    json!({
        "provider": PLUGIN_ID,
        "enabled": true,
        "discovery_enabled": status.discovery_enabled,
        "discovery_reason": status.discovery_reason.as_str(),
        "auth_mode": status.auth_mode.as_str(),
        "credential_source": status.credential_source.as_str(),
        "region": status.region.as_str(),
        "region_source": status.region_source.as_str(),
        "runtime_endpoint": status.runtime_endpoint.as_str(),
        "control_plane_endpoint": status.control_plane_endpoint.as_str(),
        "catalog_age_ms": status.catalog_age_ms.into_option(),
        "model_count": status.model_count.into_option(),
        "last_error": status.last_error.as_ref().into_option().map(|error| json!({
            "at_ms": error.at_ms,
            "operation": error.operation.as_str(),
            "message": error.message.as_str(),
            "status": error.status.into_option(),
        })),
        "details": status.details.iter().map(|line| json!({
            "key": line.key.as_str(),
            "value": line.value.as_str(),
        })).collect::<Vec<_>>(),
        "refresh": match refresh {
            Refresh::Skipped => json!({"ran": false}),
            Refresh::Ok => json!({"ran": true, "ok": true}),
            Refresh::Failed(message) => json!({"ran": true, "ok": false, "error": message}),
        },
    })
}

fn status_lines(status: &PluginStatus, refresh: &Refresh) -> Vec<String> {
    let mut lines = vec![
        format!(
            "provider: {PLUGIN_ID} ({})",
            if status.discovery_enabled {
                "discovery enabled"
            } else {
                "discovery disabled"
            }
        ),
        format!("why: {}", status.discovery_reason),
        format!("auth mode: {}", status.auth_mode),
        format!("credential source: {}", status.credential_source),
        format!("region: {} ({})", status.region, status.region_source),
        format!("runtime endpoint: {}", status.runtime_endpoint),
        format!("control-plane endpoint: {}", status.control_plane_endpoint),
        match status.catalog_age_ms.into_option() {
            Some(ms) => format!("catalog age: {}", age(ms)),
            None => "catalog age: not fetched yet".to_owned(),
        },
        match status.model_count.into_option() {
            Some(count) => format!("models: {count}"),
            None => "models: unknown".to_owned(),
        },
        match status.last_error.as_ref().into_option() {
            Some(error) => format!(
                "last error: {} {}{}",
                error.operation,
                error
                    .status
                    .into_option()
                    .map(|s| format!("(HTTP {s}) "))
                    .unwrap_or_default(),
                error.message
            ),
            None => "last error: none".to_owned(),
        },
    ];
    match refresh {
        Refresh::Skipped => lines.push("refresh: skipped (--cached)".to_owned()),
        Refresh::Ok => lines.push("refresh: ok".to_owned()),
        Refresh::Failed(message) => lines.push(format!("refresh: failed: {message}")),
    }
    for line in status.details.iter() {
        lines.push(format!("{}: {}", line.key, line.value));
    }
    lines
}

pub fn run(context: &Context, args: &Args) -> Result<ExitCode, ExitCode> {
    let mut out = Out::new();
    let plugin = match context.open_or_disabled()? {
        Opened::Loaded(plugin) => plugin,
        Opened::Disabled { reason } => {
            if args.json {
                out.json_pretty(&json!({
                    "provider": PLUGIN_ID,
                    "enabled": false,
                    "disabled_reason": reason,
                }))?;
            } else {
                out.line(format_args!("provider: {PLUGIN_ID} (plugin disabled)"))?;
                out.line(format_args!("why: {reason}"))?;
            }
            return Ok(ExitCode::SUCCESS);
        }
    };
    let refresh = if args.cached {
        Refresh::Skipped
    } else {
        let spinner = Spinner::start("refreshing the catalog…");
        // Strict, so a failure is seen here; the plugin also records it as "last error".
        let result = runtime()?.block_on(plugin.list_models(ListModelsOptions {
            strict: true,
            force_refresh: true,
            ..Default::default()
        }));
        spinner.done();
        match result {
            Ok(_) => Refresh::Ok,
            Err(err) => Refresh::Failed(err.message.to_string()),
        }
    };
    let status = plugin.status();
    if args.json {
        out.json_pretty(&status_json(&status, &refresh))?;
    } else {
        for line in status_lines(&status, &refresh) {
            out.line(line)?;
        }
    }
    match refresh {
        Refresh::Failed(message) => {
            err_line(format_args!("error: the catalog refresh failed: {message}"));
            Ok(ExitCode::from(FAILURE))
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_as_seconds_then_minutes() {
        assert_eq!(age(5_000), "5 s");
        assert_eq!(age(119_999), "119 s");
        assert_eq!(age(600_000), "10 min");
    }
}
