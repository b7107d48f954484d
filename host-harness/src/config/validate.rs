//! Checking a plugin's entry in the host config before its library is loaded: the entry's
//! shape (HCFG-01/02), its `config` against the manifest's JSON Schema, and the legacy value
//! against the schema of its target, reported with the spec's exact messages (CFG-10/11).
//! Messages never echo a value, which may be a secret (CFG-04).

use std::fmt;

use serde_json::Value;

use super::{json_type, EffectiveConfig, HostConfig, SECRET_SHAPE_MESSAGE};
use super::{LEGACY_DISCOVERY_PATH, LEGACY_DISCOVERY_TARGET};

impl HostConfig {
    /// Shape errors of `plugins.entries.<id>` outside `config` (a non-boolean `enabled`,
    /// a non-object `config`), which [`plugin_entry`](Self::plugin_entry) would otherwise
    /// silently treat as unset.
    pub fn plugin_entry_issues(&self, plugin_id: &str) -> Vec<ConfigIssue> {
        let mut issues = Vec::new();
        let Some(entry) = self.entry_value(plugin_id) else {
            return issues;
        };
        let base = format!("plugins.entries.{plugin_id}");
        let Some(obj) = entry.as_object() else {
            issues.push(ConfigIssue {
                path: base,
                reason: format!("expected object, got {}", json_type(entry)),
            });
            return issues;
        };
        if let Some(enabled) = obj.get("enabled") {
            if !enabled.is_boolean() {
                issues.push(ConfigIssue {
                    path: format!("{base}.enabled"),
                    reason: format!("expected boolean, got {}", json_type(enabled)),
                });
            }
        }
        if let Some(config) = obj.get("config") {
            if !config.is_object() {
                issues.push(ConfigIssue {
                    path: format!("{base}.config"),
                    reason: format!("expected object, got {}", json_type(config)),
                });
            }
        }
        issues
    }

    /// The whole pre-load check for one plugin: entry shape (HCFG-01/02), config and
    /// legacy validation (CFG-10, MIG-01/04), then migration (MIG-02). Loading (or a live
    /// update, LIVE-03) must not proceed on `Err`.
    pub fn checked_plugin_config(
        &self,
        plugin_id: &str,
        schema: &Value,
        migration_paths: Option<&[String]>,
    ) -> Result<EffectiveConfig, ConfigValidationErrors> {
        let mut errors = self.plugin_entry_issues(plugin_id);
        if errors.is_empty() {
            let entry = self.plugin_entry(plugin_id);
            let legacy = self.legacy_value(plugin_id, migration_paths);
            if let Err(e) = validate_plugin_config(plugin_id, &entry.config, schema, legacy) {
                errors.extend(e.errors);
            }
        }
        if errors.is_empty() {
            Ok(self.effective_plugin_config_with_paths(plugin_id, migration_paths))
        } else {
            Err(ConfigValidationErrors {
                plugin_id: plugin_id.to_string(),
                errors,
            })
        }
    }
}

/// One validation error: `path` is the full dotted host-config path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigIssue {
    pub path: String,
    pub reason: String,
}

impl ConfigIssue {
    /// The CFG-10 line for this issue.
    pub fn render(&self, plugin_id: &str) -> String {
        format!(
            "invalid config for plugin {plugin_id} at {}: {}",
            self.path, self.reason
        )
    }
}

/// All errors of one validation, in document order (CFG-11).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigValidationErrors {
    pub plugin_id: String,
    pub errors: Vec<ConfigIssue>,
}

impl ConfigValidationErrors {
    pub fn lines(&self) -> Vec<String> {
        self.errors
            .iter()
            .map(|issue| issue.render(&self.plugin_id))
            .collect()
    }
}

impl fmt::Display for ConfigValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lines().join("\n"))
    }
}

impl std::error::Error for ConfigValidationErrors {}

