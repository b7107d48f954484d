//! Cost reporting end to end (BR-60, BR-61, USE-01/02, PLG-100, PLG-103): the final message's `usage.cost` comes
//! from the request model's own prices, else from the configured model with the exact id,
//! else from the configured model with the region prefix removed; unpriced models cost zero.
//! Also REQ-00: only the plugin's own api is streamed.

mod common;

use abi_stable::std_types::RString;
use plugin_api::error::ErrorKind;
use plugin_api::event::{Cost, Usage};
use plugin_api::model::ModelCost;
use serde_json::json;

const SONNET: &str = "anthropic.claude-sonnet-4-6";
const US_SONNET: &str = "us.anthropic.claude-sonnet-4-6";
const GLOBAL_SONNET: &str = "global.anthropic.claude-sonnet-4-6";

/// The host config: base-id prices for Sonnet 4.6 and surcharged prices for its global profile.
fn priced_host() -> serde_json::Value {
    json!({"models": {"providers": {"amazon-bedrock": {
        "api": "bedrock-converse-stream",
        "models": [
            {"id": SONNET, "cost": {"input": 3, "output": 15, "cacheRead": 0.3, "cacheWrite": 3.75}},
            {"id": GLOBAL_SONNET, "cost": {"input": 3.3, "output": 16.5, "cacheRead": 0.33, "cacheWrite": 4.125}},
        ],
    }}}})
}

/// USE-02 for `usage` at `prices` per million tokens.
fn expected_cost(usage: &Usage, prices: ModelCost) -> Cost {
    let per_million = |tokens: u64, price: f64| tokens as f64 * price / 1e6;
    let input = per_million(usage.input, prices.input);
    let output = per_million(usage.output, prices.output);
    let cache_read = per_million(usage.cache_read, prices.cache_read);
    let cache_write = per_million(usage.cache_write - usage.cache_write_1h, prices.cache_write)
        + per_million(usage.cache_write_1h, 2.0 * prices.input);
    Cost {
        input,
        output,
        cache_read,
        cache_write,
        total: input + output + cache_read + cache_write,
    }
}

fn prices(input: f64, output: f64, cache_read: f64, cache_write: f64) -> ModelCost {
    ModelCost {
        input,
        output,
        cache_read,
        cache_write,
    }
}

fn assert_cost_close(actual: &Cost, expected: &Cost) {
    for (name, a, e) in [
        ("input", actual.input, expected.input),
        ("output", actual.output, expected.output),
        ("cacheRead", actual.cache_read, expected.cache_read),
        ("cacheWrite", actual.cache_write, expected.cache_write),
        ("total", actual.total, expected.total),
    ] {
        assert!((a - e).abs() < 1e-12, "{name}: {a} != {e}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_61_prices_by_exact_id_then_by_base_id() {
    let emu = common::emulator();
    let plugin = common::instance(
        common::emulator_plugin_config(&emu, json!({})),
        priced_host(),
        &[
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("HOME", "/nonexistent-home"),
        ],
    );
    // A discovered (unpriced) `us.` profile: no exact entry, so the base id's prices apply.
    let events = common::run_stream(&plugin, common::text_request(US_SONNET, "price me")).await;
    let usage = &common::done(&events).usage;
    assert!(usage.output > 0 && usage.cost.total > 0.0, "{usage:?}");
    assert_cost_close(
        &usage.cost,
        &expected_cost(usage, prices(3.0, 15.0, 0.3, 3.75)),
    );
    // The `global.` profile has its own (surcharged) entry, which wins over the base id's.
    let events = common::run_stream(&plugin, common::text_request(GLOBAL_SONNET, "price me")).await;
    let usage = &common::done(&events).usage;
    assert_cost_close(
        &usage.cost,
        &expected_cost(usage, prices(3.3, 16.5, 0.33, 4.125)),
    );
    // Prices the host resolved onto the model itself are used as they are.
    let mut own = common::text_request(US_SONNET, "price me");
    own.model.cost = prices(1.0, 2.0, 0.0, 0.0);
    let events = common::run_stream(&plugin, own).await;
    let usage = &common::done(&events).usage;
    assert_cost_close(
        &usage.cost,
        &expected_cost(usage, prices(1.0, 2.0, 0.0, 0.0)),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_60_unpriced_models_report_zero_cost() {
    let emu = common::emulator();
    let plugin = common::emulator_instance(&emu, json!({}));
    let events = common::run_stream(
        &plugin,
        common::text_request("amazon.nova-micro-v1:0", "hi"),
    )
    .await;
    let usage = &common::done(&events).usage;
    assert!(usage.input > 0, "{usage:?}");
    assert_eq!(usage.cost, Cost::default());
}

#[test]
fn req_00_other_apis_are_refused_with_the_exact_message() {
    let emu = common::emulator();
    let plugin = common::emulator_instance(&emu, json!({}));
    let mut request = common::text_request("amazon.nova-micro-v1:0", "hi");
    request.model.api = RString::from("openai-completions");
    let error = plugin
        .chat_provider()
        .stream_chat(request)
        .into_result()
        .err()
        .expect("refused before any I/O");
    assert_eq!(
        error.message.as_str(),
        "Amazon Bedrock stream received unsupported API: openai-completions"
    );
    assert_eq!(
        error.kind.as_enum().ok().copied(),
        Some(ErrorKind::InvalidRequest)
    );
    assert_eq!(emu.requests().len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn use_01_the_final_message_carries_context_usage() {
    let emu = common::emulator();
    let plugin = common::emulator_instance(&emu, json!({}));
    let events = common::run_stream(
        &plugin,
        common::text_request("amazon.nova-micro-v1:0", "hi"),
    )
    .await;
    let summary = common::done(&events);
    let usage = &summary.usage;
    let Some(plugin_api::ext::ExtValue::Json(context)) = summary
        .extensions
        .get(plugin_api::ext::keys::RESPONSE_CONTEXT_USAGE)
    else {
        panic!("no contextUsage in {:?}", summary.extensions);
    };
    let context: serde_json::Value = serde_json::from_str(context.as_str()).expect("JSON");
    assert_eq!(
        context,
        json!({
            "state": "available",
            "promptTokens": usage.input + usage.cache_read + usage.cache_write,
            "totalTokens": usage.total_tokens,
        })
    );
    assert!(usage.total_tokens > 0, "{usage:?}");
}
