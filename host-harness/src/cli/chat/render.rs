//! How a chat stream is shown: text as it arrives, thinking apart from the answer (dim on a
//! styled terminal, `[thinking] … [/thinking]` elsewhere, `[redacted thinking]` for redacted
//! blocks), tool calls as `[tool call NAME {arguments}]`, and a footer on stderr. Model output
//! is stripped of terminal control sequences when stdout is a terminal.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use abi_stable::std_types::ROption;
use plugin_api::event::{ResponseSummary, StreamEvent, StreamEvent_NE};
use serde_json::json;

use crate::cli::json;
use crate::cli::output::Out;
use crate::cli::term::{Sanitizer, Style};

/// How output is shaped.
#[derive(Clone, Copy, Debug)]
pub struct Mode {
    /// stdout is a terminal: strip control sequences from model output.
    pub sanitize: bool,
    /// Styling on stdout (terminal and no `NO_COLOR`): dim thinking instead of markers.
    pub styled: bool,
}

/// The harness's own timings of one response.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    pub started: Instant,
    pub first_token: Option<Duration>,
}

impl Timing {
    pub fn start() -> Timing {
        Timing {
            started: Instant::now(),
            first_token: None,
        }
    }

    /// Notes the first text, thinking or tool delta.
    pub fn observe(&mut self, event: &StreamEvent) {
        let content = matches!(
            event,
            StreamEvent::TextDelta { .. }
                | StreamEvent::ThinkingDelta { .. }
                | StreamEvent::ThinkingRedacted { .. }
                | StreamEvent::ToolCallStart { .. }
                | StreamEvent::ToolCallDelta { .. }
        );
        if content && self.first_token.is_none() {
            self.first_token = Some(self.started.elapsed());
        }
    }
}

/// The closing facts, for the footer and the `summary` JSON line.
pub struct Closing<'a> {
    pub summary: &'a ResponseSummary,
    pub priced: bool,
    pub time_to_first_token: Option<Duration>,
    pub total: Duration,
}

fn millis(duration: Duration) -> u128 {
    duration.as_millis()
}

/// BR-60/62: the footer lines (stderr) after a response.
pub fn footer_lines(closing: &Closing<'_>) -> Vec<String> {
    let summary = closing.summary;
    let usage = &summary.usage;
    let mut lines = vec![
        format!(
            "stop: {}{}",
            json::stop_reason(summary),
            summary
                .provider_stop_reason
                .as_ref()
                .into_option()
                .map(|raw| format!(" ({raw})"))
                .unwrap_or_default()
        ),
        format!(
            "tokens: input {} output {} cacheRead {} cacheWrite {} total {}",
            usage.input, usage.output, usage.cache_read, usage.cache_write, usage.total_tokens
        ),
        if closing.priced || usage.cost.total > 0.0 {
            format!("cost: ${:.6}", usage.cost.total)
        } else {
            "cost: n/a (no prices configured)".to_owned()
        },
    ];
    lines.push(match summary.resolved_model_id.as_ref().into_option() {
        Some(served) if served.as_str() != summary.model.as_str() => {
            format!("model: {served} (requested {})", summary.model)
        }
        _ => format!("model: {}", summary.model),
    });
    if let Some(tier) = summary.service_tier.as_ref().into_option() {
        lines.push(format!("service tier: {tier}"));
    }
    if let Some(id) = summary.request_id.as_ref().into_option() {
        lines.push(format!("request id: {id}"));
    }
    lines.push(match closing.time_to_first_token {
        Some(ttft) => format!("time to first token: {} ms", millis(ttft)),
        None => "time to first token: n/a (no content)".to_owned(),
    });
    lines.push(format!("total time: {} ms", millis(closing.total)));
    if let Some(latency) = summary.latency_ms.into_option() {
        lines.push(format!("server latency: {latency} ms"));
    }
    lines.extend(
        warnings(summary)
            .into_iter()
            .map(|message| format!("warning: {message}")),
    );
    lines
}

/// The warnings the plugin put on the final message (diagnostics of kind `warning` with a
/// `message`, e.g. EVT-33's cut tool call), cleaned of terminal controls: they can quote the
/// model's own words (a tool name).
fn warnings(summary: &ResponseSummary) -> Vec<String> {
    summary
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.kind.as_str() == "warning")
        .filter_map(|diagnostic| {
            let details: serde_json::Value =
                serde_json::from_str(diagnostic.details_json.as_str()).ok()?;
            let message = details.get("message")?.as_str()?;
            Some(Sanitizer::default().clean(message))
        })
        .collect()
}

