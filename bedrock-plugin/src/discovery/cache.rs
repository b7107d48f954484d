//! The discovery cache (DISC-44..48, DISC-53): TTL entries, single flight, LRU of 32 keys.
//!
//! The mechanism is [`crate::single_flight`] (shared with the application-profile lookups):
//! callers keep a run alive, so when every caller has gone the run is dropped (cancelled,
//! DISC-53) and the next caller starts a new one. This module decides what a run's result is
//! kept for: a complete success for the refresh interval.

use std::sync::Arc;
use std::time::{Duration, Instant};

use plugin_api::error::PluginError;
use plugin_api::model::ModelDefinition;

use crate::discovery::fetch::CallFailure;
use crate::discovery::profiles::ProfileCandidate;
use crate::single_flight::{self, Flight, SharedFlight, SingleFlight};

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
    /// False when the access checks were denied or did not all answer (BR-82, PLG-61).
    pub access_cacheable: bool,
    /// The BR-85 sources that failed (each already logged); such a run is not cached.
    pub source_failures: Vec<CallFailure>,
}

impl RunOutput {
    /// DISC-47, BR-82, BR-85: only a run that got every answer it asked for is cached.
    pub fn complete(&self) -> bool {
        self.profile_failure.is_none() && self.access_cacheable && self.source_failures.is_empty()
    }
}

/// A failed run: the error strict callers receive, and the detail non-strict callers log.
#[derive(Clone, Debug)]
pub struct RunFailure {
    pub error: PluginError,
    pub operation: &'static str,
    pub log_detail: String,
}

pub type RunResult = Result<Arc<RunOutput>, RunFailure>;
pub type RunFuture = Flight<RunOutput, RunFailure>;
pub type SharedRun = SharedFlight<RunOutput, RunFailure>;
/// The answer of a lookup: a fresh cached result, or a run to await.
pub type Lookup = single_flight::Lookup<RunOutput, RunFailure>;

/// Per-instance discovery cache.
pub struct DiscoveryCache {
    flights: SingleFlight<u64, RunOutput, RunFailure>,
}

impl Default for DiscoveryCache {
    fn default() -> Self {
        Self {
            flights: SingleFlight::new(MAX_KEYS),
        }
    }
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
        self.flights.lookup(key, force_refresh, start)
    }

    /// Called by run `run_id` as it finishes: a complete success is cached for `ttl`;
    /// errors, partial results and `ttl == 0` remove the entry (DISC-45, DISC-47). A TTL too
    /// large to add to the clock never expires.
    pub fn complete(&self, key: u64, run_id: u64, result: &RunResult, ttl: Duration) {
        let keep = match result {
            Ok(output) if output.complete() && !ttl.is_zero() => {
                Some((output.clone(), Instant::now().checked_add(ttl)))
            }
            _ => None,
        };
        self.flights.complete(&key, run_id, keep);
    }

    /// Number of keys held (ready or in flight), for status.
    pub fn len(&self) -> usize {
        self.flights.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests;
