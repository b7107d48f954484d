use super::*;
use abi_stable::std_types::RString;

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

fn fm(id: &str, inputs: &[&str]) -> RawFoundationModel {
    RawFoundationModel {
        model_id: id.into(),
        model_name: Some(id.into()),
        provider_name: None,
        input_modalities: inputs.iter().map(|m| m.to_string()).collect(),
        output_modalities: vec!["TEXT".into()],
        response_streaming_supported: Some(true),
        inference_types_supported: vec!["ON_DEMAND".into()],
        lifecycle_status: Some("ACTIVE".into()),
    }
}

fn input(model: &ModelDefinition) -> Vec<&str> {
    model.input.iter().map(RString::as_str).collect()
}

#[test]
fn br_85_prompt_router_intersection_and_smallest_known_limits() {
    let foundation = [
        fm("anthropic.claude-3-haiku-20240307-v1:0", &["TEXT", "IMAGE"]),
        fm(
            "anthropic.claude-3-7-sonnet-20250219-v1:0",
            &["TEXT", "IMAGE"],
        ),
        fm("meta.llama3-70b-instruct-v1:0", &["TEXT"]),
    ];
    let router = RawRouter {
        arn: "arn:aws:bedrock:us-east-1:123456789012:default-prompt-router/anthropic:1".into(),
        name: "Anthropic Prompt Router".into(),
        model_arns: vec![
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
                .into(),
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0".into(),
        ],
    };
    let model = router_definition(&router, &foundation, &options());
    assert_eq!(model.id.as_str(), router.arn);
    assert_eq!(model.name.as_str(), "Anthropic Prompt Router");
    assert_eq!(input(&model), ["text", "image"]);
    assert!(!model.reasoning);
    assert_eq!((model.context_window, model.max_tokens), (200_000, 4_096));
    assert_eq!(model.source(), Some("prompt-routers"));
    let mixed = RawRouter {
        model_arns: vec![
            router.model_arns[0].clone(),
            "arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-70b-instruct-v1:0".into(),
        ],
        ..router.clone()
    };
    assert_eq!(
        input(&router_definition(&mixed, &foundation, &options())),
        ["text"]
    );
    let unknown = RawRouter {
        model_arns: vec!["arn:aws:bedrock:us-east-1::foundation-model/acme.x".into()],
        ..router
    };
    let defaults = router_definition(&unknown, &foundation, &options());
    assert_eq!(
        (defaults.context_window, defaults.max_tokens),
        (32_000, 4_096)
    );
}

#[test]
fn br_85_custom_provisioned_imported_and_provider_filter() {
    let foundation = [fm(
        "anthropic.claude-3-haiku-20240307-v1:0",
        &["TEXT", "IMAGE"],
    )];
    let mut filtered = options();
    filtered.provider_filter = vec!["amazon".into()];
    let provisioned = Fetched::Provisioned(vec![RawProvisioned {
        arn: "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc".into(),
        name: "haiku-pt".into(),
        foundation_model_arn:
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
                .into(),
    }]);
    let listed = definitions(&provisioned, &foundation, &options());
    assert_eq!(listed.len(), 1);
    assert_eq!(input(&listed[0]), ["text", "image"]);
    assert_eq!(listed[0].context_window, 200_000);
    assert!(definitions(&provisioned, &foundation, &filtered).is_empty());
    let custom = Fetched::Custom(vec![(
        RawCustomDeployment {
            arn: "arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/d1".into(),
            name: "support-bot".into(),
            model_arn: "arn:aws:bedrock:us-east-1:123456789012:custom-model/m1".into(),
        },
        Some("arn:aws:bedrock:us-east-1::foundation-model/acme.unlisted".into()),
    )]);
    let custom = definitions(&custom, &foundation, &filtered);
    assert_eq!(
        custom.len(),
        1,
        "an unknown base has no known provider: kept"
    );
    assert_eq!(input(&custom[0]), ["text"]);
    assert_eq!(
        (custom[0].context_window, custom[0].max_tokens),
        (32_000, 4_096)
    );
    let imported = Fetched::Imported(vec![RawImported {
        arn: "arn:aws:bedrock:us-east-1:123456789012:imported-model/i1".into(),
        name: "my-llama".into(),
    }]);
    let imported = definitions(&imported, &foundation, &filtered);
    assert_eq!(
        imported[0].id.as_str(),
        "arn:aws:bedrock:us-east-1:123456789012:imported-model/i1"
    );
    assert_eq!(imported[0].source(), Some("imported-models"));
}
