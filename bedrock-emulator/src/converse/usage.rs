//! The `usage` object, including prompt caching as Bedrock reports it for Claude: each cache point
//! closes a prefix (tools, system, messages, in that order) that is cached for the point's TTL. A
//! request reads the longest prefix still cached (`cacheReadInputTokens`), writes the words from
//! there to its last cache point (`cacheWriteInputTokens`), and pays `inputTokens` for the rest
//! after the last point; `cacheDetails` splits the writes by TTL (the words between two points take
//! the TTL of the point that closes them). Prefixes are kept per (model, caller) in the shared
//! [`PromptCache`].
//!
//! [`PromptCache`]: crate::prompt_cache::PromptCache

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::request::{block_words, input_words, prefix_blocks};
use crate::prompt_cache::{Key, TTL_LONG, TTL_SHORT};
use crate::shared::Shared;

/// One cache point: the words before it, its prefix key and its TTL.
struct Point {
    words: usize,
    key: Key,
    ttl: std::time::Duration,
}

/// The request's cache points, each with the prefix it closes.
fn cache_points(model_id: &str, caller: &str, req: &Value) -> Vec<Point> {
    let mut h = Sha256::new();
    for part in [model_id, caller] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    let mut words = 0;
    let mut points = Vec::new();
    for block in prefix_blocks(req) {
        match block.get("cachePoint") {
            Some(cp) => points.push(Point {
                words,
                key: h.clone().finalize().into(),
                ttl: match cp.get("ttl").and_then(Value::as_str) {
                    Some("1h") => TTL_LONG,
                    _ => TTL_SHORT,
                },
            }),
            None => {
                h.update(block.to_string().as_bytes());
                h.update([0]);
                words += block_words(block);
            }
        }
    }
    points
}

/// Cached-prefix accounting for one request.
struct Cache {
    /// Words up to the last cache point (excluded from `inputTokens`).
    words: usize,
    read: usize,
    write: usize,
    /// Words written per TTL: (1 h, 5 min).
    write_long: usize,
    write_short: usize,
}

impl Cache {
    /// `cacheDetails`: the writes by TTL, 1 h before 5 min, entries with no tokens left out.
    fn details(&self) -> Value {
        let entries = [("1h", self.write_long), ("5m", self.write_short)];
        Value::Array(
            entries
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(ttl, n)| json!({"ttl": ttl, "inputTokens": n}))
                .collect(),
        )
    }
}

/// Read the longest cached prefix, then (re)store every prefix of the request.
fn prompt_cache(shared: &Shared, model_id: &str, caller: &str, req: &Value) -> Option<Cache> {
    let points = cache_points(model_id, caller, req);
    let last = points.last()?.words;
    let uptime = shared.started.elapsed();
    let mut cache = shared.prompt_cache.lock().ok()?;
    let now = cache.now(uptime);
    let read = points
        .iter()
        .rev()
        .find(|p| cache.hit(&p.key, now))
        .map_or(0, |p| p.words);
    for p in &points {
        cache.store(p.key, now, p.ttl);
    }
    // The words between two points are written with the TTL of the point that closes them.
    let (mut write_long, mut write_short, mut start) = (0, 0, 0);
    for p in &points {
        let written = p.words.saturating_sub(start.max(read));
        start = p.words;
        if p.ttl == TTL_LONG {
            write_long += written;
        } else {
            write_short += written;
        }
    }
    Some(Cache {
        words: last,
        read,
        write: last - read,
        write_long,
        write_short,
    })
}

/// The usage object for a reply of `output_tokens` to `req` on `model_id` by `caller`.
pub(super) fn usage(
    shared: &Shared,
    model_id: &str,
    caller: &str,
    req: &Value,
    output_tokens: usize,
) -> Value {
    let cache = prompt_cache(shared, model_id, caller, req);
    let input_tokens = input_words(req).saturating_sub(cache.as_ref().map_or(0, |c| c.words));
    let (read, write) = cache.as_ref().map_or((0, 0), |c| (c.read, c.write));
    let mut usage = Map::new();
    usage.insert("inputTokens".into(), json!(input_tokens));
    usage.insert("outputTokens".into(), json!(output_tokens));
    usage.insert(
        "totalTokens".into(),
        json!(input_tokens + output_tokens + read + write),
    );
    if cache.is_some() {
        usage.insert("cacheReadInputTokens".into(), json!(read));
        usage.insert("cacheReadInputTokenCount".into(), json!(read));
        usage.insert("cacheWriteInputTokens".into(), json!(write));
        usage.insert("cacheWriteInputTokenCount".into(), json!(write));
    }
    if let Some(c) = &cache {
        usage.insert("cacheDetails".into(), c.details());
    }
    usage.insert("serverToolUsage".into(), json!({}));
    Value::Object(usage)
}