/// Validates `plugins.entries.<plugin_id>.config` against the manifest's `configSchema`,
/// and the legacy `models.bedrockDiscovery` value (if any) against the schema of
/// `discovery`. Reports every error; none means the config may be handed to the plugin.
pub fn validate_plugin_config(
    plugin_id: &str,
    config: &Value,
    schema: &Value,
    legacy: Option<&Value>,
) -> Result<(), ConfigValidationErrors> {
    let config_prefix = format!("plugins.entries.{plugin_id}.config");
    let mut ordered = validate_against(&config_prefix, config, schema);
    if let Some(legacy) = legacy {
        let discovery_schema = schema
            .get("properties")
            .and_then(|p| p.get(LEGACY_DISCOVERY_TARGET));
        match discovery_schema {
            Some(sub) => ordered.extend(validate_against(LEGACY_DISCOVERY_PATH, legacy, sub)),
            None => ordered.push(Located {
                order: Vec::new(),
                issue: ConfigIssue {
                    path: LEGACY_DISCOVERY_PATH.to_string(),
                    reason: format!(
                        "plugin {plugin_id} has no \"{LEGACY_DISCOVERY_TARGET}\" config to migrate to"
                    ),
                },
            }),
        }
    }
    let errors: Vec<ConfigIssue> = ordered.into_iter().map(|l| l.issue).collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ConfigValidationErrors {
            plugin_id: plugin_id.to_string(),
            errors,
        })
    }
}

struct Located {
    /// Positions of each path step in the input (object key index or array index), so
    /// sorting by it yields document order.
    order: Vec<usize>,
    issue: ConfigIssue,
}

fn validate_against(prefix: &str, instance: &Value, schema: &Value) -> Vec<Located> {
    let validator = match jsonschema::draft202012::options().build(schema) {
        Ok(v) => v,
        Err(err) => {
            return vec![Located {
                order: Vec::new(),
                issue: ConfigIssue {
                    path: prefix.to_string(),
                    reason: format!("the plugin's configSchema is invalid: {err}"),
                },
            }]
        }
    };
    let mut out: Vec<Located> = Vec::new();
    for error in validator.iter_errors(instance) {
        let (order, path) = locate(prefix, instance, error.instance_path().as_str());
        let kind = error.kind();
        if let jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } = kind {
            let object = pointer_get(instance, error.instance_path().as_str());
            for key in unexpected {
                let mut key_order = order.clone();
                key_order.push(
                    object
                        .and_then(Value::as_object)
                        .and_then(|o| o.keys().position(|k| k == key))
                        .unwrap_or(usize::MAX),
                );
                out.push(Located {
                    order: key_order,
                    issue: ConfigIssue {
                        path: format!("{path}.{key}"),
                        reason: format!("unknown property {}", quote(key)),
                    },
                });
            }
            continue;
        }
        let schema_here = pointer_get(schema, error.schema_path().as_str());
        out.push(Located {
            order,
            issue: ConfigIssue {
                path,
                reason: reason_for(kind, error.instance(), schema_here),
            },
        });
    }
    out.extend(blank_secret_issues(prefix, instance, schema));
    // Stable: errors at the same place keep the validator's keyword order.
    out.sort_by(|a, b| a.order.cmp(&b.order));
    out
}

/// CFG-03: a whitespace-only literal passes `minLength: 1` but is still unusable. Secrets
/// are recognised by shape (a `oneOf` with an `{"source": {"const": "env"}}` branch) so
/// the rule follows the schema rather than a hard-coded key list.
fn blank_secret_issues(prefix: &str, instance: &Value, schema: &Value) -> Vec<Located> {
    let mut out = Vec::new();
    let (Some(obj), Some(props)) = (
        instance.as_object(),
        schema.get("properties").and_then(Value::as_object),
    ) else {
        return out;
    };
    for (index, (key, value)) in obj.iter().enumerate() {
        let Some(prop_schema) = props.get(key) else {
            continue;
        };
        if is_secret_schema(prop_schema) {
            if let Some(s) = value.as_str() {
                if !s.is_empty() && s.trim().is_empty() {
                    out.push(Located {
                        order: vec![index],
                        issue: ConfigIssue {
                            path: format!("{prefix}.{key}"),
                            reason: "must not be blank".to_string(),
                        },
                    });
                }
            }
        } else if value.is_object() && prop_schema.get("properties").is_some() {
            for mut nested in blank_secret_issues(&format!("{prefix}.{key}"), value, prop_schema) {
                nested.order.insert(0, index);
                out.push(nested);
            }
        }
    }
    out
}

/// Whether a property's schema is a secret's (CFG-01); shared with the config views, which
/// must mask exactly what validation treats as a secret.
pub(super) fn is_secret_schema(schema: &Value) -> bool {
    schema.get("oneOf").is_some_and(has_env_branch)
}

/// Whether `branches` (a `oneOf` array) offers the `{"source": {"const": "env"}}` form of
/// a secret reference.
fn has_env_branch(branches: &Value) -> bool {
    branches.as_array().is_some_and(|branches| {
        branches.iter().any(|b| {
            b.get("properties")
                .and_then(|p| p.get("source"))
                .and_then(|s| s.get("const"))
                .and_then(Value::as_str)
                == Some("env")
        })
    })
}

