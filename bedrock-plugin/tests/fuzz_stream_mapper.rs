//! Property-based fuzzing of the ConverseStream → host event mapper (PLG-56).
//!
//! Arbitrary SDK event sequences (out-of-order and negative block indices, blocks without a
//! start, deltas of another kind, odd stop reasons, huge deltas, invalid or truncated tool JSON,
//! missing or repeated `messageStop`, duplicate `contentBlockStop`, metadata before the start,
//! events after the stop) and the recorded real streams of `../shared/oracle/recorded`, mutated.
//!
//! CI runs a fixed number of cases per target (see `CI_CASES`); the long mode is
//! `PROPTEST_CASES=100000 cargo test -p bedrock-plugin --test fuzz_stream_mapper`.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use aws_sdk_bedrockruntime::types::{
    CitationsDelta, ContentBlockDelta, ContentBlockDeltaEvent, ContentBlockStart,
    ContentBlockStartEvent, ContentBlockStopEvent, ConversationRole, ConverseStreamMetadataEvent,
    ConverseStreamMetrics, ConverseStreamOutput as Event, MessageStartEvent, MessageStopEvent,
    ReasoningContentBlockDelta, StopReason as SdkStopReason, TokenUsage, ToolResultBlockStart,
    ToolUseBlockDelta, ToolUseBlockStart, ToolUseType,
};
use aws_smithy_types::{Blob, Document, Number};
use bedrock_plugin::converse::response::mapper::StreamLimits;
use bedrock_plugin::converse::response::{MapperConfig, StreamMapper};
use plugin_api::error::{ErrorKind, PluginError};
use plugin_api::event::{StopReason, StreamEvent, StreamEvent_NE};
use plugin_api::model::ModelCost;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;

/// Cases per target in CI (the whole file runs in a few seconds in a debug build).
const CI_CASES: u32 = 512;

/// `PROPTEST_CASES` (the long mode) or the CI count.
fn config() -> Config {
    test_support::proptest_config(CI_CASES)
}

// ---------------------------------------------------------------------------------------------
// An abstract event, turned into the SDK's types.

#[derive(Clone, Debug)]
enum Ev {
    Start(String),
    ToolStart {
        index: i32,
        id: String,
        name: String,
    },
    ServerToolStart {
        index: i32,
    },
    ToolResultStart {
        index: i32,
    },
    /// `{"contentBlockStart":{"contentBlockIndex":N,"start":{}}}`: the SDK reads no kind.
    EmptyStart {
        index: i32,
    },
    Text {
        index: i32,
        text: String,
    },
    Reasoning {
        index: i32,
        text: String,
    },
    Signature {
        index: i32,
        text: String,
    },
    Redacted {
        index: i32,
        bytes: Vec<u8>,
    },
    ToolInput {
        index: i32,
        fragment: String,
    },
    Stop {
        index: i32,
    },
    MessageStop {
        reason: String,
        fields: Option<Value>,
    },
    Metadata {
        usage: Option<(i32, i32, i32)>,
        latency: Option<i64>,
    },
}

#[derive(Clone, Debug)]
enum Ending {
    Clean,
    Failure(String),
}

fn document(value: &Value) -> Document {
    match value {
        Value::Null => Document::Null,
        Value::Bool(b) => Document::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => Document::Number(Number::PosInt(u)),
            (None, Some(i), _) => Document::Number(Number::NegInt(i)),
            (_, _, Some(f)) => Document::Number(Number::Float(f)),
            _ => Document::Null,
        },
        Value::String(s) => Document::String(s.clone()),
        Value::Array(items) => Document::Array(items.iter().map(document).collect()),
        Value::Object(map) => Document::Object(
            map.iter()
                .map(|(key, value)| (key.clone(), document(value)))
                .collect::<HashMap<_, _>>(),
        ),
    }
}

fn delta(index: i32, delta: ContentBlockDelta) -> Event {
    Event::ContentBlockDelta(
        ContentBlockDeltaEvent::builder()
            .content_block_index(index)
            .delta(delta)
            .build()
            .expect("delta event"),
    )
}

