//! Bedrock ConverseStream output → host stream events (EVT-01…EVT-32, USE-01/02, BR-40).
//!
//! [`StreamMapper`] is a synchronous state machine: the caller reads the SDK's event receiver
//! and feeds every event, the clean end, or the failure into it, and forwards whatever host
//! events it pushes. Keeping I/O, timers and retries out of it makes every spec rule testable
//! with plain SDK values, and lets the caller own the keep-alive and stall timers.

use std::collections::BTreeMap;
use std::time::Instant;

use aws_sdk_bedrockruntime::types::{
    ContentBlockDelta, ContentBlockDeltaEvent, ContentBlockStart, ContentBlockStartEvent,
    ConversationRole, ConverseStreamMetadataEvent, ConverseStreamOutput, GuardrailAssessment,
    GuardrailTraceAssessment, MessageStopEvent, ReasoningContentBlockDelta, ToolUseType,
};
use aws_smithy_types::Document;
use base64::Engine as _;
use plugin_api::abi_stable::std_types::{RBox, ROption, RString, RVec};
use plugin_api::error::{Diagnostic, ErrorKind, PluginError};
use plugin_api::event::{
    ResponseSummary, StopReason, StopReason_NE, StreamEvent, StreamEvent_NE, StreamFailure, Usage,
};
use plugin_api::model::ModelCost;
use serde_json::{json, Map, Value};

use super::errors::{add_transport_diagnostic, UNKNOWN_ERROR_MESSAGE};
use super::usage::usage_from_sdk;

/// EVT-30: the stream closed cleanly but the message never finished.
pub const ENDED_BEFORE_MESSAGE_STOP: &str = "Bedrock stream ended before messageStop";
/// EVT-10 refusal diagnostic kind.
pub const REFUSAL_DIAGNOSTIC: &str = "provider_refusal";
/// GRD-04 diagnostic kind for the metadata event's guardrail trace.
pub const GUARDRAIL_TRACE_DIAGNOSTIC: &str = "guardrail_trace";
/// ERR-10: `model_context_window_exceeded` before any output is a context overflow; the stream
/// still ends `length` (EVT-10), so the verdict travels as a diagnostic on the summary.
pub const CONTEXT_OVERFLOW_DIAGNOSTIC: &str = "context_overflow";
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

/// How the message ended, as decided at `messageStop` (EVT-10).
#[derive(Debug)]
enum Outcome {
    Finished(StopReason),
    Failed(PluginError),
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
    buffering: bool,
    buffer: Vec<StreamEvent_NE>,
    outcome: Option<Outcome>,
    provider_stop_reason: Option<String>,
    usage: Usage,
    latency_ms: Option<u64>,
    time_to_first_token_ms: Option<u64>,
    service_tier: Option<String>,
    diagnostics: Vec<Diagnostic>,
    finished: bool,
}

