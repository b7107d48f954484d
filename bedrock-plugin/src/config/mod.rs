//! Plugin configuration (`plugins.entries.amazon-bedrock.config`).
//!
//! The types here are the single source of truth for the manifest's `configSchema`
//! (see `manifest.rs` and `gen-manifest-schema`): the schema is derived from them so
//! the host's validation and the plugin's parsing cannot drift apart. Every field is
//! optional on the wire and defaults are applied by the accessors at use time
//! (CFG-05), so a live config update that removes a key immediately falls back to the
//! default instead of keeping a stale value (LIVE-02).
//!
//! The secret value type and its hand-written, non-echoing deserializer live in [`secret`];
//! the schemars post-processing that yields the manifest's keyword subset in [`schema`].

pub mod schema;
pub mod secret;

use std::fmt;
use std::sync::LazyLock;
use std::time::Duration;

use regex_lite::Regex;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

pub use schema::{config_schema, ALLOWED_SCHEMA_KEYWORDS};
pub use secret::{Secret, ENV_VAR_ID_PATTERN};

/// Region names of every AWS partition (`us-east-1`, `us-gov-west-1`, `eusc-de-east-1`, …).
pub const REGION_PATTERN: &str = r"^[a-z]{2,4}(-[a-z]+)+-[0-9]+$";
/// An absolute `http://` or `https://` URL with a host (the spec's pattern, kept verbatim so
/// the host's CFG-10 pattern message is the spec's).
pub const ENDPOINT_PATTERN: &str = r"^https?://[^\s/?#]+";
/// PLG-12: no `user[:password]@` before the host: either no `@` at all, or the authority ends
/// (at `/`, `?` or `#`) before the first one. The spec's pattern alone lets
/// `http://user:pass@host` through, and the schema's keyword subset has no `not`, so the
/// schema carries this as a one-branch `oneOf` whose `description` is the reason hosts report.
pub const ENDPOINT_NO_USERINFO_PATTERN: &str = r"^[^@]*$|^https?://[^/?#@]*[/?#]";
/// The reason given for an endpoint with `user:password@` (PLG-12), by the plugin and, through
/// the schema's `oneOf` description, by the host.
pub const ENDPOINT_USERINFO_MESSAGE: &str = "must not contain userinfo (user:password@); put credentials in awsBedrockApiKey or the AWS credential keys, not in the URL";
/// A published guardrail version number or `DRAFT`.
pub const GUARDRAIL_VERSION_PATTERN: &str = r"^(DRAFT|[1-9][0-9]{0,7})$";

static REGION_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(REGION_PATTERN).expect("constant pattern compiles"));
static ENDPOINT_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(ENDPOINT_PATTERN).expect("constant pattern compiles"));
static ENDPOINT_NO_USERINFO_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(ENDPOINT_NO_USERINFO_PATTERN).expect("constant pattern compiles"));
static GUARDRAIL_VERSION_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(GUARDRAIL_VERSION_PATTERN).expect("constant pattern compiles"));

/// The secret-shape sentences (CFG-03) are shared with hosts, which say the same words.
pub use plugin_api::config_rules::{BLANK_SECRET_MESSAGE, SECRET_SHAPE_MESSAGE};
/// The one secret type of the workspace (CFG-04).
pub use plugin_api::secret::SecretString;

/// Config keys holding secrets; UIs mask them (MAN-11) and status never shows their values.
pub const SECRET_KEYS: [&str; 4] = [
    "awsBedrockApiKey",
    "awsAccessKey",
    "awsSecretKey",
    "awsSessionToken",
];

/// Host-config path of this plugin's config object; markers and errors are rooted here.
pub const CONFIG_PATH_PREFIX: &str = "plugins.entries.amazon-bedrock.config";

pub const DEFAULT_REFRESH_INTERVAL_SECS: u64 = 3600;
pub const DEFAULT_CONTEXT_WINDOW: u64 = 32_000;
pub const DEFAULT_MAX_TOKENS: u64 = 4096;
/// REQ-02: maxTokens sent when the caller sets none, capped by the model's limit.
pub const DEFAULT_REQUEST_MAX_TOKENS: u64 = 32_000;
pub const DEFAULT_CONNECT_TIMEOUT_MS: u64 = 10_000;
pub const DEFAULT_STREAM_IDLE_MS: u64 = 300_000;
pub const DEFAULT_RETRY_MAX_ATTEMPTS: u32 = 4;
pub const DEFAULT_RETRY_BASE_DELAY_MS: u64 = 1000;
pub const DEFAULT_RETRY_MAX_DELAY_MS: u64 = 30_000;
/// BR-15: how long a throttle failover is remembered.
pub const DEFAULT_RETRY_FAILOVER_MEMORY_MS: u64 = 300_000;
pub const DEFAULT_GUARDRAIL_LATEST_MESSAGE_ONLY: bool = false;

