//! Rules about the conversation as a whole, after each message passed on its own: it starts with a
//! user message and alternates roles; tool blocks need a `toolConfig`; each user turn answers
//! exactly the tool uses of the assistant turn before it (by id); and models that cannot mix tool
//! results with other content in one user turn say so.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::catalog::FoundationModel;
use crate::error::{ApiError, MODEL_ERRORS};

/// H: the first message is not `user`.
pub(crate) const START_WITH_USER: &str = "A conversation must start with a user message. Try again with a conversation that starts with a user message.";
/// H: two messages in a row with the same role.
pub(crate) const ALTERNATE: &str = "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.";
/// H: tool blocks in the history without a `toolConfig`.
pub(crate) const TOOL_CONFIG_REQUIRED: &str =
    "The toolConfig field must be defined when using toolUse and toolResult content blocks.";

type Checked = Result<(), ApiError>;

fn role(m: &Value) -> &str {
    m.get("role").and_then(Value::as_str).unwrap_or_default()
}

fn content(m: &Value) -> &[Value] {
    m.get("content")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// The ids of the blocks of `kind` (`toolUse` / `toolResult`) in a message.
fn ids<'a>(m: &'a Value, kind: &str) -> Vec<&'a str> {
    content(m)
        .iter()
        .filter_map(|b| b.get(kind))
        .filter_map(|t| t.get("toolUseId").and_then(Value::as_str))
        .collect()
}

/// Check the conversation rules of `messages` (already checked one by one).
pub(super) fn check(messages: &[Value], has_tool_config: bool, model: &FoundationModel) -> Checked {
    check_roles(messages)?;
    if !has_tool_config && messages.iter().any(has_tool_blocks) {
        return Err(ApiError::validation(TOOL_CONFIG_REQUIRED));
    }
    for (i, pair) in messages.windows(2).enumerate() {
        if role(&pair[1]) == "user" {
            check_results(i + 1, &pair[0], &pair[1])?;
        }
    }
    if let Some(first) = messages.first() {
        check_results(0, &Value::Null, first)?;
    }
    if !model.traits.tool_results_with_text {
        check_no_mixing(messages)?;
    }
    Ok(())
}

fn check_roles(messages: &[Value]) -> Checked {
    if messages.first().is_some_and(|m| role(m) != "user") {
        return Err(ApiError::validation(START_WITH_USER));
    }
    if messages.windows(2).any(|w| role(&w[0]) == role(&w[1])) {
        return Err(ApiError::validation(ALTERNATE));
    }
    Ok(())
}

fn has_tool_blocks(m: &Value) -> bool {
    content(m)
        .iter()
        .any(|b| b.get("toolUse").is_some() || b.get("toolResult").is_some())
}

/// User message `i` answers the tool uses of `previous` (Null for the first message): no more
/// results than uses, each result naming a use, and every use answered.
fn check_results(i: usize, previous: &Value, user: &Value) -> Checked {
    let uses = ids(previous, "toolUse");
    let results = ids(user, "toolResult");
    if results.len() > uses.len() {
        // H.
        return Err(ApiError::validation(format!(
            "The number of toolResult blocks at messages.{i}.content exceeds the number of toolUse blocks of previous turn."
        )));
    }
    if let Some(j) = content(user).iter().position(|b| {
        b.get("toolResult")
            .and_then(|t| t.get("toolUseId"))
            .and_then(Value::as_str)
            .is_some_and(|id| !uses.contains(&id))
    }) {
        let id = ids(user, "toolResult")
            .into_iter()
            .find(|id| !uses.contains(id))
            .unwrap_or_default();
        // M: Anthropic's text, passed through by Converse.
        return Err(ApiError::validation(format!(
            "{MODEL_ERRORS}messages.{i}.content.{j}: unexpected `tool_use_id` found in `tool_result` blocks: {id}. Each `tool_result` block must have a corresponding `tool_use` block in the previous message."
        )));
    }
    let answered: BTreeSet<&str> = results.into_iter().collect();
    let missing: Vec<&str> = uses.into_iter().filter(|u| !answered.contains(u)).collect();
    if !missing.is_empty() {
        // H.
        return Err(ApiError::validation(format!(
            "Expected toolResult blocks at messages.{i}.content for the following Ids: {}",
            missing.join(", ")
        )));
    }
    Ok(())
}

/// M (strands-agents/harness-sdk#1223, Llama 4; 0-based index): a user turn with tool results
/// and any other content block.
fn check_no_mixing(messages: &[Value]) -> Checked {
    for (i, m) in messages.iter().enumerate() {
        let blocks = content(m);
        let results = blocks.iter().any(|b| b.get("toolResult").is_some());
        let other = blocks
            .iter()
            .any(|b| b.get("toolResult").is_none() && b.get("cachePoint").is_none());
        if role(m) == "user" && results && other {
            return Err(ApiError::validation(format!(
                "messages.{i}.content: Conversation blocks and tool result blocks cannot be provided in the same turn."
            )));
        }
    }
    Ok(())
}
