//! The account's own catalog sources of `discovery.include` (BR-85): prompt routers,
//! custom-model deployments, imported models and provisioned throughput. Users who built or
//! bought these can only call them by ARN; listing them saves copying ARNs from the console.
//!
//! Each source is fetched concurrently with the others ([`fetch_all`]); a failing source is
//! reported and left out, never taking the foundation models with it. Definitions are built by
//! the pure functions below from the summaries and this run's foundation models (the
//! choices the spec leaves open: PLG-63).

use abi_stable::std_types::RString;
use futures::StreamExt;
use plugin_api::ext::{keys, ExtValue};
use plugin_api::model::ModelDefinition;

use crate::config::{CatalogSource, RetryPolicy};
use crate::discovery::access::MAX_IN_FLIGHT;
use crate::discovery::build::{self, BuildOptions, RawFoundationModel};
use crate::discovery::fetch::{self, CallFailure};
use crate::manifest::{API, PROVIDER_ID};
use crate::models::limits;
use crate::models::prefixes::split_region_prefix;

/// One `PromptRouterSummary`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawRouter {
    pub arn: String,
    pub name: String,
    pub model_arns: Vec<String>,
}

/// One Active `CustomModelDeploymentSummary`, with the `baseModelArn` GetCustomModel named.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawCustomDeployment {
    pub arn: String,
    pub name: String,
    /// The custom model it deploys.
    pub model_arn: String,
}

/// One `ImportedModelSummary`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawImported {
    pub arn: String,
    pub name: String,
}

/// One InService `ProvisionedModelSummary`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawProvisioned {
    pub arn: String,
    pub name: String,
    pub foundation_model_arn: String,
}

/// What one source answered.
#[derive(Clone, Debug, PartialEq)]
pub enum Fetched {
    Routers(Vec<RawRouter>),
    /// Deployments, each with the base model ARN its custom model names (when GetCustomModel
    /// answered with one).
    Custom(Vec<(RawCustomDeployment, Option<String>)>),
    Imported(Vec<RawImported>),
    Provisioned(Vec<RawProvisioned>),
}

/// The extra sources of `include` (the two DISC-10 sources are fetched by the run itself).
pub fn extra_sources(include: &[CatalogSource]) -> Vec<CatalogSource> {
    include
        .iter()
        .copied()
        .filter(|source| {
            !matches!(
                source,
                CatalogSource::FoundationModels | CatalogSource::InferenceProfiles
            )
        })
        .collect()
}

/// BR-85: every extra source of `include`, concurrently; each answer or failure with its source.
pub async fn fetch_all(
    client: &aws_sdk_bedrock::Client,
    policy: &RetryPolicy,
    include: &[CatalogSource],
) -> Vec<(CatalogSource, Result<Fetched, CallFailure>)> {
    let fetches = extra_sources(include).into_iter().map(|source| async move {
        let fetched = match source {
            CatalogSource::PromptRouters => fetch::prompt_routers(client, policy)
                .await
                .map(Fetched::Routers),
            CatalogSource::CustomModels => custom(client, policy).await.map(Fetched::Custom),
            CatalogSource::ImportedModels => fetch::imported_models(client, policy)
                .await
                .map(Fetched::Imported),
            CatalogSource::Provisioned => fetch::provisioned_throughputs(client, policy)
                .await
                .map(Fetched::Provisioned),
            // Never reached: `extra_sources` leaves the run's own two sources out.
            CatalogSource::FoundationModels | CatalogSource::InferenceProfiles => {
                Ok(Fetched::Imported(Vec::new()))
            }
        };
        (source, fetched)
    });
    futures::future::join_all(fetches).await
}

/// Active deployments and, at most [`MAX_IN_FLIGHT`] at a time, GetCustomModel for each. A
/// failed GetCustomModel leaves that deployment with the defaults: the deployment is still
/// callable, only its capabilities are not known.
async fn custom(
    client: &aws_sdk_bedrock::Client,
    policy: &RetryPolicy,
) -> Result<Vec<(RawCustomDeployment, Option<String>)>, CallFailure> {
    let deployments = fetch::custom_model_deployments(client, policy).await?;
    let with_bases = futures::stream::iter(deployments)
        .map(|deployment| async move {
            let base = match fetch::custom_model_base(client, &deployment.model_arn, policy).await
            {
                Ok(base) => base,
                Err(failure) => {
                    tracing::debug!(model = %deployment.model_arn, error = %failure.detail(), "GetCustomModel failed");
                    None
                }
            };
            (deployment, base)
        })
        .buffered(MAX_IN_FLIGHT)
        .collect()
        .await;
    Ok(with_bases)
}

/// The foundation model id an ARN names: the resource after `foundation-model/`, or an
/// inference profile's id without its region prefix (prompt routers may route to profiles).
pub fn arn_model_id(arn: &str) -> Option<String> {
    if let Some((_, id)) = arn.split_once("foundation-model/") {
        return Some(id.trim().to_owned()).filter(|id| !id.is_empty());
    }
    let (_, profile) = arn.split_once("inference-profile/")?;
    let profile = profile.trim();
    Some(split_region_prefix(profile).unwrap_or(profile).to_owned()).filter(|id| !id.is_empty())
}

/// DISC-14's provider of a model id: the text before the first `.`, lower-cased.
fn provider_of(id: &str) -> Option<String> {
    id.split_once('.')
        .map(|(provider, _)| provider.to_lowercase())
}

/// BR-85: kept unless a provider filter is set and every known provider is outside it; a
/// source item whose provider is unknown (an imported model) is always kept.
fn passes_filter(providers: &[String], filter: &[String]) -> bool {
    filter.is_empty()
        || providers.is_empty()
        || providers.iter().any(|provider| filter.contains(provider))
}

