//! The JSON shapes of `--json` output, in one place so they stay stable and documented.
//!
//! `chat --json` prints one line per stream event, `{"type": "<kind>", …}`, with snake_case
//! keys throughout, then one closing `{"type":"summary", …}` line with what the harness
//! measured:
//!
//! | type                 | other keys                                                     |
//! |----------------------|----------------------------------------------------------------|
//! | `start`              | `model`, `request_id` (string or null)                         |
//! | `text_start`         | `index`                                                        |
//! | `text_delta`         | `index`, `delta`                                               |
//! | `text_end`           | `index`                                                        |
//! | `thinking_start`     | `index`                                                        |
//! | `thinking_delta`     | `index`, `delta`                                               |
//! | `thinking_signature` | `index`, `signature`                                           |
//! | `thinking_redacted`  | `index`, `data` (base64)                                       |
//! | `thinking_end`       | `index`, `signature` (or null), `redacted`                     |
//! | `tool_call_start`    | `index`, `id`, `name`                                          |
//! | `tool_call_delta`    | `index`, `fragment` (raw JSON text fragment)                   |
//! | `tool_call_end`      | `index`, `id`, `name`, `arguments` (the parsed object; the raw text when it is not JSON) |
//! | `usage`              | `usage` (see below)                                            |
//! | `retry`              | `attempt`, `delay_ms`, `reason`, `detail`                      |
//! | `keep_alive`         | —                                                              |
//! | `done`               | `summary` (see below)                                          |
//! | `error`              | `error` {`kind`, `message`, `retryable`, `status`, `request_id`, `error_code`, `diagnostics`}, `summary` |
//! | `unknown`            | — (an event kind newer than this harness)                      |
//! | `summary`            | the harness's closing line of each response: `ok`, `turn` (1, 2, … across tool-result rounds), `stop_reason`, `model`, `resolved_model_id`, `request_id`, `usage`, `priced`, `time_to_first_token_ms` and `total_ms` (measured by the harness from the request start), `server_latency_ms` (the service's `latencyMs`), `served_performance` (the latency Bedrock served, BR-90, or `null`), `structured` (BR-91), `citations` (BR-92's list, or `null`) |
//! | `tool_result`        | a harness line: `id`, `name`, `content`, the `--tool-result` (or REPL) answer sent on the next turn |
//!
//! `usage` is {`input`, `output`, `cache_read`, `cache_write`, `cache_write_1h`,
//! `total_tokens`, `cost` {`input`, `output`, `cache_read`, `cache_write`, `total`} (USD)}.
//! A response `summary` is {`model`, `resolved_model_id`, `stop_reason`,
//! `provider_stop_reason`, `usage`, `request_id`, `latency_ms` (the server's metric),
//! `time_to_first_token_ms` (the plugin's), `service_tier`, `diagnostics` [{`kind`,
//! `details`}]}. Absent optional values are `null`.

use abi_stable::std_types::{ROption, RString};
use plugin_api::error::{Diagnostic, ErrorKind, PluginError};
use plugin_api::event::{ResponseSummary, StreamEvent, StreamEvent_NE, Usage};
use serde_json::{json, Value};

fn opt_str(value: &ROption<RString>) -> Value {
    value
        .as_ref()
        .into_option()
        .map_or(Value::Null, |text| Value::from(text.as_str()))
}

fn opt_u64(value: ROption<u64>) -> Value {
    value.into_option().map_or(Value::Null, Value::from)
}

/// JSON text as a value (numbers kept verbatim); the text itself when it does not parse.
pub fn parsed_or_text(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::from(text))
}

pub fn usage_json(usage: &Usage) -> Value {
    json!({
        "input": usage.input,
        "output": usage.output,
        "cache_read": usage.cache_read,
        "cache_write": usage.cache_write,
        "cache_write_1h": usage.cache_write_1h,
        "total_tokens": usage.total_tokens,
        "cost": {
            "input": usage.cost.input,
            "output": usage.cost.output,
            "cache_read": usage.cost.cache_read,
            "cache_write": usage.cost.cache_write,
            "total": usage.cost.total,
        },
    })
}

fn diagnostics_json(diagnostics: &[Diagnostic]) -> Value {
    diagnostics
        .iter()
        .map(|d| json!({"kind": d.kind.as_str(), "details": parsed_or_text(&d.details_json)}))
        .collect()
}

