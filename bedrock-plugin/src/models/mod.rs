//! Facts about model families that shape requests and profiles.

pub mod claude;
pub mod context_windows;
