//! End to end through the built cdylib: the host harness finds, validates and loads
//! `libbedrock_plugin.so` with abi_stable, and the plugin talks to the local emulator with the
//! real AWS SDK.

mod common;

use std::time::Duration;

use bedrock_emulator::{Emulator, EmulatorOptions, Fault, FaultRule, Operation, StreamOutcome};
use common::*;
use futures::StreamExt;
use host_harness::host::HostError;
use plugin_api::abi_stable::std_types::ROption;
use plugin_api::event::{StopReason, StreamEvent};
use plugin_api::traits::ListModelsOptions;
use serde_json::json;

/// Makes every ConverseStream of `emu` pause `ms` between events.
fn stall_every_stream(emu: &Emulator, ms: u64) {
    emu.add_fault(FaultRule {
        operation: Some(Operation::ConverseStream),
        model_id: None,
        times: None,
        fault: Fault::StallBetweenEvents { ms },
    });
}

fn emulator() -> Emulator {
    Emulator::start(EmulatorOptions::default()).expect("emulator starts")
}

#[test]
fn man_04_loaded_library_reports_the_manifest_facts() {
    let installed = install(|_| {});
    let emu = emulator();
    let plugin = load(&installed, &host_config(&emu, json!({}))).expect("plugin loads");
    let facts = host_harness::loader::library_facts(plugin.module);
    assert_eq!(facts.id, "amazon-bedrock");
    assert_eq!(facts.api, "bedrock-converse-stream");
    assert_eq!(facts.providers, ["amazon-bedrock"]);
    assert_eq!(facts.embedding_providers, ["bedrock"]);
    assert_eq!(
        facts.version,
        manifest()["version"].as_str().expect("version")
    );
}

#[test]
fn disc_43_lists_the_explicit_models_without_calling_bedrock() {
    let installed = install(|_| {});
    let emu = emulator();
    let plugin = load(&installed, &host_config(&emu, json!({}))).expect("plugin loads");
    let catalog = runtime()
        .block_on(plugin.list_models(ListModelsOptions {
            strict: true,
            force_refresh: false,
            extensions: Default::default(),
        }))
        .expect("catalog");
    let ids: Vec<&str> = catalog.models.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, [MODEL, "us.anthropic.claude-sonnet-4-6"]);
    assert_eq!(catalog.models[1].cost.output, 15.0);
    assert!(catalog.models[1].reasoning);
    assert_eq!(catalog.provider_id.as_str(), "amazon-bedrock");
    assert_eq!(
        emu.count(Operation::ListFoundationModels),
        0,
        "discovery is disabled"
    );
}

#[test]
fn streams_a_chat_with_exact_text_stop_reason_and_usage() {
    let installed = install(|_| {});
    let emu = emulator();
    let plugin = load(&installed, &host_config(&emu, json!({}))).expect("plugin loads");
    let events = runtime().block_on(async {
        let stream = plugin
            .stream_chat(chat_request(MODEL, "stream me please"))
            .expect("stream starts");
        collect(stream).await
    });
    assert_eq!(
        text_of(&events),
        "Hello from the Bedrock emulator. You said: stream me please"
    );
    let text_deltas = events
        .iter()
        .filter(|e| matches!(e.as_enum(), Ok(StreamEvent::TextDelta { .. })))
        .count();
    assert_eq!(text_deltas, 10, "one delta per word, token by token");
    assert!(matches!(
        events.first().map(|e| e.as_enum()),
        Some(Ok(StreamEvent::Start { .. }))
    ));
    let Some(Ok(StreamEvent::Done(summary))) = events.last().map(|e| e.as_enum()) else {
        panic!("last event must be Done, got {:?}", events.last());
    };
    assert_eq!(
        summary.stop_reason.as_enum().ok().copied(),
        Some(StopReason::Stop)
    );
    assert_eq!(
        summary
            .provider_stop_reason
            .as_ref()
            .into_option()
            .map(|s| s.as_str()),
        Some("end_turn")
    );
    assert_eq!(summary.usage.input, 3);
    assert_eq!(summary.usage.output, 10);
    assert!(
        summary.request_id.is_some(),
        "x-amzn-requestid is stored on the final message (BR-40; the observer in response_observer.rs)"
    );

    let sent = emu.requests_for(Operation::ConverseStream);
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0].authorized,
        "the emulator verified the SigV4 signature"
    );
    let body = sent[0].json().expect("JSON body");
    assert_eq!(
        body["messages"][0]["content"][0]["text"],
        "stream me please"
    );
    assert_eq!(body["inferenceConfig"]["maxTokens"], 4096);
}