/// A stop reason's host spelling, `unknown` for one newer than this harness.
pub fn stop_reason(summary: &ResponseSummary) -> &'static str {
    summary
        .stop_reason
        .as_enum()
        .map(|reason| reason.as_str())
        .unwrap_or("unknown")
}

pub fn summary_json(summary: &ResponseSummary) -> Value {
    json!({
        "model": summary.model.as_str(),
        "resolved_model_id": opt_str(&summary.resolved_model_id),
        "stop_reason": stop_reason(summary),
        "provider_stop_reason": opt_str(&summary.provider_stop_reason),
        "usage": usage_json(&summary.usage),
        "request_id": opt_str(&summary.request_id),
        "latency_ms": opt_u64(summary.latency_ms),
        "time_to_first_token_ms": opt_u64(summary.time_to_first_token_ms),
        "service_tier": opt_str(&summary.service_tier),
        "diagnostics": diagnostics_json(&summary.diagnostics),
    })
}

/// An error kind in snake_case (`rate_limit`), `unknown` for one newer than this harness.
pub fn error_kind(error: &PluginError) -> &'static str {
    match error.kind() {
        Some(ErrorKind::InvalidConfig) => "invalid_config",
        Some(ErrorKind::InvalidRequest) => "invalid_request",
        Some(ErrorKind::Auth) => "auth",
        Some(ErrorKind::RateLimit) => "rate_limit",
        Some(ErrorKind::Overloaded) => "overloaded",
        Some(ErrorKind::Timeout) => "timeout",
        Some(ErrorKind::ContextOverflow) => "context_overflow",
        Some(ErrorKind::Network) => "network",
        Some(ErrorKind::Service) => "service",
        Some(ErrorKind::Cancelled) => "cancelled",
        Some(ErrorKind::Unsupported) => "unsupported",
        Some(ErrorKind::Internal) => "internal",
        _ => "unknown",
    }
}

pub fn error_json(error: &PluginError) -> Value {
    json!({
        "kind": error_kind(error),
        "message": error.message.as_str(),
        "retryable": error.retryable,
        "status": error.status.into_option().map_or(Value::Null, Value::from),
        "request_id": opt_str(&error.request_id),
        "error_code": opt_str(&error.error_code),
        "diagnostics": diagnostics_json(&error.diagnostics),
    })
}

/// One stream event as one JSON object (the table in the module docs).
pub fn event_json(event: &StreamEvent_NE) -> Value {
    let Ok(event) = event.as_enum() else {
        return json!({"type": "unknown"});
    };
    match event {
        StreamEvent::Start { model, request_id } => {
            json!({"type": "start", "model": model.as_str(), "request_id": opt_str(request_id)})
        }
        StreamEvent::TextStart { index } => json!({"type": "text_start", "index": index}),
        StreamEvent::TextDelta { index, delta } => {
            json!({"type": "text_delta", "index": index, "delta": delta.as_str()})
        }
        StreamEvent::TextEnd { index } => json!({"type": "text_end", "index": index}),
        StreamEvent::ThinkingStart { index } => json!({"type": "thinking_start", "index": index}),
        StreamEvent::ThinkingDelta { index, delta } => {
            json!({"type": "thinking_delta", "index": index, "delta": delta.as_str()})
        }
        StreamEvent::ThinkingSignature { index, signature } => {
            json!({"type": "thinking_signature", "index": index, "signature": signature.as_str()})
        }
        StreamEvent::ThinkingRedacted { index, data } => {
            json!({"type": "thinking_redacted", "index": index, "data": data.as_str()})
        }
        StreamEvent::ThinkingEnd {
            index,
            signature,
            redacted,
        } => json!({
            "type": "thinking_end",
            "index": index,
            "signature": opt_str(signature),
            "redacted": redacted,
        }),
        StreamEvent::ToolCallStart { index, id, name } => json!({
            "type": "tool_call_start", "index": index, "id": id.as_str(), "name": name.as_str(),
        }),
        StreamEvent::ToolCallDelta { index, fragment } => {
            json!({"type": "tool_call_delta", "index": index, "fragment": fragment.as_str()})
        }
        StreamEvent::ToolCallEnd {
            index,
            id,
            name,
            arguments_json,
        } => json!({
            "type": "tool_call_end",
            "index": index,
            "id": id.as_str(),
            "name": name.as_str(),
            "arguments": parsed_or_text(arguments_json),
        }),
        StreamEvent::Usage(usage) => json!({"type": "usage", "usage": usage_json(usage)}),
        StreamEvent::Retry(notice) => json!({
            "type": "retry",
            "attempt": notice.attempt,
            "delay_ms": notice.delay_ms,
            "reason": notice.reason.as_str(),
            "detail": notice.detail.as_str(),
        }),
        StreamEvent::KeepAlive => json!({"type": "keep_alive"}),
        StreamEvent::Done(summary) => json!({"type": "done", "summary": summary_json(summary)}),
        StreamEvent::Error(failure) => json!({
            "type": "error",
            "error": error_json(&failure.error),
            "summary": summary_json(&failure.summary),
        }),
        _ => json!({"type": "unknown"}),
    }
}

