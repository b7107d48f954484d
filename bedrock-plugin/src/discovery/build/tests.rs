use super::*;

fn fm(id: &str, name: &str) -> RawFoundationModel {
    RawFoundationModel {
        model_id: id.into(),
        model_name: Some(name.into()),
        provider_name: Some("Anthropic".into()),
        input_modalities: vec!["TEXT".into(), "IMAGE".into()],
        output_modalities: vec!["TEXT".into()],
        response_streaming_supported: Some(true),
        inference_types_supported: vec!["ON_DEMAND".into()],
        lifecycle_status: Some("ACTIVE".into()),
    }
}

fn options() -> BuildOptions {
    BuildOptions {
        region: "us-east-1".into(),
        provider_filter: Vec::new(),
        default_context_window: 32_000,
        default_max_tokens: 4_096,
        use_cross_region_inference: true,
        use_global_inference: true,
    }
}

#[test]
fn disc_14_filter_matches_provider_name_or_id_prefix() {
    let mut mistral = fm("mistral.mistral-large-2407-v1:0", "Mistral Large");
    mistral.provider_name = Some("Mistral AI".into());
    assert!(keep_foundation_model(
        &mistral,
        &normalise_provider_filter(&[" Mistral ".into()])
    ));
    let mut nova = fm("amazon.nova-micro-v1:0", "Nova Micro");
    nova.provider_name = Some("Amazon".into());
    let amazon = normalise_provider_filter(&["amazon".into(), "".into()]);
    assert!(keep_foundation_model(&nova, &amazon));
    assert!(!keep_foundation_model(
        &fm("anthropic.claude-3-haiku-20240307-v1:0", "x"),
        &amazon
    ));
}

#[test]
fn disc_16_mythos_preview_is_dropped() {
    assert!(!keep_foundation_model(
        &fm("anthropic.claude-mythos-preview", "Mythos"),
        &[]
    ));
    assert!(claude::is_mythos_preview(
        "us.anthropic.claude-mythos-preview-v1:0"
    ));
    assert!(!claude::is_mythos_preview("anthropic.claude-mythos-5"));
}

#[test]
fn disc_19_provisioned_only_dropped_empty_kept() {
    let mut provisioned = fm("anthropic.claude-3-haiku-20240307-v1:0:48k", "Haiku 48k");
    provisioned.inference_types_supported = vec!["PROVISIONED".into()];
    assert!(!keep_foundation_model(&provisioned, &[]));
    provisioned.inference_types_supported = Vec::new();
    assert!(keep_foundation_model(&provisioned, &[]));
}

#[test]
fn disc_20_disc_23_claude_37_fields_and_defaults() {
    let definition = foundation_definition(
        &fm(
            "anthropic.claude-3-7-sonnet-20250219-v1:0",
            "Claude 3.7 Sonnet",
        ),
        &options(),
        &[],
    );
    assert_eq!(definition.name.as_str(), "Claude 3.7 Sonnet");
    assert!(definition.reasoning);
    assert_eq!(
        definition.input.as_slice(),
        &[RString::from("text"), RString::from("image")]
    );
    assert_eq!(
        (definition.context_window, definition.max_tokens),
        (200_000, 64_000)
    );
    let mut custom = options();
    custom.default_context_window = 64_000;
    custom.default_max_tokens = 8_192;
    let titan = foundation_definition(&fm("amazon.titan-tg1-large", "Titan"), &custom, &[]);
    assert_eq!((titan.context_window, titan.max_tokens), (64_000, 8_192));
    assert!(!titan.reasoning);
    let opus5 = foundation_definition(
        &fm("anthropic.claude-opus-5", "Claude Opus 5"),
        &options(),
        &[],
    );
    assert_eq!(
        (opus5.context_window, opus5.max_tokens),
        (1_000_000, 128_000)
    );
    assert!(reasoning_for("deepseek.r1-v1:0", "DeepSeek-R1"));
}

