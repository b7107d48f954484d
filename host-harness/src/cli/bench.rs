//! `bench`: latency and throughput through the loaded plugin (issue 9), as a user measures
//! them on their own machine: against the embedded emulator set up as `demo` sets it up (the
//! default: no AWS account, nothing billed), or with `--live` against the endpoint and
//! credentials of the host config. The measurements are in [`measure`], the table and the
//! `--json` document in [`report`].

mod measure;
mod report;

use std::process::ExitCode;
use std::time::Instant;

use host_harness::emulator::{Emulator, DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY};
use serde_json::json;

use super::demo::{demo_config, Sandbox};
use super::term::Spinner;
use super::{err_line, fail, host_failure, runtime, Context, PluginArgs, Top, PLUGIN_ID};

pub const AFTER_HELP: &str = concat!(
    "Examples:
  host-harness bench
  host-harness bench --requests 50 --events 1000000 --json | jq .stream.events_per_s
  host-harness bench --embed-model amazon.titan-embed-text-v2:0
  host-harness bench --live --model us.anthropic.claude-haiku-4-5-20251001-v1:0 --requests 3

What it measures, through the loaded plugin on a host runtime of 2 worker threads:
  load + instantiate        library checks, dlopen and the plugin's new_instance, once
  list_models               the first call (discovery), then the median of --list-calls warm ones
  time to first text delta  median and p90 over --requests short streams, after --warm-up ones
  stream throughput         text-delta events/s and ns/event of one long stream: --events deltas
                            from the emulator (its !long=N prompt), or with --live one long answer
  embeddings                with --embed-model: texts/s at the median of --embed-batches batches

Without --live the embedded emulator answers on loopback, with the plugin installed and
configured in a temporary directory as `demo` does (--config and --plugins-dir apply to
--live only): no AWS account needed, nothing billed. With --live the plugin installed in
--plugins-dir runs with the endpoint, region and credentials of the host config (--config);
Bedrock bills those requests, so the defaults are low: 1 + 5 short answers, one answer of up
to 400 tokens, 1 + 2 embedding batches of 4 texts.
Figures depend on the machine and its load; the output names its core count.

",
    super::exit_codes!()
);

/// The emulator mode's chat model (the demo's).
const EMULATOR_MODEL: &str = "amazon.nova-micro-v1:0";
/// The most text deltas the emulator streams for `!long=N`.
const MAX_EVENTS: u32 = 10_000_000;
/// The live mode's long answer.
const LIVE_LONG_PROMPT: &str =
    "Write a detailed, multi-paragraph essay on the history of the bicycle.";
/// The live mode's short answer, and its output-token limit.
const LIVE_SHORT_PROMPT: &str = "Reply with the single word: ok";
const LIVE_SHORT_MAX_TOKENS: u64 = 16;

#[derive(clap::Args)]
pub struct Args {
    // With --live: the host config and the installed plugin (the emulator mode installs and
    // configures its own).
    #[command(flatten)]
    pub plugin: PluginArgs,
    /// Measure against the endpoint, region and credentials of the host config instead of
    /// the embedded emulator. Bedrock bills these requests; needs --model.
    #[arg(long, requires = "model")]
    live: bool,
    /// The chat model id (without the amazon-bedrock/ prefix); required with --live, else
    /// amazon.nova-micro-v1:0 by default.
    #[arg(long, value_name = "MODEL")]
    model: Option<String>,
    /// Short streams measured for the time to first text delta. Default: 200; with --live 5.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    requests: Option<u32>,
    /// Short streams sent before them and not measured. Default: 20; with --live 1.
    #[arg(long, value_name = "N")]
    warm_up: Option<u32>,
    /// Text-delta events of the throughput stream (the emulator's !long=N prompt directive).
    /// Default: 100000. Not with --live (see --max-tokens).
    #[arg(long, value_name = "N", conflicts_with = "live",
          value_parser = clap::value_parser!(u32).range(1..=MAX_EVENTS as i64))]
    events: Option<u32>,
    /// With --live: the output-token limit of the long answer. Default: 400.
    #[arg(long, value_name = "N", requires = "live",
          value_parser = clap::value_parser!(u32).range(1..))]
    max_tokens: Option<u32>,
    /// Warm list_models calls through the ABI, summarised by their median.
    #[arg(long, value_name = "N", default_value_t = 1000,
          value_parser = clap::value_parser!(u32).range(1..))]
    list_calls: u32,
    /// Also measure embeddings throughput with this embedding model (e.g.
    /// amazon.titan-embed-text-v2:0).
    #[arg(long, value_name = "MODEL")]
    embed_model: Option<String>,
    /// Texts per embedding batch. Default: 32; with --live 4.
    #[arg(long, value_name = "N", requires = "embed_model",
          value_parser = clap::value_parser!(u32).range(1..))]
    embed_texts: Option<u32>,
    /// Embedding batches measured, after one warm-up batch. Default: 10; with --live 2.
    #[arg(long, value_name = "N", requires = "embed_model",
          value_parser = clap::value_parser!(u32).range(1..))]
    embed_batches: Option<u32>,
    /// Print the figures as one JSON object (durations in nanoseconds, rates per second).
    #[arg(long)]
    json: bool,
}

