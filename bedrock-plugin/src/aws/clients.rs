//! Building SDK clients for one resolved call, and caching them (LIVE-06).
//!
//! The cache key covers everything that shapes a client (auth plan and resolved keys, region,
//! endpoint and variant, HTTP settings, timeouts), so any config, env or credential change
//! yields a new client on the next call while repeated calls reuse connections.

use std::hash::{Hash, Hasher};
use std::sync::Mutex;
use std::time::Duration;

use aws_credential_types::Credentials;
use aws_smithy_runtime_api::client::auth::http::HTTP_BEARER_AUTH_SCHEME_ID;
use aws_smithy_runtime_api::client::auth::AuthSchemeId;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_runtime_api::client::stalled_stream_protection::StalledStreamProtectionConfig;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use plugin_api::error::{ErrorKind, PluginError};

use crate::aws::auth::CredentialPlan;
use crate::aws::endpoint::{EndpointChoice, EndpointVariant};
use crate::aws::http::{self, HttpSettings};

const SIGV4_SCHEME_ID: AuthSchemeId = AuthSchemeId::new("sigv4");

/// Clients kept per kind before the least recently built is dropped.
const MAX_CACHED_CLIENTS: usize = 16;

/// Everything a client is built from.
#[derive(Clone, Debug)]
pub struct ClientSpec {
    pub region: String,
    pub endpoint: EndpointChoice,
    pub variant: EndpointVariant,
    pub http: HttpSettings,
    pub connect_timeout: Duration,
    pub plan: CredentialPlan,
    /// SigV4 credentials resolved for `plan` (`None` for bearer).
    pub credentials: Option<Credentials>,
}

impl ClientSpec {
    fn cache_key(&self) -> u64 {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.region.hash(&mut hasher);
        self.endpoint.url.hash(&mut hasher);
        self.endpoint.custom.hash(&mut hasher);
        self.variant.hash(&mut hasher);
        self.http.hash(&mut hasher);
        self.connect_timeout.hash(&mut hasher);
        self.plan.fingerprint(&mut hasher);
        if let Some(credentials) = &self.credentials {
            credentials.access_key_id().hash(&mut hasher);
            credentials.secret_access_key().hash(&mut hasher);
            credentials.session_token().hash(&mut hasher);
        }
        hasher.finish()
    }
}

struct Lru<C> {
    entries: Vec<(u64, C)>,
}

impl<C: Clone> Lru<C> {
    fn get_or_try_insert(
        &mut self,
        key: u64,
        build: impl FnOnce() -> Result<C, PluginError>,
    ) -> Result<C, PluginError> {
        if let Some(position) = self
            .entries
            .iter()
            .position(|(existing, _)| *existing == key)
        {
            let entry = self.entries.remove(position);
            let client = entry.1.clone();
            self.entries.push(entry);
            return Ok(client);
        }
        let client = build()?;
        if self.entries.len() >= MAX_CACHED_CLIENTS {
            self.entries.remove(0);
        }
        self.entries.push((key, client.clone()));
        Ok(client)
    }
}

/// Runtime and control-plane clients, cached by spec, and the HTTP clients they share.
///
/// One HTTP client per [`HttpSettings`] and connect timeout (see `http_client`) serves
/// every SDK client of the instance with those: its
/// connector (with the TLS configuration, whose root certificates take about 10 ms to load)
/// is built once, so the first chat after a discovery run, or a client rebuilt for new
/// credentials, does not pay for it again (issue 9). Connection pools are per connector, so
/// the runtime and control-plane clients still keep their own hosts' connections.
pub struct ClientCache {
    runtime: Mutex<Lru<aws_sdk_bedrockruntime::Client>>,
    control: Mutex<Lru<aws_sdk_bedrock::Client>>,
    http: Mutex<Lru<SharedHttpClient>>,
}

impl Default for ClientCache {
    fn default() -> Self {
        Self {
            runtime: Mutex::new(Lru {
                entries: Vec::new(),
            }),
            control: Mutex::new(Lru {
                entries: Vec::new(),
            }),
            http: Mutex::new(Lru {
                entries: Vec::new(),
            }),
        }
    }
}

