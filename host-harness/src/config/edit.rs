//! Addressing the host config by dotted path (`plugins.entries.amazon-bedrock.config.
//! discovery.enabled`, `models.providers.amazon-bedrock.models[0].id`, the spelling CFG-10
//! errors use) for `config get|set|unset`, and the read-only views `config show` prints:
//! secrets masked the way status shows them (CFG-04, AUTH-30) and schema defaults filled in
//! (PLG-45). Kept in the library, apart from the CLI, so the masking rule is the one
//! validation uses to recognise a secret.

use std::fmt;

use serde_json::{Map, Value};

use super::validate::is_secret_schema;
use super::{json_type, HostConfig};

/// How a literal secret is shown: where it comes from, never its value (AUTH-30).
pub const SECRET_IN_CONFIG: &str = "(set in config)";

/// One step of a [`ConfigPath`].
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// A dotted path into the host config: keys separated by `.`, each optionally followed by
/// `[n]` array indexes. Keys containing `.`, `[` or `]` cannot be addressed (none in the
/// host's or the plugin's schema do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigPath {
    steps: Vec<Step>,
}

/// Why a path could not be read or edited.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// The path text is malformed (a usage error).
    #[error("invalid config path \"{path}\": {reason}; write keys separated by dots, with [n] for an array item, e.g. plugins.entries.amazon-bedrock.config.discovery.enabled")]
    BadPath { path: String, reason: String },
    /// Nothing is at the path.
    #[error("{path} is not set ({detail})")]
    Missing { path: String, detail: String },
    /// A step of the path goes through a value that cannot hold it.
    #[error("cannot set {path}: {at} is {found}, not {wanted}")]
    NotContainer {
        path: String,
        at: String,
        found: String,
        wanted: &'static str,
    },
    /// An array index past the end (appending at exactly the end is allowed).
    #[error("cannot set {path}: {at} has {len} item(s); an index names an existing item or, to append, {len}")]
    OutOfRange {
        path: String,
        at: String,
        len: usize,
    },
}

impl ConfigPath {
    pub fn parse(text: &str) -> Result<ConfigPath, EditError> {
        let bad = |reason: &str| EditError::BadPath {
            path: text.to_owned(),
            reason: reason.to_owned(),
        };
        if text.trim().is_empty() {
            return Err(bad("the path is empty"));
        }
        let mut steps = Vec::new();
        for part in text.split('.') {
            let (key, mut indexes) = part.split_at(part.find('[').unwrap_or(part.len()));
            if key.is_empty() {
                return Err(bad("a key is empty"));
            }
            if key.contains(']') {
                return Err(bad("a \"]\" without its \"[\""));
            }
            steps.push(Step::Key(key.to_owned()));
            while !indexes.is_empty() {
                let Some((inside, rest)) = indexes
                    .strip_prefix('[')
                    .and_then(|after| after.split_once(']'))
                else {
                    return Err(bad("an array index must be written [n]"));
                };
                let index = inside
                    .parse::<usize>()
                    .map_err(|_| bad("an array index must be a number, e.g. [0]"))?;
                steps.push(Step::Index(index));
                indexes = rest;
            }
        }
        Ok(ConfigPath { steps })
    }

    /// The first `len` steps as text (`""` for none).
    fn prefix(&self, len: usize) -> String {
        let mut out = String::new();
        for step in &self.steps[..len] {
            match step {
                Step::Key(key) if out.is_empty() => out.push_str(key),
                Step::Key(key) => {
                    out.push('.');
                    out.push_str(key);
                }
                Step::Index(index) => out.push_str(&format!("[{index}]")),
            }
        }
        out
    }

    /// "the config" for the root, else the path's first `len` steps.
    fn place(&self, len: usize) -> String {
        if len == 0 {
            "the config".to_owned()
        } else {
            self.prefix(len)
        }
    }

    fn missing(&self, at: usize, current: &Value) -> EditError {
        let place = self.place(at);
        let detail = match (&self.steps[at], current) {
            (Step::Key(key), Value::Object(_)) => format!("{place} has no \"{key}\""),
            (Step::Index(_), Value::Array(items)) => {
                format!("{place} has {} item(s)", items.len())
            }
            (Step::Key(_), other) => format!("{place} is {}, not an object", a(other)),
            (Step::Index(_), other) => format!("{place} is {}, not an array", a(other)),
        };
        EditError::Missing {
            path: self.to_string(),
            detail,
        }
    }

