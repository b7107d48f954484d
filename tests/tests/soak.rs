//! Soak (PLG-95): for `SOAK_SECONDS` (default 20, sized for CI's two-minute budget; the long
//! mode is e.g. `SOAK_SECONDS=3600 cargo test -p e2e-tests --test soak -- --nocapture`), one
//! loaded plugin runs chat streams with the seeded fault mix of the chaos test, discovery
//! refreshes (`list_models` with `force_refresh`, with control-plane faults), live config
//! updates and embedding batches (with InvokeModel throttles), all at once. Every request must
//! have exactly one outcome (streams: one `Done` or one typed `Error`, text never lost or
//! duplicated), and afterwards the plugin's stream and one-shot tasks are 0 while it is still
//! loaded, and its runtime tasks, the process's open sockets, heap and RSS are back at the
//! baseline once it (and the in-process emulator, whose records would count) is dropped.
//!
//! Tolerances: tasks and sockets exactly the baseline; heap in use at most 2 MiB over it, RSS
//! at most 64 MiB over it. `SOAK_SECONDS` bounds how long requests are started, not an
//! assertion; the hang guards (duration + 180 s for the workers, 60 s for connections to wind
//! down) only stop a hang.

mod common;
mod fault_mix;
mod resources;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use abi_stable::std_types::{ROption, RString, RVec};
use bedrock_emulator::{Emulator, Fault, FaultRule, Operation};
use common::{chat_request, collect, host_config, install, load, runtime};
use fault_mix::{check, model_id, outcome, plan, prompt, Planned, GREETING};
use host_harness::config::HostConfig;
use host_harness::host::LoadedPlugin;
use host_harness::waker::PendingFuture;
use plugin_api::embedding::EmbeddingProviderRequest;
use plugin_api::traits::ListModelsOptions;
use resources::{
    assert_back_at_baseline, status_number, wait_until, Rng, Snapshot, PENDING_TASKS,
    RUNTIME_TASKS, STREAMS_IN_FLIGHT, STREAM_TASKS,
};
use serde_json::json;

const SEED: u64 = 0x50A4_0001;
const CHAT_WORKERS: usize = 8;
const EMBEDDING_MODEL: &str = "amazon.titan-embed-text-v2:0";
/// Stream numbers of the soak start here, clear of the warm-up's.
const FIRST_STREAM: usize = 1_000_000;

fn soak_duration() -> Duration {
    let seconds = std::env::var("SOAK_SECONDS")
        .ok()
        .and_then(|value| value.trim().parse::<u64>().ok())
        .unwrap_or(20);
    Duration::from_secs(seconds)
}

/// Two configs the soak switches between live (LIVE-01): both keep the stall guard below the
/// injected stall and the stream limit above the workers.
fn config(emu: &Emulator, variant: u64) -> HostConfig {
    host_config(
        emu,
        json!({
            "awsBedrockControlPlaneEndpoint": emu.base_url(),
            "discovery": {"enabled": true, "checkAccess": false, "refreshInterval": 3600},
            "timeouts": {"streamIdleMs": 1000 + 200 * variant},
            "retry": {"maxAttempts": 3, "baseDelayMs": 1 + variant, "maxDelayMs": 5, "failoverMemoryMs": 0},
            "limits": {"maxConcurrentStreams": 64}
        }),
    )
}

fn list_options() -> ListModelsOptions {
    ListModelsOptions {
        strict: true,
        force_refresh: true,
        extensions: Default::default(),
    }
}

fn embedding_request() -> EmbeddingProviderRequest {
    EmbeddingProviderRequest {
        model: EMBEDDING_MODEL.into(),
        output_dimensionality: ROption::RSome(256),
        base_url: ROption::RNone,
        family: ROption::RNone,
        extensions: Default::default(),
    }
}

/// One embedding batch; `Ok` with one vector per text, or the error's message.
async fn embed(plugin: &LoadedPlugin, texts: &[&str]) -> Result<usize, String> {
    let provider = plugin
        .embedding_provider(embedding_request())
        .map_err(|e| e.message.to_string())?
        .expect("bedrock offers an embedding provider");
    let texts: RVec<RString> = texts.iter().copied().map(RString::from).collect();
    let embeddings = PendingFuture::new(provider.embed_batch(texts))
        .await
        .map_err(|e| e.message.to_string())?;
    Ok(embeddings.vectors.len())
}