/// The long stream of the throughput measurement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Long {
    /// The emulator's `!long=N`: N text deltas.
    Events(usize),
    /// A live answer of up to this many output tokens.
    MaxTokens(usize),
}

impl Long {
    /// The prompt and the output-token limit of the request.
    fn request(self) -> (String, u64) {
        match self {
            // Twice N, as the boundary bench does: the limit never cuts the stream short.
            Long::Events(events) => (format!("!long={events}"), 2 * events as u64),
            Long::MaxTokens(tokens) => (LIVE_LONG_PROMPT.to_owned(), tokens as u64),
        }
    }

    /// N, whichever it counts.
    fn size(self) -> usize {
        match self {
            Long::Events(n) | Long::MaxTokens(n) => n,
        }
    }

    fn describe(self) -> String {
        match self {
            Long::Events(events) => format!("{events} text deltas"),
            Long::MaxTokens(tokens) => format!("an answer of up to {tokens} tokens"),
        }
    }
}

/// The embedding part of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmbedPlan {
    pub model: String,
    pub texts: usize,
    pub warm_up: usize,
    pub batches: usize,
}

/// What one run does: the options with the mode's defaults applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub live: bool,
    pub model: String,
    pub requests: usize,
    pub warm_up: usize,
    pub long: Long,
    pub list_calls: usize,
    pub embed: Option<EmbedPlan>,
}

impl Plan {
    pub fn new(args: &Args) -> Plan {
        let live = args.live;
        let pick = |given: Option<u32>, emulator: usize, live_default: usize| {
            given.map_or(if live { live_default } else { emulator }, |n| n as usize)
        };
        Plan {
            live,
            model: args
                .model
                .clone()
                .unwrap_or_else(|| EMULATOR_MODEL.to_owned()),
            requests: pick(args.requests, 200, 5),
            warm_up: pick(args.warm_up, 20, 1),
            long: if live {
                Long::MaxTokens(pick(args.max_tokens, 400, 400))
            } else {
                Long::Events(pick(args.events, 100_000, 100_000))
            },
            list_calls: args.list_calls as usize,
            embed: args.embed_model.as_ref().map(|model| EmbedPlan {
                model: model.clone(),
                texts: pick(args.embed_texts, 32, 4),
                warm_up: 1,
                batches: pick(args.embed_batches, 10, 2),
            }),
        }
    }

    fn short_prompt(&self) -> &'static str {
        if self.live {
            LIVE_SHORT_PROMPT
        } else {
            "hi"
        }
    }

    fn short_max_tokens(&self) -> Option<u64> {
        self.live.then_some(LIVE_SHORT_MAX_TOKENS)
    }

    /// The chat streams the run sends: the short ones and the long one.
    pub fn chat_streams(&self) -> usize {
        self.warm_up + self.requests + 1
    }

    /// The embedding batches the run sends.
    pub fn embedding_batches(&self) -> usize {
        self.embed
            .as_ref()
            .map_or(0, |embed| embed.warm_up + embed.batches)
    }
}

/// The emulator mode's host config: the demo's, with the emulator's test keys and endpoints
/// in the plugin config (this process loads the plugin itself, and its environment is left
/// as it is).
fn emulator_config(emulator: &Emulator, model: &str) -> serde_json::Value {
    let mut config = demo_config(model);
    let plugin = &mut config["plugins"]["entries"][PLUGIN_ID]["config"];
    plugin["awsAuthentication"] = json!("credentials");
    plugin["awsAccessKey"] = json!(DEFAULT_ACCESS_KEY_ID);
    plugin["awsSecretKey"] = json!(DEFAULT_SECRET_ACCESS_KEY);
    plugin["awsBedrockEndpoint"] = json!(emulator.base_url());
    plugin["awsBedrockControlPlaneEndpoint"] = json!(emulator.base_url());
    config
}

