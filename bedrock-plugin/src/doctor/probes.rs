//! BR-31's permission probes: one real, minimal request per IAM action the plugin needs, all
//! in flight at once, each under its NET-04 deadline. A failure is data (a [`Probe`] outcome),
//! never an error of the doctor itself. What each probe is sent for is PLG-72.

use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ConversationRole, ConverseTokensRequest, CountTokensInput, GuardrailContentBlock,
    GuardrailContentSource, GuardrailTextBlock, InferenceConfiguration, Message,
};
use plugin_api::error::{ErrorKind, PluginError};
use tokio::sync::oneshot;

use crate::app_profiles;
use crate::aws::target::{CallContext, CallTarget, RuntimeRequest};
use crate::converse::count_tokens::count_model_id;
use crate::converse::errors::{from_converse_stream_error, from_event_receiver_error};
use crate::discovery::build::RawFoundationModel;
use crate::discovery::fetch::{self, CONTROL_PLANE_DEADLINE};
use crate::doctor::facts::{Outcome, Probe};
use crate::embeddings::families::{self, Purpose};
use crate::embeddings::provider::INVOKE_DEADLINE;
use crate::error::BedrockError;
use crate::host_config::MemorySearch;

/// The text every runtime probe sends (BR-31).
pub const PING: &str = "ping";

/// What the probes are sent for.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// The first configured model (id, baseUrl); without one, a model ListFoundationModels
    /// lists is used.
    pub model: Option<(String, Option<String>)>,
    /// The first application profile ARN in use.
    pub app_profile: Option<String>,
    /// The Bedrock memory-search selection, when the host selected it.
    pub embedding: Option<MemorySearch>,
    /// The configured guardrail (identifier, version).
    pub guardrail: Option<(String, String)>,
}

fn setup(error: &PluginError) -> BedrockError {
    BedrockError::Host(error.clone())
}

fn control_client(
    call: &CallContext,
    control: &Result<CallTarget, PluginError>,
) -> Result<aws_sdk_bedrock::Client, BedrockError> {
    let target = control.as_ref().map_err(setup)?;
    call.clients
        .control(&target.spec)
        .map_err(BedrockError::Host)
}

fn runtime_client(
    call: &CallContext,
    target: &CallTarget,
) -> Result<aws_sdk_bedrockruntime::Client, BedrockError> {
    call.clients
        .runtime(&target.spec)
        .map_err(BedrockError::Host)
}

fn internal(what: &str, err: impl std::fmt::Display) -> BedrockError {
    BedrockError::Host(PluginError::new(
        ErrorKind::Internal,
        format!("{what}: {err}"),
    ))
}

/// A model the runtime probes can use from a ListFoundationModels answer: the first active,
/// on-demand, streaming text-in/text-out model.
pub fn usable_model(models: &[RawFoundationModel]) -> Option<String> {
    models
        .iter()
        .find(|model| {
            model.input_modalities.iter().any(|m| m == "TEXT")
                && model.output_modalities.iter().any(|m| m == "TEXT")
                && model.response_streaming_supported != Some(false)
                && model
                    .inference_types_supported
                    .iter()
                    .any(|t| t == "ON_DEMAND")
                && model
                    .lifecycle_status
                    .as_deref()
                    .is_none_or(|status| status == "ACTIVE")
        })
        .map(|model| model.model_id.clone())
}