/// The closing `{"type":"summary"}` line of `chat --json`.
pub fn summary_line(closing: &Closing<'_>, ok: bool, turn: usize) -> serde_json::Value {
    let summary = closing.summary;
    let opt = |value: &ROption<abi_stable::std_types::RString>| {
        value
            .as_ref()
            .into_option()
            .map(|text| text.as_str().to_owned())
    };
    json!({
        "type": "summary",
        "ok": ok,
        "turn": turn,
        "stop_reason": json::stop_reason(summary),
        "model": summary.model.as_str(),
        "resolved_model_id": opt(&summary.resolved_model_id),
        "request_id": opt(&summary.request_id),
        "usage": json::usage_json(&summary.usage),
        "priced": closing.priced || summary.usage.cost.total > 0.0,
        "time_to_first_token_ms": closing.time_to_first_token.map(|d| d.as_millis() as u64),
        "total_ms": closing.total.as_millis() as u64,
        "server_latency_ms": summary.latency_ms.into_option(),
        // BR-90..BR-92: the served latency, the structured mark and the citations.
        "served_performance": summary.served_performance(),
        "structured": summary.is_structured(),
        "citations": summary
            .citations_json()
            .and_then(|list| serde_json::from_str::<serde_json::Value>(list).ok()),
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Block {
    None,
    Text,
    Thinking,
}

/// The human rendering of one response on stdout: [`Human::event`] gives the text to
/// write for each event.
pub struct Human {
    mode: Mode,
    style: Style,
    sanitizer: Sanitizer,
    block: Block,
    at_line_start: bool,
    wrote_anything: bool,
    pending: String,
}

impl Human {
    pub fn new(mode: Mode) -> Human {
        Human {
            mode,
            style: Style::new(mode.styled),
            sanitizer: Sanitizer::default(),
            block: Block::None,
            at_line_start: true,
            wrote_anything: false,
            pending: String::new(),
        }
    }

    fn clean(&mut self, text: &str) -> String {
        if self.mode.sanitize {
            self.sanitizer.clean(text)
        } else {
            text.to_owned()
        }
    }

    fn write(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        self.at_line_start = text.ends_with('\n');
        self.wrote_anything = true;
        self.pending.push_str(text);
    }

    fn newline(&mut self) {
        if !self.at_line_start {
            self.write("\n");
        }
    }

    fn close_thinking(&mut self) {
        if self.block == Block::Thinking {
            let end = if self.mode.styled {
                self.style.reset
            } else {
                " [/thinking]"
            };
            self.write(end);
            self.write("\n");
        }
        self.block = Block::None;
    }

    fn open_thinking(&mut self) {
        if self.block == Block::Thinking {
            return;
        }
        self.newline();
        self.block = Block::Thinking;
        let start = if self.mode.styled {
            self.style.dim
        } else {
            "[thinking] "
        };
        // Styling codes are ours, never model output: written as they are.
        self.pending.push_str(start);
        self.wrote_anything = true;
        self.at_line_start = false;
    }

    /// The text to show for one event (often empty).
    pub fn event(&mut self, event: &StreamEvent) -> String {
        match event {
            StreamEvent::TextDelta { delta, .. } => {
                self.close_thinking();
                self.block = Block::Text;
                let text = self.clean(delta);
                self.write(&text);
            }
            // Opened on its first text: a redacted block has none, only its marker.
            StreamEvent::ThinkingStart { .. } => {}
            StreamEvent::ThinkingDelta { delta, .. } => {
                self.open_thinking();
                let text = self.clean(delta);
                self.write(&text);
            }
            StreamEvent::ThinkingRedacted { .. } => {
                self.close_thinking();
                self.newline();
                let line = format!(
                    "{}[redacted thinking]{}\n",
                    self.style.dim, self.style.reset
                );
                self.write(&line);
            }
            StreamEvent::ThinkingEnd { .. } => self.close_thinking(),
            StreamEvent::ToolCallEnd {
                name,
                arguments_json,
                ..
            } => {
                self.close_thinking();
                self.newline();
                let name = self.clean(name);
                let arguments = self.clean(arguments_json);
                let line = format!(
                    "{}[tool call {name} {arguments}]{}\n",
                    self.style.cyan, self.style.reset
                );
                self.block = Block::None;
                self.write(&line);
            }
            StreamEvent::Done(_) | StreamEvent::Error(_) => {
                self.close_thinking();
                if self.wrote_anything {
                    self.newline();
                }
            }
            _ => {}
        }
        std::mem::take(&mut self.pending)
    }
}

/// One `--json` line per event.
pub fn json_event(out: &mut Out, event: &StreamEvent_NE) -> Result<(), ExitCode> {
    out.json_line(&json::event_json(event))
}
