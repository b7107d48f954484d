//! ConverseStream: request shaping, sending, and mapping the answer to host events.

pub mod count_tokens;
pub mod driver;
pub mod errors;
pub mod request;
pub mod stream;
pub mod usage;
