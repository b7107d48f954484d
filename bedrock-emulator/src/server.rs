//! The listener: one port serving HTTP/1.1 and HTTP/2 (h2c prior knowledge, or ALPN over TLS) via
//! hyper-util's auto builder, request routing, error responses with `x-amzn-errortype` /
//! `x-amzn-requestid`, and the streaming body that writes one event-stream frame per HTTP chunk and
//! reports how the stream ended.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body::Frame;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use percent_encoding::percent_decode_str;
use serde_json::{json, Value};

use crate::faults::FaultPlan;
use crate::validation::{ApiError, MALFORMED};
use crate::{auth, control_plane, converse, embeddings, faults, record, validation};
use crate::{Emulator, Operation, RecordedRequest, Shared, StreamOutcome};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub(crate) type Body = UnsyncBoxBody<Bytes, BoxError>;

const MAX_BODY: usize = 64 * 1024 * 1024;
const ERROR_NAMESPACE: &str = "http://internal.amazon.com/coral/com.amazon.bedrock/";

/// Accept connections until `shutdown` fires.
pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shared: Arc<Shared>,
    mut shutdown: tokio::sync::oneshot::Receiver<()>,
) {
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown => break,
            a = listener.accept() => a,
        };
        let (stream, _) = match accepted {
            Ok(s) => s,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let shared = shared.clone();
                async move { Ok::<_, Infallible>(handle(req, shared).await) }
            });
            let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
            match tls {
                Some(acceptor) => {
                    if let Ok(s) = acceptor.accept(stream).await {
                        let _ = builder.serve_connection(TokioIo::new(s), service).await;
                    }
                }
                None => {
                    let _ = builder
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                }
            }
        });
    }
}

fn full(body: impl Into<Bytes>) -> Body {
    Full::new(body.into())
        .map_err(|never| -> BoxError { match never {} })
        .boxed_unsync()
}

fn request_id_string(shared: &Shared, id: u64) -> String {
    let seed = shared.started.elapsed().as_nanos() as u64 ^ 0x9e37_79b9_7f4a_7c15;
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        (seed >> 32) as u32,
        (seed >> 16) as u16,
        (seed & 0xfff) as u16,
        (id >> 48) as u16 & 0xfff,
        id & 0xffff_ffff_ffff
    )
}

fn base_response(status: u16, request_id: &str, content_type: &str) -> http::response::Builder {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("x-amzn-requestid", request_id)
        .header("content-type", content_type)
}

fn error_response(err: &ApiError, request_id: &str) -> Response<Body> {
    let body = serde_json::to_vec(&json!({ "message": err.message })).unwrap_or_default();
    let errortype = format!("{}:{ERROR_NAMESPACE}", err.error_type);
    let mut resp = base_response(err.status, request_id, "application/json")
        .body(full(body))
        .unwrap_or_else(|_| Response::new(full(Bytes::new())));
    if let Ok(v) = HeaderValue::from_str(&errortype) {
        resp.headers_mut().insert("x-amzn-errortype", v);
    }
    resp
}

fn json_response(value: &Value, request_id: &str) -> Response<Body> {
    let body = serde_json::to_vec(value).unwrap_or_default();
    base_response(200, request_id, "application/json")
        .body(full(body))
        .unwrap_or_else(|_| Response::new(full(Bytes::new())))
}

/// Map method + raw path to an operation and the decoded identifier.
fn route(method: &Method, raw_path: &str) -> (Operation, Option<String>) {
    let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
    if method == Method::POST {
        if let Some(rest) = raw_path.strip_prefix("/model/") {
            for (suffix, op) in [
                ("/converse-stream", Operation::ConverseStream),
                ("/converse", Operation::Converse),
                ("/invoke", Operation::InvokeModel),
                ("/count-tokens", Operation::CountTokens),
            ] {
                if let Some(id) = rest.strip_suffix(suffix) {
                    if !id.is_empty() {
                        return (op, Some(decode(id)));
                    }
                }
            }
        }
    }
    if method == Method::GET {
        let path = raw_path.trim_end_matches('/');
        if path == "/foundation-models" {
            return (Operation::ListFoundationModels, None);
        }
        if let Some(id) = path.strip_prefix("/foundation-models/") {
            return (Operation::GetFoundationModel, Some(decode(id)));
        }
        if path == "/inference-profiles" {
            return (Operation::ListInferenceProfiles, None);
        }
        if let Some(id) = path.strip_prefix("/inference-profiles/") {
            return (Operation::GetInferenceProfile, Some(decode(id)));
        }
    }
    (Operation::Unknown, None)
}

