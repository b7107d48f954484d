//! What a caller decides before the emulator starts: the credentials it accepts and how it listens.
//!
//! The defaults are the well-known example keys, so a test needs no setup; [`Credentials`] prints its
//! secrets redacted because options end up in test logs.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::policy::AccessPolicy;

/// Default SigV4 access key id accepted by the emulator.
pub const DEFAULT_ACCESS_KEY_ID: &str = "AKIDEXAMPLE";
/// Default SigV4 secret access key.
pub const DEFAULT_SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// Default Bedrock API key (`Authorization: Bearer …`).
pub const DEFAULT_BEARER_TOKEN: &str = "emulator-test-token";

/// The credentials the emulator accepts.
#[derive(Clone)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
    pub bearer_token: String,
    /// Bearer keys answered with `Bearer Token has expired` (a short-term key past its lifetime).
    pub expired_bearer_tokens: Vec<String>,
}

impl Default for Credentials {
    fn default() -> Self {
        Credentials {
            access_key_id: DEFAULT_ACCESS_KEY_ID.to_string(),
            secret_access_key: DEFAULT_SECRET_ACCESS_KEY.to_string(),
            session_token: None,
            bearer_token: DEFAULT_BEARER_TOKEN.to_string(),
            expired_bearer_tokens: Vec::new(),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "** redacted **"),
            )
            .field("bearer_token", &"** redacted **")
            .field("expired_bearer_tokens", &self.expired_bearer_tokens.len())
            .finish()
    }
}

/// How to start the emulator.
#[derive(Clone, Debug, Default)]
pub struct EmulatorOptions {
    /// 0 = ephemeral port on 127.0.0.1.
    pub port: u16,
    /// Serve HTTPS with a generated certificate (CA file at [`crate::Emulator::ca_cert_path`]).
    pub tls: bool,
    /// Directory with `foundation-models.json` and `inference-profiles.json`; `None` = built-in catalog.
    pub catalog: Option<PathBuf>,
    pub credentials: Credentials,
    /// Added latency for every request (control plane and runtime).
    pub latency: Option<Duration>,
    /// Operations IAM denies, per access key id or bearer token (also settable later through
    /// [`crate::Emulator::deny`]).
    pub policy: AccessPolicy,
    /// Guardrail ids ApplyGuardrail knows besides the built-in `abc123` and `gr1`.
    pub guardrails: Vec<String>,
}
