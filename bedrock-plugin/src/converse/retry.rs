//! Retries of one ConverseStream request (BR-01..BR-07, BR-10..BR-13).
//!
//! Two kinds of resend exist and this module decides both, the driver only executes them:
//!
//! * **Transient retries** (BR-10): throttling, overload, server errors and transport
//!   failures before any host output are sent again after a full-jitter backoff
//!   ([`backoff_delay`]); they count against `retry.maxAttempts`.
//! * **Self-heal** (BR-01..BR-05): a `ValidationException` that names a constraint the plugin
//!   can satisfy is answered by one reshaped resend ([`detect_self_heal`]); it does not count
//!   against `retry.maxAttempts` (BR-07), happens at most once per request (BR-06), and the
//!   learned constraint is remembered per model id for the process lifetime ([`learned`]) so
//!   later requests are shaped correctly up front.
//!
//! Reshaping works on the built [`ConverseInput`], never on the caller's request (REQ-06).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_smithy_types::Document;
use plugin_api::error::{ErrorKind, PluginError};
use plugin_api::traits::ListModelsOptions;
use regex::Regex;

use crate::config::RetryPolicy;
use crate::converse::request::ConverseInput;
use crate::discovery;
use crate::instance::Plugin;

/// BR-11 reason of a transient retry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryReason {
    RateLimit,
    Overloaded,
    ServerError,
    Transport,
}

impl RetryReason {
    /// The `reason` string of the host's retry notice.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RateLimit => "rate_limit",
            Self::Overloaded => "overloaded",
            Self::ServerError => "server_error",
            Self::Transport => "transport",
        }
    }
}

/// Where a failure happened, because BR-10 allows transport retries only before the first
/// stream event, while in-stream exceptions stay retryable until output reached the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FailurePhase {
    /// Any Bedrock stream event arrived for this send.
    pub saw_event: bool,
    /// A host event other than `start` was emitted (BR-12: never retry then).
    pub emitted_output: bool,
}

/// BR-10: the retry reason of `error`, or `None` when it must not be retried.
///
/// The errors module marks the retryable exceptions (`retryable: true`); the kind says which
/// BR-11 reason applies. A context-overflow verdict is never retried even when the exception
/// itself was retryable, and transport failures only qualify before the first stream event.
pub fn transient_reason(error: &PluginError, phase: FailurePhase) -> Option<RetryReason> {
    if !error.retryable || phase.emitted_output {
        return None;
    }
    match error.kind()? {
        ErrorKind::RateLimit => Some(RetryReason::RateLimit),
        ErrorKind::Overloaded => Some(RetryReason::Overloaded),
        ErrorKind::Service => Some(RetryReason::ServerError),
        ErrorKind::Network | ErrorKind::Timeout if !phase.saw_event => Some(RetryReason::Transport),
        _ => None,
    }
}

/// The upper bound of the BR-10 delay before counted attempt `n` (n ≥ 2):
/// `min(maxDelay, base × 2^(n−2))`; zero for the first attempt.
pub fn delay_cap(policy: &RetryPolicy, attempt: u32) -> Duration {
    if attempt < 2 {
        return Duration::ZERO;
    }
    let exponent = (attempt - 2).min(31);
    let factor = 1u32 << exponent;
    policy
        .base_delay
        .checked_mul(factor)
        .unwrap_or(policy.max_delay)
        .min(policy.max_delay)
}

/// The BR-10 delay before counted attempt `n`: full jitter in `[0, cap]`, raised to
/// `Retry-After` when the service sent one. `random` yields uniform 64-bit values; it is a
/// parameter so tests can pin the bounds.
pub fn backoff_delay(
    policy: &RetryPolicy,
    attempt: u32,
    retry_after: Option<Duration>,
    random: &mut impl FnMut() -> u64,
) -> Duration {
    let cap_ms = u64::try_from(delay_cap(policy, attempt).as_millis()).unwrap_or(u64::MAX);
    let jitter_ms = match cap_ms.checked_add(1) {
        Some(span) => random() % span,
        None => random(),
    };
    let delay = Duration::from_millis(jitter_ms);
    match retry_after {
        Some(minimum) if minimum > delay => minimum,
        _ => delay,
    }
}

/// A small splitmix64 generator: jitter needs spread, not cryptographic quality, and a
/// dependency for it would be heavier than these lines.
#[derive(Debug, Clone)]
pub struct Jitter {
    state: u64,
}

