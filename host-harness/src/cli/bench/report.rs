//! How `bench` shows its figures: a table on stdout (figures with their units, the machine's
//! core count, the plugin version), or with `--json` one object holding the same figures at
//! full precision:
//!
//! | key | value |
//! |---|---|
//! | `mode` | `emulator` or `live` |
//! | `model`, `region`, `endpoint` | the chat model; the plugin's region and runtime endpoint |
//! | `machine` | `cores` (available parallelism), `os`, `arch` |
//! | `plugin` | `id`, `version` (the library's own), `plugin_api` (the interface this host was built against) |
//! | `host_runtime_worker_threads` | the host runtime the plugin is polled from |
//! | `harness_build` | `debug` or `release`: how this host-harness was built (a debug build is several times slower) |
//! | `load_instantiate_ns` | library checks, dlopen and `new_instance`, once |
//! | `list_models` | `first_ns`, `models`, `warm_calls`, `warm_median_ns`, `warm_p90_ns` |
//! | `first_text_delta` | `warm_up`, `requests`, `median_ns`, `p90_ns`, `min_ns`, `max_ns` |
//! | `stream` | `requested_events` (emulator, else null), `max_tokens`, `text_deltas`, `events` (all stream events), `first_delta_ns`, `elapsed_ns`, `events_per_s`, `ns_per_event` (per text delta), `stop_reason`, `output_tokens` |
//! | `embeddings` | null, or `model`, `family`, `texts_per_batch`, `warm_up`, `batches`, `dimensions`, `median_batch_ns`, `p90_batch_ns`, `texts_per_s` |
//! | `sent` | `chat_streams`, `embedding_batches`: the requests the run sent |
//! | `emulator` | null with `--live`, else `url`, `converse_stream_requests`, `invoke_model_requests` (what the emulator served) |

use std::process::ExitCode;
use std::time::Duration;

use serde_json::{json, Value};

use super::super::output::Out;
use super::super::term::{stdout_styled, Style};
use super::super::{HOST_WORKER_THREADS, PLUGIN_ID};
use super::measure::{Measured, Summary};
use super::{Long, Plan};

/// What the emulator served during the run.
pub struct EmulatorCounts {
    pub url: String,
    pub converse_stream: usize,
    pub invoke_model: usize,
}

/// One run's figures and what they were measured on.
pub struct Report<'a> {
    pub plan: &'a Plan,
    pub plugin_version: String,
    pub region: String,
    pub endpoint: String,
    pub cores: usize,
    pub load: Duration,
    pub measured: Measured,
    pub emulator: Option<EmulatorCounts>,
}

/// A duration for people: ns, µs, ms or s, three significant figures or so.
pub fn duration(value: Duration) -> String {
    let nanos = value.as_nanos();
    let secs = value.as_secs_f64();
    if nanos < 1_000 {
        format!("{nanos} ns")
    } else if nanos < 1_000_000 {
        format!("{:.1} µs", secs * 1e6)
    } else if nanos < 1_000_000_000 {
        format!("{:.2} ms", secs * 1e3)
    } else {
        format!("{secs:.2} s")
    }
}