    /// The value at this path.
    pub fn get<'a>(&self, root: &'a Value) -> Result<&'a Value, EditError> {
        let mut current = root;
        for (at, step) in self.steps.iter().enumerate() {
            let next = match step {
                Step::Key(key) => current.as_object().and_then(|o| o.get(key)),
                Step::Index(index) => current.as_array().and_then(|items| items.get(*index)),
            };
            current = next.ok_or_else(|| self.missing(at, current))?;
        }
        Ok(current)
    }

    /// Puts `value` at this path, creating missing objects (or an array, before an index)
    /// on the way.
    pub fn set(&self, root: &mut Value, value: Value) -> Result<(), EditError> {
        self.set_at(root, 0, value)
    }

    fn set_at(&self, current: &mut Value, at: usize, value: Value) -> Result<(), EditError> {
        let last = at + 1 == self.steps.len();
        let found = a(current);
        let not_container = |wanted| EditError::NotContainer {
            path: self.to_string(),
            at: self.place(at),
            found: found.clone(),
            wanted,
        };
        match &self.steps[at] {
            Step::Key(key) => {
                let object = current
                    .as_object_mut()
                    .ok_or_else(|| not_container("an object"))?;
                if last {
                    object.insert(key.clone(), value);
                    return Ok(());
                }
                let child = object
                    .entry(key.clone())
                    .or_insert_with(|| match self.steps[at + 1] {
                        Step::Index(_) => Value::Array(Vec::new()),
                        Step::Key(_) => Value::Object(Map::new()),
                    });
                self.set_at(child, at + 1, value)
            }
            Step::Index(index) => {
                let items = current
                    .as_array_mut()
                    .ok_or_else(|| not_container("an array"))?;
                let len = items.len();
                match items.get_mut(*index) {
                    Some(item) if last => {
                        *item = value;
                        Ok(())
                    }
                    Some(item) => self.set_at(item, at + 1, value),
                    None if *index == len && last => {
                        items.push(value);
                        Ok(())
                    }
                    None => Err(EditError::OutOfRange {
                        path: self.to_string(),
                        at: self.place(at),
                        len,
                    }),
                }
            }
        }
    }

    /// Removes the value at this path (keeping the order of what remains), returning it.
    pub fn unset(&self, root: &mut Value) -> Result<Value, EditError> {
        self.get(root)?;
        let (last, parents) = self.steps.split_last().expect("a parsed path has a step");
        let mut parent = root;
        for step in parents {
            parent = match step {
                Step::Key(key) => parent.get_mut(key.as_str()),
                Step::Index(index) => parent.get_mut(*index),
            }
            .expect("checked by get");
        }
        let removed = match last {
            Step::Key(key) => parent.as_object_mut().and_then(|o| o.shift_remove(key)),
            Step::Index(index) => parent.as_array_mut().map(|items| items.remove(*index)),
        };
        Ok(removed.expect("checked by get"))
    }
}

impl fmt::Display for ConfigPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.prefix(self.steps.len()))
    }
}

/// "a string", "an object", … for messages.
fn a(value: &Value) -> String {
    let kind = json_type(value);
    if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {kind}")
    } else {
        format!("a {kind}")
    }
}

/// How an env-reference secret is shown; a literal is always [`SECRET_IN_CONFIG`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretView {
    /// As written (`{"source": "env", "id": "VAR"}`): not secret, and `config set` takes it
    /// back unchanged.
    Written,
    /// As its source, `env:VAR`, the way status names credential sources.
    Source,
}

/// `config` (a plugin config) with every secret property of `schema` (CFG-01) replaced by
/// where it comes from. A malformed secret is masked too: its value could be a secret typed
/// into the wrong shape.
pub fn mask_secrets(config: &Value, schema: &Value, view: SecretView) -> Value {
    let (Some(object), Some(properties)) = (
        config.as_object(),
        schema.get("properties").and_then(Value::as_object),
    ) else {
        return config.clone();
    };
    let masked = object.iter().map(|(key, value)| {
        let shown = match properties.get(key) {
            Some(property) if is_secret_schema(property) => mask_secret(value, view),
            Some(property) => mask_secrets(value, property, view),
            None => value.clone(),
        };
        (key.clone(), shown)
    });
    Value::Object(masked.collect())
}

