//! `host-harness chat` run as a user runs it, against the embedded emulator: thinking,
//! redacted thinking, tool calls, attachments, prompts from stdin and files, the footer,
//! `--json` events, and usage errors.

mod common;

use bedrock_emulator::Operation;
use common::cli::{weather_schema, Setup, CLAUDE, NOVA};
use serde_json::Value;

fn nova() -> String {
    format!("amazon-bedrock/{NOVA}")
}

fn claude() -> String {
    format!("amazon-bedrock/{CLAUDE}")
}

#[test]
fn plain_chat_streams_the_answer_on_stdout_and_the_footer_on_stderr() {
    let setup = Setup::new();
    let run = setup.run(&["chat", &nova(), "hello there"]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "Hello from the Bedrock emulator. You said: hello there\n"
    );
    for expected in [
        "stop: stop (end_turn)",
        "tokens: input 2 output 9",
        "cost: n/a",
        &format!("model: {NOVA}"),
        "request id: ",
        "time to first token: ",
        "total time: ",
        "server latency: ",
    ] {
        assert!(
            run.stderr.contains(expected),
            "footer lacks {expected:?}:\n{}",
            run.stderr
        );
    }
    assert!(!run.stderr.contains("latency: 1 ms\nlatency"));
    assert!(!run.stderr.contains('\x1b'), "no colour off a terminal");
}

