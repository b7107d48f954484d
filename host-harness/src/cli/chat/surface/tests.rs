use super::*;

#[test]
fn br_91_structured_answer_is_pretty_printed_or_the_error_with_the_raw_text() {
    assert_eq!(
        structured(r#"{"city":"emulator","count":1}"#),
        "{\n  \"city\": \"emulator\",\n  \"count\": 1\n}\n"
    );
    assert_eq!(
        structured("{\"city\":"),
        "[structured output is not valid JSON: EOF while parsing a value at line 1 column 8]\n{\"city\":\n"
    );
}

#[test]
fn br_92_citations_print_markers_and_a_sources_list() {
    let mut summary = ResponseSummary::new("m");
    summary.extensions.set(
        keys::RESPONSE_CITATIONS,
        ExtValue::Json(
            r#"[{"index":0,"text":"Blue.","title":"notes","sourceText":"The sky is blue and ","location":{"documentChar":{"documentIndex":0,"start":0,"end":20}}},
               {"index":0,"text":"Blue.","title":"Web","source":"https://e.example/a","location":{"web":{"url":"https://e.example/a","domain":"e.example"}}},
               {"index":1,"text":"x","location":{"unknown":{}}}]"#
                .into(),
        ),
    );
    assert_eq!(
        citations(&summary),
        "[1][2][3]\nSources:\n[1] notes (documentChar 0: 0-20): \"The sky is blue and \"\n[2] Web <https://e.example/a> (web https://e.example/a)\n[3] ({\"unknown\":{}})\n"
    );
    assert_eq!(citations(&ResponseSummary::new("m")), "");
}

#[test]
fn br_91_json_schema_file_becomes_a_response_format() {
    let dir = std::env::temp_dir().join(format!("surface-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("weather.schema.json");
    std::fs::write(
        &path,
        r#"{"type":"object","properties":{"city":{"type":"string"}}}"#,
    )
    .unwrap();
    assert_eq!(
        response_format(&path).unwrap(),
        r#"{"type":"json_schema","schema":{"type":"object","properties":{"city":{"type":"string"}}},"name":"weather"}"#
    );
    std::fs::write(&path, "[1]").unwrap();
    assert!(response_format(&path).unwrap_err().ends_with(
        "must hold a JSON Schema object (or a {\"type\": \"json_schema\", \"schema\": …} format)"
    ));
    assert_eq!(
        performance("fast").unwrap_err(),
        "expected one of: standard, optimized"
    );
}
