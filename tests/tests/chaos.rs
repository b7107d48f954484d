//! Chaos (PLG-94): 200 concurrent streams through one loaded plugin against an emulator that
//! injects a seeded mix of 429s, 5xx, in-stream exceptions, disconnects (truncations), bad CRCs
//! and stalls. Every stream must end in exactly one `Done` or one typed `Error`, none may hang,
//! no text may be duplicated or lost (what a stream delivered is a prefix of — for `Done`,
//! equal to — the emulator's deterministic reply to its prompt), and afterwards the plugin's
//! stream tasks, runtime tasks, sockets and heap are back at their baseline.
//!
//! Each stream gets its own model id (a system inference-profile ARN with its own account
//! number, which the emulator resolves to Nova Micro), so each stream's fault is one
//! `FaultRule` filtered by that id and the mix is exact whatever order requests arrive in.
//!
//! Tolerances: runtime tasks, stream tasks, pending tasks and sockets must equal the baseline
//! exactly; heap in use may exceed it by at most 2 MiB (allocator and runtime bookkeeping),
//! RSS by at most 64 MiB (glibc keeps freed pages). The baseline is taken after a warm-up
//! with no emulator running, and the final figures after the instance and the emulator (which
//! shares this process and records every request) are dropped. The hang guard is 180 s for the streams
//! and 60 s for the tasks and connections to wind down: bounds against hanging, not timings.

mod common;
mod fault_mix;
mod resources;

use std::collections::BTreeMap;
use std::time::Duration;

use bedrock_emulator::{Emulator, Operation};
use common::{chat_request, collect, host_config, install, load, runtime};
use fault_mix::{check, model_id, outcome, plan, prompt, Outcome, Planned, GREETING};
use resources::{
    assert_back_at_baseline, status_number, wait_until, Rng, Snapshot, STREAMS_IN_FLIGHT,
    STREAM_TASKS,
};
use serde_json::json;

const STREAMS: usize = 200;
const SEED: u64 = 0x0C4A_0511;
const MAX_ATTEMPTS: usize = 3;

#[test]
fn plg_94_br_10_br_20_evt_32_chaos_200_streams_each_one_outcome_no_lost_or_duplicated_text_resources_back_at_baseline(
) {
    let installed = install(|_| {});
    let config_for = |emu: &Emulator| {
        host_config(
            emu,
            json!({
                "timeouts": {"streamIdleMs": 1000},
                "retry": {"maxAttempts": MAX_ATTEMPTS, "baseDelayMs": 1, "maxDelayMs": 5, "failoverMemoryMs": 0}
            }),
        )
    };
    let rt = runtime();
    // Warm-up against an emulator of its own, so one-time initialisation (runtime, TLS roots,
    // SDK statics, the emulator's) is part of the baseline; once the warm-up instance's
    // connections have closed, that emulator is dropped and the baseline taken without one.
    let warm_emu = Emulator::start(Default::default()).unwrap();
    // The probe instance makes no requests; it reads the process-wide counters.
    let probe = load(&installed, &config_for(&warm_emu)).expect("probe instance");
    {
        let warm = load(&installed, &config_for(&warm_emu)).expect("warm-up instance");
        rt.block_on(async {
            let streams: Vec<_> = (0..8)
                .map(|i| {
                    warm.stream_chat(chat_request(&model_id(10_000 + i), "warm up"))
                        .expect("warm-up stream")
                })
                .collect();
            for events in futures::future::join_all(streams.into_iter().map(collect)).await {
                assert!(outcome(&events).error.is_none(), "warm-up failed");
            }
        });
    }
    wait_until(
        "warm-up connections closed",
        Duration::from_secs(60),
        || {
            status_number(&probe, resources::RUNTIME_TASKS) == 0
                && status_number(&probe, STREAM_TASKS) == 0
        },
    );
    drop(warm_emu);
    let baseline = Snapshot::take(&probe);

    let emu = Emulator::start(Default::default()).unwrap();
    let config = config_for(&emu);
    let mut rng = Rng::new(SEED);
    let planned: Vec<Planned> = (0..STREAMS).map(|_| plan(&mut rng)).collect();
    for (stream, fault) in planned.iter().enumerate() {
        if let Some(rule) = fault.rule(&model_id(stream)) {
            emu.add_fault(rule);
        }
    }

    let plugin = load(&installed, &config).expect("chaos instance");
    let outcomes: Vec<Outcome> = rt.block_on(async {
        let streams: Vec<_> = (0..STREAMS)
            .map(|stream| {
                plugin
                    .stream_chat(chat_request(&model_id(stream), &prompt(stream)))
                    .expect("stream starts (the default limit is 256)")
            })
            .collect();
        let all = futures::future::join_all(
            streams
                .into_iter()
                .map(|stream| async move { outcome(&collect(stream).await) }),
        );
        tokio::time::timeout(Duration::from_secs(180), all)
            .await
            .expect("hang guard: a stream never ended")
    });

    // Every stream: exactly one terminal event, last; text a prefix of the emulator's reply.
    let mut tally: BTreeMap<(&str, String), usize> = BTreeMap::new();
    for (stream, (fault, got)) in planned.iter().zip(&outcomes).enumerate() {
        let expected = format!("{GREETING}{}", prompt(stream));
        let result = check(stream, *fault, &expected, got);
        *tally.entry((fault.label(), result)).or_default() += 1;
    }

    // BR-10: an HTTP fault on every attempt is tried exactly `retry.maxAttempts` times, a
    // single one exactly twice, a clean stream once.
    let requests = emu.requests_for(Operation::ConverseStream);
    let sent = |stream: usize| {
        let id = model_id(stream);
        requests
            .iter()
            .filter(|r| r.model_id.as_deref() == Some(id.as_str()))
            .count()
    };
    for (stream, fault) in planned.iter().enumerate() {
        let expected = match fault {
            Planned::Clean => 1,
            Planned::HttpOnce(_) => 2,
            Planned::HttpAlways(_) => MAX_ATTEMPTS,
            _ => continue,
        };
        assert_eq!(
            sent(stream),
            expected,
            "stream {stream} ({fault:?}) attempts"
        );
    }
    let faults_injected = planned.iter().filter(|f| **f != Planned::Clean).count();
    eprintln!(
        "chaos: {STREAMS} streams, {} ConverseStream requests, {faults_injected} streams with a fault",
        requests.len()
    );
    for ((fault, result), n) in &tally {
        eprintln!("chaos: {fault:<36} -> {result:<22} {n}");
    }

    // The instance's streams and the process's stream tasks end once the streams have.
    wait_until("stream tasks ended", Duration::from_secs(60), || {
        status_number(&plugin, STREAMS_IN_FLIGHT) == 0 && status_number(&plugin, STREAM_TASKS) == 0
    });
    assert_eq!(status_number(&plugin, STREAMS_IN_FLIGHT), 0);
    let loaded = Snapshot::take(&probe);
    eprintln!("chaos: baseline            {}", baseline.describe());
    eprintln!("chaos: after, still loaded {}", loaded.describe());

    // Dropping the instance closes its pooled connections, dropping the emulator its side and
    // its records; then everything is at baseline.
    drop(plugin);
    drop(requests);
    drop(emu);
    assert_back_at_baseline("chaos", &probe, &baseline);
}
