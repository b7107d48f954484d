//! History hygiene as a property (PLG-111): whatever conversation a host replays, the request
//! the plugin builds is either refused by the plugin before sending with one of the caller
//! errors the spec names, or sent and answered 200 by the emulator's strict validation
//! (Bedrock's history rules with Bedrock's messages, PLG-110).
//!
//! Generated histories have roles in any order, blank and whitespace-only text, tool calls
//! without results and results without calls, duplicate and odd tool-call ids, tool and
//! document names with any characters, images of assorted types and sizes (up to just over
//! Bedrock's 3.75 MB), thinking blocks with and without signatures from this and other
//! models, runtime-context carriers, tools offered or not, for Claude, Nova, Llama (whose
//! ConverseStream rejects tools: the plugin answers through Converse, BR-95) and Mistral.
//! Every counterexample found became a named regression test below.
//!
//! CI runs `CI_CASES` histories (one plugin instance and one emulator for all of them); the
//! long mode is `PROPTEST_CASES=10000 cargo test -p bedrock-plugin --test history_hygiene`.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use abi_stable::std_types::{ROption, RString, RVec};
use base64::Engine as _;
use plugin_api::chat::{
    AssistantBlock, AssistantBlock_NE, AssistantOrigin, CacheRetention, CacheRetention_NE,
    ChatRequest, ContentPart, ContentPart_NE, Message, Message_NE, ThinkingLevel, ThinkingLevel_NE,
    ToolChoice, ToolChoice_NE,
};
use plugin_api::event::{StopReason, StopReason_NE, StreamEvent};
use plugin_api::model::ModelDefinition;
use plugin_api::traits::PluginInstanceBox;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::json;

/// Histories per run in CI (well under 30 s in a debug build).
const CI_CASES: u32 = 256;

fn config() -> Config {
    test_support::proptest_config(CI_CASES)
}

const CLAUDE: &str = "us.anthropic.claude-sonnet-4-6";
const NOVA: &str = "amazon.nova-micro-v1:0";
const LLAMA: &str = "meta.llama3-70b-instruct-v1:0";
const MISTRAL: &str = "mistral.mistral-large-2407-v1:0";
const MODELS: [&str; 4] = [CLAUDE, NOVA, LLAMA, MISTRAL];

/// Bedrock's per-image limit: 3.75 MiB of image bytes (5 MiB of base64).
const IMAGE_LIMIT: usize = 3_932_160;

/// The caller errors the spec names (MSG-04, MSG-10, MSG-13, TOOL-05): the only refusals
/// before sending the property accepts.
const CALLER_ERRORS: [&str; 7] = [
    "Amazon Bedrock requires the conversation to start with a user message",
    // MSG-13 when nothing at all is left to send.
    "Amazon Bedrock request has no message to send",
    "Unknown image type: ",
    "Amazon Bedrock image content has malformed base64",
    "Bedrock redacted reasoning block is missing its opaque signature",
    "Bedrock redacted reasoning block has a malformed opaque signature",
    "Amazon Bedrock tool name \"",
];

// ---------------------------------------------------------------------------------------------
// Shared fixtures: one emulator, one plugin instance, one runtime.

struct Fixture {
    emu: bedrock_emulator::Emulator,
    plugin: PluginInstanceBox,
    runtime: tokio::runtime::Runtime,
}

/// An emulator, a plugin instance against it and a runtime to poll the streams on.
fn fresh() -> Fixture {
    let emu = common::emulator();
    let plugin = common::emulator_instance(&emu, json!({}));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    Fixture {
        emu,
        plugin,
        runtime,
    }
}

/// The fixture every generated history shares.
fn shared() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(fresh)
}

/// The outcome of one request.
#[derive(Debug)]
enum Outcome {
    /// Sent and answered 200 (the stream ended with `Done`).
    Answered,
    /// Refused before sending with this message.
    Refused(String),
    /// Anything else: the message and the last body the emulator received.
    Failed(String),
}