#[test]
fn req_04_stop_sequences_and_max_tokens_reach_bedrock() {
    let installed = install(|_| {});
    let emu = emulator();
    let plugin = load(&installed, &host_config(&emu, json!({}))).expect("plugin loads");
    let mut request = chat_request(MODEL, "one two three four");
    request.options.max_tokens = ROption::RSome(3);
    let events =
        runtime().block_on(async { collect(plugin.stream_chat(request).expect("stream")).await });
    assert_eq!(text_of(&events), "Hello from the");
    let Some(Ok(StreamEvent::Done(summary))) = events.last().map(|e| e.as_enum()) else {
        panic!("Done expected");
    };
    assert_eq!(
        summary.stop_reason.as_enum().ok().copied(),
        Some(StopReason::Length)
    );
}

#[test]
fn net_05_dropping_a_stream_midway_closes_the_connection() {
    let installed = install(|_| {});
    let emu = emulator();
    stall_every_stream(&emu, 25);
    let plugin = load(&installed, &host_config(&emu, json!({}))).expect("plugin loads");
    runtime().block_on(async {
        let mut stream = plugin
            .stream_chat(chat_request(MODEL, "!long=2000"))
            .expect("stream");
        let mut deltas = 0;
        while let Some(event) = stream.next().await {
            if matches!(event.as_enum(), Ok(StreamEvent::TextDelta { .. })) {
                deltas += 1;
                if deltas == 3 {
                    break;
                }
            }
        }
        drop(stream);
    });
    let request = emu
        .requests_for(Operation::ConverseStream)
        .pop()
        .expect("request recorded");
    let outcome = emu.wait_for_stream_outcome(request.id, Duration::from_secs(10));
    assert_eq!(outcome, Some(StreamOutcome::ClientDisconnected));
}

#[test]
fn evt_31_cancel_ends_the_stream_with_aborted() {
    let installed = install(|_| {});
    let emu = emulator();
    stall_every_stream(&emu, 25);
    let plugin = load(&installed, &host_config(&emu, json!({}))).expect("plugin loads");
    let events = runtime().block_on(async {
        let mut stream = plugin
            .stream_chat(chat_request(MODEL, "!long=2000"))
            .expect("stream");
        let mut seen = Vec::new();
        while let Some(event) = stream.next().await {
            let is_delta = matches!(event.as_enum(), Ok(StreamEvent::TextDelta { .. }));
            seen.push(event);
            if is_delta {
                stream.cancel();
            }
        }
        seen
    });
    let Some(Ok(StreamEvent::Error(failure))) = events.last().map(|e| e.as_enum()) else {
        panic!("last event must be Error, got {:?}", events.last());
    };
    assert_eq!(failure.error.message.as_str(), "Request was aborted");
    assert_eq!(
        failure.summary.stop_reason.as_enum().ok().copied(),
        Some(StopReason::Aborted)
    );
    let request = emu
        .requests_for(Operation::ConverseStream)
        .pop()
        .expect("request recorded");
    assert_eq!(
        emu.wait_for_stream_outcome(request.id, Duration::from_secs(10)),
        Some(StreamOutcome::ClientDisconnected)
    );
}

