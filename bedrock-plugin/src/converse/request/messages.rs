//! Host conversation → Bedrock `messages` (MSG-01..13, VID-03/04, BR-70..72).
//!
//! Conversion runs in three steps so each rule sees the shape it is defined on:
//! 1. every host message becomes a *turn* of blocks (tool calls and results keep their ids
//!    and names), consecutive same-role turns merged (MSG-09);
//! 2. with a `toolConfig`, tool calls and results are paired (BR-70);
//! 3. turns become SDK messages (images lifted out of tool results for MSG-07 models), and
//!    the first message must be the user's (MSG-13).
//!
//! The caller's request is only read (REQ-06).

use std::collections::HashSet;

use aws_sdk_bedrockruntime::types::{
    ContentBlock, ConversationRole, ImageBlock, Message, ReasoningContentBlock, ReasoningTextBlock,
    ToolResultBlock, ToolResultContentBlock, ToolResultStatus, ToolUseBlock,
};
use aws_smithy_types::Blob;
use base64::Engine as _;
use plugin_api::chat::{
    AssistantBlock, AssistantBlock_NE, AssistantOrigin, ChatRequest, ContentPart, ContentPart_NE,
    Message as HostMessage,
};
use plugin_api::error::PluginError;
use plugin_api::event::StopReason;
use plugin_api::model::ModelDefinition;

use crate::converse::request::media::{self, DocumentNames};
use crate::converse::request::shape_error::{build_error, invalid};
use crate::converse::request::tools::{json_to_document, parse_arguments, valid_tool_name};
use crate::models::traits::ModelTraits;

/// MSG-13's error.
pub const FIRST_MESSAGE_NOT_USER: &str =
    "Amazon Bedrock requires the conversation to start with a user message";

/// Text that replaces a result with no usable content (MSG-06).
const NO_OUTPUT: &str = "(no output)";

/// BR-70: the synthetic result of a tool call that never got one.
const INTERRUPTED: &str = "(no result: tool call was interrupted)";

/// PLG-113: Bedrock's per-image limit, 3.75 MiB of image bytes (5 MiB of base64), and the
/// text an image over it is replayed as (such an image would fail every later turn).
pub const MAX_IMAGE_BYTES: usize = 3_932_160;
pub const IMAGE_TOO_LARGE: &str = "(image omitted: larger than Amazon Bedrock's 3.75 MB limit)";

fn oversized(image: &ImageBlock) -> bool {
    match image.source() {
        Some(aws_sdk_bedrockruntime::types::ImageSource::Bytes(bytes)) => {
            bytes.as_ref().len() > MAX_IMAGE_BYTES
        }
        _ => false,
    }
}

/// The opaque-signature marker some hosts store for non-Claude reasoning (MSG-04).
const REASONING_CONTENT_MARKER: &str = "reasoning_content";

/// MSG-01: characters outside `[a-zA-Z0-9_-]` → `_`, then at most 64 characters.
pub fn normalize_tool_id(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect()
}

/// Removes lone UTF-16 surrogates (MSG-02, MSG-04, MSG-11). Rust strings cannot hold them,
/// so text that reached us as valid UTF-8 is already clean; this is the single place to
/// change if the ABI ever carries raw UTF-16.
pub fn sanitize_text(text: &str) -> String {
    text.to_owned()
}

/// A tool result while it is still tied to its call.
#[derive(Debug, Clone)]
struct ResultBlock {
    id: String,
    name: String,
    status: ToolResultStatus,
    content: Vec<ToolResultContentBlock>,
    /// Its text parts, for the text rendering of an unpaired result (BR-70).
    texts: Vec<String>,
    /// Images lifted out for models that reject them inside results (MSG-07).
    lifted: Vec<ImageBlock>,
}

#[derive(Debug, Clone)]
enum Block {
    Content(ContentBlock),
    ToolUse(ToolUseBlock),
    ToolResult(ResultBlock),
    /// Where the blocks of user-side host message `n` end (CACHE-11 places its point there);
    /// never sent.
    EndOf(usize),
}

