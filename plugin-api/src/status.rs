//! What a plugin reports about itself: status and doctor checks.

use abi_stable::{
    std_types::{ROption, RString, RVec},
    StableAbi,
};

/// The last discovery failure (DISC-52).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct DiscoveryFailure {
    /// When it failed, in Unix milliseconds.
    pub at_ms: u64,
    /// The control-plane operation that failed (e.g. `ListFoundationModels`).
    pub operation: RString,
    /// The error message.
    pub message: RString,
    /// The HTTP status of the failed response, when there was one.
    pub status: ROption<u16>,
}

/// Provider and catalog status (AUTH-30, DISC-52). Never carries a secret.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct PluginStatus {
    /// Whether the implicit (discovered) provider is enabled.
    pub discovery_enabled: bool,
    /// Why: `discovery.enabled is true`, `auth marker AWS_PROFILE`, …
    pub discovery_reason: RString,
    /// `apikey`, `profile`, `credentials`, `default` or `skip-auth`.
    pub auth_mode: RString,
    /// The credential source by name (AUTH-30), e.g. `AWS_BEARER_TOKEN_BEDROCK`.
    pub credential_source: RString,
    /// The region runtime calls go to.
    pub region: RString,
    /// Which rule chose the region (e.g. `AWS_REGION`, `awsRegion`, `default`).
    pub region_source: RString,
    /// The Bedrock runtime endpoint URL chat and embedding calls use.
    pub runtime_endpoint: RString,
    /// The Bedrock control-plane endpoint URL discovery uses.
    pub control_plane_endpoint: RString,
    /// How old the cached catalog is; `None` when there is none yet.
    pub catalog_age_ms: ROption<u64>,
    /// How many models the cached catalog holds; `None` when there is none yet.
    pub model_count: ROption<u32>,
    /// The last discovery failure, until a later run succeeds (DISC-52).
    pub last_error: ROption<DiscoveryFailure>,
    /// Further `key: value` lines a host may print as they are.
    pub details: RVec<StatusLine>,
    /// Facts of later interface versions (growth path, see [`crate::ext`]).
    pub extensions: crate::ext::Extensions,
}

/// One printable status or doctor line.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq)]
pub struct StatusLine {
    /// What the line is about (the part before `: `).
    pub key: RString,
    /// Its value (the part after `: `).
    pub value: RString,
}

/// The doctor's verdict (BR-30..32).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct DoctorReport {
    /// One `<check>: <result>` line per check, in order (BR-32).
    pub checks: RVec<StatusLine>,
    /// True when credentials resolve and streaming is not denied (the doctor's exit status).
    pub healthy: bool,
    /// Facts of later interface versions (growth path, see [`crate::ext`]).
    pub extensions: crate::ext::Extensions,
}