#[test]
fn err_01_bedrock_errors_arrive_as_typed_stream_errors() {
    let installed = install(|_| {});
    let emu = emulator();
    let plugin = load(&installed, &host_config(&emu, json!({}))).expect("plugin loads");
    let events = runtime().block_on(async {
        collect(
            plugin
                .stream_chat(chat_request("no.such-model-v1:0", "hi"))
                .expect("stream"),
        )
        .await
    });
    let Some(Ok(StreamEvent::Error(failure))) = events.last().map(|e| e.as_enum()) else {
        panic!("Error expected, got {:?}", events.last());
    };
    assert!(
        failure
            .error
            .message
            .starts_with("Validation error: The provided model identifier is invalid."),
        "{}",
        failure.error.message
    );
    assert_eq!(failure.error.status.into_option(), Some(400));
    assert_eq!(
        failure
            .error
            .error_code
            .as_ref()
            .into_option()
            .map(|c| c.as_str()),
        Some("ValidationException")
    );
    assert!(failure.error.request_id.is_some());
}

#[test]
fn auth_05_wrong_secret_is_rejected_by_the_emulator_as_aws_would() {
    let installed = install(|_| {});
    let emu = emulator();
    let plugin = load(
        &installed,
        &host_config(&emu, json!({"awsSecretKey": "not-the-secret"})),
    )
    .expect("plugin loads");
    let events = runtime().block_on(async {
        collect(
            plugin
                .stream_chat(chat_request(MODEL, "hi"))
                .expect("stream"),
        )
        .await
    });
    let Some(Ok(StreamEvent::Error(failure))) = events.last().map(|e| e.as_enum()) else {
        panic!("Error expected");
    };
    assert_eq!(failure.error.status.into_option(), Some(403));
    assert!(
        failure.error.message.contains("InvalidSignatureException"),
        "{}",
        failure.error.message
    );
}

#[test]
fn auth_04_bearer_token_from_config_bypasses_sigv4() {
    let installed = install(|_| {});
    let emu = emulator();
    let plugin = load(
        &installed,
        &host_config(
            &emu,
            json!({"awsAuthentication": "apikey", "awsBedrockApiKey": bedrock_emulator::DEFAULT_BEARER_TOKEN}),
        ),
    )
    .expect("plugin loads");
    let events = runtime().block_on(async {
        collect(
            plugin
                .stream_chat(chat_request(MODEL, "bearer"))
                .expect("stream"),
        )
        .await
    });
    assert_eq!(
        text_of(&events),
        "Hello from the Bedrock emulator. You said: bearer"
    );
    let sent = emu
        .requests_for(Operation::ConverseStream)
        .pop()
        .expect("recorded");
    assert!(matches!(sent.auth, bedrock_emulator::AuthScheme::Bearer));
    assert!(sent.authorized);
}

#[test]
fn hcfg_02_cfg_10_bad_config_is_rejected_before_the_library_is_loaded() {
    // The library file is garbage: loading it would fail with a load error, so getting the
    // config error proves the library was never touched.
    let installed = install(|_| {});
    std::fs::write(installed.folder().join(LIBRARY), b"not a shared object").expect("overwrite");
    let emu = emulator();
    let bad = host_config(&emu, json!({"discovery": {"refreshInterval": -1}}));
    match load(&installed, &bad) {
        Err(HostError::Config(errors)) => {
            assert_eq!(
                errors.to_string(),
                "invalid config for plugin amazon-bedrock at plugins.entries.amazon-bedrock.config.discovery.refreshInterval: must be >= 0"
            );
        }
        Err(other) => panic!("expected a config error, got {other}"),
        Ok(_) => panic!("a bad config must not load"),
    }
    match load(&installed, &host_config(&emu, json!({}))) {
        Err(HostError::Load(_)) => {}
        Err(other) => panic!("expected a load error for the garbage library, got {other}"),
        Ok(_) => panic!("garbage cannot load"),
    }
}

#[test]
fn man_04_manifest_library_mismatch_is_refused() {
    let installed = install(|manifest| manifest["version"] = json!("9.9.9"));
    let emu = emulator();
    match load(&installed, &host_config(&emu, json!({}))) {
        Err(error) => assert_eq!(
            error.to_string(),
            format!(
                "plugin amazon-bedrock: manifest/library mismatch on version: manifest \"9.9.9\", library \"{}\"",
                manifest()["version"].as_str().expect("version")
            )
        ),
        Ok(_) => panic!("mismatched plugin must be refused"),
    }
}

