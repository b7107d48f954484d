//! The `bedrock` memory-search embedding provider (spec `embeddings.md`, EMB-*).
//!
//! [`families`] holds the model table and the per-family bodies, [`batch`] the blank handling,
//! Cohere chunking, concurrency bound and ordering, and [`provider`] the trait object that sends
//! InvokeModel with the plugin's auth, region and endpoint.

pub mod batch;
pub mod families;
pub mod provider;

pub use provider::create;