fn mask_secret(value: &Value, view: SecretView) -> Value {
    let env_id = value
        .as_object()
        .filter(|o| o.get("source").and_then(Value::as_str) == Some("env"))
        .and_then(|o| o.get("id"))
        .and_then(Value::as_str);
    match (env_id, view) {
        (Some(_), SecretView::Written) => value.clone(),
        (Some(id), SecretView::Source) => Value::String(format!("env:{id}")),
        (None, _) => Value::String(SECRET_IN_CONFIG.to_owned()),
    }
}

/// PLG-45: `config` with the schema's `default` annotations filled in where a key is unset,
/// for display only (CFG-05: the host never writes them back). A nested object that is
/// unset is filled only when its schema has no `required` keys, so no `guardrail` is
/// invented.
pub fn with_defaults(config: &Value, schema: &Value) -> Value {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return config.clone();
    };
    let Some(object) = config.as_object() else {
        return config.clone();
    };
    let mut out = Map::new();
    for (key, value) in object {
        let filled = match properties.get(key) {
            Some(property) if value.is_object() => with_defaults(value, property),
            _ => value.clone(),
        };
        out.insert(key.clone(), filled);
    }
    for (key, property) in properties {
        if out.contains_key(key) {
            continue;
        }
        if let Some(default) = property.get("default") {
            out.insert(key.clone(), default.clone());
        } else if property.get("properties").is_some() && property.get("required").is_none() {
            let nested = with_defaults(&Value::Object(Map::new()), property);
            if nested.as_object().is_some_and(|o| !o.is_empty()) {
                out.insert(key.clone(), nested);
            }
        }
    }
    Value::Object(out)
}

/// Where a shown value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The plugin's entry in the host config.
    Written,
    /// A legacy location, merged in (MIG-02).
    Legacy,
    /// The schema's `default` (PLG-45).
    Default,
}

/// One leaf of a shown plugin config: its dotted path under `config`, the (masked) value,
/// and where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewLine {
    pub path: String,
    pub value: Value,
    pub origin: Origin,
}

/// The leaves of `shown` (objects are walked, arrays and scalars are leaves), each with its
/// origin: in `written` (the entry's own config), else in `migrated` (after MIG-02), else a
/// default.
pub fn effective_view(shown: &Value, written: &Value, migrated: &Value) -> Vec<ViewLine> {
    let mut lines = Vec::new();
    leaves(shown, &mut Vec::new(), &mut |keys, value| {
        let present = |root: &Value| {
            keys.iter()
                .try_fold(root, |v, key| v.as_object()?.get(*key))
                .is_some()
        };
        let origin = if present(written) {
            Origin::Written
        } else if present(migrated) {
            Origin::Legacy
        } else {
            Origin::Default
        };
        lines.push(ViewLine {
            path: keys.join("."),
            value: value.clone(),
            origin,
        });
    });
    lines
}

fn leaves<'a>(
    value: &'a Value,
    keys: &mut Vec<&'a str>,
    visit: &mut dyn FnMut(&[&'a str], &'a Value),
) {
    match value.as_object() {
        Some(object) if !object.is_empty() => {
            for (key, child) in object {
                keys.push(key);
                leaves(child, keys, visit);
                keys.pop();
            }
        }
        _ if keys.is_empty() => {}
        _ => visit(keys, value),
    }
}

impl HostConfig {
    /// The whole file as `config get` shows it: `plugin_id`'s config with its secrets masked
    /// against `schema` (env references as written).
    pub fn masked(&self, plugin_id: &str, schema: &Value) -> Value {
        let mut raw = self.raw.clone();
        let pointer = format!(
            "/plugins/entries/{}/config",
            plugin_id.replace('~', "~0").replace('/', "~1")
        );
        if let Some(config) = raw.pointer_mut(&pointer) {
            *config = mask_secrets(config, schema, SecretView::Written);
        }
        raw
    }

    /// A copy with `value` at `path`.
    pub fn with_value(&self, path: &ConfigPath, value: Value) -> Result<HostConfig, EditError> {
        let mut raw = self.raw.clone();
        path.set(&mut raw, value)?;
        Ok(HostConfig { raw })
    }

    /// A copy without the value at `path`.
    pub fn without(&self, path: &ConfigPath) -> Result<HostConfig, EditError> {
        let mut raw = self.raw.clone();
        path.unset(&mut raw)?;
        Ok(HostConfig { raw })
    }

    /// The file text `config set` writes: JSON (valid JSON5), two-space indented, one
    /// trailing newline (PLG-44).
    pub fn to_file_text(&self) -> String {
        let mut text = serde_json::to_string_pretty(&self.raw).unwrap_or_default();
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests;
