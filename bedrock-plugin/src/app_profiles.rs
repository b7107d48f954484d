//! Application inference profiles: which foundation models an opaque
//! `…:application-inference-profile/<id>` ARN stands for (TEMP-04, CACHE-20, BR-51, EMB-11).
//!
//! Nothing in such an ARN says which model serves it, yet several rules depend on that model:
//! temperature removal for Claude Opus 4.7+ (TEMP-04), prompt-cache eligibility (CACHE-20), the
//! foundation model id CountTokens wants (BR-51) and the embedding family (EMB-11). The answer
//! is Bedrock's `GetInferenceProfile`, asked in the ARN's own region (REG-11) once per ARN per
//! plugin instance and shared by every consumer: concurrent requests for one ARN wait for one
//! call (single flight), a success is kept for the instance's lifetime (bounded to
//! [`CAPACITY`] ARNs), a failure is not kept so the next request asks again, and throttled or
//! failing calls are retried like every control-plane call (BR-14, `discovery::fetch`).
//! Consumers receive the targets through `ModelTraits::profile_targets`.

#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use futures::FutureExt as _;
use plugin_api::error::PluginError;

use crate::aws::target::CallContext;
use crate::discovery::fetch::{self, CallFailure, CONTROL_PLANE_DEADLINE};
use crate::models::caching::{application_profile_name, ModelCaching};
use crate::models::traits::ModelTraits;
use crate::single_flight::{Lookup, SingleFlight};

/// Most ARNs one instance keeps lookup results for (least recently used first out).
pub const CAPACITY: usize = 256;

/// Extra time [`AppProfiles::resolve_blocking`] waits beyond the lookup's own NET-04 deadline
/// (credential resolution happens before the call's deadline starts).
const BLOCKING_MARGIN: Duration = Duration::from_secs(5);

/// Whether `model_id` is an application inference profile ARN (CACHE-20's pattern, whose one
/// parser is `request::cache::policy`).
pub fn is_application_profile_arn(model_id: &str) -> bool {
    application_profile_name(model_id).is_some()
}

/// TEMP-04: whether a request for this model needs the lookup. Opaque profiles always do
/// (TEMP-01 and CACHE-20 both depend on the target); named Claude profiles only when the
/// request sets `temperature` or `topP` (CACHE-20 decides them by name).
pub fn wants_lookup(traits: &ModelTraits, sets_sampling: bool) -> bool {
    match traits.caching {
        ModelCaching::ApplicationProfile { named_claude } => sets_sampling || !named_claude,
        ModelCaching::Model(_) => false,
    }
}

/// REG-11: the region field of the ARN (its 4th `:`-separated field), when not empty.
pub fn arn_region(arn: &str) -> Option<&str> {
    arn.trim()
        .split(':')
        .nth(3)
        .map(str::trim)
        .filter(|region| !region.is_empty())
}

/// The model id of a target `modelArn` (the part after `foundation-model/`); an ARN of
/// another kind is kept whole.
pub fn target_model_id(model_arn: &str) -> String {
    let model_arn = model_arn.trim();
    model_arn
        .split_once("foundation-model/")
        .map(|(_, id)| id.trim())
        .filter(|id| !id.is_empty())
        .unwrap_or(model_arn)
        .to_owned()
}

/// Why a lookup gave no answer (the consumers then fall back to the ARN itself, TEMP-04).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LookupError {
    /// Credentials or the client could not be set up, so nothing was sent.
    #[error("{}", .0.message)]
    Setup(PluginError),
    /// GetInferenceProfile failed (after the BR-14 retries).
    #[error("{}", .0.detail())]
    Call(CallFailure),
    /// The plugin runtime could not run the lookup, or did not answer in time.
    #[error("{0}")]
    Runtime(String),
}

/// The target model ids of one profile, in the order Bedrock listed them (possibly none, which
/// is kept like any answer, PLG-41).
pub type Targets = Arc<Vec<String>>;

/// The lookup one caller starts when no call for its ARN is in flight.
type StartLookup = Box<dyn FnOnce() -> BoxFuture<'static, Result<Vec<String>, LookupError>> + Send>;

/// The lookups of one plugin instance (see the module docs).
pub struct AppProfiles {
    flights: SingleFlight<String, Vec<String>, LookupError>,
}

impl Default for AppProfiles {
    fn default() -> Self {
        Self::with_capacity(CAPACITY)
    }
}