/// Every probe, concurrently, in report order: ListFoundationModels, ListInferenceProfiles,
/// GetInferenceProfile, ConverseStream, CountTokens, InvokeModel, ApplyGuardrail.
/// `runtime` is the resolved runtime target of the probe model (or of no model), `control` the
/// control-plane target (REG-10, EP-02) or why it could not be resolved.
pub async fn run(
    call: &CallContext,
    runtime: &CallTarget,
    control: &Result<CallTarget, PluginError>,
    plan: &Plan,
) -> Vec<Probe> {
    let (found_sender, found) = oneshot::channel::<Option<String>>();
    let list_models = async {
        let (probe, model) = list_foundation_models(call, control).await;
        let _ = found_sender.send(model);
        probe
    };
    let model_probes = async {
        let model = match &plan.model {
            Some(model) => Some(model.clone()),
            None => found.await.ok().flatten().map(|id| (id, None)),
        };
        match model {
            Some((id, base_url)) => {
                // Resolved once for both probes; the configured model's target is the one the
                // report already shows, a listed model gets its own.
                let target = if plan.model.is_some() {
                    Ok(runtime.clone())
                } else {
                    call.runtime_target(RuntimeRequest {
                        model_id: &id,
                        model_base_url: base_url.as_deref(),
                        ..RuntimeRequest::default()
                    })
                    .await
                };
                tokio::join!(
                    converse_stream(call, &target, &id),
                    count_tokens(call, &target, &id),
                )
            }
            None => {
                let why = "no model configured or listed".to_owned();
                (
                    Probe::new(
                        "ConverseStream",
                        "bedrock:InvokeModelWithResponseStream",
                        None,
                    )
                    .with(Outcome::Skipped(why.clone())),
                    Probe::new("CountTokens", "bedrock:CountTokens", None)
                        .with(Outcome::Skipped(why)),
                )
            }
        }
    };
    let (list_models, list_profiles, get_profile, (chat, count), embed, guardrail) = tokio::join!(
        list_models,
        list_inference_profiles(call, control),
        async {
            match &plan.app_profile {
                Some(arn) => Some(get_inference_profile(call, runtime, arn).await),
                None => None,
            }
        },
        model_probes,
        async {
            match &plan.embedding {
                Some(search) => Some(embedding(call, search).await),
                None => None,
            }
        },
        async {
            match &plan.guardrail {
                Some((id, version)) => Some(apply_guardrail(call, runtime, id, version).await),
                None => None,
            }
        },
    );
    let mut probes = vec![list_models, list_profiles];
    probes.extend(get_profile);
    probes.push(chat);
    probes.push(count);
    probes.extend(embed);
    probes.extend(guardrail);
    probes
}

async fn list_foundation_models(
    call: &CallContext,
    control: &Result<CallTarget, PluginError>,
) -> (Probe, Option<String>) {
    let probe = Probe::new(
        fetch::LIST_FOUNDATION_MODELS,
        "bedrock:ListFoundationModels",
        None,
    );
    let client = match control_client(call, control) {
        Ok(client) => client,
        Err(error) => return (probe.failed(&error), None),
    };
    match fetch::foundation_models(&client, &call.settings.config.retry_policy()).await {
        Ok(models) => (probe, usable_model(&models)),
        Err(failure) => (probe.failed(&failure.as_bedrock_error()), None),
    }
}

async fn list_inference_profiles(
    call: &CallContext,
    control: &Result<CallTarget, PluginError>,
) -> Probe {
    let probe = Probe::new(
        fetch::LIST_INFERENCE_PROFILES,
        "bedrock:ListInferenceProfiles",
        None,
    );
    let client = match control_client(call, control) {
        Ok(client) => client,
        Err(error) => return probe.failed(&error),
    };
    let send = client.list_inference_profiles().max_results(1).send();
    match fetch::with_deadline(fetch::LIST_INFERENCE_PROFILES, CONTROL_PLANE_DEADLINE, send).await {
        Ok(_) => probe,
        Err(failure) => probe.failed(&failure.as_bedrock_error()),
    }
}

/// GetInferenceProfile in the ARN's own region (REG-11), sent even when the instance already
/// knows the answer (TEMP-04's cache would not test the permission).
async fn get_inference_profile(call: &CallContext, runtime: &CallTarget, arn: &str) -> Probe {
    let probe = Probe::new(
        fetch::GET_INFERENCE_PROFILE,
        "bedrock:GetInferenceProfile",
        Some(arn.to_owned()),
    );
    let region = app_profiles::arn_region(arn).unwrap_or(&runtime.region.region);
    let control = call.control_target_in(region).await;
    let client = match control_client(call, &control) {
        Ok(client) => client,
        Err(error) => return probe.failed(&error),
    };
    match fetch::inference_profile_model_arns(&client, arn, &call.settings.config.retry_policy())
        .await
    {
        Ok(_) => probe,
        Err(failure) => probe.failed(&failure.as_bedrock_error()),
    }
}

fn ping_message() -> Result<Message, BedrockError> {
    Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text(PING.to_owned()))
        .build()
        .map_err(|err| internal("probe message", err))
}

