//! The plugin's `tracing` events (its own and the AWS SDK's) arrive in the host's subscriber
//! through the ABI and obey the host's filter. One test per binary: it installs the global
//! subscriber.

mod common;

use std::sync::{Arc, Mutex};

use bedrock_emulator::{Emulator, EmulatorOptions};
use common::*;
use plugin_api::abi_stable::std_types::ROption;
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

#[derive(Clone, Debug)]
struct Seen {
    level: tracing::Level,
    target: String,
    message: String,
}

#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Seen>>>);

struct MessageVisitor(String);

impl Visit for MessageVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0 = value.to_owned();
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for Recorder {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        let mut visitor = MessageVisitor(String::new());
        event.record(&mut visitor);
        self.0.lock().expect("recorder").push(Seen {
            level: *event.metadata().level(),
            target: event.metadata().target().to_owned(),
            message: visitor.0,
        });
    }
}

#[test]
fn plugin_and_sdk_logs_reach_the_host_subscriber_through_its_filter() {
    let recorder = Recorder::default();
    // Like RUST_LOG="warn,bedrock_plugin=debug": the plugin's debug events pass, the SDK's
    // chatter below warn does not.
    tracing_subscriber::registry()
        .with(
            recorder
                .clone()
                .with_filter(EnvFilter::new("warn,bedrock_plugin=debug")),
        )
        .init();

    let installed = install(|_| {});
    let emu = Emulator::start(EmulatorOptions::default()).expect("emulator");
    let plugin = load(&installed, &host_config(&emu, json!({}))).expect("plugin loads");
    let mut request = chat_request(MODEL, "log me");
    request.options.temperature = ROption::RSome(1.5);
    let events =
        runtime().block_on(async { collect(plugin.stream_chat(request).expect("stream")).await });
    assert_eq!(
        text_of(&events),
        "Hello from the Bedrock emulator. You said: log me"
    );

    let seen = recorder.0.lock().expect("recorder").clone();
    let clamp = seen
        .iter()
        .find(|event| event.message == "Amazon Bedrock: temperature 1.5 is outside [0, 1]; using 1")
        .unwrap_or_else(|| panic!("REQ-08 warning not forwarded; saw {seen:#?}"));
    assert_eq!(clamp.level, tracing::Level::WARN);
    assert!(
        clamp.target.starts_with("bedrock_plugin"),
        "{}",
        clamp.target
    );
    assert!(
        seen.iter().any(|event| event.level == tracing::Level::DEBUG
            && event.message == "sending ConverseStream"),
        "plugin debug events pass the host filter"
    );
    assert!(
        !seen
            .iter()
            .any(|event| event.target.starts_with("aws_") && event.level > tracing::Level::WARN),
        "the host filter keeps the SDK's debug/trace chatter out"
    );
}
