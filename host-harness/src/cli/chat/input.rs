//! What `chat` sends: the prompt (argument, `--file` or stdin), the tools (`--tool`,
//! `--tools`) and the attachments (`--attach`, typed by their content).

use std::io::{IsTerminal, Read};
use std::path::Path;

use abi_stable::std_types::{ROption, RString};
use base64::Engine as _;
use plugin_api::chat::{ContentPart, ContentPart_NE, ToolDefinition};
use plugin_api::ext::Extensions;
use serde_json::Value;

/// Where the prompt comes from, in order: the argument (`-` reads stdin), `--file`, stdin
/// when it is not a terminal. `Ok(None)`: nothing given and stdin is a terminal.
pub fn prompt(argument: Option<&str>, file: Option<&Path>) -> Result<Option<String>, String> {
    let text = match (argument, file) {
        (Some("-"), _) => read_stdin()?,
        (Some(text), _) => text.to_owned(),
        (None, Some(path)) => std::fs::read_to_string(path)
            .map_err(|err| format!("cannot read the prompt file {}: {err}", path.display()))?,
        (None, None) if std::io::stdin().is_terminal() => return Ok(None),
        (None, None) => read_stdin()?,
    };
    if text.trim().is_empty() {
        return Err(
            "the prompt is empty: give it as an argument, with --file PATH, or on stdin".into(),
        );
    }
    Ok(Some(text))
}

fn read_stdin() -> Result<String, String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|err| format!("cannot read the prompt from stdin: {err}"))?;
    Ok(text)
}

fn read_json(path: &Path, what: &str) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| format!("cannot read {what} {}: {err}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|err| format!("{what} {} is not JSON: {err}", path.display()))
}

fn tool(name: &str, description: Option<String>, parameters: &Value) -> ToolDefinition {
    ToolDefinition {
        name: name.into(),
        description: description.map(RString::from).into(),
        parameters_json: RString::from(parameters.to_string()),
        extensions: Extensions::new(),
    }
}

/// `--tool NAME=SCHEMA.json`: the schema file is the tool's parameters (a JSON Schema
/// object); its top-level `description`, when present, describes the tool.
pub fn tool_flag(spec: &str) -> Result<ToolDefinition, String> {
    let (name, path) = spec
        .split_once('=')
        .filter(|(name, path)| !name.trim().is_empty() && !path.is_empty())
        .ok_or_else(|| format!("--tool {spec}: expected NAME=SCHEMA.json"))?;
    let schema = read_json(Path::new(path), &format!("the schema of tool {name}"))?;
    if !schema.is_object() {
        return Err(format!(
            "the schema of tool {name} ({path}) must be a JSON object (a JSON Schema)"
        ));
    }
    let description = schema
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok(tool(name.trim(), description, &schema))
}

/// `--tools FILE`: a JSON array of `{name, description?, parameters}`.
pub fn tools_file(path: &Path) -> Result<Vec<ToolDefinition>, String> {
    let document = read_json(path, "the tools file")?;
    let shown = path.display();
    let entries = document.as_array().ok_or_else(|| {
        format!("the tools file {shown} must be a JSON array of {{name, description?, parameters}}")
    })?;
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let name = entry
                .get("name")
                .and_then(Value::as_str)
                .filter(|name| !name.is_empty())
                .ok_or_else(|| format!("{shown}: tool [{i}] needs a non-empty string \"name\""))?;
            let description = match entry.get("description") {
                None | Some(Value::Null) => None,
                Some(Value::String(text)) => Some(text.clone()),
                Some(_) => {
                    return Err(format!(
                        "{shown}: tool [{i}] {name}: \"description\" must be a string"
                    ))
                }
            };
            let parameters = entry
                .get("parameters")
                .filter(|value| value.is_object())
                .ok_or_else(|| {
                    format!(
                        "{shown}: tool [{i}] {name}: \"parameters\" must be a JSON Schema object"
                    )
                })?;
            Ok(tool(name, description, parameters))
        })
        .collect()
}

/// What `--attach` accepts, for error messages.
pub const ACCEPTED_TYPES: &str = "images (PNG, JPEG, GIF, WebP, by content), PDF (by content), \
text documents by extension (.txt, .md, .markdown, .html, .htm, .csv; UTF-8), Word and Excel \
documents (.doc, .docx, .xls, .xlsx, checked against their content), audio (MP3, WAV, OGG, FLAC, \
M4A, WebM by content; .aac, .opus by extension)";

