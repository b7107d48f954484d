//! Latency through the plugin against the raw SDK, in one run (issue 9's goals):
//! 1. time to first text delta of a short stream (median and p90 of many requests);
//! 2. load + instantiate the cdylib, then its first `list_models` (loopback control plane)
//!    and a warm `list_models` through the ABI (each load in a fresh child process, since a
//!    process loads a library once).
//!
//! Run with `cargo bench -p e2e-tests --bench latency`. Figures are medians after warm-up;
//! ratios compare against the baseline measured in the same run.
//!
//! Profiling: `LATENCY_BENCH_PLUGIN_ONLY=1` or `LATENCY_BENCH_SDK_ONLY=1` runs only that
//! first-delta loop, `LATENCY_BENCH_SAMPLES=N` sets its length, and `LATENCY_BENCH_CHILD=1`
//! one load. Two callgrind runs of different lengths subtract the one-time costs out:
//! `(instructions(300) - instructions(100)) / 200` is the cost of one request (BENCHMARKS.md).

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use aws_sdk_bedrockruntime::types::{
    ContentBlock, ConversationRole, ConverseStreamOutput, Message,
};
use bedrock_emulator::{Emulator, EmulatorOptions};
use common::*;
use futures::StreamExt;
use plugin_api::event::StreamEvent;
use plugin_api::traits::ListModelsOptions;
use serde_json::json;

const WARM_UP: usize = 20;
const SAMPLES: usize = 200;

/// The number of measured requests: [`SAMPLES`], or `LATENCY_BENCH_SAMPLES` when profiling
/// (two runs of different lengths subtract the one-time costs out of instruction counts).
fn sample_count() -> usize {
    std::env::var("LATENCY_BENCH_SAMPLES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(SAMPLES)
}
const LOADS: usize = 15;
const WARM_LISTS: usize = 1_000;

/// Median and 90th percentile.
fn stats(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.9))
}

fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}

/// The raw SDK on a current-thread runtime: send → first `contentBlockDelta`.
fn sdk_first_delta(emulator: &Emulator) -> Vec<Duration> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let client = sdk_client(emulator);
    runtime.block_on(async {
        let mut samples = Vec::with_capacity(SAMPLES);
        for round in 0..WARM_UP + sample_count() {
            let message = Message::builder()
                .role(ConversationRole::User)
                .content(ContentBlock::Text("hi".into()))
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
            let mut first = None;
            while let Some(event) = output.stream.recv().await.expect("event") {
                if first.is_none() && matches!(event, ConverseStreamOutput::ContentBlockDelta(_)) {
                    first = Some(started.elapsed());
                }
            }
            if round >= WARM_UP {
                samples.push(first.expect("a text delta"));
            }
        }
        samples
    })
}

/// The plugin through the cdylib on a host runtime: `stream_chat` → first `TextDelta`.
fn plugin_first_delta(emulator: &Emulator) -> Vec<Duration> {
    let installed = install(|_| {});
    let plugin = load(&installed, &host_config(emulator, json!({}))).expect("plugin loads");
    runtime().block_on(async {
        let mut samples = Vec::with_capacity(SAMPLES);
        for round in 0..WARM_UP + sample_count() {
            let started = Instant::now();
            let mut stream = plugin
                .stream_chat(chat_request(MODEL, "hi"))
                .expect("stream");
            let mut first = None;
            while let Some(event) = stream.next().await {
                if first.is_none() && matches!(event.as_enum(), Ok(StreamEvent::TextDelta { .. })) {
                    first = Some(started.elapsed());
                }
            }
            if round >= WARM_UP {
                samples.push(first.expect("a text delta"));
            }
        }
        samples
    })
}

/// Child mode: one load + instantiate, the first and then warm `list_models`, printed as
/// nanoseconds `load first warm`.
fn child_load() {
    let emulator = Emulator::start(EmulatorOptions::default()).expect("emulator");
    let installed = install(|_| {});
    let config = host_config(
        &emulator,
        json!({
            "discovery": {"enabled": true},
            "awsBedrockControlPlaneEndpoint": emulator.base_url(),
        }),
    );
    let started = Instant::now();
    let plugin = load(&installed, &config).expect("plugin loads");
    let loaded = started.elapsed();
    let runtime = runtime();
    let first = runtime.block_on(async {
        let started = Instant::now();
        plugin
            .list_models(ListModelsOptions::default())
            .await
            .expect("list_models");
        started.elapsed()
    });
    let warm = runtime.block_on(async {
        let mut samples = Vec::with_capacity(WARM_LISTS);
        for _ in 0..WARM_LISTS {
            let started = Instant::now();
            plugin
                .list_models(ListModelsOptions::default())
                .await
                .expect("list_models");
            samples.push(started.elapsed());
        }
        stats(samples).0
    });
    println!(
        "{} {} {}",
        loaded.as_nanos(),
        first.as_nanos(),
        warm.as_nanos()
    );
}

