//! Images, videos, documents and audio (MSG-10, MSG-12, VID-01, VID-02, BR-92, BR-93): mime →
//! wire format, base64 → bytes, document names Bedrock accepts, document citations.
//!
//! Media arrive as base64 text; decoding here (not in the SDK) lets a bad payload fail before
//! sending with a message that names the kind of media at fault.

use std::collections::HashSet;

use aws_sdk_bedrockruntime::types::{
    AudioBlock, AudioFormat, AudioSource, CitationsConfig, ContentBlock, DocumentBlock,
    DocumentFormat, DocumentSource, ImageBlock, ImageFormat, ImageSource, Message,
    ToolResultContentBlock, VideoBlock, VideoFormat, VideoSource,
};
use aws_smithy_types::Blob;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use plugin_api::error::PluginError;
use plugin_api::ext::{keys, Extensions};

use crate::converse::request::shape_error::{build_error, invalid};

/// VID-02: inline videos must be smaller than 25 MiB of base64 text.
pub const MAX_VIDEO_BASE64_LEN: usize = 26_214_400;

/// The wire limit on a document name.
pub const MAX_DOCUMENT_NAME: usize = 200;

/// Standard alphabet; padding optional (hosts differ on trailing `=`).
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Lower-cased mime with parameters (`; codecs=…`) removed.
pub fn essence(mime: &str) -> String {
    mime.split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Base64 → bytes; `what` names the media in the error (`image`, `video`, `document`).
fn decode(data: &str, what: &str) -> Result<Vec<u8>, PluginError> {
    BASE64.decode(data.trim()).map_err(|_| {
        invalid(format!(
            "Amazon Bedrock {what} content has malformed base64"
        ))
    })
}

/// MSG-10: the image format for a mime.
pub fn image_format(mime: &str) -> Result<ImageFormat, PluginError> {
    match essence(mime).as_str() {
        "image/jpeg" | "image/jpg" => Ok(ImageFormat::Jpeg),
        "image/png" => Ok(ImageFormat::Png),
        "image/gif" => Ok(ImageFormat::Gif),
        "image/webp" => Ok(ImageFormat::Webp),
        _ => Err(invalid(format!("Unknown image type: {mime}"))),
    }
}

/// MSG-10: `{image:{format, source:{bytes}}}`.
pub fn image_block(data: &str, mime: &str) -> Result<ImageBlock, PluginError> {
    let format = image_format(mime)?;
    let bytes = decode(data, "image")?;
    ImageBlock::builder()
        .format(format)
        .source(ImageSource::Bytes(Blob::new(bytes)))
        .build()
        .map_err(|err| build_error("image block", err))
}

/// VID-01: the video format for a mime.
pub fn video_format(mime: &str) -> Result<VideoFormat, PluginError> {
    match essence(mime).as_str() {
        "video/mp4" => Ok(VideoFormat::Mp4),
        "video/quicktime" => Ok(VideoFormat::Mov),
        "video/x-matroska" => Ok(VideoFormat::Mkv),
        "video/webm" => Ok(VideoFormat::Webm),
        "video/x-flv" => Ok(VideoFormat::Flv),
        "video/mpeg" => Ok(VideoFormat::Mpeg),
        "video/mpg" => Ok(VideoFormat::Mpg),
        "video/wmv" | "video/x-ms-wmv" => Ok(VideoFormat::Wmv),
        "video/3gpp" => Ok(VideoFormat::ThreeGp),
        _ => Err(invalid(format!(
            "Unsupported Amazon Bedrock video type: {mime}"
        ))),
    }
}

/// VID-01/VID-02: `{video:{format, source:{bytes}}}`.
pub fn video_block(data: &str, mime: &str) -> Result<VideoBlock, PluginError> {
    let format = video_format(mime)?;
    if data.len() >= MAX_VIDEO_BASE64_LEN {
        return Err(invalid(
            "Amazon Bedrock inline video must be smaller than 25 MB after base64 encoding.",
        ));
    }
    let bytes = decode(data, "video")?;
    VideoBlock::builder()
        .format(format)
        .source(VideoSource::Bytes(Blob::new(bytes)))
        .build()
        .map_err(|err| build_error("video block", err))
}

/// MSG-12: the document format for a mime, `None` when Bedrock has none.
pub fn document_format(mime: &str) -> Option<DocumentFormat> {
    Some(match essence(mime).as_str() {
        "application/pdf" => DocumentFormat::Pdf,
        "text/csv" => DocumentFormat::Csv,
        "application/msword" => DocumentFormat::Doc,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => {
            DocumentFormat::Docx
        }
        "application/vnd.ms-excel" => DocumentFormat::Xls,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => DocumentFormat::Xlsx,
        "text/html" => DocumentFormat::Html,
        "text/plain" => DocumentFormat::Txt,
        "text/markdown" => DocumentFormat::Md,
        _ => return None,
    })
}

/// MSG-12: a document as sent: the block, or the omission text for an unsupported mime.
pub enum Document {
    Block(DocumentBlock),
    Omitted(String),
}

/// The document names already used in one request: Bedrock wants them unique.
#[derive(Default)]
pub struct DocumentNames {
    used: HashSet<String>,
}

/// The first `max` characters of `text`.
fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// MSG-12 name rule without uniqueness: extension removed, characters outside
/// `[A-Za-z0-9 ()\[\]-]` → `-`, whitespace runs collapsed, ≤ 200 characters, `document`
/// when nothing remains.
pub fn base_document_name(file_name: Option<&str>) -> String {
    let raw = file_name.unwrap_or_default();
    let stem = match raw.rfind('.') {
        Some(dot) => &raw[..dot],
        None => raw,
    };
    let mut name = String::with_capacity(stem.len());
    let mut last_space = false;
    for c in stem.chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, ' ' | '(' | ')' | '[' | ']' | '-') {
            c
        } else {
            '-'
        };
        if c == ' ' {
            if last_space {
                continue;
            }
            last_space = true;
        } else {
            last_space = false;
        }
        name.push(c);
    }
    // PLG-114: no whitespace at either end, so a ` (n)` suffix never makes two in a row.
    let name = truncate(name.trim(), MAX_DOCUMENT_NAME)
        .trim_end()
        .to_owned();
    if name.is_empty() {
        "document".to_owned()
    } else {
        name
    }
}

