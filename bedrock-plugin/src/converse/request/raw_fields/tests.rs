use super::*;
use serde_json::json;

fn params(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("params must be an object, got {other}"),
    }
}

#[test]
fn br_94_raw_fields_deep_merge_under_the_plugin_keys() {
    let raw = from_params(&params(json!({
        "additionalModelRequestFields": {
            "thinking": {"type": "disabled", "extra": 1},
            "output_config": {"effort": "low"},
            "top_k": 40,
            "inference_geo": {"region": "eu"}
        }
    })))
    .unwrap();
    let plugin = json!({
        "thinking": {"type": "adaptive"},
        "output_config": {"effort": "high"}
    });
    assert_eq!(
        merge_fields(Some(plugin), raw.fields.as_ref()),
        Some(json!({
            "thinking": {"type": "adaptive", "extra": 1},
            "output_config": {"effort": "high"},
            "top_k": 40,
            "inference_geo": {"region": "eu"}
        }))
    );
    // Without plugin fields the raw object is sent as it is.
    assert_eq!(
        merge_fields(None, raw.fields.as_ref()),
        Some(Value::Object(raw.fields.clone().unwrap()))
    );
    assert_eq!(merge_fields(None, None), None);
    assert_eq!(
        merge_fields(None, Some(&Map::new())),
        None,
        "REQ-01: no {{}}"
    );
}

#[test]
fn br_94_anthropic_beta_is_the_union_plugin_entries_first() {
    let raw = from_params(&params(json!({
        "additionalModelRequestFields": {
            "anthropic_beta": ["new-feature-2026-01-01", "interleaved-thinking-2025-05-14"]
        }
    })))
    .unwrap();
    let plugin =
        json!({"anthropic_beta": ["interleaved-thinking-2025-05-14", "context-1m-2025-08-07"]});
    assert_eq!(
        merge_fields(Some(plugin), raw.fields.as_ref()),
        Some(json!({"anthropic_beta": [
            "interleaved-thinking-2025-05-14",
            "context-1m-2025-08-07",
            "new-feature-2026-01-01"
        ]}))
    );
}

#[test]
fn br_94_plg_54_response_field_paths_are_appended_once() {
    let raw = from_params(&params(json!({
        "additionalModelResponseFieldPaths": ["/stop_details", "/usage/extra"]
    })))
    .unwrap();
    assert_eq!(
        merge_paths(Some(vec!["/stop_details".into()]), &raw.paths),
        Some(vec!["/stop_details".to_owned(), "/usage/extra".to_owned()])
    );
    assert_eq!(merge_paths(None, &[]), None);
}

#[test]
fn br_94_plg_54_wrong_shapes_are_request_errors_naming_the_param() {
    let message = |value: Value| from_params(&params(value)).unwrap_err().message.to_string();
    assert_eq!(
        message(json!({"additionalModelRequestFields": ["x"]})),
        "Amazon Bedrock: params.additionalModelRequestFields must be a JSON object, got an array"
    );
    assert_eq!(
        message(json!({"additionalModelRequestFields": "x"})),
        "Amazon Bedrock: params.additionalModelRequestFields must be a JSON object, got a string"
    );
    assert_eq!(
        message(json!({"additionalModelResponseFieldPaths": "/a"})),
        "Amazon Bedrock: params.additionalModelResponseFieldPaths must be an array of strings, got a string"
    );
    assert_eq!(
        message(json!({"additionalModelResponseFieldPaths": ["/a", 3]})),
        "Amazon Bedrock: params.additionalModelResponseFieldPaths[1] must be a string, got a number"
    );
    let error = from_params(&params(json!({"additionalModelRequestFields": 1}))).unwrap_err();
    assert_eq!(
        error.kind(),
        Some(plugin_api::error::ErrorKind::InvalidRequest)
    );
    assert_eq!(
        from_params(&params(json!({"additionalModelRequestFields": null}))).unwrap(),
        RawFields::default()
    );
}
