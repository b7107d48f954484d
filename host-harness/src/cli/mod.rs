//! The command line: one module per command, and here what every command shares (where its
//! inputs come from, opening the plugin, the host runtime, and how a failure is printed), so
//! each command file holds only its own behaviour.
//!
//! Output conventions (issue 10): results go to stdout through [`output::Out`] (a closed
//! pipe ends the command quietly), diagnostics and footers to stderr; colour and the spinner
//! only where the stream is a terminal and `NO_COLOR` is unset ([`term`]); `--json` shapes
//! live in [`json`]; exit codes are [`output::OK`] / [`output::FAILURE`] / [`output::USAGE`].

mod bench;
mod chat;
mod completions;
mod config;
mod demo;
mod doctor;
mod embed;
mod emulator;
mod install;
pub mod json;
mod models;
pub mod output;
mod status;
pub mod term;
mod validate;
mod validate_json;

use std::fmt::Display;
use std::future::Future;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use host_harness::config::HostConfig;
use host_harness::host::HostError;
use plugin_api::error::PluginError;
use tracing_subscriber::EnvFilter;

pub use output::{err_line, Out};

/// The plugin this harness was built to validate.
pub const PLUGIN_ID: &str = "amazon-bedrock";

/// The `Exit codes:` block every `--help` ends with (the codes are [`output::OK`],
/// [`output::FAILURE`], [`output::USAGE`] and [`output::PIPE_CLOSED`]); a literal, for `concat!`.
macro_rules! exit_codes {
    () => {
        "Exit codes:
  0  success; also when stdout is closed by its reader (e.g. `| head -1`): output stops
     quietly and a chat stream in flight is cancelled at once
  1  failure: a request, discovery refresh, doctor check or plugin load failed
  2  configuration or usage error: bad arguments, unreadable host config, JSON5 syntax
     error, a plugin config that violates the plugin's schema"
    };
}
pub(crate) use exit_codes;

const MAIN_AFTER_HELP: &str = concat!(
    "Examples:
  host-harness install
  host-harness validate
  host-harness models list --json
  host-harness config set plugins.entries.amazon-bedrock.config.awsRegion eu-west-1
  host-harness chat amazon-bedrock/amazon.nova-micro-v1:0 \"Hello\"
  host-harness demo
  host-harness bench --json

Environment:
  HOST_HARNESS_CONFIG, HOST_HARNESS_PLUGINS_DIR  defaults for --config, --plugins-dir
  NO_COLOR      no colour, no spinner, thinking marked [thinking] … [/thinking]
  RUST_LOG      log filter for the host and the plugin (default: warn)

",
    exit_codes!()
);

