//! The chat provider's model hooks the host calls without a request (THINK-13, THINK-20..22):
//! `normalize_model`, `thinking_profile` and `replay_policy`, through the ABI trait object of
//! an in-process instance. None of them does I/O, so the instance has an empty env.

mod common;

use abi_stable::std_types::{ROption, RVec};
use plugin_api::chat::{ReplayPolicy, ThinkingLevel, ThinkingLevel_NE};
use plugin_api::model::{ModelDefinition, ThinkingLevelMapping};
use plugin_api::traits::ChatProviderBox;
use serde_json::json;

/// A model id, the native thinking-level map it should get, and whether it reasons.
type Expectation<'a> = (&'a str, &'a [(&'a str, Option<&'a str>)], bool);
fn provider() -> ChatProviderBox {
    common::instance(json!({}), json!({}), &[]).chat_provider()
}

fn model(id: &str) -> ModelDefinition {
    ModelDefinition::new(id, "amazon-bedrock", "bedrock-converse-stream")
}

/// `(levels, default)` of a model's thinking profile, in wire spellings.
fn profile(provider: &ChatProviderBox, id: &str) -> (Vec<&'static str>, Option<&'static str>) {
    let profile = provider.thinking_profile(&model(id));
    let name = |level: &ThinkingLevel_NE| level.as_enum().map_or("unknown", |l| l.as_str());
    (
        profile.levels.iter().map(name).collect(),
        profile.default_level.as_ref().into_option().map(name),
    )
}

const ALL_LEVELS: [&str; 8] = [
    "off", "minimal", "low", "medium", "high", "xhigh", "adaptive", "max",
];

#[test]
fn think_20_ex_i02_i03_opus_47_and_48_all_levels_default_off() {
    let provider = provider();
    for id in [
        "us.anthropic.claude-opus-4-7",
        "us.anthropic.claude-opus-4.7-v1:0",
        "eu.anthropic.claude-opus-4-7",
        "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-opus-4-7",
        "us.anthropic.claude-opus-4-8",
        "us.anthropic.claude-opus-4.8-v1:0",
        "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-opus-4-8",
    ] {
        assert_eq!(
            profile(&provider, id),
            (ALL_LEVELS.to_vec(), Some("off")),
            "{id}"
        );
    }
}

#[test]
fn think_20_ex_i01_opus_46_sonnet_46_claude_5_and_others() {
    let provider = provider();
    let without = |skip: &[&str]| -> Vec<&'static str> {
        ALL_LEVELS
            .iter()
            .copied()
            .filter(|level| !skip.contains(level))
            .collect()
    };
    // EX-I01: Opus 4.6 offers adaptive and defaults to it; Nova Micro has no adaptive.
    assert_eq!(
        profile(&provider, "us.anthropic.claude-opus-4-6-v1"),
        (without(&["xhigh"]), Some("adaptive"))
    );
    assert_eq!(
        profile(&provider, "amazon.nova-micro-v1:0"),
        (without(&["xhigh", "adaptive", "max"]), None)
    );
    for id in [
        "us.anthropic.claude-sonnet-4-6",
        "anthropic.claude-mythos-preview",
    ] {
        assert_eq!(
            profile(&provider, id),
            (without(&["xhigh", "max"]), Some("adaptive")),
            "{id}"
        );
    }
    for id in [
        "anthropic.claude-fable-5",
        "anthropic.claude-mythos-5",
        "global.anthropic.claude-opus-5",
        "us.anthropic.claude-sonnet-5",
    ] {
        assert_eq!(
            profile(&provider, id),
            (ALL_LEVELS.to_vec(), Some("high")),
            "{id}"
        );
    }
    // The Claude 5 profile does not depend on the catalog's reasoning flag.
    let mut fable = model("anthropic.claude-fable-5");
    fable.reasoning = false;
    assert_eq!(
        provider.thinking_profile(&fable),
        provider.thinking_profile(&model("anthropic.claude-fable-5"))
    );
}

fn mapping(level: ThinkingLevel, effort: Option<&str>) -> ThinkingLevelMapping {
    ThinkingLevelMapping {
        level: ThinkingLevel_NE::new(level),
        effort: effort.map(Into::into).into(),
    }
}

#[test]
fn think_13_21_normalize_model_merges_the_native_map_under_model_entries() {
    let provider = provider();
    // Fable 5: the model's own `max` entry wins, the other native entries are added, and the
    // model reasons although the catalog said otherwise.
    let mut fable = model("anthropic.claude-fable-5");
    fable.reasoning = false;
    fable.thinking_level_map = RVec::from(vec![mapping(ThinkingLevel::Max, Some("high"))]);
    let fable = provider.normalize_model(fable);
    assert_eq!(
        common::level_map(&fable),
        [
            ("max", Some("high")),
            ("off", Some("low")),
            ("minimal", Some("low")),
            ("xhigh", Some("xhigh")),
        ]
    );
    assert!(fable.reasoning);

    // (model id, its expected level map, whether it reasons)
    let expectations: [Expectation; 6] = [
        (
            "us.anthropic.claude-sonnet-5",
            &[
                ("off", Some("low")),
                ("minimal", Some("low")),
                ("xhigh", Some("xhigh")),
                ("max", Some("max")),
            ],
            false,
        ),
        (
            "anthropic.claude-mythos-5",
            &[
                ("off", Some("low")),
                ("minimal", Some("low")),
                ("xhigh", Some("xhigh")),
                ("max", Some("max")),
            ],
            true,
        ),
        (
            "anthropic.claude-opus-5",
            &[("xhigh", Some("xhigh")), ("max", Some("max"))],
            true,
        ),
        (
            "us.anthropic.claude-opus-4-8",
            &[("xhigh", Some("xhigh")), ("max", Some("max"))],
            false,
        ),
        (
            "us.anthropic.claude-opus-4-6-v1",
            &[("xhigh", None), ("max", Some("max"))],
            false,
        ),
        ("amazon.nova-micro-v1:0", &[], false),
    ];
    for (id, map, reasoning) in expectations {
        let normalized = provider.normalize_model(model(id));
        assert_eq!(common::level_map(&normalized), map, "{id}");
        assert_eq!(normalized.reasoning, reasoning, "{id}");
    }
}

#[test]
fn think_22_ex_i04_replay_policy_for_claude_only() {
    let provider = provider();
    let expected = ReplayPolicy {
        sanitize_mode: "full".into(),
        sanitize_tool_call_ids: true,
        tool_call_id_mode: "strict".into(),
        preserve_signatures: true,
        repair_tool_use_result_pairing: true,
        validate_anthropic_turns: true,
        allow_synthetic_tool_results: true,
    };
    assert_eq!(
        provider.replay_policy(&model("us.anthropic.claude-sonnet-4-6-v1")),
        ROption::RSome(expected)
    );
    assert_eq!(
        provider.replay_policy(&model("amazon.nova-micro-v1:0")),
        ROption::RNone
    );
}