/// Where the converted blocks of one user or tool-result host message end: cache placement
/// (CACHE-11) needs it because merging (MSG-09) and pairing (BR-70) move blocks between
/// messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserEnd {
    /// The host message's index in `request.messages`.
    pub host: usize,
    /// The index of the Bedrock message holding its blocks.
    pub message: usize,
    /// The content index just after its last block (where a point after it would go).
    pub index: usize,
}

/// The Bedrock `messages` and where each user-side host message ended up.
#[derive(Clone, Debug, PartialEq)]
pub struct Converted {
    pub messages: Vec<Message>,
    /// In host order; host messages that converted to nothing have none.
    pub user_ends: Vec<UserEnd>,
}

#[derive(Debug)]
struct Turn {
    role: ConversationRole,
    blocks: Vec<Block>,
}

/// Where a video sits: (message index, part index).
type PartAt = (usize, usize);

/// Per-request facts the rules need.
struct Converter<'a> {
    model: &'a ModelDefinition,
    tools_enabled: bool,
    claude: bool,
    /// MSG-07: ids with `openai.` after region-prefix removal reject images in results.
    lifts_result_images: bool,
    /// VID-03.
    supports_video: bool,
    /// BR-93: `audio` in the model's input.
    supports_audio: bool,
    /// VID-04: the one video sent.
    newest_video: Option<PartAt>,
    documents: DocumentNames,
    /// PLG-112: the toolUse ids of the assistant turn being built (a repeated id is text).
    turn_tool_ids: HashSet<String>,
}

fn text(text: impl Into<String>) -> ContentBlock {
    ContentBlock::Text(text.into())
}

fn unknown(kind: &str, index: usize, message: usize, role: &str) -> PluginError {
    invalid(format!(
        "Amazon Bedrock: {kind} {} of message {} ({role}) is of a kind this plugin version does not know",
        index + 1,
        message + 1
    ))
}

/// VID-04: the newest video with a payload in messages that will carry media.
fn newest_video(request: &ChatRequest, tools_enabled: bool) -> Option<PartAt> {
    let mut newest = None;
    for (i, message) in request.messages.iter().enumerate() {
        let parts = match message.as_enum() {
            Ok(HostMessage::User { content, .. }) => content,
            Ok(HostMessage::ToolResult { content, .. }) if tools_enabled => content,
            _ => continue,
        };
        for (j, part) in parts.iter().enumerate() {
            if let Ok(ContentPart::Video { data, .. }) = part.as_enum() {
                if !data.trim().is_empty() {
                    newest = Some((i, j));
                }
            }
        }
    }
    newest
}

/// What a video part becomes.
enum VideoOutcome {
    Send(aws_sdk_bedrockruntime::types::VideoBlock),
    Text(&'static str),
    Empty,
}

impl Converter<'_> {
    /// VID-01..04 for the video at `at`; `in_tool_result` picks the omission wording.
    fn video(
        &self,
        data: &str,
        mime: &str,
        at: PartAt,
        in_tool_result: bool,
    ) -> Result<VideoOutcome, PluginError> {
        if data.trim().is_empty() {
            return Ok(VideoOutcome::Empty);
        }
        if !self.supports_video {
            return Ok(VideoOutcome::Text(
                "(video omitted: model does not support videos)",
            ));
        }
        if self.newest_video != Some(at) {
            return Ok(VideoOutcome::Text(if in_tool_result {
                "(tool video omitted: Amazon Bedrock accepts one video per request)"
            } else {
                "(video omitted: Amazon Bedrock accepts one video per request)"
            }));
        }
        media::video_block(data, mime).map(VideoOutcome::Send)
    }

