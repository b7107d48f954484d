//! Reasoning / thinking request shaping (THINK-01..14), the `maxTokens` rule of
//! REQ-02 and the `additionalModelResponseFieldPaths` rule of REQ-01.
//!
//! [`plan`] decides, from the request and the settings it started with, everything the
//! thinking rules change in a ConverseStream input: `additionalModelRequestFields`
//! (`thinking`, `output_config`, `anthropic_beta`), `inferenceConfig.maxTokens`, whether
//! `temperature`/`topP` must be removed (THINK-09), whether forced tool choice becomes `auto`
//! (TOOL-03) and the response field paths. It never fails: every input has a defined
//! outcome (at worst "no thinking"), so nothing here can reject a request.
//!
//! GovCloud (THINK-11 / REG-13): the region the request is finally sent to is resolved later
//! (REG-01, in the driver), so [`is_gov_cloud`] decides from what is known here: a `us-gov.`
//! model id or `arn:aws-us-gov:` ARN, and the REG-01 region from everything but the shared
//! config file (request option, ARN, baseUrls, `awsRegion`, `discovery.region`, `AWS_REGION`,
//! `AWS_DEFAULT_REGION`). A GovCloud region reached only through a profile's `region` in the
//! shared config is not seen (reading it is file I/O), and `display` is then still sent.

use aws_smithy_types::Document;
use plugin_api::chat::{ChatOptions, ChatRequest, ThinkingBudgets, ThinkingDisplay, ThinkingLevel};
use plugin_api::model::{ModelDefinition, ThinkingLevelMapping};
use serde_json::{json, Map, Value};

use crate::config::ReasoningEffort;
use crate::converse::request::tools;
use crate::env::EnvSnapshot;
use crate::models::claude::ClaudeFamily;
use crate::models::traits::ModelTraits;
use crate::settings::Settings;

/// THINK-06: the beta that lets budget thinking interleave with tool use.
pub const INTERLEAVED_THINKING_BETA: &str = "interleaved-thinking-2025-05-14";
/// THINK-14: the 1M-token context beta for Claude Sonnet 4 / 4.5.
pub const CONTEXT_1M_BETA: &str = "context-1m-2025-08-07";
/// REQ-01: the response field the refusal-buffered Claude 5 models report refusals in.
pub const STOP_DETAILS_PATH: &str = "/stop_details";
/// THINK-06/07: the smallest budget Bedrock accepts; below it thinking is not sent.
pub const MIN_BUDGET_TOKENS: u64 = 1024;
/// REQ-02: catalog `maxTokens` values that are placeholders rather than real model limits.
pub const PLACEHOLDER_MAX_TOKENS: [u64; 3] = [4096, 8192, 16384];

/// How the model thinks (THINK-01/02), or not at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// Not a Claude model: no thinking fields are ever sent (THINK-04).
    None,
    /// THINK-01 adaptive set, thinking optional (Sonnet 4.6, Opus 4.6/4.7/4.8).
    Adaptive,
    /// THINK-03 Opus 5: adaptive, level defaults to `high`, `off` stays off.
    AdaptiveDefaultHigh,
    /// THINK-03 mandatory-adaptive (Mythos Preview, Sonnet 5, Fable 5, Mythos 5): level
    /// defaults to `high` and `off` is sent as `low`.
    MandatoryAdaptive,
    /// THINK-02: other Claude models (budget-style extended thinking).
    Budget,
}

impl Route {
    /// THINK-01/03: the adaptive and mandatory-adaptive routes (REQ-02 applies to these).
    pub fn is_adaptive(self) -> bool {
        matches!(
            self,
            Route::Adaptive | Route::AdaptiveDefaultHigh | Route::MandatoryAdaptive
        )
    }
}

/// The thinking that is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sent {
    /// THINK-05: `{thinking:{type:"adaptive"}}` with `output_config.effort` unless the
    /// level is `adaptive` (`effort: None`).
    Adaptive { effort: Option<String> },
    /// THINK-06: `{thinking:{type:"enabled", budget_tokens}}`.
    Budget { budget_tokens: u64 },
}