#[test]
fn hcfg_01_disabled_plugin_is_not_loaded() {
    let installed = install(|_| {});
    let config = host_harness::config::HostConfig::from_value(json!({
        "plugins": {"entries": {"amazon-bedrock": {"enabled": false}}}
    }))
    .expect("config");
    assert!(matches!(
        load(&installed, &config),
        Err(HostError::Disabled(_))
    ));
}

#[test]
fn live_01_02_config_updates_apply_to_the_next_request_only() {
    let installed = install(|_| {});
    let emu = emulator();
    let plugin = load(&installed, &host_config(&emu, json!({}))).expect("plugin loads");
    let rt = runtime();
    // A broken secret in the live update makes the next request fail…
    plugin
        .update_config(&host_config(&emu, json!({"awsSecretKey": "rotated-wrong"})))
        .expect("valid update");
    let events = rt.block_on(async {
        collect(
            plugin
                .stream_chat(chat_request(MODEL, "a"))
                .expect("stream"),
        )
        .await
    });
    assert!(matches!(
        events.last().map(|e| e.as_enum()),
        Some(Ok(StreamEvent::Error(_)))
    ));
    // …an invalid update is rejected whole and changes nothing (LIVE-03)…
    let invalid = host_config(&emu, json!({"retry": {"maxAttempts": 11}}));
    assert!(matches!(
        plugin.update_config(&invalid),
        Err(HostError::Config(_))
    ));
    // …and restoring the right secret works again without a restart.
    plugin
        .update_config(&host_config(&emu, json!({})))
        .expect("valid update");
    let events = rt.block_on(async {
        collect(
            plugin
                .stream_chat(chat_request(MODEL, "b"))
                .expect("stream"),
        )
        .await
    });
    assert_eq!(
        text_of(&events),
        "Hello from the Bedrock emulator. You said: b"
    );
}

#[test]
fn two_hundred_concurrent_streams_through_the_boundary() {
    let installed = install(|_| {});
    let emu = emulator();
    let plugin = load(&installed, &host_config(&emu, json!({}))).expect("plugin loads");
    let texts = runtime().block_on(async {
        let streams: Vec<_> = (0..200)
            .map(|n| {
                plugin
                    .stream_chat(chat_request(MODEL, &format!("stream {n}")))
                    .expect("stream")
            })
            .collect();
        futures::future::join_all(streams.into_iter().map(collect)).await
    });
    for (n, events) in texts.iter().enumerate() {
        assert_eq!(
            text_of(events),
            format!("Hello from the Bedrock emulator. You said: stream {n}")
        );
    }
}

#[test]
fn man_04_plg_21_incompatible_plugin_api_is_refused_briefly_and_the_host_keeps_running() {
    let installed = install(|manifest| {
        manifest["library"]["linux"] = json!("libincompatible_plugin.so");
    });
    let fixture = plugin_library().with_file_name("libincompatible_plugin.so");
    std::fs::copy(
        &fixture,
        installed.folder().join("libincompatible_plugin.so"),
    )
    .expect("copy fixture");
    let emu = emulator();
    match load(&installed, &host_config(&emu, json!({}))) {
        Err(error) => {
            let message = error.to_string();
            assert!(
                message.starts_with("plugin amazon-bedrock: incompatible plugin API: "),
                "{message}"
            );
            // PLG-21: a short error that says what to do, not abi_stable's whole layout report.
            assert!(message.lines().count() <= 7, "{message}");
            assert!(
                message.ends_with(&format!(
                    "the library was built from a plugin-api whose types differ from this host's (plugin-api {}); rebuild the plugin against a compatible plugin-api",
                    plugin_api::PLUGIN_API_VERSION
                )),
                "{message}"
            );
        }
        Ok(_) => panic!("an incompatible library must be refused"),
    }
    // The host is still fine: the real plugin loads next to it.
    let good = install(|_| {});
    assert!(load(&good, &host_config(&emu, json!({}))).is_ok());
}

