//! The ConverseStream body: one event-stream frame per HTTP chunk, with the stream faults of the
//! request's [`FaultPlan`] (stall, in-stream exception, disconnect, bad CRC), reporting how the stream
//! ended as a [`StreamOutcome`] — including when the client drops it midway.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Response};
use http_body::Frame;
use http_body_util::BodyExt;
use serde_json::json;

use super::pipeline::Ctx;
use super::response::{base_response, full, stream_head};
use super::{Body, BoxError};
use crate::eventstream::{corrupt, encode_event, encode_exception};
use crate::faults::{FaultPlan, FrameDamage};
use crate::record::StreamOutcome;
use crate::shared::Shared;

/// The frames of a stream, produced lazily.
pub(super) type Events = Box<dyn Iterator<Item = Bytes> + Send>;

/// How long an injected disconnect waits so hyper flushes the frames already written.
const FLUSH_BEFORE_DISCONNECT: Duration = Duration::from_millis(20);

/// Answer with a stream of `source`'s frames, faults applied.
pub(super) fn stream_response(ctx: Ctx, source: Events, plan: &FaultPlan) -> Response<Body> {
    if let Some((content_type, body)) = &plan.raw_stream_body {
        let resp = base_response(200, &ctx.request_id, content_type)
            .body(full(body.clone()))
            .unwrap_or_else(|_| Response::new(full(Bytes::new())));
        return ctx.finish(resp);
    }
    let body = StreamBody {
        source,
        emitted: 0,
        in_stream: plan
            .in_stream
            .as_ref()
            .map(|(n, ty, msg)| (*n, exception_frame(ty, msg))),
        disconnect_after: plan.disconnect_after,
        bad_crc_after: plan.bad_crc_after,
        broken_frame: plan.broken_frame,
        stall: (plan.stall_ms > 0).then(|| Duration::from_millis(plan.stall_ms)),
        sleep: None,
        flushed_before_disconnect: false,
        done: false,
        shared: ctx.shared.clone(),
        id: ctx.record.id,
    };
    let mut resp = stream_head(&ctx.request_id, body.boxed_unsync());
    resp.headers_mut().insert(
        "x-amzn-bedrock-content-type",
        HeaderValue::from_static("application/json"),
    );
    ctx.finish(resp)
}

/// The exception frame of an in-stream fault (`modelStreamErrorException` carries the original status).
fn exception_frame(exception_type: &str, message: &str) -> Bytes {
    let payload = if exception_type == "modelStreamErrorException" {
        json!({"message": message, "originalStatusCode": 500, "originalMessage": message})
    } else {
        json!({"message": message})
    };
    encode_exception(
        exception_type,
        &serde_json::to_vec(&payload).unwrap_or_default(),
    )
}

/// The ConverseStream body: one frame per HTTP chunk, with the stream faults, reporting its outcome.
struct StreamBody {
    source: Events,
    emitted: usize,
    in_stream: Option<(usize, Bytes)>,
    disconnect_after: Option<usize>,
    bad_crc_after: Option<usize>,
    broken_frame: Option<(usize, FrameDamage)>,
    stall: Option<Duration>,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    flushed_before_disconnect: bool,
    done: bool,
    shared: Arc<Shared>,
    id: u64,
}

type Polled = Poll<Option<Result<Frame<Bytes>, BoxError>>>;

impl StreamBody {
    fn end(&mut self, outcome: StreamOutcome) {
        self.done = true;
        self.shared.set_outcome(self.id, outcome);
    }

    /// End the stream with a fault, sending `frame` as the last chunk.
    fn end_with_fault(&mut self, frame: Bytes) -> Polled {
        self.end(StreamOutcome::FaultInjected);
        Poll::Ready(Some(Ok(Frame::data(frame))))
    }

    /// Sleep `duration`, keeping the one timer across polls until it fires.
    fn poll_sleep(&mut self, cx: &mut Context<'_>, duration: Duration) -> Poll<()> {
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(duration)));
        if sleep.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.sleep = None;
        Poll::Ready(())
    }

    /// The injected disconnect: let hyper flush what was written so far, then fail the body
    /// (closing the connection).
    fn poll_disconnect(&mut self, cx: &mut Context<'_>) -> Polled {
        if !self.flushed_before_disconnect {
            if self.poll_sleep(cx, FLUSH_BEFORE_DISCONNECT).is_pending() {
                return Poll::Pending;
            }
            self.flushed_before_disconnect = true;
        }
        self.end(StreamOutcome::FaultInjected);
        Poll::Ready(Some(Err(Box::new(InjectedDisconnect))))
    }

    fn due(&self, after: Option<usize>) -> bool {
        after.is_some_and(|n| self.emitted >= n)
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

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Polled {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        if let Some(stall) = this.stall.filter(|_| this.emitted > 0) {
            if this.poll_sleep(cx, stall).is_pending() {
                return Poll::Pending;
            }
        }
        if let Some(frame) = this
            .in_stream
            .as_ref()
            .filter(|(n, _)| this.emitted >= *n)
            .map(|(_, frame)| frame.clone())
        {
            return this.end_with_fault(frame);
        }
        if this.due(this.disconnect_after) {
            return this.poll_disconnect(cx);
        }
        if this.due(this.bad_crc_after) {
            let frame = this
                .source
                .next()
                .unwrap_or_else(|| encode_event("messageStop", br#"{"stopReason":"end_turn"}"#));
            return this.end_with_fault(corrupt(&frame));
        }
        if let Some((_, damage)) = this.broken_frame.filter(|(n, _)| this.emitted >= *n) {
            let frame = this
                .source
                .next()
                .unwrap_or_else(|| encode_event("messageStop", br#"{"stopReason":"end_turn"}"#));
            return this.end_with_fault(Bytes::from(damage.apply(&frame)));
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