/// Everything the thinking rules decide for one request.
#[derive(Clone, Debug, PartialEq)]
pub struct ThinkingPlan {
    pub route: Route,
    /// The effective level after THINK-03/08 defaults (`None`: no level at all).
    pub level: Option<ThinkingLevel>,
    /// The thinking sent, if any (THINK-04).
    pub sent: Option<Sent>,
    /// `additionalModelRequestFields` as JSON; `None` when empty (REQ-01).
    pub fields: Option<Value>,
    /// `inferenceConfig.maxTokens` (REQ-02, THINK-06); `None` means omitted.
    pub max_tokens: Option<u64>,
    /// REQ-02: `Some((requestMaxTokens, model.maxTokens))` when the `maxTokens` sent is the
    /// plugin's `requestMaxTokens` below the model's own limit, for the final message's
    /// `output stopped at requestMaxTokens <n>; the model allows <model.maxTokens>` warning
    /// on a `max_tokens` stop. `None` when the caller or the model set the limit (or budget
    /// thinking changed it).
    pub request_max_tokens_cap: Option<(u64, u64)>,
    /// `additionalModelResponseFieldPaths` (REQ-01).
    pub response_field_paths: Option<Vec<String>>,
}

impl ThinkingPlan {
    /// THINK-09: `temperature` and `topP` are removed while thinking is sent to Claude.
    pub fn removes_sampling(&self) -> bool {
        self.sent.is_some()
    }

    /// TOOL-03: thinking is sent in the adaptive shape.
    pub fn thinking_adaptive(&self) -> bool {
        matches!(self.sent, Some(Sent::Adaptive { .. }))
    }

    /// `additionalModelRequestFields` as the SDK's `Document`.
    pub fn fields_document(&self) -> Option<Document> {
        self.fields.as_ref().map(tools::json_to_document)
    }

    /// `inferenceConfig.maxTokens` for the wire (`i32`; larger values saturate, since the
    /// service rejects them anyway and the caller's intent "as many as possible" is kept).
    pub fn max_tokens_i32(&self) -> Option<i32> {
        self.max_tokens
            .map(|tokens| i32::try_from(tokens).unwrap_or(i32::MAX))
    }
}

/// THINK-01..03: the route of a model.
pub fn route(traits: &ModelTraits) -> Route {
    match traits.thinking_family {
        None => Route::None,
        Some(ClaudeFamily::Other) => Route::Budget,
        Some(ClaudeFamily::Opus46 | ClaudeFamily::Opus47Or48 | ClaudeFamily::Sonnet46) => {
            Route::Adaptive
        }
        Some(ClaudeFamily::MythosPreview) => Route::MandatoryAdaptive,
        Some(ClaudeFamily::Claude5) if traits.opus_5 => Route::AdaptiveDefaultHigh,
        Some(ClaudeFamily::Claude5) => Route::MandatoryAdaptive,
    }
}

/// THINK-05: `xhigh` is a native effort of Opus 4.7, 4.8 and the Claude 5 family.
fn native_xhigh(traits: &ModelTraits) -> bool {
    matches!(
        traits.thinking_family,
        Some(ClaudeFamily::Opus47Or48 | ClaudeFamily::Claude5)
    )
}

/// THINK-05/12: `max` is a native effort of Opus 4.6, 4.7, 4.8 and the Claude 5 family.
fn native_max(traits: &ModelTraits) -> bool {
    matches!(
        traits.thinking_family,
        Some(ClaudeFamily::Opus46 | ClaudeFamily::Opus47Or48 | ClaudeFamily::Claude5)
    )
}