fn block_start(index: i32, start: ContentBlockStart) -> Event {
    Event::ContentBlockStart(
        ContentBlockStartEvent::builder()
            .content_block_index(index)
            .start(start)
            .build()
            .expect("start event"),
    )
}

fn tool_start(index: i32, id: &str, name: &str, kind: Option<ToolUseType>) -> Event {
    block_start(
        index,
        ContentBlockStart::ToolUse(
            ToolUseBlockStart::builder()
                .tool_use_id(id)
                .name(name)
                .set_type(kind)
                .build()
                .expect("tool start"),
        ),
    )
}

fn sdk(event: &Ev) -> Event {
    match event {
        Ev::Start(role) => Event::MessageStart(
            MessageStartEvent::builder()
                .role(ConversationRole::from(role.as_str()))
                .build()
                .expect("message start"),
        ),
        Ev::ToolStart { index, id, name } => tool_start(*index, id, name, None),
        Ev::ServerToolStart { index } => tool_start(
            *index,
            "server-1",
            "nova_code_interpreter",
            Some(ToolUseType::ServerToolUse),
        ),
        Ev::ToolResultStart { index } => block_start(
            *index,
            ContentBlockStart::ToolResult(
                ToolResultBlockStart::builder()
                    .tool_use_id("server-1")
                    .build()
                    .expect("tool result start"),
            ),
        ),
        Ev::EmptyStart { index } => Event::ContentBlockStart(
            ContentBlockStartEvent::builder()
                .content_block_index(*index)
                .build()
                .expect("start event"),
        ),
        Ev::Text { index, text } => delta(*index, ContentBlockDelta::Text(text.clone())),
        Ev::Reasoning { index, text } => delta(
            *index,
            ContentBlockDelta::ReasoningContent(ReasoningContentBlockDelta::Text(text.clone())),
        ),
        Ev::Signature { index, text } => delta(
            *index,
            ContentBlockDelta::ReasoningContent(ReasoningContentBlockDelta::Signature(
                text.clone(),
            )),
        ),
        Ev::Redacted { index, bytes } => delta(
            *index,
            ContentBlockDelta::ReasoningContent(ReasoningContentBlockDelta::RedactedContent(
                Blob::new(bytes.clone()),
            )),
        ),
        Ev::ToolInput { index, fragment } => delta(
            *index,
            ContentBlockDelta::ToolUse(
                ToolUseBlockDelta::builder()
                    .input(fragment.clone())
                    .build()
                    .expect("tool delta"),
            ),
        ),
        Ev::Stop { index } => Event::ContentBlockStop(
            ContentBlockStopEvent::builder()
                .content_block_index(*index)
                .build()
                .expect("stop event"),
        ),
        Ev::MessageStop { reason, fields } => Event::MessageStop(
            MessageStopEvent::builder()
                .stop_reason(SdkStopReason::from(reason.as_str()))
                .set_additional_model_response_fields(fields.as_ref().map(document))
                .build()
                .expect("message stop"),
        ),
        Ev::Metadata { usage, latency } => {
            let mut builder = ConverseStreamMetadataEvent::builder();
            if let Some((input, output, total)) = usage {
                builder = builder.usage(
                    TokenUsage::builder()
                        .input_tokens(*input)
                        .output_tokens(*output)
                        .total_tokens(*total)
                        .build()
                        .expect("usage"),
                );
            }
            if let Some(latency) = latency {
                builder = builder.metrics(
                    ConverseStreamMetrics::builder()
                        .latency_ms(*latency)
                        .build()
                        .expect("metrics"),
                );
            }
            Event::Metadata(builder.build())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Running the mapper and the invariants every run must keep.

struct Run {
    events: Vec<StreamEvent>,
}

fn mapper(refusal_buffered: bool, limits: StreamLimits) -> StreamMapper {
    let mut mapper = StreamMapper::new(MapperConfig {
        model_id: "fuzz-model".into(),
        cost: ModelCost::default(),
        refusal_buffered,
        max_tokens: 1024,
        request_max_tokens_cap: None,
        notices: Vec::new(),
        limits,
        surface: Default::default(),
    });
    mapper.set_request_id(Some("req-fuzz".into()));
    mapper
}

fn run(input: &[Event], ending: &Ending, refusal_buffered: bool) -> Run {
    run_with(input, ending, refusal_buffered, StreamLimits::default())
}

fn run_with(input: &[Event], ending: &Ending, refusal_buffered: bool, limits: StreamLimits) -> Run {
    let mut mapper = mapper(refusal_buffered, limits);
    let mut out: Vec<StreamEvent_NE> = Vec::new();
    for event in input {
        mapper.on_event(event.clone(), &mut out);
    }
    match ending {
        Ending::Clean => mapper.on_end(&mut out),
        Ending::Failure(message) => mapper.on_failure(
            PluginError::new(ErrorKind::Network, message.clone()),
            StopReason::Error,
            &mut out,
        ),
    }
    assert!(
        mapper.is_finished(),
        "the mapper must be finished after the end"
    );
    // Input after the terminal event is ignored.
    let before = out.len();
    for event in input.iter().take(3) {
        mapper.on_event(event.clone(), &mut out);
    }
    mapper.on_end(&mut out);
    assert_eq!(out.len(), before, "events after the terminal event");
    let events = out
        .iter()
        .map(|event| event.as_enum().expect("known event").clone())
        .collect();
    Run { events }
}

fn text_of_input(input: &[Event]) -> usize {
    input
        .iter()
        .map(|event| match event {
            Event::ContentBlockDelta(delta) => match delta.delta() {
                Some(ContentBlockDelta::Text(text)) => text.len(),
                Some(ContentBlockDelta::ReasoningContent(reasoning)) => match reasoning {
                    ReasoningContentBlockDelta::Text(text)
                    | ReasoningContentBlockDelta::Signature(text) => text.len(),
                    ReasoningContentBlockDelta::RedactedContent(bytes) => bytes.as_ref().len(),
                    _ => 0,
                },
                Some(ContentBlockDelta::ToolUse(tool)) => tool.input().len(),
                _ => 0,
            },
            _ => 0,
        })
        .sum()
}

fn text_of_output(events: &[StreamEvent]) -> usize {
    events
        .iter()
        .map(|event| match event {
            StreamEvent::TextDelta { delta, .. } | StreamEvent::ThinkingDelta { delta, .. } => {
                delta.len()
            }
            StreamEvent::ThinkingSignature { signature, .. } => signature.len(),
            StreamEvent::ToolCallDelta { fragment, .. } => fragment.len(),
            _ => 0,
        })
        .sum()
}

/// The invariants of every run: exactly one terminal event, last; `Start` at most once and
/// first; output bounded by the input (count and streamed bytes).
fn check_invariants(input: &[Event], run: &Run) -> Result<(), TestCaseError> {
    let events = &run.events;
    let terminals = events.iter().filter(|event| event.is_terminal()).count();
    prop_assert_eq!(terminals, 1, "exactly one terminal event: {:?}", events);
    prop_assert!(events.last().is_some_and(StreamEvent::is_terminal));
    let starts = events
        .iter()
        .filter(|event| matches!(event, StreamEvent::Start { .. }))
        .count();
    prop_assert!(starts <= 1, "at most one Start: {:?}", events);
    let start_first = matches!(events[0], StreamEvent::Start { .. });
    prop_assert!(
        starts == 0 || start_first,
        "Start comes first: {:?}",
        events
    );
    // Each input event opens at most one block and yields at most one delta, `Start` and the
    // terminal event come once, and every block closes once.
    prop_assert!(
        events.len() <= 3 * input.len() + 2,
        "{} events out of {} in",
        events.len(),
        input.len()
    );
    prop_assert!(text_of_output(events) <= text_of_input(input));
    // Every `*_end` closes a block that was started, once.
    let mut open: BTreeMap<u32, usize> = BTreeMap::new();
    for event in events {
        match event {
            StreamEvent::TextStart { index }
            | StreamEvent::ThinkingStart { index }
            | StreamEvent::ToolCallStart { index, .. } => *open.entry(*index).or_default() += 1,
            StreamEvent::TextEnd { index }
            | StreamEvent::ThinkingEnd { index, .. }
            | StreamEvent::ToolCallEnd { index, .. } => {
                let count = open.entry(*index).or_default();
                prop_assert!(*count > 0, "end without start at {}: {:?}", index, events);
                *count -= 1;
            }
            _ => {}
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Strategies.

fn index() -> impl Strategy<Value = i32> {
    prop_oneof![
        8 => 0..4i32,
        1 => -3..0i32,
        1 => any::<i32>(),
    ]
}

fn tool_json() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("{\"location\":\"SF\"}".to_owned()),
        Just("{\"n\":123456789012345678901234567890}".to_owned()),
        Just("{\"a\":[1,2,{\"b\":null}]".to_owned()),
        Just("[1,2]".to_owned()),
        Just("\"text\"".to_owned()),
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("{\"k\":\"\\ud800\"}".to_owned()),
        Just(String::new()),
        "[{}\\[\\]\":,a-z0-9 \\\\]{0,24}",
        any::<String>(),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => ".{0,16}",
        2 => any::<String>(),
        1 => Just(String::new()),
        // A huge delta (256 KiB).
        1 => (0..4usize).prop_map(|n| "x".repeat(64 * 1024 * (n + 1))),
    ]
}

fn stop_reason() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("end_turn".to_owned()),
        Just("tool_use".to_owned()),
        Just("max_tokens".to_owned()),
        Just("stop_sequence".to_owned()),
        Just("guardrail_intervened".to_owned()),
        Just("content_filtered".to_owned()),
        Just("model_context_window_exceeded".to_owned()),
        Just("refusal".to_owned()),
        Just(String::new()),
        ".{0,12}",
    ]
}

fn refusal_fields() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        Just(None),
        Just(Some(serde_json::json!({
            "stop_details": {"category": "cyber", "explanation": "no"}
        }))),
        Just(Some(serde_json::json!({"stopDetails": 7}))),
        Just(Some(serde_json::json!([1, "x"]))),
    ]
}