#[derive(Parser)]
#[command(
    name = "host-harness",
    version,
    about = "Find, validate, load and exercise model-provider plugins",
    after_help = MAIN_AFTER_HELP
)]
struct Cli {
    /// Host config (JSON5), for the commands that load the plugin; may also be given after
    /// the command name.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Plugins directory, for the commands that use one; may also be given after the
    /// command name.
    #[arg(long, value_name = "DIR")]
    plugins_dir: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

/// Where the host config comes from.
#[derive(clap::Args, Clone, Default)]
pub struct ConfigArg {
    /// Host config (JSON5). Default: $HOST_HARNESS_CONFIG, else
    /// ~/.config/host-harness/config.json5 (a missing default file means an empty config).
    #[arg(long, env = "HOST_HARNESS_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
}

/// Where the plugins live.
#[derive(clap::Args, Clone, Default)]
pub struct PluginsDirArg {
    /// Plugins directory. Default: $HOST_HARNESS_PLUGINS_DIR, else
    /// ~/.local/share/host-harness/plugins.
    #[arg(long, env = "HOST_HARNESS_PLUGINS_DIR", value_name = "DIR")]
    plugins_dir: Option<PathBuf>,
}

/// What a command that loads the plugin needs: the host config and the plugins directory.
#[derive(clap::Args, Clone, Default)]
pub struct PluginArgs {
    #[command(flatten)]
    config: ConfigArg,
    #[command(flatten)]
    plugins_dir: PluginsDirArg,
}

const INSTALL_HELP: &str = concat!(
    "Examples:
  cargo build -p bedrock-plugin && host-harness install
  host-harness install --plugins-dir /tmp/plugins --library target/release/libbedrock_plugin.so

",
    exit_codes!()
);
const VALIDATE_HELP: &str = concat!(
    "Examples:
  host-harness validate
  host-harness validate --config ./config.json5 --json

",
    exit_codes!()
);
const MODELS_HELP: &str = concat!(
    "Examples:
  host-harness models list
  host-harness models list --refresh --json | jq '.models[].id'

",
    exit_codes!()
);
const STATUS_HELP: &str = concat!(
    "Examples:
  host-harness status
  host-harness status --cached --json

",
    exit_codes!()
);
const CONFIG_HELP: &str = concat!(
    "Examples:
  host-harness config get plugins.entries.amazon-bedrock.config.discovery.enabled
  host-harness config set plugins.entries.amazon-bedrock.config.discovery.refreshInterval 600
  host-harness config unset plugins.entries.amazon-bedrock.config.awsRegion
  host-harness config show --effective

",
    exit_codes!()
);
const DOCTOR_HELP: &str = concat!(
    "Examples:
  host-harness doctor
  host-harness doctor --json

",
    exit_codes!()
);
const EMULATOR_HELP: &str = concat!(
    "Examples:
  host-harness emulator --port 8080
  host-harness emulator --tls

",
    exit_codes!()
);
const DEMO_HELP: &str = concat!(
    "Examples:
  cargo build -p bedrock-plugin -p host-harness && target/debug/host-harness demo

",
    exit_codes!()
);

#[derive(Subcommand)]
enum Command {
    /// Copy the built plugin library and manifest.json into <plugins-dir>/amazon-bedrock/.
    #[command(after_help = INSTALL_HELP)]
    Install {
        #[command(flatten)]
        dir: PluginsDirArg,
        #[command(flatten)]
        args: install::Args,
    },
    /// Check config, manifest and library; exit 0 when the plugin loads.
    #[command(after_help = VALIDATE_HELP)]
    Validate {
        #[command(flatten)]
        plugin: PluginArgs,
        /// Print the result as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Model catalog commands.
    #[command(after_help = MODELS_HELP)]
    Models {
        #[command(subcommand)]
        command: models::Command,
    },
    /// Stream a chat: `chat amazon-bedrock/<model id> "<prompt>"`.
    #[command(after_help = chat::AFTER_HELP)]
    Chat(Box<chat::Args>),
    /// Embed texts with the plugin's embedding provider.
    #[command(after_help = embed::AFTER_HELP)]
    Embed(embed::Args),
    /// Provider status: enablement, credential source, region, endpoints, catalog.
    #[command(after_help = STATUS_HELP)]
    Status(status::Args),
    /// Read and edit the host config by dotted path; show the plugin's effective config.
    #[command(after_help = CONFIG_HELP)]
    Config {
        #[command(subcommand)]
        command: config::Command,
    },
    /// Run the doctor: credentials, regions, endpoints, discovery and a live probe of every
    /// Bedrock permission the plugin needs; exit 1 when credentials fail or streaming is denied.
    #[command(after_help = DOCTOR_HELP)]
    Doctor(doctor::Args),
    /// Start the local Bedrock emulator and serve until interrupted.
    #[command(after_help = EMULATOR_HELP)]
    Emulator(emulator::Args),
    /// Install the plugin into a temporary plugins dir and run models list, chats (one with
    /// thinking and a tool call), embed and doctor against the embedded emulator.
    #[command(after_help = DEMO_HELP)]
    Demo(demo::Args),
    /// Measure latency and throughput through the loaded plugin, against the embedded
    /// emulator or (--live, billed) the configured endpoint.
    #[command(after_help = bench::AFTER_HELP)]
    Bench(Box<bench::Args>),
    /// Print a shell completion script on stdout.
    #[command(after_help = completions::AFTER_HELP)]
    Completions(completions::Args),
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

/// A plugin `status` can describe: loaded, or disabled by the host config / manifest.
pub enum Opened {
    Loaded(Box<host_harness::host::LoadedPlugin>),
    Disabled { reason: String },
}

impl Context {
    /// The host config; a file that cannot be read or parsed is a configuration error
    /// (exit 2), printed here.
    pub fn config(&self) -> Result<HostConfig, ExitCode> {
        HostConfig::load_or_default(self.config_path.as_deref(), &home()).map_err(|err| {
            err_line(err);
            ExitCode::from(output::USAGE)
        })
    }

    /// The host config file the `config` commands read and write: the explicit one, else
    /// `<home>/`[`DEFAULT_CONFIG_PATH`](host_harness::config::DEFAULT_CONFIG_PATH), present
    /// or not.
    pub fn config_file_path(&self) -> PathBuf {
        self.config_path
            .clone()
            .unwrap_or_else(|| home().join(host_harness::config::DEFAULT_CONFIG_PATH))
    }

    /// The host config file in use, for messages.
    pub fn config_file(&self) -> String {
        match &self.config_path {
            Some(path) => path.display().to_string(),
            None => {
                let default = home().join(host_harness::config::DEFAULT_CONFIG_PATH);
                if default.exists() {
                    default.display().to_string()
                } else {
                    format!("{} (absent: an empty config)", default.display())
                }
            }
        }
    }

    /// Loads the host config and opens [`PLUGIN_ID`] from the plugins directory; a failure
    /// is printed and gives the command's exit status (2 for a config error, CFG-11).
    pub fn open(&self) -> Result<host_harness::host::LoadedPlugin, ExitCode> {
        let config = self.config()?;
        host_harness::host::open(&self.plugins_dir, PLUGIN_ID, &config).map_err(host_failure)
    }

    /// Like [`Context::open`], but a disabled plugin is an answer, with the reason.
    pub fn open_or_disabled(&self) -> Result<Opened, ExitCode> {
        let config = self.config()?;
        match host_harness::host::open(&self.plugins_dir, PLUGIN_ID, &config) {
            Ok(plugin) => Ok(Opened::Loaded(Box::new(plugin))),
            Err(HostError::Disabled(id)) => {
                let reason = match config.plugin_entry(&id).enabled {
                    Some(false) => format!(
                        "plugins.entries.{id}.enabled is false in the host config {}",
                        self.config_file()
                    ),
                    _ => format!(
                        "the plugin's manifest sets enabledByDefault: false and the host config {} does not set plugins.entries.{id}.enabled",
                        self.config_file()
                    ),
                };
                Ok(Opened::Disabled { reason })
            }
            Err(err) => Err(host_failure(err)),
        }
    }
}

fn host_failure(err: HostError) -> ExitCode {
    err_line(&err);
    ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(output::FAILURE))
}

/// Prints `message` on stderr and gives the exit status of a failed command (1).
pub fn fail(message: impl Display) -> ExitCode {
    err_line(message);
    ExitCode::from(output::FAILURE)
}

/// Prints `message` on stderr and gives the exit status of a usage error (2).
pub fn usage(message: impl Display) -> ExitCode {
    err_line(message);
    ExitCode::from(output::USAGE)
}

/// The worker threads of the host runtime a command polls the plugin from.
pub const HOST_WORKER_THREADS: usize = 2;

/// A tokio runtime for the host side of a command.
pub fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(HOST_WORKER_THREADS)
        .enable_all()
        .build()
        .map_err(|err| fail(format_args!("cannot start the host runtime: {err}")))
}

/// Runs one plugin call to completion on a fresh host runtime; a plugin error is printed
/// and fails the command.
pub fn block_on<T>(call: impl Future<Output = Result<T, PluginError>>) -> Result<T, ExitCode> {
    runtime()?.block_on(call).map_err(|err| fail(err.message))
}

/// Log lines on stderr: coloured only when stderr is a terminal and `NO_COLOR` is unset, so
/// files and pipes get plain text.
fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .with_ansi(term::stderr_styled())
        .with_writer(std::io::stderr)
        .try_init();
}

