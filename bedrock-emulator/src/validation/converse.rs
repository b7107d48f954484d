//! Validation of a Converse / ConverseStream body against the model it resolved to, in the order
//! Bedrock reports problems: model capability, messages and their blocks, tools, cache points
//! ([`cache`]), guardrail, service tier, inference parameters. The first failure is the answer.

use serde_json::{Map, Value};

use super::cache;
use super::model_rules::{
    claude_output_limit, is_claude, temperature_deprecated, temperature_top_p_exclusive,
    tier_supported,
};
use crate::catalog::FoundationModel;
use crate::error::{ApiError, MALFORMED, MODEL_ERRORS};

/// 5 (H): a service tier the model does not offer.
pub(crate) const TIER_UNSUPPORTED: &str =
    "The provided service tier is not supported for this model.";
/// Not in real-error-messages.md (L for the status and type, taken as 400 ValidationException);
/// the text is the one Bedrock users report for Converse on an embedding or image model.
pub(crate) const NOT_A_CHAT_MODEL: &str = "This action doesn't support the model that you provided. Try again with a supported text or chat model.";
/// 2 (H).
pub(crate) const NO_STREAMING: &str = "The model is unsupported for streaming.";
/// real-error-messages.md 2b (M): ConverseStream with tools on a model whose streaming lacks
/// tool use (Llama, DeepSeek).
pub(crate) const NO_STREAMING_TOOL_USE: &str =
    "This model doesn't support tool use in streaming mode.";

type Checked = Result<(), ApiError>;

/// Validate a Converse / ConverseStream body (already parsed) for `model`.
pub(crate) fn converse(req: &Value, model: &FoundationModel, stream: bool) -> Checked {
    let Some(obj) = req.as_object() else {
        return Err(ApiError::validation(MALFORMED));
    };
    check_model(model, stream)?;
    if stream {
        check_streaming_tool_use(obj, model)?;
    }
    check_messages(obj)?;
    check_history(obj, model)?;
    if let Some(tools) = obj.get("toolConfig") {
        check_tools(tools)?;
    }
    cache::check(req, model)?;
    if !stream {
        check_guardrail_for_converse(obj)?;
    }
    if let Some(tier) = obj.get("serviceTier") {
        check_service_tier(tier, model)?;
    }
    if let Some(performance) = obj.get("performanceConfig") {
        check_performance(performance)?;
    }
    if let Some(cfg) = obj.get("inferenceConfig") {
        check_inference_config(cfg, model)?;
    }
    Ok(())
}

/// Converse needs a text model, ConverseStream one that streams.
fn check_model(model: &FoundationModel, stream: bool) -> Checked {
    if !model.output_modalities.iter().any(|m| m == "TEXT") {
        return Err(ApiError::validation(NOT_A_CHAT_MODEL));
    }
    if stream && !model.streaming {
        return Err(ApiError::validation(NO_STREAMING));
    }
    Ok(())
}

/// ConverseStream with a tool configuration on a model that cannot stream tool use.
fn check_streaming_tool_use(obj: &Map<String, Value>, model: &FoundationModel) -> Checked {
    if obj.contains_key("toolConfig") && !super::model_rules::streams_tool_use(&model.model_id) {
        return Err(ApiError::validation(NO_STREAMING_TOOL_USE));
    }
    Ok(())
}

/// `fields` of `value` must be present and not null; `path(field)` names a missing one.
fn require(value: &Value, fields: &[&str], path: impl Fn(&str) -> String) -> Checked {
    match fields
        .iter()
        .find(|field| value.get(**field).is_none_or(Value::is_null))
    {
        Some(field) => Err(ApiError::not_null(&path(field))),
        None => Ok(()),
    }
}

fn check_messages(obj: &Map<String, Value>) -> Checked {
    let messages = match obj.get("messages") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(a)) => a.as_slice(),
        Some(_) => return Err(ApiError::validation(MALFORMED)),
    };
    if messages.is_empty() {
        return Err(ApiError::validation(
            "A conversation must start with a user message. Try again with a conversation that starts with a user message.",
        ));
    }
    messages
        .iter()
        .enumerate()
        .try_for_each(|(i, m)| check_message(i, m))
}

