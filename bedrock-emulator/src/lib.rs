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
//!
//! ## Layout
//! The modules follow the path of a request, so each rule above lives in one place: `server` accepts
//! connections, routes and answers (HTTP pipeline, one function per operation, the streaming body);
//! `auth` checks SigV4 or the API key; `faults` turns rules and the fault header into one plan;
//! `validation` applies Bedrock's request rules and resolves model ids; `control_plane`, `converse`
//! (plan a reply, then render it as a JSON body or an event stream) and `embeddings` produce the answers;
//! `eventstream` writes frames, `replay` serves captures and `record` keeps what was seen. The public
//! handle is `emulator`, its options `config`, the state it shares with the server `shared`, and the
//! error shape every failure takes `error`.

mod auth;
mod catalog;
mod config;
mod control_plane;
mod converse;
mod embeddings;
mod emulator;
mod error;
mod eventstream;
mod faults;
mod record;
mod replay;
mod server;
mod shared;
mod tls;
mod validation;

pub use catalog::Catalog;
pub use config::{
    Credentials, EmulatorOptions, DEFAULT_ACCESS_KEY_ID, DEFAULT_BEARER_TOKEN,
    DEFAULT_SECRET_ACCESS_KEY,
};
pub use emulator::{Emulator, EmulatorError};
pub use eventstream::{decode_frames, encode_event, encode_exception, DecodedFrame};
pub use faults::{Fault, FaultRule};
pub use record::{AuthScheme, Operation, RecordedRequest, StreamOutcome};