/// The options given before the command name (no env fallback there, so a value was typed).
pub struct Top {
    config: Option<PathBuf>,
    plugins_dir: Option<PathBuf>,
}

impl Top {
    fn context_of(&self, config: Option<PathBuf>, plugins_dir: Option<PathBuf>) -> Context {
        Context {
            config_path: self.config.clone().or(config),
            plugins_dir: self
                .plugins_dir
                .clone()
                .or(plugins_dir)
                .unwrap_or_else(|| home().join(".local/share/host-harness/plugins")),
        }
    }

    /// The context of a command that loads the plugin.
    pub fn context(&self, args: &PluginArgs) -> Context {
        self.context_of(
            args.config.config.clone(),
            args.plugins_dir.plugins_dir.clone(),
        )
    }
}

pub fn run() -> ExitCode {
    let Cli {
        config,
        plugins_dir,
        command,
    } = Cli::parse();
    init_logging();
    let top = Top {
        config,
        plugins_dir,
    };
    let result = match command {
        Command::Install { dir, args } => {
            install::run(&top.context_of(None, dir.plugins_dir), args)
        }
        Command::Validate { plugin, json } => {
            let context = top.context(&plugin);
            if json {
                validate_json::run(&context)
            } else {
                validate::run(&context)
            }
        }
        Command::Models { command } => models::run(&top, command),
        Command::Chat(args) => chat::run(&top.context(&args.plugin), *args),
        Command::Embed(args) => embed::run(&top.context(&args.plugin), &args),
        Command::Status(args) => status::run(&top.context(&args.plugin), &args),
        Command::Config { command } => config::run(&top, command),
        Command::Doctor(args) => doctor::run(&top.context(&args.plugin), &args),
        Command::Emulator(args) => emulator::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Bench(args) => bench::run(&top, *args),
        Command::Completions(args) => completions::run::<Cli>(args),
    };
    result.unwrap_or_else(|code| code)
}
