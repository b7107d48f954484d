//! BR-91: structured output. `options.responseFormat = {type: "json_schema", schema, name?,
//! description?}` (the [`keys::RESPONSE_FORMAT`] extension) becomes the request's top-level
//! `outputConfig: {textFormat: {type: "json_schema", structure: {jsonSchema: {schema, name?,
//! description?}}}}`.
//!
//! Bedrock takes the schema as a JSON *string*, not an object; it is serialised here with its
//! key order kept, so what the host wrote is what the model is constrained by. A schema that
//! is not a JSON object can never describe an answer object, so it fails the request before
//! sending rather than costing a round trip and a less specific Bedrock message.
//!
//! [`keys::RESPONSE_FORMAT`]: plugin_api::ext::keys::RESPONSE_FORMAT

use aws_sdk_bedrockruntime::types::{
    JsonSchemaDefinition, OutputConfig, OutputFormat, OutputFormatStructure, OutputFormatType,
};
use plugin_api::chat::ChatOptions;
use plugin_api::error::PluginError;
use serde_json::{Map, Value};

use crate::converse::request::raw_fields::kind;
use crate::converse::request::shape_error::{build_error, invalid};

/// The one `type` Bedrock's `textFormat` knows.
pub const JSON_SCHEMA: &str = "json_schema";

/// Why `options.responseFormat` cannot be sent; each names the field and what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseFormatError {
    #[error("Amazon Bedrock: options.responseFormat is not valid JSON: {0}")]
    NotJson(String),
    #[error("Amazon Bedrock: options.responseFormat must be a JSON object, got {0}")]
    NotObject(&'static str),
    #[error("Amazon Bedrock: options.responseFormat.type must be \"json_schema\", got {0}")]
    Type(String),
    #[error("Amazon Bedrock: options.responseFormat.schema must be a JSON object, got {0}")]
    Schema(&'static str),
    #[error("Amazon Bedrock: options.responseFormat.{field} must be a string, got {got}")]
    NotString {
        field: &'static str,
        got: &'static str,
    },
}

impl From<ResponseFormatError> for PluginError {
    fn from(error: ResponseFormatError) -> Self {
        invalid(error.to_string())
    }
}

/// A validated response format.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseFormat {
    /// The schema object as the host wrote it.
    pub schema: Map<String, Value>,
    pub name: Option<String>,
    pub description: Option<String>,
}

/// The request's response format, `None` when the host set none (or `null`).
pub fn from_options(options: &ChatOptions) -> Result<Option<ResponseFormat>, ResponseFormatError> {
    match options.response_format_json() {
        None => Ok(None),
        Some(json) => parse(json),
    }
}

/// Parses the JSON text of [`plugin_api::ext::keys::RESPONSE_FORMAT`].
pub fn parse(json: &str) -> Result<Option<ResponseFormat>, ResponseFormatError> {
    let value: Value =
        serde_json::from_str(json).map_err(|err| ResponseFormatError::NotJson(err.to_string()))?;
    let mut object = match value {
        Value::Null => return Ok(None),
        Value::Object(object) => object,
        other => return Err(ResponseFormatError::NotObject(kind(&other))),
    };
    match object.get("type") {
        Some(Value::String(ty)) if ty == JSON_SCHEMA => {}
        Some(Value::String(ty)) => return Err(ResponseFormatError::Type(format!("\"{ty}\""))),
        Some(other) => return Err(ResponseFormatError::Type(kind(other).to_owned())),
        None => return Err(ResponseFormatError::Type("nothing".to_owned())),
    }
    let schema = match object.remove("schema") {
        Some(Value::Object(schema)) => schema,
        Some(other) => return Err(ResponseFormatError::Schema(kind(&other))),
        None => return Err(ResponseFormatError::Schema("nothing")),
    };
    Ok(Some(ResponseFormat {
        schema,
        name: optional_string(&object, "name")?,
        description: optional_string(&object, "description")?,
    }))
}

/// An optional string member (`null` counts as unset).
fn optional_string(
    object: &Map<String, Value>,
    field: &'static str,
) -> Result<Option<String>, ResponseFormatError> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(other) => Err(ResponseFormatError::NotString {
            field,
            got: kind(other),
        }),
    }
}

/// The wire `outputConfig` for `format`.
pub fn output_config(format: &ResponseFormat) -> Result<OutputConfig, PluginError> {
    let schema = Value::Object(format.schema.clone()).to_string();
    let definition = JsonSchemaDefinition::builder()
        .schema(schema)
        .set_name(format.name.clone())
        .set_description(format.description.clone())
        .build()
        .map_err(|err| build_error("outputConfig.textFormat.structure.jsonSchema", err))?;
    let text_format = OutputFormat::builder()
        .r#type(OutputFormatType::from(JSON_SCHEMA))
        .structure(OutputFormatStructure::JsonSchema(definition))
        .build()
        .map_err(|err| build_error("outputConfig.textFormat", err))?;
    Ok(OutputConfig::builder().text_format(text_format).build())
}

/// BR-91 for one request: the `outputConfig` to send, if any.
pub fn from_request(options: &ChatOptions) -> Result<Option<OutputConfig>, PluginError> {
    from_options(options)?
        .as_ref()
        .map(output_config)
        .transpose()
}

#[cfg(test)]
mod tests;
