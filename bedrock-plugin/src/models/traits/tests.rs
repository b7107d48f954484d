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

/// PLG-34: the instance's traits cache answers exactly what parsing answers, keyed by every
/// field the parse reads, so a changed name or params is parsed afresh rather than served
/// from a stale entry; and the TEMP facts follow an application profile's targets.
#[test]
fn plg_34_traits_cache_is_keyed_by_id_name_and_params() {
    let cache = TraitsCache::default();
    let opaque = model("arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc");
    let mut named = opaque.clone();
    named.name = "Claude Opus 4.7".into();
    let aliased = with_params(
        "my-alias",
        r#"{"canonicalModelId":"anthropic.claude-opus-4-7"}"#,
    );
    let plain = with_params("my-alias", "{}");
    for definition in [&opaque, &named, &aliased, &plain, &opaque, &aliased] {
        assert_eq!(cache.of(definition), ModelTraits::of(definition));
    }
    assert!(cache.of(&aliased).omits_temperature);
    assert!(!cache.of(&plain).omits_temperature);
    assert_ne!(
        cache.of(&opaque).thinking_family,
        cache.of(&named).thinking_family
    );

    let targets = cache
        .of(&opaque)
        .with_profile_targets(vec!["anthropic.claude-sonnet-4-6".to_owned()]);
    assert!(!targets.omits_temperature);
    assert!(targets.rejects_temperature_with_top_p);
    let opus = cache
        .of(&opaque)
        .with_profile_targets(vec!["anthropic.claude-opus-4-7".to_owned()]);
    assert!(opus.omits_temperature);
}

/// PLG-34: the cache is bounded.
#[test]
fn plg_34_traits_cache_keeps_at_most_its_capacity() {
    let cache = TraitsCache::default();
    for index in 0..MAX_CACHED_TRAITS + 10 {
        cache.of(&model(&format!("amazon.model-{index}")));
    }
    let entries = cache.entries.lock().expect("lock");
    assert_eq!(entries.len(), MAX_CACHED_TRAITS);
}
