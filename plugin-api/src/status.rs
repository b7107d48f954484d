//! What a plugin reports about itself: status and doctor checks.

use abi_stable::{
    std_types::{ROption, RString, RVec},
    StableAbi,
};

/// The last discovery failure (DISC-52).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct DiscoveryFailure {
    pub at_ms: u64,
    pub operation: RString,
    pub message: RString,
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
    pub region: RString,
    /// Which rule chose the region (e.g. `AWS_REGION`, `awsRegion`, `default`).
    pub region_source: RString,
    pub runtime_endpoint: RString,
    pub control_plane_endpoint: RString,
    pub catalog_age_ms: ROption<u64>,
    pub model_count: ROption<u32>,
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
    pub key: RString,
    pub value: RString,
}

/// The doctor's verdict (BR-30..32).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct DoctorReport {
    pub checks: RVec<StatusLine>,
    pub healthy: bool,
    /// Facts of later interface versions (growth path, see [`crate::ext`]).
    pub extensions: crate::ext::Extensions,
}
