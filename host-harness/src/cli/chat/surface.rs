//! The chat flags for the full Converse surface and how their answers are shown:
//! `--performance standard|optimized` (BR-90), `--json-schema FILE` (BR-91: the answer is
//! printed as the parsed, pretty-printed object, or the parse error with the raw text), `--cite`
//! (BR-92: attached documents allow citations; the answer is followed by a line of numbered markers and a
//! sources list). The served latency is part of the footer's notices (the plugin's warning).

use std::path::Path;

use abi_stable::std_types::RString;
use plugin_api::chat::{ChatOptions, ContentPart, ContentPart_NE};
use plugin_api::event::ResponseSummary;
use plugin_api::ext::{keys, ExtValue};
use serde_json::{json, Value};

/// `--performance`: one of the two latency profiles.
pub fn performance(value: &str) -> Result<String, String> {
    match value {
        "standard" | "optimized" => Ok(value.to_owned()),
        _ => Err("expected one of: standard, optimized".to_owned()),
    }
}

/// `--json-schema FILE`: the `responseFormat` JSON. The file is either a JSON Schema object
/// (named after the file's stem) or a whole `{"type": "json_schema", "schema": …}` format.
pub fn response_format(path: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|err| format!("{} is not valid JSON: {err}", path.display()))?;
    if !value.is_object() {
        return Err(format!(
            "{} must hold a JSON Schema object (or a {{\"type\": \"json_schema\", \"schema\": …}} format)",
            path.display()
        ));
    }
    if value.get("type").and_then(Value::as_str) == Some("json_schema")
        && value.get("schema").is_some()
    {
        return Ok(value.to_string());
    }
    let name = path
        .file_stem()
        .and_then(|stem| stem.to_str())
        .map(|stem| stem.split('.').next().unwrap_or(stem).to_owned());
    let mut format = json!({"type": "json_schema", "schema": value});
    if let Some(name) = name.filter(|name| !name.is_empty()) {
        format["name"] = Value::String(name);
    }
    Ok(format.to_string())
}

/// Sets the flags' extension keys on the request options.
pub fn apply(options: &mut ChatOptions, performance: Option<&str>, format: Option<&str>) {
    if let Some(latency) = performance {
        options
            .extensions
            .set(keys::PERFORMANCE, ExtValue::Text(latency.into()));
    }
    if let Some(format) = format {
        options
            .extensions
            .set(keys::RESPONSE_FORMAT, ExtValue::Json(RString::from(format)));
    }
}

/// `--cite`: documents allow citations (other parts are unchanged).
pub fn cite(part: ContentPart_NE) -> ContentPart_NE {
    match part.as_enum() {
        Ok(ContentPart::Document {
            data,
            mime_type,
            name,
            extensions,
        }) => {
            let mut extensions = extensions.clone();
            extensions.set(keys::DOCUMENT_CITATIONS, ExtValue::Bool(true));
            ContentPart_NE::new(ContentPart::Document {
                data: data.clone(),
                mime_type: mime_type.clone(),
                name: name.clone(),
                extensions,
            })
        }
        _ => part,
    }
}

/// What is printed on stdout after an answer: the structured object (when the text was held
/// back for it) and the citations.
pub fn after_answer(summary: &ResponseSummary, structured_text: Option<&str>) -> String {
    let mut shown = String::new();
    if let Some(text) = structured_text {
        shown.push_str(&structured(text));
    }
    shown.push_str(&citations(summary));
    shown
}

/// BR-91: the parsed object, pretty-printed, or the parse error with the raw text.
pub fn structured(text: &str) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(value) => format!(
            "{}\n",
            serde_json::to_string_pretty(&value).unwrap_or_else(|_| text.to_owned())
        ),
        Err(err) => format!("[structured output is not valid JSON: {err}]\n{text}\n"),
    }
}

/// BR-92: a `[1][2]` marker line after the answer (whose text has ended its line), then
/// `Sources:` with one numbered line each.
pub fn citations(summary: &ResponseSummary) -> String {
    let Some(list) = summary
        .citations_json()
        .and_then(|json| serde_json::from_str::<Vec<Value>>(json).ok())
        .filter(|list| !list.is_empty())
    else {
        return String::new();
    };
    let markers: String = (1..=list.len()).map(|n| format!("[{n}]")).collect();
    let mut shown = format!("{markers}\nSources:\n");
    for (n, citation) in list.iter().enumerate() {
        let mut line = format!("[{}]", n + 1);
        if let Some(title) = citation.get("title").and_then(Value::as_str) {
            line.push_str(&format!(" {title}"));
        }
        if let Some(source) = citation.get("source").and_then(Value::as_str) {
            line.push_str(&format!(" <{source}>"));
        }
        if let Some(location) = citation.get("location").and_then(location) {
            line.push_str(&format!(" ({location})"));
        }
        if let Some(quote) = citation.get("sourceText").and_then(Value::as_str) {
            line.push_str(&format!(": \"{quote}\""));
        }
        shown.push_str(&line);
        shown.push('\n');
    }
    shown
}

/// A location as `documentChar 0: 0-20`, `web example.com`, or the kind's raw JSON.
fn location(location: &Value) -> Option<String> {
    let (kind, at) = location.as_object()?.iter().next()?;
    let range = |index: &str| {
        Some(format!(
            "{kind} {}: {}-{}",
            at.get(index)?,
            at.get("start")?,
            at.get("end")?
        ))
    };
    match kind.as_str() {
        "documentChar" | "documentPage" | "documentChunk" => range("documentIndex"),
        "searchResult" => range("searchResultIndex"),
        "web" => Some(format!(
            "web {}",
            at.get("url").and_then(Value::as_str).unwrap_or_default()
        )),
        _ => Some(location.to_string()),
    }
}

#[cfg(test)]
mod tests;
