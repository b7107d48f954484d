//! NET-07 / DISC-11 through the built cdylib: what the plugin leaves open on the emulator after
//! its operations settle, read from the emulator's own count of open and accepted connections.
//!
//! The rule measured (PLG-29): the SDK clients of an instance are cached (bedrock-plugin
//! `aws/clients.rs`, up to 16 per kind, keyed by everything that shapes a client, LIVE-06) on
//! HTTP clients cached per HTTP settings and connect timeout (16 too), each keeping its idle
//! keep-alive connections pooled for reuse. So after an operation settles, the connections
//! still open are exactly the cached HTTP clients' idle ones: a stream dropped early or a
//! cancelled call closes its connection (it cannot be reused mid-answer), a finished or
//! 4xx-failed call returns its connection to the pool and the next call reuses it instead of
//! connecting again, a connection that answered 5xx is never reused (the SDK poisons it), and
//! an HTTP client that leaves the cache (LRU eviction, instance dropped) closes its pool.
//!
//! Every wait below is a condition wait on the emulator's counter with a generous hang guard:
//! connections close asynchronously after the last handle lets go of them.

mod common;

use std::future::Future;
use std::time::Duration;

use bedrock_emulator::{Emulator, EmulatorOptions, Fault, FaultRule, Operation, StreamOutcome};
use common::{chat_request, collect, host_config, install, load, runtime, Installed, MODEL};
use futures::StreamExt;
use host_harness::host::LoadedPlugin;
use plugin_api::event::StreamEvent;
use plugin_api::traits::ListModelsOptions;
use serde_json::{json, Value};

/// Hang guard of every wait on the emulator's connection counts.
const GUARD: Duration = Duration::from_secs(30);

/// A latency no test waits out: only a cancellation ends the call in time.
const NEVER_MS: u64 = 600_000;

/// Strict (errors propagate, DISC-03) and past the catalog cache, so every call is a run.
fn forced() -> ListModelsOptions {
    ListModelsOptions {
        strict: true,
        force_refresh: true,
        extensions: Default::default(),
    }
}

/// Discovery against the emulator's control plane with `include` as its sources, no access
/// checks (BR-81) and one attempt per call, so every run is a known number of calls.
fn discovery_config(emu: &Emulator, include: Value, extra: Value) -> Value {
    let mut config = json!({
        "awsBedrockControlPlaneEndpoint": emu.base_url(),
        "discovery": {"enabled": true, "checkAccess": false, "include": include},
        "retry": {"maxAttempts": 1}
    });
    if let (Some(base), Some(extra)) = (config.as_object_mut(), extra.as_object()) {
        for (key, value) in extra {
            base.insert(key.clone(), value.clone());
        }
    }
    config
}

/// Only ListFoundationModels: one call, so one connection, per run.
fn foundation_only(emu: &Emulator) -> Value {
    discovery_config(emu, json!(["foundation-models"]), json!({}))
}

fn start(config: impl FnOnce(&Emulator) -> Value) -> (Emulator, Installed, LoadedPlugin) {
    let emu = Emulator::start(EmulatorOptions::default()).expect("emulator starts");
    let installed = install(|_| {});
    let plugin = load(&installed, &host_config(&emu, config(&emu))).expect("plugin loads");
    (emu, installed, plugin)
}

/// Waits until at most `open` connections are open and asserts exactly `open` are.
fn assert_open_settles_at(emu: &Emulator, open: usize, what: &str) {
    assert_eq!(
        emu.wait_for_open_connections_at_most(open, GUARD),
        open,
        "{what}"
    );
}

/// Every call reused one connection, which the `client` keeps idle until the instance is
/// dropped, and dropping it closes the pool.
fn assert_one_connection_until_dropped(
    emu: &Emulator,
    plugin: LoadedPlugin,
    reused: &str,
    client: &str,
) {
    assert_eq!(emu.accepted_connections(), 1, "{reused}");
    assert_open_settles_at(
        emu,
        1,
        &format!("the {client} client keeps its one idle connection"),
    );
    drop(plugin);
    assert_open_settles_at(emu, 0, "dropping the instance closes its clients' pools");
}

