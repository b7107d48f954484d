//! Tools (TOOL-01..05) and JSON → smithy `Document` conversion.
//!
//! Tool schemas and arguments are caller data: they are converted without loss (numbers keep
//! their exact text where the `Document` number types can hold it) and without touching the
//! caller's list (REQ-06).

use std::collections::HashMap;

use aws_sdk_bedrockruntime::types::{
    AnyToolChoice, AutoToolChoice, SpecificToolChoice, Tool, ToolChoice, ToolConfiguration,
    ToolInputSchema, ToolSpecification,
};
use aws_smithy_types::{Document, Number};
use plugin_api::chat::{ToolChoice as HostToolChoice, ToolChoice_NE, ToolDefinition};
use plugin_api::error::PluginError;
use plugin_api::model::ModelDefinition;
use serde_json::Value;

use crate::converse::request::{build_error, invalid};
use crate::converse::sampling::identities;

/// The caller's tool choice, decoded from the FFI enum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Choice {
    Unset,
    Auto,
    Any,
    None,
    Tool(String),
}

/// TOOL-02: decodes the FFI tool choice; a variant this build does not know fails clearly.
pub fn choice(choice: Option<&ToolChoice_NE>) -> Result<Choice, PluginError> {
    let Some(choice) = choice else {
        return Ok(Choice::Unset);
    };
    match choice.as_enum() {
        Ok(HostToolChoice::Auto) => Ok(Choice::Auto),
        Ok(HostToolChoice::Any) => Ok(Choice::Any),
        Ok(HostToolChoice::None) => Ok(Choice::None),
        Ok(HostToolChoice::Tool { name }) => Ok(Choice::Tool(name.to_string())),
        Ok(_) | Err(_) => Err(invalid(
            "Amazon Bedrock: options.toolChoice is of a kind this plugin version does not know",
        )),
    }
}

/// Whether a `toolConfig` is sent at all: tools offered and toolChoice not `"none"`
/// (TOOL-02; MSG-08 turns history tool blocks into text otherwise).
pub fn enabled(tools: &[ToolDefinition], choice: &Choice) -> bool {
    !tools.is_empty() && *choice != Choice::None
}

/// Claude Fable 5 identities (TOOL-03's second case).
fn is_fable_5(model: &ModelDefinition) -> bool {
    identities(model).iter().any(|id| {
        let key = crate::models::claude::base_model_key(id);
        let key = key.strip_prefix("anthropic.").unwrap_or(&key);
        key.strip_prefix("claude-fable-5")
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['-', '.', ':', '/']))
    })
}

/// TOOL-03: forced tool use is incompatible with thinking, so `"any"` / `{type:"tool"}`
/// become `auto` when Claude thinking is sent as adaptive, and always for Claude Fable 5
/// (whose thinking is mandatory). The thinking rules decide `thinking_adaptive`.
pub fn forces_auto(model: &ModelDefinition, thinking_adaptive: bool) -> bool {
    thinking_adaptive || is_fable_5(model)
}

/// TOOL-05: `[a-zA-Z0-9_-]{1,64}` as a whole.
pub fn valid_tool_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// TOOL-05: fails on the first invalid name in the caller's order; names are never rewritten.
pub fn validate_names(tools: &[ToolDefinition]) -> Result<(), PluginError> {
    match tools.iter().find(|tool| !valid_tool_name(&tool.name)) {
        Some(tool) => Err(invalid(format!(
            "Amazon Bedrock tool name \"{}\" is invalid: it must match [a-zA-Z0-9_-]{{1,64}}",
            tool.name
        ))),
        None => Ok(()),
    }
}

/// A tool's JSON Schema. A blank schema means "no parameters"; invalid JSON fails naming
/// the tool, because sending a guessed schema would change what the model may call.
fn schema(tool: &ToolDefinition) -> Result<Document, PluginError> {
    let text = tool.parameters_json.as_str();
    if text.trim().is_empty() {
        return Ok(Document::Object(HashMap::from([
            ("type".to_owned(), Document::String("object".to_owned())),
            ("properties".to_owned(), Document::Object(HashMap::new())),
        ])));
    }
    let value: Value = serde_json::from_str(text).map_err(|err| {
        invalid(format!(
            "Amazon Bedrock tool \"{}\" has invalid parameters JSON: {err}",
            tool.name
        ))
    })?;
    Ok(json_to_document(&value))
}

