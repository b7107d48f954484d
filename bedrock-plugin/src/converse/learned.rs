//! What self-heal learned about models (BR-01..BR-05, BR-15, BR-96 memory), per plugin
//! instance.
//!
//! A correction learned for one account (say, an inference profile that account can use in a
//! region) says nothing about another account, so the memory belongs to the instance that
//! learned it, never to the process; and since a host may send any number of model ids, it is
//! bounded ([`LEARNED_CAPACITY`] model ids, least recently used evicted first).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::bounded::BoundedMap;

/// Most model ids one instance remembers corrections for.
pub const LEARNED_CAPACITY: usize = 256;

/// What one instance learned about one model id (BR-01..BR-05 memory).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Learned {
    pub no_sampling: bool,
    pub no_top_p: bool,
    /// BR-05: the largest maxTokens the model accepted after a clamp.
    pub max_tokens: Option<i32>,
    /// BR-03/BR-04: the inference profile to send instead, per region.
    pub profiles: HashMap<String, String>,
    /// BR-96: user turns holding tool results are sent separated from their other content.
    pub separate_tool_results: bool,
    /// BR-95: the model rejects tools on ConverseStream; requests with tools use Converse.
    pub converse_for_tools: bool,
    /// BR-15: a throttle failover to a cross-region profile, per region, until it expires.
    pub failovers: HashMap<String, Failover>,
}

/// BR-15: where throttled requests of a model go, and until when.
#[derive(Clone, Debug, PartialEq)]
pub struct Failover {
    pub profile: String,
    /// On the tokio clock, so tests can expire it on a paused clock.
    pub until: tokio::time::Instant,
}

impl Learned {
    /// The remembered failover profile for `region`, while it has not expired.
    pub fn failover_in(&self, region: &str) -> Option<&str> {
        self.failovers
            .get(region)
            .filter(|failover| tokio::time::Instant::now() < failover.until)
            .map(|failover| failover.profile.as_str())
    }
}

/// The learned corrections of one plugin instance, by requested model id.
#[derive(Debug)]
pub struct LearnedCorrections {
    by_model: Mutex<BoundedMap<String, Learned>>,
}

impl Default for LearnedCorrections {
    fn default() -> Self {
        Self::with_capacity(LEARNED_CAPACITY)
    }
}

impl LearnedCorrections {
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            by_model: Mutex::new(BoundedMap::new(capacity)),
        }
    }

    /// A copy of what is known about `model_id`.
    pub fn get(&self, model_id: &str) -> Learned {
        self.by_model
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&model_id.to_owned())
            .cloned()
            .unwrap_or_default()
    }

    /// Records a learned constraint for `model_id`.
    pub fn learn(&self, model_id: &str, update: impl FnOnce(&mut Learned)) {
        let mut memory = self
            .by_model
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        update(memory.entry_or_insert_with(model_id.to_owned(), Learned::default));
    }

    /// How many model ids have corrections.
    pub fn len(&self) -> usize {
        self.by_model
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests;