impl DocumentNames {
    /// MSG-12: the sanitised name, made unique with ` (2)`, ` (3)`… within 200 characters.
    pub fn unique(&mut self, file_name: Option<&str>) -> String {
        let base = base_document_name(file_name);
        let mut candidate = base.clone();
        let mut n = 2usize;
        while self.used.contains(&candidate) {
            let suffix = format!(" ({n})");
            let room = MAX_DOCUMENT_NAME.saturating_sub(suffix.chars().count());
            candidate = format!("{}{suffix}", truncate(&base, room).trim_end());
            n += 1;
        }
        self.used.insert(candidate.clone());
        candidate
    }

    /// MSG-12: `{document:{format, name, source:{bytes}}}`, or the omission text.
    pub fn document(
        &mut self,
        data: &str,
        mime: &str,
        file_name: Option<&str>,
    ) -> Result<Document, PluginError> {
        let Some(format) = document_format(mime) else {
            return Ok(Document::Omitted(format!(
                "(document omitted: unsupported type {mime})"
            )));
        };
        let bytes = decode(data, "document")?;
        let block = DocumentBlock::builder()
            .format(format)
            .name(self.unique(file_name))
            .source(DocumentSource::Bytes(Blob::new(bytes)))
            .build()
            .map_err(|err| build_error("document block", err))?;
        Ok(Document::Block(block))
    }
}

/// BR-92: a document part whose [`keys::DOCUMENT_CITATIONS`] flag is set is sent with
/// `citations: {enabled: true}`; an omitted document has nothing to cite.
pub fn cite(document: Document, extensions: &Extensions) -> Result<Document, PluginError> {
    match document {
        Document::Block(mut block) if extensions.flag(keys::DOCUMENT_CITATIONS) == Some(true) => {
            let config = CitationsConfig::builder()
                .enabled(true)
                .build()
                .map_err(|err| build_error("document citations", err))?;
            block.citations = Some(config);
            Ok(Document::Block(block))
        }
        other => Ok(other),
    }
}

/// BR-92: whether any document of `messages` (user content or tool results) enables
/// citations, so the response mapper keeps block texts for them.
pub fn citations_enabled(messages: &[Message]) -> bool {
    let cites = |block: &DocumentBlock| block.citations.as_ref().is_some_and(|c| c.enabled);
    messages
        .iter()
        .flat_map(Message::content)
        .any(|block| {
            match block {
        ContentBlock::Document(document) => cites(document),
        ContentBlock::ToolResult(result) => result.content.iter().any(|part| {
            matches!(part, ToolResultContentBlock::Document(document) if cites(document))
        }),
        _ => false,
    }
        })
}

/// BR-93: the audio format for a mime, `None` when Bedrock has none.
pub fn audio_format(mime: &str) -> Option<AudioFormat> {
    Some(match essence(mime).as_str() {
        "audio/mpeg" => AudioFormat::Mp3,
        "audio/wav" | "audio/x-wav" => AudioFormat::Wav,
        "audio/ogg" => AudioFormat::Ogg,
        "audio/flac" => AudioFormat::Flac,
        "audio/aac" => AudioFormat::Aac,
        "audio/mp4" | "audio/m4a" => AudioFormat::M4A,
        "audio/webm" => AudioFormat::Webm,
        "audio/opus" => AudioFormat::Opus,
        _ => return None,
    })
}

/// BR-93: an audio part as sent: the block, or the placeholder text.
#[derive(Debug)]
pub enum Audio {
    Block(AudioBlock),
    Omitted(String),
}

/// BR-93: the placeholder for audio that is not sent, in the VID- rules' pattern.
pub fn audio_omitted(reason: &str) -> String {
    format!("[audio omitted: {reason}]")
}

/// BR-93: `{audio:{format, source:{bytes}}}` for a model with `audio` in its input; the
/// placeholder for other models (without decoding: nothing is sent) and for mime types
/// Bedrock has no format for. Malformed base64 for an audio-capable model is a request error.
pub fn audio(data: &str, mime: &str, supports_audio: bool) -> Result<Audio, PluginError> {
    if !supports_audio {
        return Ok(Audio::Omitted(audio_omitted(
            "model does not support audio",
        )));
    }
    let Some(format) = audio_format(mime) else {
        return Ok(Audio::Omitted(audio_omitted(&format!(
            "unsupported type {mime}"
        ))));
    };
    let bytes = decode(data, "audio")?;
    AudioBlock::builder()
        .format(format)
        .source(AudioSource::Bytes(Blob::new(bytes)))
        .build()
        .map(Audio::Block)
        .map_err(|err| build_error("audio block", err))
}

#[cfg(test)]
mod tests;
