//! BR-95: a request sent with Converse (non-streaming) and its answer replayed as the
//! ConverseStream events it would have streamed, so the same mapper produces the same host
//! events (text, tool calls with complete arguments, usage, stop reason).
//!
//! Some models (Llama, DeepSeek) reject tools on ConverseStream (`This model doesn't support
//! tool use in streaming mode.`) but answer them through Converse.

use std::collections::VecDeque;
use std::future::Future;

use aws_sdk_bedrockruntime::operation::converse::ConverseOutput;
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ContentBlockDelta, ContentBlockDeltaEvent, ContentBlockStart,
    ContentBlockStartEvent, ContentBlockStopEvent, ConversationRole, ConverseOutput as Reply,
    ConverseStreamMetadataEvent, ConverseStreamMetrics, ConverseStreamOutput, ConverseStreamTrace,
    GuardrailConfiguration, GuardrailStreamConfiguration, MessageStartEvent, MessageStopEvent,
    ReasoningContentBlock, ReasoningContentBlockDelta, ToolUseBlockDelta, ToolUseBlockStart,
};

use super::read::EventSource;
use crate::converse::request::tools::document_to_json;
use crate::converse::response::citations;
use crate::error::BedrockError;

/// BR-95: the `reason` and `detail` of the retry notice before the Converse resend.
pub(crate) const DOWNGRADE_REASON: &str = "capability";
pub(crate) const DOWNGRADE_DETAIL: &str = "model does not stream tool use; using Converse";

/// The exact ValidationException text of a model that cannot stream tool use.
const NO_STREAMING_TOOL_USE: &str = "doesn't support tool use in streaming mode";

/// BR-95: the failure that makes a request with tools go through Converse.
pub(crate) fn rejects_streaming_tool_use(error: &BedrockError) -> bool {
    error
        .exception()
        .filter(|exception| exception.name == "ValidationException")
        .is_some_and(|exception| exception.text().contains(NO_STREAMING_TOOL_USE))
}

/// Converse takes the same guardrail without the stream-only processing mode.
pub(crate) fn guardrail(stream: GuardrailStreamConfiguration) -> GuardrailConfiguration {
    GuardrailConfiguration::builder()
        .set_guardrail_identifier(Some(stream.guardrail_identifier))
        .set_guardrail_version(Some(stream.guardrail_version))
        .set_trace(Some(stream.trace))
        .build()
}

/// A replayed answer: its events in stream order, then the clean end.
pub(crate) struct Replayed(VecDeque<ConverseStreamOutput>);

impl EventSource for Replayed {
    fn next_event(
        &mut self,
    ) -> impl Future<Output = Result<Option<ConverseStreamOutput>, BedrockError>> + Send {
        std::future::ready(Ok(self.0.pop_front()))
    }
}

/// The stream events of a Converse answer: `messageStart`, each content block as
/// start / delta(s) / stop at its index, `messageStop`, then `metadata`.
pub(crate) fn replay(output: ConverseOutput) -> Replayed {
    let mut events = VecDeque::new();
    let role = match &output.output {
        Some(Reply::Message(message)) => message.role.clone(),
        _ => ConversationRole::Assistant,
    };
    events.extend(
        MessageStartEvent::builder()
            .role(role)
            .build()
            .ok()
            .map(ConverseStreamOutput::MessageStart),
    );
    if let Some(Reply::Message(message)) = output.output {
        for (index, block) in message.content.into_iter().enumerate() {
            let index = i32::try_from(index).unwrap_or(i32::MAX);
            replay_block(index, block, &mut events);
        }
    }
    events.extend(
        MessageStopEvent::builder()
            .stop_reason(output.stop_reason)
            .set_additional_model_response_fields(output.additional_model_response_fields)
            .build()
            .ok()
            .map(ConverseStreamOutput::MessageStop),
    );
    let metrics = output.metrics.and_then(|metrics| {
        ConverseStreamMetrics::builder()
            .latency_ms(metrics.latency_ms)
            .build()
            .ok()
    });
    let trace = output.trace.map(|trace| {
        ConverseStreamTrace::builder()
            .set_guardrail(trace.guardrail)
            .set_prompt_router(trace.prompt_router)
            .build()
    });
    events.push_back(ConverseStreamOutput::Metadata(
        ConverseStreamMetadataEvent::builder()
            .set_usage(output.usage)
            .set_metrics(metrics)
            .set_trace(trace)
            .set_performance_config(output.performance_config)
            .set_service_tier(output.service_tier)
            .build(),
    ));
    Replayed(events)
}

/// One content block as the stream would have sent it. Blocks the stream cannot carry
/// (images, documents) are skipped, as the mapper skips them in a stream.
fn replay_block(index: i32, block: ContentBlock, events: &mut VecDeque<ConverseStreamOutput>) {
    let delta = |delta: ContentBlockDelta| {
        ContentBlockDeltaEvent::builder()
            .content_block_index(index)
            .delta(delta)
            .build()
            .ok()
            .map(ConverseStreamOutput::ContentBlockDelta)
    };
    match block {
        ContentBlock::Text(text) => events.extend(delta(ContentBlockDelta::Text(text))),
        ContentBlock::ToolUse(tool_use) => {
            let start = ToolUseBlockStart::builder()
                .tool_use_id(tool_use.tool_use_id)
                .name(tool_use.name)
                .build()
                .ok()
                .and_then(|start| {
                    ContentBlockStartEvent::builder()
                        .content_block_index(index)
                        .start(ContentBlockStart::ToolUse(start))
                        .build()
                        .ok()
                });
            events.extend(start.map(ConverseStreamOutput::ContentBlockStart));
            let input = document_to_json(&tool_use.input).to_string();
            let fragment = ToolUseBlockDelta::builder().input(input).build().ok();
            events
                .extend(fragment.and_then(|fragment| delta(ContentBlockDelta::ToolUse(fragment))));
        }
        ContentBlock::ReasoningContent(ReasoningContentBlock::ReasoningText(reasoning)) => {
            events.extend(delta(ContentBlockDelta::ReasoningContent(
                ReasoningContentBlockDelta::Text(reasoning.text),
            )));
            if let Some(signature) = reasoning.signature {
                events.extend(delta(ContentBlockDelta::ReasoningContent(
                    ReasoningContentBlockDelta::Signature(signature),
                )));
            }
        }
        ContentBlock::ReasoningContent(ReasoningContentBlock::RedactedContent(bytes)) => {
            events.extend(delta(ContentBlockDelta::ReasoningContent(
                ReasoningContentBlockDelta::RedactedContent(bytes),
            )));
        }
        // BR-92: a Converse answer's cited text arrives as the deltas a stream would carry.
        ContentBlock::CitationsContent(cited) => {
            for cited_delta in citations::replay_deltas(cited) {
                events.extend(delta(cited_delta));
            }
        }
        _ => return,
    }
    events.extend(
        ContentBlockStopEvent::builder()
            .content_block_index(index)
            .build()
            .ok()
            .map(ConverseStreamOutput::ContentBlockStop),
    );
}