/// The model's `thinkingLevelMap` entry for `level`, merged over the native map (THINK-13:
/// model entries win). `Some(None)` is a JSON `null` entry.
fn map_entry(
    model: &ModelDefinition,
    traits: &ModelTraits,
    level: ThinkingLevel,
) -> Option<Option<String>> {
    fn find<'a>(
        mut entries: impl Iterator<Item = &'a ThinkingLevelMapping>,
        level: ThinkingLevel,
    ) -> Option<Option<String>> {
        entries
            .find(|entry| entry.level.as_enum().ok().copied() == Some(level))
            .map(|entry| {
                entry
                    .effort
                    .as_ref()
                    .into_option()
                    .map(|effort| effort.to_string())
            })
    }
    find(model.thinking_level_map.iter(), level)
        .or_else(|| find(traits.native_level_map.iter(), level))
}

/// THINK-05 and THINK-12: the `output_config.effort` for an adaptive level; `None` for the
/// level `adaptive` (the model decides).
pub fn effort(
    model: &ModelDefinition,
    traits: &ModelTraits,
    level: ThinkingLevel,
) -> Option<String> {
    if level == ThinkingLevel::Adaptive {
        return None;
    }
    let mapped = match map_entry(model, traits, level) {
        Some(Some(effort)) => Some(effort),
        Some(None) if matches!(level, ThinkingLevel::Xhigh | ThinkingLevel::Max) => {
            Some("high".to_owned())
        }
        _ => None,
    };
    let effort = mapped.unwrap_or_else(|| {
        match level {
            ThinkingLevel::Medium => "medium",
            ThinkingLevel::Xhigh if native_xhigh(traits) => "xhigh",
            ThinkingLevel::Max if native_max(traits) => "max",
            ThinkingLevel::High | ThinkingLevel::Xhigh | ThinkingLevel::Max => "high",
            // minimal, low (off is never sent; a mandatory `off` arrives here as `low`).
            _ => "low",
        }
        .to_owned()
    });
    // THINK-12: the host level `max` on a natively-max model wins over an `xhigh` that a
    // map entry (the plugin's stand-in for an upstream patch) put in its place.
    if level == ThinkingLevel::Max && effort == "xhigh" && native_max(traits) {
        return Some("max".to_owned());
    }
    Some(effort)
}

/// THINK-06/07: the budget for a level before the `maxTokens` adjustment; `None` when budget
/// thinking is disabled by a plugin `thinkingBudgetTokens` below 1024.
pub fn budget_for(
    level: ThinkingLevel,
    budgets: &ThinkingBudgets,
    plugin_budget: Option<u64>,
) -> Option<u64> {
    let (caller, default) = match level {
        ThinkingLevel::Minimal => (budgets.minimal, 1024),
        ThinkingLevel::Low => (budgets.low, 2048),
        ThinkingLevel::Medium | ThinkingLevel::Adaptive => (budgets.medium, 8192),
        // high, xhigh and max read `thinkingBudgets.high`; `off` never reaches here.
        _ => (budgets.high, 16384),
    };
    if let Some(caller) = caller.into_option() {
        return Some(u64::from(caller));
    }
    match plugin_budget {
        Some(budget) if budget >= MIN_BUDGET_TOKENS => Some(budget),
        Some(_) => None,
        None => Some(default),
    }
}

/// THINK-08: the plugin's `reasoningEffort` as a level.
fn level_of_effort(effort: ReasoningEffort) -> ThinkingLevel {
    match effort {
        ReasoningEffort::None => ThinkingLevel::Off,
        ReasoningEffort::Low => ThinkingLevel::Low,
        ReasoningEffort::Medium => ThinkingLevel::Medium,
        ReasoningEffort::High => ThinkingLevel::High,
    }
}

/// THINK-03/08: the effective level. The caller's level wins, then the plugin's
/// `reasoningEffort`, then `high` for Opus 5 and the mandatory-adaptive models; mandatory
/// models send `off` as `low`.
pub fn effective_level(
    route: Route,
    caller: Option<ThinkingLevel>,
    plugin_default: Option<ReasoningEffort>,
) -> Option<ThinkingLevel> {
    let level = caller
        .or(plugin_default.map(level_of_effort))
        .or(match route {
            Route::AdaptiveDefaultHigh | Route::MandatoryAdaptive => Some(ThinkingLevel::High),
            _ => None,
        });
    match (route, level) {
        (Route::MandatoryAdaptive, Some(ThinkingLevel::Off)) => Some(ThinkingLevel::Low),
        _ => level,
    }
}

