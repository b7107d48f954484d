//! One chat request end to end: validate and shape it synchronously (so shape errors return
//! from `stream_chat` itself), then resolve the call target and run the driver on the plugin
//! runtime, with a stream handle the host polls.
//!
//! Two facts about the model can change what is sent before the first send:
//!
//! * An application inference profile's targets (TEMP-04, CACHE-20): a kept lookup result
//!   shapes the request at once; otherwise the request is shaped without it (so shape errors
//!   still return synchronously), the lookup runs on the plugin runtime, and the request is
//!   shaped again with the targets. A failed lookup leaves the first shape, which is TEMP-04's
//!   fallback of matching the ARN itself.
//! * A profile-only base model (DISC-19a): discovery marked its definition with
//!   `params.requiresInferenceProfile` and `params.preferredProfileId`, so the first send goes
//!   to that profile instead of paying a failed round trip and a BR-03 self-heal.

use std::sync::Arc;

use plugin_api::chat::ChatRequest;
use plugin_api::error::{ErrorKind, PluginError};
use plugin_api::model::ModelDefinition;

use crate::app_profiles::{self, AppProfiles};
use crate::aws::target::{CallContext, RuntimeRequest};
use crate::converse::driver::{self, SendSpec, StreamRequest};
use crate::converse::learned::LearnedCorrections;
use crate::converse::payload_hook::HostPayloadHook;
use crate::converse::request::{self, ConverseInput, Operation};
use crate::converse::response::mapper::StreamLimits;
use crate::converse::response::mapper::{MapperConfig, StreamMapper, SurfaceRequest};
use crate::converse::retry::ChooseProfile;
use crate::manifest::API;
use crate::models::traits::ModelTraits;
use crate::pending::{EventSink, StreamHandle, StreamPermit};

/// Validates and shapes the request now (so shape errors return synchronously), then sends
/// it on the plugin runtime; `permit` (PLG-90) is held until the stream's task ends. The
/// host's `payload_hook` runs there before each send, after the target resolution (REQ-03).
pub fn start(
    permit: Option<StreamPermit>,
    call: CallContext,
    learned: Arc<LearnedCorrections>,
    app_profiles: Arc<AppProfiles>,
    profiles: Box<dyn ChooseProfile>,
    request: ChatRequest,
    payload_hook: Option<HostPayloadHook>,
) -> Result<StreamHandle, PluginError> {
    if request.model.api.as_str() != API {
        return Err(PluginError::new(
            ErrorKind::InvalidRequest,
            format!(
                "Amazon Bedrock stream received unsupported API: {}",
                request.model.api
            ),
        ));
    }
    let settings = call.settings.clone();
    let options = &request.options;
    let sets_sampling = options.temperature.is_some() || options.top_p.is_some();
    let (traits, lookup_pending) = app_profiles::traits_from_cache(
        &app_profiles,
        call.traits.of(&request.model),
        sets_sampling,
    );
    let input = shape(&call, &request, &traits)?;
    let model_id = request.model.id.to_string();
    // EVT-33 names the limit the answer was sent with (the model's when none was sent).
    let sent_max_tokens = input
        .inference_config
        .max_tokens()
        .and_then(|limit| u64::try_from(limit).ok())
        .unwrap_or(request.model.max_tokens);
    StreamHandle::spawn(&model_id, permit, move |sink| async move {
        let mut mapper_config = MapperConfig {
            model_id: request.model.id.to_string(),
            cost: settings.host.prices_for(&request.model),
            refusal_buffered: traits.refusal_buffered,
            max_tokens: sent_max_tokens,
            request_max_tokens_cap: None,
            notices: Vec::new(),
            limits: StreamLimits {
                max_delta_bytes: settings.config.max_delta_bytes(),
                max_tool_argument_bytes: settings.config.max_tool_argument_bytes(),
            },
            surface: SurfaceRequest::default(),
        };
        let target = call
            .runtime_target(RuntimeRequest::for_chat(&request))
            .await;
        let client = target.and_then(|target| {
            tracing::debug!(
                model = %request.model.id,
                region = %target.region.region,
                endpoint = %target.endpoint.url,
                auth_mode = target.auth.mode.as_str(),
                "sending ConverseStream"
            );
            let region = target.region.region.clone();
            let endpoint = target.endpoint.url.clone();
            call.clients
                .runtime(&target.spec)
                .map(|client| (client, region, endpoint))
        });
        let (client, region, endpoint) = match client {
            Ok(client) => client,
            Err(error) => return fail(mapper_config, error, sink).await,
        };
        let input = if lookup_pending {
            match reshape_with_targets(&call, &app_profiles, &request, traits, input, &region).await
            {
                Ok(input) => input,
                Err(error) => return fail(mapper_config, error, sink).await,
            }
        } else {
            input
        };
        // BR-90..BR-92: the answer is judged against what this input asks for.
        mapper_config.surface = SurfaceRequest::of(&input, &region);
        driver::run(
            StreamRequest {
                send: SendSpec {
                    client,
                    input,
                    idle_timeout: settings.config.stream_idle_timeout(),
                },
                mapper: mapper_config,
                policy: settings.config.retry_policy(),
                region,
                profiles: Some(profiles),
                learned,
                failover_memory: settings.config.retry_failover_memory(),
                model_access: request.model.access().map(str::to_owned),
                endpoint,
                payload_hook,
            },
            sink,
        )
        .await
    })
}

