//! What a model id says about prompt caching (CACHE-01, the CACHE-20 name heuristic): a
//! model fact, parsed once per request into `ModelTraits::caching`. The request-side rules
//! (retention, placement, limits) live in `converse::request::cache`.

use std::sync::LazyLock;

use regex_lite::Regex;

use crate::models::prefixes::strip_region_prefix;

/// CACHE-01: the ARN prefixes removed before the id rules (application profiles excluded).
static MODEL_ARN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^arn:aws(?:-cn|-us-gov)?:bedrock:[^:]*:[^:]*:(?:foundation-model|inference-profile)/",
    )
    .expect("constant pattern compiles")
});

/// CACHE-20: an application inference profile ARN; the rest is the profile's name part.
static APPLICATION_PROFILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^arn:aws(?:-cn|-us-gov)?:bedrock:.*:application-inference-profile/")
        .expect("constant pattern compiles")
});

/// CACHE-01: the Nova models with prompt caching.
static NOVA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^amazon\.nova-(?:micro|lite|pro|premier|2-lite)-v1:0$")
        .expect("constant pattern compiles")
});

/// CACHE-01: Claude ids (dots normalised to dashes) that may use the one-hour TTL.
static CLAUDE_LONG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^claude-(?:haiku-(?:4-5|5-5)|sonnet-(?:4-[56]|5(?:-5)?)|opus-(?:4-[5-8]|5(?:-5)?)|(?:fable|mythos)-5(?:-1)?)(?:$|-v\d|-\d{8}(?:-|$))",
    )
    .expect("constant pattern compiles")
});

/// CACHE-01: the other Claude ids with (five-minute) caching, besides those containing `-4-`.
static CLAUDE_SHORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^claude-(?:fable-5|mythos-5|opus-5|sonnet-5|haiku-5|3-7-sonnet|3-5-haiku)")
        .expect("constant pattern compiles")
});

/// The caching policy of a model family (CACHE-01).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CachePolicy {
    /// Amazon Nova: cache points without a TTL, opt-in (CACHE-02).
    Nova,
    /// Claude models that take `ttl:"1h"` (CACHE-03).
    Claude,
    /// Other Claude models (and forced models): five-minute points only.
    ClaudeShort,
}

/// What a model id says about caching, parsed once per request (`ModelTraits::caching`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelCaching {
    /// A foundation model or inference profile: its CACHE-01 policy by id, else by
    /// `params.canonicalModelId`; `None` when neither has caching.
    Model(Option<CachePolicy>),
    /// An application inference profile ARN (opaque to CACHE-01, decided by CACHE-20).
    ApplicationProfile {
        /// The part after `application-inference-profile/` contains `claude` (the heuristic).
        named_claude: bool,
    },
}

impl ModelCaching {
    /// The caching facts of a model with `id` and optional canonical id.
    pub fn of(id: &str, canonical_id: Option<&str>) -> Self {
        if let Some(name) = application_profile_name(id) {
            return ModelCaching::ApplicationProfile {
                // PLG-31: the heuristic ignores case.
                named_claude: name.to_ascii_lowercase().contains("claude"),
            };
        }
        ModelCaching::Model(policy_of_id(id).or_else(|| canonical_id.and_then(policy_of_id)))
    }
}

/// CACHE-20: the name part of an application-inference-profile ARN, `None` for other ids.
pub fn application_profile_name(id: &str) -> Option<&str> {
    let id = id.trim();
    APPLICATION_PROFILE
        .find(&id.to_ascii_lowercase())
        .and_then(|found| id.get(found.end()..))
}

/// CACHE-01 for one id: ARN prefix and one region prefix removed, then the family patterns.
/// Application-profile ARNs have no policy here (CACHE-20 decides them).
pub fn policy_of_id(id: &str) -> Option<CachePolicy> {
    let lower = id.trim().to_ascii_lowercase();
    if APPLICATION_PROFILE.is_match(&lower) {
        return None;
    }
    let without_arn = MODEL_ARN
        .find(&lower)
        .map_or(lower.as_str(), |arn| &lower[arn.end()..]);
    let key = strip_region_prefix(without_arn);
    if NOVA.is_match(key) {
        return Some(CachePolicy::Nova);
    }
    let claude = key
        .strip_prefix("anthropic.")
        .unwrap_or(key)
        .replace('.', "-");
    if !claude.starts_with("claude-") {
        return None;
    }
    if CLAUDE_LONG.is_match(&claude) {
        Some(CachePolicy::Claude)
    } else if claude.contains("-4-") || CLAUDE_SHORT.is_match(&claude) {
        Some(CachePolicy::ClaudeShort)
    } else {
        None
    }
}
