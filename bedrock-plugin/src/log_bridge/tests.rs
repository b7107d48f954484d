use std::sync::{Arc, Mutex};

use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{RArc, RStr};
use aws_credential_types::Credentials;
use plugin_api::host::{HostLogger, HostLogger_TO, LogLevel, LogRecord};

use super::*;
use crate::aws::auth::CredentialPlan;
use crate::aws::credentials::CredentialCache;
use crate::aws::shared_config::ProfileSettings;
use crate::env::EnvSnapshot;

/// One forwarded record: level, message and `name=value` fields.
type Captured = (LogLevel, String, Vec<String>);

/// Every record at every level.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<Captured>>>);

impl HostLogger for Capture {
    fn enabled(&self, _level: LogLevel, _target: RStr<'_>) -> bool {
        true
    }

    fn log(&self, record: &LogRecord) {
        let fields = record
            .fields
            .iter()
            .map(|field| format!("{}={}", field.name, field.value))
            .collect();
        if let Ok(mut records) = self.0.lock() {
            records.push((record.level, record.message.to_string(), fields));
        }
    }
}

impl Capture {
    fn records(&self) -> Vec<Captured> {
        self.0.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Every message and field of every record, one line each.
    fn text(&self) -> String {
        self.records()
            .into_iter()
            .map(|(_, message, fields)| format!("{message} {}", fields.join(" ")))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn dispatch(&self) -> tracing::Dispatch {
        scoped_dispatch(HostLogger_TO::from_ptr(RArc::new(self.clone()), TD_Opaque))
    }
}

#[test]
fn plg_13_access_key_id_hint_is_last_4_characters() {
    assert_eq!(access_key_id_hint("AKIAIOSFODNN7EXAMPLE"), "****MPLE");
    assert_eq!(access_key_id_hint("short-id"), "****");
}

#[test]
fn plg_13_sdk_credentials_debug_at_info_shows_only_the_key_id_last_4() {
    let capture = Capture::default();
    let credentials = Credentials::new(
        "AKIAPLG13INFOTEST7Q2Z",
        "plg13-secret-access-key-value",
        None,
        None,
        "ProfileFile",
    );
    tracing::dispatcher::with_default(&capture.dispatch(), || {
        // The SDK's own line (aws-config profile provider), field and all.
        tracing::info!(creds = ?credentials, "loaded base credentials");
    });
    let records = capture.records();
    assert_eq!(records.len(), 1);
    let (level, message, fields) = &records[0];
    assert_eq!(*level, LogLevel::Info);
    assert_eq!(message, "loaded base credentials");
    assert!(
        fields[0].contains("access_key_id: \"****7Q2Z\""),
        "{fields:?}"
    );
    assert!(!capture.text().contains("AKIAPLG13INFOTEST7Q2Z"));
}

#[test]
fn plg_13_cfg_04_registered_secrets_and_key_ids_are_replaced_at_trace() {
    let capture = Capture::default();
    let redactions = Redactions::new();
    // Not AKIA/ASIA-shaped: only the registration can catch it.
    redactions.add_access_key_id("PLG13CUSTOMKEYID9K4W");
    redactions.add_secret("plg13-env-referenced-secret");
    tracing::dispatcher::with_default(&capture.dispatch(), || {
        tracing::trace!(
            identity = "PLG13CUSTOMKEYID9K4W/plg13-env-referenced-secret",
            "signing with PLG13CUSTOMKEYID9K4W and plg13-env-referenced-secret"
        );
    });
    let records = capture.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].0, LogLevel::Trace);
    assert_eq!(records[0].1, "signing with ****9K4W and [redacted]");
    assert_eq!(
        records[0].2,
        vec!["identity=****9K4W/[redacted]".to_owned()]
    );
    drop(redactions);
}

#[test]
fn plg_13_a_dropped_instance_set_leaves_the_registry() {
    // A registry of its own: parallel tests redacting through the global one would hold
    // upgraded references for a moment.
    let registry = Registry::new();
    let redactions = Redactions::registered_in(&registry);
    redactions.add_secret("plg13-dropped-instance-secret");
    assert_eq!(
        registry.redact("x plg13-dropped-instance-secret"),
        "x [redacted]"
    );
    drop(redactions);
    assert_eq!(
        registry.redact("x plg13-dropped-instance-secret"),
        "x plg13-dropped-instance-secret"
    );
    // The dead entry is pruned when the next set registers.
    let next = Redactions::registered_in(&registry);
    assert_eq!(registry.sets.read().map(|sets| sets.len()).unwrap_or(0), 1);
    drop(next);
}

