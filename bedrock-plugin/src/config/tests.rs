use super::*;

#[test]
fn cfg_static_patterns_compile_and_match() {
    assert!(REGION_RE.is_match("us-gov-west-1"));
    assert!(!REGION_RE.is_match("US-EAST-1"));
    assert!(ENDPOINT_RE.is_match("https://bedrock.example"));
    assert!(!ENDPOINT_RE.is_match("ftp://bedrock.example"));
    assert!(GUARDRAIL_VERSION_RE.is_match("DRAFT"));
    assert!(!GUARDRAIL_VERSION_RE.is_match("0"));
}
