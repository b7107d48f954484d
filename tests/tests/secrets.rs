//! CFG-04, AUTH-30, PLG-12, PLG-13: distinctive secrets (access key id, secret key, session
//! token, bearer token, an env-referenced secret, an endpoint password) run through the built
//! cdylib's chat, models, status, doctor, embedding and error paths with every plugin log
//! record at TRACE, and none of them appears in any output, error, log record or `Debug`
//! rendering; the access key id shows up only as its last 4 characters. One test per binary:
//! it installs the global subscriber.

mod common;

use std::sync::{Arc, Mutex};

use bedrock_emulator::{Credentials, Emulator, EmulatorOptions};
use common::*;
use plugin_api::abi_stable::std_types::{ROption, RString, RVec};
use plugin_api::embedding::EmbeddingProviderRequest;
use plugin_api::traits::ListModelsOptions;
use serde_json::{json, Value};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

const ACCESS_KEY_ID: &str = "ASIAE2ESECRETSTEST7K9Q";
const ACCESS_KEY_HINT: &str = "****7K9Q";
const SECRET_KEY: &str = "e2eSecretAccessKey/Distinct+Value0123456789";
const SESSION_TOKEN: &str = "e2eSessionTokenDistinctValue0123456789ZZ";
const BEARER_TOKEN: &str = "e2e-bearer-token-distinct-value-4242";
const WRONG_SECRET_KEY: &str = "e2eWrongSecretAccessKeyDistinct0123456789";
const WRONG_BEARER_TOKEN: &str = "e2e-wrong-bearer-token-distinct-9999";
const ENDPOINT_PASSWORD: &str = "e2eEndpointPasswordDistinct77";
/// The env variable `awsSecretKey` references (CFG-01/02).
const SECRET_KEY_VAR: &str = "E2E_SECRETS_TEST_SECRET_ACCESS_KEY";

fn secrets() -> [&'static str; 7] {
    [
        ACCESS_KEY_ID,
        SECRET_KEY,
        SESSION_TOKEN,
        BEARER_TOKEN,
        WRONG_SECRET_KEY,
        WRONG_BEARER_TOKEN,
        ENDPOINT_PASSWORD,
    ]
}

/// Every plugin record (the host harness re-emits them as `plugin event`s) with its fields.
#[derive(Clone, Default)]
struct PluginRecords(Arc<Mutex<Vec<String>>>);

struct AllFields(String);

impl Visit for AllFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push_str(&format!(" {}={}", field.name(), value));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={:?}", field.name(), value));
    }
}

impl<S: tracing::Subscriber> Layer<S> for PluginRecords {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        if event.metadata().name() != "plugin event" {
            return;
        }
        let mut fields = AllFields(format!(
            "{} {}:",
            event.metadata().level(),
            event.metadata().target()
        ));
        event.record(&mut fields);
        self.0.lock().expect("records").push(fields.0);
    }
}

/// Fails naming the secret and where it leaked.
fn assert_clean(what: &str, text: &str) {
    for secret in secrets() {
        assert!(!text.contains(secret), "{what} contains {secret}:\n{text}");
    }
}

fn sigv4_config(emu: &Emulator, extra: Value) -> Value {
    let mut config = json!({
        "awsAuthentication": "credentials",
        "awsAccessKey": ACCESS_KEY_ID,
        "awsSecretKey": {"source": "env", "id": SECRET_KEY_VAR},
        "awsSessionToken": SESSION_TOKEN,
        "awsRegion": "us-east-1",
        "awsBedrockEndpoint": emu.base_url(),
        "awsBedrockControlPlaneEndpoint": emu.base_url(),
        "discovery": {"enabled": true}
    });
    if let (Some(base), Some(extra)) = (config.as_object_mut(), extra.as_object()) {
        for (key, value) in extra {
            base.insert(key.clone(), value.clone());
        }
    }
    config
}