#[test]
fn plg_13_values_shorter_than_4_characters_are_not_redacted() {
    let registry = Registry::new();
    let redactions = Redactions::registered_in(&registry);
    redactions.add_secret("q9z");
    redactions.add_secret("q9zk");
    assert_eq!(registry.redact("aq9zb"), "aq9zb");
    assert_eq!(registry.redact("aq9zkb"), "a[redacted]b");
}

#[test]
fn plg_13_longest_value_is_replaced_first() {
    let registry = Registry::new();
    let redactions = Redactions::registered_in(&registry);
    redactions.add_secret("plg13-token");
    redactions.add_secret("plg13-token-extended");
    assert_eq!(
        registry.redact("plg13-token-extended plg13-token"),
        "[redacted] [redacted]"
    );
}

#[test]
fn plg_13_set_is_bounded() {
    let registry = Registry::new();
    let redactions = Redactions::registered_in(&registry);
    for i in 0..(REDACTIONS_CAPACITY + 1) {
        redactions.add_secret(&format!("plg13-bounded-secret-{i:03}"));
    }
    assert_eq!(
        redactions.values.lock().map(|v| v.len()).unwrap_or(0),
        REDACTIONS_CAPACITY
    );
    // The oldest value was evicted; the newest is still redacted.
    assert_eq!(
        registry.redact("plg13-bounded-secret-000"),
        "plg13-bounded-secret-000"
    );
    assert_eq!(
        registry.redact(&format!("plg13-bounded-secret-{REDACTIONS_CAPACITY:03}")),
        "[redacted]"
    );
}

/// A credential_process profile, resolved the way a request does, at TRACE: the SDK's INFO
/// lines show the access key id's last 4 characters only, and no record holds the secret key
/// or session token; afterwards the instance's set redacts them in any later line too.
#[test]
fn plg_13_auth_06_credential_process_profile_logged_without_secrets() {
    let key_id = "ASIAPLG13PROCESS5H8J";
    let secret = "plg13ProcessSecretAccessKey0123456789abcd";
    let token = "plg13ProcessSessionTokenValue0123456789";
    let dir = std::env::temp_dir().join(format!(
        "bedrock-plugin-log-bridge-{}-credential-process",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let config = dir.join("config");
    std::fs::write(
        &config,
        format!(
            "[profile plg13]\ncredential_process = printf '{{\"Version\":1,\"AccessKeyId\":\"{key_id}\",\"SecretAccessKey\":\"{secret}\",\"SessionToken\":\"{token}\"}}'\n"
        ),
    )
    .expect("config file");
    let credentials_file = dir.join("credentials");
    std::fs::write(&credentials_file, "").expect("credentials file");
    let env = EnvSnapshot::from_pairs([
        ("AWS_CONFIG_FILE", config.to_string_lossy().as_ref()),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            credentials_file.to_string_lossy().as_ref(),
        ),
    ]);

    let capture = Capture::default();
    let cache = CredentialCache::default();
    let resolved = tracing::dispatcher::with_default(&capture.dispatch(), || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let resolved = runtime.block_on(cache.resolve(
            &CredentialPlan::Profile("plg13".to_owned()),
            "us-east-1",
            &ProfileSettings::default(),
            &env,
        ));
        tracing::trace!("after resolution: {key_id} {secret} {token}");
        resolved
    });
    let _ = std::fs::remove_dir_all(&dir);

    let resolved = resolved
        .expect("credential_process resolves")
        .expect("SigV4");
    assert_eq!(resolved.access_key_id(), key_id);
    let records = capture.records();
    let loaded: Vec<_> = records
        .iter()
        .filter(|(_, message, _)| message == "loaded base credentials")
        .collect();
    assert_eq!(loaded.len(), 1, "{records:#?}");
    assert_eq!(loaded[0].0, LogLevel::Info);
    assert!(
        loaded[0]
            .2
            .iter()
            .any(|f| f.contains("access_key_id: \"****5H8J\"")),
        "{:?}",
        loaded[0].2
    );
    let text = capture.text();
    for value in [key_id, secret, token] {
        assert!(!text.contains(value), "{value} in\n{text}");
    }
    assert!(
        text.contains("after resolution: ****5H8J [redacted] [redacted]"),
        "{text}"
    );
}
