//! The `EmbeddingProvider` trait object: one model and dimension per instance (EMB-03), each
//! call an InvokeModel with the plugin's auth, region and endpoint (EMB-28, EMB-33, EMB-40).

use std::hash::{BuildHasher as _, Hasher as _};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{ROption, RString, RVec};
use aws_sdk_bedrockruntime::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_bedrockruntime::operation::invoke_model::InvokeModelError;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::Blob;
use plugin_api::embedding::{EmbeddingProviderInfo, EmbeddingProviderRequest, Embeddings};
use plugin_api::error::{ErrorKind, PluginError};
use plugin_api::poll::PendingEmbeddings_TO;
use plugin_api::traits::{
    EmbeddingProvider, EmbeddingProviderBox, EmbeddingProvider_TO, PendingEmbeddingsBox,
};

use super::batch::{self, CallResult};
use super::families::{self, Family, Purpose, ResolvedModel};
use crate::app_profiles::{self, AppProfiles};
use crate::aws::region::{self, RuntimeRegionInputs};
use crate::aws::target::{CallContexts, RuntimeRequest};
use crate::config::RetryPolicy;
use crate::error::BedrockError;
use crate::manifest::EMBEDDING_PROVIDER_ID;
use crate::pending::PendingTask;

/// NET-04: the deadline of one InvokeModel call.
pub const INVOKE_DEADLINE: Duration = Duration::from_millis(60_000);
/// EMB-23: the header carrying the input token count of an InvokeModel response.
pub const INPUT_TOKEN_HEADER: &str = "x-amzn-bedrock-input-token-count";

/// A provider bound to one resolved model.
#[derive(Clone)]
pub struct BedrockEmbeddings {
    /// Fresh settings, env and caches for each call (EMB-41).
    contexts: CallContexts,
    model: ResolvedModel,
    /// `memorySearch.remote.baseUrl`: region hint or custom endpoint (EMB-40).
    base_url: Option<String>,
    /// The region at creation, for `info()` and the EMB-03 cache identity.
    region: String,
}

/// EMB-10..14, EMB-41: resolves the model and builds the trait object, or the creation error.
pub fn create(
    contexts: CallContexts,
    app_profiles: Arc<AppProfiles>,
    request: &EmbeddingProviderRequest,
) -> Result<EmbeddingProviderBox, PluginError> {
    let dimensions = request.output_dimensionality.into_option();
    let family = request.family.as_ref().into_option().map(RString::as_str);
    let model_id = families::normalize_model_id(request.model.as_str());
    // EMB-11: an application profile's spec comes from its looked-up target, unless the host
    // names the family (PLG-42); everything else resolves (and fails) before any other check.
    let profile_lookup = family.is_none() && app_profiles::is_application_profile_arn(&model_id);
    let resolved = if profile_lookup {
        None
    } else {
        Some(families::resolve(
            request.model.as_str(),
            dimensions,
            family,
        )?)
    };
    let base_url = request
        .base_url
        .as_ref()
        .into_option()
        .map(|url| url.trim().to_owned())
        .filter(|url| !url.is_empty());
    let call = contexts();
    let (settings, env) = (&call.settings, &call.env);
    // The profile's own region needs async file I/O; calls resolve the full REG-01 order
    // (profile region included) each time, this is only the identity shown to the host.
    let region = region::runtime_region(
        &RuntimeRegionInputs {
            request_region: None,
            model_id: &model_id,
            model_base_url: base_url.as_deref(),
            provider_base_urls: settings.host.provider_base_urls(),
            aws_region: settings.config.aws_region.as_deref(),
            discovery_region: settings.config.discovery_region(),
            profile_region: None,
        },
        env,
    )
    .region;
    if !credentials_available(settings, env, &region) {
        return Err(no_credentials_error());
    }
    let model = match resolved {
        Some(model) => model,
        None => {
            // A failed lookup (logged by it, not kept) leaves the ARN an unknown id (EMB-13).
            let target = app_profiles
                .resolve_blocking(&call, &model_id, &region)
                .ok()
                .and_then(|targets| targets.first().cloned());
            families::resolve_with_spec_id(
                request.model.as_str(),
                dimensions,
                None,
                target.as_deref(),
            )?
        }
    };
    tracing::debug!(
        region = %region,
        model = %model.model_id,
        dimensions = ?model.dimensions,
        family = model.family.as_str(),
        "memory embeddings: bedrock client"
    );
    let provider = BedrockEmbeddings {
        contexts,
        model,
        base_url,
        region,
    };
    Ok(EmbeddingProvider_TO::from_ptr(
        abi_stable::std_types::RArc::new(provider),
        TD_Opaque,
    ))
}