// Upper bounds of every duration and size (config-and-manifest.md §2.1). They are enforced
// three times (PLG-11): by the schema (the host rejects a bigger value), by `from_json`, which
// checks the same schema keywords for a host that skips validation, and by the accessors,
// which clamp, so a `PluginConfig` built in code can never feed an overflowing
// `Instant + Duration` or a wait of centuries.
pub const MAX_REFRESH_INTERVAL_SECS: u64 = 31_536_000;
pub const MAX_CONTEXT_WINDOW: u64 = 100_000_000;
pub const MAX_MAX_TOKENS: u64 = 1_000_000;
pub const MAX_THINKING_BUDGET_TOKENS: u64 = 1_000_000;
pub const MAX_REQUEST_MAX_TOKENS: u64 = 1_000_000;
pub const MIN_CONNECT_TIMEOUT_MS: u64 = 100;
pub const MAX_CONNECT_TIMEOUT_MS: u64 = 600_000;
pub const MIN_STREAM_IDLE_MS: u64 = 1000;
pub const MAX_STREAM_IDLE_MS: u64 = 3_600_000;
pub const MAX_RETRY_MAX_ATTEMPTS: u64 = 10;
pub const MAX_RETRY_BASE_DELAY_MS: u64 = 600_000;
pub const MAX_RETRY_MAX_DELAY_MS: u64 = 3_600_000;
pub const MAX_RETRY_FAILOVER_MEMORY_MS: u64 = 86_400_000;
pub const DEFAULT_RETRY_SELF_HEAL: bool = true;
pub const DEFAULT_USE_CROSS_REGION_INFERENCE: bool = true;
pub const DEFAULT_USE_GLOBAL_INFERENCE: bool = true;
pub const DEFAULT_USE_PROMPT_CACHE: bool = true;
pub const DEFAULT_ENABLE_1M_CONTEXT: bool = false;
/// PLG-90..92: resource limits of one instance (`limits.*`).
pub const DEFAULT_MAX_CONCURRENT_STREAMS: u64 = 256;
pub const MAX_MAX_CONCURRENT_STREAMS: u64 = 4096;
pub const DEFAULT_MAX_TOOL_ARGUMENT_BYTES: u64 = 4 * 1024 * 1024;
pub const MIN_MAX_TOOL_ARGUMENT_BYTES: u64 = 1024;
pub const MAX_MAX_TOOL_ARGUMENT_BYTES: u64 = 64 * 1024 * 1024;
pub const DEFAULT_MAX_DELTA_BYTES: u64 = 1024 * 1024;
pub const MIN_MAX_DELTA_BYTES: u64 = 1024;
/// The event-stream frame limit (16 MiB), which bounds one delta on the wire anyway.
pub const MAX_MAX_DELTA_BYTES: u64 = 16 * 1024 * 1024;

/// Configuration of the Amazon Bedrock provider plugin.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PluginConfig {
    /// Model discovery: which Bedrock models are listed automatically and how long the list is cached.
    #[serde(default)]
    pub discovery: Option<DiscoveryConfig>,
    /// Bedrock Guardrail applied to every Converse request.
    #[serde(default)]
    pub guardrail: Option<GuardrailConfig>,
    /// Authentication mode; when unset it is inferred from the keys below (API key, then access keys, then profile, else the AWS default chain).
    #[serde(default)]
    pub aws_authentication: Option<AuthMode>,
    /// Bedrock API key (bearer token), as a literal or an env reference.
    #[serde(default)]
    pub aws_bedrock_api_key: Option<Secret>,
    /// Name of the AWS shared-config profile to take credentials from.
    #[serde(default)]
    #[schemars(length(min = 1))]
    pub aws_profile: Option<String>,
    /// Static AWS access key id, as a literal or an env reference.
    #[serde(default)]
    pub aws_access_key: Option<Secret>,
    /// Static AWS secret access key, as a literal or an env reference.
    #[serde(default)]
    pub aws_secret_key: Option<Secret>,
    /// Static AWS session token for temporary credentials, as a literal or an env reference.
    #[serde(default)]
    pub aws_session_token: Option<Secret>,
    /// AWS region for runtime and control-plane calls; when unset the region comes from provider baseUrls, discovery.region, AWS_REGION, AWS_DEFAULT_REGION, the profile, then us-east-1.
    #[serde(default)]
    #[schemars(pattern(REGION_PATTERN))]
    pub aws_region: Option<String>,
    /// Bedrock runtime endpoint override (an absolute http:// or https:// URL), e.g. a VPC interface endpoint or a proxy.
    #[serde(default)]
    #[schemars(pattern(ENDPOINT_PATTERN), extend("oneOf" = [{"pattern": ENDPOINT_NO_USERINFO_PATTERN, "description": ENDPOINT_USERINFO_MESSAGE}]))]
    pub aws_bedrock_endpoint: Option<String>,
    /// Bedrock control-plane endpoint override (an absolute http:// or https:// URL) for discovery calls, e.g. a VPC interface endpoint.
    #[serde(default)]
    #[schemars(pattern(ENDPOINT_PATTERN), extend("oneOf" = [{"pattern": ENDPOINT_NO_USERINFO_PATTERN, "description": ENDPOINT_USERINFO_MESSAGE}]))]
    pub aws_bedrock_control_plane_endpoint: Option<String>,
    /// Allow automatic use of geographic cross-region inference profiles (us., eu., apac., …).
    #[serde(default)]
    #[schemars(extend("default" = DEFAULT_USE_CROSS_REGION_INFERENCE))]
    pub aws_use_cross_region_inference: Option<bool>,
    /// Allow automatic use of global. cross-region inference profiles.
    #[serde(default)]
    #[schemars(extend("default" = DEFAULT_USE_GLOBAL_INFERENCE))]
    pub aws_use_global_inference: Option<bool>,
    /// Use Bedrock prompt caching; false disables cache points on every request.
    #[serde(default)]
    #[schemars(extend("default" = DEFAULT_USE_PROMPT_CACHE))]
    pub aws_bedrock_use_prompt_cache: Option<bool>,
    /// Default thinking level when the caller sets none (none = thinking off).
    #[serde(default)]
    pub reasoning_effort: Option<ReasoningEffort>,
    /// Thinking budget in tokens for budget-style Claude thinking, used at every level.
    #[serde(default)]
    #[schemars(range(min = 0, max = MAX_THINKING_BUDGET_TOKENS))]
    pub thinking_budget_tokens: Option<u64>,
    /// maxTokens sent when the caller sets none, capped by the model's own limit (Bedrock reserves it against the tokens-per-minute quota).
    #[serde(default)]
    #[schemars(range(min = 1, max = MAX_REQUEST_MAX_TOKENS), extend("default" = DEFAULT_REQUEST_MAX_TOKENS))]
    pub request_max_tokens: Option<u64>,
    /// Enable the 1M-token context beta for Claude Sonnet 4 and Sonnet 4.5.
    #[serde(default, rename = "enable1MContext")]
    #[schemars(extend("default" = DEFAULT_ENABLE_1M_CONTEXT))]
    pub enable_1m_context: Option<bool>,
    /// Network timeouts.
    #[serde(default)]
    pub timeouts: Option<TimeoutsConfig>,
    /// Retry policy for Converse requests.
    #[serde(default)]
    pub retry: Option<RetryConfig>,
    /// Resource limits of this plugin instance (PLG-90..92).
    #[serde(default)]
    pub limits: Option<LimitsConfig>,
}

