//! Tools (TOOL-01..05) and JSON → smithy `Document` conversion.
//!
//! Tool schemas and arguments are caller data: they are converted without loss (numbers keep
//! their exact text where the `Document` number types can hold it) and without touching the
//! caller's list (REQ-06).

use std::collections::HashMap;

use abi_stable::std_types::{ROption, RString};
use aws_sdk_bedrockruntime::types::{
    AnyToolChoice, AutoToolChoice, SpecificToolChoice, Tool, ToolChoice, ToolConfiguration,
    ToolInputSchema, ToolSpecification,
};
use aws_smithy_types::{Document, Number};
use plugin_api::chat::{ToolChoice as HostToolChoice, ToolChoice_NE, ToolDefinition};
use plugin_api::error::PluginError;
use serde_json::Value;

use crate::converse::request::shape_error::{build_error, invalid};
use crate::models::traits::ModelTraits;

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

/// TOOL-03: forced tool use is incompatible with thinking, so `"any"` / `{type:"tool"}`
/// become `auto` when Claude thinking is sent as adaptive, and always for Claude Fable 5
/// (whose thinking is mandatory). The thinking rules decide `thinking_adaptive`.
pub fn forces_auto(traits: &ModelTraits, thinking_adaptive: bool) -> bool {
    thinking_adaptive || traits.fable_5
}

/// An optional host string that is present and not blank (blank text is never sent).
pub fn non_blank(value: &ROption<RString>) -> Option<&str> {
    value
        .as_ref()
        .into_option()
        .map(RString::as_str)
        .filter(|text| !text.trim().is_empty())
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
        let description = non_blank(&tool.description).map(str::to_owned);
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

/// A smithy `Document` as JSON (the inverse of [`json_to_document`]): tool inputs of a
/// Converse answer (BR-95). Object keys come out sorted, since the SDK's `Document` map has
/// lost the service's order and sorted is at least the same on every run; non-finite floats,
/// which JSON cannot hold, become `null`.
pub fn document_to_json(document: &Document) -> Value {
    match document {
        Document::Null => Value::Null,
        Document::Bool(flag) => Value::Bool(*flag),
        Document::Number(Number::PosInt(n)) => Value::from(*n),
        Document::Number(Number::NegInt(n)) => Value::from(*n),
        Document::Number(Number::Float(n)) => {
            serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number)
        }
        Document::String(text) => Value::String(text.clone()),
        Document::Array(items) => Value::Array(items.iter().map(document_to_json).collect()),
        Document::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by_key(|(key, _)| *key);
            Value::Object(
                entries
                    .into_iter()
                    .map(|(key, value)| (key.clone(), document_to_json(value)))
                    .collect(),
            )
        }
    }
}

#[cfg(test)]
mod tests;
