use super::*;
use abi_stable::std_types::{ROption, RString, RVec};
use aws_sdk_bedrockruntime::types::{
    CachePointBlock, CachePointType, CacheTtl, ContentBlock, Tool, ToolInputSchema,
    ToolSpecification,
};
use plugin_api::chat::{
    AssistantBlock, AssistantBlock_NE, AssistantOrigin, CacheRetention, CacheRetention_NE,
    ChatOptions, ContentPart, ContentPart_NE, ToolDefinition,
};
use plugin_api::model::ModelDefinition;
use serde_json::{json, Value};

use crate::bounded::WarnOnce;
use crate::converse::request::messages::{self, UserEnd};
use crate::converse::request::test_log::capture_warnings;
use crate::converse::request::{build, ConverseInput};
use policy::{policy_of_id, CachePolicy, ModelCaching};
use system::CACHE_BOUNDARY;

const SONNET_46: &str = "us.anthropic.claude-sonnet-4-6-v1";
const NOVA_2_LITE: &str = "global.amazon.nova-2-lite-v1:0";
const NAMED_PROFILE: &str =
    "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/my-claude-profile";
const OPAQUE_PROFILE: &str =
    "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/z27qyso459da";

// ---- host-side fixtures ----

fn host_user(text: &str, runtime_context: bool) -> Message_NE {
    Message_NE::new(HostMessage::User {
        content: RVec::from(vec![ContentPart_NE::new(ContentPart::Text {
            text: text.into(),
        })]),
        runtime_context,
    })
}

fn user(text: &str) -> Message_NE {
    host_user(text, false)
}

fn carrier(text: &str) -> Message_NE {
    host_user(text, true)
}

fn user_parts(parts: Vec<ContentPart>) -> Message_NE {
    Message_NE::new(HostMessage::User {
        content: parts.into_iter().map(ContentPart_NE::new).collect(),
        runtime_context: false,
    })
}

fn assistant(model: &str, blocks: Vec<AssistantBlock>) -> Message_NE {
    Message_NE::new(HostMessage::Assistant {
        content: blocks.into_iter().map(AssistantBlock_NE::new).collect(),
        origin: AssistantOrigin {
            provider: "amazon-bedrock".into(),
            api: "bedrock-converse-stream".into(),
            model: model.into(),
            stop_reason: ROption::RNone,
        },
        runtime_context: false,
    })
}

fn assistant_text(model: &str, text: &str) -> Message_NE {
    assistant(model, vec![AssistantBlock::Text { text: text.into() }])
}

fn tool_call(model: &str, id: &str) -> Message_NE {
    assistant(
        model,
        vec![AssistantBlock::ToolCall {
            id: id.into(),
            name: "lookup".into(),
            arguments_json: "{}".into(),
        }],
    )
}

fn tool_result(id: &str, text: &str) -> Message_NE {
    Message_NE::new(HostMessage::ToolResult {
        tool_call_id: id.into(),
        tool_name: "lookup".into(),
        content: RVec::from(vec![ContentPart_NE::new(ContentPart::Text {
            text: text.into(),
        })]),
        is_error: false,
        runtime_context: false,
    })
}

fn document(mime: &str, name: &str) -> ContentPart {
    ContentPart::Document {
        data: "aGVsbG8=".into(),
        mime_type: mime.into(),
        name: ROption::RSome(name.into()),
        extensions: Default::default(),
    }
}

fn text_part(text: &str) -> ContentPart {
    ContentPart::Text { text: text.into() }
}

fn tool(name: &str) -> ToolDefinition {
    ToolDefinition {
        name: name.into(),
        description: ROption::RNone,
        parameters_json: r#"{"type":"object"}"#.into(),
        extensions: Default::default(),
    }
}

fn request(model_id: &str, system: Option<&str>, messages: Vec<Message_NE>) -> ChatRequest {
    ChatRequest {
        model: ModelDefinition::new(model_id, "amazon-bedrock", "bedrock-converse-stream"),
        system_prompt: system.map(RString::from).into(),
        messages: RVec::from(messages),
        tools: RVec::new(),
        options: ChatOptions::default(),
    }
}

fn retention(mut req: ChatRequest, value: CacheRetention) -> ChatRequest {
    req.options.cache_retention = ROption::RSome(CacheRetention_NE::new(value));
    req
}

fn settings(config: Value) -> Settings {
    Settings::parse(&config.to_string(), "{}").expect("settings")
}

fn env(pairs: &[(&str, &str)]) -> EnvSnapshot {
    EnvSnapshot::from_pairs(pairs.iter().copied())
}

fn shaped_with(
    req: &ChatRequest,
    config: Value,
    pairs: &[(&str, &str)],
    operation: Operation,
) -> ConverseInput {
    build(
        req,
        &settings(config),
        &env(pairs),
        operation,
        &WarnOnce::default(),
    )
    .expect("valid request")
}

fn shaped(req: &ChatRequest) -> ConverseInput {
    shaped_with(req, json!({}), &[], Operation::ConverseStream)
}