/// Resource limits (PLG-90..92); each limit hit is an error naming its key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LimitsConfig {
    /// Chat streams this instance runs at once; one more is refused at once with an error naming this key (no queueing).
    #[serde(default)]
    #[schemars(range(min = 1, max = MAX_MAX_CONCURRENT_STREAMS), extend("default" = DEFAULT_MAX_CONCURRENT_STREAMS))]
    pub max_concurrent_streams: Option<u64>,
    /// Largest argument JSON of one streamed tool call, in bytes; a longer one ends the stream with an error naming this key.
    #[serde(default)]
    #[schemars(range(min = MIN_MAX_TOOL_ARGUMENT_BYTES, max = MAX_MAX_TOOL_ARGUMENT_BYTES), extend("default" = DEFAULT_MAX_TOOL_ARGUMENT_BYTES))]
    pub max_tool_argument_bytes: Option<u64>,
    /// Largest single streamed delta (text, thinking, tool-argument fragment), in bytes; a longer one ends the stream with an error naming this key.
    #[serde(default)]
    #[schemars(range(min = MIN_MAX_DELTA_BYTES, max = MAX_MAX_DELTA_BYTES), extend("default" = DEFAULT_MAX_DELTA_BYTES))]
    pub max_delta_bytes: Option<u64>,
}

/// Model discovery settings (also accepted at the deprecated `models.bedrockDiscovery`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DiscoveryConfig {
    /// false: never discover models; true: discover even without AWS auth env markers; unset: discover only when an auth marker exists.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Region of the discovery (control-plane) calls and of the implicit provider's baseUrl.
    #[serde(default)]
    #[schemars(pattern(REGION_PATTERN))]
    pub region: Option<String>,
    /// Only list models of these Bedrock providers (case-insensitive, e.g. anthropic, amazon); empty or unset lists all.
    #[serde(default)]
    #[schemars(inner(length(min = 1)))]
    pub provider_filter: Option<Vec<String>>,
    /// How long the discovered model list is cached, in seconds; 0 disables the cache.
    #[serde(default)]
    #[schemars(range(min = 0, max = MAX_REFRESH_INTERVAL_SECS), extend("default" = DEFAULT_REFRESH_INTERVAL_SECS))]
    pub refresh_interval: Option<u64>,
    /// Context window assumed for discovered models that are not in the known-model table.
    #[serde(default)]
    #[schemars(range(min = 1, max = MAX_CONTEXT_WINDOW), extend("default" = DEFAULT_CONTEXT_WINDOW))]
    pub default_context_window: Option<u64>,
    /// Maximum output tokens assumed for discovered models that are not in the known-model table.
    #[serde(default)]
    #[schemars(range(min = 1, max = MAX_MAX_TOKENS), extend("default" = DEFAULT_MAX_TOKENS))]
    pub default_max_tokens: Option<u64>,
    /// Ask GetFoundationModelAvailability whether the account can call each discovered model.
    #[serde(default)]
    #[schemars(extend("default" = true))]
    pub check_access: Option<bool>,
    /// Also list models the account cannot call (no access, agreement missing, not in the region).
    #[serde(default)]
    #[schemars(extend("default" = false))]
    pub include_unavailable: Option<bool>,
    /// Catalog sources to list: foundation models, inference profiles, and the account's prompt routers, custom-model deployments, imported models and provisioned throughput.
    #[serde(default)]
    #[schemars(extend("default" = ["foundation-models", "inference-profiles"]))]
    pub include: Option<Vec<CatalogSource>>,
}

