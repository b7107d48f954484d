//! # bedrock-emulator — a local Amazon Bedrock on loopback
//!
//! A server that the **real AWS SDK for Rust** (`aws-sdk-bedrock`, `aws-sdk-bedrockruntime`) talks to
//! unchanged through an endpoint override. It serves the control plane (`ListFoundationModels`,
//! `GetFoundationModel`, `ListInferenceProfiles`, `GetInferenceProfile`) and the runtime (`Converse`,
//! `ConverseStream`, `InvokeModel` for embeddings, `CountTokens`, `ApplyGuardrail`) on one listener, over HTTP/1.1 and
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
//! * Bedrock API key: `Authorization: Bearer` [`DEFAULT_BEARER_TOKEN`] (accepted although it lacks a real
//!   key's prefix: the configured key is exempt from the format check).
//! * Failures (all HTTP 403, `x-amzn-errortype` namespace `…/com.amazon.coral.service/`): no auth →
//!   `MissingAuthenticationTokenException` "Missing Authentication Token"; unknown access key or wrong session
//!   token → `UnrecognizedClientException` "The security token included in the request is invalid."; bad
//!   signature → `InvalidSignatureException` "The request signature we calculated does not match the signature
//!   you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for
//!   details." (these with a `{"message"}` body). Bearer keys, `AccessDeniedException` with a capital
//!   `{"Message"}` body: a key without the `ABSK` / `bedrock-api-key-` prefix → "Invalid API Key format: Must
//!   start with pre-defined prefix"; one listed in `Credentials::expired_bearer_tokens` → "Bearer Token has
//!   expired"; any other wrong key → "Authentication failed: Please make sure your API Key is valid.".
//!
//! ## Access policy (IAM denials)
//! [`EmulatorOptions::policy`] ([`AccessPolicy::deny`]) or [`Emulator::deny`] / [`Emulator::allow`] deny chosen
//! [`Operation`]s to a caller, named by its SigV4 access key id or its bearer token (`"*"` = every caller). A
//! denied request (authenticated, before any validation) gets HTTP 403 `AccessDeniedException`, namespace
//! `…/com.amazon.coral.service/`, body `{"Message": "User: <principal> is not authorized to perform:
//! <action> on resource: <resource> because no identity-based policy allows the <action> action"}`. Principal:
//! `arn:aws:iam::123456789012:user/emulator` (SigV4), `arn:aws:sts::123456789012:assumed-role/emulator/emulator-session`
//! (with a session token), `arn:aws:iam::123456789012:user/BedrockAPIKey-emulator` (bearer). Action:
//! [`iam_action`] (ConverseStream → `bedrock:InvokeModelWithResponseStream`, Converse and InvokeModel →
//! `bedrock:InvokeModel`, CountTokens → `bedrock:CountTokens`, ApplyGuardrail → `bedrock:ApplyGuardrail`, the
//! control-plane operations their own names). Resource: an ARN as sent; a system profile id →
//! `arn:aws:bedrock:<region>:123456789012:inference-profile/<id>`; a model id →
//! `arn:aws:bedrock:<region>::foundation-model/<id>`; a guardrail → `arn:aws:bedrock:<region>:123456789012:guardrail/<id>`
//! (region: the SigV4 scope, `us-east-1` for bearer keys); the list operations name no resource and drop the
//! `on resource: …` clause.
//!
//! ## Deterministic responses (Converse / ConverseStream)
//! Let **T** be the text of the last `user` message (its `text` and `guardContent.text` blocks joined with
//! one space). "Words" are whitespace-separated; one word is one token.
//! * **Plain text**: reply `Hello from the Bedrock emulator. You said: ` + T. ConverseStream sends
//!   `messageStart{role:"assistant"}`, one `contentBlockDelta` per reply word on index 0 (each word followed by
//!   a single space except the last), `contentBlockStop{0}`, `messageStop{stopReason}`, `metadata{usage, metrics}`.
//!   No `contentBlockStart` for text (like Bedrock). Every event payload carries a `p` padding field.
//!   The reply is whitespace-normalised (its words joined by single spaces), so for a T with single spaces
//!   the streamed text equals the greeting + T exactly. With `max_tokens` the last emitted word carries no
//!   trailing space; with `stop_sequence` the cut text is re-split into words by the same rule.
//!   `inputTokens` = words of all system + message text (text and guardContent text blocks, tool-result text, reasoning text),
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
//!   outputTokens = number of input deltas. `inferenceConfig.maxTokens` < input deltas → only the first
//!   `maxTokens` deltas (the JSON is cut off), then `contentBlockStop`, stop reason `max_tokens`.
//! * **Thinking**: for Anthropic Claude models with `additionalModelRequestFields.thinking.type` `enabled` or
//!   `adaptive`, a reasoning block comes first (index 0): one `reasoningContent.text` delta per word of
//!   `Thinking about: ` + T, then one `reasoningContent.signature` delta (`emu-sig-` + 16 hex digits), then
//!   `contentBlockStop{0}`; the text reply follows on index 1. **Redacted** thinking: if T contains the word
//!   `!redacted` or Anthropic's `ANTHROPIC_MAGIC_STRING_TRIGGER_REDACTED_THINKING_…` trigger, the reasoning block
//!   is one `reasoningContent.redactedContent` delta (bytes `emulator-redacted-thinking`) instead.
//! * **ApplyGuardrail**: `source` `INPUT`/`OUTPUT` and `content` (text / image blocks) validated per the service
//!   model; a text with the word `BLOCKED` or `!guardrail` → `action: GUARDRAIL_INTERVENED`, `outputs:
//!   [{text: "Sorry, the model cannot answer this question."}]`, a topic-policy assessment
//!   (`emulator-blocked-topic`, BLOCKED); else `action: NONE`, `outputs: []`. Known guardrails: `abc123`, `gr1`,
//!   [`EmulatorOptions::guardrails`] and [`Emulator::add_guardrail`] (id or guardrail ARN, any version `DRAFT` /
//!   `1`…); others → 404 `ResourceNotFoundException` "The guardrail identifier or version provided in the request
//!   does not exist." (L).
//! * **Guardrail**: when `guardrailConfig` is set and T contains the word `BLOCKED` (or `!guardrail`), the reply
//!   is `Sorry, the model cannot answer this question.`, stop reason `guardrail_intervened`, and with
//!   `trace` `enabled`/`enabled_full` the metadata (or Converse response) carries `trace.guardrail`
//!   with an `inputAssessment` for the guardrail id (topic policy `emulator-blocked-topic`, action BLOCKED).
//!   With the word `!mask` instead, the guardrail anonymizes: the greeting + T with every e-mail address
//!   (a word `local@domain.tld`) replaced by `{EMAIL}`, stop reason `guardrail_intervened`, and with tracing
//!   an `outputAssessments` entry whose only actions are `ANONYMIZED` (sensitive-information policy, type
//!   `EMAIL`).
//! * **Prompt caching**: every `cachePoint` (in `toolConfig.tools`, `system`, message content, taken in that
//!   order) closes a prefix: the blocks before it, counted in words (tool specs count 0). Prefixes are cached
//!   per (resolved base model, caller = access key id or bearer token) for the point's TTL (5 min, or 1 h with
//!   `ttl: "1h"`), refreshed on every hit, at most 10,000 entries. A request reads the longest prefix still
//!   cached (`cacheReadInputTokens` = its words, 0 if none), writes from there to its last point
//!   (`cacheWriteInputTokens`), and `inputTokens` is the uncached rest after the last point; `totalTokens` adds
//!   all four; `cacheDetails` lists the writes by TTL (`1h` before `5m`; the words between two points take the
//!   TTL of the point closing them; empty without writes). The cache clock is the emulator's uptime plus
//!   [`Emulator::advance_prompt_cache_clock`].
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
//! * **Service tier**: `serviceTier` is echoed in the response / metadata event. `performanceConfig` too,
//!   except that `optimized` on a model without latency-optimized inference (all but Claude 3.5 Haiku,
//!   Llama 3.1 70B / 405B and Nova Pro) is served and echoed as `{"latency": "standard"}` with HTTP 200.
//! * **Structured output**: `outputConfig.textFormat` of type `json_schema` makes the answer a JSON document
//!   built from the schema string (object properties in order; `"emulator"`, `1`, `true`, one array item, an
//!   enum's first value), streamed in 16-character deltas.
//! * **Citations**: a `document` with `citations.enabled` in the last user turn makes the text answer cite its
//!   first 20 characters (`documentChar`), streamed as `delta.citation` after the text (Converse:
//!   `citationsContent`); the word `!web-citation` adds a `web` citation.
//! * Extra usage fields: streamed metadata usage also carries `serverToolUsage: {}` like real streams.
//!
//! ## Validation (ValidationException, HTTP 400, Bedrock wording)
//! Texts follow ../shared/oracle/real-error-messages.md; where it has no evidence (L) the code says so.
//! Model errors use the `…/com.amazon.bedrock/` namespace and a `{"message"}` body.
//! unknown model → `The provided model identifier is invalid.`; base id of a profile-only model →
//! `Invocation of model ID <id> with on-demand throughput isn’t supported. Retry your request with the ID or ARN
//! of an inference profile that contains this model.` (curly U+2019 apostrophe); INACTIVE model → 404 `ResourceNotFoundException`
//! `This model version has reached the end of its life. Please refer to the AWS documentation for more details.`;
//! embedding/image model on Converse → `This action doesn't support the model that you provided. Try again with a
//! supported text or chat model.`; streaming on a model with `responseStreamingSupported: false` →
//! `The model is unsupported for streaming.`; `temperature` on Claude Opus 4.7+ / Claude 5 →
//! ``The model returned the following errors: `temperature` is deprecated for this model.``;
//! `temperature` + `topP` on Claude Haiku 4.5 / Sonnet 4.5 / Sonnet 4.6 / Opus 4.5 / Opus 4.6 →
//! ``The model returned the following errors: `temperature` and `top_p` cannot both be specified for this model. Please use only one.``;
//! `maxTokens` above a Claude model's output limit (Anthropic's published limits: 128000 for Opus 4.6+ /
//! Sonnet 4.6 / Claude 5, 64000 for Sonnet 4 / 4.5, Haiku 4.5, Opus 4.5, 3.7 Sonnet, 32000 for Opus 4 /
//! 4.1, 8192 for 3.5, 4096 for Claude 3) → `The model returned the following errors: max_tokens: <n> >
//! <limit>, which is the maximum allowed number of output tokens for <name>` (`<name>` the id without
//! `anthropic.` and `-v1:0`);
//! `guardrailConfig.streamProcessingMode` on Converse → `1 validation error
//! detected: Value at 'guardrailConfig.streamProcessingMode' failed to satisfy constraint: Member is not
//! supported for the Converse operation`; a tier the model does not support → `The provided service tier is not
//! supported for this model.` (tiers: `default` for every model; `priority` and `flex` for Amazon Nova and Anthropic Claude 4.x
//! (not Claude 5); `reserved` never); reasoning content in a user message → `User messages cannot contain
//! reasoning content. Please remove the reasoning content and try again.`; malformed JSON → `Malformed input
//! request, please reformat your input and try again.`; missing/mistyped fields → `1 validation error detected:
//! Value null at '<path>' failed to satisfy constraint: Member must not be null` (e.g. `messages.1.member.role`).
//! History rules (PLG-110, `validation/converse.rs`): tool names and tool-use ids outside the service
//! model's patterns → `1 validation error detected: Value '<v>' at '<path>' failed to satisfy constraint: …`;
//! a first message not the user's, roles not alternating, an empty text block (`… is blank. …`), tool blocks
//! without `toolConfig`, more results than the previous turn's toolUse blocks, a toolUse without its result in
//! the next message (`Expected toolResult blocks at messages.<i>.content for the following Ids: <ids>`), a
//! document name outside MSG-12's characters, and for Claude repeated toolUse ids and an image over 5 MiB of
//! base64, each with the text users report.
//!
//! Cache points, in this order: on a model without prompt caching (the one table in `validation/model_rules.rs`:
//! Claude 3.5 Haiku, 3.7 Sonnet, every Claude 4.x / 5; Nova Micro, Lite, Pro, Premier, Nova 2 Lite) → HTTP 403
//! `AccessDeniedException` `You invoked an unsupported model or your request did not allow prompt caching. See
//! the documentation for more information.`; any `ttl` on a non-Anthropic model → `Extended TTL prompt caching is
//! only supported for Anthropic models`; a Nova tool cache point → `Malformed input request:
//! #/toolConfig/tools/<i>: extraneous key [cachePoint] is not permitted, please reformat your input and try
//! again.`; a point at index 0 of a message or of the system list → `There is nothing available to cache. Please
//! remove the invalid cache point and try again.`; right after a reasoning block → `Cache point cannot be
//! inserted after reasoning block. Please remove the invalid cache point and try again.`; right after a non-PDF
//! document → `The model returned the following errors: messages.<i>.content.<j>.type: Field required`; a `1h`
//! point after a 5-minute one (order tools → system → messages) → `The model returned the following errors: a
//! ttl='1h' cache_control block must not come after a ttl='5m' cache_control block. Note that blocks are
//! processed in the following order: `tools`, `system`, `messages`.` (L); more than 4 points → `The model
//! returned the following errors: A maximum of 4 blocks with cache_control may be provided. Found <n>.`
//!
//! Application inference profiles (by ARN, any account; the built-in `mi1dadi0g15f` is backed by Claude Sonnet
//! 4.6) are served, and judged, by their backing model for Converse, ConverseStream and CountTokens.
//!
//! ## Faults
//! Programmatic: [`Emulator::add_fault`] with a [`FaultRule`] (filter by [`Operation`], model id as sent or its
//! resolved base id, and a use count). Per request: header `x-emulator-fault`, `;`-separated items:
//! `http=STATUS[:ErrorType[:message]]`, `throttle` (= `http=429`, `Too many requests, please wait before trying
//! again.`), `throttle=tokens` (`Too many tokens, please wait before trying again.`), `throttle=requests-long`
//! (`… You have sent too many requests.  Wait before trying again.`, two spaces), `throttle=daily` (`Too many
//! tokens per day, please wait before trying again.`), `not-ready` (429 `ModelNotReadyException` `Model is not
//! ready for inference. Wait and try your request again.`), `exception=N:type[:message]` (in-stream
//! exception frame after N events, e.g. `exception=3:throttlingException`), `disconnect=N`, `bad-crc=N`,
//! `stall=MS`, `first-byte=MS`, `latency=MS`, `long=N` (stream of N text deltas), and malformed wire data
//! (PLG-57): `bad-prelude-crc=N`, `truncate=N`, `oversized=N` (a frame after N events with a bad prelude CRC, cut in half,
//! or announcing more than 16 MiB), `html` (HTTP 200 with an HTML page), `reset-before-headers`, `reset-after-headers`. Default error types per
//! status: 400 ValidationException, 403 AccessDeniedException, 404 ResourceNotFoundException, 408
//! ModelTimeoutException, 424 ModelErrorException, 429 ThrottlingException, 500 InternalServerException, 503
//! ServiceUnavailableException. The same faults as constructors: [`Fault::throttling`],
//! [`Fault::throttling_tokens`], [`Fault::throttling_requests_long`], [`Fault::daily_tokens`],
//! [`Fault::model_not_ready`], [`Fault::unavailable`] (`Bedrock is unable to process your request.`),
//! [`Fault::too_many_connections`].
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
//! `auth` checks SigV4 or the API key; `policy` answers IAM denials; `faults` turns rules and the fault
//! header into one plan;
//! `validation` applies Bedrock's request rules (cache points in `validation/cache.rs`) and resolves model ids;
//! `control_plane`, `converse` (plan a reply, then render it as a JSON body or an event stream),
//! `apply_guardrail` and `embeddings` produce the answers; `prompt_cache` keeps the cached prefixes;
//! `eventstream` writes frames, `replay` serves captures and `record` keeps what was seen. The public
//! handle is `emulator`, its options `config`, the state it shares with the server `shared`, and the
//! error shape every failure takes `error`.

mod apply_guardrail;
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
mod policy;
mod prompt_cache;
mod record;
mod replay;
mod server;
mod shared;
mod tls;
mod validation;

pub use catalog::account::{AccountList, ModelAccess, AGREEMENT_MODEL};
pub use catalog::Catalog;
pub use config::{
    Credentials, EmulatorOptions, DEFAULT_ACCESS_KEY_ID, DEFAULT_BEARER_TOKEN,
    DEFAULT_SECRET_ACCESS_KEY,
};
pub use emulator::{Emulator, EmulatorError};
pub use eventstream::{decode_frames, encode_event, encode_exception, DecodedFrame};
pub use faults::{Fault, FaultRule, FrameDamage, MAX_FRAME_BYTES};
pub use policy::{iam_action, AccessPolicy};
pub use record::{AuthScheme, Operation, RecordedRequest, StreamOutcome};
