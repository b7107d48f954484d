//! The provider's catalog: explicit models from the host config, and (when enabled) models
//! discovered live from the Bedrock control plane (DISC-*).
//!
//! A run calls ListFoundationModels and every page of ListInferenceProfiles concurrently
//! ([`fetch`]), checks the account's access to the kept foundation models ([`access`], BR-80)
//! and lists the account's own sources of `discovery.include` ([`sources`], BR-85) alongside,
//! turns the summaries into definitions ([`build`]), merges the explicit provider
//! ([`merge`]) and is cached per settings key with single flight ([`cache`]). Status reads
//! only what runs left behind, so it never does network I/O.

pub mod access;
pub mod build;
pub mod cache;
pub mod explicit;
pub mod fetch;
pub mod merge;
pub mod profiles;
pub mod sources;
pub mod state;

use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use abi_stable::std_types::{ROption, RString, RVec};
use futures::FutureExt;
use plugin_api::error::{ErrorKind, PluginError};
use plugin_api::model::ProviderCatalog;
use plugin_api::status::{PluginStatus, StatusLine};
use plugin_api::traits::ListModelsOptions;

use crate::aws::auth::{self, RequestAuth};
use crate::aws::endpoint;
use crate::aws::region;
use crate::aws::shared_config::{self, ProfileSettings};
use crate::aws::target::CallContext;
use crate::bounded::WarnOnce;
use crate::config::CatalogSource;
use crate::env::EnvSnapshot;
use crate::settings::Settings;

use self::build::BuildOptions;
use self::cache::{Lookup, RunFailure, RunOutput, RunResult};
use self::explicit::now_ms;
pub use self::state::DiscoveryState;

/// Logs `message` at warn level once per instance (DISC-50, DISC-51).
fn warn_once(warnings: &WarnOnce, message: String) {
    if warnings.first(&message) {
        tracing::warn!("{message}");
    }
}

/// DISC-01 / AUTH-21: whether discovery runs, and why (for status).
fn enablement(settings: &Settings, env: &EnvSnapshot) -> (bool, String) {
    match settings.config.discovery_enabled() {
        Some(false) => (false, "discovery.enabled is false".to_owned()),
        Some(true) => (true, "discovery.enabled is true".to_owned()),
        None => match auth::auth_marker(&settings.config, env) {
            Some(marker) => (true, format!("auth marker {marker}")),
            None => (
                false,
                "no auth marker (set discovery.enabled: true to discover anyway)".to_owned(),
            ),
        },
    }
}

/// The catalog for a `list_models` call.
pub async fn list_models(
    call: &CallContext,
    state: &Arc<DiscoveryState>,
    options: ListModelsOptions,
) -> Result<ProviderCatalog, PluginError> {
    let settings = &call.settings;
    let env = &call.env;
    if !enablement(settings, env).0 {
        // DISC-43: exactly the explicit entry, and nothing is sent.
        return Ok(explicit::catalog(settings));
    }
    let strict = options.strict;
    // BR-81: the cached run keeps every model; which ones a caller sees is decided here.
    let include_unavailable =
        settings.config.include_unavailable() || options.include_unavailable();
    match discover(call, state, options).await {
        Ok((output, region, from_cache)) => {
            let catalog = merge::implicit_catalog(
                settings,
                &output.models,
                &region,
                output.fetched_at_ms,
                from_cache,
                |model| include_unavailable || !access::is_unavailable(model),
            );
            state.record_catalog(catalog.fetched_at_ms, catalog.models.len());
            Ok(catalog)
        }
        Err(failure) if strict => Err(failure.error),
        Err(failure) => {
            // DISC-03/51: non-strict failures are logged and yield no discovered models.
            warn_once(
                &call.warnings,
                format!("Failed to discover Bedrock models: {}", failure.log_detail),
            );
            Ok(explicit::catalog(settings))
        }
    }
}

fn auth_failure(error: auth::AuthError) -> RunFailure {
    let message = error.to_string();
    RunFailure {
        error: PluginError::new(ErrorKind::Auth, message.clone()),
        operation: fetch::LIST_FOUNDATION_MODELS,
        log_detail: message,
    }
}

