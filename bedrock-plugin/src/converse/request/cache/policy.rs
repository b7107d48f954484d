//! Which prompt caching a request gets (CACHE-01/02/03/20): the model's policy, the retention
//! and the cache-point block that follows from both.
//!
//! The model facts (CACHE-01 by id, the CACHE-20 application-profile name heuristic) live in
//! `models::caching` and are parsed once per request into [`ModelTraits::caching`]; this
//! module combines them with what only the request knows: the operator's off switch,
//! `options.cacheRetention`, the env defaults and the profile's looked-up targets.

use aws_sdk_bedrockruntime::types::{CachePointBlock, CachePointType, CacheTtl};
use plugin_api::chat::{CacheRetention, CacheRetention_NE};
use plugin_api::error::PluginError;

use crate::converse::request::shape_error::{build_error, invalid};
use crate::env::EnvSnapshot;
pub use crate::models::caching::{
    application_profile_name, policy_of_id, CachePolicy, ModelCaching,
};
use crate::models::traits::ModelTraits;

/// Retention as decided by CACHE-02 (the host's enum, decoded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retention {
    None,
    Short,
    Long,
}

/// The env variables CACHE-01/02 read, from the operation's snapshot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheEnv {
    /// `AWS_BEDROCK_FORCE_CACHE=1`: non-Claude models get `claude-short` (CACHE-01).
    pub force_cache: bool,
    /// `OPENCLAW_CACHE_RETENTION=long`: the default retention is `long` (CACHE-02).
    pub long_retention: bool,
}

impl CacheEnv {
    pub fn from_env(env: &EnvSnapshot) -> Self {
        Self {
            force_cache: env.get("AWS_BEDROCK_FORCE_CACHE") == Some("1"),
            long_retention: env.get("OPENCLAW_CACHE_RETENTION") == Some("long"),
        }
    }
}

/// How the automatic cache points are placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// CACHE-10/11: system point, and one on the last user message before the first
    /// runtime-context carrier.
    Runtime,
    /// CACHE-20: system point and last-user point, each only where none is present.
    ApplicationProfile,
}

/// The caching a request gets: where automatic points go and the point block they use.
#[derive(Clone, Debug, PartialEq)]
pub struct CachePlan {
    pub placement: Placement,
    /// CACHE-03: `{type:"default"}`, with `ttl:"1h"` where allowed.
    pub point: CachePointBlock,
}

/// The inputs of [`plan`] that do not come from the model.
#[derive(Clone, Copy, Debug)]
pub struct PlanInputs<'a> {
    /// `awsBedrockUsePromptCache` of the current config (LIVE-01).
    pub use_prompt_cache: bool,
    pub requested: Option<&'a CacheRetention_NE>,
    pub env: CacheEnv,
    /// Some message is a runtime-context carrier (CACHE-20 skips its injection then).
    pub has_runtime_context: bool,
}

/// CACHE-02: the host's retention, decoded; a variant this build does not know fails clearly.
pub fn requested_retention(
    requested: Option<&CacheRetention_NE>,
) -> Result<Option<Retention>, PluginError> {
    let Some(requested) = requested else {
        return Ok(None);
    };
    match requested.as_enum() {
        Ok(CacheRetention::None) => Ok(Some(Retention::None)),
        Ok(CacheRetention::Short) => Ok(Some(Retention::Short)),
        Ok(CacheRetention::Long) => Ok(Some(Retention::Long)),
        Ok(_) | Err(_) => Err(invalid(
            "Amazon Bedrock: options.cacheRetention is of a kind this plugin version does not know (accepted: none, short, long)",
        )),
    }
}

/// CACHE-20: whether an application profile may be cached: by its name, else when its looked-up
/// targets are all Claude-policy models; not while the lookup has no result.
pub fn profile_eligible(named_claude: bool, targets: Option<&[String]>) -> bool {
    named_claude
        || targets.is_some_and(|targets| {
            !targets.is_empty()
                && targets.iter().all(|target| {
                    matches!(
                        policy_of_id(target),
                        Some(CachePolicy::Claude | CachePolicy::ClaudeShort)
                    )
                })
        })
}

/// CACHE-01/02/03/20: the caching plan of a request, `None` when it gets no cache points.
pub fn plan(
    traits: &ModelTraits,
    inputs: PlanInputs<'_>,
) -> Result<Option<CachePlan>, PluginError> {
    // CACHE-02: the operator's off switch wins over everything (even a retention this build
    // cannot decode).
    if !inputs.use_prompt_cache {
        return Ok(None);
    }
    let requested = requested_retention(inputs.requested)?;
    let (placement, policy, retention) = match &traits.caching {
        ModelCaching::ApplicationProfile { named_claude } => {
            if !profile_eligible(*named_claude, traits.profile_targets.as_deref())
                || inputs.has_runtime_context
            {
                return Ok(None);
            }
            // CACHE-20: default short, not the env default (PLG-31); long → `ttl:"1h"`.
            (
                Placement::ApplicationProfile,
                CachePolicy::Claude,
                requested.unwrap_or(Retention::Short),
            )
        }
        ModelCaching::Model(policy) => {
            let policy = match policy {
                Some(policy) => *policy,
                None if inputs.env.force_cache && traits.claude.is_none() => {
                    CachePolicy::ClaudeShort
                }
                None => return Ok(None),
            };
            let default = match policy {
                CachePolicy::Nova => Retention::None,
                _ if inputs.env.long_retention => Retention::Long,
                _ => Retention::Short,
            };
            (Placement::Runtime, policy, requested.unwrap_or(default))
        }
    };
    if retention == Retention::None {
        return Ok(None);
    }
    let long = policy == CachePolicy::Claude && retention == Retention::Long;
    let point = CachePointBlock::builder()
        .r#type(CachePointType::Default)
        .set_ttl(long.then_some(CacheTtl::OneHour))
        .build()
        .map_err(|err| build_error("cachePoint block", err))?;
    Ok(Some(CachePlan { placement, point }))
}