#[cfg(test)]
mod tests {
    use abi_stable::std_types::{RBox, ROption};
    use plugin_api::event::{RetryNotice, StopReason, StopReason_NE, StreamFailure};

    use super::*;

    fn of(event: StreamEvent) -> Value {
        event_json(&StreamEvent_NE::new(event))
    }

    fn summary() -> ResponseSummary {
        let mut summary = ResponseSummary::new("us.anthropic.claude-sonnet-4-6");
        summary.resolved_model_id = ROption::RSome("us.anthropic.claude-sonnet-4-6-v1:0".into());
        summary.stop_reason = StopReason_NE::new(StopReason::ToolUse);
        summary.provider_stop_reason = ROption::RSome("tool_use".into());
        summary.usage.input = 10;
        summary.usage.output = 5;
        summary.usage.total_tokens = 15;
        summary.usage.cost.total = 0.5;
        summary.request_id = ROption::RSome("req-1".into());
        summary.latency_ms = ROption::RSome(7);
        summary
    }

    #[test]
    fn start() {
        assert_eq!(
            of(StreamEvent::Start {
                model: "m".into(),
                request_id: ROption::RSome("r".into())
            }),
            json!({"type": "start", "model": "m", "request_id": "r"})
        );
        assert_eq!(
            of(StreamEvent::Start {
                model: "m".into(),
                request_id: ROption::RNone
            })["request_id"],
            Value::Null
        );
    }

    #[test]
    fn text_events() {
        assert_eq!(
            of(StreamEvent::TextStart { index: 1 }),
            json!({"type": "text_start", "index": 1})
        );
        assert_eq!(
            of(StreamEvent::TextDelta {
                index: 0,
                delta: "hi \"there\"".into()
            }),
            json!({"type": "text_delta", "index": 0, "delta": "hi \"there\""})
        );
        assert_eq!(
            of(StreamEvent::TextEnd { index: 0 }),
            json!({"type": "text_end", "index": 0})
        );
    }

    #[test]
    fn thinking_events() {
        assert_eq!(
            of(StreamEvent::ThinkingStart { index: 0 }),
            json!({"type": "thinking_start", "index": 0})
        );
        assert_eq!(
            of(StreamEvent::ThinkingDelta {
                index: 0,
                delta: "hmm".into()
            }),
            json!({"type": "thinking_delta", "index": 0, "delta": "hmm"})
        );
        assert_eq!(
            of(StreamEvent::ThinkingSignature {
                index: 0,
                signature: "sig".into()
            }),
            json!({"type": "thinking_signature", "index": 0, "signature": "sig"})
        );
        assert_eq!(
            of(StreamEvent::ThinkingRedacted {
                index: 0,
                data: "ZGF0YQ==".into()
            }),
            json!({"type": "thinking_redacted", "index": 0, "data": "ZGF0YQ=="})
        );
        assert_eq!(
            of(StreamEvent::ThinkingEnd {
                index: 0,
                signature: ROption::RSome("sig".into()),
                redacted: false
            }),
            json!({"type": "thinking_end", "index": 0, "signature": "sig", "redacted": false})
        );
        assert_eq!(
            of(StreamEvent::ThinkingEnd {
                index: 2,
                signature: ROption::RNone,
                redacted: true
            }),
            json!({"type": "thinking_end", "index": 2, "signature": null, "redacted": true})
        );
    }