/// A catalog source of discovery.include (BR-85), by the name the config uses for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CatalogSource {
    FoundationModels,
    InferenceProfiles,
    PromptRouters,
    CustomModels,
    ImportedModels,
    Provisioned,
}

impl CatalogSource {
    /// Every source, in the schema's order.
    pub const ALL: [CatalogSource; 6] = [
        CatalogSource::FoundationModels,
        CatalogSource::InferenceProfiles,
        CatalogSource::PromptRouters,
        CatalogSource::CustomModels,
        CatalogSource::ImportedModels,
        CatalogSource::Provisioned,
    ];
    /// BR-85's default: the two sources of DISC-10.
    pub const DEFAULT: [CatalogSource; 2] = [
        CatalogSource::FoundationModels,
        CatalogSource::InferenceProfiles,
    ];

    /// The config name (also the name its warnings use).
    pub fn as_str(self) -> &'static str {
        match self {
            CatalogSource::FoundationModels => "foundation-models",
            CatalogSource::InferenceProfiles => "inference-profiles",
            CatalogSource::PromptRouters => "prompt-routers",
            CatalogSource::CustomModels => "custom-models",
            CatalogSource::ImportedModels => "imported-models",
            CatalogSource::Provisioned => "provisioned",
        }
    }
}

/// Bedrock Guardrail settings; identifier and version are both needed to apply one.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GuardrailConfig {
    /// Guardrail id (abc123) or full guardrail ARN.
    #[schemars(length(min = 1))]
    pub guardrail_identifier: String,
    /// Published guardrail version number, or DRAFT for the working draft.
    #[schemars(pattern(GUARDRAIL_VERSION_PATTERN))]
    pub guardrail_version: String,
    /// How the guardrail evaluates streamed output; unset uses the Bedrock default.
    #[serde(default)]
    pub stream_processing_mode: Option<StreamProcessingMode>,
    /// Guardrail trace in responses; unset leaves it off.
    #[serde(default)]
    pub trace: Option<GuardrailTrace>,
    /// Evaluate only the newest user turn with the guardrail (earlier turns are sent as plain content).
    #[serde(default)]
    #[schemars(extend("default" = DEFAULT_GUARDRAIL_LATEST_MESSAGE_ONLY))]
    pub latest_message_only: Option<bool>,
}

/// Network timeouts (beyond the reference).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TimeoutsConfig {
    /// TCP/TLS connect timeout in milliseconds.
    #[serde(default)]
    #[schemars(range(min = MIN_CONNECT_TIMEOUT_MS, max = MAX_CONNECT_TIMEOUT_MS), extend("default" = DEFAULT_CONNECT_TIMEOUT_MS))]
    pub connect_ms: Option<u64>,
    /// Longest silence between two stream events, in milliseconds, before the stream is treated as stalled; cannot be disabled.
    #[serde(default)]
    #[schemars(range(min = MIN_STREAM_IDLE_MS, max = MAX_STREAM_IDLE_MS), extend("default" = DEFAULT_STREAM_IDLE_MS))]
    pub stream_idle_ms: Option<u64>,
}

/// Retry policy for throttling and transient errors.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RetryConfig {
    /// Attempts including the first one (a self-heal resend is not counted).
    #[serde(default)]
    #[schemars(range(min = 1, max = MAX_RETRY_MAX_ATTEMPTS), extend("default" = DEFAULT_RETRY_MAX_ATTEMPTS))]
    // `u64` (not `u32`) so an oversized value gets the `must be <= 10` message, not serde's.
    pub max_attempts: Option<u64>,
    /// First backoff delay in milliseconds.
    #[serde(default)]
    #[schemars(range(min = 0, max = MAX_RETRY_BASE_DELAY_MS), extend("default" = DEFAULT_RETRY_BASE_DELAY_MS))]
    pub base_delay_ms: Option<u64>,
    /// Upper bound of the backoff delay in milliseconds.
    #[serde(default)]
    #[schemars(range(min = 0, max = MAX_RETRY_MAX_DELAY_MS), extend("default" = DEFAULT_RETRY_MAX_DELAY_MS))]
    pub max_delay_ms: Option<u64>,
    /// How long a throttle failover to a cross-region profile is remembered, in milliseconds; 0 disables failover.
    #[serde(default)]
    #[schemars(range(min = 0, max = MAX_RETRY_FAILOVER_MEMORY_MS), extend("default" = DEFAULT_RETRY_FAILOVER_MEMORY_MS))]
    pub failover_memory_ms: Option<u64>,
    /// Retry once with a corrected request after known Bedrock ValidationExceptions.
    #[serde(default)]
    #[schemars(extend("default" = DEFAULT_RETRY_SELF_HEAL))]
    pub self_heal: Option<bool>,
}

// Variant doc comments would turn the schema's `enum` into a `oneOf` of `const`s, which the
// host reports less clearly, so the enums below use plain comments.

