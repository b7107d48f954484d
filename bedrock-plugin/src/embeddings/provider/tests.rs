use super::*;
use crate::env::EnvSnapshot;
use crate::settings::Settings;

fn availability_of(config: &str, host: &str, env: &[(&str, &str)]) -> Availability {
    let settings = Settings::parse(config, host).expect("settings");
    availability(&settings, &EnvSnapshot::from_pairs(env.iter().copied()))
}

fn available(config: &str, env: &[(&str, &str)]) -> Availability {
    availability_of(config, "{}", env)
}

#[test]
fn emb_30_static_bearer_and_skip_auth_are_available() {
    let off = ("AWS_EC2_METADATA_DISABLED", "true");
    for (config, env) in [
        (r#"{"awsAccessKey":"a","awsSecretKey":"b"}"#, vec![off]),
        (r#"{"awsBedrockApiKey":"k"}"#, vec![off]),
        ("{}", vec![off, ("AWS_BEARER_TOKEN_BEDROCK", "t")]),
        (
            "{}",
            vec![
                off,
                ("AWS_ACCESS_KEY_ID", "a"),
                ("AWS_SECRET_ACCESS_KEY", "b"),
            ],
        ),
        ("{}", vec![off, ("AWS_BEDROCK_SKIP_AUTH", "1")]),
    ] {
        assert_eq!(
            available(config, &env),
            Availability::Available,
            "{config} {env:?}"
        );
    }
}

#[test]
fn emb_30_chain_markers_are_probed_without_imds_unless_the_host_chose_bedrock() {
    let probe = Availability::Probe { allow_imds: false };
    for marker in [
        ("AWS_PROFILE", "dev"),
        ("AWS_ROLE_ARN", "arn:aws:iam::1:role/r"),
        ("AWS_WEB_IDENTITY_TOKEN_FILE", "/t"),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://x"),
        ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials"),
    ] {
        assert_eq!(available("{}", &[marker]), probe, "{marker:?}");
    }
    assert_eq!(available(r#"{"awsProfile":"dev"}"#, &[]), probe);
    // The host chose Bedrock: memory search (defaults or any agent) or a provider on this api.
    let allowed = Availability::Probe { allow_imds: true };
    for host in [
        r#"{"agents":{"defaults":{"memorySearch":{"provider":"Bedrock"}}}}"#,
        r#"{"agents":{"list":[{"id":"a"},{"id":"b","memorySearch":{"provider":"bedrock"}}]}}"#,
        r#"{"models":{"providers":{"corp":{"api":"bedrock-converse-stream"}}}}"#,
    ] {
        assert_eq!(availability_of("{}", host, &[]), allowed, "{host}");
        assert_eq!(
            availability_of("{}", host, &[("AWS_PROFILE", "dev")]),
            allowed,
            "{host}"
        );
    }
    // Another memory-search provider does not allow instance metadata.
    assert_eq!(
        availability_of(
            "{}",
            r#"{"agents":{"defaults":{"memorySearch":{"provider":"openai"}}}}"#,
            &[("AWS_PROFILE", "dev")]
        ),
        probe
    );
}

#[test]
fn emb_30_32_nothing_set_is_unavailable_without_a_probe() {
    // EMB-30's example: `{}` → false, no probe.
    assert_eq!(available("{}", &[]), Availability::Unavailable);
    assert_eq!(
        available("{}", &[("AWS_EC2_METADATA_DISABLED", "true")]),
        Availability::Unavailable
    );
    // Metadata disabled overrides the host's choice.
    assert_eq!(
        availability_of(
            "{}",
            r#"{"agents":{"defaults":{"memorySearch":{"provider":"bedrock"}}}}"#,
            &[("AWS_EC2_METADATA_DISABLED", "true")]
        ),
        Availability::Unavailable
    );
    assert_eq!(
        available(
            r#"{"awsAuthentication":"apikey"}"#,
            &[("AWS_EC2_METADATA_DISABLED", "true")]
        ),
        Availability::Unavailable
    );
    assert_eq!(
            no_credentials_error().message.as_str(),
            "No API key found for provider \"bedrock\". AWS credentials are not available. Set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or AWS_BEARER_TOKEN_BEDROCK, configure an EC2/ECS/EKS role, or set agents.defaults.memorySearch.provider to another provider."
        );
}

#[test]
fn br_10_full_jitter_stays_within_the_cap() {
    let policy = RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_millis(250),
        self_heal: false,
    };
    for attempt in 1..=6 {
        let cap = Duration::from_millis((100u64 << (attempt - 1)).min(250));
        for _ in 0..50 {
            assert!(full_jitter(&policy, attempt) <= cap);
        }
    }
}

/// The debug events `f` logged, as `message field=value …` lines.
fn capture_debug<T>(f: impl FnOnce() -> T) -> (T, Vec<String>) {
    use tracing::field::{Field, Visit};
    use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};

    struct Line(String);
    impl Visit for Line {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            if field.name() == "message" {
                self.0.insert_str(0, &format!("{value:?}"));
            } else {
                self.0.push_str(&format!(" {}={value:?}", field.name()));
            }
        }
        fn record_str(&mut self, field: &Field, value: &str) {
            if field.name() == "message" {
                self.0.insert_str(0, value);
            } else {
                self.0.push_str(&format!(" {}={value}", field.name()));
            }
        }
    }
    struct Capture(Arc<Mutex<Vec<String>>>);
    impl<S: tracing::Subscriber> Layer<S> for Capture {
        fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
            if *event.metadata().level() == tracing::Level::DEBUG {
                let mut line = Line(String::new());
                event.record(&mut line);
                if let Ok(mut lines) = self.0.lock() {
                    lines.push(line.0);
                }
            }
        }
    }
    let lines = Arc::new(Mutex::new(Vec::new()));
    let subscriber = tracing_subscriber::registry().with(Capture(lines.clone()));
    let result = tracing::subscriber::with_default(subscriber, f);
    let lines = lines.lock().map(|l| l.clone()).unwrap_or_default();
    (result, lines)
}

#[test]
fn emb_41_creation_logs_the_bedrock_client_with_its_region_model_dimensions_and_family() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let settings = Settings::parse(
        r#"{"awsAccessKey":"a","awsSecretKey":"b","awsRegion":"eu-west-1"}"#,
        "{}",
    )
    .expect("settings");
    let plugin = crate::plugin::PluginState::with_env(
        settings,
        crate::plugin::EnvSource::Fixed(EnvSnapshot::from_pairs([(
            "AWS_EC2_METADATA_DISABLED",
            "true",
        )])),
    );
    let taken = Arc::new(AtomicUsize::new(0));
    let counter = taken.clone();
    let inner = plugin.call_contexts();
    let contexts: CallContexts = Arc::new(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        inner()
    });
    let request = EmbeddingProviderRequest {
        model: "amazon.titan-embed-text-v2:0".into(),
        output_dimensionality: ROption::RSome(256),
        ..Default::default()
    };
    let (created, lines) = capture_debug(|| create(contexts, Arc::default(), &request));
    let provider = created.expect("created");
    assert_eq!(
        lines
            .iter()
            .filter(|line| line.starts_with("memory embeddings: bedrock client"))
            .collect::<Vec<_>>(),
        [
            "memory embeddings: bedrock client region=eu-west-1 model=amazon.titan-embed-text-v2:0 dimensions=Some(256) family=titan-v2"
        ]
    );
    assert_eq!(taken.load(Ordering::SeqCst), 1, "creation took one context");
    assert_eq!(provider.info().region.as_str(), "eu-west-1");
}
