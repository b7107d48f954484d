use super::*;

#[test]
fn disc_22_examples() {
    assert_eq!(
        known_context_window("us.anthropic.claude-opus-4-7"),
        Some(1_000_000)
    );
    assert_eq!(
        known_context_window("anthropic.claude-opus-4-7-v1:0"),
        Some(1_000_000)
    );
    assert_eq!(
        known_context_window("global.amazon.nova-2-lite-v1:0"),
        Some(300_000)
    );
    assert_eq!(known_context_window("meta.llama3-8b-instruct-v1:0"), None);
    assert_eq!(
        known_context_window("anthropic.claude-3-7-sonnet-20250219-v1:0"),
        Some(200_000)
    );
    assert_eq!(
        known_context_window("arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0"),
        Some(128_000)
    );
    assert_eq!(
        known_context_window("anthropic.claude-opus-4.8-v1:0"),
        Some(1_000_000)
    );
    assert_eq!(
        known_context_window("anthropic.claude-sonnet-5-20270101-v1:0"),
        Some(1_000_000)
    );
    assert_eq!(
        known_context_window("mistral.mistral-small-2402-v1:0"),
        Some(32_000)
    );
    assert_eq!(known_context_window("amazon.titan-tg1-large"), None);
}

#[test]
fn disc_21_step_2_and_3_strip_minor_then_version() {
    assert_eq!(
        known_context_window("minimax.minimax-m2:0"),
        Some(1_000_000)
    );
    assert_eq!(known_context_window("zai.glm-5-v1:0"), Some(128_000));
    assert_eq!(
        known_context_window("nvidia.nemotron-nano-9b-v2"),
        Some(128_000)
    );
}

#[test]
fn static_patterns_compile() {
    // Forcing each static compiles its constant pattern.
    assert!(!IDENTITY.as_str().is_empty());
}