fn event() -> impl Strategy<Value = Ev> {
    prop_oneof![
        2 => prop_oneof![
            Just("assistant".to_owned()),
            Just("user".to_owned()),
            ".{0,8}"
        ]
        .prop_map(Ev::Start),
        2 => (index(), ".{0,8}", ".{0,8}")
            .prop_map(|(index, id, name)| Ev::ToolStart { index, id, name }),
        1 => index().prop_map(|index| Ev::ServerToolStart { index }),
        1 => index().prop_map(|index| Ev::ToolResultStart { index }),
        1 => index().prop_map(|index| Ev::EmptyStart { index }),
        6 => (index(), text()).prop_map(|(index, text)| Ev::Text { index, text }),
        2 => (index(), text()).prop_map(|(index, text)| Ev::Reasoning { index, text }),
        1 => (index(), ".{0,12}").prop_map(|(index, text)| Ev::Signature { index, text }),
        1 => (index(), proptest::collection::vec(any::<u8>(), 0..16))
            .prop_map(|(index, bytes)| Ev::Redacted { index, bytes }),
        3 => (index(), tool_json())
            .prop_map(|(index, fragment)| Ev::ToolInput { index, fragment }),
        3 => index().prop_map(|index| Ev::Stop { index }),
        2 => (stop_reason(), refusal_fields())
            .prop_map(|(reason, fields)| Ev::MessageStop { reason, fields }),
        2 => (
            proptest::option::of((any::<i32>(), any::<i32>(), any::<i32>())),
            proptest::option::of(any::<i64>())
        )
            .prop_map(|(usage, latency)| Ev::Metadata { usage, latency }),
    ]
}

