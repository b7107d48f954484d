//! What the host-harness test files share: the repository's real `manifest.json`, so every
//! suite checks the manifest users install rather than a copy that could drift.

use serde_json::Value;

/// The repository-root manifest (MAN-06: the single source of truth).
pub const MANIFEST_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../manifest.json");

/// The repository's manifest, parsed.
pub fn real_manifest() -> Value {
    let text = std::fs::read_to_string(MANIFEST_PATH).expect("repository manifest.json");
    serde_json::from_str(&text).expect("manifest.json is JSON")
}
