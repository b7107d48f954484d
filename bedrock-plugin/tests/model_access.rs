//! The account's own catalog against the emulator (BR-80..82, BR-85): model access from
//! GetFoundationModelAvailability, `discovery.checkAccess` / `includeUnavailable`, and the
//! `discovery.include` sources, through the rlib with a fixed env.

mod common;

use std::time::{Duration, Instant};

use bedrock_emulator::{
    AccountList, Emulator, EmulatorOptions, Fault, FaultRule, ModelAccess, Operation,
    AGREEMENT_MODEL, DEFAULT_ACCESS_KEY_ID,
};
use common::*;
use host_harness::waker::PendingFuture;
use plugin_api::ext::{keys, ExtValue};
use plugin_api::model::ProviderCatalog;
use plugin_api::traits::{ListModelsOptions, PluginInstanceBox};
use serde_json::{json, Value};

/// Discovery on against `emu` (static keys, control plane on the emulator), `discovery`
/// keys merged into the discovery object and `extra` top-level keys over the rest.
fn plugin(emu: &Emulator, discovery: Value, extra: Value) -> PluginInstanceBox {
    let mut object = json!({"enabled": true});
    if let (Some(object), Value::Object(discovery)) = (object.as_object_mut(), discovery) {
        object.extend(discovery);
    }
    let mut config = json!({
        "awsBedrockControlPlaneEndpoint": emu.base_url(),
        "discovery": object,
    });
    if let (Some(config), Value::Object(extra)) = (config.as_object_mut(), extra) {
        config.extend(extra);
    }
    emulator_instance(emu, config)
}

/// A strict catalog that asks for the unavailable models too, as `models list --all` does.
async fn list_all(instance: &PluginInstanceBox) -> ProviderCatalog {
    let mut options = ListModelsOptions {
        strict: true,
        ..Default::default()
    };
    options
        .extensions
        .set(keys::LIST_INCLUDE_UNAVAILABLE, ExtValue::Bool(true));
    PendingFuture::new(instance.discovery().list_models(options))
        .await
        .expect("strict catalog")
}

fn access<'a>(catalog: &'a ProviderCatalog, id: &str) -> &'a str {
    model(catalog, id).access().unwrap_or("(unset)")
}

fn checks(emu: &Emulator) -> usize {
    emu.count(Operation::GetFoundationModelAvailability)
}

#[tokio::test(flavor = "multi_thread")]
async fn br_80_81_agreement_model_left_out_by_default_and_listed_with_its_reason() {
    let emu = emulator();
    let instance = plugin(&emu, json!({}), json!({}));
    let catalog = list_strict(&instance).await;
    let listed = ids(&catalog);
    assert!(!listed.contains(&AGREEMENT_MODEL.to_owned()), "{listed:?}");
    assert_eq!(access(&catalog, "amazon.nova-micro-v1:0"), "available");
    assert_eq!(
        access(&catalog, "us.anthropic.claude-sonnet-4-6"),
        "available"
    );
    assert_eq!(access(&catalog, "mi1dadi0g15f"), "available");
    assert_eq!(
        model(&catalog, "us.amazon.nova-micro-v1:0").source(),
        Some("inference-profiles")
    );
    assert_eq!(
        model(&catalog, "amazon.nova-micro-v1:0").source(),
        Some("foundation-models")
    );
    // One check per foundation model the DISC filters keep, by its id on the BR-80 path.
    let sent = emu.requests_for(Operation::GetFoundationModelAvailability);
    let foundation_listed = catalog
        .models
        .iter()
        .filter(|m| m.source() == Some("foundation-models"))
        .count();
    assert_eq!(
        sent.len(),
        foundation_listed + 1,
        "the hidden model was checked too"
    );
    assert!(sent.iter().any(|r| r.method == "GET"
        && r.path == "/foundation-model-availability/ai21.jamba-1-5-large-v1%3A0"));
    assert!(sent.iter().all(|r| r.model_id.is_some() && r.status == 200));

    // `--all` (the list extension) shows it with its reason; from the same cached run.
    let all = list_all(&instance).await;
    assert!(all.from_cache);
    assert_eq!(access(&all, AGREEMENT_MODEL), "agreement_required");
    assert_eq!(all.models.len(), catalog.models.len() + 1);

    // discovery.includeUnavailable keeps it for the provider too.
    let keep = plugin(&emu, json!({"includeUnavailable": true}), json!({}));
    let kept = list_strict(&keep).await;
    assert_eq!(access(&kept, AGREEMENT_MODEL), "agreement_required");
}