/// A failure before any call was sent (credentials, client construction).
fn setup_failure(error: PluginError) -> RunFailure {
    RunFailure {
        log_detail: error.message.to_string(),
        operation: fetch::LIST_FOUNDATION_MODELS,
        error,
    }
}

/// Resolves the settings key (DISC-44) without I/O beyond the shared config re-read, then
/// answers from the cache, joins the in-flight run, or starts one.
async fn discover(
    call: &CallContext,
    state: &Arc<DiscoveryState>,
    options: ListModelsOptions,
) -> Result<(Arc<RunOutput>, String, bool), RunFailure> {
    let env = &call.env;
    let config = &call.settings.config;
    let auth = auth::resolve(config, env, RequestAuth::default()).map_err(auth_failure)?;
    let profile = shared_config::load(env, config.aws_profile.as_deref()).await;
    let region = region::control_plane_region(
        config.discovery_region(),
        config.aws_region.as_deref(),
        profile.region.as_deref(),
        env,
    );
    let control_endpoint = endpoint::control_plane_endpoint(
        config.aws_bedrock_control_plane_endpoint.as_deref(),
        &region.region,
        env,
        &profile,
    );
    let build_options = BuildOptions {
        region: region.region.clone(),
        provider_filter: build::normalise_provider_filter(config.provider_filter()),
        default_context_window: config.default_context_window(),
        default_max_tokens: config.default_max_tokens(),
        use_cross_region_inference: config.use_cross_region_inference(),
        use_global_inference: config.use_global_inference(),
    };
    let refresh_secs = config.refresh_interval_secs();
    let catalog_options = CatalogOptions {
        check_access: config.check_access(),
        sources: config.catalog_sources(),
    };
    let key = {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        build_options.hash(&mut hasher);
        catalog_options.hash(&mut hasher);
        options.strict.hash(&mut hasher);
        refresh_secs.hash(&mut hasher);
        auth.mode.hash(&mut hasher);
        auth.source.hash(&mut hasher);
        auth.plan.fingerprint(&mut hasher);
        control_endpoint.url.hash(&mut hasher);
        hasher.finish()
    };
    let ttl = Duration::from_secs(refresh_secs);
    let lookup = state.cache.lookup(key, options.force_refresh, |run_id| {
        let call = call.clone();
        let state = state.clone();
        async move {
            let result = run(&call, &build_options, &catalog_options).await;
            state.record_run(&result);
            state.cache.complete(key, run_id, &result, ttl);
            result
        }
        .boxed()
    });
    match lookup {
        Lookup::Hit(output) => Ok((output, region.region, true)),
        Lookup::Run(shared) => {
            // A run sends requests: not from a host thread (PendingTask::spawn_eager).
            crate::runtime::continue_on_runtime().await;
            shared.await.map(|output| (output, region.region, false))
        }
    }
}

/// What a run lists besides the DISC settings of [`BuildOptions`] (part of the cache key too).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct CatalogOptions {
    /// `discovery.checkAccess` (BR-81).
    check_access: bool,
    /// `discovery.include`, in schema order (BR-85).
    sources: Vec<CatalogSource>,
}

/// ListFoundationModels, then (BR-80) the access checks of the foundation models the DISC
/// filters keep, so they overlap ListInferenceProfiles and the other sources.
async fn foundation_with_access(
    client: &aws_sdk_bedrock::Client,
    policy: &crate::config::RetryPolicy,
    build_options: &BuildOptions,
    check_access: bool,
) -> Result<
    (
        Vec<build::RawFoundationModel>,
        Option<access::AccessOutcome>,
    ),
    fetch::CallFailure,
> {
    let foundation = fetch::foundation_models(client, policy).await?;
    if !check_access {
        return Ok((foundation, None));
    }
    let ids: Vec<String> = foundation
        .iter()
        .filter(|model| build::keep_foundation_model(model, &build_options.provider_filter))
        .map(|model| model.model_id.trim().to_owned())
        .collect();
    let outcome = access::check(client, ids, policy).await;
    Ok((foundation, Some(outcome)))
}