fn main() {
    if std::env::var_os("LATENCY_BENCH_CHILD").is_some() {
        child_load();
        return;
    }
    if std::env::args().any(|arg| arg == "--list") {
        return;
    }
    let emulator = Emulator::start(EmulatorOptions::default()).expect("emulator");
    // Profiling mode (`LATENCY_BENCH_PLUGIN_ONLY=1`, e.g. under callgrind): only the plugin's
    // first-delta loop, so its instruction counts are not mixed with the SDK baseline's.
    if std::env::var_os("LATENCY_BENCH_PLUGIN_ONLY").is_some() {
        let (median, p90) = stats(plugin_first_delta(&emulator));
        println!(
            "plugin first delta: median {:.0} µs, p90 {:.0} µs",
            micros(median),
            micros(p90)
        );
        return;
    }
    if std::env::var_os("LATENCY_BENCH_SDK_ONLY").is_some() {
        let (median, p90) = stats(sdk_first_delta(&emulator));
        println!(
            "SDK first delta: median {:.0} µs, p90 {:.0} µs",
            micros(median),
            micros(p90)
        );
        return;
    }
    let (sdk_median, sdk_p90) = stats(sdk_first_delta(&emulator));
    let (plugin_median, plugin_p90) = stats(plugin_first_delta(&emulator));
    println!("time to first text delta, {SAMPLES} short streams after {WARM_UP} warm-up, loopback emulator");
    println!(
        "  SDK directly, current-thread runtime   median {:>7.0} µs  p90 {:>7.0} µs",
        micros(sdk_median),
        micros(sdk_p90)
    );
    println!(
        "  plugin cdylib, 2-worker host runtime   median {:>7.0} µs  p90 {:>7.0} µs  {:.2}x, {:+.0} µs",
        micros(plugin_median),
        micros(plugin_p90),
        plugin_median.as_secs_f64() / sdk_median.as_secs_f64(),
        micros(plugin_median) - micros(sdk_median)
    );

    let exe = std::env::current_exe().expect("bench executable");
    let mut loads = Vec::new();
    let mut firsts = Vec::new();
    let mut warms = Vec::new();
    for _ in 0..LOADS {
        let output = std::process::Command::new(&exe)
            .env("LATENCY_BENCH_CHILD", "1")
            .output()
            .expect("child bench");
        let text = String::from_utf8_lossy(&output.stdout);
        let figures: Vec<u64> = text
            .split_whitespace()
            .filter_map(|figure| figure.parse().ok())
            .collect();
        let [load, first, warm] = figures[..] else {
            panic!(
                "child bench failed: {}{}",
                text,
                String::from_utf8_lossy(&output.stderr)
            );
        };
        loads.push(Duration::from_nanos(load));
        firsts.push(Duration::from_nanos(first));
        warms.push(Duration::from_nanos(warm));
    }
    let (load, _) = stats(loads.clone());
    let (first, _) = stats(firsts.clone());
    let (warm, _) = stats(warms);
    let (load_and_first, _) = stats(
        loads
            .iter()
            .zip(&firsts)
            .map(|(load, first)| *load + *first)
            .collect(),
    );
    println!("load + instantiate + list_models, {LOADS} fresh processes (median)");
    println!(
        "  load + instantiate                     {:>9.2} ms",
        load.as_secs_f64() * 1e3
    );
    println!(
        "  first list_models (loopback discovery) {:>9.2} ms",
        first.as_secs_f64() * 1e3
    );
    println!(
        "  load + instantiate + first list_models {:>9.2} ms",
        load_and_first.as_secs_f64() * 1e3
    );
    println!(
        "  warm list_models through the ABI       {:>9.2} µs (median of {WARM_LISTS})",
        micros(warm)
    );
}
