//! Application inference profiles and profile-only models end to end against the emulator:
//! the GetInferenceProfile lookup (TEMP-04, REG-11, EX-I40..I43), what it feeds (TEMP-04's
//! temperature removal, CACHE-20, BR-51's CountTokens id, EMB-11's embedding family), the
//! first-send profile of a profile-only model (DISC-19a) and control-plane retries (BR-14).

mod common;

use std::time::Duration;

use abi_stable::std_types::{ROption, RString, RVec};
use bedrock_emulator::{
    AuthScheme, Catalog, Emulator, EmulatorOptions, Fault, FaultRule, Operation,
};
use host_harness::waker::PendingFuture;
use plugin_api::chat::{ChatOptions, ChatRequest, Message};
use plugin_api::embedding::EmbeddingProviderRequest;
use plugin_api::event::StreamEvent;
use plugin_api::model::ModelDefinition;
use plugin_api::traits::{EmbeddingProviderBox, PluginInstanceBox};
use serde_json::{json, Value};

const API: &str = "bedrock-converse-stream";
const PROVIDER: &str = "amazon-bedrock";

/// The profile: opaque, backed by Claude Opus 4.7.
const PROD_OPUS: &str =
    "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/us.my-prod-profile";
/// EX-I40: opaque, in us-west-2, backed by `anthropic.claude-opus-4.7-v1:0`.
const WEST_OPUS: &str =
    "arn:aws:bedrock:us-west-2:123456789012:application-inference-profile/z27qyso459dd";
/// EX-I41: named Claude profile backed by `anthropic.claude-opus-4-7-v1:0`.
const NAMED_OPUS: &str =
    "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/my-claude-profile";
/// EX-I42: opaque, backed by a caching and a non-caching Claude model.
const MIXED: &str =
    "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/mixedtargets1";
/// The emulator's built-in profile backed by Claude Sonnet 4.6 (EX-I39, EX-I43, BR-51).
const SONNET_APP: &str =
    "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/mi1dadi0g15f";
/// EMB-11's example: an embedding profile backed by Cohere Embed v4.
const EMB_COHERE: &str =
    "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/emb1";
/// The emulator's built-in embedding profile backed by Titan Text Embeddings v2.
const EMB_TITAN: &str =
    "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/otnfa2ysixqd";

fn foundation_arn(id: &str) -> String {
    format!("arn:aws:bedrock:us-east-1::foundation-model/{id}")
}

/// The built-in catalog plus the application profiles (and their backing models) above.
fn emulator_with_profiles() -> Emulator {
    let builtin = Catalog::builtin().expect("built-in catalog");
    let mut models: Vec<Value> = builtin.models.iter().map(|m| m.raw.clone()).collect();
    for (id, name) in [
        ("anthropic.claude-opus-4.7-v1:0", "Claude Opus 4.7"),
        ("anthropic.claude-opus-4-7-v1:0", "Claude Opus 4.7"),
        ("anthropic.claude-3-opus-20240229-v1:0", "Claude 3 Opus"),
    ] {
        models.push(common::fm(id, name, "Anthropic", &["TEXT"], &["TEXT"]));
    }
    let mut profiles: Vec<Value> = builtin.profiles.iter().map(|p| p.raw.clone()).collect();
    for (id, targets) in [
        ("us.my-prod-profile", vec!["anthropic.claude-opus-4-7"]),
        ("z27qyso459dd", vec!["anthropic.claude-opus-4.7-v1:0"]),
        ("my-claude-profile", vec!["anthropic.claude-opus-4-7-v1:0"]),
        (
            "mixedtargets1",
            vec![
                "anthropic.claude-sonnet-4-6",
                "anthropic.claude-3-opus-20240229-v1:0",
            ],
        ),
        ("emb1", vec!["cohere.embed-v4:0"]),
    ] {
        let arns: Vec<String> = targets.iter().map(|id| foundation_arn(id)).collect();
        let arns: Vec<&str> = arns.iter().map(String::as_str).collect();
        profiles.push(common::profile(id, id, "APPLICATION", "ACTIVE", &arns));
    }
    let dir = common::catalog_dir("app-profiles", json!(models), json!(profiles));
    Emulator::start(EmulatorOptions {
        catalog: Some(dir),
        ..EmulatorOptions::default()
    })
    .expect("emulator")
}

/// An instance whose runtime and control-plane calls both reach `emu`.
fn instance_with(emu: &Emulator, extra: Value) -> PluginInstanceBox {
    let control = emu.base_url().to_owned();
    common::instance(
        common::emulator_plugin_config(emu, extra),
        json!({}),
        &[
            ("AWS_ENDPOINT_URL_BEDROCK", control.as_str()),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("HOME", "/nonexistent-home"),
        ],
    )
}

