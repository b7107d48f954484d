//! `host-harness chat --show-payload` (PLG-121, REQ-03): the final payload of each send goes to
//! stderr before the answer, exactly as the emulator receives it.

mod common;

use bedrock_emulator::Operation;
use common::cli::{Setup, NOVA};
use serde_json::Value;

#[test]
fn req_03_show_payload_prints_the_sent_payload_to_stderr_before_the_answer() {
    let setup = Setup::new();
    let model = format!("amazon-bedrock/{NOVA}");
    let run = setup.run(&[
        "chat",
        &model,
        "--show-payload",
        "--max-tokens",
        "50",
        "hi payload",
    ]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "Hello from the Bedrock emulator. You said: hi payload\n"
    );
    let header = "[payload ConverseStream us-east-1 attempt 1]\n";
    let start = run
        .stderr
        .find(header)
        .unwrap_or_else(|| panic!("no payload header in:\n{}", run.stderr));
    assert!(
        run.stderr
            .find("stop: ")
            .is_some_and(|footer| footer > start),
        "the payload comes before the footer:\n{}",
        run.stderr
    );
    // The pretty-printed JSON runs from the header to the first line that is exactly `}`.
    let json_text: String = run.stderr[start + header.len()..]
        .split_inclusive('\n')
        .scan(false, |done, line| {
            if *done {
                return None;
            }
            *done = line == "}\n";
            Some(line)
        })
        .collect();
    let mut printed: Value = serde_json::from_str(&json_text).expect("pretty JSON payload");
    assert!(json_text.starts_with("{\n  \"modelId\": \"amazon.nova-micro-v1:0\",\n"));
    printed
        .as_object_mut()
        .expect("object")
        .shift_remove("modelId");
    let sent = setup.emulator.requests_for(Operation::ConverseStream);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].json().expect("JSON body"), printed);
    assert_eq!(printed["inferenceConfig"]["maxTokens"], 50);
}