/// Authentication mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AuthMode {
    // Bearer token from awsBedrockApiKey or AWS_BEARER_TOKEN_BEDROCK.
    Apikey,
    // Shared-config profile.
    Profile,
    // Static access keys from the config.
    Credentials,
    // AWS SDK default chain (or AWS_BEARER_TOKEN_BEDROCK when set).
    Default,
}

impl AuthMode {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMode::Apikey => "apikey",
            AuthMode::Profile => "profile",
            AuthMode::Credentials => "credentials",
            AuthMode::Default => "default",
        }
    }
}

impl fmt::Display for AuthMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Guardrail stream processing mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StreamProcessingMode {
    Sync,
    Async,
}

impl StreamProcessingMode {
    pub fn as_str(self) -> &'static str {
        match self {
            StreamProcessingMode::Sync => "sync",
            StreamProcessingMode::Async => "async",
        }
    }
}

/// Guardrail trace setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GuardrailTrace {
    Enabled,
    Disabled,
    EnabledFull,
}

impl GuardrailTrace {
    pub fn as_str(self) -> &'static str {
        match self {
            GuardrailTrace::Enabled => "enabled",
            GuardrailTrace::Disabled => "disabled",
            GuardrailTrace::EnabledFull => "enabled_full",
        }
    }
}

/// Default reasoning effort.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReasoningEffort {
    // Thinking off.
    None,
    Low,
    Medium,
    High,
}

impl ReasoningEffort {
    pub fn as_str(self) -> &'static str {
        match self {
            ReasoningEffort::None => "none",
            ReasoningEffort::Low => "low",
            ReasoningEffort::Medium => "medium",
            ReasoningEffort::High => "high",
        }
    }
}

/// Effective retry policy with defaults applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    pub self_heal: bool,
}

impl DiscoveryConfig {
    /// Cache TTL; zero means "do not cache" (DISC-45), not "cache forever".
    /// Clamped to the schema's maximum, so a config built in code cannot overflow the
    /// cache's `Instant + ttl` either.
    pub fn refresh_interval_secs(&self) -> u64 {
        self.refresh_interval
            .unwrap_or(DEFAULT_REFRESH_INTERVAL_SECS)
            .min(MAX_REFRESH_INTERVAL_SECS)
    }

    pub fn default_context_window(&self) -> u64 {
        self.default_context_window
            .unwrap_or(DEFAULT_CONTEXT_WINDOW)
            .clamp(1, MAX_CONTEXT_WINDOW)
    }

    pub fn default_max_tokens(&self) -> u64 {
        self.default_max_tokens
            .unwrap_or(DEFAULT_MAX_TOKENS)
            .clamp(1, MAX_MAX_TOKENS)
    }

    /// An empty filter means "all providers", the same as no filter.
    pub fn provider_filter(&self) -> &[String] {
        self.provider_filter.as_deref().unwrap_or(&[])
    }

    /// BR-81: access checks are on unless turned off.
    pub fn check_access(&self) -> bool {
        self.check_access.unwrap_or(true)
    }

    /// BR-81: known-unavailable models are left out unless asked for.
    pub fn include_unavailable(&self) -> bool {
        self.include_unavailable.unwrap_or(false)
    }

    /// BR-85: the configured sources, in schema order (so the cache key does not depend on
    /// the order written), or the default two.
    pub fn include(&self) -> Vec<CatalogSource> {
        match &self.include {
            Some(include) => CatalogSource::ALL
                .into_iter()
                .filter(|source| include.contains(source))
                .collect(),
            None => CatalogSource::DEFAULT.to_vec(),
        }
    }
}

impl PluginConfig {
    /// Parses a config object, naming the offending key path on failure.
    ///
    /// The host validates against the manifest schema before the plugin sees the config,
    /// but the plugin re-checks the same constraints so a host that skips validation
    /// cannot smuggle in values the request builders would misuse: the integer bounds
    /// straight from the generated schema ([`schema::check_integers`], PLG-11), the
    /// patterns and lengths in `check_constraints`.
    pub fn from_json(value: &Value) -> Result<PluginConfig, ConfigError> {
        // serde also accepts a struct written as an array; config objects must be objects.
        let Some(obj) = value.as_object() else {
            return Err(ConfigError::Invalid {
                path: String::new(),
                message: format!(
                    "expected object, got {}",
                    plugin_api::config_rules::json_type(value)
                ),
            });
        };
        for key in ["discovery", "guardrail", "timeouts", "retry", "limits"] {
            if let Some(v) = obj.get(key).filter(|v| !v.is_object()) {
                return Err(ConfigError::Invalid {
                    path: key.to_string(),
                    message: format!(
                        "expected object, got {}",
                        plugin_api::config_rules::json_type(v)
                    ),
                });
            }
        }
        schema::check_integers(value)?;
        let config: PluginConfig = serde_path_to_error::deserialize(value).map_err(|err| {
            let path = err.path().to_string();
            ConfigError::Invalid {
                path: if path == "." { String::new() } else { path },
                message: friendly_serde_message(&err.into_inner().to_string()),
            }
        })?;
        config.check_constraints()?;
        Ok(config)
    }

