//! Unit tests of the `chat` command's pure parts.

use super::*;

#[test]
fn hcfg_11_model_ref_keeps_the_id_verbatim() {
    assert_eq!(
        parse_model_ref("amazon-bedrock/arn:aws:bedrock:us-west-2:1:inference-profile/us.x"),
        Ok("arn:aws:bedrock:us-west-2:1:inference-profile/us.x")
    );
    assert!(parse_model_ref("openai/gpt").is_err());
}

mod rendering {
    use std::time::Duration;

    use abi_stable::std_types::ROption;
    use plugin_api::event::{ResponseSummary, StreamEvent};

    use super::super::render::{footer_lines, summary_line, Closing, Human, Mode};

    const PLAIN: Mode = Mode {
        sanitize: false,
        styled: false,
    };

    fn show(mode: Mode, events: Vec<StreamEvent>) -> String {
        let mut human = Human::new(mode);
        events.iter().map(|e| human.event(e)).collect()
    }

    fn done() -> StreamEvent {
        StreamEvent::Done(abi_stable::std_types::RBox::new(ResponseSummary::new("m")))
    }

    #[test]
    fn thinking_is_marked_off_a_terminal_and_dim_on_one() {
        let events = || {
            vec![
                StreamEvent::ThinkingStart { index: 0 },
                StreamEvent::ThinkingDelta {
                    index: 0,
                    delta: "Let me think".into(),
                },
                StreamEvent::ThinkingEnd {
                    index: 0,
                    signature: ROption::RSome("sig".into()),
                    redacted: false,
                },
                StreamEvent::TextDelta {
                    index: 1,
                    delta: "Answer".into(),
                },
                done(),
            ]
        };
        assert_eq!(
            show(PLAIN, events()),
            "[thinking] Let me think [/thinking]\nAnswer\n"
        );
        let styled = show(
            Mode {
                sanitize: true,
                styled: true,
            },
            events(),
        );
        assert_eq!(styled, "\x1b[2mLet me think\x1b[0m\nAnswer\n");
    }

    #[test]
    fn redacted_thinking_and_tool_calls_are_shown() {
        let text = show(
            PLAIN,
            vec![
                StreamEvent::ThinkingRedacted {
                    index: 0,
                    data: "ZGF0YQ==".into(),
                },
                StreamEvent::ThinkingEnd {
                    index: 0,
                    signature: ROption::RNone,
                    redacted: true,
                },
                StreamEvent::TextDelta {
                    index: 1,
                    delta: "Let me check.".into(),
                },
                StreamEvent::ToolCallStart {
                    index: 2,
                    id: "t".into(),
                    name: "get_weather".into(),
                },
                StreamEvent::ToolCallEnd {
                    index: 2,
                    id: "t".into(),
                    name: "get_weather".into(),
                    arguments_json: "{\"city\":\"Paris\"}".into(),
                },
                done(),
            ],
        );
        assert_eq!(
            text,
            "[redacted thinking]\nLet me check.\n[tool call get_weather {\"city\":\"Paris\"}]\n"
        );
    }

    #[test]
    fn model_output_is_sanitized_when_asked() {
        let text = show(
            Mode {
                sanitize: true,
                styled: false,
            },
            vec![
                StreamEvent::TextDelta {
                    index: 0,
                    delta: "a\x1b[2J\x07b\x1b]0;pwned".into(),
                },
                StreamEvent::TextDelta {
                    index: 0,
                    delta: "\x07c".into(),
                },
            ],
        );
        assert_eq!(text, "abc");
        let raw = show(
            PLAIN,
            vec![StreamEvent::TextDelta {
                index: 0,
                delta: "a\x07".into(),
            }],
        );
        assert_eq!(raw, "a\x07");
    }

