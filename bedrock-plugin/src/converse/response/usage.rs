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

/// USE-01: the `contextUsage` of a reported usage: every prompt token (uncached, read from
/// and written to the cache) and the total, as the JSON object the summary carries.
pub fn context_usage(usage: &Usage) -> serde_json::Value {
    let prompt_tokens = usage
        .input
        .saturating_add(usage.cache_read)
        .saturating_add(usage.cache_write);
    serde_json::json!({
        "state": "available",
        "promptTokens": prompt_tokens,
        "totalTokens": usage.total_tokens,
    })
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
mod tests;
