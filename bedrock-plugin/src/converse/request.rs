//! Host chat request → ConverseStream input (REQ-01..08).
//!
//! `build` decides every field of the input from the request and the settings current when
//! the request started (LIVE-01): messages (MSG-*, `messages.rs`), tools (TOOL-*), sampling
//! (TEMP-*, REQ-08), request metadata (REQ-05), guardrail (GRD-*) and service tier
//! (TIER-*). Conversion never mutates the caller's request (REQ-06): it reads the FFI request
//! and builds fresh SDK values. Anything the plugin cannot send faithfully fails here, before
//! any network call, with a message naming the part at fault.

use std::collections::HashMap;

use aws_sdk_bedrockruntime::types::{
    InferenceConfiguration, Message, ServiceTier, SystemContentBlock, ToolConfiguration,
};
use plugin_api::chat::ChatRequest;
use plugin_api::error::{ErrorKind, PluginError};
use serde_json::{Map, Value};

use crate::converse::{guardrail, messages, metadata, sampling, thinking, tier, tools};
use crate::settings::Settings;

/// The operation the input is built for: some fields exist only on ConverseStream (GRD-02).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    ConverseStream,
    /// CountTokens takes messages, system and toolConfig only.
    CountTokens,
}

/// The pieces of a ConverseStream input this module decides.
#[derive(Debug, Clone, PartialEq)]
pub struct ConverseInput {
    pub model_id: String,
    pub system: Vec<SystemContentBlock>,
    pub messages: Vec<Message>,
    pub inference_config: InferenceConfiguration,
    /// TOOL-*: absent without tools or with toolChoice `"none"`.
    pub tool_config: Option<ToolConfiguration>,
    /// REQ-05: the valid entries, absent when none remains.
    pub request_metadata: Option<HashMap<String, String>>,
    /// GRD-01: only for [`Operation::ConverseStream`].
    pub guardrail_config: Option<guardrail::StreamGuardrail>,
    /// TIER-*.
    pub service_tier: Option<ServiceTier>,
    /// THINK-*: model-specific fields (`thinking`, `output_config`, `anthropic_beta`); absent
    /// when empty (REQ-01).
    pub additional_model_request_fields: Option<aws_smithy_types::Document>,
    /// REQ-01: `["/stop_details"]` for the refusal-buffered Claude models.
    pub additional_model_response_field_paths: Option<Vec<String>>,
}

/// A request that cannot be sent as given.
pub(crate) fn invalid(message: impl Into<String>) -> PluginError {
    PluginError::new(ErrorKind::InvalidRequest, message)
}

/// An SDK builder refused a value the plugin built: a plugin bug, reported as internal.
pub(crate) fn build_error(what: &str, err: impl std::fmt::Display) -> PluginError {
    PluginError::new(
        ErrorKind::Internal,
        format!("cannot build Bedrock {what}: {err}"),
    )
}

/// HCFG-13 / TIER-01: host-config params for the model, overlaid with the request's
/// `extraParams` (request keys win). A request value that is not a JSON object is a caller
/// error, not something to ignore silently.
pub fn extra_params(
    settings: &Settings,
    request: &ChatRequest,
) -> Result<Map<String, Value>, PluginError> {
    let mut merged = settings.host.params_for(request.model.id.as_str());
    if let Some(json) = request.options.extra_params_json.as_ref().into_option() {
        if !json.trim().is_empty() {
            let value: Value = serde_json::from_str(json.as_str()).map_err(|err| {
                invalid(format!(
                    "Amazon Bedrock: options.extraParams is not valid JSON: {err}"
                ))
            })?;
            let Value::Object(params) = value else {
                return Err(invalid(
                    "Amazon Bedrock: options.extraParams must be a JSON object",
                ));
            };
            merged.extend(params);
        }
    }
    Ok(merged)
}

