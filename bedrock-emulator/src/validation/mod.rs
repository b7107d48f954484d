//! Request validation with Bedrock's own error types and wording, and model-id resolution
//! (foundation-model ids and ARNs, inference-profile ids and ARNs, application profiles).
//!
//! Clients branch on these exact messages, so each rule is worded as Bedrock words it: [`resolve`]
//! decides which model a request reaches, [`converse`] checks a Converse body against it, and
//! [`model_rules`] holds the per-model-family rules both rely on.

mod cache;
mod converse;
#[cfg(test)]
mod fuzz_tests;
mod model_rules;
mod resolve;
#[cfg(test)]
mod tests;

pub(crate) use converse::converse;
pub(crate) use resolve::{base_id, resolve};