impl Jitter {
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// Seeded from the clock and a process counter, so concurrent requests spread out.
    pub fn from_time() -> Self {
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_nanos() as u64)
            .unwrap_or_default();
        let count = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Self::new(nanos ^ count.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// `Retry-After` in seconds (fractions allowed); HTTP dates are ignored, since Bedrock sends
/// none and a wrong clock would turn them into arbitrary waits.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let seconds: f64 = value.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(3600.0)))
}

/// A recognised self-heal case (BR-01..BR-05).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SelfHeal {
    /// BR-01: resend without temperature, topP and top_k.
    TemperatureUnsupported,
    /// BR-02: resend without topP.
    TopPConflict,
    /// BR-03 (`invalid_id: false`) / BR-04 (`invalid_id: true`): resend with an inference
    /// profile, if one can be chosen.
    InferenceProfile { invalid_id: bool },
    /// BR-05: resend with this maxTokens.
    MaxTokensClamped(i32),
}

impl SelfHeal {
    /// The `reason` of the host's retry notice.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::TemperatureUnsupported => "temperature_unsupported",
            Self::TopPConflict => "top_p_conflict",
            Self::InferenceProfile { .. } => "inference_profile",
            Self::MaxTokensClamped(_) => "max_tokens_clamped",
        }
    }
}

static MAX_TOKENS_PATTERN: LazyLock<Option<Regex>> = LazyLock::new(|| {
    // A constant covered by tests; `None` would only disable BR-05.
    Regex::new(
        r"(?i)(max_tokens|max tokens|maximum tokens)[^.]*?(exceed|greater than|must be less|>)",
    )
    .ok()
});

/// Whether `error` is a Bedrock `ValidationException` (other kinds never self-heal, BR-06).
fn is_validation(error: &PluginError) -> bool {
    match error.error_code.as_ref().into_option() {
        Some(code) => code.as_str() == "ValidationException",
        None => error.message.starts_with("Validation error:"),
    }
}

/// BR-01..BR-05: the self-heal case `error` calls for, given the maxTokens that was sent.
pub fn detect_self_heal(
    error: &PluginError,
    requested_max_tokens: Option<i32>,
) -> Option<SelfHeal> {
    if !is_validation(error) {
        return None;
    }
    let message = error.message.as_str();
    let lower = message.to_ascii_lowercase();
    if lower.contains("temperature") && lower.contains("deprecated") {
        return Some(SelfHeal::TemperatureUnsupported);
    }
    if lower.contains("temperature")
        && lower.contains("top_p")
        && lower.contains("cannot both be specified")
    {
        return Some(SelfHeal::TopPConflict);
    }
    if (lower.contains("on-demand throughput isn")
        || lower.contains("on-demand throughput is not supported"))
        && lower.contains("inference profile")
    {
        return Some(SelfHeal::InferenceProfile { invalid_id: false });
    }
    if lower.contains("the provided model identifier is invalid") {
        return Some(SelfHeal::InferenceProfile { invalid_id: true });
    }
    let matches_max_tokens = MAX_TOKENS_PATTERN
        .as_ref()
        .is_some_and(|pattern| pattern.is_match(message));
    if matches_max_tokens {
        return clamped_max_tokens(message, requested_max_tokens?).map(SelfHeal::MaxTokensClamped);
    }
    None
}

/// BR-05: the largest integer in `message` smaller than `requested` (digit runs; the
/// `[request id …]` suffix is excluded so a numeric id cannot be mistaken for a limit).
pub fn clamped_max_tokens(message: &str, requested: i32) -> Option<i32> {
    let message = message
        .rfind(" [request id ")
        .map_or(message, |at| &message[..at]);
    message
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|digits| digits.parse::<i64>().ok())
        .filter(|value| *value > 0 && *value < i64::from(requested))
        .max()
        .and_then(|value| i32::try_from(value).ok())
}

/// Appends `extension` to an error message, before the BR-40 ` [request id …]` suffix so that
/// suffix stays last.
pub fn extend_message(mut error: PluginError, extension: &str) -> PluginError {
    let message = error.message.to_string();
    let suffix = error
        .request_id
        .as_ref()
        .into_option()
        .map(|id| format!(" [request id {id}]"))
        .filter(|suffix| message.ends_with(suffix.as_str()));
    let extended = match suffix {
        Some(suffix) => format!(
            "{}{extension}{suffix}",
            &message[..message.len() - suffix.len()]
        ),
        None => format!("{message}{extension}"),
    };
    error.message = extended.into();
    error
}

/// BR-04 without a profile: `Validation error: The provided model identifier is invalid.
/// (<model> is not available in <region>; check model access or use an inference profile id)`.
pub fn not_available_error(error: PluginError, model: &str, region: &str) -> PluginError {
    extend_message(
        error,
        &format!(
            " ({model} is not available in {region}; check model access or use an inference profile id)"
        ),
    )
}

