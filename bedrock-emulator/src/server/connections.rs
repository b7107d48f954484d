//! The client connections the listener has accepted and which of them are still open, so a test
//! can check that a client releases what it opened (NET-07: a dropped stream, a finished or
//! failed call, a cancelled one) instead of inferring it from process-wide socket counts.
//!
//! A connection counts as open from `accept` until its task has dropped the socket, so "open"
//! is what the emulator still holds, whichever side closed first.

#[cfg(test)]
mod tests;

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The counts, behind one lock so `open` and `accepted` are read together.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ConnectionCounts {
    /// Connections accepted and not closed yet.
    pub(crate) open: usize,
    /// Every connection accepted since the emulator started.
    pub(crate) accepted: u64,
}

/// The shared counter; the handle waits on its condition variable instead of sleeping.
#[derive(Default)]
pub(crate) struct Connections {
    counts: Mutex<ConnectionCounts>,
    changed: Condvar,
}

impl Connections {
    fn lock(&self) -> MutexGuard<'_, ConnectionCounts> {
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The counts now.
    pub(crate) fn counts(&self) -> ConnectionCounts {
        *self.lock()
    }

    /// Counts one accepted connection as open until the returned guard is dropped (the
    /// connection task holds it, so a task that ends any way, even aborted at shutdown,
    /// closes its count).
    pub(crate) fn accepted(self: &std::sync::Arc<Self>) -> OpenConnection {
        {
            let mut counts = self.lock();
            counts.open = counts.open.saturating_add(1);
            counts.accepted = counts.accepted.saturating_add(1);
        }
        self.changed.notify_all();
        OpenConnection {
            connections: self.clone(),
        }
    }

    /// Waits until `done` holds for the counts, or `timeout` passes (a hang guard); returns the
    /// counts last seen either way.
    pub(crate) fn wait_until(
        &self,
        timeout: Duration,
        mut done: impl FnMut(ConnectionCounts) -> bool,
    ) -> ConnectionCounts {
        let deadline = Instant::now().checked_add(timeout);
        let mut counts = self.lock();
        loop {
            if done(*counts) {
                return *counts;
            }
            let now = Instant::now();
            let remaining = match deadline {
                Some(deadline) if deadline > now => deadline - now,
                Some(_) => return *counts,
                None => Duration::from_secs(3600),
            };
            counts = match self.changed.wait_timeout(counts, remaining) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }
}

/// One open connection's share of [`Connections`].
pub(crate) struct OpenConnection {
    connections: std::sync::Arc<Connections>,
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        {
            let mut counts = self.connections.lock();
            counts.open = counts.open.saturating_sub(1);
        }
        self.connections.changed.notify_all();
    }
}
