//! End-to-end tests: the real AWS SDK for Rust against the emulator.

mod common;

use std::time::Duration;

use aws_sdk_bedrockruntime::error::ProvideErrorMetadata;
use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::types::error::ConverseStreamOutputError;
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ConverseStreamOutput, GuardrailStreamConfiguration, GuardrailTrace,
    InferenceConfiguration, SystemContentBlock, Tool, ToolConfiguration, ToolInputSchema,
    ToolSpecification,
};
use aws_smithy_types::Document;
use bedrock_emulator::{
    AuthScheme, Emulator, EmulatorOptions, Fault, FaultRule, Operation, StreamOutcome,
};
use common::*;

const NOVA: &str = "amazon.nova-micro-v1:0";

async fn collect(client: &aws_sdk_bedrockruntime::Client, model: &str, text: &str) -> Vec<String> {
    let out = converse_stream(client, model, text)
        .send()
        .await
        .expect("send");
    drain(out).await
}

#[tokio::test]
async fn converse_stream_plain_text_rule() {
    let (emu, client) = start();
    let mut out = client
        .converse_stream()
        .model_id(NOVA)
        .system(SystemContentBlock::Text("Be brief please".into()))
        .messages(user("hi there"))
        .send()
        .await
        .unwrap();
    let mut names = Vec::new();
    let mut usage = None;
    while let Some(ev) = out.stream.recv().await.unwrap() {
        if let ConverseStreamOutput::Metadata(m) = &ev {
            usage = m.usage().cloned();
        }
        names.push(describe(&ev));
    }
    assert_eq!(
        names,
        vec![
            "messageStart:assistant",
            "text:Hello ",
            "text:from ",
            "text:the ",
            "text:Bedrock ",
            "text:emulator. ",
            "text:You ",
            "text:said: ",
            "text:hi ",
            "text:there",
            "contentBlockStop:0",
            "messageStop:end_turn",
            "metadata",
        ]
    );
    let usage = usage.unwrap();
    assert_eq!(usage.input_tokens(), 5);
    assert_eq!(usage.output_tokens(), 9);
    assert_eq!(usage.total_tokens(), 14);
    let req = emu.last_request().unwrap();
    assert_eq!(req.operation, Operation::ConverseStream);
    assert_eq!(req.model_id.as_deref(), Some(NOVA));
    assert_eq!(req.path, "/model/amazon.nova-micro-v1%3A0/converse-stream");
    assert!(req.authorized);
    match &req.auth {
        AuthScheme::SigV4 {
            access_key_id,
            region,
            service,
            session_token,
        } => {
            assert_eq!(access_key_id, "AKIDEXAMPLE");
            assert_eq!(region, "eu-west-1");
            assert_eq!(service, "bedrock");
            assert!(!session_token);
        }
        other => panic!("{other:?}"),
    }
    let auth = req.header("authorization").unwrap();
    assert!(auth.ends_with("Signature=<redacted>"), "{auth}");
    assert_eq!(
        req.json().unwrap()["messages"][0]["content"][0]["text"],
        "hi there"
    );
    assert_eq!(
        emu.wait_for_stream_outcome(req.id, Duration::from_secs(5)),
        Some(StreamOutcome::Completed)
    );
}

