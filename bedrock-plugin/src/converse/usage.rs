//! Token usage and cost of one response (USE-01, USE-02).
//!
//! Bedrock reports usage once, in the `metadata` event; these pure functions turn it into
//! the host's [`Usage`] so the stream mapper and any non-streaming caller agree exactly.

use aws_sdk_bedrockruntime::types::{CacheTtl, TokenUsage};
use plugin_api::event::{Cost, Usage};
use plugin_api::model::ModelCost;

/// Prices are quoted per one million tokens (HCFG-10).
const TOKENS_PER_PRICE_UNIT: f64 = 1_000_000.0;

/// Bedrock counts are `i32`; a negative count can only be a service bug, so it reads as zero
/// rather than wrapping into a huge `u64`.
fn count(value: i32) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

/// USE-01: the host usage for a `metadata.usage`, with its USE-02 cost at `cost`.
///
/// `cacheWrite1h` is the part of `cacheWriteInputTokens` written with a one-hour TTL (it is
/// priced differently), and `total_tokens` never undercounts the sum of its parts because some
/// models report a `totalTokens` without the cache tokens.
pub fn usage_from_sdk(usage: &TokenUsage, cost: &ModelCost) -> Usage {
    let input = count(usage.input_tokens());
    let output = count(usage.output_tokens());
    let cache_read = usage.cache_read_input_tokens().map(count).unwrap_or(0);
    let cache_write = usage.cache_write_input_tokens().map(count).unwrap_or(0);
    let cache_write_1h = usage
        .cache_details()
        .iter()
        .filter(|detail| is_one_hour(detail.ttl()))
        .map(|detail| count(detail.input_tokens()))
        .fold(0u64, u64::saturating_add);
    let parts = input
        .saturating_add(cache_read)
        .saturating_add(cache_write)
        .saturating_add(output);
    let mut result = Usage {
        input,
        output,
        cache_read,
        cache_write,
        cache_write_1h,
        total_tokens: count(usage.total_tokens()).max(parts),
        cost: Cost::default(),
    };
    result.cost = cost_of(&result, cost);
    result
}

/// Compares the wire value so a TTL this SDK does not model yet still counts when it is `1h`.
fn is_one_hour(ttl: &CacheTtl) -> bool {
    matches!(ttl, CacheTtl::OneHour) || ttl.as_str() == "1h"
}

/// USE-02: the USD cost of `usage` at `prices` (per million tokens).
///
/// One-hour cache writes are billed at twice the input price instead of the cache-write price,
/// so they are taken out of `cache_write` before pricing it.
pub fn cost_of(usage: &Usage, prices: &ModelCost) -> Cost {
    let per_token = |tokens: u64, price: f64| tokens as f64 * price / TOKENS_PER_PRICE_UNIT;
    let input = per_token(usage.input, prices.input);
    let output = per_token(usage.output, prices.output);
    let cache_read = per_token(usage.cache_read, prices.cache_read);
    let five_minute_writes = usage.cache_write.saturating_sub(usage.cache_write_1h);
    let cache_write = per_token(five_minute_writes, prices.cache_write)
        + per_token(usage.cache_write_1h, 2.0 * prices.input);
    Cost {
        input,
        output,
        cache_read,
        cache_write,
        total: input + output + cache_read + cache_write,
    }
}

#[cfg(test)]
mod tests {
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
    fn use_02_ex_a09_usage_and_cost_example() {
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
}
