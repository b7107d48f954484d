//! Rendered vectors, kept per emulator instance. A vector is a pure function of (model, text,
//! dimension, normalisation) and its JSON form of the digits its family writes, and formatting
//! its numbers is most of what an embedding call costs the emulator (a Cohere v4 call of 96
//! texts: 147k numbers, about 31M instructions), all on the server's one runtime thread. Bodies
//! then copy the cached bytes, so a bench sending the same texts again measures the plugin
//! rather than the emulator's float formatting.
//!
//! Bounded both ways, least recently used out: at most [`MAX_ENTRIES`] vectors and
//! [`MAX_BYTES`] of rendered JSON (a 3,072-value Nova vector is about 60 kB).

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use bytes::Bytes;

use super::json::Writer;
use super::vector::{seed, seeded, Digits, Seed};

/// Upper bound on cached vectors.
pub(crate) const MAX_ENTRIES: usize = 4_096;
/// Upper bound on the cached bytes: room for 1,000 Cohere v4 or Titan v2 vectors of the
/// default dimension (about 19 kB and 21 kB each), the embedding benches' batch.
pub(crate) const MAX_BYTES: usize = 32 << 20;

/// A vector's JSON array (`[0.1,-0.2,…]`) by its seed, normalisation and digits.
pub(crate) struct VectorCache {
    lru: Mutex<Lru>,
}

type Key = (Seed, bool, Digits);

struct Lru {
    max_entries: usize,
    max_bytes: usize,
    bytes: usize,
    /// The rendered JSON and the tick of its last use.
    entries: HashMap<Key, (Bytes, u64)>,
    /// Last-use tick → key, oldest first.
    order: BTreeMap<u64, Key>,
    tick: u64,
}

impl Default for VectorCache {
    fn default() -> Self {
        Self::with_bounds(MAX_ENTRIES, MAX_BYTES)
    }
}

impl VectorCache {
    pub(crate) fn with_bounds(max_entries: usize, max_bytes: usize) -> Self {
        Self {
            lru: Mutex::new(Lru {
                max_entries,
                max_bytes,
                bytes: 0,
                entries: HashMap::new(),
                order: BTreeMap::new(),
                tick: 0,
            }),
        }
    }

    /// The JSON array of the vector of `model`, `text` and `dims`, rendered on the first use.
    /// The lock is not held while rendering; a poisoned lock only loses the caching.
    pub(super) fn rendered(
        &self,
        model: &str,
        text: &str,
        dims: usize,
        normalize: bool,
        digits: Digits,
    ) -> Bytes {
        let seed = seed(model, text, dims);
        let key = (seed, normalize, digits);
        if let Some(json) = self.lru.lock().ok().and_then(|mut lru| lru.get(&key)) {
            return json;
        }
        let mut w = Writer::with_capacity(dims.saturating_mul(24).saturating_add(2));
        w.floats(&seeded(&seed, dims, normalize), digits);
        let json = Bytes::from(w.into_bytes());
        if let Ok(mut lru) = self.lru.lock() {
            lru.insert(key, json.clone());
        }
        json
    }

    /// Whether the vector is cached (without counting as a use).
    #[cfg(test)]
    fn holds(&self, model: &str, text: &str, dims: usize, normalize: bool, digits: Digits) -> bool {
        let key = (seed(model, text, dims), normalize, digits);
        self.lru
            .lock()
            .map(|lru| lru.entries.contains_key(&key))
            .unwrap_or_default()
    }

    #[cfg(test)]
    fn len_and_bytes(&self) -> (usize, usize) {
        self.lru
            .lock()
            .map(|lru| (lru.entries.len(), lru.bytes))
            .unwrap_or_default()
    }
}

impl Lru {
    fn next_tick(&mut self) -> u64 {
        self.tick = self.tick.wrapping_add(1);
        self.tick
    }

    fn get(&mut self, key: &Key) -> Option<Bytes> {
        let tick = self.next_tick();
        let (json, used) = self.entries.get_mut(key)?;
        self.order.remove(used);
        *used = tick;
        self.order.insert(tick, *key);
        Some(json.clone())
    }

    /// Keep `json` under `key`, dropping the least recently used until both bounds hold; a
    /// vector larger than the whole byte bound is not kept.
    fn insert(&mut self, key: Key, json: Bytes) {
        if json.len() > self.max_bytes || self.max_entries == 0 || self.entries.contains_key(&key) {
            return;
        }
        while self.entries.len() >= self.max_entries
            || self.bytes.saturating_add(json.len()) > self.max_bytes
        {
            let Some((_, oldest)) = self.order.pop_first() else {
                break;
            };
            if let Some((gone, _)) = self.entries.remove(&oldest) {
                self.bytes = self.bytes.saturating_sub(gone.len());
            }
        }
        let tick = self.next_tick();
        self.bytes = self.bytes.saturating_add(json.len());
        self.order.insert(tick, key);
        self.entries.insert(key, (json, tick));
    }
}
