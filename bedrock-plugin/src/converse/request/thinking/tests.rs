use super::*;

// The shaping steps take the traits `request::build` parses once; these tests parse them
// per call.
fn route(model: &ModelDefinition) -> Route {
    super::route(&ModelTraits::of(model))
}

fn effort(model: &ModelDefinition, level: ThinkingLevel) -> Option<String> {
    super::effort(model, &ModelTraits::of(model), level)
}

fn plan(request: &ChatRequest, settings: &Settings) -> ThinkingPlan {
    super::plan(
        request,
        &ModelTraits::of(&request.model),
        settings,
        &EnvSnapshot::default(),
    )
}
use abi_stable::std_types::{ROption, RString, RVec};
use plugin_api::chat::{Message as HostMessage, ThinkingDisplay_NE, ThinkingLevel_NE};

fn model(id: &str) -> ModelDefinition {
    ModelDefinition::new(id, "amazon-bedrock", "bedrock-converse-stream")
}

fn with_canonical(id: &str, canonical: &str) -> ModelDefinition {
    let mut model = model(id);
    model.params_json = ROption::RSome(format!(r#"{{"canonicalModelId":"{canonical}"}}"#).into());
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
            self::effort(&sonnet46, level).as_deref(),
            effort,
            "{level:?}"
        );
    }
    let opus47 = model("us.anthropic.claude-opus-4-7");
    assert_eq!(self::effort(&opus47, Xhigh).as_deref(), Some("xhigh"));
    assert_eq!(self::effort(&opus47, Max).as_deref(), Some("max"));
    let opus46 = model("us.anthropic.claude-opus-4-6-v1");
    assert_eq!(self::effort(&opus46, Xhigh).as_deref(), Some("high"));
    assert_eq!(self::effort(&opus46, Max).as_deref(), Some("max"));
    // A string map entry wins; a null entry for xhigh/max → high.
    let mut custom = model("anthropic.claude-sonnet-4-6");
    custom.thinking_level_map = RVec::from(vec![mapping(Low, Some("medium")), mapping(Max, None)]);
    assert_eq!(self::effort(&custom, Low).as_deref(), Some("medium"));
    assert_eq!(self::effort(&custom, Max).as_deref(), Some("high"));
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
    // REQ-02 base min(64000, requestMaxTokens 32000) plus the budget (THINK-06).
    assert_eq!(on.max_tokens, Some(37000));
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
    assert_eq!(self::effort(&opus48, Max).as_deref(), Some("max"));
    assert_eq!(self::effort(&opus48, Xhigh).as_deref(), Some("xhigh"));
    // Not natively max: the map entry stays.
    let mut sonnet46 = model("anthropic.claude-sonnet-4-6");
    sonnet46.thinking_level_map = RVec::from(vec![mapping(Max, Some("xhigh"))]);
    assert_eq!(self::effort(&sonnet46, Max).as_deref(), Some("xhigh"));
}