/// Moves the emulator's request records into per-operation counts, so a long soak does not
/// grow the emulator's memory (which shares this process). A request recorded between the read
/// and the clear is not counted; the counts are for the report, no assertion uses them.
fn drain_records(emu: &Emulator, counts: &RefCell<BTreeMap<String, usize>>) {
    let records = emu.requests();
    emu.clear_requests();
    let mut counts = counts.borrow_mut();
    for record in records {
        *counts.entry(format!("{:?}", record.operation)).or_default() += 1;
    }
}

/// What the soak counted: requests started and outcomes seen, by kind.
#[derive(Default)]
struct Tally {
    started: BTreeMap<&'static str, usize>,
    outcomes: BTreeMap<(String, String), usize>,
    /// Faults injected into discovery and embeddings (the streams' are in their outcomes).
    faults: BTreeMap<&'static str, usize>,
}

impl Tally {
    fn start(&mut self, kind: &'static str) {
        *self.started.entry(kind).or_default() += 1;
    }

    fn outcome(&mut self, kind: &str, result: String) {
        *self.outcomes.entry((kind.to_owned(), result)).or_default() += 1;
    }

    fn fault(&mut self, kind: &'static str) {
        *self.faults.entry(kind).or_default() += 1;
    }

    fn outcomes_of(&self, kind: &str) -> usize {
        self.outcomes
            .iter()
            .filter(|((k, _), _)| k == kind)
            .map(|(_, n)| n)
            .sum()
    }
}