/// The default caps, or small ones so the cap paths run too.
fn limits() -> impl Strategy<Value = StreamLimits> {
    prop_oneof![
        3 => Just(StreamLimits::default()),
        1 => (1..64usize, 1..64usize).prop_map(|(delta, tool)| StreamLimits {
            max_delta_bytes: delta,
            max_tool_argument_bytes: tool,
        }),
    ]
}

fn ending() -> impl Strategy<Value = Ending> {
    prop_oneof![
        4 => Just(Ending::Clean),
        1 => prop_oneof![Just(String::new()), ".{0,20}"].prop_map(Ending::Failure),
    ]
}

// ---------------------------------------------------------------------------------------------
// PLG-56 (a): arbitrary sequences.

#[test]
fn plg_56_arbitrary_event_sequences_end_in_exactly_one_terminal_event_with_bounded_output() {
    let mut runner = TestRunner::new(config());
    let strategy = (
        proptest::collection::vec(event(), 0..40),
        ending(),
        any::<bool>(),
        limits(),
    );
    runner
        .run(&strategy, |(events, ending, buffered, limits)| {
            let input: Vec<Event> = events.iter().map(sdk).collect();
            let run = run_with(&input, &ending, buffered, limits);
            check_invariants(&input, &run)
        })
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// PLG-56 (b): well-formed sequences deliver exactly the text they were given.

/// One well-formed block: text split into deltas, or a tool call whose JSON arguments are split
/// into fragments.
#[derive(Clone, Debug)]
enum WellFormed {
    Text(Vec<String>),
    Tool { arguments: Value, cuts: Vec<usize> },
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        ".{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z]{1,4}", inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

fn well_formed_block() -> impl Strategy<Value = WellFormed> {
    prop_oneof![
        3 => proptest::collection::vec(prop_oneof![".{1,12}", any::<String>()], 1..6)
            .prop_map(WellFormed::Text),
        1 => (
            proptest::collection::btree_map("[a-z]{1,4}", json_value(), 0..4),
            proptest::collection::vec(any::<usize>(), 0..4)
        )
            .prop_map(|(map, cuts)| WellFormed::Tool {
                arguments: Value::Object(map.into_iter().collect()),
                cuts,
            }),
    ]
}

/// Splits `text` at char boundaries near the given cut points.
fn split(text: &str, cuts: &[usize]) -> Vec<String> {
    let mut points: Vec<usize> = cuts
        .iter()
        .filter(|_| !text.is_empty())
        .map(|cut| cut % (text.len() + 1))
        .map(|mut cut| {
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            cut
        })
        .collect();
    points.push(0);
    points.push(text.len());
    points.sort_unstable();
    points.dedup();
    points
        .windows(2)
        .map(|pair| text[pair[0]..pair[1]].to_owned())
        .collect()
}

#[test]
fn plg_56_well_formed_sequences_deliver_exactly_the_text_and_tool_arguments_given() {
    let mut runner = TestRunner::new(config());
    let strategy = (
        proptest::collection::vec(well_formed_block(), 0..5),
        prop_oneof![
            Just("end_turn"),
            Just("stop_sequence"),
            Just("max_tokens"),
            Just("tool_use")
        ],
        any::<bool>(),
        any::<bool>(),
    );
    runner
        .run(&strategy, |(blocks, reason, buffered, with_metadata)| {
            let mut input = vec![Ev::Start("assistant".into())];
            let mut texts: BTreeMap<u32, String> = BTreeMap::new();
            let mut tools: BTreeMap<u32, String> = BTreeMap::new();
            for (i, block) in blocks.iter().enumerate() {
                let index = i as i32;
                match block {
                    WellFormed::Text(parts) => {
                        for part in parts {
                            input.push(Ev::Text {
                                index,
                                text: part.clone(),
                            });
                        }
                        // An empty delta streams nothing (the block still opens).
                        let text = parts.concat();
                        if !text.is_empty() {
                            texts.insert(i as u32, text);
                        }
                    }
                    WellFormed::Tool { arguments, cuts } => {
                        let raw = arguments.to_string();
                        input.push(Ev::ToolStart {
                            index,
                            id: format!("tool-{i}"),
                            name: "get_weather".into(),
                        });
                        for fragment in split(&raw, cuts) {
                            input.push(Ev::ToolInput { index, fragment });
                        }
                        tools.insert(i as u32, raw);
                    }
                }
                input.push(Ev::Stop { index });
            }
            input.push(Ev::MessageStop {
                reason: reason.to_owned(),
                fields: None,
            });
            if with_metadata {
                input.push(Ev::Metadata {
                    usage: Some((3, 5, 8)),
                    latency: Some(12),
                });
            }
            let sdk_input: Vec<Event> = input.iter().map(sdk).collect();
            let run = run(&sdk_input, &Ending::Clean, buffered);
            check_invariants(&sdk_input, &run)?;
            let done = matches!(run.events.last(), Some(StreamEvent::Done(_)));
            prop_assert!(done, "well-formed input ends with Done: {:?}", run.events);
            let mut got_text: BTreeMap<u32, String> = BTreeMap::new();
            let mut got_tools: BTreeMap<u32, String> = BTreeMap::new();
            for event in &run.events {
                match event {
                    StreamEvent::TextDelta { index, delta } => {
                        got_text.entry(*index).or_default().push_str(delta)
                    }
                    StreamEvent::ToolCallEnd {
                        index,
                        arguments_json,
                        ..
                    } => {
                        got_tools.insert(*index, arguments_json.to_string());
                    }
                    _ => {}
                }
            }
            prop_assert_eq!(got_text, texts);
            prop_assert_eq!(got_tools, tools);
            Ok(())
        })
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// PLG-56 (c): the recorded real streams, as recorded and mutated.

fn oracle() -> Option<PathBuf> {
    let dir = oracle_dir()?.join("recorded");
    dir.is_dir().then_some(dir)
}

/// `$BEDROCK_ORACLE_DIR`, else `../shared/oracle` beside the checkout; `None` when absent.
fn oracle_dir() -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("BEDROCK_ORACLE_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/oracle")
        });
    dir.is_dir().then_some(dir)
}

