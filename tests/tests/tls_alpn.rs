//! NET-03 (withdrawn rule, kept as a check): over HTTPS the HTTP version is negotiated by ALPN
//! and `AWS_BEDROCK_FORCE_HTTP1` is ignored. One test per binary: it sets the process
//! environment before the plugin reads it.

mod common;

use bedrock_emulator::{Emulator, EmulatorOptions, Operation};
use common::*;
use serde_json::json;

#[test]
fn net_03_force_http1_is_ignored_and_alpn_decides() {
    let emu = Emulator::start(EmulatorOptions {
        tls: true,
        ..EmulatorOptions::default()
    })
    .expect("TLS emulator");
    let ca = emu.ca_cert_path().expect("CA file");
    std::env::set_var("AWS_CA_BUNDLE", ca);
    std::env::set_var("AWS_BEDROCK_FORCE_HTTP1", "1");

    let installed = install(|_| {});
    let plugin = load(&installed, &host_config(&emu, json!({}))).expect("plugin loads");
    let events = runtime().block_on(async {
        collect(
            plugin
                .stream_chat(chat_request(MODEL, "which version"))
                .expect("stream"),
        )
        .await
    });
    assert_eq!(
        text_of(&events),
        "Hello from the Bedrock emulator. You said: which version"
    );
    let sent = emu
        .requests_for(Operation::ConverseStream)
        .pop()
        .expect("recorded");
    assert_eq!(sent.http_version, "HTTP/2.0", "negotiated by ALPN");
}
