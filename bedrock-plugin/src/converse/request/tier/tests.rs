use super::*;

fn service_tier(
    params: &Map<String, Value>,
    model: &ModelDefinition,
) -> Result<Option<ServiceTier>, PluginError> {
    super::service_tier(params, model, &ModelTraits::of(model))
}
use crate::converse::request::test_log::capture_warnings;
use serde_json::json;

fn model(id: &str) -> ModelDefinition {
    ModelDefinition::new(id, "amazon-bedrock", "bedrock-converse-stream")
}

fn params(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

fn tier_of(value: Value, model: &ModelDefinition) -> Option<String> {
    service_tier(&params(value), model)
        .expect("builds")
        .map(|tier| tier.r#type().as_str().to_owned())
}

#[test]
fn tier_05_examples() {
    let nova = model("amazon.nova-micro-v1:0");
    assert_eq!(
        tier_of(json!({"serviceTier": "flex"}), &nova).as_deref(),
        Some("flex")
    );
    assert_eq!(
        tier_of(json!({"service_tier": "priority"}), &nova).as_deref(),
        Some("priority")
    );
    assert_eq!(
        tier_of(json!({"serviceTier": " Reserved "}), &nova).as_deref(),
        Some("reserved")
    );
    let mut openai = nova.clone();
    openai.api = "openai-completions".into();
    assert_eq!(tier_of(json!({"serviceTier": "flex"}), &openai), None);
    assert_eq!(tier_of(json!({}), &nova), None);
    // serviceTier wins over service_tier.
    assert_eq!(
        tier_of(
            json!({"serviceTier": "flex", "service_tier": "priority"}),
            &nova
        )
        .as_deref(),
        Some("flex")
    );
}

#[test]
fn tier_02_existing_payload_tier_is_kept() {
    let existing = ServiceTier::builder()
        .r#type(ServiceTierType::Priority)
        .build()
        .ok();
    let resolved = service_tier(
        &params(json!({"serviceTier": "flex"})),
        &model("amazon.nova-pro-v1:0"),
    )
    .expect("builds");
    let kept = apply(existing, resolved.clone());
    assert_eq!(
        kept.map(|t| t.r#type().as_str().to_owned()).as_deref(),
        Some("priority")
    );
    assert_eq!(
        apply(None, resolved)
            .map(|t| t.r#type().as_str().to_owned())
            .as_deref(),
        Some("flex")
    );
}

#[test]
fn tier_03_invalid_values_warn_and_inject_nothing() {
    let nova = model("amazon.nova-micro-v1:0");
    let (tiers, warnings) = capture_warnings(|| {
        (
            tier_of(json!({"serviceTier": "not-a-tier"}), &nova),
            tier_of(json!({"service_tier": 3}), &nova),
        )
    });
    assert_eq!(tiers, (None, None));
    assert_eq!(
        warnings,
        vec![
            "ignoring invalid Bedrock service_tier param: not-a-tier".to_owned(),
            "ignoring invalid Bedrock service_tier param: 3".to_owned(),
        ]
    );
}

#[test]
fn tier_04_claude_5_accepts_only_default() {
    let (tiers, warnings) = capture_warnings(|| {
        (
            tier_of(
                json!({"serviceTier": "flex"}),
                &model("us.anthropic.claude-opus-5"),
            ),
            tier_of(
                json!({"serviceTier": "priority"}),
                &model("anthropic.claude-fable-5"),
            ),
            tier_of(
                json!({"serviceTier": "flex"}),
                &model("global.anthropic.claude-sonnet-5"),
            ),
            tier_of(
                json!({"serviceTier": "default"}),
                &model("us.anthropic.claude-opus-5"),
            ),
        )
    });
    assert_eq!(tiers, (None, None, None, Some("default".to_owned())));
    assert_eq!(
        warnings,
        vec![
            "ignoring unsupported Opus 5 Bedrock service tier: flex".to_owned(),
            "ignoring unsupported Fable 5 Bedrock service tier: priority".to_owned(),
            "ignoring unsupported Sonnet 5 Bedrock service tier: flex".to_owned(),
        ]
    );
    // Claude 4.x keeps flex.
    assert_eq!(
        tier_of(
            json!({"serviceTier": "flex"}),
            &model("us.anthropic.claude-sonnet-4-6")
        )
        .as_deref(),
        Some("flex")
    );
}

#[test]
fn static_patterns_compile() {
    // Forcing each static compiles its constant pattern.
    assert!(!CLAUDE_5.as_str().is_empty());
}

/// The tier `extra_params` + `service_tier` pick for `model` under these host params
/// (`agents.defaults.params`, the model's own params) and request `extraParams`.
fn merged_tier(global: Value, per_model: Value, request: Option<Value>) -> Option<String> {
    let nova = model("amazon.nova-micro-v1:0");
    let host = json!({"agents": {"defaults": {
        "params": global,
        "models": {"amazon-bedrock/amazon.nova-micro-v1:0": {"params": per_model}},
    }}});
    let settings =
        crate::settings::Settings::parse("{}", &host.to_string()).expect("settings parse");
    let mut chat = plugin_api::chat::ChatRequest {
        model: nova.clone(),
        system_prompt: abi_stable::std_types::ROption::RNone,
        messages: abi_stable::std_types::RVec::new(),
        tools: abi_stable::std_types::RVec::new(),
        options: plugin_api::chat::ChatOptions::default(),
    };
    chat.options.extra_params_json = request.map(|value| value.to_string().into()).into();
    let merged = crate::converse::request::extra_params(&settings, &chat).expect("params");
    service_tier(&merged, &nova)
        .expect("builds")
        .map(|tier| tier.r#type().as_str().to_owned())
}

#[test]
fn tier_01_spellings_fold_per_params_object_before_the_merge() {
    // A per-model value in either spelling beats a global one in either spelling.
    for (global, per_model, expected) in [
        (
            json!({"serviceTier": "flex"}),
            json!({"service_tier": "priority"}),
            "priority",
        ),
        (
            json!({"service_tier": "flex"}),
            json!({"serviceTier": "priority"}),
            "priority",
        ),
        (
            json!({"service_tier": "flex"}),
            json!({"service_tier": "priority"}),
            "priority",
        ),
        (
            json!({"serviceTier": "flex"}),
            json!({"serviceTier": "priority"}),
            "priority",
        ),
    ] {
        assert_eq!(
            merged_tier(global.clone(), per_model.clone(), None).as_deref(),
            Some(expected),
            "{global} then {per_model}"
        );
    }
    // Within one object `serviceTier` wins over `service_tier`.
    assert_eq!(
        merged_tier(
            json!({"serviceTier": "flex", "service_tier": "priority"}),
            json!({}),
            None
        )
        .as_deref(),
        Some("flex")
    );
    // A `null` per-model value is unset: the global one stays.
    assert_eq!(
        merged_tier(
            json!({"service_tier": "flex"}),
            json!({"serviceTier": null}),
            None
        )
        .as_deref(),
        Some("flex")
    );
    // The request's extraParams are the last object folded and merged.
    assert_eq!(
        merged_tier(
            json!({"serviceTier": "flex"}),
            json!({"serviceTier": "priority"}),
            Some(json!({"service_tier": "default"}))
        )
        .as_deref(),
        Some("default")
    );
}