#[test]
fn net_07_dropping_a_stream_after_its_first_delta_closes_its_connection() {
    let (emu, _installed, plugin) = start(|_| json!({}));
    // 4096 deltas (the request's maxTokens) 20 ms apart: the answer is still being written
    // long after the host has let go of it.
    for fault in [
        Fault::LongStream { events: 1_000_000 },
        Fault::StallBetweenEvents { ms: 20 },
    ] {
        emu.add_fault(FaultRule::for_operation(Operation::ConverseStream, fault));
    }
    assert_eq!(emu.open_connections(), 0);
    let first = runtime().block_on(async {
        let mut stream = plugin
            .stream_chat(chat_request(MODEL, "hi"))
            .expect("stream");
        loop {
            let event = stream.next().await.expect("the stream is long");
            if let Ok(StreamEvent::TextDelta { delta, .. }) = event.as_enum() {
                break delta.to_string();
            }
        }
        // The stream is dropped here, thousands of deltas before its end.
    });
    assert_eq!(first, "w1 ");
    assert_open_settles_at(&emu, 0, "the dropped stream's connection is closed");
    assert_eq!(emu.accepted_connections(), 1);
    let requests = emu.requests_for(Operation::ConverseStream);
    assert_eq!(requests.len(), 1);
    let outcome = emu.wait_for_stream_outcome(requests[0].id, GUARD);
    assert!(
        matches!(outcome, Some(StreamOutcome::ClientDisconnected)),
        "{outcome:?}"
    );
}

/// One chat through the loaded plugin, to its terminal event.
fn chat(rt: &tokio::runtime::Runtime, plugin: &LoadedPlugin) -> StreamEvent {
    let events = rt.block_on(collect(
        plugin
            .stream_chat(chat_request(MODEL, "hi"))
            .expect("stream"),
    ));
    events
        .last()
        .and_then(|event| event.as_enum().ok())
        .cloned()
        .expect("a terminal event")
}

/// The HTTP status of a terminal `Error` event.
fn error_status(event: &StreamEvent) -> Option<u16> {
    match event {
        StreamEvent::Error(failure) => failure.error.status.into_option(),
        _ => None,
    }
}

#[test]
fn net_07_finished_and_denied_chats_reuse_one_pooled_connection() {
    let (emu, _installed, plugin) = start(|_| json!({"retry": {"maxAttempts": 1}}));
    let rt = runtime();
    for _ in 0..10 {
        assert!(matches!(chat(&rt, &plugin), StreamEvent::Done(_)));
    }
    emu.deny("*", &[Operation::ConverseStream]);
    for _ in 0..10 {
        assert_eq!(error_status(&chat(&rt, &plugin)), Some(403));
    }
    assert_eq!(emu.requests_for(Operation::ConverseStream).len(), 20);
    assert_one_connection_until_dropped(
        &emu,
        plugin,
        "every chat reused the first connection",
        "runtime",
    );
}