/// One recorded event (`{"<eventType>": payload}`) as an SDK event; `None` for exceptions and
/// events the mapper never sees.
fn recorded_event(kind: &str, payload: &Value) -> Option<Event> {
    let index = || {
        payload
            .get("contentBlockIndex")
            .and_then(Value::as_i64)
            .and_then(|n| i32::try_from(n).ok())
            .unwrap_or(0)
    };
    let text = |value: Option<&Value>| value.and_then(Value::as_str).unwrap_or("").to_owned();
    Some(match kind {
        "messageStart" => sdk(&Ev::Start(text(payload.get("role")))),
        "contentBlockStart" => {
            let start = payload.get("start")?;
            if let Some(tool) = start.get("toolUse") {
                let kind = tool
                    .get("type")
                    .and_then(Value::as_str)
                    .map(ToolUseType::from);
                tool_start(
                    index(),
                    &text(tool.get("toolUseId")),
                    &text(tool.get("name")),
                    kind,
                )
            } else if start.get("toolResult").is_some() {
                sdk(&Ev::ToolResultStart { index: index() })
            } else {
                sdk(&Ev::EmptyStart { index: index() })
            }
        }
        "contentBlockDelta" => {
            let delta = payload.get("delta")?;
            let index = index();
            if let Some(value) = delta.get("text") {
                sdk(&Ev::Text {
                    index,
                    text: text(Some(value)),
                })
            } else if let Some(tool) = delta.get("toolUse") {
                sdk(&Ev::ToolInput {
                    index,
                    fragment: text(tool.get("input")),
                })
            } else if let Some(reasoning) = delta.get("reasoningContent") {
                if let Some(value) = reasoning.get("text") {
                    sdk(&Ev::Reasoning {
                        index,
                        text: text(Some(value)),
                    })
                } else if let Some(value) = reasoning.get("signature") {
                    sdk(&Ev::Signature {
                        index,
                        text: text(Some(value)),
                    })
                } else {
                    sdk(&Ev::Redacted {
                        index,
                        bytes: text(reasoning.get("redactedContent")).into_bytes(),
                    })
                }
            } else {
                // Citations (and anything newer): a delta the mapper does not show.
                self::delta(
                    index,
                    ContentBlockDelta::Citation(CitationsDelta::builder().build()),
                )
            }
        }
        "contentBlockStop" => sdk(&Ev::Stop { index: index() }),
        "messageStop" => sdk(&Ev::MessageStop {
            reason: text(payload.get("stopReason")),
            fields: payload.get("additionalModelResponseFields").cloned(),
        }),
        "metadata" => {
            let usage = payload.get("usage").map(|usage| {
                let n = |key: &str| {
                    usage
                        .get(key)
                        .and_then(Value::as_i64)
                        .and_then(|n| i32::try_from(n).ok())
                        .unwrap_or(0)
                };
                (n("inputTokens"), n("outputTokens"), n("totalTokens"))
            });
            let latency = payload
                .get("metrics")
                .and_then(|metrics| metrics.get("latencyMs"))
                .and_then(Value::as_i64);
            sdk(&Ev::Metadata { usage, latency })
        }
        _ => return None,
    })
}

