//! What the CLI knows about where its output goes: whether a stream is a terminal, whether
//! colour is wanted there (`NO_COLOR`), a spinner that only a terminal sees, and the
//! sanitising of model output before it reaches a terminal.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// True when `NO_COLOR` is set to a non-empty value (<https://no-color.org>).
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty())
}

/// Whether stdout is a terminal.
pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// Whether stderr is a terminal.
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// Colour (and other styling) on stdout: a terminal, and `NO_COLOR` unset.
pub fn stdout_styled() -> bool {
    stdout_is_terminal() && !no_color()
}

/// Colour on stderr (log lines, the footer): a terminal, and `NO_COLOR` unset.
pub fn stderr_styled() -> bool {
    stderr_is_terminal() && !no_color()
}

/// SGR sequences used for styling; empty strings when styling is off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    pub dim: &'static str,
    pub bold: &'static str,
    pub cyan: &'static str,
    pub yellow: &'static str,
    pub reset: &'static str,
}

impl Style {
    pub const PLAIN: Style = Style {
        dim: "",
        bold: "",
        cyan: "",
        yellow: "",
        reset: "",
    };
    pub const ANSI: Style = Style {
        dim: "\x1b[2m",
        bold: "\x1b[1m",
        cyan: "\x1b[36m",
        yellow: "\x1b[33m",
        reset: "\x1b[0m",
    };

    pub fn new(styled: bool) -> Style {
        if styled {
            Style::ANSI
        } else {
            Style::PLAIN
        }
    }
}

/// A spinner on stderr with `message`, drawn only when stderr is a terminal and `NO_COLOR`
/// is unset (elsewhere it is hidden and costs nothing). Clear it with [`Spinner::done`] (or
/// by dropping it) before printing.
pub struct Spinner(Option<ProgressBar>);

impl Spinner {
    pub fn start(message: &str) -> Spinner {
        if !stderr_styled() {
            return Spinner(None);
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
            bar.set_style(style.tick_chars("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ "));
        }
        bar.set_message(message.to_owned());
        bar.enable_steady_tick(Duration::from_millis(80));
        Spinner(Some(bar))
    }

    pub fn done(self) {}
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish_and_clear();
        }
    }
}

/// Removes what could drive a terminal from model output: ESC-introduced sequences (CSI
/// `ESC [ … final`, OSC `ESC ] … BEL|ST`, DCS/SOS/PM/APC strings up to ST, and two-byte
/// `ESC x`), the 8-bit C1 controls (U+0080–U+009F, including CSI U+009B and OSC U+009D with
/// their bodies), BEL, DEL, and every other C0 control except `\n` and `\t`.
///
/// `pending` carries an unfinished sequence across calls, so a sequence split between two
/// stream deltas is still removed whole.
#[derive(Default, Debug)]
pub struct Sanitizer {
    state: State,
}

#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    #[default]
    Text,
    /// After ESC.
    Escape,
    /// Inside a CSI sequence: parameters until a final byte 0x40–0x7E.
    Csi,
    /// Inside an OSC/DCS/SOS/PM/APC string: until BEL or ST (`ESC \` or U+009C).
    String,
    /// ESC seen inside a string (an ST may follow).
    StringEscape,
}

impl Sanitizer {
    pub fn clean(&mut self, input: &str) -> String {
        let mut out = String::with_capacity(input.len());
        for c in input.chars() {
            self.state = match self.state {
                State::Text => match c {
                    '\x1b' => State::Escape,
                    '\u{9b}' => State::Csi,
                    '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => State::String,
                    '\n' | '\t' => {
                        out.push(c);
                        State::Text
                    }
                    c if c.is_control() => State::Text,
                    c => {
                        out.push(c);
                        State::Text
                    }
                },
                State::Escape => match c {
                    '[' => State::Csi,
                    ']' | 'P' | 'X' | '^' | '_' => State::String,
                    // Intermediate bytes of an nF sequence (`ESC ( B`): keep consuming.
                    '\x20'..='\x2f' => State::Escape,
                    _ => State::Text,
                },
                State::Csi => match c {
                    '\x40'..='\x7e' => State::Text,
                    // A control inside a CSI aborts it (as terminals do), dropping the control.
                    '\x1b' => State::Escape,
                    _ => State::Csi,
                },
                State::String => match c {
                    '\x07' | '\u{9c}' => State::Text,
                    '\x1b' => State::StringEscape,
                    _ => State::String,
                },
                State::StringEscape => match c {
                    '\\' => State::Text,
                    '\x1b' => State::StringEscape,
                    _ => State::String,
                },
            };
        }
        out
    }
}

/// [`Sanitizer::clean`] on a whole text.
pub fn sanitize(input: &str) -> String {
    Sanitizer::default().clean(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_removes_csi_osc_bel_and_c0_but_keeps_newline_and_tab() {
        let raw = "a\x1b[31mred\x1b[0m\x07 b\x1b]0;title\x07c\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\\td\r\ne\x08\x7f\u{9b}2Jf";
        assert_eq!(sanitize(raw), "ared bclink\td\nef");
    }

    #[test]
    fn sanitize_handles_sequences_split_across_deltas() {
        let mut sanitizer = Sanitizer::default();
        let mut out = sanitizer.clean("one \x1b[");
        out.push_str(&sanitizer.clean("1;31"));
        out.push_str(&sanitizer.clean("mtwo \x1b]2;ti"));
        out.push_str(&sanitizer.clean("tle\x1b"));
        out.push_str(&sanitizer.clean("\\three"));
        assert_eq!(out, "one two three");
    }

    #[test]
    fn sanitize_keeps_unicode_text() {
        assert_eq!(sanitize("héllo wörld ✓ 日本"), "héllo wörld ✓ 日本");
        assert_eq!(sanitize("\x1b(Bplain"), "plain");
    }

    #[test]
    fn plain_style_has_no_escape_codes() {
        let style = Style::new(false);
        assert_eq!(style, Style::PLAIN);
        assert!(Style::new(true).dim.starts_with('\x1b'));
    }
}
