//! Host chat request → ConverseStream input (REQ-01..08).
//!
//! `build` decides every field of the input from the request and the settings current when
//! the request started (LIVE-01): messages (MSG-*, `messages.rs`), tools (TOOL-*), sampling
//! (TEMP-*, REQ-08), prompt-cache points (CACHE-*, `cache.rs`), request metadata (REQ-05),
//! guardrail (GRD-*) and service tier (TIER-*). Conversion never mutates the caller's request
//! (REQ-06): it reads the FFI request and builds fresh SDK values. Anything the plugin cannot
//! send faithfully fails here, before any network call, with a message naming the part at
//! fault.

pub mod cache;
pub mod guardrail;
pub mod media;
pub mod messages;
pub mod metadata;
pub mod output_format;
pub mod performance;
pub mod raw_fields;
pub mod sampling;
pub mod shape_error;
#[cfg(test)]
pub(crate) mod test_log;
pub mod thinking;
pub mod tier;
pub mod tools;
pub mod turn_separation;

use std::collections::HashMap;

use aws_sdk_bedrockruntime::types::{
    InferenceConfiguration, Message, OutputConfig, PerformanceConfiguration, ServiceTier,
    SystemContentBlock, ToolConfiguration,
};
use plugin_api::chat::ChatRequest;
use plugin_api::error::PluginError;
use serde_json::{Map, Value};

use crate::bounded::WarnOnce;
use crate::env::EnvSnapshot;
use crate::models::traits::ModelTraits;
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
    /// BR-90: `performanceConfig: {latency}`, only for [`Operation::ConverseStream`].
    pub performance_config: Option<PerformanceConfiguration>,
    /// BR-91: `outputConfig.textFormat` for structured output, only for
    /// [`Operation::ConverseStream`].
    pub output_config: Option<OutputConfig>,
    /// REQ-02: `(requestMaxTokens, model.maxTokens)` when `maxTokens` was cut to
    /// `requestMaxTokens` (not sent; the answer's warning names both).
    pub request_max_tokens_cap: Option<(u64, u64)>,
    /// PLG-24: what the answer tells the user about options this request could not honour
    /// (not sent; the mapper adds each as a warning on the final message).
    pub notices: Vec<String>,
}

use shape_error::invalid;

/// HCFG-13 / TIER-01: host-config params for the model, overlaid with the request's
/// `extraParams` (request keys win). A request value that is not a JSON object is a caller
/// error, not something to ignore silently.
pub fn extra_params(
    settings: &Settings,
    request: &ChatRequest,
) -> Result<Map<String, Value>, PluginError> {
    // TIER-01: each object's two tier spellings are folded before the merge, so a later
    // object's value in either spelling replaces an earlier one's in either spelling.
    let mut merged = Map::new();
    for params in settings.host.params_layers(request.model.id.as_str()) {
        let mut params = params.clone();
        tier::fold_spellings(&mut params);
        merged.extend(params);
    }
    if let Some(json) = request.options.extra_params_json.as_ref().into_option() {
        if !json.trim().is_empty() {
            let value: Value = serde_json::from_str(json.as_str()).map_err(|err| {
                invalid(format!(
                    "Amazon Bedrock: options.extraParams is not valid JSON: {err}"
                ))
            })?;
            let Value::Object(mut params) = value else {
                return Err(invalid(
                    "Amazon Bedrock: options.extraParams must be a JSON object",
                ));
            };
            tier::fold_spellings(&mut params);
            merged.extend(params);
        }
    }
    Ok(merged)
}

/// Builds the input for `operation` from a request, the settings it started with and the
/// operation's env snapshot (CACHE-01/02 read `AWS_BEDROCK_FORCE_CACHE` and
/// `OPENCLAW_CACHE_RETENTION`).
pub fn build(
    request: &ChatRequest,
    settings: &Settings,
    env: &EnvSnapshot,
    operation: Operation,
    warnings: &WarnOnce,
) -> Result<ConverseInput, PluginError> {
    // What the model is, parsed once for every step below.
    let traits = ModelTraits::of(&request.model);
    build_with_traits(request, &traits, settings, env, operation, warnings)
}

