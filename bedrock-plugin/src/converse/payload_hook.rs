//! REQ-03: the host's payload hook sees the final payload of every send and may replace it or
//! fail the request (PLG-120).
//!
//! The payload is rendered by the SDK's own request serialiser for the operation (the body the
//! send would carry, after the GRD-01 strip), plus `modelId`, which travels in the URL path:
//! there is no second hand-written wire codec to drift from what the SDK sends. The hook runs
//! on the driver before each send, so everything the plugin patches first is in it: the
//! AUTH-10 shared-config re-read and the REG-01 region of the call target, then the shaping
//! (temperature omission, thinking, prompt-cache points, guardrail, service tier), the learned
//! corrections and, on a resend, the self-heal or failover change.
//!
//! A replacement is sent verbatim for that one send: its `modelId` addresses the request, the
//! rest becomes the body (before signing, so the signature covers it). It is not parsed into
//! the SDK's types (the SDK has no deserialisers for request shapes, and a round trip would
//! drop fields this SDK version does not know, which is often why a host rewrites a payload);
//! the top-level fields are checked for their wire types so a broken replacement fails with a
//! message naming the field, and everything deeper is Bedrock's to judge (ERR-01).

use std::sync::Arc;

use aws_sdk_bedrockruntime::operation::converse::builders::ConverseFluentBuilder;
use aws_sdk_bedrockruntime::operation::converse::Converse;
use aws_sdk_bedrockruntime::operation::converse_stream::builders::ConverseStreamFluentBuilder;
use aws_sdk_bedrockruntime::operation::converse_stream::ConverseStream;
use aws_smithy_runtime_api::client::interceptors::context::Input;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_plugin::RuntimePlugin;
use aws_smithy_runtime_api::client::ser_de::{SerializeRequest, SharedRequestSerializer};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;
use plugin_api::abi_stable::std_types::{ROption, RResult};
use plugin_api::error::{ErrorKind, PluginError};
use plugin_api::hooks::{PayloadHookBox, PayloadView};
use serde_json::{Map, Value};

use crate::converse::request::guardrail;
use crate::error::BedrockError;

#[cfg(test)]
mod tests;

/// The `error_code` of every failure this module reports, so a host can tell a hook's own
/// failure from the service's.
pub const ERROR_CODE: &str = "PayloadHook";

/// The top-level fields of the ConverseStream/Converse wire shape with the JSON type each must
/// have; other keys are forwarded for Bedrock to judge.
const TYPED_FIELDS: &[(&str, JsonType)] = &[
    ("messages", JsonType::Array),
    ("system", JsonType::Array),
    ("inferenceConfig", JsonType::Object),
    ("toolConfig", JsonType::Object),
    ("guardrailConfig", JsonType::Object),
    ("additionalModelRequestFields", JsonType::Object),
    ("promptVariables", JsonType::Object),
    ("additionalModelResponseFieldPaths", JsonType::Array),
    ("requestMetadata", JsonType::Object),
    ("performanceConfig", JsonType::Object),
    ("serviceTier", JsonType::Object),
    ("outputConfig", JsonType::Object),
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum JsonType {
    Object,
    Array,
    String,
}

impl JsonType {
    fn matches(self, value: &Value) -> bool {
        match self {
            Self::Object => value.is_object(),
            Self::Array => value.is_array(),
            Self::String => value.is_string(),
        }
    }

    fn article(self) -> &'static str {
        match self {
            Self::Object => "a JSON object",
            Self::Array => "a JSON array",
            Self::String => "a string",
        }
    }
}

/// The JSON type name of `value`, for "got …" in messages.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Why the hook stopped a send. Converted to the host's error once, at the stream boundary.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PayloadHookError {
    /// The hook answered `RErr(message)`.
    #[error("Amazon Bedrock: the host's payload hook failed the request: {0}")]
    Rejected(String),
    /// The replacement is not JSON (serde's message names line and column).
    #[error("Amazon Bedrock: the payload hook's replacement is not valid JSON: {0}")]
    NotJson(String),
    /// A field of the replacement has the wrong type (or `modelId` is missing).
    #[error("Amazon Bedrock: the payload hook's replacement is invalid: {field} must be {expected}, got {got}")]
    Field {
        field: String,
        expected: &'static str,
        got: &'static str,
    },
    /// The payload could not be rendered for the hook (the SDK refused the input).
    #[error("Amazon Bedrock: cannot render the {operation} payload for the host's payload hook: {detail}")]
    Render {
        operation: &'static str,
        detail: String,
    },
    /// The hook's thread ended without an answer.
    #[error("Amazon Bedrock: the host's payload hook did not return: {0}")]
    NoAnswer(String),
}