/// EMB-01: how a host in auto mode ranks this provider against its others.
pub const AUTO_SELECT_PRIORITY: i64 = 60;

/// EMB-01: the provider descriptor every instance's `info()` carries.
pub fn descriptor() -> serde_json::Value {
    serde_json::json!({
        "id": EMBEDDING_PROVIDER_ID,
        "defaultModel": families::DEFAULT_MODEL,
        "transport": "remote",
        "authProviderId": crate::manifest::PROVIDER_ID,
        "autoSelectPriority": AUTO_SELECT_PRIORITY,
    })
}

fn descriptor_extensions() -> plugin_api::ext::Extensions {
    let mut extensions = plugin_api::ext::Extensions::new();
    extensions.set(
        plugin_api::ext::keys::EMBEDDING_DESCRIPTOR,
        plugin_api::ext::ExtValue::Json(descriptor().to_string().into()),
    );
    extensions
}

/// EMB-32: the creation error when no credentials can exist.
pub const NO_CREDENTIALS: &str = "No API key found for provider \"bedrock\". AWS credentials are not available. Set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or AWS_BEARER_TOKEN_BEDROCK, configure an EC2/ECS/EKS role, or set agents.defaults.memorySearch.provider to another provider.";

/// Env vars whose presence means the SDK chain may resolve credentials (EMB-30).
const CHAIN_MARKERS: [&str; 5] = [
    "AWS_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
];

fn no_credentials_error() -> PluginError {
    PluginError::new(ErrorKind::Auth, NO_CREDENTIALS)
}

/// What the synchronous part of the EMB-30 check decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    /// Bearer, complete static keys or skip-auth.
    Available,
    /// Nothing can supply credentials (or the auth mode itself is unusable): no probe.
    Unavailable,
    /// The SDK chain decides; `allow_imds` says whether it may ask instance metadata.
    Probe { allow_imds: bool },
}

/// EMB-30 without I/O: bearer, complete static keys or skip-auth → available; an auth-mode
/// error (e.g. `apikey` without a key) → unavailable; otherwise the chain is probed only when a
/// chain marker (`awsProfile`, `AWS_PROFILE`, container, web-identity or role variables) is set
/// or instance metadata is allowed, so a host that never chose Bedrock is not slowed down.
pub fn availability(
    settings: &crate::settings::Settings,
    env: &crate::env::EnvSnapshot,
) -> Availability {
    use crate::aws::auth::{self, CredentialPlan, RequestAuth};
    let Ok(resolution) = auth::resolve(&settings.config, env, RequestAuth::default()) else {
        return Availability::Unavailable;
    };
    let allow_imds = imds_allowed(settings, env);
    match resolution.plan {
        CredentialPlan::Bearer(_) | CredentialPlan::Static { .. } | CredentialPlan::SkipAuth => {
            Availability::Available
        }
        CredentialPlan::Profile(_) => Availability::Probe { allow_imds },
        CredentialPlan::DefaultChain { profile } => {
            let marked = profile.is_some()
                || CHAIN_MARKERS
                    .iter()
                    .any(|name| env.get(name).is_some_and(|value| !value.trim().is_empty()));
            if marked || allow_imds {
                Availability::Probe { allow_imds }
            } else {
                Availability::Unavailable
            }
        }
    }
}

/// EMB-30: instance metadata may be asked only when the host chose Bedrock itself (a
/// `memorySearch.provider: "bedrock"` anywhere, or a provider entry on this plugin's api), and
/// never when `AWS_EC2_METADATA_DISABLED=true`.
fn imds_allowed(settings: &crate::settings::Settings, env: &crate::env::EnvSnapshot) -> bool {
    let disabled = env
        .get("AWS_EC2_METADATA_DISABLED")
        .is_some_and(|value| value.trim().eq_ignore_ascii_case("true"));
    !disabled
        && (settings.host.memory_search_bedrock_anywhere
            || settings
                .host
                .providers
                .iter()
                .any(|entry| entry.api.as_deref() == Some(crate::manifest::API)))
}