/// The ConverseStream input for `traits`, sent to the preferred profile of a profile-only
/// model (DISC-19a).
fn shape(
    call: &CallContext,
    request: &ChatRequest,
    traits: &ModelTraits,
) -> Result<ConverseInput, PluginError> {
    let mut input = request::build_with_traits(
        request,
        traits,
        &call.settings,
        &call.env,
        Operation::ConverseStream,
        &call.warnings,
    )?;
    if let Some(profile) = preferred_profile(&request.model) {
        tracing::info!(
            "Amazon Bedrock: {} requires an inference profile; using {profile}",
            request.model.id
        );
        input.model_id = profile;
    }
    Ok(input)
}

/// TEMP-04: looks the application profile up (joining a lookup in flight) and shapes the
/// request again with its targets; on a failed lookup `shaped` (the ARN-only shape) is kept.
async fn reshape_with_targets(
    call: &CallContext,
    app_profiles: &Arc<AppProfiles>,
    request: &ChatRequest,
    traits: ModelTraits,
    shaped: ConverseInput,
    runtime_region: &str,
) -> Result<ConverseInput, PluginError> {
    match app_profiles.resolve(call, &traits.id, runtime_region).await {
        Ok(targets) => shape(
            call,
            request,
            &traits.with_profile_targets(targets.to_vec()),
        ),
        // Logged once by the lookup itself.
        Err(_) => Ok(shaped),
    }
}

/// DISC-19a: `params.preferredProfileId` of a definition whose `params.requiresInferenceProfile`
/// is true (discovery writes both for profile-only models).
fn preferred_profile(model: &ModelDefinition) -> Option<String> {
    let params = model.params_json.as_ref().into_option()?;
    let params: serde_json::Value = serde_json::from_str(params.as_str()).ok()?;
    if params.get("requiresInferenceProfile") != Some(&serde_json::Value::Bool(true)) {
        return None;
    }
    params
        .get("preferredProfileId")
        .and_then(serde_json::Value::as_str)
        .map(str::trim)
        .filter(|profile| !profile.is_empty())
        .map(str::to_owned)
}

/// Ends the stream with `error` before anything was sent.
async fn fail(mapper_config: MapperConfig, error: PluginError, sink: EventSink) {
    let mut mapper = StreamMapper::new(mapper_config);
    let mut out = Vec::new();
    mapper.on_failure(error, plugin_api::event::StopReason::Error, &mut out);
    sink.send(out).await;
    sink.finish();
}