#[tokio::test(flavor = "multi_thread")]
async fn br_80_each_reason_in_order_and_profiles_take_their_backing_models_access() {
    let emu = emulator();
    let not = "NOT_AVAILABLE";
    let set = |id: &str, f: &dyn Fn(&mut ModelAccess)| {
        let mut access = ModelAccess::available();
        f(&mut access);
        emu.set_model_access(id, access);
    };
    set("amazon.nova-micro-v1:0", &|a| {
        a.authorization_status = "NOT_AUTHORIZED".into();
        a.region_availability = not.into();
    });
    set("amazon.nova-lite-v1:0", &|a| {
        a.region_availability = not.into();
        a.entitlement_availability = not.into();
    });
    set("amazon.nova-pro-v1:0", &|a| {
        a.entitlement_availability = not.into();
        a.agreement_status = "PENDING".into();
    });
    emu.set_model_access(
        "anthropic.claude-3-haiku-20240307-v1:0",
        ModelAccess::agreement("PENDING", None),
    );
    emu.set_model_access(
        "mistral.mistral-large-2407-v1:0",
        ModelAccess::agreement("ERROR", Some("The payment instrument was declined.")),
    );
    emu.set_model_access(AGREEMENT_MODEL, ModelAccess::available());
    let instance = plugin(&emu, json!({}), json!({}));
    let all = list_all(&instance).await;
    for (id, expected) in [
        ("amazon.nova-micro-v1:0", "not_authorized"),
        ("us.amazon.nova-micro-v1:0", "not_authorized"),
        ("amazon.nova-lite-v1:0", "not_in_region"),
        ("eu.amazon.nova-lite-v1:0", "not_in_region"),
        ("amazon.nova-pro-v1:0", "not_entitled"),
        (
            "anthropic.claude-3-haiku-20240307-v1:0",
            "agreement_pending",
        ),
        (
            "apac.anthropic.claude-3-haiku-20240307-v1:0",
            "agreement_pending",
        ),
        ("mistral.mistral-large-2407-v1:0", "agreement_error"),
        (AGREEMENT_MODEL, "available"),
        ("global.anthropic.claude-sonnet-4-6", "available"),
    ] {
        assert_eq!(access(&all, id), expected, "{id}");
    }
    assert_eq!(
        model(&all, "mistral.mistral-large-2407-v1:0").access_detail(),
        Some("The payment instrument was declined.")
    );
    let provider = list_strict(&instance).await;
    let listed = ids(&provider);
    for hidden in [
        "amazon.nova-micro-v1:0",
        "us.amazon.nova-micro-v1:0",
        "amazon.nova-lite-v1:0",
        "amazon.nova-pro-v1:0",
        "anthropic.claude-3-haiku-20240307-v1:0",
        "mistral.mistral-large-2407-v1:0",
    ] {
        assert!(!listed.contains(&hidden.to_owned()), "{hidden} listed");
    }
    assert!(listed.contains(&AGREEMENT_MODEL.to_owned()));
    // 5 foundation models and the 12 us./eu./apac. profiles of four of them.
    assert_eq!(all.models.len() - provider.models.len(), 17, "{listed:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn br_81_check_access_false_sends_no_check_and_every_model_is_unknown() {
    let emu = emulator();
    let instance = plugin(&emu, json!({"checkAccess": false}), json!({}));
    let catalog = list_strict(&instance).await;
    assert_eq!(checks(&emu), 0);
    assert!(catalog.models.iter().all(|m| m.access() == Some("unknown")));
    assert!(ids(&catalog).contains(&AGREEMENT_MODEL.to_owned()));
}

#[tokio::test(flavor = "multi_thread")]
async fn br_80_explicit_models_are_unknown() {
    let emu = emulator();
    let host = json!({"models": {"providers": {"amazon-bedrock": {"models": [
        {"id": AGREEMENT_MODEL, "cost": {"input": 2.0, "output": 8.0}}
    ]}}}});
    let config = emulator_plugin_config(
        &emu,
        json!({
            "awsBedrockControlPlaneEndpoint": emu.base_url(),
            "discovery": {"enabled": true},
        }),
    );
    let instance = instance(
        config,
        host,
        &[
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("HOME", "/nonexistent-home"),
        ],
    );
    let catalog = list_strict(&instance).await;
    assert_eq!(access(&catalog, AGREEMENT_MODEL), "unknown");
    assert_eq!(model(&catalog, AGREEMENT_MODEL).cost.input, 2.0);
}

#[tokio::test(flavor = "multi_thread")]
async fn br_82_access_denied_warns_once_leaves_every_model_unknown_and_is_not_cached() {
    let emu = emulator();
    emu.deny(
        DEFAULT_ACCESS_KEY_ID,
        &[Operation::GetFoundationModelAvailability],
    );
    let prefix = "Skipping Bedrock model access check: User: arn:aws:iam::123456789012:user/emulator is not authorized to perform: bedrock:GetFoundationModelAvailability on resource: arn:aws:bedrock:us-east-1::foundation-model/";
    let before = warnings_containing(prefix).len();
    let instance = plugin(&emu, json!({}), json!({}));
    let catalog = list_strict(&instance).await;
    assert!(catalog.models.iter().all(|m| m.access() == Some("unknown")));
    assert!(ids(&catalog).contains(&AGREEMENT_MODEL.to_owned()));
    let warnings = warnings_containing(prefix);
    assert_eq!(warnings.len(), before + 1, "{warnings:?}");
    let last = warnings.last().expect("warning");
    assert!(
        last.ends_with(
            " because no identity-based policy allows the bedrock:GetFoundationModelAvailability action"
        ),
        "{last}"
    );
    assert!(
        checks(&emu) <= 8,
        "the first denial stops the rest: {}",
        checks(&emu)
    );
    // Not cached: the next call runs again (and warns again, once).
    let again = list_strict(&instance).await;
    assert!(!again.from_cache);
    assert_eq!(emu.count(Operation::ListFoundationModels), 2);
    assert_eq!(warnings_containing(prefix).len(), before + 2);
    // Permission granted: access known, the agreement model left out, and that run cached.
    emu.allow(DEFAULT_ACCESS_KEY_ID);
    let fixed = list_strict(&instance).await;
    assert!(!ids(&fixed).contains(&AGREEMENT_MODEL.to_owned()));
    assert!(list_strict(&instance).await.from_cache);
}

#[tokio::test(flavor = "multi_thread")]
async fn br_82_br_14_throttled_check_is_retried_then_unknown_and_not_cached() {
    let emu = emulator();
    emu.add_fault(FaultRule {
        operation: Some(Operation::GetFoundationModelAvailability),
        model_id: Some("amazon.nova-micro-v1:0".into()),
        times: None,
        fault: Fault::throttling(),
    });
    let instance = plugin(
        &emu,
        json!({}),
        json!({"retry": {"maxAttempts": 2, "baseDelayMs": 0, "maxDelayMs": 0}}),
    );
    let catalog = list_strict(&instance).await;
    assert_eq!(access(&catalog, "amazon.nova-micro-v1:0"), "unknown");
    assert_eq!(access(&catalog, "amazon.nova-lite-v1:0"), "available");
    let micro = emu
        .requests_for(Operation::GetFoundationModelAvailability)
        .into_iter()
        .filter(|r| r.model_id.as_deref() == Some("amazon.nova-micro-v1:0"))
        .count();
    assert_eq!(micro, 2, "BR-14: retried up to retry.maxAttempts");
    assert!(!list_strict(&instance).await.from_cache);
}

fn arn(kind: &str, id: &str) -> String {
    format!("arn:aws:bedrock:us-east-1:123456789012:{kind}/{id}")
}

fn fm_arn(id: &str) -> String {
    format!("arn:aws:bedrock:us-east-1::foundation-model/{id}")
}

/// One resource of every BR-85 source (and one of each that must not be listed).
fn add_account_resources(emu: &Emulator) {
    let deployment = |name: &str, status: &str| {
        json!({
            "customModelDeploymentArn": arn("custom-model-deployment", name),
            "customModelDeploymentName": name,
            "modelArn": arn("custom-model", &format!("{name}-model")),
            "createdAt": "2026-11-01T00:00:00Z",
            "status": status,
        })
    };
    emu.add_account_resource(
        AccountList::CustomModelDeployments,
        deployment("support-bot", "Active"),
    );
    emu.add_account_resource(
        AccountList::CustomModelDeployments,
        deployment("draft-bot", "Creating"),
    );
    emu.add_account_resource(
        AccountList::CustomModels,
        json!({
            "modelArn": arn("custom-model", "support-bot-model"),
            "modelName": "support-bot-model",
            "creationTime": "2026-11-01T00:00:00Z",
            "baseModelArn": fm_arn("amazon.nova-lite-v1:0"),
            "customizationType": "FINE_TUNING",
            "modelStatus": "Active",
        }),
    );
    emu.add_account_resource(
        AccountList::ImportedModels,
        json!({
            "modelArn": arn("imported-model", "llama-ft"),
            "modelName": "my-llama-ft",
            "creationTime": "2026-11-01T00:00:00Z",
            "instructSupported": true,
            "modelArchitecture": "llama3",
        }),
    );
    let provisioned = |name: &str, status: &str| {
        json!({
            "provisionedModelName": name,
            "provisionedModelArn": arn("provisioned-model", name),
            "modelArn": fm_arn("anthropic.claude-3-haiku-20240307-v1:0:48k"),
            "desiredModelArn": fm_arn("anthropic.claude-3-haiku-20240307-v1:0:48k"),
            "foundationModelArn": fm_arn("anthropic.claude-3-haiku-20240307-v1:0:48k"),
            "modelUnits": 1,
            "desiredModelUnits": 1,
            "status": status,
            "creationTime": "2026-11-01T00:00:00Z",
            "lastModifiedTime": "2026-11-01T00:00:00Z",
        })
    };
    emu.add_account_resource(
        AccountList::ProvisionedThroughputs,
        provisioned("haiku-pt", "InService"),
    );
    emu.add_account_resource(
        AccountList::ProvisionedThroughputs,
        provisioned("haiku-pt-new", "Creating"),
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn br_85_each_include_source_is_listed_with_its_capabilities() {
    let emu = emulator();
    add_account_resources(&emu);
    let instance = plugin(
        &emu,
        json!({"include": ["provisioned", "foundation-models", "inference-profiles",
            "prompt-routers", "custom-models", "imported-models"]}),
        json!({}),
    );
    let catalog = list_strict(&instance).await;
    let router = model(
        &catalog,
        "arn:aws:bedrock:us-east-1:123456789012:default-prompt-router/anthropic-prompt-router:1",
    );
    assert_eq!(router.name.as_str(), "Anthropic Prompt Router");
    assert_eq!(router.source(), Some("prompt-routers"));
    assert_eq!(input(router), ["text", "image"]);
    assert!(!router.reasoning);
    assert_eq!((router.context_window, router.max_tokens), (200_000, 4_096));
    assert_eq!(router.access(), Some("unknown"));
    let nova_router = model(
        &catalog,
        "arn:aws:bedrock:us-east-1:123456789012:default-prompt-router/amazon-nova-prompt-router:1",
    );
    assert_eq!(
        (nova_router.context_window, nova_router.max_tokens),
        (128_000, 10_000)
    );

    let custom = model(&catalog, &arn("custom-model-deployment", "support-bot"));
    assert_eq!(custom.name.as_str(), "support-bot");
    assert_eq!(custom.source(), Some("custom-models"));
    assert_eq!(
        (custom.context_window, custom.max_tokens),
        (300_000, 10_000)
    );
    assert!(!ids(&catalog).contains(&arn("custom-model-deployment", "draft-bot")));
    let deployments = emu.requests_for(Operation::ListCustomModelDeployments);
    assert!(
        deployments[0].query.contains("statusEquals=Active"),
        "{}",
        deployments[0].query
    );
    assert_eq!(emu.count(Operation::GetCustomModel), 1);

    let imported = model(&catalog, &arn("imported-model", "llama-ft"));
    assert_eq!(imported.name.as_str(), "my-llama-ft");
    assert_eq!(input(imported), ["text"]);
    assert_eq!(
        (imported.context_window, imported.max_tokens),
        (32_000, 4_096)
    );

    let provisioned = model(&catalog, &arn("provisioned-model", "haiku-pt"));
    assert_eq!(provisioned.name.as_str(), "haiku-pt");
    assert_eq!(provisioned.source(), Some("provisioned"));
    assert_eq!(input(provisioned), ["text", "image"]);
    assert!(!ids(&catalog).contains(&arn("provisioned-model", "haiku-pt-new")));
    let throughputs = emu.requests_for(Operation::ListProvisionedModelThroughputs);
    assert!(throughputs[0].query.contains("statusEquals=InService"));
    // A complete run is cached like any other (DISC-45).
    assert!(list_strict(&instance).await.from_cache);

    // providerFilter: the Nova router and the Nova-based deployment stay, the Anthropic
    // router and the Haiku throughput go, the imported model (no known provider) stays.
    let amazon = plugin(
        &emu,
        json!({"providerFilter": ["amazon"], "include": ["foundation-models",
            "prompt-routers", "custom-models", "imported-models", "provisioned"]}),
        json!({}),
    );
    let filtered = ids(&list_strict(&amazon).await);
    assert!(filtered.contains(&arn("default-prompt-router", "amazon-nova-prompt-router:1")));
    assert!(!filtered.contains(&arn("default-prompt-router", "anthropic-prompt-router:1")));
    assert!(filtered.contains(&arn("custom-model-deployment", "support-bot")));
    assert!(filtered.contains(&arn("imported-model", "llama-ft")));
    assert!(!filtered.contains(&arn("provisioned-model", "haiku-pt")));
    assert!(
        !filtered.iter().any(|id| id.starts_with("us.")),
        "no inference-profiles source"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn br_85_sources_are_paginated() {
    let emu = emulator();
    for i in 0..1001 {
        emu.add_account_resource(
            AccountList::ImportedModels,
            json!({
                "modelArn": arn("imported-model", &format!("m{i:04}")),
                "modelName": format!("imported {i:04}"),
                "creationTime": "2026-11-01T00:00:00Z",
            }),
        );
    }
    let instance = plugin(
        &emu,
        json!({"include": ["imported-models"], "checkAccess": false}),
        json!({}),
    );
    let catalog = list_strict(&instance).await;
    // PLG-62: without "foundation-models" and "inference-profiles" only the source is listed,
    // and ListInferenceProfiles is not sent.
    assert_eq!(catalog.models.len(), 1001);
    assert_eq!(emu.count(Operation::ListInferenceProfiles), 0);
    let pages = emu.requests_for(Operation::ListImportedModels);
    assert_eq!(pages.len(), 2);
    assert!(pages[1].query.contains("nextToken="));
}

#[tokio::test(flavor = "multi_thread")]
async fn br_85_failing_source_warns_keeps_foundation_models_and_is_not_cached() {
    let emu = emulator();
    emu.deny(DEFAULT_ACCESS_KEY_ID, &[Operation::ListPromptRouters]);
    let text = "Skipping Bedrock prompt-routers discovery: AccessDeniedException: User: arn:aws:iam::123456789012:user/emulator is not authorized to perform: bedrock:ListPromptRouters because no identity-based policy allows the bedrock:ListPromptRouters action";
    let before = warnings_containing(text).len();
    let instance = plugin(
        &emu,
        json!({"include": ["foundation-models", "inference-profiles", "prompt-routers"]}),
        json!({}),
    );
    let catalog = list_strict(&instance).await;
    assert!(ids(&catalog).contains(&"amazon.nova-micro-v1:0".to_owned()));
    assert!(ids(&catalog).contains(&"us.amazon.nova-micro-v1:0".to_owned()));
    assert!(!catalog
        .models
        .iter()
        .any(|m| m.source() == Some("prompt-routers")));
    assert_eq!(warnings_containing(text).len(), before + 1);
    assert!(!list_strict(&instance).await.from_cache);
    assert_eq!(emu.count(Operation::ListPromptRouters), 2);
}

#[test]
fn br_85_include_unknown_value_and_repeat_are_config_errors() {
    use bedrock_plugin::config::PluginConfig;
    let error = |config: Value| {
        PluginConfig::from_json(&config)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    assert_eq!(
        error(json!({"discovery": {"include": ["foundation-models", "routers"]}})),
        "invalid config for plugin amazon-bedrock at plugins.entries.amazon-bedrock.config.discovery.include[1]: must be one of \"foundation-models\", \"inference-profiles\", \"prompt-routers\", \"custom-models\", \"imported-models\", \"provisioned\""
    );
    assert_eq!(
        error(json!({"discovery": {"include": ["provisioned", "provisioned"]}})),
        "invalid config for plugin amazon-bedrock at plugins.entries.amazon-bedrock.config.discovery.include[1]: must not repeat \"provisioned\""
    );
    let config = PluginConfig::from_json(&json!({})).expect("empty config");
    assert!(config.check_access());
    assert!(!config.include_unavailable());
    assert_eq!(
        config
            .catalog_sources()
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>(),
        ["foundation-models", "inference-profiles"]
    );
}

/// BR-80: the checks run 8 at a time after ListFoundationModels, overlapping
/// ListInferenceProfiles; with 100 ms added to every request the cold run takes
/// ListFoundationModels + ceil(n / 8) check rounds, not n rounds.
#[tokio::test(flavor = "multi_thread")]
async fn br_80_checks_run_at_most_8_at_once_within_the_cold_run() {
    let latency = Duration::from_millis(100);
    let emu = Emulator::start(EmulatorOptions {
        latency: Some(latency),
        ..Default::default()
    })
    .expect("emulator");
    let timed = |discovery: Value| {
        let instance = plugin(&emu, discovery, json!({}));
        async move {
            let started = Instant::now();
            let catalog = list_strict(&instance).await;
            (started.elapsed(), catalog)
        }
    };
    let (without, _) = timed(json!({"checkAccess": false})).await;
    emu.clear_requests();
    let (with, _) = timed(json!({})).await;
    let n = checks(&emu);
    let rounds = n.div_ceil(8) as u32;
    eprintln!(
        "cold discovery: {} checks, {with:?} with access checks, {without:?} without (one control-plane call = {latency:?} added latency)",
        n
    );
    assert!(n > 8, "{n}");
    assert!(with >= latency * (1 + rounds), "{with:?}");
    assert!(
        with < latency * (1 + n as u32),
        "checks were not concurrent: {with:?} for {n}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn br_84_doctor_reports_the_catalogs_access_and_the_probe_models() {
    let emu = emulator();
    let host = json!({"models": {"providers": {"amazon-bedrock": {"models": [
        {"id": "amazon.nova-micro-v1:0"}
    ]}}}});
    let config = emulator_plugin_config(
        &emu,
        json!({
            "awsBedrockControlPlaneEndpoint": emu.base_url(),
            "discovery": {"enabled": true},
        }),
    );
    let instance = instance(
        config,
        host,
        &[
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("HOME", "/nonexistent-home"),
        ],
    );
    let before = PendingFuture::new(instance.doctor())
        .await
        .expect("doctor report");
    let line = |report: &plugin_api::status::DoctorReport, check: &str| {
        report
            .checks
            .iter()
            .find(|line| line.key.as_str() == check)
            .map(|line| line.value.to_string())
    };
    assert_eq!(
        line(&before, "model access").as_deref(),
        Some("not checked (no discovery run yet)")
    );
    let all = list_all(&instance).await;
    let report = PendingFuture::new(instance.doctor())
        .await
        .expect("doctor report");
    assert_eq!(
        line(&report, "model access"),
        Some(format!(
            "{} available, 1 not available (agreement_required: 1), 0 unknown",
            all.models.len() - 1
        ))
    );
    assert_eq!(
        line(&report, "probe model access").as_deref(),
        Some("amazon.nova-micro-v1:0: available")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn br_83_access_denied_chat_names_the_models_access() {
    let emu = emulator();
    emu.set_model_access(
        "amazon.nova-lite-v1:0",
        ModelAccess {
            authorization_status: "NOT_AUTHORIZED".into(),
            ..ModelAccess::available()
        },
    );
    let instance = plugin(&emu, json!({}), json!({}));
    let all = list_all(&instance).await;
    emu.deny(DEFAULT_ACCESS_KEY_ID, &[Operation::ConverseStream]);
    let denial = |id: &str| {
        format!(
            "AccessDeniedException: User: arn:aws:iam::123456789012:user/emulator is not authorized to perform: bedrock:InvokeModelWithResponseStream on resource: arn:aws:bedrock:us-east-1::foundation-model/{id} because no identity-based policy allows the bedrock:InvokeModelWithResponseStream action"
        )
    };
    let chat = |id: &str| {
        let mut request = text_request(id, "hi");
        request.model = model(&all, id).clone();
        run_stream(&instance, request)
    };
    let events = chat("amazon.nova-lite-v1:0").await;
    let message = failure(&events).error.message.to_string();
    // BR-40's request id still comes last.
    let suffix = " (model access: not_authorized; request access in the Amazon Bedrock console under Model access for us-east-1)";
    assert!(
        message.contains(&format!(
            "{}{suffix} [request id ",
            denial("amazon.nova-lite-v1:0")
        )),
        "{message}"
    );
    // An available model's denial is an IAM matter: no suffix.
    let events = chat("amazon.nova-micro-v1:0").await;
    let message = failure(&events).error.message.to_string();
    assert!(
        message.contains(&denial("amazon.nova-micro-v1:0")),
        "{message}"
    );
    assert!(!message.contains("model access:"), "{message}");
}
