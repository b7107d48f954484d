//! What every request goes through before its operation runs, in Bedrock's order: read and record it,
//! verify its credentials, plan its faults (rules are consumed even when the request then fails),
//! apply latency, then answer an auth failure, an access-policy denial or an HTTP fault before any
//! operation work.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Request, Response};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use serde_json::Value;

use super::operations::{self, Call};
use super::response::{error_response, json_response, request_id_string};
use super::route::route;
use super::Body;
use crate::auth::{self, AuthOutcome, SignedRequest};
use crate::error::{ApiError, MALFORMED};
use crate::faults::{self, Fault, FaultPlan};
use crate::record::{self, Operation, RecordedRequest};
use crate::shared::Shared;
use crate::{policy, validation};

const MAX_BODY: usize = 64 * 1024 * 1024;

/// One request in flight: its record (finished with the response status) and request id.
pub(super) struct Ctx {
    pub(super) shared: Arc<Shared>,
    pub(super) record: RecordedRequest,
    pub(super) request_id: String,
}

impl Ctx {
    /// Record the request with the response's status and hand the response on.
    pub(super) fn finish(mut self, resp: Response<Body>) -> Response<Body> {
        self.record.status = resp.status().as_u16();
        record::push(&self.shared, self.record);
        resp
    }

    pub(super) fn fail(self, err: &ApiError) -> Response<Body> {
        let resp = error_response(err, &self.request_id);
        self.finish(resp)
    }

    /// An error answer naming its minimum wait (`Retry-After`, a [`Fault::RetryAfter`]).
    fn fail_retry_after(self, err: &ApiError, seconds: u64) -> Response<Body> {
        let mut resp = error_response(err, &self.request_id);
        resp.headers_mut()
            .insert("retry-after", HeaderValue::from(seconds));
        self.finish(resp)
    }

    pub(super) fn json(self, value: &Value) -> Response<Body> {
        let resp = json_response(value, &self.request_id);
        self.finish(resp)
    }

    /// The JSON body, or the error.
    pub(super) fn answer(self, result: Result<Value, ApiError>) -> Response<Body> {
        match result {
            Ok(v) => self.json(&v),
            Err(e) => self.fail(&e),
        }
    }
}

/// The request as read off the connection.
struct Received {
    parts: http::request::Parts,
    raw_path: String,
    query: String,
    /// `None` when the body could not be read (or exceeded [`MAX_BODY`]).
    body: Option<Bytes>,
}

async fn receive(req: Request<Incoming>) -> Received {
    let (parts, body) = req.into_parts();
    let raw_path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => Some(b.to_bytes()),
        Err(_) => None,
    };
    Received {
        parts,
        raw_path,
        query,
        body,
    }
}

/// The headers a signature is checked against: as sent, plus `host` from the URI authority when
/// absent (HTTP/2 carries it as `:authority`).
fn signing_headers(parts: &http::request::Parts) -> HeaderMap {
    let mut headers = parts.headers.clone();
    if headers.get("host").is_none() {
        if let Some(a) = parts.uri.authority() {
            if let Ok(v) = HeaderValue::from_str(a.as_str()) {
                headers.insert("host", v);
            }
        }
    }
    headers
}

/// The faults of the `x-emulator-fault` header (none without one).
fn header_faults(headers: &HeaderMap) -> Result<Vec<Fault>, ApiError> {
    let Some(value) = headers.get("x-emulator-fault") else {
        return Ok(Vec::new());
    };
    faults::parse_header(&String::from_utf8_lossy(value.as_bytes()))
        .map_err(|e| ApiError::validation(format!("Invalid x-emulator-fault header: {e}")))
}

/// The fault plan, matching rules against the model id as sent and its resolved base id.
fn fault_plan(
    shared: &Shared,
    operation: Operation,
    model_id: Option<&str>,
    header_faults: &[Fault],
) -> FaultPlan {
    let base = model_id.and_then(|m| validation::base_id(&shared.catalog, m));
    let ids: Vec<&str> = model_id.into_iter().chain(base.as_deref()).collect();
    faults::plan(shared, operation, &ids, header_faults)
}

async fn sleep_unless_zero(duration: Duration) {
    if !duration.is_zero() {
        tokio::time::sleep(duration).await;
    }
}