    /// MSG-02: user parts.
    fn user(&mut self, i: usize, content: &[ContentPart_NE]) -> Result<Vec<Block>, PluginError> {
        let mut blocks = Vec::new();
        for (j, part) in content.iter().enumerate() {
            match part.as_enum() {
                Ok(ContentPart::Text { text: value }) => {
                    // Bedrock rejects blank text blocks.
                    if !value.trim().is_empty() {
                        blocks.push(Block::Content(text(sanitize_text(value))));
                    }
                }
                Ok(ContentPart::Image { data, mime_type }) => {
                    if !data.trim().is_empty() {
                        let image = media::image_block(data, mime_type)?;
                        blocks.push(Block::Content(if oversized(&image) {
                            text(IMAGE_TOO_LARGE)
                        } else {
                            ContentBlock::Image(image)
                        }));
                    }
                }
                Ok(ContentPart::Video { data, mime_type }) => {
                    match self.video(data, mime_type, (i, j), false)? {
                        VideoOutcome::Send(video) => {
                            blocks.push(Block::Content(ContentBlock::Video(video)))
                        }
                        VideoOutcome::Text(omitted) => blocks.push(Block::Content(text(omitted))),
                        VideoOutcome::Empty => {}
                    }
                }
                Ok(ContentPart::Document {
                    data,
                    mime_type,
                    name,
                    extensions,
                }) => {
                    if !data.trim().is_empty() {
                        let name = name.as_ref().into_option().map(|name| name.as_str());
                        blocks.push(Block::Content(
                            match media::cite(
                                self.documents.document(data, mime_type, name)?,
                                extensions,
                            )? {
                                media::Document::Block(block) => ContentBlock::Document(block),
                                media::Document::Omitted(omitted) => text(omitted),
                            },
                        ));
                    }
                }
                // BR-93: audio blocks for audio-capable models, else the placeholder.
                Ok(ContentPart::Audio { data, mime_type }) => {
                    if !data.trim().is_empty() {
                        blocks.push(Block::Content(
                            match media::audio(data, mime_type, self.supports_audio)? {
                                media::Audio::Block(audio) => ContentBlock::Audio(audio),
                                media::Audio::Omitted(omitted) => text(omitted),
                            },
                        ));
                    }
                }
                Ok(_) | Err(_) => return Err(unknown("part", j, i, "user")),
            }
        }
        Ok(blocks)
    }

