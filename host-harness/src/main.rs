//! `host-harness`: validate and exercise an installed model-provider plugin.

#![allow(clippy::result_large_err)] // see the library crate root

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run()
}