/// [`build`] with the model's traits already parsed by the caller, who may have added an
/// application profile's looked-up targets to them (TEMP-04, CACHE-20).
pub fn build_with_traits(
    request: &ChatRequest,
    traits: &ModelTraits,
    settings: &Settings,
    env: &EnvSnapshot,
    operation: Operation,
    warnings: &WarnOnce,
) -> Result<ConverseInput, PluginError> {
    let choice = tools::choice(request.options.tool_choice.as_ref().into_option())?;
    // THINK-*, REQ-01 response paths, REQ-02 maxTokens.
    let thinking = thinking::plan(request, traits, settings, env);
    // TOOL-03: adaptive thinking (and Fable 5 on its own) forces `auto`.
    let forced_auto = tools::forces_auto(traits, thinking.thinking_adaptive());
    let tool_config = tools::tool_config(&request.tools, &choice, forced_auto)?;
    let mut converted = messages::convert_with_ends(request, traits, tool_config.is_some())?;
    // GRD-05: only the newest user turn is guard content (before CACHE-* places its points).
    if matches!(operation, Operation::ConverseStream)
        && guardrail::latest_message_only(&settings.config)
    {
        guardrail::guard_latest_user_message(request, &mut converted);
    }
    // CACHE-*: the system layout (REQ-01: absent when blank) and every cache point.
    let cache::CachedParts {
        system,
        messages,
        tool_config,
    } = cache::apply(
        cache::CacheRequest {
            request,
            traits,
            settings,
            env,
            operation,
        },
        converted,
        tool_config,
    )?;

    let (guardrail_config, service_tier, raw, surface) = match operation {
        Operation::ConverseStream => {
            let params = extra_params(settings, request)?;
            (
                guardrail::stream_config(settings.config.guardrail.as_ref()),
                tier::apply(None, tier::service_tier(&params, &request.model, traits)?),
                // BR-94: raw model fields and response paths from the params.
                raw_fields::from_params(&params)?,
                // BR-90 latency and BR-91 structured output.
                (
                    performance::from_request(&request.options, &params)?,
                    output_format::from_request(&request.options)?,
                ),
            )
        }
        Operation::CountTokens => (None, None, raw_fields::RawFields::default(), (None, None)),
    };
    let (performance_config, output_config) = surface;
    let additional_model_request_fields = match raw.fields.as_ref() {
        None => thinking.fields_document(),
        Some(fields) => raw_fields::merge_fields(thinking.fields.clone(), Some(fields))
            .as_ref()
            .map(tools::json_to_document),
    };

    Ok(ConverseInput {
        model_id: request.model.id.to_string(),
        system,
        messages,
        inference_config: inference_config(request, traits, &thinking, warnings),
        tool_config,
        request_metadata: match operation {
            Operation::ConverseStream => {
                metadata::request_metadata(&request.options.request_metadata)
            }
            Operation::CountTokens => None,
        },
        guardrail_config,
        service_tier,
        additional_model_request_fields,
        additional_model_response_field_paths: raw_fields::merge_paths(
            thinking.response_field_paths,
            &raw.paths,
        ),
        performance_config,
        output_config,
        request_max_tokens_cap: thinking.request_max_tokens_cap,
        notices: sampling::not_sent_notice(request, traits)
            .into_iter()
            .collect(),
    })
}

/// REQ-01/02/04/08, TEMP-*, THINK-06/09: `{maxTokens?, temperature?, topP?,
/// stopSequences?}`; `{}` when everything is removed. `maxTokens` is the thinking plan's
/// (REQ-02 with the adaptive placeholder rule, raised by the THINK-06 budget).
fn inference_config(
    request: &ChatRequest,
    traits: &ModelTraits,
    thinking: &thinking::ThinkingPlan,
    warnings: &WarnOnce,
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
            traits,
            options.temperature.into_option(),
            options.top_p.into_option(),
            warnings,
        )
    };
    InferenceConfiguration::builder()
        .set_max_tokens(max_tokens)
        .set_temperature(sampling.temperature)
        .set_top_p(sampling.top_p)
        .set_stop_sequences((!stop_sequences.is_empty()).then_some(stop_sequences))
        .build()
}

#[cfg(test)]
mod tests;