/// BR-03 without a profile.
pub fn no_profile_error(error: PluginError, model: &str, region: &str) -> PluginError {
    extend_message(
        error,
        &format!(" (no usable inference profile found for {model} in {region})"),
    )
}

/// BR-01: drops temperature, topP and any top_k from the input.
pub fn drop_sampling(input: &mut ConverseInput) {
    input.inference_config.temperature = None;
    input.inference_config.top_p = None;
    let emptied = match input.additional_model_request_fields.as_mut() {
        Some(Document::Object(fields)) => {
            fields.remove("top_k");
            fields.is_empty()
        }
        _ => false,
    };
    if emptied {
        // REQ-01: the field is absent rather than an empty object.
        input.additional_model_request_fields = None;
    }
}

/// BR-02: drops topP from the input.
pub fn drop_top_p(input: &mut ConverseInput) {
    input.inference_config.top_p = None;
}

/// What the process learned about one model id (BR-01..BR-05 memory).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Learned {
    pub no_sampling: bool,
    pub no_top_p: bool,
    /// BR-05: the largest maxTokens the model accepted after a clamp.
    pub max_tokens: Option<i32>,
    /// BR-03/BR-04: the inference profile to send instead, per region.
    pub profiles: HashMap<String, String>,
}

static LEARNED: LazyLock<Mutex<HashMap<String, Learned>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// A copy of what is known about `model_id`.
pub fn learned(model_id: &str) -> Learned {
    LEARNED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .get(model_id)
        .cloned()
        .unwrap_or_default()
}

/// Records a learned constraint for `model_id`.
pub fn learn(model_id: &str, update: impl FnOnce(&mut Learned)) {
    let mut memory = LEARNED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    update(memory.entry(model_id.to_owned()).or_default());
}

/// Shapes `input` (for the requested `model_id`) by what was learned earlier, and returns
/// the inference profile substituted for the model id, if any.
pub fn apply_learned(input: &mut ConverseInput, model_id: &str, region: &str) -> Option<String> {
    let known = learned(model_id);
    if known.no_sampling {
        drop_sampling(input);
    } else if known.no_top_p && input.inference_config.temperature.is_some() {
        drop_top_p(input);
    }
    if let (Some(limit), Some(requested)) = (known.max_tokens, input.inference_config.max_tokens) {
        if requested > limit {
            input.inference_config.max_tokens = Some(limit);
        }
    }
    let profile = known.profiles.get(region).cloned();
    if let Some(profile) = &profile {
        input.model_id = profile.clone();
    }
    profile
}

/// Chooses an inference profile for BR-03/BR-04 from the discovery results of a plugin.
pub struct ProfileChooser {
    pub plugin: Arc<Plugin>,
    pub region: String,
    pub use_cross_region_inference: bool,
    pub use_global_inference: bool,
}

impl ProfileChooser {
    /// DISC-19a's profile choice for `model_id`; runs discovery in strict mode when no
    /// candidates are cached (a failing run just means "no profile").
    pub async fn choose(&self, model_id: &str) -> Option<String> {
        let mut candidates = self.plugin.discovery.profile_candidates();
        if candidates.is_empty() {
            let run = discovery::list_models(
                &self.plugin,
                ListModelsOptions {
                    strict: true,
                    force_refresh: false,
                    extensions: Default::default(),
                },
            )
            .await;
            if let Err(error) = run {
                tracing::debug!(message = %error.message, "discovery for a profile choice failed");
            }
            candidates = self.plugin.discovery.profile_candidates();
        }
        discovery::profiles::choose_profile(
            model_id,
            &self.region,
            &candidates,
            self.use_cross_region_inference,
            self.use_global_inference,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_bedrockruntime::types::InferenceConfiguration;

    fn policy(base_ms: u64, max_ms: u64) -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(base_ms),
            max_delay: Duration::from_millis(max_ms),
            self_heal: true,
        }
    }

    fn validation(message: &str) -> PluginError {
        PluginError::new(
            ErrorKind::InvalidRequest,
            format!("Validation error: {message}"),
        )
        .with_error_code("ValidationException")
    }

    #[test]
    fn br_10_delay_caps_double_up_to_the_maximum() {
        let policy = policy(1000, 4000);
        let caps: Vec<u64> = (1..=6)
            .map(|n| delay_cap(&policy, n).as_millis() as u64)
            .collect();
        assert_eq!(caps, vec![0, 1000, 2000, 4000, 4000, 4000]);
        assert_eq!(delay_cap(&policy, 200), Duration::from_millis(4000));
    }

