//! A host for model-provider plugins: finds them in a plugins directory, validates their
//! config against their manifest's schema, loads them through abi_stable, and exercises
//! model listing, streamed chat and embeddings. The `host-harness` binary is its CLI.
// `PluginError` is the fixed-layout error that crosses the ABI by value; it is returned on
// cold paths only, so boxing it would buy nothing but an allocation.
#![allow(clippy::result_large_err)]

pub mod config;
pub mod host;
pub mod library_file;
pub mod loader;
pub mod log_sink;
pub mod plugins;
pub mod stream;
pub mod waker;

/// The local Bedrock emulator, for validating a plugin without an AWS account.
pub use bedrock_emulator as emulator;
