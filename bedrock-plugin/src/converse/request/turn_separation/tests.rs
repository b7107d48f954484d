use super::*;
use aws_sdk_bedrockruntime::types::{
    CachePointBlock, CachePointType, ToolResultBlock, ToolResultContentBlock,
};

fn message(role: ConversationRole, content: Vec<ContentBlock>) -> Message {
    Message::builder()
        .role(role)
        .set_content(Some(content))
        .build()
        .unwrap()
}

fn result(id: &str) -> ContentBlock {
    ContentBlock::ToolResult(
        ToolResultBlock::builder()
            .tool_use_id(id)
            .content(ToolResultContentBlock::Text("42".into()))
            .build()
            .unwrap(),
    )
}

fn cache_point() -> ContentBlock {
    ContentBlock::CachePoint(
        CachePointBlock::builder()
            .r#type(CachePointType::Default)
            .build()
            .unwrap(),
    )
}

fn text(value: &str) -> ContentBlock {
    ContentBlock::Text(value.into())
}

fn shape(messages: &[Message]) -> Vec<(ConversationRole, Vec<ContentBlock>)> {
    messages
        .iter()
        .map(|message| (message.role.clone(), message.content.clone()))
        .collect()
}

#[test]
fn br_96_mixed_user_turn_is_split_around_an_assistant_turn() {
    let mut messages = vec![
        message(ConversationRole::User, vec![text("weather?")]),
        message(ConversationRole::Assistant, vec![text("calling")]),
        message(
            ConversationRole::User,
            vec![
                result("t1"),
                result("t2"),
                cache_point(),
                text("and now?"),
                cache_point(),
            ],
        ),
    ];
    assert!(separate_tool_result_turns(&mut messages));
    assert_eq!(
        shape(&messages),
        [
            (ConversationRole::User, vec![text("weather?")]),
            (ConversationRole::Assistant, vec![text("calling")]),
            (
                ConversationRole::User,
                vec![result("t1"), result("t2"), cache_point()]
            ),
            (
                ConversationRole::Assistant,
                vec![text("Tool result received.")]
            ),
            (
                ConversationRole::User,
                vec![text("and now?"), cache_point()]
            ),
        ]
    );
}

#[test]
fn br_96_turns_with_only_results_or_only_content_stay_as_they_are() {
    let original = vec![
        message(ConversationRole::User, vec![text("hi"), cache_point()]),
        message(ConversationRole::Assistant, vec![text("calling")]),
        message(ConversationRole::User, vec![result("t1"), cache_point()]),
    ];
    let mut messages = original.clone();
    assert!(!separate_tool_result_turns(&mut messages));
    assert_eq!(messages, original);
}
