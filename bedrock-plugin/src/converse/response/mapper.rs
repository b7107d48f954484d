//! Bedrock ConverseStream output → host stream events (EVT-01…EVT-33, USE-01/02, BR-40,
//! GRD-04/06).
//!
//! [`StreamMapper`] is a synchronous state machine: the caller reads the SDK's event receiver
//! and feeds every event, the clean end, or the failure into it, and forwards whatever host
//! events it pushes. Keeping I/O, timers and retries out of it makes every spec rule testable
//! with plain SDK values, and lets the caller own the keep-alive and stall timers.

use std::collections::BTreeMap;
use std::time::Instant;

use aws_sdk_bedrockruntime::types::{
    ContentBlockDelta, ContentBlockDeltaEvent, ContentBlockStart, ContentBlockStartEvent,
    ConversationRole, ConverseStreamMetadataEvent, ConverseStreamOutput, MessageStopEvent,
    ReasoningContentBlockDelta, ToolUseType,
};
use aws_smithy_types::Document;
use base64::Engine as _;
use plugin_api::abi_stable::std_types::{RBox, ROption, RString, RVec};
use plugin_api::error::{Diagnostic, ErrorKind, PluginError};
use plugin_api::event::{
    ResponseSummary, StopReason, StopReason_NE, StreamEvent, StreamEvent_NE, StreamFailure, Usage,
};
use plugin_api::ext::{keys, ExtValue};
use plugin_api::model::ModelCost;
use serde_json::{json, Value};

use crate::converse::request::{performance, ConverseInput};
use crate::converse::response::citations::Citations;
use crate::converse::response::guardrail_trace;
use crate::converse::response::usage::usage_from_sdk;
use crate::error::{add_transport_diagnostic, UNKNOWN_ERROR_MESSAGE};

/// EVT-30: the stream closed cleanly but the message never finished.
pub const ENDED_BEFORE_MESSAGE_STOP: &str = "Bedrock stream ended before messageStop";
/// EVT-10 refusal diagnostic kind.
pub const REFUSAL_DIAGNOSTIC: &str = "provider_refusal";
/// GRD-04 diagnostic kind for the metadata event's guardrail trace.
pub const GUARDRAIL_TRACE_DIAGNOSTIC: &str = "guardrail_trace";
/// ERR-10: `model_context_window_exceeded` before any output is a context overflow; the stream
/// still ends `length` (EVT-10), so the verdict travels as a diagnostic on the summary.
pub const CONTEXT_OVERFLOW_DIAGNOSTIC: &str = "context_overflow";
/// GRD-06 diagnostic kind (PLG-52): the guardrail only masked (anonymized) content, so the answer is
/// delivered as a normal one.
pub const GUARDRAIL_MASKED_DIAGNOSTIC: &str = "guardrail_masked";
/// The diagnostic kind of a warning the final message carries for the user (EVT-33, PLG-52);
/// details `{"provider", "message"}`, the message being the normative text.
pub const WARNING_DIAGNOSTIC: &str = "warning";
/// The provider name in diagnostics.
const PROVIDER: &str = "amazon-bedrock";

/// What the mapper needs to know about the call it maps.
#[derive(Debug, Clone, PartialEq)]
pub struct MapperConfig {
    /// The model id the host asked for; it names the response (`Start.model`, summary).
    pub model_id: String,
    /// Prices for USE-02.
    pub cost: ModelCost,
    /// EVT-20: hold every event back until `messageStop` (Claude Fable 5, Mythos 5, Opus 5,
    /// Sonnet 5), so a refusal never shows partial content.
    pub refusal_buffered: bool,
    /// The `maxTokens` the request was sent with (the model's limit when it was omitted), named
    /// in the EVT-33 warning about a tool call the output limit cut off.
    pub max_tokens: u64,
    /// REQ-02: `(requestMaxTokens, model.maxTokens)` when this send's `maxTokens` is
    /// `requestMaxTokens` cutting the model's limit; a `max_tokens` stop then warns.
    pub request_max_tokens_cap: Option<(u64, u64)>,
    /// PLG-24: warnings the final message carries whatever the answer (options not honoured).
    pub notices: Vec<String>,
    /// BR-90..BR-92: what the request asked of the Converse surface, compared with the answer.
    pub surface: SurfaceRequest,
    /// PLG-91: the size caps on one delta and on one tool call's arguments.
    pub limits: StreamLimits,
}

/// PLG-91: `limits.maxDeltaBytes` and `limits.maxToolArgumentBytes` as the mapper applies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamLimits {
    pub max_delta_bytes: usize,
    pub max_tool_argument_bytes: usize,
}

impl Default for StreamLimits {
    fn default() -> Self {
        let config = crate::config::PluginConfig::default();
        StreamLimits {
            max_delta_bytes: config.max_delta_bytes(),
            max_tool_argument_bytes: config.max_tool_argument_bytes(),
        }
    }
}