/// Builds the input for `operation` from a request and the settings it started with.
pub fn build(
    request: &ChatRequest,
    settings: &Settings,
    operation: Operation,
) -> Result<ConverseInput, PluginError> {
    let choice = tools::choice(request.options.tool_choice.as_ref().into_option())?;
    // THINK-*, REQ-01 response paths, REQ-02 maxTokens.
    let thinking = thinking::plan(request, settings);
    // TOOL-03: adaptive thinking (and Fable 5 on its own) forces `auto`.
    let forced_auto = tools::forces_auto(&request.model, thinking.thinking_adaptive());
    let tool_config = tools::tool_config(&request.tools, &choice, forced_auto)?;
    let messages = messages::convert(request, tool_config.is_some())?;

    // REQ-01: no system block for a missing or blank prompt (Bedrock rejects empty text).
    let system = request
        .system_prompt
        .as_ref()
        .into_option()
        .map(|prompt| prompt.as_str())
        .filter(|prompt| !prompt.trim().is_empty())
        .map(|prompt| vec![SystemContentBlock::Text(messages::sanitize_text(prompt))])
        .unwrap_or_default();

    let (guardrail_config, service_tier) = match operation {
        Operation::ConverseStream => {
            let params = extra_params(settings, request)?;
            (
                guardrail::stream_config(settings.config.guardrail.as_ref()),
                tier::apply(None, tier::service_tier(&params, &request.model)?),
            )
        }
        Operation::CountTokens => (None, None),
    };

    Ok(ConverseInput {
        model_id: request.model.id.to_string(),
        system,
        messages,
        inference_config: inference_config(request, &thinking),
        tool_config,
        request_metadata: match operation {
            Operation::ConverseStream => {
                metadata::request_metadata(&request.options.request_metadata)
            }
            Operation::CountTokens => None,
        },
        guardrail_config,
        service_tier,
        additional_model_request_fields: thinking.fields_document(),
        additional_model_response_field_paths: thinking.response_field_paths,
    })
}

/// REQ-01/02/04/08, TEMP-*, THINK-06/09: `{maxTokens?, temperature?, topP?,
/// stopSequences?}`; `{}` when everything is removed. `maxTokens` is the thinking plan's
/// (REQ-02 with the adaptive placeholder rule, raised by the THINK-06 budget).
fn inference_config(
    request: &ChatRequest,
    thinking: &thinking::ThinkingPlan,
) -> InferenceConfiguration {
    let options = &request.options;
    let max_tokens = thinking.max_tokens_i32();
    // REQ-04: order kept; only empty strings dropped (the wire requires non-empty entries).
    let stop_sequences: Vec<String> = options
        .stop_sequences
        .iter()
        .filter(|sequence| !sequence.is_empty())
        .map(|sequence| sequence.to_string())
        .collect();
    // THINK-09: while thinking is sent, temperature and topP are removed (before TEMP-*/REQ-08
    // could warn about values that are not sent anyway).
    let sampling = if thinking.removes_sampling() {
        sampling::Sampling::default()
    } else {
        sampling::resolve(
            &request.model,
            options.temperature.into_option(),
            options.top_p.into_option(),
        )
    };
    InferenceConfiguration::builder()
        .set_max_tokens(max_tokens)
        .set_temperature(sampling.temperature)
        .set_top_p(sampling.top_p)
        .set_stop_sequences((!stop_sequences.is_empty()).then_some(stop_sequences))
        .build()
}

/// Captures `tracing` warnings emitted on the current thread, for unit tests of the
/// normative warning texts.
#[cfg(test)]
pub(crate) mod test_log {
    use std::sync::{Arc, Mutex};

