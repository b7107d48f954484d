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

#[test]
fn disc_23_spec_table_rows() {
    let rows: &[(&str, u64)] = &[
        ("anthropic.claude-opus-4-7", 128_000),
        ("anthropic.claude-opus-4-6-v1", 128_000),
        ("anthropic.claude-opus-4-8", 128_000),
        ("anthropic.claude-sonnet-4-6", 128_000),
        ("anthropic.claude-opus-4-5-20251101-v1:0", 64_000),
        ("anthropic.claude-sonnet-4-5-20250929-v1:0", 64_000),
        ("anthropic.claude-sonnet-4-20250514-v1:0", 64_000),
        ("anthropic.claude-haiku-4-5-20251001-v1:0", 64_000),
        ("anthropic.claude-3-7-sonnet-20250219-v1:0", 64_000),
        ("anthropic.claude-opus-4-1-20250805-v1:0", 32_000),
        ("anthropic.claude-opus-4-20250514-v1:0", 32_000),
        ("anthropic.claude-3-5-sonnet-20241022-v2:0", 8_192),
        ("anthropic.claude-3-5-haiku-20241022-v1:0", 8_192),
        ("anthropic.claude-3-5-sonnet-20240620-v1:0", 4_096),
        ("anthropic.claude-3-haiku-20240307-v1:0", 4_096),
        ("anthropic.claude-3-opus-20240229-v1:0", 4_096),
        ("amazon.nova-micro-v1:0", 10_000),
        ("amazon.nova-lite-v1:0", 10_000),
        ("amazon.nova-pro-v1:0", 10_000),
        ("amazon.nova-premier-v1:0", 10_000),
        ("amazon.nova-2-lite-v1:0", 64_000),
        ("meta.llama3-8b-instruct-v1:0", 8_192),
        ("meta.llama3-70b-instruct-v1:0", 8_192),
        ("meta.llama4-maverick-17b-instruct-v1:0", 8_192),
        ("meta.llama4-scout-17b-instruct-v1:0", 8_192),
        ("meta.llama3-1-8b-instruct-v1:0", 4_096),
        ("meta.llama3-1-405b-instruct-v1:0", 4_096),
        ("meta.llama3-2-90b-instruct-v1:0", 4_096),
        ("meta.llama3-3-70b-instruct-v1:0", 4_096),
    ];
    for (id, limit) in rows {
        assert_eq!(known_max_output_tokens(id), Some(*limit), "{id}");
    }
}

#[test]
fn disc_23_disc_21_key_rules_prefix_arn_and_suffix_steps() {
    assert_eq!(
        known_max_output_tokens("us.anthropic.claude-3-7-sonnet-20250219-v1:0"),
        Some(64_000)
    );
    assert_eq!(
        known_max_output_tokens("GLOBAL.Anthropic.Claude-Opus-4-7"),
        Some(128_000)
    );
    assert_eq!(
        known_max_output_tokens(
            "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-2-lite-v1:0"
        ),
        Some(64_000)
    );
    // Step 2 (`:<digits>`), then step 3 (`-v<digits>`).
    assert_eq!(
        known_max_output_tokens("anthropic.claude-opus-4-6-v1:0"),
        Some(128_000)
    );
    assert_eq!(
        known_max_output_tokens("anthropic.claude-sonnet-4-6-v1:0"),
        Some(128_000)
    );
}

#[test]
fn disc_23_plg_50_family_entries_match_only_at_a_boundary() {
    // `claude-opus-4` (Opus 4, 32000) never matches `claude-opus-4-5` (64000) …
    assert_eq!(
        known_max_output_tokens("anthropic.claude-opus-4-5-20251101-v1:0"),
        Some(64_000)
    );
    // … nor an Opus 4 minor version the table does not know.
    assert_eq!(known_max_output_tokens("anthropic.claude-opus-4-9"), None);
    assert_eq!(
        known_max_output_tokens("anthropic.claude-opus-4-9-v1:0"),
        None
    );
    // A family covers later dates and version suffixes after a boundary …
    assert_eq!(
        known_max_output_tokens("anthropic.claude-opus-4-7-20260301-v1:0"),
        Some(128_000)
    );
    assert_eq!(
        known_max_output_tokens("anthropic.claude-opus-4.8-v1:0"),
        Some(128_000)
    );
    // … but not a longer name without one, nor a further minor version.
    assert_eq!(
        known_max_output_tokens("meta.llama3-10b-instruct-v1:0"),
        None
    );
    assert_eq!(known_max_output_tokens("anthropic.claude-opus-4-75"), None);
    assert_eq!(
        known_max_output_tokens("anthropic.claude-sonnet-4-6-1"),
        None
    );
}

#[test]
fn disc_20_claude_5_family_is_128000_and_others_unknown() {
    for id in [
        "anthropic.claude-opus-5",
        "us.anthropic.claude-sonnet-5-20270101-v1:0",
        "anthropic.claude-fable-5",
        "anthropic.claude-mythos-5-v1:0",
    ] {
        assert_eq!(known_max_output_tokens(id), Some(128_000), "{id}");
    }
    assert_eq!(known_max_output_tokens("amazon.titan-tg1-large"), None);
    assert_eq!(known_max_output_tokens("anthropic.claude-opus-50"), None);
}
