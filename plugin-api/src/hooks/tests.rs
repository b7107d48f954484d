use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{RArc, ROption, RResult, RString};

use super::*;
use crate::chat::{ChatOptions, ChatRequest, ReplayPolicy, ThinkingProfile};
use crate::error::{ErrorClassification, ErrorKind, PluginError};
use crate::model::ModelDefinition;
use crate::traits::{ChatProvider, ChatProvider_TO, ChatStreamBox, PendingTokenCountBox};

/// A provider of today's interface that implements every method except the appended
/// `stream_chat_with_payload_hook`, as a plugin written before 0.2.1 does.
#[derive(Clone)]
struct WithoutHooks;

impl ChatProvider for WithoutHooks {
    fn provider_id(&self) -> RString {
        "old".into()
    }

    fn api(&self) -> RString {
        "old-api".into()
    }

    fn stream_chat(&self, _request: ChatRequest) -> RResult<ChatStreamBox, PluginError> {
        RResult::RErr(PluginError::new(
            ErrorKind::Internal,
            "stream_chat was called",
        ))
    }

    fn count_tokens(&self, _request: ChatRequest) -> PendingTokenCountBox {
        unreachable!("not called by these tests")
    }

    fn thinking_profile(&self, _model: &ModelDefinition) -> ThinkingProfile {
        unreachable!("not called by these tests")
    }

    fn replay_policy(&self, _model: &ModelDefinition) -> ROption<ReplayPolicy> {
        ROption::RNone
    }

    fn classify_error(&self, _error: &PluginError) -> ErrorClassification {
        unreachable!("not called by these tests")
    }

    fn auth_marker(&self) -> ROption<RString> {
        ROption::RNone
    }

    fn normalize_model(&self, model: ModelDefinition) -> ModelDefinition {
        model
    }
}

/// Replaces every payload with a fixed one and counts nothing: enough to cross the vtable.
struct Replace(&'static str);

impl PayloadHook for Replace {
    fn on_payload(&self, payload: &PayloadView) -> RResult<ROption<RString>, RString> {
        if payload.operation.as_str() != "ConverseStream" {
            return RResult::RErr(format!("unexpected operation {}", payload.operation).into());
        }
        RResult::ROk(ROption::RSome(self.0.into()))
    }
}

fn request() -> ChatRequest {
    ChatRequest {
        model: ModelDefinition::new("m", "old", "old-api"),
        system_prompt: ROption::RNone,
        messages: Default::default(),
        tools: Default::default(),
        options: ChatOptions::default(),
    }
}

fn view() -> PayloadView {
    PayloadView {
        operation: "ConverseStream".into(),
        model_id: "m".into(),
        region: "us-east-1".into(),
        attempt: 1,
        payload_json: r#"{"modelId":"m","messages":[]}"#.into(),
        extensions: Default::default(),
    }
}

#[test]
fn req_03_provider_without_payload_hooks_answers_with_the_documented_default_error() {
    let provider = ChatProvider_TO::from_value(WithoutHooks, TD_Opaque);
    let hook: PayloadHookBox = PayloadHook_TO::from_ptr(RArc::new(Replace("{}")), TD_Opaque);
    let error = match provider.stream_chat_with_payload_hook(request(), hook) {
        RResult::RErr(error) => error,
        RResult::ROk(_) => panic!("the default body returned a stream"),
    };
    assert_eq!(error.kind(), Some(ErrorKind::Unsupported));
    assert_eq!(error.message.as_str(), PAYLOAD_HOOK_UNSUPPORTED);
    assert_eq!(
        PAYLOAD_HOOK_UNSUPPORTED,
        "this plugin does not support payload hooks: its ChatProvider does not implement \
         stream_chat_with_payload_hook (plugin-api 0.2.1)"
    );
    assert!(!error.retryable);
}

#[test]
fn req_03_hook_answers_through_its_vtable() {
    let hook: PayloadHookBox = PayloadHook_TO::from_ptr(
        RArc::new(Replace(r#"{"modelId":"m","messages":[{"role":"user"}]}"#)),
        TD_Opaque,
    );
    assert_eq!(
        hook.on_payload(&view()),
        RResult::ROk(ROption::RSome(
            r#"{"modelId":"m","messages":[{"role":"user"}]}"#.into()
        ))
    );
    let converse = PayloadView {
        operation: "Converse".into(),
        ..view()
    };
    assert_eq!(
        hook.on_payload(&converse),
        RResult::RErr("unexpected operation Converse".into())
    );
}