/// REG-13 (as far as it can be known while building, see the module docs): GovCloud model
/// ids / ARNs, or a GovCloud REG-01 region without the shared config's profile region.
pub fn is_gov_cloud(
    model: &ModelDefinition,
    options: &ChatOptions,
    settings: &Settings,
    env: &EnvSnapshot,
) -> bool {
    use crate::aws::region::{runtime_region, RuntimeRegionInputs};
    let id = model.id.trim().to_ascii_lowercase();
    let region = runtime_region(
        &RuntimeRegionInputs {
            request_region: options.region.as_ref().into_option().map(|r| r.as_str()),
            model_id: model.id.as_str(),
            model_base_url: model.base_url.as_ref().into_option().map(|u| u.as_str()),
            provider_base_urls: settings.host.provider_base_urls(),
            aws_region: settings.config.aws_region.as_deref(),
            discovery_region: settings.config.discovery_region(),
            profile_region: None,
        },
        env,
    )
    .region;
    id.starts_with("us-gov.")
        || id.starts_with("arn:aws-us-gov:")
        || region.trim().to_ascii_lowercase().starts_with("us-gov-")
}

/// THINK-10/11: `display` (`options.thinkingDisplay ?? "summarized"`), omitted for GovCloud.
fn display(options: &ChatOptions, gov_cloud: bool) -> Option<&'static str> {
    if gov_cloud {
        return None;
    }
    let display = options
        .thinking_display
        .as_ref()
        .into_option()
        .and_then(|display| display.as_enum().ok().copied());
    Some(match display {
        Some(ThinkingDisplay::Omitted) => "omitted",
        _ => "summarized",
    })
}

/// Decides the thinking-related fields of one request (see the module docs).
pub fn plan(
    request: &ChatRequest,
    traits: &ModelTraits,
    settings: &Settings,
    env: &EnvSnapshot,
) -> ThinkingPlan {
    let model = &request.model;
    let options = &request.options;
    let route = route(traits);
    let caller_level = options
        .reasoning
        .as_ref()
        .into_option()
        .and_then(|level| level.as_enum().ok().copied());
    let level = match route {
        Route::None => caller_level,
        _ => effective_level(route, caller_level, settings.config.reasoning_effort),
    };

    let caller_max = options.max_tokens.into_option();
    let model_max = (model.max_tokens > 0).then_some(model.max_tokens);
    let base = base_max_tokens(
        route,
        caller_max,
        model_max,
        settings.config.request_max_tokens(),
    );
    let base_max = base.tokens;

    // THINK-04: Claude, a level other than off, and a reasoning (or adaptive-set) model.
    let wants_thinking = route != Route::None
        && level.is_some_and(|level| level != ThinkingLevel::Off)
        && (model.reasoning || route.is_adaptive());

    let mut fields = Map::new();
    let mut betas: Vec<Value> = Vec::new();
    let mut max_tokens = base_max;
    let mut sent = None;
    let display = display(options, is_gov_cloud(model, options, settings, env));

    if let (true, Some(level)) = (wants_thinking, level) {
        if route.is_adaptive() {
            let mut thinking = Map::from_iter([("type".to_owned(), json!("adaptive"))]);
            if let Some(display) = display {
                thinking.insert("display".to_owned(), json!(display));
            }
            fields.insert("thinking".to_owned(), Value::Object(thinking));
            let effort = effort(model, traits, level);
            if let Some(effort) = &effort {
                fields.insert("output_config".to_owned(), json!({ "effort": effort }));
            }
            sent = Some(Sent::Adaptive { effort });
        } else if let Some((budget, tokens)) = budget_and_max_tokens(
            level,
            &options.thinking_budgets,
            settings.config.thinking_budget_tokens(),
            base_max,
            model_max,
        ) {
            let mut thinking = Map::from_iter([
                ("type".to_owned(), json!("enabled")),
                ("budget_tokens".to_owned(), json!(budget)),
            ]);
            if let Some(display) = display {
                thinking.insert("display".to_owned(), json!(display));
            }
            fields.insert("thinking".to_owned(), Value::Object(thinking));
            if options.interleaved_thinking.into_option() != Some(false) {
                betas.push(json!(INTERLEAVED_THINKING_BETA));
            }
            max_tokens = Some(tokens);
            sent = Some(Sent::Budget {
                budget_tokens: budget,
            });
        }
    }

    if route != Route::None && settings.config.enable_1m_context() && traits.one_m_context_beta {
        betas.push(json!(CONTEXT_1M_BETA));
    }
    if !betas.is_empty() {
        fields.insert("anthropic_beta".to_owned(), Value::Array(betas));
    }

    ThinkingPlan {
        route,
        level,
        sent,
        fields: (!fields.is_empty()).then_some(Value::Object(fields)),
        max_tokens,
        request_max_tokens_cap: base
            .request_max_tokens_cap
            .filter(|_| max_tokens == base_max),
        response_field_paths: traits
            .refusal_buffered
            .then(|| vec![STOP_DETAILS_PATH.to_owned()]),
    }
}