    #[test]
    fn br_10_full_jitter_stays_within_zero_and_the_cap() {
        let policy = policy(1000, 4000);
        // The largest random value maps to the cap, zero to zero.
        let mut high = || 1000u64;
        assert_eq!(
            backoff_delay(&policy, 2, None, &mut high),
            Duration::from_millis(1000)
        );
        let mut zero = || 0u64;
        assert_eq!(backoff_delay(&policy, 4, None, &mut zero), Duration::ZERO);
        let mut max = || 4000u64;
        assert_eq!(
            backoff_delay(&policy, 4, None, &mut max),
            Duration::from_millis(4000)
        );
        let mut jitter = Jitter::new(7);
        for n in 2..10 {
            let cap = delay_cap(&policy, n);
            for _ in 0..200 {
                let delay = backoff_delay(&policy, n, None, &mut || jitter.next_u64());
                assert!(delay <= cap, "{delay:?} > {cap:?}");
            }
        }
    }

    #[test]
    fn br_10_retry_after_is_a_minimum() {
        let policy = policy(1000, 4000);
        let mut zero = || 0u64;
        assert_eq!(
            backoff_delay(&policy, 2, Some(Duration::from_secs(3)), &mut zero),
            Duration::from_secs(3)
        );
        let mut high = || 999u64;
        assert_eq!(
            backoff_delay(&policy, 2, Some(Duration::from_millis(10)), &mut high),
            Duration::from_millis(999)
        );
        assert_eq!(parse_retry_after(" 2 "), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("0.5"), Some(Duration::from_millis(500)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }

    #[test]
    fn br_10_13_classification() {
        let fresh = FailurePhase {
            saw_event: false,
            emitted_output: false,
        };
        let started = FailurePhase {
            saw_event: true,
            emitted_output: false,
        };
        let output = FailurePhase {
            saw_event: true,
            emitted_output: true,
        };
        let throttled = PluginError::new(
            ErrorKind::RateLimit,
            "Throttling error: Too many tokens, please wait before trying again.",
        )
        .with_retryable(true);
        assert_eq!(
            transient_reason(&throttled, fresh),
            Some(RetryReason::RateLimit)
        );
        assert_eq!(
            transient_reason(&throttled, started),
            Some(RetryReason::RateLimit)
        );
        assert_eq!(transient_reason(&throttled, output), None);
        let busy = PluginError::new(ErrorKind::Overloaded, "x").with_retryable(true);
        assert_eq!(
            transient_reason(&busy, fresh),
            Some(RetryReason::Overloaded)
        );
        let server = PluginError::new(ErrorKind::Service, "x").with_retryable(true);
        assert_eq!(
            transient_reason(&server, started),
            Some(RetryReason::ServerError)
        );
        let reset = PluginError::new(ErrorKind::Network, "reset").with_retryable(true);
        assert_eq!(
            transient_reason(&reset, fresh),
            Some(RetryReason::Transport)
        );
        assert_eq!(transient_reason(&reset, started), None);
        assert_eq!(transient_reason(&validation("nope"), fresh), None);
        let overflow = PluginError::new(ErrorKind::ContextOverflow, "x").with_retryable(true);
        assert_eq!(transient_reason(&overflow, fresh), None);
    }

    #[test]
    fn br_01_to_05_detection() {
        assert_eq!(
            detect_self_heal(
                &validation("The model returned the following errors: `temperature` is deprecated for this model."),
                None
            ),
            Some(SelfHeal::TemperatureUnsupported)
        );
        assert_eq!(
            detect_self_heal(&validation("deprecated: temperature"), None),
            Some(SelfHeal::TemperatureUnsupported)
        );
        assert_eq!(
            detect_self_heal(
                &validation("The model returned the following errors: `temperature` and `top_p` cannot both be specified for this model. Please use only one."),
                None
            ),
            Some(SelfHeal::TopPConflict)
        );
        assert_eq!(
            detect_self_heal(
                &validation("Invocation of model ID anthropic.claude-sonnet-4-6 with on-demand throughput isn't supported. Retry your request with the ID or ARN of an inference profile that contains this model."),
                None
            ),
            Some(SelfHeal::InferenceProfile { invalid_id: false })
        );
        assert_eq!(
            detect_self_heal(
                &validation("The provided model identifier is invalid."),
                None
            ),
            Some(SelfHeal::InferenceProfile { invalid_id: true })
        );
        assert_eq!(
            detect_self_heal(
                &validation("max_tokens: 200000 > 64000, which is the maximum allowed number of output tokens for claude-sonnet-4-5-20250929"),
                Some(200_000)
            ),
            Some(SelfHeal::MaxTokensClamped(64000))
        );
        assert_eq!(
            detect_self_heal(
                &validation(
                    "The maximum tokens you requested exceeds the model limit of 8192. Try again."
                ),
                Some(10_000)
            ),
            Some(SelfHeal::MaxTokensClamped(8192))
        );
        // BR-06: other validation errors and other kinds do not self-heal.
        assert_eq!(
            detect_self_heal(&validation("Malformed input request"), None),
            None
        );
        let throttled = PluginError::new(
            ErrorKind::RateLimit,
            "Throttling error: temperature deprecated",
        )
        .with_error_code("ThrottlingException");
        assert_eq!(detect_self_heal(&throttled, None), None);
        // BR-05 without a smaller integer, or without a requested value: no self-heal.
        assert_eq!(
            detect_self_heal(
                &validation("max tokens must be less than the limit"),
                Some(10)
            ),
            None
        );
        assert_eq!(
            detect_self_heal(&validation("max_tokens: 5 > 4"), None),
            None
        );
    }

    #[test]
    fn br_05_edge_case_picks_the_date_in_the_model_name() {
        let message = "Validation error: max_tokens: 100000000 > 64000, which is the maximum allowed number of output tokens for claude-sonnet-4-5-20250929";
        assert_eq!(clamped_max_tokens(message, 100_000_000), Some(20_250_929));
        assert_eq!(
            detect_self_heal(
                &validation(&message["Validation error: ".len()..]),
                Some(100_000_000)
            ),
            Some(SelfHeal::MaxTokensClamped(20_250_929))
        );
        // The request id suffix is not a limit.
        assert_eq!(
            clamped_max_tokens("max_tokens: 9 > 8 [request id 7]", 9),
            Some(8)
        );
    }

    #[test]
    fn br_03_04_extensions_keep_the_request_id_suffix_last() {
        let error = validation("The provided model identifier is invalid. [request id abc]")
            .with_request_id("abc");
        assert_eq!(
            not_available_error(error, "m", "us-west-2").message.as_str(),
            "Validation error: The provided model identifier is invalid. (m is not available in us-west-2; check model access or use an inference profile id) [request id abc]"
        );
        let error = validation("Invocation … isn't supported.");
        assert_eq!(
            no_profile_error(error, "m", "eu-west-1").message.as_str(),
            "Validation error: Invocation … isn't supported. (no usable inference profile found for m in eu-west-1)"
        );
    }

    fn input() -> ConverseInput {
        let mut fields = HashMap::new();
        fields.insert("top_k".to_owned(), Document::from(5u64));
        ConverseInput {
            model_id: "m".into(),
            system: Vec::new(),
            messages: Vec::new(),
            inference_config: InferenceConfiguration::builder()
                .max_tokens(100)
                .temperature(0.5)
                .top_p(0.9)
                .build(),
            tool_config: None,
            request_metadata: None,
            guardrail_config: None,
            service_tier: None,
            additional_model_request_fields: Some(Document::Object(fields)),
            additional_model_response_field_paths: None,
        }
    }

    #[test]
    fn br_01_02_reshaping_and_memory() {
        let mut shaped = input();
        drop_sampling(&mut shaped);
        assert_eq!(shaped.inference_config.temperature, None);
        assert_eq!(shaped.inference_config.top_p, None);
        assert_eq!(shaped.inference_config.max_tokens, Some(100));
        assert_eq!(shaped.additional_model_request_fields, None);

        let mut shaped = input();
        drop_top_p(&mut shaped);
        assert_eq!(shaped.inference_config.temperature, Some(0.5));
        assert_eq!(shaped.inference_config.top_p, None);

        let model = "unit.test-memory-model";
        learn(model, |known| {
            known.no_top_p = true;
            known.max_tokens = Some(50);
            known
                .profiles
                .insert("us-east-1".into(), "us.unit.test-memory-model".into());
        });
        let mut shaped = input();
        assert_eq!(
            apply_learned(&mut shaped, model, "us-east-1").as_deref(),
            Some("us.unit.test-memory-model")
        );
        assert_eq!(shaped.model_id, "us.unit.test-memory-model");
        assert_eq!(shaped.inference_config.top_p, None);
        assert_eq!(shaped.inference_config.temperature, Some(0.5));
        assert_eq!(shaped.inference_config.max_tokens, Some(50));
        let mut elsewhere = input();
        assert_eq!(apply_learned(&mut elsewhere, model, "eu-west-1"), None);
        assert_eq!(elsewhere.model_id, "m");
    }
}
