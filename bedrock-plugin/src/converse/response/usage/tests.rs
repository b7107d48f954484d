use super::*;
use aws_sdk_bedrockruntime::types::CacheDetail;

fn use_02_prices() -> ModelCost {
    ModelCost {
        input: 1e6,
        output: 2e6,
        cache_read: 5e5,
        cache_write: 1.25e6,
    }
}

fn detail(ttl: &str, tokens: i32) -> CacheDetail {
    CacheDetail::builder()
        .ttl(CacheTtl::from(ttl))
        .input_tokens(tokens)
        .build()
        .unwrap()
}

#[test]
fn use_01_02_ex_a09_usage_context_usage_and_cost_example() {
    let usage = TokenUsage::builder()
        .input_tokens(20)
        .output_tokens(5)
        .total_tokens(25)
        .cache_read_input_tokens(70)
        .cache_write_input_tokens(10)
        .cache_details(detail("1h", 6))
        .cache_details(detail("5m", 4))
        .build()
        .unwrap();
    let got = usage_from_sdk(&usage, &use_02_prices());
    assert_eq!(
        (
            got.input,
            got.output,
            got.cache_read,
            got.cache_write,
            got.cache_write_1h
        ),
        (20, 5, 70, 10, 6)
    );
    assert_eq!(got.total_tokens, 105);
    assert_eq!(
        context_usage(&got),
        serde_json::json!({"state": "available", "promptTokens": 100, "totalTokens": 105})
    );
    assert_eq!(
        got.cost,
        Cost {
            input: 20.0,
            output: 10.0,
            cache_read: 35.0,
            cache_write: 17.0,
            total: 82.0
        }
    );
}

#[test]
fn use_01_missing_cache_fields_read_as_zero_and_total_kept_when_larger() {
    let usage = TokenUsage::builder()
        .input_tokens(3)
        .output_tokens(4)
        .total_tokens(50)
        .build()
        .unwrap();
    let got = usage_from_sdk(&usage, &ModelCost::default());
    assert_eq!(
        (got.cache_read, got.cache_write, got.cache_write_1h),
        (0, 0, 0)
    );
    assert_eq!(got.total_tokens, 50);
    assert_eq!(got.cost, Cost::default());
}

#[test]
fn use_01_negative_counts_read_as_zero() {
    let usage = TokenUsage::builder()
        .input_tokens(-1)
        .output_tokens(2)
        .total_tokens(-5)
        .build()
        .unwrap();
    let got = usage_from_sdk(&usage, &ModelCost::default());
    assert_eq!((got.input, got.output, got.total_tokens), (0, 2, 2));
}

#[test]
fn use_02_one_hour_writes_beyond_total_writes_do_not_underflow() {
    let usage = Usage {
        cache_write: 1,
        cache_write_1h: 3,
        ..Usage::default()
    };
    let cost = cost_of(&usage, &use_02_prices());
    assert_eq!(cost.cache_write, 6.0);
}
