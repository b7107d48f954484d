//! An async `futures::Stream` over a plugin chat stream.
//!
//! Events cross the boundary in batches (one FFI call drains up to [`BATCH`] ready events),
//! are buffered here, and are handed out one by one. Dropping the stream drops the plugin
//! handle, which aborts the HTTP request inside the plugin.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;
use plugin_api::event::{StreamEvent, StreamEvent_NE};
use plugin_api::traits::ChatStreamBox;

use crate::waker::WakerSlot;

/// The most events taken per boundary crossing.
pub const BATCH: u32 = 64;

/// A streamed chat response.
pub struct ChatEventStream {
    // Boxed: FFI trait objects are not `Unpin`, and this stream must be.
    handle: Box<ChatStreamBox>,
    buffer: VecDeque<StreamEvent_NE>,
    finished: bool,
    waker: WakerSlot,
}

impl ChatEventStream {
    pub fn new(handle: ChatStreamBox) -> Self {
        Self {
            handle: Box::new(handle),
            buffer: VecDeque::new(),
            finished: false,
            waker: WakerSlot::default(),
        }
    }

    /// Asks the plugin to abort now; the stream then ends with an `aborted` error event.
    pub fn cancel(&mut self) {
        self.handle.cancel();
    }
}

impl Stream for ChatEventStream {
    type Item = StreamEvent_NE;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Some(event) = this.buffer.pop_front() {
            return Poll::Ready(Some(event));
        }
        if this.finished {
            return Poll::Ready(None);
        }
        let waker = this.waker.get(cx.waker()).clone();
        let batch = this.handle.poll_events(&waker, BATCH);
        this.finished = batch.finished;
        this.buffer.extend(batch.events);
        match this.buffer.pop_front() {
            Some(event) => {
                if event.as_enum().is_ok_and(StreamEvent::is_terminal) {
                    this.finished = true;
                }
                Poll::Ready(Some(event))
            }
            None if this.finished => Poll::Ready(None),
            None => Poll::Pending,
        }
    }
}
