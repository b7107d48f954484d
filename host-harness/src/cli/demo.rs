//! `demo`: the whole product on one machine, no AWS account needed.
//!
//! Starts the embedded emulator, installs the freshly built plugin into a temporary plugins
//! directory, writes a host config, then runs `models list`, a streamed `chat`, `embed`, a
//! thinking model's chat with a tool call answered by a canned tool result, and `doctor`, as
//! child processes of this same binary, exactly as a user would. The children get the emulator as
//! their endpoint and its test keys through their environment; this process's own
//! environment is never changed.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use host_harness::emulator::{
    Emulator, EmulatorOptions, DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY,
};

use super::install;

#[derive(clap::Args)]
pub struct Args {
    /// The model to chat with.
    #[arg(long, default_value = "amazon.nova-micro-v1:0")]
    model: String,
    /// The prompt.
    #[arg(long, default_value = "Show me a streamed answer, token by token")]
    prompt: String,
}

/// The thinking model the demo offers a tool to.
const THINKING_MODEL: &str = "us.anthropic.claude-sonnet-4-6";

/// The tool the demo offers: its parameters' JSON Schema.
const WEATHER_SCHEMA: &str = r#"{"type":"object","description":"The current weather in a city","properties":{"city":{"type":"string"}},"required":["city"]}"#;

/// What the demo's tool "returns".
const WEATHER_RESULT: &str = r#"{"city":"Paris","temperature_c":18,"sky":"clear"}"#;

/// The host config the demo writes: the plugin enabled, with an explicit model list.
pub fn demo_config(model: &str) -> serde_json::Value {
    serde_json::json!({
        "plugins": {"entries": {"amazon-bedrock": {"enabled": true, "config": {
            "awsRegion": "us-east-1",
            "discovery": {"enabled": true}
        }}}},
        "models": {"providers": {"amazon-bedrock": {
            "api": "bedrock-converse-stream",
            "auth": "aws-sdk",
            "models": [
                {"id": model, "name": "Demo model", "contextWindow": 128000, "maxTokens": 4096},
                {"id": THINKING_MODEL, "name": "Claude Sonnet 4.6", "reasoning": true,
                 "input": ["text", "image"],
                 "cost": {"input": 3, "output": 15, "cacheRead": 0.3, "cacheWrite": 3.75},
                 "contextWindow": 1000000, "maxTokens": 64000}
            ]
        }}}
    })
}

fn child(exe: &Path, config: &Path, plugins: &Path, endpoint: &str) -> Command {
    let mut command = Command::new(exe);
    command
        .arg("--config")
        .arg(config)
        .arg("--plugins-dir")
        .arg(plugins)
        .env("AWS_ENDPOINT_URL_BEDROCK", endpoint)
        .env("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", endpoint)
        .env("AWS_ACCESS_KEY_ID", DEFAULT_ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", DEFAULT_SECRET_ACCESS_KEY)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_BEARER_TOKEN_BEDROCK")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("HOST_HARNESS_CONFIG")
        .env_remove("HOST_HARNESS_PLUGINS_DIR");
    command
}

/// One line of the demo's own narration on stdout (checked: a closed pipe ends the demo).
fn say(line: impl std::fmt::Display) -> Result<(), ExitCode> {
    super::Out::new().line(line)
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    super::fail(format_args!("demo: {message}"))
}

/// Runs one demo step (`host-harness <args>`) to completion; a step that fails ends the demo.
fn step(mut command: Command, args: &[&str], what: &str) -> Result<(), ExitCode> {
    let status = command.args(args).status().map_err(fail)?;
    if status.success() {
        Ok(())
    } else {
        Err(fail(format_args!("{what} failed")))
    }
}