impl From<PayloadHookError> for PluginError {
    fn from(error: PayloadHookError) -> Self {
        let kind = match error {
            PayloadHookError::Rejected(_)
            | PayloadHookError::NotJson(_)
            | PayloadHookError::Field { .. } => ErrorKind::InvalidRequest,
            PayloadHookError::Render { .. } | PayloadHookError::NoAnswer(_) => ErrorKind::Internal,
        };
        PluginError::new(kind, error.to_string()).with_error_code(ERROR_CODE)
    }
}

/// The host's hook of one request, shared by its sends.
#[derive(Clone)]
pub struct HostPayloadHook {
    hook: Arc<PayloadHookBox>,
}

impl HostPayloadHook {
    pub fn new(hook: PayloadHookBox) -> Self {
        Self {
            hook: Arc::new(hook),
        }
    }

    /// The hook for send number `attempt` of a request going to `region`.
    pub fn for_send<'a>(&'a self, region: &'a str, attempt: u32) -> HookSend<'a> {
        HookSend {
            hook: self,
            region,
            attempt,
        }
    }
}

/// The hook bound to one send.
#[derive(Clone, Copy)]
pub struct HookSend<'a> {
    hook: &'a HostPayloadHook,
    region: &'a str,
    attempt: u32,
}

/// What the hook answered for a send: the request to send and, when replaced, the body that
/// goes out instead of the SDK's (see [`replace_body`]).
pub type Prepared<B> = (B, Option<Replacement>);

/// A replacement payload: `modelId` (already set on the request) and the body bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct Replacement {
    pub model_id: String,
    pub body: Vec<u8>,
}

/// The fluent request of an operation the hook can see.
pub trait HookedRequest: Sized {
    /// The operation name the hook is told.
    const OPERATION: &'static str;

    /// The model id and the SDK's serialised body of this request.
    fn wire(&self) -> Result<(String, Vec<u8>), PayloadHookError>;

    /// The same request addressed to `model_id`.
    fn addressed_to(self, model_id: String) -> Self;
}

impl HookedRequest for ConverseStreamFluentBuilder {
    const OPERATION: &'static str = "ConverseStream";

    fn wire(&self) -> Result<(String, Vec<u8>), PayloadHookError> {
        let input = self
            .as_input()
            .clone()
            .build()
            .map_err(|err| render_error(Self::OPERATION, err.to_string()))?;
        let model_id = input.model_id().unwrap_or_default().to_owned();
        Ok((
            model_id,
            serialise(Self::OPERATION, ConverseStream::new(), input)?,
        ))
    }

    fn addressed_to(self, model_id: String) -> Self {
        self.model_id(model_id)
    }
}

impl HookedRequest for ConverseFluentBuilder {
    const OPERATION: &'static str = "Converse";

    fn wire(&self) -> Result<(String, Vec<u8>), PayloadHookError> {
        let input = self
            .as_input()
            .clone()
            .build()
            .map_err(|err| render_error(Self::OPERATION, err.to_string()))?;
        let model_id = input.model_id().unwrap_or_default().to_owned();
        Ok((
            model_id,
            serialise(Self::OPERATION, Converse::new(), input)?,
        ))
    }

    fn addressed_to(self, model_id: String) -> Self {
        self.model_id(model_id)
    }
}

fn render_error(operation: &'static str, detail: String) -> PayloadHookError {
    PayloadHookError::Render { operation, detail }
}

/// The request body the operation's own serialiser produces for `input`.
fn serialise<I>(
    operation: &'static str,
    plugin: impl RuntimePlugin,
    input: I,
) -> Result<Vec<u8>, PayloadHookError>
where
    I: std::fmt::Debug + Send + Sync + 'static,
{
    let layer = plugin
        .config()
        .ok_or_else(|| render_error(operation, "the operation has no config layer".into()))?;
    let serializer = layer
        .load::<SharedRequestSerializer>()
        .cloned()
        .ok_or_else(|| render_error(operation, "the operation has no request serialiser".into()))?;
    let mut config = ConfigBag::base();
    let request = serializer
        .serialize_input(Input::erase(input), &mut config)
        .map_err(|err| render_error(operation, err.to_string()))?;
    request
        .body()
        .bytes()
        .map(<[u8]>::to_vec)
        .ok_or_else(|| render_error(operation, "the body is streamed".into()))
}

/// The hook's view of a payload: `modelId` first, then the body's fields in wire order.
pub fn payload_json(
    operation: &'static str,
    model_id: &str,
    body: &[u8],
) -> Result<String, PayloadHookError> {
    let body: Map<String, Value> =
        serde_json::from_slice(body).map_err(|err| render_error(operation, err.to_string()))?;
    let mut payload = Map::with_capacity(body.len() + 1);
    payload.insert("modelId".into(), Value::String(model_id.to_owned()));
    payload.extend(body);
    Ok(Value::Object(payload).to_string())
}

