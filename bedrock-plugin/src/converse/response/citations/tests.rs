use super::*;
use aws_sdk_bedrockruntime::types::{DocumentCharLocation, WebLocation};
use serde_json::json;

fn char_delta(title: &str, quote: &str, start: i32, end: i32) -> CitationsDelta {
    CitationsDelta::builder()
        .title(title)
        .source_content(CitationSourceContentDelta::builder().text(quote).build())
        .location(CitationLocation::DocumentChar(
            DocumentCharLocation::builder()
                .document_index(0)
                .start(start)
                .end(end)
                .build(),
        ))
        .build()
}

#[test]
fn br_92_citations_in_order_with_the_text_of_their_block() {
    let mut citations = Citations::new(true);
    citations.on_text(1, "The sky ");
    citations.on_delta(1, 1, &char_delta("doc", "sky is blue", 0, 11));
    citations.on_text(1, "is blue.");
    citations.on_text(2, " Grass is green.");
    citations.on_delta(2, 2, &char_delta("doc", "grass is green", 12, 26));
    let list: Value = serde_json::from_str(&citations.to_json().expect("citations")).unwrap();
    assert_eq!(
        list,
        json!([
            {"index": 1, "text": "The sky is blue.", "title": "doc", "sourceText": "sky is blue",
             "location": {"documentChar": {"documentIndex": 0, "start": 0, "end": 11}}},
            {"index": 2, "text": " Grass is green.", "title": "doc", "sourceText": "grass is green",
             "location": {"documentChar": {"documentIndex": 0, "start": 12, "end": 26}}}
        ])
    );
}

#[test]
fn br_92_web_and_unknown_locations_are_kept() {
    let web = CitationLocation::Web(
        WebLocation::builder()
            .url("https://example.com/a")
            .domain("example.com")
            .build(),
    );
    assert_eq!(
        location_json(&web),
        json!({"web": {"url": "https://example.com/a", "domain": "example.com"}})
    );
    // PLG-82: a citation without a location (or of a kind the SDK cannot name) is kept.
    let mut citations = Citations::new(false);
    citations.on_delta(0, 0, &CitationsDelta::builder().build());
    let list: Value = serde_json::from_str(&citations.to_json().expect("kept")).unwrap();
    assert_eq!(list, json!([{"index": 0, "text": "", "location": null}]));
}

#[test]
fn br_92_no_citations_no_key() {
    let mut citations = Citations::new(true);
    citations.on_text(0, "plain");
    assert!(citations.is_empty());
    assert_eq!(citations.to_json(), None);
}

#[test]
fn br_92_converse_citations_content_replays_as_stream_deltas() {
    let block = CitationsContentBlock::builder()
        .content(CitationGeneratedContent::Text("Blue.".into()))
        .citations(
            Citation::builder()
                .title("doc")
                .source_content(CitationSourceContent::Text("blue".into()))
                .build(),
        )
        .build();
    let deltas = replay_deltas(block);
    assert_eq!(deltas.len(), 2);
    assert_eq!(deltas[0], ContentBlockDelta::Text("Blue.".into()));
    let ContentBlockDelta::Citation(citation) = &deltas[1] else {
        panic!("citation expected");
    };
    assert_eq!(citation.title(), Some("doc"));
    assert_eq!(citation.source_content()[0].text(), Some("blue"));
}
