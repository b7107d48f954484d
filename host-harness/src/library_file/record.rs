//! The install record: `install.json` beside the manifest, written by `host-harness install`
//! as its last step, naming the library it installed and that library's size and SHA-256.
//! The loader compares the library file with it before `dlopen`.
//!
//! ```json
//! {
//!   "pluginId": "amazon-bedrock",
//!   "version": "0.1.0",
//!   "library": "libbedrock_plugin.so",
//!   "size": 37255416,
//!   "sha256": "98af0ae8b103b998724bc7eb05ac033302593e04caaad234bbf1c69559b2bc60"
//! }
//! ```
//!
//! `library` is the manifest's `library.<os>` value (relative to the plugin folder);
//! `pluginId` and `version` are the manifest's. A record that disagrees with the manifest
//! means the folder was edited after install.

use std::io::{self, Read};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// File name of the install record, in the plugin folder next to `manifest.json`.
pub const INSTALL_RECORD_FILE: &str = "install.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InstallRecord {
    /// The manifest's `id`.
    pub plugin_id: String,
    /// The manifest's `version`.
    pub version: String,
    /// The manifest's `library.<os>` entry the record is about.
    pub library: String,
    /// Size of the installed library in bytes.
    pub size: u64,
    /// SHA-256 of the installed library, lowercase hex.
    pub sha256: String,
}

impl InstallRecord {
    /// The record as `install` writes it: pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// Why the record could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordProblem {
    Unreadable(String),
    Invalid(String),
}

/// Reads the record at `path`: `Ok(None)` when there is none.
pub fn read_record(path: &Path) -> Result<Option<InstallRecord>, RecordProblem> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(RecordProblem::Unreadable(err.to_string())),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|err| RecordProblem::Invalid(err.to_string()))
}

/// SHA-256 and byte count of everything `reader` yields, read in 1 MiB blocks.
pub fn sha256_of<R: Read>(reader: &mut R) -> io::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        hasher.update(&buf[..n]);
        total = total.saturating_add(n as u64);
    }
    Ok((hex::encode(hasher.finalize()), total))
}

/// A writer that hashes and counts what passes through it to `inner`.
pub struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    written: u64,
}

impl<W: io::Write> HashingWriter<W> {
    pub fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            written: 0,
        }
    }

    /// The writer back, with the hex SHA-256 and the byte count of what was written.
    pub fn finish(self) -> (W, String, u64) {
        (
            self.inner,
            hex::encode(self.hasher.finalize()),
            self.written,
        )
    }
}

impl<W: io::Write> io::Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written = self.written.saturating_add(n as u64);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