/// ConverseStream with `ping` and `maxTokens: 1`, read to its end (BR-31), under the stall
/// timeout (BR-20) since ConverseStream has no total deadline (NET-04).
async fn converse_stream(
    call: &CallContext,
    target: &Result<CallTarget, PluginError>,
    model_id: &str,
) -> Probe {
    let probe = Probe::new(
        "ConverseStream",
        "bedrock:InvokeModelWithResponseStream",
        Some(model_id.to_owned()),
    );
    let idle = call.settings.config.stream_idle_timeout();
    let send = async {
        let target = target.as_ref().map_err(setup)?;
        let client = runtime_client(call, target)?;
        let mut output = client
            .converse_stream()
            .model_id(model_id)
            .messages(ping_message()?)
            .inference_config(InferenceConfiguration::builder().max_tokens(1).build())
            .send()
            .await
            .map_err(|err| from_converse_stream_error(&err))?;
        loop {
            match tokio::time::timeout(idle, output.stream.recv()).await {
                Err(_) => {
                    return Err(BedrockError::Stalled {
                        ms: u64::try_from(idle.as_millis()).unwrap_or(u64::MAX),
                    })
                }
                Ok(Ok(Some(_))) => {}
                Ok(Ok(None)) => return Ok(()),
                Ok(Err(err)) => return Err(from_event_receiver_error(&err, None)),
            }
        }
    };
    match send.await {
        Ok(()) => probe,
        Err(error) => probe.failed(&error),
    }
}

/// CountTokens for `ping` on the probe model's foundation model id (BR-51's prefix rule; an
/// application profile is counted by the ARN, which Bedrock judges).
async fn count_tokens(
    call: &CallContext,
    target: &Result<CallTarget, PluginError>,
    model_id: &str,
) -> Probe {
    let count_id = count_model_id(model_id, None);
    let probe = Probe::new("CountTokens", "bedrock:CountTokens", Some(count_id.clone()));
    let send = async {
        let target = target.as_ref().map_err(setup)?;
        let client = runtime_client(call, target)?;
        let request = ConverseTokensRequest::builder()
            .messages(ping_message()?)
            .build();
        let send = client
            .count_tokens()
            .model_id(&count_id)
            .input(CountTokensInput::Converse(request))
            .send();
        fetch::with_deadline("CountTokens", CONTROL_PLANE_DEADLINE, send)
            .await
            .map(|_| ())
            .map_err(|failure| failure.as_bedrock_error())
    };
    match send.await {
        Ok(()) => probe,
        Err(error) => probe.failed(&error),
    }
}

/// One InvokeModel embedding of `ping` with the selected model (EMB-20's body), in the
/// memory-search region and endpoint (EMB-40), under the 60 s deadline (NET-04).
async fn embedding(call: &CallContext, search: &MemorySearch) -> Probe {
    let requested = search.model.as_deref().unwrap_or(families::DEFAULT_MODEL);
    let probe = Probe::new(
        "InvokeModel",
        "bedrock:InvokeModel",
        Some(requested.to_owned()),
    );
    let send = async {
        let model =
            families::resolve(requested, search.dimensions, None).map_err(BedrockError::Host)?;
        let target = call
            .runtime_target(RuntimeRequest {
                model_id: &model.model_id,
                model_base_url: search.base_url.as_deref(),
                ..RuntimeRequest::default()
            })
            .await
            .map_err(BedrockError::Host)?;
        let client = runtime_client(call, &target)?;
        let body = families::request_body(
            model.family,
            &[PING.to_owned()],
            model.dimensions,
            Purpose::Query,
        );
        let body = serde_json::to_vec(&body).map_err(|err| internal("embedding body", err))?;
        let send = client
            .invoke_model()
            .model_id(&model.model_id)
            .content_type("application/json")
            .accept("application/json")
            .body(Blob::new(body))
            .send();
        fetch::with_deadline("InvokeModel", INVOKE_DEADLINE, send)
            .await
            .map(|_| ())
            .map_err(|failure| failure.as_bedrock_error())
    };
    match send.await {
        Ok(()) => probe,
        Err(error) => probe.failed(&error),
    }
}

/// ApplyGuardrail with source `INPUT` and text `ping` (BR-31), in the runtime region.
async fn apply_guardrail(
    call: &CallContext,
    runtime: &CallTarget,
    identifier: &str,
    version: &str,
) -> Probe {
    let probe = Probe::new(
        "ApplyGuardrail",
        "bedrock:ApplyGuardrail",
        Some(format!("{identifier} version {version}")),
    );
    let send = async {
        let client = runtime_client(call, runtime)?;
        let text = GuardrailTextBlock::builder()
            .text(PING)
            .build()
            .map_err(|err| internal("guardrail probe text", err))?;
        let send = client
            .apply_guardrail()
            .guardrail_identifier(identifier)
            .guardrail_version(version)
            .source(GuardrailContentSource::Input)
            .content(GuardrailContentBlock::Text(text))
            .send();
        fetch::with_deadline("ApplyGuardrail", CONTROL_PLANE_DEADLINE, send)
            .await
            .map(|_| ())
            .map_err(|failure| failure.as_bedrock_error())
    };
    match send.await {
        Ok(()) => probe,
        Err(error) => probe.failed(&error),
    }
}
