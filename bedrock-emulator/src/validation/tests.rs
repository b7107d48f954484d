//! Model-family rules and model-id resolution.

use super::model_rules::{temperature_deprecated, temperature_top_p_exclusive};
use super::resolve;
use crate::catalog::Catalog;
use crate::error::INVALID_MODEL;

#[test]
fn temperature_rules() {
    assert!(temperature_deprecated("anthropic.claude-opus-4-7"));
    assert!(temperature_deprecated("anthropic.claude-opus-4.8-v1:0"));
    assert!(temperature_deprecated("anthropic.claude-opus-5"));
    assert!(!temperature_deprecated("anthropic.claude-opus-4-6-v1"));
    assert!(!temperature_deprecated("anthropic.claude-opus-4-70"));
    assert!(!temperature_deprecated("anthropic.claude-sonnet-4-6"));
    assert!(temperature_top_p_exclusive("anthropic.claude-sonnet-4-6"));
    assert!(!temperature_top_p_exclusive(
        "anthropic.claude-3-7-sonnet-20250219-v1:0"
    ));
}

#[test]
fn resolves_ids() {
    let c = Catalog::builtin().unwrap();
    assert!(resolve(&c, "amazon.nova-micro-v1:0", true).is_ok());
    assert!(
        resolve(&c, "us.anthropic.claude-sonnet-4-6", true)
            .unwrap()
            .via_profile
    );
    let e = resolve(&c, "anthropic.claude-sonnet-4-6", true)
        .err()
        .unwrap();
    assert!(e.message.starts_with("Invocation of model ID anthropic.claude-sonnet-4-6 with on-demand throughput isn\u{2019}t supported."));
    assert_eq!(
        resolve(&c, "nope", true).err().unwrap().message,
        INVALID_MODEL
    );
    assert_eq!(
        resolve(&c, "anthropic.claude-3-haiku-20240307-v1:0:48k", true)
            .err()
            .unwrap()
            .message,
        INVALID_MODEL
    );
    assert_eq!(
        resolve(&c, "meta.llama3-8b-instruct-v1:0", true)
            .err()
            .unwrap()
            .status,
        404
    );
}

mod caching {
    use serde_json::{json, Value};

    use super::super::cache::{AFTER_REASONING, NOTHING_TO_CACHE, NO_CACHING, TTL_ANTHROPIC_ONLY};
    use super::super::converse;
    use super::super::model_rules::{prompt_caching, Caching};
    use crate::catalog::Catalog;
    use crate::error::ApiError;

    const SONNET: &str = "anthropic.claude-sonnet-4-6";
    const NOVA: &str = "amazon.nova-lite-v1:0";

    fn cp() -> Value {
        json!({"cachePoint": {"type": "default"}})
    }

    fn cp_ttl(ttl: &str) -> Value {
        json!({"cachePoint": {"type": "default", "ttl": ttl}})
    }

    fn judge(model: &str, req: Value) -> Result<(), ApiError> {
        let c = Catalog::builtin().unwrap();
        converse(&req, c.model(model).unwrap(), false)
    }

    fn user(content: Value) -> Value {
        json!({"messages": [{"role": "user", "content": content}]})
    }

    fn message(model: &str, req: Value) -> String {
        judge(model, req).unwrap_err().message
    }

    #[test]
    fn one_table_of_caching_models() {
        for id in [
            "anthropic.claude-3-5-haiku-20241022-v1:0",
            "anthropic.claude-3-7-sonnet-20250219-v1:0",
            "anthropic.claude-sonnet-4-20250514-v1:0",
            "anthropic.claude-opus-4-7",
            "anthropic.claude-haiku-4-5-20251001-v1:0",
        ] {
            assert_eq!(prompt_caching(id), Some(Caching::Anthropic), "{id}");
        }
        for id in [
            "amazon.nova-micro-v1:0",
            "amazon.nova-premier-v1:0",
            "amazon.nova-2-lite-v1:0",
        ] {
            assert_eq!(prompt_caching(id), Some(Caching::Nova), "{id}");
        }
        for id in [
            "anthropic.claude-3-haiku-20240307-v1:0",
            "meta.llama3-70b-instruct-v1:0",
            "mistral.mistral-large-2407-v1:0",
            "deepseek.r1-v1:0",
            "amazon.nova-sonic-v1:0",
            "amazon.titan-text-express-v1",
        ] {
            assert_eq!(prompt_caching(id), None, "{id}");
        }
    }

    #[test]
    fn models_without_caching_answer_403() {
        let e = judge(
            "meta.llama3-70b-instruct-v1:0",
            user(json!([{"text": "a"}, cp()])),
        )
        .unwrap_err();
        assert_eq!(
            (e.status, e.error_type.as_str()),
            (403, "AccessDeniedException")
        );
        assert_eq!(e.message, NO_CACHING);
    }