#[test]
fn thinking_is_marked_and_a_tool_call_shows_its_name_and_arguments() {
    let setup = Setup::new();
    let schema = weather_schema(setup.dir.path());
    let tool = format!("get_weather={}", schema.display());
    let run = setup.run(&[
        "chat",
        &claude(),
        "--thinking",
        "high",
        "--tool",
        &tool,
        "What is the weather? get_weather",
    ]);
    run.expect_code(0);
    assert!(
        run.stdout.starts_with(
            "[thinking] Thinking about: What is the weather? get_weather [/thinking]\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("[tool call get_weather {\"city\":\"emulator\",\"days\":42}]\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("stop: toolUse (tool_use)"),
        "{}",
        run.stderr
    );
    // Claude is priced in the host config.
    assert!(run.stderr.contains("cost: $"), "{}", run.stderr);
    let sent = setup.emulator.requests_for(Operation::ConverseStream);
    let body = sent[0].json().expect("JSON body");
    assert_eq!(
        body["toolConfig"]["tools"][0]["toolSpec"]["name"],
        "get_weather"
    );
    assert_eq!(
        body["toolConfig"]["tools"][0]["toolSpec"]["description"],
        "The weather in a city"
    );
    assert!(
        body["additionalModelRequestFields"]["thinking"].is_object(),
        "{body}"
    );
}

#[test]
fn redacted_thinking_is_announced() {
    let setup = Setup::new();
    let run = setup.run(&["chat", &claude(), "--thinking", "low", "!redacted please"]);
    run.expect_code(0);
    assert!(
        run.stdout.starts_with("[redacted thinking]\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("You said: !redacted please"));
}

#[test]
fn tools_file_offers_every_tool() {
    let setup = Setup::new();
    let tools = setup.file(
        "tools.json",
        br#"[{"name":"lookup","description":"Find a word","parameters":{"type":"object","properties":{"word":{"type":"string"}}}},
            {"name":"now","parameters":{"type":"object","properties":{}}}]"#,
    );
    let run = setup.run(&[
        "chat",
        &nova(),
        "--tools",
        tools.to_str().unwrap(),
        "!tool=lookup",
    ]);
    run.expect_code(0);
    assert!(
        run.stdout
            .contains("[tool call lookup {\"word\":\"emulator\"}]"),
        "{}",
        run.stdout
    );
    let body = setup.emulator.requests_for(Operation::ConverseStream)[0]
        .json()
        .unwrap();
    let names: Vec<&str> = body["toolConfig"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["toolSpec"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["lookup", "now"]);
}

#[test]
fn json_prints_every_event_and_a_summary() {
    let setup = Setup::new();
    let schema = weather_schema(setup.dir.path());
    let tool = format!("get_weather={}", schema.display());
    let run = setup.run(&[
        "chat",
        &claude(),
        "--json",
        "--thinking",
        "medium",
        "--tool",
        &tool,
        "get_weather",
    ]);
    run.expect_code(0);
    let lines = run.json_lines();
    let types: Vec<&str> = lines.iter().map(|l| l["type"].as_str().unwrap()).collect();
    for expected in [
        "start",
        "thinking_delta",
        "thinking_signature",
        "thinking_end",
        "tool_call_start",
        "tool_call_delta",
        "tool_call_end",
        "done",
        "summary",
    ] {
        assert!(types.contains(&expected), "no {expected} in {types:?}");
    }
    assert_eq!(types.last(), Some(&"summary"));
    let call = lines.iter().find(|l| l["type"] == "tool_call_end").unwrap();
    assert_eq!(call["name"], "get_weather");
    assert_eq!(call["arguments"]["city"], "emulator");
    let done = lines.iter().find(|l| l["type"] == "done").unwrap();
    assert_eq!(done["summary"]["stop_reason"], "toolUse");
    let summary = lines.last().unwrap();
    assert_eq!(summary["ok"], true);
    assert!(summary["total_ms"].is_u64());
    assert!(summary["time_to_first_token_ms"].is_u64());
    assert!(summary["usage"]["output"].as_u64().unwrap() > 0);
    // JSON mode prints no human footer.
    assert!(!run.stderr.contains("stop:"), "{}", run.stderr);
}

#[test]
fn prompt_from_stdin_or_file_has_no_argv_limit() {
    let setup = Setup::new();
    // 200 KiB: more than one argv string may hold (128 KiB).
    let big = "word ".repeat(40 * 1024);
    let run = setup.run_with_stdin(&["chat", &nova(), "--json"], big.as_bytes());
    run.expect_code(0);
    let summary = run.json_lines().pop().unwrap();
    assert_eq!(summary["usage"]["input"], 40 * 1024);

    let file = setup.file("prompt.txt", b"from a file");
    let run = setup.run(&["chat", &nova(), "--file", file.to_str().unwrap()]);
    run.expect_code(0);
    assert!(
        run.stdout.contains("You said: from a file"),
        "{}",
        run.stdout
    );

    let run = setup.run_with_stdin(&["chat", &nova(), "-"], b"dash means stdin");
    run.expect_code(0);
    assert!(run.stdout.contains("You said: dash means stdin"));
}

#[test]
fn attachments_are_typed_by_content() {
    let setup = Setup::new();
    let png = setup.file("pixel.dat", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDRrest");
    let notes = setup.file("notes.md", b"# Notes\nsome text");
    let run = setup.run(&[
        "chat",
        &claude(),
        "--attach",
        png.to_str().unwrap(),
        "--attach",
        notes.to_str().unwrap(),
        "describe",
    ]);
    run.expect_code(0);
    let body = setup.emulator.requests_for(Operation::ConverseStream)[0]
        .json()
        .unwrap();
    let content = &body["messages"][0]["content"];
    assert_eq!(content[0]["image"]["format"], "png", "{content}");
    assert_eq!(content[1]["document"]["format"], "md", "{content}");
    assert_eq!(content[2]["text"], "describe");

    let exe = setup.file("tool.exe", b"MZ\x90\0binary");
    let run = setup.run(&["chat", &claude(), "--attach", exe.to_str().unwrap(), "x"]);
    run.expect_code(2);
    assert!(run.stderr.contains("tool.exe"), "{}", run.stderr);
    assert!(run.stderr.contains("accepted: images"), "{}", run.stderr);
}

#[test]
fn usage_errors_exit_2_and_name_the_problem() {
    let setup = Setup::new();
    let run = setup.run(&["chat", "openai/gpt", "hi"]);
    run.expect_code(2);
    assert!(run.stderr.contains("must look like amazon-bedrock/"));

    let run = setup.run(&["chat", &nova()]);
    run.expect_code(2);
    assert!(run.stderr.contains("prompt"), "{}", run.stderr);

    let run = setup.run(&["chat", &nova(), "--thinking", "extreme", "hi"]);
    run.expect_code(2);
    assert!(run.stderr.contains("adaptive"), "{}", run.stderr);

    let run = setup.run(&["chat", &nova(), "--tool", "broken", "hi"]);
    run.expect_code(2);
    assert!(run.stderr.contains("NAME=SCHEMA.json"), "{}", run.stderr);

    let run = setup.run(&["chat", &nova(), "--tools", "/nonexistent/tools.json", "hi"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("/nonexistent/tools.json"),
        "{}",
        run.stderr
    );
    // Nothing was sent for any of them.
    assert_eq!(setup.emulator.count(Operation::ConverseStream), 0);
}

#[test]
fn a_failed_request_exits_1_with_its_message() {
    let setup = Setup::new();
    let run = setup.run(&["chat", "amazon-bedrock/no.such-model-v9:0", "hi"]);
    run.expect_code(1);
    assert!(
        run.stderr.contains("error: ") && run.stderr.contains("model identifier is invalid"),
        "{}",
        run.stderr
    );
    let run = setup.run(&["chat", "amazon-bedrock/no.such-model-v9:0", "--json", "hi"]);
    run.expect_code(1);
    let lines = run.json_lines();
    let error = lines
        .iter()
        .find(|l| l["type"] == "error")
        .expect("error event");
    assert!(error["error"]["message"]
        .as_str()
        .unwrap()
        .contains("model identifier is invalid"));
    assert_eq!(lines.last().unwrap()["ok"], Value::Bool(false));
}

#[test]
fn tool_results_continue_the_conversation_with_thinking_replayed() {
    let setup = Setup::new();
    let schema = weather_schema(setup.dir.path());
    let tool = format!("get_weather={}", schema.display());
    let run = setup.run(&[
        "chat",
        &claude(),
        "--thinking",
        "high",
        "--tool",
        &tool,
        "--tool-result",
        "get_weather={\"sky\":\"clear\"}",
        "get_weather for Paris",
    ]);
    run.expect_code(0);
    assert!(
        run.stdout.contains(
            "[tool call get_weather {\"city\":\"emulator\",\"days\":42}]\n[tool result get_weather {\"sky\":\"clear\"}]\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Hello from the Bedrock emulator. Tool result: {\"sky\":\"clear\"}"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stderr.matches("stop: ").count(), 2, "{}", run.stderr);
    let sent = setup.emulator.requests_for(Operation::ConverseStream);
    assert_eq!(sent.len(), 2);
    let second = sent[1].json().unwrap();
    let assistant = &second["messages"][1];
    assert_eq!(assistant["role"], "assistant");
    // The thinking block is replayed with its signature, then the tool use.
    let signature = &assistant["content"][0]["reasoningContent"]["reasoningText"]["signature"];
    assert!(
        signature
            .as_str()
            .is_some_and(|s| s.starts_with("emu-sig-")),
        "{assistant}"
    );
    assert_eq!(assistant["content"][1]["toolUse"]["name"], "get_weather");
    let result = &second["messages"][2]["content"][0]["toolResult"];
    assert_eq!(result["toolUseId"], "tooluse_emulator_1");

    let run = setup.run(&[
        "chat",
        &claude(),
        "--json",
        "--tool",
        &tool,
        "--tool-result",
        "get_weather=sunny",
        "get_weather",
    ]);
    run.expect_code(0);
    let lines = run.json_lines();
    let result = lines.iter().find(|l| l["type"] == "tool_result").unwrap();
    assert_eq!(result["name"], "get_weather");
    assert_eq!(result["content"], "sunny");
    let summaries: Vec<&Value> = lines.iter().filter(|l| l["type"] == "summary").collect();
    assert_eq!(summaries.len(), 2);
    assert_eq!(summaries[1]["turn"], 2);
}

#[test]
fn br_92_cite_prints_numbered_markers_and_a_sources_list() {
    let setup = Setup::new();
    let notes = setup.file("notes.txt", b"The sky is blue and the grass is green.");
    let run = setup.run(&[
        "chat",
        &nova(),
        "--cite",
        "--attach",
        notes.to_str().unwrap(),
        "colour?",
    ]);
    run.expect_code(0);
    let body = setup.emulator.requests_for(Operation::ConverseStream)[0]
        .json()
        .unwrap();
    assert_eq!(
        body["messages"][0]["content"][0]["document"]["citations"],
        serde_json::json!({"enabled": true})
    );
    assert_eq!(
        run.stdout,
        "Hello from the Bedrock emulator. You said: colour?\n[1]\nSources:\n[1] notes (documentChar 0: 0-20): \"The sky is blue and \"\n"
    );
}

#[test]
fn br_91_json_schema_prints_the_parsed_object() {
    let setup = Setup::new();
    let schema = setup.file(
        "city.schema.json",
        br#"{"type":"object","properties":{"city":{"type":"string"},"count":{"type":"integer"}}}"#,
    );
    let run = setup.run(&[
        "chat",
        &nova(),
        "--json-schema",
        schema.to_str().unwrap(),
        "report",
    ]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "{\n  \"city\": \"emulator\",\n  \"count\": 1\n}\n"
    );
}

#[test]
fn br_90_performance_optimized_served_standard_shows_the_notice() {
    let setup = Setup::new();
    let run = setup.run(&["chat", &nova(), "--performance", "optimized", "hi"]);
    run.expect_code(0);
    assert!(
        run.stderr.contains(&format!(
            "warning: latency-optimized inference not available for {NOVA} in us-east-1; served with standard latency"
        )),
        "{}",
        run.stderr
    );
    let run = setup.run(&["chat", &nova(), "--performance", "fast", "hi"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("expected one of: standard, optimized"),
        "{}",
        run.stderr
    );
}