/// Message `i` (0-based; Bedrock's paths count from 1): a known role and non-empty content.
fn check_message(i: usize, m: &Value) -> Checked {
    let member = |field: &str| format!("messages.{}.member.{field}", i + 1);
    let role = match m.get("role") {
        Some(Value::String(r)) => r.as_str(),
        _ => return Err(ApiError::not_null(&member("role"))),
    };
    if role != "user" && role != "assistant" {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '{role}' at '{}' failed to satisfy constraint: Member must satisfy enum value set: [user, assistant]",
            member("role")
        )));
    }
    let content = match m.get("content") {
        Some(Value::Array(c)) => c,
        _ => return Err(ApiError::not_null(&member("content"))),
    };
    if content.is_empty() {
        return Err(ApiError::validation(format!(
            "The content field in the Message object at messages.{i} is empty. Add a ContentBlock object to the content field and try again."
        )));
    }
    content.iter().enumerate().try_for_each(|(j, block)| {
        check_block(role, block, |rest| {
            member(&format!("content.{}.member.{rest}", j + 1))
        })
    })
}

/// One content block of a message with `role`; `member(rest)` is the block's path + `rest`.
fn check_block(role: &str, block: &Value, member: impl Fn(&str) -> String) -> Checked {
    let Some(b) = block.as_object() else {
        return Err(ApiError::validation(MALFORMED));
    };
    if role == "user" && b.contains_key("reasoningContent") {
        return Err(ApiError::validation(
            "User messages cannot contain reasoning content. Please remove the reasoning content and try again.",
        ));
    }
    if let Some(tu) = b.get("toolUse") {
        require(tu, &["toolUseId", "name", "input"], |f| {
            member(&format!("toolUse.{f}"))
        })?;
    }
    if let Some(tr) = b.get("toolResult") {
        require(tr, &["toolUseId", "content"], |f| {
            member(&format!("toolResult.{f}"))
        })?;
    }
    if b.get("text").is_some_and(|t| !t.is_string()) {
        return Err(ApiError::validation(MALFORMED));
    }
    Ok(())
}

/// MSG-09 (H: langchain-aws#130/#192, dify#9294, semantic-kernel#10277).
pub(crate) const NOT_ALTERNATING: &str = "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.";
/// MSG-13 (the text the emulator already gives an empty `messages`).
pub(crate) const START_WITH_USER: &str = "A conversation must start with a user message. Try again with a conversation that starts with a user message.";
/// H: dify#7328 (`ValidationException: The toolConfig field must be defined when using toolUse
/// and toolResult content blocks.`).
pub(crate) const TOOL_CONFIG_REQUIRED: &str =
    "The toolConfig field must be defined when using toolUse and toolResult content blocks.";
/// MSG-12 (H: simonw/llm-bedrock#8, karthink/gptel#1427, vercel/ai#20365; Nova and Claude alike).
pub(crate) const DOCUMENT_NAME: &str = "The document file name can only contain alphanumeric characters, whitespace characters, hyphens, parentheses, and square brackets. The name can't contain more than one consecutive whitespace character. Check that the file name conforms to these restrictions and retry your request.";
/// The service model's `ToolName` pattern (botocore service-2.json); TOOL-05.
const TOOL_NAME_PATTERN: &str = "[a-zA-Z0-9_-]+";
/// The service model's `ToolUseId` pattern.
const TOOL_USE_ID_PATTERN: &str = "[a-zA-Z0-9_.:-]+";
/// Claude's per-image limit on the base64 text (5 MiB, i.e. 3.75 MiB of image bytes).
const CLAUDE_IMAGE_BASE64_LIMIT: usize = 5 * 1024 * 1024;

