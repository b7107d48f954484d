//! The plugin's own tokio runtime.
//!
//! The host's runtime is a different copy of tokio (separate statics), so the plugin cannot
//! use it. One current-thread runtime driven by a dedicated thread serves every instance:
//! measured on 2 cores, the SDK decodes a per-chunk event stream about ten times faster on a
//! current-thread runtime than on a two-worker multi-thread one, because each HTTP chunk
//! would otherwise cost a cross-thread wake-up (see `benches/` and the notes).

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::{Builder, Handle};
use tokio::sync::watch;
use tokio::task::JoinHandle;

struct PluginRuntime {
    handle: Handle,
    stop: watch::Sender<bool>,
}

static RUNTIME: OnceLock<Result<PluginRuntime, String>> = OnceLock::new();

/// The name of the plugin runtime's threads.
const THREAD_NAME: &str = "bedrock-plugin-io";

/// Benchmarks set this to a worker count to compare a multi-thread runtime with the default
/// current-thread one (unset or `0`).
pub const WORKER_THREADS_ENV: &str = "BEDROCK_PLUGIN_WORKER_THREADS";

fn start() -> Result<PluginRuntime, String> {
    let workers = std::env::var(WORKER_THREADS_ENV)
        .ok()
        .and_then(|value| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut builder = if workers == 0 {
        Builder::new_current_thread()
    } else {
        let mut builder = Builder::new_multi_thread();
        builder.worker_threads(workers);
        builder
    };
    let runtime = builder
        .enable_all()
        .thread_name(THREAD_NAME)
        .build()
        .map_err(|err| format!("cannot start the plugin's tokio runtime: {err}"))?;
    let handle = runtime.handle().clone();
    let (stop, mut stopped) = watch::channel(false);
    std::thread::Builder::new()
        .name(THREAD_NAME.into())
        .spawn(move || {
            runtime.block_on(async move {
                // Runs every spawned task until shutdown() flips the flag.
                while !*stopped.borrow() {
                    if stopped.changed().await.is_err() {
                        break;
                    }
                }
            });
        })
        .map_err(|err| format!("cannot start the plugin's I/O thread: {err}"))?;
    Ok(PluginRuntime { handle, stop })
}

/// The runtime handle, starting the runtime on first use.
pub fn handle() -> Result<&'static Handle, String> {
    match RUNTIME.get_or_init(start) {
        Ok(runtime) => Ok(&runtime.handle),
        Err(message) => Err(message.clone()),
    }
}

/// Whether the calling thread drives the plugin runtime (a synchronous wait for a plugin task
/// there would wait for itself).
pub fn on_plugin_runtime() -> bool {
    std::thread::current().name() == Some(THREAD_NAME)
}

/// Continues on the plugin runtime: returns at once there and yields once anywhere else, so
/// a future that `PendingTask::spawn_eager` (in `pending.rs`) polls first on a host thread
/// starts no request from it. The SDK's connection pool takes a connection back on this
/// runtime; a send started from the host's thread right after the previous answer could find
/// it not yet returned and open a second one (DISC-11).
pub async fn continue_on_runtime() {
    if !on_plugin_runtime() {
        tokio::task::yield_now().await;
    }
}

/// Spawns a task on the plugin runtime.
pub fn spawn<F>(future: F) -> Result<JoinHandle<F::Output>, String>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    Ok(handle()?.spawn(future))
}

/// Stops driving tasks; in-flight work is abandoned (libraries are never unloaded, so this is
/// the orderly end a host can ask for before exiting).
pub fn shutdown() {
    if let Some(Ok(runtime)) = RUNTIME.get() {
        let _ = runtime.stop.send(true);
    }
}

/// Tasks alive on the plugin runtime (stream and one-shot tasks, the HTTP clients' connection
/// tasks, timers), or `None` before the runtime started; for status and leak checks.
pub fn alive_tasks() -> Option<usize> {
    match RUNTIME.get() {
        Some(Ok(runtime)) => Some(runtime.handle.metrics().num_alive_tasks()),
        _ => None,
    }
}