struct Ctx {
    shared: Arc<Shared>,
    record: RecordedRequest,
    request_id: String,
}

impl Ctx {
    fn finish(mut self, resp: Response<Body>) -> Response<Body> {
        self.record.status = resp.status().as_u16();
        record::push(&self.shared, self.record);
        resp
    }
    fn fail(self, err: &ApiError) -> Response<Body> {
        let resp = error_response(err, &self.request_id);
        self.finish(resp)
    }
}

async fn handle(req: Request<Incoming>, shared: Arc<Shared>) -> Response<Body> {
    let id = Emulator::next_request_id(&shared);
    let request_id = request_id_string(&shared, id);
    let started = std::time::Instant::now();
    let (parts, body) = req.into_parts();
    let raw_path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    let (operation, model_id) = route(&parts.method, &raw_path);
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => Some(b.to_bytes()),
        Err(_) => None,
    };
    let mut headers = parts.headers.clone();
    if headers.get("host").is_none() {
        if let Some(a) = parts.uri.authority() {
            if let Ok(v) = HeaderValue::from_str(a.as_str()) {
                headers.insert("host", v);
            }
        }
    }
    let body_bytes = body.clone().unwrap_or_default();
    let auth = auth::verify(
        parts.method.as_str(),
        &raw_path,
        &query,
        &headers,
        &body_bytes,
        &shared.credentials,
    );
    let ctx = Ctx {
        shared: shared.clone(),
        record: RecordedRequest {
            id,
            http_version: format!("{:?}", parts.version),
            method: parts.method.to_string(),
            path: raw_path.clone(),
            query: query.clone(),
            headers: record::redacted_headers(&parts.headers),
            auth: auth.scheme.clone(),
            authorized: auth.error.is_none(),
            operation,
            model_id: model_id.clone(),
            body: body_bytes.to_vec(),
            status: 0,
        },
        request_id: request_id.clone(),
    };
    if body.is_none() {
        return ctx.fail(&ApiError::validation(MALFORMED));
    }

    // Faults: header + rules.
    let header_faults = match parts
        .headers
        .get("x-emulator-fault")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    {
        None => Vec::new(),
        Some(h) => match faults::parse_header(&h) {
            Ok(f) => f,
            Err(e) => {
                return ctx.fail(&ApiError::validation(format!(
                    "Invalid x-emulator-fault header: {e}"
                )))
            }
        },
    };
    let base = model_id
        .as_deref()
        .and_then(|m| validation::base_id(&shared.catalog, m));
    let mut ids: Vec<&str> = Vec::new();
    if let Some(m) = model_id.as_deref() {
        ids.push(m);
    }
    if let Some(b) = base.as_deref() {
        ids.push(b);
    }
    let plan = faults::plan(&shared, operation, &ids, &header_faults);
    let latency = shared.latency.unwrap_or_default() + Duration::from_millis(plan.latency_ms);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if let Some(err) = &auth.error {
        return ctx.fail(&ApiError::new(403, err.error_type, err.message.clone()));
    }
    if let Some((status, ty, msg)) = &plan.http {
        return ctx.fail(&ApiError::new(*status, ty, msg.clone()));
    }
    if plan.first_byte_ms > 0 {
        tokio::time::sleep(Duration::from_millis(plan.first_byte_ms)).await;
    }

    let model_id = model_id.unwrap_or_default();
    match operation {
        Operation::ListFoundationModels
        | Operation::GetFoundationModel
        | Operation::ListInferenceProfiles
        | Operation::GetInferenceProfile => {
            match control_plane::handle(&shared.catalog, operation, Some(&model_id), &query) {
                Ok(v) => {
                    let resp = json_response(&v, &request_id);
                    ctx.finish(resp)
                }
                Err(e) => ctx.fail(&e),
            }
        }
        Operation::Converse | Operation::ConverseStream => {
            let stream = operation == Operation::ConverseStream;
            let resolved = match validation::resolve(&shared.catalog, &model_id, true) {
                Ok(r) => r,
                Err(e) => return ctx.fail(&e),
            };
            let _ = resolved.via_profile;
            if stream {
                let replay = shared.replays.lock().ok().and_then(|r| {
                    r.get(&model_id)
                        .or_else(|| r.get(&resolved.model.model_id))
                        .cloned()
                });
                if let Some(frames) = replay {
                    let frames: Vec<Bytes> = frames.iter().cloned().collect();
                    let source: Box<dyn Iterator<Item = Bytes> + Send> =
                        Box::new(frames.into_iter());
                    return stream_response(ctx, source, &plan);
                }
            }
            let req: Value = match serde_json::from_slice(&body_bytes) {
                Ok(v) => v,
                Err(_) => return ctx.fail(&ApiError::validation(MALFORMED)),
            };
            if let Err(e) = validation::converse(&req, resolved.model, stream) {
                return ctx.fail(&e);
            }
            let reply =
                match converse::plan(&shared, &req, resolved.model, plan.long_stream, stream) {
                    Ok(r) => r,
                    Err(e) => return ctx.fail(&e),
                };
            let latency_ms = started.elapsed().as_millis() as u64 + 1;
            if stream {
                let source = converse::stream_events(reply, latency_ms);
                stream_response(ctx, source, &plan)
            } else {
                let v = converse::converse_body(&reply, latency_ms);
                let resp = json_response(&v, &request_id);
                ctx.finish(resp)
            }
        }
        Operation::InvokeModel => {
            let resolved = match validation::resolve(&shared.catalog, &model_id, true) {
                Ok(r) => r,
                Err(e) => return ctx.fail(&e),
            };
            match embeddings::invoke(resolved.model, &body_bytes) {
                Ok(r) => {
                    let body = serde_json::to_vec(&r.body).unwrap_or_default();
                    let mut resp = json_response(&Value::Null, &request_id);
                    *resp.body_mut() = full(body);
                    let h = resp.headers_mut();
                    if let Ok(v) = HeaderValue::from_str(&r.input_tokens.to_string()) {
                        h.insert("x-amzn-bedrock-input-token-count", v);
                    }
                    let lat = started.elapsed().as_millis().to_string();
                    if let Ok(v) = HeaderValue::from_str(&lat) {
                        h.insert("x-amzn-bedrock-invocation-latency", v);
                    }
                    ctx.finish(resp)
                }
                Err(e) => ctx.fail(&e),
            }
        }
        Operation::CountTokens => {
            if let Err(e) = validation::resolve(&shared.catalog, &model_id, false) {
                return ctx.fail(&e);
            }
            let req: Value = match serde_json::from_slice(&body_bytes) {
                Ok(v) => v,
                Err(_) => return ctx.fail(&ApiError::validation(MALFORMED)),
            };
            match converse::count_tokens(&req) {
                Ok(v) => {
                    let resp = json_response(&v, &request_id);
                    ctx.finish(resp)
                }
                Err(e) => ctx.fail(&e),
            }
        }
        Operation::Unknown => ctx.fail(&ApiError::new(
            404,
            "UnknownOperationException",
            "Unknown operation",
        )),
    }
}

