//! One chat request end to end: validate and shape it synchronously (so shape errors return
//! from `stream_chat` itself), then resolve the call target and run the driver on the plugin
//! runtime, with a stream handle the host polls.

use std::sync::Arc;

use plugin_api::chat::ChatRequest;
use plugin_api::error::{ErrorKind, PluginError};

use crate::aws::target::{CallContext, RuntimeRequest};
use crate::converse::driver::{self, SendSpec, StreamRequest};
use crate::converse::learned::LearnedCorrections;
use crate::converse::request::{self, Operation};
use crate::converse::response::mapper::{MapperConfig, StreamMapper};
use crate::converse::retry::ChooseProfile;
use crate::manifest::API;
use crate::models::traits::ModelTraits;
use crate::pending::StreamHandle;

/// Validates and shapes the request now (so shape errors return synchronously), then sends
/// it on the plugin runtime.
pub fn start(
    call: CallContext,
    learned: Arc<LearnedCorrections>,
    profiles: Box<dyn ChooseProfile>,
    request: ChatRequest,
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
    let input = request::build(
        &request,
        &settings,
        Operation::ConverseStream,
        &call.warnings,
    )?;
    let model_id = request.model.id.to_string();
    StreamHandle::spawn(&model_id, move |sink| async move {
        let mapper_config = MapperConfig {
            model_id: request.model.id.to_string(),
            cost: request.model.cost,
            refusal_buffered: ModelTraits::of(&request.model).refusal_buffered,
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
            call.clients
                .runtime(&target.spec)
                .map(|client| (client, region))
        });
        match client {
            Ok((client, region)) => {
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
                    },
                    sink,
                )
                .await
            }
            Err(error) => {
                let mut mapper = StreamMapper::new(mapper_config);
                let mut out = Vec::new();
                mapper.on_failure(error, plugin_api::event::StopReason::Error, &mut out);
                sink.send(out).await;
                sink.finish();
            }
        }
    })
}