/// A 5xx answer is a transient error to the SDK, whose connection poisoning
/// (aws-smithy-runtime's `ConnectionPoisoningInterceptor`) marks that connection never to be
/// reused: hyper-util's pool drops it at the next checkout (or the client's drop), so each
/// failed chat after the first connects anew and at most the last one is still open.
#[test]
fn net_07_a_connection_that_answered_http_500_is_never_reused() {
    let (emu, _installed, plugin) = start(|_| json!({"retry": {"maxAttempts": 1}}));
    let rt = runtime();
    assert!(matches!(chat(&rt, &plugin), StreamEvent::Done(_)));
    emu.add_fault(FaultRule::for_operation(
        Operation::ConverseStream,
        Fault::internal(),
    ));
    for _ in 0..10 {
        assert_eq!(error_status(&chat(&rt, &plugin)), Some(500));
    }
    assert_eq!(emu.requests_for(Operation::ConverseStream).len(), 11);
    assert_eq!(
        emu.accepted_connections(),
        10,
        "the pooled connection, then one per failed chat"
    );
    assert!(emu.wait_for_open_connections_at_most(1, GUARD) <= 1);
    emu.clear_faults();
    assert!(matches!(chat(&rt, &plugin), StreamEvent::Done(_)));
    assert_eq!(
        emu.accepted_connections(),
        11,
        "the poisoned connection was not reused"
    );
    assert_open_settles_at(&emu, 1, "only the healthy connection is kept");
    drop(plugin);
    assert_open_settles_at(&emu, 0, "dropping the instance closes its clients' pools");
}

#[test]
fn disc_11_repeated_discovery_runs_reuse_the_control_clients_pooled_connection() {
    let (emu, _installed, plugin) = start(foundation_only);
    let rt = runtime();
    for _ in 0..20 {
        let catalog = rt.block_on(plugin.list_models(forced())).expect("catalog");
        assert!(!catalog.models.is_empty());
    }
    assert_eq!(emu.requests_for(Operation::ListFoundationModels).len(), 20);
    assert_eq!(emu.requests().len(), 20, "one call per run");
    assert_one_connection_until_dropped(
        &emu,
        plugin,
        "every run reused the first connection",
        "control",
    );
}

/// With the default sources ListFoundationModels and ListInferenceProfiles run concurrently
/// (DISC-10), so a run needs two connections at once. hyper-util's pool may connect a third
/// when a run starts before the last run's connections are back in the pool (the connect it
/// raced with an idle connection is finished and pooled), so the exact count varies, but
/// connections are reused, not opened per run, and every one still open is pooled.
#[test]
fn disc_11_concurrent_discovery_runs_reuse_pooled_connections_closed_with_the_instance() {
    let (emu, _installed, plugin) = start(|emu| {
        discovery_config(
            emu,
            json!(["foundation-models", "inference-profiles"]),
            json!({}),
        )
    });
    let rt = runtime();
    for _ in 0..20 {
        rt.block_on(plugin.list_models(forced())).expect("catalog");
    }
    assert_eq!(emu.requests_for(Operation::ListFoundationModels).len(), 20);
    assert_eq!(emu.requests_for(Operation::ListInferenceProfiles).len(), 20);
    let accepted = emu.accepted_connections();
    eprintln!("40 discovery calls in 20 runs used {accepted} connections");
    assert!(
        (2..20).contains(&accepted),
        "{accepted} connections for 20 runs of 2 concurrent calls"
    );
    assert_open_settles_at(
        &emu,
        usize::try_from(accepted).expect("fewer than 20"),
        "every connection is pooled, none was closed",
    );
    drop(plugin);
    assert_open_settles_at(&emu, 0, "dropping the instance closes its clients' pools");
}

#[test]
fn disc_11_denied_discovery_runs_reuse_the_pooled_connection() {
    let (emu, _installed, plugin) = start(foundation_only);
    emu.deny("*", &[Operation::ListFoundationModels]);
    let rt = runtime();
    for _ in 0..10 {
        let error = rt
            .block_on(plugin.list_models(forced()))
            .expect_err("a denied ListFoundationModels fails a strict run");
        assert_eq!(error.status.into_option(), Some(403));
    }
    assert_eq!(emu.requests_for(Operation::ListFoundationModels).len(), 10);
    assert_one_connection_until_dropped(
        &emu,
        plugin,
        "every failed run reused the connection",
        "control",
    );
}