/// An attachment's kind and media type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Image(&'static str),
    Document(&'static str),
    /// BR-93: sent as an audio block to models with audio input.
    Audio(&'static str),
}

/// The media type of `bytes`: from its magic bytes for images and PDF, from the extension
/// for text and Office documents (whose content must match: UTF-8 text, ZIP, OLE2).
pub fn sniff(path: &Path, bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(Kind::Image("image/png"));
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(Kind::Image("image/jpeg"));
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some(Kind::Image("image/gif"));
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some(Kind::Image("image/webp"));
    }
    if bytes.starts_with(b"%PDF-") {
        return Some(Kind::Document("application/pdf"));
    }
    if let Some(mime) = sniff_audio(path, bytes) {
        return Some(Kind::Audio(mime));
    }
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)?;
    let zip = bytes.starts_with(b"PK\x03\x04");
    let ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    let text = std::str::from_utf8(bytes).is_ok();
    let mime = match extension.as_str() {
        "txt" | "text" | "log" if text => "text/plain",
        "md" | "markdown" if text => "text/markdown",
        "html" | "htm" if text => "text/html",
        "csv" if text => "text/csv",
        "docx" if zip => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" if zip => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "doc" if ole => "application/msword",
        "xls" if ole => "application/vnd.ms-excel",
        _ => return None,
    };
    Some(Kind::Document(mime))
}

/// BR-93: audio by its magic bytes (MP3 frame or ID3 tag, RIFF/WAVE, OggS (`.opus` → Opus),
/// fLaC, an MP4 `ftyp` box named M4A, EBML for `.webm`), and ADTS AAC by extension.
fn sniff_audio(path: &Path, bytes: &[u8]) -> Option<&'static str> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if bytes.starts_with(b"ID3")
        || (bytes.len() >= 2 && bytes[0] == 0xFF && bytes[1] & 0xE6 == 0xE2)
    {
        return Some("audio/mpeg");
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WAVE" {
        return Some("audio/wav");
    }
    if bytes.starts_with(b"OggS") {
        return Some(if extension == "opus" {
            "audio/opus"
        } else {
            "audio/ogg"
        });
    }
    if bytes.starts_with(b"fLaC") {
        return Some("audio/flac");
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" && &bytes[8..11] == b"M4A" {
        return Some("audio/mp4");
    }
    if bytes.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) && extension == "webm" {
        return Some("audio/webm");
    }
    if extension == "aac" && bytes.len() >= 2 && bytes[0] == 0xFF && bytes[1] & 0xF6 == 0xF0 {
        return Some("audio/aac");
    }
    None
}

