//! `host-harness`: validate and exercise an installed model-provider plugin.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run()
}
