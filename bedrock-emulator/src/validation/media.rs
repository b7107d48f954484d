//! Media and document blocks (image, audio, video, document), in message content and inside tool
//! results: the format enums of the service model, the inline size limits of the AWS user guide
//! (image 3.75 MB, document 4.5 MB, video 25 MB; audio 25 MB is L), document names, and whether the
//! model takes that input at all.

use serde_json::Value;

use super::model_rules::is_claude;
use crate::catalog::FoundationModel;
use crate::error::{ApiError, MODEL_ERRORS};

const MB: usize = 1024 * 1024;
const IMAGE_MAX: usize = MB * 15 / 4;
const DOCUMENT_MAX: usize = MB * 9 / 2;
const VIDEO_MAX: usize = 25 * MB;
const AUDIO_MAX: usize = 25 * MB;

const IMAGE_FORMATS: [&str; 4] = ["png", "jpeg", "gif", "webp"];
const AUDIO_FORMATS: [&str; 15] = [
    "mp3", "opus", "wav", "aac", "flac", "mp4", "ogg", "mkv", "mka", "x-aac", "m4a", "mpeg",
    "mpga", "pcm", "webm",
];
const VIDEO_FORMATS: [&str; 9] = [
    "mkv", "mov", "mp4", "webm", "flv", "mpeg", "mpg", "wmv", "three_gp",
];
const DOCUMENT_FORMATS: [&str; 9] = [
    "pdf", "csv", "doc", "docx", "xls", "xlsx", "html", "txt", "md",
];

/// M: the text Bedrock users report for a document name outside its allowed characters.
pub(crate) const DOCUMENT_NAME: &str = "The document file name can only contain alphanumeric characters, whitespace characters, hyphens, parentheses, and square brackets. The name can't contain more than one consecutive whitespace character.";

/// Where a block sits: its coral member path (`messages.1.member.content.2.member`) and its
/// 0-based position (`messages.0.content.1`) for the texts that use that form.
pub(super) struct At<'a> {
    pub(super) member: &'a dyn Fn(&str) -> String,
    pub(super) position: &'a str,
}

/// The media / document block `kind` of `block`, if it is one.
fn media(block: &Value) -> Option<(&'static str, &Value)> {
    ["image", "audio", "video", "document"]
        .into_iter()
        .find_map(|k| block.get(k).map(|v| (k, v)))
}

/// Check a content block that may be a media block (`block` is a content or tool-result block).
pub(super) fn check(block: &Value, model: &FoundationModel, at: &At<'_>) -> Result<(), ApiError> {
    let Some((kind, media)) = media(block) else {
        return Ok(());
    };
    check_format(kind, media, at)?;
    if kind == "document" {
        check_document_name(media, at)?;
    }
    check_supported(kind, model)?;
    check_size(kind, media, model, at)
}

fn formats(kind: &str) -> &'static [&'static str] {
    match kind {
        "image" => &IMAGE_FORMATS,
        "audio" => &AUDIO_FORMATS,
        "video" => &VIDEO_FORMATS,
        _ => &DOCUMENT_FORMATS,
    }
}

/// The format enum (required except for documents) and a source.
fn check_format(kind: &str, media: &Value, at: &At<'_>) -> Result<(), ApiError> {
    let path = |f: &str| (at.member)(&format!("{kind}.{f}"));
    match media.get("format").and_then(Value::as_str) {
        None if kind != "document" => return Err(ApiError::not_null(&path("format"))),
        Some(f) if !formats(kind).contains(&f) => {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value '{f}' at '{}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                path("format"),
                formats(kind).join(", ")
            )))
        }
        _ => {}
    }
    if media.get("source").is_none_or(Value::is_null) {
        return Err(ApiError::not_null(&path("source")));
    }
    Ok(())
}

/// Document names: 1 to 200 characters; letters, digits, whitespace, `-()[]`, no double whitespace.
fn check_document_name(doc: &Value, at: &At<'_>) -> Result<(), ApiError> {
    let Some(name) = doc.get("name").and_then(Value::as_str) else {
        return Err(ApiError::not_null(&(at.member)("document.name")));
    };
    let len = name.chars().count();
    if !(1..=200).contains(&len) {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '{name}' at '{}' failed to satisfy constraint: Member must have length less than or equal to 200",
            (at.member)("document.name")
        )));
    }
    let allowed = |c: char| c.is_alphanumeric() || c.is_whitespace() || "-()[]".contains(c);
    let double_space = name
        .chars()
        .zip(name.chars().skip(1))
        .any(|(a, b)| a.is_whitespace() && b.is_whitespace());
    if !name.chars().all(allowed) || double_space {
        return Err(ApiError::validation(DOCUMENT_NAME));
    }
    Ok(())
}

/// Image, audio and video need the model's input modality (documents are taken by every chat
/// model). L: the text follows the one seen for images in tool results of OpenAI models.
fn check_supported(kind: &str, model: &FoundationModel) -> Result<(), ApiError> {
    let t = &model.traits;
    let supported = match kind {
        "image" => t.image_input,
        "audio" => t.audio_input,
        "video" => t.video_input,
        _ => true,
    };
    if supported {
        return Ok(());
    }
    Err(ApiError::validation(format!(
        "This model doesn't support the {kind} field for user messages."
    )))
}

/// Decoded size of inline base64 bytes.
fn decoded_len(b64: &str) -> usize {
    let pad = b64.bytes().rev().take_while(|b| *b == b'=').count();
    (b64.len() / 4 * 3 + b64.len() % 4 * 3 / 4).saturating_sub(pad)
}

/// Inline bytes within the limit of their kind.
fn check_size(kind: &str, media: &Value, model: &FoundationModel, at: &At<'_>) -> Result<(), ApiError> {
    let Some(b64) = media
        .get("source")
        .and_then(|s| s.get("bytes"))
        .and_then(Value::as_str)
    else {
        return Ok(());
    };
    let (max, label) = match kind {
        "image" => (IMAGE_MAX, "3.75 MB"),
        "document" => (DOCUMENT_MAX, "4.5 MB"),
        "video" => (VIDEO_MAX, "25 MB"),
        _ => (AUDIO_MAX, "25 MB"),
    };
    let size = decoded_len(b64);
    if size <= max {
        return Ok(());
    }
    if kind == "image" && is_claude(&model.model_id) {
        // M: Anthropic's check of the base64 length (5 MB = 3.75 MB decoded), wrapped by Converse.
        return Err(ApiError::validation(format!(
            "{MODEL_ERRORS}{}.image.source.base64: image exceeds 5 MB maximum: {} bytes > 5242880 bytes",
            at.position,
            b64.len()
        )));
    }
    // L: no public capture of Bedrock's own size message.
    Err(ApiError::validation(format!(
        "The {kind} at {} exceeds the maximum size of {label}. Reduce its size and try again.",
        at.position
    )))
}
