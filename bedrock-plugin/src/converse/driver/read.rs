//! The read loop of one send: decoded ConverseStream events → mapper → host queue, with the
//! stall guard (BR-20) and the keep-alive for refusal-buffered models (EVT-20).
//!
//! Every token a user reads passes through here, so the loop arms no timer per event:
//! - the idle timer is one `Sleep` for the whole send, re-armed with `reset` once per wake-up
//!   that brought events, after they were queued for the host (tokio extends a registered
//!   deadline without touching its wheel);
//! - nothing on the path awaits a timer that is already due: a tokio timer's deadline is
//!   rounded up to the next millisecond tick, so even a "ready" `interval` first tick costs up
//!   to 1 ms (that was the plugin's whole time-to-first-token overhead, issue 9); the only
//!   pause is one `yield_now` before a short batch is pushed (PLG-20);
//! - the keep-alive interval starts one period after the headers and is polled only while the
//!   mapper holds events back;
//! - `select!` is `biased` towards the stream, so a ready event never waits behind timers.
//!
//! A keep-alive is not a Bedrock event: it does not re-arm the idle timer, so a silent
//! refusal-buffered stream still ends with the stall error (BR-20 with EVT-20).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use aws_sdk_bedrockruntime::primitives::event_stream::EventReceiver;
use aws_sdk_bedrockruntime::types::error::ConverseStreamOutputError;
use aws_sdk_bedrockruntime::types::ConverseStreamOutput;
use futures::FutureExt as _;
use plugin_api::event::{StreamEvent, StreamEvent_NE};
use tokio::time::{Instant, MissedTickBehavior, Sleep};

use super::idle_ms;
use crate::converse::errors;
use crate::converse::response::mapper::StreamMapper;
use crate::error::BedrockError;
use crate::pending::EventSink;

/// Most events pushed to the host queue at once.
pub(crate) const BATCH: usize = 64;

/// How often a buffering stream tells the host it is still alive.
pub(crate) const KEEP_ALIVE_EVERY: Duration = Duration::from_secs(5);

/// Where the loop gets decoded events from: the SDK's receiver in production, a scripted
/// source in tests (so the timers can be proven on a paused clock).
pub(crate) trait EventSource {
    /// The next event, `None` at the clean end of the stream.
    fn next_event(
        &mut self,
    ) -> impl Future<Output = Result<Option<ConverseStreamOutput>, BedrockError>> + Send;
}

/// The SDK's event receiver of one response.
pub(crate) struct SdkEvents<'a> {
    pub stream: EventReceiver<ConverseStreamOutput, ConverseStreamOutputError>,
    /// Attached to in-stream errors.
    pub request_id: Option<&'a str>,
}

impl EventSource for SdkEvents<'_> {
    fn next_event(
        &mut self,
    ) -> impl Future<Output = Result<Option<ConverseStreamOutput>, BedrockError>> + Send {
        let request_id = self.request_id;
        self.stream.recv().map(move |next| {
            next.map_err(|err| errors::from_event_receiver_error(&err, request_id))
        })
    }
}

/// The stall guard's timer, armed by the caller from the send.
pub(crate) struct Timers<'a> {
    pub idle: Pin<&'a mut Sleep>,
    pub idle_timeout: Duration,
}

/// How the loop ended.
#[derive(Debug)]
pub(crate) enum Read {
    /// The stream ended (cleanly or with its terminal event mapped); `out` holds the rest.
    Ended,
    /// The host dropped the stream: stop without a terminal event.
    HostGone,
    /// The send failed; `out` holds events not yet shown to the host.
    Failed {
        error: BedrockError,
        saw_event: bool,
    },
}

/// `now + after`, saturating far in the future instead of overflowing: the idle timeout is
/// config-settable.
pub(crate) fn deadline_after(after: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(after)
        .unwrap_or_else(|| now + Duration::from_secs(60 * 60 * 24 * 365 * 30))
}

/// What one wake-up of the loop brought.
// Lives on the stack for one turn of the loop; boxing the event would allocate per token.
#[allow(clippy::large_enum_variant)]
enum Step {
    Next(Result<Option<ConverseStreamOutput>, BedrockError>),
    Stalled,
    KeepAlive,
}

/// Reads `source` to its end, mapping events into `out` and pushing them to `sink` in
/// batches once the mapper has shown output (until then only a `Start` can be in `out`, held
/// back because the send may still be retried, BR-10).
pub(crate) async fn read_events<S: EventSource>(
    source: &mut S,
    timers: Timers<'_>,
    mapper: &mut StreamMapper,
    sink: &EventSink,
    out: &mut Vec<StreamEvent_NE>,
) -> Read {
    let Timers {
        mut idle,
        idle_timeout,
    } = timers;
    let mut keep_alive =
        tokio::time::interval_at(deadline_after(KEEP_ALIVE_EVERY), KEEP_ALIVE_EVERY);
    keep_alive.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut saw_event = false;
    loop {
        let step = tokio::select! {
            biased;
            next = source.next_event() => Step::Next(next),
            () = idle.as_mut() => Step::Stalled,
            _ = keep_alive.tick(), if mapper.is_buffering() => Step::KeepAlive,
        };
        let mut ended = match step {
            Step::KeepAlive => {
                if !sink
                    .send([StreamEvent_NE::new(StreamEvent::KeepAlive)])
                    .await
                {
                    return Read::HostGone;
                }
                continue;
            }
            Step::Stalled => Some(Err(BedrockError::Stalled {
                ms: idle_ms(idle_timeout),
            })),
            Step::Next(Ok(Some(event))) => {
                saw_event = true;
                mapper.on_event(event, out);
                None
            }
            Step::Next(Ok(None)) => Some(Ok(())),
            Step::Next(Err(error)) => Some(Err(error)),
        };
        // Take whatever is already decoded without waiting, so one queue push (and at most
        // one host wake-up) carries a batch instead of a single event. Before pushing a short
        // batch, yield once: tokio polls its I/O driver before resuming a yielded task, so
        // events already on the socket join the batch (a third fewer context switches on a
        // fast stream; see BENCHMARKS.md) for the cost of one scheduler turn, not a timer.
        let mut yielded = false;
        loop {
            while ended.is_none() && !mapper.is_finished() && out.len() < BATCH {
                match source.next_event().now_or_never() {
                    None => break,
                    Some(Ok(Some(event))) => {
                        saw_event = true;
                        mapper.on_event(event, out);
                    }
                    Some(Ok(None)) => ended = Some(Ok(())),
                    Some(Err(error)) => ended = Some(Err(error)),
                }
            }
            let full = out.len() >= BATCH || ended.is_some() || mapper.is_finished();
            if yielded || full || !mapper.has_emitted_output() {
                break;
            }
            yielded = true;
            tokio::task::yield_now().await;
        }
        match ended {
            Some(Ok(())) => {
                mapper.on_end(out);
                return Read::Ended;
            }
            Some(Err(error)) => return Read::Failed { error, saw_event },
            None if mapper.is_finished() => return Read::Ended,
            None => {
                if mapper.has_emitted_output() && !out.is_empty() && !sink.send(out.drain(..)).await
                {
                    // Returning drops the response and so closes the connection.
                    return Read::HostGone;
                }
                // Counted from here, so time spent waiting for a slow host is not taken for
                // Bedrock's silence.
                idle.as_mut().reset(deadline_after(idle_timeout));
            }
        }
    }
}
