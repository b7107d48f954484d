//! CountTokens end to end (BR-50, BR-52, PLG-103): the count input is the ConverseStream conversion
//! (with `additionalModelRequestFields`, without inferenceConfig), a model that cannot count
//! gets the local estimate (assistant text included), and other errors propagate classified
//! like every runtime error.

mod common;

use std::time::Duration;

use abi_stable::std_types::{ROption, RVec};
use bedrock_emulator::{Fault, FaultRule, Operation};
use host_harness::waker::PendingFuture;
use plugin_api::chat::{
    AssistantBlock, ChatRequest, ContentPart, ContentPart_NE, Message, Message_NE, ThinkingLevel,
    ThinkingLevel_NE, TokenCount,
};
use plugin_api::error::{ErrorKind, PluginError};
use plugin_api::traits::PluginInstanceBox;
use serde_json::json;

const SONNET: &str = "us.anthropic.claude-sonnet-4-6";

async fn count(
    plugin: &PluginInstanceBox,
    request: ChatRequest,
) -> Result<TokenCount, PluginError> {
    tokio::time::timeout(
        Duration::from_secs(60),
        PendingFuture::new(plugin.chat_provider().count_tokens(request)),
    )
    .await
    .expect("finishes")
}

fn count_fault(fault: Fault) -> FaultRule {
    FaultRule {
        times: Some(1),
        ..FaultRule::for_operation(Operation::CountTokens, fault)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_50_count_input_carries_the_streamed_model_fields() {
    let emu = common::emulator();
    let plugin = common::emulator_instance(&emu, json!({}));
    let mut request = common::text_request(SONNET, "count me");
    request.model.reasoning = true;
    request.model.max_tokens = 64_000;
    request.options.reasoning = ROption::RSome(ThinkingLevel_NE::new(ThinkingLevel::High));
    let counted = count(&plugin, request.clone()).await.expect("counted");
    assert!(!counted.estimated);
    common::run_stream(&plugin, request).await;
    let streamed = emu.requests_for(Operation::ConverseStream)[0]
        .json()
        .expect("JSON body");
    let sent = emu.requests_for(Operation::CountTokens)[0]
        .json()
        .expect("JSON body");
    let converse = &sent["input"]["converse"];
    assert_eq!(
        converse["additionalModelRequestFields"],
        streamed["additionalModelRequestFields"]
    );
    assert!(
        converse["additionalModelRequestFields"]["thinking"].is_object(),
        "{converse}"
    );
    // The same messages, without the stream's cache point (no cache points in a count).
    assert_eq!(
        converse["messages"],
        json!([{"role": "user", "content": [{"text": "count me"}]}])
    );
    assert!(
        streamed["messages"][0]["content"][1]["cachePoint"].is_object(),
        "{streamed}"
    );
    assert!(converse.get("inferenceConfig").is_none(), "{converse}");
}

/// System `abcd` (4), user `12345678` (8) plus an image, assistant text `xyz1` (4) and a
/// tool call (not text): ceil(16 / 4) + 1500.
fn estimate_request() -> ChatRequest {
    let mut request = common::text_request("amazon.nova-micro-v1:0", "12345678");
    request.system_prompt = ROption::RSome("abcd".into());
    request.messages = RVec::from(vec![
        Message_NE::new(Message::User {
            content: RVec::from(vec![
                ContentPart_NE::new(ContentPart::Text {
                    text: "12345678".into(),
                }),
                ContentPart_NE::new(ContentPart::Image {
                    data: "iVBORw0KGgo=".into(),
                    mime_type: "image/png".into(),
                }),
            ]),
            runtime_context: false,
        }),
        common::assistant(
            "amazon.nova-micro-v1:0",
            vec![AssistantBlock::Text {
                text: "xyz1".into(),
            }],
        ),
    ]);
    request
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_52_validation_and_access_denied_fall_back_to_the_estimate() {
    let emu = common::emulator();
    let plugin = common::emulator_instance(&emu, json!({}));
    for fault in [
        Fault::access_denied(),
        Fault::Http {
            status: 400,
            error_type: "ValidationException".into(),
            message: "The provided model doesn't support counting tokens.".into(),
        },
    ] {
        emu.add_fault(count_fault(fault));
        assert_eq!(
            count(&plugin, estimate_request()).await,
            Ok(TokenCount {
                input_tokens: 4 + 1500,
                estimated: true,
            })
        );
    }
    assert_eq!(emu.count(Operation::CountTokens), 2, "not cached");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn br_52_other_errors_propagate_classified() {
    let emu = common::emulator();
    let plugin = common::emulator_instance(&emu, json!({}));
    emu.add_fault(count_fault(Fault::throttling()));
    let error = count(&plugin, estimate_request())
        .await
        .expect_err("a throttle is no reason to estimate");
    assert_eq!(error.kind(), Some(ErrorKind::RateLimit));
    let request_id = error
        .request_id
        .as_ref()
        .into_option()
        .map(|id| id.to_string())
        .expect("the response's request id");
    assert_eq!(
        error.message.as_str(),
        format!(
            "Throttling error: Too many requests, please wait before trying again. [request id {request_id}]"
        )
    );
    assert_eq!(error.status, ROption::RSome(429));
}