    /// MSG-03/04/05/08 and BR-71: assistant blocks.
    fn assistant(
        &mut self,
        i: usize,
        content: &[AssistantBlock_NE],
        origin: &AssistantOrigin,
    ) -> Result<Vec<Block>, PluginError> {
        let model = self.model;
        // MSG-05: another model's signatures and redacted blocks mean nothing here.
        let switched = origin.provider != model.provider
            || origin.api != model.api
            || origin.model != model.id;
        // BR-71: an aborted or failed turn may hold a partial signature.
        let cut_short = origin
            .stop_reason
            .as_ref()
            .into_option()
            .and_then(|reason| reason.as_enum().ok())
            .is_some_and(|reason| matches!(reason, StopReason::Aborted | StopReason::Error));
        let keep_signatures = self.claude && !switched && !cut_short;
        let mut blocks = Vec::new();
        for (k, block) in content.iter().enumerate() {
            match block.as_enum() {
                Ok(AssistantBlock::Text { text: value }) => {
                    if !value.trim().is_empty() {
                        blocks.push(Block::Content(text(value.as_str())));
                    }
                }
                Ok(AssistantBlock::Thinking {
                    thinking,
                    signature,
                    redacted,
                }) => {
                    let signature = signature
                        .as_ref()
                        .into_option()
                        .map(|s| s.as_str())
                        .filter(|s| !s.trim().is_empty());
                    if signature == Some(REASONING_CONTENT_MARKER) {
                        continue;
                    }
                    if *redacted {
                        if !keep_signatures {
                            continue;
                        }
                        let Some(signature) = signature else {
                            return Err(invalid(
                                "Bedrock redacted reasoning block is missing its opaque signature",
                            ));
                        };
                        let bytes = base64::engine::general_purpose::STANDARD
                            .decode(signature.trim())
                            .map_err(|_| {
                                invalid("Bedrock redacted reasoning block has a malformed opaque signature")
                            })?;
                        blocks.push(Block::Content(ContentBlock::ReasoningContent(
                            ReasoningContentBlock::RedactedContent(Blob::new(bytes)),
                        )));
                    } else if let (true, Some(signature)) = (keep_signatures, signature) {
                        // MSG-04: signed Claude thinking goes back byte for byte.
                        let reasoning = ReasoningTextBlock::builder()
                            .text(thinking.as_str())
                            .signature(signature)
                            .build()
                            .map_err(|err| build_error("reasoning block", err))?;
                        blocks.push(Block::Content(ContentBlock::ReasoningContent(
                            ReasoningContentBlock::ReasoningText(reasoning),
                        )));
                    } else if !thinking.trim().is_empty() {
                        blocks.push(Block::Content(text(sanitize_text(thinking))));
                    }
                }
                Ok(AssistantBlock::ToolCall {
                    id,
                    name,
                    arguments_json,
                }) => {
                    let arguments = parse_arguments(arguments_json);
                    // PLG-112: a call Bedrock cannot take as a toolUse (a name outside
                    // TOOL-05's pattern, an id that normalises to nothing or to one already
                    // used in this turn) is replayed as text, and its result with it (BR-70).
                    let normalized = normalize_tool_id(id);
                    let sendable = valid_tool_name(name)
                        && !normalized.is_empty()
                        && !self.turn_tool_ids.contains(&normalized);
                    if self.tools_enabled && sendable {
                        self.turn_tool_ids.insert(normalized.clone());
                        // PLG-112: `toolUse.input` must be an object (`null` reads as missing).
                        let input = match &arguments {
                            serde_json::Value::Object(_) => arguments.clone(),
                            _ => serde_json::Value::Object(Default::default()),
                        };
                        let tool_use = ToolUseBlock::builder()
                            .tool_use_id(normalized)
                            .name(name.as_str())
                            .input(json_to_document(&input))
                            .build()
                            .map_err(|err| build_error("toolUse block", err))?;
                        blocks.push(Block::ToolUse(tool_use));
                    } else {
                        // MSG-08: without toolConfig Bedrock rejects tool blocks.
                        let compact =
                            serde_json::to_string(&arguments).unwrap_or_else(|_| "{}".to_owned());
                        blocks.push(Block::Content(text(format!(
                            "[Assistant tool call]: {name}({compact})"
                        ))));
                    }
                }
                Ok(_) | Err(_) => return Err(unknown("block", k, i, "assistant")),
            }
        }
        Ok(blocks)
    }

