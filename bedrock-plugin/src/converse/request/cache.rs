//! Prompt caching (CACHE-01..20, MSG-11): which requests get cache points and where.
//!
//! Bedrock bills a cached prompt prefix at a fraction of the input price, but only where the
//! request marks prefixes with `cachePoint` blocks. This module decides them after the rest of
//! the input is shaped (REQ-03 order: after thinking, before guardrail and tier):
//! * [`policy`]: the model's caching policy and the retention (CACHE-01/02/03/20);
//! * [`system`]: the system layout around the cache boundary (CACHE-10, MSG-11);
//! * [`points`]: the positions, count and TTL order Bedrock accepts (CACHE-12/13/14).
//!
//! Message placement (CACHE-11, CACHE-20) is here: it needs the request's runtime-context
//! flags and where each host message's blocks ended after conversion.

pub mod points;
pub mod policy;
pub mod system;

use aws_sdk_bedrockruntime::types::{
    ConversationRole, Message, SystemContentBlock, ToolConfiguration,
};
use plugin_api::chat::{ChatRequest, Message as HostMessage, Message_NE};
use plugin_api::error::PluginError;

use crate::converse::request::messages::Converted;
use crate::converse::request::Operation;
use crate::env::EnvSnapshot;
use crate::models::traits::ModelTraits;
use crate::settings::Settings;
use points::{allowed_at, count, fix_positions, CacheSlot, Lists, MAX_POINTS, TTL_LOWERED};
use policy::{CacheEnv, CachePlan, Placement, PlanInputs};

/// The three parts of the input that carry cache points.
#[derive(Clone, Debug, PartialEq)]
pub struct CachedParts {
    pub system: Vec<SystemContentBlock>,
    pub messages: Vec<Message>,
    pub tool_config: Option<ToolConfiguration>,
}

/// What the request says beyond the model and the converted messages.
pub struct CacheRequest<'a> {
    pub request: &'a ChatRequest,
    pub traits: &'a ModelTraits,
    pub settings: &'a Settings,
    pub env: &'a EnvSnapshot,
    pub operation: Operation,
}

/// A host message flagged as volatile per-turn context (CACHE-11/20).
pub fn is_runtime_context(message: &Message_NE) -> bool {
    match message.as_enum() {
        Ok(HostMessage::User {
            runtime_context, ..
        })
        | Ok(HostMessage::Assistant {
            runtime_context, ..
        })
        | Ok(HostMessage::ToolResult {
            runtime_context, ..
        }) => *runtime_context,
        Ok(_) | Err(_) => false,
    }
}

/// CACHE-*: the system list laid out for caching and the cache points of system, messages and
/// tools. CountTokens never gets cache points (BR-50).
pub fn apply(
    inputs: CacheRequest<'_>,
    converted: Converted,
    mut tool_config: Option<ToolConfiguration>,
) -> Result<CachedParts, PluginError> {
    let request = inputs.request;
    let first_carrier = request.messages.iter().position(is_runtime_context);
    let plan = match inputs.operation {
        Operation::ConverseStream => policy::plan(
            inputs.traits,
            PlanInputs {
                use_prompt_cache: inputs.settings.config.use_prompt_cache(),
                requested: request.options.cache_retention.as_ref().into_option(),
                env: CacheEnv::from_env(inputs.env),
                has_runtime_context: first_carrier.is_some(),
            },
        )?,
        Operation::CountTokens => None,
    };
    // Without a plan (also a skipped CACHE-20 injection) the system is one block (PLG-31).
    let prompt = request
        .system_prompt
        .as_ref()
        .into_option()
        .map(|p| p.as_str());
    let layout = system::layout(prompt, plan.is_some());
    let mut system = layout.blocks;
    let mut messages = converted.messages;
    let mut tools = tool_config.as_mut().map(|config| &mut config.tools);

    if inputs.operation == Operation::CountTokens {
        strip_points(&mut system, &mut messages, tools.as_deref_mut());
    }
    if let Some(plan) = &plan {
        let mut total = Lists {
            tools: tools.as_deref_mut(),
            system: &mut system,
            messages: &mut messages,
        }
        .total();
        // CACHE-10/20: after the stable prefix, unless the system already has a point.
        if let Some(at) = layout.point_at.filter(|_| count(&system) == 0) {
            if total < MAX_POINTS {
                if let Some(at) = allowed_at(&system, at) {
                    system.insert(at, SystemContentBlock::from_point(plan.point.clone()));
                    total += 1;
                }
            }
        }
        // CACHE-11/20: one message point (CACHE-12: only while under the limit).
        if total < MAX_POINTS {
            if let Some((m, at)) =
                message_target(plan, &messages, &converted.user_ends, first_carrier)
            {
                insert_message_point(&mut messages[m].content, at, plan);
            }
        }
    }
    // CACHE-13 for points a caller supplied (the automatic ones were placed by its rules, so
    // this runs after them and leaves the conversion's content indices valid for them).
    fix_positions(&mut system);
    for message in &mut messages {
        fix_positions(&mut message.content);
    }
    let mut lists = Lists {
        tools,
        system: &mut system,
        messages: &mut messages,
    };
    lists.enforce_limit();
    if lists.lower_ttls() {
        tracing::warn!("{TTL_LOWERED}");
    }
    Ok(CachedParts {
        system,
        messages,
        tool_config,
    })
}

/// Where the automatic message point goes: `(message index, content index)`.
fn message_target(
    plan: &CachePlan,
    messages: &[Message],
    user_ends: &[crate::converse::request::messages::UserEnd],
    first_carrier: Option<usize>,
) -> Option<(usize, usize)> {
    match plan.placement {
        // CACHE-11: only when the conversation ends with the user; after the last user-side
        // host message before the first runtime-context carrier, inside the Bedrock message
        // it was merged into (PLG-32).
        Placement::Runtime => {
            if messages.last()?.role != ConversationRole::User {
                return None;
            }
            user_ends
                .iter()
                .rev()
                .find(|end| first_carrier.is_none_or(|carrier| end.host < carrier))
                .map(|end| (end.message, end.index))
        }
        // CACHE-20: the end of the last user message, unless it already has a point.
        Placement::ApplicationProfile => {
            let m = messages
                .iter()
                .rposition(|message| message.role == ConversationRole::User)?;
            (count(&messages[m].content) == 0).then(|| (m, messages[m].content.len()))
        }
    }
}

/// Inserts the plan's point at `at` of `content`, or where CACHE-13 moves it; none when no
/// allowed place is left.
fn insert_message_point(
    content: &mut Vec<aws_sdk_bedrockruntime::types::ContentBlock>,
    at: usize,
    plan: &CachePlan,
) {
    if let Some(at) = allowed_at(content, at) {
        content.insert(at, CacheSlot::from_point(plan.point.clone()));
    }
}

/// BR-50: CountTokens carries no cache points.
fn strip_points(
    system: &mut Vec<SystemContentBlock>,
    messages: &mut [Message],
    tools: Option<&mut Vec<aws_sdk_bedrockruntime::types::Tool>>,
) {
    system.retain(|block| block.point().is_none());
    for message in messages.iter_mut() {
        message.content.retain(|block| block.point().is_none());
    }
    if let Some(tools) = tools {
        tools.retain(|tool| tool.point().is_none());
    }
}

#[cfg(test)]
mod tests;
