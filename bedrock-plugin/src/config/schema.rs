//! The manifest's `configSchema`, derived from the config types (MAN-01): schemars output
//! post-processed into the keyword subset minimal host validators understand, with keys in a
//! stable order so the checked-in manifest diffs cleanly.

use serde_json::{Map, Value};

use crate::config::{ConfigError, PluginConfig};

/// Keywords the manifest's `configSchema` may use (MAN-01); hosts with minimal
/// validators only understand these.
pub const ALLOWED_SCHEMA_KEYWORDS: [&str; 14] = [
    "type",
    "properties",
    "additionalProperties",
    "required",
    "enum",
    "minimum",
    "maximum",
    "minLength",
    "items",
    "oneOf",
    "const",
    "pattern",
    "description",
    "default",
];

/// The JSON Schema of [`PluginConfig`] in the MAN-01 keyword subset.
///
/// schemars output is post-processed rather than hand-written so that adding a field to
/// the Rust types is all it takes to update the manifest (and the drift test catches a
/// forgotten regeneration).
pub fn config_schema() -> Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12()
        .with(|s| {
            s.inline_subschemas = true;
            s.meta_schema = None;
        })
        .into_generator();
    let schema = generator.into_root_schema_for::<PluginConfig>();
    let mut value = schema.to_value();
    simplify(&mut value);
    value
}

/// Rewrites a schemars schema into the MAN-01 subset: no nullability for optional
/// fields (absence is how "unset" is spelled), no `format`/`title`, keys in a stable,
/// readable order.
fn simplify(value: &mut Value) {
    let Value::Object(obj) = value else {
        return;
    };
    for key in ["$schema", "title", "format", "$defs", "definitions", "$id"] {
        obj.remove(key);
    }
    // `anyOf: [X, {type: null}]` → X (merged with the sibling annotations).
    if let Some(Value::Array(any_of)) = obj.get("anyOf") {
        let non_null: Vec<Value> = any_of
            .iter()
            .filter(|s| s.get("type").and_then(Value::as_str) != Some("null"))
            .cloned()
            .collect();
        if non_null.len() == 1 && any_of.len() == 2 {
            obj.remove("anyOf");
            if let Some(Value::Object(inner)) = non_null.into_iter().next() {
                for (k, v) in inner {
                    obj.entry(k).or_insert(v);
                }
            }
        }
    }
    // `type: [X, "null"]` → X.
    if let Some(Value::Array(types)) = obj.get("type") {
        let kept: Vec<Value> = types
            .iter()
            .filter(|t| t.as_str() != Some("null"))
            .cloned()
            .collect();
        let replacement = if kept.len() == 1 {
            kept.into_iter().next().unwrap_or(Value::Null)
        } else {
            Value::Array(kept)
        };
        obj.insert("type".to_string(), replacement);
    }
    if let Some(Value::Array(values)) = obj.get_mut("enum") {
        values.retain(|v| !v.is_null());
    }
    if obj.get("default").is_some_and(Value::is_null) {
        obj.remove("default");
    }
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        for (_, prop) in props.iter_mut() {
            simplify(prop);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(sub) = obj.get_mut(key) {
            simplify(sub);
        }
    }
    if let Some(Value::Array(subs)) = obj.get_mut("oneOf") {
        for sub in subs {
            simplify(sub);
        }
    }
    // Integers in Rust are unsigned, which schemars spells as `minimum: 0` even where the
    // spec sets no other bound; that matches the spec's minimums, so it stays. But
    // schemars adds `maximum` for u32's range, which the spec does not want.
    if obj.get("maximum").and_then(Value::as_u64) == Some(u64::from(u32::MAX)) {
        obj.remove("maximum");
    }
    reorder(obj);
}

fn reorder(obj: &mut Map<String, Value>) {
    const ORDER: [&str; 15] = [
        "description",
        "type",
        "const",
        "enum",
        "pattern",
        "minLength",
        "minimum",
        "maximum",
        "items",
        "oneOf",
        "default",
        "required",
        "properties",
        "additionalProperties",
        "$ref",
    ];
    let mut old = std::mem::take(obj);
    for key in ORDER {
        if let Some(v) = old.remove(key) {
            obj.insert(key.to_string(), v);
        }
    }
    obj.extend(old);
}

/// A JSON number as the integer keywords see it.
enum Integer {
    Value(i128),
    /// Integral but beyond `i128` (only possible with serde_json's arbitrary precision).
    Huge {
        negative: bool,
    },
    /// A fraction or an exponent form: not an integer on the wire.
    Fraction,
}

fn classify(number: &serde_json::Number) -> Integer {
    if let Some(n) = number.as_u64() {
        return Integer::Value(i128::from(n));
    }
    if let Some(n) = number.as_i64() {
        return Integer::Value(i128::from(n));
    }
    let text = number.to_string();
    let digits = text.strip_prefix('-').unwrap_or(&text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Integer::Fraction;
    }
    match text.parse::<i128>() {
        Ok(n) => Integer::Value(n),
        Err(_) => Integer::Huge {
            negative: text.starts_with('-'),
        },
    }
}

/// CFG-10 / PLG-11: the `integer`, `minimum` and `maximum` keywords of [`config_schema`],
/// checked on the raw JSON before serde sees it. serde would only say `invalid number` for a
/// negative, fractional or oversized value; this says what the host says
/// (`must be >= 0`, `must be <= 31536000`, `expected integer, got number`), and since the
/// bounds are read from the generated schema the plugin and the host cannot disagree.
pub(crate) fn check_integers(value: &Value) -> Result<(), ConfigError> {
    check_integers_at(value, &config_schema(), "")
}

fn check_integers_at(value: &Value, schema: &Value, path: &str) -> Result<(), ConfigError> {
    let (Some(object), Some(properties)) = (
        value.as_object(),
        schema.get("properties").and_then(Value::as_object),
    ) else {
        return Ok(());
    };
    for (key, child) in object {
        let Some(child_schema) = properties.get(key) else {
            continue;
        };
        let child_path = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        match (child_schema.get("type").and_then(Value::as_str), child) {
            (Some("integer"), Value::Number(number)) => {
                check_integer(number, child_schema, &child_path)?
            }
            (Some("object"), _) => check_integers_at(child, child_schema, &child_path)?,
            _ => {}
        }
    }
    Ok(())
}

fn check_integer(
    number: &serde_json::Number,
    schema: &Value,
    path: &str,
) -> Result<(), ConfigError> {
    let fail = |message: String| {
        Err(ConfigError::Invalid {
            path: path.to_owned(),
            message,
        })
    };
    let bound = |key: &str| schema.get(key).and_then(Value::as_i64);
    let (below, above) = match classify(number) {
        Integer::Fraction => return fail("expected integer, got number".to_owned()),
        Integer::Value(n) => (
            bound("minimum").is_some_and(|min| n < i128::from(min)),
            bound("maximum").is_some_and(|max| n > i128::from(max)),
        ),
        Integer::Huge { negative } => (
            negative && bound("minimum").is_some(),
            !negative && bound("maximum").is_some(),
        ),
    };
    match (below, above, bound("minimum"), bound("maximum")) {
        (true, _, Some(min), _) => fail(format!("must be >= {min}")),
        (_, true, _, Some(max)) => fail(format!("must be <= {max}")),
        _ => Ok(()),
    }
}
