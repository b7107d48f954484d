//! Known context windows of Bedrock models (DISC-21, DISC-22).
//!
//! `ListFoundationModels` does not report context windows, so discovery fills them from this
//! table; models absent from it get `discovery.defaultContextWindow`.

use std::sync::OnceLock;

use regex::Regex;

use crate::models::claude::REGION_PREFIXES;

/// DISC-22, keyed by lower-case id without region prefix.
const KNOWN: &[(&str, u64)] = &[
    ("anthropic.claude-opus-4-8", 1_000_000),
    ("anthropic.claude-opus-4.8", 1_000_000),
    ("anthropic.claude-opus-4-7", 1_000_000),
    ("anthropic.claude-opus-4-6-v1", 1_000_000),
    ("anthropic.claude-sonnet-4-6", 1_000_000),
    ("anthropic.claude-fable-5", 1_000_000),
    ("anthropic.claude-mythos-5", 1_000_000),
    ("anthropic.claude-opus-5", 1_000_000),
    ("anthropic.claude-sonnet-5", 1_000_000),
    ("anthropic.claude-3-7-sonnet-20250219-v1:0", 200_000),
    ("anthropic.claude-sonnet-4-5-20250929-v1:0", 200_000),
    ("anthropic.claude-sonnet-4-20250514-v1:0", 200_000),
    ("anthropic.claude-opus-4-5-20251101-v1:0", 200_000),
    ("anthropic.claude-opus-4-1-20250805-v1:0", 200_000),
    ("anthropic.claude-haiku-4-5-20251001-v1:0", 200_000),
    ("anthropic.claude-3-5-haiku-20241022-v1:0", 200_000),
    ("anthropic.claude-3-haiku-20240307-v1:0", 200_000),
    ("amazon.nova-premier-v1:0", 1_000_000),
    ("amazon.nova-pro-v1:0", 300_000),
    ("amazon.nova-lite-v1:0", 300_000),
    ("amazon.nova-2-lite-v1:0", 300_000),
    ("amazon.nova-micro-v1:0", 128_000),
    ("minimax.minimax-m2.5", 1_000_000),
    ("minimax.minimax-m2.1", 1_000_000),
    ("minimax.minimax-m2", 1_000_000),
    ("meta.llama4-maverick-17b-instruct-v1:0", 1_000_000),
    ("meta.llama4-scout-17b-instruct-v1:0", 512_000),
    ("meta.llama3-3-70b-instruct-v1:0", 128_000),
    ("meta.llama3-2-90b-instruct-v1:0", 128_000),
    ("meta.llama3-2-11b-instruct-v1:0", 128_000),
    ("meta.llama3-2-3b-instruct-v1:0", 128_000),
    ("meta.llama3-2-1b-instruct-v1:0", 128_000),
    ("meta.llama3-1-405b-instruct-v1:0", 128_000),
    ("meta.llama3-1-70b-instruct-v1:0", 128_000),
    ("meta.llama3-1-8b-instruct-v1:0", 128_000),
    ("nvidia.nemotron-super-3-120b", 256_000),
    ("nvidia.nemotron-nano-3-30b", 128_000),
    ("nvidia.nemotron-nano-12b-v2", 128_000),
    ("nvidia.nemotron-nano-9b-v2", 128_000),
    ("mistral.mistral-large-3-675b-instruct", 128_000),
    ("mistral.mistral-large-2407-v1:0", 128_000),
    ("mistral.mistral-small-2402-v1:0", 32_000),
    ("deepseek.r1-v1:0", 128_000),
    ("deepseek.v3.2", 128_000),
    ("cohere.command-r-plus-v1:0", 128_000),
    ("cohere.command-r-v1:0", 128_000),
    ("ai21.jamba-1-5-large-v1:0", 256_000),
    ("ai21.jamba-1-5-mini-v1:0", 256_000),
    ("google.gemma-3-27b-it", 128_000),
    ("google.gemma-3-12b-it", 128_000),
    ("google.gemma-3-4b-it", 128_000),
    ("zai.glm-5", 128_000),
    ("zai.glm-4.7", 128_000),
    ("zai.glm-4.7-flash", 128_000),
    ("qwen.qwen3-coder-next", 256_000),
    ("qwen.qwen3-coder-30b-a3b-v1:0", 256_000),
    ("qwen.qwen3-32b-v1:0", 128_000),
    ("qwen.qwen3-vl-235b-a22b", 128_000),
];