/// `host_config` with the plugin config replaced whole (the helper merges over static keys).
fn host_config_with(emu: &Emulator, plugin_config: Value) -> host_harness::config::HostConfig {
    let mut raw = host_config(emu, json!({})).raw().clone();
    raw["plugins"]["entries"][PLUGIN_ID]["config"] = plugin_config;
    host_harness::config::HostConfig::from_value(raw).expect("valid host config")
}

async fn chat_text_or_error(plugin: &host_harness::host::LoadedPlugin) -> String {
    match plugin.stream_chat(chat_request(MODEL, "keep my secrets")) {
        Ok(stream) => {
            let events = collect(stream).await;
            format!("{} {events:?}", text_of(&events))
        }
        Err(error) => format!("{error} {error:?}"),
    }
}

#[test]
fn cfg_04_auth_30_plg_13_no_secret_leaves_the_plugin_at_trace() {
    let records = PluginRecords::default();
    tracing_subscriber::registry()
        .with(records.clone().with_filter(EnvFilter::new("trace")))
        .init();
    // Set before any plugin thread reads the environment; the plugin resolves it per call.
    std::env::set_var(SECRET_KEY_VAR, format!("  {SECRET_KEY}  "));

    let installed = install(|_| {});
    let emu = Emulator::start(EmulatorOptions {
        credentials: Credentials {
            access_key_id: ACCESS_KEY_ID.to_owned(),
            secret_access_key: SECRET_KEY.to_owned(),
            session_token: Some(SESSION_TOKEN.to_owned()),
            bearer_token: BEARER_TOKEN.to_owned(),
            expired_bearer_tokens: Vec::new(),
        },
        ..EmulatorOptions::default()
    })
    .expect("emulator");
    let runtime = runtime();
    let mut outputs: Vec<(&str, String)> = Vec::new();

    // SigV4 with static keys, the secret key from the env: chat, models, status, doctor, embed.
    let sigv4 = load(
        &installed,
        &host_config_with(&emu, sigv4_config(&emu, json!({}))),
    )
    .expect("plugin loads");
    runtime.block_on(async {
        let chat = chat_text_or_error(&sigv4).await;
        assert!(
            chat.starts_with("Hello from the Bedrock emulator. You said: keep my secrets"),
            "{chat}"
        );
        outputs.push(("sigv4 chat", chat));
        let models = sigv4
            .list_models(ListModelsOptions {
                strict: true,
                force_refresh: true,
                extensions: Default::default(),
            })
            .await
            .expect("discovery through the control-plane endpoint");
        assert!(!models.models.is_empty());
        outputs.push(("models", format!("{models:?}")));
        let doctor = sigv4.doctor().await.expect("doctor report");
        outputs.push(("doctor", format!("{doctor:?}")));
        let provider = sigv4
            .embedding_provider(EmbeddingProviderRequest {
                model: "bedrock/amazon.titan-embed-text-v2:0".into(),
                output_dimensionality: ROption::RSome(256),
                base_url: ROption::RNone,
                family: ROption::RNone,
                extensions: Default::default(),
            })
            .expect("provider created")
            .expect("bedrock offers an embedding provider");
        let batch: RVec<RString> = ["a secret-free note"]
            .into_iter()
            .map(RString::from)
            .collect();
        let embedded = host_harness::waker::PendingFuture::new(provider.embed_batch(batch)).await;
        assert!(embedded.is_ok(), "{embedded:?}");
        outputs.push(("embed", format!("{:?}", embedded.map(|e| e.vectors.len()))));
    });
    outputs.push(("status", format!("{:?}", sigv4.status())));

    // Bearer token from the config (AUTH-04).
    let bearer = load(
        &installed,
        &host_config_with(
            &emu,
            json!({
                "awsAuthentication": "apikey",
                "awsBedrockApiKey": BEARER_TOKEN,
                "awsRegion": "us-east-1",
                "awsBedrockEndpoint": emu.base_url(),
                "discovery": {"enabled": false}
            }),
        ),
    )
    .expect("plugin loads");
    runtime.block_on(async {
        let chat = chat_text_or_error(&bearer).await;
        assert!(
            chat.starts_with("Hello from the Bedrock emulator."),
            "{chat}"
        );
        outputs.push(("bearer chat", chat));
    });
    outputs.push(("bearer status", format!("{:?}", bearer.status())));

    // Error paths: a wrong secret key, a wrong bearer token.
    let wrong_secret = load(
        &installed,
        &host_config_with(
            &emu,
            sigv4_config(&emu, json!({"awsSecretKey": WRONG_SECRET_KEY})),
        ),
    )
    .expect("plugin loads");
    let wrong_bearer = load(
        &installed,
        &host_config_with(
            &emu,
            json!({
                "awsBedrockApiKey": WRONG_BEARER_TOKEN,
                "awsRegion": "us-east-1",
                "awsBedrockEndpoint": emu.base_url(),
                "discovery": {"enabled": false}
            }),
        ),
    )
    .expect("plugin loads");
    runtime.block_on(async {
        for (what, plugin) in [
            ("wrong secret chat", &wrong_secret),
            ("wrong bearer chat", &wrong_bearer),
        ] {
            let chat = chat_text_or_error(plugin).await;
            assert!(!chat.starts_with("Hello"), "{what} must fail: {chat}");
            outputs.push((what, chat));
        }
        let models = wrong_secret
            .list_models(ListModelsOptions {
                strict: true,
                force_refresh: true,
                extensions: Default::default(),
            })
            .await;
        assert!(models.is_err());
        outputs.push(("wrong secret models", format!("{models:?}")));
        outputs.push((
            "wrong secret doctor",
            format!("{:?}", wrong_secret.doctor().await),
        ));
    });

    // A config the host rejects: an endpoint with a password, next to literal secrets.
    let rejected = load(
        &installed,
        &host_config_with(
            &emu,
            sigv4_config(
                &emu,
                json!({
                    "awsSecretKey": SECRET_KEY,
                    "awsBedrockEndpoint": format!("https://svc:{ENDPOINT_PASSWORD}@bedrock.example")
                }),
            ),
        ),
    );
    let rejected = match rejected {
        Ok(_) => panic!("a userinfo endpoint must be rejected"),
        Err(error) => format!("{error} {error:?}"),
    };
    assert!(
        rejected.contains("awsBedrockEndpoint: must not contain userinfo (user:password@)"),
        "{rejected}"
    );
    outputs.push(("rejected config", rejected));

    // Debug output of the plugin's config types, parsed as the plugin parses them.
    let literal_config = sigv4_config(&emu, json!({"awsSecretKey": SECRET_KEY}));
    let parsed = bedrock_plugin::config::PluginConfig::from_json(&literal_config)
        .expect("valid plugin config");
    outputs.push(("PluginConfig Debug", format!("{parsed:?} {parsed:#?}")));
    let settings = bedrock_plugin::settings::Settings::parse(&literal_config.to_string(), "{}")
        .expect("valid settings");
    outputs.push(("Settings Debug", format!("{settings:?}")));
    let env = bedrock_plugin::env::EnvSnapshot::capture();
    let auth = bedrock_plugin::aws::auth::resolve(&parsed, &env, Default::default())
        .expect("static keys resolve");
    outputs.push(("AuthResolution Debug", format!("{auth:?}")));
    let bad_endpoint = bedrock_plugin::config::PluginConfig::from_json(&json!({
        "awsBedrockEndpoint": format!("http://u:{ENDPOINT_PASSWORD}@h")
    }))
    .expect_err("userinfo rejected");
    outputs.push(("endpoint error", format!("{bad_endpoint} {bad_endpoint:?}")));

    drop((sigv4, bearer, wrong_secret, wrong_bearer));
    for (what, text) in &outputs {
        assert_clean(what, text);
    }
    let logged = records.0.lock().expect("records").join("\n");
    assert!(
        logged
            .lines()
            .filter(|line| line.starts_with("TRACE"))
            .count()
            > 10,
        "the plugin forwarded its TRACE records"
    );
    assert_clean("plugin log records", &logged);
    assert!(
        logged.contains(ACCESS_KEY_HINT),
        "the SDK's signing records show the key id's last 4 characters"
    );
}
