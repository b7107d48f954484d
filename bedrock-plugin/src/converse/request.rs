//! Host chat request → ConverseStream input (REQ-*, MSG-*).
//!
//! Conversion never mutates the caller's request (REQ-06): it reads the FFI request and builds
//! fresh SDK values. Anything the plugin cannot send faithfully fails here, before any network
//! call, with a message naming the part at fault.

use aws_sdk_bedrockruntime::types::{
    ContentBlock, ConversationRole, InferenceConfiguration, Message, SystemContentBlock,
};
use plugin_api::chat::{AssistantBlock, ChatRequest, ContentPart, Message as HostMessage};
use plugin_api::error::{ErrorKind, PluginError};

/// The pieces of a ConverseStream input this module decides.
#[derive(Debug, Clone, PartialEq)]
pub struct ConverseInput {
    pub model_id: String,
    pub system: Vec<SystemContentBlock>,
    pub messages: Vec<Message>,
    pub inference_config: InferenceConfiguration,
}

fn invalid(message: impl Into<String>) -> PluginError {
    PluginError::new(ErrorKind::InvalidRequest, message)
}

fn build_error(what: &str, err: impl std::fmt::Display) -> PluginError {
    PluginError::new(
        ErrorKind::Internal,
        format!("cannot build Bedrock {what}: {err}"),
    )
}

/// Removes lone UTF-16 surrogates (MSG-02, MSG-11). Rust strings cannot hold them, so text
/// that reached us as valid UTF-8 is already clean; this is the single place to change if
/// the ABI ever carries raw UTF-16.
fn sanitize_text(text: &str) -> String {
    text.to_owned()
}

fn user_blocks(
    content: &[plugin_api::chat::ContentPart_NE],
) -> Result<Vec<ContentBlock>, PluginError> {
    let mut blocks = Vec::new();
    for part in content {
        match part.as_enum() {
            Ok(ContentPart::Text { text }) => {
                if !text.trim().is_empty() {
                    blocks.push(ContentBlock::Text(sanitize_text(text)));
                }
            }
            Ok(other) => {
                return Err(invalid(format!(
                    "Amazon Bedrock: {} content in user messages is not supported by this plugin version",
                    part_kind(other)
                )))
            }
            Err(_) => {
                return Err(invalid(
                    "Amazon Bedrock: a user message part is of a kind this plugin version does not know",
                ))
            }
        }
    }
    Ok(blocks)
}

fn part_kind(part: &ContentPart) -> &'static str {
    match part {
        ContentPart::Text { .. } => "text",
        ContentPart::Image { .. } => "image",
        ContentPart::Video { .. } => "video",
        ContentPart::Document { .. } => "document",
        ContentPart::Audio { .. } => "audio",
        _ => "unknown",
    }
}

fn assistant_blocks(
    content: &[plugin_api::chat::AssistantBlock_NE],
) -> Result<Vec<ContentBlock>, PluginError> {
    let mut blocks = Vec::new();
    for block in content {
        match block.as_enum() {
            Ok(AssistantBlock::Text { text }) => {
                if !text.trim().is_empty() {
                    blocks.push(ContentBlock::Text(text.to_string()));
                }
            }
            // Unsigned thinking is replayed as plain text (MSG-04 "no signature" rule).
            Ok(AssistantBlock::Thinking {
                thinking, redacted: false, signature,
            }) if signature.is_none() => {
                if !thinking.trim().is_empty() {
                    blocks.push(ContentBlock::Text(sanitize_text(thinking)));
                }
            }
            Ok(AssistantBlock::Thinking { .. }) => {
                return Err(invalid(
                    "Amazon Bedrock: replaying signed or redacted thinking is not supported by this plugin version",
                ))
            }
            Ok(AssistantBlock::ToolCall { .. }) => {
                return Err(invalid(
                    "Amazon Bedrock: replaying tool calls is not supported by this plugin version",
                ))
            }
            Ok(_) | Err(_) => {
                return Err(invalid(
                    "Amazon Bedrock: an assistant block is of a kind this plugin version does not know",
                ))
            }
        }
    }
    Ok(blocks)
}