    /// MSG-06/07/08, VID-04: one tool result.
    fn tool_result(
        &mut self,
        i: usize,
        id: &str,
        name: &str,
        content: &[ContentPart_NE],
        is_error: bool,
    ) -> Result<Vec<Block>, PluginError> {
        if !self.tools_enabled {
            // MSG-08: the result as text.
            let mut blocks = vec![Block::Content(text(format!("[Tool result: {name}]:")))];
            for (j, part) in content.iter().enumerate() {
                match part.as_enum() {
                    Ok(ContentPart::Text { text: value }) => {
                        if !value.trim().is_empty() {
                            blocks.push(Block::Content(text(sanitize_text(value))));
                        }
                    }
                    Ok(_) => {}
                    Err(_) => return Err(unknown("part", j, i, "toolResult")),
                }
            }
            return Ok(blocks);
        }
        let id = normalize_tool_id(id);
        let mut result = ResultBlock {
            id: id.clone(),
            name: name.to_owned(),
            status: if is_error {
                ToolResultStatus::Error
            } else {
                ToolResultStatus::Success
            },
            content: Vec::new(),
            texts: Vec::new(),
            lifted: Vec::new(),
        };
        let no_output = || ToolResultContentBlock::Text(NO_OUTPUT.to_owned());
        for (j, part) in content.iter().enumerate() {
            match part.as_enum() {
                Ok(ContentPart::Text { text: value }) => {
                    if !value.trim().is_empty() {
                        let value = sanitize_text(value);
                        result.texts.push(value.clone());
                        result.content.push(ToolResultContentBlock::Text(value));
                    }
                }
                Ok(ContentPart::Image { data, mime_type }) => {
                    if data.trim().is_empty() {
                        result.content.push(no_output());
                    } else {
                        let image = media::image_block(data, mime_type)?;
                        if oversized(&image) {
                            result
                                .content
                                .push(ToolResultContentBlock::Text(IMAGE_TOO_LARGE.to_owned()));
                        } else if self.lifts_result_images {
                            result.lifted.push(image);
                        } else {
                            result.content.push(ToolResultContentBlock::Image(image));
                        }
                    }
                }
                Ok(ContentPart::Video { data, mime_type }) => {
                    match self.video(data, mime_type, (i, j), true)? {
                        VideoOutcome::Send(video) => {
                            result.content.push(ToolResultContentBlock::Video(video))
                        }
                        VideoOutcome::Text(omitted) => result
                            .content
                            .push(ToolResultContentBlock::Text(omitted.to_owned())),
                        VideoOutcome::Empty => result.content.push(no_output()),
                    }
                }
                Ok(ContentPart::Audio { .. }) => result.content.push(ToolResultContentBlock::Text(
                    "(see attached audio)".to_owned(),
                )),
                Ok(ContentPart::Document {
                    data,
                    mime_type,
                    name,
                    extensions,
                }) => {
                    if data.trim().is_empty() {
                        result.content.push(no_output());
                    } else {
                        let name = name.as_ref().into_option().map(|name| name.as_str());
                        result.content.push(
                            match media::cite(
                                self.documents.document(data, mime_type, name)?,
                                extensions,
                            )? {
                                media::Document::Block(block) => {
                                    ToolResultContentBlock::Document(block)
                                }
                                media::Document::Omitted(omitted) => {
                                    ToolResultContentBlock::Text(omitted)
                                }
                            },
                        );
                    }
                }
                Ok(_) | Err(_) => return Err(unknown("part", j, i, "toolResult")),
            }
        }
        if !result.lifted.is_empty() {
            result.content.push(ToolResultContentBlock::Text(format!(
                "(see attached images labeled \"Images from tool result {id}\")"
            )));
        }
        if result.content.is_empty() {
            result.content.push(no_output());
        }
        Ok(vec![Block::ToolResult(result)])
    }
}

/// `blocks` of host message `host` followed by its end mark (none for an empty message,
/// which MSG-02 skips).
fn with_end(mut blocks: Vec<Block>, host: usize) -> Vec<Block> {
    if !blocks.is_empty() {
        blocks.push(Block::EndOf(host));
    }
    blocks
}

/// MSG-09: appends a turn, merging it into the previous one when the roles match.
fn push_turn(turns: &mut Vec<Turn>, role: ConversationRole, blocks: Vec<Block>) {
    if blocks.is_empty() {
        return;
    }
    match turns.last_mut() {
        Some(last) if last.role == role => last.blocks.extend(blocks),
        _ => turns.push(Turn { role, blocks }),
    }
}

fn tool_use_ids(turn: &Turn) -> Vec<String> {
    turn.blocks
        .iter()
        .filter_map(|block| match block {
            Block::ToolUse(tool_use) => Some(tool_use.tool_use_id().to_owned()),
            _ => None,
        })
        .collect()
}

/// The text rendering of a result with no matching call (BR-70, as MSG-08).
fn orphan_text(result: &ResultBlock) -> Vec<Block> {
    std::iter::once(format!("[Tool result: {}]:", result.name))
        .chain(result.texts.iter().cloned())
        .map(|value| Block::Content(text(value)))
        .collect()
}

fn synthetic_result(id: &str) -> Block {
    Block::ToolResult(ResultBlock {
        id: id.to_owned(),
        name: String::new(),
        status: ToolResultStatus::Error,
        content: vec![ToolResultContentBlock::Text(INTERRUPTED.to_owned())],
        texts: Vec::new(),
        lifted: Vec::new(),
    })
}

