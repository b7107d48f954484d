use super::*;
use serde_json::json;

fn config(value: Value) -> HostConfig {
    HostConfig::from_value(value).expect("host config")
}

#[test]
fn hcfg_14_emb_02_defaults_select_bedrock_with_model_dimensions_and_base_url() {
    let host = config(json!({"agents": {"defaults": {"memorySearch": {
        "provider": "BedRock",
        "model": "cohere.embed-english-v3",
        "outputDimensionality": 1024,
        "remote": {"baseUrl": "https://bedrock-runtime.eu-west-1.amazonaws.com"},
    }}}}));
    let search = host.memory_search(None);
    assert_eq!(
        search,
        MemorySearch {
            provider: Some("BedRock".into()),
            model: Some("cohere.embed-english-v3".into()),
            output_dimensionality: Some(1024),
            base_url: Some("https://bedrock-runtime.eu-west-1.amazonaws.com".into()),
        }
    );
    assert!(search.selects_bedrock(), "case-insensitive");
    let request = search.request();
    assert_eq!(request.model.as_str(), "cohere.embed-english-v3");
    assert_eq!(request.output_dimensionality, ROption::RSome(1024));
    assert_eq!(
        request.base_url.as_ref().into_option().map(RString::as_str),
        Some("https://bedrock-runtime.eu-west-1.amazonaws.com")
    );
}

#[test]
fn hcfg_14_an_agent_override_replaces_default_keys_one_by_one() {
    let host = config(json!({"agents": {
        "defaults": {"memorySearch": {"provider": "openai", "model": "text-embedding-3-small"}},
        "list": [
            {"id": "other", "memorySearch": {"provider": "local"}},
            {"id": "research", "memorySearch": {"provider": "bedrock", "model": "amazon.titan-embed-text-v2:0", "outputDimensionality": 512}},
            {"id": "plain"},
        ],
    }}));
    assert!(!host.memory_search(None).selects_bedrock());
    let research = host.memory_search(Some("research"));
    assert!(research.selects_bedrock());
    assert_eq!(
        research.model.as_deref(),
        Some("amazon.titan-embed-text-v2:0")
    );
    assert_eq!(research.output_dimensionality, Some(512));
    // An agent without its own memorySearch keeps the defaults.
    assert_eq!(host.memory_search(Some("plain")), host.memory_search(None));
    // An empty config selects nothing; the request then asks for the provider's default model.
    let empty = config(json!({})).memory_search(None);
    assert!(!empty.selects_bedrock());
    assert_eq!(empty.request().model.as_str(), "");
}
