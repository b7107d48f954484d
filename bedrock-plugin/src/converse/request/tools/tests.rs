use super::*;
use plugin_api::model::ModelDefinition;

fn forces_auto(model: &ModelDefinition, thinking_adaptive: bool) -> bool {
    super::forces_auto(&ModelTraits::of(model), thinking_adaptive)
}
use abi_stable::std_types::ROption;

fn tool(name: &str, description: Option<&str>) -> ToolDefinition {
    ToolDefinition {
        name: name.into(),
        description: description.map(Into::into).into(),
        parameters_json: r#"{"type":"object","properties":{"q":{"type":"string"}}}"#.into(),
        extensions: Default::default(),
    }
}

fn model(id: &str) -> ModelDefinition {
    ModelDefinition::new(id, "amazon-bedrock", "bedrock-converse-stream")
}

fn names(config: &ToolConfiguration) -> Vec<String> {
    config
        .tools()
        .iter()
        .filter_map(|tool| match tool {
            Tool::ToolSpec(spec) => Some(spec.name().to_owned()),
            _ => None,
        })
        .collect()
}

#[test]
fn tool_01_sorted_by_name_without_mutating_and_blank_description_omitted() {
    let tools = vec![
        tool("lookup", Some("Look up")),
        tool("calculate", Some("  ")),
    ];
    let before = tools.clone();
    let config = tool_config(&tools, &Choice::Unset, false)
        .expect("valid")
        .expect("config");
    assert_eq!(names(&config), ["calculate", "lookup"]);
    assert_eq!(tools, before, "REQ-06: caller list untouched");
    let Tool::ToolSpec(calculate) = &config.tools()[0] else {
        panic!("tool spec");
    };
    assert_eq!(calculate.description(), None);
    let Tool::ToolSpec(lookup) = &config.tools()[1] else {
        panic!("tool spec");
    };
    assert_eq!(lookup.description(), Some("Look up"));
    assert!(config.tool_choice().is_none(), "TOOL-02: unset → absent");
    assert!(
        config
            .tools()
            .iter()
            .all(|tool| !matches!(tool, Tool::CachePoint(_))),
        "TOOL-04"
    );
}

#[test]
fn tool_02_choice_mapping() {
    let tools = vec![tool("lookup", None)];
    let wire = |choice: Choice| {
        tool_config(&tools, &choice, false)
            .expect("valid")
            .and_then(|config| config.tool_choice().cloned())
    };
    assert!(matches!(wire(Choice::Auto), Some(ToolChoice::Auto(_))));
    assert!(matches!(wire(Choice::Any), Some(ToolChoice::Any(_))));
    match wire(Choice::Tool("lookup".into())) {
        Some(ToolChoice::Tool(specific)) => assert_eq!(specific.name(), "lookup"),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(wire(Choice::Unset), None);
    assert_eq!(
        tool_config(&tools, &Choice::None, false).expect("valid"),
        None
    );
    assert_eq!(tool_config(&[], &Choice::Auto, false).expect("valid"), None);
    assert_eq!(choice(None).expect("unset"), Choice::Unset);
    let any = ToolChoice_NE::new(HostToolChoice::Any);
    assert_eq!(choice(Some(&any)).expect("any"), Choice::Any);
}

#[test]
fn tool_03_forced_choice_becomes_auto_with_adaptive_thinking_or_fable_5() {
    let tools = vec![tool("lookup", None)];
    for forced in [Choice::Any, Choice::Tool("lookup".into())] {
        let config = tool_config(&tools, &forced, true)
            .expect("valid")
            .expect("config");
        assert!(matches!(config.tool_choice(), Some(ToolChoice::Auto(_))));
    }
    assert!(forces_auto(&model("anthropic.claude-fable-5"), false));
    assert!(forces_auto(
        &model("us.anthropic.claude-fable-5-1-v1:0"),
        false
    ));
    let mut alias = model("production-fable");
    alias.params_json = ROption::RSome(r#"{"canonicalModelId":"claude-fable-5"}"#.into());
    assert!(forces_auto(&alias, false));
    assert!(!forces_auto(
        &model("us.anthropic.claude-sonnet-4-6"),
        false
    ));
    assert!(forces_auto(&model("us.anthropic.claude-sonnet-4-6"), true));
}

#[test]
fn tool_05_invalid_tool_name_fails_before_sending() {
    let tools = vec![
        tool("ok_name", None),
        tool("web.search", None),
        tool("b d", None),
    ];
    let error = tool_config(&tools, &Choice::Auto, false).expect_err("invalid");
    assert_eq!(
        error.message.as_str(),
        "Amazon Bedrock tool name \"web.search\" is invalid: it must match [a-zA-Z0-9_-]{1,64}"
    );
    assert!(valid_tool_name(&"a".repeat(64)));
    assert!(!valid_tool_name(&"a".repeat(65)));
    assert!(!valid_tool_name(""));
    assert!(valid_tool_name("get-weather_2"));
    // Not sent at all with toolChoice none: nothing to validate.
    assert_eq!(
        tool_config(&tools, &Choice::None, false).expect("no config"),
        None
    );
}

#[test]
fn json_numbers_keep_their_exact_value() {
    let value: Value =
            serde_json::from_str(r#"{"big":18446744073709551615,"neg":-9007199254740993,"f":1.5,"z":-0,"huge":123456789012345678901234567890}"#)
                .expect("json");
    let Document::Object(map) = json_to_document(&value) else {
        panic!("object");
    };
    assert_eq!(map["big"], Document::Number(Number::PosInt(u64::MAX)));
    assert_eq!(
        map["neg"],
        Document::Number(Number::NegInt(-9_007_199_254_740_993))
    );
    assert_eq!(map["f"], Document::Number(Number::Float(1.5)));
    assert_eq!(map["z"], Document::Number(Number::PosInt(0)));
    assert!(matches!(map["huge"], Document::Number(Number::Float(_))));
}

#[test]
fn msg_03_invalid_stored_arguments_become_empty_object() {
    assert_eq!(parse_arguments(r#"{"path":"#), serde_json::json!({}));
    assert_eq!(parse_arguments(""), serde_json::json!({}));
    assert_eq!(
        parse_arguments(r#"{"path":"/tmp"}"#),
        serde_json::json!({"path":"/tmp"})
    );
}

#[test]
fn tool_01_invalid_schema_names_the_tool() {
    let mut bad = tool("lookup", None);
    bad.parameters_json = "{not json".into();
    let error = tool_config(&[bad], &Choice::Auto, false).expect_err("invalid");
    assert!(error
        .message
        .starts_with("Amazon Bedrock tool \"lookup\" has invalid parameters JSON:"));
}