fn push_merged(
    messages: &mut Vec<Message>,
    role: ConversationRole,
    blocks: Vec<ContentBlock>,
) -> Result<(), PluginError> {
    if blocks.is_empty() {
        return Ok(());
    }
    // Bedrock requires alternating roles: merge consecutive same-role turns (MSG-09).
    if let Some(last) = messages.last_mut() {
        if *last.role() == role {
            let mut content = last.content().to_vec();
            content.extend(blocks);
            *last = Message::builder()
                .role(role)
                .set_content(Some(content))
                .build()
                .map_err(|err| build_error("message", err))?;
            return Ok(());
        }
    }
    messages.push(
        Message::builder()
            .role(role)
            .set_content(Some(blocks))
            .build()
            .map_err(|err| build_error("message", err))?,
    );
    Ok(())
}

/// Builds the ConverseStream input for a request.
pub fn build(request: &ChatRequest) -> Result<ConverseInput, PluginError> {
    let mut messages = Vec::new();
    for message in request.messages.iter() {
        match message.as_enum() {
            Ok(HostMessage::User { content, .. }) => {
                push_merged(&mut messages, ConversationRole::User, user_blocks(content)?)?
            }
            Ok(HostMessage::Assistant { content, .. }) => push_merged(
                &mut messages,
                ConversationRole::Assistant,
                assistant_blocks(content)?,
            )?,
            Ok(HostMessage::ToolResult { .. }) => {
                return Err(invalid(
                    "Amazon Bedrock: tool results are not supported by this plugin version",
                ))
            }
            Ok(_) | Err(_) => {
                return Err(invalid(
                    "Amazon Bedrock: a message is of a kind this plugin version does not know",
                ))
            }
        }
    }
    // MSG-13: never repair a history that starts with the assistant.
    match messages.first() {
        Some(first) if *first.role() == ConversationRole::User => {}
        Some(_) => {
            return Err(invalid(
                "Amazon Bedrock requires the conversation to start with a user message",
            ))
        }
        None => return Err(invalid("Amazon Bedrock request has no message to send")),
    }

    // REQ-01: no system block for a missing or blank prompt (Bedrock rejects empty text).
    let system = request
        .system_prompt
        .as_ref()
        .map(|prompt| prompt.as_str())
        .filter(|prompt| !prompt.trim().is_empty())
        .map(|prompt| vec![SystemContentBlock::Text(sanitize_text(prompt))])
        .unwrap_or_default();

    Ok(ConverseInput {
        model_id: request.model.id.to_string(),
        system,
        messages,
        inference_config: inference_config(request),
    })
}

/// REQ-01/02/04/08: `{maxTokens?, temperature?, topP?, stopSequences?}`.
fn inference_config(request: &ChatRequest) -> InferenceConfiguration {
    let options = &request.options;
    let max_tokens = options
        .max_tokens
        .into_option()
        .or((request.model.max_tokens > 0).then_some(request.model.max_tokens))
        .map(|tokens| i32::try_from(tokens).unwrap_or(i32::MAX));
    let stop_sequences: Vec<String> = options
        .stop_sequences
        .iter()
        .filter(|sequence| !sequence.is_empty())
        .map(|sequence| sequence.to_string())
        .collect();
    InferenceConfiguration::builder()
        .set_max_tokens(max_tokens)
        .set_temperature(
            options
                .temperature
                .into_option()
                .map(|value| clamp_sampling("temperature", &request.model.id, value)),
        )
        .set_top_p(
            options
                .top_p
                .into_option()
                .map(|value| clamp_sampling("top_p", &request.model.id, value)),
        )
        .set_stop_sequences((!stop_sequences.is_empty()).then_some(stop_sequences))
        .build()
}