fn instance(emu: &Emulator) -> PluginInstanceBox {
    instance_with(emu, json!({}))
}

fn chat(id: &str, temperature: Option<f64>) -> ChatRequest {
    let options = ChatOptions {
        temperature: temperature.into(),
        max_tokens: ROption::RSome(10),
        ..ChatOptions::default()
    };
    ChatRequest {
        model: ModelDefinition::new(id, PROVIDER, API),
        system_prompt: ROption::RSome("You are terse.".into()),
        messages: RVec::from(vec![Message::user_text("hello")]),
        tools: RVec::new(),
        options,
    }
}

fn done(events: &[StreamEvent]) -> &plugin_api::event::ResponseSummary {
    match events.last() {
        Some(StreamEvent::Done(summary)) => summary,
        other => panic!("expected done, got {other:?} in {events:?}"),
    }
}

fn retries(events: &[StreamEvent]) -> usize {
    events
        .iter()
        .filter(|event| matches!(event, StreamEvent::Retry(_)))
        .count()
}

fn stream_bodies(emu: &Emulator) -> Vec<Value> {
    emu.requests_for(Operation::ConverseStream)
        .iter()
        .map(|request| request.json().expect("JSON body"))
        .collect()
}

fn lookups(emu: &Emulator) -> usize {
    emu.count(Operation::GetInferenceProfile)
}