/// The warning a live run prints before its first billed request.
fn billing_warning(plan: &Plan, endpoint: &str, region: &str) -> String {
    let embeddings = match plan.embedding_batches() {
        0 => String::new(),
        batches => format!(
            ", {batches} embedding batch(es) of {} texts",
            plan.embed.as_ref().map_or(0, |embed| embed.texts)
        ),
    };
    format!(
        "warning: --live sends {} short chat stream(s), one answer of up to {} tokens{embeddings} \
         to {endpoint} (region {region}) as {}; Bedrock bills these requests to your AWS account",
        plan.warm_up + plan.requests,
        plan.long.size(),
        plan.model
    )
}

pub fn run(top: &Top, args: Args) -> Result<ExitCode, ExitCode> {
    let plan = Plan::new(&args);
    // Emulator mode: the demo's setup, kept alive until the report is out.
    let sandbox = if plan.live {
        None
    } else {
        let spinner = Spinner::start("bench: starting the emulator and installing the plugin…");
        let model = plan.model.clone();
        let started = Sandbox::start(|emulator| emulator_config(emulator, &model));
        drop(spinner);
        Some(started.map_err(|err| fail(format_args!("bench: {err}")))?)
    };
    let context = match &sandbox {
        Some(sandbox) => Context {
            config_path: Some(sandbox.config.clone()),
            plugins_dir: sandbox.plugins.clone(),
        },
        None => top.context(&args.plugin),
    };
    let config = context.config()?;
    let spinner = Spinner::start("bench: loading the plugin…");
    let started = Instant::now();
    let opened = host_harness::host::open(&context.plugins_dir, PLUGIN_ID, &config);
    let load = started.elapsed();
    drop(spinner);
    let plugin = opened.map_err(host_failure)?;
    let status = plugin.status();
    if plan.live {
        err_line(billing_warning(
            &plan,
            status.runtime_endpoint.as_str(),
            status.region.as_str(),
        ));
    }
    let measured = runtime()?.block_on(measure::all(&plugin, &plan))?;
    let facts = host_harness::loader::library_facts(plugin.module);
    let report = report::Report {
        plan: &plan,
        plugin_version: facts.version,
        region: status.region.to_string(),
        endpoint: status.runtime_endpoint.to_string(),
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        load,
        measured,
        emulator: sandbox.as_ref().map(|sandbox| report::EmulatorCounts {
            url: sandbox.emulator.base_url().to_owned(),
            converse_stream: sandbox
                .emulator
                .count(host_harness::emulator::Operation::ConverseStream),
            invoke_model: sandbox
                .emulator
                .count(host_harness::emulator::Operation::InvokeModel),
        }),
    };
    report.print(args.json)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    fn plan(argv: &[&str]) -> Plan {
        let cli = Cli::try_parse_from(std::iter::once("bench").chain(argv.iter().copied()))
            .unwrap_or_else(|err| panic!("{argv:?}: {err}"));
        Plan::new(&cli.args)
    }

    #[test]
    fn live_defaults_are_low_and_emulator_defaults_match_the_benches() {
        let emulator = plan(&[]);
        assert_eq!(emulator.model, EMULATOR_MODEL);
        assert_eq!((emulator.requests, emulator.warm_up), (200, 20));
        assert_eq!(emulator.long, Long::Events(100_000));
        assert_eq!(emulator.chat_streams(), 221);
        let live = plan(&["--live", "--model", "m", "--embed-model", "e"]);
        assert_eq!((live.requests, live.warm_up), (5, 1));
        assert_eq!(live.long, Long::MaxTokens(400));
        assert_eq!(live.embedding_batches(), 3);
        let warning = billing_warning(&live, "https://x", "us-east-1");
        assert!(warning.contains("6 short chat stream(s)"), "{warning}");
        assert!(warning.contains("bills"), "{warning}");
    }

    #[test]
    fn options_that_do_not_fit_the_mode_are_usage_errors() {
        for argv in [
            &["--live"][..],
            &["--live", "--model", "m", "--events", "10"],
            &["--max-tokens", "10"],
            &["--requests", "0"],
            &["--events", "0"],
            &["--embed-texts", "3"],
        ] {
            let parsed = Cli::try_parse_from(std::iter::once("bench").chain(argv.iter().copied()));
            assert!(parsed.is_err(), "{argv:?} parsed");
        }
    }

    #[test]
    fn the_long_stream_asks_the_emulator_for_n_deltas() {
        assert_eq!(Long::Events(7).request(), ("!long=7".to_owned(), 14));
        assert_eq!(Long::MaxTokens(9).request().1, 9);
    }
}
