//! The emulator's prompt cache: which cached prefixes exist, until when.
//!
//! An entry is the SHA-256 of (model, caller, the request's blocks up to one cache point) and lives
//! for its cache point's TTL (`5m` by default, `1h` with `ttl: "1h"`), refreshed on every hit as
//! Bedrock refreshes a read prefix. Time is the emulator's uptime plus an offset that
//! [`Emulator::advance_prompt_cache_clock`](crate::Emulator::advance_prompt_cache_clock) moves, so
//! tests can expire entries without waiting. At most [`MAX_ENTRIES`] entries are kept: when full, the
//! expired ones go first, then the one closest to expiry.

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::time::Duration;

/// Upper bound on live entries.
pub(crate) const MAX_ENTRIES: usize = 10_000;
pub(crate) const TTL_SHORT: Duration = Duration::from_secs(5 * 60);
pub(crate) const TTL_LONG: Duration = Duration::from_secs(60 * 60);

/// Entry key: SHA-256 of model, caller and prefix.
pub(crate) type Key = [u8; 32];

/// Cached prefixes and their expiry times (on the cache clock).
#[derive(Default)]
pub(crate) struct PromptCache {
    entries: HashMap<Key, Duration>,
    offset: Duration,
}

impl PromptCache {
    /// The cache clock at emulator uptime `uptime`.
    pub(crate) fn now(&self, uptime: Duration) -> Duration {
        uptime + self.offset
    }

    /// Move the cache clock forward.
    pub(crate) fn advance(&mut self, by: Duration) {
        self.offset += by;
    }

    /// Whether `key` is cached and unexpired at `now`.
    pub(crate) fn hit(&self, key: &Key, now: Duration) -> bool {
        self.entries.get(key).is_some_and(|&exp| exp > now)
    }

    /// Cache (or refresh) `key` until `now + ttl`, keeping the bound.
    pub(crate) fn store(&mut self, key: Key, now: Duration, ttl: Duration) {
        let expiry = now + ttl;
        if let Some(e) = self.entries.get_mut(&key) {
            *e = (*e).max(expiry);
            return;
        }
        if self.entries.len() >= MAX_ENTRIES {
            self.entries.retain(|_, exp| *exp > now);
        }
        if self.entries.len() >= MAX_ENTRIES {
            if let Some(k) = self
                .entries
                .iter()
                .min_by_key(|(_, exp)| **exp)
                .map(|(k, _)| *k)
            {
                self.entries.remove(&k);
            }
        }
        self.entries.insert(key, expiry);
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}
