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
mod tests;
