//! Everything AWS-specific below the request shaping: credentials, regions, endpoints, the
//! HTTP client and the SDK clients built from them.

pub mod auth;
pub mod clients;
pub mod credentials;
pub mod endpoint;
pub mod http;
pub mod region;
pub mod shared_config;
pub mod target;
