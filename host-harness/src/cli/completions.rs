//! `completions SHELL`: a completion script for bash, zsh, fish, elvish or PowerShell.

use std::process::ExitCode;

use clap_complete::Shell;

use super::output::checked;

pub const AFTER_HELP: &str = concat!(
    "Examples:
  host-harness completions bash > ~/.local/share/bash-completion/completions/host-harness
  host-harness completions zsh > \"${fpath[1]}/_host-harness\"
  host-harness completions fish > ~/.config/fish/completions/host-harness.fish
  host-harness completions powershell >> $PROFILE

",
    super::exit_codes!()
);

#[derive(clap::Args)]
pub struct Args {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum, value_name = "SHELL")]
    shell: Shell,
}

pub fn run<C: clap::CommandFactory>(args: Args) -> Result<ExitCode, ExitCode> {
    let mut command = C::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "host-harness", &mut script);
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    checked(stdout.write_all(&script).and_then(|()| stdout.flush()))?;
    Ok(ExitCode::SUCCESS)
}