/// A one-branch `oneOf` is an extra rule on the value (the keyword subset has no `allOf`),
/// e.g. PLG-12's "no userinfo in an endpoint URL"; its branch's `description` is the reason.
fn single_rule_reason(branches: &Value) -> Option<&str> {
    match branches.as_array().map(Vec::as_slice) {
        Some([only]) => only.get("description").and_then(Value::as_str),
        _ => None,
    }
}

fn reason_for(
    kind: &jsonschema::error::ValidationErrorKind,
    instance: &Value,
    schema_here: Option<&Value>,
) -> String {
    use jsonschema::error::{TypeKind, ValidationErrorKind as K};
    match kind {
        K::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => t.as_str().to_string(),
                TypeKind::Multiple(set) => {
                    let names: Vec<String> = set.iter().map(|t| t.as_str().to_string()).collect();
                    names.join(" or ")
                }
            };
            format!("expected {expected}, got {}", json_type(instance))
        }
        K::Minimum { limit } => format!("must be >= {}", number_text(limit)),
        K::Maximum { limit } => format!("must be <= {}", number_text(limit)),
        K::ExclusiveMinimum { limit } => format!("must be > {}", number_text(limit)),
        K::ExclusiveMaximum { limit } => format!("must be < {}", number_text(limit)),
        K::Enum { options } => {
            let rendered: Vec<String> = options
                .as_array()
                .map(|values| values.iter().map(render_json).collect())
                .unwrap_or_default();
            format!("must be one of {}", rendered.join(", "))
        }
        K::Constant { expected_value } => format!("must be {}", render_json(expected_value)),
        K::Required { property } => {
            let name = property
                .as_str()
                .map_or_else(|| property.to_string(), str::to_string);
            format!("missing required property {}", quote(&name))
        }
        K::MinLength { limit } if *limit == 1 => "must not be empty".to_string(),
        K::MinLength { limit } => format!("must be at least {limit} characters long"),
        K::MaxLength { limit } => format!("must be at most {limit} characters long"),
        K::Pattern { pattern } => format!("must match pattern \"{pattern}\""),
        K::OneOfNotValid { .. } | K::OneOfMultipleValid { .. } => {
            // The sub-errors would describe the branches, not what the user should write,
            // and could echo a secret; one fixed sentence does neither.
            if schema_here.is_some_and(has_env_branch) {
                SECRET_SHAPE_MESSAGE.to_string()
            } else if let Some(reason) = schema_here.and_then(single_rule_reason) {
                reason.to_string()
            } else {
                "must match exactly one of the allowed forms".to_string()
            }
        }
        K::MinItems { limit } => format!("must have at least {limit} items"),
        K::MaxItems { limit } => format!("must have at most {limit} items"),
        K::UniqueItems => "must not contain duplicate items".to_string(),
        K::FalseSchema => "is not allowed".to_string(),
        // Never echo the instance: it may be a secret (CFG-04).
        other => format!("does not satisfy \"{}\"", other.keyword()),
    }
}

fn number_text(limit: &Value) -> String {
    match limit {
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

fn render_json(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| value.to_string())
}

fn quote(s: &str) -> String {
    render_json(&Value::String(s.to_string()))
}

fn unescape_pointer_segment(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

fn pointer_get<'a>(root: &'a Value, pointer: &str) -> Option<&'a Value> {
    if pointer.is_empty() {
        return Some(root);
    }
    root.pointer(pointer)
}

/// Renders a JSON pointer as `prefix.key[n]` and records each step's document position.
fn locate(prefix: &str, instance: &Value, pointer: &str) -> (Vec<usize>, String) {
    let mut order = Vec::new();
    let mut path = prefix.to_string();
    let mut current = Some(instance);
    for raw in pointer.split('/').skip(1) {
        let segment = unescape_pointer_segment(raw);
        match current {
            Some(Value::Array(items)) => {
                let index = segment.parse::<usize>().ok();
                path.push_str(&format!("[{segment}]"));
                order.push(index.unwrap_or(usize::MAX));
                current = index.and_then(|i| items.get(i));
            }
            Some(Value::Object(map)) => {
                path.push('.');
                path.push_str(&segment);
                order.push(map.keys().position(|k| *k == segment).unwrap_or(usize::MAX));
                current = map.get(&segment);
            }
            _ => {
                path.push('.');
                path.push_str(&segment);
                order.push(usize::MAX);
                current = None;
            }
        }
    }
    (order, path)
}
