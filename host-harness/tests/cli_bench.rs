//! `bench` run as a user runs it: against its own embedded emulator (the default) and with
//! `--live` against the configured endpoint (here the test's emulator). The figures depend
//! on the machine, so nothing here asserts a time: only the shape of the output, that the
//! counts add up (requests sent = requests served, deltas asked = deltas read), that
//! `--json` parses and the exit codes.

mod common;

use std::process::Stdio;

use bedrock_emulator::Operation;
use common::cli::{Run, Setup, NOVA};
use serde_json::Value;

const EMBED_MODEL: &str = "amazon.titan-embed-text-v2:0";

/// A small emulator run: few requests, a short long stream.
const SMALL: &[&str] = &[
    "bench",
    "--requests",
    "4",
    "--warm-up",
    "2",
    "--events",
    "1500",
    "--list-calls",
    "20",
];

fn with(base: &[&'static str], extra: &[&'static str]) -> Vec<&'static str> {
    base.iter().chain(extra).copied().collect()
}

fn u64_at(document: &Value, pointer: &str) -> u64 {
    document
        .pointer(pointer)
        .and_then(Value::as_u64)
        .unwrap_or_else(|| panic!("{pointer} is not a count: {document:#}"))
}

/// min ≤ median ≤ p90 ≤ max: the order of a summary, whatever the figures.
fn assert_ordered(summary: &Value, prefix: &str) {
    let figure = |name: &str| u64_at(summary, &format!("/{prefix}{name}"));
    let (min, median, p90, max) = (
        figure("min_ns"),
        figure("median_ns"),
        figure("p90_ns"),
        figure("max_ns"),
    );
    assert!(min <= median && median <= p90 && p90 <= max, "{summary:#}");
}

fn manifest_version() -> String {
    common::real_manifest()["version"]
        .as_str()
        .expect("manifest version")
        .to_owned()
}

