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
