use super::*;
use crate::models::traits::ModelTraits;

fn thinking_profile(model: &ModelDefinition) -> ThinkingProfile {
    super::thinking_profile(ModelTraits::of(model).claude)
}

fn replay_policy(model: &ModelDefinition) -> Option<ReplayPolicy> {
    super::replay_policy(ModelTraits::of(model).claude)
}

fn model(id: &str) -> ModelDefinition {
    ModelDefinition::new(id, "amazon-bedrock", "bedrock-converse-stream")
}

fn names(profile: &ThinkingProfile) -> Vec<&'static str> {
    profile
        .levels
        .iter()
        .filter_map(|level| level.as_enum().ok().map(|level| level.as_str()))
        .collect()
}

#[test]
fn ex_i01_opus_46_offers_adaptive_and_nova_does_not() {
    let opus = thinking_profile(&model("us.anthropic.claude-opus-4-6-v1"));
    assert!(names(&opus).contains(&"adaptive"));
    assert_eq!(
        opus.default_level
            .into_option()
            .and_then(|l| l.as_enum().ok().copied()),
        Some(ThinkingLevel::Adaptive)
    );
    let nova = thinking_profile(&model("amazon.nova-micro-v1:0"));
    assert!(!names(&nova).contains(&"adaptive"));
    assert!(nova.default_level.is_none());
}

#[test]
fn ex_i02_i03_opus_47_and_48_profiles() {
    for id in [
        "us.anthropic.claude-opus-4-7",
        "us.anthropic.claude-opus-4.7-v1:0",
        "eu.anthropic.claude-opus-4-7",
        "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-opus-4-7",
        "us.anthropic.claude-opus-4-8",
        "us.anthropic.claude-opus-4.8-v1:0",
    ] {
        let profile = thinking_profile(&model(id));
        assert_eq!(
            names(&profile),
            ["off", "minimal", "low", "medium", "high", "xhigh", "adaptive", "max"],
            "{id}"
        );
        assert_eq!(
            profile
                .default_level
                .into_option()
                .and_then(|l| l.as_enum().ok().copied()),
            Some(ThinkingLevel::Off),
            "{id}"
        );
    }
}

#[test]
fn ex_i04_replay_policy_for_claude() {
    let policy = replay_policy(&model("us.anthropic.claude-sonnet-4-6-v1")).expect("claude");
    assert_eq!(policy.sanitize_mode.as_str(), "full");
    assert!(policy.preserve_signatures && policy.allow_synthetic_tool_results);
    assert!(replay_policy(&model("amazon.nova-micro-v1:0")).is_none());
}

#[test]
fn static_patterns_compile() {
    // Forcing each static compiles its constant pattern.
    for pattern in [
        &*OPUS_47_48,
        &*CLAUDE_5_NAMED,
        &*OPUS_46,
        &*SONNET_46,
        &*THINKING,
        &*CLAUDE_5_KEY,
        &*GEN3_PLUS,
        &*MYTHOS,
        &*VERSION,
        &*NAME_OPUS_47_48,
        &*NAME_CLAUDE_5,
        &*NAME_OPUS_46,
        &*NAME_SONNET_46,
        &*OPUS_5,
        &*SONNET_4,
        &*OPUS_47_PLUS,
        &*OPUS_5_PLUS,
        &*CLAUDE_5,
        &*EXCLUSIVE,
    ] {
        assert!(!pattern.as_str().is_empty());
    }
}
