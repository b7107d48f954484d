//! One snapshot of the process environment per operation.
//!
//! Every decision the plugin makes from env variables (auth mode, markers, region and
//! endpoint order, proxies, env secret references) reads the same snapshot taken when the
//! operation starts (auth-region-endpoints.md, preamble). Values are trimmed and blank ones
//! count as unset (AUTH-01). The plugin never writes the environment.

use std::collections::HashMap;

/// Trimmed, non-blank environment variables.
#[derive(Clone, Default)]
pub struct EnvSnapshot {
    vars: HashMap<String, String>,
}

impl std::fmt::Debug for EnvSnapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Values may be secrets; names are enough to debug.
        let mut names: Vec<&str> = self.vars.keys().map(String::as_str).collect();
        names.sort_unstable();
        f.debug_struct("EnvSnapshot").field("set", &names).finish()
    }
}

/// Static keys taken from the environment when both halves are present.
#[derive(Clone)]
pub struct EnvStaticKeys {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

impl EnvSnapshot {
    /// Reads the current process environment (variables that are not valid UTF-8 are skipped).
    pub fn capture() -> Self {
        Self::from_pairs(std::env::vars_os().filter_map(|(name, value)| {
            Some((name.into_string().ok()?, value.into_string().ok()?))
        }))
    }

    /// Builds a snapshot from explicit pairs (tests, and hosts that pass their own env).
    pub fn from_pairs<K: Into<String>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let vars = pairs
            .into_iter()
            .filter_map(|(name, value)| {
                let value = value.as_ref().trim();
                (!value.is_empty()).then(|| (name.into(), value.to_owned()))
            })
            .collect();
        Self { vars }
    }

    /// The trimmed value, or `None` when unset or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    pub fn is_set(&self, name: &str) -> bool {
        self.vars.contains_key(name)
    }

    /// `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`). If only one half
    /// is set, the pair and the token are ignored so the chain moves on to profiles (AUTH-01).
    pub fn static_keys(&self) -> Option<EnvStaticKeys> {
        Some(EnvStaticKeys {
            access_key_id: self.get("AWS_ACCESS_KEY_ID")?.to_owned(),
            secret_access_key: self.get("AWS_SECRET_ACCESS_KEY")?.to_owned(),
            session_token: self.get("AWS_SESSION_TOKEN").map(str::to_owned),
        })
    }

    /// A boolean env flag as the AWS SDKs read it (`true`, case-insensitive).
    pub fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|value| value.eq_ignore_ascii_case("true"))
    }

    /// The first of `names` that is set (proxy variables come in two spellings).
    pub fn first_of(&self, names: &[&str]) -> Option<&str> {
        names.iter().find_map(|name| self.get(name))
    }

    /// Resolver for `Secret::resolve` (CFG-02).
    pub fn lookup(&self) -> impl Fn(&str) -> Option<String> + '_ {
        move |name| self.get(name).map(str::to_owned)
    }
}

#[cfg(test)]
mod tests;