fn send(fx: &Fixture, request: ChatRequest) -> Outcome {
    let before = fx.emu.requests().len();
    let handle = match fx.plugin.chat_provider().stream_chat(request).into_result() {
        Ok(handle) => handle,
        Err(error) => return Outcome::Refused(error.message.to_string()),
    };
    let events = fx.runtime.block_on(async {
        let mut stream = host_harness::stream::ChatEventStream::new(handle);
        let mut events = Vec::new();
        while let Some(event) = futures::StreamExt::next(&mut stream).await {
            events.push(event.as_enum().expect("known event").clone());
        }
        events
    });
    match events.last() {
        Some(StreamEvent::Done(_)) => Outcome::Answered,
        Some(StreamEvent::Error(failure)) => {
            let sent = fx.emu.requests();
            if sent.len() == before {
                return Outcome::Refused(failure.error.message.to_string());
            }
            let body = sent
                .last()
                .and_then(|r| r.json())
                .map(|body| shortened(body).to_string())
                .unwrap_or_default();
            Outcome::Failed(format!("{}\nlast body: {body}", failure.error.message))
        }
        other => Outcome::Failed(format!("stream ended with {other:?}")),
    }
}

/// `value` with every string over 80 characters replaced by its length (base64 payloads).
fn shortened(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) if s.len() > 80 => Value::String(format!("<{} chars>", s.len())),
        Value::Array(items) => Value::Array(items.into_iter().map(shortened).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, shortened(v))).collect())
        }
        other => other,
    }
}

fn caller_error(message: &str) -> bool {
    CALLER_ERRORS
        .iter()
        .any(|prefix| message.starts_with(prefix))
}

/// The property for one request: answered, or refused with a spec caller error.
fn judge(fx: &Fixture, request: ChatRequest) -> Result<Outcome, TestCaseError> {
    match send(fx, request) {
        Outcome::Refused(message) if !caller_error(&message) => Err(TestCaseError::fail(format!(
            "refused before sending with an error the spec does not name: {message}"
        ))),
        Outcome::Failed(message) => Err(TestCaseError::fail(message)),
        outcome => Ok(outcome),
    }
}

// ---------------------------------------------------------------------------------------------
// Host messages.

fn model(id: &str) -> ModelDefinition {
    let mut model = ModelDefinition::new(id, "amazon-bedrock", "bedrock-converse-stream");
    let input: &[&str] = if id == CLAUDE {
        &["text", "image"]
    } else {
        &["text"]
    };
    model.input = input.iter().map(|s| RString::from(*s)).collect();
    model.reasoning = id == CLAUDE;
    model.max_tokens = 10_000;
    model
}

fn text(value: &str) -> ContentPart {
    ContentPart::Text { text: value.into() }
}

fn image(data: String, mime: &str) -> ContentPart {
    ContentPart::Image {
        data: data.into(),
        mime_type: mime.into(),
    }
}

fn document(data: &str, mime: &str, name: Option<&str>) -> ContentPart {
    ContentPart::Document {
        data: data.into(),
        mime_type: mime.into(),
        name: name.map(RString::from).into(),
        extensions: Default::default(),
    }
}

fn user(parts: Vec<ContentPart>, runtime_context: bool) -> Message_NE {
    Message_NE::new(Message::User {
        content: parts.into_iter().map(ContentPart_NE::new).collect(),
        runtime_context,
    })
}

fn assistant_from(
    origin_model: &str,
    blocks: Vec<AssistantBlock>,
    stop: Option<StopReason>,
    runtime_context: bool,
) -> Message_NE {
    Message_NE::new(Message::Assistant {
        content: blocks.into_iter().map(AssistantBlock_NE::new).collect(),
        origin: AssistantOrigin {
            provider: "amazon-bedrock".into(),
            api: "bedrock-converse-stream".into(),
            model: origin_model.into(),
            stop_reason: stop.map(StopReason_NE::new).into(),
        },
        runtime_context,
    })
}

fn result(id: &str, name: &str, parts: Vec<ContentPart>, is_error: bool) -> Message_NE {
    Message_NE::new(Message::ToolResult {
        tool_call_id: id.into(),
        tool_name: name.into(),
        content: parts.into_iter().map(ContentPart_NE::new).collect(),
        is_error,
        runtime_context: false,
    })
}

fn call(id: &str, name: &str, arguments: &str) -> AssistantBlock {
    AssistantBlock::ToolCall {
        id: id.into(),
        name: name.into(),
        arguments_json: arguments.into(),
    }
}

fn thinking(text: &str, signature: Option<&str>, redacted: bool) -> AssistantBlock {
    AssistantBlock::Thinking {
        thinking: text.into(),
        signature: signature.map(RString::from).into(),
        redacted,
    }
}

