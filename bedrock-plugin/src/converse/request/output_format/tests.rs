use super::*;
use plugin_api::ext::{keys, ExtValue};

fn options(json: &str) -> ChatOptions {
    let mut options = ChatOptions::default();
    options
        .extensions
        .set(keys::RESPONSE_FORMAT, ExtValue::Json(json.into()));
    options
}

fn error_of(json: &str) -> String {
    from_request(&options(json))
        .expect_err("a request error")
        .message
        .to_string()
}

#[test]
fn br_91_schema_is_sent_as_a_json_string_with_its_key_order() {
    let config = from_request(&options(
        r#"{"type":"json_schema","schema":{"type":"object","properties":{"b":{"type":"string"},"a":{"type":"integer"}}},"name":"answer","description":"The answer"}"#,
    ))
    .expect("valid")
    .expect("a config");
    let format = config.text_format().expect("textFormat");
    assert_eq!(format.r#type().as_str(), "json_schema");
    let Some(OutputFormatStructure::JsonSchema(definition)) = format.structure() else {
        panic!("jsonSchema structure expected");
    };
    assert_eq!(
        definition.schema(),
        r#"{"type":"object","properties":{"b":{"type":"string"},"a":{"type":"integer"}}}"#
    );
    assert_eq!(definition.name(), Some("answer"));
    assert_eq!(definition.description(), Some("The answer"));
}

#[test]
fn br_91_absent_or_null_format_sends_nothing() {
    assert_eq!(from_request(&ChatOptions::default()).expect("ok"), None);
    assert_eq!(from_request(&options("null")).expect("ok"), None);
}

#[test]
fn br_91_a_schema_that_is_not_an_object_is_a_request_error() {
    assert_eq!(
        error_of(r#"{"type":"json_schema","schema":[1]}"#),
        "Amazon Bedrock: options.responseFormat.schema must be a JSON object, got an array"
    );
    assert_eq!(
        error_of(r#"{"type":"json_schema","schema":"{}"}"#),
        "Amazon Bedrock: options.responseFormat.schema must be a JSON object, got a string"
    );
    assert_eq!(
        error_of(r#"{"type":"json_schema"}"#),
        "Amazon Bedrock: options.responseFormat.schema must be a JSON object, got nothing"
    );
}

#[test]
fn br_91_other_shapes_name_the_field_and_what_is_accepted() {
    assert_eq!(
        error_of(r#"{"type":"xml","schema":{}}"#),
        "Amazon Bedrock: options.responseFormat.type must be \"json_schema\", got \"xml\""
    );
    assert_eq!(
        error_of("[]"),
        "Amazon Bedrock: options.responseFormat must be a JSON object, got an array"
    );
    assert_eq!(
        error_of(r#"{"type":"json_schema","schema":{},"name":3}"#),
        "Amazon Bedrock: options.responseFormat.name must be a string, got a number"
    );
    assert!(error_of("{").starts_with("Amazon Bedrock: options.responseFormat is not valid JSON: "));
    let error = from_request(&options("[]")).expect_err("error");
    assert_eq!(
        error.kind(),
        Some(plugin_api::error::ErrorKind::InvalidRequest)
    );
}