fn wire_choice(choice: &Choice, forced_auto: bool) -> Result<Option<ToolChoice>, PluginError> {
    Ok(match choice {
        Choice::Unset | Choice::None => None,
        Choice::Auto => Some(ToolChoice::Auto(AutoToolChoice::builder().build())),
        Choice::Any | Choice::Tool(_) if forced_auto => {
            Some(ToolChoice::Auto(AutoToolChoice::builder().build()))
        }
        Choice::Any => Some(ToolChoice::Any(AnyToolChoice::builder().build())),
        Choice::Tool(name) => Some(ToolChoice::Tool(
            SpecificToolChoice::builder()
                .name(name.clone())
                .build()
                .map_err(|err| build_error("toolChoice", err))?,
        )),
    })
}

/// TOOL-01/02/04/05: the `toolConfig`, or `None` when no tools are offered or the choice is
/// `"none"`. Tools are sorted by name on a copy; no cachePoint is ever placed inside.
pub fn tool_config(
    tools: &[ToolDefinition],
    choice: &Choice,
    forced_auto: bool,
) -> Result<Option<ToolConfiguration>, PluginError> {
    if !enabled(tools, choice) {
        return Ok(None);
    }
    validate_names(tools)?;
    let mut sorted: Vec<&ToolDefinition> = tools.iter().collect();
    sorted.sort_by(|a, b| a.name.as_str().cmp(b.name.as_str()));
    let mut specs = Vec::with_capacity(sorted.len());
    for tool in sorted {
        let description = tool
            .description
            .as_ref()
            .into_option()
            .map(|text| text.as_str())
            .filter(|text| !text.trim().is_empty())
            .map(str::to_owned);
        let spec = ToolSpecification::builder()
            .name(tool.name.as_str())
            .set_description(description)
            .input_schema(ToolInputSchema::Json(schema(tool)?))
            .build()
            .map_err(|err| build_error("tool specification", err))?;
        specs.push(Tool::ToolSpec(spec));
    }
    ToolConfiguration::builder()
        .set_tools(Some(specs))
        .set_tool_choice(wire_choice(choice, forced_auto)?)
        .build()
        .map(Some)
        .map_err(|err| build_error("toolConfig", err))
}

/// MSG-03: the stored arguments as JSON; an unparsable string (e.g. a call cut off
/// mid-stream) becomes `{}` so the history can still be replayed.
pub fn parse_arguments(arguments_json: &str) -> Value {
    serde_json::from_str(arguments_json).unwrap_or_else(|_| Value::Object(Default::default()))
}

/// JSON number → smithy number from its exact text (serde_json keeps it with
/// `arbitrary_precision`): integers that fit stay integers, everything else is a float.
fn number(number: &serde_json::Number) -> Number {
    let text = number.to_string();
    let integral = !text.contains(['.', 'e', 'E']);
    if integral {
        if let Ok(value) = text.parse::<u64>() {
            return Number::PosInt(value);
        }
        if let Ok(value) = text.parse::<i64>() {
            // NegInt is always negative by contract; `-0` is the integer zero.
            return if value < 0 {
                Number::NegInt(value)
            } else {
                Number::PosInt(0)
            };
        }
    }
    Number::Float(text.parse::<f64>().unwrap_or(f64::NAN))
}

/// A JSON value as a smithy `Document` (tool schemas, tool inputs).
pub fn json_to_document(value: &Value) -> Document {
    match value {
        Value::Null => Document::Null,
        Value::Bool(flag) => Document::Bool(*flag),
        Value::Number(n) => Document::Number(number(n)),
        Value::String(text) => Document::String(text.clone()),
        Value::Array(items) => Document::Array(items.iter().map(json_to_document).collect()),
        Value::Object(map) => Document::Object(
            map.iter()
                .map(|(key, value)| (key.clone(), json_to_document(value)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
}