fn request(model_id: &str, messages: Vec<Message_NE>, tools: &[&str]) -> ChatRequest {
    let mut request = common::text_request(model_id, "unused");
    request.model = model(model_id);
    request.messages = RVec::from(messages);
    request.tools = tools
        .iter()
        .map(|name| common::tool(name, json!({"type": "object", "properties": {}})))
        .collect();
    request
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A `len`-byte image payload, built once per size.
fn big_image(len: usize) -> String {
    static AT: OnceLock<String> = OnceLock::new();
    static OVER: OnceLock<String> = OnceLock::new();
    let cell = if len == IMAGE_LIMIT { &AT } else { &OVER };
    cell.get_or_init(|| b64(&vec![0x89; len])).clone()
}

// ---------------------------------------------------------------------------------------------
// Strategies.

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => Just(String::new()),
        2 => Just(" ".to_owned()),
        1 => Just("\n\t \u{3000}".to_owned()),
        6 => "[a-z ]{1,12}",
        3 => "\\PC{0,12}",
    ]
}

fn tool_id() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => proptest::sample::select(vec!["call_1", "call_2", "tooluse_AbC9"]).prop_map(str::to_owned),
        // Ids that normalise to `call_1` (MSG-01).
        3 => proptest::sample::select(vec!["call:1", "call.1", "call 1", "call/1"]).prop_map(str::to_owned),
        1 => Just(String::new()),
        1 => Just("é".to_owned()),
        1 => Just(format!("{}x", "a".repeat(64))),
        1 => "\\PC{0,8}",
    ]
}

fn tool_name() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => proptest::sample::select(vec!["lookup", "calculate", "my-tool"]).prop_map(str::to_owned),
        1 => proptest::sample::select(vec!["web.search", "$READ", "", "名前", "a b"]).prop_map(str::to_owned),
        1 => Just("t".repeat(65)),
        1 => "\\PC{0,10}",
    ]
}

fn image_part() -> impl Strategy<Value = ContentPart> {
    let mime = prop_oneof![
        30 => proptest::sample::select(vec![
            "image/png", "image/jpeg", "image/jpg", "IMAGE/PNG; q=1", "image/gif", "image/webp",
        ]),
        1 => proptest::sample::select(vec!["image/bmp", "image/svg+xml", "application/octet-stream", ""]),
    ];
    let data = prop_oneof![
        40 => proptest::collection::vec(any::<u8>(), 1..48).prop_map(|bytes| b64(&bytes)),
        4 => Just(String::new()),
        1 => Just("%%% not base64".to_owned()),
        1 => Just(IMAGE_LIMIT).prop_map(big_image),
        1 => Just(IMAGE_LIMIT + 1).prop_map(big_image),
    ];
    (data, mime).prop_map(|(data, mime)| image(data, mime))
}

fn document_part() -> impl Strategy<Value = ContentPart> {
    let mime = proptest::sample::select(vec![
        "application/pdf",
        "text/csv",
        "text/plain",
        "text/markdown",
        "text/html",
        "APPLICATION/PDF",
        "application/zip",
    ]);
    let name = proptest::option::of(prop_oneof![
        3 => proptest::sample::select(vec![
            "report.pdf", ".pdf", "a  b.txt", "résumé.docx", "Report (2) [v1].pdf", "notes",
            "tab\tname.csv", "  ", "x_y.z.md",
        ]).prop_map(str::to_owned),
        1 => Just("n".repeat(250)),
        2 => "\\PC{0,24}",
    ]);
    let data = prop_oneof![
        6 => proptest::collection::vec(any::<u8>(), 1..32).prop_map(|bytes| b64(&bytes)),
        1 => Just(String::new()),
    ];
    (data, mime, name).prop_map(|(data, mime, name)| document(&data, mime, name.as_deref()))
}

fn part() -> impl Strategy<Value = ContentPart> {
    prop_oneof![
        6 => any_text().prop_map(|t| text(&t)),
        2 => image_part(),
        2 => document_part(),
    ]
}

