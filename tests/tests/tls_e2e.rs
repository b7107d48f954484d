//! HTTPS end to end: the emulator serves TLS with a CA generated at start, and the plugin
//! trusts it through `AWS_CA_BUNDLE` (NET-06) over its real rustls path. One test per binary:
//! it sets the process environment before the plugin reads it.

mod common;

use bedrock_emulator::{Emulator, EmulatorOptions, Operation};
use common::*;
use serde_json::json;

#[test]
fn net_06_plg_23_chat_over_https_trusting_the_emulator_ca_via_aws_ca_bundle() {
    let emu = Emulator::start(EmulatorOptions {
        tls: true,
        ..EmulatorOptions::default()
    })
    .expect("TLS emulator");
    assert!(emu.base_url().starts_with("https://"), "{}", emu.base_url());
    let ca = emu.ca_cert_path().expect("CA file");
    std::env::set_var("AWS_CA_BUNDLE", ca);

    let installed = install(|_| {});
    let plugin = load(&installed, &host_config(&emu, json!({}))).expect("plugin loads");
    let events = runtime().block_on(async {
        collect(
            plugin
                .stream_chat(chat_request(MODEL, "over tls"))
                .expect("stream"),
        )
        .await
    });
    assert_eq!(
        text_of(&events),
        "Hello from the Bedrock emulator. You said: over tls"
    );
    let sent = emu
        .requests_for(Operation::ConverseStream)
        .pop()
        .expect("recorded");
    assert!(sent.authorized);

    // Without the CA the same endpoint is refused by certificate verification.
    std::env::remove_var("AWS_CA_BUNDLE");
    let events = runtime().block_on(async {
        collect(
            plugin
                .stream_chat(chat_request(MODEL, "untrusted"))
                .expect("stream"),
        )
        .await
    });
    match events.last().map(|e| e.as_enum()) {
        Some(Ok(plugin_api::event::StreamEvent::Error(failure))) => {
            assert_eq!(
                failure.error.kind(),
                Some(plugin_api::error::ErrorKind::Network),
                "{:?}",
                failure.error
            );
            // PLG-23: not retried (one send, no retry event), and the message says what fixes it.
            assert!(!failure.error.retryable);
            assert!(
                failure.error.message.as_str().ends_with(
                    "(the endpoint's TLS certificate is signed by a CA this client does not trust; if a proxy or a private CA signs it, set AWS_CA_BUNDLE to that CA's PEM file; not retried)"
                ),
                "{}",
                failure.error.message
            );
            assert!(
                !events.iter().any(|event| matches!(
                    event.as_enum(),
                    Ok(plugin_api::event::StreamEvent::Retry(_))
                )),
                "no retry for an untrusted certificate"
            );
        }
        other => panic!("an untrusted certificate must fail the request, got {other:?}"),
    }
}