    fn check_constraints(&self) -> Result<(), ConfigError> {
        fn fail(path: &str, message: String) -> Result<(), ConfigError> {
            Err(ConfigError::Invalid {
                path: path.to_string(),
                message,
            })
        }
        fn pattern(
            path: &str,
            value: Option<&str>,
            re: &Regex,
            raw: &str,
        ) -> Result<(), ConfigError> {
            match value {
                Some(v) if !re.is_match(v) => fail(path, format!("must match pattern \"{raw}\"")),
                _ => Ok(()),
            }
        }
        /// The spec's pattern first (its CFG-10 message), then PLG-12's userinfo rule with its
        /// own sentence; the value is never echoed since the password is the point.
        fn endpoint(path: &str, value: Option<&str>) -> Result<(), ConfigError> {
            pattern(path, value, &ENDPOINT_RE, ENDPOINT_PATTERN)?;
            match value {
                Some(v) if endpoint_has_userinfo(v) => {
                    fail(path, ENDPOINT_USERINFO_MESSAGE.to_string())
                }
                _ => Ok(()),
            }
        }

        if self.aws_profile.as_deref() == Some("") {
            fail("awsProfile", "must not be empty".to_string())?;
        }
        pattern(
            "awsRegion",
            self.aws_region.as_deref(),
            &REGION_RE,
            REGION_PATTERN,
        )?;
        endpoint("awsBedrockEndpoint", self.aws_bedrock_endpoint.as_deref())?;
        endpoint(
            "awsBedrockControlPlaneEndpoint",
            self.aws_bedrock_control_plane_endpoint.as_deref(),
        )?;
        if let Some(d) = &self.discovery {
            pattern(
                "discovery.region",
                d.region.as_deref(),
                &REGION_RE,
                REGION_PATTERN,
            )?;
            for (i, p) in d.provider_filter().iter().enumerate() {
                if p.is_empty() {
                    fail(
                        &format!("discovery.providerFilter[{i}]"),
                        "must not be empty".to_string(),
                    )?;
                }
            }
            // BR-85 "unique" (PLG-62): the schema subset has no uniqueItems, so the plugin
            // names the repeated item itself.
            for (i, source) in d.include.iter().flatten().enumerate() {
                if d.include
                    .iter()
                    .flatten()
                    .take(i)
                    .any(|earlier| earlier == source)
                {
                    fail(
                        &format!("discovery.include[{i}]"),
                        format!("must not repeat \"{}\"", source.as_str()),
                    )?;
                }
            }
        }
        if let Some(g) = &self.guardrail {
            if g.guardrail_identifier.is_empty() {
                fail(
                    "guardrail.guardrailIdentifier",
                    "must not be empty".to_string(),
                )?;
            }
            pattern(
                "guardrail.guardrailVersion",
                Some(&g.guardrail_version),
                &GUARDRAIL_VERSION_RE,
                GUARDRAIL_VERSION_PATTERN,
            )?;
        }
        Ok(())
    }