/// The bytes a delta carries (what PLG-91's `limits.maxDeltaBytes` caps).
fn delta_bytes(delta: &ContentBlockDelta) -> usize {
    match delta {
        ContentBlockDelta::Text(text) => text.len(),
        ContentBlockDelta::ToolUse(tool) => tool.input.len(),
        ContentBlockDelta::ReasoningContent(ReasoningContentBlockDelta::Text(text))
        | ContentBlockDelta::ReasoningContent(ReasoningContentBlockDelta::Signature(text)) => {
            text.len()
        }
        ContentBlockDelta::ReasoningContent(ReasoningContentBlockDelta::RedactedContent(bytes)) => {
            bytes.as_ref().len()
        }
        _ => 0,
    }
}

/// The terminal error of a PLG-91 limit hit.
fn limit_error(what: String, key: &'static str, limit: usize) -> PluginError {
    crate::error::BedrockError::LimitExceeded {
        what,
        key,
        limit: u64::try_from(limit).unwrap_or(u64::MAX),
        kind: ErrorKind::Service,
        retryable: false,
    }
    .into()
}

/// What a request asked of Converse's optional features, which the answer is judged against:
/// the served latency is reported with a notice only when it differs from the one asked for
/// (BR-90), the text is marked structured only when a format was asked for (BR-91), and block
/// texts are kept for citations only when a document enabled them (BR-92).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SurfaceRequest {
    /// The latency sent (`standard` / `optimized`), if any.
    pub latency: Option<String>,
    /// The region the request went to, named in the BR-90 notice.
    pub region: String,
    /// An `outputConfig.textFormat` was sent.
    pub structured: bool,
    /// A document was sent with `citations.enabled`.
    pub citations: bool,
}

impl SurfaceRequest {
    /// The expectations of `input`, sent to `region`.
    pub fn of(input: &ConverseInput, region: &str) -> Self {
        Self {
            latency: performance::requested_latency(input),
            region: region.to_owned(),
            structured: input.output_config.is_some(),
            citations: crate::converse::request::media::citations_enabled(&input.messages),
        }
    }
}

/// One open content block, keyed by `contentBlockIndex` (EVT-02).
#[derive(Debug)]
enum Block {
    Text,
    Thinking {
        signature: String,
        redacted: Vec<u8>,
    },
    Tool {
        id: String,
        name: String,
        /// The raw argument JSON as received; parsed once at the block's end (EVT-04).
        arguments: String,
    },
    /// A block the host never sees (server tool use, tool results, images): its deltas and stop
    /// must be swallowed too, so the index is remembered.
    Skipped,
}

/// A tool block that was closed with arguments that are not a complete JSON object: its
/// `toolcall_end` waits for the stop reason, because under `max_tokens` it was cut off (EVT-33,
/// PLG-55).
#[derive(Debug)]
struct UnfinishedTool {
    index: u32,
    id: String,
    name: String,
    arguments: String,
}

/// How the message ended, as decided at `messageStop` (EVT-10).
#[derive(Debug)]
enum Outcome {
    Finished(StopReason),
    Failed(PluginError),
    /// `guardrail_intervened`: an error unless the trace (in the metadata after `messageStop`)
    /// shows the guardrail only masked content (GRD-06), so the verdict waits for the end.
    GuardrailIntervened,
}

/// Maps one ConverseStream response to host events. See the module docs.
#[derive(Debug)]
pub struct StreamMapper {
    config: MapperConfig,
    request_id: Option<String>,
    resolved_model_id: Option<String>,
    created: Instant,
    /// `Start` was produced (possibly into the EVT-20 buffer).
    started: bool,
    /// Any Bedrock event arrived (ERR-02 needs "before any stream event").
    saw_event: bool,
    /// A host event other than `Start` reached the caller (not merely the buffer).
    emitted_output: bool,
    /// Any content block was produced (ERR-10's "no output").
    produced_content: bool,
    /// A host tool call was started (EVT-10: `end_turn` after tool calls means `toolUse`).
    tool_calls: usize,
    blocks: BTreeMap<i32, Block>,
    /// EVT-33: closed tool blocks whose arguments are incomplete, until `messageStop`.
    unfinished_tools: Vec<UnfinishedTool>,
    /// GRD-06: what the guardrail traces of this response did.
    guardrail_actions: guardrail_trace::Actions,
    /// A `metadata` event carried usage (its `usage` event may wait for GRD-06's verdict).
    saw_usage: bool,
    /// Which send of the request this response answers (BR-41's attempt count).
    attempt: u32,
    buffering: bool,
    buffer: Vec<StreamEvent_NE>,
    outcome: Option<Outcome>,
    provider_stop_reason: Option<String>,
    usage: Usage,
    latency_ms: Option<u64>,
    time_to_first_token_ms: Option<u64>,
    service_tier: Option<String>,
    /// BR-90: `metadata.performanceConfig.latency`, when echoed.
    served_latency: Option<String>,
    /// BR-92.
    citations: Citations,
    diagnostics: Vec<Diagnostic>,
    finished: bool,
}

