//! BR-10/BR-11 backoff shared by every Bedrock call (ConverseStream, the control plane of
//! BR-14, embeddings of EMB-28): which failures are transient, the delay before each attempt
//! and `Retry-After`. The ConverseStream-only decisions (self-heal, learned corrections) stay
//! in `converse::retry`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use plugin_api::error::ErrorKind;

use crate::config::RetryPolicy;
use crate::error::BedrockError;

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
/// The error says whether the failure is retryable at all (by exception name, or for transport
/// failures by their kind); the kind says which BR-11 reason applies. A context-overflow verdict is never retried even when the exception
/// itself was retryable, and transport failures only qualify before the first stream event.
pub fn transient_reason(error: &BedrockError, phase: FailurePhase) -> Option<RetryReason> {
    if !error.retryable() || phase.emitted_output {
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
/// `min(maxDelay, base × 2^(n−2))`; zero for the first attempt. Never above the schema's
/// `retry.maxDelayMs` maximum, even for a policy built in code, so no retry waits for ever.
pub fn delay_cap(policy: &RetryPolicy, attempt: u32) -> Duration {
    if attempt < 2 {
        return Duration::ZERO;
    }
    let exponent = (attempt - 2).min(31);
    let factor = 1u32 << exponent;
    let max_delay = policy
        .max_delay
        .min(Duration::from_millis(crate::config::MAX_RETRY_MAX_DELAY_MS));
    policy
        .base_delay
        .checked_mul(factor)
        .unwrap_or(max_delay)
        .min(max_delay)
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
