//! The optional Converse features a reply honours: latency-optimized inference (BR-90), structured
//! output (BR-91) and document citations (BR-92).
//!
//! * `performanceConfig.latency: "optimized"` is served optimized only by the models of
//!   [`LATENCY_OPTIMIZED`] (AWS's published list: Claude 3.5 Haiku, Llama 3.1 70B / 405B, Nova Pro);
//!   any other model falls back to standard with HTTP 200 and echoes `{"latency": "standard"}`, as
//!   Bedrock does when the optimized capacity is not available (real-error-messages.md item 7).
//! * `outputConfig.textFormat` of type `json_schema` makes the answer a JSON document built from
//!   the schema (its `structure.jsonSchema.schema` string): every property of an object, strings
//!   `"emulator"`, numbers and integers `1`, booleans `true`, arrays one item, enums their first value.
//! * A `document` with `citations.enabled` in the last user turn makes the answer the greeting in one
//!   text block followed by one citation of the document's first 20 characters (`documentChar`,
//!   document index of that document), as `contentBlockDelta.delta.citation` in a stream and a
//!   `citationsContent` block in Converse. The word `!web-citation` adds a `web` location citation.

use base64::Engine;
use serde_json::{json, Map, Value};

use super::request::messages;

/// Models whose `optimized` latency is served as such.
pub(crate) const LATENCY_OPTIMIZED: [&str; 4] = [
    "anthropic.claude-3-5-haiku-20241022-v1:0",
    "meta.llama3-1-70b-instruct-v1:0",
    "meta.llama3-1-405b-instruct-v1:0",
    "amazon.nova-pro-v1:0",
];

/// The `performanceConfig` echoed for `model`: the requested one, except that `optimized` on a
/// model without latency-optimized inference is served (and echoed) as `standard`.
pub(crate) fn served_performance(req: &Value, model_id: &str) -> Option<Value> {
    let requested = req.get("performanceConfig")?;
    let optimized = requested.get("latency").and_then(Value::as_str) == Some("optimized");
    if optimized && !LATENCY_OPTIMIZED.contains(&model_id) {
        return Some(json!({"latency": "standard"}));
    }
    Some(requested.clone())
}

/// The structured answer for a `json_schema` text format, compact JSON.
pub(crate) fn structured_answer(req: &Value) -> Option<String> {
    let format = req.get("outputConfig")?.get("textFormat")?;
    if format.get("type").and_then(Value::as_str) != Some("json_schema") {
        return None;
    }
    let schema_text = format
        .get("structure")?
        .get("jsonSchema")?
        .get("schema")?
        .as_str()?;
    let schema: Value = serde_json::from_str(schema_text).ok()?;
    Some(example(&schema).to_string())
}

/// A value matching `schema` (see the module docs).
fn example(schema: &Value) -> Value {
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => {
            let mut object = Map::new();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (name, prop) in props {
                    object.insert(name.clone(), example(prop));
                }
            }
            Value::Object(object)
        }
        Some("array") => json!([example(schema.get("items").unwrap_or(&Value::Null))]),
        Some("string") => json!("emulator"),
        Some("integer") | Some("number") => json!(1),
        Some("boolean") => json!(true),
        _ => Value::Null,
    }
}

/// The citations of the reply: for each cited document of the last user turn, one `documentChar`
/// citation of its first 20 characters (wire JSON of a `CitationsDelta` / `Citation`).
pub(crate) fn citations(req: &Value, web: bool) -> Vec<Value> {
    let Some(last) = messages(req)
        .iter()
        .rev()
        .find(|m| m.get("role").and_then(Value::as_str) == Some("user"))
    else {
        return Vec::new();
    };
    let mut documents = 0usize;
    let mut out = Vec::new();
    for block in last
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(doc) = block.get("document") else {
            continue;
        };
        let index = documents;
        documents += 1;
        let enabled = doc
            .get("citations")
            .and_then(|c| c.get("enabled"))
            .and_then(Value::as_bool)
            == Some(true);
        if !enabled {
            continue;
        }
        let bytes = doc
            .get("source")
            .and_then(|s| s.get("bytes"))
            .and_then(Value::as_str)
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        let quote: String = text.chars().take(20).collect();
        let end = quote.chars().count();
        out.push(json!({
            "title": doc.get("name").cloned().unwrap_or(Value::Null),
            "sourceContent": [{"text": quote}],
            "location": {"documentChar": {"documentIndex": index, "start": 0, "end": end}},
        }));
    }
    if web && !out.is_empty() {
        out.push(json!({
            "title": "Emulator web source",
            "source": "https://emulator.example/source",
            "location": {"web": {"url": "https://emulator.example/source", "domain": "emulator.example"}},
        }));
    }
    out
}
