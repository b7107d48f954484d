//! Bedrock's answer → host stream events: the sans-IO [`mapper::StreamMapper`] state machine,
//! token usage and cost ([`usage`]), and the guardrail trace rendering ([`guardrail_trace`]).
//! Nothing here does I/O or keeps time; the driver feeds it.

pub mod citations;
pub mod guardrail_trace;
pub mod mapper;
pub mod usage;

pub use mapper::{MapperConfig, StreamMapper};
