//! The pure half of the doctor: naming the SDK credential provider, formatting expiry,
//! endpoints and discovery state, and turning a probe's failure into its BR-31 outcome.

use std::time::SystemTime;

use aws_credential_types::credential_feature::AwsCredentialFeature;
use aws_credential_types::Credentials;
use aws_smithy_types::date_time::{DateTime, Format};
use serde_json::{json, Value};

use crate::aws::auth::CredentialPlan;
use crate::aws::endpoint::{EndpointChoice, EndpointVariant};
use crate::aws::http::{redact_userinfo, HttpSettings};
use crate::error::BedrockError;

/// Exceptions with which Bedrock rejects the caller's credentials themselves (not one
/// permission): the doctor then reports `credentials: error: …` and fails (BR-32, PLG-71).
pub const REJECTED_CREDENTIALS: [&str; 6] = [
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "ExpiredTokenException",
    "ExpiredToken",
    "IncompleteSignature",
    "MissingAuthenticationTokenException",
];

/// BR-30: the SDK provider that supplied the credentials, by the names of the spec.
///
/// Static keys from the environment are `Environment`; static keys from the plugin config are
/// `Static` (PLG-70). For the profile and default-chain plans the SDK's credential feature
/// markers decide: SSO, credential process, web identity, container (HTTP), IMDS, then a
/// profile (`Profile:<name>`) and environment keys; without markers a profile plan is its
/// profile.
pub fn sdk_provider(
    plan: &CredentialPlan,
    source: &str,
    credentials: Option<&Credentials>,
) -> String {
    let profile_name = |name: Option<&str>| format!("Profile:{}", name.unwrap_or("default"));
    let profile = match plan {
        CredentialPlan::Bearer(_) => return "Bearer".to_owned(),
        CredentialPlan::SkipAuth => return "SkipAuth".to_owned(),
        CredentialPlan::Static { .. } => {
            return if source == "AWS_ACCESS_KEY_ID" {
                "Environment".to_owned()
            } else {
                "Static".to_owned()
            }
        }
        CredentialPlan::Profile(name) => Some(name.as_str()),
        CredentialPlan::DefaultChain { profile } => profile.as_deref(),
    };
    let features: &[AwsCredentialFeature] = credentials
        .and_then(|credentials| credentials.get_property::<Vec<AwsCredentialFeature>>())
        .map(Vec::as_slice)
        .unwrap_or_default();
    let has = |wanted: &[AwsCredentialFeature]| features.iter().any(|f| wanted.contains(f));
    use AwsCredentialFeature as F;
    if has(&[F::CredentialsSso, F::CredentialsProfileSso]) {
        "Sso".to_owned()
    } else if has(&[F::CredentialsProcess, F::CredentialsProfileProcess]) {
        "CredentialProcess".to_owned()
    } else if has(&[
        F::CredentialsEnvVarsStsWebIdToken,
        F::CredentialsStsAssumeRoleWebId,
        F::CredentialsProfileStsWebIdToken,
    ]) {
        "WebIdentityToken".to_owned()
    } else if has(&[F::CredentialsHttp]) {
        "EcsContainer".to_owned()
    } else if has(&[F::CredentialsImds]) {
        "Ec2InstanceMetadata".to_owned()
    } else if has(&[
        F::CredentialsProfile,
        F::CredentialsProfileSourceProfile,
        F::CredentialsProfileNamedProvider,
    ]) {
        profile_name(profile)
    } else if has(&[F::CredentialsEnvVars]) {
        "Environment".to_owned()
    } else if matches!(plan, CredentialPlan::Profile(_)) {
        profile_name(profile)
    } else {
        "unknown".to_owned()
    }
}

/// An expiry as RFC 3339 UTC (`2026-12-02T15:00:00Z`).
pub fn expiry_text(expiry: SystemTime) -> String {
    DateTime::from(expiry)
        .fmt(Format::DateTime)
        .unwrap_or_else(|_| "unknown".to_owned())
}

fn yes_no(flag: bool) -> &'static str {
    if flag {
        "yes"
    } else {
        "no"
    }
}

/// BR-30: `<url> (<rule>; custom: yes|no, FIPS: yes|no, dual-stack: yes|no, proxy: <url>|none)`.
/// A proxy URL's userinfo is masked (`http://***@proxy:3128`).
pub fn endpoint_text(
    endpoint: &EndpointChoice,
    variant: EndpointVariant,
    http: &HttpSettings,
) -> String {
    let proxy = http
        .proxy
        .as_ref()
        .map(|proxy| redact_userinfo(&proxy.url))
        .unwrap_or_else(|| "none".to_owned());
    format!(
        "{} ({}; custom: {}, FIPS: {}, dual-stack: {}, proxy: {proxy})",
        endpoint.url,
        endpoint.source,
        yes_no(endpoint.custom),
        yes_no(variant.fips),
        yes_no(variant.dual_stack),
    )
}

