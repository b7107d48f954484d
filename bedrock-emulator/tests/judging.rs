//! Bedrock's judgement through the real AWS SDK for Rust: the real error texts
//! (../shared/oracle/real-error-messages.md), prompt caching (CACHE-13, CACHE-14; 6a–6d) with
//! cache usage numbers, the access policy (8b), ApplyGuardrail, and GetInferenceProfile with
//! application profiles.

mod common;

use aws_sdk_bedrockruntime::error::ProvideErrorMetadata;
use aws_sdk_bedrockruntime::types::{
    CachePointBlock, CachePointType, CacheTtl, ContentBlock, ConversationRole,
    ConverseStreamOutput, GuardrailAction, GuardrailContentBlock, GuardrailContentSource,
    GuardrailTextBlock, InferenceConfiguration, Message, SystemContentBlock, Tool,
    ToolConfiguration, ToolInputSchema, ToolSpecification,
};
use aws_smithy_types::Document;
use bedrock_emulator::{
    iam_action, AccessPolicy, Credentials, Emulator, EmulatorOptions, Fault, FaultRule, Operation,
    DEFAULT_ACCESS_KEY_ID, DEFAULT_BEARER_TOKEN,
};
use common::*;

const NOVA: &str = "amazon.nova-micro-v1:0";
const SONNET: &str = "us.anthropic.claude-sonnet-4-6";
const APP_PROFILE: &str =
    "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/mi1dadi0g15f";
const CORAL: &str = "http://internal.amazon.com/coral/com.amazon.coral.service/";
const BEDROCK: &str = "http://internal.amazon.com/coral/com.amazon.bedrock/";

fn message_text(se: &aws_sdk_bedrockruntime::operation::converse::ConverseError) -> String {
    se.message().unwrap_or_default().to_string()
}

