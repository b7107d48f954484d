//! The public handle: [`Emulator::start`] binds the port and runs the server on its own thread and
//! tokio runtime, so callers need no runtime of their own (sync tests work) and dropping the handle
//! stops everything. The rest of the handle is the introspection and control API over [`Shared`].

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use crate::catalog::account::{AccountList, ModelAccess};
use crate::catalog::Catalog;
use crate::config::EmulatorOptions;
use crate::faults::{self, FaultRule};
use crate::record::{Operation, RecordedRequest, StreamOutcome};
use crate::shared::Shared;
use crate::{replay, server, tls};

/// Errors starting the emulator.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("failed to bind 127.0.0.1:{port}: {source}")]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("catalog error: {0}")]
    Catalog(String),
    #[error("TLS setup failed: {0}")]
    Tls(String),
    #[error("the emulator runtime failed to start: {0}")]
    Runtime(String),
}

/// A running emulator. Dropping it shuts the listener and its runtime thread down.
pub struct Emulator {
    shared: Arc<Shared>,
    connections: Arc<server::Connections>,
    base_url: String,
    port: u16,
    ca_path: Option<PathBuf>,
    _tls_dir: Option<tempfile::TempDir>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url)
            .field("ca_path", &self.ca_path)
            .finish()
    }
}

/// The running server thread and the channel that stops it.
struct ServerThread {
    shutdown: oneshot::Sender<()>,
    thread: JoinHandle<()>,
}

impl Emulator {
    /// Start on 127.0.0.1 (its own thread and tokio runtime); returns once the port is bound.
    pub fn start(options: EmulatorOptions) -> Result<Emulator, EmulatorError> {
        let catalog = match &options.catalog {
            Some(dir) => Catalog::load_dir(dir)?,
            None => Catalog::builtin()?,
        };
        let listener = bind(options.port)?;
        let port = listener.local_addr()?.port();
        let generated = if options.tls {
            Some(tls::generate()?)
        } else {
            None
        };
        let shared = Arc::new(Shared::new(
            options.credentials.clone(),
            options.latency,
            catalog,
        ));
        if let Ok(mut p) = shared.policy.lock() {
            *p = options.policy.clone();
        }
        if let Ok(mut g) = shared.guardrails.lock() {
            g.extend(options.guardrails.iter().cloned());
        }
        let (acceptor, tls_dir, ca_path) = match generated {
            Some(g) => (Some(g.acceptor), Some(g.dir), Some(g.ca_path)),
            None => (None, None, None),
        };
        let connections = Arc::new(server::Connections::default());
        let server = spawn_server(
            listener,
            acceptor,
            shared.clone(),
            connections.clone(),
            port,
        )?;
        Ok(Emulator {
            shared,
            connections,
            base_url: base_url(options.tls, port),
            port,
            ca_path,
            _tls_dir: tls_dir,
            shutdown: Some(server.shutdown),
            thread: Some(server.thread),
        })
    }

    /// `http://127.0.0.1:PORT`, or `https://localhost:PORT` with TLS.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// PEM file of the generated CA (TLS only).
    pub fn ca_cert_path(&self) -> Option<&Path> {
        self.ca_path.as_deref()
    }

    /// The catalog being served.
    pub fn catalog(&self) -> &Catalog {
        &self.shared.catalog
    }