impl Received {
    fn verify(&self, body: &[u8], shared: &Shared) -> AuthOutcome {
        let request = SignedRequest {
            method: self.parts.method.as_str(),
            raw_path: &self.raw_path,
            raw_query: &self.query,
            headers: &signing_headers(&self.parts),
            body,
        };
        auth::verify(&request, &shared.credentials)
    }

    /// Who is calling, as the access policy and the prompt cache name it (access key id or bearer
    /// token; empty when anonymous).
    fn caller(&self, auth: &AuthOutcome) -> String {
        policy::caller_of(&auth.scheme, auth::bearer_token(&self.parts.headers))
            .unwrap_or_default()
            .to_string()
    }

    /// The record of this request (its status is filled in when it is answered).
    fn record(&self, id: u64, routed: &Routed, auth: &AuthOutcome, body: &[u8]) -> RecordedRequest {
        RecordedRequest {
            id,
            http_version: format!("{:?}", self.parts.version),
            method: self.parts.method.to_string(),
            path: self.raw_path.clone(),
            query: self.query.clone(),
            headers: record::redacted_headers(&self.parts.headers),
            auth: auth.scheme.clone(),
            authorized: auth.error.is_none(),
            operation: routed.0,
            model_id: routed.1.clone(),
            body: body.to_vec(),
            status: 0,
        }
    }
}

/// The access policy's denial of this (authenticated) request, if any.
fn denial(
    shared: &Shared,
    auth: &AuthOutcome,
    caller: &str,
    operation: Operation,
    identifier: Option<&str>,
) -> Option<ApiError> {
    let policy = shared.policy.lock().ok()?;
    policy::check(
        &policy,
        &shared.catalog,
        &auth.scheme,
        Some(caller).filter(|c| !c.is_empty()),
        operation,
        identifier.unwrap_or_default(),
    )
}

/// The operation and model id a request was routed to.
type Routed = (Operation, Option<String>);

/// Handle one request, from reading it to the recorded response.
pub(super) async fn handle(req: Request<Incoming>, shared: Arc<Shared>) -> Response<Body> {
    let id = shared.next_request_id();
    let request_id = request_id_string(&shared, id);
    let started = Instant::now();
    let received = receive(req).await;
    let routed = route(&received.parts.method, &received.raw_path);
    let body = received.body.clone().unwrap_or_default();
    let auth = received.verify(&body, &shared);
    let ctx = Ctx {
        shared: shared.clone(),
        record: received.record(id, &routed, &auth, &body),
        request_id,
    };
    if received.body.is_none() {
        return ctx.fail(&ApiError::validation(MALFORMED));
    }
    let header_faults = match header_faults(&received.parts.headers) {
        Ok(f) => f,
        Err(e) => return ctx.fail(&e),
    };
    let (operation, model_id) = routed;
    let plan = fault_plan(&shared, operation, model_id.as_deref(), &header_faults);
    sleep_unless_zero(shared.latency.unwrap_or_default() + Duration::from_millis(plan.latency_ms))
        .await;
    if let Some(err) = &auth.error {
        return ctx.fail(&err.to_api_error());
    }
    let caller = received.caller(&auth);
    if let Some(denied) = denial(&shared, &auth, &caller, operation, model_id.as_deref()) {
        return ctx.fail(&denied);
    }
    if let Some((status, ty, msg)) = &plan.http {
        let err = ApiError::new(*status, ty, msg.clone());
        return match plan.retry_after_s {
            Some(seconds) => ctx.fail_retry_after(&err, seconds),
            None => ctx.fail(&err),
        };
    }
    if plan.reset_before_headers {
        let mut resp = Response::new(super::response::full(Bytes::new()));
        resp.extensions_mut().insert(super::ResetConnection);
        return ctx.finish(resp);
    }
    sleep_unless_zero(Duration::from_millis(plan.first_byte_ms)).await;
    let call = Call {
        operation,
        model_id: model_id.unwrap_or_default(),
        path: &received.raw_path,
        query: &received.query,
        body: &body,
        faults: &plan,
        started,
        caller,
    };
    operations::dispatch(ctx, call)
}