    #[test]
    fn ttl_only_on_anthropic() {
        for ttl in ["5m", "1h"] {
            assert_eq!(
                message(NOVA, user(json!([{"text": "a"}, cp_ttl(ttl)]))),
                TTL_ANTHROPIC_ONLY
            );
            assert!(judge(SONNET, user(json!([{"text": "a"}, cp_ttl(ttl)]))).is_ok());
        }
    }

    #[test]
    fn nova_tools_take_no_cache_point() {
        let mut req = user(json!([{"text": "a"}]));
        req["toolConfig"] =
            json!({"tools": [{"toolSpec": {"name": "t", "inputSchema": {"json": {}}}}, cp()]});
        assert_eq!(
            message(NOVA, req.clone()),
            "Malformed input request: #/toolConfig/tools/1: extraneous key [cachePoint] is not permitted, please reformat your input and try again."
        );
        assert!(judge(SONNET, req).is_ok());
    }

    #[test]
    fn cache_13_positions() {
        assert_eq!(
            message(SONNET, user(json!([cp(), {"text": "a"}]))),
            NOTHING_TO_CACHE
        );
        let mut sys = user(json!([{"text": "a"}]));
        sys["system"] = json!([cp(), {"text": "s"}]);
        assert_eq!(message(SONNET, sys), NOTHING_TO_CACHE);
        let doc = |format: &str| json!({"document": {"format": format, "name": "d", "source": {"bytes": "eA=="}}});
        assert_eq!(
            message(SONNET, user(json!([{"text": "a"}, doc("txt"), cp()]))),
            "The model returned the following errors: messages.0.content.2.type: Field required"
        );
        assert!(judge(SONNET, user(json!([{"text": "a"}, doc("pdf"), cp()]))).is_ok());
        assert!(judge(SONNET, user(json!([{"text": "a"}, cp(), doc("txt")]))).is_ok());
        let mut thought = user(json!([{"text": "q"}]));
        thought["messages"]
            .as_array_mut()
            .unwrap()
            .push(json!({"role": "assistant", "content": [{"text": "x"}, {"reasoningContent": {"reasoningText": {"text": "t"}}}, cp()]}));
        assert_eq!(message(SONNET, thought), AFTER_REASONING);
    }

    #[test]
    fn cache_14_ttl_order() {
        let mut req = user(json!([{"text": "a"}, cp_ttl("1h")]));
        req["system"] = json!([{"text": "s"}, cp()]);
        assert_eq!(
            message(SONNET, req.clone()),
            "The model returned the following errors: a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block. Note that blocks are processed in the following order: `tools`, `system`, `messages`."
        );
        req["system"] = json!([{"text": "s"}, cp_ttl("1h")]);
        assert!(judge(SONNET, req.clone()).is_ok(), "1h then 1h");
        req["messages"][0]["content"] = json!([{"text": "a"}, cp()]);
        assert!(judge(SONNET, req).is_ok(), "1h then 5m");
    }

    #[test]
    fn at_most_four() {
        let content: Vec<Value> = (0..5)
            .flat_map(|i| [json!({"text": format!("t{i}")}), cp()])
            .collect();
        assert_eq!(
            message(SONNET, user(Value::Array(content))),
            "The model returned the following errors: A maximum of 4 blocks with cache_control may be provided. Found 5."
        );
    }
}

#[test]
fn texts_match_real_bedrock() {
    use super::converse;
    let c = Catalog::builtin().unwrap();
    let req = |extra: serde_json::Value| {
        let mut r =
            serde_json::json!({"messages": [{"role": "user", "content": [{"text": "hi"}]}]});
        r.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        r
    };
    let m = |id: &str| c.model(id).unwrap();
    let e = converse(
        &req(serde_json::json!({"serviceTier": {"type": "flex"}})),
        m("mistral.mistral-large-2407-v1:0"),
        false,
    )
    .unwrap_err();
    assert_eq!(
        e.message,
        "The provided service tier is not supported for this model."
    );
    let e = converse(
        &req(serde_json::json!({"inferenceConfig": {"temperature": 0.5}})),
        m("anthropic.claude-opus-4-7"),
        false,
    )
    .unwrap_err();
    assert_eq!(
        e.message,
        "The model returned the following errors: `temperature` is deprecated for this model."
    );
    let e = converse(
        &req(serde_json::json!({})),
        m("amazon.titan-embed-text-v2:0"),
        false,
    )
    .unwrap_err();
    assert_eq!(
        (e.status, e.message.as_str()),
        (400, "This action doesn't support the model that you provided. Try again with a supported text or chat model.")
    );
}