impl StreamMapper {
    /// Creates the mapper for one send. Create it when the request is sent: time to first
    /// token (BR-40) is measured from here.
    pub fn new(config: MapperConfig) -> Self {
        let buffering = config.refusal_buffered;
        let citations = Citations::new(config.surface.citations);
        Self {
            config,
            request_id: None,
            resolved_model_id: None,
            created: Instant::now(),
            started: false,
            saw_event: false,
            emitted_output: false,
            produced_content: false,
            tool_calls: 0,
            blocks: BTreeMap::new(),
            unfinished_tools: Vec::new(),
            guardrail_actions: guardrail_trace::Actions::default(),
            saw_usage: false,
            attempt: 1,
            buffering,
            buffer: Vec::new(),
            outcome: None,
            provider_stop_reason: None,
            usage: Usage::default(),
            latency_ms: None,
            time_to_first_token_ms: None,
            service_tier: None,
            served_latency: None,
            citations,
            diagnostics: Vec::new(),
            finished: false,
        }
    }

    /// Records the HTTP request id (x-amzn-requestid) once the response headers arrived.
    pub fn set_request_id(&mut self, id: Option<String>) {
        self.request_id = id.filter(|id| !id.is_empty());
    }

    /// Records the model id actually sent when the plugin substituted one (BR-03).
    pub fn set_resolved_model_id(&mut self, id: Option<String>) {
        self.resolved_model_id = id;
    }

    /// The number of the send this mapper reads (1 for the first), for BR-41's debug log.
    pub fn set_attempt(&mut self, attempt: u32) {
        self.attempt = attempt;
    }

    /// The request id recorded by [`Self::set_request_id`], for BR-40 error suffixes.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// Any host event other than `Start` reached the caller (BR-10/BR-12: no retry after
    /// output). Events still held in the EVT-20 buffer do not count: they are discarded on
    /// failure, so the host saw nothing.
    pub fn has_emitted_output(&self) -> bool {
        self.emitted_output
    }

    /// A terminal event (`Done` or `Error`) was emitted; further input is ignored.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// EVT-20: events are being held back, so the caller must send keep-alives.
    pub fn is_buffering(&self) -> bool {
        self.buffering && !self.finished
    }

    /// Maps one SDK stream event, pushing zero or more host events.
    pub fn on_event(&mut self, event: ConverseStreamOutput, out: &mut Vec<StreamEvent_NE>) {
        if self.finished {
            return;
        }
        self.saw_event = true;
        match event {
            ConverseStreamOutput::MessageStart(start) => {
                if *start.role() == ConversationRole::Assistant {
                    self.ensure_started(out);
                } else {
                    let error = PluginError::new(
                        ErrorKind::Service,
                        format!(
                            "Unexpected assistant message start but got {} message start instead",
                            start.role().as_str()
                        ),
                    );
                    self.fail(error, StopReason::Error, out);
                }
            }
            // After a refused or failed messageStop, late content must stay hidden (EVT-20).
            ConverseStreamOutput::ContentBlockStart(_)
            | ConverseStreamOutput::ContentBlockDelta(_)
                if matches!(
                    self.outcome,
                    Some(Outcome::Failed(_) | Outcome::GuardrailIntervened)
                ) =>
            {
                tracing::debug!("ignoring content after a failed messageStop");
            }
            ConverseStreamOutput::ContentBlockStart(start) => self.on_block_start(start, out),
            ConverseStreamOutput::ContentBlockDelta(delta) => self.on_block_delta(delta, out),
            ConverseStreamOutput::ContentBlockStop(stop) => {
                self.close_block(stop.content_block_index(), out);
            }
            ConverseStreamOutput::MessageStop(stop) => self.on_message_stop(&stop, out),
            ConverseStreamOutput::Metadata(metadata) => self.on_metadata(&metadata, out),
            other => tracing::debug!(?other, "ignoring unknown ConverseStream event"),
        }
    }

