//! The listener: one port serving HTTP/1.1 and HTTP/2 (h2c prior knowledge, or ALPN over TLS) via
//! hyper-util's auto builder, request routing, error responses with `x-amzn-errortype` /
//! `x-amzn-requestid`, and the streaming body that writes one event-stream frame per HTTP chunk and
//! reports how the stream ended.
//!
//! This module only accepts connections. A request then goes [`route`] → [`pipeline`] (record, auth,
//! faults, latency) → [`operations`] (one function per operation), answered through [`response`] or,
//! for streams, [`stream_body`]. [`connections`] counts the connections accepted and still open
//! (NET-07); [`reset`] turns the `ResetBeforeHeaders` fault into a TCP RST.

mod connections;
mod operations;
mod pipeline;
mod reset;
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
pub(crate) use connections::Connections;
use reset::ResetSignal;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub(crate) type Body = UnsyncBoxBody<Bytes, BoxError>;

/// Marks a response that must not be sent: the connection is reset instead (the
/// `ResetBeforeHeaders` fault).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ResetConnection;

/// Accept connections until `shutdown` fires, counting each in `connections` while it is open.
pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shared: Arc<Shared>,
    connections: Arc<Connections>,
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
        let open = connections.accepted();
        let _ = stream.set_nodelay(true);
        let (tls, shared) = (tls.clone(), shared.clone());
        tokio::spawn(async move {
            serve_connection(stream, tls, shared).await;
            // Only now is the socket closed: the connection stops counting as open.
            drop(open);
        });
    }
}

/// Serve one connection (after the TLS handshake, if any) with whichever HTTP version it
/// speaks, until the client closes it or a `ResetBeforeHeaders` fault resets it.
async fn serve_connection(
    stream: tokio::net::TcpStream,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shared: Arc<Shared>,
) {
    let reset = Arc::new(ResetSignal::default());
    let stream = reset::ResettableStream::new(stream, reset.clone());
    let service_reset = reset.clone();
    let service = hyper::service::service_fn(move |req| {
        let shared = shared.clone();
        let reset = service_reset.clone();
        async move {
            let resp = pipeline::handle(req, shared).await;
            if resp.extensions().get::<ResetConnection>().is_some() {
                // Nothing of this response (nor an HTTP/2 RST_STREAM) may reach the client:
                // the connection task drops the connection while this call stays pending.
                reset.fire();
                return std::future::pending().await;
            }
            Ok::<_, std::convert::Infallible>(resp)
        }
    });
    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    let connection = async {
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
    };
    tokio::select! {
        () = connection => {}
        // Dropping the connection future drops the socket, which the signal made abortive.
        () = reset.fired() => {}
    }
}