/// The REQ-02 `maxTokens` before thinking adjusts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BaseMaxTokens {
    /// `None`: omitted (Bedrock's default applies).
    pub tokens: Option<u64>,
    /// `(requestMaxTokens, model.maxTokens)` when `requestMaxTokens` capped the model's limit.
    pub request_max_tokens_cap: Option<(u64, u64)>,
}

/// REQ-02: the caller's `maxTokens` when set; else `min(model.maxTokens, requestMaxTokens)`,
/// except that adaptive routes omit it when the model's value is one of the placeholder caps
/// (THINK-01/03). A model without a `maxTokens` (0) leaves it omitted (PLG-15): the model's
/// real limit is unknown, and a guessed 32000 could exceed it.
pub fn base_max_tokens(
    route: Route,
    caller_max: Option<u64>,
    model_max: Option<u64>,
    request_max_tokens: u64,
) -> BaseMaxTokens {
    let (tokens, request_max_tokens_cap) = match (caller_max, model_max) {
        (Some(tokens), _) => (Some(tokens), None),
        (None, Some(tokens)) if route.is_adaptive() && PLACEHOLDER_MAX_TOKENS.contains(&tokens) => {
            (None, None)
        }
        (None, Some(model_max)) if request_max_tokens < model_max => (
            Some(request_max_tokens),
            Some((request_max_tokens, model_max)),
        ),
        (None, model_max) => (model_max, None),
    };
    BaseMaxTokens {
        tokens,
        request_max_tokens_cap,
    }
}

/// THINK-06: `(budget_tokens, maxTokens)` for budget thinking, or `None` when thinking is
/// not sent (budget disabled by THINK-07 or below 1024 after the adjustment).
///
/// `maxTokens = min(base + budget, model.maxTokens)`; when that is ≤ the budget, the budget
/// becomes `maxTokens − 1024`. A missing base counts as 0 and a missing model cap as no cap.
pub fn budget_and_max_tokens(
    level: ThinkingLevel,
    budgets: &ThinkingBudgets,
    plugin_budget: Option<u64>,
    base_max: Option<u64>,
    model_max: Option<u64>,
) -> Option<(u64, u64)> {
    let mut budget = budget_for(level, budgets, plugin_budget)?;
    let wanted = base_max.unwrap_or(0).saturating_add(budget);
    let max_tokens = model_max.map_or(wanted, |cap| wanted.min(cap));
    if max_tokens <= budget {
        budget = max_tokens.saturating_sub(MIN_BUDGET_TOKENS);
    }
    (budget >= MIN_BUDGET_TOKENS).then_some((budget, max_tokens))
}

#[cfg(test)]
mod tests;