fn assistant_block() -> impl Strategy<Value = AssistantBlock> {
    let signature = proptest::option::of(proptest::sample::select(vec![
        "sig-1",
        "reasoning_content",
        " ",
        "AQID",
        "EuYBCkQYAiJA",
    ]));
    let arguments = proptest::sample::select(vec!["{\"a\":1}", "{\"path\":", "", "[1,2]", "null"]);
    prop_oneof![
        4 => any_text().prop_map(|t| AssistantBlock::Text { text: t.into() }),
        2 => (any_text(), signature, proptest::bool::weighted(0.15))
            .prop_map(|(t, s, redacted)| thinking(&t, s, redacted)),
        4 => (tool_id(), tool_name(), arguments).prop_map(|(id, name, args)| call(&id, &name, args)),
    ]
}

/// One host message to generate (user, assistant with its origin and stop reason, tool result).
#[derive(Clone, Debug)]
enum Spec {
    User(Vec<ContentPart>, bool),
    Assistant(Vec<AssistantBlock>, u8, Option<StopReason>, bool),
    Result(String, String, Vec<ContentPart>, bool),
}

fn spec() -> impl Strategy<Value = Spec> {
    let stop = proptest::option::of(proptest::sample::select(vec![
        StopReason::Stop,
        StopReason::ToolUse,
        StopReason::Aborted,
        StopReason::Error,
    ]));
    let result_part = prop_oneof![
        6 => any_text().prop_map(|t| text(&t)),
        1 => image_part(),
        1 => document_part(),
    ];
    prop_oneof![
        3 => (proptest::collection::vec(part(), 0..3), proptest::bool::weighted(0.2))
            .prop_map(|(parts, rc)| Spec::User(parts, rc)),
        4 => (proptest::collection::vec(assistant_block(), 0..4), 0u8..3, stop, proptest::bool::weighted(0.1))
            .prop_map(|(blocks, origin, stop, rc)| Spec::Assistant(blocks, origin, stop, rc)),
        4 => (tool_id(), tool_name(), proptest::collection::vec(result_part, 0..3), any::<bool>())
            .prop_map(|(id, name, parts, is_error)| Spec::Result(id, name, parts, is_error)),
    ]
}

#[derive(Clone, Debug)]
struct Case {
    model: usize,
    /// A plain user message first (otherwise the history may start anywhere).
    leading_user: bool,
    messages: Vec<Spec>,
    tools: Vec<&'static str>,
    choice: u8,
    retention: u8,
    reasoning: u8,
    system: Option<&'static str>,
}

fn case() -> impl Strategy<Value = Case> {
    let tools = prop_oneof![
        3 => Just(vec![]),
        6 => proptest::sample::subsequence(vec!["calculate", "lookup", "my-tool"], 1..=3),
        1 => Just(vec!["lookup", "web.search"]),
    ];
    let system = proptest::option::of(proptest::sample::select(vec![
        "",
        "  ",
        "be brief",
        "Stable workspace\n<!-- OPENCLAW_CACHE_BOUNDARY -->\nToday: Monday",
    ]));
    (
        0..MODELS.len(),
        proptest::bool::weighted(0.8),
        proptest::collection::vec(spec(), 0..7),
        tools,
        0u8..5,
        0u8..4,
        0u8..5,
        system,
    )
        .prop_map(
            |(model, leading_user, messages, tools, choice, retention, reasoning, system)| Case {
                model,
                leading_user,
                messages,
                tools,
                choice,
                retention,
                reasoning,
                system,
            },
        )
}

