//! `emulator [--port N] [--catalog DIR] [--tls]`: serve until interrupted.

use std::path::PathBuf;
use std::process::ExitCode;

use host_harness::emulator::{Emulator, EmulatorOptions};

#[derive(clap::Args)]
pub struct Args {
    /// Port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Directory with foundation-models.json and inference-profiles.json (default: built-in).
    #[arg(long)]
    catalog: Option<PathBuf>,
    /// Serve HTTPS with a generated certificate; its CA is written to a file named on the
    /// first line.
    #[arg(long)]
    tls: bool,
}

pub fn run(args: Args) -> Result<ExitCode, ExitCode> {
    let emulator = Emulator::start(EmulatorOptions {
        port: args.port,
        tls: args.tls,
        catalog: args.catalog,
        ..EmulatorOptions::default()
    })
    .map_err(|err| super::fail(format_args!("cannot start the emulator: {err}")))?;
    // Through the checked writer: a closed stdout ends the command quietly, no panic.
    let mut out = super::Out::new();
    match emulator.ca_cert_path() {
        Some(ca) => out.line(format_args!(
            "listening on {} ca={}",
            emulator.base_url(),
            ca.display()
        ))?,
        None => out.line(format_args!("listening on {}", emulator.base_url()))?,
    }
    let rt = super::runtime()?;
    rt.block_on(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    drop(emulator);
    Ok(ExitCode::SUCCESS)
}