/// As for chats, the SDK's connection poisoning retires a connection that answered 5xx.
#[test]
fn disc_11_a_connection_that_answered_http_500_is_never_reused() {
    let (emu, _installed, plugin) = start(foundation_only);
    emu.add_fault(FaultRule::for_operation(
        Operation::ListFoundationModels,
        Fault::internal(),
    ));
    let rt = runtime();
    for _ in 0..10 {
        let error = rt
            .block_on(plugin.list_models(forced()))
            .expect_err("an HTTP 500 fails a strict run");
        assert_eq!(error.status.into_option(), Some(500));
    }
    assert_eq!(emu.requests_for(Operation::ListFoundationModels).len(), 10);
    assert_eq!(
        emu.accepted_connections(),
        10,
        "one connection per failed run"
    );
    assert!(emu.wait_for_open_connections_at_most(1, GUARD) <= 1);
    emu.clear_faults();
    rt.block_on(plugin.list_models(forced())).expect("catalog");
    assert_eq!(
        emu.accepted_connections(),
        11,
        "the poisoned connection was not reused"
    );
    assert_open_settles_at(&emu, 1, "only the healthy connection is kept");
    drop(plugin);
    assert_open_settles_at(&emu, 0, "dropping the instance closes its clients' pools");
}

#[test]
fn disc_11_a_cancelled_discovery_releases_its_connection() {
    let (emu, _installed, plugin) = start(foundation_only);
    emu.add_fault(FaultRule::for_operation(
        Operation::ListFoundationModels,
        Fault::Latency { ms: NEVER_MS },
    ));
    let rt = runtime();
    let mut pending = Box::pin(plugin.list_models(forced()));
    // One poll starts the plugin's call; the future is then dropped without an answer.
    let first_poll = rt.block_on(std::future::poll_fn(|cx| {
        std::task::Poll::Ready(pending.as_mut().poll(cx))
    }));
    assert!(first_poll.is_pending());
    assert_eq!(
        emu.wait_for_accepted_connections_at_least(1, GUARD),
        1,
        "the run connected"
    );
    assert_eq!(emu.open_connections(), 1);
    drop(pending);
    assert_open_settles_at(&emu, 0, "the cancelled call's connection is closed");
    // The instance still works, on a new connection.
    emu.clear_faults();
    rt.block_on(plugin.list_models(forced())).expect("catalog");
    assert_eq!(emu.accepted_connections(), 2);
    assert_open_settles_at(&emu, 1, "the new connection is pooled");
}

#[test]
fn net_07_plg_29_an_http_client_evicted_from_the_cache_closes_its_pool() {
    // Each connect timeout is a different SDK client (LIVE-06) and HTTP client (PLG-29); the
    // caches keep 16 of each.
    let config = |emu: &Emulator, connect_ms: u64| {
        host_config(
            emu,
            discovery_config(
                emu,
                json!(["foundation-models"]),
                json!({"timeouts": {"connectMs": connect_ms}}),
            ),
        )
    };
    let (emu, _installed, plugin) = start(|emu| {
        discovery_config(
            emu,
            json!(["foundation-models"]),
            json!({"timeouts": {"connectMs": 1000}}),
        )
    });
    let rt = runtime();
    for (clients, connect_ms) in (1000..1016).enumerate() {
        plugin
            .update_config(&config(&emu, connect_ms))
            .expect("valid config");
        rt.block_on(plugin.list_models(forced())).expect("catalog");
        assert_eq!(emu.accepted_connections(), clients as u64 + 1);
    }
    assert_open_settles_at(&emu, 16, "16 cached clients, one idle connection each");
    plugin
        .update_config(&config(&emu, 1016))
        .expect("valid config");
    rt.block_on(plugin.list_models(forced())).expect("catalog");
    assert_eq!(emu.accepted_connections(), 17);
    assert_open_settles_at(
        &emu,
        16,
        "the least recently used client left with its pool",
    );
    drop(plugin);
    assert_open_settles_at(&emu, 0, "dropping the instance closes its clients' pools");
}
