//! The one table of geography prefixes Bedrock puts in front of a model id to name a
//! cross-region inference profile (`us.`, `eu.`, `apac.`, `global.`, …; DISC-30, BR-51,
//! EMB-11, TEMP-01).
//!
//! Every rule that has to see through such a prefix (the Claude family, context windows,
//! CountTokens' foundation model id, the embeddings lookup, the profile base id) strips it
//! with [`strip_region_prefix`] or matches it with [`PREFIX_GROUP`], so adding a geography is
//! a one-line change here.

use std::sync::LazyLock;

/// The geography prefixes, dot included. Every entry ends in `.`, so no entry can be mistaken
/// for another (`us.` never matches `us-gov.`, `ap.` never matches `apac.`); the order is the
/// documentation order.
pub const REGION_PREFIXES: [&str; 9] = [
    "us-gov.", "apac.", "global.", "us.", "eu.", "ap.", "au.", "jp.", "ca.",
];

/// A regex group matching exactly one prefix of [`REGION_PREFIXES`]:
/// `(?:us-gov|apac|…)\.` (callers add `?` or anchors as they need).
pub static PREFIX_GROUP: LazyLock<String> = LazyLock::new(|| {
    let names: Vec<String> = REGION_PREFIXES
        .iter()
        .map(|prefix| regex_lite::escape(prefix.trim_end_matches('.')))
        .collect();
    format!(r"(?:{})\.", names.join("|"))
});

/// The length of the geography prefix `id` starts with (ASCII case-insensitive), if any.
pub fn region_prefix_len(id: &str) -> Option<usize> {
    REGION_PREFIXES
        .iter()
        .find(|prefix| {
            id.get(..prefix.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
        })
        .map(|prefix| prefix.len())
}

/// `id` without one leading geography prefix (ASCII case-insensitive); unchanged without one.
pub fn strip_region_prefix(id: &str) -> &str {
    region_prefix_len(id).map_or(id, |len| &id[len..])
}

/// `Some(rest)` when `id` starts with a geography prefix, like `str::strip_prefix`.
pub fn split_region_prefix(id: &str) -> Option<&str> {
    region_prefix_len(id).map(|len| &id[len..])
}

#[cfg(test)]
mod tests;