#[test]
fn claude_max_tokens_above_the_output_limit_is_rejected_with_anthropic_wording() {
    use super::converse;
    use serde_json::json;
    let c = Catalog::builtin().unwrap();
    let judge = |model: &str, max_tokens: u64| {
        let req = json!({
            "messages": [{"role": "user", "content": [{"text": "hi"}]}],
            "inferenceConfig": {"maxTokens": max_tokens}
        });
        converse(&req, c.model(model).unwrap(), true)
    };
    let e = judge("anthropic.claude-sonnet-4-5-20250929-v1:0", 200_000).unwrap_err();
    assert_eq!(
        (e.status, e.error_type.as_str()),
        (400, "ValidationException")
    );
    assert_eq!(
        e.message,
        "The model returned the following errors: max_tokens: 200000 > 64000, which is the maximum allowed number of output tokens for claude-sonnet-4-5-20250929"
    );
    assert!(judge("anthropic.claude-sonnet-4-5-20250929-v1:0", 64_000).is_ok());
    assert_eq!(
        judge("anthropic.claude-opus-4-7", 128_001).unwrap_err().message,
        "The model returned the following errors: max_tokens: 128001 > 128000, which is the maximum allowed number of output tokens for claude-opus-4-7"
    );
    assert_eq!(
        judge("anthropic.claude-3-haiku-20240307-v1:0", 8_192)
            .unwrap_err()
            .message,
        "The model returned the following errors: max_tokens: 8192 > 4096, which is the maximum allowed number of output tokens for claude-3-haiku-20240307"
    );
    assert!(
        judge("amazon.nova-micro-v1:0", 200_000).is_ok(),
        "Claude only"
    );
}

/// BR-90: an invalid latency is Bedrock's enum error; an unsupported `optimized` is accepted.
#[test]
fn br_90_performance_latency_enum() {
    use super::converse;
    let c = Catalog::builtin().unwrap();
    let req = |latency: &str| {
        serde_json::json!({"messages": [{"role": "user", "content": [{"text": "hi"}]}],
            "performanceConfig": {"latency": latency}})
    };
    let nova = c.model("amazon.nova-micro-v1:0").unwrap();
    let e = converse(&req("fast"), nova, true).unwrap_err();
    assert_eq!(
        e.message,
        "1 validation error detected: Value 'fast' at 'performanceConfig.latency' failed to satisfy constraint: Member must satisfy enum value set: [optimized, standard]"
    );
    assert!(converse(&req("optimized"), nova, true).is_ok());
}

/// PLG-110: the history rules Bedrock enforces, each with Bedrock's own text.
mod history {
    use serde_json::{json, Value};

    use super::super::converse;
    use super::super::converse::{
        DOCUMENT_NAME, NOT_ALTERNATING, START_WITH_USER, TOOL_CONFIG_REQUIRED,
    };
    use crate::catalog::Catalog;
    use crate::error::ApiError;

    const SONNET: &str = "anthropic.claude-sonnet-4-6";
    const NOVA: &str = "amazon.nova-micro-v1:0";

    fn judge(model: &str, req: Value) -> Result<(), ApiError> {
        let c = Catalog::builtin().unwrap();
        converse(&req, c.model(model).unwrap(), false)
    }

    fn message(model: &str, req: Value) -> String {
        judge(model, req).unwrap_err().message
    }

    fn tools() -> Value {
        json!({"tools": [{"toolSpec": {"name": "lookup", "inputSchema": {"json": {}}}}]})
    }

    fn text(role: &str, t: &str) -> Value {
        json!({"role": role, "content": [{"text": t}]})
    }

    fn call(id: &str, name: &str) -> Value {
        json!({"toolUse": {"toolUseId": id, "name": name, "input": {}}})
    }

    fn result(id: &str) -> Value {
        json!({"toolResult": {"toolUseId": id, "content": [{"text": "ok"}]}})
    }

    #[test]
    fn plg_110_first_message_must_be_the_users() {
        let req = json!({"messages": [text("assistant", "Hello"), text("user", "Hi")]});
        assert_eq!(message(NOVA, req), START_WITH_USER);
    }

    #[test]
    fn plg_110_roles_must_alternate() {
        let req = json!({"messages": [text("user", "a"), text("user", "b")]});
        assert_eq!(message(NOVA, req), NOT_ALTERNATING);
        let ok =
            json!({"messages": [text("user", "a"), text("assistant", "b"), text("user", "c")]});
        assert!(judge(NOVA, ok).is_ok());
    }

    #[test]
    fn plg_110_blank_text_is_rejected_with_its_position() {
        let req = json!({"messages": [text("user", "a"), {"role": "assistant", "content": [{"text": "x"}, {"text": ""}]}, text("user", "b")]});
        assert_eq!(
            message(SONNET, req),
            "The text field in the ContentBlock object at messages.1.content.1 is blank. Add text to the text field, and try again."
        );
    }

