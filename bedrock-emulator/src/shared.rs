//! The state the [`Emulator`](crate::Emulator) handle and the server tasks share.
//!
//! The handle lives on the caller's thread and the server on its own runtime thread, so everything here
//! is behind a lock (or atomic); the outcome map has a condition variable so a caller can wait for a
//! stream to end without polling.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::catalog::account::Account;
use crate::catalog::Catalog;
use crate::config::Credentials;
use crate::embeddings::VectorCache;
use crate::faults::ActiveRule;
use crate::policy::AccessPolicy;
use crate::prompt_cache::PromptCache;
use crate::record::{RecordedRequest, StreamOutcome};

/// Guardrail ids every emulator knows (the ids the project's tests use).
pub(crate) const BUILTIN_GUARDRAILS: [&str; 2] = ["abc123", "gr1"];

/// State shared between the handle and the server tasks.
pub(crate) struct Shared {
    pub(crate) credentials: Credentials,
    pub(crate) latency: Option<Duration>,
    pub(crate) catalog: Catalog,
    /// Per-model access and the account's resources (BR-80, BR-85).
    pub(crate) account: Mutex<Account>,
    pub(crate) next_id: AtomicU64,
    pub(crate) records: Mutex<Vec<RecordedRequest>>,
    pub(crate) faults: Mutex<Vec<ActiveRule>>,
    pub(crate) replays: Mutex<HashMap<String, Arc<Vec<bytes::Bytes>>>>,
    pub(crate) outcomes: Mutex<HashMap<u64, StreamOutcome>>,
    pub(crate) outcome_cv: Condvar,
    pub(crate) prompt_cache: Mutex<PromptCache>,
    /// Embedding vectors already rendered as JSON (bounded, see [`VectorCache`]).
    pub(crate) embedding_vectors: VectorCache,
    pub(crate) policy: Mutex<AccessPolicy>,
    /// Guardrail ids ApplyGuardrail knows (see [`BUILTIN_GUARDRAILS`]).
    pub(crate) guardrails: Mutex<HashSet<String>>,
    pub(crate) started: Instant,
}

impl Shared {
    /// Fresh state: no records, rules, replays, outcomes, denials or cached prompt prefixes; the
    /// built-in guardrails; ids start at 1.
    pub(crate) fn new(
        credentials: Credentials,
        latency: Option<Duration>,
        catalog: Catalog,
    ) -> Self {
        Shared {
            credentials,
            latency,
            catalog,
            account: Mutex::new(Account::builtin()),
            next_id: AtomicU64::new(1),
            records: Mutex::new(Vec::new()),
            faults: Mutex::new(Vec::new()),
            replays: Mutex::new(HashMap::new()),
            outcomes: Mutex::new(HashMap::new()),
            outcome_cv: Condvar::new(),
            prompt_cache: Mutex::new(PromptCache::default()),
            embedding_vectors: VectorCache::default(),
            policy: Mutex::new(AccessPolicy::default()),
            guardrails: Mutex::new(BUILTIN_GUARDRAILS.iter().map(|g| g.to_string()).collect()),
            started: Instant::now(),
        }
    }

    /// The id of the next request (also its record's `id`).
    pub(crate) fn next_request_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Record how stream `id` ended (the first outcome wins) and wake waiters.
    pub(crate) fn set_outcome(&self, id: u64, outcome: StreamOutcome) {
        if let Ok(mut map) = self.outcomes.lock() {
            map.entry(id).or_insert(outcome);
        }
        self.outcome_cv.notify_all();
    }
}
