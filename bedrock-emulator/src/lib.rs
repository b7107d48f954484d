//! # bedrock-emulator — a local Amazon Bedrock on loopback
//!
//! A server that the **real AWS SDK for Rust** (`aws-sdk-bedrock`, `aws-sdk-bedrockruntime`) talks to
//! unchanged through an endpoint override. It serves the control plane (`ListFoundationModels`,
//! `GetFoundationModel`, `ListInferenceProfiles`, `GetInferenceProfile`) and the runtime (`Converse`,
//! `ConverseStream`, `InvokeModel` for embeddings, `CountTokens`) on one listener, over HTTP/1.1 and
//! HTTP/2 (h2c with prior knowledge) on the same port, or over HTTPS with `tls: true` (a CA generated
//! at start; its PEM file is named by [`Emulator::ca_cert_path`]). Wire shapes follow the botocore
//! 1.44.8 service models.
//!
//! ```no_run
//! let emu = bedrock_emulator::Emulator::start(Default::default()).unwrap();
//! println!("listening on {}", emu.base_url()); // endpoint_url for both SDK clients
//! ```
//!
//! ## Credentials (defaults, overridable through [`Credentials`])
//! * SigV4: access key [`DEFAULT_ACCESS_KEY_ID`], secret [`DEFAULT_SECRET_ACCESS_KEY`], service `bedrock`,
//!   any region (the signing region is recorded). When `Credentials::session_token` is set, the request's
//!   `x-amz-security-token` must equal it.
//! * Bedrock API key: `Authorization: Bearer` [`DEFAULT_BEARER_TOKEN`].
//! * Failures (all HTTP 403): no auth → `MissingAuthenticationTokenException` "Missing Authentication Token";
//!   unknown access key or wrong session token → `UnrecognizedClientException` "The security token included in
//!   the request is invalid."; bad signature → `InvalidSignatureException` "The request signature we calculated
//!   does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the
//!   service documentation for details."; wrong bearer token → `AccessDeniedException` "Authentication failed:
//!   Please make sure your API Key is valid.".
//!
//! ## Deterministic responses (Converse / ConverseStream)
//! Let **T** be the text of the last `user` message (its `text` blocks joined with one space). "Words" are
//! whitespace-separated; one word is one token.
//! * **Plain text**: reply `Hello from the Bedrock emulator. You said: ` + T. ConverseStream sends
//!   `messageStart{role:"assistant"}`, one `contentBlockDelta` per reply word on index 0 (each word followed by
//!   a single space except the last), `contentBlockStop{0}`, `messageStop{stopReason}`, `metadata{usage, metrics}`.
//!   No `contentBlockStart` for text (like Bedrock). Every event payload carries a `p` padding field.
//!   The reply is whitespace-normalised (its words joined by single spaces), so for a T with single spaces
//!   the streamed text equals the greeting + T exactly. With `max_tokens` the last emitted word carries no
//!   trailing space; with `stop_sequence` the cut text is re-split into words by the same rule.
//!   `inputTokens` = words of all system + message text (text blocks, tool-result text, reasoning text),
//!   `outputTokens` = reply words emitted, `totalTokens` = sum. `inferenceConfig.maxTokens` < reply words →
//!   only the first `maxTokens` words, stop reason `max_tokens`. If a `stopSequences` entry occurs in the full
//!   reply, the reply is cut right before the earliest occurrence, stop reason `stop_sequence`. Otherwise
//!   `end_turn`. Converse returns the same text in one block.
//! * **Tool-result turn**: when the last user message has `toolResult` blocks and no text, T is built from the
//!   results (text blocks and compact JSON of json blocks, joined by a space) and the reply is
//!   `Hello from the Bedrock emulator. Tool result: ` + T.
//! * **Tool use**: when `toolConfig.tools` offers tools and (a) `toolChoice` is `any` or `tool`, or (b) T contains
//!   the word `!tool` or `!tool=NAME`, or (c) a word of T (ASCII punctuation trimmed) equals an offered tool name,
//!   the reply is a single toolUse block at index 0: `contentBlockStart{start.toolUse{toolUseId, name}}`, the
//!   input JSON in `contentBlockDelta{delta.toolUse.input}` chunks of at most 8 characters, `contentBlockStop`,
//!   stop reason `tool_use`. Tool chosen: the `toolChoice.tool.name`, else the `!tool=NAME`, else the tool
//!   named in T, else the first tool. `toolUseId` = `tooluse_emulator_<number of messages in the request>`.
//!   Input: an object with one value per property of the tool's JSON schema (keys sorted by name) (`string` → `"emulator"`,
//!   `integer` → 42, `number` → 4.2, `boolean` → true, `array` → [], `object` → {}, `enum` → first value).
//!   outputTokens = number of input deltas.
//! * **Thinking**: for Anthropic Claude models with `additionalModelRequestFields.thinking.type` `enabled` or
//!   `adaptive`, a reasoning block comes first (index 0): one `reasoningContent.text` delta per word of
//!   `Thinking about: ` + T, then one `reasoningContent.signature` delta (`emu-sig-` + 16 hex digits), then
//!   `contentBlockStop{0}`; the text reply follows on index 1. **Redacted** thinking: if T contains the word
//!   `!redacted` or Anthropic's `ANTHROPIC_MAGIC_STRING_TRIGGER_REDACTED_THINKING_…` trigger, the reasoning block
//!   is one `reasoningContent.redactedContent` delta (bytes `emulator-redacted-thinking`) instead.
//! * **Guardrail**: when `guardrailConfig` is set and T contains the word `BLOCKED` (or `!guardrail`), the reply
//!   is `Sorry, the model cannot answer this question.`, stop reason `guardrail_intervened`, and with
//!   `trace` `enabled`/`enabled_full` the metadata (or Converse response) carries `trace.guardrail`
//!   with an `inputAssessment` for the guardrail id (topic policy `emulator-blocked-topic`, action BLOCKED).
//! * **Prompt caching**: with `cachePoint` blocks, the words before the last cache point (system, messages)
//!   form the cached prefix of size C. The first request with a given (model, prefix) gets
//!   `cacheWriteInputTokens: C, cacheReadInputTokens: 0`, later identical prefixes `cacheReadInputTokens: C,
//!   cacheWriteInputTokens: 0`; `inputTokens` then excludes C (as Anthropic reports it).
//! * **Long reply**: the word `!long=N` in T (or the `LongStream` fault) makes the reply `w1 w2 … wN`, one
//!   delta per word, generated lazily (N ≤ 10,000,000 streamed, ≤ 1,000,000 for Converse); `maxTokens`
//!   applies, stop sequences do not.
//! * **CountTokens**: `input.converse` → the inputTokens word rule; `input.invokeModel.body` (base64 JSON) →
//!   words of every JSON string in it. Profile-only base ids are accepted (as Bedrock does).
//! * **Embeddings** (InvokeModel, `x-amzn-bedrock-input-token-count` = words, min 1): Titan v1 → 1536 dims
//!   `{embedding, inputTextTokenCount}`; Titan v2 → `dimensions` 256/512/1024 (default 1024), `normalize`
//!   (default true) `{embedding, embeddingsByType.float, inputTextTokenCount}`; Cohere v3 → 1024 dims
//!   `{embeddings: [[..]], id, response_type: "embeddings_floats", texts}` (requires `input_type`); Cohere v4 →
//!   `output_dimension` 256/512/1024/1536 (default 1536) `{embeddings: {float: [[..]]}, …,
//!   response_type: "embeddings_by_type"}`; Nova multimodal → `embeddingDimension` 256/384/1024/3072 (default
//!   3072) `{embeddings: [{embeddingType: "TEXT", embedding}]}`; Marengo 2.7 (1024) / 3.0 (512) →
//!   `{data: [{embedding, embeddingOption}]}`. Vectors are seeded by (model, text, dims), L2-normalised.
//!   Invalid bodies → `Malformed input request: <detail>, please reformat your input and try again.`
//! * **Service tier**: `serviceTier` is echoed in the response / metadata event. `performanceConfig` too.
//! * Extra usage fields: streamed metadata usage also carries `serverToolUsage: {}` like real streams.
//!
//! ## Validation (ValidationException, HTTP 400, Bedrock wording)
//! unknown model → `The provided model identifier is invalid.`; base id of a profile-only model →
//! `Invocation of model ID <id> with on-demand throughput isn't supported. Retry your request with the ID or ARN
//! of an inference profile that contains this model.`; INACTIVE model → 404 `ResourceNotFoundException`
//! `This model version has reached the end of its life. Please refer to the AWS documentation for more details.`;
//! embedding/image model on Converse → `This action doesn't support the model that you provided. Try again with a
//! supported text or chat model.`; streaming on a model with `responseStreamingSupported: false` →
//! `The model is unsupported for streaming.`; `temperature` on Claude Opus 4.7+ / Claude 5 →
//! ``The model returned the following errors: {"type":"error","error":{"type":"invalid_request_error","message":"`temperature` is deprecated for this model."}}``;
//! `temperature` + `topP` on Claude Haiku 4.5 / Sonnet 4.5 / Sonnet 4.6 / Opus 4.5 / Opus 4.6 →
//! ``The model returned the following errors: `temperature` and `top_p` cannot both be specified for this model. Please use only one.``;
//! more than 4 cache points → `The model returned the following errors: A maximum of 4 blocks with cache_control
//! may be provided. Found <n>.`; `guardrailConfig.streamProcessingMode` on Converse → `1 validation error
//! detected: Value at 'guardrailConfig.streamProcessingMode' failed to satisfy constraint: Member is not
//! supported for the Converse operation`; a tier the model does not support → `The provided model identifier is
//! invalid.` (tiers: `default` for every model; `priority` and `flex` for Amazon Nova and Anthropic Claude 4.x
//! (not Claude 5); `reserved` never); reasoning content in a user message → `User messages cannot contain
//! reasoning content. Please remove the reasoning content and try again.`; malformed JSON → `Malformed input
//! request, please reformat your input and try again.`; missing/mistyped fields → `1 validation error detected:
//! Value null at '<path>' failed to satisfy constraint: Member must not be null` (e.g. `messages.1.member.role`).
//!
//! ## Faults
//! Programmatic: [`Emulator::add_fault`] with a [`FaultRule`] (filter by [`Operation`], model id as sent or its
//! resolved base id, and a use count). Per request: header `x-emulator-fault`, `;`-separated items:
//! `http=STATUS[:ErrorType[:message]]`, `throttle` (= `http=429`), `exception=N:type[:message]` (in-stream
//! exception frame after N events, e.g. `exception=3:throttlingException`), `disconnect=N`, `bad-crc=N`,
//! `stall=MS`, `first-byte=MS`, `latency=MS`, `long=N` (stream of N text deltas). Default error types per
//! status: 400 ValidationException, 403 AccessDeniedException, 404 ResourceNotFoundException, 408
//! ModelTimeoutException, 424 ModelErrorException, 429 ThrottlingException, 500 InternalServerException, 503
//! ServiceUnavailableException.
//!
//! ## Replay
//! [`Emulator::set_replay`] makes every ConverseStream for that model id (as sent, or its resolved base id)
//! answer with the given bytes, one event-stream frame per HTTP chunk, byte for byte.
//!
//! ## Introspection
//! [`Emulator::requests`] returns every request (secrets redacted); [`Emulator::wait_for_stream_outcome`]
//! tells whether a runtime stream completed, was cut by a fault, or was abandoned by the client.

