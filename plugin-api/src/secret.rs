//! A string that must never be printed.

use abi_stable::{std_types::RString, StableAbi};
use std::fmt;

/// A secret value (bearer token, key, password): the one secret type of the workspace, used
/// inside the plugin as well as across the boundary.
///
/// `Debug` and `Display` print `[redacted]`, so a secret inside any request or error can be
/// logged with `{:?}` without leaking (CFG-04).
#[repr(transparent)]
#[derive(StableAbi, Clone, PartialEq, Eq, Hash, Default)]
pub struct SecretString(RString);

impl SecretString {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(RString::from(value.into()))
    }

    /// The secret itself; call only where it is handed to the code that uses it.
    pub fn expose(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cfg_04_secret_is_redacted_in_debug_and_display() {
        let secret = SecretString::new("tok-123");
        assert_eq!(format!("{secret:?}"), "[redacted]");
        assert_eq!(format!("{secret}"), "[redacted]");
        assert_eq!(secret.expose(), "tok-123");
    }
}