fn regex(cell: &'static OnceLock<Regex>, source: &str) -> &'static Regex {
    cell.get_or_init(|| {
        Regex::new(source).unwrap_or_else(|err| unreachable!("static regex: {err}"))
    })
}

/// DISC-21 lookup key: lower-cased, without an ARN prefix up to `foundation-model/` (or an
/// inference-profile ARN's resource type), and without one leading region prefix (DISC-30).
pub fn lookup_key(id: &str) -> String {
    let mut key = id.trim().to_lowercase();
    if let Some((_, rest)) = key.split_once("foundation-model/") {
        key = rest.to_owned();
    } else if key.starts_with("arn:") {
        if let Some((_, rest)) = key.rsplit_once('/') {
            key = rest.to_owned();
        }
    }
    if let Some(stripped) = REGION_PREFIXES
        .iter()
        .find_map(|prefix| key.strip_prefix(prefix))
    {
        key = stripped.to_owned();
    }
    key
}

/// DISC-21/22: the known context window of a model id, if any.
pub fn known_context_window(id: &str) -> Option<u64> {
    static IDENTITY: OnceLock<Regex> = OnceLock::new();
    let key = lookup_key(id);
    // Identity rules first: whole families share one window whatever their version suffix.
    if regex(
        &IDENTITY,
        r"^anthropic\.claude-(?:(?:fable|mythos|opus|sonnet)-5|opus-4[.-][678]|sonnet-4[.-]6)(?:$|[-.:/@])",
    )
    .is_match(&key)
    {
        return Some(1_000_000);
    }
    let exact = |candidate: &str| {
        KNOWN
            .iter()
            .find(|(known, _)| *known == candidate)
            .map(|(_, window)| *window)
    };
    if let Some(window) = exact(&key) {
        return Some(window);
    }
    let without_minor = strip_digits_suffix(&key, ':');
    if let Some(window) = exact(without_minor) {
        return Some(window);
    }
    let without_version = strip_version_suffix(without_minor);
    exact(without_version)
}

/// `<base>:<digits>` → `<base>`; anything else unchanged.
fn strip_digits_suffix(key: &str, separator: char) -> &str {
    match key.rsplit_once(separator) {
        Some((base, digits))
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) =>
        {
            base
        }
        _ => key,
    }
}

/// `<base>-v<digits>` → `<base>`; anything else unchanged.
fn strip_version_suffix(key: &str) -> &str {
    match key.rsplit_once("-v") {
        Some((base, digits))
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) =>
        {
            base
        }
        _ => key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disc_22_examples() {
        assert_eq!(
            known_context_window("us.anthropic.claude-opus-4-7"),
            Some(1_000_000)
        );
        assert_eq!(
            known_context_window("anthropic.claude-opus-4-7-v1:0"),
            Some(1_000_000)
        );
        assert_eq!(
            known_context_window("global.amazon.nova-2-lite-v1:0"),
            Some(300_000)
        );
        assert_eq!(known_context_window("meta.llama3-8b-instruct-v1:0"), None);
        assert_eq!(
            known_context_window("anthropic.claude-3-7-sonnet-20250219-v1:0"),
            Some(200_000)
        );
        assert_eq!(
            known_context_window(
                "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0"
            ),
            Some(128_000)
        );
        assert_eq!(
            known_context_window("anthropic.claude-opus-4.8-v1:0"),
            Some(1_000_000)
        );
        assert_eq!(
            known_context_window("anthropic.claude-sonnet-5-20270101-v1:0"),
            Some(1_000_000)
        );
        assert_eq!(
            known_context_window("mistral.mistral-small-2402-v1:0"),
            Some(32_000)
        );
        assert_eq!(known_context_window("amazon.titan-tg1-large"), None);
    }

    #[test]
    fn disc_21_step_2_and_3_strip_minor_then_version() {
        assert_eq!(
            known_context_window("minimax.minimax-m2:0"),
            Some(1_000_000)
        );
        assert_eq!(known_context_window("zai.glm-5-v1:0"), Some(128_000));
        assert_eq!(
            known_context_window("nvidia.nemotron-nano-9b-v2"),
            Some(128_000)
        );
    }
}