#[tokio::test]
async fn bearer_key_failures_1a_1b_1c() {
    let emu = Emulator::start(EmulatorOptions {
        credentials: Credentials {
            expired_bearer_tokens: vec!["bedrock-api-key-expired".into()],
            ..Credentials::default()
        },
        ..Default::default()
    })
    .unwrap();
    let cases = [
        (
            "ABSKbm90LWEta2V5",
            "Authentication failed: Please make sure your API Key is valid.",
        ),
        (
            "bedrock-api-key-wrong",
            "Authentication failed: Please make sure your API Key is valid.",
        ),
        (
            "nope",
            "Invalid API Key format: Must start with pre-defined prefix",
        ),
        ("bedrock-api-key-expired", "Bearer Token has expired"),
    ];
    for (token, expected) in cases {
        let se = converse_error(converse(&bearer_client(&emu, token), NOVA, "hi")).await;
        assert_eq!(se.code(), Some("AccessDeniedException"), "{token}");
        assert_eq!(se.message(), Some(expected), "{token}");
        let (status, et, body) = raw_request(
            &emu,
            "POST",
            "/model/amazon.nova-micro-v1%3A0/converse",
            "{}",
            Some(token),
        )
        .await;
        assert_eq!(status, 403);
        assert_eq!(et.unwrap(), format!("AccessDeniedException:{CORAL}"));
        assert_eq!(body, serde_json::json!({ "Message": expected }));
    }
    // The emulator's own key stays valid although it has no real prefix.
    converse(&bearer_client(&emu, DEFAULT_BEARER_TOKEN), NOVA, "hi")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn model_errors_use_the_bedrock_namespace_and_lower_case_message() {
    let emu = Emulator::start(EmulatorOptions::default()).unwrap();
    let (status, et, body) = raw_request(
        &emu,
        "POST",
        "/model/anthropic.claude-sonnet-4-6/converse",
        r#"{"messages":[{"role":"user","content":[{"text":"hi"}]}]}"#,
        Some(DEFAULT_BEARER_TOKEN),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(et.unwrap(), format!("ValidationException:{BEDROCK}"));
    assert_eq!(
        body["message"],
        "Invocation of model ID anthropic.claude-sonnet-4-6 with on-demand throughput isn\u{2019}t supported. Retry your request with the ID or ARN of an inference profile that contains this model."
    );
}

#[tokio::test]
async fn br_01_br_02_tier_06_validation_texts_are_bedrocks() {
    let (_emu, client) = start();
    let cases: Vec<(_, &str)> = vec![
        (
            converse(&client, "amazon.titan-embed-text-v2:0", "hi"),
            "This action doesn't support the model that you provided. Try again with a supported text or chat model.",
        ),
        (
            converse(&client, "us.anthropic.claude-opus-4-7", "hi")
                .inference_config(InferenceConfiguration::builder().temperature(0.5).build()),
            "The model returned the following errors: `temperature` is deprecated for this model.",
        ),
        (
            converse(&client, SONNET, "hi").inference_config(
                InferenceConfiguration::builder()
                    .temperature(0.5)
                    .top_p(0.9)
                    .build(),
            ),
            "The model returned the following errors: `temperature` and `top_p` cannot both be specified for this model. Please use only one.",
        ),
        (
            converse(&client, "us.anthropic.claude-opus-4-7", "hi").service_tier(
                aws_sdk_bedrockruntime::types::ServiceTier::builder()
                    .r#type(aws_sdk_bedrockruntime::types::ServiceTierType::Reserved)
                    .build()
                    .unwrap(),
            ),
            "The provided service tier is not supported for this model.",
        ),
    ];
    for (request, expected) in cases {
        let se = converse_error(request).await;
        assert!(se.is_validation_exception(), "{se:?}");
        assert_eq!(message_text(&se), expected);
    }
    let se = converse_stream(&client, "ai21.j2-ultra-v1", "hi")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(se.is_validation_exception());
    assert_eq!(
        se.message(),
        Some("The model is unsupported for streaming.")
    );
}

#[tokio::test]
async fn throttles_unavailable_and_not_ready() {
    let (emu, client) = start();
    let cases = [
        (Fault::throttling_tokens(), "Too many tokens, please wait before trying again."),
        (Fault::throttling_requests_long(), "Too many requests, please wait before trying again. You have sent too many requests.  Wait before trying again."),
        (Fault::throttling(), "Too many requests, please wait before trying again."),
        (Fault::daily_tokens(), "Too many tokens per day, please wait before trying again."),
    ];
    for (fault, expected) in cases {
        emu.clear_faults();
        emu.add_fault(FaultRule::always(fault));
        let se = converse_error(converse(&client, NOVA, "hi")).await;
        assert!(se.is_throttling_exception(), "{se:?}");
        assert_eq!(se.message(), Some(expected));
    }
    emu.clear_faults();
    emu.add_fault(FaultRule::always(Fault::unavailable()));
    let se = converse_error(converse(&client, NOVA, "hi")).await;
    assert!(se.is_service_unavailable_exception());
    assert_eq!(
        se.message(),
        Some("Bedrock is unable to process your request.")
    );
    emu.clear_faults();
    emu.add_fault(FaultRule::always(Fault::model_not_ready()));
    let se = converse_error(converse(&client, NOVA, "hi")).await;
    assert!(se.is_model_not_ready_exception(), "{se:?}");
    assert_eq!(
        se.message(),
        Some("Model is not ready for inference. Wait and try your request again.")
    );
}

fn cp() -> CachePointBlock {
    cache_point()
}

fn cp_ttl(ttl: CacheTtl) -> CachePointBlock {
    CachePointBlock::builder()
        .r#type(CachePointType::Default)
        .ttl(ttl)
        .build()
        .unwrap()
}

fn message(role: ConversationRole, content: Vec<ContentBlock>) -> Message {
    Message::builder()
        .role(role)
        .set_content(Some(content))
        .build()
        .unwrap()
}

fn text(t: &str) -> ContentBlock {
    ContentBlock::Text(t.to_string())
}

fn tools(with_point: bool) -> ToolConfiguration {
    let spec = ToolSpecification::builder()
        .name("lookup")
        .input_schema(ToolInputSchema::Json(Document::Object(Default::default())))
        .build()
        .unwrap();
    let mut b = ToolConfiguration::builder().tools(Tool::ToolSpec(spec));
    if with_point {
        b = b.tools(Tool::CachePoint(cp()));
    }
    b.build().unwrap()
}

#[tokio::test]
async fn cache_12_13_14_caching_rules_6a_to_6d() {
    let (_emu, client) = start();
    let user = |content| message(ConversationRole::User, content);
    let send = |model: &str, content: Vec<ContentBlock>| {
        client.converse().model_id(model).messages(user(content))
    };
    // 6c: no prompt caching on Llama → 403.
    let se = converse_error(send(
        "meta.llama3-70b-instruct-v1:0",
        vec![text("a"), ContentBlock::CachePoint(cp())],
    ))
    .await;
    assert!(se.is_access_denied_exception(), "{se:?}");
    assert_eq!(message_text(&se), "You invoked an unsupported model or your request did not allow prompt caching. See the documentation for more information.");
    // 6b: any ttl on Nova.
    for ttl in [CacheTtl::FiveMinutes, CacheTtl::OneHour] {
        let se = converse_error(send(
            NOVA,
            vec![text("a"), ContentBlock::CachePoint(cp_ttl(ttl))],
        ))
        .await;
        assert_eq!(
            message_text(&se),
            "Extended TTL prompt caching is only supported for Anthropic models"
        );
    }
    // 6d: Nova tools.
    let se = converse_error(send(NOVA, vec![text("a")]).tool_config(tools(true))).await;
    assert_eq!(message_text(&se), "Malformed input request: #/toolConfig/tools/1: extraneous key [cachePoint] is not permitted, please reformat your input and try again.");
    send(SONNET, vec![text("a")])
        .tool_config(tools(true))
        .send()
        .await
        .unwrap();
    // CACHE-13: index 0 of a message, and of the system list.
    let se = converse_error(send(
        SONNET,
        vec![ContentBlock::CachePoint(cp()), text("a")],
    ))
    .await;
    assert!(se.is_validation_exception());
    assert_eq!(
        message_text(&se),
        "There is nothing available to cache. Please remove the invalid cache point and try again."
    );
    let se = converse_error(
        send(SONNET, vec![text("a")])
            .system(SystemContentBlock::CachePoint(cp()))
            .system(SystemContentBlock::Text("s".into())),
    )
    .await;
    assert_eq!(
        message_text(&se),
        "There is nothing available to cache. Please remove the invalid cache point and try again."
    );
    // CACHE-13: directly after a non-PDF document.
    let doc = |format| {
        ContentBlock::Document(
            aws_sdk_bedrockruntime::types::DocumentBlock::builder()
                .format(format)
                .name("notes")
                .source(aws_sdk_bedrockruntime::types::DocumentSource::Bytes(
                    aws_smithy_types::Blob::new("x"),
                ))
                .build()
                .unwrap(),
        )
    };
    use aws_sdk_bedrockruntime::types::DocumentFormat;
    let se = converse_error(send(
        SONNET,
        vec![
            text("a"),
            doc(DocumentFormat::Txt),
            ContentBlock::CachePoint(cp()),
        ],
    ))
    .await;
    assert_eq!(
        message_text(&se),
        "The model returned the following errors: messages.0.content.2.type: Field required"
    );
    send(
        SONNET,
        vec![
            text("a"),
            doc(DocumentFormat::Pdf),
            ContentBlock::CachePoint(cp()),
        ],
    )
    .send()
    .await
    .unwrap();
    // CACHE-14: 1h after a 5m point (tools → system → messages).
    let se = converse_error(
        send(
            SONNET,
            vec![
                text("a"),
                ContentBlock::CachePoint(cp_ttl(CacheTtl::OneHour)),
            ],
        )
        .system(SystemContentBlock::Text("s".into()))
        .system(SystemContentBlock::CachePoint(cp())),
    )
    .await;
    assert!(message_text(&se).contains(
        "a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block"
    ));
    send(SONNET, vec![text("a"), ContentBlock::CachePoint(cp())])
        .system(SystemContentBlock::Text("s".into()))
        .system(SystemContentBlock::CachePoint(cp_ttl(CacheTtl::OneHour)))
        .send()
        .await
        .unwrap();
    // 6a: a fifth point.
    let content = (0..5)
        .flat_map(|i| [text(&format!("t{i}")), ContentBlock::CachePoint(cp())])
        .collect();
    let se = converse_error(send(SONNET, content)).await;
    assert_eq!(message_text(&se), "The model returned the following errors: A maximum of 4 blocks with cache_control may be provided. Found 5.");
}

/// (cacheWriteInputTokens, cacheReadInputTokens, inputTokens) of a stream's metadata.
async fn stream_cache_usage(
    client: &aws_sdk_bedrockruntime::Client,
    system: &[SystemContentBlock],
    messages: Vec<Message>,
) -> (i32, i32, i32) {
    let mut out = client
        .converse_stream()
        .model_id(SONNET)
        .set_system(Some(system.to_vec()))
        .set_messages(Some(messages))
        .send()
        .await
        .unwrap();
    let mut usage = None;
    while let Some(ev) = out.stream.recv().await.unwrap() {
        if let ConverseStreamOutput::Metadata(m) = ev {
            usage = m.usage().cloned();
        }
    }
    let u = usage.unwrap();
    (
        u.cache_write_input_tokens().unwrap(),
        u.cache_read_input_tokens().unwrap(),
        u.input_tokens(),
    )
}

#[tokio::test]
async fn use_01_cache_read_and_write_usage_across_turns() {
    let (emu, client) = start();
    let system = [
        SystemContentBlock::Text("you are a careful assistant".into()),
        SystemContentBlock::CachePoint(cp()),
    ];
    let turn1 = vec![message(
        ConversationRole::User,
        vec![text("first question here"), ContentBlock::CachePoint(cp())],
    )];
    // First sight: system (5) + message (3) written, nothing uncached.
    assert_eq!(
        stream_cache_usage(&client, &system, turn1.clone()).await,
        (8, 0, 0)
    );
    let mut turn2 = turn1.clone();
    turn2.push(message(
        ConversationRole::Assistant,
        vec![text("an answer")],
    ));
    turn2.push(message(
        ConversationRole::User,
        vec![
            text("second"),
            ContentBlock::CachePoint(cp()),
            text("volatile tail"),
        ],
    ));
    // Repeat of the first prefix (8) read; the new part (2 + 1) written; the tail (2) uncached.
    assert_eq!(
        stream_cache_usage(&client, &system, turn2.clone()).await,
        (3, 8, 2)
    );
    // Converse reports the same accounting.
    let r = client
        .converse()
        .model_id(SONNET)
        .set_system(Some(system.to_vec()))
        .set_messages(Some(turn2.clone()))
        .send()
        .await
        .unwrap();
    let u = r.usage().unwrap();
    assert_eq!(
        (
            u.cache_write_input_tokens(),
            u.cache_read_input_tokens(),
            u.input_tokens(),
            u.total_tokens()
        ),
        (Some(0), Some(11), 2, 2 + 11 + u.output_tokens())
    );
    assert!(u.cache_details().is_empty(), "nothing written");
    let one_hour = [
        SystemContentBlock::Text("a fresh system prompt".into()),
        SystemContentBlock::CachePoint(cp_ttl(CacheTtl::OneHour)),
    ];
    let r = client
        .converse()
        .model_id(SONNET)
        .set_system(Some(one_hour.to_vec()))
        .set_messages(Some(turn1.clone()))
        .send()
        .await
        .unwrap();
    let details: Vec<_> = r
        .usage()
        .unwrap()
        .cache_details()
        .iter()
        .map(|d| (d.ttl().as_str().to_string(), d.input_tokens()))
        .collect();
    assert_eq!(details, [("1h".to_string(), 4), ("5m".to_string(), 3)]);
    // Another caller has its own cache.
    let other = bearer_client(&emu, DEFAULT_BEARER_TOKEN);
    assert_eq!(
        stream_cache_usage(&other, &system, turn2.clone()).await,
        (11, 0, 2)
    );
    // The default TTL is 5 minutes.
    emu.advance_prompt_cache_clock(std::time::Duration::from_secs(301));
    assert_eq!(
        stream_cache_usage(&client, &system, turn2).await,
        (11, 0, 2)
    );
}

#[tokio::test]
async fn access_policy_denies_with_iam_text() {
    let emu = Emulator::start(EmulatorOptions {
        policy: AccessPolicy::new().deny(DEFAULT_ACCESS_KEY_ID, [Operation::ListFoundationModels]),
        ..Default::default()
    })
    .unwrap();
    let client = runtime_client(&emu);
    emu.deny(
        DEFAULT_ACCESS_KEY_ID,
        &[Operation::ConverseStream, Operation::CountTokens],
    );
    let se = converse_stream(&client, NOVA, "ping")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(se.is_access_denied_exception(), "{se:?}");
    assert_eq!(
        se.message(),
        Some("User: arn:aws:iam::123456789012:user/emulator is not authorized to perform: bedrock:InvokeModelWithResponseStream on resource: arn:aws:bedrock:eu-west-1::foundation-model/amazon.nova-micro-v1:0 because no identity-based policy allows the bedrock:InvokeModelWithResponseStream action")
    );
    assert_eq!(emu.last_request().unwrap().status, 403);
    // Converse is another action and stays allowed.
    converse(&client, NOVA, "ping").send().await.unwrap();
    let ct = client
        .count_tokens()
        .model_id(SONNET)
        .input(aws_sdk_bedrockruntime::types::CountTokensInput::Converse(
            aws_sdk_bedrockruntime::types::ConverseTokensRequest::builder()
                .messages(user("ping"))
                .build(),
        ))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(ct.is_access_denied_exception());
    assert!(ct.message().unwrap().contains("bedrock:CountTokens on resource: arn:aws:bedrock:eu-west-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-6 because"));
    let cp = control_client(&emu);
    let e = cp
        .list_foundation_models()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_access_denied_exception());
    assert_eq!(e.message(), Some("User: arn:aws:iam::123456789012:user/emulator is not authorized to perform: bedrock:ListFoundationModels because no identity-based policy allows the bedrock:ListFoundationModels action"));
    cp.list_inference_profiles()
        .max_results(1)
        .send()
        .await
        .unwrap();
    // The wire form: coral.service namespace, capital Message.
    emu.deny(DEFAULT_BEARER_TOKEN, &[Operation::Converse]);
    let (status, et, body) = raw_request(
        &emu,
        "POST",
        "/model/amazon.nova-micro-v1%3A0/converse",
        r#"{"messages":[{"role":"user","content":[{"text":"hi"}]}]}"#,
        Some(DEFAULT_BEARER_TOKEN),
    )
    .await;
    assert_eq!(
        (status, et.unwrap()),
        (403, format!("AccessDeniedException:{CORAL}"))
    );
    assert_eq!(body["Message"], "User: arn:aws:iam::123456789012:user/BedrockAPIKey-emulator is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0 because no identity-based policy allows the bedrock:InvokeModel action");
    emu.allow(DEFAULT_ACCESS_KEY_ID);
    converse_stream(&client, NOVA, "ping").send().await.unwrap();
    assert_eq!(
        iam_action(Operation::ApplyGuardrail),
        "bedrock:ApplyGuardrail"
    );
}

fn guardrail_text(t: &str) -> GuardrailContentBlock {
    GuardrailContentBlock::Text(GuardrailTextBlock::builder().text(t).build().unwrap())
}

#[tokio::test]
async fn apply_guardrail_none_intervened_and_unknown() {
    let emu = Emulator::start(EmulatorOptions {
        guardrails: vec!["startupguardrail".into()],
        ..Default::default()
    })
    .unwrap();
    let client = runtime_client(&emu);
    let apply = |id: &str, t: &str| {
        client
            .apply_guardrail()
            .guardrail_identifier(id)
            .guardrail_version("DRAFT")
            .source(GuardrailContentSource::Input)
            .content(guardrail_text(t))
    };
    let r = apply("abc123", "ping").send().await.unwrap();
    assert_eq!(r.action(), &GuardrailAction::None);
    assert!(r.outputs().is_empty());
    let r = apply("startupguardrail", "this is BLOCKED")
        .send()
        .await
        .unwrap();
    assert_eq!(r.action(), &GuardrailAction::GuardrailIntervened);
    assert_eq!(
        r.outputs()[0].text(),
        Some("Sorry, the model cannot answer this question.")
    );
    let topics = r.assessments()[0].topic_policy().unwrap().topics();
    assert_eq!(topics[0].name(), "emulator-blocked-topic");
    let e = apply("unknownguardrail", "ping")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_resource_not_found_exception(), "{e:?}");
    emu.add_guardrail("unknownguardrail");
    apply("unknownguardrail", "ping").send().await.unwrap();
    let recorded = emu.requests_for(Operation::ApplyGuardrail);
    assert_eq!(recorded.len(), 4);
    assert_eq!(recorded[0].model_id.as_deref(), Some("abc123"));
    emu.deny("*", &[Operation::ApplyGuardrail]);
    let e = apply("abc123", "ping")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_access_denied_exception());
    assert!(e.message().unwrap().contains("bedrock:ApplyGuardrail on resource: arn:aws:bedrock:eu-west-1:123456789012:guardrail/abc123"));
}

