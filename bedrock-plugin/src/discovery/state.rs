//! The state discovery leaves behind in one plugin instance: the catalog cache (single
//! flight per settings key, DISC-44) and what status reports about the last run (DISC-52),
//! including the profile candidates the BR-03 self-heal chooses from.
//!
//! Kept apart from the runs themselves so the plugin state can own it without depending on
//! how discovery fetches and builds, and so status reads it without any I/O.

use std::sync::Mutex;

use plugin_api::status::DiscoveryFailure;

use crate::discovery::cache::{DiscoveryCache, RunResult};
use crate::discovery::explicit::now_ms;
use crate::discovery::profiles::ProfileCandidate;

/// What status reports about the last catalog (DISC-52).
#[derive(Clone, Debug, Default)]
pub struct Observed {
    /// `fetched_at_ms` and model count of the last catalog handed out by discovery.
    pub last_catalog: Option<(u64, usize)>,
    pub last_error: Option<DiscoveryFailure>,
    /// The profile-choice candidates of the last successful run (DISC-19a, BR-03).
    pub candidates: Vec<ProfileCandidate>,
    /// `(id, access)` of every model of the last successful run, hidden ones included
    /// (BR-80): replaced by each run, so bounded by one catalog.
    pub access: Vec<(String, String)>,
}

/// Discovery cache and last-error state of one plugin instance.
#[derive(Default)]
pub struct DiscoveryState {
    pub(crate) cache: DiscoveryCache,
    observed: Mutex<Observed>,
}

impl DiscoveryState {
    fn observed(&self) -> std::sync::MutexGuard<'_, Observed> {
        self.observed.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A copy of what status reports.
    pub fn observed_snapshot(&self) -> Observed {
        self.observed().clone()
    }

    /// DISC-52: the age and size of the catalog last handed out.
    pub(crate) fn record_catalog(&self, fetched_at_ms: u64, model_count: usize) {
        self.observed().last_catalog = Some((fetched_at_ms, model_count));
    }

    /// Profile-choice candidates (ACTIVE SYSTEM_DEFINED profiles) of the last successful
    /// discovery run, for the request path's use of [`crate::discovery::profiles::choose_profile`] (BR-03).
    pub fn profile_candidates(&self) -> Vec<ProfileCandidate> {
        self.observed().candidates.clone()
    }

    /// BR-84: `<available> available, <n> not available (<reason>: <count>, …), <unknown>
    /// unknown` over the models of the last successful run (reasons in first-seen order);
    /// `not checked (no discovery run yet)` before any (PLG-64).
    pub fn access_summary(&self) -> String {
        let observed = self.observed();
        if observed.last_catalog.is_none() {
            return "not checked (no discovery run yet)".to_owned();
        }
        let mut available = 0usize;
        let mut unknown = 0usize;
        let mut reasons: Vec<(&str, usize)> = Vec::new();
        for (_, access) in &observed.access {
            match access.as_str() {
                "available" => available += 1,
                "unknown" => unknown += 1,
                reason => match reasons.iter_mut().find(|(known, _)| *known == reason) {
                    Some((_, count)) => *count += 1,
                    None => reasons.push((reason, 1)),
                },
            }
        }
        let unavailable: usize = reasons.iter().map(|(_, count)| count).sum();
        let detail = if reasons.is_empty() {
            String::new()
        } else {
            let parts: Vec<String> = reasons
                .iter()
                .map(|(reason, count)| format!("{reason}: {count}"))
                .collect();
            format!(" ({})", parts.join(", "))
        };
        format!("{available} available, {unavailable} not available{detail}, {unknown} unknown")
    }

    /// BR-83/84: the access the last successful run found for `model_id` (case-insensitive),
    /// `unknown` when it listed no such model.
    pub fn model_access(&self, model_id: &str) -> String {
        self.observed()
            .access
            .iter()
            .find(|(id, _)| id.eq_ignore_ascii_case(model_id.trim()))
            .map_or_else(|| "unknown".to_owned(), |(_, access)| access.clone())
    }

    pub(crate) fn record_run(&self, result: &RunResult) {
        let mut observed = self.observed();
        match result {
            Ok(output) => {
                observed.candidates = output.candidates.clone();
                observed.access = output
                    .models
                    .iter()
                    .map(|model| {
                        (
                            model.id.to_string(),
                            model.access().unwrap_or("unknown").to_owned(),
                        )
                    })
                    .collect();
                observed.last_error =
                    output
                        .profile_failure
                        .as_ref()
                        .map(|failure| DiscoveryFailure {
                            at_ms: output.fetched_at_ms,
                            operation: failure.operation.into(),
                            message: failure.detail().into(),
                            status: failure.status.into(),
                        });
            }
            Err(failure) => {
                observed.last_error = Some(DiscoveryFailure {
                    at_ms: now_ms(),
                    operation: failure.operation.into(),
                    message: failure.log_detail.clone().into(),
                    status: failure.error.status,
                });
            }
        }
    }
}