fn build(case: &Case) -> ChatRequest {
    let model_id = MODELS[case.model];
    let mut messages = Vec::new();
    if case.leading_user {
        messages.push(Message::user_text("Please help."));
    }
    for spec in &case.messages {
        messages.push(match spec {
            Spec::User(parts, rc) => user(parts.clone(), *rc),
            Spec::Assistant(blocks, origin, stop, rc) => {
                let origin = match origin {
                    0 => model_id,
                    1 => "us.anthropic.claude-haiku-4-5-20251001-v1:0",
                    _ => "amazon.nova-lite-v1:0",
                };
                assistant_from(origin, blocks.clone(), *stop, *rc)
            }
            Spec::Result(id, name, parts, is_error) => result(id, name, parts.clone(), *is_error),
        });
    }
    let mut request = request(model_id, messages, &case.tools);
    let options = &mut request.options;
    options.tool_choice = match (case.choice, case.tools.first()) {
        (1, _) => ROption::RSome(ToolChoice_NE::new(ToolChoice::Auto)),
        (2, _) => ROption::RSome(ToolChoice_NE::new(ToolChoice::Any)),
        (3, _) => ROption::RSome(ToolChoice_NE::new(ToolChoice::None)),
        (4, Some(name)) => ROption::RSome(ToolChoice_NE::new(ToolChoice::Tool {
            name: (*name).into(),
        })),
        _ => ROption::RNone,
    };
    options.cache_retention = match case.retention {
        1 => ROption::RSome(CacheRetention_NE::new(CacheRetention::None)),
        2 => ROption::RSome(CacheRetention_NE::new(CacheRetention::Short)),
        3 => ROption::RSome(CacheRetention_NE::new(CacheRetention::Long)),
        _ => ROption::RNone,
    };
    options.reasoning = match case.reasoning {
        1 => ROption::RSome(ThinkingLevel_NE::new(ThinkingLevel::Off)),
        2 => ROption::RSome(ThinkingLevel_NE::new(ThinkingLevel::Low)),
        3 => ROption::RSome(ThinkingLevel_NE::new(ThinkingLevel::High)),
        4 => ROption::RSome(ThinkingLevel_NE::new(ThinkingLevel::Adaptive)),
        _ => ROption::RNone,
    };
    request.system_prompt = case.system.map(RString::from).into();
    request
}

// ---------------------------------------------------------------------------------------------
// The property.

#[test]
fn plg_111_any_history_is_sent_and_accepted_or_refused_as_a_caller_error() {
    let (answered, refused) = (AtomicU32::new(0), AtomicU32::new(0));
    let mut runner = TestRunner::new(config());
    runner
        .run(&case(), |case| {
            match judge(shared(), build(&case))? {
                Outcome::Answered => answered.fetch_add(1, Ordering::Relaxed),
                _ => refused.fetch_add(1, Ordering::Relaxed),
            };
            Ok(())
        })
        .unwrap();
    let (answered, refused) = (answered.into_inner(), refused.into_inner());
    eprintln!("history hygiene: {answered} answered 200, {refused} refused as caller errors");
    // Most histories reach the emulator, so its validation judged them.
    assert!(answered > refused, "answered {answered}, refused {refused}");
}

// ---------------------------------------------------------------------------------------------
// Regression tests: each counterexample the property found, by name (PLG-112, PLG-113).

/// Sends `request` on a fresh emulator (the tests run in parallel) and returns the
/// `messages` of the last body it received; the request must be answered 200.
fn sent_messages(request: ChatRequest) -> serde_json::Value {
    let fx = fresh();
    match send(&fx, request) {
        Outcome::Answered => {}
        other => panic!("expected an answer, got {other:?}"),
    }
    fx.emu
        .requests()
        .last()
        .and_then(|r| r.json())
        .expect("a JSON body")["messages"]
        .clone()
}

fn q() -> Message_NE {
    Message::user_text("q")
}

/// Counterexample 1: stored arguments `null` (or any JSON that is not an object) were sent as
/// `toolUse.input: null`, which Bedrock reads as a missing member.
#[test]
fn plg_112_tool_call_arguments_that_are_not_an_object_are_sent_as_an_empty_object() {
    for arguments in ["null", "[1,2]", "\"text\"", "7"] {
        let history = vec![
            q(),
            assistant_from(
                CLAUDE,
                vec![call("call_1", "lookup", arguments)],
                None,
                false,
            ),
            result("call_1", "lookup", vec![text("ok")], false),
        ];
        let messages = sent_messages(request(CLAUDE, history, &["lookup"]));
        assert_eq!(
            messages[1]["content"][0]["toolUse"]["input"],
            json!({}),
            "{arguments}"
        );
    }
}

/// Counterexample 2: a replayed call to `web.search` (outside TOOL-05's pattern) was sent as a
/// toolUse, which Bedrock rejects; it and its result are replayed as MSG-08 text.
#[test]
fn plg_112_history_tool_call_with_an_invalid_name_is_replayed_as_text_with_its_result() {
    let history = vec![
        q(),
        assistant_from(
            NOVA,
            vec![call("call_1", "web.search", "{\"q\":\"x\"}")],
            None,
            false,
        ),
        result("call_1", "web.search", vec![text("found")], false),
    ];
    let messages = sent_messages(request(NOVA, history, &["lookup"]));
    assert_eq!(
        messages[1],
        json!({"role": "assistant", "content": [
            {"text": "[Assistant tool call]: web.search({\"q\":\"x\"})"}
        ]})
    );
    assert_eq!(
        messages[2]["content"].as_array().unwrap()[..2],
        [
            json!({"text": "[Tool result: web.search]:"}),
            json!({"text": "found"})
        ]
    );
}