/// The listed foundation model with this id (case-insensitive), as its DISC-20 definition.
/// Any listed model counts, also one the DISC filters drop (a provisioned-only variant is
/// exactly what provisioned throughput serves).
fn listed(
    id: &str,
    foundation: &[RawFoundationModel],
    options: &BuildOptions,
) -> Option<ModelDefinition> {
    foundation
        .iter()
        .find(|model| model.model_id.trim().eq_ignore_ascii_case(id))
        .map(|model| build::foundation_definition(model, options, &[]))
}

/// A source model's definition: `id` and `name`, the capabilities of `base` when it is known,
/// else the defaults (text input, no reasoning, the default window and max tokens).
fn definition(
    id: &str,
    name: &str,
    base: Option<&ModelDefinition>,
    options: &BuildOptions,
    source: CatalogSource,
) -> ModelDefinition {
    let mut definition = ModelDefinition::new(id, PROVIDER_ID, API);
    definition.name = RString::from(Some(name.trim()).filter(|n| !n.is_empty()).unwrap_or(id));
    match base {
        Some(base) => {
            definition.reasoning = base.reasoning;
            definition.input = base.input.clone();
            definition.context_window = base.context_window;
            definition.max_tokens = base.max_tokens;
            definition.thinking_level_map = base.thinking_level_map.clone();
        }
        None => {
            definition.context_window = build::default_window(options);
            definition.max_tokens = build::default_max_tokens(options);
        }
    }
    definition
        .extensions
        .set(keys::MODEL_SOURCE, ExtValue::Text(source.as_str().into()));
    definition
}

/// BR-85 prompt router: input = the intersection of its models' inputs (in the first model's
/// order), reasoning false, context window and max tokens the smallest known value among its
/// models (DISC-22/23), else the defaults.
pub fn router_definition(
    router: &RawRouter,
    foundation: &[RawFoundationModel],
    options: &BuildOptions,
) -> ModelDefinition {
    let ids: Vec<String> = router
        .model_arns
        .iter()
        .filter_map(|arn| arn_model_id(arn))
        .collect();
    let mut definition = definition(
        router.arn.trim(),
        &router.name,
        None,
        options,
        CatalogSource::PromptRouters,
    );
    let inputs: Vec<Vec<RString>> = ids
        .iter()
        .map(|id| {
            listed(id, foundation, options)
                .map(|model| model.input.to_vec())
                .unwrap_or_else(|| vec![RString::from("text")])
        })
        .collect();
    if let Some((first, rest)) = inputs.split_first() {
        let common: Vec<RString> = first
            .iter()
            .filter(|modality| rest.iter().all(|input| input.contains(modality)))
            .cloned()
            .collect();
        if !common.is_empty() {
            definition.input = common.into();
        }
    }
    if let Some(window) = ids
        .iter()
        .filter_map(|id| limits::known_context_window(id))
        .min()
    {
        definition.context_window = window;
    }
    if let Some(max) = ids
        .iter()
        .filter_map(|id| limits::known_max_output_tokens(id))
        .min()
    {
        definition.max_tokens = max;
    }
    definition
}

/// BR-85: the definitions of one source's answer, filtered by `providerFilter`.
pub fn definitions(
    fetched: &Fetched,
    foundation: &[RawFoundationModel],
    options: &BuildOptions,
) -> Vec<ModelDefinition> {
    let filter = &options.provider_filter;
    let providers =
        |ids: &[String]| -> Vec<String> { ids.iter().filter_map(|id| provider_of(id)).collect() };
    match fetched {
        Fetched::Routers(routers) => routers
            .iter()
            .filter(|router| !router.arn.trim().is_empty())
            .filter(|router| {
                let ids: Vec<String> = router
                    .model_arns
                    .iter()
                    .filter_map(|arn| arn_model_id(arn))
                    .collect();
                passes_filter(&providers(&ids), filter)
            })
            .map(|router| router_definition(router, foundation, options))
            .collect(),
        Fetched::Custom(deployments) => deployments
            .iter()
            .filter(|(deployment, _)| !deployment.arn.trim().is_empty())
            .filter_map(|(deployment, base_arn)| {
                let base_id = base_arn.as_deref().and_then(arn_model_id);
                let base = base_id
                    .as_deref()
                    .and_then(|id| listed(id, foundation, options));
                // Only a base this run lists is "known"; its provider then filters.
                let known: Vec<String> = base
                    .as_ref()
                    .and_then(|base| provider_of(base.id.as_str()))
                    .into_iter()
                    .collect();
                passes_filter(&known, filter).then(|| {
                    definition(
                        deployment.arn.trim(),
                        &deployment.name,
                        base.as_ref(),
                        options,
                        CatalogSource::CustomModels,
                    )
                })
            })
            .collect(),
        Fetched::Imported(models) => models
            .iter()
            .filter(|model| !model.arn.trim().is_empty())
            .map(|model| {
                definition(
                    model.arn.trim(),
                    &model.name,
                    None,
                    options,
                    CatalogSource::ImportedModels,
                )
            })
            .collect(),
        Fetched::Provisioned(throughputs) => throughputs
            .iter()
            .filter(|throughput| !throughput.arn.trim().is_empty())
            .filter_map(|throughput| {
                let base_id = arn_model_id(&throughput.foundation_model_arn);
                let known: Vec<String> = base_id
                    .as_deref()
                    .and_then(provider_of)
                    .into_iter()
                    .collect();
                if !passes_filter(&known, filter) {
                    return None;
                }
                let base = base_id
                    .as_deref()
                    .and_then(|id| listed(id, foundation, options));
                Some(definition(
                    throughput.arn.trim(),
                    &throughput.name,
                    base.as_ref(),
                    options,
                    CatalogSource::Provisioned,
                ))
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests;
