use super::*;
use abi_stable::std_types::{ROption, RString, RVec};
use plugin_api::chat::{
    ChatOptions, KeyValue, Message as HostMessage, ToolChoice as HostToolChoice, ToolChoice_NE,
    ToolDefinition,
};
use plugin_api::model::ModelDefinition;
use serde_json::json;

fn request(model_id: &str) -> ChatRequest {
    ChatRequest {
        model: ModelDefinition::new(model_id, "amazon-bedrock", "bedrock-converse-stream"),
        system_prompt: ROption::RNone,
        messages: RVec::from(vec![HostMessage::user_text("hi")]),
        tools: RVec::new(),
        options: ChatOptions::default(),
    }
}

fn settings(config: serde_json::Value, host: serde_json::Value) -> Settings {
    Settings::parse(&config.to_string(), &host.to_string()).expect("settings")
}

fn stream(req: &ChatRequest, settings: &Settings) -> ConverseInput {
    build(
        req,
        settings,
        &EnvSnapshot::default(),
        Operation::ConverseStream,
        &WarnOnce::default(),
    )
    .expect("valid")
}

#[test]
fn req_01_blank_system_prompt_is_absent() {
    let mut req = request("amazon.nova-micro-v1:0");
    req.system_prompt = ROption::RSome(RString::from("  "));
    let none = Settings::default();
    assert!(stream(&req, &none).system.is_empty());
    req.system_prompt = ROption::RSome(RString::from("Be brief."));
    assert_eq!(
        stream(&req, &none).system,
        vec![SystemContentBlock::Text("Be brief.".into())]
    );
}

#[test]
fn req_01_minimal_input_has_no_optional_fields() {
    let input = stream(&request("amazon.nova-micro-v1:0"), &Settings::default());
    assert_eq!(input.model_id, "amazon.nova-micro-v1:0");
    assert!(input.tool_config.is_none());
    assert!(input.request_metadata.is_none());
    assert!(input.guardrail_config.is_none(), "EX-I18");
    assert!(input.service_tier.is_none());
    assert_eq!(
        input.inference_config,
        InferenceConfiguration::builder().build()
    );
}

#[test]
fn req_02_04_08_inference_config_rules() {
    let mut req = request("amazon.nova-micro-v1:0-req-test");
    req.model.max_tokens = 4096;
    req.options.temperature = ROption::RSome(1.5);
    req.options.top_p = ROption::RSome(-0.2);
    req.options.stop_sequences = RVec::from(vec![
        RString::from("STOP"),
        RString::from(""),
        RString::from("END"),
        RString::from("A"),
        RString::from("B"),
    ]);
    let config = stream(&req, &Settings::default()).inference_config;
    assert_eq!(config.max_tokens(), Some(4096));
    assert_eq!(config.temperature(), Some(1.0));
    assert_eq!(config.top_p(), Some(0.0));
    // REQ-04: order kept, no count limit, only empty entries dropped.
    assert_eq!(config.stop_sequences(), &["STOP", "END", "A", "B"]);
    req.options.max_tokens = ROption::RSome(8000);
    assert_eq!(
        stream(&req, &Settings::default())
            .inference_config
            .max_tokens(),
        Some(8000)
    );
}

#[test]
fn ex_i07_i09_i12_opus_47_family_sends_only_max_tokens() {
    for id in [
        "us.anthropic.claude-opus-4-7",
        "us.anthropic.claude-opus-4-8",
        "us.anthropic.claude-opus-4.7-v1:0",
        "eu.anthropic.claude-opus-4-7",
        "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-opus-4-7",
    ] {
        let mut req = request(id);
        req.options.temperature = ROption::RSome(0.2);
        req.options.top_p = ROption::RSome(0.9);
        req.options.max_tokens = ROption::RSome(10);
        let config = stream(&req, &Settings::default()).inference_config;
        assert_eq!(
            config,
            InferenceConfiguration::builder().max_tokens(10).build(),
            "{id}"
        );
    }
}

