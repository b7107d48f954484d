//! `status` and `doctor`.

use std::process::ExitCode;

use super::{block_on, runtime, Context};

fn age(ms: u64) -> String {
    let seconds = ms / 1000;
    if seconds < 120 {
        format!("{seconds} s")
    } else {
        format!("{} min", seconds / 60)
    }
}

#[derive(clap::Args)]
pub struct Args {
    /// Run discovery first (non-strict, as at host startup), so the catalog lines describe a
    /// fresh run; without it, status reads this process's state only and sends nothing.
    #[arg(long)]
    refresh: bool,
}

pub fn run(context: &Context, args: Args) -> Result<ExitCode, ExitCode> {
    let plugin = context.open()?;
    if args.refresh {
        // A failure is not fatal here: it is what the "last error" line reports.
        let _ = runtime()?.block_on(plugin.list_models(plugin_api::traits::ListModelsOptions {
            strict: false,
            force_refresh: true,
            ..Default::default()
        }));
    }
    let status = plugin.status();
    println!(
        "provider: amazon-bedrock ({})",
        if status.discovery_enabled {
            "discovery enabled"
        } else {
            "discovery disabled"
        }
    );
    println!("why: {}", status.discovery_reason);
    println!("auth mode: {}", status.auth_mode);
    println!("credential source: {}", status.credential_source);
    println!("region: {} ({})", status.region, status.region_source);
    println!("runtime endpoint: {}", status.runtime_endpoint);
    println!("control-plane endpoint: {}", status.control_plane_endpoint);
    match status.catalog_age_ms.into_option() {
        Some(ms) => println!("catalog age: {}", age(ms)),
        None => println!("catalog age: not fetched yet"),
    }
    match status.model_count.into_option() {
        Some(count) => println!("models: {count}"),
        None => println!("models: unknown"),
    }
    match status.last_error.into_option() {
        Some(error) => println!(
            "last error: {} {}{}",
            error.operation,
            error
                .status
                .into_option()
                .map(|s| format!("(HTTP {s}) "))
                .unwrap_or_default(),
            error.message
        ),
        None => println!("last error: none"),
    }
    for line in status.details.iter() {
        println!("{}: {}", line.key, line.value);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn doctor(context: &Context) -> Result<ExitCode, ExitCode> {
    let plugin = context.open()?;
    let report = block_on(plugin.doctor())?;
    for check in report.checks.iter() {
        println!("{}: {}", check.key, check.value);
    }
    Ok(if report.healthy {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
