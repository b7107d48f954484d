//! Handles the host polls: a bounded event queue for streams and a one-shot slot for calls.
//!
//! The plugin task fills them on the plugin runtime; the host drains them from whatever thread
//! its executor polls on, registering its [`FfiWaker`] when nothing is ready. Dropping a handle
//! aborts the task, which drops the SDK response and so closes the HTTP connection.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use abi_stable::std_types::{RResult, RVec};
use futures::FutureExt;
use plugin_api::chat::TokenCount;
use plugin_api::embedding::Embeddings;
use plugin_api::error::{ErrorKind, PluginError};
use plugin_api::event::{StopReason, StopReason_NE, StreamEvent, StreamEvent_NE, StreamFailure};
use plugin_api::model::ProviderCatalog;
use plugin_api::poll::{
    FfiPoll, FfiWaker, PendingCatalog, PendingDoctor, PendingEmbeddings, PendingTokenCount,
    StreamBatch,
};
use plugin_api::status::DoctorReport;
use plugin_api::traits::ChatStream;
use tokio::sync::Notify;
use tokio::task::AbortHandle;

use crate::guard::{guard_infallible, panic_message};

/// Events buffered before the producer waits for the host to catch up.
pub const QUEUE_CAPACITY: usize = 1024;

/// Stream tasks alive in this process (every instance), for status and leak checks.
static LIVE_STREAM_TASKS: AtomicUsize = AtomicUsize::new(0);
/// One-shot tasks (catalog, embeddings, token count, doctor) alive in this process.
static LIVE_PENDING_TASKS: AtomicUsize = AtomicUsize::new(0);

/// Events queued for hosts and not yet polled, over every stream of this process.
static QUEUED_EVENTS: AtomicUsize = AtomicUsize::new(0);

/// How many events wait in stream queues for their host to poll them (every instance); at
/// most `QUEUE_CAPACITY` plus one batch per stream (PLG-92).
pub fn queued_events() -> usize {
    QUEUED_EVENTS.load(Ordering::SeqCst)
}

/// How many stream tasks are alive in this process (spawned and not yet ended or aborted).
pub fn live_stream_tasks() -> usize {
    LIVE_STREAM_TASKS.load(Ordering::SeqCst)
}

/// How many one-shot tasks are alive in this process.
pub fn live_pending_tasks() -> usize {
    LIVE_PENDING_TASKS.load(Ordering::SeqCst)
}

/// Counts one task alive from its creation until its future is dropped (ended or aborted).
struct LiveTask(&'static AtomicUsize);

impl LiveTask {
    fn new(counter: &'static AtomicUsize) -> Self {
        counter.fetch_add(1, Ordering::SeqCst);
        LiveTask(counter)
    }
}

impl Drop for LiveTask {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// PLG-90: the chat streams one instance runs at once, bounded by `limits.maxConcurrentStreams`.
#[derive(Default)]
pub struct StreamSlots {
    in_flight: Arc<AtomicUsize>,
}

impl StreamSlots {
    /// Takes a slot, or refuses at once (no queueing) with an error naming the limit's key.
    pub fn try_acquire(&self, limit: usize) -> Result<StreamPermit, crate::error::BedrockError> {
        let taken = self
            .in_flight
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < limit).then_some(n + 1)
            });
        match taken {
            Ok(_) => Ok(StreamPermit {
                in_flight: self.in_flight.clone(),
            }),
            Err(_) => Err(crate::error::BedrockError::LimitExceeded {
                what: format!("a new chat stream with {limit} already in flight"),
                key: "limits.maxConcurrentStreams",
                limit: u64::try_from(limit).unwrap_or(u64::MAX),
                kind: ErrorKind::RateLimit,
                retryable: true,
            }),
        }
    }

    /// Streams of this instance in flight now.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }
}

/// One taken stream slot, given back when the stream's task ends or is aborted.
pub struct StreamPermit {
    in_flight: Arc<AtomicUsize>,
}

