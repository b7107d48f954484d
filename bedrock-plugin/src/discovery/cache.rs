//! The discovery cache (DISC-44..48, DISC-53): TTL entries, single flight, LRU of 32 keys.
//!
//! An in-flight run is shared through `futures::future::Shared`, but the cache only keeps a
//! *weak* handle to it: callers keep the run alive, so when every caller has gone the run is
//! dropped (cancelled, DISC-53) and the next caller starts a new one, while one remaining
//! caller keeps a shared run going for all.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::{BoxFuture, FutureExt, Shared, WeakShared};
use plugin_api::error::PluginError;
use plugin_api::model::ModelDefinition;

use crate::discovery::fetch::CallFailure;
use crate::discovery::profiles::ProfileCandidate;

/// DISC-48: at most this many keys are cached; the least recently used goes first.
pub const MAX_KEYS: usize = 32;

/// What one successful run produced (before the explicit-provider merge).
#[derive(Debug)]
pub struct RunOutput {
    pub models: Vec<ModelDefinition>,
    /// When the control plane answered (Unix ms).
    pub fetched_at_ms: u64,
    /// Set when ListInferenceProfiles failed: the run is still returned but never cached
    /// (DISC-47, DISC-50).
    pub profile_failure: Option<CallFailure>,
    /// The profile-choice candidates of this run (DISC-19a), for the request path.
    pub candidates: Vec<ProfileCandidate>,
}

/// A failed run: the error strict callers receive, and the detail non-strict callers log.
#[derive(Clone, Debug)]
pub struct RunFailure {
    pub error: PluginError,
    pub operation: &'static str,
    pub log_detail: String,
}

pub type RunResult = Result<Arc<RunOutput>, RunFailure>;
pub type RunFuture = BoxFuture<'static, RunResult>;
pub type SharedRun = Shared<RunFuture>;

enum Slot {
    InFlight {
        run_id: u64,
        run: WeakShared<RunFuture>,
    },
    Ready {
        output: Arc<RunOutput>,
        expires_at: Instant,
    },
}

struct Entry {
    slot: Slot,
    last_used: u64,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<u64, Entry>,
    tick: u64,
    next_run_id: u64,
}

/// The answer of a lookup.
pub enum Lookup {
    /// A fresh cached result.
    Hit(Arc<RunOutput>),
    /// A run to await (started now or already in flight).
    Run(SharedRun),
}

/// Per-instance discovery cache.
#[derive(Default)]
pub struct DiscoveryCache {
    inner: Mutex<Inner>,
}

impl DiscoveryCache {
    /// A fresh cached result for `key`, or the in-flight run, or a new run built by `start`
    /// (given its run id, which it passes back to [`DiscoveryCache::complete`]).
    /// `force_refresh` ignores a cached result but still joins a run in flight, which is
    /// fresh by definition.
    pub fn lookup(
        &self,
        key: u64,
        force_refresh: bool,
        start: impl FnOnce(u64) -> RunFuture,
    ) -> Lookup {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.tick += 1;
        let tick = inner.tick;
        let now = Instant::now();
        if let Some(entry) = inner.entries.get_mut(&key) {
            entry.last_used = tick;
            match &entry.slot {
                Slot::Ready { output, expires_at } if !force_refresh && *expires_at > now => {
                    return Lookup::Hit(output.clone());
                }
                Slot::InFlight { run, .. } => {
                    if let Some(shared) = run.upgrade() {
                        return Lookup::Run(shared);
                    }
                }
                Slot::Ready { .. } => {}
            }
            // Expired, bypassed, or an abandoned run: replaced below (DISC-48).
            inner.entries.remove(&key);
        }
        inner.next_run_id += 1;
        let run_id = inner.next_run_id;
        let shared = start(run_id).shared();
        if let Some(weak) = shared.downgrade() {
            if inner.entries.len() >= MAX_KEYS {
                if let Some(oldest) = inner
                    .entries
                    .iter()
                    .min_by_key(|(_, entry)| entry.last_used)
                    .map(|(key, _)| *key)
                {
                    inner.entries.remove(&oldest);
                }
            }
            inner.entries.insert(
                key,
                Entry {
                    slot: Slot::InFlight { run_id, run: weak },
                    last_used: tick,
                },
            );
        }
        Lookup::Run(shared)
    }

    /// Called by run `run_id` as it finishes: a complete success is cached for `ttl`;
    /// errors, partial results and `ttl == 0` remove the entry (DISC-45, DISC-47).
    pub fn complete(&self, key: u64, run_id: u64, result: &RunResult, ttl: Duration) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let ours = matches!(
            inner.entries.get(&key),
            Some(Entry { slot: Slot::InFlight { run_id: id, .. }, .. }) if *id == run_id
        );
        if !ours {
            return;
        }
        match result {
            Ok(output) if output.profile_failure.is_none() && !ttl.is_zero() => {
                if let Some(entry) = inner.entries.get_mut(&key) {
                    entry.slot = Slot::Ready {
                        output: output.clone(),
                        expires_at: Instant::now() + ttl,
                    };
                }
            }
            _ => {
                inner.entries.remove(&key);
            }
        }
    }

    /// Number of keys held (ready or in flight), for status.
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entries
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests;
