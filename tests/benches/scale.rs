//! The plugin at scale, each figure next to its baseline from the same run (issue 9's goals):
//! 1. 1,000 concurrent 1,000-event streams through one instance vs the same streams read by
//!    the raw SDK: wall time, peak RSS growth and threads (each side in a fresh child
//!    process, so peak RSS is its own);
//! 2. cold discovery with 50 ms added control-plane latency vs that latency (one round trip);
//! 3. 1,000 embedding texts with 20 ms added per call (Titan v2: one call per text; Cohere
//!    v4: 96 texts per call) vs the ideal for the plugin's concurrency bound (8 calls in
//!    flight, each as long as one call measured alone in the same run, both after one
//!    untimed batch).
//!
//! Run with `cargo bench -p e2e-tests --bench scale`; arguments after `--` pick the parts whose
//! name contains one of them (`streams`, `discovery`, `embeddings/<model id>`), e.g.
//! `cargo bench -p e2e-tests --bench scale -- embeddings` or `-- cohere`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use aws_sdk_bedrockruntime::types::{ContentBlock, ConversationRole, Message};
use bedrock_emulator::{Emulator, EmulatorOptions, Fault, FaultRule, Operation};
use common::*;
use futures::StreamExt;
use plugin_api::abi_stable::std_types::{ROption, RString, RVec};
use plugin_api::event::StreamEvent;
use plugin_api::traits::ListModelsOptions;
use serde_json::json;

const STREAMS: usize = 1_000;
const EVENTS: usize = 1_000;
const TEXTS: usize = 1_000;
const EMBED_LATENCY_MS: u64 = 20;
const CONTROL_LATENCY_MS: u64 = 50;
/// EMB-27: embedding calls in flight per batch.
const IN_FLIGHT: usize = 8;
/// EMB-26: Cohere texts per call.
const COHERE_CHUNK: usize = 96;

/// `(VmHWM KiB, Threads)` of this process.
fn peak_rss_and_threads() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("Threads:"))
}

fn prompt() -> String {
    format!("!long={EVENTS}")
}

/// Child: `STREAMS` concurrent streams through the raw SDK on a current-thread runtime.
fn child_sdk(emulator: &Emulator) -> (Duration, u64) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let client = sdk_client(emulator);
    runtime.block_on(async {
        let stream = |text: String| {
            let client = client.clone();
            async move {
                let message = Message::builder()
                    .role(ConversationRole::User)
                    .content(ContentBlock::Text(text))
                    .build()
                    .expect("message");
                let mut output = client
                    .converse_stream()
                    .model_id(MODEL)
                    .messages(message)
                    .send()
                    .await
                    .expect("send");
                let mut events = 0usize;
                while let Some(_event) = output.stream.recv().await.expect("event") {
                    events += 1;
                }
                events
            }
        };
        // One short stream first, so the growth below is the streams' own (see `child`).
        stream("hi".to_owned()).await;
        let (before, _) = peak_rss_and_threads();
        let started = Instant::now();
        let counts = futures::future::join_all((0..STREAMS).map(|_| stream(prompt()))).await;
        assert!(counts.iter().all(|&n| n > EVENTS), "every stream complete");
        (started.elapsed(), before)
    })
}

/// Child: the same streams through the plugin cdylib on a 2-worker host runtime.
fn child_plugin(emulator: &Emulator) -> (Duration, u64) {
    let installed = install(|_| {});
    // PLG-90 refuses more than 256 streams per instance by default; the goal is 1,000.
    let config = json!({"limits": {"maxConcurrentStreams": STREAMS}});
    let plugin = load(&installed, &host_config(emulator, config)).expect("plugin loads");
    runtime().block_on(async {
        // One short stream first (see `child`): loading the library and its first stream
        // make its code resident, which is not the cost of running streams.
        let mut warm_up = plugin
            .stream_chat(chat_request(MODEL, "hi"))
            .expect("stream");
        while warm_up.next().await.is_some() {}
        let (before, _) = peak_rss_and_threads();
        let started = Instant::now();
        let streams = (0..STREAMS).map(|_| {
            let mut request = chat_request(MODEL, &prompt());
            request.options.max_tokens = ROption::RSome(2 * EVENTS as u64);
            let stream = plugin.stream_chat(request).expect("stream");
            async move {
                let mut deltas = 0usize;
                let mut stream = stream;
                while let Some(event) = stream.next().await {
                    if matches!(event.as_enum(), Ok(StreamEvent::TextDelta { .. })) {
                        deltas += 1;
                    }
                }
                deltas
            }
        });
        let counts = futures::future::join_all(streams).await;
        assert!(counts.iter().all(|&n| n == EVENTS), "every stream complete");
        (started.elapsed(), before)
    })
}

