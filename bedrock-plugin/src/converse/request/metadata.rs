//! `requestMetadata` (REQ-05): the caller's string map, filtered to what Bedrock accepts.
//!
//! An invalid entry would fail the whole request with a ValidationException, so each one is
//! dropped with a warning naming only its key (values may be sensitive and are never logged).

use std::collections::HashMap;

use plugin_api::chat::KeyValue;

/// The wire limit on the number of entries.
pub const MAX_ENTRIES: usize = 16;
/// The wire limit on key and value length, in characters.
pub const MAX_LEN: usize = 256;

/// The wire pattern `[a-zA-Z0-9\s:_@$#=/+,-.]` (Java `\s`: ASCII whitespace; `,-.` is the
/// range `,` `-` `.`).
fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            ' ' | '\t'
                | '\n'
                | '\u{0B}'
                | '\u{0C}'
                | '\r'
                | ':'
                | '_'
                | '@'
                | '$'
                | '#'
                | '='
                | '/'
                | '+'
                | ','
                | '-'
                | '.'
        )
}

fn valid(text: &str, min: usize) -> bool {
    let len = text.chars().count();
    (min..=MAX_LEN).contains(&len) && text.chars().all(allowed)
}

/// REQ-05: the entries to send, or `None` when none remains.
///
/// A repeated key can be sent only once (the wire type is a map); its later occurrences are
/// dropped like any other invalid entry, so the first value given wins.
pub fn request_metadata(entries: &[KeyValue]) -> Option<HashMap<String, String>> {
    let mut kept: HashMap<String, String> = HashMap::new();
    for entry in entries {
        let key = entry.key.as_str();
        let value = entry.value.as_str();
        if kept.len() < MAX_ENTRIES && valid(key, 1) && valid(value, 0) && !kept.contains_key(key) {
            kept.insert(key.to_owned(), value.to_owned());
        } else {
            tracing::warn!("Amazon Bedrock: dropping invalid requestMetadata entry \"{key}\"");
        }
    }
    (!kept.is_empty()).then_some(kept)
}

#[cfg(test)]
mod tests;
