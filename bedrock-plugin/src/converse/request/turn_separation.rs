//! BR-96: tool-result turn separation. Some models reject a user turn that holds tool results
//! together with other content (`Conversation blocks and tool result blocks cannot be
//! provided in the same turn.`), which MSG-09 creates when it merges the user's text into the
//! turn carrying the results. The resend splits such a turn into the results, an assistant
//! turn `Tool result received.`, and the rest, so the conversation keeps alternating roles.
//!
//! It works on the built input, never on the host's history (REQ-06).

use aws_sdk_bedrockruntime::types::{ContentBlock, ConversationRole, Message};

/// The assistant turn placed between a turn's tool results and its other content.
pub const SEPARATOR_TEXT: &str = "Tool result received.";

/// Which part of a split turn a block goes to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Results,
    Rest,
}

/// Splits every user message holding both tool results and other content (text, images,
/// documents …) into `[user: results] [assistant: Tool result received.] [user: the rest]`,
/// keeping the order of blocks within each part; a cache point stays with the block it
/// follows. Returns whether any message was split.
pub fn separate_tool_result_turns(messages: &mut Vec<Message>) -> bool {
    let mut changed = false;
    let mut separated = Vec::with_capacity(messages.len());
    for message in std::mem::take(messages) {
        match split(&message) {
            Some((results, rest)) => {
                changed = true;
                separated.push(with_content(ConversationRole::User, results, &message));
                separated.push(with_content(
                    ConversationRole::Assistant,
                    vec![ContentBlock::Text(SEPARATOR_TEXT.to_owned())],
                    &message,
                ));
                separated.push(with_content(ConversationRole::User, rest, &message));
            }
            None => separated.push(message),
        }
    }
    *messages = separated;
    changed
}

/// The two parts of a user message that mixes tool results with other content, else `None`.
fn split(message: &Message) -> Option<(Vec<ContentBlock>, Vec<ContentBlock>)> {
    if message.role != ConversationRole::User {
        return None;
    }
    let mut results = Vec::new();
    let mut rest = Vec::new();
    let mut previous = Part::Results;
    for block in &message.content {
        let part = match block {
            ContentBlock::ToolResult(_) => Part::Results,
            ContentBlock::CachePoint(_) => previous,
            _ => Part::Rest,
        };
        previous = part;
        match part {
            Part::Results => results.push(block.clone()),
            Part::Rest => rest.push(block.clone()),
        }
    }
    let has_result = results
        .iter()
        .any(|block| matches!(block, ContentBlock::ToolResult(_)));
    let has_other = rest
        .iter()
        .any(|block| !matches!(block, ContentBlock::CachePoint(_)));
    (has_result && has_other).then_some((results, rest))
}

/// `original` with another role and content (the SDK's builder would make this fallible for a
/// role and content that are always set).
fn with_content(role: ConversationRole, content: Vec<ContentBlock>, original: &Message) -> Message {
    let mut message = original.clone();
    message.role = role;
    message.content = content;
    message
}

#[cfg(test)]
mod tests;