/// EMB-30: the probe's own deadline.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(1);
/// EMB-31: how long a probe result is reused.
pub const PROBE_MEMO: Duration = Duration::from_secs(5 * 60);
/// Most (allowImds, env fingerprint) probe results kept.
const PROBE_MEMO_CAPACITY: usize = 16;

type ProbeKey = (bool, u64);

/// EMB-31: probe results per (allowImds, env fingerprint), shared by concurrent creations
/// (single flight) for the process, as the chain they probe is the process's.
static PROBES: std::sync::LazyLock<crate::single_flight::SingleFlight<ProbeKey, bool, ()>> =
    std::sync::LazyLock::new(|| crate::single_flight::SingleFlight::new(PROBE_MEMO_CAPACITY));

/// The env fingerprint of EMB-31: the auth plan and every variable the chain reads.
fn probe_key(
    plan: &crate::aws::auth::CredentialPlan,
    region: &str,
    env: &crate::env::EnvSnapshot,
    allow_imds: bool,
) -> ProbeKey {
    const CHAIN_INPUTS: [&str; 7] = [
        "HOME",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_ROLE_SESSION_NAME",
        "AWS_EC2_METADATA_DISABLED",
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    ];
    // A fixed-key hasher: equal inputs must give equal keys across calls.
    let mut hasher = std::hash::DefaultHasher::new();
    plan.fingerprint(&mut hasher);
    hasher.write(region.as_bytes());
    for name in CHAIN_MARKERS.iter().chain(CHAIN_INPUTS.iter()) {
        hasher.write(name.as_bytes());
        hasher.write(env.get(name).unwrap_or("\0").as_bytes());
    }
    (allow_imds, hasher.finish())
}

/// EMB-30/31: the full check. A probe runs on the plugin runtime while creation (which is
/// synchronous) waits for it; on the plugin runtime's own thread it cannot wait, so the call
/// decides instead.
fn credentials_available(
    settings: &crate::settings::Settings,
    env: &crate::env::EnvSnapshot,
    region: &str,
) -> bool {
    use crate::aws::auth::{self, RequestAuth};
    use futures::FutureExt as _;
    let allow_imds = match availability(settings, env) {
        Availability::Available => return true,
        Availability::Unavailable => return false,
        Availability::Probe { allow_imds } => allow_imds,
    };
    let Ok(resolution) = auth::resolve(&settings.config, env, RequestAuth::default()) else {
        return false;
    };
    if crate::runtime::on_plugin_runtime() {
        return true;
    }
    let plan = resolution.plan;
    let key = probe_key(&plan, region, env, allow_imds);
    let (region, env) = (region.to_owned(), env.clone());
    let (sender, receiver) = std::sync::mpsc::sync_channel(1);
    let spawned = crate::runtime::spawn(async move {
        let lookup = PROBES.lookup(key, false, |run_id| {
            async move {
                let found = crate::aws::credentials::probe_chain(
                    &plan,
                    &region,
                    &env,
                    allow_imds,
                    PROBE_TIMEOUT,
                )
                .await;
                tracing::debug!(
                    allow_imds,
                    found,
                    "memory embeddings: bedrock credentials probe"
                );
                let found = Arc::new(found);
                let until = std::time::Instant::now() + PROBE_MEMO;
                PROBES.complete(&key, run_id, Some((found.clone(), Some(until))));
                Ok(found)
            }
            .boxed()
        });
        let found = match lookup {
            crate::single_flight::Lookup::Hit(found) => *found,
            crate::single_flight::Lookup::Run(run) => run.await.is_ok_and(|found| *found),
        };
        let _ = sender.send(found);
    });
    spawned.is_ok()
        && receiver
            .recv_timeout(PROBE_TIMEOUT + Duration::from_secs(1))
            .unwrap_or(false)
}

impl EmbeddingProvider for BedrockEmbeddings {
    fn info(&self) -> EmbeddingProviderInfo {
        EmbeddingProviderInfo {
            id: EMBEDDING_PROVIDER_ID.into(),
            model: self.model.model_id.as_str().into(),
            family: self.model.family.as_str().into(),
            region: self.region.as_str().into(),
            dimensions: self.model.dimensions.into(),
            max_input_tokens: self.model.max_input_tokens.into(),
            extensions: descriptor_extensions(),
        }
    }