impl StreamMapper {
    /// Creates the mapper for one send. Create it when the request is sent: time to first
    /// token (BR-40) is measured from here.
    pub fn new(config: MapperConfig) -> Self {
        let buffering = config.refusal_buffered;
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
            buffering,
            buffer: Vec::new(),
            outcome: None,
            provider_stop_reason: None,
            usage: Usage::default(),
            latency_ms: None,
            time_to_first_token_ms: None,
            service_tier: None,
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
                if matches!(self.outcome, Some(Outcome::Failed(_))) =>
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
            Some(Outcome::Finished(reason)) => {
                self.ensure_started(out);
                self.close_all_blocks(out);
                self.flush_buffer(out);
                let summary = self.summary(reason);
                self.finished = true;
                out.push(StreamEvent_NE::new(StreamEvent::Done(RBox::new(summary))));
            }
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
        match delta {
            ContentBlockDelta::Text(text) => {
                if !self.open_block(key, index, BlockKindHint::Text, out) {
                    return;
                }
                if !text.is_empty() {
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
            } => StreamEvent::ToolCallEnd {
                index,
                id: id.into(),
                name: name.into(),
                arguments_json: final_arguments(&arguments).into(),
            },
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
        self.provider_stop_reason = Some(raw);
        match &outcome {
            Outcome::Finished(_) => {
                self.ensure_started(out);
                self.close_all_blocks(out);
                self.flush_buffer(out);
            }
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
            if !matches!(self.outcome, Some(Outcome::Failed(_))) {
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
        if let Some(guardrail) = metadata.trace().and_then(|trace| trace.guardrail()) {
            self.diagnostics.push(Diagnostic {
                kind: GUARDRAIL_TRACE_DIAGNOSTIC.into(),
                details_json: guardrail_trace_json(guardrail).to_string().into(),
            });
        }
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

/// GRD-04: the guardrail trace as the JSON object Bedrock sent (camelCase keys), so users see
/// which policy intervened.
fn guardrail_trace_json(trace: &GuardrailTraceAssessment) -> Value {
    let mut object = Map::new();
    if let Some(output) = &trace.model_output {
        object.insert("modelOutput".into(), json!(output));
    }
    if let Some(inputs) = &trace.input_assessment {
        let mut keys: Vec<&String> = inputs.keys().collect();
        keys.sort();
        let assessments: Map<String, Value> = keys
            .into_iter()
            .filter_map(|key| {
                inputs
                    .get(key)
                    .map(|assessment| (key.clone(), guardrail_assessment_json(assessment)))
            })
            .collect();
        object.insert("inputAssessment".into(), Value::Object(assessments));
    }
    if let Some(outputs) = &trace.output_assessments {
        let mut keys: Vec<&String> = outputs.keys().collect();
        keys.sort();
        let assessments: Map<String, Value> = keys
            .into_iter()
            .filter_map(|key| {
                outputs.get(key).map(|list| {
                    let list: Vec<Value> = list.iter().map(guardrail_assessment_json).collect();
                    (key.clone(), Value::Array(list))
                })
            })
            .collect();
        object.insert("outputAssessments".into(), Value::Object(assessments));
    }
    if let Some(reason) = &trace.action_reason {
        object.insert("actionReason".into(), json!(reason));
    }
    Value::Object(object)
}

fn guardrail_assessment_json(assessment: &GuardrailAssessment) -> Value {
    let mut object = Map::new();
    if let Some(policy) = &assessment.topic_policy {
        let topics: Vec<Value> = policy
            .topics
            .iter()
            .map(|topic| {
                json!({"name": topic.name, "type": topic.r#type.as_str(),
                       "action": topic.action.as_str(), "detected": topic.detected})
            })
            .collect();
        object.insert("topicPolicy".into(), json!({ "topics": topics }));
    }
    if let Some(policy) = &assessment.content_policy {
        let filters: Vec<Value> = policy
            .filters
            .iter()
            .map(|filter| {
                json!({"type": filter.r#type.as_str(), "confidence": filter.confidence.as_str(),
                       "filterStrength": filter.filter_strength.as_ref().map(|s| s.as_str()),
                       "action": filter.action.as_str(), "detected": filter.detected})
            })
            .collect();
        object.insert("contentPolicy".into(), json!({ "filters": filters }));
    }
    if let Some(policy) = &assessment.word_policy {
        let custom: Vec<Value> = policy
            .custom_words
            .iter()
            .map(|word| {
                json!({"match": word.r#match, "action": word.action.as_str(),
                       "detected": word.detected})
            })
            .collect();
        let managed: Vec<Value> = policy
            .managed_word_lists
            .iter()
            .map(|word| {
                json!({"match": word.r#match, "type": word.r#type.as_str(),
                       "action": word.action.as_str(), "detected": word.detected})
            })
            .collect();
        object.insert(
            "wordPolicy".into(),
            json!({"customWords": custom, "managedWordLists": managed}),
        );
    }
    if let Some(policy) = &assessment.sensitive_information_policy {
        let pii: Vec<Value> = policy
            .pii_entities
            .iter()
            .map(|entity| {
                json!({"match": entity.r#match, "type": entity.r#type.as_str(),
                       "action": entity.action.as_str(), "detected": entity.detected})
            })
            .collect();
        let regexes: Vec<Value> = policy
            .regexes
            .iter()
            .map(|regex| {
                json!({"name": regex.name, "match": regex.r#match, "regex": regex.regex,
                       "action": regex.action.as_str(), "detected": regex.detected})
            })
            .collect();
        object.insert(
            "sensitiveInformationPolicy".into(),
            json!({"piiEntities": pii, "regexes": regexes}),
        );
    }
    if let Some(policy) = &assessment.contextual_grounding_policy {
        let filters: Vec<Value> = policy
            .filters
            .iter()
            .flatten()
            .map(|filter| {
                json!({"type": filter.r#type.as_str(), "threshold": filter.threshold,
                       "score": filter.score, "action": filter.action.as_str(),
                       "detected": filter.detected})
            })
            .collect();
        object.insert(
            "contextualGroundingPolicy".into(),
            json!({ "filters": filters }),
        );
    }
    if let Some(policy) = &assessment.automated_reasoning_policy {
        // Findings are deeply nested unions; their count tells the user the policy ran.
        object.insert(
            "automatedReasoningPolicy".into(),
            json!({"findingCount": policy.findings.as_ref().map_or(0, Vec::len)}),
        );
    }
    if let Some(metrics) = &assessment.invocation_metrics {
        object.insert(
            "invocationMetrics".into(),
            json!({"guardrailProcessingLatency": metrics.guardrail_processing_latency}),
        );
    }
    Value::Object(object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_bedrockruntime::types::{
        CitationsDelta, ContentBlockStopEvent, ConverseStreamMetrics, ConverseStreamTrace,
        GuardrailTopic, GuardrailTopicPolicyAction, GuardrailTopicPolicyAssessment,
        GuardrailTopicType, MessageStartEvent, ServiceTier, ServiceTierType,
        StopReason as SdkStopReason, TokenUsage, ToolResultBlockStart, ToolUseBlockDelta,
        ToolUseBlockStart,
    };
    use aws_smithy_types::{Blob, Number};
    use std::collections::HashMap;

    type Event = ConverseStreamOutput;

    fn config(refusal_buffered: bool) -> MapperConfig {
        MapperConfig {
            model_id: "test-model".into(),
            cost: ModelCost::default(),
            refusal_buffered,
        }
    }

    fn message_start(role: &str) -> Event {
        Event::MessageStart(
            MessageStartEvent::builder()
                .role(ConversationRole::from(role))
                .build()
                .unwrap(),
        )
    }

    fn delta(index: i32, delta: ContentBlockDelta) -> Event {
        Event::ContentBlockDelta(
            ContentBlockDeltaEvent::builder()
                .content_block_index(index)
                .delta(delta)
                .build()
                .unwrap(),
        )
    }

    fn text(index: i32, value: &str) -> Event {
        delta(index, ContentBlockDelta::Text(value.into()))
    }

    fn reasoning(index: i32, value: &str) -> Event {
        delta(
            index,
            ContentBlockDelta::ReasoningContent(ReasoningContentBlockDelta::Text(value.into())),
        )
    }

    fn signature(index: i32, value: &str) -> Event {
        delta(
            index,
            ContentBlockDelta::ReasoningContent(ReasoningContentBlockDelta::Signature(
                value.into(),
            )),
        )
    }

    fn redacted(index: i32, bytes: &[u8]) -> Event {
        delta(
            index,
            ContentBlockDelta::ReasoningContent(ReasoningContentBlockDelta::RedactedContent(
                Blob::new(bytes.to_vec()),
            )),
        )
    }

    fn tool_start_typed(index: i32, id: &str, name: &str, kind: Option<&str>) -> Event {
        let start = ToolUseBlockStart::builder()
            .tool_use_id(id)
            .name(name)
            .set_type(kind.map(ToolUseType::from))
            .build()
            .unwrap();
        Event::ContentBlockStart(
            ContentBlockStartEvent::builder()
                .content_block_index(index)
                .start(ContentBlockStart::ToolUse(start))
                .build()
                .unwrap(),
        )
    }

    fn tool_start(index: i32, id: &str, name: &str) -> Event {
        tool_start_typed(index, id, name, None)
    }

    fn tool_result_start(index: i32) -> Event {
        Event::ContentBlockStart(
            ContentBlockStartEvent::builder()
                .content_block_index(index)
                .start(ContentBlockStart::ToolResult(
                    ToolResultBlockStart::builder()
                        .tool_use_id("server-1")
                        .build()
                        .unwrap(),
                ))
                .build()
                .unwrap(),
        )
    }

    fn tool_delta(index: i32, fragment: &str) -> Event {
        delta(
            index,
            ContentBlockDelta::ToolUse(
                ToolUseBlockDelta::builder()
                    .input(fragment)
                    .build()
                    .unwrap(),
            ),
        )
    }

    fn block_stop(index: i32) -> Event {
        Event::ContentBlockStop(
            ContentBlockStopEvent::builder()
                .content_block_index(index)
                .build()
                .unwrap(),
        )
    }

    fn message_stop(reason: &str, fields: Option<Document>) -> Event {
        Event::MessageStop(
            MessageStopEvent::builder()
                .stop_reason(SdkStopReason::from(reason))
                .set_additional_model_response_fields(fields)
                .build()
                .unwrap(),
        )
    }

    fn usage_metadata(input: i32, output: i32) -> Event {
        Event::Metadata(
            ConverseStreamMetadataEvent::builder()
                .usage(
                    TokenUsage::builder()
                        .input_tokens(input)
                        .output_tokens(output)
                        .total_tokens(input + output)
                        .build()
                        .unwrap(),
                )
                .metrics(
                    ConverseStreamMetrics::builder()
                        .latency_ms(321)
                        .build()
                        .unwrap(),
                )
                .service_tier(
                    ServiceTier::builder()
                        .r#type(ServiceTierType::from("priority"))
                        .build()
                        .unwrap(),
                )
                .build(),
        )
    }

    fn document(value: &Value) -> Document {
        match value {
            Value::Null => Document::Null,
            Value::Bool(flag) => Document::Bool(*flag),
            Value::Number(number) => match (number.as_u64(), number.as_i64(), number.as_f64()) {
                (Some(unsigned), _, _) => Document::Number(Number::PosInt(unsigned)),
                (None, Some(signed), _) => Document::Number(Number::NegInt(signed)),
                (_, _, float) => Document::Number(Number::Float(float.unwrap_or_default())),
            },
            Value::String(text) => Document::String(text.clone()),
            Value::Array(items) => Document::Array(items.iter().map(document).collect()),
            Value::Object(map) => Document::Object(
                map.iter()
                    .map(|(key, value)| (key.clone(), document(value)))
                    .collect::<HashMap<_, _>>(),
            ),
        }
    }

    fn run_on(mapper: &mut StreamMapper, events: Vec<Event>) -> Vec<StreamEvent> {
        let mut out = Vec::new();
        for event in events {
            mapper.on_event(event, &mut out);
        }
        plain(out)
    }

    fn plain(events: Vec<StreamEvent_NE>) -> Vec<StreamEvent> {
        events
            .into_iter()
            .map(|event| event.as_enum().expect("known event").clone())
            .collect()
    }

    /// Feeds `events`, then the clean end.
    fn run(buffered: bool, events: Vec<Event>) -> Vec<StreamEvent> {
        let mut mapper = StreamMapper::new(config(buffered));
        let mut all = run_on(&mut mapper, events);
        let mut out = Vec::new();
        mapper.on_end(&mut out);
        all.extend(plain(out));
        assert!(mapper.is_finished());
        all
    }

    fn name(event: &StreamEvent) -> &'static str {
        match event {
            StreamEvent::Start { .. } => "start",
            StreamEvent::TextStart { .. } => "text_start",
            StreamEvent::TextDelta { .. } => "text_delta",
            StreamEvent::TextEnd { .. } => "text_end",
            StreamEvent::ThinkingStart { .. } => "thinking_start",
            StreamEvent::ThinkingDelta { .. } => "thinking_delta",
            StreamEvent::ThinkingSignature { .. } => "thinking_signature",
            StreamEvent::ThinkingRedacted { .. } => "thinking_redacted",
            StreamEvent::ThinkingEnd { .. } => "thinking_end",
            StreamEvent::ToolCallStart { .. } => "toolcall_start",
            StreamEvent::ToolCallDelta { .. } => "toolcall_delta",
            StreamEvent::ToolCallEnd { .. } => "toolcall_end",
            StreamEvent::Usage(_) => "usage",
            StreamEvent::Retry(_) => "retry",
            StreamEvent::KeepAlive => "keep_alive",
            StreamEvent::Done(_) => "done",
            StreamEvent::Error(_) => "error",
            _ => "other",
        }
    }

    fn names(events: &[StreamEvent]) -> Vec<&'static str> {
        events.iter().map(name).collect()
    }

    fn done(events: &[StreamEvent]) -> &ResponseSummary {
        match events.last() {
            Some(StreamEvent::Done(summary)) => summary,
            other => panic!("expected done, got {other:?}"),
        }
    }

    fn failure(events: &[StreamEvent]) -> &StreamFailure {
        match events.last() {
            Some(StreamEvent::Error(failure)) => failure,
            other => panic!("expected error, got {other:?}"),
        }
    }

    fn stop_reason(summary: &ResponseSummary) -> StopReason {
        *summary.stop_reason.as_enum().unwrap()
    }

    fn tool_ends(events: &[StreamEvent]) -> Vec<(u32, String, String)> {
        events
            .iter()
            .filter_map(|event| match event {
                StreamEvent::ToolCallEnd {
                    index,
                    id,
                    arguments_json,
                    ..
                } => Some((*index, id.to_string(), arguments_json.to_string())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn evt_01_message_start_emits_start_with_model_and_request_id() {
        let mut mapper = StreamMapper::new(config(false));
        mapper.set_request_id(Some("bedrock-request-1".into()));
        let events = run_on(&mut mapper, vec![message_start("assistant")]);
        assert_eq!(
            events,
            vec![StreamEvent::Start {
                model: "test-model".into(),
                request_id: ROption::RSome("bedrock-request-1".into()),
            }]
        );
        assert!(!mapper.has_emitted_output());
    }

    #[test]
    fn evt_01_other_role_is_an_error() {
        let events = run(false, vec![message_start("user"), text(0, "x")]);
        assert_eq!(names(&events), ["error"]);
        assert_eq!(
            failure(&events).error.message.as_str(),
            "Unexpected assistant message start but got user message start instead"
        );
    }

    #[test]
    fn evt_01_text_deltas_open_block_and_empty_delta_emits_none() {
        let events = run(
            false,
            vec![
                message_start("assistant"),
                text(0, ""),
                text(0, "Hel"),
                text(0, "lo"),
                block_stop(0),
                message_stop("end_turn", None),
            ],
        );
        assert_eq!(
            names(&events),
            [
                "start",
                "text_start",
                "text_delta",
                "text_delta",
                "text_end",
                "done"
            ]
        );
        assert_eq!(
            events[2],
            StreamEvent::TextDelta {
                index: 0,
                delta: "Hel".into()
            }
        );
        let only_empty = run(
            false,
            vec![
                message_start("assistant"),
                text(0, ""),
                message_stop("end_turn", None),
            ],
        );
        assert_eq!(
            names(&only_empty),
            ["start", "text_start", "text_end", "done"]
        );
    }

    #[test]
    fn evt_01_reasoning_text_and_signature_accumulate() {
        let events = run(
            false,
            vec![
                message_start("assistant"),
                reasoning(0, "think"),
                signature(0, "sig-"),
                signature(0, "1"),
                block_stop(0),
                text(1, "answer"),
                message_stop("end_turn", None),
            ],
        );
        assert_eq!(
            names(&events),
            [
                "start",
                "thinking_start",
                "thinking_delta",
                "thinking_signature",
                "thinking_signature",
                "thinking_end",
                "text_start",
                "text_delta",
                "text_end",
                "done"
            ]
        );
        assert_eq!(
            events[5],
            StreamEvent::ThinkingEnd {
                index: 0,
                signature: ROption::RSome("sig-1".into()),
                redacted: false
            }
        );
    }

    #[test]
    fn evt_01_signature_without_text_opens_thinking_block() {
        let events = run(
            false,
            vec![signature(0, "only-sig"), message_stop("end_turn", None)],
        );
        assert_eq!(
            names(&events),
            [
                "start",
                "thinking_start",
                "thinking_signature",
                "thinking_end",
                "done"
            ]
        );
    }

    #[test]
    fn evt_01_server_tool_use_and_tool_results_are_skipped() {
        let events = run(
            false,
            vec![
                message_start("assistant"),
                tool_start_typed(0, "srv", "nova_code_interpreter", Some("server_tool_use")),
                tool_delta(0, "{\"snippet\":\"1+1\"}"),
                block_stop(0),
                tool_result_start(1),
                delta(1, ContentBlockDelta::ToolResult(Vec::new())),
                block_stop(1),
                tool_start_typed(2, "call-1", "final_result", Some("tool_use")),
                tool_delta(2, "{\"result\":2}"),
                block_stop(2),
                message_stop("tool_use", None),
            ],
        );
        assert_eq!(
            names(&events),
            [
                "start",
                "toolcall_start",
                "toolcall_delta",
                "toolcall_end",
                "done"
            ]
        );
        assert_eq!(
            tool_ends(&events),
            [(2, "call-1".to_owned(), "{\"result\":2}".to_owned())]
        );
    }

    #[test]
    fn evt_01_citations_are_ignored_and_open_no_block() {
        let events = run(
            false,
            vec![
                message_start("assistant"),
                delta(
                    3,
                    ContentBlockDelta::Citation(CitationsDelta::builder().build()),
                ),
                block_stop(3),
                message_stop("end_turn", None),
            ],
        );
        assert_eq!(names(&events), ["start", "done"]);
    }

    #[test]
    fn evt_02_interleaved_tool_blocks_stay_independent() {
        // EX-A12: blocks 3 and 8 interleave; ends follow the stop events; big ints stay exact.
        let events = run(
            false,
            vec![
                message_start("assistant"),
                tool_start(3, "call-3", "lookup"),
                tool_start(8, "call-8", "search"),
                tool_delta(3, "{\"id\":"),
                tool_delta(8, "{\"q\":\"rust\""),
                tool_delta(3, "12345678901234567890123"),
                tool_delta(8, "}"),
                block_stop(8),
                tool_delta(3, "}"),
                block_stop(3),
                message_stop("tool_use", None),
            ],
        );
        assert_eq!(
            tool_ends(&events),
            [
                (8, "call-8".to_owned(), "{\"q\":\"rust\"}".to_owned()),
                (
                    3,
                    "call-3".to_owned(),
                    "{\"id\":12345678901234567890123}".to_owned()
                ),
            ]
        );
        assert_eq!(stop_reason(done(&events)), StopReason::ToolUse);
    }

    #[test]
    fn evt_03_ex_l01_open_text_block_finalised_before_done() {
        let events = run(
            false,
            vec![
                message_start("assistant"),
                text(0, "a"),
                text(0, "b"),
                message_stop("end_turn", None),
            ],
        );
        let n = names(&events);
        assert_eq!(&n[n.len() - 2..], ["text_end", "done"]);
    }

    #[test]
    fn evt_03_ex_l02_open_thinking_block_finalised_before_done() {
        let events = run(
            false,
            vec![
                message_start("assistant"),
                reasoning(0, "hmm"),
                message_stop("end_turn", None),
            ],
        );
        let n = names(&events);
        assert_eq!(&n[n.len() - 2..], ["thinking_end", "done"]);
    }

    #[test]
    fn evt_03_ex_l03_redacted_bytes_become_base64_signature() {
        let events = run(
            false,
            vec![
                message_start("assistant"),
                redacted(0, &[1, 2, 3]),
                message_stop("end_turn", None),
            ],
        );
        assert_eq!(
            events[events.len() - 2],
            StreamEvent::ThinkingEnd {
                index: 0,
                signature: ROption::RSome("AQID".into()),
                redacted: true
            }
        );
        assert!(matches!(events.last(), Some(StreamEvent::Done(_))));
    }

    #[test]
    fn evt_03_ex_l04_open_tool_block_finalised_before_done() {
        let events = run(
            false,
            vec![
                message_start("assistant"),
                tool_start(0, "t1", "read"),
                tool_delta(0, "{\"path\":\"a\"}"),
                message_stop("tool_use", None),
            ],
        );
        let n = names(&events);
        assert_eq!(&n[n.len() - 2..], ["toolcall_end", "done"]);
        assert_eq!(tool_ends(&events)[0].2, "{\"path\":\"a\"}");
    }

    #[test]
    fn evt_03_open_blocks_finalised_in_index_order_at_end_of_stream() {
        let events = run(
            false,
            vec![
                message_start("assistant"),
                text(5, "x"),
                reasoning(1, "y"),
                message_stop("end_turn", None),
            ],
        );
        let ends: Vec<u32> = events
            .iter()
            .filter_map(|event| match event {
                StreamEvent::TextEnd { index } | StreamEvent::ThinkingEnd { index, .. } => {
                    Some(*index)
                }
                _ => None,
            })
            .collect();
        assert_eq!(ends, [1, 5]);
    }

    #[test]
    fn evt_04_ex_l05_large_arguments_in_40_char_deltas() {
        let mut object = String::from("{\"items\":[");
        let mut i = 0;
        while object.len() < 54 * 1024 {
            if i > 0 {
                object.push(',');
            }
            object.push_str(&format!("{{\"n\":{i},\"v\":\"value-{i}\",\"f\":1.50}}"));
            i += 1;
        }
        object.push_str("]}");
        let mut events = vec![message_start("assistant"), tool_start(0, "big", "bulk")];
        let bytes = object.as_bytes();
        for chunk in bytes.chunks(40) {
            events.push(tool_delta(0, std::str::from_utf8(chunk).unwrap()));
        }
        events.push(block_stop(0));
        events.push(message_stop("tool_use", None));
        let out = run(false, events);
        let fragments: String = out
            .iter()
            .filter_map(|event| match event {
                StreamEvent::ToolCallDelta { fragment, .. } => Some(fragment.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(fragments, object);
        assert_eq!(tool_ends(&out)[0].2, object);
    }

    #[test]
    fn evt_04_empty_invalid_or_non_object_arguments_become_empty_object() {
        for raw in ["", "  ", "{\"path\":", "[1,2]", "\"text\""] {
            let mut events = vec![message_start("assistant"), tool_start(0, "t", "f")];
            if !raw.is_empty() {
                events.push(tool_delta(0, raw));
            }
            events.push(block_stop(0));
            events.push(message_stop("tool_use", None));
            let out = run(false, events);
            assert_eq!(tool_ends(&out)[0].2, "{}", "raw {raw:?}");
        }
    }

    #[test]
    fn evt_05_use_01_done_after_metadata_with_usage_latency_tier_and_request_id() {
        let mut mapper = StreamMapper::new(MapperConfig {
            cost: ModelCost {
                input: 1e6,
                output: 2e6,
                cache_read: 0.0,
                cache_write: 0.0,
            },
            ..config(false)
        });
        mapper.set_request_id(Some("rid-7".into()));
        mapper.set_resolved_model_id(Some("us.test-model".into()));
        let mut events = run_on(
            &mut mapper,
            vec![
                message_start("assistant"),
                text(0, "hi"),
                block_stop(0),
                message_stop("end_turn", None),
                usage_metadata(10, 3),
            ],
        );
        let mut out = Vec::new();
        mapper.on_end(&mut out);
        events.extend(plain(out));
        assert_eq!(
            names(&events),
            [
                "start",
                "text_start",
                "text_delta",
                "text_end",
                "usage",
                "done"
            ]
        );
        let StreamEvent::Usage(usage) = &events[4] else {
            panic!("usage expected");
        };
        assert_eq!((usage.input, usage.output, usage.total_tokens), (10, 3, 13));
        assert_eq!(usage.cost.total, 16.0);
        let summary = done(&events);
        assert_eq!(summary.usage, *usage);
        assert_eq!(summary.latency_ms, ROption::RSome(321));
        assert_eq!(summary.service_tier, ROption::RSome("priority".into()));
        assert_eq!(summary.request_id, ROption::RSome("rid-7".into()));
        assert_eq!(
            summary.resolved_model_id,
            ROption::RSome("us.test-model".into())
        );
        assert_eq!(
            summary.provider_stop_reason,
            ROption::RSome("end_turn".into())
        );
        assert_eq!(summary.model.as_str(), "test-model");
        assert!(matches!(summary.time_to_first_token_ms, ROption::RSome(_)));
        assert_eq!(stop_reason(summary), StopReason::Stop);
    }

    #[test]
    fn use_01_no_metadata_means_zero_usage() {
        let events = run(
            false,
            vec![message_start("assistant"), message_stop("end_turn", None)],
        );
        assert_eq!(done(&events).usage, Usage::default());
    }

    #[test]
    fn evt_10_stop_reason_table() {
        let finished = [
            ("end_turn", StopReason::Stop),
            ("stop_sequence", StopReason::Stop),
            ("max_tokens", StopReason::Length),
            ("model_context_window_exceeded", StopReason::Length),
            ("tool_use", StopReason::ToolUse),
        ];
        for (raw, expected) in finished {
            let events = run(
                false,
                vec![
                    message_start("assistant"),
                    text(0, "x"),
                    message_stop(raw, None),
                ],
            );
            assert_eq!(stop_reason(done(&events)), expected, "{raw}");
        }
        for raw in [
            "content_filtered",
            "guardrail_intervened",
            "malformed_model_output",
            "malformed_tool_use",
            "something_new",
        ] {
            let events = run(
                false,
                vec![
                    message_start("assistant"),
                    text(0, "x"),
                    message_stop(raw, None),
                ],
            );
            let failure = failure(&events);
            assert_eq!(failure.error.message.as_str(), raw);
            assert_eq!(
                *failure.summary.stop_reason.as_enum().unwrap(),
                StopReason::Error
            );
            assert_eq!(
                failure.summary.provider_stop_reason,
                ROption::RSome(raw.into())
            );
            assert!(
                !names(&events).contains(&"text_end"),
                "{raw}: no *_end on error"
            );
        }
    }

    #[test]
    fn evt_10_end_turn_after_tool_call_is_tool_use() {
        let events = run(
            false,
            vec![
                message_start("assistant"),
                tool_start(0, "t", "f"),
                block_stop(0),
                message_stop("end_turn", None),
            ],
        );
        assert_eq!(stop_reason(done(&events)), StopReason::ToolUse);
    }

    fn refusal_fields(key: &str) -> Document {
        document(
            &json!({key: {"category": "cyber", "explanation": "This request is not allowed."}}),
        )
    }

    #[test]
    fn evt_10_refusal_message_and_diagnostic() {
        for key in ["stop_details", "stopDetails"] {
            let mut mapper = StreamMapper::new(config(false));
            mapper.set_request_id(Some("rid".into()));
            let mut events = run_on(
                &mut mapper,
                vec![
                    message_start("assistant"),
                    text(0, "partial"),
                    message_stop("refusal", Some(refusal_fields(key))),
                    text(1, "late content stays hidden"),
                    usage_metadata(5, 1),
                ],
            );
            let mut out = Vec::new();
            mapper.on_end(&mut out);
            events.extend(plain(out));
            assert_eq!(
                names(&events),
                ["start", "text_start", "text_delta", "error"]
            );
            let failure = failure(&events);
            assert_eq!(
                failure.error.message.as_str(),
                "Anthropic refusal (category: cyber): This request is not allowed."
            );
            assert_eq!(failure.error.diagnostics.len(), 1);
            assert_eq!(
                failure.error.diagnostics[0].kind.as_str(),
                REFUSAL_DIAGNOSTIC
            );
            let details: Value =
                serde_json::from_str(&failure.error.diagnostics[0].details_json).unwrap();
            assert_eq!(
                details,
                json!({"provider": "amazon-bedrock", "category": "cyber",
                       "explanation": "This request is not allowed."})
            );
            assert_eq!(failure.summary.usage.input, 5, "usage kept on the failure");
        }
    }

    #[test]
    fn evt_20_ex_s12_buffered_refusal_emits_only_error() {
        let mut mapper = StreamMapper::new(config(true));
        let mut out = Vec::new();
        mapper.on_event(message_start("assistant"), &mut out);
        mapper.on_event(text(0, "I will"), &mut out);
        assert!(out.is_empty());
        assert!(mapper.is_buffering());
        assert!(!mapper.has_emitted_output());
        mapper.on_event(
            message_stop("refusal", Some(refusal_fields("stop_details"))),
            &mut out,
        );
        mapper.on_event(usage_metadata(1, 1), &mut out);
        mapper.on_end(&mut out);
        let events = plain(out);
        assert_eq!(names(&events), ["error"]);
        let failure = failure(&events);
        assert_eq!(
            failure.error.message.as_str(),
            "Anthropic refusal (category: cyber): This request is not allowed."
        );
        assert_eq!(
            failure.error.diagnostics[0].kind.as_str(),
            REFUSAL_DIAGNOSTIC
        );
        assert!(!mapper.is_buffering());
    }

    #[test]
    fn evt_20_buffered_success_replays_in_order() {
        let stream = vec![
            message_start("assistant"),
            reasoning(0, "plan"),
            block_stop(0),
            text(1, "answer"),
            tool_start(2, "t", "f"),
            tool_delta(2, "{}"),
            message_stop("tool_use", None),
            usage_metadata(2, 2),
        ];
        let plain_run = run(false, stream.clone());
        let buffered_run = run(true, stream.clone());
        assert_eq!(plain_run, buffered_run);

        let mut mapper = StreamMapper::new(config(true));
        let mut out = Vec::new();
        for event in stream.into_iter().take(6) {
            mapper.on_event(event, &mut out);
        }
        assert!(out.is_empty() && mapper.is_buffering());
        mapper.on_event(message_stop("tool_use", None), &mut out);
        assert!(!mapper.is_buffering());
        assert!(mapper.has_emitted_output());
        assert_eq!(names(&plain(out))[0], "start");
    }

    #[test]
    fn evt_20_buffered_failure_discards_everything() {
        let mut mapper = StreamMapper::new(config(true));
        let mut out = Vec::new();
        mapper.on_event(message_start("assistant"), &mut out);
        mapper.on_event(text(0, "abc"), &mut out);
        let error = crate::converse::errors::from_stream_output_error(
            &aws_sdk_bedrockruntime::types::error::ConverseStreamOutputError::ThrottlingException(
                aws_sdk_bedrockruntime::types::error::ThrottlingException::builder()
                    .message("Rate exceeded")
                    .build(),
            ),
            None,
        );
        assert!(
            !mapper.has_emitted_output(),
            "BR-10: nothing reached the host"
        );
        mapper.on_failure(error, StopReason::Error, &mut out);
        let events = plain(out);
        assert_eq!(names(&events), ["error"]);
        assert!(failure(&events).error.retryable);
    }

    #[test]
    fn evt_30_ex_s13_stream_ended_before_message_stop() {
        for buffered in [false, true] {
            let events = run(buffered, vec![message_start("assistant"), text(0, "abc")]);
            let failure = failure(&events);
            assert_eq!(failure.error.message.as_str(), ENDED_BEFORE_MESSAGE_STOP);
            assert!(failure.error.message.contains("ended before messageStop"));
            if buffered {
                assert_eq!(names(&events), ["error"]);
            } else {
                assert_eq!(
                    names(&events),
                    ["start", "text_start", "text_delta", "error"]
                );
            }
        }
    }

    #[test]
    fn evt_31_cancellation_is_aborted() {
        let mut mapper = StreamMapper::new(config(false));
        let mut out = Vec::new();
        mapper.on_event(message_start("assistant"), &mut out);
        mapper.on_failure(
            crate::converse::errors::aborted_error(),
            StopReason::Aborted,
            &mut out,
        );
        let events = plain(out);
        let failure = failure(&events);
        assert_eq!(failure.error.message.as_str(), "Request was aborted");
        assert_eq!(
            *failure.summary.stop_reason.as_enum().unwrap(),
            StopReason::Aborted
        );
    }

    #[test]
    fn evt_32_ex_a16_failure_after_tool_output_has_no_end_and_no_diagnostics() {
        let mut mapper = StreamMapper::new(config(false));
        let mut out = Vec::new();
        for event in [
            message_start("assistant"),
            tool_start(0, "t", "f"),
            tool_delta(0, "{\"a\":"),
        ] {
            mapper.on_event(event, &mut out);
        }
        assert!(mapper.has_emitted_output());
        let error = PluginError::new(ErrorKind::Network, "connection reset").with_retryable(true);
        mapper.on_failure(error, StopReason::Error, &mut out);
        let events = plain(out);
        assert_eq!(
            names(&events),
            ["start", "toolcall_start", "toolcall_delta", "error"]
        );
        let failure = failure(&events);
        assert!(failure.error.diagnostics.is_empty());
        assert!(!failure.error.retryable, "BR-12: no retry after output");
        // Exactly one terminal event: later input is ignored.
        let mut more = Vec::new();
        mapper.on_event(text(1, "late"), &mut more);
        mapper.on_end(&mut more);
        mapper.on_failure(
            PluginError::new(ErrorKind::Service, "x"),
            StopReason::Error,
            &mut more,
        );
        assert!(more.is_empty());
        assert!(mapper.is_finished());
    }

    #[test]
    fn evt_32_empty_error_message_gets_default() {
        let mut mapper = StreamMapper::new(config(false));
        let mut out = Vec::new();
        mapper.on_failure(
            PluginError::new(ErrorKind::Service, ""),
            StopReason::Error,
            &mut out,
        );
        let events = plain(out);
        assert_eq!(
            failure(&events).error.message.as_str(),
            "An unknown error occurred"
        );
    }

    #[test]
    fn err_02_transport_failure_before_any_event_gets_diagnostic_only_then() {
        let mut mapper = StreamMapper::new(config(false));
        let mut out = Vec::new();
        mapper.on_failure(
            PluginError::new(ErrorKind::Network, "socket hang up").with_error_code("ECONNRESET"),
            StopReason::Error,
            &mut out,
        );
        let events = plain(out);
        let diagnostics = &failure(&events).error.diagnostics;
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].kind.as_str(), "provider_transport_failure");

        let mut mapper = StreamMapper::new(config(false));
        let mut out = Vec::new();
        mapper.on_event(message_start("assistant"), &mut out);
        mapper.on_failure(
            PluginError::new(ErrorKind::Network, "reset"),
            StopReason::Error,
            &mut out,
        );
        assert!(failure(&plain(out)).error.diagnostics.is_empty());
    }

    #[test]
    fn err_10_context_window_exceeded_without_output_is_flagged() {
        let events = run(
            false,
            vec![
                message_start("assistant"),
                message_stop("model_context_window_exceeded", None),
            ],
        );
        let summary = done(&events);
        assert_eq!(stop_reason(summary), StopReason::Length);
        assert_eq!(summary.diagnostics.len(), 1);
        assert_eq!(
            summary.diagnostics[0].kind.as_str(),
            CONTEXT_OVERFLOW_DIAGNOSTIC
        );
        let with_output = run(
            false,
            vec![
                message_start("assistant"),
                text(0, "x"),
                message_stop("model_context_window_exceeded", None),
            ],
        );
        assert!(done(&with_output).diagnostics.is_empty());
    }

    #[test]
    fn grd_04_guardrail_trace_becomes_diagnostic() {
        let topic = GuardrailTopic::builder()
            .name("weapons")
            .r#type(GuardrailTopicType::from("DENY"))
            .action(GuardrailTopicPolicyAction::from("BLOCKED"))
            .detected(true)
            .build()
            .unwrap();
        let assessment = GuardrailAssessment::builder()
            .topic_policy(
                GuardrailTopicPolicyAssessment::builder()
                    .topics(topic)
                    .build()
                    .unwrap(),
            )
            .build();
        let trace = GuardrailTraceAssessment::builder()
            .model_output("blocked output")
            .input_assessment("gr-1", assessment)
            .action_reason("Guardrail blocked.")
            .build();
        let metadata = Event::Metadata(
            ConverseStreamMetadataEvent::builder()
                .trace(ConverseStreamTrace::builder().guardrail(trace).build())
                .build(),
        );
        let events = run(
            false,
            vec![
                message_start("assistant"),
                message_stop("end_turn", None),
                metadata,
            ],
        );
        let summary = done(&events);
        assert_eq!(
            summary.diagnostics[0].kind.as_str(),
            GUARDRAIL_TRACE_DIAGNOSTIC
        );
        let details: Value = serde_json::from_str(&summary.diagnostics[0].details_json).unwrap();
        assert_eq!(
            details,
            json!({
                "modelOutput": ["blocked output"],
                "inputAssessment": {"gr-1": {"topicPolicy": {"topics": [
                    {"name": "weapons", "type": "DENY", "action": "BLOCKED", "detected": true}
                ]}}},
                "actionReason": "Guardrail blocked."
            })
        );
    }

    #[test]
    fn ex_a01_redacted_chunks_concatenate_into_signature() {
        let events = run(
            false,
            vec![
                message_start("assistant"),
                redacted(0, &[0xde, 0xad]),
                redacted(0, &[0xbe, 0xef]),
                block_stop(0),
                message_stop("end_turn", None),
            ],
        );
        assert_eq!(
            names(&events),
            [
                "start",
                "thinking_start",
                "thinking_redacted",
                "thinking_redacted",
                "thinking_end",
                "done"
            ]
        );
        assert_eq!(
            events[2],
            StreamEvent::ThinkingRedacted {
                index: 0,
                data: "3q0=".into()
            }
        );
        assert_eq!(
            events[4],
            StreamEvent::ThinkingEnd {
                index: 0,
                signature: ROption::RSome("3q2+7w==".into()),
                redacted: true
            }
        );
    }

    // ---- Recorded real streams (pydantic-ai cassettes, decoded) ----

    fn oracle_dir() -> Option<std::path::PathBuf> {
        let dir = std::env::var_os("BEDROCK_ORACLE_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/oracle")
            });
        dir.is_dir().then_some(dir)
    }

    /// One recorded frame as the SDK would have decoded it (`None`: nothing the SDK models).
    fn recorded_event(event_type: &str, p: &Value) -> Option<Event> {
        let index = || i32::try_from(p["contentBlockIndex"].as_i64().unwrap_or(0)).unwrap();
        let string = |value: &Value| value.as_str().unwrap_or_default().to_owned();
        Some(match event_type {
            "messageStart" => message_start(p["role"].as_str().unwrap()),
            "contentBlockStart" => {
                let start = &p["start"];
                if let Some(tool) = start.get("toolUse") {
                    tool_start_typed(
                        index(),
                        tool["toolUseId"].as_str().unwrap(),
                        tool["name"].as_str().unwrap(),
                        tool.get("type").and_then(Value::as_str),
                    )
                } else {
                    tool_result_start(index())
                }
            }
            "contentBlockDelta" => {
                let d = &p["delta"];
                if let Some(text_value) = d.get("text") {
                    text(index(), &string(text_value))
                } else if let Some(reasoning_value) = d.get("reasoningContent") {
                    if let Some(value) = reasoning_value.get("text") {
                        reasoning(index(), &string(value))
                    } else if let Some(value) = reasoning_value.get("signature") {
                        signature(index(), &string(value))
                    } else {
                        let bytes = base64::engine::general_purpose::STANDARD
                            .decode(string(&reasoning_value["redactedContent"]))
                            .unwrap();
                        redacted(index(), &bytes)
                    }
                } else if let Some(tool) = d.get("toolUse") {
                    tool_delta(index(), &string(&tool["input"]))
                } else if d.get("toolResult").is_some() {
                    delta(index(), ContentBlockDelta::ToolResult(Vec::new()))
                } else {
                    delta(
                        index(),
                        ContentBlockDelta::Citation(CitationsDelta::builder().build()),
                    )
                }
            }
            "contentBlockStop" => block_stop(index()),
            "messageStop" => message_stop(
                p["stopReason"].as_str().unwrap(),
                p.get("additionalModelResponseFields").map(document),
            ),
            "metadata" => {
                let usage = &p["usage"];
                let count = |key: &str| usage.get(key).and_then(Value::as_i64).map(|v| v as i32);
                let mut builder = ConverseStreamMetadataEvent::builder();
                if usage.is_object() {
                    builder = builder.usage(
                        TokenUsage::builder()
                            .input_tokens(count("inputTokens").unwrap_or(0))
                            .output_tokens(count("outputTokens").unwrap_or(0))
                            .total_tokens(count("totalTokens").unwrap_or(0))
                            .set_cache_read_input_tokens(count("cacheReadInputTokens"))
                            .set_cache_write_input_tokens(count("cacheWriteInputTokens"))
                            .build()
                            .unwrap(),
                    );
                }
                if let Some(latency) = p["metrics"]["latencyMs"].as_i64() {
                    builder = builder.metrics(
                        ConverseStreamMetrics::builder()
                            .latency_ms(latency)
                            .build()
                            .unwrap(),
                    );
                }
                Event::Metadata(builder.build())
            }
            _ => return None,
        })
    }

    #[test]
    fn oracle_recorded_pydantic_ai_streams_map_to_well_formed_event_sequences() {
        let Some(dir) = oracle_dir() else {
            eprintln!("skipping: Bedrock oracle not found (set BEDROCK_ORACLE_DIR)");
            return;
        };
        let decoded = dir.join("recorded/pydantic-ai/decoded");
        let Ok(entries) = std::fs::read_dir(&decoded) else {
            eprintln!("skipping: {} not readable", decoded.display());
            return;
        };
        let mut files: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.to_string_lossy().ends_with(".events.jsonl"))
            .collect();
        files.sort();
        assert!(
            !files.is_empty(),
            "no recorded streams in {}",
            decoded.display()
        );
        for path in &files {
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            let body = std::fs::read_to_string(path).unwrap();
            let mut mapper = StreamMapper::new(config(false));
            mapper.set_request_id(Some("recorded".into()));
            let mut out = Vec::new();
            let mut expected_text = String::new();
            let mut expected_usage = None;
            let mut recorded_stop = None;
            let mut failed = false;
            for line in body.lines().filter(|line| !line.trim().is_empty()) {
                let frame: Value = serde_json::from_str(line).unwrap();
                let headers = &frame["headers"];
                let payload = &frame["payload"];
                if headers[":message-type"] == "exception" {
                    let error = PluginError::new(ErrorKind::Service, payload.to_string());
                    mapper.on_failure(error, StopReason::Error, &mut out);
                    failed = true;
                    break;
                }
                let event_type = headers[":event-type"].as_str().unwrap_or_default();
                if let Some(value) = payload["delta"]["text"].as_str() {
                    expected_text.push_str(value);
                }
                if event_type == "metadata" {
                    expected_usage = payload["usage"]["inputTokens"].as_u64();
                }
                if event_type == "messageStop" {
                    recorded_stop = payload["stopReason"].as_str().map(str::to_owned);
                }
                if let Some(event) = recorded_event(event_type, payload) {
                    mapper.on_event(event, &mut out);
                }
            }
            mapper.on_end(&mut out);
            let events = plain(out);
            assert!(mapper.is_finished(), "{file}");
            let terminals = events.iter().filter(|e| e.is_terminal()).count();
            assert_eq!(terminals, 1, "{file}: exactly one terminal event");
            assert!(events.last().unwrap().is_terminal(), "{file}");
            if failed || recorded_stop.is_none() {
                assert!(
                    matches!(events.last(), Some(StreamEvent::Error(_))),
                    "{file}"
                );
                continue;
            }
            assert_eq!(name(&events[0]), "start", "{file}");
            // Every block that starts ends, once, before done (EVT-03).
            let mut open: std::collections::BTreeSet<u32> = Default::default();
            let mut streamed_text = String::new();
            for event in &events {
                match event {
                    StreamEvent::TextStart { index }
                    | StreamEvent::ThinkingStart { index }
                    | StreamEvent::ToolCallStart { index, .. } => {
                        assert!(open.insert(*index), "{file}: block {index} opened twice");
                    }
                    StreamEvent::TextEnd { index }
                    | StreamEvent::ThinkingEnd { index, .. }
                    | StreamEvent::ToolCallEnd { index, .. } => {
                        assert!(open.remove(index), "{file}: block {index} ended unopened");
                    }
                    StreamEvent::TextDelta { delta, .. } => streamed_text.push_str(delta),
                    _ => {}
                }
            }
            assert!(open.is_empty(), "{file}: blocks left open {open:?}");
            assert_eq!(streamed_text, expected_text, "{file}: text preserved");
            let summary = done(&events);
            assert_eq!(
                summary
                    .provider_stop_reason
                    .clone()
                    .into_option()
                    .map(|s| s.to_string()),
                recorded_stop,
                "{file}"
            );
            if let Some(input) = expected_usage {
                assert_eq!(summary.usage.input, input, "{file}: usage");
                assert!(names(&events).contains(&"usage"), "{file}");
            }
            for (_, _, arguments) in tool_ends(&events) {
                assert!(
                    serde_json::from_str::<Map<String, Value>>(&arguments).is_ok(),
                    "{file}: arguments {arguments}"
                );
            }
            if file.starts_with("test_bedrock_model_code_execution_tool_stream") {
                // The server tool and its result are Bedrock's; only final_result reaches the host.
                let ends = tool_ends(&events);
                assert_eq!(ends.len(), 1, "{file}");
                assert_eq!(
                    ends[0].2, "{\"result\":7006652.0}",
                    "{file}: number text kept"
                );
                assert_eq!(stop_reason(summary), StopReason::ToolUse);
            }
            if file.starts_with("test_bedrock_model_thinking_part_redacted_stream") {
                let redacted_ends = events
                    .iter()
                    .filter(|e| matches!(e, StreamEvent::ThinkingEnd { redacted: true, .. }))
                    .count();
                assert_eq!(redacted_ends, 2, "{file}");
            }
        }
        eprintln!("mapped {} recorded streams", files.len());
    }
}