/// A rate rounded to a whole number, thousands separated by commas.
pub fn grouped(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// How this harness was built.
const BUILD: &str = if cfg!(debug_assertions) {
    "debug"
} else {
    "release"
};

fn nanos(value: Duration) -> u64 {
    u64::try_from(value.as_nanos()).unwrap_or(u64::MAX)
}

fn summary_json(summary: &Summary) -> Value {
    json!({
        "median_ns": nanos(summary.median),
        "p90_ns": nanos(summary.p90),
        "min_ns": nanos(summary.min),
        "max_ns": nanos(summary.max),
    })
}

/// Merges the keys of `extra` into the object `base`.
fn merged(mut base: Value, extra: Value) -> Value {
    if let (Some(base), Value::Object(extra)) = (base.as_object_mut(), extra) {
        base.extend(extra);
    }
    base
}

impl Report<'_> {
    pub fn print(&self, as_json: bool) -> Result<(), ExitCode> {
        let mut out = Out::new();
        if as_json {
            return out.json_pretty(&self.json());
        }
        for line in self.lines(Style::new(stdout_styled())) {
            out.line(line)?;
        }
        Ok(())
    }

    pub fn json(&self) -> Value {
        let Measured {
            listing,
            first_delta,
            throughput,
            embedding,
        } = &self.measured;
        let (_, max_tokens) = self.plan.long.request();
        json!({
            "mode": if self.plan.live { "live" } else { "emulator" },
            "model": self.plan.model,
            "region": self.region,
            "endpoint": self.endpoint,
            "machine": {
                "cores": self.cores,
                "os": std::env::consts::OS,
                "arch": std::env::consts::ARCH,
            },
            "plugin": {
                "id": PLUGIN_ID,
                "version": self.plugin_version,
                "plugin_api": plugin_api::PLUGIN_API_VERSION,
            },
            "host_runtime_worker_threads": HOST_WORKER_THREADS,
            "harness_build": BUILD,
            "load_instantiate_ns": nanos(self.load),
            "list_models": {
                "first_ns": nanos(listing.first),
                "models": listing.models,
                "warm_calls": listing.warm_calls,
                "warm_median_ns": nanos(listing.warm.median),
                "warm_p90_ns": nanos(listing.warm.p90),
            },
            "first_text_delta": merged(
                json!({"warm_up": first_delta.warm_up, "requests": first_delta.requests}),
                summary_json(&first_delta.summary),
            ),
            "stream": {
                "requested_events": match self.plan.long {
                    Long::Events(events) => Some(events),
                    Long::MaxTokens(_) => None,
                },
                "max_tokens": max_tokens,
                "text_deltas": throughput.text_deltas,
                "events": throughput.events,
                "first_delta_ns": throughput.first_delta.map(nanos),
                "elapsed_ns": nanos(throughput.elapsed),
                "events_per_s": throughput.events_per_second(),
                "ns_per_event": throughput.ns_per_event(),
                "stop_reason": throughput.stop_reason,
                "output_tokens": throughput.output_tokens,
            },
            "embeddings": embedding.as_ref().map(|embedding| json!({
                "model": embedding.model,
                "family": embedding.family,
                "texts_per_batch": embedding.texts,
                "warm_up": embedding.warm_up,
                "batches": embedding.batches,
                "dimensions": embedding.dimensions,
                "median_batch_ns": nanos(embedding.summary.median),
                "p90_batch_ns": nanos(embedding.summary.p90),
                "texts_per_s": embedding.texts_per_second(),
            })),
            "sent": {
                "chat_streams": self.plan.chat_streams(),
                "embedding_batches": self.plan.embedding_batches(),
            },
            "emulator": self.emulator.as_ref().map(|emulator| json!({
                "url": emulator.url,
                "converse_stream_requests": emulator.converse_stream,
                "invoke_model_requests": emulator.invoke_model,
            })),
        })
    }

    /// The rows of the table: measure, value with its unit, note.
    fn rows(&self) -> Vec<[String; 3]> {
        let Measured {
            listing,
            first_delta,
            throughput,
            embedding,
        } = &self.measured;
        let ttft = &first_delta.summary;
        let mut rows = vec![
            [
                "load + instantiate".to_owned(),
                duration(self.load),
                "library checks, dlopen, new_instance; once".to_owned(),
            ],
            [
                "first list_models".to_owned(),
                duration(listing.first),
                format!("{} model(s)", listing.models),
            ],
            [
                "warm list_models through the ABI".to_owned(),
                duration(listing.warm.median),
                format!(
                    "median of {} calls, p90 {}",
                    listing.warm_calls,
                    duration(listing.warm.p90)
                ),
            ],
            [
                "time to first text delta, median".to_owned(),
                duration(ttft.median),
                format!(
                    "{} short streams after {} warm-up",
                    first_delta.requests, first_delta.warm_up
                ),
            ],
            [
                "time to first text delta, p90".to_owned(),
                duration(ttft.p90),
                format!("min {}, max {}", duration(ttft.min), duration(ttft.max)),
            ],
        ];
        let first = throughput.first_delta.map_or(String::new(), |first| {
            format!(", first after {}", duration(first))
        });
        rows.push([
            "stream throughput".to_owned(),
            format!("{} events/s", grouped(throughput.events_per_second())),
            format!(
                "{} text deltas in {}{first}; stop reason {}",
                throughput.text_deltas,
                duration(throughput.elapsed),
                throughput.stop_reason
            ),
        ]);
        rows.push([
            "stream time per event".to_owned(),
            throughput
                .ns_per_event()
                .map_or("-".to_owned(), |ns| format!("{} ns/event", grouped(ns))),
            format!("{} stream events in all", throughput.events),
        ]);
        if let Some(embedding) = embedding {
            rows.push([
                "embeddings throughput".to_owned(),
                format!("{} texts/s", grouped(embedding.texts_per_second())),
                format!(
                    "{} batches of {} after {} warm-up, median {}/batch; {} dims",
                    embedding.batches,
                    embedding.texts,
                    embedding.warm_up,
                    duration(embedding.summary.median),
                    embedding.dimensions
                ),
            ]);
        }
        rows
    }

    fn lines(&self, style: Style) -> Vec<String> {
        let target = match &self.emulator {
            Some(emulator) => format!("embedded emulator at {}", emulator.url),
            None => format!("{} (live: billed)", self.endpoint),
        };
        let mut lines = vec![
            format!(
                "{}{PLUGIN_ID} plugin {} (plugin-api {}){} on {} core(s), {} {}; host runtime {} worker threads; {BUILD} build",
                style.bold,
                self.plugin_version,
                plugin_api::PLUGIN_API_VERSION,
                style.reset,
                self.cores,
                std::env::consts::OS,
                std::env::consts::ARCH,
                HOST_WORKER_THREADS,
            ),
            format!(
                "target: {target}, region {}, model {}",
                self.region, self.plan.model
            ),
            String::new(),
        ];
        let rows = self.rows();
        let header = ["MEASURE", "VALUE", "NOTE"];
        let width = |column: usize| {
            rows.iter()
                .map(|row| row[column].chars().count())
                .chain(std::iter::once(header[column].len()))
                .max()
                .unwrap_or(0)
        };
        let (measure, value) = (width(0), width(1));
        lines.push(format!(
            "{}{:<measure$}  {:>value$}  {}{}",
            style.bold, header[0], header[1], header[2], style.reset
        ));
        for [name, figure, note] in &rows {
            lines.push(format!("{name:<measure$}  {figure:>value$}  {note}"));
        }
        lines.push(String::new());
        let mut notes = vec![
            "an event is one text delta; times are measured by the host, from the call to what it describes"
                .to_owned(),
        ];
        if let Some(emulator) = &self.emulator {
            notes.push(format!(
                "the emulator served {} ConverseStream and {} InvokeModel request(s)",
                emulator.converse_stream, emulator.invoke_model
            ));
        }
        lines.extend(
            notes
                .into_iter()
                .map(|note| format!("{}{note}{}", style.dim, style.reset)),
        );
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_pick_their_unit() {
        assert_eq!(duration(Duration::from_nanos(812)), "812 ns");
        assert_eq!(duration(Duration::from_nanos(3_140)), "3.1 µs");
        assert_eq!(duration(Duration::from_micros(12_400)), "12.40 ms");
        assert_eq!(duration(Duration::from_millis(2_500)), "2.50 s");
    }

    #[test]
    fn rates_are_grouped_by_thousands() {
        assert_eq!(grouped(0.4), "0");
        assert_eq!(grouped(999.0), "999");
        assert_eq!(grouped(1_234_567.4), "1,234,567");
        assert_eq!(grouped(100_000.0), "100,000");
    }
}