    /// All requests so far, in arrival order of their completion of routing.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared
            .records
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    /// Requests for one operation.
    pub fn requests_for(&self, operation: Operation) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.operation == operation)
            .collect()
    }

    /// The most recent request, if any.
    pub fn last_request(&self) -> Option<RecordedRequest> {
        self.shared
            .records
            .lock()
            .ok()
            .and_then(|r| r.last().cloned())
    }

    pub fn clear_requests(&self) {
        if let Ok(mut r) = self.shared.records.lock() {
            r.clear();
        }
    }

    /// Number of recorded requests routed to `operation`.
    pub fn count(&self, operation: Operation) -> usize {
        self.shared
            .records
            .lock()
            .map(|r| r.iter().filter(|x| x.operation == operation).count())
            .unwrap_or(0)
    }

    pub fn add_fault(&self, rule: FaultRule) {
        if let Ok(mut f) = self.shared.faults.lock() {
            f.push(faults::ActiveRule::new(rule));
        }
    }

    pub fn clear_faults(&self) {
        if let Ok(mut f) = self.shared.faults.lock() {
            f.clear();
        }
    }

    /// Serve `bytes` (a recorded ConverseStream body) for every ConverseStream to `model_id`.
    pub fn set_replay(&self, model_id: &str, bytes: Vec<u8>) {
        let frames = replay::split_frames(bytes);
        if let Ok(mut r) = self.shared.replays.lock() {
            r.insert(model_id.to_string(), Arc::new(frames));
        }
    }

    pub fn clear_replays(&self) {
        if let Ok(mut r) = self.shared.replays.lock() {
            r.clear();
        }
    }

    /// Deny `operations` to `caller` (a SigV4 access key id, a bearer token, or `"*"` for every
    /// caller) with Bedrock's IAM AccessDeniedException, until [`Emulator::allow`].
    pub fn deny(&self, caller: &str, operations: &[Operation]) {
        if let Ok(mut p) = self.shared.policy.lock() {
            p.add(caller.to_string(), operations.iter().copied());
        }
    }

    /// Lift every denial of `caller`.
    pub fn allow(&self, caller: &str) {
        if let Ok(mut p) = self.shared.policy.lock() {
            p.allow(caller);
        }
    }

    /// Set the account's access to `model_id` as GetFoundationModelAvailability reports it
    /// (BR-80); models never set are available, except the built-in
    /// [`AGREEMENT_MODEL`](crate::catalog::account::AGREEMENT_MODEL).
    pub fn set_model_access(&self, model_id: &str, access: ModelAccess) {
        if let Ok(mut account) = self.shared.account.lock() {
            account.set_access(model_id, access);
        }
    }

    /// Add one summary (in its wire JSON form) to one of the account's resource lists (BR-85).
    pub fn add_account_resource(&self, list: AccountList, summary: serde_json::Value) {
        if let Ok(mut account) = self.shared.account.lock() {
            account.add(list, summary);
        }
    }

    /// Make ApplyGuardrail know the guardrail `id`.
    pub fn add_guardrail(&self, id: &str) {
        if let Ok(mut g) = self.shared.guardrails.lock() {
            g.insert(id.to_string());
        }
    }

    /// Move the prompt cache's clock forward (cached prefixes expire after their 5 m / 1 h TTL).
    pub fn advance_prompt_cache_clock(&self, by: Duration) {
        if let Ok(mut c) = self.shared.prompt_cache.lock() {
            c.advance(by);
        }
    }

    /// Wait up to `timeout` for the outcome of the runtime stream of request `request_id`.
    pub fn wait_for_stream_outcome(
        &self,
        request_id: u64,
        timeout: Duration,
    ) -> Option<StreamOutcome> {
        let deadline = Instant::now() + timeout;
        let mut map = self.shared.outcomes.lock().ok()?;
        loop {
            if let Some(o) = map.get(&request_id) {
                return Some(o.clone());
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            let (m, _) = self
                .shared
                .outcome_cv
                .wait_timeout(map, deadline - now)
                .ok()?;
            map = m;
        }
    }

    /// Client connections open now (accepted and not yet closed by either side): what a client
    /// still holds of this emulator, e.g. its pooled idle connections (NET-07).
    pub fn open_connections(&self) -> usize {
        self.connections.counts().open
    }

    /// Client connections accepted since the start; a client that reuses its pooled connections
    /// does not raise it.
    pub fn accepted_connections(&self) -> u64 {
        self.connections.counts().accepted
    }

    /// Waits up to `timeout` (a hang guard, not a timing assertion: a connection closes
    /// asynchronously after the client lets go of it) until at most `open` connections are
    /// open; returns the open count last seen.
    pub fn wait_for_open_connections_at_most(&self, open: usize, timeout: Duration) -> usize {
        self.connections
            .wait_until(timeout, |counts| counts.open <= open)
            .open
    }

    /// Waits up to `timeout` (a hang guard) until at least `accepted` connections were accepted
    /// since the start; returns the accepted count last seen.
    pub fn wait_for_accepted_connections_at_least(&self, accepted: u64, timeout: Duration) -> u64 {
        self.connections
            .wait_until(timeout, |counts| counts.accepted >= accepted)
            .accepted
    }

    /// Outcome of a stream if already known.
    pub fn stream_outcome(&self, request_id: u64) -> Option<StreamOutcome> {
        self.shared
            .outcomes
            .lock()
            .ok()
            .and_then(|m| m.get(&request_id).cloned())
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Bind 127.0.0.1:`port` (0 = ephemeral), non-blocking so tokio can adopt it.
fn bind(port: u16) -> Result<std::net::TcpListener, EmulatorError> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", port))
        .map_err(|source| EmulatorError::Bind { port, source })?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

fn base_url(tls: bool, port: u16) -> String {
    if tls {
        format!("https://localhost:{port}")
    } else {
        format!("http://127.0.0.1:{port}")
    }
}

/// Run the server on its own thread; returns once it is accepting (or why it could not start).
fn spawn_server(
    listener: std::net::TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shared: Arc<Shared>,
    connections: Arc<server::Connections>,
    port: u16,
) -> Result<ServerThread, EmulatorError> {
    let (shutdown, shutdown_rx) = oneshot::channel();
    let (ready_tx, ready_rx) = mpsc::channel::<Result<(), String>>();
    let thread = std::thread::Builder::new()
        .name(format!("bedrock-emulator-{port}"))
        .spawn(move || run_server(listener, tls, shared, connections, shutdown_rx, ready_tx))?;
    match ready_rx.recv() {
        Ok(Ok(())) => Ok(ServerThread { shutdown, thread }),
        Ok(Err(e)) => Err(EmulatorError::Runtime(e)),
        Err(_) => Err(EmulatorError::Runtime("server thread exited".into())),
    }
}

/// The server thread: a current-thread runtime serving until `shutdown`, reporting readiness first.
fn run_server(
    listener: std::net::TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shared: Arc<Shared>,
    connections: Arc<server::Connections>,
    shutdown: oneshot::Receiver<()>,
    ready: mpsc::Sender<Result<(), String>>,
) {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let _ = ready.send(Err(e.to_string()));
            return;
        }
    };
    rt.block_on(async move {
        let listener = match tokio::net::TcpListener::from_std(listener) {
            Ok(l) => l,
            Err(e) => {
                let _ = ready.send(Err(e.to_string()));
                return;
            }
        };
        let _ = ready.send(Ok(()));
        server::serve(listener, tls, shared, connections, shutdown).await;
    });
    rt.shutdown_timeout(Duration::from_millis(200));
}
