//! Known context windows and output limits of Bedrock models (DISC-20…DISC-23).
//!
//! `ListFoundationModels` reports neither, so discovery fills them from these tables; models
//! absent from them get `discovery.defaultContextWindow` / `discovery.defaultMaxTokens`.

use std::sync::LazyLock;

use regex_lite::Regex;

use crate::models::claude;
use crate::models::prefixes::split_region_prefix;

static IDENTITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^anthropic\.claude-(?:(?:fable|mythos|opus|sonnet)-5|opus-4[.-][678]|sonnet-4[.-]6)(?:$|[-.:/@])").expect("constant pattern compiles")
});

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
    if let Some(stripped) = split_region_prefix(&key) {
        key = stripped.to_owned();
    }
    key
}

/// DISC-20: the output limit (`maxTokens`) of the Claude 5 family.
pub const CLAUDE_5_MAX_OUTPUT_TOKENS: u64 = 128_000;

/// How a DISC-23 entry matches a lookup key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Match {
    /// The key (after the DISC-21 `:<digits>` / `-v<digits>` steps) equals the entry.
    Exact,
    /// The key is the entry or continues it at a `-`/`.`/`:` boundary with something that is
    /// not a minor version (PLG-50), so `meta.llama3-1` covers `meta.llama3-1-8b-instruct-v1:0`
    /// but not `meta.llama3-10…`, and a family `anthropic.claude-opus-4` would not cover
    /// `anthropic.claude-opus-4-5…`.
    Family,
}

/// DISC-23: known max output tokens, keyed like DISC-22. The spec's table plus the output
/// limits Bedrock's model cards document for the other text models it serves (where public
/// sources disagree, the higher documented value; BR-05 heals a request Bedrock finds too
/// large). The Claude 5 family is [`CLAUDE_5_MAX_OUTPUT_TOKENS`], not an entry here.
const MAX_OUTPUT: &[(&str, Match, u64)] = &[
    ("anthropic.claude-opus-4-8", Match::Family, 128_000),
    ("anthropic.claude-opus-4.8", Match::Family, 128_000),
    ("anthropic.claude-opus-4-7", Match::Family, 128_000),
    ("anthropic.claude-opus-4-6-v1", Match::Exact, 128_000),
    ("anthropic.claude-sonnet-4-6", Match::Family, 128_000),
    (
        "anthropic.claude-opus-4-5-20251101-v1:0",
        Match::Exact,
        64_000,
    ),
    (
        "anthropic.claude-sonnet-4-5-20250929-v1:0",
        Match::Exact,
        64_000,
    ),
    (
        "anthropic.claude-sonnet-4-20250514-v1:0",
        Match::Exact,
        64_000,
    ),
    (
        "anthropic.claude-haiku-4-5-20251001-v1:0",
        Match::Exact,
        64_000,
    ),
    (
        "anthropic.claude-3-7-sonnet-20250219-v1:0",
        Match::Exact,
        64_000,
    ),
    (
        "anthropic.claude-opus-4-1-20250805-v1:0",
        Match::Exact,
        32_000,
    ),
    (
        "anthropic.claude-opus-4-20250514-v1:0",
        Match::Exact,
        32_000,
    ),
    (
        "anthropic.claude-3-5-sonnet-20241022-v2:0",
        Match::Exact,
        8_192,
    ),
    (
        "anthropic.claude-3-5-haiku-20241022-v1:0",
        Match::Exact,
        8_192,
    ),
    (
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
        Match::Exact,
        4_096,
    ),
    (
        "anthropic.claude-3-haiku-20240307-v1:0",
        Match::Exact,
        4_096,
    ),
    ("anthropic.claude-3-opus-20240229-v1:0", Match::Exact, 4_096),
    (
        "anthropic.claude-3-sonnet-20240229-v1:0",
        Match::Exact,
        4_096,
    ),
    ("amazon.nova-micro-v1:0", Match::Exact, 10_000),
    ("amazon.nova-lite-v1:0", Match::Exact, 10_000),
    ("amazon.nova-pro-v1:0", Match::Exact, 10_000),
    ("amazon.nova-premier-v1:0", Match::Exact, 10_000),
    ("amazon.nova-2-lite-v1:0", Match::Exact, 64_000),
    ("amazon.titan-text-express-v1", Match::Exact, 8_192),
    ("amazon.titan-text-lite-v1", Match::Exact, 4_096),
    ("amazon.titan-text-premier-v1:0", Match::Exact, 3_072),
    ("meta.llama3-8b-instruct-v1:0", Match::Exact, 8_192),
    ("meta.llama3-70b-instruct-v1:0", Match::Exact, 8_192),
    (
        "meta.llama4-maverick-17b-instruct-v1:0",
        Match::Exact,
        8_192,
    ),
    ("meta.llama4-scout-17b-instruct-v1:0", Match::Exact, 8_192),
    ("meta.llama3-1", Match::Family, 4_096),
    ("meta.llama3-2", Match::Family, 4_096),
    ("meta.llama3-3-70b-instruct-v1:0", Match::Exact, 4_096),
    ("mistral.mistral-7b-instruct-v0:2", Match::Exact, 8_192),
    ("mistral.mixtral-8x7b-instruct-v0:1", Match::Exact, 4_096),
    ("mistral.mistral-large-2402-v1:0", Match::Exact, 8_192),
    ("mistral.mistral-large-2407-v1:0", Match::Exact, 8_192),
    ("mistral.mistral-small-2402-v1:0", Match::Exact, 8_192),
    ("deepseek.r1-v1:0", Match::Exact, 32_768),
    ("cohere.command-r-plus-v1:0", Match::Exact, 4_096),
    ("cohere.command-r-v1:0", Match::Exact, 4_096),
    ("ai21.jamba-1-5-large-v1:0", Match::Exact, 4_096),
    ("ai21.jamba-1-5-mini-v1:0", Match::Exact, 4_096),
];

