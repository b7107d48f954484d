//! Reading a (validated) Converse request: its messages and blocks, the words the usage rules count,
//! the last user turn the reply is derived from, and the inference limits.
//!
//! Every accessor treats a missing or mistyped field as empty, because validation has already rejected
//! what Bedrock rejects and the rest must not fail.

use serde_json::Value;

use super::text::words;

/// The array at `v`, or an empty slice.
pub(super) fn array(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

pub(super) fn messages(req: &Value) -> &[Value] {
    array(req.get("messages"))
}

fn content(message: &Value) -> &[Value] {
    array(message.get("content"))
}

/// The text of a text block, or of a `guardContent` text block (which the model reads as text too;
/// only the guardrail treats it differently).
fn block_text(block: &Value) -> Option<&str> {
    block.get("text").and_then(Value::as_str).or_else(|| {
        block
            .get("guardContent")
            .and_then(|g| g.get("text"))
            .and_then(|t| t.get("text"))
            .and_then(Value::as_str)
    })
}

/// The text of each text (or guarded text) block.
fn text_of_blocks(blocks: &[Value]) -> Vec<String> {
    blocks
        .iter()
        .filter_map(block_text)
        .map(str::to_string)
        .collect()
}

/// A tool result as text: its text blocks and compact JSON of its json blocks, joined by a space.
fn tool_result_text(tr: &Value) -> String {
    let mut parts = Vec::new();
    for c in array(tr.get("content")) {
        if let Some(t) = c.get("text").and_then(Value::as_str) {
            parts.push(t.to_string());
        } else if let Some(j) = c.get("json") {
            parts.push(j.to_string());
        }
    }
    parts.join(" ")
}

fn text_words(block: &Value) -> usize {
    block_text(block).map_or(0, words)
}

fn tool_result_words(block: &Value) -> usize {
    block
        .get("toolResult")
        .map_or(0, |tr| words(&tool_result_text(tr)))
}

fn reasoning_words(block: &Value) -> usize {
    block
        .get("reasoningContent")
        .and_then(|r| r.get("reasoningText"))
        .and_then(|r| r.get("text"))
        .and_then(Value::as_str)
        .map_or(0, words)
}

/// Words of all system + message text (text blocks, tool results, reasoning text).
pub(super) fn input_words(req: &Value) -> usize {
    let system: usize = array(req.get("system")).iter().map(text_words).sum();
    let messages: usize = messages(req)
        .iter()
        .flat_map(content)
        .map(block_words)
        .sum();
    system + messages
}

/// Every block a prompt-cache prefix covers, in Bedrock's order: tools, system, then each message's
/// content.
pub(super) fn prefix_blocks(req: &Value) -> impl Iterator<Item = &Value> {
    let tools = array(req.get("toolConfig").and_then(|t| t.get("tools")));
    tools
        .iter()
        .chain(array(req.get("system")))
        .chain(messages(req).iter().flat_map(content))
}

/// Input words a block counts for (text, tool-result text and reasoning text; tools count none).
pub(super) fn block_words(block: &Value) -> usize {
    text_words(block) + tool_result_words(block) + reasoning_words(block)
}

/// The last `user` message, which the reply answers.
pub(super) struct Turn {
    /// Its text blocks.
    pub(super) texts: Vec<String>,
    /// **T**: the text blocks joined with one space.
    pub(super) text: String,
    /// Its tool results as text.
    pub(super) tool_results: Vec<String>,
}

impl Turn {
    pub(super) fn last_user(req: &Value) -> Self {
        let blocks = messages(req)
            .iter()
            .rev()
            .find(|m| m.get("role").and_then(Value::as_str) == Some("user"))
            .map(content)
            .unwrap_or(&[]);
        let texts = text_of_blocks(blocks);
        Turn {
            text: texts.join(" "),
            texts,
            tool_results: blocks
                .iter()
                .filter_map(|b| b.get("toolResult").map(tool_result_text))
                .collect(),
        }
    }

    /// The whitespace-separated words of T.
    pub(super) fn words(&self) -> impl Iterator<Item = &str> {
        self.text.split_whitespace()
    }

    pub(super) fn has_word(&self, word: &str) -> bool {
        self.words().any(|w| w == word)
    }

    /// The argument of the first `PREFIX…` word of T (e.g. `!long=` → `"5"`).
    pub(super) fn directive(&self, prefix: &str) -> Option<&str> {
        self.words().find_map(|w| w.strip_prefix(prefix))
    }
}

/// `inferenceConfig.maxTokens`.
pub(super) fn max_tokens(req: &Value) -> Option<usize> {
    req.get("inferenceConfig")
        .and_then(|c| c.get("maxTokens"))
        .and_then(Value::as_u64)
        .map(|n| n as usize)
}

/// `inferenceConfig.stopSequences`, without empty entries.
pub(super) fn stop_sequences(req: &Value) -> Vec<String> {
    array(
        req.get("inferenceConfig")
            .and_then(|c| c.get("stopSequences")),
    )
    .iter()
    .filter_map(|s| s.as_str().map(str::to_string))
    .filter(|s| !s.is_empty())
    .collect()
}
