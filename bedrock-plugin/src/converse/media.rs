//! Images, videos and documents (MSG-10, MSG-12, VID-01, VID-02): mime → wire format, base64
//! → bytes, and document names Bedrock accepts.
//!
//! Media arrive as base64 text; decoding here (not in the SDK) lets a bad payload fail before
//! sending with a message that names the kind of media at fault.

use std::collections::HashSet;

use aws_sdk_bedrockruntime::types::{
    DocumentBlock, DocumentFormat, DocumentSource, ImageBlock, ImageFormat, ImageSource,
    VideoBlock, VideoFormat, VideoSource,
};
use aws_smithy_types::Blob;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use plugin_api::error::PluginError;

use crate::converse::request::{build_error, invalid};

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
    let name = truncate(&name, MAX_DOCUMENT_NAME);
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
            candidate = format!("{}{suffix}", truncate(&base, room));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn message(result: Result<impl std::fmt::Debug, PluginError>) -> String {
        result.expect_err("error").message.to_string()
    }

    #[test]
    fn msg_10_image_mime_mapping() {
        for (mime, format) in [
            ("image/jpeg", ImageFormat::Jpeg),
            ("image/jpg", ImageFormat::Jpeg),
            ("IMAGE/PNG; charset=binary", ImageFormat::Png),
            ("image/gif", ImageFormat::Gif),
            ("image/webp", ImageFormat::Webp),
        ] {
            assert_eq!(image_format(mime).expect(mime), format);
        }
        assert_eq!(
            message(image_format("image/bmp")),
            "Unknown image type: image/bmp"
        );
        assert_eq!(
            message(image_block("not base64!!", "image/png")),
            "Amazon Bedrock image content has malformed base64"
        );
        let block = image_block("aGk=", "image/png").expect("valid");
        assert_eq!(
            block.source(),
            Some(&ImageSource::Bytes(Blob::new(b"hi".to_vec())))
        );
        // Padding is optional.
        assert!(image_block("aGk", "image/png").is_ok());
    }

    #[test]
    fn vid_01_mime_mapping_and_bytes() {
        for (mime, format) in [
            ("video/mp4", "mp4"),
            ("video/quicktime", "mov"),
            ("video/x-matroska", "mkv"),
            ("video/webm", "webm"),
            ("video/x-flv", "flv"),
            ("video/mpeg", "mpeg"),
            ("video/mpg", "mpg"),
            ("video/wmv", "wmv"),
            ("video/x-ms-wmv", "wmv"),
            ("video/3gpp", "three_gp"),
            ("VIDEO/MP4; codecs=avc1", "mp4"),
        ] {
            assert_eq!(video_format(mime).expect(mime).as_str(), format, "{mime}");
        }
        let block = video_block("dmlkZW8=", "video/mp4").expect("valid");
        assert_eq!(
            block.source(),
            Some(&VideoSource::Bytes(Blob::new(vec![
                118, 105, 100, 101, 111
            ])))
        );
    }

    #[test]
    fn vid_01_ex_v03_errors() {
        assert_eq!(
            message(video_block("dmlkZW8=", "video/avi")),
            "Unsupported Amazon Bedrock video type: video/avi"
        );
        assert_eq!(
            message(video_block("%%%", "video/mp4")),
            "Amazon Bedrock video content has malformed base64"
        );
    }

    #[test]
    fn vid_02_ex_v04_too_large_video_fails() {
        let data = "A".repeat(MAX_VIDEO_BASE64_LEN);
        assert_eq!(
            message(video_block(&data, "video/mp4")),
            "Amazon Bedrock inline video must be smaller than 25 MB after base64 encoding."
        );
        assert!(video_block(&"A".repeat(MAX_VIDEO_BASE64_LEN - 4), "video/mp4").is_ok());
    }

    #[test]
    fn msg_12_document_formats_and_names() {
        for (mime, format) in [
            ("application/pdf", DocumentFormat::Pdf),
            ("text/csv", DocumentFormat::Csv),
            ("application/msword", DocumentFormat::Doc),
            (
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                DocumentFormat::Docx,
            ),
            ("application/vnd.ms-excel", DocumentFormat::Xls),
            (
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                DocumentFormat::Xlsx,
            ),
            ("text/html", DocumentFormat::Html),
            ("text/plain; charset=utf-8", DocumentFormat::Txt),
            ("text/markdown", DocumentFormat::Md),
        ] {
            assert_eq!(document_format(mime), Some(format), "{mime}");
        }
        assert_eq!(document_format("application/zip"), None);

        assert_eq!(base_document_name(Some(".pdf")), "document");
        assert_eq!(base_document_name(None), "document");
        assert_eq!(
            base_document_name(Some("Q1 report_final  (v2).pdf")),
            "Q1 report-final (v2)"
        );
        assert_eq!(base_document_name(Some("a\tb.txt")), "a-b");
        let long = "x".repeat(250);
        assert_eq!(base_document_name(Some(&long)), "x".repeat(200));

        let mut names = DocumentNames::default();
        assert_eq!(names.unique(Some("report.pdf")), "report");
        assert_eq!(names.unique(Some("report.docx")), "report (2)");
        assert_eq!(names.unique(Some("report.csv")), "report (3)");
        assert_eq!(names.unique(Some(&long)), "x".repeat(200));
        let second = names.unique(Some(&long));
        assert_eq!(second, format!("{} (2)", "x".repeat(196)));
        assert_eq!(second.chars().count(), 200);
    }

    #[test]
    fn msg_12_unsupported_document_becomes_text() {
        let mut names = DocumentNames::default();
        match names.document("aGk=", "application/zip", Some("a.zip")) {
            Ok(Document::Omitted(text)) => {
                assert_eq!(text, "(document omitted: unsupported type application/zip)")
            }
            _ => panic!("omitted"),
        }
        match names.document("aGk=", "application/pdf", Some("a.pdf")) {
            Ok(Document::Block(block)) => {
                assert_eq!(block.name(), "a");
                assert_eq!(block.format(), &DocumentFormat::Pdf);
            }
            _ => panic!("block"),
        }
    }
}