    /// The stream ended cleanly (recv() returned Ok(None)): finalise open blocks (EVT-03),
    /// emit `Done`, or the EVT-30 error if no `messageStop` came.
    pub fn on_end(&mut self, out: &mut Vec<StreamEvent_NE>) {
        if self.finished {
            return;
        }
        match self.outcome.take() {
            None => {
                let error = PluginError::new(ErrorKind::Service, ENDED_BEFORE_MESSAGE_STOP);
                self.fail(error, StopReason::Error, out);
            }
            Some(Outcome::Failed(error)) => self.fail(error, StopReason::Error, out),
            Some(Outcome::GuardrailIntervened) if self.guardrail_actions.masked_only() => {
                // GRD-06: masked is not blocked; the answer is delivered as it came.
                self.diagnostics.push(Diagnostic {
                    kind: GUARDRAIL_MASKED_DIAGNOSTIC.into(),
                    details_json:
                        json!({"provider": PROVIDER, "stopReason": "guardrail_intervened"})
                            .to_string()
                            .into(),
                });
                self.finish_content(false, out);
                if self.saw_usage {
                    self.emit(StreamEvent::Usage(self.usage), out);
                }
                self.done(StopReason::Stop, out);
            }
            Some(Outcome::GuardrailIntervened) => {
                let error = PluginError::new(ErrorKind::Service, "guardrail_intervened");
                self.fail(error, StopReason::Error, out);
            }
            Some(Outcome::Finished(reason)) => {
                self.finish_content(false, out);
                self.done(reason, out);
            }
        }
    }

    /// The terminal `Done`; the content was finished by [`Self::finish_content`].
    fn done(&mut self, reason: StopReason, out: &mut Vec<StreamEvent_NE>) {
        let summary = self.summary(reason);
        // BR-41: what the response was, never what it said.
        tracing::debug!(
            model = %summary.model,
            resolved_model = summary.resolved_model_id.as_ref().into_option().map_or("", |id| id.as_str()),
            request_id = summary.request_id.as_ref().into_option().map_or("", |id| id.as_str()),
            stop_reason = reason.as_str(),
            attempt = self.attempt,
            provider_stop_reason = self.provider_stop_reason.as_deref().unwrap_or(""),
            input_tokens = summary.usage.input,
            output_tokens = summary.usage.output,
            cache_read_tokens = summary.usage.cache_read,
            cache_write_tokens = summary.usage.cache_write,
            "ConverseStream response"
        );
        self.finished = true;
        out.push(StreamEvent_NE::new(StreamEvent::Done(RBox::new(summary))));
    }

    /// The message finished: every block still open gets its `*_end` (EVT-03) and the held
    /// back events are released (EVT-20) — except tool calls the output limit cut off
    /// (`cut_by_limit`), which get none and leave a warning instead (EVT-33).
    fn finish_content(&mut self, cut_by_limit: bool, out: &mut Vec<StreamEvent_NE>) {
        self.ensure_started(out);
        let unfinished = std::mem::take(&mut self.unfinished_tools);
        if cut_by_limit {
            let open_tools: Vec<i32> = self
                .blocks
                .iter()
                .filter(|(_, block)| matches!(block, Block::Tool { .. }))
                .map(|(key, _)| *key)
                .collect();
            let mut cut: Vec<(u32, String)> = unfinished
                .into_iter()
                .map(|tool| (tool.index, tool.name))
                .collect();
            for key in open_tools {
                if let (Some(Block::Tool { name, .. }), Some(index)) =
                    (self.blocks.remove(&key), host_index(key))
                {
                    cut.push((index, name));
                }
            }
            cut.sort_by_key(|(index, _)| *index);
            for (_, name) in cut {
                let message = format!(
                    "tool call {name} was cut off at maxTokens {}; its arguments are incomplete",
                    self.config.max_tokens
                );
                self.warn(message);
            }
        } else {
            // Not cut off: the incomplete arguments are malformed, replayed as `{}` (EVT-04).
            for tool in unfinished {
                let event = StreamEvent::ToolCallEnd {
                    index: tool.index,
                    id: tool.id.into(),
                    name: tool.name.into(),
                    arguments_json: final_arguments(&tool.arguments).into(),
                };
                self.emit(event, out);
            }
        }
        self.close_all_blocks(out);
        self.flush_buffer(out);
    }

    /// Adds a warning for the user to the final message (kind [`WARNING_DIAGNOSTIC`]), once per
    /// distinct text.
    pub fn warn(&mut self, message: String) {
        let details = json!({"provider": PROVIDER, "message": message}).to_string();
        let known = self.diagnostics.iter().any(|diagnostic| {
            diagnostic.kind.as_str() == WARNING_DIAGNOSTIC
                && diagnostic.details_json.as_str() == details
        });
        if !known {
            self.diagnostics.push(Diagnostic {
                kind: WARNING_DIAGNOSTIC.into(),
                details_json: details.into(),
            });
        }
    }

    /// A terminal failure (in-stream exception, transport error, stall, cancellation): exactly
    /// one `Error` event, no `*_end` for open blocks (EVT-32); buffered events are discarded
    /// (EVT-20).
    pub fn on_failure(
        &mut self,
        error: PluginError,
        stop_reason: StopReason,
        out: &mut Vec<StreamEvent_NE>,
    ) {
        if self.finished {
            return;
        }
        let error = if !self.saw_event && error.kind() == Some(ErrorKind::Network) {
            add_transport_diagnostic(error)
        } else {
            error
        };
        self.fail(error, stop_reason, out);
    }

