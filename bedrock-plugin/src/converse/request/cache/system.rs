//! The system prompt's layout (CACHE-10, MSG-11): markers stripped, split at the cache
//! boundary, and where the system cache point goes.
//!
//! The host marks the end of the stable part of its system prompt with the cache-boundary
//! marker, so the dynamic rest (dates, per-turn context) can follow a cache point without
//! invalidating the cached prefix. Neither that marker nor the relocation markers are meant
//! for the model, so they never reach it, whether caching is on or off.

use aws_sdk_bedrockruntime::types::SystemContentBlock;

use crate::converse::request::messages::sanitize_text;

/// CACHE-10: the cache-boundary marker (the reference host's name, kept for compatibility).
pub const CACHE_BOUNDARY: &str = "\n<!-- OPENCLAW_CACHE_BOUNDARY -->\n";

/// CACHE-10: relocation markers and what replaces them, in the order they are stripped (the
/// forms with newlines before the bare forms).
const RELOCATION_MARKERS: [(&str, &str); 4] = [
    ("\n<!-- OPENCLAW-RELOCATABLE-BOUNDARY -->\n", "\n"),
    ("\n<!-- /OPENCLAW-RELOCATABLE-BOUNDARY -->", ""),
    ("<!-- OPENCLAW-RELOCATABLE-BOUNDARY -->", ""),
    ("<!-- /OPENCLAW-RELOCATABLE-BOUNDARY -->", ""),
];

/// The system prompt after marker stripping: the stable prefix and, when the prompt had a
/// cache boundary, the rest after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SystemParts {
    /// The whole prompt without a boundary; with one, the text before it, trailing
    /// whitespace trimmed.
    pub stable: String,
    /// The text after the first boundary, leading whitespace trimmed (`None`: no boundary).
    pub rest: Option<String>,
}

/// MSG-11 / CACHE-10: surrogates and relocation markers removed, then split at the first
/// cache boundary. Later boundary markers in the rest become a line break (PLG-30), so no
/// marker reaches the model.
pub fn parts(prompt: &str) -> SystemParts {
    let mut text = sanitize_text(prompt);
    for (marker, replacement) in RELOCATION_MARKERS {
        if text.contains(marker) {
            text = text.replace(marker, replacement);
        }
    }
    match text.split_once(CACHE_BOUNDARY) {
        Some((stable, rest)) => SystemParts {
            stable: stable.trim_end().to_owned(),
            rest: Some(rest.trim_start().replace(CACHE_BOUNDARY, "\n")),
        },
        None => SystemParts {
            stable: text,
            rest: None,
        },
    }
}

/// The system text blocks and where an automatic cache point may go.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SystemLayout {
    pub blocks: Vec<SystemContentBlock>,
    /// The index a system cache point is inserted at: after the stable prefix. `None` when
    /// caching is off or there is no stable text to cache (CACHE-13: never at index 0).
    pub point_at: Option<usize>,
}

fn non_blank(text: &str) -> Option<&str> {
    (!text.trim().is_empty()).then_some(text)
}

/// CACHE-10 / REQ-01: the system list for `prompt`; empty when the prompt is missing or
/// blank after marker stripping. With `cached` the parts stay separate blocks around the
/// point, without it they are joined with `"\n"` into one block.
pub fn layout(prompt: Option<&str>, cached: bool) -> SystemLayout {
    let Some(prompt) = prompt else {
        return SystemLayout::default();
    };
    let parts = parts(prompt);
    let stable = non_blank(&parts.stable);
    let rest = parts.rest.as_deref().and_then(non_blank);
    let text = |value: &str| SystemContentBlock::Text(value.to_owned());
    if !cached {
        let joined: Vec<&str> = stable.into_iter().chain(rest).collect();
        let blocks = if joined.is_empty() {
            Vec::new()
        } else {
            vec![text(&joined.join("\n"))]
        };
        return SystemLayout {
            blocks,
            point_at: None,
        };
    }
    let blocks: Vec<SystemContentBlock> = stable.into_iter().chain(rest).map(text).collect();
    SystemLayout {
        point_at: stable.map(|_| 1),
        blocks,
    }
}