/// Counterexample 2 (the same rule): an id that normalises to nothing cannot be a toolUse id.
#[test]
fn plg_112_tool_call_with_an_empty_id_is_replayed_as_text() {
    let history = vec![
        q(),
        assistant_from(CLAUDE, vec![call("", "lookup", "{}")], None, false),
        result("", "lookup", vec![text("done")], false),
    ];
    let messages = sent_messages(request(CLAUDE, history, &["lookup"]));
    assert_eq!(
        messages[1]["content"][0],
        json!({"text": "[Assistant tool call]: lookup({})"})
    );
    assert_eq!(
        messages[2]["content"][0],
        json!({"text": "[Tool result: lookup]:"})
    );
}

/// Counterexample 3: `call:1` and `call_1` both normalise to `call_1` (MSG-01); two results
/// for the one call exceeded the previous turn's toolUse blocks. The second result is text,
/// and a second call with the same id in one turn is text too (Claude rejects repeated ids).
#[test]
fn plg_112_ids_that_normalise_to_one_are_used_and_answered_once() {
    let history = vec![
        q(),
        assistant_from(
            CLAUDE,
            vec![
                call("call:1", "lookup", "{}"),
                call("call.1", "calculate", "{}"),
            ],
            None,
            false,
        ),
        result("call:1", "lookup", vec![text("first")], false),
        result("call_1", "calculate", vec![text("second")], false),
    ];
    let messages = sent_messages(request(CLAUDE, history, &["calculate", "lookup"]));
    let kinds = |m: &serde_json::Value, kind: &str| {
        m["content"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b.get(kind).is_some())
            .count()
    };
    assert_eq!(kinds(&messages[1], "toolUse"), 1, "{messages}");
    assert_eq!(
        messages[1]["content"][1],
        json!({"text": "[Assistant tool call]: calculate({})"})
    );
    assert_eq!(kinds(&messages[2], "toolResult"), 1, "{messages}");
    assert_eq!(
        messages[2]["content"][0]["toolResult"]["toolUseId"],
        "call_1"
    );
}

/// Counterexample 4: an image just over Bedrock's 3.75 MB was sent and rejected (Claude:
/// `image exceeds 5 MB maximum`), and would have been on every later turn; it is replayed as
/// text, while one exactly at the limit is sent.
#[test]
fn plg_113_an_image_over_bedrocks_limit_is_replayed_as_text() {
    let history = vec![
        user(
            vec![text("look"), image(big_image(IMAGE_LIMIT + 1), "image/png")],
            false,
        ),
        assistant_from(CLAUDE, vec![call("call_1", "lookup", "{}")], None, false),
        result(
            "call_1",
            "lookup",
            vec![image(big_image(IMAGE_LIMIT), "image/png")],
            false,
        ),
    ];
    let messages = sent_messages(request(CLAUDE, history, &["lookup"]));
    assert_eq!(
        messages[0]["content"][1],
        json!({"text": "(image omitted: larger than Amazon Bedrock's 3.75 MB limit)"})
    );
    let kept = &messages[2]["content"][0]["toolResult"]["content"][0]["image"]["source"]["bytes"];
    assert_eq!(kept.as_str().map(str::len), Some(5_242_880));
}

/// Counterexample 5: two documents named `"  "` were sent as `" "` and `"  (2)"`: MSG-12's
/// suffix after a name ending in a space made two whitespace characters in a row, which
/// Bedrock rejects. Names are trimmed, so they are `document` and `document (2)`.
#[test]
fn plg_114_document_names_never_get_two_whitespace_characters_in_a_row() {
    let doc = |name: &str| document("AA==", "application/pdf", Some(name));
    let history = vec![
        user(vec![doc("  "), doc("  ")], false),
        user(vec![doc("a .pdf"), doc("a .pdf"), text("read them")], false),
    ];
    let messages = sent_messages(request(CLAUDE, history, &[]));
    let names: Vec<&str> = messages[0]["content"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["document"]["name"].as_str())
        .collect();
    assert_eq!(names, ["document", "document (2)", "a", "a (2)"]);
}
