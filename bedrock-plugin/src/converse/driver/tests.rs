//! The read loop's timers on a paused clock: tokio's test clock only moves when every task
//! waits on a timer, so `Instant::now()` after a run shows exactly which waits happened.

use std::collections::VecDeque;
use std::future::Future;
use std::time::Duration;

use aws_sdk_bedrockruntime::types::ConverseStreamOutput;
use plugin_api::event::StreamEvent;
use tokio::time::Instant;

use super::read::{read_events, EventSource, Read, Timers, KEEP_ALIVE_EVERY};
use crate::converse::response::mapper::tests::{
    block_stop, config, message_start, message_stop, names, text,
};
use crate::converse::response::mapper::StreamMapper;
use crate::error::BedrockError;
use crate::pending::EventSink;

type Next = Result<Option<ConverseStreamOutput>, BedrockError>;

/// A stream that yields its script (each item after its delay), then stays silent for ever.
struct Scripted(VecDeque<(Duration, Next)>);

impl Scripted {
    fn events(events: Vec<ConverseStreamOutput>, end: bool) -> Self {
        let mut script: VecDeque<_> = events
            .into_iter()
            .map(|event| (Duration::ZERO, Ok(Some(event))))
            .collect();
        if end {
            script.push_back((Duration::ZERO, Ok(None)));
        }
        Scripted(script)
    }

    fn then_after(mut self, delay: Duration, event: ConverseStreamOutput) -> Self {
        self.0.push_back((delay, Ok(Some(event))));
        self
    }
}

impl EventSource for Scripted {
    fn next_event(&mut self) -> impl Future<Output = Next> + Send {
        // Only an item that is due is taken: a wait cut short by another branch of the read
        // loop's `select!` leaves it in place, as the SDK's receiver keeps undelivered data.
        let due = self.0.front().is_some_and(|(delay, _)| delay.is_zero());
        let next = if due { self.0.pop_front() } else { None };
        let wait = self.0.front().map(|(delay, _)| *delay);
        let script = &mut self.0;
        async move {
            if let Some((_, next)) = next {
                return next;
            }
            match wait {
                Some(delay) => {
                    tokio::time::sleep(delay).await;
                    match script.pop_front() {
                        Some((_, next)) => next,
                        None => std::future::pending().await,
                    }
                }
                None => std::future::pending().await,
            }
        }
    }
}

async fn read(
    source: &mut Scripted,
    buffered: bool,
    idle_timeout: Duration,
    sink: &EventSink,
) -> (Read, Vec<StreamEvent>) {
    let mut mapper = StreamMapper::new(config(buffered));
    let idle = tokio::time::sleep(idle_timeout);
    tokio::pin!(idle);
    let mut out = Vec::new();
    let timers = Timers {
        idle: idle.as_mut(),
        idle_timeout,
    };
    let read = read_events(source, timers, &mut mapper, sink, &mut out).await;
    (read, out.into_iter().map(plain).collect())
}

fn plain(event: plugin_api::event::StreamEvent_NE) -> StreamEvent {
    event.into_enum().expect("a variant this build knows")
}

fn answer() -> Vec<ConverseStreamOutput> {
    vec![
        message_start("assistant"),
        text(0, "Hel"),
        text(0, "lo"),
        block_stop(0),
        message_stop("end_turn", None),
    ]
}