/// Runs one child side and returns `(wall time, peak RSS growth KiB, threads at the end)`.
fn run_child(side: &str) -> (Duration, u64, u64) {
    let exe = std::env::current_exe().expect("bench executable");
    let output = std::process::Command::new(exe)
        .env("SCALE_BENCH_CHILD", side)
        .output()
        .expect("child bench");
    let text = String::from_utf8_lossy(&output.stdout);
    let figures: Vec<u64> = text
        .split_whitespace()
        .filter_map(|figure| figure.parse().ok())
        .collect();
    let [nanos, growth, threads] = figures[..] else {
        panic!(
            "{side} child failed: {text}{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    (Duration::from_nanos(nanos), growth, threads)
}

/// One side in this (fresh) process. The growth is the peak RSS during the `STREAMS` streams
/// over the peak before them, taken after one short stream on the same side: the plugin's
/// side then already has its library loaded and its code resident, as the SDK side has its
/// code in the executable, so both figures are the memory of running the streams.
fn child(side: &str) {
    let emulator = Emulator::start(EmulatorOptions::default()).expect("emulator");
    let (elapsed, before) = match side {
        "sdk" => child_sdk(&emulator),
        _ => child_plugin(&emulator),
    };
    let (after, threads) = peak_rss_and_threads();
    println!(
        "{} {} {}",
        elapsed.as_nanos(),
        after.saturating_sub(before),
        threads
    );
}

fn cold_discovery(emulator: &Emulator) -> Duration {
    emulator.add_fault(FaultRule::for_operation(
        Operation::ListFoundationModels,
        Fault::Latency {
            ms: CONTROL_LATENCY_MS,
        },
    ));
    emulator.add_fault(FaultRule::for_operation(
        Operation::ListInferenceProfiles,
        Fault::Latency {
            ms: CONTROL_LATENCY_MS,
        },
    ));
    let installed = install(|_| {});
    let config = host_config(
        emulator,
        json!({
            "discovery": {"enabled": true},
            "awsBedrockControlPlaneEndpoint": emulator.base_url(),
        }),
    );
    let plugin = load(&installed, &config).expect("plugin loads");
    runtime().block_on(async {
        let started = Instant::now();
        let catalog = plugin
            .list_models(ListModelsOptions::default())
            .await
            .expect("list_models");
        assert!(catalog.models.len() > 2, "discovered models listed");
        started.elapsed()
    })
}

/// `(one call of `per_call` texts, all `TEXTS` texts)` through one provider, each the median
/// of its runs. Both are measured the same way: after one untimed batch, so the SDK's pool
/// already holds a connection for each call in flight (otherwise the batch alone would pay
/// for opening seven of them) and neither figure includes a first call's setup.
fn embed(emulator: &Emulator, model: &str, per_call: usize) -> (Duration, Duration) {
    emulator.add_fault(FaultRule::for_operation(
        Operation::InvokeModel,
        Fault::Latency {
            ms: EMBED_LATENCY_MS,
        },
    ));
    let installed = install(|_| {});
    let plugin = load(&installed, &host_config(emulator, json!({}))).expect("plugin loads");
    let provider = plugin
        .embedding_provider(plugin_api::embedding::EmbeddingProviderRequest {
            model: format!("bedrock/{model}").into(),
            output_dimensionality: ROption::RNone,
            base_url: ROption::RNone,
            family: ROption::RNone,
            extensions: Default::default(),
        })
        .expect("provider created")
        .expect("bedrock offers an embedding provider");
    let texts = |count: usize| -> RVec<RString> {
        (0..count)
            .map(|n| RString::from(format!("note number {n}")))
            .collect()
    };
    let median = |mut runs: Vec<Duration>| {
        runs.sort();
        runs[runs.len() / 2]
    };
    runtime().block_on(async {
        let embed = |count: usize| {
            let pending = provider.embed_batch(texts(count));
            async move {
                let started = Instant::now();
                let embedded = host_harness::waker::PendingFuture::new(pending)
                    .await
                    .expect("embedded");
                assert_eq!(embedded.vectors.len(), count);
                started.elapsed()
            }
        };
        embed(TEXTS).await;
        let mut one_call = Vec::new();
        for _ in 0..5 {
            one_call.push(embed(per_call).await);
        }
        let mut batch = Vec::new();
        for _ in 0..3 {
            batch.push(embed(TEXTS).await);
        }
        (median(one_call), median(batch))
    })
}

/// The best a bound of `IN_FLIGHT` calls allows: full rounds of calls that each take as long as
/// one call measured alone.
fn ideal(calls: usize, one_call: Duration) -> Duration {
    one_call.saturating_mul(u32::try_from(calls.div_ceil(IN_FLIGHT)).unwrap_or(u32::MAX))
}

/// Whether the part named `part` runs: every part without filter arguments, else those whose
/// name contains one of them (cargo's own `--bench` and other flags are not filters).
fn wanted(part: &str) -> bool {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .collect();
    filters.is_empty() || filters.iter().any(|filter| part.contains(filter.as_str()))
}

fn main() {
    if let Ok(side) = std::env::var("SCALE_BENCH_CHILD") {
        child(&side);
        return;
    }
    if std::env::args().any(|arg| arg == "--list") {
        return;
    }
    if wanted("streams") {
        streams();
    }
    if wanted("discovery") {
        discovery();
    }
    for (model, per_call) in [
        ("amazon.titan-embed-text-v2:0", 1),
        ("cohere.embed-v4:0", COHERE_CHUNK),
    ] {
        if wanted(&format!("embeddings/{model}")) {
            embeddings(model, per_call);
        }
    }
}

fn streams() {
    let (sdk_time, sdk_growth, sdk_threads) = run_child("sdk");
    let (plugin_time, plugin_growth, plugin_threads) = run_child("plugin");
    println!("{STREAMS} concurrent {EVENTS}-event streams, one process each side");
    println!(
        "  SDK directly, current-thread runtime   {:>8.2} s  peak RSS +{:>6.1} MiB  {:>3} threads",
        sdk_time.as_secs_f64(),
        sdk_growth as f64 / 1024.0,
        sdk_threads
    );
    println!(
        "  plugin cdylib, one instance           {:>8.2} s  peak RSS +{:>6.1} MiB  {:>3} threads  {:.2}x time, {:+.1} MiB",
        plugin_time.as_secs_f64(),
        plugin_growth as f64 / 1024.0,
        plugin_threads,
        plugin_time.as_secs_f64() / sdk_time.as_secs_f64(),
        (plugin_growth as f64 - sdk_growth as f64) / 1024.0
    );
}

fn discovery() {
    let emulator = Emulator::start(EmulatorOptions::default()).expect("emulator");
    let cold = cold_discovery(&emulator);
    let round_trip = Duration::from_millis(CONTROL_LATENCY_MS);
    println!(
        "cold discovery with {CONTROL_LATENCY_MS} ms control-plane latency: {:.1} ms, {:.2}x one round trip",
        cold.as_secs_f64() * 1e3,
        cold.as_secs_f64() / round_trip.as_secs_f64()
    );
}

fn embeddings(model: &str, per_call: usize) {
    let emulator = Emulator::start(EmulatorOptions::default()).expect("emulator");
    let calls = TEXTS.div_ceil(per_call);
    let (one_call, took) = embed(&emulator, model, per_call);
    let best = ideal(calls, one_call);
    println!(
        "{TEXTS} texts with {model} ({calls} calls of {per_call}, +{EMBED_LATENCY_MS} ms each, one call {:.1} ms, {IN_FLIGHT} in flight): {:.0} ms, {:.2}x the ideal {:.0} ms",
        one_call.as_secs_f64() * 1e3,
        took.as_secs_f64() * 1e3,
        took.as_secs_f64() / best.as_secs_f64(),
        best.as_secs_f64() * 1e3
    );
}