#[test]
fn disc_23_profiles_without_a_listed_base_use_the_table_and_default_max_tokens() {
    let profile = |id: &str, arn: &str| RawProfile {
        profile_id: id.into(),
        profile_name: id.into(),
        status: "ACTIVE".into(),
        profile_type: "SYSTEM_DEFINED".into(),
        model_arns: vec![arn.into()],
    };
    let haiku = profile_definition(
        &profile(
            "us.anthropic.claude-haiku-4-5-20251001-v1:0",
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0",
        ),
        &[],
        &options(),
    );
    assert_eq!(haiku.max_tokens, 64_000);
    let mut custom = options();
    custom.default_max_tokens = 8_192;
    let unknown = profile_definition(
        &profile(
            "us.acme.unknown-model-v1:0",
            "arn:aws:bedrock:us-east-1::foundation-model/acme.unknown-model-v1:0",
        ),
        &[],
        &custom,
    );
    assert_eq!(unknown.max_tokens, 8_192);
    custom.default_max_tokens = 0;
    let non_positive = foundation_definition(&fm("amazon.titan-tg1-large", "Titan"), &custom, &[]);
    assert_eq!(non_positive.max_tokens, 4_096);
}

#[test]
fn disc_20_br_93_audio_input_is_kept_in_input_order() {
    let mut model = fm("amazon.nova-2-sonic-v1:0", "Nova 2 Sonic");
    model.input_modalities = vec![
        "AUDIO".into(),
        "TEXT".into(),
        "EMBEDDING".into(),
        "audio".into(),
    ];
    let definition = foundation_definition(&model, &options(), &[]);
    assert_eq!(
        definition.input.as_slice(),
        &[RString::from("audio"), RString::from("text")]
    );
}

#[test]
fn disc_35_canonical_model_id() {
    assert_eq!(
        claude::canonical_model_id("anthropic.claude-opus-4-8-v1:0").as_deref(),
        Some("claude-opus-4-8")
    );
    assert_eq!(
        claude::canonical_model_id("anthropic.claude-haiku-4-5-20251001-v1:0").as_deref(),
        Some("claude-haiku-4-5-20251001")
    );
    assert_eq!(claude::canonical_model_id("amazon.nova-micro-v1:0"), None);
}

#[test]
fn disc_33_base_id_arn_first_then_prefix_for_system_defined() {
    let application = RawProfile {
        profile_id: "us.my-prod-profile".into(),
        profile_type: "APPLICATION".into(),
        status: "ACTIVE".into(),
        model_arns: vec![
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-6".into(),
        ],
        ..Default::default()
    };
    assert_eq!(
        profile_base_id(&application).as_deref(),
        Some("anthropic.claude-sonnet-4-6")
    );
    let no_arn = RawProfile {
        model_arns: Vec::new(),
        ..application.clone()
    };
    assert_eq!(profile_base_id(&no_arn), None);
    let au = RawProfile {
        profile_id: "au.anthropic.claude-sonnet-4-6".into(),
        profile_type: "SYSTEM_DEFINED".into(),
        ..no_arn
    };
    assert_eq!(
        profile_base_id(&au).as_deref(),
        Some("anthropic.claude-sonnet-4-6")
    );
}

#[test]
fn disc_54_profiles_of_embedding_models_are_not_chat_models() {
    let mut embed = fm("cohere.embed-v4:0", "Embed v4");
    embed.output_modalities = vec!["EMBEDDING".into()];
    let profile = RawProfile {
        profile_id: "us.cohere.embed-v4:0".into(),
        profile_name: "US Cohere Embed v4".into(),
        status: "ACTIVE".into(),
        profile_type: "SYSTEM_DEFINED".into(),
        model_arns: vec!["arn:aws:bedrock:us-east-1::foundation-model/cohere.embed-v4:0".into()],
    };
    let models = build_models(&[embed], &[profile], &options());
    assert!(models.is_empty(), "{models:?}");
}

#[test]
fn disc_41_sort_global_first_then_name() {
    let mut models = vec![
        ModelDefinition::new("anthropic.claude-sonnet-4-6", PROVIDER_ID, API),
        ModelDefinition::new("global.anthropic.claude-sonnet-4-6", PROVIDER_ID, API),
    ];
    models[0].name = "Claude Sonnet 4.6".into();
    models[1].name = "Global Claude Sonnet 4.6".into();
    sort_models(&mut models);
    assert_eq!(models[0].id.as_str(), "global.anthropic.claude-sonnet-4-6");
}
