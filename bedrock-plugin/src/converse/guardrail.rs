//! Guardrail (GRD-01, GRD-02): `guardrailConfig` from the live plugin config.
//!
//! The caller passes the config of the current request (LIVE-01), so a guardrail added or
//! removed by a live update applies from the next request on (LIVE-02).

use aws_sdk_bedrockruntime::types::{
    GuardrailConfiguration, GuardrailStreamConfiguration, GuardrailStreamProcessingMode,
    GuardrailTrace,
};

use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_types::body::SdkBody;

use crate::config::GuardrailConfig;

/// Identifier and version are both needed; either blank means no guardrail.
fn usable(config: Option<&GuardrailConfig>) -> Option<&GuardrailConfig> {
    config.filter(|g| {
        !g.guardrail_identifier.trim().is_empty() && !g.guardrail_version.trim().is_empty()
    })
}

fn trace(config: &GuardrailConfig) -> Option<GuardrailTrace> {
    config
        .trace
        .map(|trace| GuardrailTrace::from(trace.as_str()))
}

/// GRD-01 for ConverseStream, remembering which optional keys the config set.
///
/// The Rust SDK's model gives `trace` and `streamProcessingMode` defaults and always
/// serialises them, but GRD-01 sends them only when set (an operator who left them out gets
/// Bedrock's own defaults, whatever they become). [`StreamGuardrail::unset_keys`] names the
/// keys the send must strip again ([`strip_unset_keys`]).
#[derive(Clone, Debug, PartialEq)]
pub struct StreamGuardrail {
    pub config: GuardrailStreamConfiguration,
    pub trace_set: bool,
    pub stream_processing_mode_set: bool,
}

impl StreamGuardrail {
    /// The wire keys of `guardrailConfig` that the SDK fills in although the config left
    /// them unset.
    pub fn unset_keys(&self) -> Vec<&'static str> {
        let mut keys = Vec::new();
        if !self.trace_set {
            keys.push("trace");
        }
        if !self.stream_processing_mode_set {
            keys.push("streamProcessingMode");
        }
        keys
    }
}

/// GRD-01 for ConverseStream: all four keys, the optional ones only when set.
pub fn stream_config(config: Option<&GuardrailConfig>) -> Option<StreamGuardrail> {
    let config = usable(config)?;
    Some(StreamGuardrail {
        config: GuardrailStreamConfiguration::builder()
            .guardrail_identifier(config.guardrail_identifier.clone())
            .guardrail_version(config.guardrail_version.clone())
            .set_stream_processing_mode(
                config
                    .stream_processing_mode
                    .map(|mode| GuardrailStreamProcessingMode::from(mode.as_str())),
            )
            .set_trace(trace(config))
            .build(),
        trace_set: config.trace.is_some(),
        stream_processing_mode_set: config.stream_processing_mode.is_some(),
    })
}

/// Removes `guardrailConfig.<key>` for each of `keys` from a JSON request body; `None` when
/// there is nothing to remove (or the body is not a JSON object). Numbers and key order
/// survive the round trip (serde_json `arbitrary_precision`, `preserve_order`).
pub fn strip_keys(body: &[u8], keys: &[&str]) -> Option<Vec<u8>> {
    if keys.is_empty() {
        return None;
    }
    let mut value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let guardrail = value.get_mut("guardrailConfig")?.as_object_mut()?;
    let mut removed = false;
    for key in keys {
        removed |= guardrail.shift_remove(*key).is_some();
    }
    if !removed {
        return None;
    }
    serde_json::to_vec(&value).ok()
}

/// The request hook for [`StreamGuardrail::unset_keys`]: rewrites the serialised body
/// before signing (so the signature covers the final bytes) and fixes `content-length`.
pub fn strip_unset_keys(request: &mut HttpRequest, keys: &[&str]) {
    let Some(stripped) = request
        .body()
        .bytes()
        .and_then(|body| strip_keys(body, keys))
    else {
        return;
    };
    let length = stripped.len().to_string();
    *request.body_mut() = SdkBody::from(stripped);
    if let Err(err) = request.headers_mut().try_insert("content-length", length) {
        tracing::debug!("cannot update content-length after guardrail rewrite: {err}");
    }
}

/// GRD-01/GRD-02 for Converse: the same guardrail without `streamProcessingMode`, which
/// Bedrock rejects on non-streaming operations.
pub fn converse_config(config: Option<&GuardrailConfig>) -> Option<GuardrailConfiguration> {
    let config = usable(config)?;
    Some(
        GuardrailConfiguration::builder()
            .guardrail_identifier(config.guardrail_identifier.clone())
            .guardrail_version(config.guardrail_version.clone())
            .set_trace(trace(config))
            .build(),
    )
}

#[cfg(test)]
mod tests {
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
}
