//! The `usage` object, including prompt caching: the first request with a given (model, cached
//! prefix) writes the cache, later ones read it, as Anthropic reports it. The prefixes seen live in
//! [`Shared`] so caching spans requests the way a real cache does.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::request::{cached_prefix, input_words};
use crate::shared::Shared;

/// Cached-prefix accounting for one request.
struct Cache {
    /// Words in the cached prefix (excluded from `inputTokens`).
    words: usize,
    read: usize,
    write: usize,
}

/// Look the request's cached prefix up (and remember it) for `model_id`.
fn prompt_cache(shared: &Shared, model_id: &str, req: &Value) -> Option<Cache> {
    let (words, prefix) = cached_prefix(req)?;
    let mut h = Sha256::new();
    h.update(model_id.as_bytes());
    h.update([0]);
    h.update(&prefix);
    let key: [u8; 32] = h.finalize().into();
    let seen = shared
        .cache_prefixes
        .lock()
        .map(|mut s| !s.insert(key))
        .unwrap_or(false);
    Some(if seen {
        Cache {
            words,
            read: words,
            write: 0,
        }
    } else {
        Cache {
            words,
            read: 0,
            write: words,
        }
    })
}

/// The usage object for a reply of `output_tokens` to `req` on `model_id`.
pub(super) fn usage(shared: &Shared, model_id: &str, req: &Value, output_tokens: usize) -> Value {
    let cache = prompt_cache(shared, model_id, req);
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
    usage.insert("serverToolUsage".into(), json!({}));
    Value::Object(usage)
}
