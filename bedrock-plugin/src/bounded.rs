//! Small bounded memories for per-instance state.
//!
//! An instance lives as long as the host keeps it, and a host may send requests for any number
//! of model ids, ARNs and regions, so nothing it learns or remembers may grow without limit.
//! [`BoundedMap`] keeps at most `capacity` entries and evicts the least recently used one;
//! [`WarnOnce`] builds the "log this warning once" sets on it.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

/// A map with at most `capacity` entries; inserting into a full map evicts the entry that was
/// read or written longest ago (LRU).
#[derive(Debug)]
pub struct BoundedMap<K, V> {
    capacity: usize,
    /// Value and the tick of its last use.
    entries: HashMap<K, (V, u64)>,
    tick: u64,
}

impl<K: Eq + Hash + Clone, V> BoundedMap<K, V> {
    /// A map holding at most `capacity` entries (at least one).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            entries: HashMap::new(),
            tick: 0,
        }
    }

    fn next_tick(&mut self) -> u64 {
        self.tick += 1;
        self.tick
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The value for `key`, marking it used.
    pub fn get(&mut self, key: &K) -> Option<&V> {
        let tick = self.next_tick();
        self.entries.get_mut(key).map(|(value, used)| {
            *used = tick;
            &*value
        })
    }

    /// Whether `key` is present (does not count as a use).
    pub fn contains(&self, key: &K) -> bool {
        self.entries.contains_key(key)
    }

    /// The value for `key`, inserted with `default` (evicting the least recently used entry
    /// when full) if absent; marked used either way.
    pub fn entry_or_insert_with(&mut self, key: K, default: impl FnOnce() -> V) -> &mut V {
        let tick = self.next_tick();
        if !self.entries.contains_key(&key) && self.entries.len() >= self.capacity {
            self.evict_oldest();
        }
        let (value, used) = self.entries.entry(key).or_insert_with(|| (default(), tick));
        *used = tick;
        value
    }

    /// The value for `key` for updating in place, marking it used.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let tick = self.next_tick();
        self.entries.get_mut(key).map(|(value, used)| {
            *used = tick;
            value
        })
    }

    /// Inserts or replaces the value for `key` (evicting the least recently used entry when
    /// full and `key` is new), marking it used.
    pub fn insert(&mut self, key: K, value: V) {
        let tick = self.next_tick();
        if !self.entries.contains_key(&key) && self.entries.len() >= self.capacity {
            self.evict_oldest();
        }
        self.entries.insert(key, (value, tick));
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        self.entries.remove(key).map(|(value, _)| value)
    }

    fn evict_oldest(&mut self) {
        let oldest = self
            .entries
            .iter()
            .min_by_key(|(_, (_, used))| *used)
            .map(|(key, _)| key.clone());
        if let Some(key) = oldest {
            self.entries.remove(&key);
        }
    }
}

/// Most distinct warnings one instance remembers having logged.
pub const WARN_ONCE_CAPACITY: usize = 1024;

/// Remembers which warnings were already logged, so each is logged once per instance (a
/// warning evicted from the bounded memory may be logged again, which is the safe direction).
#[derive(Debug)]
pub struct WarnOnce {
    seen: Mutex<BoundedMap<String, ()>>,
}

impl Default for WarnOnce {
    fn default() -> Self {
        Self::with_capacity(WARN_ONCE_CAPACITY)
    }
}

impl WarnOnce {
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            seen: Mutex::new(BoundedMap::new(capacity)),
        }
    }

    /// True the first time `key` is offered (then the caller logs), false afterwards.
    pub fn first(&self, key: &str) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let key = key.to_owned();
        if seen.contains(&key) {
            seen.get(&key);
            return false;
        }
        seen.entry_or_insert_with(key, || ());
        true
    }

    /// How many warnings are remembered (for tests of the bound).
    pub fn len(&self) -> usize {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests;
