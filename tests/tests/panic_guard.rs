//! A panic inside the plugin reaches the host as an `Internal` error, and the host keeps
//! running. The plugin's test hook `BEDROCK_PLUGIN_TEST_PANIC` names the entry point that
//! panics; this binary holds one test so setting it cannot disturb others.

mod common;

use bedrock_emulator::{Emulator, EmulatorOptions};
use common::*;
use plugin_api::error::ErrorKind;
use plugin_api::traits::ListModelsOptions;
use serde_json::json;

#[test]
fn a_panic_inside_the_plugin_becomes_an_internal_error() {
    let installed = install(|_| {});
    let emu = Emulator::start(EmulatorOptions::default()).expect("emulator");
    let plugin = load(&installed, &host_config(&emu, json!({}))).expect("plugin loads");
    // Set before any plugin thread reads it; the plugin only reads the env afterwards.
    std::env::set_var("BEDROCK_PLUGIN_TEST_PANIC", "ChatProvider::stream_chat");
    let error = match plugin.stream_chat(chat_request(MODEL, "boom")) {
        Err(error) => error,
        Ok(_) => panic!("the panicking entry point must return an error"),
    };
    assert_eq!(error.kind(), Some(ErrorKind::Internal));
    assert_eq!(
        error.message.as_str(),
        "plugin panicked in ChatProvider::stream_chat; the operation was abandoned"
    );
    // The process and the plugin survive: other entry points keep working.
    let catalog = runtime()
        .block_on(plugin.list_models(ListModelsOptions::default()))
        .expect("plugin still serves after the panic");
    assert_eq!(catalog.models.len(), 2);
    std::env::remove_var("BEDROCK_PLUGIN_TEST_PANIC");
    let events = runtime().block_on(async {
        collect(
            plugin
                .stream_chat(chat_request(MODEL, "after"))
                .expect("stream"),
        )
        .await
    });
    assert_eq!(
        text_of(&events),
        "Hello from the Bedrock emulator. You said: after"
    );
}
