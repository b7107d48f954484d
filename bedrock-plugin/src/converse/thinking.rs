//! Reasoning / thinking request shaping (THINK-01..14), the adaptive `maxTokens` rule of
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
//! model id or `arn:aws-us-gov:` ARN, the request's `region` option, the plugin's `awsRegion`
//! and a GovCloud `baseUrl`. A GovCloud region reached only through the shared AWS config or
//! the environment is not seen, and `display` is then still sent.

use aws_smithy_types::Document;
use plugin_api::chat::{ChatOptions, ChatRequest, ThinkingBudgets, ThinkingDisplay, ThinkingLevel};
use plugin_api::model::{ModelDefinition, ThinkingLevelMapping};
use serde_json::{json, Map, Value};

use crate::config::ReasoningEffort;
use crate::converse::tools;
use crate::models::claude::{self, ClaudeFamily};
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
pub fn route(model: &ModelDefinition) -> Route {
    match claude::thinking_family(model) {
        None => Route::None,
        Some(ClaudeFamily::Other) => Route::Budget,
        Some(ClaudeFamily::Opus46 | ClaudeFamily::Opus47Or48 | ClaudeFamily::Sonnet46) => {
            Route::Adaptive
        }
        Some(ClaudeFamily::MythosPreview) => Route::MandatoryAdaptive,
        Some(ClaudeFamily::Claude5) if claude::is_opus_5(model) => Route::AdaptiveDefaultHigh,
        Some(ClaudeFamily::Claude5) => Route::MandatoryAdaptive,
    }
}

/// THINK-05: `xhigh` is a native effort of Opus 4.7, 4.8 and the Claude 5 family.
fn native_xhigh(model: &ModelDefinition) -> bool {
    matches!(
        claude::thinking_family(model),
        Some(ClaudeFamily::Opus47Or48 | ClaudeFamily::Claude5)
    )
}

/// THINK-05/12: `max` is a native effort of Opus 4.6, 4.7, 4.8 and the Claude 5 family.
fn native_max(model: &ModelDefinition) -> bool {
    matches!(
        claude::thinking_family(model),
        Some(ClaudeFamily::Opus46 | ClaudeFamily::Opus47Or48 | ClaudeFamily::Claude5)
    )
}

/// The model's `thinkingLevelMap` entry for `level`, merged over the native map (THINK-13:
/// model entries win). `Some(None)` is a JSON `null` entry.
fn map_entry(model: &ModelDefinition, level: ThinkingLevel) -> Option<Option<String>> {
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
        .or_else(|| find(claude::native_level_map(model).iter(), level))
}

