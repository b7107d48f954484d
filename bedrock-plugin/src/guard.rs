//! Panics never cross the boundary.
//!
//! A panic that unwinds into an `extern "C"` vtable entry aborts the host process, so every
//! entry point runs its body under [`guard`] and turns a panic into an `Internal` error.
//!
//! The panic-on-request hook that lets tests prove this exists only with the `test-hooks`
//! cargo feature: a release build neither reads its environment variable nor carries the code,
//! so a guarded call (polls included) costs nothing beyond `catch_unwind`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use plugin_api::error::PluginError;

/// Environment variable naming an entry point that panics on purpose, so tests can prove a
/// panic inside the plugin reaches the host as an error (feature `test-hooks` only).
#[cfg(feature = "test-hooks")]
pub const TEST_PANIC_ENV: &str = "BEDROCK_PLUGIN_TEST_PANIC";

/// Runs one entry point; a panic becomes `PluginError::internal_panic(entry_point)`.
pub fn guard<T>(
    entry_point: &'static str,
    body: impl FnOnce() -> Result<T, PluginError>,
) -> Result<T, PluginError> {
    catch_unwind(AssertUnwindSafe(|| {
        #[cfg(feature = "test-hooks")]
        panic_if_requested(entry_point);
        body()
    }))
    .unwrap_or_else(|payload| {
        tracing::error!(
            target: "bedrock_plugin::guard",
            entry_point,
            panic = %panic_message(payload.as_ref()),
            "plugin entry point panicked"
        );
        Err(PluginError::internal_panic(entry_point))
    })
}

/// Like [`guard`] for entry points that cannot fail: a panic yields `fallback`.
pub fn guard_infallible<T>(entry_point: &'static str, fallback: T, body: impl FnOnce() -> T) -> T {
    guard(entry_point, || Ok(body())).unwrap_or(fallback)
}

#[cfg(feature = "test-hooks")]
fn panic_if_requested(entry_point: &str) {
    if std::env::var(TEST_PANIC_ENV).is_ok_and(|wanted| wanted == entry_point) {
        panic!("{TEST_PANIC_ENV} asked {entry_point} to panic");
    }
}

/// The text of a panic payload (`&str` or `String`), for the log.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-text panic payload".to_owned())
}

#[cfg(test)]
mod tests;