/// REQ-08: values outside [0, 1] are clamped, with one warning per model and parameter.
fn clamp_sampling(parameter: &str, model_id: &str, value: f64) -> f32 {
    use std::collections::HashSet;
    use std::sync::Mutex;
    static WARNED: Mutex<Option<HashSet<(String, String)>>> = Mutex::new(None);
    let clamped = value.clamp(0.0, 1.0);
    if clamped != value {
        let mut warned = WARNED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if warned
            .get_or_insert_with(HashSet::new)
            .insert((model_id.to_owned(), parameter.to_owned()))
        {
            tracing::warn!(
                "Amazon Bedrock: {parameter} {value} is outside [0, 1]; using {clamped}"
            );
        }
    }
    clamped as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use plugin_api::abi_stable::std_types::{ROption, RString, RVec};
    use plugin_api::chat::{AssistantBlock_NE, AssistantOrigin, ChatOptions, Message_NE};
    use plugin_api::model::ModelDefinition;

    fn request(messages: Vec<Message_NE>) -> ChatRequest {
        ChatRequest {
            model: ModelDefinition::new(
                "amazon.nova-micro-v1:0",
                "amazon-bedrock",
                "bedrock-converse-stream",
            ),
            system_prompt: ROption::RNone,
            messages: RVec::from(messages),
            tools: RVec::new(),
            options: ChatOptions::default(),
        }
    }

    fn assistant_text(text: &str) -> Message_NE {
        Message_NE::new(HostMessage::Assistant {
            content: RVec::from(vec![AssistantBlock_NE::new(AssistantBlock::Text {
                text: text.into(),
            })]),
            origin: AssistantOrigin {
                provider: "amazon-bedrock".into(),
                api: "bedrock-converse-stream".into(),
                model: "amazon.nova-micro-v1:0".into(),
                stop_reason: ROption::RNone,
            },
            runtime_context: false,
        })
    }

    #[test]
    fn msg_13_history_starting_with_assistant_is_rejected() {
        let error = build(&request(vec![
            assistant_text("Hello"),
            HostMessage::user_text("Hi"),
        ]))
        .expect_err("rejected");
        assert_eq!(
            error.message.as_str(),
            "Amazon Bedrock requires the conversation to start with a user message"
        );
    }

    #[test]
    fn msg_09_consecutive_same_role_messages_merge() {
        let input = build(&request(vec![
            HostMessage::user_text("a"),
            HostMessage::user_text("b"),
            assistant_text("c"),
        ]))
        .expect("valid");
        assert_eq!(input.messages.len(), 2);
        assert_eq!(input.messages[0].content().len(), 2);
    }

    #[test]
    fn req_01_blank_system_prompt_is_absent() {
        let mut req = request(vec![HostMessage::user_text("hi")]);
        req.system_prompt = ROption::RSome(RString::from("  "));
        assert!(build(&req).expect("valid").system.is_empty());
        req.system_prompt = ROption::RSome(RString::from("Be brief."));
        assert_eq!(
            build(&req).expect("valid").system,
            vec![SystemContentBlock::Text("Be brief.".into())]
        );
    }

    #[test]
    fn req_02_04_08_inference_config_rules() {
        let mut req = request(vec![HostMessage::user_text("hi")]);
        req.model.max_tokens = 4096;
        req.options.temperature = ROption::RSome(1.5);
        req.options.top_p = ROption::RSome(-0.2);
        req.options.stop_sequences = RVec::from(vec![RString::from(""), RString::from("END")]);
        let config = build(&req).expect("valid").inference_config;
        assert_eq!(config.max_tokens(), Some(4096));
        assert_eq!(config.temperature(), Some(1.0));
        assert_eq!(config.top_p(), Some(0.0));
        assert_eq!(config.stop_sequences(), &["END".to_owned()]);
        req.options.max_tokens = ROption::RSome(8000);
        assert_eq!(
            build(&req).expect("valid").inference_config.max_tokens(),
            Some(8000)
        );
    }
}
