//! One function per operation, after the pipeline: resolve the model, parse and validate the body,
//! and answer through the control plane, Converse (body or stream, or a replay), embeddings,
//! CountTokens or ApplyGuardrail. Each function owns its failure responses, so each reads top to bottom.

use std::time::Instant;

use bytes::Bytes;
use http::{HeaderValue, Response};
use serde_json::Value;

use super::pipeline::Ctx;
use super::response::json_bytes_response;
use super::route;
use super::stream_body::{stream_response, Events};
use super::Body;
use crate::error::{ApiError, MALFORMED};
use crate::faults::FaultPlan;
use crate::record::Operation;
use crate::shared::Shared;
use crate::{apply_guardrail, control_plane, converse, embeddings, validation};

/// What an operation needs from the request.
pub(super) struct Call<'a> {
    pub(super) operation: Operation,
    /// The routed model id / identifier (empty when the route has none).
    pub(super) model_id: String,
    /// The raw path, as sent.
    pub(super) path: &'a str,
    pub(super) query: &'a str,
    pub(super) body: &'a [u8],
    pub(super) faults: &'a FaultPlan,
    /// When the request arrived (for the latency the response reports).
    pub(super) started: Instant,
    /// Who is calling (access key id or bearer token): the prompt cache is kept per caller.
    pub(super) caller: String,
}

impl Call<'_> {
    fn json_body(&self) -> Result<Value, ApiError> {
        serde_json::from_slice(self.body).map_err(|_| ApiError::validation(MALFORMED))
    }
}

/// Run the routed operation.
pub(super) fn dispatch(ctx: Ctx, call: Call<'_>) -> Response<Body> {
    match call.operation {
        Operation::ListFoundationModels
        | Operation::GetFoundationModel
        | Operation::ListInferenceProfiles
        | Operation::GetInferenceProfile
        | Operation::GetFoundationModelAvailability
        | Operation::ListPromptRouters
        | Operation::ListCustomModelDeployments
        | Operation::GetCustomModel
        | Operation::ListImportedModels
        | Operation::ListProvisionedModelThroughputs => {
            let account = ctx
                .shared
                .account
                .lock()
                .map(|account| account.clone())
                .unwrap_or_default();
            let result = control_plane::handle(
                &ctx.shared.catalog,
                &account,
                call.operation,
                Some(&call.model_id),
                call.query,
            );
            ctx.answer(result)
        }
        Operation::Converse | Operation::ConverseStream => converse(ctx, &call),
        Operation::InvokeModel => invoke_model(ctx, &call),
        Operation::CountTokens => count_tokens(ctx, &call),
        Operation::ApplyGuardrail => apply_guardrail(ctx, &call),
        Operation::Unknown => ctx.fail(&ApiError::unknown_operation()),
    }
}

/// The recorded frames set for the model id as sent, or else for its resolved base id.
fn replay(shared: &Shared, model_id: &str, base_id: &str) -> Option<Events> {
    let frames = shared
        .replays
        .lock()
        .ok()
        .and_then(|r| r.get(model_id).or_else(|| r.get(base_id)).cloned())?;
    let frames: Vec<Bytes> = frames.iter().cloned().collect();
    Some(Box::new(frames.into_iter()))
}

fn converse(ctx: Ctx, call: &Call<'_>) -> Response<Body> {
    let stream = call.operation == Operation::ConverseStream;
    let shared = ctx.shared.clone();
    let model = match validation::resolve(&shared.catalog, &call.model_id, true) {
        Ok(r) => r.model,
        Err(e) => return ctx.fail(&e),
    };
    if stream {
        if let Some(source) = replay(&shared, &call.model_id, &model.model_id) {
            return stream_response(ctx, source, call.faults);
        }
    }
    let req = match call.json_body() {
        Ok(v) => v,
        Err(e) => return ctx.fail(&e),
    };
    if let Err(e) = validation::converse(&req, model, stream) {
        return ctx.fail(&e);
    }
    let planned = converse::Planned {
        model,
        caller: &call.caller,
        long_stream: call.faults.long_stream,
        stream,
    };
    let reply = match converse::plan(&shared, &req, &planned) {
        Ok(r) => r,
        Err(e) => return ctx.fail(&e),
    };
    let latency_ms = call.started.elapsed().as_millis() as u64 + 1;
    if stream {
        stream_response(ctx, converse::stream_events(reply, latency_ms), call.faults)
    } else {
        ctx.json(&converse::converse_body(&reply, latency_ms))
    }
}

/// Embeddings, with the token-count and latency headers Bedrock adds.
fn invoke_model(ctx: Ctx, call: &Call<'_>) -> Response<Body> {
    let shared = ctx.shared.clone();
    let model = match validation::resolve(&shared.catalog, &call.model_id, true) {
        Ok(r) => r.model,
        Err(e) => return ctx.fail(&e),
    };
    let embedding = match embeddings::invoke(model, call.body, &shared.embedding_vectors) {
        Ok(r) => r,
        Err(e) => return ctx.fail(&e),
    };
    let mut resp = json_bytes_response(embedding.body, &ctx.request_id);
    let headers = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&embedding.input_tokens.to_string()) {
        headers.insert("x-amzn-bedrock-input-token-count", v);
    }
    let latency = call.started.elapsed().as_millis().to_string();
    if let Ok(v) = HeaderValue::from_str(&latency) {
        headers.insert("x-amzn-bedrock-invocation-latency", v);
    }
    ctx.finish(resp)
}

/// CountTokens accepts profile-only base ids (no on-demand check), as Bedrock does.
fn count_tokens(ctx: Ctx, call: &Call<'_>) -> Response<Body> {
    if let Err(e) = validation::resolve(&ctx.shared.catalog, &call.model_id, false) {
        return ctx.fail(&e);
    }
    let result = call
        .json_body()
        .and_then(|req| converse::count_tokens(&req));
    ctx.answer(result)
}

/// ApplyGuardrail: the guardrail and version from the path, judged against the known guardrails.
fn apply_guardrail(ctx: Ctx, call: &Call<'_>) -> Response<Body> {
    let version = route::guardrail(call.path)
        .map(|(_, _, v)| v)
        .unwrap_or_default();
    let known = ctx
        .shared
        .guardrails
        .lock()
        .map(|g| g.clone())
        .unwrap_or_default();
    let result = call
        .json_body()
        .and_then(|req| apply_guardrail::apply(&known, &call.model_id, &version, &req));
    ctx.answer(result)
}
