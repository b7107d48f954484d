//! What the host-harness test files share: the repository's real `manifest.json`, so every
//! suite checks the manifest users install rather than a copy that could drift.
#![allow(dead_code)] // each test binary uses a different subset

use serde_json::Value;

/// The repository-root manifest (MAN-06: the single source of truth).
pub const MANIFEST_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../manifest.json");

/// The repository's manifest, parsed.
pub fn real_manifest() -> Value {
    let text = std::fs::read_to_string(MANIFEST_PATH).expect("repository manifest.json");
    serde_json::from_str(&text).expect("manifest.json is JSON")
}

/// Running the built `host-harness` binary against the embedded emulator, as a user would:
/// the plugin cdylib (a dev-dependency, so cargo builds it fresh) installed into a temporary
/// plugins dir, a host config pointing the plugin at the emulator, and a clean environment.
pub mod cli {
    use std::path::{Path, PathBuf};
    use std::process::{Command, Output, Stdio};

    use bedrock_emulator::{
        Emulator, EmulatorOptions, DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY,
    };
    use serde_json::{json, Value};

    pub const BIN: &str = env!("CARGO_BIN_EXE_host-harness");
    pub const PLUGIN_ID: &str = "amazon-bedrock";
    pub const LIBRARY: &str = "libbedrock_plugin.so";
    pub const NOVA: &str = "amazon.nova-micro-v1:0";
    pub const CLAUDE: &str = "us.anthropic.claude-sonnet-4-6";

    /// The cdylib cargo built for this test run, next to the test executable.
    pub fn plugin_library() -> PathBuf {
        let exe = std::env::current_exe().expect("test executable path");
        host_harness::library_file::built_beside(&exe, LIBRARY)
            .unwrap_or_else(|| panic!("{LIBRARY} not found next to {}", exe.display()))
    }

    /// An emulator, an installed plugin and a host config file.
    pub struct Setup {
        pub emulator: Emulator,
        pub dir: tempfile::TempDir,
    }

    /// The plugin config the tests start from: static emulator keys, the emulator as the
    /// runtime endpoint, discovery off (explicit models only).
    pub fn plugin_config(emulator: &Emulator) -> Value {
        json!({
            "awsAuthentication": "credentials",
            "awsAccessKey": DEFAULT_ACCESS_KEY_ID,
            "awsSecretKey": DEFAULT_SECRET_ACCESS_KEY,
            "awsRegion": "us-east-1",
            "awsBedrockEndpoint": emulator.base_url(),
            "discovery": {"enabled": false}
        })
    }

    /// A host config around `plugin_config` with two explicit models (Nova unpriced, Claude
    /// priced and reasoning).
    pub fn host_config(plugin_config: Value, enabled: bool) -> Value {
        json!({
            "plugins": {"entries": {PLUGIN_ID: {"enabled": enabled, "config": plugin_config}}},
            "models": {"providers": {PLUGIN_ID: {
                "api": "bedrock-converse-stream",
                "auth": "aws-sdk",
                "models": [
                    {"id": NOVA, "name": "Nova Micro", "contextWindow": 128000, "maxTokens": 4096},
                    {"id": CLAUDE, "name": "Claude Sonnet 4.6", "reasoning": true,
                     "input": ["text", "image"], "cost": {"input": 3, "output": 15, "cacheRead": 0.3, "cacheWrite": 3.75},
                     "contextWindow": 1000000, "maxTokens": 64000}
                ]
            }}}
        })
    }

    impl Setup {
        /// The default setup.
        pub fn new() -> Setup {
            Setup::with(|_| {})
        }

        /// A setup whose plugin config is edited by `edit` first.
        pub fn with(edit: impl FnOnce(&mut Value)) -> Setup {
            let emulator = Emulator::start(EmulatorOptions::default()).expect("emulator");
            let mut config = plugin_config(&emulator);
            edit(&mut config);
            Setup::from_host_config(emulator, host_config(config, true))
        }

        /// A setup with this whole host config.
        pub fn from_host_config(emulator: Emulator, config: Value) -> Setup {
            let dir = tempfile::tempdir().expect("tempdir");
            let setup = Setup { emulator, dir };
            // Installed the way users install it, so the folder is what a real one looks like.
            let installed = Command::new(BIN)
                .arg("install")
                .arg("--plugins-dir")
                .arg(setup.plugins_dir())
                .arg("--library")
                .arg(plugin_library())
                .output()
                .expect("run host-harness install");
            assert!(
                installed.status.success(),
                "host-harness install failed: {}",
                String::from_utf8_lossy(&installed.stderr)
            );
            setup.write_config(&serde_json::to_string_pretty(&config).expect("config"));
            setup
        }

        pub fn plugins_dir(&self) -> PathBuf {
            self.dir.path().join("plugins")
        }

        pub fn config_path(&self) -> PathBuf {
            self.dir.path().join("config.json5")
        }

        pub fn write_config(&self, text: &str) {
            std::fs::write(self.config_path(), text).expect("write config");
        }

