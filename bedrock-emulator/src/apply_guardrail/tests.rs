//! ApplyGuardrail's validation and its two answers.

use serde_json::json;

use super::*;

fn known() -> HashSet<String> {
    ["abc123".to_string()].into_iter().collect()
}

fn text(t: &str) -> Value {
    json!({"source": "INPUT", "content": [{"text": {"text": t}}]})
}

#[test]
fn none_or_intervened_by_the_converse_rule() {
    let ok = apply(&known(), "abc123", "DRAFT", &text("ping")).unwrap();
    assert_eq!(ok["action"], "NONE");
    assert_eq!(ok["outputs"], json!([]));
    assert_eq!(ok["usage"]["topicPolicyUnits"], 1);
    assert_eq!(
        ok["assessments"][0]["appliedGuardrailDetails"]["guardrailId"],
        "abc123"
    );
    let arn = "arn:aws:bedrock:us-east-1:123456789012:guardrail/abc123";
    let blocked = apply(&known(), arn, "1", &text("this is BLOCKED")).unwrap();
    assert_eq!(blocked["action"], "GUARDRAIL_INTERVENED");
    assert_eq!(blocked["outputs"][0]["text"], GUARDRAIL_BLOCKED);
    assert_eq!(
        blocked["assessments"][0]["topicPolicy"]["topics"][0]["action"],
        "BLOCKED"
    );
    assert_eq!(blocked["guardrailCoverage"]["textCharacters"]["total"], 15);
}

#[test]
fn rejects_like_the_service_model() {
    let err =
        |id: &str, version: &str, body: Value| apply(&known(), id, version, &body).unwrap_err();
    let e = err("nope", "DRAFT", text("x"));
    assert_eq!((e.status, e.message.as_str()), (404, UNKNOWN_GUARDRAIL));
    assert_eq!(e.error_type, "ResourceNotFoundException");
    assert!(err("Bad_Id", "DRAFT", text("x"))
        .message
        .contains("at 'guardrailIdentifier' failed to satisfy constraint"));
    assert!(err("abc123", "01", text("x"))
        .message
        .contains("at 'guardrailVersion'"));
    assert_eq!(
        err("abc123", "1", json!({"source": "BOTH", "content": []})).message,
        "1 validation error detected: Value 'BOTH' at 'source' failed to satisfy constraint: Member must satisfy enum value set: [INPUT, OUTPUT]"
    );
    assert!(err("abc123", "1", json!({"content": []}))
        .message
        .contains("Value null at 'source'"));
    assert!(err("abc123", "1", json!({"source": "OUTPUT"}))
        .message
        .contains("Value null at 'content'"));
    assert!(err(
        "abc123",
        "1",
        json!({"source": "OUTPUT", "content": [{"text": {}}]})
    )
    .message
    .contains("Value null at 'content.1.member.text.text'"));
}