/// Every recorded ConverseStream in the oracle: vercel-ai `*.chunks.txt` and pydantic-ai
/// `*.events.jsonl`, with the text the stream carried.
fn recorded_streams(dir: &std::path::Path) -> Vec<(String, Vec<Event>)> {
    let mut files: Vec<PathBuf> = Vec::new();
    for sub in ["vercel-ai/fixtures", "pydantic-ai/decoded"] {
        if let Ok(entries) = std::fs::read_dir(dir.join(sub)) {
            files.extend(entries.filter_map(|entry| entry.ok().map(|entry| entry.path())));
        }
    }
    files.sort();
    let mut streams = Vec::new();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let jsonl = name.ends_with(".events.jsonl");
        if !jsonl && !name.ends_with(".chunks.txt") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable recording");
        let mut events = Vec::new();
        for line in text.lines().filter(|line| !line.trim().is_empty()) {
            let Ok(value) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            if jsonl {
                let kind = value["headers"][":event-type"].as_str().unwrap_or("");
                events.extend(recorded_event(kind, &value["payload"]));
            } else if let Some((kind, payload)) = value.as_object().and_then(|o| o.iter().next()) {
                events.extend(recorded_event(kind, payload));
            }
        }
        if !events.is_empty() {
            streams.push((name, events));
        }
    }
    streams
}