    #[test]
    fn plg_110_tool_blocks_need_a_tool_config() {
        let req = json!({"messages": [text("user", "a"),
            {"role": "assistant", "content": [call("t1", "lookup")]},
            {"role": "user", "content": [result("t1")]}]});
        assert_eq!(message(NOVA, req.clone()), TOOL_CONFIG_REQUIRED);
        let mut with_tools = req;
        with_tools["toolConfig"] = tools();
        assert!(judge(NOVA, with_tools).is_ok());
    }

    #[test]
    fn plg_110_results_must_answer_the_previous_turns_tool_uses() {
        let extra = json!({"toolConfig": tools(), "messages": [text("user", "a"),
            {"role": "assistant", "content": [call("t1", "lookup")]},
            {"role": "user", "content": [result("t1"), result("t2")]}]});
        assert_eq!(
            message(NOVA, extra),
            "The number of toolResult blocks at messages.2.content exceeds the number of toolUse blocks of previous turn."
        );
        let missing = json!({"toolConfig": tools(), "messages": [text("user", "a"),
            {"role": "assistant", "content": [call("t1", "lookup"), call("t2", "lookup")]},
            {"role": "user", "content": [result("t2")]}]});
        assert_eq!(
            message(NOVA, missing),
            "Expected toolResult blocks at messages.2.content for the following Ids: t1"
        );
        let duplicate = json!({"toolConfig": tools(), "messages": [text("user", "a"),
            {"role": "assistant", "content": [call("t1", "lookup"), call("t1", "lookup")]},
            {"role": "user", "content": [result("t1"), result("t1")]}]});
        assert_eq!(
            message(SONNET, duplicate),
            "The model returned the following errors: messages.1.content.1: `tool_use` ids must be unique"
        );
    }

    #[test]
    fn plg_110_tool_names_and_ids_follow_the_service_model_patterns() {
        let spec = json!({"toolConfig": {"tools": [{"toolSpec": {"name": "web.search", "inputSchema": {"json": {}}}}]},
            "messages": [text("user", "a")]});
        assert_eq!(
            message(NOVA, spec),
            "1 validation error detected: Value 'web.search' at 'toolConfig.tools.1.member.toolSpec.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+"
        );
        let history = json!({"toolConfig": tools(), "messages": [text("user", "a"),
            {"role": "assistant", "content": [{"text": "x"}, call("t1", "$READ")]},
            {"role": "user", "content": [result("t1")]}]});
        assert_eq!(
            message(NOVA, history),
            "1 validation error detected: Value '$READ' at 'messages.2.member.content.2.member.toolUse.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+"
        );
        let empty_id = json!({"toolConfig": tools(), "messages": [text("user", "a"),
            {"role": "assistant", "content": [call("", "lookup")]},
            {"role": "user", "content": [result("")]}]});
        assert_eq!(
            message(NOVA, empty_id),
            "2 validation errors detected: Value '' at 'messages.2.member.content.1.member.toolUse.toolUseId' failed to satisfy constraint: Member must have length greater than or equal to 1; Value '' at 'messages.2.member.content.1.member.toolUse.toolUseId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.:-]+"
        );
        let dotted_id = json!({"toolConfig": tools(), "messages": [text("user", "a"),
            {"role": "assistant", "content": [call("call:1.a", "lookup")]},
            {"role": "user", "content": [result("call:1.a")]}]});
        assert!(judge(NOVA, dotted_id).is_ok());
    }

    #[test]
    fn plg_110_document_names() {
        let doc = |name: &str| {
            json!({"messages": [{"role": "user", "content": [{"text": "read"},
                {"document": {"format": "txt", "name": name, "source": {"bytes": "aGk="}}}]}]})
        };
        for bad in ["report.pdf", "a  b", "résumé", "tab\tname", ""] {
            assert_eq!(message(NOVA, doc(bad)), DOCUMENT_NAME, "{bad:?}");
        }
        for good in ["Report - Final (2) [v1]", "my_doc", "document"] {
            assert!(judge(NOVA, doc(good)).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn plg_110_claude_image_size_limit() {
        let image = |len: usize| {
            json!({"messages": [{"role": "user", "content": [{"text": "see"},
                {"image": {"format": "png", "source": {"bytes": "A".repeat(len)}}}]}]})
        };
        assert!(judge(SONNET, image(5_242_880)).is_ok());
        assert_eq!(
            message(SONNET, image(5_242_884)),
            "The model returned the following errors: messages.0.content.1.image.source.bytes: image exceeds 5 MB maximum: 5242884 bytes > 5242880 bytes"
        );
    }
}
