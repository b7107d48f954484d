//! Tool use: which offered tool (if any) the reply calls, and the input it sends — one value per
//! property of the tool's JSON schema, so clients can exercise their tool loop without a model.

use serde_json::{json, Map, Value};

use super::request::{array, messages, Turn};
use super::Block;

fn tool_name(spec: &Value) -> &str {
    spec.get("name").and_then(Value::as_str).unwrap_or("")
}

/// The tool the reply calls, by precedence: `toolChoice.tool`, `!tool=NAME`, then (with `!tool` or
/// `toolChoice.any`) the tool named in T or the first tool, else only a tool named in T.
pub(super) fn choose<'a>(req: &'a Value, turn: &Turn) -> Option<&'a Value> {
    let config = req.get("toolConfig");
    let tools: Vec<&Value> = array(config.and_then(|c| c.get("tools")))
        .iter()
        .filter_map(|t| t.get("toolSpec"))
        .collect();
    if tools.is_empty() {
        return None;
    }
    let by_name = |name: &str| tools.iter().copied().find(|s| tool_name(s) == name);
    let choice = config.and_then(|c| c.get("toolChoice"));
    let forced = choice
        .and_then(|c| c.get("tool"))
        .and_then(|t| t.get("name"))
        .and_then(Value::as_str);
    if let Some(name) = forced {
        return by_name(name);
    }
    if let Some(name) = turn.directive("!tool=") {
        return by_name(name).or(tools.first().copied());
    }
    let named = named_in_text(&tools, turn);
    if turn.has_word("!tool") || choice.and_then(|c| c.get("any")).is_some() {
        return named.or(tools.first().copied());
    }
    named
}

/// The first offered tool whose name is a word of T (ASCII punctuation other than `_`/`-` trimmed).
fn named_in_text<'a>(tools: &[&'a Value], turn: &Turn) -> Option<&'a Value> {
    tools.iter().copied().find(|s| {
        let name = tool_name(s);
        !name.is_empty()
            && turn.words().any(|w| {
                w.trim_matches(|c: char| c.is_ascii_punctuation() && c != '_' && c != '-') == name
            })
    })
}

/// The toolUse block calling `spec`; its id counts the request's messages.
pub(super) fn tool_use(req: &Value, spec: &Value) -> Block {
    Block::ToolUse {
        id: format!("tooluse_emulator_{}", messages(req).len()),
        name: tool_name(spec).to_string(),
        input: tool_input(spec),
    }
}

/// Input JSON: one value per schema property, keys sorted by name.
fn tool_input(spec: &Value) -> String {
    let schema = spec.get("inputSchema").and_then(|s| s.get("json"));
    let mut map = Map::new();
    if let Some(props) = schema
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
    {
        // Sorted by name: clients (e.g. the Rust SDK's Document) may not preserve schema order.
        let mut keys: Vec<&String> = props.keys().collect();
        keys.sort();
        for k in keys {
            map.insert(k.clone(), schema_value(&props[k.as_str()]));
        }
    }
    Value::Object(map).to_string()
}

/// A value of the schema's type (its first `enum` value if it has one).
fn schema_value(schema: &Value) -> Value {
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        return first.clone();
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => json!("emulator"),
        Some("integer") => json!(42),
        Some("number") => json!(4.2),
        Some("boolean") => json!(true),
        Some("array") => json!([]),
        Some("object") => json!({}),
        _ => json!("emulator"),
    }
}
