//! Config-validation vocabulary a host and a plugin must share (enabled by the `json` feature).
//!
//! A host validates a plugin's config against the manifest's JSON Schema before it loads the
//! plugin; the plugin validates the same config again when it parses it. Both report errors to
//! the same user, so they must say the same words for the same mistake: the JSON type names and
//! the secret-shape sentences live here once.

use serde_json::Value;

/// The reason given for a secret that is neither a non-empty string nor an env reference.
pub const SECRET_SHAPE_MESSAGE: &str =
    r#"must be a non-empty string or {"source":"env","id":"<VAR>"}"#;

/// The reason given for a whitespace-only literal secret.
pub const BLANK_SECRET_MESSAGE: &str = "must not be blank";

/// The JSON type name of a value as validation messages spell it: whole numbers are
/// `integer`, other numbers `number` (as JSON Schema's `type` keyword names them).
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_type_names_integers_apart_from_numbers() {
        assert_eq!(json_type(&json!(3)), "integer");
        assert_eq!(json_type(&json!(-3)), "integer");
        assert_eq!(json_type(&json!(3.5)), "number");
        assert_eq!(json_type(&json!(null)), "null");
        assert_eq!(json_type(&json!(true)), "boolean");
        assert_eq!(json_type(&json!("s")), "string");
        assert_eq!(json_type(&json!([])), "array");
        assert_eq!(json_type(&json!({})), "object");
    }
}