    /// CFG-12: combinations the schema cannot express. They are warnings, not load
    /// failures, because the request path reports the actionable error (AUTH-05) anyway.
    pub fn semantic_warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        if self.aws_authentication == Some(AuthMode::Credentials)
            && (self.aws_access_key.is_none() || self.aws_secret_key.is_none())
        {
            warnings.push(
                "awsAuthentication \"credentials\" requires awsAccessKey and awsSecretKey"
                    .to_string(),
            );
        } else if self.aws_authentication.is_none() {
            // PLG-26: AUTH-02 infers `credentials` only from both halves; one alone would send
            // the request down the default chain without a word about the key that was set.
            let half = match (self.aws_access_key.is_some(), self.aws_secret_key.is_some()) {
                (true, false) => Some(("awsAccessKey", "awsSecretKey")),
                (false, true) => Some(("awsSecretKey", "awsAccessKey")),
                _ => None,
            };
            if let Some((set, missing)) = half {
                warnings.push(format!(
                    "{set} is set without {missing}; both are needed for static credentials, so the default AWS credential chain is used instead"
                ));
            }
        }
        warnings
    }

    pub fn discovery_enabled(&self) -> Option<bool> {
        self.discovery.as_ref().and_then(|d| d.enabled)
    }

    pub fn discovery_region(&self) -> Option<&str> {
        self.discovery.as_ref().and_then(|d| d.region.as_deref())
    }

    pub fn provider_filter(&self) -> &[String] {
        self.discovery
            .as_ref()
            .map(DiscoveryConfig::provider_filter)
            .unwrap_or(&[])
    }

    pub fn refresh_interval_secs(&self) -> u64 {
        self.discovery.as_ref().map_or(
            DEFAULT_REFRESH_INTERVAL_SECS,
            DiscoveryConfig::refresh_interval_secs,
        )
    }

    pub fn default_context_window(&self) -> u64 {
        self.discovery.as_ref().map_or(
            DEFAULT_CONTEXT_WINDOW,
            DiscoveryConfig::default_context_window,
        )
    }

    pub fn default_max_tokens(&self) -> u64 {
        self.discovery
            .as_ref()
            .map_or(DEFAULT_MAX_TOKENS, DiscoveryConfig::default_max_tokens)
    }

    /// `discovery.checkAccess` (BR-81).
    pub fn check_access(&self) -> bool {
        self.discovery
            .as_ref()
            .is_none_or(DiscoveryConfig::check_access)
    }

    /// `discovery.includeUnavailable` (BR-81).
    pub fn include_unavailable(&self) -> bool {
        self.discovery
            .as_ref()
            .is_some_and(DiscoveryConfig::include_unavailable)
    }

    /// `discovery.include` (BR-85).
    pub fn catalog_sources(&self) -> Vec<CatalogSource> {
        self.discovery
            .as_ref()
            .map_or_else(|| CatalogSource::DEFAULT.to_vec(), DiscoveryConfig::include)
    }

    /// Clamped into the schema's range, like every duration below (see the `MAX_` constants).
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_millis(
            self.timeouts
                .as_ref()
                .and_then(|t| t.connect_ms)
                .unwrap_or(DEFAULT_CONNECT_TIMEOUT_MS)
                .clamp(MIN_CONNECT_TIMEOUT_MS, MAX_CONNECT_TIMEOUT_MS),
        )
    }

    /// Stall guard (BR-20); never zero, because the minimum is enforced here too.
    pub fn stream_idle_timeout(&self) -> Duration {
        Duration::from_millis(
            self.timeouts
                .as_ref()
                .and_then(|t| t.stream_idle_ms)
                .unwrap_or(DEFAULT_STREAM_IDLE_MS)
                .clamp(MIN_STREAM_IDLE_MS, MAX_STREAM_IDLE_MS),
        )
    }

    pub fn retry_max_attempts(&self) -> u32 {
        // Clamped into 1..=10 first, so the conversion cannot fail.
        self.retry
            .as_ref()
            .and_then(|r| r.max_attempts)
            .map_or(DEFAULT_RETRY_MAX_ATTEMPTS, |n| {
                u32::try_from(n.clamp(1, MAX_RETRY_MAX_ATTEMPTS))
                    .unwrap_or(DEFAULT_RETRY_MAX_ATTEMPTS)
            })
    }

    pub fn retry_base_delay(&self) -> Duration {
        Duration::from_millis(
            self.retry
                .as_ref()
                .and_then(|r| r.base_delay_ms)
                .unwrap_or(DEFAULT_RETRY_BASE_DELAY_MS)
                .min(MAX_RETRY_BASE_DELAY_MS),
        )
    }

    pub fn retry_max_delay(&self) -> Duration {
        Duration::from_millis(
            self.retry
                .as_ref()
                .and_then(|r| r.max_delay_ms)
                .unwrap_or(DEFAULT_RETRY_MAX_DELAY_MS)
                .min(MAX_RETRY_MAX_DELAY_MS),
        )
    }

    /// BR-15: how long a throttle failover is remembered; zero disables failover.
    pub fn retry_failover_memory(&self) -> Duration {
        Duration::from_millis(
            self.retry
                .as_ref()
                .and_then(|r| r.failover_memory_ms)
                .unwrap_or(DEFAULT_RETRY_FAILOVER_MEMORY_MS)
                .min(MAX_RETRY_FAILOVER_MEMORY_MS),
        )
    }

    pub fn retry_self_heal(&self) -> bool {
        self.retry
            .as_ref()
            .and_then(|r| r.self_heal)
            .unwrap_or(DEFAULT_RETRY_SELF_HEAL)
    }

    /// PLG-90: chat streams one instance runs at once (clamped into the schema's range).
    pub fn max_concurrent_streams(&self) -> usize {
        let limit = self
            .limits
            .as_ref()
            .and_then(|l| l.max_concurrent_streams)
            .unwrap_or(DEFAULT_MAX_CONCURRENT_STREAMS)
            .clamp(1, MAX_MAX_CONCURRENT_STREAMS);
        usize::try_from(limit).unwrap_or(usize::MAX)
    }

    /// PLG-91: the largest argument JSON of one tool call, in bytes.
    pub fn max_tool_argument_bytes(&self) -> usize {
        let limit = self
            .limits
            .as_ref()
            .and_then(|l| l.max_tool_argument_bytes)
            .unwrap_or(DEFAULT_MAX_TOOL_ARGUMENT_BYTES)
            .clamp(MIN_MAX_TOOL_ARGUMENT_BYTES, MAX_MAX_TOOL_ARGUMENT_BYTES);
        usize::try_from(limit).unwrap_or(usize::MAX)
    }

    /// PLG-91: the largest single streamed delta, in bytes.
    pub fn max_delta_bytes(&self) -> usize {
        let limit = self
            .limits
            .as_ref()
            .and_then(|l| l.max_delta_bytes)
            .unwrap_or(DEFAULT_MAX_DELTA_BYTES)
            .clamp(MIN_MAX_DELTA_BYTES, MAX_MAX_DELTA_BYTES);
        usize::try_from(limit).unwrap_or(usize::MAX)
    }

    pub fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            max_attempts: self.retry_max_attempts(),
            base_delay: self.retry_base_delay(),
            max_delay: self.retry_max_delay(),
            self_heal: self.retry_self_heal(),
        }
    }

    /// REQ-02: the maxTokens sent when the caller sets none (before the model's cap).
    pub fn request_max_tokens(&self) -> u64 {
        self.request_max_tokens
            .unwrap_or(DEFAULT_REQUEST_MAX_TOKENS)
            .clamp(1, MAX_REQUEST_MAX_TOKENS)
    }

    /// THINK-07: the plugin's thinking budget, clamped to the schema's maximum.
    pub fn thinking_budget_tokens(&self) -> Option<u64> {
        self.thinking_budget_tokens
            .map(|budget| budget.min(MAX_THINKING_BUDGET_TOKENS))
    }

    /// GRD-05: evaluate only the newest user turn.
    pub fn guardrail_latest_message_only(&self) -> bool {
        self.guardrail
            .as_ref()
            .and_then(|g| g.latest_message_only)
            .unwrap_or(DEFAULT_GUARDRAIL_LATEST_MESSAGE_ONLY)
    }

    pub fn use_cross_region_inference(&self) -> bool {
        self.aws_use_cross_region_inference
            .unwrap_or(DEFAULT_USE_CROSS_REGION_INFERENCE)
    }

    pub fn use_global_inference(&self) -> bool {
        self.aws_use_global_inference
            .unwrap_or(DEFAULT_USE_GLOBAL_INFERENCE)
    }

    pub fn use_prompt_cache(&self) -> bool {
        self.aws_bedrock_use_prompt_cache
            .unwrap_or(DEFAULT_USE_PROMPT_CACHE)
    }

    pub fn enable_1m_context(&self) -> bool {
        self.enable_1m_context.unwrap_or(DEFAULT_ENABLE_1M_CONTEXT)
    }

    /// AUTH-02 steps 2–3 (skip-auth is an env decision made by the caller).
    ///
    /// Env references count as set only when they resolve to a non-blank value (CFG-02),
    /// so the caller passes the same env snapshot it uses for the rest of the operation.
    pub fn auth_mode(&self, env: &dyn Fn(&str) -> Option<String>) -> AuthMode {
        if let Some(mode) = self.aws_authentication {
            return mode;
        }
        let is_set = |s: &Option<Secret>| s.as_ref().and_then(|s| s.resolve(env)).is_some();
        if is_set(&self.aws_bedrock_api_key) {
            AuthMode::Apikey
        } else if is_set(&self.aws_access_key) && is_set(&self.aws_secret_key) {
            AuthMode::Credentials
        } else if self
            .aws_profile
            .as_deref()
            .is_some_and(|p| !p.trim().is_empty())
        {
            AuthMode::Profile
        } else {
            AuthMode::Default
        }
    }
}