/// A string member with a length limit and a pattern, worded like Bedrock's (Coral) constraint
/// errors: `Value '<v>' at '<path>' failed to satisfy constraint: …` (pattern form H:
/// aws-samples/remote-swe-agents#457, openclaw/openclaw#12949). Only the first offending value is
/// reported (Bedrock lists every one; L for several).
fn constrained(value: &Value, path: &str, max: usize, pattern: &str) -> Checked {
    let Some(v) = value.as_str() else {
        return Ok(());
    };
    let allowed = |c: char| {
        c.is_ascii_alphanumeric()
            || c == '_'
            || c == '-'
            || (pattern.contains(".:") && ".:".contains(c))
    };
    let len = v.chars().count();
    let mut violations = Vec::new();
    if len < 1 {
        violations.push("Member must have length greater than or equal to 1".to_owned());
    }
    if len > max {
        violations.push(format!(
            "Member must have length less than or equal to {max}"
        ));
    }
    if len < 1 || !v.chars().all(allowed) {
        violations.push(format!(
            "Member must satisfy regular expression pattern: {pattern}"
        ));
    }
    if violations.is_empty() {
        return Ok(());
    }
    let count = violations.len();
    let detail = violations
        .iter()
        .map(|c| format!("Value '{v}' at '{path}' failed to satisfy constraint: {c}"))
        .collect::<Vec<_>>()
        .join("; ");
    let plural = if count == 1 { "" } else { "s" };
    Err(ApiError::validation(format!(
        "{count} validation error{plural} detected: {detail}"
    )))
}

fn role(m: &Value) -> &str {
    m.get("role").and_then(Value::as_str).unwrap_or_default()
}

fn blocks(m: &Value) -> &[Value] {
    m.get("content")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The `toolUseId`s of `kind` (`toolUse` / `toolResult`) blocks of a message, in order.
fn tool_ids<'a>(m: &'a Value, kind: &str) -> Vec<&'a str> {
    blocks(m)
        .iter()
        .filter_map(|b| b.get(kind)?.get("toolUseId")?.as_str())
        .collect()
}

/// The rules across messages Bedrock enforces (after each message's own shape): member
/// constraints of tool names and ids, a user message first (MSG-13), alternating roles (MSG-09),
/// no blank text, tool blocks only with a `toolConfig`, every tool result answering a toolUse of
/// the turn before and every toolUse answered in the turn after (BR-70), document names (MSG-12)
/// and Claude's image size limit.
fn check_history(obj: &Map<String, Value>, model: &FoundationModel) -> Checked {
    let messages = obj
        .get("messages")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    for (i, m) in messages.iter().enumerate() {
        for (j, b) in blocks(m).iter().enumerate() {
            let member =
                |rest: &str| format!("messages.{}.member.content.{}.member.{rest}", i + 1, j + 1);
            if let Some(tu) = b.get("toolUse") {
                constrained(&tu["name"], &member("toolUse.name"), 64, TOOL_NAME_PATTERN)?;
                constrained(
                    &tu["toolUseId"],
                    &member("toolUse.toolUseId"),
                    64,
                    TOOL_USE_ID_PATTERN,
                )?;
            }
            if let Some(tr) = b.get("toolResult") {
                constrained(
                    &tr["toolUseId"],
                    &member("toolResult.toolUseId"),
                    64,
                    TOOL_USE_ID_PATTERN,
                )?;
            }
        }
    }
    if messages.first().is_some_and(|m| role(m) != "user") {
        return Err(ApiError::validation(START_WITH_USER));
    }
    if messages.windows(2).any(|w| role(&w[0]) == role(&w[1])) {
        return Err(ApiError::validation(NOT_ALTERNATING));
    }
    let claude = super::model_rules::is_claude(&model.model_id);
    for (i, m) in messages.iter().enumerate() {
        for (j, b) in blocks(m).iter().enumerate() {
            // H: aws-samples/bedrock-engineer#8 (`… at messages.15.content.0 is blank. …`). Only
            // an empty text: real Bedrock accepted `{"text": "\n"}` (the recorded pydantic-ai
            // cassette test_bedrock_cache_write_and_read).
            if b.get("text").and_then(Value::as_str) == Some("") {
                return Err(ApiError::validation(format!(
                    "The text field in the ContentBlock object at messages.{i}.content.{j} is blank. Add text to the text field, and try again."
                )));
            }
            if (b.get("toolUse").is_some() || b.get("toolResult").is_some())
                && !obj.contains_key("toolConfig")
            {
                return Err(ApiError::validation(TOOL_CONFIG_REQUIRED));
            }
            check_document_names(b)?;
            check_image_size(claude, b, i, j)?;
        }
    }
    check_tool_pairing(messages, claude)
}