/// What the demo (and `bench`) runs against: the embedded emulator, the plugin built beside
/// this executable installed into a temporary plugins directory, and a host config file there.
/// Dropping it stops the emulator and removes the directory.
pub struct Sandbox {
    pub emulator: Emulator,
    pub plugins: PathBuf,
    /// The installed plugin's folder.
    pub folder: PathBuf,
    /// The host config file.
    pub config: PathBuf,
    pub workdir: tempfile::TempDir,
}

impl Sandbox {
    /// Starts the emulator, installs the plugin and writes `config(&emulator)` as the host
    /// config.
    pub fn start(config: impl FnOnce(&Emulator) -> serde_json::Value) -> Result<Sandbox, String> {
        let library = install::default_library().ok_or_else(|| {
            format!(
                "{} is not built next to this executable; run `cargo build -p bedrock-plugin -p host-harness` first",
                install::library_file_name()
            )
        })?;
        let emulator =
            Emulator::start(EmulatorOptions::default()).map_err(|err| err.to_string())?;
        let workdir = tempfile::tempdir().map_err(|err| err.to_string())?;
        let plugins = workdir.path().join("plugins");
        let folder = install::install(&plugins, &library)?;
        let config_path = workdir.path().join("config.json5");
        let document =
            serde_json::to_string_pretty(&config(&emulator)).map_err(|err| err.to_string())?;
        std::fs::write(&config_path, document).map_err(|err| err.to_string())?;
        Ok(Sandbox {
            emulator,
            plugins,
            folder,
            config: config_path,
            workdir,
        })
    }
}

pub fn run(args: Args) -> Result<ExitCode, ExitCode> {
    let sandbox = Sandbox::start(|_| demo_config(&args.model)).map_err(fail)?;
    let Sandbox {
        emulator,
        plugins,
        folder,
        config,
        workdir,
    } = &sandbox;
    let exe = std::env::current_exe().map_err(fail)?;

    say(format_args!(
        "== emulator listening on {}",
        emulator.base_url()
    ))?;
    say(format_args!("== plugin installed in {}", folder.display()))?;
    let command = || child(&exe, config, plugins, emulator.base_url());
    say(format_args!("== host-harness models list"))?;
    step(command(), &["models", "list"], "models list")?;
    say("")?;
    say(format_args!(
        "== host-harness chat amazon-bedrock/{} \"{}\"",
        args.model, args.prompt
    ))?;
    let model_ref = format!("amazon-bedrock/{}", args.model);
    step(command(), &["chat", &model_ref, &args.prompt], "chat")?;
    say("")?;
    say(format_args!(
        "== host-harness embed \"{}\" \"a second document\"",
        args.prompt
    ))?;
    let embed_args = [
        "embed",
        "--dimensions",
        "256",
        &args.prompt,
        "a second document",
    ];
    step(command(), &embed_args, "embed")?;
    say("")?;
    let schema = workdir.path().join("get_weather.schema.json");
    std::fs::write(&schema, WEATHER_SCHEMA).map_err(fail)?;
    let tool = format!("get_weather={}", schema.display());
    let tool_result = format!("get_weather={WEATHER_RESULT}");
    let thinking_ref = format!("amazon-bedrock/{THINKING_MODEL}");
    let question = "What is the weather in Paris? Use get_weather";
    say(format_args!(
        "== host-harness chat {thinking_ref} --thinking high --tool {tool} --tool-result '{tool_result}' \"{question}\""
    ))?;
    let chat_args = [
        "chat",
        &thinking_ref,
        "--thinking",
        "high",
        "--tool",
        &tool,
        "--tool-result",
        &tool_result,
        question,
    ];
    step(command(), &chat_args, "chat with a tool")?;
    say("")?;
    say("== host-harness doctor")?;
    step(command(), &["doctor"], "doctor")?;
    let requests = emulator.requests();
    let verified = requests.iter().filter(|request| request.authorized).count();
    say("")?;
    say(format_args!(
        "== the emulator served {} request(s); {verified} carried a signature it verified",
        requests.len()
    ))?;
    Ok(ExitCode::SUCCESS)
}