fn recorded_text(input: &[Event]) -> String {
    // Text blocks only (server tool blocks and the like stay hidden).
    input
        .iter()
        .filter_map(|event| match event {
            Event::ContentBlockDelta(delta) => match delta.delta() {
                Some(ContentBlockDelta::Text(text)) => Some(text.as_str()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

#[test]
fn plg_56_recorded_streams_replay_with_their_exact_text_and_one_terminal_event() {
    let Some(dir) = oracle() else {
        eprintln!(
            "skipping: the Bedrock oracle (../shared/oracle or $BEDROCK_ORACLE_DIR) is not present"
        );
        return;
    };
    let streams = recorded_streams(&dir);
    assert!(
        streams.len() >= 20,
        "recorded streams found: {}",
        streams.len()
    );
    for (name, input) in &streams {
        let run = run(input, &Ending::Clean, false);
        check_invariants(input, &run).unwrap_or_else(|e| panic!("{name}: {e}"));
        let ended_ok = matches!(run.events.last(), Some(StreamEvent::Done(_)));
        let streamed: String = run
            .events
            .iter()
            .filter_map(|event| match event {
                StreamEvent::TextDelta { delta, .. } => Some(delta.as_str()),
                _ => None,
            })
            .collect();
        if ended_ok {
            assert_eq!(streamed, recorded_text(input), "{name}: streamed text");
        }
    }
}

/// A mutation of a recorded stream.
#[derive(Clone, Debug)]
enum Mutation {
    Drop(usize),
    Duplicate(usize),
    Swap(usize, usize),
    Truncate(usize),
    Insert(usize, Ev),
}

fn mutate(mut events: Vec<Event>, mutations: &[Mutation]) -> Vec<Event> {
    for mutation in mutations {
        let len = events.len();
        match mutation {
            Mutation::Drop(at) if len > 0 => {
                events.remove(at % len);
            }
            Mutation::Duplicate(at) if len > 0 => {
                let event = events[at % len].clone();
                events.insert(at % len, event);
            }
            Mutation::Swap(a, b) if len > 0 => events.swap(a % len, b % len),
            Mutation::Truncate(at) => events.truncate(at % (len + 1)),
            Mutation::Insert(at, event) => events.insert(at % (len + 1), sdk(event)),
            _ => {}
        }
    }
    events
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Drop),
        any::<usize>().prop_map(Mutation::Duplicate),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), event()).prop_map(|(at, event)| Mutation::Insert(at, event)),
    ]
}

#[test]
fn plg_56_mutated_recorded_streams_end_in_exactly_one_terminal_event() {
    let Some(dir) = oracle() else {
        eprintln!(
            "skipping: the Bedrock oracle (../shared/oracle or $BEDROCK_ORACLE_DIR) is not present"
        );
        return;
    };
    let streams = recorded_streams(&dir);
    let mut runner = TestRunner::new(config());
    let strategy = (
        0..streams.len(),
        proptest::collection::vec(mutation(), 1..6),
        ending(),
        any::<bool>(),
        limits(),
    );
    runner
        .run(&strategy, |(which, mutations, ending, buffered, limits)| {
            let input = mutate(streams[which].1.clone(), &mutations);
            let run = run_with(&input, &ending, buffered, limits);
            check_invariants(&input, &run)
        })
        .unwrap();
}

#[test]
fn plg_56_an_empty_content_block_start_does_not_hide_the_text_of_its_block() {
    // Regression (vercel-ai `amazon-bedrock-tool-no-args`): `"start":{}` reaches the mapper as a
    // start without a kind, which used to mark the block as hidden and swallow its text.
    let input: Vec<Event> = [
        Ev::EmptyStart { index: 0 },
        Ev::Text {
            index: 0,
            text: "I'll update the issue list for you.".into(),
        },
        Ev::Stop { index: 0 },
        Ev::MessageStop {
            reason: "end_turn".into(),
            fields: None,
        },
    ]
    .iter()
    .map(sdk)
    .collect();
    let run = run(&input, &Ending::Clean, false);
    let names: Vec<&str> = run
        .events
        .iter()
        .map(|event| match event {
            StreamEvent::Start { .. } => "start",
            StreamEvent::TextStart { .. } => "text_start",
            StreamEvent::TextDelta { .. } => "text_delta",
            StreamEvent::TextEnd { .. } => "text_end",
            StreamEvent::Done(_) => "done",
            _ => "other",
        })
        .collect();
    assert_eq!(
        names,
        ["start", "text_start", "text_delta", "text_end", "done"]
    );
    assert!(matches!(
        &run.events[2],
        StreamEvent::TextDelta { index: 0, delta } if delta.as_str() == "I'll update the issue list for you."
    ));
}

/// The events of well-formed blocks (no message start or stop).
fn block_events(blocks: &[WellFormed]) -> Vec<Ev> {
    let mut input = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        let index = i as i32;
        match block {
            WellFormed::Text(parts) => input.extend(parts.iter().map(|text| Ev::Text {
                index,
                text: text.clone(),
            })),
            WellFormed::Tool { arguments, cuts } => {
                input.push(Ev::ToolStart {
                    index,
                    id: format!("tool-{i}"),
                    name: "get_weather".into(),
                });
                input.extend(
                    split(&arguments.to_string(), cuts)
                        .into_iter()
                        .map(|fragment| Ev::ToolInput { index, fragment }),
                );
            }
        }
        input.push(Ev::Stop { index });
    }
    input
}