/// BR-70 as Bedrock words it: more results than the previous turn's toolUse blocks (H:
/// OpenHands#4912, Curie#16, strands-agents/harness-sdk#1435), a toolUse without its result in
/// the next message (H: zeroclaw-labs/zeroclaw#1476 and many more; the `, ` between several
/// ids is L), and for Claude toolUse ids repeated in one message (Anthropic's wording, L).
fn check_tool_pairing(messages: &[Value], claude: bool) -> Checked {
    for (i, m) in messages.iter().enumerate() {
        let results = tool_ids(m, "toolResult");
        if !results.is_empty() {
            let uses = i
                .checked_sub(1)
                .map_or(0, |p| tool_ids(&messages[p], "toolUse").len());
            if results.len() > uses {
                return Err(ApiError::validation(format!(
                    "The number of toolResult blocks at messages.{i}.content exceeds the number of toolUse blocks of previous turn."
                )));
            }
        }
        let uses = tool_ids(m, "toolUse");
        if claude {
            if let Some(dup) = (1..uses.len()).find(|&k| uses[..k].contains(&uses[k])) {
                let j = blocks(m)
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| b.get("toolUse").is_some())
                    .nth(dup)
                    .map_or(0, |(j, _)| j);
                return Err(ApiError::validation(format!(
                    "{MODEL_ERRORS}messages.{i}.content.{j}: `tool_use` ids must be unique"
                )));
            }
        }
        // A trailing assistant turn with toolUse blocks is left to the model (no capture).
        let Some(next) = messages.get(i + 1) else {
            continue;
        };
        let answered = tool_ids(next, "toolResult");
        let mut missing: Vec<&str> = Vec::new();
        for id in uses {
            if !answered.contains(&id) && !missing.contains(&id) {
                missing.push(id);
            }
        }
        if !missing.is_empty() {
            return Err(ApiError::validation(format!(
                "Expected toolResult blocks at messages.{}.content for the following Ids: {}",
                i + 1,
                missing.join(", ")
            )));
        }
    }
    Ok(())
}

/// MSG-12: ASCII letters and digits, single spaces, `-`, `(`, `)`, `[`, `]` (and `_`, which
/// Bedrock accepts live, vercel/ai#20366), for documents in messages and in tool results.
fn check_document_names(block: &Value) -> Checked {
    let nested = block
        .get("toolResult")
        .and_then(|tr| tr.get("content"))
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    for b in std::iter::once(block).chain(nested) {
        let Some(name) = b
            .get("document")
            .and_then(|d| d.get("name"))
            .and_then(Value::as_str)
        else {
            continue;
        };
        let allowed = name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " -()[]_".contains(c));
        if name.is_empty() || name.chars().count() > 200 || !allowed || name.contains("  ") {
            return Err(ApiError::validation(DOCUMENT_NAME));
        }
    }
    Ok(())
}

/// Claude's 5 MB limit on an image's base64 text, passed through with Converse's prefix (M:
/// aws-solutions-library-samples/accelerated-intelligent-document-processing-on-aws#778,
/// Sonnet 4.6: `messages.0.content.2.image.source.bytes: image exceeds 5 MB maximum: 7167852
/// bytes > 5242880 bytes`; aws/aws-sdk-js-v3#6785). Other models document 3.75 MB of image
/// bytes, but no capture of their text exists (L), so they are not checked.
fn check_image_size(claude: bool, block: &Value, i: usize, j: usize) -> Checked {
    let Some(bytes) = block
        .get("image")
        .and_then(|img| img.get("source"))
        .and_then(|s| s.get("bytes"))
        .and_then(Value::as_str)
    else {
        return Ok(());
    };
    if claude && bytes.len() > CLAUDE_IMAGE_BASE64_LIMIT {
        return Err(ApiError::validation(format!(
            "{MODEL_ERRORS}messages.{i}.content.{j}.image.source.bytes: image exceeds 5 MB maximum: {} bytes > {CLAUDE_IMAGE_BASE64_LIMIT} bytes",
            bytes.len()
        )));
    }
    Ok(())
}