    fn fail(
        &mut self,
        mut error: PluginError,
        stop_reason: StopReason,
        out: &mut Vec<StreamEvent_NE>,
    ) {
        if error.message.trim().is_empty() {
            error.message = RString::from(UNKNOWN_ERROR_MESSAGE);
        }
        if self.emitted_output {
            // BR-12: output reached the host, so sending the request again is not allowed.
            error.retryable = false;
        }
        self.buffer.clear();
        self.blocks.clear();
        self.unfinished_tools.clear();
        self.buffering = false;
        self.finished = true;
        let summary = self.summary(stop_reason);
        out.push(StreamEvent_NE::new(StreamEvent::Error(RBox::new(
            StreamFailure { error, summary },
        ))));
    }

    fn summary(&self, stop_reason: StopReason) -> ResponseSummary {
        let mut summary = ResponseSummary::new(&self.config.model_id);
        summary.resolved_model_id = opt(self.resolved_model_id.clone());
        summary.stop_reason = StopReason_NE::new(stop_reason);
        summary.provider_stop_reason = opt(self.provider_stop_reason.clone());
        summary.usage = self.usage;
        summary.request_id = opt(self.request_id.clone());
        summary.latency_ms = self.latency_ms.into();
        summary.time_to_first_token_ms = self.time_to_first_token_ms.into();
        summary.service_tier = opt(self.service_tier.clone());
        summary.diagnostics = RVec::from(self.diagnostics.clone());
        if let Some(latency) = &self.served_latency {
            summary.extensions.set(
                keys::RESPONSE_PERFORMANCE,
                ExtValue::Text(latency.as_str().into()),
            );
        }
        if self.config.surface.structured {
            summary
                .extensions
                .set(keys::RESPONSE_STRUCTURED, ExtValue::Bool(true));
        }
        if self.saw_usage {
            let context = crate::converse::response::usage::context_usage(&self.usage);
            summary.extensions.set(
                keys::RESPONSE_CONTEXT_USAGE,
                ExtValue::Json(context.to_string().into()),
            );
        }
        if let Some(citations) = self.citations.to_json() {
            summary
                .extensions
                .set(keys::RESPONSE_CITATIONS, ExtValue::Json(citations.into()));
        }
        summary
    }

    /// Routes an event to the EVT-20 buffer or the caller.
    fn emit(&mut self, event: StreamEvent, out: &mut Vec<StreamEvent_NE>) {
        if self.buffering {
            self.buffer.push(StreamEvent_NE::new(event));
        } else {
            if !matches!(event, StreamEvent::Start { .. }) {
                self.emitted_output = true;
            }
            out.push(StreamEvent_NE::new(event));
        }
    }

    fn flush_buffer(&mut self, out: &mut Vec<StreamEvent_NE>) {
        self.buffering = false;
        if self.buffer.is_empty() {
            return;
        }
        self.emitted_output |= self
            .buffer
            .iter()
            .any(|event| !matches!(event.as_enum(), Ok(StreamEvent::Start { .. })));
        out.append(&mut self.buffer);
    }

    /// `Start` comes first even when Bedrock skipped `messageStart`, so hosts can rely on it.
    fn ensure_started(&mut self, out: &mut Vec<StreamEvent_NE>) {
        if self.started {
            return;
        }
        self.started = true;
        let event = StreamEvent::Start {
            model: self.config.model_id.as_str().into(),
            request_id: opt(self.request_id.clone()),
        };
        self.emit(event, out);
    }

    fn mark_first_token(&mut self) {
        if self.time_to_first_token_ms.is_none() {
            let elapsed = self.created.elapsed().as_millis();
            self.time_to_first_token_ms = Some(u64::try_from(elapsed).unwrap_or(u64::MAX));
        }
    }