#[tokio::test(start_paused = true)]
async fn plg_20_a_ready_stream_is_read_without_any_timer_and_at_most_one_yield_per_batch() {
    use std::task::{Context, Poll};
    let sink = EventSink::detached();
    let mut source = Scripted::events(answer(), true);
    // Mid-millisecond, as a real clock almost always is: a timer due "now" then rounds up to
    // the next tick instead of firing at once.
    tokio::time::advance(Duration::from_micros(300)).await;
    // Polled by hand, so no timer can fire (the time driver only runs when the runtime
    // parks): any timer awaited on the way (even one already due, such as an `interval`'s
    // first tick) would keep the read pending for good and cost a user up to a millisecond
    // before the first token. A yield is ready again on the next poll.
    let mut reading = std::pin::pin!(read(&mut source, false, Duration::from_secs(30), &sink));
    let waker = futures::task::noop_waker();
    let mut cx = Context::from_waker(&waker);
    let mut polls = 0;
    let (read, out) = loop {
        polls += 1;
        if let Poll::Ready(done) = reading.as_mut().poll(&mut cx) {
            break done;
        }
        assert!(
            polls < 3,
            "the read loop waits for something other than a yield"
        );
    };
    assert!(matches!(read, Read::Ended), "{read:?}");
    let mut shown: Vec<StreamEvent> = sink.take_queued().into_iter().map(plain).collect();
    shown.extend(out);
    assert_eq!(
        names(&shown),
        [
            "start",
            "text_start",
            "text_delta",
            "text_delta",
            "text_end",
            "done"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn br_20_evt_20_ex_s14_keep_alives_every_5_s_do_not_hold_off_the_stall_guard() {
    let sink = EventSink::detached();
    // A refusal-buffered model (EVT-20) that starts its answer and then falls silent.
    let mut source = Scripted::events(vec![message_start("assistant"), text(0, "Hel")], false);
    let started = Instant::now();
    let (read, out) = read(&mut source, true, Duration::from_secs(12), &sink).await;
    match read {
        Read::Failed {
            error: BedrockError::Stalled { ms },
            saw_event,
        } => {
            assert_eq!(ms, 12_000);
            assert!(saw_event);
        }
        other => panic!("the stall error expected, got {other:?}"),
    }
    assert_eq!(started.elapsed(), Duration::from_secs(12));
    let shown: Vec<StreamEvent> = sink.take_queued().into_iter().map(plain).collect();
    assert_eq!(
        names(&shown),
        ["keep_alive", "keep_alive"],
        "at 5 s and 10 s"
    );
    assert_eq!(KEEP_ALIVE_EVERY, Duration::from_secs(5));
    // The held-back answer is still unshown: the caller decides between retry and error.
    assert!(!names(&out).contains(&"text_delta"), "{:?}", names(&out));
}

#[tokio::test(start_paused = true)]
async fn br_20_the_idle_timer_counts_from_the_last_event() {
    let sink = EventSink::detached();
    let mut source = Scripted::events(vec![message_start("assistant"), text(0, "Hi")], false)
        .then_after(Duration::from_millis(600), text(0, " there"));
    let started = Instant::now();
    let (read, _) = read(&mut source, false, Duration::from_millis(1_000), &sink).await;
    assert!(matches!(
        read,
        Read::Failed {
            error: BedrockError::Stalled { ms: 1_000 },
            ..
        }
    ));
    // 600 ms to the second delta, then 1,000 ms of silence.
    assert_eq!(started.elapsed(), Duration::from_millis(1_600));
    let shown: Vec<StreamEvent> = sink.take_queued().into_iter().map(plain).collect();
    assert_eq!(
        names(&shown),
        ["start", "text_start", "text_delta", "text_delta"]
    );
}

#[test]
fn br_15_only_on_demand_ids_fail_over() {
    use super::failover::is_on_demand_id;
    assert!(is_on_demand_id("amazon.nova-micro-v1:0"));
    assert!(is_on_demand_id("anthropic.claude-sonnet-4-6"));
    assert!(!is_on_demand_id("us.amazon.nova-micro-v1:0"));
    assert!(!is_on_demand_id("global.anthropic.claude-sonnet-4-6"));
    assert!(!is_on_demand_id(
        "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc"
    ));
}

#[test]
fn br_95_only_the_streaming_tool_use_rejection_downgrades() {
    use super::unary::rejects_streaming_tool_use;
    let rejected = BedrockError::service(
        "ValidationException",
        Some("This model doesn't support tool use in streaming mode."),
        Some(400),
        None,
    );
    assert!(rejects_streaming_tool_use(&rejected));
    let other = BedrockError::service(
        "ValidationException",
        Some("The model is unsupported for streaming."),
        Some(400),
        None,
    );
    assert!(!rejects_streaming_tool_use(&other));
    let throttled = BedrockError::service(
        "ThrottlingException",
        Some("This model doesn't support tool use in streaming mode."),
        Some(429),
        None,
    );
    assert!(!rejects_streaming_tool_use(&throttled));
}
