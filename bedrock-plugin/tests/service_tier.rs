//! Service tier through a full send (EX-I25..I30: TIER-02..05): the top-level `serviceTier`
//! the emulator received for the host's params, the warnings for values that inject nothing,
//! and the host-config params folded per object (TIER-01).

mod common;

use abi_stable::std_types::ROption;
use bedrock_emulator::Operation;
use serde_json::{json, Value};

const NOVA: &str = "amazon.nova-pro-v1:0";
const OPUS_5: &str = "us.anthropic.claude-opus-5";

/// The `serviceTier` the emulator received for one request with these extra params (`Null`
/// when none was sent).
async fn sent_tier(host: Value, model: &str, params: Option<Value>) -> Value {
    let emu = common::emulator();
    let plugin = common::instance(
        common::emulator_plugin_config(&emu, json!({})),
        host,
        &[
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("HOME", "/nonexistent-home"),
        ],
    );
    let mut request = common::text_request(model, "tier me");
    request.options.extra_params_json = match params {
        Some(params) => ROption::RSome(params.to_string().into()),
        None => ROption::RNone,
    };
    common::run_stream(&plugin, request).await;
    let sent = emu.requests_for(Operation::ConverseStream);
    assert_eq!(sent.len(), 1);
    sent[0].json().expect("JSON body")["serviceTier"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tier_02_05_valid_tiers_are_sent_top_level() {
    for (params, expected) in [
        (json!({"serviceTier": "flex"}), "flex"),
        (json!({"service_tier": "priority"}), "priority"),
        (json!({"serviceTier": " Reserved "}), "reserved"),
        (json!({"serviceTier": "DEFAULT"}), "default"),
    ] {
        assert_eq!(
            sent_tier(json!({}), NOVA, Some(params.clone())).await,
            json!({"type": expected}),
            "{params}"
        );
    }
    assert_eq!(sent_tier(json!({}), NOVA, None).await, Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tier_03_04_invalid_and_unsupported_tiers_warn_and_send_nothing() {
    let raw = "not-a-tier-in-a-full-send";
    assert_eq!(
        sent_tier(json!({}), NOVA, Some(json!({"serviceTier": raw}))).await,
        Value::Null
    );
    assert_eq!(
        common::warnings_containing(raw),
        [format!(
            "ignoring invalid Bedrock service_tier param: {raw}"
        )]
    );
    assert_eq!(
        sent_tier(json!({}), OPUS_5, Some(json!({"service_tier": "flex"}))).await,
        Value::Null
    );
    assert_eq!(
        common::warnings_containing("Opus 5 Bedrock service tier"),
        ["ignoring unsupported Opus 5 Bedrock service tier: flex"]
    );
    // `default` is the one tier Claude 5 accepts.
    assert_eq!(
        sent_tier(json!({}), OPUS_5, Some(json!({"serviceTier": "default"}))).await,
        json!({"type": "default"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tier_01_a_per_model_host_param_beats_the_global_one_in_either_spelling() {
    let host = json!({"agents": {"defaults": {
        "params": {"serviceTier": "flex"},
        "models": {format!("amazon-bedrock/{NOVA}"): {"params": {"service_tier": "priority"}}},
    }}});
    assert_eq!(
        sent_tier(host, NOVA, None).await,
        json!({"type": "priority"})
    );
}