#[tokio::test]
async fn converse_max_tokens_and_stop_sequences() {
    let (_emu, client) = start();
    let r = converse(&client, "us.amazon.nova-micro-v1:0", "one two three")
        .send()
        .await
        .unwrap();
    let text = r.output().unwrap().as_message().unwrap().content()[0]
        .as_text()
        .unwrap()
        .clone();
    assert_eq!(
        text,
        "Hello from the Bedrock emulator. You said: one two three"
    );
    assert_eq!(r.stop_reason().as_str(), "end_turn");
    assert_eq!(r.usage().unwrap().output_tokens(), 10);

    let r = converse(&client, NOVA, "one two three")
        .inference_config(InferenceConfiguration::builder().max_tokens(3).build())
        .send()
        .await
        .unwrap();
    let msg = r.output().unwrap().as_message().unwrap();
    assert_eq!(msg.content()[0].as_text().unwrap(), "Hello from the");
    assert_eq!(r.stop_reason().as_str(), "max_tokens");
    assert_eq!(r.usage().unwrap().output_tokens(), 3);

    let r = converse(&client, NOVA, "one two three")
        .inference_config(
            InferenceConfiguration::builder()
                .stop_sequences("two")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let msg = r.output().unwrap().as_message().unwrap();
    assert_eq!(
        msg.content()[0].as_text().unwrap(),
        "Hello from the Bedrock emulator. You said: one"
    );
    assert_eq!(r.stop_reason().as_str(), "stop_sequence");

    // Streaming max_tokens.
    let out = converse_stream(&client, NOVA, "x")
        .inference_config(InferenceConfiguration::builder().max_tokens(2).build())
        .send()
        .await
        .unwrap();
    let names = drain(out).await;
    assert_eq!(
        names,
        vec![
            "messageStart:assistant",
            "text:Hello ",
            "text:from",
            "contentBlockStop:0",
            "messageStop:max_tokens",
            "metadata"
        ]
    );
}

#[tokio::test]
async fn control_plane_round_trips() {
    let emu = Emulator::start(EmulatorOptions::default()).unwrap();
    let cp = control_client(&emu);
    let all = cp.list_foundation_models().send().await.unwrap();
    let n_all = all.model_summaries().len();
    assert!(n_all > 20);
    let anthropic = cp
        .list_foundation_models()
        .by_provider("anthropic")
        .send()
        .await
        .unwrap();
    assert!(anthropic
        .model_summaries()
        .iter()
        .all(|m| m.provider_name() == Some("Anthropic")));
    let emb = cp
        .list_foundation_models()
        .by_output_modality(aws_sdk_bedrock::types::ModelModality::Embedding)
        .send()
        .await
        .unwrap();
    assert!(emb.model_summaries().len() >= 5);
    let od = cp
        .list_foundation_models()
        .by_inference_type(aws_sdk_bedrock::types::InferenceType::OnDemand)
        .send()
        .await
        .unwrap();
    assert!(od.model_summaries().len() < n_all);
    let opus = all
        .model_summaries()
        .iter()
        .find(|m| m.model_id() == "anthropic.claude-opus-4-7")
        .unwrap();
    assert_eq!(
        opus.inference_types_supported()[0].as_str(),
        "INFERENCE_PROFILE"
    );

    let got = cp
        .get_foundation_model()
        .model_identifier("anthropic.claude-3-haiku-20240307-v1:0:48k")
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.model_details().unwrap().model_id(),
        "anthropic.claude-3-haiku-20240307-v1:0:48k"
    );

    // Pagination.
    let mut token = None;
    let mut ids = Vec::new();
    let mut pages = 0;
    loop {
        let page = cp
            .list_inference_profiles()
            .max_results(10)
            .set_next_token(token.clone())
            .send()
            .await
            .unwrap();
        pages += 1;
        ids.extend(
            page.inference_profile_summaries()
                .iter()
                .map(|p| p.inference_profile_id().to_string()),
        );
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert!(pages > 2);
    assert_eq!(ids.len(), emu.catalog().profiles.len());
    let apps = cp
        .list_inference_profiles()
        .type_equals(aws_sdk_bedrock::types::InferenceProfileType::Application)
        .send()
        .await
        .unwrap();
    assert_eq!(apps.inference_profile_summaries().len(), 2);
    let q = emu.last_request().unwrap().query;
    assert_eq!(q, "type=APPLICATION");

    let p = cp
        .get_inference_profile()
        .inference_profile_identifier("global.anthropic.claude-opus-4-6-v1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        p.models()[0].model_arn(),
        Some("arn:aws:bedrock:::foundation-model/anthropic.claude-opus-4-6-v1")
    );
    let p = cp
        .get_inference_profile()
        .inference_profile_identifier(
            "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/mi1dadi0g15f",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(p.r#type().as_str(), "APPLICATION");
    assert_eq!(emu.count(Operation::ListInferenceProfiles), pages + 1);
}

#[tokio::test]
async fn auth_failures_match_aws() {
    let emu = Emulator::start(EmulatorOptions::default()).unwrap();
    let bad = runtime_client_with(&emu, "wrong-secret", false);
    let se = converse_error(converse(&bad, NOVA, "hi")).await;
    assert_eq!(se.code(), Some("InvalidSignatureException"));
    assert!(se
        .message()
        .unwrap()
        .starts_with("The request signature we calculated does not match"));
    let r = emu.last_request().unwrap();
    assert!(!r.authorized);
    assert_eq!(r.status, 403);

    // Unknown access key.
    let conf = runtime_config(&emu, "us-east-1")
        .credentials_provider(aws_sdk_bedrockruntime::config::Credentials::new(
            "AKIDOTHER",
            "x",
            None,
            None,
            "t",
        ))
        .build();
    let unknown = aws_sdk_bedrockruntime::Client::from_conf(conf);
    let err = converse_error(converse(&unknown, NOVA, "hi")).await;
    assert_eq!(err.code(), Some("UnrecognizedClientException"));
    assert_eq!(
        err.message(),
        Some("The security token included in the request is invalid.")
    );

    // Bearer token (API key), good and bad.
    for (token, ok) in [("emulator-test-token", true), ("nope", false)] {
        let conf = runtime_config(&emu, "us-east-1")
            .token_provider(aws_sdk_bedrockruntime::config::Token::new(token, None))
            .auth_scheme_preference([aws_smithy_runtime_api::client::auth::AuthSchemeId::from(
                "httpBearerAuth",
            )])
            .build();
        let api_key = aws_sdk_bedrockruntime::Client::from_conf(conf);
        let res = converse(&api_key, NOVA, "hi").send().await;
        assert_eq!(res.is_ok(), ok, "{res:?}");
        let r = emu.last_request().unwrap();
        assert!(matches!(r.auth, AuthScheme::Bearer));
        assert_eq!(r.header("authorization"), Some("Bearer <redacted>"));
        if !ok {
            assert_eq!(
                res.unwrap_err().into_service_error().code(),
                Some("AccessDeniedException")
            );
        }
    }

    // Missing auth (raw HTTP).
    let resp = raw_post(
        &emu,
        "/model/amazon.nova-micro-v1%3A0/converse",
        b"{}",
        None,
    )
    .await;
    assert_eq!(resp.0, 403);
    assert_eq!(
        resp.1.as_deref(),
        Some("MissingAuthenticationTokenException:http://internal.amazon.com/coral/com.amazon.coral.service/")
    );
}

/// A raw HTTP/1.1 POST; returns (status, x-amzn-errortype, body).
async fn raw_post(
    emu: &Emulator,
    path: &str,
    body: &'static [u8],
    bearer: Option<&str>,
) -> (u16, Option<String>, Vec<u8>) {
    use http_body_util::BodyExt;
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", emu.port()))
        .await
        .unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
            .await
            .unwrap();
    tokio::spawn(conn);
    let mut req = http::Request::post(path)
        .header("host", "127.0.0.1")
        .header("content-type", "application/json");
    if let Some(b) = bearer {
        req = req.header("authorization", format!("Bearer {b}"));
    }
    let req = req
        .body(http_body_util::Full::new(bytes::Bytes::from_static(body)))
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    let status = resp.status().as_u16();
    let et = resp
        .headers()
        .get("x-amzn-errortype")
        .map(|v| v.to_str().unwrap().to_string());
    assert!(resp.headers().get("x-amzn-requestid").is_some());
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, et, body)
}

#[tokio::test]
async fn malformed_requests_get_validation_errors() {
    let emu = Emulator::start(EmulatorOptions::default()).unwrap();
    let (s, et, body) = raw_post(
        &emu,
        "/model/amazon.nova-micro-v1%3A0/converse",
        b"{not json",
        Some("emulator-test-token"),
    )
    .await;
    assert_eq!(s, 400);
    assert!(et.unwrap().starts_with("ValidationException:"));
    assert!(String::from_utf8_lossy(&body).contains("Malformed input request"));
    let (s, _, body) = raw_post(
        &emu,
        "/model/amazon.nova-micro-v1%3A0/converse",
        br#"{"messages":[{"content":[{"text":"x"}]}]}"#,
        Some("emulator-test-token"),
    )
    .await;
    assert_eq!(s, 400);
    assert!(String::from_utf8_lossy(&body).contains("messages.1.member.role"));
    let (s, et, _) = raw_post(&emu, "/nowhere", b"", Some("emulator-test-token")).await;
    assert_eq!(s, 404);
    assert!(et.unwrap().starts_with("UnknownOperationException"));
    // Still alive.
    assert_eq!(collect(&runtime_client(&emu), NOVA, "ok").await.len(), 12);
}

#[tokio::test]
async fn validation_rules() {
    let (_emu, client) = start();
    let msg = |se: aws_sdk_bedrockruntime::operation::converse::ConverseError| {
        assert!(se.is_validation_exception(), "{se:?}");
        se.message().unwrap_or_default().to_string()
    };
    let e = converse_error(converse(&client, "does-not-exist-model-v1:0", "hi")).await;
    assert_eq!(msg(e), "The provided model identifier is invalid.");
    let e = converse_error(converse(&client, "anthropic.claude-sonnet-4-6", "hi")).await;
    assert_eq!(msg(e), "Invocation of model ID anthropic.claude-sonnet-4-6 with on-demand throughput isn\u{2019}t supported. Retry your request with the ID or ARN of an inference profile that contains this model.");
    let e = converse_error(
        converse(&client, "us.anthropic.claude-opus-4-7", "hi")
            .inference_config(InferenceConfiguration::builder().temperature(0.5).build()),
    )
    .await;
    assert!(msg(e).contains("`temperature` is deprecated for this model."));
    let e = converse_error(
        converse(&client, "global.anthropic.claude-sonnet-4-6", "hi").inference_config(
            InferenceConfiguration::builder()
                .temperature(0.5)
                .top_p(0.9)
                .build(),
        ),
    )
    .await;
    assert!(msg(e).contains(
        "`temperature` and `top_p` cannot both be specified for this model. Please use only one."
    ));
    // ARN of a profile works; temperature alone is fine on Sonnet 4.6.
    converse(
        &client,
        "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-sonnet-4-6",
        "hi",
    )
    .inference_config(InferenceConfiguration::builder().temperature(0.5).build())
    .send()
    .await
    .unwrap();
    // Five cache points.
    let mut m = aws_sdk_bedrockruntime::types::Message::builder()
        .role(aws_sdk_bedrockruntime::types::ConversationRole::User);
    for i in 0..5 {
        m = m
            .content(ContentBlock::Text(format!("t{i}")))
            .content(ContentBlock::CachePoint(cache_point()));
    }
    let e = converse_error(
        client
            .converse()
            .model_id("us.anthropic.claude-sonnet-4-6")
            .messages(m.build().unwrap()),
    )
    .await;
    assert!(msg(e).contains("A maximum of 4 blocks with cache_control may be provided. Found 5."));
    // Unsupported service tier.
    let e = converse_error(
        converse(&client, "mistral.mistral-large-2407-v1:0", "hi").service_tier(
            aws_sdk_bedrockruntime::types::ServiceTier::builder()
                .r#type(aws_sdk_bedrockruntime::types::ServiceTierType::Flex)
                .build()
                .unwrap(),
        ),
    )
    .await;
    assert_eq!(
        msg(e),
        "The provided service tier is not supported for this model."
    );
    // Reasoning in a user message.
    let m = aws_sdk_bedrockruntime::types::Message::builder()
        .role(aws_sdk_bedrockruntime::types::ConversationRole::User)
        .content(ContentBlock::ReasoningContent(
            aws_sdk_bedrockruntime::types::ReasoningContentBlock::RedactedContent(Blob::new("x")),
        ))
        .build()
        .unwrap();
    let e = converse_error(
        client
            .converse()
            .model_id("us.anthropic.claude-sonnet-4-6")
            .messages(m),
    )
    .await;
    assert!(msg(e).starts_with("User messages cannot contain reasoning content."));
}

fn weather_tool() -> ToolConfiguration {
    let schema = Document::Object(
        [
            ("type".to_string(), Document::String("object".into())),
            (
                "properties".to_string(),
                Document::Object(
                    [
                        (
                            "city".to_string(),
                            Document::Object(
                                [("type".to_string(), Document::String("string".into()))].into(),
                            ),
                        ),
                        (
                            "days".to_string(),
                            Document::Object(
                                [("type".to_string(), Document::String("integer".into()))].into(),
                            ),
                        ),
                    ]
                    .into(),
                ),
            ),
        ]
        .into(),
    );
    ToolConfiguration::builder()
        .tools(Tool::ToolSpec(
            ToolSpecification::builder()
                .name("get_weather")
                .input_schema(ToolInputSchema::Json(schema))
                .build()
                .unwrap(),
        ))
        .build()
        .unwrap()
}

#[tokio::test]
async fn tool_use_thinking_guardrail_cache() {
    let (_emu, client) = start();
    // Tool use.
    let mut out = converse_stream(
        &client,
        "us.anthropic.claude-haiku-4-5-20251001-v1:0",
        "please call get_weather for Paris",
    )
    .tool_config(weather_tool())
    .send()
    .await
    .unwrap();
    let mut input = String::new();
    let mut names = Vec::new();
    while let Some(ev) = out.stream.recv().await.unwrap() {
        if let ConverseStreamOutput::ContentBlockStart(s) = &ev {
            let tu = s.start().unwrap().as_tool_use().unwrap();
            assert_eq!(tu.name(), "get_weather");
            assert_eq!(tu.tool_use_id(), "tooluse_emulator_1");
        }
        if let ConverseStreamOutput::ContentBlockDelta(d) = &ev {
            input.push_str(d.delta().unwrap().as_tool_use().unwrap().input());
        }
        names.push(describe(&ev));
    }
    assert_eq!(input, r#"{"city":"emulator","days":42}"#);
    assert!(names.contains(&"messageStop:tool_use".to_string()));
    assert_eq!(names[1], "contentBlockStart:0");

    // Thinking.
    let r = converse(
        &client,
        "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
        "why",
    )
    .additional_model_request_fields(Document::Object(
        [(
            "thinking".to_string(),
            Document::Object(
                [
                    ("type".to_string(), Document::String("enabled".into())),
                    (
                        "budget_tokens".to_string(),
                        Document::Number(aws_smithy_types::Number::PosInt(1024)),
                    ),
                ]
                .into(),
            ),
        )]
        .into(),
    ))
    .send()
    .await
    .unwrap();
    let content = r.output().unwrap().as_message().unwrap().content();
    let reasoning = content[0].as_reasoning_content().unwrap();
    let rt = reasoning.as_reasoning_text().unwrap();
    assert_eq!(rt.text(), "Thinking about: why");
    assert!(rt.signature().unwrap().starts_with("emu-sig-"));
    assert_eq!(
        content[1].as_text().unwrap(),
        "Hello from the Bedrock emulator. You said: why"
    );

    // Guardrail.
    let mut out = converse_stream(&client, NOVA, "this is BLOCKED content")
        .guardrail_config(
            GuardrailStreamConfiguration::builder()
                .guardrail_identifier("gr1")
                .guardrail_version("DRAFT")
                .trace(GuardrailTrace::Enabled)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let mut stop = None;
    let mut trace = false;
    while let Some(ev) = out.stream.recv().await.unwrap() {
        match &ev {
            ConverseStreamOutput::MessageStop(m) => {
                stop = Some(m.stop_reason().as_str().to_string())
            }
            ConverseStreamOutput::Metadata(m) => {
                trace = m
                    .trace()
                    .and_then(|t| t.guardrail())
                    .and_then(|g| g.input_assessment())
                    .is_some_and(|a| a.contains_key("gr1"))
            }
            _ => {}
        }
    }
    assert_eq!(stop.as_deref(), Some("guardrail_intervened"));
    assert!(trace);

    // Cache write then read.
    let sys = || {
        vec![
            SystemContentBlock::Text("a long system prompt of eight words".into()),
            SystemContentBlock::CachePoint(cache_point()),
        ]
    };
    let mut seen = Vec::new();
    for _ in 0..2 {
        let r = converse(&client, "us.anthropic.claude-sonnet-4-6", "hello")
            .set_system(Some(sys()))
            .send()
            .await
            .unwrap();
        let u = r.usage().unwrap().clone();
        seen.push((
            u.cache_write_input_tokens(),
            u.cache_read_input_tokens(),
            u.input_tokens(),
        ));
    }
    assert_eq!(seen[0], (Some(7), Some(0), 1));
    assert_eq!(seen[1], (Some(0), Some(7), 1));
}

#[tokio::test]
async fn embeddings_and_count_tokens() {
    let (emu, client) = start();
    type DimsOf = fn(&serde_json::Value) -> usize;
    let cases: &[(&str, &str, DimsOf)] = &[
        (
            "amazon.titan-embed-text-v2:0",
            r#"{"inputText":"hello world","dimensions":256,"normalize":true}"#,
            |v| v["embedding"].as_array().unwrap().len(),
        ),
        (
            "amazon.titan-embed-text-v1",
            r#"{"inputText":"hello world"}"#,
            |v| v["embedding"].as_array().unwrap().len(),
        ),
        (
            "cohere.embed-english-v3",
            r#"{"texts":["a","b"],"input_type":"search_document","truncate":"END"}"#,
            |v| v["embeddings"][1].as_array().unwrap().len(),
        ),
        (
            "us.cohere.embed-v4:0",
            r#"{"texts":["a"],"input_type":"search_query","embedding_types":["float"],"output_dimension":512}"#,
            |v| v["embeddings"]["float"][0].as_array().unwrap().len(),
        ),
        (
            "amazon.nova-2-multimodal-embeddings-v1:0",
            r#"{"taskType":"SINGLE_EMBEDDING","singleEmbeddingParams":{"embeddingPurpose":"GENERIC_INDEX","embeddingDimension":1024,"text":{"truncationMode":"END","value":"hi"}}}"#,
            |v| v["embeddings"][0]["embedding"].as_array().unwrap().len(),
        ),
        (
            "twelvelabs.marengo-embed-2-7-v1:0",
            r#"{"inputType":"text","inputText":"hi","textTruncate":"end"}"#,
            |v| v["data"][0]["embedding"].as_array().unwrap().len(),
        ),
    ];
    let expected = [256, 1536, 1024, 512, 1024, 1024];
    for ((model, body, dims), want) in cases.iter().zip(expected) {
        let r = client
            .invoke_model()
            .model_id(*model)
            .content_type("application/json")
            .body(Blob::new(body.as_bytes()))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{model}: {e:?}"));
        let v: serde_json::Value = serde_json::from_slice(r.body().as_ref()).unwrap();
        assert_eq!(dims(&v), want, "{model}");
    }
    let rec = emu.last_request().unwrap();
    assert_eq!(rec.operation, Operation::InvokeModel);
    // Bad dimension.
    let e = client
        .invoke_model()
        .model_id("amazon.titan-embed-text-v2:0")
        .body(Blob::new(r#"{"inputText":"x","dimensions":7}"#))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_validation_exception());

    let r = client
        .count_tokens()
        .model_id("anthropic.claude-sonnet-4-20250514-v1:0")
        .input(aws_sdk_bedrockruntime::types::CountTokensInput::Converse(
            aws_sdk_bedrockruntime::types::ConverseTokensRequest::builder()
                .messages(user("Hello, world!"))
                .build(),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.input_tokens(), 2);
}

#[tokio::test]
async fn http_faults_surface_as_sdk_errors() {
    let (emu, client) = start();
    emu.add_fault(FaultRule {
        operation: Some(Operation::ConverseStream),
        model_id: Some(NOVA.into()),
        times: Some(1),
        fault: Fault::throttling(),
    });
    let e = converse_stream(&client, NOVA, "x")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_throttling_exception(), "{e:?}");
    // Rule expired.
    assert_eq!(collect(&client, NOVA, "x").await.len(), 12);

    // Retries: the SDK retries 5xx (3 attempts) before surfacing.
    let retrying = runtime_client_with(&emu, bedrock_emulator::DEFAULT_SECRET_ACCESS_KEY, true);
    emu.clear_requests();
    emu.add_fault(FaultRule::for_operation(
        Operation::Converse,
        Fault::internal(),
    ));
    let e = converse_error(converse(&retrying, NOVA, "x")).await;
    assert!(e.is_internal_server_exception());
    assert_eq!(emu.count(Operation::Converse), 3);
    emu.clear_faults();

    emu.add_fault(FaultRule::for_operation(
        Operation::Converse,
        Fault::unavailable(),
    ));
    let e = converse_error(converse(&client, NOVA, "x")).await;
    assert!(e.is_service_unavailable_exception());
    emu.clear_faults();

    // Control plane faults.
    let cp = control_client(&emu);
    emu.add_fault(FaultRule::for_operation(
        Operation::ListInferenceProfiles,
        Fault::Http {
            status: 403,
            error_type: "AccessDeniedException".into(),
            message: "User is not authorized to perform: bedrock:ListInferenceProfiles".into(),
        },
    ));
    let e = cp
        .list_inference_profiles()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_access_denied_exception());
    assert!(cp.list_foundation_models().send().await.is_ok());
    emu.add_fault(FaultRule::for_operation(
        Operation::ListFoundationModels,
        Fault::internal(),
    ));
    let e = cp
        .list_foundation_models()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_internal_server_exception());
    emu.clear_faults();

    // Latency fault on the control plane.
    emu.add_fault(FaultRule::for_operation(
        Operation::ListFoundationModels,
        Fault::Latency { ms: 200 },
    ));
    let t = std::time::Instant::now();
    cp.list_foundation_models().send().await.unwrap();
    assert!(t.elapsed() >= Duration::from_millis(200));
}

/// Send a ConverseStream with an `x-emulator-fault` header; returns the events seen and the final error.
async fn stream_with_header(
    client: &aws_sdk_bedrockruntime::Client,
    header: &'static str,
) -> (
    Vec<String>,
    Option<
        aws_sdk_bedrockruntime::error::SdkError<
            ConverseStreamOutputError,
            aws_smithy_types::event_stream::RawMessage,
        >,
    >,
) {
    let mut out = converse_stream(client, NOVA, "one two three four five")
        .customize()
        .mutate_request(move |r| {
            r.headers_mut().insert("x-emulator-fault", header);
        })
        .send()
        .await
        .unwrap_or_else(|e| panic!("send with {header}: {e:?}"));
    let mut names = Vec::new();
    loop {
        match out.stream.recv().await {
            Ok(Some(ev)) => names.push(describe(&ev)),
            Ok(None) => return (names, None),
            Err(e) => return (names, Some(e)),
        }
    }
}

#[tokio::test]
async fn stream_faults_surface_as_stream_errors() {
    let (emu, client) = start();

    let (names, err) = stream_with_header(&client, "exception=3:throttlingException").await;
    assert_eq!(names.len(), 3);
    let err = err.unwrap();
    assert!(matches!(
        err.as_service_error(),
        Some(ConverseStreamOutputError::ThrottlingException(_))
    ));
    let id = emu.last_request().unwrap().id;
    assert_eq!(
        emu.wait_for_stream_outcome(id, Duration::from_secs(5)),
        Some(StreamOutcome::FaultInjected)
    );

    let (_, err) = stream_with_header(&client, "exception=2:modelStreamErrorException").await;
    assert!(matches!(
        err.unwrap().as_service_error(),
        Some(ConverseStreamOutputError::ModelStreamErrorException(_))
    ));
    let (_, err) = stream_with_header(&client, "exception=1:internalServerException").await;
    assert!(matches!(
        err.unwrap().as_service_error(),
        Some(ConverseStreamOutputError::InternalServerException(_))
    ));

    let (names, err) = stream_with_header(&client, "disconnect=4").await;
    assert_eq!(names.len(), 4);
    assert!(!names.iter().any(|n| n.starts_with("messageStop")));
    assert!(err.is_some());

    let (names, err) = stream_with_header(&client, "bad-crc=2").await;
    assert_eq!(names.len(), 2);
    let err = err.unwrap();
    assert!(
        format!("{err:?}").contains("MessageChecksumMismatch"),
        "{err:?}"
    );

    let t = std::time::Instant::now();
    let (names, err) = stream_with_header(&client, "stall=20").await;
    assert!(err.is_none());
    assert!(t.elapsed() >= Duration::from_millis(20 * (names.len() as u64 - 1)));

    let t = std::time::Instant::now();
    let (_, err) = stream_with_header(&client, "first-byte=150").await;
    assert!(err.is_none());
    assert!(t.elapsed() >= Duration::from_millis(150));

    let (names, err) = stream_with_header(&client, "long=5000").await;
    assert!(err.is_none());
    assert_eq!(names.len(), 5004);
    assert_eq!(names[5000], "text:w5000");
}

#[tokio::test]
async fn header_http_fault_on_send() {
    let (_emu, client) = start();
    let e = converse(&client, NOVA, "x")
        .customize()
        .mutate_request(|r| {
            r.headers_mut().insert("x-emulator-fault", "http=429");
        })
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_throttling_exception());
    assert_eq!(
        e.message(),
        Some("Too many requests, please wait before trying again.")
    );
}

#[tokio::test]
async fn client_cancel_midway_is_observed() {
    let (emu, client) = start();
    let mut out = converse_stream(&client, NOVA, "one two three")
        .customize()
        .mutate_request(|r| {
            r.headers_mut()
                .insert("x-emulator-fault", "stall=50;long=1000");
        })
        .send()
        .await
        .unwrap();
    for _ in 0..3 {
        out.stream.recv().await.unwrap().unwrap();
    }
    drop(out);
    let id = emu.last_request().unwrap().id;
    let outcome = tokio::task::spawn_blocking({
        let emu = std::sync::Arc::new(emu);
        move || emu.wait_for_stream_outcome(id, Duration::from_secs(10))
    })
    .await
    .unwrap();
    assert_eq!(outcome, Some(StreamOutcome::ClientDisconnected));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_streams() {
    let (emu, client) = start();
    let mut tasks = Vec::new();
    for i in 0..200 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let mut out = converse_stream(&client, NOVA, &format!("stream {i}"))
                .customize()
                .mutate_request(|r| {
                    r.headers_mut().insert("x-emulator-fault", "stall=5");
                })
                .send()
                .await
                .unwrap();
            let mut text = String::new();
            while let Some(ev) = out.stream.recv().await.unwrap() {
                if let ConverseStreamOutput::ContentBlockDelta(d) = ev {
                    text.push_str(d.delta().unwrap().as_text().unwrap());
                }
            }
            assert_eq!(
                text,
                format!("Hello from the Bedrock emulator. You said: stream {i}")
            );
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(emu.count(Operation::ConverseStream), 200);
}

#[tokio::test]
async fn h2c_prior_knowledge() {
    use http_body_util::BodyExt;
    let emu = Emulator::start(EmulatorOptions::default()).unwrap();
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", emu.port()))
        .await
        .unwrap();
    let (mut sender, conn) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(tcp),
    )
    .await
    .unwrap();
    tokio::spawn(conn);
    let req = http::Request::post(format!(
        "{}/model/amazon.nova-micro-v1%3A0/converse-stream",
        emu.base_url()
    ))
    .header("authorization", "Bearer emulator-test-token")
    .header("content-type", "application/json")
    .body(http_body_util::Full::new(bytes::Bytes::from_static(
        br#"{"messages":[{"role":"user","content":[{"text":"over h2"}]}]}"#,
    )))
    .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    assert_eq!(resp.version(), http::Version::HTTP_2);
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"],
        "application/vnd.amazon.eventstream"
    );
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    let frames = bedrock_emulator::decode_frames(&body).unwrap();
    let text: String = frames
        .iter()
        .filter(|f| {
            f.headers
                .iter()
                .any(|(k, v)| k == ":event-type" && v == "contentBlockDelta")
        })
        .map(|f| {
            let v: serde_json::Value = serde_json::from_slice(&f.payload).unwrap();
            v["delta"]["text"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(text, "Hello from the Bedrock emulator. You said: over h2");
    let last = &frames[frames.len() - 1];
    assert!(last
        .headers
        .contains(&(":event-type".into(), "metadata".into())));
}

#[tokio::test]
async fn tls_with_generated_ca() {
    let emu = Emulator::start(EmulatorOptions {
        tls: true,
        ..Default::default()
    })
    .unwrap();
    assert!(emu.base_url().starts_with("https://localhost:"));
    let pem = std::fs::read(emu.ca_cert_path().unwrap()).unwrap();
    use aws_smithy_http_client::tls;
    let http_client = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::AwsLc,
        ))
        .tls_context(
            tls::TlsContext::builder()
                .with_trust_store(tls::TrustStore::empty().with_pem_certificate(pem))
                .build()
                .unwrap(),
        )
        .build_https();
    let conf = runtime_config(&emu, "us-west-2")
        .credentials_provider(creds(bedrock_emulator::DEFAULT_SECRET_ACCESS_KEY))
        .http_client(http_client)
        .build();
    let client = aws_sdk_bedrockruntime::Client::from_conf(conf);
    let events = collect(&client, NOVA, "secure").await;
    assert_eq!(events[events.len() - 3], "contentBlockStop:0");
    assert_eq!(events[8], "text:secure");
    let r = converse(&client, NOVA, "tls").send().await.unwrap();
    assert_eq!(r.stop_reason().as_str(), "end_turn");
}

#[tokio::test]
async fn replays_oracle_recordings_exactly() {
    let Some(oracle) = oracle_dir() else { return };
    let mut files = Vec::new();
    for sub in ["recorded/pydantic-ai/decoded", "recorded/vercel-ai/decoded"] {
        if let Ok(rd) = std::fs::read_dir(oracle.join(sub)) {
            for e in rd.flatten() {
                let p = e.path();
                if p.to_string_lossy().ends_with(".eventstream.bin") {
                    files.push(p);
                }
            }
        }
    }
    assert!(!files.is_empty());
    let (emu, client) = start();
    for bin in files {
        let bytes = std::fs::read(&bin).unwrap();
        let jsonl = bin
            .to_string_lossy()
            .replace(".eventstream.bin", ".events.jsonl");
        let expected: Vec<serde_json::Value> = std::fs::read_to_string(&jsonl)
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        emu.set_replay(NOVA, bytes.clone());

        // Raw bytes, byte for byte (bearer over HTTP/1.1).
        let (status, _, body) = raw_post(
            &emu,
            "/model/amazon.nova-micro-v1%3A0/converse-stream",
            br#"{"messages":[{"role":"user","content":[{"text":"x"}]}]}"#,
            Some("emulator-test-token"),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(body, bytes, "{}", bin.display());
        let frames = bedrock_emulator::decode_frames(&body).unwrap();
        assert_eq!(frames.len(), expected.len());
        for (f, e) in frames.iter().zip(&expected) {
            for (k, v) in e["headers"].as_object().unwrap() {
                assert!(f
                    .headers
                    .contains(&(k.clone(), v.as_str().unwrap().to_string())));
            }
            let payload: serde_json::Value = serde_json::from_slice(&f.payload).unwrap();
            assert_eq!(payload, e["payload"], "{}", bin.display());
        }

        // Through the SDK: same event sequence (or the same exception).
        let mut out = converse_stream(&client, NOVA, "x").send().await.unwrap();
        let mut seen = Vec::new();
        loop {
            match out.stream.recv().await {
                Ok(Some(ev)) => seen.push(
                    match ev {
                        ConverseStreamOutput::MessageStart(_) => "messageStart",
                        ConverseStreamOutput::ContentBlockStart(_) => "contentBlockStart",
                        ConverseStreamOutput::ContentBlockDelta(_) => "contentBlockDelta",
                        ConverseStreamOutput::ContentBlockStop(_) => "contentBlockStop",
                        ConverseStreamOutput::MessageStop(_) => "messageStop",
                        ConverseStreamOutput::Metadata(_) => "metadata",
                        _ => "unknown",
                    }
                    .to_string(),
                ),
                Ok(None) => break,
                Err(e) => {
                    let name = match e.as_service_error() {
                        Some(ConverseStreamOutputError::ModelStreamErrorException(_)) => {
                            "modelStreamErrorException"
                        }
                        Some(ConverseStreamOutputError::ThrottlingException(_)) => {
                            "throttlingException"
                        }
                        _ => "error",
                    };
                    seen.push(name.to_string());
                    break;
                }
            }
        }
        let want: Vec<String> = expected
            .iter()
            .map(|e| {
                e["headers"][":event-type"]
                    .as_str()
                    .or(e["headers"][":exception-type"].as_str())
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(seen, want, "{}", bin.display());
    }
}

#[test]
fn works_from_sync_code_and_drops_cleanly() {
    let emu = Emulator::start(EmulatorOptions {
        latency: Some(Duration::from_millis(1)),
        ..Default::default()
    })
    .unwrap();
    let port = emu.port();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        assert_eq!(collect(&runtime_client(&emu), NOVA, "sync").await.len(), 12);
    });
    drop(emu);
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}

#[test]
fn custom_catalog_dir() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("foundation-models.json"),
        r#"{"modelSummaries":[{"modelArn":"arn:aws:bedrock:us-east-1::foundation-model/x.y-v1","modelId":"x.y-v1","modelName":"XY","providerName":"X","inputModalities":["TEXT"],"outputModalities":["TEXT"],"responseStreamingSupported":true,"customizationsSupported":[],"inferenceTypesSupported":["ON_DEMAND"],"modelLifecycle":{"status":"ACTIVE"}}]}"#,
    )
    .unwrap();
    let emu = Emulator::start(EmulatorOptions {
        catalog: Some(dir.path().to_path_buf()),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(emu.catalog().models.len(), 1);
    assert!(emu.catalog().profiles.is_empty());
    let bad = tempfile::tempdir().unwrap();
    assert!(Emulator::start(EmulatorOptions {
        catalog: Some(bad.path().to_path_buf()),
        ..Default::default()
    })
    .is_err());
    let c = format!("{:?}", bedrock_emulator::Credentials::default());
    assert!(!c.contains("wJalr") && !c.contains("emulator-test-token"));
}