    use tracing::field::{Field, Visit};
    use tracing::{Event, Level, Subscriber};
    use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};

    struct Capture(Arc<Mutex<Vec<String>>>);

    struct MessageOf(Option<String>);

    impl Visit for MessageOf {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            if field.name() == "message" {
                self.0 = Some(format!("{value:?}"));
            }
        }
    }

    impl<S: Subscriber> Layer<S> for Capture {
        fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
            if *event.metadata().level() == Level::WARN {
                let mut message = MessageOf(None);
                event.record(&mut message);
                if let (Some(message), Ok(mut records)) = (message.0, self.0.lock()) {
                    records.push(message);
                }
            }
        }
    }

    /// Runs `f`, returning its result and the warnings it logged.
    pub fn capture_warnings<T>(f: impl FnOnce() -> T) -> (T, Vec<String>) {
        let records = Arc::new(Mutex::new(Vec::new()));
        let subscriber = tracing_subscriber::registry().with(Capture(records.clone()));
        let result = tracing::subscriber::with_default(subscriber, f);
        let warnings = records.lock().map(|r| r.clone()).unwrap_or_default();
        (result, warnings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use abi_stable::std_types::{ROption, RString, RVec};
    use plugin_api::chat::{
        ChatOptions, KeyValue, Message as HostMessage, ToolChoice as HostToolChoice, ToolChoice_NE,
        ToolDefinition,
    };
    use plugin_api::model::ModelDefinition;
    use serde_json::json;

    fn request(model_id: &str) -> ChatRequest {
        ChatRequest {
            model: ModelDefinition::new(model_id, "amazon-bedrock", "bedrock-converse-stream"),
            system_prompt: ROption::RNone,
            messages: RVec::from(vec![HostMessage::user_text("hi")]),
            tools: RVec::new(),
            options: ChatOptions::default(),
        }
    }

    fn settings(config: serde_json::Value, host: serde_json::Value) -> Settings {
        Settings::parse(&config.to_string(), &host.to_string()).expect("settings")
    }

    fn stream(req: &ChatRequest, settings: &Settings) -> ConverseInput {
        build(req, settings, Operation::ConverseStream).expect("valid")
    }

    #[test]
    fn req_01_blank_system_prompt_is_absent() {
        let mut req = request("amazon.nova-micro-v1:0");
        req.system_prompt = ROption::RSome(RString::from("  "));
        let none = Settings::default();
        assert!(stream(&req, &none).system.is_empty());
        req.system_prompt = ROption::RSome(RString::from("Be brief."));
        assert_eq!(
            stream(&req, &none).system,
            vec![SystemContentBlock::Text("Be brief.".into())]
        );
    }

    #[test]
    fn req_01_minimal_input_has_no_optional_fields() {
        let input = stream(&request("amazon.nova-micro-v1:0"), &Settings::default());
        assert_eq!(input.model_id, "amazon.nova-micro-v1:0");
        assert!(input.tool_config.is_none());
        assert!(input.request_metadata.is_none());
        assert!(input.guardrail_config.is_none(), "EX-I18");
        assert!(input.service_tier.is_none());
        assert_eq!(
            input.inference_config,
            InferenceConfiguration::builder().build()
        );
    }

    #[test]
    fn req_02_04_08_inference_config_rules() {
        let mut req = request("amazon.nova-micro-v1:0-req-test");
        req.model.max_tokens = 4096;
        req.options.temperature = ROption::RSome(1.5);
        req.options.top_p = ROption::RSome(-0.2);
        req.options.stop_sequences = RVec::from(vec![
            RString::from("STOP"),
            RString::from(""),
            RString::from("END"),
            RString::from("A"),
            RString::from("B"),
        ]);
        let config = stream(&req, &Settings::default()).inference_config;
        assert_eq!(config.max_tokens(), Some(4096));
        assert_eq!(config.temperature(), Some(1.0));
        assert_eq!(config.top_p(), Some(0.0));
        // REQ-04: order kept, no count limit, only empty entries dropped.
        assert_eq!(config.stop_sequences(), &["STOP", "END", "A", "B"]);
        req.options.max_tokens = ROption::RSome(8000);
        assert_eq!(
            stream(&req, &Settings::default())
                .inference_config
                .max_tokens(),
            Some(8000)
        );
    }

    #[test]
    fn ex_i07_i09_i12_opus_47_family_sends_only_max_tokens() {
        for id in [
            "us.anthropic.claude-opus-4-7",
            "us.anthropic.claude-opus-4-8",
            "us.anthropic.claude-opus-4.7-v1:0",
            "eu.anthropic.claude-opus-4-7",
            "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-opus-4-7",
        ] {
            let mut req = request(id);
            req.options.temperature = ROption::RSome(0.2);
            req.options.top_p = ROption::RSome(0.9);
            req.options.max_tokens = ROption::RSome(10);
            let config = stream(&req, &Settings::default()).inference_config;
            assert_eq!(
                config,
                InferenceConfiguration::builder().max_tokens(10).build(),
                "{id}"
            );
        }
    }

    #[test]
    fn req_05_request_metadata_only_on_converse_stream() {
        let mut req = request("amazon.nova-micro-v1:0");
        req.options.request_metadata = RVec::from(vec![
            KeyValue {
                key: "team".into(),
                value: "search".into(),
            },
            KeyValue {
                key: "bad key!".into(),
                value: "x".into(),
            },
        ]);
        let input = stream(&req, &Settings::default());
        assert_eq!(
            input.request_metadata,
            Some(HashMap::from([("team".to_owned(), "search".to_owned())]))
        );
        let count = build(&req, &Settings::default(), Operation::CountTokens).expect("valid");
        assert!(count.request_metadata.is_none());
    }

    #[test]
    fn grd_01_guardrail_from_settings_and_grd_02_not_on_count_tokens() {
        let config = json!({"guardrail": {
            "guardrailIdentifier": "my-guardrail-id",
            "guardrailVersion": "1",
            "streamProcessingMode": "sync",
            "trace": "enabled"
        }});
        let settings = settings(config, json!({}));
        let req = request("anthropic.claude-sonnet-4-5-20250929-v1:0");
        let guardrail = stream(&req, &settings).guardrail_config.expect("guardrail");
        assert_eq!(guardrail.config.guardrail_identifier(), "my-guardrail-id");
        assert_eq!(guardrail.config.guardrail_version(), "1");
        assert_eq!(guardrail.config.stream_processing_mode().as_str(), "sync");
        assert_eq!(guardrail.config.trace().as_str(), "enabled");
        assert!(guardrail.unset_keys().is_empty());
        let count = build(&req, &settings, Operation::CountTokens).expect("valid");
        assert!(count.guardrail_config.is_none());
    }

    #[test]
    fn tier_01_extra_params_merge_with_request_keys_winning() {
        let host = json!({"agents": {"defaults": {
            "params": {"serviceTier": "flex"},
            "models": {"amazon-bedrock/amazon.nova-pro-v1:0": {"params": {"serviceTier": "priority"}}}
        }}});
        let settings = settings(json!({}), host);
        let tier_of = |req: &ChatRequest| {
            stream(req, &settings)
                .service_tier
                .map(|tier| tier.r#type().as_str().to_owned())
        };
        assert_eq!(
            tier_of(&request("amazon.nova-micro-v1:0")).as_deref(),
            Some("flex")
        );
        let mut pro = request("amazon.nova-pro-v1:0");
        assert_eq!(tier_of(&pro).as_deref(), Some("priority"));
        pro.options.extra_params_json = ROption::RSome(r#"{"serviceTier":"default"}"#.into());
        assert_eq!(tier_of(&pro).as_deref(), Some("default"));
        pro.options.extra_params_json = ROption::RSome("[1]".into());
        assert_eq!(
            build(&pro, &settings, Operation::ConverseStream)
                .expect_err("not an object")
                .message
                .as_str(),
            "Amazon Bedrock: options.extraParams must be a JSON object"
        );
    }

    #[test]
    fn tool_02_none_means_no_tool_config_and_text_history() {
        let mut req = request("amazon.nova-micro-v1:0");
        req.tools = RVec::from(vec![ToolDefinition {
            name: "lookup".into(),
            description: ROption::RNone,
            parameters_json: "{}".into(),
            extensions: Default::default(),
        }]);
        assert!(stream(&req, &Settings::default()).tool_config.is_some());
        req.options.tool_choice = ROption::RSome(ToolChoice_NE::new(HostToolChoice::None));
        assert!(stream(&req, &Settings::default()).tool_config.is_none());
    }

    #[test]
    fn ex_s10_fable_alias_forces_auto_and_omits_temperature() {
        let mut req = request("production-fable");
        req.model.params_json = ROption::RSome(r#"{"canonicalModelId":"claude-fable-5"}"#.into());
        req.options.temperature = ROption::RSome(0.2);
        req.options.tool_choice = ROption::RSome(ToolChoice_NE::new(HostToolChoice::Any));
        req.tools = RVec::from(vec![ToolDefinition {
            name: "lookup".into(),
            description: ROption::RNone,
            parameters_json: "{}".into(),
            extensions: Default::default(),
        }]);
        let input = stream(&req, &Settings::default());
        assert_eq!(
            input.inference_config,
            InferenceConfiguration::builder().build()
        );
        assert!(matches!(
            input.tool_config.and_then(|c| c.tool_choice().cloned()),
            Some(aws_sdk_bedrockruntime::types::ToolChoice::Auto(_))
        ));
    }
}