    fn embed_query(&self, text: RString) -> PendingEmbeddingsBox {
        let this = self.clone();
        let task = PendingTask::spawn("EmbeddingProvider::embed_query", async move {
            this.embed(vec![text.into_string()], Purpose::Query).await
        });
        PendingEmbeddings_TO::from_value(task, TD_Opaque)
    }

    fn embed_batch(&self, texts: RVec<RString>) -> PendingEmbeddingsBox {
        let this = self.clone();
        let texts: Vec<String> = texts.into_iter().map(RString::into_string).collect();
        let task = PendingTask::spawn("EmbeddingProvider::embed_batch", async move {
            this.embed(texts, Purpose::Document).await
        });
        PendingEmbeddings_TO::from_value(task, TD_Opaque)
    }
}

impl BedrockEmbeddings {
    /// Resolves the call target once per query or batch (the shared config is re-read each
    /// time, EMB-41), then runs the batch plan (EMB-24..27).
    async fn embed(&self, texts: Vec<String>, purpose: Purpose) -> Result<Embeddings, PluginError> {
        if texts.iter().all(|text| batch::is_blank(text)) {
            // No call at all for an empty or all-blank input, so missing credentials do not
            // fail a no-op (EMB-24, EMB-25).
            return Ok(Embeddings {
                vectors: texts.iter().map(|_| RVec::new()).collect(),
                input_tokens: ROption::RNone,
            });
        }
        let context = (self.contexts)();
        let target = context
            .runtime_target(RuntimeRequest {
                model_id: &self.model.model_id,
                model_base_url: self.base_url.as_deref(),
                ..RuntimeRequest::default()
            })
            .await?;
        let client = context.clients.runtime(&target.spec)?;
        let call = Invoker {
            client,
            model: &self.model,
            purpose,
            retry: context.settings.config.retry_policy(),
        };
        let result = batch::run(self.model.family, texts, |chunk| call.invoke(chunk)).await?;
        Ok(Embeddings {
            vectors: result.vectors.into_iter().map(RVec::from).collect(),
            input_tokens: result.input_tokens.into(),
        })
    }
}

/// One batch's InvokeModel sender.
struct Invoker<'a> {
    client: aws_sdk_bedrockruntime::Client,
    model: &'a ResolvedModel,
    purpose: Purpose,
    retry: RetryPolicy,
}

impl Invoker<'_> {
    /// One InvokeModel for `texts` (one text, or a Cohere chunk), retrying throttling with
    /// full-jitter backoff (EMB-28, BR-10).
    async fn invoke(&self, texts: Vec<String>) -> Result<CallResult, PluginError> {
        let body = families::request_body(
            self.model.family,
            &texts,
            self.model.dimensions,
            self.purpose,
        );
        let body = serde_json::to_vec(&body).map_err(|err| {
            PluginError::new(
                ErrorKind::Internal,
                format!("embedding request body: {err}"),
            )
        })?;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            match self.send_once(&body, texts.len()).await {
                Err(error)
                    if error.error_code.as_ref().into_option().map(RString::as_str)
                        == Some("ThrottlingException")
                        && attempt < self.retry.max_attempts.max(1) =>
                {
                    let delay = full_jitter(&self.retry, attempt);
                    tracing::debug!(attempt, delay_ms = delay.as_millis() as u64, model = %self.model.model_id, "embedding call throttled; retrying");
                    tokio::time::sleep(delay).await;
                }
                other => return other,
            }
        }
    }

    async fn send_once(&self, body: &[u8], expected: usize) -> Result<CallResult, PluginError> {
        let header = TokenHeader::default();
        let send = self
            .client
            .invoke_model()
            .model_id(&self.model.model_id)
            .content_type("application/json")
            .accept("application/json")
            .body(Blob::new(body.to_vec()))
            .customize()
            .interceptor(header.clone())
            .send();
        let output = match tokio::time::timeout(INVOKE_DEADLINE, send).await {
            Err(_) => {
                return Err(PluginError::new(
                    ErrorKind::Timeout,
                    format!(
                        "Amazon Bedrock InvokeModel timed out after {} ms",
                        INVOKE_DEADLINE.as_millis()
                    ),
                )
                .with_retryable(true))
            }
            Ok(Err(err)) => return Err(invoke_error(&err)),
            Ok(Ok(output)) => output,
        };
        let family = self.model.family;
        let expected_dims = match family {
            // Nova always asks for a dimension (EMB-20), so its length is always known.
            Family::Nova => Some(self.model.dimensions.unwrap_or(1024)),
            _ => self.model.dimensions,
        };
        let body = output.body.into_inner();
        let (vectors, input_tokens) = if body.len() > PARSE_ON_RUNTIME_MAX_BYTES {
            // PLG-35: a large body (96 Cohere vectors are 1.8 MB, ~8 ms to parse) is parsed on
            // the blocking pool, so the plugin's one runtime thread keeps delivering every
            // other stream's events meanwhile and the calls in flight parse in parallel.
            tokio::task::spawn_blocking(move || {
                parse_vectors(family, &body, expected, expected_dims)
            })
            .await
            .map_err(|_| PluginError::internal_panic("EmbeddingProvider response parse"))??
        } else {
            parse_vectors(family, &body, expected, expected_dims)?
        };
        Ok(CallResult {
            vectors,
            input_tokens: header.get().or(input_tokens),
        })
    }
}

