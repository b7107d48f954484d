//! An async `futures::Stream` over a plugin chat stream.
//!
//! Events cross the boundary in batches (one FFI call drains up to [`BATCH`] ready events),
//! are buffered here, and are handed out one by one. Dropping the stream drops the plugin
//! handle, which aborts the HTTP request inside the plugin.
//!
//! A host may watch the accepted response (REQ-07): [`ChatEventStream::with_response_observer`]
//! is called once, with the status and the `x-amzn-requestid` header, when the plugin's
//! `Start` event arrives. The plugin sends `Start` only after Bedrock answered the
//! ConverseStream with its success status 200 (every failure is an `Error` event instead), so
//! the status is 200 by construction; the request id is the one `Start` carries.

use std::collections::{BTreeMap, VecDeque};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;
use plugin_api::abi_stable::std_types::RBox;
use plugin_api::error::{ErrorKind, PluginError};
use plugin_api::event::{ResponseSummary, StreamEvent, StreamEvent_NE, StreamFailure};
use plugin_api::traits::ChatStreamBox;

use crate::waker::WakerSlot;

/// The most events taken per boundary crossing.
pub const BATCH: u32 = 64;

/// The HTTP status of an accepted ConverseStream response.
pub const ACCEPTED_STATUS: u16 = 200;
/// The response header carrying Bedrock's request id.
pub const REQUEST_ID_HEADER: &str = "x-amzn-requestid";

/// What a response observer sees (REQ-07): `{status: 200, headers: {"x-amzn-requestid": id}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseInfo {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
}

/// A host hook called once per accepted response; an `Err` fails the stream with its message.
pub type ResponseObserver = Box<dyn FnMut(&ResponseInfo) -> Result<(), String> + Send>;

/// A streamed chat response.
pub struct ChatEventStream {
    // Boxed: FFI trait objects are not `Unpin`, and this stream must be.
    handle: Box<ChatStreamBox>,
    buffer: VecDeque<StreamEvent_NE>,
    finished: bool,
    waker: WakerSlot,
    observer: Option<ResponseObserver>,
}

impl ChatEventStream {
    pub fn new(handle: ChatStreamBox) -> Self {
        Self {
            handle: Box::new(handle),
            buffer: VecDeque::new(),
            finished: false,
            waker: WakerSlot::default(),
            observer: None,
        }
    }

    /// Calls `observer` with the response's status and request id when it is accepted
    /// (REQ-07). When the observer fails (EX-A14), the plugin's request is aborted, which
    /// closes its connection, and the stream ends with one `Error` event carrying the
    /// observer's message.
    pub fn with_response_observer(
        mut self,
        observer: impl FnMut(&ResponseInfo) -> Result<(), String> + Send + 'static,
    ) -> Self {
        self.observer = Some(Box::new(observer));
        self
    }

    /// Asks the plugin to abort now; the stream then ends with an `aborted` error event.
    pub fn cancel(&mut self) {
        self.handle.cancel();
    }

    /// Runs the observer (once) on a `Start` event; on its failure, the event to hand out
    /// instead: the terminal error, after the plugin request was aborted.
    fn observe(&mut self, event: &StreamEvent_NE) -> Option<StreamEvent_NE> {
        let Ok(StreamEvent::Start { model, request_id }) = event.as_enum() else {
            return None;
        };
        let mut observer = self.observer.take()?;
        let headers = request_id
            .as_ref()
            .into_option()
            .map(|id| (REQUEST_ID_HEADER.to_owned(), id.to_string()))
            .into_iter()
            .collect();
        let info = ResponseInfo {
            status: ACCEPTED_STATUS,
            headers,
        };
        let message = observer(&info).err()?;
        self.handle.cancel();
        self.buffer.clear();
        self.finished = true;
        let mut summary = ResponseSummary::new(model.as_str());
        summary.request_id = request_id.clone();
        Some(StreamEvent_NE::new(StreamEvent::Error(RBox::new(
            StreamFailure {
                error: PluginError::new(ErrorKind::Internal, message),
                summary,
            },
        ))))
    }
}

impl Stream for ChatEventStream {
    type Item = StreamEvent_NE;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Some(event) = this.buffer.pop_front() {
            return Poll::Ready(Some(this.observe(&event).unwrap_or(event)));
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
                Poll::Ready(Some(this.observe(&event).unwrap_or(event)))
            }
            None if this.finished => Poll::Ready(None),
            None => Poll::Pending,
        }
    }
}
