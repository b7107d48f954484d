//! BR-92: the answer's citations, in the order Bedrock sent them, each with the answer text it
//! covers.
//!
//! Streamed citations arrive as `contentBlockDelta.delta.citation` inside a text block; the
//! text they cite is that block's text (Bedrock cuts the answer into one block per cited
//! passage), which may stream before or after the citation. So the text is filled in when the
//! list is read, not when the citation arrives. The list travels on the final summary under
//! [`keys::RESPONSE_CITATIONS`]: a new `StreamEvent` variant would change the interface
//! layout (plugin-api CHANGELOG).
//!
//! A location kind the SDK does not know reaches the plugin as its `Unknown` variant, whose
//! content the SDK's deserializer has already discarded; it is kept as `{"unknown": {}}`
//! (PLG-82), so the citation is never dropped and a host sees that a location existed.
//!
//! [`keys::RESPONSE_CITATIONS`]: plugin_api::ext::keys::RESPONSE_CITATIONS

use std::collections::BTreeMap;

use aws_sdk_bedrockruntime::types::{
    Citation, CitationGeneratedContent, CitationLocation, CitationSourceContent,
    CitationSourceContentDelta, CitationsContentBlock, CitationsDelta, ContentBlockDelta,
};
use serde_json::{json, Map, Value};

/// The citations of one response. Block texts are kept only while citations are enabled, so
/// a response without cited documents pays nothing.
#[derive(Debug, Default)]
pub struct Citations {
    enabled: bool,
    /// The text of each block, by `contentBlockIndex`.
    texts: BTreeMap<i32, String>,
    /// The citations in arrival order: block key, host index and the citation's own fields.
    items: Vec<(i32, u32, Map<String, Value>)>,
}

impl Citations {
    /// Collects citations when `enabled` (a document of the request asked for them).
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            ..Self::default()
        }
    }

    /// Text of block `key` arrived.
    pub fn on_text(&mut self, key: i32, text: &str) {
        if self.enabled {
            self.texts.entry(key).or_default().push_str(text);
        }
    }

    /// A streamed citation of block `key` (host index `index`). Collected even when the
    /// request did not ask for citations, so none is ever dropped.
    pub fn on_delta(&mut self, key: i32, index: u32, delta: &CitationsDelta) {
        self.enabled = true;
        let source_text = join(
            delta
                .source_content()
                .iter()
                .map(CitationSourceContentDelta::text),
        );
        self.push(
            key,
            index,
            delta.title(),
            delta.source(),
            source_text,
            delta.location(),
        );
    }

    fn push(
        &mut self,
        key: i32,
        index: u32,
        title: Option<&str>,
        source: Option<&str>,
        source_text: Option<String>,
        location: Option<&CitationLocation>,
    ) {
        let mut fields = Map::new();
        if let Some(title) = title {
            fields.insert("title".into(), title.into());
        }
        if let Some(source) = source {
            fields.insert("source".into(), source.into());
        }
        if let Some(text) = source_text {
            fields.insert("sourceText".into(), text.into());
        }
        fields.insert(
            "location".into(),
            location.map_or(Value::Null, location_json),
        );
        self.items.push((key, index, fields));
    }

    /// True when no citation arrived.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The [`keys::RESPONSE_CITATIONS`](plugin_api::ext::keys::RESPONSE_CITATIONS) array, in
    /// arrival order; `None` without citations.
    pub fn to_json(&self) -> Option<String> {
        if self.items.is_empty() {
            return None;
        }
        let list: Vec<Value> = self
            .items
            .iter()
            .map(|(key, index, fields)| {
                let mut object = Map::new();
                object.insert("index".into(), (*index).into());
                let text = self.texts.get(key).map_or("", String::as_str);
                object.insert("text".into(), text.into());
                object.extend(fields.clone());
                Value::Object(object)
            })
            .collect();
        Some(Value::Array(list).to_string())
    }
}

/// Joined texts of source-content parts; `None` when there is none.
fn join<'a>(parts: impl Iterator<Item = Option<&'a str>>) -> Option<String> {
    let parts: Vec<&str> = parts.flatten().collect();
    (!parts.is_empty()).then(|| parts.concat())
}

/// A location as one-key JSON (BR-92's kinds; an unknown kind as `{"unknown": {}}`).
pub fn location_json(location: &CitationLocation) -> Value {
    match location {
        CitationLocation::DocumentChar(at) => json!({"documentChar": {
            "documentIndex": at.document_index(), "start": at.start(), "end": at.end()
        }}),
        CitationLocation::DocumentPage(at) => json!({"documentPage": {
            "documentIndex": at.document_index(), "start": at.start(), "end": at.end()
        }}),
        CitationLocation::DocumentChunk(at) => json!({"documentChunk": {
            "documentIndex": at.document_index(), "start": at.start(), "end": at.end()
        }}),
        CitationLocation::Web(at) => json!({"web": {"url": at.url(), "domain": at.domain()}}),
        CitationLocation::SearchResultLocation(at) => json!({"searchResult": {
            "searchResultIndex": at.search_result_index(), "start": at.start(), "end": at.end()
        }}),
        _ => json!({"unknown": {}}),
    }
}

/// BR-92 for Converse (BR-95's replay): a `citationsContent` block as the deltas a stream
/// would have carried in its place: its generated text, then each citation in order.
pub fn replay_deltas(block: CitationsContentBlock) -> Vec<ContentBlockDelta> {
    let mut deltas: Vec<ContentBlockDelta> = block
        .content
        .unwrap_or_default()
        .into_iter()
        .filter_map(|content| match content {
            CitationGeneratedContent::Text(text) => Some(ContentBlockDelta::Text(text)),
            _ => None,
        })
        .collect();
    deltas.extend(
        block
            .citations
            .unwrap_or_default()
            .into_iter()
            .map(|citation| ContentBlockDelta::Citation(delta_of(citation))),
    );
    deltas
}

/// A Converse citation in its streamed form.
fn delta_of(citation: Citation) -> CitationsDelta {
    let source_content = citation.source_content.map(|parts| {
        parts
            .into_iter()
            .filter_map(|part| match part {
                CitationSourceContent::Text(text) => {
                    Some(CitationSourceContentDelta::builder().text(text).build())
                }
                _ => None,
            })
            .collect()
    });
    CitationsDelta::builder()
        .set_title(citation.title)
        .set_source(citation.source)
        .set_source_content(source_content)
        .set_location(citation.location)
        .build()
}

#[cfg(test)]
mod tests;
