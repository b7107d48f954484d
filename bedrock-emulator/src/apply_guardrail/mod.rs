//! ApplyGuardrail (`POST /guardrail/{guardrailIdentifier}/version/{guardrailVersion}/apply`): the
//! path and body are validated per the bedrock-runtime service model, then the content is judged by
//! the Converse guardrail rule (a text with the word `BLOCKED` or `!guardrail` is blocked by the topic
//! policy `emulator-blocked-topic`): `action: NONE`, or `GUARDRAIL_INTERVENED` with the blocked
//! message as the output and a topic-policy assessment.
//!
//! Known guardrails are the built-in `abc123` and `gr1` plus those added through the options or
//! [`Emulator::add_guardrail`](crate::Emulator::add_guardrail), by id or guardrail ARN; every version
//! (`DRAFT` or a number) of a known guardrail exists.

#[cfg(test)]
mod tests;

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::converse::guardrail::{
    applied_details, blocked_topic_policy, blocks_text, invocation_metrics, usage_units,
};
use crate::converse::GUARDRAIL_BLOCKED;
use crate::error::{ApiError, MALFORMED};

const VERSION_PATTERN: &str = "(|([1-9][0-9]{0,7})|(DRAFT))";
const ID_PATTERN: &str =
    "(|([a-z0-9]+)|(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail/[a-z0-9]+))";

/// The answer to an unknown guardrail. L: no public capture of ApplyGuardrail's 404 text; this is the
/// wording Converse gives a missing guardrail.
pub(crate) const UNKNOWN_GUARDRAIL: &str =
    "The guardrail identifier or version provided in the request does not exist.";

fn pattern_error(value: &str, member: &str, pattern: &str) -> ApiError {
    ApiError::validation(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}"
    ))
}

fn enum_error(value: &str, member: &str, allowed: &str) -> ApiError {
    ApiError::validation(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy enum value set: [{allowed}]"
    ))
}

/// The guardrail id of an identifier (id, or the part after `:guardrail/` of an ARN), if well-formed.
fn guardrail_id(identifier: &str) -> Option<&str> {
    let id = match identifier.strip_prefix("arn:") {
        Some(_) => identifier.rsplit_once(":guardrail/")?.1,
        None => identifier,
    };
    let ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    ok.then_some(id)
}

fn valid_version(version: &str) -> bool {
    version == "DRAFT"
        || (matches!(version.len(), 1..=8)
            && !version.starts_with('0')
            && version.chars().all(|c| c.is_ascii_digit()))
}

/// The path's guardrail, checked: well-formed, then known.
fn check_guardrail<'a>(
    known: &HashSet<String>,
    identifier: &'a str,
    version: &str,
) -> Result<&'a str, ApiError> {
    let id = guardrail_id(identifier)
        .ok_or_else(|| pattern_error(identifier, "guardrailIdentifier", ID_PATTERN))?;
    if !valid_version(version) {
        return Err(pattern_error(version, "guardrailVersion", VERSION_PATTERN));
    }
    if !known.contains(id) {
        return Err(ApiError::not_found(UNKNOWN_GUARDRAIL));
    }
    Ok(id)
}

/// The content's texts, after checking `source`, `outputScope` and each content block.
fn check_body(req: &Value) -> Result<Vec<String>, ApiError> {
    if !req.is_object() {
        return Err(ApiError::validation(MALFORMED));
    }
    match req.get("source") {
        None | Some(Value::Null) => return Err(ApiError::not_null("source")),
        Some(Value::String(s)) if s == "INPUT" || s == "OUTPUT" => {}
        Some(other) => {
            let shown = other.as_str().map_or(other.to_string(), str::to_string);
            return Err(enum_error(&shown, "source", "INPUT, OUTPUT"));
        }
    }
    if let Some(scope) = req.get("outputScope").and_then(Value::as_str) {
        if scope != "INTERVENTIONS" && scope != "FULL" {
            return Err(enum_error(scope, "outputScope", "INTERVENTIONS, FULL"));
        }
    }
    let content = match req.get("content") {
        None | Some(Value::Null) => return Err(ApiError::not_null("content")),
        Some(Value::Array(c)) => c,
        Some(_) => return Err(ApiError::validation(MALFORMED)),
    };
    content
        .iter()
        .enumerate()
        .filter_map(|(i, b)| check_block(i, b).transpose())
        .collect()
}

/// One content block (a union of `text` and `image`): its text, if it is a text block.
fn check_block(i: usize, block: &Value) -> Result<Option<String>, ApiError> {
    let member = |rest: &str| format!("content.{}.member.{rest}", i + 1);
    if let Some(text) = block.get("text") {
        return match text.get("text") {
            Some(Value::String(t)) => Ok(Some(t.clone())),
            _ => Err(ApiError::not_null(&member("text.text"))),
        };
    }
    if let Some(image) = block.get("image") {
        for field in ["format", "source"] {
            if image.get(field).is_none_or(Value::is_null) {
                return Err(ApiError::not_null(&member(&format!("image.{field}"))));
            }
        }
        return Ok(None);
    }
    Err(ApiError::validation(MALFORMED))
}

/// Apply guardrail `identifier` at `version` to the request body.
pub(crate) fn apply(
    known: &HashSet<String>,
    identifier: &str,
    version: &str,
    req: &Value,
) -> Result<Value, ApiError> {
    let id = check_guardrail(known, identifier, version)?;
    let texts = check_body(req)?;
    let chars: usize = texts.iter().map(|t| t.chars().count()).sum();
    let blocked = texts.iter().any(|t| blocks_text(t));
    let mut assessment = json!({
        "invocationMetrics": invocation_metrics(chars),
        "appliedGuardrailDetails": applied_details(id, version),
    });
    let coverage = json!({"textCharacters": {"guarded": chars, "total": chars}});
    if !blocked {
        return Ok(json!({
            "usage": usage_units(),
            "action": "NONE",
            "outputs": [],
            "assessments": [assessment],
            "guardrailCoverage": coverage,
        }));
    }
    assessment["topicPolicy"] = blocked_topic_policy();
    Ok(json!({
        "usage": usage_units(),
        "action": "GUARDRAIL_INTERVENED",
        "actionReason": "Guardrail blocked.",
        "outputs": [{"text": GUARDRAIL_BLOCKED}],
        "assessments": [assessment],
        "guardrailCoverage": coverage,
    }))
}
