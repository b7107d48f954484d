//! `host-harness embed` reads the host's memory-search selection (HCFG-14, EMB-02, PLG-104): the model,
//! dimensions and base URL of `agents.defaults.memorySearch` or an agent's override, when its
//! provider is `bedrock`; the command's own options win.

mod common;

use bedrock_emulator::{Emulator, EmulatorOptions, Operation};
use common::cli::{host_config, plugin_config, Setup};
use serde_json::{json, Value};

fn setup_with_agents(agents: Value) -> Setup {
    let emulator = Emulator::start(EmulatorOptions::default()).expect("emulator");
    let mut config = host_config(plugin_config(&emulator), true);
    config["agents"] = agents;
    Setup::from_host_config(emulator, config)
}

fn sent_models(setup: &Setup) -> Vec<String> {
    setup
        .emulator
        .requests_for(Operation::InvokeModel)
        .iter()
        .map(|request| request.model_id.clone().unwrap_or_default())
        .collect()
}

#[test]
fn hcfg_14_emb_02_embed_uses_the_default_memory_search_selection() {
    let setup = setup_with_agents(json!({"defaults": {"memorySearch": {
        "provider": "Bedrock",
        "model": "amazon.titan-embed-text-v2:0",
        "outputDimensionality": 512,
    }}}));
    let run = setup.run(&["embed", "--json", "one"]);
    run.expect_code(0);
    let document = run.json();
    assert_eq!(document["model"], "amazon.titan-embed-text-v2:0");
    assert_eq!(document["embeddings"][0]["dimensions"], 512);
    let body = setup.emulator.requests_for(Operation::InvokeModel)[0]
        .json()
        .expect("JSON body");
    assert_eq!(body["dimensions"], 512);
    // The command's own option wins over the host's selection.
    let run = setup.run(&["embed", "--json", "--dimensions", "256", "one"]);
    run.expect_code(0);
    assert_eq!(run.json()["embeddings"][0]["dimensions"], 256);
}

#[test]
fn hcfg_14_an_agent_override_selects_its_own_model_and_another_provider_is_ignored() {
    let setup = setup_with_agents(json!({
        "defaults": {"memorySearch": {"provider": "openai", "model": "text-embedding-3-small"}},
        "list": [{"id": "research", "memorySearch": {"provider": "bedrock", "model": "cohere.embed-english-v3"}}],
    }));
    let run = setup.run(&["embed", "--json", "--agent", "research", "one"]);
    run.expect_code(0);
    assert_eq!(run.json()["model"], "cohere.embed-english-v3");
    // The defaults name another provider: their model is not Bedrock's, the default applies.
    let run = setup.run(&["embed", "--json", "one"]);
    run.expect_code(0);
    assert_eq!(run.json()["model"], "amazon.titan-embed-text-v2:0");
    assert_eq!(
        sent_models(&setup),
        ["cohere.embed-english-v3", "amazon.titan-embed-text-v2:0"]
    );
}
