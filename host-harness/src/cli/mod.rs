//! The command line: one module per command, and here what every command shares (where its
//! inputs come from, opening the plugin, the host runtime, and how a failure is printed), so
//! each command file holds only its own behaviour.

mod chat;
mod demo;
mod embed;
mod emulator;
mod install;
mod models;
mod status;
mod validate;

use std::fmt::Display;
use std::future::Future;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use host_harness::config::HostConfig;
use plugin_api::error::PluginError;
use tracing_subscriber::EnvFilter;

/// The plugin this harness was built to validate.
pub const PLUGIN_ID: &str = "amazon-bedrock";

#[derive(Parser)]
#[command(
    name = "host-harness",
    version,
    about = "Find, validate, load and exercise model-provider plugins"
)]
struct Cli {
    /// Host config (JSON5). Default: $HOST_HARNESS_CONFIG, else ~/.config/host-harness/config.json5
    /// (a missing default file means an empty config).
    #[arg(long, global = true, env = "HOST_HARNESS_CONFIG")]
    config: Option<PathBuf>,

    /// Plugins directory. Default: $HOST_HARNESS_PLUGINS_DIR, else ~/.local/share/host-harness/plugins.
    #[arg(long, global = true, env = "HOST_HARNESS_PLUGINS_DIR")]
    plugins_dir: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Copy the built plugin library and manifest.json into <plugins-dir>/amazon-bedrock/.
    Install(install::Args),
    /// Check config, manifest and library; exit 0 when the plugin loads.
    Validate,
    /// Model catalog commands.
    Models {
        #[command(subcommand)]
        command: models::Command,
    },
    /// Stream a chat: `chat amazon-bedrock/<model id> "<prompt>"`.
    Chat(chat::Args),
    /// Embed texts with the plugin's embedding provider.
    Embed(embed::Args),
    /// Provider status: enablement, credential source, region, endpoints, catalog.
    Status(status::Args),
    /// Run the doctor checks (credentials, region, endpoints).
    Doctor,
    /// Start the local Bedrock emulator and serve until interrupted.
    Emulator(emulator::Args),
    /// Install the plugin into a temporary plugins dir and run models list + a chat against
    /// the embedded emulator.
    Demo(demo::Args),
}

/// Where the CLI's inputs come from.
pub struct Context {
    pub config_path: Option<PathBuf>,
    pub plugins_dir: PathBuf,
}

fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default()
}

impl Context {
    /// Loads the host config and opens [`PLUGIN_ID`] from the plugins directory; a failure
    /// is printed and gives the command's exit status (2 for invalid config, CFG-11).
    pub fn open(&self) -> Result<host_harness::host::LoadedPlugin, ExitCode> {
        let config =
            HostConfig::load_or_default(self.config_path.as_deref(), &home()).map_err(fail)?;
        host_harness::host::open(&self.plugins_dir, PLUGIN_ID, &config).map_err(|err| {
            eprintln!("{err}");
            ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(1))
        })
    }
}

/// Prints `message` on stderr and gives the exit status of a failed command (1).
pub fn fail(message: impl Display) -> ExitCode {
    eprintln!("{message}");
    ExitCode::from(1)
}

/// A tokio runtime for the host side of a command.
pub fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|err| fail(format_args!("cannot start the host runtime: {err}")))
}

/// Runs one plugin call to completion on a fresh host runtime; a plugin error is printed
/// and fails the command.
pub fn block_on<T>(call: impl Future<Output = Result<T, PluginError>>) -> Result<T, ExitCode> {
    runtime()?.block_on(call).map_err(|err| fail(err.message))
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let context = Context {
        config_path: cli.config,
        plugins_dir: cli
            .plugins_dir
            .unwrap_or_else(|| home().join(".local/share/host-harness/plugins")),
    };
    let result = match cli.command {
        Command::Install(args) => install::run(&context, args),
        Command::Validate => validate::run(&context),
        Command::Models { command } => models::run(&context, command),
        Command::Chat(args) => chat::run(&context, args),
        Command::Embed(args) => embed::run(&context, args),
        Command::Status(args) => status::run(&context, args),
        Command::Doctor => status::doctor(&context),
        Command::Emulator(args) => emulator::run(args),
        Command::Demo(args) => demo::run(args),
    };
    result.unwrap_or_else(|code| code)
}