/// DISC-23 `Family` boundary: `rest` (what follows the entry in the key) is empty, or starts
/// with `-`/`.`/`:` and its first segment is not a one- or two-digit minor version (PLG-50).
fn continues_family(rest: &str) -> bool {
    let Some(tail) = rest
        .strip_prefix('-')
        .or_else(|| rest.strip_prefix('.'))
        .or_else(|| rest.strip_prefix(':'))
    else {
        return rest.is_empty();
    };
    let segment = tail.split(['-', '.', ':']).next().unwrap_or_default();
    let minor_version =
        (1..=2).contains(&segment.len()) && segment.bytes().all(|byte| byte.is_ascii_digit());
    !minor_version
}

/// DISC-20/23: the known output limit of a model id, if any: the table (DISC-21 key steps,
/// exact entries before family entries), else the Claude 5 family's.
pub fn known_max_output_tokens(id: &str) -> Option<u64> {
    let key = lookup_key(id);
    let exact = |candidate: &str| {
        MAX_OUTPUT
            .iter()
            .find(|(entry, kind, _)| *kind == Match::Exact && *entry == candidate)
            .map(|(_, _, limit)| *limit)
    };
    let without_minor = strip_digits_suffix(&key, ':');
    let without_version = strip_version_suffix(without_minor);
    let family = || {
        MAX_OUTPUT
            .iter()
            .filter(|(_, kind, _)| *kind == Match::Family)
            .filter(|(entry, _, _)| key.strip_prefix(entry).is_some_and(continues_family))
            // The longest entry is the most specific family.
            .max_by_key(|(entry, _, _)| entry.len())
            .map(|(_, _, limit)| *limit)
    };
    exact(&key)
        .or_else(|| exact(without_minor))
        .or_else(|| exact(without_version))
        .or_else(family)
        .or_else(|| claude::is_claude_5_family(id).then_some(CLAUDE_5_MAX_OUTPUT_TOKENS))
}

/// DISC-21/22: the known context window of a model id, if any.
pub fn known_context_window(id: &str) -> Option<u64> {
    let key = lookup_key(id);
    // Identity rules first: whole families share one window whatever their version suffix.
    if IDENTITY.is_match(&key) {
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
mod tests;