mod auth;
mod catalog;
mod control_plane;
mod converse;
mod embeddings;
mod eventstream;
mod faults;
mod record;
mod replay;
mod server;
mod tls;
mod validation;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

pub use catalog::Catalog;
pub use eventstream::{decode_frames, encode_event, encode_exception, DecodedFrame};

/// Default SigV4 access key id accepted by the emulator.
pub const DEFAULT_ACCESS_KEY_ID: &str = "AKIDEXAMPLE";
/// Default SigV4 secret access key.
pub const DEFAULT_SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// Default Bedrock API key (`Authorization: Bearer …`).
pub const DEFAULT_BEARER_TOKEN: &str = "emulator-test-token";

/// The credentials the emulator accepts.
#[derive(Clone)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
    pub bearer_token: String,
}

impl Default for Credentials {
    fn default() -> Self {
        Credentials {
            access_key_id: DEFAULT_ACCESS_KEY_ID.to_string(),
            secret_access_key: DEFAULT_SECRET_ACCESS_KEY.to_string(),
            session_token: None,
            bearer_token: DEFAULT_BEARER_TOKEN.to_string(),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "** redacted **"),
            )
            .field("bearer_token", &"** redacted **")
            .finish()
    }
}

/// How to start the emulator.
#[derive(Clone, Debug, Default)]
pub struct EmulatorOptions {
    /// 0 = ephemeral port on 127.0.0.1.
    pub port: u16,
    /// Serve HTTPS with a generated certificate (CA file at [`Emulator::ca_cert_path`]).
    pub tls: bool,
    /// Directory with `foundation-models.json` and `inference-profiles.json`; `None` = built-in catalog.
    pub catalog: Option<PathBuf>,
    pub credentials: Credentials,
    /// Added latency for every request (control plane and runtime).
    pub latency: Option<Duration>,
}

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

