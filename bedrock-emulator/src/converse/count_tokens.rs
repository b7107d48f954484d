//! CountTokens: `input.converse` counts like Converse's `inputTokens`; `input.invokeModel.body`
//! (base64 JSON) counts the words of every JSON string in it, whatever the model's body format.

use base64::Engine;
use serde_json::{json, Value};

use super::request::input_words;
use super::text::words;
use crate::error::{ApiError, MALFORMED};

/// CountTokens: `input.converse` (word rule) or `input.invokeModel.body` (words of every JSON string).
pub(crate) fn count_tokens(req: &Value) -> Result<Value, ApiError> {
    let Some(input) = req.get("input") else {
        return Err(ApiError::not_null("input"));
    };
    if let Some(c) = input.get("converse") {
        if !c.is_object() {
            return Err(ApiError::validation(MALFORMED));
        }
        return Ok(json!({"inputTokens": input_words(c)}));
    }
    if let Some(im) = input.get("invokeModel") {
        return invoke_model_tokens(im).map(|n| json!({"inputTokens": n}));
    }
    Err(ApiError::validation(
        "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have exactly one of [converse, invokeModel] set",
    ))
}

fn invoke_model_tokens(invoke_model: &Value) -> Result<usize, ApiError> {
    let Some(body) = invoke_model.get("body").and_then(Value::as_str) else {
        return Err(ApiError::not_null("input.invokeModel.body"));
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|_| ApiError::validation(MALFORMED))?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|_| ApiError::validation(MALFORMED))?;
    Ok(string_words(&v))
}

/// Words of every string in a JSON value.
fn string_words(v: &Value) -> usize {
    match v {
        Value::String(s) => words(s),
        Value::Array(a) => a.iter().map(string_words).sum(),
        Value::Object(o) => o.values().map(string_words).sum(),
        _ => 0,
    }
}