impl AppProfiles {
    /// Lookups for at most `capacity` ARNs.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            flights: SingleFlight::new(capacity),
        }
    }

    /// The kept targets of `arn`, without any I/O.
    pub fn cached(&self, arn: &str) -> Option<Targets> {
        self.flights.cached(&arn.trim().to_owned())
    }

    /// How many ARNs are held (looked up or in flight).
    pub fn len(&self) -> usize {
        self.flights.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The targets of `arn`: kept, joined from a call in flight, or looked up now with
    /// GetInferenceProfile in the ARN's region, else `runtime_region` (REG-11).
    pub async fn resolve(
        self: &Arc<Self>,
        call: &CallContext,
        arn: &str,
        runtime_region: &str,
    ) -> Result<Targets, LookupError> {
        let arn = arn.trim().to_owned();
        let region = arn_region(&arn).unwrap_or(runtime_region).trim().to_owned();
        let call = call.clone();
        let lookup_arn = arn.clone();
        self.resolve_with(
            &arn,
            Box::new(move || get_targets(call, lookup_arn, region).boxed()),
        )
        .await
    }

    /// [`Self::resolve`] with the lookup given (the seam the unit tests drive without a
    /// network): `start` runs only when nothing is kept or in flight for `arn`.
    pub(crate) async fn resolve_with(
        self: &Arc<Self>,
        arn: &str,
        start: StartLookup,
    ) -> Result<Targets, LookupError> {
        let key = arn.trim().to_owned();
        let lookup = self.flights.lookup(key.clone(), false, |run_id| {
            let this = self.clone();
            async move {
                let result = start().await.map(Arc::new);
                let keep = result.as_ref().ok().map(|targets| (targets.clone(), None));
                this.flights.complete(&key, run_id, keep);
                result
            }
            .boxed()
        });
        match lookup {
            Lookup::Hit(targets) => Ok(targets),
            Lookup::Run(run) => run.await,
        }
    }

    /// [`Self::resolve`] for a synchronous caller (EMB-11: embedding providers are created
    /// synchronously and must know their family at once): runs the lookup on the plugin
    /// runtime and waits for it, at most the NET-04 deadline plus a margin (PLG-42). Never waits
    /// on the plugin runtime's own thread, which would wait for itself.
    pub fn resolve_blocking(
        self: &Arc<Self>,
        call: &CallContext,
        arn: &str,
        runtime_region: &str,
    ) -> Result<Targets, LookupError> {
        if let Some(targets) = self.cached(arn) {
            return Ok(targets);
        }
        if crate::runtime::on_plugin_runtime() {
            return Err(LookupError::Runtime(
                "GetInferenceProfile cannot be awaited on the plugin runtime thread".to_owned(),
            ));
        }
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        let this = self.clone();
        let call = call.clone();
        let arn = arn.to_owned();
        let runtime_region = runtime_region.to_owned();
        crate::runtime::spawn(async move {
            let result = this.resolve(&call, &arn, &runtime_region).await;
            let _ = sender.send(result);
        })
        .map_err(LookupError::Runtime)?;
        let limit = CONTROL_PLANE_DEADLINE.saturating_add(BLOCKING_MARGIN);
        receiver.recv_timeout(limit).unwrap_or_else(|_| {
            Err(LookupError::Runtime(format!(
                "GetInferenceProfile did not answer within {} ms",
                limit.as_millis()
            )))
        })
    }
}

/// One GetInferenceProfile (with its BR-14 retries) in `region`; a failure is logged once
/// per ARN and message, since the request goes on with the ARN itself (TEMP-04).
async fn get_targets(
    call: CallContext,
    arn: String,
    region: String,
) -> Result<Vec<String>, LookupError> {
    let result = async {
        let target = call
            .control_target_in(&region)
            .await
            .map_err(LookupError::Setup)?;
        let client = call
            .clients
            .control(&target.spec)
            .map_err(LookupError::Setup)?;
        let policy = call.settings.config.retry_policy();
        let arns = fetch::inference_profile_model_arns(&client, &arn, &policy)
            .await
            .map_err(LookupError::Call)?;
        Ok(arns.iter().map(|model| target_model_id(model)).collect())
    }
    .await;
    match &result {
        Ok(targets) => tracing::debug!(
            profile = %arn,
            region = %region,
            targets = ?targets,
            "Amazon Bedrock application inference profile resolved"
        ),
        Err(error) => {
            let message = format!(
                "Amazon Bedrock GetInferenceProfile failed for {arn} in {region}: {error}; using the ARN itself"
            );
            if call.warnings.first(&message) {
                tracing::warn!("{message}");
            }
        }
    }
    result
}

/// The request's traits with the kept targets of its application profile when the request
/// needs them (see [`wants_lookup`]) and a lookup result is already known, and whether a
/// lookup must still run (the caller then resolves on the plugin runtime and shapes again).
pub fn traits_from_cache(
    profiles: &AppProfiles,
    traits: ModelTraits,
    sets_sampling: bool,
) -> (ModelTraits, bool) {
    if !wants_lookup(&traits, sets_sampling) {
        return (traits, false);
    }
    match profiles.cached(&traits.id) {
        Some(targets) => (traits.with_profile_targets(targets.to_vec()), false),
        None => (traits, true),
    }
}