/// `--attach FILE`: an image, document or audio part, typed by [`sniff`].
pub fn attachment(path: &Path) -> Result<ContentPart_NE, String> {
    let bytes =
        std::fs::read(path).map_err(|err| format!("cannot read {}: {err}", path.display()))?;
    let kind = sniff(path, &bytes).ok_or_else(|| {
        format!(
            "cannot attach {}: its type is not one chat accepts; accepted: {ACCEPTED_TYPES}",
            path.display()
        )
    })?;
    let data = RString::from(base64::engine::general_purpose::STANDARD.encode(&bytes));
    Ok(ContentPart_NE::new(match kind {
        Kind::Image(mime) => ContentPart::Image {
            data,
            mime_type: mime.into(),
        },
        Kind::Audio(mime) => ContentPart::Audio {
            data,
            mime_type: mime.into(),
        },
        Kind::Document(mime) => ContentPart::Document {
            data,
            mime_type: mime.into(),
            name: path
                .file_name()
                .and_then(|n| n.to_str())
                .map(RString::from)
                .map_or(ROption::RNone, ROption::RSome),
            extensions: Extensions::new(),
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn br_93_audio_attachments_by_magic_bytes() {
        let p = Path::new("x.bin");
        assert_eq!(sniff(p, b"ID3\x04\0"), Some(Kind::Audio("audio/mpeg")));
        assert_eq!(
            sniff(p, &[0xFF, 0xFB, 0x90, 0x00]),
            Some(Kind::Audio("audio/mpeg"))
        );
        assert_eq!(
            sniff(p, b"RIFF\x10\0\0\0WAVEfmt "),
            Some(Kind::Audio("audio/wav"))
        );
        assert_eq!(sniff(p, b"OggS\0\x02"), Some(Kind::Audio("audio/ogg")));
        assert_eq!(
            sniff(Path::new("a.opus"), b"OggS\0\x02"),
            Some(Kind::Audio("audio/opus"))
        );
        assert_eq!(sniff(p, b"fLaC\0"), Some(Kind::Audio("audio/flac")));
        assert_eq!(
            sniff(p, b"\0\0\0\x20ftypM4A \0"),
            Some(Kind::Audio("audio/mp4"))
        );
        assert_eq!(
            sniff(Path::new("a.webm"), &[0x1A, 0x45, 0xDF, 0xA3, 0x01]),
            Some(Kind::Audio("audio/webm"))
        );
        assert_eq!(
            sniff(Path::new("a.aac"), &[0xFF, 0xF1, 0x50, 0x80]),
            Some(Kind::Audio("audio/aac"))
        );
    }

    #[test]
    fn sniff_by_magic_bytes_whatever_the_name() {
        let p = Path::new("x.bin");
        assert_eq!(
            sniff(p, b"\x89PNG\r\n\x1a\nrest"),
            Some(Kind::Image("image/png"))
        );
        assert_eq!(
            sniff(p, &[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(Kind::Image("image/jpeg"))
        );
        assert_eq!(sniff(p, b"GIF89a..."), Some(Kind::Image("image/gif")));
        assert_eq!(
            sniff(p, b"RIFF\x10\0\0\0WEBPVP8 "),
            Some(Kind::Image("image/webp"))
        );
        assert_eq!(
            sniff(p, b"%PDF-1.7\n"),
            Some(Kind::Document("application/pdf"))
        );
        assert_eq!(sniff(p, b"hello"), None);
    }

    #[test]
    fn sniff_text_and_office_by_extension_checked_against_content() {
        assert_eq!(
            sniff(Path::new("notes.MD"), b"# hi"),
            Some(Kind::Document("text/markdown"))
        );
        assert_eq!(
            sniff(Path::new("a.csv"), b"a,b\n1,2\n"),
            Some(Kind::Document("text/csv"))
        );
        assert_eq!(
            sniff(Path::new("a.txt"), b"plain"),
            Some(Kind::Document("text/plain"))
        );
        assert_eq!(sniff(Path::new("a.txt"), &[0xFF, 0xFE, 0x00, 0x80]), None);
        assert!(matches!(
            sniff(Path::new("r.docx"), b"PK\x03\x04...."),
            Some(Kind::Document(m)) if m.ends_with("wordprocessingml.document")
        ));
        assert_eq!(sniff(Path::new("r.docx"), b"not a zip"), None);
        assert_eq!(sniff(Path::new("a.exe"), b"MZ"), None);
    }

    #[test]
    fn tools_file_entries_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("tools.json");
        std::fs::write(
            &good,
            r#"[{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}},
                {"name":"now","parameters":{"type":"object"}}]"#,
        )
        .unwrap();
        let tools = tools_file(&good).unwrap();
        assert_eq!(tools.len(), 2);
        assert_eq!(tools[0].name.as_str(), "get_weather");
        assert_eq!(
            tools[0]
                .description
                .as_ref()
                .into_option()
                .unwrap()
                .as_str(),
            "Weather"
        );
        assert!(tools[1].description.is_none());
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, r#"[{"name":"x"}]"#).unwrap();
        let err = tools_file(&bad).unwrap_err();
        assert!(
            err.contains("tool [0] x") && err.contains("parameters"),
            "{err}"
        );
        std::fs::write(&bad, r#"{"name":"x"}"#).unwrap();
        assert!(tools_file(&bad).unwrap_err().contains("JSON array"));
    }

    #[test]
    fn tool_flag_reads_the_schema() {
        let dir = tempfile::tempdir().unwrap();
        let schema = dir.path().join("s.json");
        std::fs::write(
            &schema,
            r#"{"type":"object","description":"Look up","properties":{}}"#,
        )
        .unwrap();
        let tool = tool_flag(&format!("lookup={}", schema.display())).unwrap();
        assert_eq!(tool.name.as_str(), "lookup");
        assert_eq!(
            tool.description.as_ref().into_option().unwrap().as_str(),
            "Look up"
        );
        assert!(tool_flag("lookup")
            .unwrap_err()
            .contains("NAME=SCHEMA.json"));
        assert!(tool_flag("=x.json").is_err());
    }
}
