//! BR-15 throttle failover: which cross-region profile a throttled on-demand request moves
//! to, and the per-instance memory of that move.
//!
//! A busy region throttles an on-demand model while a cross-region profile of the same model
//! would serve the request at once; waiting out the whole backoff and then failing helps
//! nobody. The choice reuses DISC-19a's profile preference (the regional group first, then
//! `global.`, each only where `awsUseCrossRegionInference` / `awsUseGlobalInference` allow).

use std::time::Duration;

use crate::converse::driver::read::deadline_after;
use crate::converse::learned::{Failover, LearnedCorrections};
use crate::converse::retry::ChooseProfile;
use crate::models::prefixes;

/// The profile the next attempt of `requested` should use, or `None` when failover does not
/// apply: memory zero (disabled), the send already left the on-demand id (a profile, an ARN,
/// a previous failover or self-heal), or no allowed profile exists.
pub(crate) async fn target(
    current: &str,
    requested: &str,
    region: &str,
    memory: Duration,
    profiles: Option<&dyn ChooseProfile>,
) -> Option<String> {
    if memory.is_zero() || current != requested || !is_on_demand_id(requested) {
        return None;
    }
    let profile = profiles?.choose(requested, region).await?;
    (profile != requested).then_some(profile)
}

/// BR-15: an on-demand model id has no region prefix and is not an ARN.
pub(crate) fn is_on_demand_id(id: &str) -> bool {
    !id.starts_with("arn:") && prefixes::region_prefix_len(id).is_none()
}

/// Remembers the failover of `requested` in `region` for `memory`; later requests go to the
/// profile until then, and try on-demand again afterwards (see `retry::apply_learned`).
pub(crate) fn remember(
    learned: &LearnedCorrections,
    requested: &str,
    region: &str,
    profile: &str,
    memory: Duration,
) {
    let failover = Failover {
        profile: profile.to_owned(),
        until: deadline_after(memory),
    };
    let region = region.to_owned();
    learned.learn(requested, move |known| {
        known.failovers.insert(region, failover);
    });
}
