//! `doctor`: the plugin's checks and permission probes (BR-30..32), one `<check>: <result>`
//! line each, or one JSON object with `--json`; exit 0 when healthy, else 1 (BR-32).

use std::process::ExitCode;

use plugin_api::ext::{keys, ExtValue};
use plugin_api::status::DoctorReport;
use serde_json::{json, Value};

use super::output::{Out, FAILURE};
use super::term::Spinner;
use super::{block_on, Context, PluginArgs};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub plugin: PluginArgs,
    /// Print the report as one JSON object: {"healthy": bool, "exit_code": 0|1, "checks":
    /// [{"check", "result"}], "probes": [{"operation", "action", "target", "result",
    /// "message"}]}.
    #[arg(long)]
    json: bool,
}

/// The probes of the `doctor.probes` extension (an empty list from a plugin without them).
pub fn probes(report: &DoctorReport) -> Vec<Value> {
    match report.extensions.get(keys::DOCTOR_PROBES) {
        Some(ExtValue::Json(text)) => match serde_json::from_str::<Value>(text.as_str()) {
            Ok(Value::Array(probes)) => probes,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// The exit code BR-32 gives the report.
pub fn exit_code(report: &DoctorReport) -> u8 {
    if report.healthy {
        0
    } else {
        FAILURE
    }
}

/// The `--json` document.
pub fn report_json(report: &DoctorReport) -> Value {
    json!({
        "healthy": report.healthy,
        "exit_code": exit_code(report),
        "checks": report.checks.iter().map(|check| json!({
            "check": check.key.as_str(),
            "result": check.value.as_str(),
        })).collect::<Vec<_>>(),
        "probes": probes(report),
    })
}

pub fn run(context: &Context, args: &Args) -> Result<ExitCode, ExitCode> {
    let plugin = context.open()?;
    let spinner = Spinner::start("running the doctor checks…");
    let report = block_on(plugin.doctor());
    spinner.done();
    let report = report?;
    let mut out = Out::new();
    if args.json {
        out.json_pretty(&report_json(&report))?;
    } else {
        for check in report.checks.iter() {
            out.line(format_args!("{}: {}", check.key, check.value))?;
        }
    }
    Ok(ExitCode::from(exit_code(&report)))
}
