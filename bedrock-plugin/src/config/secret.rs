//! Secret config values (CFG-01..04): a literal or an `{"source":"env","id":…}` reference,
//! resolved at use time (CFG-02) into the workspace's one secret type,
//! `plugin_api::secret::SecretString`.
//!
//! The deserializer is written by hand so that no serde message (which quotes the offending
//! value) can echo part of a secret: every wrong shape gets the one CFG-03 sentence hosts share.

use std::borrow::Cow;
use std::fmt;
use std::sync::LazyLock;

use plugin_api::config_rules::{BLANK_SECRET_MESSAGE, SECRET_SHAPE_MESSAGE};
use plugin_api::secret::SecretString;
use regex_lite::Regex;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

/// Names accepted for `{"source":"env","id":...}` secret references.
pub const ENV_VAR_ID_PATTERN: &str = r"^[A-Za-z_][A-Za-z0-9_]*$";

static ENV_VAR_ID_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(ENV_VAR_ID_PATTERN).expect("constant pattern compiles"));

/// A secret config value (CFG-01): a literal or a reference to an environment variable.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Secret {
    /// Trimmed, never blank.
    Literal(SecretString),
    /// Resolved at use time so a rotated variable is picked up without a reload (CFG-02).
    Env {
        id: String,
        /// Accepted for compatibility with other hosts' secret providers; ignored.
        provider: Option<String>,
    },
}

impl Secret {
    /// The value to use now, or `None` when the key must count as unset.
    pub fn resolve(&self, env: &dyn Fn(&str) -> Option<String>) -> Option<SecretString> {
        match self {
            Secret::Literal(value) => Some(value.clone()),
            Secret::Env { id, .. } => {
                let value = env(id)?;
                let trimmed = value.trim();
                if trimmed.is_empty() {
                    None
                } else {
                    Some(SecretString::new(trimmed))
                }
            }
        }
    }

    /// Where the secret comes from, for status surfaces (AUTH-20/30): never the value.
    pub fn source_name(&self, config_path: &str) -> String {
        match self {
            Secret::Literal(_) => config_path.to_string(),
            Secret::Env { id, .. } => id.clone(),
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Secret::Literal(_) => f.write_str("Secret::Literal([redacted])"),
            // Variable names are not secret and make status/debugging useful.
            Secret::Env { id, .. } => write!(f, "Secret::Env({id})"),
        }
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SecretVisitor;

        impl<'de> Visitor<'de> for SecretVisitor {
            type Value = Secret;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#"a non-empty string or {"source":"env","id":"<VAR>"}"#)
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Secret, E> {
                if v.is_empty() {
                    return Err(E::custom(SECRET_SHAPE_MESSAGE));
                }
                let trimmed = v.trim();
                if trimmed.is_empty() {
                    return Err(E::custom(BLANK_SECRET_MESSAGE));
                }
                Ok(Secret::Literal(SecretString::new(trimmed)))
            }

            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Secret, E> {
                Err(E::custom(SECRET_SHAPE_MESSAGE))
            }

            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Secret, E> {
                Err(E::custom(SECRET_SHAPE_MESSAGE))
            }

            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Secret, E> {
                Err(E::custom(SECRET_SHAPE_MESSAGE))
            }

            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Secret, E> {
                Err(E::custom(SECRET_SHAPE_MESSAGE))
            }

            fn visit_unit<E: de::Error>(self) -> Result<Secret, E> {
                Err(E::custom(SECRET_SHAPE_MESSAGE))
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Secret, A::Error> {
                Err(de::Error::custom(SECRET_SHAPE_MESSAGE))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Secret, A::Error> {
                let mut source: Option<String> = None;
                let mut id: Option<String> = None;
                let mut provider: Option<String> = None;
                // Values are read as JSON and checked by hand so that no serde message
                // (which quotes the offending value) can echo part of a secret.
                let shape = || de::Error::custom(SECRET_SHAPE_MESSAGE);
                while let Some(key) = map.next_key::<String>()? {
                    let value: Value = map.next_value()?;
                    let Value::String(value) = value else {
                        return Err(shape());
                    };
                    match key.as_str() {
                        "source" => source = Some(value),
                        "id" => id = Some(value),
                        "provider" => provider = Some(value),
                        _ => return Err(shape()),
                    }
                }
                match (source.as_deref(), id) {
                    (Some("env"), Some(id)) if ENV_VAR_ID_RE.is_match(&id) => {
                        Ok(Secret::Env { id, provider })
                    }
                    _ => Err(de::Error::custom(SECRET_SHAPE_MESSAGE)),
                }
            }
        }

        deserializer.deserialize_any(SecretVisitor)
    }
}

impl JsonSchema for Secret {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Secret".into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "oneOf": [
                { "type": "string", "minLength": 1 },
                {
                    "type": "object",
                    "properties": {
                        "source": { "const": "env" },
                        "provider": { "type": "string" },
                        "id": { "type": "string", "pattern": ENV_VAR_ID_PATTERN }
                    },
                    "required": ["source", "id"],
                    "additionalProperties": false
                }
            ]
        })
    }
}

#[cfg(test)]
mod tests;
