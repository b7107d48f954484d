//! Guardrail intervention: with `guardrailConfig` set, the words `BLOCKED` or `!guardrail` in T make the
//! guardrail block the request; with tracing on, the reply carries Bedrock's `trace.guardrail` shape so
//! clients can test how they surface an intervention. ApplyGuardrail (crate `apply_guardrail`) judges
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
    let mode = config
        .get("trace")
        .and_then(Value::as_str)
        .unwrap_or("disabled");
    if mode != "enabled" && mode != "enabled_full" {
        return None;
    }
    let gid = config
        .get("guardrailIdentifier")
        .and_then(Value::as_str)
        .unwrap_or("emulator-guardrail");
    let version = config
        .get("guardrailVersion")
        .and_then(Value::as_str)
        .unwrap_or("DRAFT");
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
