//! Guardrail intervention: with `guardrailConfig` set, the words `BLOCKED` or `!guardrail` in T make the
//! guardrail block the request, and the word `!mask` makes it anonymize the e-mail addresses of the reply
//! (sensitive-information policy, action `ANONYMIZED`: Bedrock still reports `guardrail_intervened`, but
//! the answer is delivered masked); with tracing on, the reply carries Bedrock's `trace.guardrail` shape
//! so clients can test how they surface an intervention. ApplyGuardrail (crate `apply_guardrail`) judges
//! its content by the same rule ([`blocks_text`]) and reports the same assessment pieces.

use serde_json::{json, Value};

use super::request::Turn;
use crate::policy::ACCOUNT;

/// The topic the emulated guardrail denies.
pub(crate) const BLOCKED_TOPIC: &str = "emulator-blocked-topic";

/// Whether the guardrail blocks `text`: it holds the word `BLOCKED` or `!guardrail`.
pub(crate) fn blocks_text(text: &str) -> bool {
    text.split_whitespace()
        .any(|w| w == "BLOCKED" || w == "!guardrail")
}

/// The guardrail config, if the guardrail blocks this turn.
pub(super) fn blocking<'a>(req: &'a Value, turn: &Turn) -> Option<&'a Value> {
    let config = req.get("guardrailConfig")?;
    blocks_text(&turn.text).then_some(config)
}

/// What Bedrock puts in place of an anonymized e-mail address (`{<PII type>}`).
pub(crate) const EMAIL_MASK: &str = "{EMAIL}";

/// The guardrail config, if the guardrail masks this turn's reply (`!mask` in T).
pub(super) fn masking<'a>(req: &'a Value, turn: &Turn) -> Option<&'a Value> {
    let config = req.get("guardrailConfig")?;
    turn.has_word("!mask").then_some(config)
}

/// Whether a word of the reply is an e-mail address the guardrail anonymizes.
pub(super) fn is_email(word: &str) -> bool {
    word.split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
}

/// The mode of `trace`, when it asks for the trace (`enabled` or `enabled_full`).
fn tracing_on(config: &Value) -> bool {
    let mode = config
        .get("trace")
        .and_then(Value::as_str)
        .unwrap_or("disabled");
    mode == "enabled" || mode == "enabled_full"
}

fn guardrail_id_and_version(config: &Value) -> (&str, &str) {
    (
        config
            .get("guardrailIdentifier")
            .and_then(Value::as_str)
            .unwrap_or("emulator-guardrail"),
        config
            .get("guardrailVersion")
            .and_then(Value::as_str)
            .unwrap_or("DRAFT"),
    )
}

/// `trace.guardrail` for a reply whose e-mail addresses `masked` were anonymized: an output
/// assessment whose only actions are `ANONYMIZED` (no `actionReason`: no public capture of the one
/// Bedrock sends for masking, L).
pub(super) fn masked_trace(
    config: &Value,
    masked: &[String],
    output_chars: usize,
) -> Option<Value> {
    if !tracing_on(config) {
        return None;
    }
    let (gid, version) = guardrail_id_and_version(config);
    let entities: Vec<Value> = masked
        .iter()
        .map(|m| json!({"match": m, "type": "EMAIL", "action": "ANONYMIZED", "detected": true}))
        .collect();
    Some(json!({
        "guardrail": {
            "inputAssessment": {},
            "modelOutput": [],
            "outputAssessments": {
                gid: [{
                    "sensitiveInformationPolicy": {"piiEntities": entities, "regexes": []},
                    "appliedGuardrailDetails": applied_details(gid, version),
                    "invocationMetrics": invocation_metrics(output_chars)
                }]
            }
        }
    }))
}

/// The topic-policy assessment of a blocked text.
pub(crate) fn blocked_topic_policy() -> Value {
    json!({"topics": [{"name": BLOCKED_TOPIC, "type": "DENY", "action": "BLOCKED", "detected": true}]})
}

/// `appliedGuardrailDetails` for guardrail `gid` at `version`.
pub(crate) fn applied_details(gid: &str, version: &str) -> Value {
    json!({
        "guardrailArn": format!("arn:aws:bedrock:us-east-1:{ACCOUNT}:guardrail/{gid}"),
        "guardrailId": gid,
        "guardrailOrigin": ["REQUEST"],
        "guardrailOwnership": "SELF",
        "guardrailVersion": version
    })
}

/// Policy units used: one topic-policy unit per evaluation.
pub(crate) fn usage_units() -> Value {
    json!({"automatedReasoningPolicies": 0, "automatedReasoningPolicyUnits": 0, "contentPolicyImageUnits": 0, "contentPolicyUnits": 0, "contextualGroundingPolicyUnits": 0, "sensitiveInformationPolicyFreeUnits": 0, "sensitiveInformationPolicyUnits": 0, "topicPolicyUnits": 1, "wordPolicyUnits": 0})
}

/// `invocationMetrics` for `chars` guarded characters.
pub(crate) fn invocation_metrics(chars: usize) -> Value {
    json!({
        "guardrailCoverage": {"textCharacters": {"guarded": chars, "total": chars}},
        "guardrailProcessingLatency": 1,
        "usage": usage_units()
    })
}

/// `trace.guardrail` for a blocked turn, when `trace` is `enabled` or `enabled_full`.
pub(super) fn trace(config: &Value, turn: &Turn) -> Option<Value> {
    if !tracing_on(config) {
        return None;
    }
    let (gid, version) = guardrail_id_and_version(config);
    Some(json!({
        "guardrail": {
            "actionReason": "Guardrail blocked.",
            "inputAssessment": {
                gid: {
                    "topicPolicy": blocked_topic_policy(),
                    "appliedGuardrailDetails": applied_details(gid, version),
                    "invocationMetrics": invocation_metrics(turn.text.chars().count())
                }
            },
            "modelOutput": [],
            "outputAssessments": {}
        }
    }))
}
