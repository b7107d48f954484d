//! CountTokens (BR-50..52): the request converted exactly as for ConverseStream, sent to the
//! foundation model id, with a local estimate when the model cannot count.

use aws_sdk_bedrockruntime::operation::count_tokens::CountTokensError;
use aws_sdk_bedrockruntime::types::{ConverseTokensRequest, CountTokensInput};
use plugin_api::chat::{AssistantBlock, ChatRequest, ContentPart, Message, TokenCount};
use plugin_api::error::PluginError;

use std::sync::Arc;

use crate::app_profiles::{self, AppProfiles};
use crate::aws::target::{CallContext, RuntimeRequest};
use crate::converse::request;
use crate::models::prefixes::strip_region_prefix;

/// Characters per estimated token, and tokens per image, of the BR-52 estimate.
const CHARS_PER_TOKEN: u64 = 4;
const TOKENS_PER_IMAGE: u64 = 1500;

/// BR-51: CountTokens wants a foundation model id, so region prefixes are removed.
pub fn foundation_model_id(model_id: &str) -> String {
    strip_region_prefix(model_id.trim()).to_owned()
}

/// BR-52: ceil(characters / 4) + 1500 per image.
pub fn estimate(request: &ChatRequest) -> u64 {
    let mut characters = request
        .system_prompt
        .as_ref()
        .into_option()
        .map_or(0, |prompt| prompt.chars().count() as u64);
    let mut images = 0u64;
    for message in request.messages.iter() {
        let parts = match message.as_enum() {
            Ok(Message::User { content, .. }) | Ok(Message::ToolResult { content, .. }) => content,
            // The assistant's replayed text is input as much as the user's.
            Ok(Message::Assistant { content, .. }) => {
                characters += content
                    .iter()
                    .filter_map(|block| match block.as_enum() {
                        Ok(AssistantBlock::Text { text }) => Some(text.chars().count() as u64),
                        _ => None,
                    })
                    .sum::<u64>();
                continue;
            }
            _ => continue,
        };
        for part in parts.iter() {
            match part.as_enum() {
                Ok(ContentPart::Text { text }) => characters += text.chars().count() as u64,
                Ok(ContentPart::Image { .. }) => images += 1,
                _ => {}
            }
        }
    }
    characters.div_ceil(CHARS_PER_TOKEN) + images * TOKENS_PER_IMAGE
}

/// BR-51: the foundation model id CountTokens is sent to: an application profile's first
/// looked-up target (`None` while unknown keeps the ARN), else the id without its region
/// prefix.
pub fn count_model_id(model_id: &str, profile_targets: Option<&[String]>) -> String {
    match profile_targets.and_then(<[String]>::first) {
        Some(target) => foundation_model_id(target),
        None => foundation_model_id(model_id),
    }
}

/// Runs CountTokens for a request.
pub async fn count(
    call: &CallContext,
    app_profiles: &Arc<AppProfiles>,
    chat: ChatRequest,
) -> Result<TokenCount, PluginError> {
    let mut traits = call.traits.of(&chat.model);
    let target = call.runtime_target(RuntimeRequest::for_chat(&chat)).await?;
    if app_profiles::is_application_profile_arn(&traits.id) {
        // BR-51 through TEMP-04's lookup (shared with chat); a failure was logged by it and
        // leaves the ARN, which Bedrock then judges.
        if let Ok(targets) = app_profiles
            .resolve(call, &traits.id, &target.region.region)
            .await
        {
            traits = traits.with_profile_targets(targets.to_vec());
        }
    }
    let input = request::build_with_traits(
        &chat,
        &traits,
        &call.settings,
        &call.env,
        request::Operation::CountTokens,
        &call.warnings,
    )?;
    let client = call.clients.runtime(&target.spec)?;
    let converse = ConverseTokensRequest::builder()
        .set_messages(Some(input.messages))
        .set_system((!input.system.is_empty()).then_some(input.system))
        .set_tool_config(input.tool_config)
        // BR-50: the thinking and raw fields count as they would be sent.
        .set_additional_model_request_fields(input.additional_model_request_fields)
        .build();
    let result = client
        .count_tokens()
        .model_id(count_model_id(
            chat.model.id.as_str(),
            traits.profile_targets.as_deref(),
        ))
        .input(CountTokensInput::Converse(converse))
        .send()
        .await;
    match result {
        Ok(output) => Ok(TokenCount {
            input_tokens: u64::try_from(output.input_tokens()).unwrap_or(0),
            estimated: false,
        }),
        Err(err) => {
            let falls_back = err.as_service_error().is_some_and(|service| {
                matches!(
                    service,
                    CountTokensError::ValidationException(_)
                        | CountTokensError::AccessDeniedException(_)
                )
            });
            if falls_back {
                Ok(TokenCount {
                    input_tokens: estimate(&chat),
                    estimated: true,
                })
            } else {
                // BR-52: other errors propagate, classified as every runtime error (ERR-01).
                Err(crate::converse::errors::from_operation_error(&err).into())
            }
        }
    }
}

#[cfg(test)]
mod tests;