    #[test]
    fn footer_names_the_served_model_and_both_latencies() {
        let mut summary = ResponseSummary::new("anthropic.claude-sonnet-4-6");
        summary.resolved_model_id = ROption::RSome("us.anthropic.claude-sonnet-4-6".into());
        summary.request_id = ROption::RSome("req-9".into());
        summary.latency_ms = ROption::RSome(1);
        summary.usage.cost.total = 0.000123;
        let closing = Closing {
            summary: &summary,
            priced: false,
            time_to_first_token: Some(Duration::from_millis(250)),
            total: Duration::from_millis(4000),
        };
        let lines = footer_lines(&closing);
        assert_eq!(lines[0], "stop: stop");
        assert!(lines.contains(&"cost: $0.000123".to_owned()), "{lines:?}");
        assert!(lines.contains(
            &"model: us.anthropic.claude-sonnet-4-6 (requested anthropic.claude-sonnet-4-6)"
                .to_owned()
        ));
        assert!(lines.contains(&"request id: req-9".to_owned()));
        assert!(lines.contains(&"time to first token: 250 ms".to_owned()));
        assert!(lines.contains(&"total time: 4000 ms".to_owned()));
        assert!(lines.contains(&"server latency: 1 ms".to_owned()));
        let json = summary_line(&closing, true, 1);
        assert_eq!(json["type"], "summary");
        assert_eq!(json["time_to_first_token_ms"], 250);
        assert_eq!(json["total_ms"], 4000);
        assert_eq!(json["server_latency_ms"], 1);
        assert_eq!(json["resolved_model_id"], "us.anthropic.claude-sonnet-4-6");
    }

    #[test]
    fn evt_33_warnings_on_the_final_message_are_printed_without_terminal_controls() {
        let mut summary = ResponseSummary::new("m");
        summary.diagnostics = abi_stable::std_types::RVec::from(vec![
            plugin_api::error::Diagnostic {
                kind: "warning".into(),
                details_json: r#"{"provider":"amazon-bedrock","message":"tool call get_\u001b[31mweather was cut off at maxTokens 2; its arguments are incomplete"}"#.into(),
            },
            plugin_api::error::Diagnostic {
                kind: "guardrail_masked".into(),
                details_json: r#"{"message":"not a warning"}"#.into(),
            },
        ]);
        let closing = Closing {
            summary: &summary,
            priced: false,
            time_to_first_token: None,
            total: Duration::from_millis(1),
        };
        let lines = footer_lines(&closing);
        assert_eq!(
            lines.last().map(String::as_str),
            Some("warning: tool call get_weather was cut off at maxTokens 2; its arguments are incomplete")
        );
        assert_eq!(
            lines
                .iter()
                .filter(|line| line.starts_with("warning: "))
                .count(),
            1
        );
    }

    #[test]
    fn unpriced_models_say_so() {
        let summary = ResponseSummary::new("m");
        let closing = Closing {
            summary: &summary,
            priced: false,
            time_to_first_token: None,
            total: Duration::ZERO,
        };
        let lines = footer_lines(&closing);
        assert!(lines.contains(&"cost: n/a (no prices configured)".to_owned()));
        assert!(lines.contains(&"time to first token: n/a (no content)".to_owned()));
        assert!(!lines.iter().any(|l| l.starts_with("server latency")));
    }
}

#[test]
fn req_03_show_payload_text_is_a_header_and_the_pretty_json() {
    let payload = PayloadView {
        operation: "ConverseStream".into(),
        model_id: "amazon.nova-micro-v1:0".into(),
        region: "eu-west-1".into(),
        attempt: 2,
        payload_json: r#"{"modelId":"amazon.nova-micro-v1:0","inferenceConfig":{"maxTokens":5}}"#
            .into(),
        extensions: Default::default(),
    };
    assert_eq!(
        payload_text(&payload),
        "[payload ConverseStream eu-west-1 attempt 2]\n{\n  \"modelId\": \"amazon.nova-micro-v1:0\",\n  \"inferenceConfig\": {\n    \"maxTokens\": 5\n  }\n}"
    );
    let broken = PayloadView {
        payload_json: "not json".into(),
        ..payload
    };
    assert_eq!(
        payload_text(&broken),
        "[payload ConverseStream eu-west-1 attempt 2]\nnot json"
    );
}
