//! Guardrail intervention: with `guardrailConfig` set, the words `BLOCKED` or `!guardrail` in T make the
//! guardrail block the request; with tracing on, the reply carries Bedrock's `trace.guardrail` shape so
//! clients can test how they surface an intervention.

use serde_json::{json, Value};

use super::request::Turn;

/// The guardrail config, if the guardrail blocks this turn.
pub(super) fn blocking<'a>(req: &'a Value, turn: &Turn) -> Option<&'a Value> {
    let config = req.get("guardrailConfig")?;
    (turn.has_word("BLOCKED") || turn.has_word("!guardrail")).then_some(config)
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
        .unwrap_or("emulator-guardrail")
        .to_string();
    let version = config
        .get("guardrailVersion")
        .and_then(Value::as_str)
        .unwrap_or("DRAFT");
    let chars = turn.text.chars().count();
    Some(json!({
        "guardrail": {
            "actionReason": "Guardrail blocked.",
            "inputAssessment": {
                gid.clone(): {
                    "topicPolicy": {"topics": [{"name": "emulator-blocked-topic", "type": "DENY", "action": "BLOCKED", "detected": true}]},
                    "appliedGuardrailDetails": {
                        "guardrailArn": format!("arn:aws:bedrock:us-east-1:123456789012:guardrail/{gid}"),
                        "guardrailId": gid,
                        "guardrailOrigin": ["REQUEST"],
                        "guardrailOwnership": "SELF",
                        "guardrailVersion": version
                    },
                    "invocationMetrics": {
                        "guardrailCoverage": {"textCharacters": {"guarded": chars, "total": chars}},
                        "guardrailProcessingLatency": 1,
                        "usage": {"automatedReasoningPolicies": 0, "automatedReasoningPolicyUnits": 0, "contentPolicyImageUnits": 0, "contentPolicyUnits": 0, "contextualGroundingPolicyUnits": 0, "sensitiveInformationPolicyFreeUnits": 0, "sensitiveInformationPolicyUnits": 0, "topicPolicyUnits": 1, "wordPolicyUnits": 0}
                    }
                }
            },
            "modelOutput": [],
            "outputAssessments": {}
        }
    }))
}