#[test]
fn req_05_request_metadata_only_on_converse_stream() {
    let mut req = request("amazon.nova-micro-v1:0");
    req.options.request_metadata = RVec::from(vec![
        KeyValue {
            key: "team".into(),
            value: "search".into(),
        },
        KeyValue {
            key: "bad key!".into(),
            value: "x".into(),
        },
    ]);
    let input = stream(&req, &Settings::default());
    assert_eq!(
        input.request_metadata,
        Some(HashMap::from([("team".to_owned(), "search".to_owned())]))
    );
    let count = build(
        &req,
        &Settings::default(),
        &EnvSnapshot::default(),
        Operation::CountTokens,
        &WarnOnce::default(),
    )
    .expect("valid");
    assert!(count.request_metadata.is_none());
}

#[test]
fn grd_01_guardrail_from_settings_and_grd_02_not_on_count_tokens() {
    let config = json!({"guardrail": {
        "guardrailIdentifier": "my-guardrail-id",
        "guardrailVersion": "1",
        "streamProcessingMode": "sync",
        "trace": "enabled"
    }});
    let settings = settings(config, json!({}));
    let req = request("anthropic.claude-sonnet-4-5-20250929-v1:0");
    let guardrail = stream(&req, &settings).guardrail_config.expect("guardrail");
    assert_eq!(guardrail.config.guardrail_identifier(), "my-guardrail-id");
    assert_eq!(guardrail.config.guardrail_version(), "1");
    assert_eq!(guardrail.config.stream_processing_mode().as_str(), "sync");
    assert_eq!(guardrail.config.trace().as_str(), "enabled");
    assert!(guardrail.unset_keys().is_empty());
    let count = build(
        &req,
        &settings,
        &EnvSnapshot::default(),
        Operation::CountTokens,
        &WarnOnce::default(),
    )
    .expect("valid");
    assert!(count.guardrail_config.is_none());
}

