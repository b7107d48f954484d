//! Callbacks a host hands to one request, which the plugin calls while serving it.
//!
//! [`PayloadHook`] is the `onPayload`-style hook of a model API's request (REQ-03): a host that
//! wants to see, log or rewrite what actually goes to the service passes one to
//! [`ChatProvider::stream_chat_with_payload_hook`](crate::traits::ChatProvider::stream_chat_with_payload_hook).
//! The plugin calls it once per send (the first send and every resend), after all of its own
//! patches, with the exact wire payload, so what the hook sees is what the service receives
//! unless the hook replaces it.

use abi_stable::{
    sabi_trait,
    std_types::{RArc, ROption, RResult, RString},
    StableAbi,
};

use crate::ext::Extensions;

/// The final request of one send, as the hook sees it.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct PayloadView {
    /// The service operation the payload goes to (for Amazon Bedrock `ConverseStream`, or
    /// `Converse` when the plugin replays a model that cannot stream tool use as a stream).
    pub operation: RString,
    /// The model id the send addresses (also the payload's `modelId`).
    pub model_id: RString,
    /// The region the send goes to. It is part of the call, not of the payload, so a hook can
    /// read it but not change it.
    pub region: RString,
    /// 1 for the first send of the request, then one more for each resend (retry, self-heal,
    /// failover), as in the stream's `Retry` notices.
    pub attempt: u32,
    /// The payload as JSON in the service's wire shape (for Bedrock the operation's request
    /// body plus `modelId`: `messages`, `system`, `inferenceConfig`, `toolConfig`,
    /// `additionalModelRequestFields`, `guardrailConfig`, `serviceTier` …).
    pub payload_json: RString,
    /// Facts of later interface versions (growth path, see [`crate::ext`]).
    pub extensions: Extensions,
}

/// A host's hook on the final payload of each send (REQ-03).
///
/// Called on one of the plugin's threads (never the host's polling thread), once per send;
/// the send waits for the answer, so a hook should return quickly.
#[sabi_trait]
pub trait PayloadHook: Send + Sync {
    /// Answers `RNone` to send the payload as it is, `RSome(json)` to send `json` instead
    /// (the same wire shape, `modelId` included), or `RErr(message)` to fail the request: the
    /// stream then ends with an `InvalidRequest` error naming the hook and `message`.
    #[sabi(last_prefix_field)]
    fn on_payload(&self, payload: &PayloadView) -> RResult<ROption<RString>, RString>;
}

/// A shared [`PayloadHook`], as
/// [`ChatProvider::stream_chat_with_payload_hook`](crate::traits::ChatProvider::stream_chat_with_payload_hook)
/// takes it. Build one with `PayloadHook_TO::from_ptr(RArc::new(hook), TD_Opaque)`.
pub type PayloadHookBox = PayloadHook_TO<'static, RArc<()>>;

/// The message of the error a `ChatProvider` that does not implement payload hooks returns
/// from [`stream_chat_with_payload_hook`](crate::traits::ChatProvider::stream_chat_with_payload_hook)
/// (the method's default body, which objects of older libraries answer with as well).
pub const PAYLOAD_HOOK_UNSUPPORTED: &str =
    "this plugin does not support payload hooks: its ChatProvider does not implement \
     stream_chat_with_payload_hook (plugin-api 0.2.1)";

#[cfg(test)]
mod tests;