    #[test]
    fn tool_call_events() {
        assert_eq!(
            of(StreamEvent::ToolCallStart {
                index: 1,
                id: "t1".into(),
                name: "get_weather".into()
            }),
            json!({"type": "tool_call_start", "index": 1, "id": "t1", "name": "get_weather"})
        );
        assert_eq!(
            of(StreamEvent::ToolCallDelta {
                index: 1,
                fragment: "{\"ci".into()
            }),
            json!({"type": "tool_call_delta", "index": 1, "fragment": "{\"ci"})
        );
        let end = of(StreamEvent::ToolCallEnd {
            index: 1,
            id: "t1".into(),
            name: "get_weather".into(),
            arguments_json: "{\"city\":\"Paris\",\"n\":1.50}".into(),
        });
        assert_eq!(end["type"], "tool_call_end");
        assert_eq!(end["arguments"]["city"], "Paris");
        // Numbers are kept verbatim (arbitrary_precision).
        assert_eq!(end["arguments"]["n"].to_string(), "1.50");
        let raw = of(StreamEvent::ToolCallEnd {
            index: 1,
            id: "t1".into(),
            name: "x".into(),
            arguments_json: "not json".into(),
        });
        assert_eq!(raw["arguments"], "not json");
    }

    #[test]
    fn usage_event() {
        let mut usage = Usage {
            input: 3,
            output: 4,
            cache_read: 1,
            cache_write: 2,
            cache_write_1h: 1,
            total_tokens: 10,
            ..Usage::default()
        };
        usage.cost.total = 0.25;
        let value = of(StreamEvent::Usage(usage));
        assert_eq!(value["type"], "usage");
        assert_eq!(value["usage"]["input"], 3);
        assert_eq!(value["usage"]["cache_write_1h"], 1);
        assert_eq!(value["usage"]["total_tokens"], 10);
        assert_eq!(value["usage"]["cost"]["total"], 0.25);
    }

    #[test]
    fn retry_and_keep_alive() {
        let value = of(StreamEvent::Retry(RBox::new(RetryNotice {
            attempt: 2,
            delay_ms: 500,
            reason: "rate_limit".into(),
            detail: "Too many requests".into(),
        })));
        assert_eq!(
            value,
            json!({"type": "retry", "attempt": 2, "delay_ms": 500, "reason": "rate_limit", "detail": "Too many requests"})
        );
        assert_eq!(of(StreamEvent::KeepAlive), json!({"type": "keep_alive"}));
    }

    #[test]
    fn done() {
        let value = of(StreamEvent::Done(RBox::new(summary())));
        assert_eq!(value["type"], "done");
        let summary = &value["summary"];
        assert_eq!(summary["model"], "us.anthropic.claude-sonnet-4-6");
        assert_eq!(
            summary["resolved_model_id"],
            "us.anthropic.claude-sonnet-4-6-v1:0"
        );
        assert_eq!(summary["stop_reason"], "toolUse");
        assert_eq!(summary["provider_stop_reason"], "tool_use");
        assert_eq!(summary["usage"]["output"], 5);
        assert_eq!(summary["request_id"], "req-1");
        assert_eq!(summary["latency_ms"], 7);
        assert_eq!(summary["time_to_first_token_ms"], Value::Null);
        assert_eq!(summary["service_tier"], Value::Null);
        assert_eq!(summary["diagnostics"], json!([]));
    }

    #[test]
    fn error() {
        let error = PluginError::new(ErrorKind::RateLimit, "Throttling error: Rate exceeded")
            .with_status(429)
            .with_retryable(true)
            .with_error_code("ThrottlingException")
            .with_diagnostic("transport", "{\"attempts\":3}");
        let value = of(StreamEvent::Error(RBox::new(StreamFailure {
            error,
            summary: summary(),
        })));
        assert_eq!(value["type"], "error");
        assert_eq!(
            value["error"],
            json!({
                "kind": "rate_limit",
                "message": "Throttling error: Rate exceeded",
                "retryable": true,
                "status": 429,
                "request_id": null,
                "error_code": "ThrottlingException",
                "diagnostics": [{"kind": "transport", "details": {"attempts": 3}}],
            })
        );
        assert_eq!(value["summary"]["request_id"], "req-1");
    }
}