/// The operation a request was routed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    ListFoundationModels,
    GetFoundationModel,
    ListInferenceProfiles,
    GetInferenceProfile,
    ConverseStream,
    Converse,
    InvokeModel,
    CountTokens,
    Unknown,
}

/// How a runtime response stream ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamOutcome {
    /// Every event was written and the body ended.
    Completed,
    /// The client went away (dropped the body / closed the connection) before the end.
    ClientDisconnected,
    /// A fault cut the stream (disconnect, in-stream exception, bad CRC).
    FaultInjected,
}

/// How a request authenticated.
#[derive(Clone, Debug)]
pub enum AuthScheme {
    SigV4 {
        access_key_id: String,
        region: String,
        service: String,
        session_token: bool,
    },
    Bearer,
    Anonymous,
}

/// One request as the emulator saw it.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    pub id: u64,
    /// `HTTP/1.1` or `HTTP/2.0`.
    pub http_version: String,
    pub method: String,
    /// Raw path, as sent (still percent-encoded).
    pub path: String,
    pub query: String,
    /// Header names lower-cased; `authorization` signature / bearer token and `x-amz-security-token` redacted.
    pub headers: Vec<(String, String)>,
    pub auth: AuthScheme,
    pub authorized: bool,
    pub operation: Operation,
    /// Percent-decoded model id / identifier from the path.
    pub model_id: Option<String>,
    pub body: Vec<u8>,
    pub status: u16,
}

