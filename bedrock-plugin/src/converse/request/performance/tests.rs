use super::*;
use plugin_api::ext::{keys, ExtValue};
use serde_json::json;

fn options(performance: Option<&str>) -> ChatOptions {
    let mut options = ChatOptions::default();
    if let Some(value) = performance {
        options
            .extensions
            .set(keys::PERFORMANCE, ExtValue::Text(value.into()));
    }
    options
}

fn params(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

fn latency_of(performance: Option<&str>, value: Value) -> Option<&'static str> {
    requested(&options(performance), &params(value))
        .expect("valid")
        .map(|latency| match latency {
            PerformanceConfigLatency::Standard => STANDARD,
            PerformanceConfigLatency::Optimized => OPTIMIZED,
            _ => "other",
        })
}

#[test]
fn br_90_option_and_params_in_precedence_order() {
    assert_eq!(latency_of(Some("optimized"), json!({})), Some(OPTIMIZED));
    assert_eq!(
        latency_of(Some("standard"), json!({"performanceConfig": "optimized"})),
        Some(STANDARD)
    );
    assert_eq!(
        latency_of(None, json!({"performanceConfig": "optimized"})),
        Some(OPTIMIZED)
    );
    assert_eq!(
        latency_of(None, json!({"performance_config": " Optimized "})),
        Some(OPTIMIZED)
    );
    assert_eq!(
        latency_of(
            None,
            json!({"performanceConfig": "standard", "performance_config": "optimized"})
        ),
        Some(STANDARD)
    );
    assert_eq!(latency_of(None, json!({"performanceConfig": null})), None);
    assert_eq!(latency_of(None, json!({})), None);
}

#[test]
fn plg_80_param_in_the_wire_shape() {
    assert_eq!(
        latency_of(None, json!({"performanceConfig": {"latency": "optimized"}})),
        Some(OPTIMIZED)
    );
}

#[test]
fn br_90_other_values_are_request_errors_naming_both() {
    let error = from_request(&options(Some("fast")), &Map::new()).expect_err("error");
    assert_eq!(
        error.message.as_str(),
        "Amazon Bedrock: options.performance must be \"standard\" or \"optimized\", got \"fast\""
    );
    assert_eq!(
        error.kind(),
        Some(plugin_api::error::ErrorKind::InvalidRequest)
    );
    let error =
        from_request(&options(None), &params(json!({"performanceConfig": 1}))).expect_err("error");
    assert_eq!(
        error.message.as_str(),
        "Amazon Bedrock: params.performanceConfig must be \"standard\" or \"optimized\", got a number"
    );
    let error = from_request(
        &options(None),
        &params(json!({"performance_config": {"latency": "turbo"}})),
    )
    .expect_err("error");
    assert_eq!(
        error.message.as_str(),
        "Amazon Bedrock: params.performance_config.latency must be \"standard\" or \"optimized\", got \"turbo\""
    );
}

#[test]
fn br_90_notice_text() {
    assert_eq!(
        unavailable_notice("amazon.nova-micro-v1:0", "us-east-1"),
        "latency-optimized inference not available for amazon.nova-micro-v1:0 in us-east-1; served with standard latency"
    );
}

fn shaped(performance: Option<&str>) -> ConverseInput {
    let mut request = plugin_api::chat::ChatRequest {
        model: plugin_api::model::ModelDefinition::new(
            "amazon.nova-micro-v1:0",
            "amazon-bedrock",
            "bedrock-converse-stream",
        ),
        system_prompt: abi_stable::std_types::ROption::RNone,
        messages: abi_stable::std_types::RVec::from(vec![plugin_api::chat::Message::user_text(
            "hi",
        )]),
        tools: abi_stable::std_types::RVec::new(),
        options: options(performance),
    };
    request.model.max_tokens = 100;
    let settings = crate::settings::Settings::parse("{}", "{}").expect("settings");
    crate::converse::request::build(
        &request,
        &settings,
        &crate::env::EnvSnapshot::from_pairs(std::iter::empty::<(&str, &str)>()),
        crate::converse::request::Operation::ConverseStream,
        &crate::bounded::WarnOnce::default(),
    )
    .expect("valid")
}

fn validation(message: &str) -> BedrockError {
    BedrockError::service("ValidationException", Some(message), None, None)
}

#[test]
fn br_90_rejection_of_optimized_heals_once_to_standard() {
    let mut input = shaped(Some("optimized"));
    assert_eq!(requested_latency(&input).as_deref(), Some(OPTIMIZED));
    let rejected = validation(
        "The model returned the following errors: Malformed input request: #: extraneous key [performanceConfig] is not permitted, please reformat your input and try again.",
    );
    assert!(rejects_optimized(&rejected, &input));
    assert!(rejects_optimized(
        &validation("Latency optimized inference is not supported for this model."),
        &input
    ));
    assert!(!rejects_optimized(
        &validation("maxTokens too large"),
        &input
    ));
    let throttled = BedrockError::service(
        "ThrottlingException",
        Some("performanceConfig latency"),
        None,
        None,
    );
    assert!(!rejects_optimized(&throttled, &input));
    assert_eq!(
        heal_to_standard(&mut input),
        "latency-optimized inference rejected for amazon.nova-micro-v1:0; retried with standard latency"
    );
    assert_eq!(requested_latency(&input).as_deref(), Some(STANDARD));
    // Once standard, the same rejection is no longer healed (at most once).
    assert!(!rejects_optimized(&rejected, &input));
    // A request that did not ask for optimized is never healed.
    assert!(!rejects_optimized(&rejected, &shaped(None)));
}