#[test]
fn tier_01_extra_params_merge_with_request_keys_winning() {
    let host = json!({"agents": {"defaults": {
        "params": {"serviceTier": "flex"},
        "models": {"amazon-bedrock/amazon.nova-pro-v1:0": {"params": {"serviceTier": "priority"}}}
    }}});
    let settings = settings(json!({}), host);
    let tier_of = |req: &ChatRequest| {
        stream(req, &settings)
            .service_tier
            .map(|tier| tier.r#type().as_str().to_owned())
    };
    assert_eq!(
        tier_of(&request("amazon.nova-micro-v1:0")).as_deref(),
        Some("flex")
    );
    let mut pro = request("amazon.nova-pro-v1:0");
    assert_eq!(tier_of(&pro).as_deref(), Some("priority"));
    pro.options.extra_params_json = ROption::RSome(r#"{"serviceTier":"default"}"#.into());
    assert_eq!(tier_of(&pro).as_deref(), Some("default"));
    pro.options.extra_params_json = ROption::RSome("[1]".into());
    assert_eq!(
        build(
            &pro,
            &settings,
            &EnvSnapshot::default(),
            Operation::ConverseStream,
            &WarnOnce::default()
        )
        .expect_err("not an object")
        .message
        .as_str(),
        "Amazon Bedrock: options.extraParams must be a JSON object"
    );
}

#[test]
fn tool_02_none_means_no_tool_config_and_text_history() {
    let mut req = request("amazon.nova-micro-v1:0");
    req.tools = RVec::from(vec![ToolDefinition {
        name: "lookup".into(),
        description: ROption::RNone,
        parameters_json: "{}".into(),
        extensions: Default::default(),
    }]);
    assert!(stream(&req, &Settings::default()).tool_config.is_some());
    req.options.tool_choice = ROption::RSome(ToolChoice_NE::new(HostToolChoice::None));
    assert!(stream(&req, &Settings::default()).tool_config.is_none());
}

#[test]
fn ex_s10_fable_alias_forces_auto_and_omits_temperature() {
    let mut req = request("production-fable");
    req.model.params_json = ROption::RSome(r#"{"canonicalModelId":"claude-fable-5"}"#.into());
    req.options.temperature = ROption::RSome(0.2);
    req.options.tool_choice = ROption::RSome(ToolChoice_NE::new(HostToolChoice::Any));
    req.tools = RVec::from(vec![ToolDefinition {
        name: "lookup".into(),
        description: ROption::RNone,
        parameters_json: "{}".into(),
        extensions: Default::default(),
    }]);
    let input = stream(&req, &Settings::default());
    assert_eq!(
        input.inference_config,
        InferenceConfiguration::builder().build()
    );
    // CACHE-01/11: the canonical id makes it policy `claude`; short retention, no ttl.
    use aws_sdk_bedrockruntime::types::{CachePointBlock, CachePointType, ContentBlock};
    assert_eq!(
        input.messages[0].content,
        vec![
            ContentBlock::Text("hi".into()),
            ContentBlock::CachePoint(
                CachePointBlock::builder()
                    .r#type(CachePointType::Default)
                    .build()
                    .expect("cache point")
            ),
        ]
    );
    assert!(matches!(
        input.tool_config.and_then(|c| c.tool_choice().cloned()),
        Some(aws_sdk_bedrockruntime::types::ToolChoice::Auto(_))
    ));
}

#[test]
fn grd_05_latest_message_only_wraps_the_newest_user_turn_only_with_a_guardrail() {
    use aws_sdk_bedrockruntime::types::{
        ContentBlock, GuardrailConverseContentBlock, GuardrailConverseTextBlock,
    };
    let mut req = request("amazon.nova-micro-v1:0");
    // MSG-09 merges both host messages into one Bedrock user message.
    req.messages = RVec::from(vec![
        HostMessage::user_text("earlier turn"),
        HostMessage::user_text("newest turn"),
    ]);
    let guardrail = |latest: Option<bool>| {
        let mut config = json!({"guardrailIdentifier": "gr-1", "guardrailVersion": "1"});
        if let Some(latest) = latest {
            config["latestMessageOnly"] = json!(latest);
        }
        settings(json!({ "guardrail": config }), json!({}))
    };
    let content = |settings: &Settings| stream(&req, settings).messages[0].content.clone();
    let newest = ContentBlock::GuardContent(GuardrailConverseContentBlock::Text(
        GuardrailConverseTextBlock::builder()
            .text("newest turn")
            .build()
            .unwrap(),
    ));
    assert_eq!(
        content(&guardrail(Some(true))),
        [ContentBlock::Text("earlier turn".into()), newest]
    );
    let plain = [
        ContentBlock::Text("earlier turn".into()),
        ContentBlock::Text("newest turn".into()),
    ];
    assert_eq!(content(&guardrail(None)), plain, "default false");
    assert_eq!(content(&guardrail(Some(false))), plain);
    assert_eq!(content(&Settings::default()), plain, "no guardrail");
}

#[test]
fn br_94_params_reach_the_request_fields_and_paths() {
    let req = request("amazon.nova-micro-v1:0");
    let host = json!({"agents": {"defaults": {"models": {"amazon-bedrock/amazon.nova-micro-v1:0": {"params": {
        "additionalModelRequestFields": {"inferenceConfig": {"topK": 20}},
        "additionalModelResponseFieldPaths": ["/stop_sequence"]
    }}}}}});
    let input = stream(&req, &settings(json!({}), host));
    assert_eq!(
        input.additional_model_request_fields,
        Some(tools::json_to_document(
            &json!({"inferenceConfig": {"topK": 20}})
        ))
    );
    assert_eq!(
        input.additional_model_response_field_paths,
        Some(vec!["/stop_sequence".to_owned()])
    );
}