impl Drop for StreamPermit {
    fn drop(&mut self) {
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A poisoned lock only means another thread panicked mid-update of plain data; the queue
    // stays usable, and refusing to serve the host would turn one panic into a hang.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

struct QueueState {
    events: VecDeque<StreamEvent_NE>,
    finished: bool,
    closed_by_host: bool,
    waker: Option<FfiWaker>,
}

/// Events a new stream's queue has room for before it first grows: a short answer (start,
/// a few deltas, usage, done) fits, so the first token is not delayed by the queue growing
/// and copying itself three times (11k instructions per request; issue 9).
const INITIAL_QUEUE_CAPACITY: usize = 16;

impl Default for QueueState {
    fn default() -> Self {
        Self {
            events: VecDeque::with_capacity(INITIAL_QUEUE_CAPACITY),
            finished: false,
            closed_by_host: false,
            waker: None,
        }
    }
}

struct QueueShared {
    state: Mutex<QueueState>,
    space: Notify,
}

impl Drop for QueueShared {
    fn drop(&mut self) {
        let left = lock(&self.state).events.len();
        QUEUED_EVENTS.fetch_sub(left, Ordering::SeqCst);
    }
}

/// The producer side of a stream, used by the plugin task.
#[derive(Clone)]
pub struct EventSink {
    shared: Arc<QueueShared>,
}

impl EventSink {
    /// Queues events, waiting while the host is `QUEUE_CAPACITY` events behind. Returns false
    /// once the host has dropped or cancelled the stream, so the producer can stop.
    pub async fn send(&self, events: impl IntoIterator<Item = StreamEvent_NE>) -> bool {
        let mut events = events.into_iter();
        loop {
            let notified = {
                let mut state = lock(&self.shared.state);
                if state.closed_by_host {
                    return false;
                }
                if state.events.len() < QUEUE_CAPACITY {
                    // Moved straight into the queue: no buffer per batch on the token path.
                    let mut terminal = false;
                    let before = state.events.len();
                    for event in events.by_ref() {
                        terminal |= is_terminal(&event);
                        state.events.push_back(event);
                    }
                    QUEUED_EVENTS.fetch_add(state.events.len() - before, Ordering::SeqCst);
                    state.finished |= terminal;
                    let waker = state.waker.take();
                    drop(state);
                    if let Some(waker) = waker {
                        waker.wake();
                    }
                    return true;
                }
                // Created under the lock, so the host's next drain (which notifies after it
                // releases the lock) cannot be missed.
                self.shared.space.notified()
            };
            notified.await;
        }
    }

    /// Marks the stream finished (after its terminal event was sent).
    pub fn finish(&self) {
        let waker = {
            let mut state = lock(&self.shared.state);
            state.finished = true;
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

#[cfg(test)]
impl EventSink {
    /// A sink with no host behind it, for tests of producers (the driver's read loop).
    pub(crate) fn detached() -> Self {
        EventSink {
            shared: Arc::new(QueueShared {
                state: Mutex::new(QueueState::default()),
                space: Notify::new(),
            }),
        }
    }

    /// Takes the queued events, as the host's poll would.
    pub(crate) fn take_queued(&self) -> Vec<StreamEvent_NE> {
        let events: Vec<_> = lock(&self.shared.state).events.drain(..).collect();
        QUEUED_EVENTS.fetch_sub(events.len(), Ordering::SeqCst);
        self.shared.space.notify_waiters();
        events
    }
}

fn is_terminal(event: &StreamEvent_NE) -> bool {
    event.as_enum().is_ok_and(StreamEvent::is_terminal)
}

/// The consumer side, handed to the host as a `ChatStream`.
pub struct StreamHandle {
    shared: Arc<QueueShared>,
    task: Option<AbortHandle>,
    model_id: String,
}

impl StreamHandle {
    /// Spawns `produce` on the plugin runtime with a fresh queue. A panic inside the task ends
    /// the stream with an `Internal` error instead of leaving the host waiting forever. The
    /// `permit` (PLG-90) is held until the task ends or is aborted.
    pub fn spawn<F, Fut>(
        model_id: &str,
        permit: Option<StreamPermit>,
        produce: F,
    ) -> Result<StreamHandle, PluginError>
    where
        F: FnOnce(EventSink) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let shared = Arc::new(QueueShared {
            state: Mutex::new(QueueState::default()),
            space: Notify::new(),
        });
        let sink = EventSink {
            shared: shared.clone(),
        };
        let panic_sink = sink.clone();
        let panic_model = model_id.to_owned();
        // Boxed once here: a chat's future is kilobytes, and unboxed it would be copied again
        // by every wrapper on the way into the runtime's task cell.
        let task = Box::pin(produce(sink));
        let live = LiveTask::new(&LIVE_STREAM_TASKS);
        let join = crate::runtime::spawn(async move {
            let _held = (live, permit);
            if let Err(payload) = std::panic::AssertUnwindSafe(task).catch_unwind().await {
                let message = panic_message(payload.as_ref());
                tracing::error!(target: "bedrock_plugin::stream", panic = %message, "stream task panicked");
                let failure = failure_event(
                    &panic_model,
                    PluginError::internal_panic("stream_chat"),
                    StopReason::Error,
                );
                panic_sink.send([failure]).await;
                panic_sink.finish();
            }
        })
        .map_err(|message| PluginError::new(ErrorKind::Internal, message))?;
        Ok(StreamHandle {
            shared,
            task: Some(join.abort_handle()),
            model_id: model_id.to_owned(),
        })
    }

    fn close(&mut self, emit_aborted: bool) {
        let Some(task) = self.task.take() else { return };
        task.abort();
        let waker = {
            let mut state = lock(&self.shared.state);
            state.closed_by_host = true;
            if emit_aborted && !state.finished {
                state.events.push_back(failure_event(
                    &self.model_id,
                    crate::error::BedrockError::Aborted.into(),
                    StopReason::Aborted,
                ));
                QUEUED_EVENTS.fetch_add(1, Ordering::SeqCst);
                state.finished = true;
            }
            state.waker.take()
        };
        self.shared.space.notify_waiters();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// A terminal `Error` event for failures found outside the event mapper (cancellation, panic).
pub fn failure_event(model_id: &str, error: PluginError, reason: StopReason) -> StreamEvent_NE {
    let mut summary = plugin_api::event::ResponseSummary::new(model_id);
    summary.stop_reason = StopReason_NE::new(reason);
    StreamEvent_NE::new(StreamEvent::Error(abi_stable::std_types::RBox::new(
        StreamFailure { error, summary },
    )))
}

impl ChatStream for StreamHandle {
    fn poll_events(&mut self, waker: &FfiWaker, max_events: u32) -> StreamBatch {
        guard_infallible(
            "ChatStream::poll_events",
            StreamBatch {
                events: RVec::new(),
                finished: true,
            },
            || {
                let mut state = lock(&self.shared.state);
                let take = state.events.len().min(max_events.max(1) as usize);
                let events: RVec<StreamEvent_NE> = state.events.drain(..take).collect();
                QUEUED_EVENTS.fetch_sub(events.len(), Ordering::SeqCst);
                let finished = state.finished && state.events.is_empty();
                if events.is_empty() && !finished {
                    state.waker = Some(waker.clone());
                }
                drop(state);
                if !events.is_empty() {
                    self.shared.space.notify_waiters();
                }
                StreamBatch { events, finished }
            },
        )
    }

    fn cancel(&mut self) {
        guard_infallible("ChatStream::cancel", (), || self.close(true));
    }
}

impl Drop for StreamHandle {
    fn drop(&mut self) {
        self.close(false);
    }
}

struct OneShotState<T> {
    result: Option<Result<T, PluginError>>,
    delivered: bool,
    waker: Option<FfiWaker>,
}

/// Logs a one-shot task's panic and gives the error its host sees, wherever it was polled.
fn task_panicked(entry_point: &'static str, payload: &(dyn std::any::Any + Send)) -> PluginError {
    tracing::error!(target: "bedrock_plugin::pending", entry_point, panic = %panic_message(payload), "task panicked");
    PluginError::internal_panic(entry_point)
}

/// A one-shot result the host polls (catalog, embeddings, token count, doctor).
pub struct PendingTask<T> {
    shared: Arc<Mutex<OneShotState<T>>>,
    task: Option<AbortHandle>,
}

impl<T: Send + 'static> PendingTask<T> {
    /// Runs `work` on the plugin runtime; a panic inside it becomes an `Internal` error.
    pub fn spawn<Fut>(entry_point: &'static str, work: Fut) -> PendingTask<T>
    where
        Fut: Future<Output = Result<T, PluginError>> + Send + 'static,
    {
        let shared = Arc::new(Mutex::new(OneShotState {
            result: None,
            delivered: false,
            waker: None,
        }));
        let slot = shared.clone();
        let live = LiveTask::new(&LIVE_PENDING_TASKS);
        let spawned = crate::runtime::spawn(async move {
            let _live = live;
            let result = std::panic::AssertUnwindSafe(work)
                .catch_unwind()
                .await
                .unwrap_or_else(|payload| Err(task_panicked(entry_point, payload.as_ref())));
            Self::complete(&slot, result);
        });
        match spawned {
            Ok(join) => PendingTask {
                shared,
                task: Some(join.abort_handle()),
            },
            Err(message) => Self::ready(Err(PluginError::new(ErrorKind::Internal, message))),
        }
    }

    /// [`spawn`](Self::spawn), after one poll of `work` on the caller's thread inside the
    /// plugin runtime's context. An answer that needs no I/O (a warm catalog: cache hit, shared
    /// config read synchronously) is then ready before this returns, without the two thread
    /// hand-offs (host → plugin runtime → host) that cost more than the work (issue 9, warm
    /// `list_models`). Work still pending moves to the plugin runtime, whose first poll
    /// registers the task's real waker, so a wake-up lost with the inline poll's no-op waker
    /// costs nothing: that poll re-checks everything. Work that sends requests awaits
    /// [`continue_on_runtime`](crate::runtime::continue_on_runtime) first, so connections
    /// are only ever checked out on the plugin runtime.
    pub fn spawn_eager<Fut>(entry_point: &'static str, work: Fut) -> PendingTask<T>
    where
        Fut: Future<Output = Result<T, PluginError>> + Send + 'static,
    {
        let handle = match crate::runtime::handle() {
            Ok(handle) => handle,
            Err(message) => {
                return Self::ready(Err(PluginError::new(ErrorKind::Internal, message)))
            }
        };
        let mut work = Box::pin(work);
        let first = {
            let _context = handle.enter();
            let mut context = std::task::Context::from_waker(futures::task::noop_waker_ref());
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                work.as_mut().poll(&mut context)
            }))
        };
        match first {
            Ok(std::task::Poll::Ready(result)) => Self::ready(result),
            Ok(std::task::Poll::Pending) => Self::spawn(entry_point, work),
            Err(payload) => Self::ready(Err(task_panicked(entry_point, payload.as_ref()))),
        }
    }

    /// A handle whose result is already known.
    pub fn ready(result: Result<T, PluginError>) -> PendingTask<T> {
        PendingTask {
            shared: Arc::new(Mutex::new(OneShotState {
                result: Some(result),
                delivered: false,
                waker: None,
            })),
            task: None,
        }
    }

    fn complete(slot: &Mutex<OneShotState<T>>, result: Result<T, PluginError>) {
        let waker = {
            let mut state = lock(slot);
            state.result = Some(result);
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// One poll from the host.
    pub fn poll_result(&mut self, waker: &FfiWaker) -> FfiPoll<RResult<T, PluginError>> {
        let mut state = lock(&self.shared);
        match state.result.take() {
            Some(result) => {
                state.delivered = true;
                FfiPoll::Ready(result.into())
            }
            None if state.delivered => FfiPoll::Ready(RResult::RErr(PluginError::new(
                ErrorKind::Internal,
                "polled again after the result was delivered",
            ))),
            None => {
                state.waker = Some(waker.clone());
                FfiPoll::Pending
            }
        }
    }

    /// Aborts the work now.
    pub fn abort(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
        let mut state = lock(&self.shared);
        if state.result.is_none() && !state.delivered {
            state.result = Some(Err(crate::error::BedrockError::Aborted.into()));
        }
    }
}

impl<T> Drop for PendingTask<T> {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Implements a `Pending*` trait of plugin-api for `PendingTask<$output>`.
macro_rules! impl_pending {
    ($trait_name:path, $output:ty, $entry:literal) => {
        impl $trait_name for PendingTask<$output> {
            fn poll(&mut self, waker: &FfiWaker) -> FfiPoll<RResult<$output, PluginError>> {
                match crate::guard::guard(concat!($entry, "::poll"), || Ok(self.poll_result(waker)))
                {
                    Ok(poll) => poll,
                    Err(error) => FfiPoll::Ready(RResult::RErr(error)),
                }
            }

            fn cancel(&mut self) {
                guard_infallible(concat!($entry, "::cancel"), (), || self.abort());
            }
        }
    };
}

impl_pending!(PendingCatalog, ProviderCatalog, "PendingCatalog");
impl_pending!(PendingEmbeddings, Embeddings, "PendingEmbeddings");
impl_pending!(PendingTokenCount, TokenCount, "PendingTokenCount");
impl_pending!(PendingDoctor, DoctorReport, "PendingDoctor");

#[cfg(test)]
mod tests;
