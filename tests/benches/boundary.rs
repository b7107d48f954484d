//! What crossing the plugin boundary costs per stream event.
//!
//! One run, one machine, three ways to read the same 100,000-event ConverseStream from the
//! local emulator:
//! 1. the AWS SDK directly in this process (no boundary): the baseline;
//! 2. the plugin cdylib through abi_stable, consumed as a `futures::Stream` on a host runtime;
//! 3. the same, with the plugin's runtime switched to two worker threads
//!    (`BEDROCK_PLUGIN_WORKER_THREADS`, run in a child process so each gets a fresh plugin).
//!
//! It prints events/s and per-event nanoseconds for each, and the ratios to the baseline.
//! Run with `cargo bench -p e2e-tests --bench boundary`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use bedrock_emulator::{Emulator, EmulatorOptions};
use common::*;
use futures::StreamExt;
use plugin_api::event::StreamEvent;
use serde_json::json;

const EVENTS: usize = 100_000;
const RUNS: usize = 5;

fn prompt() -> String {
    format!("!long={EVENTS}")
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn direct_sdk(emulator: &Emulator) -> Duration {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let client = sdk_client(emulator);
    runtime.block_on(async {
        let message = aws_sdk_bedrockruntime::types::Message::builder()
            .role(aws_sdk_bedrockruntime::types::ConversationRole::User)
            .content(aws_sdk_bedrockruntime::types::ContentBlock::Text(prompt()))
            .build()
            .expect("message");
        let started = Instant::now();
        let mut output = client
            .converse_stream()
            .model_id(MODEL)
            .messages(message)
            .send()
            .await
            .expect("send");
        let mut deltas = 0usize;
        while let Some(event) = output.stream.recv().await.expect("event") {
            if matches!(
                event,
                aws_sdk_bedrockruntime::types::ConverseStreamOutput::ContentBlockDelta(_)
            ) {
                deltas += 1;
            }
        }
        assert_eq!(deltas, EVENTS);
        started.elapsed()
    })
}

fn through_plugin(emulator: &Emulator) -> Duration {
    let installed = install(|_| {});
    let plugin = load(&installed, &host_config(emulator, json!({}))).expect("plugin loads");
    runtime().block_on(async {
        let started = Instant::now();
        let mut request = chat_request(MODEL, &prompt());
        request.options.max_tokens =
            plugin_api::abi_stable::std_types::ROption::RSome(2 * EVENTS as u64);
        let mut stream = plugin.stream_chat(request).expect("stream");
        let mut deltas = 0usize;
        while let Some(event) = stream.next().await {
            if matches!(event.as_enum(), Ok(StreamEvent::TextDelta { .. })) {
                deltas += 1;
            }
        }
        assert_eq!(deltas, EVENTS);
        started.elapsed()
    })
}

fn report(label: &str, time: Duration, baseline: Duration) {
    let per_event_ns = time.as_nanos() as f64 / EVENTS as f64;
    println!(
        "{label:<44} median {:>8.1} ms  {:>9.0} events/s  {:>7.0} ns/event  {:>5.2}x baseline",
        time.as_secs_f64() * 1e3,
        EVENTS as f64 / time.as_secs_f64(),
        per_event_ns,
        time.as_secs_f64() / baseline.as_secs_f64()
    );
}

fn main() {
    // Child mode: measure the plugin path only and print nanoseconds (used for variant 3).
    if std::env::var_os("BOUNDARY_BENCH_CHILD").is_some() {
        let emulator = Emulator::start(EmulatorOptions::default()).expect("emulator");
        let samples: Vec<Duration> = (0..RUNS).map(|_| through_plugin(&emulator)).collect();
        println!("{}", median(samples).as_nanos());
        return;
    }
    if std::env::args().any(|arg| arg == "--list") {
        return;
    }
    let emulator = Emulator::start(EmulatorOptions::default()).expect("emulator");
    let direct = median((0..RUNS).map(|_| direct_sdk(&emulator)).collect());
    let plugin = median((0..RUNS).map(|_| through_plugin(&emulator)).collect());
    let exe = std::env::current_exe().expect("bench executable");
    let output = std::process::Command::new(exe)
        .env("BOUNDARY_BENCH_CHILD", "1")
        .env("BEDROCK_PLUGIN_WORKER_THREADS", "2")
        .output()
        .expect("child bench");
    let multi = String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse::<u64>()
        .map(Duration::from_nanos)
        .ok();
    println!(
        "{EVENTS} text-delta events per stream, median of {RUNS} runs, one emulator, one process"
    );
    report("SDK directly (no boundary)", direct, direct);
    report(
        "plugin cdylib, current-thread plugin runtime",
        plugin,
        direct,
    );
    match multi {
        Some(multi) => report("plugin cdylib, 2-worker plugin runtime", multi, direct),
        None => println!(
            "2-worker variant failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ),
    }
    let boundary_ns = (plugin.as_nanos() as f64 - direct.as_nanos() as f64) / EVENTS as f64;
    println!("added cost of the boundary (queue + FFI batch pull + host stream): {boundary_ns:.0} ns/event");
}
