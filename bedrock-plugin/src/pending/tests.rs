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