#[tokio::test]
async fn application_profiles_resolve_and_serve() {
    let (emu, client) = start();
    let cp = control_client(&emu);
    let p = cp
        .get_inference_profile()
        .inference_profile_identifier(APP_PROFILE)
        .send()
        .await
        .unwrap();
    assert_eq!(p.r#type().as_str(), "APPLICATION");
    assert!(p.models()[0]
        .model_arn()
        .unwrap()
        .ends_with("foundation-model/anthropic.claude-sonnet-4-6"));
    let by_id = cp
        .get_inference_profile()
        .inference_profile_identifier("us.anthropic.claude-sonnet-4-6")
        .send()
        .await
        .unwrap();
    assert_eq!(by_id.r#type().as_str(), "SYSTEM_DEFINED");
    let e = cp
        .get_inference_profile()
        .inference_profile_identifier("no-such-profile")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_resource_not_found_exception(), "{e:?}");
    assert_eq!(emu.count(Operation::GetInferenceProfile), 3);
    // Served by the backing model, and judged by its rules (Sonnet 4.6: temperature + top_p).
    let r = converse(&client, APP_PROFILE, "hi").send().await.unwrap();
    assert!(r.output().unwrap().as_message().unwrap().content()[0]
        .as_text()
        .unwrap()
        .ends_with("You said: hi"));
    let events = drain(
        converse_stream(&client, APP_PROFILE, "hi")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(events.contains(&"messageStop:end_turn".to_string()));
    let se = converse_error(
        converse(&client, APP_PROFILE, "hi").inference_config(
            InferenceConfiguration::builder()
                .temperature(0.5)
                .top_p(0.5)
                .build(),
        ),
    )
    .await;
    assert!(message_text(&se).contains("`temperature` and `top_p` cannot both be specified"));
    let ct = client
        .count_tokens()
        .model_id(APP_PROFILE)
        .input(aws_sdk_bedrockruntime::types::CountTokensInput::Converse(
            aws_sdk_bedrockruntime::types::ConverseTokensRequest::builder()
                .messages(user("three words here"))
                .build(),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(ct.input_tokens(), 3);
    // Runtime calls never count as control-plane lookups.
    assert_eq!(emu.count(Operation::GetInferenceProfile), 3);
}