impl RecordedRequest {
    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// First value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A fault to inject into matching requests.
#[derive(Clone, Debug)]
pub struct FaultRule {
    /// Only this operation (`None` = any).
    pub operation: Option<Operation>,
    /// Only this model id — matched against the id as sent and its resolved base model id (`None` = any).
    pub model_id: Option<String>,
    /// Apply to this many matching requests, then expire (`None` = every matching request).
    pub times: Option<usize>,
    pub fault: Fault,
}

impl FaultRule {
    /// A rule for every request of every operation.
    pub fn always(fault: Fault) -> Self {
        FaultRule {
            operation: None,
            model_id: None,
            times: None,
            fault,
        }
    }

    /// A rule for every request of one operation.
    pub fn for_operation(operation: Operation, fault: Fault) -> Self {
        FaultRule {
            operation: Some(operation),
            model_id: None,
            times: None,
            fault,
        }
    }
}

/// A fault kind.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer with this HTTP status, `x-amzn-errortype` and `{"message"}` body.
    Http {
        status: u16,
        error_type: String,
        message: String,
    },
    /// After `after_events` events, send an exception frame (`:exception-type` = `exception_type`, e.g.
    /// `throttlingException`) and end the stream.
    InStreamException {
        after_events: usize,
        exception_type: String,
        message: String,
    },
    /// Close the connection after this many events (before `messageStop` if the stream is longer).
    DisconnectAfter { events: usize },
    /// After this many events, send a frame whose message CRC is wrong.
    BadCrcAfter { events: usize },
    /// Sleep between events.
    StallBetweenEvents { ms: u64 },
    /// Delay before the response head is sent.
    FirstByteDelay { ms: u64 },
    /// Added latency for the request (any operation).
    Latency { ms: u64 },
    /// Reply with this many text deltas (`w1 w2 …`) — for load tests.
    LongStream { events: usize },
}

impl Fault {
    /// A throttling error as Bedrock sends it (HTTP 429).
    pub fn throttling() -> Self {
        Fault::Http {
            status: 429,
            error_type: "ThrottlingException".into(),
            message: "Too many requests, please wait before trying again.".into(),
        }
    }

    /// Access denied (HTTP 403).
    pub fn access_denied() -> Self {
        Fault::Http {
            status: 403,
            error_type: "AccessDeniedException".into(),
            message: "You don't have access to the model with the specified model ID.".into(),
        }
    }

    /// Internal server error (HTTP 500).
    pub fn internal() -> Self {
        Fault::Http {
            status: 500,
            error_type: "InternalServerException".into(),
            message: "The server encountered an internal error while processing the request."
                .into(),
        }
    }

    /// Service unavailable (HTTP 503).
    pub fn unavailable() -> Self {
        Fault::Http {
            status: 503,
            error_type: "ServiceUnavailableException".into(),
            message: "Bedrock is unable to process your request.".into(),
        }
    }
}

