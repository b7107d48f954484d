//! The listener: one port serving HTTP/1.1 and HTTP/2 (h2c prior knowledge, or ALPN over TLS) via
//! hyper-util's auto builder, request routing, error responses with `x-amzn-errortype` /
//! `x-amzn-requestid`, and the streaming body that writes one event-stream frame per HTTP chunk and
//! reports how the stream ended.
//!
//! This module only accepts connections. A request then goes [`route`] → [`pipeline`] (record, auth,
//! faults, latency) → [`operations`] (one function per operation), answered through [`response`] or,
//! for streams, [`stream_body`].

mod operations;
mod pipeline;
mod response;
mod route;
mod stream_body;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use hyper_util::rt::{TokioExecutor, TokioIo};

use crate::shared::Shared;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub(crate) type Body = UnsyncBoxBody<Bytes, BoxError>;

/// Marks a response that must not be sent: the connection is closed instead (the
/// `ResetBeforeHeaders` fault).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ResetConnection;

impl std::fmt::Display for ResetConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("emulator fault: connection closed before the response head")
    }
}

impl std::error::Error for ResetConnection {}

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
        tokio::spawn(serve_connection(stream, tls.clone(), shared.clone()));
    }
}

/// Serve one connection (after the TLS handshake, if any) with whichever HTTP version it speaks.
async fn serve_connection(
    stream: tokio::net::TcpStream,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shared: Arc<Shared>,
) {
    let service = hyper::service::service_fn(move |req| {
        let shared = shared.clone();
        async move {
            let resp = pipeline::handle(req, shared).await;
            if resp.extensions().get::<ResetConnection>().is_some() {
                // The service's error makes hyper close the connection without a response.
                return Err(ResetConnection);
            }
            Ok(resp)
        }
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
}