/// BR-80 and BR-85 facts on the built models: each model's access (profiles from their
/// backing models; `unknown` when not checked) and the source that listed it.
fn annotate(
    models: &mut [plugin_api::model::ModelDefinition],
    outcome: Option<&access::AccessOutcome>,
    profile_summaries: &[profiles::RawProfile],
) {
    use plugin_api::ext::{keys, ExtValue};
    for model in models {
        let profile = profile_summaries.iter().find(|profile| {
            profile
                .profile_id
                .trim()
                .eq_ignore_ascii_case(model.id.as_str())
        });
        let (source, found) = match profile {
            Some(profile) => (
                CatalogSource::InferenceProfiles,
                outcome.map(|outcome| outcome.profile(profile)),
            ),
            None => (
                CatalogSource::FoundationModels,
                outcome.map(|outcome| outcome.model(model.id.as_str())),
            ),
        };
        found.unwrap_or(access::Access::Unknown).apply(model);
        model
            .extensions
            .set(keys::MODEL_SOURCE, ExtValue::Text(source.as_str().into()));
    }
}

/// One discovery run: ListFoundationModels (with the access checks after it), ListInferenceProfiles
/// and the extra sources concurrently (DISC-10, BR-80, BR-85), then the pure build.
async fn run(
    call: &CallContext,
    build_options: &BuildOptions,
    catalog_options: &CatalogOptions,
) -> RunResult {
    // Re-reads the shared config and resolves credentials for this run (DISC-04, AUTH-10).
    let target = call.control_target().await.map_err(setup_failure)?;
    let client = call.clients.control(&target.spec).map_err(setup_failure)?;
    tracing::debug!(
        region = %target.region.region,
        endpoint = %target.endpoint.url,
        auth_mode = target.auth.mode.as_str(),
        "running Amazon Bedrock model discovery"
    );
    // BR-14: both calls retry throttling and server errors like the runtime does.
    let policy = call.settings.config.retry_policy();
    let sources = &catalog_options.sources;
    let (foundation, profiles, extra) = tokio::join!(
        foundation_with_access(
            &client,
            &policy,
            build_options,
            catalog_options.check_access
        ),
        async {
            if sources.contains(&CatalogSource::InferenceProfiles) {
                fetch::inference_profiles(&client, &policy).await
            } else {
                Ok(Vec::new())
            }
        },
        sources::fetch_all(&client, &policy, sources)
    );
    let (foundation, access_outcome) = foundation.map_err(|failure| RunFailure {
        operation: failure.operation,
        log_detail: failure.detail(),
        error: failure.into_catalog_error(),
    })?;
    let (profiles, profile_failure) = match profiles {
        Ok(profiles) => (profiles, None),
        Err(failure) => {
            // DISC-50: profiles are optional; the foundation models are still useful.
            warn_once(
                &call.warnings,
                format!(
                    "Skipping Bedrock inference profile discovery: {}",
                    failure.detail()
                ),
            );
            (Vec::new(), Some(failure))
        }
    };
    if let Some(denied) = access_outcome.as_ref().and_then(|o| o.denied.as_ref()) {
        // BR-82: once per run (not once per instance): the run is not cached, so a user who
        // fixes the permission sees the warning stop.
        tracing::warn!("Skipping Bedrock model access check: {}", denied.message);
    }
    let mut models = build::build_models(&foundation, &profiles, build_options);
    annotate(&mut models, access_outcome.as_ref(), &profiles);
    if !sources.contains(&CatalogSource::FoundationModels) {
        // Still fetched: profiles and the other sources take their capabilities from them.
        models.retain(|model| model.source() != Some(CatalogSource::FoundationModels.as_str()));
    }
    let mut source_failures = Vec::new();
    for (source, fetched) in extra {
        match fetched {
            Ok(fetched) => models.extend(
                sources::definitions(&fetched, &foundation, build_options)
                    .into_iter()
                    .map(|mut model| {
                        access::Access::Unknown.apply(&mut model);
                        model
                    }),
            ),
            Err(failure) => {
                // BR-85: one warning naming the source; the rest of the catalog stands.
                tracing::warn!(
                    "Skipping Bedrock {} discovery: {}",
                    source.as_str(),
                    failure.detail()
                );
                source_failures.push(failure);
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    models.retain(|model| seen.insert(model.id.as_str().to_lowercase()));
    build::sort_models(&mut models);
    Ok(Arc::new(RunOutput {
        models,
        fetched_at_ms: now_ms(),
        profile_failure,
        candidates: profiles::candidates(&profiles),
        access_cacheable: access_outcome
            .as_ref()
            .is_none_or(access::AccessOutcome::cacheable),
        source_failures,
    }))
}

/// Status from cached state and the env, without network calls (AUTH-30, DISC-52).
pub fn status(call: &CallContext, state: &DiscoveryState) -> PluginStatus {
    let settings = &call.settings;
    let env = call.env.clone();
    let config = &settings.config;
    let mode = auth::effective_mode(config, &env);
    let (enabled, reason) = enablement(settings, &env);
    let credential_source = match auth::resolve(config, &env, RequestAuth::default()) {
        Ok(resolution) => resolution.source,
        Err(error) => format!("unresolved: {error}"),
    };
    // No file I/O here: the profile's region/endpoint are only known after a run.
    let profile = ProfileSettings::default();
    let control_region = region::control_plane_region(
        config.discovery_region(),
        config.aws_region.as_deref(),
        None,
        &env,
    );
    let runtime_region = region::runtime_region(
        &region::RuntimeRegionInputs {
            provider_base_urls: settings.host.provider_base_urls(),
            aws_region: config.aws_region.as_deref(),
            discovery_region: config.discovery_region(),
            ..Default::default()
        },
        &env,
    );
    let runtime_endpoint = endpoint::runtime_endpoint(
        &endpoint::RuntimeEndpointInputs {
            provider_base_urls: settings.host.provider_base_urls(),
            aws_bedrock_endpoint: config.aws_bedrock_endpoint.as_deref(),
            ..Default::default()
        },
        &runtime_region.region,
        &env,
        &profile,
    );
    let control_endpoint = endpoint::control_plane_endpoint(
        config.aws_bedrock_control_plane_endpoint.as_deref(),
        &control_region.region,
        &env,
        &profile,
    );
    let observed = state.observed_snapshot();
    let now = now_ms();
    let (age, count) = match observed.last_catalog {
        Some((fetched_at, count)) => (ROption::RSome(now.saturating_sub(fetched_at)), count),
        None => (ROption::RNone, settings.host.explicit_models().len()),
    };
    let line = |key: &str, value: String| StatusLine {
        key: RString::from(key),
        value: RString::from(value),
    };
    let mut details = vec![
        line(
            "control-plane region",
            format!("{} ({})", control_region.region, control_region.source),
        ),
        line(
            "implicit provider baseUrl",
            region::standard_runtime_base_url(&control_region.region),
        ),
        line(
            "discovery refresh interval",
            format!("{} s", config.refresh_interval_secs()),
        ),
        line("discovery cache keys", state.cache.len().to_string()),
    ];
    if let Some(error) = &observed.last_error {
        details.push(line(
            "last discovery error",
            format!("{}: {}", error.operation, error.message),
        ));
    }
    PluginStatus {
        discovery_enabled: enabled,
        discovery_reason: reason.into(),
        auth_mode: mode.as_str().into(),
        credential_source: credential_source.into(),
        region: runtime_region.region.into(),
        region_source: runtime_region.source.into(),
        runtime_endpoint: runtime_endpoint.url.into(),
        control_plane_endpoint: control_endpoint.url.into(),
        catalog_age_ms: age,
        model_count: ROption::RSome(u32::try_from(count).unwrap_or(u32::MAX)),
        last_error: observed.last_error.into(),
        details: RVec::from(details),
        extensions: Default::default(),
    }
}