#[test]
fn plg_56_evt_20_a_buffered_refusal_shows_no_content_only_one_error() {
    let mut runner = TestRunner::new(config());
    let strategy = (
        proptest::collection::vec(well_formed_block(), 0..5),
        refusal_fields(),
        any::<bool>(),
    );
    runner
        .run(&strategy, |(blocks, fields, with_metadata)| {
            let mut input = vec![Ev::Start("assistant".into())];
            input.extend(block_events(&blocks));
            input.push(Ev::MessageStop {
                reason: "refusal".into(),
                fields,
            });
            if with_metadata {
                input.push(Ev::Metadata {
                    usage: Some((3, 5, 8)),
                    latency: Some(12),
                });
            }
            let sdk_input: Vec<Event> = input.iter().map(sdk).collect();
            let run = run(&sdk_input, &Ending::Clean, true);
            check_invariants(&sdk_input, &run)?;
            prop_assert_eq!(run.events.len(), 1, "only the error: {:?}", run.events);
            let StreamEvent::Error(failure) = &run.events[0] else {
                return Err(TestCaseError::fail(format!("{:?}", run.events)));
            };
            prop_assert!(failure
                .error
                .message
                .starts_with("Anthropic refusal (category: "));
            let usage = failure.summary.usage.input;
            prop_assert_eq!(usage, if with_metadata { 3 } else { 0 });
            Ok(())
        })
        .unwrap();
}
