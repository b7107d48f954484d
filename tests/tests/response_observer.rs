//! The host's response observer through the built cdylib (REQ-07, EX-A13, EX-A14, PLG-101): called once
//! with `{status: 200, headers: {"x-amzn-requestid": <id>}}` for an accepted response, the same
//! id the final message stores (BR-40); an observer that fails ends the stream with its error
//! and aborts the plugin's request.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bedrock_emulator::{Emulator, EmulatorOptions, Fault, FaultRule, Operation, StreamOutcome};
use common::*;
use host_harness::stream::ResponseInfo;
use plugin_api::event::StreamEvent;
use serde_json::json;

fn emulator() -> Emulator {
    Emulator::start(EmulatorOptions::default()).expect("emulator starts")
}

#[test]
fn req_07_ex_a13_the_observer_gets_status_and_request_id_once() {
    let installed = install(|_| {});
    let emu = emulator();
    let plugin = load(&installed, &host_config(&emu, json!({}))).expect("plugin loads");
    let seen: Arc<Mutex<Vec<ResponseInfo>>> = Arc::default();
    let recorder = seen.clone();
    let events = runtime().block_on(async {
        let stream = plugin
            .stream_chat(chat_request(MODEL, "observe me"))
            .expect("stream starts")
            .with_response_observer(move |info| {
                recorder.lock().expect("lock").push(info.clone());
                Ok(())
            });
        collect(stream).await
    });
    let Some(Ok(StreamEvent::Done(summary))) = events.last().map(|e| e.as_enum()) else {
        panic!("expected done, got {:?}", events.last());
    };
    let request_id = summary
        .request_id
        .as_ref()
        .into_option()
        .map(|id| id.to_string())
        .expect("BR-40: the final message stores the request id");
    // The id is the response header the emulator sent.
    let sent = emu.requests_for(Operation::ConverseStream);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        *seen.lock().expect("lock"),
        [ResponseInfo {
            status: 200,
            headers: BTreeMap::from([("x-amzn-requestid".to_owned(), request_id)]),
        }]
    );
}

#[test]
fn ex_a14_a_failing_observer_ends_the_stream_with_its_error() {
    let installed = install(|_| {});
    let emu = emulator();
    // A slow answer, so the request is still streaming when the observer fails.
    emu.add_fault(FaultRule {
        operation: Some(Operation::ConverseStream),
        model_id: None,
        times: None,
        fault: Fault::StallBetweenEvents { ms: 200 },
    });
    let plugin = load(&installed, &host_config(&emu, json!({}))).expect("plugin loads");
    let events = runtime().block_on(async {
        let stream = plugin
            .stream_chat(chat_request(MODEL, "one two three four five six"))
            .expect("stream starts")
            .with_response_observer(|_| Err("acceptance observer failed".to_owned()));
        collect(stream).await
    });
    let names: Vec<_> = events
        .iter()
        .map(|event| match event.as_enum() {
            Ok(StreamEvent::Error(failure)) => format!("error: {}", failure.error.message),
            Ok(other) => format!("{other:?}"),
            Err(_) => "unknown".to_owned(),
        })
        .collect();
    assert_eq!(names, ["error: acceptance observer failed"], "{events:?}");
    // The plugin's request was aborted: the emulator saw the connection close mid-stream.
    let request = emu
        .requests_for(Operation::ConverseStream)
        .pop()
        .expect("request recorded");
    assert_eq!(
        emu.wait_for_stream_outcome(request.id, Duration::from_secs(10)),
        Some(StreamOutcome::ClientDisconnected)
    );
}
