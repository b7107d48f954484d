//! The conversation `chat` keeps across turns (tool-result rounds, the REPL): the assistant
//! message rebuilt from a response's events, so it can be replayed with its thinking
//! signatures and tool calls intact.

use std::collections::BTreeMap;

use abi_stable::std_types::{ROption, RString, RVec};
use plugin_api::chat::{
    AssistantBlock, AssistantBlock_NE, AssistantOrigin, ContentPart, ContentPart_NE, Message,
    Message_NE,
};
use plugin_api::event::{StopReason, StopReason_NE, StreamEvent};

use crate::cli::PLUGIN_ID;

/// A tool call the model made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    pub arguments_json: String,
}

#[derive(Debug)]
enum Block {
    Text(String),
    Thinking {
        text: String,
        signature: String,
        redacted: bool,
        data: String,
    },
    Tool(ToolCall),
}

/// Collects one response's blocks by their `contentBlockIndex`.
#[derive(Debug, Default)]
pub struct Collector {
    blocks: BTreeMap<u32, Block>,
}

fn thinking(blocks: &mut BTreeMap<u32, Block>, index: u32) -> Option<&mut Block> {
    let block = blocks.entry(index).or_insert_with(|| Block::Thinking {
        text: String::new(),
        signature: String::new(),
        redacted: false,
        data: String::new(),
    });
    matches!(block, Block::Thinking { .. }).then_some(block)
}

impl Collector {
    pub fn event(&mut self, event: &StreamEvent) {
        match event {
            StreamEvent::TextDelta { index, delta } => {
                if let Block::Text(text) = self
                    .blocks
                    .entry(*index)
                    .or_insert_with(|| Block::Text(String::new()))
                {
                    text.push_str(delta);
                }
            }
            StreamEvent::ThinkingDelta { index, delta } => {
                if let Some(Block::Thinking { text, .. }) = thinking(&mut self.blocks, *index) {
                    text.push_str(delta);
                }
            }
            StreamEvent::ThinkingSignature {
                index,
                signature: fragment,
            } => {
                if let Some(Block::Thinking { signature, .. }) = thinking(&mut self.blocks, *index)
                {
                    signature.push_str(fragment);
                }
            }
            StreamEvent::ThinkingRedacted {
                index,
                data: fragment,
            } => {
                if let Some(Block::Thinking { redacted, data, .. }) =
                    thinking(&mut self.blocks, *index)
                {
                    *redacted = true;
                    data.push_str(fragment);
                }
            }
            StreamEvent::ThinkingEnd {
                index,
                signature: complete,
                redacted: was_redacted,
            } => {
                if let Some(Block::Thinking {
                    signature,
                    redacted,
                    ..
                }) = thinking(&mut self.blocks, *index)
                {
                    if let Some(complete) = complete.as_ref().into_option() {
                        *signature = complete.to_string();
                    }
                    *redacted |= *was_redacted;
                }
            }
            StreamEvent::ToolCallEnd {
                index,
                id,
                name,
                arguments_json,
            } => {
                self.blocks.insert(
                    *index,
                    Block::Tool(ToolCall {
                        id: id.to_string(),
                        name: name.to_string(),
                        arguments_json: arguments_json.to_string(),
                    }),
                );
            }
            _ => {}
        }
    }

    /// The tool calls, in block order.
    pub fn tool_calls(&self) -> Vec<ToolCall> {
        self.blocks
            .values()
            .filter_map(|block| match block {
                Block::Tool(call) => Some(call.clone()),
                _ => None,
            })
            .collect()
    }