#[test]
fn json_figures_of_an_emulator_run_add_up() {
    // The setup's config is ignored: the emulator mode installs and configures its own.
    let setup = Setup::new();
    let args = with(
        SMALL,
        &[
            "--embed-model",
            EMBED_MODEL,
            "--embed-texts",
            "3",
            "--embed-batches",
            "2",
            "--json",
        ],
    );
    let run = setup.run(&args);
    run.expect_code(0);
    let report = run.json();
    assert_eq!(report["mode"], "emulator");
    assert_eq!(report["model"], NOVA);
    assert_eq!(report["region"], "us-east-1");
    assert_eq!(report["plugin"]["id"], "amazon-bedrock");
    assert_eq!(report["plugin"]["version"], manifest_version());
    assert!(u64_at(&report, "/machine/cores") >= 1);
    assert!(u64_at(&report, "/host_runtime_worker_threads") >= 1);
    assert!(report["load_instantiate_ns"].is_u64());
    assert!(["debug", "release"].contains(&report["harness_build"].as_str().unwrap()));
    // list_models: the first call and the warm ones.
    assert_eq!(u64_at(&report, "/list_models/warm_calls"), 20);
    assert!(u64_at(&report, "/list_models/models") >= 1);
    assert!(report["list_models"]["first_ns"].is_u64());
    assert!(
        u64_at(&report, "/list_models/warm_median_ns")
            <= u64_at(&report, "/list_models/warm_p90_ns")
    );
    // Time to first text delta.
    let first = &report["first_text_delta"];
    assert_eq!(
        (first["requests"].as_u64(), first["warm_up"].as_u64()),
        (Some(4), Some(2))
    );
    assert_ordered(first, "");
    // The long stream: every asked-for delta read, plus the stream's other events.
    let stream = &report["stream"];
    assert_eq!(stream["requested_events"], 1500);
    assert_eq!(stream["max_tokens"], 3000);
    assert_eq!(stream["text_deltas"], 1500);
    assert!(u64_at(stream, "/events") > 1500, "{stream:#}");
    assert_eq!(stream["stop_reason"], "stop");
    assert!(stream["events_per_s"].as_f64().unwrap() > 0.0);
    assert!(stream["ns_per_event"].as_f64().unwrap() > 0.0);
    assert!(u64_at(stream, "/first_delta_ns") <= u64_at(stream, "/elapsed_ns"));
    // Embeddings: three texts a batch, one warm-up batch and two measured.
    let embeddings = &report["embeddings"];
    assert_eq!(embeddings["model"], EMBED_MODEL);
    assert_eq!(embeddings["texts_per_batch"], 3);
    assert_eq!(embeddings["batches"], 2);
    assert_eq!(embeddings["warm_up"], 1);
    assert!(u64_at(embeddings, "/dimensions") > 0);
    assert!(embeddings["texts_per_s"].as_f64().unwrap() > 0.0);
    // What was sent is what the emulator served: 2 + 4 short streams and the long one; one
    // InvokeModel per Titan text.
    assert_eq!(u64_at(&report, "/sent/chat_streams"), 2 + 4 + 1);
    assert_eq!(u64_at(&report, "/sent/embedding_batches"), 3);
    assert_eq!(
        u64_at(&report, "/emulator/converse_stream_requests"),
        u64_at(&report, "/sent/chat_streams")
    );
    assert_eq!(u64_at(&report, "/emulator/invoke_model_requests"), 3 * 3);
    assert!(report["emulator"]["url"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:"));
    // The test's own emulator saw nothing: the run used its own.
    assert_eq!(setup.emulator.count(Operation::ConverseStream), 0);
    // Nothing but the JSON document on stdout, and no spinner off a terminal.
    assert!(!run.stderr.contains('\x1b'), "{}", run.stderr);
}

#[test]
fn the_table_names_figures_units_cores_and_the_plugin_version() {
    let setup = Setup::new();
    let run = setup.run(SMALL);
    run.expect_code(0);
    let text = &run.stdout;
    assert!(
        text.starts_with(&format!(
            "amazon-bedrock plugin {} (plugin-api ",
            manifest_version()
        )),
        "{text}"
    );
    assert!(text.contains(" core(s), "), "{text}");
    assert!(
        text.contains("target: embedded emulator at http://127.0.0.1:"),
        "{text}"
    );
    let header = text
        .lines()
        .find(|line| line.starts_with("MEASURE"))
        .expect("a table header");
    assert!(
        header.contains("VALUE") && header.contains("NOTE"),
        "{header}"
    );
    for (measure, unit) in [
        ("load + instantiate", "s"),
        ("first list_models", "s"),
        ("warm list_models through the ABI", "s"),
        ("time to first text delta, median", "s"),
        ("time to first text delta, p90", "s"),
        ("stream throughput", "events/s"),
        ("stream time per event", "ns/event"),
    ] {
        let line = text
            .lines()
            .find(|line| line.starts_with(measure))
            .unwrap_or_else(|| panic!("no {measure} row in\n{text}"));
        let value = line[measure.len()..].trim_start();
        assert!(
            value.split("  ").next().unwrap().ends_with(unit),
            "{measure}: {line}"
        );
    }
    assert!(text.contains("4 short streams after 2 warm-up"), "{text}");
    assert!(text.contains("1500 text deltas in "), "{text}");
    assert!(text.contains("the emulator served 7 ConverseStream and 0 InvokeModel request(s)"));
    assert!(!text.contains("embeddings throughput"));
    assert!(!text.contains('\x1b'), "no styling off a terminal: {text}");
}

#[test]
fn live_runs_against_the_configured_endpoint_and_warn_of_billing() {
    // The host config's endpoint is the test's emulator: it must serve every request.
    let setup = Setup::new();
    let run = setup.run(&[
        "bench",
        "--live",
        "--model",
        NOVA,
        "--requests",
        "2",
        "--list-calls",
        "5",
        "--max-tokens",
        "50",
        "--embed-model",
        EMBED_MODEL,
        "--embed-texts",
        "2",
        "--json",
    ]);
    run.expect_code(0);
    let report = run.json();
    assert_eq!(report["mode"], "live");
    assert!(report["emulator"].is_null());
    assert!(report["endpoint"]
        .as_str()
        .unwrap()
        .starts_with(setup.emulator.base_url()));
    // Low defaults: one warm-up stream; one warm-up and two measured embedding batches.
    assert_eq!(report["first_text_delta"]["warm_up"], 1);
    assert_eq!(report["first_text_delta"]["requests"], 2);
    assert!(report["stream"]["requested_events"].is_null());
    assert_eq!(report["stream"]["max_tokens"], 50);
    assert!(u64_at(&report, "/stream/text_deltas") >= 1);
    assert_eq!(report["embeddings"]["batches"], 2);
    assert_eq!(
        setup.emulator.count(Operation::ConverseStream) as u64,
        u64_at(&report, "/sent/chat_streams")
    );
    assert_eq!(u64_at(&report, "/sent/chat_streams"), 1 + 2 + 1);
    assert_eq!(setup.emulator.count(Operation::InvokeModel), 3 * 2);
    assert!(
        run.stderr
            .contains("warning: --live sends 3 short chat stream(s)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("Bedrock bills these requests"),
        "{}",
        run.stderr
    );
    // The human form says it is live.
    let run = setup.run(&[
        "bench",
        "--live",
        "--model",
        NOVA,
        "--requests",
        "1",
        "--warm-up",
        "0",
    ]);
    run.expect_code(0);
    assert!(run.stdout.contains("(live: billed)"), "{}", run.stdout);
}

#[test]
fn usage_errors_exit_2_and_failures_exit_1() {
    let setup = Setup::new();
    for args in [
        &["bench", "--live"][..],
        &["bench", "--live", "--model", NOVA, "--events", "10"],
        &["bench", "--max-tokens", "10"],
        &["bench", "--requests", "0"],
        &["bench", "--events", "0"],
        &["bench", "--embed-texts", "2"],
    ] {
        let run = setup.run(args);
        run.expect_code(2);
    }
    // A live run whose host config cannot be parsed is a configuration error too.
    setup.write_config("{ plugins: ");
    setup
        .run(&["bench", "--live", "--model", NOVA])
        .expect_code(2);
    // A model the emulator does not know fails the run (exit 1), and says why.
    let run = setup.run(&["bench", "--model", "no.such-model-v1:0", "--requests", "1"]);
    run.expect_code(1);
    assert!(run.stderr.contains("bench: "), "{}", run.stderr);
}

#[test]
fn a_closed_stdout_ends_the_run_quietly() {
    let setup = Setup::new();
    let mut child = setup
        .command(SMALL)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // `| head -0`
    let output = child.wait_with_output().unwrap();
    let run = Run::from(output);
    run.expect_code(0);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(!run.stderr.contains("Broken pipe"), "{}", run.stderr);
}

#[test]
fn on_a_terminal_the_table_is_styled_unless_no_color() {
    let setup = Setup::new();
    let styled = setup.run_in_terminal(SMALL, &[]);
    styled.expect_code(0);
    assert!(styled.stdout.contains("\x1b[1m"), "{}", styled.stdout);
    let plain = setup.run_in_terminal(SMALL, &[("NO_COLOR", "1")]);
    plain.expect_code(0);
    assert!(!plain.stdout.contains('\x1b'), "{}", plain.stdout);
    assert!(
        plain.stdout.contains("stream throughput"),
        "{}",
        plain.stdout
    );
}

#[test]
fn help_has_examples_exit_codes_and_every_option() {
    let run = Run::from(
        std::process::Command::new(common::cli::BIN)
            .args(["bench", "--help"])
            .env_remove("HOST_HARNESS_CONFIG")
            .env_remove("HOST_HARNESS_PLUGINS_DIR")
            .output()
            .unwrap(),
    );
    run.expect_code(0);
    assert!(run.stdout.contains("Examples:\n  host-harness bench\n"));
    assert!(run.stdout.contains("Exit codes:\n  0"));
    for option in [
        "--live",
        "--model",
        "--requests",
        "--warm-up",
        "--events",
        "--max-tokens",
        "--list-calls",
        "--embed-model",
        "--embed-texts",
        "--embed-batches",
        "--json",
    ] {
        assert!(run.stdout.contains(&format!("      {option} ")), "{option}");
    }
}
