//! One snapshot of the process environment per operation.
//!
//! Every decision the plugin makes from env variables (auth mode, markers, region and
//! endpoint order, proxies, env secret references) reads the same snapshot taken when the
//! operation starts (auth-region-endpoints.md, preamble). Values are trimmed and blank ones
//! count as unset (AUTH-01). The plugin never writes the environment.

/// The environment variables as read; `get` trims and treats blank values as unset.
///
/// A plain list rather than a map: one is taken per operation (every chat), and a
/// process has a few dozen variables of which an operation reads a handful, so building a
/// hash map and trimmed copies of every value cost more than the lookups they would save.
#[derive(Clone, Default)]
pub struct EnvSnapshot {
    vars: Vec<(String, String)>,
}

impl std::fmt::Debug for EnvSnapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Values may be secrets; names are enough to debug.
        let mut names: Vec<&str> = self
            .vars
            .iter()
            .filter(|(_, value)| !value.trim().is_empty())
            .map(|(name, _)| name.as_str())
            .collect();
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
        // Names are unique in the process environment, and `into_string` reuses the
        // buffers `vars_os` allocated.
        let vars = std::env::vars_os()
            .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
            .collect();
        Self { vars }
    }

    /// Builds a snapshot from explicit pairs (tests, and hosts that pass their own env).
    pub fn from_pairs<K: Into<String>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let mut vars: Vec<(String, String)> = Vec::new();
        for (name, value) in pairs {
            let name = name.into();
            let value = value.as_ref().to_owned();
            // A later pair for the same name wins, as it would in a map.
            match vars.iter_mut().find(|(known, _)| *known == name) {
                Some(slot) => slot.1 = value,
                None => vars.push((name, value)),
            }
        }
        Self { vars }
    }

    /// The trimmed value, or `None` when unset or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|(known, _)| known == name)
            .map(|(_, value)| value.trim())
            .filter(|value| !value.is_empty())
    }

    pub fn is_set(&self, name: &str) -> bool {
        self.get(name).is_some()
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