#[test]
fn think_13_native_map_merged_under_model_entries() {
    // Native Opus 4.6 map has xhigh:null → high; a model entry overrides it.
    let mut opus46 = model("us.anthropic.claude-opus-4-6-v1");
    assert_eq!(self::effort(&opus46, Xhigh).as_deref(), Some("high"));
    opus46.thinking_level_map = RVec::from(vec![mapping(Xhigh, Some("max"))]);
    assert_eq!(self::effort(&opus46, Xhigh).as_deref(), Some("max"));
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
    // Not a placeholder, or not an adaptive route: min(model.maxTokens, requestMaxTokens).
    let mut opus47 = model("us.anthropic.claude-opus-4-7");
    opus47.max_tokens = 128000;
    assert_eq!(
        plan(&request(opus47, Some(High)), &Settings::default()).max_tokens,
        Some(32000)
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
fn ex_s09_req_02_max_tokens() {
    let mut opus = model("us.anthropic.claude-opus-4-7");
    opus.max_tokens = 200000;
    let mut req = request(opus, Some(High));
    let raised = plan(&req, &settings(json!({"requestMaxTokens": 200000})));
    assert_eq!(raised.max_tokens, Some(200000));
    assert_eq!(raised.request_max_tokens_cap, None);
    let default = plan(&req, &Settings::default());
    assert_eq!(default.max_tokens, Some(32000));
    assert_eq!(default.request_max_tokens_cap, Some((32000, 200000)));
    req.options.max_tokens = ROption::RSome(8000);
    let explicit = plan(&req, &Settings::default());
    assert_eq!(explicit.max_tokens, Some(8000));
    assert_eq!(explicit.request_max_tokens_cap, None);
}

#[test]
fn req_02_model_limit_below_request_max_tokens_is_sent_as_is() {
    let mut nova = model("amazon.nova-pro-v1:0");
    nova.max_tokens = 10000;
    let got = plan(&request(nova, None), &Settings::default());
    assert_eq!(got.max_tokens, Some(10000));
    assert_eq!(got.request_max_tokens_cap, None);
}

#[test]
fn req_02_request_max_tokens_caps_non_claude_models_too() {
    let mut llama = model("meta.llama3-70b-instruct-v1:0");
    llama.max_tokens = 128000;
    let got = plan(
        &request(llama, None),
        &settings(json!({"requestMaxTokens": 5000})),
    );
    assert_eq!(got.max_tokens, Some(5000));
    assert_eq!(got.request_max_tokens_cap, Some((5000, 128000)));
}

#[test]
fn req_02_plg_15_model_without_max_tokens_leaves_it_omitted() {
    let got = plan(
        &request(model("amazon.nova-micro-v1:0"), None),
        &Settings::default(),
    );
    assert_eq!(got.max_tokens, None);
    assert_eq!(got.request_max_tokens_cap, None);
}

#[test]
fn req_02_adaptive_placeholder_wins_over_request_max_tokens() {
    let mut mythos = model("us.anthropic.claude-mythos-preview");
    mythos.max_tokens = 16384;
    let got = plan(
        &request(mythos, None),
        &settings(json!({"requestMaxTokens": 1000})),
    );
    assert_eq!(got.max_tokens, None);
    assert_eq!(got.request_max_tokens_cap, None);
}

#[test]
fn req_02_think_06_budget_adds_to_the_request_max_tokens_base() {
    let mut sonnet45 = model("anthropic.claude-sonnet-4-5-20250929-v1:0");
    sonnet45.reasoning = true;
    sonnet45.max_tokens = 64000;
    let got = plan(&request(sonnet45, Some(High)), &Settings::default());
    assert_eq!(
        got.sent,
        Some(Sent::Budget {
            budget_tokens: 16384
        })
    );
    // min(32000 + 16384, 64000): thinking changed the limit, so no requestMaxTokens warning.
    assert_eq!(got.max_tokens, Some(48384));
    assert_eq!(got.request_max_tokens_cap, None);
}

#[test]
fn think_07_plugin_budget_is_clamped_to_its_maximum() {
    // A config built in code (not parsed) with an oversized budget: clamped to 1000000, then
    // capped by the model's limit per THINK-06, never overflowing.
    let mut settings = Settings::default();
    settings.config.thinking_budget_tokens = Some(u64::MAX);
    let mut sonnet4 = model("anthropic.claude-sonnet-4-20250514-v1:0");
    sonnet4.reasoning = true;
    sonnet4.max_tokens = 64000;
    let got = plan(&request(sonnet4, Some(High)), &settings);
    assert_eq!(got.max_tokens, Some(64000));
    assert_eq!(
        got.sent,
        Some(Sent::Budget {
            budget_tokens: 62976
        })
    );
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

#[test]
fn reg_13_think_11_a_govcloud_region_from_the_env_or_discovery_region_omits_display() {
    let request = request(model("anthropic.claude-sonnet-4-6"), Some(Low));
    let traits = ModelTraits::of(&request.model);
    let fields_with = |settings: &Settings, env: &[(&str, &str)]| {
        super::plan(
            &request,
            &traits,
            settings,
            &EnvSnapshot::from_pairs(env.iter().copied()),
        )
        .fields
    };
    let gov = json!({"thinking": {"type": "adaptive"}, "output_config": {"effort": "low"}});
    let commercial = json!({"thinking": {"type": "adaptive", "display": "summarized"}, "output_config": {"effort": "low"}});
    let plain = Settings::default();
    assert_eq!(
        fields_with(&plain, &[("AWS_REGION", "us-gov-west-1")]),
        Some(gov.clone())
    );
    assert_eq!(
        fields_with(&plain, &[("AWS_DEFAULT_REGION", "us-gov-east-1")]),
        Some(gov.clone())
    );
    assert_eq!(
        fields_with(
            &settings(json!({"discovery": {"region": "us-gov-west-1"}})),
            &[]
        ),
        Some(gov.clone())
    );
    // A commercial region earlier in the REG-01 order wins over a GovCloud env region.
    assert_eq!(
        fields_with(
            &settings(json!({"awsRegion": "us-east-1"})),
            &[("AWS_REGION", "us-gov-west-1")]
        ),
        Some(commercial.clone())
    );
    assert_eq!(fields_with(&plain, &[]), Some(commercial));
}
