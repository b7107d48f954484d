use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll};

use super::*;

fn text(i: usize) -> StreamEvent_NE {
    StreamEvent_NE::new(StreamEvent::TextDelta {
        index: 0,
        delta: format!("w{i} ").into(),
    })
}

#[test]
fn plg_92_a_full_queue_holds_the_producer_until_the_host_polls() {
    let waker = futures::task::noop_waker();
    let mut cx = Context::from_waker(&waker);
    let sink = EventSink::detached();
    for i in 0..QUEUE_CAPACITY {
        let send = pin!(sink.send([text(i)]));
        assert_eq!(send.poll(&mut cx), Poll::Ready(true), "event {i} fits");
    }
    // The queue is full: the producer (the read loop, which reads Bedrock only after a send
    // returned) waits instead of buffering more.
    let mut blocked = pin!(sink.send([text(QUEUE_CAPACITY)]));
    assert_eq!(blocked.as_mut().poll(&mut cx), Poll::Pending);
    assert_eq!(blocked.as_mut().poll(&mut cx), Poll::Pending);
    // The host drains; the waiting send goes through, in order, nothing lost or repeated.
    let drained = sink.take_queued();
    assert_eq!(drained.len(), QUEUE_CAPACITY);
    assert_eq!(blocked.as_mut().poll(&mut cx), Poll::Ready(true));
    let rest = sink.take_queued();
    assert_eq!(rest.len(), 1);
    let texts: Vec<String> = drained
        .iter()
        .chain(&rest)
        .map(|event| match event.as_enum() {
            Ok(StreamEvent::TextDelta { delta, .. }) => delta.to_string(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    let expected: Vec<String> = (0..=QUEUE_CAPACITY).map(|i| format!("w{i} ")).collect();
    assert_eq!(texts, expected);
}

#[test]
fn plg_90_stream_slots_refuse_beyond_the_limit_naming_the_key_and_free_a_slot_on_drop() {
    let slots = StreamSlots::default();
    let first = slots.try_acquire(2).expect("first slot");
    let _second = slots.try_acquire(2).expect("second slot");
    assert_eq!(slots.in_flight(), 2);
    let error: PluginError = slots
        .try_acquire(2)
        .err()
        .expect("a third stream is refused")
        .into();
    assert_eq!(error.kind(), Some(ErrorKind::RateLimit));
    assert!(error.retryable);
    assert_eq!(
        error
            .error_code
            .as_ref()
            .map(|code| code.as_str())
            .into_option(),
        Some(crate::error::LIMIT_EXCEEDED_CODE)
    );
    assert_eq!(
        error.message.as_str(),
        "a new chat stream with 2 already in flight is over the plugin limit \
         limits.maxConcurrentStreams = 2; raise limits.maxConcurrentStreams in the \
         amazon-bedrock plugin config"
    );
    assert_eq!(slots.in_flight(), 2, "a refused stream takes no slot");
    drop(first);
    assert_eq!(slots.in_flight(), 1);
    let _third = slots.try_acquire(2).expect("a freed slot is reused");
}

/// A host waker that reports each wake on a channel, so a test waits for the wake itself.
#[derive(Clone)]
struct ChannelWaker(std::sync::mpsc::SyncSender<()>);

impl plugin_api::poll::HostWaker for ChannelWaker {
    fn wake(&self) {
        let _ = self.0.try_send(());
    }
}

fn channel_waker() -> (FfiWaker, std::sync::mpsc::Receiver<()>) {
    let (sender, receiver) = std::sync::mpsc::sync_channel(16);
    let waker = plugin_api::poll::HostWaker_TO::from_ptr(
        abi_stable::std_types::RArc::new(ChannelWaker(sender)),
        abi_stable::sabi_trait::TD_Opaque,
    );
    (waker, receiver)
}

#[test]
fn spawn_eager_answers_work_that_needs_no_io_on_the_callers_thread_at_the_first_poll() {
    let caller = std::thread::current().id();
    let mut task = PendingTask::spawn_eager("test::eager", async move {
        // Inside the plugin runtime's context, so tokio primitives work inline too.
        let _ = tokio::runtime::Handle::current();
        Ok(std::thread::current().id())
    });
    assert!(task.task.is_none(), "nothing was spawned");
    let (waker, wakes) = channel_waker();
    match task.poll_result(&waker) {
        FfiPoll::Ready(RResult::ROk(ran_on)) => assert_eq!(ran_on, caller),
        other => panic!("expected a ready answer, got {other:?}"),
    }
    assert!(wakes.try_recv().is_err(), "a ready answer needs no wake");
}

#[test]
fn spawn_eager_moves_pending_work_to_the_plugin_runtime_and_wakes_the_host() {
    let (send, receive) = tokio::sync::oneshot::channel::<u32>();
    let mut task = PendingTask::spawn_eager("test::eager", async move {
        let value = receive
            .await
            .map_err(|_| PluginError::new(ErrorKind::Internal, "dropped"))?;
        Ok((value, crate::runtime::on_plugin_runtime()))
    });
    assert!(task.task.is_some(), "pending work continues as a task");
    let (waker, wakes) = channel_waker();
    assert!(matches!(task.poll_result(&waker), FfiPoll::Pending));
    send.send(41).expect("the task still waits");
    wakes
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the task wakes the host once its answer is in");
    match task.poll_result(&waker) {
        FfiPoll::Ready(RResult::ROk((value, on_runtime))) => {
            assert_eq!(value, 41);
            assert!(on_runtime, "the rest ran on the plugin runtime");
        }
        other => panic!("expected the answer, got {other:?}"),
    }
}

#[test]
fn spawn_eager_turns_a_panic_in_the_inline_poll_into_an_internal_error() {
    let mut task: PendingTask<u32> = PendingTask::spawn_eager("test::eager_panic", async {
        panic!("boom");
    });
    let (waker, _wakes) = channel_waker();
    match task.poll_result(&waker) {
        FfiPoll::Ready(RResult::RErr(error)) => {
            assert_eq!(error, PluginError::internal_panic("test::eager_panic"))
        }
        other => panic!("expected an internal error, got {other:?}"),
    }
}
