//! Facts about model families that shape requests and profiles.

pub mod caching;
pub mod claude;
pub mod limits;
pub mod prefixes;
pub mod traits;