fn stream_response(
    ctx: Ctx,
    source: Box<dyn Iterator<Item = Bytes> + Send>,
    plan: &FaultPlan,
) -> Response<Body> {
    let body = StreamBody {
        source,
        emitted: 0,
        in_stream: plan.in_stream.as_ref().map(|(n, ty, msg)| {
            let payload = if ty == "modelStreamErrorException" {
                json!({"message": msg, "originalStatusCode": 500, "originalMessage": msg})
            } else {
                json!({"message": msg})
            };
            (
                *n,
                crate::eventstream::encode_exception(
                    ty,
                    &serde_json::to_vec(&payload).unwrap_or_default(),
                ),
            )
        }),
        disconnect_after: plan.disconnect_after,
        bad_crc_after: plan.bad_crc_after,
        stall: (plan.stall_ms > 0).then(|| Duration::from_millis(plan.stall_ms)),
        sleep: None,
        flushed_before_disconnect: false,
        done: false,
        shared: ctx.shared.clone(),
        id: ctx.record.id,
    };
    let mut resp = Response::builder()
        .status(200)
        .header("x-amzn-requestid", ctx.request_id.as_str())
        .header("content-type", "application/vnd.amazon.eventstream")
        .body(body.boxed_unsync())
        .unwrap_or_else(|_| Response::new(full(Bytes::new())));
    resp.headers_mut().insert(
        "x-amzn-bedrock-content-type",
        HeaderValue::from_static("application/json"),
    );
    ctx.finish(resp)
}

