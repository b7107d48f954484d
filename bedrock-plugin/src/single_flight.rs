//! Single flight over a bounded cache: concurrent callers for one key share one run, a result
//! the owner decides to keep is served from memory afterwards, anything else is forgotten.
//!
//! Discovery runs (DISC-44..48, DISC-53) and application-profile lookups (TEMP-04) both need
//! exactly this, so it lives here once. An in-flight run is shared through
//! `futures::future::Shared`, but the cache only keeps a *weak* handle to it: callers keep the
//! run alive, so when every caller has gone the run is dropped (cancelled) and the next caller
//! starts a new one, while one remaining caller keeps a shared run going for all. Keys are held
//! in a [`BoundedMap`], so an instance never remembers more than its capacity.

use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use futures::future::{BoxFuture, FutureExt, Shared, WeakShared};

use crate::bounded::BoundedMap;

#[cfg(test)]
mod tests;

/// One run: its result is shared by every caller that joined it.
pub type Flight<T, E> = BoxFuture<'static, Result<Arc<T>, E>>;
/// A run callers await (started now or already in flight).
pub type SharedFlight<T, E> = Shared<Flight<T, E>>;

/// The answer of [`SingleFlight::lookup`].
pub enum Lookup<T, E> {
    /// A fresh kept result.
    Hit(Arc<T>),
    /// A run to await.
    Run(SharedFlight<T, E>),
}

enum Slot<T, E> {
    InFlight {
        run_id: u64,
        run: WeakShared<Flight<T, E>>,
    },
    Ready {
        output: Arc<T>,
        /// `None`: kept until evicted.
        expires_at: Option<Instant>,
    },
}

struct Inner<K, T, E> {
    entries: BoundedMap<K, Slot<T, E>>,
    next_run_id: u64,
}

/// A bounded single-flight cache (see the module docs).
pub struct SingleFlight<K, T, E> {
    inner: Mutex<Inner<K, T, E>>,
}

impl<K, T, E> SingleFlight<K, T, E>
where
    K: Eq + Hash + Clone,
    E: Clone,
{
    /// A cache holding at most `capacity` keys (ready or in flight; least recently used first
    /// out).
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Inner {
                entries: BoundedMap::new(capacity),
                next_run_id: 0,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner<K, T, E>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The fresh kept result for `key`, without starting anything.
    pub fn cached(&self, key: &K) -> Option<Arc<T>> {
        let now = Instant::now();
        match self.lock().entries.get(key) {
            Some(Slot::Ready { output, expires_at }) if expires_at.is_none_or(|at| at > now) => {
                Some(output.clone())
            }
            _ => None,
        }
    }

    /// A fresh kept result for `key`, or the in-flight run, or a new run built by `start`
    /// (given its run id, which the run passes back to [`SingleFlight::complete`]).
    /// `force_refresh` ignores a kept result but still joins a run in flight, which is fresh by
    /// definition.
    pub fn lookup(
        &self,
        key: K,
        force_refresh: bool,
        start: impl FnOnce(u64) -> Flight<T, E>,
    ) -> Lookup<T, E> {
        let mut inner = self.lock();
        let now = Instant::now();
        match inner.entries.get(&key) {
            Some(Slot::Ready { output, expires_at })
                if !force_refresh && expires_at.is_none_or(|at| at > now) =>
            {
                return Lookup::Hit(output.clone());
            }
            Some(Slot::InFlight { run, .. }) => {
                if let Some(shared) = run.upgrade() {
                    return Lookup::Run(shared);
                }
            }
            _ => {}
        }
        // Absent, expired, bypassed, or an abandoned run: replaced below.
        inner.entries.remove(&key);
        inner.next_run_id = inner.next_run_id.wrapping_add(1);
        let run_id = inner.next_run_id;
        let shared = start(run_id).shared();
        if let Some(weak) = shared.downgrade() {
            inner
                .entries
                .insert(key, Slot::InFlight { run_id, run: weak });
        }
        Lookup::Run(shared)
    }

    /// Called by run `run_id` as it finishes: `keep` is the result to serve until the given
    /// expiry (`None` = until evicted); `None` forgets the key so the next caller runs again.
    /// A run that was replaced meanwhile changes nothing.
    pub fn complete(&self, key: &K, run_id: u64, keep: Option<(Arc<T>, Option<Instant>)>) {
        let mut inner = self.lock();
        let ours = matches!(
            inner.entries.get_mut(key),
            Some(Slot::InFlight { run_id: id, .. }) if *id == run_id
        );
        if !ours {
            return;
        }
        match keep {
            Some((output, expires_at)) => {
                inner
                    .entries
                    .insert(key.clone(), Slot::Ready { output, expires_at });
            }
            None => {
                inner.entries.remove(key);
            }
        }
    }

    /// Number of keys held (ready or in flight).
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