    /// The assistant message to replay on the next turn.
    pub fn message(&self, model: &str, api: &str, stop: Option<StopReason>) -> Message_NE {
        let content: Vec<AssistantBlock_NE> = self
            .blocks
            .values()
            .filter_map(|block| {
                Some(AssistantBlock_NE::new(match block {
                    Block::Text(text) if text.is_empty() => return None,
                    Block::Text(text) => AssistantBlock::Text {
                        text: text.as_str().into(),
                    },
                    Block::Thinking {
                        text,
                        signature,
                        redacted,
                        data,
                    } => {
                        // Redacted blocks replay their bytes as the signature (MSG-04).
                        let signature = if *redacted && signature.is_empty() {
                            data.clone()
                        } else {
                            signature.clone()
                        };
                        AssistantBlock::Thinking {
                            thinking: text.as_str().into(),
                            signature: if signature.is_empty() {
                                ROption::RNone
                            } else {
                                ROption::RSome(signature.into())
                            },
                            redacted: *redacted,
                        }
                    }
                    Block::Tool(call) => AssistantBlock::ToolCall {
                        id: call.id.as_str().into(),
                        name: call.name.as_str().into(),
                        arguments_json: call.arguments_json.as_str().into(),
                    },
                }))
            })
            .collect();
        Message_NE::new(Message::Assistant {
            content: RVec::from(content),
            origin: AssistantOrigin {
                provider: PLUGIN_ID.into(),
                api: api.into(),
                model: model.into(),
                stop_reason: stop.map(StopReason_NE::new).into(),
            },
            runtime_context: false,
        })
    }
}

/// The result of a tool call, as the next user turn.
pub fn tool_result(call: &ToolCall, content: &str) -> Message_NE {
    Message_NE::new(Message::ToolResult {
        tool_call_id: call.id.as_str().into(),
        tool_name: call.name.as_str().into(),
        content: RVec::from(vec![ContentPart_NE::new(ContentPart::Text {
            text: RString::from(content),
        })]),
        is_error: false,
        runtime_context: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebuilds_thinking_text_and_tool_calls_in_block_order() {
        let mut collector = Collector::default();
        for event in [
            StreamEvent::ThinkingDelta {
                index: 0,
                delta: "Let me ".into(),
            },
            StreamEvent::ThinkingDelta {
                index: 0,
                delta: "think".into(),
            },
            StreamEvent::ThinkingSignature {
                index: 0,
                signature: "si".into(),
            },
            StreamEvent::ThinkingEnd {
                index: 0,
                signature: ROption::RSome("sig".into()),
                redacted: false,
            },
            StreamEvent::TextDelta {
                index: 1,
                delta: "Checking.".into(),
            },
            StreamEvent::ToolCallEnd {
                index: 2,
                id: "t1".into(),
                name: "get_weather".into(),
                arguments_json: "{\"city\":\"Paris\"}".into(),
            },
        ] {
            collector.event(&event);
        }
        assert_eq!(
            collector.tool_calls(),
            [ToolCall {
                id: "t1".into(),
                name: "get_weather".into(),
                arguments_json: "{\"city\":\"Paris\"}".into()
            }]
        );
        let message = collector.message("m", "bedrock-converse-stream", Some(StopReason::ToolUse));
        let Ok(Message::Assistant {
            content, origin, ..
        }) = message.as_enum()
        else {
            panic!("not an assistant message");
        };
        assert_eq!(origin.model.as_str(), "m");
        let blocks: Vec<&AssistantBlock> = content.iter().map(|b| b.as_enum().unwrap()).collect();
        assert_eq!(
            blocks[0],
            &AssistantBlock::Thinking {
                thinking: "Let me think".into(),
                signature: ROption::RSome("sig".into()),
                redacted: false
            }
        );
        assert_eq!(
            blocks[1],
            &AssistantBlock::Text {
                text: "Checking.".into()
            }
        );
        assert!(
            matches!(blocks[2], AssistantBlock::ToolCall { name, .. } if name.as_str() == "get_weather")
        );
    }

    #[test]
    fn redacted_blocks_replay_their_data() {
        let mut collector = Collector::default();
        collector.event(&StreamEvent::ThinkingRedacted {
            index: 0,
            data: "ZGF0YQ==".into(),
        });
        collector.event(&StreamEvent::ThinkingEnd {
            index: 0,
            signature: ROption::RNone,
            redacted: true,
        });
        let message = collector.message("m", "api", None);
        let Ok(Message::Assistant { content, .. }) = message.as_enum() else {
            panic!();
        };
        assert_eq!(
            content[0].as_enum().unwrap(),
            &AssistantBlock::Thinking {
                thinking: "".into(),
                signature: ROption::RSome("ZGF0YQ==".into()),
                redacted: true
            }
        );
    }
}