fn has_cache_point(body: &Value) -> bool {
    body.to_string().contains("cachePoint")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn temp_04_opus_47_profile_sends_no_temperature_and_needs_no_self_heal() {
    let emu = emulator_with_profiles();
    let plugin = instance(&emu);
    let events = common::run_stream(&plugin, chat(PROD_OPUS, Some(0.5))).await;
    assert_eq!(done(&events).model.as_str(), PROD_OPUS);
    // No `temperature is deprecated` rejection, so no BR-01 resend.
    assert_eq!(retries(&events), 0);
    let bodies = stream_bodies(&emu);
    assert_eq!(bodies.len(), 1);
    assert_eq!(bodies[0]["inferenceConfig"], json!({"maxTokens": 10}));
    let sent = emu.requests_for(Operation::ConverseStream);
    assert_eq!(sent[0].model_id.as_deref(), Some(PROD_OPUS));
    assert_eq!(lookups(&emu), 1);
    let lookup = emu.requests_for(Operation::GetInferenceProfile);
    assert_eq!(lookup[0].model_id.as_deref(), Some(PROD_OPUS));
    // A second request uses the kept result.
    common::run_stream(&plugin, chat(PROD_OPUS, Some(0.5))).await;
    assert_eq!(lookups(&emu), 1);
    assert_eq!(
        stream_bodies(&emu)[1]["inferenceConfig"],
        json!({"maxTokens": 10})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn temp_04_fifty_concurrent_chats_on_one_arn_make_one_lookup() {
    let emu = emulator_with_profiles();
    let plugin = instance(&emu);
    let chats = (0..50).map(|_| common::run_stream(&plugin, chat(PROD_OPUS, Some(0.5))));
    let results = futures::future::join_all(chats).await;
    for events in &results {
        assert_eq!(done(events).model.as_str(), PROD_OPUS);
        assert_eq!(retries(events), 0);
    }
    assert_eq!(lookups(&emu), 1);
    let bodies = stream_bodies(&emu);
    assert_eq!(bodies.len(), 50);
    for body in &bodies {
        assert_eq!(body["inferenceConfig"], json!({"maxTokens": 10}));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ex_i40_reg_11_opaque_arn_in_us_west_2_is_looked_up_there() {
    let emu = emulator_with_profiles();
    let plugin = instance(&emu);
    let mut request = chat(WEST_OPUS, Some(0.3));
    request.system_prompt = ROption::RNone;
    let events = common::run_stream(&plugin, request).await;
    done(&events);
    assert_eq!(
        stream_bodies(&emu)[0]["inferenceConfig"],
        json!({"maxTokens": 10})
    );
    let lookup = emu.requests_for(Operation::GetInferenceProfile);
    assert_eq!(lookup.len(), 1);
    match &lookup[0].auth {
        AuthScheme::SigV4 {
            region, service, ..
        } => {
            assert_eq!(region, "us-west-2");
            assert_eq!(service, "bedrock");
        }
        other => panic!("expected SigV4, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ex_i41_named_claude_arn_is_looked_up_once_and_only_with_sampling() {
    let emu = emulator_with_profiles();
    let plugin = instance(&emu);
    // Without temperature/topP the name decides (CACHE-20): no lookup.
    let events = common::run_stream(&plugin, chat(NAMED_OPUS, None)).await;
    done(&events);
    assert_eq!(lookups(&emu), 0);
    for _ in 0..2 {
        let events = common::run_stream(&plugin, chat(NAMED_OPUS, Some(0.7))).await;
        assert_eq!(retries(&events), 0);
    }
    assert_eq!(lookups(&emu), 1);
    let bodies = stream_bodies(&emu);
    assert_eq!(bodies.len(), 3);
    for body in &bodies[1..] {
        assert_eq!(body["inferenceConfig"], json!({"maxTokens": 10}));
        assert_eq!(
            body["system"],
            json!([{"text": "You are terse."}, {"cachePoint": {"type": "default"}}])
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ex_i42_targets_not_all_caching_get_no_cache_points() {
    let emu = emulator_with_profiles();
    let plugin = instance(&emu);
    let events = common::run_stream(&plugin, chat(MIXED, None)).await;
    done(&events);
    assert_eq!(lookups(&emu), 1);
    let body = &stream_bodies(&emu)[0];
    assert!(!has_cache_point(body), "{body}");
    assert_eq!(body["system"], json!([{"text": "You are terse."}]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ex_i43_failed_lookup_is_not_kept_and_the_next_request_looks_up_again() {
    let emu = emulator_with_profiles();
    emu.add_fault(FaultRule {
        times: Some(1),
        ..FaultRule::for_operation(Operation::GetInferenceProfile, Fault::access_denied())
    });
    let plugin = instance(&emu);
    // EX-I39 / CACHE-20: a Sonnet 4.6 target is eligible, but only once the lookup answered.
    common::run_stream(&plugin, chat(SONNET_APP, None)).await;
    common::run_stream(&plugin, chat(SONNET_APP, None)).await;
    assert_eq!(lookups(&emu), 2);
    let bodies = stream_bodies(&emu);
    assert!(!has_cache_point(&bodies[0]), "{}", bodies[0]);
    assert_eq!(
        bodies[1]["system"],
        json!([{"text": "You are terse."}, {"cachePoint": {"type": "default"}}])
    );
    let warning = format!(
        "Amazon Bedrock GetInferenceProfile failed for {SONNET_APP} in us-east-1: AccessDeniedException: "
    );
    assert_eq!(common::warnings_containing(&warning).len(), 1);
    // The success is kept.
    common::run_stream(&plugin, chat(SONNET_APP, None)).await;
    assert_eq!(lookups(&emu), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_14_throttled_get_inference_profile_is_retried() {
    let emu = emulator_with_profiles();
    emu.add_fault(FaultRule {
        times: Some(1),
        ..FaultRule::for_operation(Operation::GetInferenceProfile, Fault::throttling())
    });
    // A zero base delay keeps the BR-10 wait at 0 ms, so no wall-clock wait is involved.
    let plugin = instance_with(&emu, json!({"retry": {"baseDelayMs": 0, "maxDelayMs": 0}}));
    let events = common::run_stream(&plugin, chat(PROD_OPUS, Some(0.5))).await;
    done(&events);
    let statuses: Vec<u16> = emu
        .requests_for(Operation::GetInferenceProfile)
        .iter()
        .map(|request| request.status)
        .collect();
    assert_eq!(statuses, [429, 200]);
    assert_eq!(
        stream_bodies(&emu)[0]["inferenceConfig"],
        json!({"maxTokens": 10})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_14_throttled_list_foundation_models_is_retried() {
    let emu = emulator_with_profiles();
    emu.add_fault(FaultRule {
        times: Some(1),
        ..FaultRule::for_operation(Operation::ListFoundationModels, Fault::throttling())
    });
    let plugin = instance_with(
        &emu,
        json!({"discovery": {"enabled": true}, "retry": {"baseDelayMs": 0, "maxDelayMs": 0}}),
    );
    let catalog = common::list_strict(&plugin).await;
    assert!(common::ids(&catalog).contains(&"anthropic.claude-opus-4-7".to_owned()));
    let statuses: Vec<u16> = emu
        .requests_for(Operation::ListFoundationModels)
        .iter()
        .map(|request| request.status)
        .collect();
    assert_eq!(statuses, [429, 200]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_51_count_tokens_is_sent_to_the_first_target_model() {
    let emu = emulator_with_profiles();
    let plugin = instance(&emu);
    let counted = tokio::time::timeout(
        Duration::from_secs(60),
        PendingFuture::new(plugin.chat_provider().count_tokens(chat(SONNET_APP, None))),
    )
    .await
    .expect("finishes")
    .expect("counted");
    assert!(!counted.estimated);
    let sent = emu.requests_for(Operation::CountTokens);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].model_id.as_deref(),
        Some("anthropic.claude-sonnet-4-6")
    );
    // The same lookup serves the chat that follows.
    common::run_stream(&plugin, chat(SONNET_APP, None)).await;
    assert_eq!(lookups(&emu), 1);
}

fn embedding_request(model: &str) -> EmbeddingProviderRequest {
    EmbeddingProviderRequest {
        model: model.into(),
        output_dimensionality: ROption::RNone,
        base_url: ROption::RNone,
        family: ROption::RNone,
        extensions: Default::default(),
    }
}

fn embedding_provider(
    plugin: &PluginInstanceBox,
    request: EmbeddingProviderRequest,
) -> EmbeddingProviderBox {
    match plugin.embedding_provider(request) {
        abi_stable::std_types::RResult::ROk(ROption::RSome(provider)) => provider,
        abi_stable::std_types::RResult::ROk(ROption::RNone) => panic!("no provider"),
        abi_stable::std_types::RResult::RErr(error) => panic!("{}", error.message),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emb_11_embedding_profile_takes_the_spec_of_its_first_target() {
    let emu = emulator_with_profiles();
    let plugin = instance(&emu);
    let provider = embedding_provider(&plugin, embedding_request(EMB_COHERE));
    let info = provider.info();
    assert_eq!(info.model.as_str(), EMB_COHERE);
    assert_eq!(info.family.as_str(), "cohere-v4");
    assert_eq!(info.dimensions, ROption::RSome(1536));
    assert_eq!(info.max_input_tokens, ROption::RSome(128_000));
    let embedded = PendingFuture::new(provider.embed_query(RString::from("find me")))
        .await
        .expect("embedded");
    assert_eq!(embedded.vectors[0].len(), 1536);
    let sent = emu.requests_for(Operation::InvokeModel);
    assert_eq!(sent[0].model_id.as_deref(), Some(EMB_COHERE));
    assert_eq!(
        sent[0].json().expect("body"),
        json!({"texts":["find me"],"input_type":"search_query","truncate":"END","embedding_types":["float"],"output_dimension":1536})
    );
    // The built-in Titan v2 profile (not Titan v1, which the ARN alone would give).
    let titan = embedding_provider(&plugin, embedding_request(EMB_TITAN));
    assert_eq!(titan.info().family.as_str(), "titan-v2");
    assert_eq!(titan.info().dimensions, ROption::RSome(1024));
    assert_eq!(lookups(&emu), 2);
    // A second provider for the same ARN shares the kept lookup.
    embedding_provider(&plugin, embedding_request(EMB_COHERE));
    assert_eq!(lookups(&emu), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emb_11_explicit_family_skips_the_lookup_and_a_failed_lookup_falls_back_to_emb_13() {
    let emu = emulator_with_profiles();
    let plugin = instance(&emu);
    let mut named = embedding_request(EMB_COHERE);
    named.family = ROption::RSome("cohere-v4".into());
    named.output_dimensionality = ROption::RSome(1536);
    let provider = embedding_provider(&plugin, named);
    assert_eq!(provider.info().family.as_str(), "cohere-v4");
    assert_eq!(lookups(&emu), 0);
    emu.add_fault(FaultRule::for_operation(
        Operation::GetInferenceProfile,
        Fault::access_denied(),
    ));
    let fallback = embedding_provider(&plugin, embedding_request(EMB_COHERE));
    // EMB-13 on the trailing segment `emb1`.
    assert_eq!(fallback.info().family.as_str(), "titan-v1");
    assert_eq!(fallback.info().dimensions, ROption::RNone);
    assert_eq!(lookups(&emu), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disc_19a_profile_only_model_goes_to_its_preferred_profile_on_the_first_send() {
    let emu = emulator_with_profiles();
    let plugin = instance_with(&emu, json!({"discovery": {"enabled": true}}));
    let catalog = common::list_strict(&plugin).await;
    let opus = common::model(&catalog, "anthropic.claude-opus-4-7").clone();
    assert_eq!(
        common::params(&opus),
        json!({"requiresInferenceProfile": true, "preferredProfileId": "us.anthropic.claude-opus-4-7"})
    );
    let mut request = chat("anthropic.claude-opus-4-7", None);
    request.model = opus;
    let events = common::run_stream(&plugin, request).await;
    let summary = done(&events);
    assert_eq!(summary.model.as_str(), "anthropic.claude-opus-4-7");
    assert_eq!(
        summary
            .resolved_model_id
            .as_ref()
            .into_option()
            .map(RString::as_str),
        Some("us.anthropic.claude-opus-4-7")
    );
    assert_eq!(retries(&events), 0);
    let sent = emu.requests_for(Operation::ConverseStream);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].model_id.as_deref(),
        Some("us.anthropic.claude-opus-4-7")
    );
    assert_eq!(sent[0].status, 200);
    assert_eq!(
        common::infos_containing("requires an inference profile"),
        ["Amazon Bedrock: anthropic.claude-opus-4-7 requires an inference profile; using us.anthropic.claude-opus-4-7"]
    );
}