/// The ConverseStream body: one frame per HTTP chunk, with the stream faults, reporting its outcome.
struct StreamBody {
    source: Box<dyn Iterator<Item = Bytes> + Send>,
    emitted: usize,
    in_stream: Option<(usize, Bytes)>,
    disconnect_after: Option<usize>,
    bad_crc_after: Option<usize>,
    stall: Option<Duration>,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    flushed_before_disconnect: bool,
    done: bool,
    shared: Arc<Shared>,
    id: u64,
}

impl StreamBody {
    fn end(&mut self, outcome: StreamOutcome) {
        self.done = true;
        self.shared.set_outcome(self.id, outcome);
    }
}

#[derive(Debug)]
struct InjectedDisconnect;

impl std::fmt::Display for InjectedDisconnect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("emulator fault: connection closed mid-stream")
    }
}

impl std::error::Error for InjectedDisconnect {}

impl http_body::Body for StreamBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        if let Some(stall) = this.stall {
            if this.emitted > 0 {
                let sleep = this
                    .sleep
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(stall)));
                if sleep.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                this.sleep = None;
            }
        }
        if let Some((n, frame)) = &this.in_stream {
            if this.emitted >= *n {
                let frame = frame.clone();
                this.end(StreamOutcome::FaultInjected);
                return Poll::Ready(Some(Ok(Frame::data(frame))));
            }
        }
        if this.disconnect_after.is_some_and(|n| this.emitted >= n) {
            // Let hyper flush what was written so far, then fail the body (closing the connection).
            if !this.flushed_before_disconnect {
                let sleep = this
                    .sleep
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(Duration::from_millis(20))));
                if sleep.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                this.sleep = None;
                this.flushed_before_disconnect = true;
            }
            this.end(StreamOutcome::FaultInjected);
            return Poll::Ready(Some(Err(Box::new(InjectedDisconnect))));
        }
        if this.bad_crc_after.is_some_and(|n| this.emitted >= n) {
            let frame = this.source.next().unwrap_or_else(|| {
                crate::eventstream::encode_event("messageStop", br#"{"stopReason":"end_turn"}"#)
            });
            this.end(StreamOutcome::FaultInjected);
            return Poll::Ready(Some(Ok(Frame::data(crate::eventstream::corrupt(&frame)))));
        }
        match this.source.next() {
            Some(frame) => {
                this.emitted += 1;
                Poll::Ready(Some(Ok(Frame::data(frame))))
            }
            None => {
                this.end(StreamOutcome::Completed);
                Poll::Ready(None)
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.done
    }
}

impl Drop for StreamBody {
    fn drop(&mut self) {
        if !self.done {
            self.shared
                .set_outcome(self.id, StreamOutcome::ClientDisconnected);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_paths() {
        let (op, id) = route(
            &Method::POST,
            "/model/amazon.nova-micro-v1%3A0/converse-stream",
        );
        assert_eq!(op, Operation::ConverseStream);
        assert_eq!(id.as_deref(), Some("amazon.nova-micro-v1:0"));
        let (op, id) = route(
            &Method::POST,
            "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fabc/converse",
        );
        assert_eq!(op, Operation::Converse);
        assert_eq!(
            id.as_deref(),
            Some("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc")
        );
        assert_eq!(
            route(&Method::GET, "/inference-profiles").0,
            Operation::ListInferenceProfiles
        );
        assert_eq!(route(&Method::GET, "/nope").0, Operation::Unknown);
    }
}
