//! Response heads and bodies as Bedrock sends them: every response carries `x-amzn-requestid` and a
//! content type; errors add `x-amzn-errortype` (`Type:namespace`) and a `{"message"}` body (`{"Message"}`
//! from the auth layer, see [`Origin`](crate::error::Origin)), which is what SDKs read to pick the error
//! variant.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use serde_json::{json, Value};

use super::{Body, BoxError};
use crate::error::ApiError;
use crate::shared::Shared;

/// A complete (non-streaming) body.
pub(super) fn full(body: impl Into<Bytes>) -> Body {
    Full::new(body.into())
        .map_err(|never| -> BoxError { match never {} })
        .boxed_unsync()
}

/// A UUID-shaped `x-amzn-requestid` from the request number and the server's uptime.
pub(super) fn request_id_string(shared: &Shared, id: u64) -> String {
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

pub(super) fn base_response(
    status: u16,
    request_id: &str,
    content_type: &str,
) -> http::response::Builder {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("x-amzn-requestid", request_id)
        .header("content-type", content_type)
}

/// A complete response with `body`, or an empty one if the head cannot be built.
fn complete(head: http::response::Builder, body: Body) -> Response<Body> {
    head.body(body)
        .unwrap_or_else(|_| Response::new(full(Bytes::new())))
}

pub(super) fn error_response(err: &ApiError, request_id: &str) -> Response<Body> {
    let key = err.origin.message_key();
    let body = serde_json::to_vec(&json!({ key: err.message })).unwrap_or_default();
    let errortype = format!("{}:{}", err.error_type, err.origin.namespace());
    let mut resp = complete(
        base_response(err.status, request_id, "application/json"),
        full(body),
    );
    if let Ok(v) = HeaderValue::from_str(&errortype) {
        resp.headers_mut().insert("x-amzn-errortype", v);
    }
    resp
}

/// HTTP 200 with a JSON body.
pub(super) fn json_response(value: &Value, request_id: &str) -> Response<Body> {
    json_bytes_response(serde_json::to_vec(value).unwrap_or_default(), request_id)
}

/// HTTP 200 with a JSON body already written as bytes: the embeddings, whose 147k numbers
/// would cost more as a `Value` tree than the rest of the call.
pub(super) fn json_bytes_response(body: impl Into<Bytes>, request_id: &str) -> Response<Body> {
    complete(
        base_response(200, request_id, "application/json"),
        full(body),
    )
}

/// HTTP 200 with an event-stream body.
pub(super) fn stream_head(request_id: &str, body: Body) -> Response<Body> {
    complete(
        base_response(200, request_id, "application/vnd.amazon.eventstream"),
        body,
    )
}