/// BR-70: every toolUse gets a result in the next user turn, and every result answers a
/// toolUse of the turn just before it.
fn repair_pairing(turns: &mut Vec<Turn>) {
    // Results without a preceding call become text.
    for k in 0..turns.len() {
        if turns[k].role != ConversationRole::User {
            continue;
        }
        let allowed: HashSet<String> = match k.checked_sub(1).map(|p| &turns[p]) {
            Some(previous) if previous.role == ConversationRole::Assistant => {
                tool_use_ids(previous).into_iter().collect()
            }
            _ => HashSet::new(),
        };
        // PLG-112: each call is answered once; a second result for it is text too.
        let mut answered = HashSet::new();
        let blocks = std::mem::take(&mut turns[k].blocks);
        turns[k].blocks = blocks
            .into_iter()
            .flat_map(|block| match block {
                Block::ToolResult(result)
                    if !allowed.contains(&result.id) || !answered.insert(result.id.clone()) =>
                {
                    orphan_text(&result)
                }
                other => vec![other],
            })
            .collect();
    }
    // Calls without a result get a synthetic error result.
    let mut k = 0;
    while k < turns.len() {
        if turns[k].role == ConversationRole::Assistant {
            let answered: HashSet<String> = turns
                .get(k + 1)
                .map(|next| {
                    next.blocks
                        .iter()
                        .filter_map(|block| match block {
                            Block::ToolResult(result) => Some(result.id.clone()),
                            _ => None,
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mut seen = HashSet::new();
            let missing: Vec<Block> = tool_use_ids(&turns[k])
                .into_iter()
                .filter(|id| !answered.contains(id) && seen.insert(id.clone()))
                .map(|id| synthetic_result(&id))
                .collect();
            if !missing.is_empty() {
                match turns.get_mut(k + 1) {
                    Some(next) => {
                        // Results lead the user turn (Anthropic requires it): insert after
                        // the last existing result.
                        let at = next
                            .blocks
                            .iter()
                            .rposition(|block| matches!(block, Block::ToolResult(_)))
                            .map_or(0, |p| p + 1);
                        next.blocks.splice(at..at, missing);
                    }
                    None => turns.push(Turn {
                        role: ConversationRole::User,
                        blocks: missing,
                    }),
                }
            }
        }
        k += 1;
    }
}

fn result_block(result: ResultBlock) -> Result<ContentBlock, PluginError> {
    ToolResultBlock::builder()
        .tool_use_id(result.id)
        .set_content(Some(result.content))
        .status(result.status)
        .build()
        .map(ContentBlock::ToolResult)
        .map_err(|err| build_error("toolResult block", err))
}

/// `(host message, content index)` of each [`Block::EndOf`] of one turn.
type TurnEnds = Vec<(usize, usize)>;

/// Turn → SDK message: MSG-07 lifted images after the results, BR-72 no reasoning in user
/// messages. Also returns where each [`Block::EndOf`] fell.
fn flatten(turn: Turn) -> Result<(Option<Message>, TurnEnds), PluginError> {
    let user = turn.role == ConversationRole::User;
    let last_result = turn
        .blocks
        .iter()
        .rposition(|block| matches!(block, Block::ToolResult(_)));
    let mut lifted: Vec<(String, Vec<ImageBlock>)> = Vec::new();
    let mut ends = Vec::new();
    let mut content = Vec::with_capacity(turn.blocks.len());
    for (index, block) in turn.blocks.into_iter().enumerate() {
        match block {
            Block::EndOf(host) => ends.push((host, content.len())),
            Block::Content(ContentBlock::ReasoningContent(_)) if user => {}
            Block::Content(block) => content.push(block),
            Block::ToolUse(tool_use) => content.push(ContentBlock::ToolUse(tool_use)),
            Block::ToolResult(mut result) => {
                if !result.lifted.is_empty() {
                    lifted.push((result.id.clone(), std::mem::take(&mut result.lifted)));
                }
                content.push(result_block(result)?);
            }
        }
        if Some(index) == last_result {
            for (id, images) in lifted.drain(..) {
                content.push(text(format!("Images from tool result {id}:")));
                content.extend(images.into_iter().map(ContentBlock::Image));
            }
        }
    }
    if content.is_empty() {
        return Ok((None, Vec::new()));
    }
    Message::builder()
        .role(turn.role)
        .set_content(Some(content))
        .build()
        .map(|message| (Some(message), ends))
        .map_err(|err| build_error("message", err))
}

/// MSG-*: the Bedrock `messages` for a request. `tools_enabled` says whether a `toolConfig`
/// is sent (tool blocks are text otherwise, MSG-08).
pub fn convert(
    request: &ChatRequest,
    traits: &ModelTraits,
    tools_enabled: bool,
) -> Result<Vec<Message>, PluginError> {
    convert_with_ends(request, traits, tools_enabled).map(|converted| converted.messages)
}

/// [`convert`], also telling where each user-side host message's blocks ended (CACHE-11).
pub fn convert_with_ends(
    request: &ChatRequest,
    traits: &ModelTraits,
    tools_enabled: bool,
) -> Result<Converted, PluginError> {
    let model = &request.model;
    let mut converter = Converter {
        model,
        tools_enabled,
        claude: traits.claude.is_some(),
        lifts_result_images: traits.lifts_result_images,
        supports_video: model.input.iter().any(|input| input.as_str() == "video"),
        supports_audio: model.input.iter().any(|input| input.as_str() == "audio"),
        newest_video: newest_video(request, tools_enabled),
        documents: DocumentNames::default(),
        turn_tool_ids: HashSet::new(),
    };
    let mut turns: Vec<Turn> = Vec::new();
    for (i, message) in request.messages.iter().enumerate() {
        match message.as_enum() {
            Ok(HostMessage::User { content, .. }) => {
                let blocks = with_end(converter.user(i, content)?, i);
                if !blocks.is_empty() {
                    converter.turn_tool_ids.clear();
                }
                push_turn(&mut turns, ConversationRole::User, blocks);
            }
            Ok(HostMessage::Assistant {
                content, origin, ..
            }) => {
                let blocks = converter.assistant(i, content, origin)?;
                push_turn(&mut turns, ConversationRole::Assistant, blocks);
            }
            Ok(HostMessage::ToolResult {
                tool_call_id,
                tool_name,
                content,
                is_error,
                ..
            }) => {
                let blocks = with_end(
                    converter.tool_result(i, tool_call_id, tool_name, content, *is_error)?,
                    i,
                );
                if !blocks.is_empty() {
                    converter.turn_tool_ids.clear();
                }
                push_turn(&mut turns, ConversationRole::User, blocks);
            }
            Ok(_) | Err(_) => {
                return Err(invalid(format!(
                    "Amazon Bedrock: message {} is of a kind this plugin version does not know",
                    i + 1
                )))
            }
        }
    }
    if tools_enabled {
        repair_pairing(&mut turns);
    }
    let mut messages: Vec<Message> = Vec::with_capacity(turns.len());
    let mut user_ends = Vec::new();
    for turn in turns {
        if let (Some(message), ends) = flatten(turn)? {
            user_ends.extend(ends.into_iter().map(|(host, index)| UserEnd {
                host,
                message: messages.len(),
                index,
            }));
            messages.push(message);
        }
    }
    match messages.first() {
        Some(first) if *first.role() == ConversationRole::User => Ok(Converted {
            messages,
            user_ends,
        }),
        Some(_) => Err(invalid(FIRST_MESSAGE_NOT_USER)),
        None => Err(invalid("Amazon Bedrock request has no message to send")),
    }
}

/// Host-message builders shared with the GRD-05 tests.
#[cfg(test)]
pub(crate) mod tests;
