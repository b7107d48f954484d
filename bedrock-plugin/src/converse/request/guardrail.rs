//! Guardrail (GRD-01, GRD-02, GRD-05): `guardrailConfig` from the live plugin config, and the
//! `guardContent` wrapping that limits the guardrail to the newest user turn.
//!
//! The caller passes the config of the current request (LIVE-01), so a guardrail added or
//! removed by a live update applies from the next request on (LIVE-02).

use aws_sdk_bedrockruntime::types::{
    ContentBlock, GuardrailConfiguration, GuardrailConverseContentBlock,
    GuardrailConverseImageBlock, GuardrailConverseImageFormat, GuardrailConverseImageSource,
    GuardrailConverseTextBlock, GuardrailStreamConfiguration, GuardrailStreamProcessingMode,
    GuardrailTrace, ImageBlock, ImageFormat, ImageSource,
};
use plugin_api::chat::{ChatRequest, Message as HostMessage};

use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_types::body::SdkBody;

use crate::config::{GuardrailConfig, PluginConfig};
use crate::converse::request::messages::Converted;

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

/// GRD-05: whether the request guards only the newest user turn: `latestMessageOnly` is on
/// and a guardrail is configured (without one, guard content would mean nothing).
pub fn latest_message_only(config: &PluginConfig) -> bool {
    usable(config.guardrail.as_ref()).is_some() && config.guardrail_latest_message_only()
}

/// GRD-05 (`guardrail.latestMessageOnly`), PLG-53: wraps the text and images of the last host
/// user message in `guardContent` blocks. Bedrock then evaluates only guard content, so a long
/// conversation is not re-assessed (and re-billed) every turn, and one blocked turn does not
/// block every later request; earlier turns stay plain content, even where MSG-09 merged them
/// into the same Bedrock message (the CACHE-11 end marks tell the host messages apart). Only
/// PNG and JPEG images can be guard content (Bedrock's guardrail image formats), so other
/// images stay plain; documents, tool results and the like are left as they are. Blocks are
/// replaced one for one, so the end marks stay valid for cache placement.
pub fn guard_latest_user_message(request: &ChatRequest, converted: &mut Converted) {
    let Some(host) = request
        .messages
        .iter()
        .rposition(|message| matches!(message.as_enum(), Ok(HostMessage::User { .. })))
    else {
        return;
    };
    let ends = &converted.user_ends;
    let Some(position) = ends.iter().position(|end| end.host == host) else {
        return;
    };
    let (earlier, from_end) = ends.split_at(position);
    let Some(end) = from_end.first().copied() else {
        return;
    };
    // The blocks start where the previous host message in the same Bedrock message ended.
    let start = earlier
        .iter()
        .rev()
        .find(|previous| previous.message == end.message)
        .map_or(0, |previous| previous.index);
    let Some(message) = converted.messages.get_mut(end.message) else {
        return;
    };
    let stop = end.index.min(message.content.len());
    for block in message.content.iter_mut().take(stop).skip(start) {
        let guarded = match &*block {
            // The builders fail only on a missing required field, which is always set here.
            ContentBlock::Text(text) => GuardrailConverseTextBlock::builder()
                .text(text.clone())
                .build()
                .ok()
                .map(GuardrailConverseContentBlock::Text),
            ContentBlock::Image(image) => {
                guard_image(image).map(GuardrailConverseContentBlock::Image)
            }
            _ => None,
        };
        if let Some(guarded) = guarded {
            *block = ContentBlock::GuardContent(guarded);
        }
    }
}

/// An inline PNG/JPEG image as guard content; `None` leaves the image plain.
fn guard_image(image: &ImageBlock) -> Option<GuardrailConverseImageBlock> {
    let format = match image.format() {
        ImageFormat::Png => GuardrailConverseImageFormat::Png,
        ImageFormat::Jpeg => GuardrailConverseImageFormat::Jpeg,
        _ => return None,
    };
    let Some(ImageSource::Bytes(bytes)) = image.source() else {
        return None;
    };
    GuardrailConverseImageBlock::builder()
        .format(format)
        .source(GuardrailConverseImageSource::Bytes(bytes.clone()))
        .build()
        .ok()
}

#[cfg(test)]
mod tests;
