//! BR-94: raw `additionalModelRequestFields` and `additionalModelResponseFieldPaths` from the
//! merged params (HCFG-13), so users reach a model feature the day Bedrock ships it, before
//! the plugin knows it.
//!
//! The plugin's own fields (thinking, output config, its `anthropic_beta` entries) win on a
//! conflict, because the plugin's other rules (THINK-*, REQ-02) were decided with them; only
//! `anthropic_beta` is combined, as the union of both lists in order (the plugin's entries
//! first, no duplicates), since each entry switches on an independent beta feature.

use serde_json::{Map, Value};

use crate::converse::request::shape_error::invalid;
use plugin_api::error::PluginError;

/// The param holding raw request fields.
pub const FIELDS_PARAM: &str = "additionalModelRequestFields";
/// The param holding raw response field paths.
pub const PATHS_PARAM: &str = "additionalModelResponseFieldPaths";
/// The one key merged as a union rather than won by the plugin.
const ANTHROPIC_BETA: &str = "anthropic_beta";

/// What the params ask to add to the request.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawFields {
    /// `additionalModelRequestFields` of the params, when set.
    pub fields: Option<Map<String, Value>>,
    /// `additionalModelResponseFieldPaths` of the params (empty when unset).
    pub paths: Vec<String>,
}

/// Reads both params; a value of the wrong shape is a request error naming the param and the
/// shape it must have. `null` counts as unset (PLG-54).
pub fn from_params(params: &Map<String, Value>) -> Result<RawFields, PluginError> {
    let fields = match params.get(FIELDS_PARAM) {
        None | Some(Value::Null) => None,
        Some(Value::Object(fields)) => Some(fields.clone()),
        Some(other) => {
            return Err(invalid(format!(
                "Amazon Bedrock: params.{FIELDS_PARAM} must be a JSON object, got {}",
                kind(other)
            )))
        }
    };
    let paths = match params.get(PATHS_PARAM) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                item.as_str().map(str::to_owned).ok_or_else(|| {
                    invalid(format!(
                        "Amazon Bedrock: params.{PATHS_PARAM}[{index}] must be a string, got {}",
                        kind(item)
                    ))
                })
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(invalid(format!(
                "Amazon Bedrock: params.{PATHS_PARAM} must be an array of strings, got {}",
                kind(other)
            )))
        }
    };
    Ok(RawFields { fields, paths })
}

/// The JSON type name of a value, for error messages.
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The request's `additionalModelRequestFields`: the raw fields deep-merged under the
/// plugin's (plugin keys win; `anthropic_beta` is the union). `None` when both are empty
/// (REQ-01: the field is absent rather than `{}`).
pub fn merge_fields(plugin: Option<Value>, raw: Option<&Map<String, Value>>) -> Option<Value> {
    let Some(raw) = raw else {
        return plugin;
    };
    let plugin = match plugin {
        Some(Value::Object(plugin)) => plugin,
        // The plugin's fields are always an object; anything else cannot be merged into.
        Some(other) => return Some(other),
        None => Map::new(),
    };
    let mut merged = raw.clone();
    for (key, value) in plugin {
        let combined = match (merged.remove(&key), value) {
            (Some(Value::Array(theirs)), Value::Array(ours)) if key == ANTHROPIC_BETA => {
                Value::Array(union(ours, theirs))
            }
            (Some(Value::Object(theirs)), Value::Object(ours)) => deep_merge(theirs, ours),
            (_, ours) => ours,
        };
        merged.insert(key, combined);
    }
    (!merged.is_empty()).then_some(Value::Object(merged))
}

/// `ours` over `theirs`, recursively for nested objects.
fn deep_merge(mut theirs: Map<String, Value>, ours: Map<String, Value>) -> Value {
    for (key, value) in ours {
        let combined = match (theirs.remove(&key), value) {
            (Some(Value::Object(nested_theirs)), Value::Object(nested_ours)) => {
                deep_merge(nested_theirs, nested_ours)
            }
            (_, ours) => ours,
        };
        theirs.insert(key, combined);
    }
    Value::Object(theirs)
}

/// `first` then the entries of `second` not already present, each once.
fn union(first: Vec<Value>, second: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(first.len().saturating_add(second.len()));
    for value in first.into_iter().chain(second) {
        if !out.contains(&value) {
            out.push(value);
        }
    }
    out
}

/// The request's `additionalModelResponseFieldPaths`: the plugin's, then the raw ones not
/// already listed (PLG-54). `None` when there are none.
pub fn merge_paths(plugin: Option<Vec<String>>, raw: &[String]) -> Option<Vec<String>> {
    let mut paths = plugin.unwrap_or_default();
    for path in raw {
        if !paths.contains(path) {
            paths.push(path.clone());
        }
    }
    (!paths.is_empty()).then_some(paths)
}

#[cfg(test)]
mod tests;