#[test]
fn br_20_a_stalled_stream_ends_with_the_stall_error() {
    let installed = install(|_| {});
    let emu = emulator();
    stall_every_stream(&emu, 1_500);
    let plugin = load(
        &installed,
        &host_config(&emu, json!({"timeouts": {"streamIdleMs": 1000}})),
    )
    .expect("plugin loads");
    let events = runtime().block_on(async {
        collect(
            plugin
                .stream_chat(chat_request(MODEL, "slow"))
                .expect("stream"),
        )
        .await
    });
    let Some(Ok(StreamEvent::Error(failure))) = events.last().map(|e| e.as_enum()) else {
        panic!("Error expected, got {:?}", events.last());
    };
    assert_eq!(
        failure.error.message.as_str(),
        "Amazon Bedrock stream stalled: no event for 1000 ms"
    );
    assert_eq!(
        failure.error.kind(),
        Some(plugin_api::error::ErrorKind::Timeout)
    );
    let request = emu
        .requests_for(Operation::ConverseStream)
        .pop()
        .expect("recorded");
    assert_eq!(
        emu.wait_for_stream_outcome(request.id, Duration::from_secs(10)),
        Some(StreamOutcome::ClientDisconnected),
        "the stalled connection is closed"
    );
}

#[test]
fn emb_24_25_embeds_a_query_and_a_batch_through_the_library() {
    use plugin_api::abi_stable::std_types::{RString, RVec};
    use plugin_api::embedding::EmbeddingProviderRequest;

    let installed = install(|_| {});
    let emu = emulator();
    let plugin = load(&installed, &host_config(&emu, json!({}))).expect("plugin loads");
    let provider = plugin
        .embedding_provider(EmbeddingProviderRequest {
            model: "bedrock/amazon.titan-embed-text-v2:0".into(),
            output_dimensionality: ROption::RSome(256),
            base_url: ROption::RNone,
            family: ROption::RNone,
            extensions: Default::default(),
        })
        .expect("provider created")
        .expect("bedrock offers an embedding provider");
    let info = provider.info();
    assert_eq!(info.id.as_str(), "bedrock");
    assert_eq!(info.model.as_str(), "amazon.titan-embed-text-v2:0");
    assert_eq!(info.family.as_str(), "titan-v2");
    assert_eq!(info.dimensions, ROption::RSome(256));

    let (query, batch) = runtime().block_on(async {
        let query =
            host_harness::waker::PendingFuture::new(provider.embed_query("find the notes".into()))
                .await;
        let texts: RVec<RString> = ["first note", "", "second note"]
            .into_iter()
            .map(RString::from)
            .collect();
        let batch = host_harness::waker::PendingFuture::new(provider.embed_batch(texts)).await;
        (query, batch)
    });
    let query = query.expect("query embedded");
    assert_eq!(query.vectors.len(), 1);
    assert_eq!(query.vectors[0].len(), 256);
    assert_eq!(query.input_tokens, ROption::RSome(3));
    let batch = batch.expect("batch embedded");
    let lengths: Vec<usize> = batch.vectors.iter().map(|v| v.len()).collect();
    assert_eq!(lengths, [256, 0, 256], "blank texts keep their position");
    for vector in [&query.vectors[0], &batch.vectors[0], &batch.vectors[2]] {
        let norm: f32 = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-3, "unit length, got {norm}");
    }
    assert_ne!(batch.vectors[0], batch.vectors[2]);

    let sent = emu.requests_for(Operation::InvokeModel);
    assert_eq!(sent.len(), 3, "one call per non-blank text");
    assert!(sent.iter().all(|r| r.authorized));
    let mut bodies: Vec<String> = sent
        .iter()
        .map(|r| r.json().expect("JSON body").to_string())
        .collect();
    bodies.sort();
    assert_eq!(
        bodies,
        [
            r#"{"inputText":"find the notes","dimensions":256,"normalize":true}"#,
            r#"{"inputText":"first note","dimensions":256,"normalize":true}"#,
            r#"{"inputText":"second note","dimensions":256,"normalize":true}"#,
        ]
    );
}
