//! Live model discovery against the emulator (DISC-*), through the rlib with a fixed env.

mod common;

use std::time::{Duration, Instant};

use bedrock_emulator::{
    Emulator, EmulatorOptions, Fault, FaultRule, Operation, DEFAULT_BEARER_TOKEN,
};
use common::*;
use plugin_api::error::ErrorKind;
use serde_json::{json, Value};

fn start(options: EmulatorOptions) -> Emulator {
    Emulator::start(options).expect("emulator")
}

/// Bearer marker + emulator endpoints, so discovery is enabled and reaches the emulator.
fn env_for(emu: &Emulator) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_BEARER_TOKEN_BEDROCK", DEFAULT_BEARER_TOKEN.to_owned()),
        ("AWS_ENDPOINT_URL_BEDROCK", emu.base_url().to_owned()),
        (
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
            emu.base_url().to_owned(),
        ),
        ("AWS_REGION", "us-east-1".to_owned()),
        ("HOME", "/nonexistent-home".to_owned()),
    ]
}

fn pairs<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

fn plugin(emu: &Emulator, config: Value) -> plugin_api::traits::PluginInstanceBox {
    let env = env_for(emu);
    instance(config, json!({}), &pairs(&env))
}

#[tokio::test(flavor = "multi_thread")]
async fn disc_02_13_to_20_builtin_catalog_filters_fields_and_provider() {
    let emu = start(EmulatorOptions::default());
    let catalog = list_strict(&plugin(&emu, json!({}))).await;
    let ids = ids(&catalog);
    // DISC-02, EP-05: standard REG-10 URL even though the endpoint is the emulator.
    assert_eq!(
        catalog.base_url.as_ref().into_option().map(|u| u.as_str()),
        Some("https://bedrock-runtime.us-east-1.amazonaws.com")
    );
    assert_eq!(catalog.api.as_str(), "bedrock-converse-stream");
    assert_eq!(catalog.auth.as_str(), "aws-sdk");
    assert_eq!(catalog.provider_id.as_str(), "amazon-bedrock");
    assert!(!catalog.from_cache);
    for kept in [
        "anthropic.claude-3-haiku-20240307-v1:0",
        "amazon.nova-micro-v1:0",
        "mistral.mistral-large-2407-v1:0",
        "us.anthropic.claude-sonnet-4-6",
        "global.anthropic.claude-sonnet-4-6",
    ] {
        assert!(
            ids.contains(&kept.to_owned()),
            "{kept} missing from {ids:?}"
        );
    }
    for dropped in [
        "anthropic.claude-3-haiku-20240307-v1:0:48k", // DISC-19 provisioned-only
        "amazon.titan-text-express-v1",               // DISC-18 LEGACY
        "meta.llama3-8b-instruct-v1:0",               // DISC-18 INACTIVE
        "amazon.titan-embed-text-v1",                 // DISC-17 embedding output
        "amazon.titan-image-generator-v2:0",          // DISC-17 image output
        "ai21.j2-ultra-v1",                           // DISC-15 no streaming
    ] {
        assert!(!ids.contains(&dropped.to_owned()), "{dropped} listed");
    }
    // DISC-41: global.* first.
    let first_non_global = ids
        .iter()
        .position(|id| !id.starts_with("global."))
        .unwrap();
    assert!(ids[first_non_global..]
        .iter()
        .all(|id| !id.starts_with("global.")));
    // DISC-40: no duplicate ids.
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());
    // DISC-20 example.
    let sonnet37 = model(&catalog, "anthropic.claude-3-7-sonnet-20250219-v1:0");
    assert_eq!(sonnet37.name.as_str(), "Claude 3.7 Sonnet");
    assert!(sonnet37.reasoning);
    assert_eq!(input(sonnet37), ["text", "image"]);
    // DISC-23: the known max-output table.
    assert_eq!(
        (sonnet37.context_window, sonnet37.max_tokens),
        (200_000, 64_000)
    );
    let nova = model(&catalog, "amazon.nova-micro-v1:0");
    assert_eq!((nova.context_window, nova.max_tokens), (128_000, 10_000));
    assert!(!nova.reasoning);
    // DISC-19a: profile-only base id steered to the regional profile of us-east-1.
    let opus = model(&catalog, "anthropic.claude-opus-4-7");
    assert_eq!(
        params(opus),
        json!({"requiresInferenceProfile": true, "preferredProfileId": "us.anthropic.claude-opus-4-7"})
    );
    assert_eq!(
        params(model(&catalog, "amazon.nova-micro-v1:0")),
        Value::Null
    );
    // DISC-35: profiles inherit; canonicalModelId for Claude bases; APPLICATION via ARN.
    let us = model(&catalog, "us.anthropic.claude-sonnet-4-6");
    assert_eq!(us.name.as_str(), "US Anthropic Claude Sonnet 4.6");
    assert_eq!(input(us), ["text", "image"]);
    assert_eq!(us.context_window, 1_000_000);
    assert_eq!(params(us), json!({"canonicalModelId": "claude-sonnet-4-6"}));
    let application = model(&catalog, "mi1dadi0g15f");
    assert_eq!(input(application), ["text", "image"]);
    // DISC-10: the profile page asks for the largest page the API allows.
    let profile_requests = emu.requests_for(Operation::ListInferenceProfiles);
    assert_eq!(profile_requests.len(), 1);
    assert!(
        profile_requests[0].query.contains("maxResults=1000"),
        "{}",
        profile_requests[0].query
    );
    // AUTH-04: control plane uses the bearer token.
    for request in emu.requests() {
        assert!(
            matches!(request.auth, bedrock_emulator::AuthScheme::Bearer),
            "{:?}",
            request.auth
        );
        assert!(request.authorized);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn disc_13_to_18_reference_filter_example_keeps_exactly_one() {
    let mut haiku = fm(
        "anthropic.claude-3-haiku-20240307-v1:0",
        "Claude 3 Haiku",
        "Anthropic",
        &["TEXT", "IMAGE"],
        &["TEXT"],
    );
    haiku["responseStreamingSupported"] = json!(false);
    let mut llama = fm(
        "meta.llama3-8b-instruct-v1:0",
        "Llama 3 8B",
        "Meta",
        &["TEXT"],
        &["TEXT"],
    );
    llama["modelLifecycle"]["status"] = json!("INACTIVE");
    let mut blank = fm("   ", "Blank", "Amazon", &["TEXT"], &["TEXT"]);
    blank["modelId"] = json!("   ");
    // DISC-12: an unknown modality and an unknown inference type never fail parsing.
    let mut future = fm(
        "amazon.future-v1:0",
        "Future",
        "Amazon",
        &["TEXT", "HOLOGRAM"],
        &["HOLOGRAM"],
    );
    future["inferenceTypesSupported"] = json!(["QUANTUM"]);
    let dir = catalog_dir(
        "filter",
        json!([
            fm(
                "anthropic.claude-3-7-sonnet-20250219-v1:0",
                "Claude 3.7 Sonnet",
                "Anthropic",
                &["TEXT", "IMAGE"],
                &["TEXT"]
            ),
            haiku,
            llama,
            fm(
                "amazon.titan-embed-text-v1",
                "Titan Embeddings",
                "Amazon",
                &["TEXT"],
                &["EMBEDDING"]
            ),
            blank,
            future,
            fm(
                "anthropic.claude-mythos-preview",
                "Claude Mythos Preview",
                "Anthropic",
                &["TEXT"],
                &["TEXT"]
            ),
        ]),
        json!([]),
    );
    let emu = start(EmulatorOptions {
        catalog: Some(dir),
        ..Default::default()
    });
    let catalog = list_strict(&plugin(&emu, json!({}))).await;
    assert_eq!(ids(&catalog), ["anthropic.claude-3-7-sonnet-20250219-v1:0"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn disc_20_defaults_from_default_context_window_and_max_tokens() {
    let dir = catalog_dir(
        "defaults",
        json!([
            fm(
                "amazon.titan-tg1-large",
                "Titan Large",
                "Amazon",
                &["TEXT"],
                &["TEXT"]
            ),
            fm(
                "amazon.nova-pro-v1:0",
                "Nova Pro",
                "Amazon",
                &["TEXT", "IMAGE", "VIDEO"],
                &["TEXT"]
            ),
            fm(
                "deepseek.r1-v1:0",
                "DeepSeek-R1",
                "DeepSeek",
                &["TEXT"],
                &["TEXT"]
            ),
            fm(
                "anthropic.claude-opus-5",
                "Claude Opus 5",
                "Anthropic",
                &["TEXT", "IMAGE"],
                &["TEXT"]
            ),
        ]),
        json!([]),
    );
    let emu = start(EmulatorOptions {
        catalog: Some(dir),
        ..Default::default()
    });
    let config = json!({"discovery": {"defaultContextWindow": 64000, "defaultMaxTokens": 8192}});
    let catalog = list_strict(&plugin(&emu, config)).await;
    let titan = model(&catalog, "amazon.titan-tg1-large");
    assert_eq!((titan.context_window, titan.max_tokens), (64_000, 8_192));
    assert_eq!(titan.name.as_str(), "Titan Large");
    assert_eq!(titan.cost, plugin_api::model::ModelCost::default());
    let nova = model(&catalog, "amazon.nova-pro-v1:0");
    assert_eq!(input(nova), ["text", "image", "video"]);
    // DISC-23: Nova Pro is in the max-output table, so the default does not apply.
    assert_eq!((nova.context_window, nova.max_tokens), (300_000, 10_000));
    assert!(model(&catalog, "deepseek.r1-v1:0").reasoning);
    let opus5 = model(&catalog, "anthropic.claude-opus-5");
    assert_eq!(
        (opus5.context_window, opus5.max_tokens),
        (1_000_000, 128_000)
    );
    assert!(opus5.reasoning);
    // THINK-21: Opus 5's native map, exactly.
    assert_eq!(
        level_map(opus5),
        [("xhigh", Some("xhigh")), ("max", Some("max"))]
    );
}

fn sonnet46_fm(inference: &[&str]) -> Value {
    let mut model = fm(
        "anthropic.claude-sonnet-4-6",
        "Claude Sonnet 4.6",
        "Anthropic",
        &["TEXT", "IMAGE"],
        &["TEXT"],
    );
    model["inferenceTypesSupported"] = json!(inference);
    model
}

#[tokio::test(flavor = "multi_thread")]
async fn disc_31_35_41_profile_inheritance_reference_example() {
    let arn = "arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-6";
    let dir = catalog_dir(
        "inherit",
        json!([sonnet46_fm(&["ON_DEMAND", "INFERENCE_PROFILE"])]),
        json!([
            profile(
                "us.anthropic.claude-sonnet-4-6",
                "US Anthropic Claude Sonnet 4.6",
                "SYSTEM_DEFINED",
                "ACTIVE",
                &[arn]
            ),
            profile(
                "eu.anthropic.claude-sonnet-4-6",
                "EU Anthropic Claude Sonnet 4.6",
                "SYSTEM_DEFINED",
                "ACTIVE",
                &[arn]
            ),
            profile(
                "global.anthropic.claude-sonnet-4-6",
                "Global Anthropic Claude Sonnet 4.6",
                "SYSTEM_DEFINED",
                "ACTIVE",
                &[arn]
            ),
            profile(
                "ap.anthropic.claude-sonnet-4-6",
                "AP Anthropic Claude Sonnet 4.6",
                "SYSTEM_DEFINED",
                "LEGACY",
                &[arn]
            ),
            profile(
                "us.anthropic.claude-sonnet-4-6",
                "Duplicate",
                "SYSTEM_DEFINED",
                "ACTIVE",
                &[arn]
            ),
            profile("  ", "Blank", "SYSTEM_DEFINED", "ACTIVE", &[arn]),
        ]),
    );
    let emu = start(EmulatorOptions {
        catalog: Some(dir),
        ..Default::default()
    });
    let catalog = list_strict(&plugin(&emu, json!({}))).await;
    let ids = ids(&catalog);
    assert_eq!(ids.len(), 4, "{ids:?}");
    assert_eq!(ids[0], "global.anthropic.claude-sonnet-4-6");
    assert!(!ids.iter().any(|id| id.starts_with("ap.")));
    let us = model(&catalog, "us.anthropic.claude-sonnet-4-6");
    assert_eq!(us.name.as_str(), "US Anthropic Claude Sonnet 4.6");
    assert_eq!(input(us), ["text", "image"]);
    assert_eq!(us.context_window, 1_000_000);
    assert!(us.reasoning);
    // DISC-41 example: the global profile then the foundation model.
    let dir = catalog_dir(
        "sort",
        json!([sonnet46_fm(&["ON_DEMAND"])]),
        json!([profile(
            "global.anthropic.claude-sonnet-4-6",
            "Global Anthropic Claude Sonnet 4.6",
            "SYSTEM_DEFINED",
            "ACTIVE",
            &[arn]
        )]),
    );
    let emu = start(EmulatorOptions {
        catalog: Some(dir),
        ..Default::default()
    });
    let catalog = list_strict(&plugin(&emu, json!({}))).await;
    assert_eq!(
        common::ids(&catalog),
        [
            "global.anthropic.claude-sonnet-4-6",
            "anthropic.claude-sonnet-4-6"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn disc_33_application_profile_inherits_through_arn() {
    let dir = catalog_dir(
        "application",
        json!([sonnet46_fm(&["ON_DEMAND"])]),
        json!([profile(
            "us.my-prod-profile",
            "My prod profile",
            "APPLICATION",
            "ACTIVE",
            &["arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-6"]
        )]),
    );
    let emu = start(EmulatorOptions {
        catalog: Some(dir),
        ..Default::default()
    });
    let catalog = list_strict(&plugin(&emu, json!({}))).await;
    let app = model(&catalog, "us.my-prod-profile");
    assert_eq!(input(app), ["text", "image"]);
    assert_eq!(app.name.as_str(), "My prod profile");
    assert_eq!(app.context_window, 1_000_000);
}

#[tokio::test(flavor = "multi_thread")]
async fn disc_19a_30_33_au_apac_prefix_fallback_in_ap_southeast_2() {
    let dir = catalog_dir(
        "au-apac",
        json!([sonnet46_fm(&["INFERENCE_PROFILE"])]),
        json!([
            profile(
                "apac.anthropic.claude-sonnet-4-6",
                "APAC Anthropic Claude Sonnet 4.6",
                "SYSTEM_DEFINED",
                "ACTIVE",
                &[]
            ),
            profile(
                "au.anthropic.claude-sonnet-4-6",
                "AU Anthropic Claude Sonnet 4.6",
                "SYSTEM_DEFINED",
                "ACTIVE",
                &[]
            ),
        ]),
    );
    let emu = start(EmulatorOptions {
        catalog: Some(dir),
        ..Default::default()
    });
    let catalog = list_strict(&plugin(
        &emu,
        json!({"discovery": {"region": "ap-southeast-2"}}),
    ))
    .await;
    assert_eq!(catalog.models.len(), 3, "{:?}", ids(&catalog));
    let au = model(&catalog, "au.anthropic.claude-sonnet-4-6");
    let apac = model(&catalog, "apac.anthropic.claude-sonnet-4-6");
    assert_eq!(input(au), ["text", "image"]);
    assert_eq!(input(apac), ["text", "image"]);
    assert_eq!(au.name.as_str(), "AU Anthropic Claude Sonnet 4.6");
    assert_eq!(apac.name.as_str(), "APAC Anthropic Claude Sonnet 4.6");
    // DISC-19a: the region's geography (au.) wins over listing order.
    assert_eq!(
        params(model(&catalog, "anthropic.claude-sonnet-4-6")),
        json!({"requiresInferenceProfile": true, "preferredProfileId": "au.anthropic.claude-sonnet-4-6"})
    );
    assert_eq!(
        catalog.base_url.as_ref().into_option().map(|u| u.as_str()),
        Some("https://bedrock-runtime.ap-southeast-2.amazonaws.com")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn disc_19a_cross_region_off_prefers_global() {
    let arn = "arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-6";
    let dir = catalog_dir(
        "global-choice",
        json!([sonnet46_fm(&["INFERENCE_PROFILE"])]),
        json!([
            profile(
                "us.anthropic.claude-sonnet-4-6",
                "US",
                "SYSTEM_DEFINED",
                "ACTIVE",
                &[arn]
            ),
            profile(
                "global.anthropic.claude-sonnet-4-6",
                "Global",
                "SYSTEM_DEFINED",
                "ACTIVE",
                &[arn]
            ),
        ]),
    );
    let emu = start(EmulatorOptions {
        catalog: Some(dir),
        ..Default::default()
    });
    let catalog = list_strict(&plugin(&emu, json!({"awsUseCrossRegionInference": false}))).await;
    assert_eq!(
        params(model(&catalog, "anthropic.claude-sonnet-4-6"))["preferredProfileId"],
        json!("global.anthropic.claude-sonnet-4-6")
    );
    let catalog = list_strict(&plugin(
        &emu,
        json!({"awsUseCrossRegionInference": false, "awsUseGlobalInference": false}),
    ))
    .await;
    assert_eq!(
        params(model(&catalog, "anthropic.claude-sonnet-4-6")),
        json!({"requiresInferenceProfile": true})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn disc_14_32_provider_filter_keeps_global_profile_and_multiword_providers() {
    let emu = start(EmulatorOptions::default());
    let catalog = list_strict(&plugin(
        &emu,
        json!({"discovery": {"providerFilter": [" Anthropic ", "ANTHROPIC"]}}),
    ))
    .await;
    let ids = ids(&catalog);
    assert!(ids.contains(&"global.anthropic.claude-sonnet-4-6".to_owned()));
    assert!(
        ids.contains(&"mi1dadi0g15f".to_owned()),
        "APPLICATION profile with an anthropic ARN"
    );
    assert!(
        ids.iter()
            .all(|id| id.contains("anthropic.") || id == "mi1dadi0g15f"),
        "{ids:?}"
    );
    let catalog = list_strict(&plugin(
        &emu,
        json!({"discovery": {"providerFilter": ["mistral"]}}),
    ))
    .await;
    assert!(common::ids(&catalog).contains(&"mistral.mistral-large-2407-v1:0".to_owned()));
    let catalog = list_strict(&plugin(
        &emu,
        json!({"discovery": {"providerFilter": ["amazon"]}}),
    ))
    .await;
    let amazon = common::ids(&catalog);
    assert!(amazon.contains(&"amazon.nova-micro-v1:0".to_owned()));
    assert!(
        !amazon.iter().any(|id| id.contains("anthropic")),
        "{amazon:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn disc_10_every_profile_page_is_followed() {
    let arns: Vec<String> = (0..1005)
        .map(|i| format!("arn:aws:bedrock:::foundation-model/amazon.model-{i}"))
        .collect();
    let profiles: Vec<Value> = arns
        .iter()
        .enumerate()
        .map(|(i, arn)| {
            profile(
                &format!("us.amazon.model-{i}"),
                &format!("Model {i:04}"),
                "SYSTEM_DEFINED",
                "ACTIVE",
                &[arn.as_str()],
            )
        })
        .collect();
    let dir = catalog_dir("pages", json!([]), json!(profiles));
    let emu = start(EmulatorOptions {
        catalog: Some(dir),
        ..Default::default()
    });
    let catalog = list_strict(&plugin(&emu, json!({}))).await;
    assert_eq!(catalog.models.len(), 1005);
    let pages = emu.requests_for(Operation::ListInferenceProfiles);
    assert_eq!(pages.len(), 2);
    assert!(pages[1].query.contains("nextToken="));
}

#[tokio::test(flavor = "multi_thread")]
async fn disc_45_refresh_interval_default_caches_and_zero_disables_cache() {
    let emu = start(EmulatorOptions::default());
    let cached = plugin(&emu, json!({}));
    let first = list_strict(&cached).await;
    let second = list_strict(&cached).await;
    assert!(!first.from_cache);
    assert!(second.from_cache);
    assert_eq!(first.fetched_at_ms, second.fetched_at_ms);
    assert_eq!(ids(&first), ids(&second));
    // BR-80's access checks ride along with the run and are cached with it.
    let checks = emu.count(Operation::GetFoundationModelAvailability);
    assert_eq!(
        emu.requests().len() - checks,
        2,
        "1 ListFoundationModels + 1 ListInferenceProfiles page"
    );
    // force_refresh bypasses the cache.
    let forced = list(&cached, true, true).await.expect("forced");
    assert!(!forced.from_cache);
    assert_eq!(emu.count(Operation::ListFoundationModels), 2);

    emu.clear_requests();
    let uncached = plugin(&emu, json!({"discovery": {"refreshInterval": 0}}));
    let a = list_strict(&uncached).await;
    let b = list_strict(&uncached).await;
    assert!(!a.from_cache && !b.from_cache);
    assert_eq!(
        emu.requests().len() - emu.count(Operation::GetFoundationModelAvailability),
        4
    );
    assert_eq!(
        emu.count(Operation::GetFoundationModelAvailability),
        2 * checks
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn disc_44_live_04_settings_change_is_a_new_cache_key() {
    let emu = start(EmulatorOptions::default());
    let instance = plugin(&emu, json!({}));
    list_strict(&instance).await;
    // Strict and non-strict are different keys.
    list(&instance, false, false).await.expect("non-strict");
    assert_eq!(emu.count(Operation::ListFoundationModels), 2);
    instance
        .update_config(plugin_api::host::ConfigUpdate {
            plugin_config_json:
                json!({"discovery": {"region": "eu-central-1", "providerFilter": ["amazon"]}})
                    .to_string()
                    .into(),
            host_config_json: "{}".into(),
        })
        .into_result()
        .expect("update");
    let catalog = list_strict(&instance).await;
    assert!(!catalog.from_cache);
    assert_eq!(emu.count(Operation::ListFoundationModels), 3);
    assert_eq!(
        catalog.base_url.as_ref().into_option().map(|u| u.as_str()),
        Some("https://bedrock-runtime.eu-central-1.amazonaws.com")
    );
    assert!(ids(&catalog).iter().all(|id| !id.contains("anthropic")));
}

#[tokio::test(flavor = "multi_thread")]
async fn disc_46_single_flight_50_concurrent_calls_one_run() {
    let emu = start(EmulatorOptions {
        latency: Some(Duration::from_millis(200)),
        ..Default::default()
    });
    let instance = std::sync::Arc::new(plugin(&emu, json!({})));
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let instance = instance.clone();
            tokio::spawn(async move { list(&instance, true, false).await })
        })
        .collect();
    let mut results = Vec::new();
    for call in calls {
        results.push(call.await.expect("join").expect("catalog"));
    }
    let lfm = emu.count(Operation::ListFoundationModels);
    let lip = emu.count(Operation::ListInferenceProfiles);
    println!("single flight: 50 concurrent list_models -> {lfm} ListFoundationModels, {lip} ListInferenceProfiles");
    assert_eq!(lfm, 1);
    assert_eq!(lip, 1);
    let fetched = results[0].fetched_at_ms;
    assert!(results
        .iter()
        .all(|r| r.fetched_at_ms == fetched && r.models.len() == results[0].models.len()));
}

#[tokio::test(flavor = "multi_thread")]
async fn disc_10_calls_overlap_measurement() {
    let latency = Duration::from_millis(200);
    let emu = start(EmulatorOptions {
        latency: Some(latency),
        ..Default::default()
    });
    // One control-plane request on its own, through the same SDK, for the baseline.
    let client = aws_sdk_bedrock::Client::from_conf(
        aws_sdk_bedrock::Config::builder()
            .behavior_version(aws_sdk_bedrock::config::BehaviorVersion::latest())
            .region(aws_sdk_bedrock::config::Region::new("us-east-1"))
            .endpoint_url(emu.base_url())
            .bearer_token(aws_sdk_bedrock::config::Token::new(
                DEFAULT_BEARER_TOKEN,
                None,
            ))
            .auth_scheme_preference([
                aws_smithy_runtime_api::client::auth::http::HTTP_BEARER_AUTH_SCHEME_ID,
            ])
            .build(),
    );
    client
        .list_foundation_models()
        .send()
        .await
        .expect("warm-up");
    let single_started = Instant::now();
    client
        .list_foundation_models()
        .send()
        .await
        .expect("single");
    let single = single_started.elapsed();

    let instance = plugin(&emu, json!({}));
    let cold_started = Instant::now();
    let cold = list_strict(&instance).await;
    let cold_elapsed = cold_started.elapsed();
    let warm_started = Instant::now();
    let warm_runs = 100;
    for _ in 0..warm_runs {
        let warm = list_strict(&instance).await;
        assert!(warm.from_cache);
    }
    let warm = warm_started.elapsed() / warm_runs;
    println!(
        "cold discovery {:?} vs single request {:?} (ratio {:.2}); warm list_models {:?} per call; {} models",
        cold_elapsed,
        single,
        cold_elapsed.as_secs_f64() / single.as_secs_f64(),
        warm,
        cold.models.len()
    );
    assert_eq!(emu.count(Operation::ListFoundationModels), 3);
    assert_eq!(emu.count(Operation::ListInferenceProfiles), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn disc_47_50_52_profiles_access_denied_returns_foundation_models_uncached() {
    let dir = catalog_dir(
        "denied",
        json!([fm(
            "amazon.nova-micro-v1:0",
            "Nova Micro",
            "Amazon",
            &["TEXT"],
            &["TEXT"]
        )]),
        json!([profile(
            "us.amazon.nova-micro-v1:0",
            "US Nova Micro",
            "SYSTEM_DEFINED",
            "ACTIVE",
            &["arn:aws:bedrock:::foundation-model/amazon.nova-micro-v1:0"]
        )]),
    );
    let emu = start(EmulatorOptions {
        catalog: Some(dir),
        ..Default::default()
    });
    emu.add_fault(FaultRule::for_operation(
        Operation::ListInferenceProfiles,
        Fault::Http {
            status: 403,
            error_type: "AccessDeniedException".into(),
            message: "User is not authorized to perform: bedrock:ListInferenceProfiles (disc_50)"
                .into(),
        },
    ));
    let instance = plugin(&emu, json!({}));
    for strict in [true, false] {
        let catalog = list(&instance, strict, false)
            .await
            .expect("foundation models still returned");
        assert_eq!(ids(&catalog), ["amazon.nova-micro-v1:0"]);
        assert!(!catalog.from_cache);
    }
    let warning = "Skipping Bedrock inference profile discovery: AccessDeniedException: User is not authorized to perform: bedrock:ListInferenceProfiles (disc_50)";
    assert_eq!(warnings_containing("(disc_50)"), [warning], "logged once");
    // Not cached: a third identical call runs again.
    list_strict(&instance).await;
    assert_eq!(emu.count(Operation::ListFoundationModels), 3);
    // DISC-52: kept for status.
    let status = instance.discovery().status();
    let last = status.last_error.into_option().expect("last error");
    assert_eq!(last.operation.as_str(), "ListInferenceProfiles");
    assert_eq!(last.status.into_option(), Some(403));
    assert!(last.message.as_str().starts_with("AccessDeniedException: "));
    assert_eq!(status.model_count.into_option(), Some(1));
    assert!(status.catalog_age_ms.is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn disc_03_47_51_52_foundation_failure_strict_error_non_strict_empty_and_retry() {
    let emu = start(EmulatorOptions::default());
    let denied = || Fault::Http {
        status: 403,
        error_type: "AccessDeniedException".into(),
        message: "User is not authorized to perform: bedrock:ListFoundationModels".into(),
    };
    emu.add_fault(FaultRule {
        operation: Some(Operation::ListFoundationModels),
        model_id: None,
        times: Some(2),
        fault: denied(),
    });
    let instance = plugin(&emu, json!({}));
    let error = list(&instance, true, false)
        .await
        .expect_err("strict propagates");
    assert_eq!(
        error.message.as_str(),
        "Amazon Bedrock model discovery failed (HTTP 403): AccessDeniedException: User is not authorized to perform: bedrock:ListFoundationModels"
    );
    assert_eq!(error.status.into_option(), Some(403));
    assert_eq!(error.kind(), Some(ErrorKind::Auth));
    assert!(error
        .diagnostics
        .iter()
        .any(|d| d.details_json.contains("amazon-bedrock")));
    let status = instance.discovery().status();
    let last = status.last_error.into_option().expect("DISC-52");
    assert_eq!(last.operation.as_str(), "ListFoundationModels");
    assert_eq!(last.status.into_option(), Some(403));

    let empty = list(&instance, false, false)
        .await
        .expect("non-strict never fails");
    assert!(empty.models.is_empty());
    assert!(!warnings_containing(
        "Failed to discover Bedrock models: AccessDeniedException: User is not authorized to perform: bedrock:ListFoundationModels"
    )
    .is_empty());
    // DISC-47: the error was not cached; the fault is used up, so this run succeeds.
    let catalog = list_strict(&instance).await;
    assert!(!catalog.models.is_empty());
    assert_eq!(emu.count(Operation::ListFoundationModels), 3);
    assert!(
        instance.discovery().status().last_error.is_none(),
        "cleared by success"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn disc_01_43_disabled_returns_explicit_provider_and_sends_nothing() {
    let emu = start(EmulatorOptions::default());
    let host = json!({"models": {"providers": {"amazon-bedrock": {
        "baseUrl": "https://bedrock-runtime.eu-west-1.amazonaws.com",
        "api": "bedrock-converse-stream",
        "auth": "aws-sdk",
        "models": [{"id": "us.anthropic.claude-opus-4-6-v1:0", "name": "Opus", "contextWindow": 1000000, "maxTokens": 128000}]
    }}}});
    let env = env_for(&emu);
    let disabled = instance(
        json!({"discovery": {"enabled": false}}),
        host.clone(),
        &pairs(&env),
    );
    let catalog = list_strict(&disabled).await;
    assert_eq!(ids(&catalog), ["us.anthropic.claude-opus-4-6-v1:0"]);
    assert_eq!(
        catalog.base_url.as_ref().into_option().map(|u| u.as_str()),
        Some("https://bedrock-runtime.eu-west-1.amazonaws.com")
    );
    let status = disabled.discovery().status();
    assert!(!status.discovery_enabled);
    assert_eq!(
        status.discovery_reason.as_str(),
        "discovery.enabled is false"
    );
    // Unset + only blank markers (AUTH-01): no marker, so no discovery either.
    let blank = instance(
        json!({}),
        json!({}),
        &[
            ("AWS_BEARER_TOKEN_BEDROCK", "  "),
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", ""),
            ("AWS_PROFILE", " "),
            ("AWS_ENDPOINT_URL_BEDROCK", emu.base_url()),
        ],
    );
    let catalog = list_strict(&blank).await;
    assert!(catalog.models.is_empty());
    assert!(!blank.discovery().status().discovery_enabled);
    assert!(
        emu.requests().is_empty(),
        "nothing sent: {:?}",
        emu.requests()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn disc_42_explicit_provider_merged_by_id() {
    let dir = catalog_dir(
        "merge",
        json!([
            fm(
                "amazon.nova-micro-v1:0",
                "Nova Micro",
                "Amazon",
                &["TEXT"],
                &["TEXT"]
            ),
            fm(
                "amazon.nova-lite-v1:0",
                "Nova Lite",
                "Amazon",
                &["TEXT", "IMAGE"],
                &["TEXT"]
            ),
        ]),
        json!([]),
    );
    let emu = start(EmulatorOptions {
        catalog: Some(dir),
        ..Default::default()
    });
    let env = env_for(&emu);
    // Explicit `models: []` → the discovered list, with the explicit baseUrl.
    let host = json!({"models": {"providers": {"amazon-bedrock": {
        "baseUrl": "https://bedrock-runtime.eu-west-1.amazonaws.com", "headers": {"x-team": "a"}, "models": []
    }}}});
    let catalog = list_strict(&instance(json!({}), host, &pairs(&env))).await;
    assert_eq!(
        ids(&catalog),
        ["amazon.nova-lite-v1:0", "amazon.nova-micro-v1:0"]
    );
    assert_eq!(
        catalog.base_url.as_ref().into_option().map(|u| u.as_str()),
        Some("https://bedrock-runtime.eu-west-1.amazonaws.com")
    );
    // An explicit entry wins field by field; missing fields come from discovery; the rest is appended.
    let host = json!({"models": {"providers": {"amazon-bedrock": {"models": [
        {"id": "AMAZON.NOVA-MICRO-V1:0", "cost": {"input": 0.035, "output": 0.14}, "contextWindow": 1234},
        {"id": "my.custom-model", "name": "Custom"}
    ]}}}});
    let catalog = list_strict(&instance(json!({}), host, &pairs(&env))).await;
    assert_eq!(
        ids(&catalog),
        [
            "AMAZON.NOVA-MICRO-V1:0",
            "my.custom-model",
            "amazon.nova-lite-v1:0"
        ]
    );
    let micro = &catalog.models[0];
    assert_eq!(micro.name.as_str(), "Nova Micro");
    assert_eq!(micro.context_window, 1234);
    assert_eq!(micro.max_tokens, 10_000, "DISC-23, from discovery");
    assert_eq!(micro.cost.output, 0.14);
}
