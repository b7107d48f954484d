//! The host's side of the polling contract: a std `Waker` offered to the plugin as an
//! `FfiWaker`, and futures/streams over the plugin's pending handles.
//!
//! Nothing here blocks: a pending handle is polled from whatever task awaits it, and the
//! plugin wakes that task from its own runtime when the result or more events are ready.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{RArc, RResult};
use plugin_api::chat::TokenCount;
use plugin_api::embedding::Embeddings;
use plugin_api::error::PluginError;
use plugin_api::model::ProviderCatalog;
use plugin_api::poll::{FfiPoll, FfiWaker, HostWaker, HostWaker_TO};
use plugin_api::status::DoctorReport;
use plugin_api::traits::{
    PendingCatalogBox, PendingDoctorBox, PendingEmbeddingsBox, PendingTokenCountBox,
};

/// A std waker the plugin may call from any thread.
#[derive(Clone)]
struct StdWaker(Waker);

impl HostWaker for StdWaker {
    fn wake(&self) {
        self.0.wake_by_ref();
    }
}

/// Wraps the current task's waker for the plugin.
pub fn ffi_waker(waker: &Waker) -> FfiWaker {
    HostWaker_TO::from_ptr(RArc::new(StdWaker(waker.clone())), TD_Opaque)
}

/// Caches the FFI waker of the last poll, so steady streaming allocates nothing per poll.
#[derive(Default)]
pub struct WakerSlot {
    // Boxed: FFI trait objects are not `Unpin`, and futures holding this slot must be.
    cached: Option<Box<(Waker, FfiWaker)>>,
}

impl WakerSlot {
    pub fn get(&mut self, waker: &Waker) -> &FfiWaker {
        let stale = !matches!(&self.cached, Some(cached) if cached.0.will_wake(waker));
        if stale {
            self.cached = Some(Box::new((waker.clone(), ffi_waker(waker))));
        }
        match &self.cached {
            Some(cached) => &cached.1,
            None => unreachable!("the slot was filled just above"),
        }
    }
}

/// A plugin handle that yields one result (catalog, embeddings, token count, doctor).
pub trait PollOnce: Send {
    type Output;
    fn poll_once(&mut self, waker: &FfiWaker) -> FfiPoll<RResult<Self::Output, PluginError>>;
}

/// One `PollOnce` impl per `handle => output` pair; every one-shot handle polls the same way.
macro_rules! impl_poll_once {
    ($($handle:ty => $output:ty),* $(,)?) => {$(
        impl PollOnce for $handle {
            type Output = $output;
            fn poll_once(&mut self, waker: &FfiWaker) -> FfiPoll<RResult<$output, PluginError>> {
                self.poll(waker)
            }
        }
    )*};
}

impl_poll_once! {
    PendingCatalogBox => ProviderCatalog,
    PendingEmbeddingsBox => Embeddings,
    PendingTokenCountBox => TokenCount,
    PendingDoctorBox => DoctorReport,
}

/// A `Future` over a one-shot plugin handle; dropping it cancels the plugin's work.
pub struct PendingFuture<H: PollOnce> {
    handle: Box<H>,
    waker: WakerSlot,
}

impl<H: PollOnce> PendingFuture<H> {
    pub fn new(handle: H) -> Self {
        Self {
            handle: Box::new(handle),
            waker: WakerSlot::default(),
        }
    }
}

impl<H: PollOnce> Future for PendingFuture<H> {
    type Output = Result<H::Output, PluginError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let waker = this.waker.get(cx.waker()).clone();
        match this.handle.poll_once(&waker) {
            FfiPoll::Ready(result) => Poll::Ready(result.into_result()),
            FfiPoll::Pending => Poll::Pending,
        }
    }
}
