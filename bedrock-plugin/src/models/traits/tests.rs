use super::*;

fn model(id: &str) -> ModelDefinition {
    ModelDefinition::new(id, "amazon-bedrock", "bedrock-converse-stream")
}

fn with_params(id: &str, params: &str) -> ModelDefinition {
    let mut model = model(id);
    model.params_json = abi_stable::std_types::ROption::RSome(params.into());
    model
}

#[test]
fn disc_35_one_canonical_id_parser() {
    let parsed = with_params("my-alias", r#"{"canonicalModelId":"  claude-opus-5  "}"#);
    assert_eq!(
        canonical_model_id(&parsed).as_deref(),
        Some("claude-opus-5")
    );
    assert_eq!(
        canonical_model_id(&with_params("x", r#"{"canonicalModelId":"  "}"#)),
        None
    );
    assert_eq!(canonical_model_id(&with_params("x", "not json")), None);
    assert_eq!(canonical_model_id(&model("x")), None);
}

#[test]
fn think_01_evt_20_traits_of_a_claude_5_profile() {
    let traits = ModelTraits::of(&model("us.anthropic.claude-sonnet-5"));
    assert_eq!(traits.claude, Some(ClaudeFamily::Claude5));
    assert_eq!(traits.thinking_family, Some(ClaudeFamily::Claude5));
    assert!(traits.refusal_buffered);
    assert!(!traits.opus_5);
    assert!(!traits.fable_5);
    assert_eq!(traits.base_key, "anthropic.claude-sonnet-5");
    assert_eq!(
        traits.identities().collect::<Vec<_>>(),
        ["us.anthropic.claude-sonnet-5"]
    );
}

#[test]
fn tool_03_think_03_aliases_are_read_through_the_canonical_id() {
    let fable = ModelTraits::of(&with_params(
        "team-alias",
        r#"{"canonicalModelId":"claude-fable-5"}"#,
    ));
    assert!(fable.fable_5);
    let opus = ModelTraits::of(&with_params(
        "team-alias",
        r#"{"canonicalModelId":"claude-opus-5"}"#,
    ));
    assert!(opus.opus_5);
    assert_eq!(
        opus.identities().collect::<Vec<_>>(),
        ["team-alias", "claude-opus-5"]
    );
}

#[test]
fn non_claude_models_have_no_family() {
    let nova = ModelTraits::of(&model("amazon.nova-micro-v1:0"));
    assert_eq!(nova.claude, None);
    assert!(nova.native_level_map.is_empty());
    assert!(ModelTraits::of(&model("openai.gpt-oss-120b-1:0")).lifts_result_images);
}