/// Runs the hook of `send` on `request` (nothing when the host gave none): the request to send
/// and the replacement body, or the error that ends the stream. `unset_keys` are the GRD-01
/// keys the send strips, so the hook sees the body as it goes out.
pub async fn before_send<B: HookedRequest>(
    send: Option<HookSend<'_>>,
    request: B,
    unset_keys: &[&str],
) -> Result<Prepared<B>, BedrockError> {
    let Some(send) = send else {
        return Ok((request, None));
    };
    match run(send, &request, unset_keys).await {
        Ok(None) => Ok((request, None)),
        Ok(Some(replacement)) => {
            let request = request.addressed_to(replacement.model_id.clone());
            Ok((request, Some(replacement)))
        }
        Err(error) => Err(BedrockError::Host(error.into())),
    }
}

async fn run<B: HookedRequest>(
    send: HookSend<'_>,
    request: &B,
    unset_keys: &[&str],
) -> Result<Option<Replacement>, PayloadHookError> {
    let (model_id, body) = request.wire()?;
    let body = guardrail::strip_keys(&body, unset_keys).unwrap_or(body);
    let view = PayloadView {
        operation: B::OPERATION.into(),
        model_id: model_id.as_str().into(),
        region: send.region.into(),
        attempt: send.attempt,
        payload_json: payload_json(B::OPERATION, &model_id, &body)?.into(),
        extensions: Default::default(),
    };
    let hook = send.hook.hook.clone();
    // The host's code may block (print, ask, look something up): on the blocking pool it
    // cannot stall the other streams the plugin's one runtime thread drives.
    let answer = tokio::task::spawn_blocking(move || hook.on_payload(&view))
        .await
        .map_err(|err| PayloadHookError::NoAnswer(err.to_string()))?;
    match answer {
        RResult::ROk(ROption::RNone) => Ok(None),
        RResult::ROk(ROption::RSome(json)) => parse_replacement(json.as_str()).map(Some),
        RResult::RErr(message) => Err(PayloadHookError::Rejected(message.into())),
    }
}

/// Checks a replacement's top level and splits it into `modelId` and the body to send.
pub fn parse_replacement(json: &str) -> Result<Replacement, PayloadHookError> {
    let value: Value =
        serde_json::from_str(json).map_err(|err| PayloadHookError::NotJson(err.to_string()))?;
    let Value::Object(mut payload) = value else {
        return Err(field_error("the payload", JsonType::Object, &value));
    };
    let model_id = match payload.shift_remove("modelId") {
        Some(Value::String(id)) if !id.trim().is_empty() => id,
        Some(other) => return Err(field_error("modelId", JsonType::String, &other)),
        None => {
            return Err(PayloadHookError::Field {
                field: "modelId".into(),
                expected: "a non-empty string",
                got: "nothing",
            })
        }
    };
    for (field, expected) in TYPED_FIELDS {
        if let Some(value) = payload.get(*field) {
            if !expected.matches(value) {
                return Err(field_error(field, *expected, value));
            }
        }
    }
    if let Some(Value::Array(messages)) = payload.get("messages") {
        for (index, message) in messages.iter().enumerate() {
            check_message(index, message)?;
        }
    }
    let body = Value::Object(payload).to_string().into_bytes();
    Ok(Replacement { model_id, body })
}

/// `messages[i]` is an object with a string `role` and an array `content`.
fn check_message(index: usize, message: &Value) -> Result<(), PayloadHookError> {
    let Value::Object(fields) = message else {
        return Err(field_error(
            &format!("messages[{index}]"),
            JsonType::Object,
            message,
        ));
    };
    for (field, expected) in [("role", JsonType::String), ("content", JsonType::Array)] {
        match fields.get(field) {
            Some(value) if expected.matches(value) => {}
            Some(value) => {
                return Err(field_error(
                    &format!("messages[{index}].{field}"),
                    expected,
                    value,
                ))
            }
            None => {
                return Err(PayloadHookError::Field {
                    field: format!("messages[{index}].{field}"),
                    expected: expected.article(),
                    got: "nothing",
                })
            }
        }
    }
    Ok(())
}

fn field_error(field: &str, expected: JsonType, got: &Value) -> PayloadHookError {
    PayloadHookError::Field {
        field: field.to_owned(),
        expected: expected.article(),
        got: type_name(got),
    }
}

/// The request hook of a replaced send: the replacement body instead of the SDK's, before
/// signing, with its `content-length`.
pub fn replace_body(request: &mut HttpRequest, replacement: Option<&Replacement>) {
    let Some(replacement) = replacement else {
        return;
    };
    let length = replacement.body.len().to_string();
    *request.body_mut() = SdkBody::from(replacement.body.clone());
    if let Err(err) = request.headers_mut().try_insert("content-length", length) {
        tracing::debug!("cannot update content-length after the payload hook's replacement: {err}");
    }
}