/// BR-30's discovery state: `enabled` / `disabled` when `discovery.enabled` says so, else
/// `auto, enabled` / `auto, disabled`, with the reason.
pub fn discovery_text(configured: Option<bool>, enabled: bool, reason: &str) -> String {
    let mode = match (configured, enabled) {
        (Some(_), true) => "enabled",
        (Some(_), false) => "disabled",
        (None, true) => "auto, enabled",
        (None, false) => "auto, disabled",
    };
    format!("{mode} ({reason})")
}

/// The last discovery run: `never`, or `<age> ago, <n> models`.
pub fn last_run_text(age_ms: Option<u64>, model_count: Option<u32>) -> String {
    match age_ms {
        None => "never".to_owned(),
        Some(ms) => {
            let seconds = ms / 1000;
            let age = if seconds < 120 {
                format!("{seconds} s")
            } else {
                format!("{} min", seconds / 60)
            };
            match model_count {
                Some(count) => format!("{age} ago, {count} models"),
                None => format!("{age} ago"),
            }
        }
    }
}

/// What one permission probe found (BR-31).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// `AccessDeniedException`, with the service's message.
    Denied(String),
    /// CountTokens does not support the model.
    Unsupported(String),
    /// Not sent, and why.
    Skipped(String),
    /// Any other failure, as `<Exception>: <message>` or the plugin's own message.
    Error(String),
}

impl Outcome {
    /// The printed result: `ok`, `denied`, `unsupported`, `skipped (<why>)`, `error: <message>`.
    pub fn result_text(&self) -> String {
        match self {
            Self::Ok => "ok".to_owned(),
            Self::Denied(_) => "denied".to_owned(),
            Self::Unsupported(_) => "unsupported".to_owned(),
            Self::Skipped(why) => format!("skipped ({why})"),
            Self::Error(message) => format!("error: {message}"),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Denied(_) => "denied",
            Self::Unsupported(_) => "unsupported",
            Self::Skipped(_) => "skipped",
            Self::Error(_) => "error",
        }
    }

    fn message(&self) -> Option<&str> {
        match self {
            Self::Ok => None,
            Self::Denied(message)
            | Self::Unsupported(message)
            | Self::Skipped(message)
            | Self::Error(message) => Some(message),
        }
    }
}

/// One probe: the operation sent, the IAM action it needs, what it was sent for, the outcome,
/// and whether Bedrock rejected the credentials themselves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    pub operation: &'static str,
    pub action: &'static str,
    pub target: Option<String>,
    pub outcome: Outcome,
    pub rejected_credentials: bool,
}

impl Probe {
    pub fn new(operation: &'static str, action: &'static str, target: Option<String>) -> Self {
        Self {
            operation,
            action,
            target,
            outcome: Outcome::Ok,
            rejected_credentials: false,
        }
    }

    /// This probe with the outcome of a failure.
    pub fn failed(mut self, error: &BedrockError) -> Self {
        let (outcome, rejected) = classify(self.operation, error);
        self.outcome = outcome;
        self.rejected_credentials = rejected;
        self
    }

    pub fn with(mut self, outcome: Outcome) -> Self {
        self.outcome = outcome;
        self
    }

    /// The check name: `<IAM action> (<operation>[ <target>])`.
    pub fn check(&self) -> String {
        match &self.target {
            Some(target) => format!("{} ({} {target})", self.action, self.operation),
            None => format!("{} ({})", self.action, self.operation),
        }
    }

    /// The probe as an element of the `doctor.probes` extension.
    pub fn json(&self) -> Value {
        json!({
            "operation": self.operation,
            "action": self.action,
            "target": self.target,
            "result": self.outcome.kind(),
            "message": self.outcome.message(),
        })
    }
}

/// BR-31: `AccessDeniedException` is `denied`; a CountTokens `ValidationException` saying the
/// model does not support counting is `unsupported`; everything else is an error, and one of
/// [`REJECTED_CREDENTIALS`] also marks the credentials rejected.
pub fn classify(operation: &str, error: &BedrockError) -> (Outcome, bool) {
    match error.exception() {
        Some(exception) if exception.name == "AccessDeniedException" => {
            (Outcome::Denied(exception.text().to_owned()), false)
        }
        Some(exception)
            if operation == "CountTokens"
                && exception.name == "ValidationException"
                && counting_unsupported(exception.text()) =>
        {
            (Outcome::Unsupported(exception.text().to_owned()), false)
        }
        Some(exception) => (
            Outcome::Error(format!("{}: {}", exception.name, exception.text())),
            REJECTED_CREDENTIALS.contains(&exception.name.as_str()),
        ),
        None => (Outcome::Error(error.to_string()), false),
    }
}

/// Bedrock's CountTokens answer for a model without token counting:
/// `The provided model doesn't support counting tokens.`
fn counting_unsupported(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    message.contains("support") && message.contains("count")
}