/// Why a config object was rejected; the path is relative to the plugin's `config` object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "invalid config for plugin amazon-bedrock at {}: {message}",
        full_path(path)
    )]
    Invalid { path: String, message: String },
}

impl ConfigError {
    /// Dotted path under `config` (`discovery.providerFilter[1]`); empty for the object itself.
    pub fn path(&self) -> &str {
        match self {
            ConfigError::Invalid { path, .. } => path,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            ConfigError::Invalid { message, .. } => message,
        }
    }
}

/// Rewrites serde's wording for the two structural errors into the host's CFG-10 wording,
/// so the plugin and the host describe the same mistake the same way.
fn friendly_serde_message(message: &str) -> String {
    let quoted_name = |rest: &str| rest.split('`').next().map(str::to_string);
    if let Some(name) = message
        .strip_prefix("unknown field `")
        .and_then(quoted_name)
    {
        return format!("unknown property \"{name}\"");
    }
    if let Some(name) = message
        .strip_prefix("missing field `")
        .and_then(quoted_name)
    {
        return format!("missing required property \"{name}\"");
    }
    // CFG-10's enum sentence, as the host words it: `must be one of "a", "b"` (BR-85 names
    // the allowed sources this way).
    if let Some((_, allowed)) = message
        .strip_prefix("unknown variant `")
        .and_then(|rest| rest.split_once("`, expected one of "))
    {
        let names: Vec<String> = allowed
            .split(", ")
            .map(|name| format!("\"{}\"", name.trim_matches('`')))
            .collect();
        return format!("must be one of {}", names.join(", "));
    }
    message.to_string()
}

/// PLG-12: whether an endpoint URL may carry `user[:password]@` before its host, by the
/// schema's own [`ENDPOINT_NO_USERINFO_PATTERN`], so the plugin and the host agree. An `@` in
/// a path such as `https://proxy.example/v1/@team` is not userinfo.
pub fn endpoint_has_userinfo(url: &str) -> bool {
    // Without an `@` the pattern's first branch (`^[^@]*$`) matches: skip the regex, which
    // every chat would otherwise run for its endpoint (issue 9).
    url.contains('@') && !ENDPOINT_NO_USERINFO_RE.is_match(url.trim())
}

fn full_path(path: &str) -> String {
    if path.is_empty() {
        CONFIG_PATH_PREFIX.to_string()
    } else if path.starts_with('[') {
        format!("{CONFIG_PATH_PREFIX}{path}")
    } else {
        format!("{CONFIG_PATH_PREFIX}.{path}")
    }
}

#[cfg(test)]
mod tests;