/// THINK-05 and THINK-12: the `output_config.effort` for an adaptive level; `None` for the
/// level `adaptive` (the model decides).
pub fn effort(model: &ModelDefinition, level: ThinkingLevel) -> Option<String> {
    if level == ThinkingLevel::Adaptive {
        return None;
    }
    let mapped = match map_entry(model, level) {
        Some(Some(effort)) => Some(effort),
        Some(None) if matches!(level, ThinkingLevel::Xhigh | ThinkingLevel::Max) => {
            Some("high".to_owned())
        }
        _ => None,
    };
    let effort = mapped.unwrap_or_else(|| {
        match level {
            ThinkingLevel::Medium => "medium",
            ThinkingLevel::Xhigh if native_xhigh(model) => "xhigh",
            ThinkingLevel::Max if native_max(model) => "max",
            ThinkingLevel::High | ThinkingLevel::Xhigh | ThinkingLevel::Max => "high",
            // minimal, low (off is never sent; a mandatory `off` arrives here as `low`).
            _ => "low",
        }
        .to_owned()
    });
    // THINK-12: the host level `max` on a natively-max model wins over an `xhigh` that a
    // map entry (the plugin's stand-in for an upstream patch) put in its place.
    if level == ThinkingLevel::Max && effort == "xhigh" && native_max(model) {
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
/// ids / ARNs, request region, plugin region or base URL.
pub fn is_gov_cloud(model: &ModelDefinition, options: &ChatOptions, settings: &Settings) -> bool {
    let id = model.id.trim().to_ascii_lowercase();
    let gov_region = |region: &str| region.trim().to_ascii_lowercase().starts_with("us-gov-");
    id.starts_with("us-gov.")
        || id.starts_with("arn:aws-us-gov:")
        || options
            .region
            .as_ref()
            .into_option()
            .is_some_and(|region| gov_region(region))
        || settings
            .config
            .aws_region
            .as_deref()
            .is_some_and(gov_region)
        || model
            .base_url
            .as_ref()
            .into_option()
            .and_then(|url| crate::aws::region::region_from_base_url(url))
            .is_some_and(|region| gov_region(&region))
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

/// THINK-14: the model (id or canonical id) takes the 1M-context beta.
fn takes_1m_beta(model: &ModelDefinition) -> bool {
    claude::is_1m_context_beta_model(model.id.as_str())
        || claude::canonical_model_id_of(model)
            .is_some_and(|id| claude::is_1m_context_beta_model(&id))
}

/// Decides the thinking-related fields of one request (see the module docs).
pub fn plan(request: &ChatRequest, settings: &Settings) -> ThinkingPlan {
    let model = &request.model;
    let options = &request.options;
    let route = route(model);
    let caller_level = options
        .reasoning
        .as_ref()
        .into_option()
        .and_then(|level| level.as_enum().ok().copied());
    let level = match route {
        Route::None => caller_level,
        _ => effective_level(route, caller_level, settings.config.reasoning_effort),
    };

    // REQ-02: caller value, else the model's; adaptive routes drop placeholder caps.
    let caller_max = options.max_tokens.into_option();
    let model_max = (model.max_tokens > 0).then_some(model.max_tokens);
    let base_max = match (caller_max, model_max) {
        (Some(tokens), _) => Some(tokens),
        (None, Some(tokens)) if route.is_adaptive() && PLACEHOLDER_MAX_TOKENS.contains(&tokens) => {
            None
        }
        (None, model_max) => model_max,
    };

    // THINK-04: Claude, a level other than off, and a reasoning (or adaptive-set) model.
    let wants_thinking = route != Route::None
        && level.is_some_and(|level| level != ThinkingLevel::Off)
        && (model.reasoning || route.is_adaptive());

    let mut fields = Map::new();
    let mut betas: Vec<Value> = Vec::new();
    let mut max_tokens = base_max;
    let mut sent = None;
    let display = display(options, is_gov_cloud(model, options, settings));

    if let (true, Some(level)) = (wants_thinking, level) {
        if route.is_adaptive() {
            let mut thinking = Map::from_iter([("type".to_owned(), json!("adaptive"))]);
            if let Some(display) = display {
                thinking.insert("display".to_owned(), json!(display));
            }
            fields.insert("thinking".to_owned(), Value::Object(thinking));
            let effort = effort(model, level);
            if let Some(effort) = &effort {
                fields.insert("output_config".to_owned(), json!({ "effort": effort }));
            }
            sent = Some(Sent::Adaptive { effort });
        } else if let Some((budget, tokens)) = budget_and_max_tokens(
            level,
            &options.thinking_budgets,
            settings.config.thinking_budget_tokens,
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

    if route != Route::None && settings.config.enable_1m_context() && takes_1m_beta(model) {
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
        response_field_paths: claude::is_refusal_buffered(model)
            .then(|| vec![STOP_DETAILS_PATH.to_owned()]),
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
mod tests {
    use super::*;
    use abi_stable::std_types::{ROption, RString, RVec};
    use plugin_api::chat::{Message as HostMessage, ThinkingDisplay_NE, ThinkingLevel_NE};

    fn model(id: &str) -> ModelDefinition {
        ModelDefinition::new(id, "amazon-bedrock", "bedrock-converse-stream")
    }

    fn with_canonical(id: &str, canonical: &str) -> ModelDefinition {
        let mut model = model(id);
        model.params_json =
            ROption::RSome(format!(r#"{{"canonicalModelId":"{canonical}"}}"#).into());
        model
    }

    fn request(model: ModelDefinition, level: Option<ThinkingLevel>) -> ChatRequest {
        let options = ChatOptions {
            reasoning: level.map(ThinkingLevel_NE::new).into(),
            ..ChatOptions::default()
        };
        ChatRequest {
            model,
            system_prompt: ROption::RNone,
            messages: RVec::from(vec![HostMessage::user_text("hi")]),
            tools: RVec::new(),
            options,
        }
    }

    fn settings(config: Value) -> Settings {
        Settings::parse(&config.to_string(), "{}").expect("settings")
    }

    fn fields(req: &ChatRequest) -> Option<Value> {
        plan(req, &Settings::default()).fields
    }

    fn effort_of(req: &ChatRequest) -> Option<String> {
        match plan(req, &Settings::default()).sent {
            Some(Sent::Adaptive { effort }) => effort,
            other => panic!("expected adaptive, got {other:?}"),
        }
    }

    fn mapping(level: ThinkingLevel, effort: Option<&str>) -> ThinkingLevelMapping {
        ThinkingLevelMapping {
            level: ThinkingLevel_NE::new(level),
            effort: effort.map(RString::from).into(),
        }
    }

    use ThinkingLevel::*;

    #[test]
    fn think_01_02_routes() {
        for id in [
            "us.anthropic.claude-opus-4-6-v1",
            "anthropic.claude-sonnet-4-6",
            "us.anthropic.claude-opus-4-7",
            "anthropic.claude-opus-4.8-v1:0",
        ] {
            assert_eq!(route(&model(id)), Route::Adaptive, "{id}");
        }
        for id in [
            "anthropic.claude-fable-5",
            "us.anthropic.claude-fable-5-1-v1:0",
            "anthropic.claude-mythos-5",
            "anthropic.claude-sonnet-5",
            "us.anthropic.claude-mythos-preview",
        ] {
            assert_eq!(route(&model(id)), Route::MandatoryAdaptive, "{id}");
        }
        assert_eq!(
            route(&model("anthropic.claude-opus-5")),
            Route::AdaptiveDefaultHigh
        );
        for id in [
            "anthropic.claude-3-7-sonnet-20250219-v1:0",
            "anthropic.claude-sonnet-4-20250514-v1:0",
            "anthropic.claude-sonnet-4-5-20250929-v1:0",
            "anthropic.claude-opus-4-1-20250805-v1:0",
            "anthropic.claude-haiku-4-5-20251001-v1:0",
        ] {
            assert_eq!(route(&model(id)), Route::Budget, "{id}");
        }
        assert_eq!(route(&model("amazon.nova-micro-v1:0")), Route::None);
    }

    #[test]
    fn think_03_mandatory_and_default_levels() {
        // Mandatory: no level → high; off → low.
        let fable = model("anthropic.claude-fable-5");
        assert_eq!(
            plan(&request(fable.clone(), None), &Settings::default()).level,
            Some(High)
        );
        assert_eq!(
            effort_of(&request(fable, Some(Off))).as_deref(),
            Some("low")
        );
        // Opus 5: no level → high; off stays off.
        let opus5 = model("anthropic.claude-opus-5");
        assert_eq!(
            effort_of(&request(opus5.clone(), None)).as_deref(),
            Some("high")
        );
        assert!(fields(&request(opus5, Some(Off))).is_none());
        // Optional-adaptive: nothing without a level.
        assert!(fields(&request(model("us.anthropic.claude-opus-4-7"), None)).is_none());
    }

    #[test]
    fn think_04_only_claude_with_level_and_reasoning() {
        let mut nova = model("amazon.nova-pro-v1:0");
        nova.reasoning = true;
        assert!(fields(&request(nova, Some(High))).is_none());
        let mut sonnet45 = model("anthropic.claude-sonnet-4-5-20250929-v1:0");
        assert!(
            fields(&request(sonnet45.clone(), Some(High))).is_none(),
            "reasoning false"
        );
        sonnet45.reasoning = true;
        assert!(fields(&request(sonnet45.clone(), Some(High))).is_some());
        assert!(fields(&request(sonnet45, Some(Off))).is_none());
        // Adaptive set needs no reasoning flag.
        assert!(fields(&request(model("anthropic.claude-sonnet-4-6"), Some(Low))).is_some());
    }

    #[test]
    fn think_05_effort_mapping() {
        let sonnet46 = model("anthropic.claude-sonnet-4-6");
        let expected = [
            (Minimal, Some("low")),
            (Low, Some("low")),
            (Medium, Some("medium")),
            (High, Some("high")),
            (Xhigh, Some("high")),
            (Max, Some("high")),
            (Adaptive, None),
        ];
        for (level, effort) in expected {
            assert_eq!(
                super::effort(&sonnet46, level).as_deref(),
                effort,
                "{level:?}"
            );
        }
        let opus47 = model("us.anthropic.claude-opus-4-7");
        assert_eq!(super::effort(&opus47, Xhigh).as_deref(), Some("xhigh"));
        assert_eq!(super::effort(&opus47, Max).as_deref(), Some("max"));
        let opus46 = model("us.anthropic.claude-opus-4-6-v1");
        assert_eq!(super::effort(&opus46, Xhigh).as_deref(), Some("high"));
        assert_eq!(super::effort(&opus46, Max).as_deref(), Some("max"));
        // A string map entry wins; a null entry for xhigh/max → high.
        let mut custom = model("anthropic.claude-sonnet-4-6");
        custom.thinking_level_map =
            RVec::from(vec![mapping(Low, Some("medium")), mapping(Max, None)]);
        assert_eq!(super::effort(&custom, Low).as_deref(), Some("medium"));
        assert_eq!(super::effort(&custom, Max).as_deref(), Some("high"));
        // Level adaptive: no output_config.
        assert_eq!(
            fields(&request(opus47, Some(Adaptive))),
            Some(json!({"thinking": {"type": "adaptive", "display": "summarized"}}))
        );
    }

    #[test]
    fn think_06_budget_shape_and_max_tokens() {
        let mut sonnet45 = model("anthropic.claude-sonnet-4-5-20250929-v1:0");
        sonnet45.reasoning = true;
        sonnet45.max_tokens = 64000;
        let mut req = request(sonnet45, Some(Medium));
        req.options.max_tokens = ROption::RSome(4000);
        let got = plan(&req, &Settings::default());
        assert_eq!(
            got.fields,
            Some(json!({
                "thinking": {"type": "enabled", "budget_tokens": 8192, "display": "summarized"},
                "anthropic_beta": ["interleaved-thinking-2025-05-14"]
            }))
        );
        assert_eq!(got.max_tokens, Some(12192));
        assert!(got.removes_sampling() && !got.thinking_adaptive());
        // Default budgets per level.
        let none = ThinkingBudgets::default();
        for (level, budget) in [
            (Minimal, 1024),
            (Low, 2048),
            (Medium, 8192),
            (High, 16384),
            (Xhigh, 16384),
            (Max, 16384),
            (Adaptive, 8192),
        ] {
            assert_eq!(budget_for(level, &none, None), Some(budget), "{level:?}");
        }
        // xhigh/max read thinkingBudgets.high.
        let caller = ThinkingBudgets {
            high: ROption::RSome(20000),
            ..ThinkingBudgets::default()
        };
        assert_eq!(budget_for(Max, &caller, None), Some(20000));
        // Capped by the model: min(base + budget, cap); ≤ budget → budget = max − 1024.
        assert_eq!(
            budget_and_max_tokens(High, &none, None, Some(8192), Some(16384)),
            Some((15360, 16384))
        );
        assert_eq!(
            budget_and_max_tokens(High, &none, None, Some(1000), Some(10000)),
            Some((8976, 10000))
        );
        // Budget below 1024 after the adjustment → not sent.
        assert_eq!(
            budget_and_max_tokens(Minimal, &none, None, Some(500), Some(1024)),
            None
        );
        // Interleaved false drops the beta.
        req.options.interleaved_thinking = ROption::RSome(false);
        assert_eq!(
            fields(&req),
            Some(
                json!({"thinking": {"type": "enabled", "budget_tokens": 8192, "display": "summarized"}})
            )
        );
    }

    #[test]
    fn think_06_low_cap_turns_thinking_off() {
        let mut haiku = model("anthropic.claude-haiku-4-5-20251001-v1:0");
        haiku.reasoning = true;
        haiku.max_tokens = 1500;
        let mut req = request(haiku, Some(High));
        req.options.temperature = ROption::RSome(0.3);
        let got = plan(&req, &Settings::default());
        assert!(got.sent.is_none() && got.fields.is_none());
        assert_eq!(got.max_tokens, Some(1500));
        assert!(!got.removes_sampling());
    }

    #[test]
    fn think_07_plugin_budget_override() {
        let none = ThinkingBudgets::default();
        assert_eq!(budget_for(Low, &none, Some(3000)), Some(3000));
        assert_eq!(budget_for(Max, &none, Some(3000)), Some(3000));
        assert_eq!(budget_for(Low, &none, Some(1000)), None);
        let caller = ThinkingBudgets {
            low: ROption::RSome(4096),
            ..ThinkingBudgets::default()
        };
        assert_eq!(budget_for(Low, &caller, Some(3000)), Some(4096));
        // Through the plan: a plugin value below 1024 disables budget thinking.
        let mut sonnet4 = model("anthropic.claude-sonnet-4-20250514-v1:0");
        sonnet4.reasoning = true;
        sonnet4.max_tokens = 64000;
        let req = request(sonnet4, Some(High));
        let off = plan(&req, &settings(json!({"thinkingBudgetTokens": 512})));
        assert!(off.sent.is_none());
        let on = plan(&req, &settings(json!({"thinkingBudgetTokens": 5000})));
        assert_eq!(
            on.sent,
            Some(Sent::Budget {
                budget_tokens: 5000
            })
        );
        assert_eq!(on.max_tokens, Some(64000));
    }

    #[test]
    fn think_08_plugin_reasoning_effort_default() {
        let req = request(model("anthropic.claude-sonnet-4-6"), None);
        let medium = plan(&req, &settings(json!({"reasoningEffort": "medium"})));
        assert_eq!(medium.level, Some(Medium));
        assert_eq!(
            medium.sent,
            Some(Sent::Adaptive {
                effort: Some("medium".to_owned())
            })
        );
        let none = plan(&req, &settings(json!({"reasoningEffort": "none"})));
        assert_eq!(none.level, Some(Off));
        assert!(none.fields.is_none());
        // The caller's level wins.
        let caller = request(model("anthropic.claude-sonnet-4-6"), Some(High));
        assert_eq!(
            plan(&caller, &settings(json!({"reasoningEffort": "low"}))).level,
            Some(High)
        );
        // Mandatory: none → off → low.
        let fable = request(model("anthropic.claude-fable-5"), None);
        assert_eq!(
            plan(&fable, &settings(json!({"reasoningEffort": "none"}))).level,
            Some(Low)
        );
    }

    #[test]
    fn think_09_sampling_removed_while_thinking() {
        let got = plan(
            &request(model("anthropic.claude-sonnet-4-6"), Some(High)),
            &Settings::default(),
        );
        assert!(got.removes_sampling());
        let none = plan(
            &request(model("anthropic.claude-sonnet-4-6"), None),
            &Settings::default(),
        );
        assert!(!none.removes_sampling());
    }

    #[test]
    fn think_10_11_display_and_gov_cloud() {
        let mut req = request(model("anthropic.claude-sonnet-4-6"), Some(Low));
        req.options.thinking_display =
            ROption::RSome(ThinkingDisplay_NE::new(ThinkingDisplay::Omitted));
        assert_eq!(
            fields(&req),
            Some(
                json!({"thinking": {"type": "adaptive", "display": "omitted"}, "output_config": {"effort": "low"}})
            )
        );
        let gov = json!({"thinking": {"type": "adaptive"}, "output_config": {"effort": "low"}});
        let gov_id = request(model("us-gov.anthropic.claude-sonnet-4-6"), Some(Low));
        assert_eq!(fields(&gov_id), Some(gov.clone()));
        let gov_arn = request(
            model("arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:inference-profile/us-gov.anthropic.claude-sonnet-4-6"),
            Some(Low),
        );
        assert_eq!(fields(&gov_arn), Some(gov.clone()));
        let mut gov_region = request(model("anthropic.claude-sonnet-4-6"), Some(Low));
        gov_region.options.region = ROption::RSome("us-gov-west-1".into());
        assert_eq!(fields(&gov_region), Some(gov.clone()));
        let plain = request(model("anthropic.claude-sonnet-4-6"), Some(Low));
        assert_eq!(
            plan(&plain, &settings(json!({"awsRegion": "us-gov-east-1"}))).fields,
            Some(gov)
        );
    }

    #[test]
    fn think_12_max_wins_over_xhigh_on_native_max_models() {
        let mut opus48 = model("us.anthropic.claude-opus-4-8");
        opus48.thinking_level_map = RVec::from(vec![mapping(Max, Some("xhigh"))]);
        assert_eq!(super::effort(&opus48, Max).as_deref(), Some("max"));
        assert_eq!(super::effort(&opus48, Xhigh).as_deref(), Some("xhigh"));
        // Not natively max: the map entry stays.
        let mut sonnet46 = model("anthropic.claude-sonnet-4-6");
        sonnet46.thinking_level_map = RVec::from(vec![mapping(Max, Some("xhigh"))]);
        assert_eq!(super::effort(&sonnet46, Max).as_deref(), Some("xhigh"));
    }

    #[test]
    fn think_13_native_map_merged_under_model_entries() {
        // Native Opus 4.6 map has xhigh:null → high; a model entry overrides it.
        let mut opus46 = model("us.anthropic.claude-opus-4-6-v1");
        assert_eq!(super::effort(&opus46, Xhigh).as_deref(), Some("high"));
        opus46.thinking_level_map = RVec::from(vec![mapping(Xhigh, Some("max"))]);
        assert_eq!(super::effort(&opus46, Xhigh).as_deref(), Some("max"));
    }

    #[test]
    fn think_14_1m_context_beta() {
        let config = settings(json!({"enable1MContext": true}));
        let mut sonnet4 = model("us.anthropic.claude-sonnet-4-20250514-v1:0");
        sonnet4.reasoning = true;
        sonnet4.max_tokens = 64000;
        assert_eq!(
            plan(&request(sonnet4.clone(), None), &config).fields,
            Some(json!({"anthropic_beta": ["context-1m-2025-08-07"]}))
        );
        let with_thinking = plan(&request(sonnet4.clone(), Some(Minimal)), &config);
        assert_eq!(
            with_thinking
                .fields
                .as_ref()
                .and_then(|f| f.get("anthropic_beta"))
                .cloned(),
            Some(json!([
                "interleaved-thinking-2025-05-14",
                "context-1m-2025-08-07"
            ]))
        );
        let sonnet45 = model("anthropic.claude-sonnet-4-5-20250929-v1:0");
        assert!(plan(&request(sonnet45, None), &config).fields.is_some());
        // Off by default, and not for other models.
        assert!(plan(&request(sonnet4, None), &Settings::default())
            .fields
            .is_none());
        let sonnet46 = model("anthropic.claude-sonnet-4-6");
        assert!(plan(&request(sonnet46, None), &config).fields.is_none());
    }

    #[test]
    fn req_01_stop_details_response_path() {
        for id in [
            "anthropic.claude-fable-5",
            "anthropic.claude-mythos-5",
            "anthropic.claude-opus-5",
            "us.anthropic.claude-sonnet-5",
        ] {
            assert_eq!(
                plan(&request(model(id), None), &Settings::default()).response_field_paths,
                Some(vec!["/stop_details".to_owned()]),
                "{id}"
            );
        }
        for id in ["anthropic.claude-opus-4-7", "amazon.nova-micro-v1:0"] {
            assert!(plan(&request(model(id), None), &Settings::default())
                .response_field_paths
                .is_none());
        }
    }

    #[test]
    fn req_02_adaptive_placeholder_max_tokens_omitted() {
        for placeholder in PLACEHOLDER_MAX_TOKENS {
            let mut mythos = model("us.anthropic.claude-mythos-preview");
            mythos.max_tokens = placeholder;
            let mut req = request(mythos, None);
            assert_eq!(plan(&req, &Settings::default()).max_tokens, None);
            req.options.max_tokens = ROption::RSome(placeholder);
            assert_eq!(
                plan(&req, &Settings::default()).max_tokens,
                Some(placeholder)
            );
        }
        // Not a placeholder, or not an adaptive route: kept.
        let mut opus47 = model("us.anthropic.claude-opus-4-7");
        opus47.max_tokens = 128000;
        assert_eq!(
            plan(&request(opus47, Some(High)), &Settings::default()).max_tokens,
            Some(128000)
        );
        let mut nova = model("amazon.nova-micro-v1:0");
        nova.max_tokens = 8192;
        assert_eq!(
            plan(&request(nova, None), &Settings::default()).max_tokens,
            Some(8192)
        );
    }

    #[test]
    fn ex_s06_sonnet_46_without_level_sends_nothing() {
        assert!(fields(&request(model("anthropic.claude-sonnet-4-6"), None)).is_none());
        assert!(fields(&request(model("us.anthropic.claude-sonnet-4-6-v1"), None)).is_none());
    }

    #[test]
    fn ex_s07_mythos_preview_defaults_to_high() {
        let req = request(model("us.anthropic.claude-mythos-preview"), None);
        let got = plan(&req, &Settings::default());
        assert_eq!(got.level, Some(High));
        assert_eq!(
            got.fields,
            Some(
                json!({"thinking": {"type": "adaptive", "display": "summarized"}, "output_config": {"effort": "high"}})
            )
        );
    }

    #[test]
    fn ex_s08_effort_examples() {
        let mut app =
            model("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123");
        app.name = "Claude Production Opus 4.8".into();
        let cases = [
            (model("anthropic.claude-sonnet-4-6"), Max, "high"),
            (model("us.anthropic.claude-opus-4-6-v1"), Xhigh, "high"),
            (model("anthropic.claude-opus-4.8-v1:0"), Max, "max"),
            (
                with_canonical("production-claude", "claude-opus-4-8"),
                Max,
                "max",
            ),
            (app, Xhigh, "xhigh"),
        ];
        for (model, level, expected) in cases {
            let id = model.id.to_string();
            assert_eq!(
                effort_of(&request(model, Some(level))).as_deref(),
                Some(expected),
                "{id}"
            );
        }
    }

    #[test]
    fn ex_s09_max_tokens() {
        let mut opus = model("us.anthropic.claude-opus-4-7");
        opus.max_tokens = 200000;
        let mut req = request(opus, Some(High));
        assert_eq!(plan(&req, &Settings::default()).max_tokens, Some(200000));
        req.options.max_tokens = ROption::RSome(8000);
        assert_eq!(plan(&req, &Settings::default()).max_tokens, Some(8000));
    }

    #[test]
    fn ex_s10_fable_request_shape() {
        let mut req = request(
            with_canonical("production-fable", "claude-fable-5"),
            Some(High),
        );
        req.model.reasoning = false;
        let got = plan(&req, &Settings::default());
        assert_eq!(
            got.fields,
            Some(
                json!({"thinking": {"type": "adaptive", "display": "summarized"}, "output_config": {"effort": "high"}})
            )
        );
        assert!(got.removes_sampling() && got.thinking_adaptive());
        assert_eq!(
            got.response_field_paths,
            Some(vec!["/stop_details".to_owned()])
        );
    }

    #[test]
    fn ex_s15_alias_map_entries() {
        let cases = [
            (
                "claude-opus-4-8",
                Xhigh,
                mapping(Xhigh, Some("xhigh")),
                "xhigh",
            ),
            ("claude-opus-4-6", Max, mapping(Max, Some("max")), "max"),
            ("claude-opus-4-6", Max, mapping(Max, None), "high"),
        ];
        for (canonical, level, entry, expected) in cases {
            let mut alias = with_canonical("production-claude", canonical);
            alias.thinking_level_map = RVec::from(vec![entry]);
            let req = request(alias, Some(level));
            let got = plan(&req, &Settings::default());
            assert_eq!(
                got.fields,
                Some(
                    json!({"thinking": {"type": "adaptive", "display": "summarized"}, "output_config": {"effort": expected}})
                ),
                "{canonical} {level:?}"
            );
            assert!(got.removes_sampling());
        }
    }

    #[test]
    fn ex_i13_i14_i15_opus_47_48_max_and_xhigh() {
        let opus47 = model("us.anthropic.claude-opus-4-7");
        assert_eq!(
            effort_of(&request(opus47.clone(), Some(Max))).as_deref(),
            Some("max")
        );
        assert_eq!(
            effort_of(&request(opus47, Some(Xhigh))).as_deref(),
            Some("xhigh")
        );
        let mut opus48 = model("us.anthropic.claude-opus-4-8");
        opus48.thinking_level_map = RVec::from(vec![mapping(Max, Some("xhigh"))]);
        let got = plan(&request(opus48, Some(Max)), &Settings::default());
        assert_eq!(
            got.fields,
            Some(
                json!({"thinking": {"type": "adaptive", "display": "summarized"}, "output_config": {"effort": "max"}})
            )
        );
        assert!(got.removes_sampling());
    }
}