    fn on_block_start(&mut self, start: ContentBlockStartEvent, out: &mut Vec<StreamEvent_NE>) {
        let key = start.content_block_index();
        let Some(index) = host_index(key) else {
            return;
        };
        if self.blocks.contains_key(&key) {
            tracing::debug!(key, "ignoring a second contentBlockStart for an open block");
            return;
        }
        match start.start {
            Some(ContentBlockStart::ToolUse(tool))
                if !matches!(tool.r#type(), Some(ToolUseType::ServerToolUse)) =>
            {
                self.ensure_started(out);
                self.produced_content = true;
                self.tool_calls += 1;
                let event = StreamEvent::ToolCallStart {
                    index,
                    id: tool.tool_use_id().into(),
                    name: tool.name().into(),
                };
                self.blocks.insert(
                    key,
                    Block::Tool {
                        id: tool.tool_use_id.clone(),
                        name: tool.name.clone(),
                        arguments: String::new(),
                    },
                );
                self.emit(event, out);
            }
            // An empty `start` (`{}`) names no kind: the block opens with its first delta,
            // like a text block that came without a start (PLG-56).
            None => tracing::debug!(key, "contentBlockStart without a kind"),
            other => {
                // EVT-01: server tools, their results and images are Bedrock's business.
                tracing::debug!(
                    ?other,
                    key,
                    "skipping a content block the host does not see"
                );
                self.blocks.insert(key, Block::Skipped);
            }
        }
    }

    fn on_block_delta(&mut self, event: ContentBlockDeltaEvent, out: &mut Vec<StreamEvent_NE>) {
        let key = event.content_block_index();
        let Some(index) = host_index(key) else {
            return;
        };
        let Some(delta) = event.delta else {
            return;
        };
        let limits = self.config.limits;
        let size = delta_bytes(&delta);
        if size > limits.max_delta_bytes {
            let what = format!("a streamed delta of {size} bytes");
            let error = limit_error(what, "limits.maxDeltaBytes", limits.max_delta_bytes);
            self.fail(error, StopReason::Error, out);
            return;
        }
        match delta {
            ContentBlockDelta::Text(text) => {
                if !self.open_block(key, index, BlockKindHint::Text, out) {
                    return;
                }
                if !text.is_empty() {
                    self.citations.on_text(key, &text);
                    self.mark_first_token();
                    self.emit(
                        StreamEvent::TextDelta {
                            index,
                            delta: text.into(),
                        },
                        out,
                    );
                }
            }
            ContentBlockDelta::ReasoningContent(reasoning) => {
                if !self.open_block(key, index, BlockKindHint::Thinking, out) {
                    return;
                }
                self.on_reasoning_delta(key, index, reasoning, out);
            }
            ContentBlockDelta::ToolUse(tool) => {
                let fragment = tool.input;
                match self.blocks.get_mut(&key) {
                    Some(Block::Tool {
                        arguments, name, ..
                    }) if arguments.len() + fragment.len() > limits.max_tool_argument_bytes => {
                        let what = format!(
                            "the arguments of tool call {name} ({} bytes so far)",
                            arguments.len() + fragment.len()
                        );
                        let limit = limits.max_tool_argument_bytes;
                        let error = limit_error(what, "limits.maxToolArgumentBytes", limit);
                        self.fail(error, StopReason::Error, out);
                        return;
                    }
                    Some(Block::Tool { arguments, .. }) => arguments.push_str(&fragment),
                    Some(Block::Skipped) => return,
                    _ => {
                        tracing::debug!(key, "ignoring toolUse delta without a tool block");
                        return;
                    }
                }
                if !fragment.is_empty() {
                    self.mark_first_token();
                    self.emit(
                        StreamEvent::ToolCallDelta {
                            index,
                            fragment: fragment.into(),
                        },
                        out,
                    );
                }
            }
            ContentBlockDelta::Citation(citation) => {
                // BR-92: kept in order with the block it cites (a skipped block cites nothing
                // the host sees).
                if !matches!(self.blocks.get(&key), Some(Block::Skipped)) {
                    self.citations.on_delta(key, index, &citation);
                }
            }
            other => tracing::debug!(?other, key, "ignoring content block delta"),
        }
    }

    fn on_reasoning_delta(
        &mut self,
        key: i32,
        index: u32,
        reasoning: ReasoningContentBlockDelta,
        out: &mut Vec<StreamEvent_NE>,
    ) {
        let Some(Block::Thinking {
            signature,
            redacted,
        }) = self.blocks.get_mut(&key)
        else {
            return;
        };
        let event = match reasoning {
            ReasoningContentBlockDelta::Text(text) => {
                if text.is_empty() {
                    return;
                }
                self.mark_first_token();
                StreamEvent::ThinkingDelta {
                    index,
                    delta: text.into(),
                }
            }
            ReasoningContentBlockDelta::Signature(fragment) => {
                if fragment.is_empty() {
                    return;
                }
                signature.push_str(&fragment);
                StreamEvent::ThinkingSignature {
                    index,
                    signature: fragment.into(),
                }
            }
            ReasoningContentBlockDelta::RedactedContent(bytes) => {
                let bytes = bytes.into_inner();
                redacted.extend_from_slice(&bytes);
                self.mark_first_token();
                StreamEvent::ThinkingRedacted {
                    index,
                    data: base64::engine::general_purpose::STANDARD
                        .encode(&bytes)
                        .into(),
                }
            }
            other => {
                tracing::debug!(?other, key, "ignoring reasoning delta");
                return;
            }
        };
        self.emit(event, out);
    }

    /// Opens a text or thinking block on its first delta (they have no `contentBlockStart`);
    /// returns whether the index now holds a block of that kind.
    fn open_block(
        &mut self,
        key: i32,
        index: u32,
        hint: BlockKindHint,
        out: &mut Vec<StreamEvent_NE>,
    ) -> bool {
        match (self.blocks.get(&key), hint) {
            (Some(Block::Text), BlockKindHint::Text)
            | (Some(Block::Thinking { .. }), BlockKindHint::Thinking) => true,
            (Some(_), _) => {
                tracing::debug!(key, "ignoring a delta of another kind for an open block");
                false
            }
            (None, hint) => {
                self.ensure_started(out);
                self.produced_content = true;
                let (block, event) = match hint {
                    BlockKindHint::Text => (Block::Text, StreamEvent::TextStart { index }),
                    BlockKindHint::Thinking => (
                        Block::Thinking {
                            signature: String::new(),
                            redacted: Vec::new(),
                        },
                        StreamEvent::ThinkingStart { index },
                    ),
                };
                self.blocks.insert(key, block);
                self.emit(event, out);
                true
            }
        }
    }

    fn close_block(&mut self, key: i32, out: &mut Vec<StreamEvent_NE>) {
        let (Some(block), Some(index)) = (self.blocks.remove(&key), host_index(key)) else {
            return;
        };
        let event = match block {
            Block::Text => StreamEvent::TextEnd { index },
            Block::Thinking {
                signature,
                redacted,
            } => {
                if redacted.is_empty() {
                    StreamEvent::ThinkingEnd {
                        index,
                        signature: opt(Some(signature).filter(|s| !s.is_empty())),
                        redacted: false,
                    }
                } else {
                    StreamEvent::ThinkingEnd {
                        index,
                        signature: ROption::RSome(
                            base64::engine::general_purpose::STANDARD
                                .encode(&redacted)
                                .into(),
                        ),
                        redacted: true,
                    }
                }
            }
            Block::Tool {
                id,
                name,
                arguments,
            } => {
                if !is_complete_arguments(&arguments) {
                    // EVT-33: delivered only once the stop reason says it was not cut off.
                    self.unfinished_tools.push(UnfinishedTool {
                        index,
                        id,
                        name,
                        arguments,
                    });
                    return;
                }
                StreamEvent::ToolCallEnd {
                    index,
                    id: id.into(),
                    name: name.into(),
                    arguments_json: final_arguments(&arguments).into(),
                }
            }
            Block::Skipped => return,
        };
        self.emit(event, out);
    }

    /// EVT-03: finalise what is still open, in index order.
    fn close_all_blocks(&mut self, out: &mut Vec<StreamEvent_NE>) {
        let keys: Vec<i32> = self.blocks.keys().copied().collect();
        for key in keys {
            self.close_block(key, out);
        }
    }

    fn on_message_stop(&mut self, stop: &MessageStopEvent, out: &mut Vec<StreamEvent_NE>) {
        if self.outcome.is_some() {
            tracing::debug!("ignoring a second messageStop");
            return;
        }
        let raw = stop.stop_reason().as_str().to_owned();
        let outcome = match raw.as_str() {
            "end_turn" if self.tool_calls > 0 => Outcome::Finished(StopReason::ToolUse),
            "end_turn" | "stop_sequence" => Outcome::Finished(StopReason::Stop),
            "max_tokens" | "model_context_window_exceeded" => Outcome::Finished(StopReason::Length),
            "tool_use" => Outcome::Finished(StopReason::ToolUse),
            "refusal" => Outcome::Failed(refusal_error(stop.additional_model_response_fields())),
            "guardrail_intervened" => Outcome::GuardrailIntervened,
            other => Outcome::Failed(PluginError::new(ErrorKind::Service, other)),
        };
        if raw == "model_context_window_exceeded" && !self.produced_content {
            self.diagnostics.push(Diagnostic {
                kind: CONTEXT_OVERFLOW_DIAGNOSTIC.into(),
                details_json: json!({"provider": PROVIDER, "stopReason": raw})
                    .to_string()
                    .into(),
            });
        }
        let cut_by_limit = raw == "max_tokens";
        for notice in std::mem::take(&mut self.config.notices) {
            self.warn(notice);
        }
        if let (true, Some((cap, model_limit))) = (cut_by_limit, self.config.request_max_tokens_cap)
        {
            self.warn(format!(
                "output stopped at requestMaxTokens {cap}; the model allows {model_limit}"
            ));
        }
        self.provider_stop_reason = Some(raw);
        match &outcome {
            Outcome::Finished(_) => self.finish_content(cut_by_limit, out),
            // GRD-06: the trace that decides comes with the metadata; content stays as it is.
            Outcome::GuardrailIntervened => {}
            Outcome::Failed(_) => {
                // EVT-20: a refused or failed message shows nothing; the error comes at the
                // end, after metadata, so it carries the usage.
                self.buffer.clear();
                self.blocks.clear();
            }
        }
        self.outcome = Some(outcome);
    }

    fn on_metadata(
        &mut self,
        metadata: &ConverseStreamMetadataEvent,
        out: &mut Vec<StreamEvent_NE>,
    ) {
        if let Some(usage) = metadata.usage() {
            self.usage = usage_from_sdk(usage, &self.config.cost);
            self.saw_usage = true;
            if !matches!(
                self.outcome,
                Some(Outcome::Failed(_) | Outcome::GuardrailIntervened)
            ) {
                self.ensure_started(out);
                self.emit(StreamEvent::Usage(self.usage), out);
            }
        }
        if let Some(metrics) = metadata.metrics() {
            self.latency_ms = u64::try_from(metrics.latency_ms()).ok();
        }
        if let Some(tier) = metadata.service_tier() {
            self.service_tier = Some(tier.r#type().as_str().to_owned());
        }
        if let Some(served) = metadata.performance_config() {
            self.on_served_latency(served.latency().as_str().to_owned());
        }
        if let Some(guardrail) = metadata.trace().and_then(|trace| trace.guardrail()) {
            self.guardrail_actions.record(guardrail);
            self.diagnostics.push(Diagnostic {
                kind: GUARDRAIL_TRACE_DIAGNOSTIC.into(),
                details_json: guardrail_trace::trace_json(guardrail).to_string().into(),
            });
        }
    }
}

impl StreamMapper {
    /// BR-90: the served latency goes on the final message, with one notice when it is not
    /// the one asked for (Bedrock's silent fallback to standard).
    fn on_served_latency(&mut self, served: String) {
        if let Some(requested) = self.config.surface.latency.clone() {
            if requested != served {
                let notice = performance::unavailable_notice(
                    &self.config.model_id,
                    &self.config.surface.region,
                );
                self.warn(notice);
            }
        }
        self.served_latency = Some(served);
    }
}

#[derive(Debug, Clone, Copy)]
enum BlockKindHint {
    Text,
    Thinking,
}

fn opt(value: Option<String>) -> ROption<RString> {
    value.map(RString::from).into()
}

/// Bedrock indices are `i32`; a negative one cannot name a block, so it is dropped.
fn host_index(key: i32) -> Option<u32> {
    let index = u32::try_from(key).ok();
    if index.is_none() {
        tracing::debug!(key, "ignoring a negative contentBlockIndex");
    }
    index
}

/// EVT-33: the raw argument buffer is empty (a call without arguments) or a complete JSON
/// object; anything else was cut off or is malformed.
fn is_complete_arguments(raw: &str) -> bool {
    let trimmed = raw.trim();
    trimmed.is_empty() || matches!(serde_json::from_str::<Value>(trimmed), Ok(Value::Object(_)))
}

/// EVT-04 / `ToolCallEnd.arguments_json`: the raw buffer when it is a JSON object (kept byte
/// for byte so big integers survive), else `{}` — an empty or truncated buffer must not break
/// the replay of the call.
fn final_arguments(raw: &str) -> String {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return "{}".to_owned();
    }
    match serde_json::from_str::<Value>(trimmed) {
        Ok(Value::Object(_)) => trimmed.to_owned(),
        Ok(other) => {
            tracing::debug!(kind = ?other, "tool arguments are not a JSON object; using {{}}");
            "{}".to_owned()
        }
        Err(error) => {
            tracing::debug!(%error, "tool arguments are not valid JSON; using {{}}");
            "{}".to_owned()
        }
    }
}

/// EVT-10 refusal: the message and the `provider_refusal` diagnostic from
/// `additionalModelResponseFields.stop_details` (or `stopDetails`).
fn refusal_error(fields: Option<&Document>) -> PluginError {
    let details = fields
        .and_then(Document::as_object)
        .and_then(|object| {
            object
                .get("stop_details")
                .or_else(|| object.get("stopDetails"))
        })
        .and_then(Document::as_object);
    let text = |key: &str| {
        details
            .and_then(|details| details.get(key))
            .and_then(Document::as_string)
            .map(str::to_owned)
    };
    let category = text("category");
    let explanation = text("explanation");
    let message = format!(
        "Anthropic refusal (category: {}): {}",
        category.as_deref().unwrap_or("unknown"),
        explanation.as_deref().unwrap_or("")
    );
    let diagnostic = json!({
        "provider": PROVIDER,
        "category": category,
        "explanation": explanation,
    });
    PluginError::new(ErrorKind::Service, message.trim_end().to_owned())
        .with_error_code("refusal")
        .with_diagnostic(REFUSAL_DIAGNOSTIC, diagnostic.to_string())
}

/// Event builders and helpers shared with the driver's tests.
#[cfg(test)]
pub(crate) mod tests;