fn check_tools(tools: &Value) -> Checked {
    let Some(list) = tools.get("tools").and_then(Value::as_array) else {
        return Err(ApiError::not_null("toolConfig.tools"));
    };
    list.iter()
        .enumerate()
        .try_for_each(|(i, t)| match t.get("toolSpec") {
            Some(spec) => {
                let path = |f: &str| format!("toolConfig.tools.{}.member.toolSpec.{f}", i + 1);
                require(spec, &["name", "inputSchema"], path)?;
                constrained(&spec["name"], &path("name"), 64, TOOL_NAME_PATTERN)
            }
            None => Ok(()),
        })
}

/// `guardrailConfig.streamProcessingMode` exists only for ConverseStream. L (item 3): no public
/// capture of the server's answer; a generic 400 ValidationException is the guess.
fn check_guardrail_for_converse(obj: &Map<String, Value>) -> Checked {
    if obj
        .get("guardrailConfig")
        .is_some_and(|g| g.get("streamProcessingMode").is_some())
    {
        return Err(ApiError::validation(
            "1 validation error detected: Value at 'guardrailConfig.streamProcessingMode' failed to satisfy constraint: Member is not supported for the Converse operation",
        ));
    }
    Ok(())
}

/// real-error-messages.md 7: an invalid latency is an enum error (an unsupported `optimized` is not:
/// it is served as standard, see `converse/surface.rs`).
fn check_performance(performance: &Value) -> Checked {
    let Some(latency) = performance.get("latency").and_then(Value::as_str) else {
        return Err(ApiError::not_null("performanceConfig.latency"));
    };
    if !["optimized", "standard"].contains(&latency) {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '{latency}' at 'performanceConfig.latency' failed to satisfy constraint: Member must satisfy enum value set: [optimized, standard]"
        )));
    }
    Ok(())
}

fn check_service_tier(tier: &Value, model: &FoundationModel) -> Checked {
    let Some(t) = tier.get("type").and_then(Value::as_str) else {
        return Err(ApiError::not_null("serviceTier.type"));
    };
    if !["priority", "default", "flex", "reserved"].contains(&t) {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '{t}' at 'serviceTier.type' failed to satisfy constraint: Member must satisfy enum value set: [priority, default, flex, reserved]"
        )));
    }
    if !tier_supported(&model.model_id, t) {
        return Err(ApiError::validation(TIER_UNSUPPORTED));
    }
    Ok(())
}

/// `maxTokens` ≥ 1, and the Claude sampling-parameter rules.
fn check_inference_config(cfg: &Value, model: &FoundationModel) -> Checked {
    if !cfg.is_object() && !cfg.is_null() {
        return Err(ApiError::validation(MALFORMED));
    }
    if let Some(mt) = cfg.get("maxTokens") {
        if mt.as_i64().is_none_or(|n| n < 1) {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value '{mt}' at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1"
            )));
        }
        // Anthropic's own wording, wrapped like every Claude model error (the form users report,
        // and BR-05's example; not in real-error-messages.md, M).
        let requested = mt.as_u64().unwrap_or_default();
        if let Some((limit, name)) = claude_output_limit(&model.model_id) {
            if requested > limit {
                return Err(ApiError::validation(format!(
                    "{MODEL_ERRORS}max_tokens: {requested} > {limit}, which is the maximum allowed number of output tokens for {name}"
                )));
            }
        }
    }
    let has_temp = cfg.get("temperature").is_some_and(|v| !v.is_null());
    let has_top_p = cfg.get("topP").is_some_and(|v| !v.is_null());
    let id = model.model_id.as_str();
    if is_claude(id) && has_temp && temperature_deprecated(id) {
        // 11a (H text; M which wrapper Opus 4.7 uses today): the current Converse form.
        return Err(ApiError::validation(format!(
            "{MODEL_ERRORS}`temperature` is deprecated for this model."
        )));
    }
    if is_claude(id) && has_temp && has_top_p && temperature_top_p_exclusive(id) {
        // 11b (H).
        return Err(ApiError::validation(format!(
            "{MODEL_ERRORS}`temperature` and `top_p` cannot both be specified for this model. Please use only one."
        )));
    }
    Ok(())
}