/// State shared between the handle and the server tasks.
pub(crate) struct Shared {
    pub(crate) credentials: Credentials,
    pub(crate) latency: Option<Duration>,
    pub(crate) catalog: Catalog,
    pub(crate) next_id: AtomicU64,
    pub(crate) records: Mutex<Vec<RecordedRequest>>,
    pub(crate) faults: Mutex<Vec<faults::ActiveRule>>,
    pub(crate) replays: Mutex<HashMap<String, Arc<Vec<bytes::Bytes>>>>,
    pub(crate) outcomes: Mutex<HashMap<u64, StreamOutcome>>,
    pub(crate) outcome_cv: Condvar,
    pub(crate) cache_prefixes: Mutex<std::collections::HashSet<[u8; 32]>>,
    pub(crate) started: std::time::Instant,
}

impl Shared {
    pub(crate) fn set_outcome(&self, id: u64, outcome: StreamOutcome) {
        if let Ok(mut map) = self.outcomes.lock() {
            map.entry(id).or_insert(outcome);
        }
        self.outcome_cv.notify_all();
    }
}

/// A running emulator. Dropping it shuts the listener and its runtime thread down.
pub struct Emulator {
    shared: Arc<Shared>,
    base_url: String,
    port: u16,
    ca_path: Option<PathBuf>,
    _tls_dir: Option<tempfile::TempDir>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url)
            .field("ca_path", &self.ca_path)
            .finish()
    }
}

impl Emulator {
    /// Start on 127.0.0.1 (its own thread and tokio runtime); returns once the port is bound.
    pub fn start(options: EmulatorOptions) -> Result<Emulator, EmulatorError> {
        let catalog = match &options.catalog {
            Some(dir) => Catalog::load_dir(dir)?,
            None => Catalog::builtin()?,
        };
        let listener =
            std::net::TcpListener::bind(("127.0.0.1", options.port)).map_err(|source| {
                EmulatorError::Bind {
                    port: options.port,
                    source,
                }
            })?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();

        let (tls_acceptor, tls_dir, ca_path) = if options.tls {
            let generated = tls::generate()?;
            (
                Some(generated.acceptor),
                Some(generated.dir),
                Some(generated.ca_path),
            )
        } else {
            (None, None, None)
        };
        let base_url = if options.tls {
            format!("https://localhost:{port}")
        } else {
            format!("http://127.0.0.1:{port}")
        };

        let shared = Arc::new(Shared {
            credentials: options.credentials.clone(),
            latency: options.latency,
            catalog,
            next_id: AtomicU64::new(1),
            records: Mutex::new(Vec::new()),
            faults: Mutex::new(Vec::new()),
            replays: Mutex::new(HashMap::new()),
            outcomes: Mutex::new(HashMap::new()),
            outcome_cv: Condvar::new(),
            cache_prefixes: Mutex::new(Default::default()),
            started: std::time::Instant::now(),
        });

        let (tx, rx) = tokio::sync::oneshot::channel();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<(), String>>();
        let server_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name(format!("bedrock-emulator-{port}"))
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e.to_string()));
                        return;
                    }
                };
                rt.block_on(async move {
                    let listener = match tokio::net::TcpListener::from_std(listener) {
                        Ok(l) => l,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e.to_string()));
                            return;
                        }
                    };
                    let _ = ready_tx.send(Ok(()));
                    server::serve(listener, tls_acceptor, server_shared, rx).await;
                });
                rt.shutdown_timeout(Duration::from_millis(200));
            })?;
        match ready_rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(EmulatorError::Runtime(e)),
            Err(_) => return Err(EmulatorError::Runtime("server thread exited".into())),
        }
        Ok(Emulator {
            shared,
            base_url,
            port,
            ca_path,
            _tls_dir: tls_dir,
            shutdown: Some(tx),
            thread: Some(thread),
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

    /// Wait up to `timeout` for the outcome of the runtime stream of request `request_id`.
    pub fn wait_for_stream_outcome(
        &self,
        request_id: u64,
        timeout: Duration,
    ) -> Option<StreamOutcome> {
        let deadline = std::time::Instant::now() + timeout;
        let mut map = self.shared.outcomes.lock().ok()?;
        loop {
            if let Some(o) = map.get(&request_id) {
                return Some(o.clone());
            }
            let now = std::time::Instant::now();
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

    /// Outcome of a stream if already known.
    pub fn stream_outcome(&self, request_id: u64) -> Option<StreamOutcome> {
        self.shared
            .outcomes
            .lock()
            .ok()
            .and_then(|m| m.get(&request_id).cloned())
    }

    pub(crate) fn next_request_id(shared: &Shared) -> u64 {
        shared.next_id.fetch_add(1, Ordering::Relaxed)
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