/// `apply` with traits the request's own (application profiles get their looked-up targets
/// this way, as the GetInferenceProfile lookup hands them over).
fn applied(req: &ChatRequest, traits: &ModelTraits, pairs: &[(&str, &str)]) -> CachedParts {
    let converted = messages::convert_with_ends(req, traits, false).expect("converts");
    apply(
        CacheRequest {
            request: req,
            traits,
            settings: &Settings::default(),
            env: &env(pairs),
            operation: Operation::ConverseStream,
        },
        converted,
        None,
    )
    .expect("applies")
}

// ---- wire shapes (the JSON the SDK sends for these blocks) ----

fn point_wire(point: &CachePointBlock) -> Value {
    let mut inner = serde_json::Map::new();
    inner.insert("type".into(), json!(point.r#type().as_str()));
    if let Some(ttl) = point.ttl() {
        inner.insert("ttl".into(), json!(ttl.as_str()));
    }
    json!({ "cachePoint": inner })
}

fn system_wire(blocks: &[SystemContentBlock]) -> Value {
    Value::Array(
        blocks
            .iter()
            .map(|block| match block {
                SystemContentBlock::Text(text) => json!({ "text": text }),
                SystemContentBlock::CachePoint(point) => point_wire(point),
                other => json!({ "unexpected": format!("{other:?}") }),
            })
            .collect(),
    )
}

fn content_wire(blocks: &[ContentBlock]) -> Value {
    Value::Array(
        blocks
            .iter()
            .map(|block| match block {
                ContentBlock::Text(text) => json!({ "text": text }),
                ContentBlock::CachePoint(point) => point_wire(point),
                ContentBlock::Document(doc) => {
                    json!({ "document": { "format": doc.format().as_str(), "name": doc.name() } })
                }
                ContentBlock::ToolUse(tool_use) => {
                    json!({ "toolUse": { "toolUseId": tool_use.tool_use_id() } })
                }
                ContentBlock::ToolResult(result) => {
                    json!({ "toolResult": { "toolUseId": result.tool_use_id() } })
                }
                other => json!({ "unexpected": format!("{other:?}") }),
            })
            .collect(),
    )
}

fn messages_wire(messages: &[Message]) -> Value {
    Value::Array(
        messages
            .iter()
            .map(|m| json!({ "role": m.role.as_str(), "content": content_wire(&m.content) }))
            .collect(),
    )
}

fn short_point() -> Value {
    json!({"cachePoint": {"type": "default"}})
}

fn long_point() -> Value {
    json!({"cachePoint": {"type": "default", "ttl": "1h"}})
}

fn point(ttl: Option<CacheTtl>) -> CachePointBlock {
    CachePointBlock::builder()
        .r#type(CachePointType::Default)
        .set_ttl(ttl)
        .build()
        .expect("cache point")
}

fn boundary_prompt() -> String {
    format!("Stable workspace{CACHE_BOUNDARY}Today: Monday")
}

// ---- CACHE-01 ----

#[test]
fn cache_01_policy_by_model_family_after_arn_and_region_prefixes() {
    let cases: [(&str, Option<CachePolicy>); 20] = [
        ("amazon.nova-micro-v1:0", Some(CachePolicy::Nova)),
        ("global.amazon.nova-2-lite-v1:0", Some(CachePolicy::Nova)),
        ("us.amazon.nova-premier-v1:0", Some(CachePolicy::Nova)),
        ("amazon.nova-sonic-v1:0", None),
        (SONNET_46, Some(CachePolicy::Claude)),
        ("anthropic.claude-opus-4.7-v1:0", Some(CachePolicy::Claude)),
        (
            "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-opus-4-7",
            Some(CachePolicy::Claude),
        ),
        (
            "arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0",
            Some(CachePolicy::Claude),
        ),
        ("anthropic.claude-fable-5-1-v1:0", Some(CachePolicy::Claude)),
        ("claude-fable-5", Some(CachePolicy::Claude)),
        ("eu.anthropic.claude-sonnet-5-5", Some(CachePolicy::Claude)),
        ("apac.anthropic.claude-opus-4-5-20251101-v1:0", Some(CachePolicy::Claude)),
        ("anthropic.claude-sonnet-4-20250514-v1:0", Some(CachePolicy::ClaudeShort)),
        ("anthropic.claude-opus-4-1-20250805-v1:0", Some(CachePolicy::ClaudeShort)),
        ("anthropic.claude-3-7-sonnet-20250219-v1:0", Some(CachePolicy::ClaudeShort)),
        ("us.anthropic.claude-3-5-haiku-20241022-v1:0", Some(CachePolicy::ClaudeShort)),
        ("anthropic.claude-3-opus-20240229-v1:0", None),
        ("anthropic.claude-mythos-preview", None),
        ("meta.llama3-1-8b-instruct-v1:0", None),
        (NAMED_PROFILE, None),
    ];
    for (id, expected) in cases {
        assert_eq!(policy_of_id(id), expected, "{id}");
    }
    // The alias's canonical id decides when the id itself says nothing (EX-S10); parsed once
    // into the request's traits.
    let mut alias = ModelDefinition::new(
        "production-fable",
        "amazon-bedrock",
        "bedrock-converse-stream",
    );
    alias.params_json = ROption::RSome(r#"{"canonicalModelId":"claude-fable-5"}"#.into());
    assert_eq!(
        ModelTraits::of(&alias).caching,
        ModelCaching::Model(Some(CachePolicy::Claude))
    );
    // CACHE-20: application profiles stay opaque; only the name heuristic is parsed.
    assert_eq!(
        ModelCaching::of(NAMED_PROFILE, None),
        ModelCaching::ApplicationProfile { named_claude: true }
    );
    assert_eq!(
        ModelCaching::of(OPAQUE_PROFILE, Some("claude-sonnet-4-6")),
        ModelCaching::ApplicationProfile {
            named_claude: false
        }
    );
}

#[test]
fn cache_01_force_cache_gives_non_claude_models_short_points_only() {
    let forced = [("AWS_BEDROCK_FORCE_CACHE", "1")];
    let llama = retention(
        request("meta.llama3-1-8b-instruct-v1:0", None, vec![user("hi")]),
        CacheRetention::Long,
    );
    assert_eq!(
        messages_wire(&shaped_with(&llama, json!({}), &forced, Operation::ConverseStream).messages),
        json!([{"role": "user", "content": [{"text": "hi"}, short_point()]}])
    );
    // Other values of the variable do nothing; Claude models without caching stay without.
    let other = [("AWS_BEDROCK_FORCE_CACHE", "true")];
    assert_eq!(
        messages_wire(&shaped_with(&llama, json!({}), &other, Operation::ConverseStream).messages),
        json!([{"role": "user", "content": [{"text": "hi"}]}])
    );
    let opus3 = request(
        "anthropic.claude-3-opus-20240229-v1:0",
        None,
        vec![user("hi")],
    );
    assert_eq!(
        messages_wire(&shaped_with(&opus3, json!({}), &forced, Operation::ConverseStream).messages),
        json!([{"role": "user", "content": [{"text": "hi"}]}])
    );
}

// ---- CACHE-02 / CACHE-03 ----

#[test]
fn cache_02_off_switch_wins_then_request_retention_then_env_default() {
    let req = request(SONNET_46, Some(&boundary_prompt()), vec![user("hi")]);
    let long_env = [("OPENCLAW_CACHE_RETENTION", "long")];
    let off = json!({"awsBedrockUsePromptCache": false});

    // The operator's off switch beats an explicit `long`.
    let forced_off = shaped_with(
        &retention(req.clone(), CacheRetention::Long),
        off,
        &long_env,
        Operation::ConverseStream,
    );
    assert_eq!(
        system_wire(&forced_off.system),
        json!([{"text": "Stable workspace\nToday: Monday"}])
    );
    assert_eq!(
        messages_wire(&forced_off.messages),
        json!([{"role": "user", "content": [{"text": "hi"}]}])
    );

    // The request's retention beats the env default.
    let explicit_short = shaped_with(
        &retention(req.clone(), CacheRetention::Short),
        json!({"awsBedrockUsePromptCache": true}),
        &long_env,
        Operation::ConverseStream,
    );
    assert_eq!(
        messages_wire(&explicit_short.messages),
        json!([{"role": "user", "content": [{"text": "hi"}, short_point()]}])
    );
    let explicit_none = shaped_with(
        &retention(req.clone(), CacheRetention::None),
        json!({}),
        &long_env,
        Operation::ConverseStream,
    );
    assert_eq!(
        system_wire(&explicit_none.system),
        json!([{"text": "Stable workspace\nToday: Monday"}])
    );

    // Unset: `long` from the env, else `short`.
    let env_long = shaped_with(&req, json!({}), &long_env, Operation::ConverseStream);
    assert_eq!(
        system_wire(&env_long.system),
        json!([{"text": "Stable workspace"}, long_point(), {"text": "Today: Monday"}])
    );
    assert_eq!(
        messages_wire(&env_long.messages),
        json!([{"role": "user", "content": [{"text": "hi"}, long_point()]}])
    );
    let default = shaped(&req);
    assert_eq!(
        system_wire(&default.system),
        json!([{"text": "Stable workspace"}, short_point(), {"text": "Today: Monday"}])
    );
}

#[test]
fn cache_03_one_hour_ttl_only_for_policy_claude_with_long_retention() {
    let sent = |id: &str| {
        let req = retention(request(id, None, vec![user("hi")]), CacheRetention::Long);
        messages_wire(&shaped(&req).messages)
    };
    assert_eq!(
        sent(SONNET_46),
        json!([{"role": "user", "content": [{"text": "hi"}, long_point()]}])
    );
    // claude-short and Nova never get a ttl.
    for id in [
        "anthropic.claude-sonnet-4-20250514-v1:0",
        "amazon.nova-pro-v1:0",
    ] {
        assert_eq!(
            sent(id),
            json!([{"role": "user", "content": [{"text": "hi"}, short_point()]}]),
            "{id}"
        );
    }
}

// ---- CACHE-10 / MSG-11 ----

#[test]
fn cache_10_ex_a05_nova_2_lite_system_layout_splits_at_boundary_marker() {
    let mut req = request(NOVA_2_LITE, Some(&boundary_prompt()), vec![user("hi")]);
    req.tools = RVec::from(vec![tool("lookup"), tool("calculate")]);
    let untouched = req.clone();
    for value in [CacheRetention::Short, CacheRetention::Long] {
        let input = shaped(&retention(req.clone(), value));
        assert_eq!(
            system_wire(&input.system),
            json!([{"text": "Stable workspace"}, short_point(), {"text": "Today: Monday"}]),
            "{value:?}"
        );
        assert_eq!(
            messages_wire(&input.messages),
            json!([{"role": "user", "content": [{"text": "hi"}, short_point()]}])
        );
        let tools = input.tool_config.expect("tools").tools;
        let names: Vec<&str> = tools
            .iter()
            .map(|tool| {
                tool.as_tool_spec()
                    .expect("toolSpec, never a cachePoint (TOOL-04)")
                    .name()
            })
            .collect();
        assert_eq!(names, ["calculate", "lookup"]);
    }
    // Unset (Nova is opt-in) and `none`: one joined block, no point.
    for req in [req.clone(), retention(req.clone(), CacheRetention::None)] {
        let input = shaped(&req);
        assert_eq!(
            system_wire(&input.system),
            json!([{"text": "Stable workspace\nToday: Monday"}])
        );
        assert_eq!(
            messages_wire(&input.messages),
            json!([{"role": "user", "content": [{"text": "hi"}]}])
        );
    }
    // Nova Sonic never gets a point.
    let mut sonic = retention(req.clone(), CacheRetention::Short);
    sonic.model.id = "amazon.nova-sonic-v1:0".into();
    let input = shaped(&sonic);
    assert_eq!(
        system_wire(&input.system),
        json!([{"text": "Stable workspace\nToday: Monday"}])
    );
    assert_eq!(
        messages_wire(&input.messages),
        json!([{"role": "user", "content": [{"text": "hi"}]}])
    );
    assert_eq!(
        req, untouched,
        "REQ-06: the caller's request is never mutated"
    );
}

#[test]
fn cache_10_boundary_trims_around_it_and_plain_prompt_gets_trailing_point() {
    let sent = |prompt: &str| {
        system_wire(&shaped(&request(SONNET_46, Some(prompt), vec![user("hi")])).system)
    };
    assert_eq!(
        sent(&format!("Stable  \n{CACHE_BOUNDARY}\n  Dynamic")),
        json!([{"text": "Stable"}, short_point(), {"text": "Dynamic"}])
    );
    assert_eq!(
        sent("Be brief."),
        json!([{"text": "Be brief."}, short_point()])
    );
    // MSG-11: a later boundary marker is no boundary but never reaches the model (PLG-30).
    assert_eq!(
        sent(&format!("A{CACHE_BOUNDARY}B{CACHE_BOUNDARY}C")),
        json!([{"text": "A"}, short_point(), {"text": "B\nC"}])
    );
    // CACHE-13: nothing stable before the boundary → no system point at index 0.
    assert_eq!(
        sent(&format!("{CACHE_BOUNDARY}Dynamic")),
        json!([{"text": "Dynamic"}])
    );
    // REQ-01: blank once the marker is gone → no system at all.
    assert_eq!(sent(&format!("  {CACHE_BOUNDARY}  ")), json!([]));
    assert_eq!(
        sent(&format!("Stable{CACHE_BOUNDARY}   ")),
        json!([{"text": "Stable"}, short_point()])
    );
}

#[test]
fn cache_10_msg_11_ex_a07_relocation_markers_are_stripped_first() {
    let prompt = "Complete <!-- OPENCLAW-RELOCATABLE-BOUNDARY -->policy\n<!-- /OPENCLAW-RELOCATABLE-BOUNDARY -->";
    let req = request(SONNET_46, Some(prompt), vec![user("hi")]);
    assert_eq!(
        system_wire(&shaped(&req).system),
        json!([{"text": "Complete policy"}, short_point()])
    );
    // The newline forms: the opening marker becomes one line break, the closing one goes.
    let moved = format!(
        "Rules\n<!-- OPENCLAW-RELOCATABLE-BOUNDARY -->\nMoved part\n<!-- /OPENCLAW-RELOCATABLE-BOUNDARY -->{CACHE_BOUNDARY}Today"
    );
    let req = request(SONNET_46, Some(&moved), vec![user("hi")]);
    assert_eq!(
        system_wire(&shaped(&req).system),
        json!([{"text": "Rules\nMoved part"}, short_point(), {"text": "Today"}])
    );
    // MSG-11 holds with caching off too.
    let off = retention(req, CacheRetention::None);
    assert_eq!(
        system_wire(&shaped(&off).system),
        json!([{"text": "Rules\nMoved part\nToday"}])
    );
}

// ---- CACHE-11 ----

#[test]
fn cache_11_ex_a08_point_on_last_user_message_before_first_carrier() {
    // Message 0 user, then a carrier, then a tool result: all user-side, merged into one
    // Bedrock message (MSG-09); the point closes message 0's part of it.
    let req = retention(
        request(
            SONNET_46,
            None,
            vec![
                user("first"),
                carrier("runtime context"),
                tool_result("t1", "out"),
            ],
        ),
        CacheRetention::Long,
    );
    assert_eq!(
        messages_wire(&shaped(&req).messages),
        json!([{"role": "user", "content": [
            {"text": "first"},
            long_point(),
            {"text": "runtime context"},
            {"text": "[Tool result: lookup]:"},
            {"text": "out"}
        ]}])
    );
}

#[test]
fn cache_11_no_message_point_unless_the_conversation_ends_with_the_user() {
    let ends_with_assistant = request(
        SONNET_46,
        Some("Sys"),
        vec![user("q"), assistant_text(SONNET_46, "partial")],
    );
    let input = shaped(&ends_with_assistant);
    assert_eq!(
        system_wire(&input.system),
        json!([{"text": "Sys"}, short_point()])
    );
    assert_eq!(
        messages_wire(&input.messages),
        json!([
            {"role": "user", "content": [{"text": "q"}]},
            {"role": "assistant", "content": [{"text": "partial"}]}
        ])
    );
    // No user message before the first carrier → no message point.
    let carrier_first = request(
        SONNET_46,
        None,
        vec![carrier("ctx"), assistant_text(SONNET_46, "ok"), user("q")],
    );
    assert_eq!(
        messages_wire(&shaped(&carrier_first).messages),
        json!([
            {"role": "user", "content": [{"text": "ctx"}]},
            {"role": "assistant", "content": [{"text": "ok"}]},
            {"role": "user", "content": [{"text": "q"}]}
        ])
    );
}

#[test]
fn cache_11_ex_a06_fable_checkpoint_stays_before_retained_carriers() {
    let fable = "anthropic.claude-fable-5-1-v1:0";
    let with_tools = |messages: Vec<Message_NE>| {
        let mut req = request(fable, None, messages);
        req.tools = RVec::from(vec![tool("lookup")]);
        req
    };
    let turn_1 = with_tools(vec![
        user("task"),
        tool_call(fable, "c1"),
        tool_result("c1", "r1"),
        carrier("ctx 1"),
    ]);
    let turn_2 = with_tools(vec![
        user("task"),
        tool_call(fable, "c1"),
        tool_result("c1", "r1"),
        carrier("ctx 1"),
        tool_call(fable, "c2"),
        tool_result("c2", "r2"),
        carrier("ctx 2"),
    ]);
    let first = shaped(&turn_1).messages;
    let second = shaped(&turn_2).messages;
    assert_eq!(
        messages_wire(&first),
        json!([
            {"role": "user", "content": [{"text": "task"}]},
            {"role": "assistant", "content": [{"toolUse": {"toolUseId": "c1"}}]},
            {"role": "user", "content": [{"toolResult": {"toolUseId": "c1"}}, short_point(), {"text": "ctx 1"}]}
        ])
    );
    // Earlier prefixes are byte-identical between the turns, the checkpoint included.
    assert_eq!(second[..3], first[..]);
    assert_eq!(
        messages_wire(&second[3..]),
        json!([
            {"role": "assistant", "content": [{"toolUse": {"toolUseId": "c2"}}]},
            {"role": "user", "content": [{"toolResult": {"toolUseId": "c2"}}, {"text": "ctx 2"}]}
        ])
    );
}

// ---- CACHE-12 ----

fn spec(name: &str) -> Tool {
    Tool::ToolSpec(
        ToolSpecification::builder()
            .name(name)
            .input_schema(ToolInputSchema::Json(aws_smithy_types::Document::Null))
            .build()
            .expect("tool spec"),
    )
}

fn text(value: &str) -> ContentBlock {
    ContentBlock::Text(value.into())
}

fn cp() -> ContentBlock {
    ContentBlock::CachePoint(point(None))
}

fn system_cp() -> SystemContentBlock {
    SystemContentBlock::CachePoint(point(None))
}

fn user_message(content: Vec<ContentBlock>) -> Message {
    Message::builder()
        .role(ConversationRole::User)
        .set_content(Some(content))
        .build()
        .expect("message")
}

#[test]
fn cache_12_surplus_points_leave_messages_first_then_tools_then_system() {
    let sys = |n: usize| -> Vec<SystemContentBlock> {
        (0..n)
            .flat_map(|i| [SystemContentBlock::Text(format!("s{i}")), system_cp()])
            .collect()
    };
    // Messages first, earliest first.
    let mut tools = vec![spec("a"), Tool::CachePoint(point(None))];
    let mut system = sys(1);
    let mut messages = vec![
        user_message(vec![text("a"), cp(), text("b"), cp()]),
        user_message(vec![text("c"), cp()]),
    ];
    let mut lists = Lists {
        tools: Some(&mut tools),
        system: &mut system,
        messages: &mut messages,
    };
    assert_eq!(lists.total(), 5);
    lists.enforce_limit();
    assert_eq!(lists.total(), 4);
    assert_eq!(
        messages_wire(&messages),
        json!([
            {"role": "user", "content": [{"text": "a"}, {"text": "b"}, short_point()]},
            {"role": "user", "content": [{"text": "c"}, short_point()]}
        ])
    );
    assert_eq!(count(&tools), 1);
    assert_eq!(count(&system), 1);

    // Then tool points, earliest first.
    let mut tools = vec![
        spec("a"),
        Tool::CachePoint(point(None)),
        spec("b"),
        Tool::CachePoint(point(None)),
        spec("c"),
        Tool::CachePoint(point(None)),
    ];
    let mut system = sys(2);
    let mut messages = vec![user_message(vec![text("m"), cp()])];
    Lists {
        tools: Some(&mut tools),
        system: &mut system,
        messages: &mut messages,
    }
    .enforce_limit();
    assert_eq!(
        messages_wire(&messages),
        json!([{"role": "user", "content": [{"text": "m"}]}])
    );
    assert!(tools[1].as_tool_spec().is_ok(), "the first tool point went");
    assert_eq!((count(&tools), count(&system)), (2, 2));

    // The system's points go last.
    let mut system = sys(5);
    Lists {
        tools: None,
        system: &mut system,
        messages: &mut [],
    }
    .enforce_limit();
    assert_eq!(
        system_wire(&system),
        json!([{"text": "s0"}, {"text": "s1"}, short_point(), {"text": "s2"}, short_point(), {"text": "s3"}, short_point(), {"text": "s4"}, short_point()])
    );
}

#[test]
fn cache_12_automatic_points_are_not_added_at_the_limit() {
    let req = request(SONNET_46, Some("Sys"), vec![user("a")]);
    let traits = ModelTraits::of(&req.model);
    let converted = Converted {
        messages: vec![user_message(vec![
            text("a"),
            cp(),
            text("b"),
            cp(),
            text("c"),
            cp(),
            text("d"),
            cp(),
        ])],
        user_ends: vec![UserEnd {
            host: 0,
            message: 0,
            index: 8,
        }],
    };
    let caller_points = converted.messages.clone();
    let parts = apply(
        CacheRequest {
            request: &req,
            traits: &traits,
            settings: &Settings::default(),
            env: &EnvSnapshot::default(),
            operation: Operation::ConverseStream,
        },
        converted,
        None,
    )
    .expect("applies");
    assert_eq!(system_wire(&parts.system), json!([{"text": "Sys"}]));
    assert_eq!(parts.messages, caller_points);
}

// ---- CACHE-13 ----

#[test]
fn cache_13_automatic_point_moves_before_non_pdf_documents() {
    let sent = |parts: Vec<ContentPart>| {
        let req = request(SONNET_46, None, vec![user_parts(parts)]);
        messages_wire(&shaped(&req).messages)[0]["content"].clone()
    };
    assert_eq!(
        sent(vec![
            text_part("compare these"),
            document("text/csv", "a.csv"),
            document("text/plain", "b.txt"),
        ]),
        json!([
            {"text": "compare these"},
            short_point(),
            {"document": {"format": "csv", "name": "a"}},
            {"document": {"format": "txt", "name": "b"}}
        ])
    );
    assert_eq!(
        sent(vec![
            text_part("read"),
            document("application/pdf", "c.pdf")
        ]),
        json!([{"text": "read"}, {"document": {"format": "pdf", "name": "c"}}, short_point()])
    );
    // Such a document starts the message: that message gets no point.
    assert_eq!(
        sent(vec![document("text/csv", "a.csv")]),
        json!([{"document": {"format": "csv", "name": "a"}}])
    );
}

#[test]
fn cache_13_caller_points_stay_unless_a_position_rule_forbids_them() {
    let csv = || {
        ContentBlock::Document(
            aws_sdk_bedrockruntime::types::DocumentBlock::builder()
                .format(aws_sdk_bedrockruntime::types::DocumentFormat::Csv)
                .name("a")
                .source(aws_sdk_bedrockruntime::types::DocumentSource::Bytes(
                    aws_smithy_types::Blob::new(b"x".to_vec()),
                ))
                .build()
                .expect("document"),
        )
    };
    let fixed = |mut blocks: Vec<ContentBlock>| {
        fix_positions(&mut blocks);
        content_wire(&blocks)
    };
    assert_eq!(
        fixed(vec![text("a"), cp(), text("b")]),
        json!([{"text": "a"}, short_point(), {"text": "b"}])
    );
    assert_eq!(fixed(vec![cp(), text("a")]), json!([{"text": "a"}]));
    assert_eq!(
        fixed(vec![text("a"), csv(), cp(), text("b")]),
        json!([{"text": "a"}, short_point(), {"document": {"format": "csv", "name": "a"}}, {"text": "b"}])
    );
    assert_eq!(
        fixed(vec![csv(), cp(), text("b")]),
        json!([{"document": {"format": "csv", "name": "a"}}, {"text": "b"}])
    );
    assert_eq!(
        fixed(vec![text("a"), cp(), cp()]),
        json!([{"text": "a"}, short_point()])
    );
    let mut system = vec![system_cp(), SystemContentBlock::Text("s".into())];
    fix_positions(&mut system);
    assert_eq!(system_wire(&system), json!([{"text": "s"}]));
}

// ---- CACHE-14 ----

#[test]
fn cache_14_ttl_lowered_after_a_shorter_earlier_point_with_one_warning() {
    let req = retention(
        request(SONNET_46, Some("Sys"), vec![user("hi")]),
        CacheRetention::Long,
    );
    let traits = ModelTraits::of(&req.model);
    let converted = messages::convert_with_ends(&req, &traits, true).expect("converts");
    let tools = aws_sdk_bedrockruntime::types::ToolConfiguration::builder()
        .tools(spec("lookup"))
        .tools(Tool::CachePoint(point(None)))
        .build()
        .expect("tool config");
    let (parts, warnings) = capture_warnings(|| {
        apply(
            CacheRequest {
                request: &req,
                traits: &traits,
                settings: &Settings::default(),
                env: &EnvSnapshot::default(),
                operation: Operation::ConverseStream,
            },
            converted,
            Some(tools),
        )
        .expect("applies")
    });
    assert_eq!(
        system_wire(&parts.system),
        json!([{"text": "Sys"}, short_point()])
    );
    assert_eq!(
        messages_wire(&parts.messages),
        json!([{"role": "user", "content": [{"text": "hi"}, short_point()]}])
    );
    assert_eq!(
        warnings,
        ["cache point ttl lowered to keep Bedrock's order (tools, system, messages)"]
    );
    // Non-increasing TTLs are left alone, without a warning.
    let mut system = vec![
        SystemContentBlock::Text("s".into()),
        SystemContentBlock::CachePoint(point(Some(CacheTtl::OneHour))),
    ];
    let mut messages = vec![user_message(vec![text("m"), cp()])];
    let lowered = Lists {
        tools: None,
        system: &mut system,
        messages: &mut messages,
    }
    .lower_ttls();
    assert!(!lowered);
    assert_eq!(system_wire(&system), json!([{"text": "s"}, long_point()]));
}

// ---- CACHE-20 ----

#[test]
fn cache_20_ex_i31_i32_i33_i37_named_claude_profile_by_retention() {
    let base = request(NAMED_PROFILE, Some("You are helpful"), vec![user("hi")]);
    let traits = ModelTraits::of(&base.model);
    let cases = [
        (
            Some(CacheRetention::Short),
            json!([{"text": "You are helpful"}, short_point()]),
            json!([{"text": "hi"}, short_point()]),
        ),
        (
            None,
            json!([{"text": "You are helpful"}, short_point()]),
            json!([{"text": "hi"}, short_point()]),
        ),
        (
            Some(CacheRetention::Long),
            json!([{"text": "You are helpful"}, long_point()]),
            json!([{"text": "hi"}, long_point()]),
        ),
        (
            Some(CacheRetention::None),
            json!([{"text": "You are helpful"}]),
            json!([{"text": "hi"}]),
        ),
    ];
    for (value, system, user_content) in cases {
        let req = match value {
            Some(value) => retention(base.clone(), value),
            None => base.clone(),
        };
        // The env default of CACHE-02 does not apply to profiles: unset stays short (PLG-31).
        let parts = applied(&req, &traits, &[("OPENCLAW_CACHE_RETENTION", "long")]);
        assert_eq!(system_wire(&parts.system), system, "{value:?}");
        assert_eq!(
            messages_wire(&parts.messages)[0]["content"],
            user_content,
            "{value:?}"
        );
    }
    // The same through `build`: the heuristic needs no lookup.
    let input = shaped(&base);
    assert_eq!(
        system_wire(&input.system),
        json!([{"text": "You are helpful"}, short_point()])
    );
}

#[test]
fn cache_20_ex_i38_only_the_last_user_message_and_after_the_stable_prefix() {
    let req = request(
        NAMED_PROFILE,
        Some(&boundary_prompt()),
        vec![
            user("one"),
            assistant_text(NAMED_PROFILE, "two"),
            user("three"),
        ],
    );
    let parts = applied(&req, &ModelTraits::of(&req.model), &[]);
    assert_eq!(
        system_wire(&parts.system),
        json!([{"text": "Stable workspace"}, short_point(), {"text": "Today: Monday"}])
    );
    assert_eq!(
        messages_wire(&parts.messages),
        json!([
            {"role": "user", "content": [{"text": "one"}]},
            {"role": "assistant", "content": [{"text": "two"}]},
            {"role": "user", "content": [{"text": "three"}, short_point()]}
        ])
    );
}

#[test]
fn cache_20_ex_i34_existing_points_are_never_doubled() {
    let req = request(NAMED_PROFILE, None, vec![user("hi")]);
    let traits = ModelTraits::of(&req.model);
    let converted = Converted {
        messages: vec![user_message(vec![text("hi"), cp()])],
        user_ends: vec![UserEnd {
            host: 0,
            message: 0,
            index: 1,
        }],
    };
    let parts = apply(
        CacheRequest {
            request: &req,
            traits: &traits,
            settings: &Settings::default(),
            env: &EnvSnapshot::default(),
            operation: Operation::ConverseStream,
        },
        converted,
        None,
    )
    .expect("applies");
    assert_eq!(
        messages_wire(&parts.messages),
        json!([{"role": "user", "content": [{"text": "hi"}, short_point()]}])
    );
}

#[test]
fn cache_20_ex_i39_i42_opaque_profile_decided_by_its_targets() {
    let req = request(OPAQUE_PROFILE, Some("Sys"), vec![user("hi")]);
    let unresolved = ModelTraits::of(&req.model);
    let sent = |traits: &ModelTraits| {
        let parts = applied(&req, traits, &[]);
        (system_wire(&parts.system), messages_wire(&parts.messages))
    };
    let none = (
        json!([{"text": "Sys"}]),
        json!([{"role": "user", "content": [{"text": "hi"}]}]),
    );
    // No lookup result yet (or a failed one): no points.
    assert_eq!(sent(&unresolved), none);
    let sonnet = unresolved
        .clone()
        .with_profile_targets(vec!["anthropic.claude-sonnet-4-6".into()]);
    assert_eq!(
        sent(&sonnet),
        (
            json!([{"text": "Sys"}, short_point()]),
            json!([{"role": "user", "content": [{"text": "hi"}, short_point()]}])
        )
    );
    // Every target must be cacheable Claude.
    let mixed = unresolved.clone().with_profile_targets(vec![
        "anthropic.claude-sonnet-4-6".into(),
        "anthropic.claude-3-opus-20240229-v1:0".into(),
    ]);
    assert_eq!(sent(&mixed), none);
    assert_eq!(
        sent(&unresolved.clone().with_profile_targets(Vec::new())),
        none
    );
}

#[test]
fn cache_20_injection_is_skipped_when_any_message_is_a_runtime_context_carrier() {
    let req = request(
        NAMED_PROFILE,
        Some(&boundary_prompt()),
        vec![user("hi"), carrier("ctx")],
    );
    let parts = applied(&req, &ModelTraits::of(&req.model), &[]);
    assert_eq!(
        system_wire(&parts.system),
        json!([{"text": "Stable workspace\nToday: Monday"}])
    );
    assert_eq!(
        messages_wire(&parts.messages),
        json!([{"role": "user", "content": [{"text": "hi"}, {"text": "ctx"}]}])
    );
}

// ---- examples and neighbours ----

#[test]
fn ex_i05_i35_i36_which_models_get_points() {
    let sent = |id: &str, value: Option<CacheRetention>| {
        let mut req = request(id, Some("Sys"), vec![user("hi")]);
        if let Some(value) = value {
            req = retention(req, value);
        }
        let input = shaped(&req);
        (system_wire(&input.system), messages_wire(&input.messages))
    };
    let none = (
        json!([{"text": "Sys"}]),
        json!([{"role": "user", "content": [{"text": "hi"}]}]),
    );
    assert_eq!(
        sent("amazon.nova-micro-v1:0", None),
        none,
        "EX-I05 Nova default none"
    );
    assert_eq!(
        sent(
            "meta.llama3-1-8b-instruct-v1:0",
            Some(CacheRetention::Short)
        ),
        none,
        "EX-I05 forced none"
    );
    assert_eq!(
        sent(SONNET_46, None),
        (
            json!([{"text": "Sys"}, short_point()]),
            json!([{"role": "user", "content": [{"text": "hi"}, short_point()]}])
        ),
        "EX-I35 runtime placement"
    );
    assert_eq!(
        sent("anthropic.claude-3-opus-20240229-v1:0", None),
        none,
        "EX-I36"
    );
}

#[test]
fn br_50_count_tokens_gets_no_cache_points() {
    let req = request(SONNET_46, Some(&boundary_prompt()), vec![user("hi")]);
    let input = shaped_with(&req, json!({}), &[], Operation::CountTokens);
    assert_eq!(
        system_wire(&input.system),
        json!([{"text": "Stable workspace\nToday: Monday"}])
    );
    assert_eq!(
        messages_wire(&input.messages),
        json!([{"role": "user", "content": [{"text": "hi"}]}])
    );
}

#[test]
fn grd_03_ex_i21_i22_guardrail_never_changes_caching() {
    let guardrail = json!({"guardrail": {"guardrailIdentifier": "guardrail-anthropic", "guardrailVersion": "2"}});
    let claude = request(SONNET_46, None, vec![user("hi")]);
    let input = shaped_with(&claude, guardrail.clone(), &[], Operation::ConverseStream);
    assert!(input.guardrail_config.is_some());
    assert_eq!(
        messages_wire(&input.messages),
        json!([{"role": "user", "content": [{"text": "hi"}, short_point()]}])
    );
    let nova = request("amazon.nova-micro-v1:0", None, vec![user("hi")]);
    let input = shaped_with(&nova, guardrail, &[], Operation::ConverseStream);
    assert!(input.guardrail_config.is_some());
    assert_eq!(
        messages_wire(&input.messages),
        json!([{"role": "user", "content": [{"text": "hi"}]}])
    );
}
