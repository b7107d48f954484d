//! ConverseStream: request shaping, sending, and mapping the answer to host events.
//!
//! * [`request`] turns a host chat request into the ConverseStream input (pure, no I/O).
//! * [`response`] maps Bedrock's events to host events (sans-IO state machine).
//! * [`chat`] starts one request, [`driver`] sends it and pumps events with the stall and
//!   keep-alive timers, [`retry`] decides transient retries and self-heal, [`learned`] is the
//!   instance's memory of self-heal corrections, [`count_tokens`] is the CountTokens call,
//!   [`errors`] maps SDK failures and classifies errors for host failover, and
//!   [`payload_hook`] runs the host's payload hook before each send (REQ-03).

pub mod chat;
pub mod count_tokens;
pub mod driver;
pub mod errors;
pub mod learned;
pub mod payload_hook;
pub mod request;
pub mod response;
pub mod retry;
