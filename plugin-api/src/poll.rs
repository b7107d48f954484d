//! Waiting across the boundary without blocking anyone's executor.
//!
//! The plugin runs its own tokio runtime, which the host cannot share. Instead of blocking a
//! host thread, every asynchronous operation returns a handle the host *polls* with an
//! [`FfiWaker`]: when the result is not ready the plugin keeps the waker and wakes it from its
//! runtime once it is. The host side turns that into an ordinary `Future`/`Stream`; dropping
//! the handle cancels the work inside the plugin.

use abi_stable::{
    sabi_trait,
    std_types::{RArc, RResult, RVec},
    StableAbi,
};

use crate::chat::TokenCount;
use crate::embedding::Embeddings;
use crate::error::PluginError;
use crate::event::StreamEvent_NE;
use crate::model::ProviderCatalog;
use crate::status::DoctorReport;

/// The host's waker, callable from any plugin thread.
#[sabi_trait]
pub trait HostWaker: Send + Sync + Clone {
    /// Tells the host that the handle it polled with this waker has progress: poll it again.
    /// Cheap and non-blocking; may be called more often than needed.
    #[sabi(last_prefix_field)]
    fn wake(&self);
}

/// A shareable host waker, the one argument every `poll` takes. Build it with
/// `HostWaker_TO::from_ptr(RArc::new(waker), TD_Opaque)` from any [`HostWaker`].
pub type FfiWaker = HostWaker_TO<'static, RArc<()>>;

/// The answer to one poll of a one-shot operation.
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub enum FfiPoll<T> {
    /// The operation finished with this result.
    Ready(T),
    /// Not finished: the plugin keeps the waker and calls it when polling again is useful.
    Pending,
}

/// The answer to one poll of a stream: a batch of events (pulling several per boundary
/// crossing keeps the per-event cost low) and whether the stream has ended.
/// An empty batch that is not finished means "pending; the waker will be called".
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct StreamBatch {
    /// The events that were ready, in order.
    pub events: RVec<StreamEvent_NE>,
    /// True once the stream has ended (its terminal event is in this or an earlier batch).
    pub finished: bool,
}

macro_rules! pending_call {
    ($(#[$doc:meta])* $trait_name:ident, $output:ty) => {
        $(#[$doc])*
        #[sabi_trait]
        pub trait $trait_name: Send {
            /// Ready once; polling again after `Ready` yields an `Internal` error.
            fn poll(&mut self, waker: &FfiWaker) -> FfiPoll<RResult<$output, PluginError>>;

            /// Stops the work now (dropping the handle does the same).
            #[sabi(last_prefix_field)]
            fn cancel(&mut self);
        }
    };
}

pending_call!(
    /// A pending model listing.
    PendingCatalog,
    ProviderCatalog
);
pending_call!(
    /// A pending embedding call.
    PendingEmbeddings,
    Embeddings
);
pending_call!(
    /// A pending CountTokens call.
    PendingTokenCount,
    TokenCount
);
pending_call!(
    /// A pending doctor run.
    PendingDoctor,
    DoctorReport
);