        /// A file in the setup's directory.
        pub fn file(&self, name: &str, contents: &[u8]) -> PathBuf {
            let path = self.dir.path().join(name);
            std::fs::write(&path, contents).expect("write file");
            path
        }

        /// The environment every run gets: the config and plugins dir, the emulator as the
        /// control-plane endpoint, and nothing of the caller's AWS setup.
        pub fn env(&self, command: &mut Command) {
            command
                .env("HOST_HARNESS_CONFIG", self.config_path())
                .env("HOST_HARNESS_PLUGINS_DIR", self.plugins_dir())
                .env("AWS_ENDPOINT_URL_BEDROCK", self.emulator.base_url())
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .env("HOME", self.dir.path())
                .env("TERM", "xterm-256color");
            for name in [
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN",
                "AWS_BEARER_TOKEN_BEDROCK",
                "AWS_PROFILE",
                "AWS_REGION",
                "AWS_DEFAULT_REGION",
                "AWS_ENDPOINT_URL",
                "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
                "NO_COLOR",
                "RUST_LOG",
            ] {
                command.env_remove(name);
            }
        }

        /// `host-harness ARGS` with the setup's environment.
        pub fn command(&self, args: &[&str]) -> Command {
            let mut command = Command::new(BIN);
            command.args(args).stdin(Stdio::null());
            self.env(&mut command);
            command
        }

        /// Runs `host-harness ARGS` to completion.
        pub fn run(&self, args: &[&str]) -> Run {
            Run::from(self.command(args).output().expect("run host-harness"))
        }

        /// Runs `host-harness ARGS` with `stdin` as its standard input.
        pub fn run_with_stdin(&self, args: &[&str], stdin: &[u8]) -> Run {
            use std::io::Write;
            let mut child = self
                .command(args)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn");
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(stdin)
                .expect("write stdin");
            Run::from(child.wait_with_output().expect("wait"))
        }

        /// `host-harness ARGS` inside a pseudo-terminal (util-linux `script`), not yet run.
        pub fn terminal_command(&self, args: &[&str]) -> Command {
            let line = std::iter::once(BIN)
                .chain(args.iter().copied())
                .map(shell_quote)
                .collect::<Vec<_>>()
                .join(" ");
            let mut command = Command::new("script");
            command.args(["-qec", &line, "/dev/null"]);
            self.env(&mut command);
            command
        }

        /// Runs `host-harness ARGS` inside a pseudo-terminal (util-linux `script`), so stdin,
        /// stdout and stderr are all a terminal; `env` adds variables (e.g. NO_COLOR).
        /// Returns what the terminal showed (stdout and stderr together, `\r\n` as `\n`).
        pub fn run_in_terminal(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
            let line = std::iter::once(BIN)
                .chain(args.iter().copied())
                .map(shell_quote)
                .collect::<Vec<_>>()
                .join(" ");
            let mut command = Command::new("script");
            command
                .args(["-qec", &line, "/dev/null"])
                .stdin(Stdio::null());
            self.env(&mut command);
            for (name, value) in env {
                command.env(name, value);
            }
            let output = command.output().expect("run script (util-linux)");
            let mut run = Run::from(output);
            run.stdout = run.stdout.replace("\r\n", "\n");
            run
        }
    }

    /// `text` quoted for `sh -c`.
    pub fn shell_quote(text: &str) -> String {
        format!("'{}'", text.replace('\'', "'\\''"))
    }

    /// What a run printed and how it exited.
    pub struct Run {
        pub code: Option<i32>,
        pub stdout: String,
        pub stderr: String,
    }

    impl From<Output> for Run {
        fn from(output: Output) -> Run {
            Run {
                code: output.status.code(),
                stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            }
        }
    }

    impl Run {
        /// Asserts the exit code, showing the output when it differs.
        pub fn expect_code(&self, code: i32) -> &Run {
            assert_eq!(
                self.code,
                Some(code),
                "exit code\n--- stdout\n{}\n--- stderr\n{}",
                self.stdout,
                self.stderr
            );
            self
        }

        /// stdout parsed as JSON lines.
        pub fn json_lines(&self) -> Vec<Value> {
            self.stdout
                .lines()
                .map(|line| {
                    serde_json::from_str(line)
                        .unwrap_or_else(|err| panic!("not a JSON line ({err}): {line}"))
                })
                .collect()
        }

        /// stdout parsed as one JSON document.
        pub fn json(&self) -> Value {
            serde_json::from_str(&self.stdout)
                .unwrap_or_else(|err| panic!("stdout is not JSON ({err}):\n{}", self.stdout))
        }
    }

    /// A JSON file with a tool schema.
    pub fn weather_schema(dir: &Path) -> PathBuf {
        let path = dir.join("weather.schema.json");
        std::fs::write(
            &path,
            r#"{"type":"object","description":"The weather in a city","properties":{"city":{"type":"string"},"days":{"type":"integer"}},"required":["city"]}"#,
        )
        .expect("schema");
        path
    }
}
