//! Exit codes, and the checked writers every command prints through.
//!
//! Nothing on a stdout path uses `println!` (which panics when the reader has gone): output
//! goes through [`Out`], which turns a closed pipe (`EPIPE`, e.g. `… | head -1`) into
//! [`Err(ExitCode)`] with [`PIPE_CLOSED`], so a command returns at once with `?`, dropping
//! whatever it holds (a chat stream is cancelled that way). stderr is written through
//! [`err_line`], which ignores write errors: a diagnostic that cannot be shown must not turn
//! into a panic.

use std::fmt::Display;
use std::io::{self, Write};
use std::process::ExitCode;

/// The command did what was asked.
pub const OK: u8 = 0;
/// The command ran and failed (a request failed, the plugin could not load, a doctor check
/// failed, a refresh failed).
pub const FAILURE: u8 = 1;
/// The host config or the command line is wrong (unreadable or invalid config, JSON5 syntax
/// errors, schema violations, bad arguments); clap's own usage errors exit 2 as well.
pub const USAGE: u8 = 2;
/// stdout was closed by its reader: output stops, any request in flight is cancelled, and
/// the command exits quietly with this status. 0, because the reader got all it asked for
/// (`models list | head -1` is a successful use, and `set -o pipefail` scripts must not
/// fail on it).
pub const PIPE_CLOSED: u8 = OK;

/// Writes `message` and a newline on stderr, ignoring write errors.
pub fn err_line(message: impl Display) {
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "{message}");
}

/// Maps a stdout write result: a closed pipe ends the command quietly with [`PIPE_CLOSED`];
/// any other error is reported and fails it.
pub fn checked(result: io::Result<()>) -> Result<(), ExitCode> {
    match result {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Err(ExitCode::from(PIPE_CLOSED)),
        Err(err) => {
            err_line(format_args!("cannot write to stdout: {err}"));
            Err(ExitCode::from(FAILURE))
        }
    }
}

/// stdout, checked: every write maps `EPIPE` to the quiet exit.
pub struct Out {
    stdout: io::Stdout,
}

impl Default for Out {
    fn default() -> Self {
        Out::new()
    }
}

impl Out {
    pub fn new() -> Out {
        Out {
            stdout: io::stdout(),
        }
    }

    /// Writes `text` and flushes, so a streamed delta is seen (and a closed pipe noticed) now.
    pub fn text(&mut self, text: &str) -> Result<(), ExitCode> {
        let mut lock = self.stdout.lock();
        checked(lock.write_all(text.as_bytes()).and_then(|()| lock.flush()))
    }

    /// Writes one line.
    pub fn line(&mut self, line: impl Display) -> Result<(), ExitCode> {
        let mut lock = self.stdout.lock();
        checked(writeln!(lock, "{line}").and_then(|()| lock.flush()))
    }

    /// Writes a JSON value as one compact line.
    pub fn json_line(&mut self, value: &serde_json::Value) -> Result<(), ExitCode> {
        self.line(value)
    }

    /// Writes a JSON value pretty-printed.
    pub fn json_pretty(&mut self, value: &serde_json::Value) -> Result<(), ExitCode> {
        let text = serde_json::to_string_pretty(value).unwrap_or_default();
        self.line(text)
    }
}