/// Response bodies up to this size are parsed on the runtime thread (a Titan vector is about
/// 20 KB, parsed in well under a millisecond); larger ones on the blocking pool (PLG-35).
const PARSE_ON_RUNTIME_MAX_BYTES: usize = 64 * 1024;

/// The vectors and token count of one InvokeModel answer (EMB-21), each vector checked and
/// normalised (EMB-22).
fn parse_vectors(
    family: Family,
    body: &[u8],
    expected: usize,
    expected_dims: Option<u32>,
) -> Result<(Vec<Vec<f32>>, Option<u64>), PluginError> {
    let parsed = families::parse_response(family, body, expected)?;
    let vectors = parsed
        .vectors
        .into_iter()
        .map(|vector| families::finish_vector(vector, expected_dims))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((vectors, parsed.input_tokens))
}

/// BR-10 full jitter: a uniform delay in `[0, min(max, base · 2^(attempt-1))]`.
fn full_jitter(policy: &RetryPolicy, attempt: u32) -> Duration {
    let exponent = attempt.saturating_sub(1).min(20);
    let cap = policy
        .base_delay
        .saturating_mul(1u32 << exponent)
        .min(policy.max_delay);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(attempt);
    let fraction = (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64;
    cap.mul_f64(fraction)
}

/// Captures `x-amzn-bedrock-input-token-count` from the raw response (the SDK's output type
/// does not model it, EMB-23).
#[derive(Clone, Debug, Default)]
struct TokenHeader(Arc<Mutex<Option<u64>>>);

impl TokenHeader {
    fn get(&self) -> Option<u64> {
        self.0.lock().ok().and_then(|slot| *slot)
    }
}

impl Intercept for TokenHeader {
    fn name(&self) -> &'static str {
        "BedrockEmbeddingTokenHeader"
    }

    fn read_before_deserialization(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let count = context
            .response()
            .headers()
            .get(INPUT_TOKEN_HEADER)
            .and_then(|value| value.trim().parse::<u64>().ok());
        if let (Some(count), Ok(mut slot)) = (count, self.0.lock()) {
            *slot = Some(count);
        }
        Ok(())
    }
}

/// Maps an InvokeModel failure: service exceptions as `<ERR-01 prefix>: <message>` with the
/// status, request id and exception name (EMB-33); transport failures keep the SDK's context.
fn invoke_error(err: &SdkError<InvokeModelError, HttpResponse>) -> PluginError {
    let raw = err.raw_response();
    let http_status = raw.map(|response| response.status().as_u16());
    match err.as_service_error() {
        Some(service) => {
            let name = match service.code() {
                Some(code) => code.to_owned(),
                None if http_status == Some(429) => "ThrottlingException".to_owned(),
                None => "UnknownException".to_owned(),
            };
            let request_id = raw
                .and_then(|response| response.headers().get("x-amzn-requestid"))
                .or_else(|| service.meta().extra("aws_request_id"))
                .filter(|id| !id.is_empty());
            BedrockError::service(&name, service.message(), http_status, request_id).into()
        }
        None => PluginError::new(
            ErrorKind::Network,
            format!(
                "Amazon Bedrock InvokeModel failed: {}",
                aws_smithy_types::error::display::DisplayErrorContext(err)
            ),
        )
        .with_retryable(true),
    }
}

#[cfg(test)]
mod tests;
