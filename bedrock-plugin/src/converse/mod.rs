//! ConverseStream: request shaping, sending, and mapping the answer to host events.

pub mod count_tokens;
pub mod driver;
pub mod errors;
pub mod guardrail;
pub mod media;
pub mod messages;
pub mod metadata;
pub mod request;
pub mod retry;
pub mod sampling;
pub mod stream;
pub mod thinking;
pub mod tier;
pub mod tools;
pub mod usage;
