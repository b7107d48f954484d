//! Resource limits through the built cdylib (PLG-90..93): the in-flight stream limit refuses
//! one stream more with an error naming `limits.maxConcurrentStreams`, a slow host applies
//! back-pressure (the plugin stops reading Bedrock once its bounded queue is full, so memory
//! stays bounded, and nothing is lost once the host reads again), and the tool-argument and
//! delta caps end a stream with an error naming their keys.
//!
//! One test per binary process at a time measures process-wide counters, so the tests here
//! share a lock.

mod common;
mod resources;

use std::sync::Mutex;
use std::time::Duration;

use abi_stable::std_types::{ROption, RVec};
use bedrock_emulator::{Emulator, Operation, StreamOutcome};
use common::{chat_request, collect, host_config, install, load, runtime, text_of, MODEL};
use futures::StreamExt;
use plugin_api::chat::ToolDefinition;
use plugin_api::error::{ErrorKind, PluginError};
use plugin_api::event::{StreamEvent, StreamEvent_NE};
use resources::{heap_in_use, status_number, wait_until, STREAMS_IN_FLIGHT, STREAM_LIMIT};
use serde_json::json;

static SERIAL: Mutex<()> = Mutex::new(());

const GREETING: &str = "Hello from the Bedrock emulator. You said: ";
/// bedrock_plugin::pending::QUEUE_CAPACITY.
const QUEUE_CAPACITY: usize = 1024;
const QUEUED_EVENTS: &str = "plugin queued events";

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn the_error(events: &[StreamEvent_NE]) -> PluginError {
    let errors: Vec<PluginError> = events
        .iter()
        .filter_map(|event| match event.as_enum() {
            Ok(StreamEvent::Error(failure)) => Some(failure.error.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(errors.len(), 1, "exactly one Error event");
    assert!(
        events
            .last()
            .is_some_and(|event| matches!(event.as_enum(), Ok(StreamEvent::Error(_)))),
        "the Error is the last event"
    );
    errors.into_iter().next().unwrap()
}

#[test]
fn plg_90_a_stream_beyond_limits_max_concurrent_streams_is_refused_at_once_naming_the_key() {
    let _serial = serial();
    let emu = Emulator::start(Default::default()).unwrap();
    let installed = install(|_| {});
    let config = host_config(&emu, json!({"limits": {"maxConcurrentStreams": 2}}));
    let plugin = load(&installed, &config).unwrap();
    let rt = runtime();
    rt.block_on(async {
        // Two long streams the host does not read stay in flight (back-pressure holds them).
        let mut first = plugin
            .stream_chat(chat_request(MODEL, "!long=1000000"))
            .unwrap();
        let second = plugin
            .stream_chat(chat_request(MODEL, "!long=1000000"))
            .unwrap();
        let start = first.next().await.expect("the first stream starts");
        assert!(matches!(start.as_enum(), Ok(StreamEvent::Start { .. })));
        assert_eq!(status_number(&plugin, STREAMS_IN_FLIGHT), 2);
        assert_eq!(
            plugin
                .status()
                .details
                .iter()
                .find(|line| line.key.as_str() == STREAM_LIMIT)
                .map(|line| line.value.to_string()),
            Some("2 (limits.maxConcurrentStreams)".to_owned())
        );

        let refused = plugin
            .stream_chat(chat_request(MODEL, "a third"))
            .err()
            .expect("a third stream is refused synchronously");
        assert_eq!(refused.kind(), Some(ErrorKind::RateLimit));
        assert!(refused.retryable);
        assert_eq!(
            refused
                .error_code
                .as_ref()
                .map(|c| c.as_str())
                .into_option(),
            Some("PluginLimitExceeded")
        );
        assert_eq!(
            refused.message.as_str(),
            "a new chat stream with 2 already in flight is over the plugin limit \
             limits.maxConcurrentStreams = 2; raise limits.maxConcurrentStreams in the \
             amazon-bedrock plugin config"
        );

        // Dropping a stream frees its slot once its task has ended.
        drop(second);
        wait_until(
            "the dropped stream's slot is free",
            Duration::from_secs(30),
            || status_number(&plugin, STREAMS_IN_FLIGHT) == 1,
        );
        let events = collect(plugin.stream_chat(chat_request(MODEL, "now fits")).unwrap()).await;
        assert_eq!(text_of(&events), format!("{GREETING}now fits"));
        drop(first);
        // The refused stream never reached Bedrock.
        assert!(!emu
            .requests_for(Operation::ConverseStream)
            .iter()
            .any(|r| String::from_utf8_lossy(&r.body).contains("a third")));
    });
    wait_until("no stream in flight", Duration::from_secs(30), || {
        status_number(&plugin, STREAMS_IN_FLIGHT) == 0
    });
}

#[test]
fn plg_92_a_slow_host_applies_back_pressure_the_plugin_stops_reading_and_memory_stays_bounded() {
    let _serial = serial();
    let emu = Emulator::start(Default::default()).unwrap();
    let installed = install(|_| {});
    // maxTokens caps a `!long` reply, so the request may ask for a million.
    let config = host_config(&emu, json!({"requestMaxTokens": 1_000_000}));
    let plugin = load(&installed, &config).unwrap();
    let rt = runtime();
    // 400,000 words: some 50 MB of event-stream frames, far more than the socket buffers
    // hold, so the emulator can finish writing only if the plugin reads on.
    const WORDS: usize = 400_000;
    let heap_before = heap_in_use();
    let mut request = chat_request(MODEL, &format!("!long={WORDS}"));
    request.model.max_tokens = WORDS as u64;
    let mut stream = plugin.stream_chat(request).unwrap();
    rt.block_on(async {
        assert!(stream.next().await.is_some(), "Start");
    });
    // The host reads nothing more. The plugin fills its bounded queue and then waits.
    wait_until("the stream queue is full", Duration::from_secs(60), || {
        status_number(&plugin, QUEUED_EVENTS) >= QUEUE_CAPACITY
    });
    let request = emu
        .requests_for(Operation::ConverseStream)
        .last()
        .map(|r| r.id)
        .unwrap();
    let queued = status_number(&plugin, QUEUED_EVENTS);
    let heap_held = heap_in_use();
    // One batch may land on top of a queue that had room (the check is before a batch).
    assert!(
        queued < 2 * QUEUE_CAPACITY,
        "queue holds {queued} events, bound {QUEUE_CAPACITY} plus one batch"
    );
    assert_eq!(
        emu.stream_outcome(request),
        None,
        "the emulator finished writing: the plugin kept reading"
    );
    assert!(
        heap_held <= heap_before + 32 * 1024 * 1024,
        "heap grew by {} KiB while the host was not reading",
        (heap_held - heap_before) / 1024
    );
    eprintln!(
        "back-pressure: {queued} events queued, heap +{} KiB while paused",
        heap_held.saturating_sub(heap_before) / 1024
    );

    // The host reads again: every word arrives once, in order, and the stream completes.
    rt.block_on(async {
        let mut expected = 1usize;
        let mut done = false;
        while let Some(event) = stream.next().await {
            match event.as_enum() {
                Ok(StreamEvent::TextDelta { delta, .. }) => {
                    let word = format!("w{expected}");
                    assert_eq!(delta.as_str().trim_end(), word, "word {expected}");
                    expected += 1;
                }
                Ok(StreamEvent::Done(_)) => done = true,
                Ok(StreamEvent::Error(failure)) => {
                    panic!("stream failed: {}", failure.error.message)
                }
                _ => {}
            }
        }
        assert!(done);
        assert_eq!(expected - 1, WORDS);
    });
    assert_eq!(
        emu.wait_for_stream_outcome(request, Duration::from_secs(30)),
        Some(StreamOutcome::Completed)
    );
    assert_eq!(status_number(&plugin, QUEUED_EVENTS), 0);
}

#[test]
fn plg_91_a_tool_call_over_limits_max_tool_argument_bytes_ends_the_stream_naming_the_key() {
    let _serial = serial();
    let emu = Emulator::start(Default::default()).unwrap();
    let installed = install(|_| {});
    let config = host_config(&emu, json!({"limits": {"maxToolArgumentBytes": 1024}}));
    let plugin = load(&installed, &config).unwrap();
    // 200 string properties: `{"p000":"emulator",…}` is about 3.6 KB of arguments.
    let properties: serde_json::Map<String, serde_json::Value> = (0..200)
        .map(|i| (format!("p{i:03}"), json!({"type": "string"})))
        .collect();
    let mut request = chat_request(MODEL, "!tool please");
    request.tools = RVec::from(vec![ToolDefinition {
        name: "wide".into(),
        description: ROption::RSome("takes many arguments".into()),
        parameters_json: json!({"type": "object", "properties": properties})
            .to_string()
            .into(),
        extensions: Default::default(),
    }]);
    let events = runtime().block_on(collect(plugin.stream_chat(request).unwrap()));
    let error = the_error(&events);
    assert_eq!(error.kind(), Some(ErrorKind::Service));
    assert!(!error.retryable);
    assert!(
        error
            .message
            .as_str()
            .starts_with("the arguments of tool call wide (")
            && error.message.as_str().ends_with(
                "bytes so far) is over the plugin limit limits.maxToolArgumentBytes = 1024; \
                 raise limits.maxToolArgumentBytes in the amazon-bedrock plugin config"
            ),
        "{}",
        error.message
    );
    let fragments: usize = events
        .iter()
        .filter_map(|event| match event.as_enum() {
            Ok(StreamEvent::ToolCallDelta { fragment, .. }) => Some(fragment.len()),
            _ => None,
        })
        .sum();
    assert!(
        fragments <= 1024,
        "{fragments} argument bytes passed the cap"
    );
    assert!(!events
        .iter()
        .any(|event| matches!(event.as_enum(), Ok(StreamEvent::ToolCallEnd { .. }))));
}

#[test]
fn plg_91_a_delta_over_limits_max_delta_bytes_ends_the_stream_naming_the_key() {
    let _serial = serial();
    let emu = Emulator::start(Default::default()).unwrap();
    let installed = install(|_| {});
    let config = host_config(&emu, json!({"limits": {"maxDeltaBytes": 1024}}));
    let plugin = load(&installed, &config).unwrap();
    // The emulator streams one delta per word: a 2000-byte word is one 2000-byte delta.
    let word = "x".repeat(2000);
    let events = runtime().block_on(collect(
        plugin
            .stream_chat(chat_request(MODEL, &format!("small {word}")))
            .unwrap(),
    ));
    let error = the_error(&events);
    assert_eq!(error.kind(), Some(ErrorKind::Service));
    assert_eq!(
        error.message.as_str(),
        "a streamed delta of 2000 bytes is over the plugin limit limits.maxDeltaBytes = 1024; \
         raise limits.maxDeltaBytes in the amazon-bedrock plugin config"
    );
    // Everything before the oversized delta was delivered, nothing of it.
    assert_eq!(text_of(&events), format!("{GREETING}small "));
}

#[test]
fn plg_90_a_request_refused_while_shaping_gives_its_stream_slot_back() {
    let _serial = serial();
    let emu = Emulator::start(Default::default()).unwrap();
    let installed = install(|_| {});
    let config = host_config(&emu, json!({"limits": {"maxConcurrentStreams": 1}}));
    let plugin = load(&installed, &config).unwrap();
    let mut bad = chat_request(MODEL, "wrong api");
    bad.model.api = "openai-completions".into();
    for _ in 0..3 {
        let error = plugin.stream_chat(bad.clone()).err().expect("refused");
        assert_eq!(
            error.kind(),
            Some(ErrorKind::InvalidRequest),
            "{}",
            error.message
        );
        assert_eq!(status_number(&plugin, STREAMS_IN_FLIGHT), 0);
    }
    let events = runtime().block_on(collect(
        plugin.stream_chat(chat_request(MODEL, "fits")).unwrap(),
    ));
    assert_eq!(text_of(&events), format!("{GREETING}fits"));
}