fn http_error(err: http::HttpClientError) -> PluginError {
    PluginError::new(
        ErrorKind::InvalidConfig,
        format!("Amazon Bedrock HTTP client: {err}"),
    )
}

/// One request layer of the SDK both clients share: a single attempt (retries are the
/// plugin's, NET-06), the connect timeout (NET-04), and no byte-rate stall protection
/// (replaced by the event-level guard of BR-20).
fn shared_settings(spec: &ClientSpec) -> (RetryConfig, TimeoutConfig) {
    (
        RetryConfig::standard().with_max_attempts(1),
        TimeoutConfig::builder()
            .connect_timeout(spec.connect_timeout)
            .build(),
    )
}

/// Applies the settings both services share to a service `Config` builder (the two SDK
/// crates generate distinct builder types with the same methods).
macro_rules! configure {
    ($service:ident, $spec:expr, $http:expr) => {{
        let spec: &ClientSpec = $spec;
        let (retry, timeout) = shared_settings(spec);
        let mut builder = $service::Config::builder()
            .behavior_version($service::config::BehaviorVersion::latest())
            .region($service::config::Region::new(spec.region.clone()))
            .http_client($http)
            .retry_config(retry)
            .timeout_config(timeout)
            .stalled_stream_protection(StalledStreamProtectionConfig::disabled())
            .use_fips(spec.variant.fips)
            .use_dual_stack(spec.variant.dual_stack);
        if spec.endpoint.custom {
            builder = builder.endpoint_url(spec.endpoint.url.clone());
        }
        builder = match (&spec.plan, &spec.credentials) {
            (CredentialPlan::Bearer(token), _) => builder
                .bearer_token($service::config::Token::new(token.expose(), None))
                .auth_scheme_preference([HTTP_BEARER_AUTH_SCHEME_ID]),
            (_, Some(credentials)) => builder
                .credentials_provider(credentials.clone())
                .auth_scheme_preference([SIGV4_SCHEME_ID]),
            (_, None) => {
                return Err(PluginError::new(
                    ErrorKind::Internal,
                    "SigV4 client requested without resolved credentials",
                ))
            }
        };
        $service::Client::from_conf(builder.build())
    }};
}

impl ClientCache {
    pub fn runtime(
        &self,
        spec: &ClientSpec,
    ) -> Result<aws_sdk_bedrockruntime::Client, PluginError> {
        let mut cache = self
            .runtime
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        cache.get_or_try_insert(spec.cache_key(), || {
            Ok(configure!(
                aws_sdk_bedrockruntime,
                spec,
                self.http_client(spec)?
            ))
        })
    }

    pub fn control(&self, spec: &ClientSpec) -> Result<aws_sdk_bedrock::Client, PluginError> {
        let mut cache = self
            .control
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        cache.get_or_try_insert(spec.cache_key(), || {
            Ok(configure!(aws_sdk_bedrock, spec, self.http_client(spec)?))
        })
    }

    /// The instance's HTTP client for the spec's HTTP settings and connect timeout, built on
    /// first use.
    ///
    /// The connect timeout is part of the key because the SDK's HTTP client builds one connector
    /// (with its own connection pool) per connect timeout and never drops one: shared across
    /// timeouts, it would keep a pool for every `timeouts.connectMs` value ever configured, and
    /// an SDK client evicted from its cache would leave its connections open (NET-07). Keyed
    /// so, each HTTP client holds one pool, the LRU bounds them, and eviction closes the pool
    /// (PLG-29).
    fn http_client(&self, spec: &ClientSpec) -> Result<SharedHttpClient, PluginError> {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        spec.http.hash(&mut hasher);
        spec.connect_timeout.hash(&mut hasher);
        self.http
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get_or_try_insert(hasher.finish(), || {
                http::build(&spec.http).map_err(http_error)
            })
    }
}

#[cfg(test)]
mod tests;
