//! The `ResetBeforeHeaders` fault as a real TCP reset (EX-A15): a peer that crashes or a
//! middlebox that gives up sends an RST, which the client reads as `ECONNRESET`; a clean close
//! (FIN) would read as an end of stream instead and prove nothing about reset handling.
//!
//! hyper owns the socket while it serves the connection, so the socket is wrapped: when the
//! service fires the [`ResetSignal`], the connection task drops the connection, and the wrapper's
//! `Drop` first sets `SO_LINGER` to zero, which makes the kernel answer the close with an RST
//! and discard anything unsent.

#[cfg(test)]
mod tests;

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Notify;

/// Set by the service when the fault fires; awaited by the connection task.
#[derive(Default)]
pub(crate) struct ResetSignal {
    fired: AtomicBool,
    notify: Notify,
}

impl ResetSignal {
    /// Marks the connection for an abortive close and wakes its task.
    pub(crate) fn fire(&self) {
        self.fired.store(true, Ordering::SeqCst);
        // `notify_one` keeps a permit when the task is not waiting yet.
        self.notify.notify_one();
    }

    fn is_fired(&self) -> bool {
        self.fired.load(Ordering::SeqCst)
    }

    /// Resolves once [`ResetSignal::fire`] was called.
    pub(crate) async fn fired(&self) {
        while !self.is_fired() {
            self.notify.notified().await;
        }
    }
}

/// The accepted socket as hyper sees it; reset instead of closed when its signal fired.
pub(crate) struct ResettableStream {
    inner: TcpStream,
    signal: Arc<ResetSignal>,
}

impl ResettableStream {
    pub(crate) fn new(inner: TcpStream, signal: Arc<ResetSignal>) -> Self {
        ResettableStream { inner, signal }
    }
}

impl Drop for ResettableStream {
    fn drop(&mut self) {
        if self.signal.is_fired() {
            // A zero linger never blocks the thread (the reason tokio deprecates other values).
            let _ = self.inner.set_zero_linger();
        }
    }
}

impl AsyncRead for ResettableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResettableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