#[test]
fn plg_95_soak_streams_discovery_config_updates_and_embeddings_under_faults_one_outcome_each_resources_back_at_baseline(
) {
    let duration = soak_duration();
    let installed = install(|_| {});
    let rt = runtime();
    // Warm-up against an emulator of its own, one of each operation on an instance that is
    // then dropped; once its connections have closed, that emulator is dropped too and the
    // baseline taken without one.
    let warm_emu = Emulator::start(Default::default()).unwrap();
    // The probe instance makes no requests; it reads the process-wide counters.
    let probe = load(&installed, &host_config(&warm_emu, json!({}))).expect("probe instance");
    {
        let warm = load(&installed, &config(&warm_emu, 0)).expect("warm-up instance");
        rt.block_on(async {
            let events = collect(
                warm.stream_chat(chat_request(&model_id(0), &prompt(0)))
                    .unwrap(),
            )
            .await;
            assert!(outcome(&events).error.is_none(), "warm-up stream");
            warm.list_models(list_options())
                .await
                .expect("warm-up discovery");
            embed(&warm, &["warm up"])
                .await
                .expect("warm-up embeddings");
        });
    }
    wait_until(
        "warm-up connections closed",
        Duration::from_secs(60),
        || status_number(&probe, RUNTIME_TASKS) == 0,
    );
    drop(warm_emu);
    let baseline = Snapshot::take(&probe);

    let emu = Emulator::start(Default::default()).unwrap();
    let plugin = load(&installed, &config(&emu, 0)).expect("soak instance");
    let tally = RefCell::new(Tally::default());
    let by_operation = RefCell::new(BTreeMap::new());
    let next_stream = Cell::new(FIRST_STREAM);
    let variant = Cell::new(0u64);
    let started = Instant::now();
    let running = || started.elapsed() < duration;

    let chat_worker = |worker: usize| {
        let (plugin, tally, next_stream, variant, emu, by_operation) =
            (&plugin, &tally, &next_stream, &variant, &emu, &by_operation);
        async move {
            while running() {
                let stream = next_stream.get();
                next_stream.set(stream + 1);
                let fault = plan(&mut Rng::new(SEED ^ stream as u64));
                let id = model_id(stream);
                if let Some(rule) = fault.rule(&id) {
                    emu.add_fault(rule);
                }
                tally.borrow_mut().start("stream");
                let handle = plugin
                    .stream_chat(chat_request(&id, &prompt(stream)))
                    .expect("stream starts (64 streams allowed, 8 workers)");
                let got = outcome(&collect(handle).await);
                let expected = format!("{GREETING}{}", prompt(stream));
                let result = check(stream, fault, &expected, &got);
                tally
                    .borrow_mut()
                    .outcome("stream", format!("{} -> {result}", fault.label()));
                // Worker 0 also switches the config live after each of its streams, while the
                // other workers' streams run.
                if worker == 0 {
                    let next = 1 - variant.get();
                    variant.set(next);
                    tally.borrow_mut().start("config update");
                    let result = plugin.update_config(&config(emu, next));
                    let result = match result {
                        Ok(()) => "Ok".to_owned(),
                        Err(error) => panic!("config update {next} rejected: {error:?}"),
                    };
                    tally.borrow_mut().outcome("config update", result);
                    drain_records(emu, by_operation);
                }
            }
        }
    };

    let discovery_worker = async {
        let mut rng = Rng::new(SEED ^ 0xD15C);
        while running() {
            // About one refresh in three meets a 503 on ListFoundationModels (BR-14 retries).
            if rng.below(3) == 0 {
                emu.add_fault(FaultRule {
                    operation: Some(Operation::ListFoundationModels),
                    model_id: None,
                    times: Some(1),
                    fault: Fault::unavailable(),
                });
                tally.borrow_mut().fault("ListFoundationModels 503 once");
            }
            tally.borrow_mut().start("list_models");
            let result = match plugin.list_models(list_options()).await {
                Ok(catalog) => {
                    assert!(!catalog.models.is_empty(), "a catalog without models");
                    "Ok".to_owned()
                }
                Err(error) => format!("Error {}", fault_mix::kind_name(error.kind())),
            };
            tally.borrow_mut().outcome("list_models", result);
        }
    };

    let embedding_worker = async {
        let mut rng = Rng::new(SEED ^ 0xE3B);
        while running() {
            // About one batch in three meets a throttle (EMB-28 retries it).
            if rng.below(3) == 0 {
                emu.add_fault(FaultRule {
                    operation: Some(Operation::InvokeModel),
                    model_id: Some(EMBEDDING_MODEL.to_owned()),
                    times: Some(1),
                    fault: Fault::throttling(),
                });
                tally.borrow_mut().fault("InvokeModel 429 once");
            }
            tally.borrow_mut().start("embeddings");
            let result = match embed(&plugin, &["first note", "second note", "third"]).await {
                Ok(vectors) => {
                    assert_eq!(vectors, 3, "one vector per text");
                    "Ok".to_owned()
                }
                Err(message) => format!("Error {message}"),
            };
            tally.borrow_mut().outcome("embeddings", result);
        }
    };

    rt.block_on(async {
        let chats = futures::future::join_all((0..CHAT_WORKERS).map(chat_worker));
        let all = futures::future::join3(chats, discovery_worker, embedding_worker);
        tokio::time::timeout(duration + Duration::from_secs(180), all)
            .await
            .expect("hang guard: a request never ended");
    });

    let tally = tally.into_inner();
    for (kind, started) in &tally.started {
        assert_eq!(
            tally.outcomes_of(kind),
            *started,
            "{kind}: every request has exactly one outcome"
        );
    }
    drain_records(&emu, &by_operation);
    let by_operation = by_operation.into_inner();
    eprintln!(
        "soak: {} s, started {:?}",
        duration.as_secs(),
        tally.started
    );
    eprintln!("soak: emulator requests (drained counts) {by_operation:?}");
    eprintln!("soak: other faults injected {:?}", tally.faults);
    for ((kind, result), n) in &tally.outcomes {
        eprintln!("soak: {kind:<14} {result:<60} {n}");
    }
    let streams = tally.started.get("stream").copied().unwrap_or(0);
    assert!(streams >= CHAT_WORKERS, "the soak ran streams");
    let faulted = (FIRST_STREAM..FIRST_STREAM + streams)
        .filter(|stream| plan(&mut Rng::new(SEED ^ *stream as u64)) != Planned::Clean)
        .count();
    eprintln!("soak: {streams} streams, {faulted} with an injected fault");

    // Still loaded: no stream or one-shot task is left behind.
    wait_until("plugin tasks ended", Duration::from_secs(60), || {
        status_number(&plugin, STREAMS_IN_FLIGHT) == 0
            && status_number(&plugin, STREAM_TASKS) == 0
            && status_number(&plugin, PENDING_TASKS) == 0
    });
    let loaded = Snapshot::take(&probe);
    eprintln!("soak: baseline            {}", baseline.describe());
    eprintln!("soak: after, still loaded {}", loaded.describe());

    // Dropping the instance closes its pooled connections, dropping the emulator its side and
    // its records; then everything is at baseline.
    drop(plugin);
    drop(emu);
    assert_back_at_baseline("soak", &probe, &baseline);
}
