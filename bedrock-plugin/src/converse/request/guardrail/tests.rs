use super::*;
use crate::config::{GuardrailTrace as Trace, StreamProcessingMode};

fn guardrail(
    id: &str,
    version: &str,
    mode: Option<StreamProcessingMode>,
    trace: Option<Trace>,
) -> GuardrailConfig {
    GuardrailConfig {
        guardrail_identifier: id.to_owned(),
        guardrail_version: version.to_owned(),
        stream_processing_mode: mode,
        trace,
    }
}

#[test]
fn grd_01_all_four_keys_when_set() {
    let config = guardrail(
        "my-guardrail-id",
        "1",
        Some(StreamProcessingMode::Sync),
        Some(Trace::Enabled),
    );
    let sent = stream_config(Some(&config)).expect("guardrail");
    assert_eq!(sent.config.guardrail_identifier(), "my-guardrail-id");
    assert_eq!(sent.config.guardrail_version(), "1");
    assert_eq!(
        sent.config.stream_processing_mode(),
        &GuardrailStreamProcessingMode::Sync
    );
    assert_eq!(sent.config.trace(), &GuardrailTrace::Enabled);
    assert!(sent.unset_keys().is_empty());
}

#[test]
fn grd_01_only_required_keys_when_optional_unset() {
    let config = guardrail("abc123", "DRAFT", None, None);
    let sent = stream_config(Some(&config)).expect("guardrail");
    assert_eq!(sent.config.guardrail_identifier(), "abc123");
    assert_eq!(sent.config.guardrail_version(), "DRAFT");
    assert_eq!(sent.unset_keys(), ["trace", "streamProcessingMode"]);
    assert!(stream_config(None).is_none(), "EX-I18: no guardrail");
    assert!(stream_config(Some(&guardrail("", "1", None, None))).is_none());
}

#[test]
fn grd_01_strip_keys_removes_only_the_unset_defaults() {
    let body = br#"{"modelId":"m","inferenceConfig":{"temperature":0.20000000298023224},"guardrailConfig":{"guardrailIdentifier":"abc123","guardrailVersion":"DRAFT","trace":"disabled","streamProcessingMode":"sync"},"n":18446744073709551615}"#;
    let stripped = strip_keys(body, &["trace", "streamProcessingMode"]).expect("changed");
    assert_eq!(
        String::from_utf8(stripped).expect("utf8"),
        r#"{"modelId":"m","inferenceConfig":{"temperature":0.20000000298023224},"guardrailConfig":{"guardrailIdentifier":"abc123","guardrailVersion":"DRAFT"},"n":18446744073709551615}"#
    );
    assert_eq!(strip_keys(body, &[]), None);
    assert_eq!(strip_keys(br#"{"modelId":"m"}"#, &["trace"]), None);
}

#[test]
fn grd_02_converse_config_never_has_stream_processing_mode() {
    let config = guardrail(
        "guardrail-anthropic",
        "2",
        Some(StreamProcessingMode::Async),
        Some(Trace::EnabledFull),
    );
    let sent = converse_config(Some(&config)).expect("guardrail");
    assert_eq!(sent.guardrail_identifier(), "guardrail-anthropic");
    assert_eq!(sent.trace(), &GuardrailTrace::EnabledFull);
    // GuardrailConfiguration has no streamProcessingMode member at all; the stream form
    // keeps it.
    assert_eq!(
        stream_config(Some(&config)).map(|c| c.config.stream_processing_mode().clone()),
        Some(GuardrailStreamProcessingMode::Async)
    );
}
