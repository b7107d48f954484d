use super::*;
use serde_json::json;

#[test]
fn hcfg_10_explicit_models_with_defaults() {
    let host = json!({"models": {"providers": {"amazon-bedrock": {
        "baseUrl": "https://bedrock-runtime.us-east-1.amazonaws.com",
        "api": "bedrock-converse-stream",
        "auth": "aws-sdk",
        "models": [
            {"id": "us.anthropic.claude-opus-4-6-v1:0", "name": "Opus", "reasoning": true, "input": ["text", "image"],
             "cost": {"input": 5, "output": 25, "cacheRead": 0.5, "cacheWrite": 6.25}, "contextWindow": 1000000, "maxTokens": 128000},
            {"id": "amazon.nova-micro-v1:0"},
            {"name": "no id"}
        ]
    }}}});
    let view = HostView::parse(&host.to_string()).expect("valid");
    let models = view.explicit_models();
    assert_eq!(models.len(), 2);
    assert_eq!(models[0].name.as_str(), "Opus");
    assert!(models[0].reasoning);
    assert_eq!(models[0].cost.output, 25.0);
    assert_eq!(models[1].name.as_str(), "amazon.nova-micro-v1:0");
    assert_eq!(models[1].input.as_slice(), &[RString::from("text")]);
    assert!(!models[1].reasoning);
}

#[test]
fn hcfg_12_aliases_are_served_and_the_exact_key_wins() {
    let host = json!({"models": {"providers": {
        "bedrock": {"baseUrl": "https://bedrock-runtime.ca-central-1.amazonaws.com", "models": [{"id": "a", "name": "alias"}]},
        "amazon-bedrock": {"baseUrl": "https://bedrock-runtime.eu-central-1.amazonaws.com", "models": [{"id": "A", "name": "exact"}]},
        "openai": {"models": [{"id": "gpt"}]}
    }}});
    let view = HostView::parse(&host.to_string()).expect("valid");
    assert_eq!(view.providers[0].key, "amazon-bedrock");
    assert_eq!(
        view.provider_base_urls()[0],
        "https://bedrock-runtime.eu-central-1.amazonaws.com"
    );
    let models = view.explicit_models();
    assert_eq!(models.len(), 1);
    assert_eq!(models[0].name.as_str(), "exact");
}

#[test]
fn hcfg_13_per_model_params_win() {
    let host = json!({"agents": {"defaults": {
        "params": {"serviceTier": "flex", "other": 1},
        "models": {"amazon-bedrock/m1": {"params": {"serviceTier": "priority"}}}
    }}});
    let view = HostView::parse(&host.to_string()).expect("valid");
    assert_eq!(
        view.params_for("m1").get("serviceTier"),
        Some(&json!("priority"))
    );
    assert_eq!(
        view.params_for("m2").get("serviceTier"),
        Some(&json!("flex"))
    );
}

#[test]
fn emb_02_br_31_memory_search_is_read_only_when_it_selects_bedrock() {
    let host = json!({"agents": {"defaults": {"memorySearch": {
        "provider": "Bedrock",
        "model": "cohere.embed-v4:0",
        "outputDimensionality": 512,
        "remote": {"baseUrl": "https://vpce-0abc.bedrock-runtime.us-east-1.vpce.amazonaws.com"}
    }}}});
    let view = HostView::parse(&host.to_string()).expect("valid");
    assert_eq!(
        view.memory_search,
        Some(MemorySearch {
            model: Some("cohere.embed-v4:0".to_owned()),
            dimensions: Some(512),
            base_url: Some(
                "https://vpce-0abc.bedrock-runtime.us-east-1.vpce.amazonaws.com".to_owned()
            ),
        })
    );
    let other = json!({"agents": {"defaults": {"memorySearch": {"provider": "openai"}}}});
    let view = HostView::parse(&other.to_string()).expect("valid");
    assert_eq!(view.memory_search, None);
}

#[test]
fn br_61_prices_by_exact_id_then_by_base_id_without_the_region_prefix() {
    let host = json!({"models": {"providers": {"amazon-bedrock": {"models": [
        {"id": "anthropic.claude-sonnet-4-6", "cost": {"input": 3, "output": 15, "cacheRead": 0.3, "cacheWrite": 3.75}},
        {"id": "global.anthropic.claude-sonnet-4-6", "cost": {"input": 3.3, "output": 16.5}},
        {"id": "amazon.nova-micro-v1:0"},
    ]}}}});
    let view = HostView::parse(&host.to_string()).expect("valid");
    let cost = |id: &str| view.prices_for(&ModelDefinition::new(id, PROVIDER_ID, API));
    let base = ModelCost {
        input: 3.0,
        output: 15.0,
        cache_read: 0.3,
        cache_write: 3.75,
    };
    assert_eq!(cost("us.anthropic.claude-sonnet-4-6"), base);
    assert_eq!(cost("EU.anthropic.claude-sonnet-4-6"), base);
    assert_eq!(
        cost("global.anthropic.claude-sonnet-4-6"),
        ModelCost {
            input: 3.3,
            output: 16.5,
            cache_read: 0.0,
            cache_write: 0.0,
        }
    );
    // Unpriced everywhere: zeros (BR-60); the model's own prices come first.
    assert_eq!(cost("us.amazon.nova-micro-v1:0"), ModelCost::default());
    let mut own = ModelDefinition::new("us.anthropic.claude-sonnet-4-6", PROVIDER_ID, API);
    own.cost.input = 1.0;
    assert_eq!(view.prices_for(&own), own.cost);
}
