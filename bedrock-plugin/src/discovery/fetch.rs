//! The control-plane calls: the two of a discovery run (DISC-10..12), the account's own catalog
//! (GetFoundationModelAvailability, BR-80; the BR-85 sources) and GetInferenceProfile
//! (TEMP-04), each under the 30 s deadline of NET-04 and retried on throttling, overload and
//! server errors with the runtime's classification and backoff (BR-14), with failures kept as
//! data (operation, HTTP status, exception name, message) so the caller can render DISC-50/51
//! messages and status (DISC-52).

use std::collections::HashSet;
use std::error::Error as StdError;
use std::future::Future;
use std::time::Duration;

use aws_sdk_bedrock::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use plugin_api::error::{ErrorKind, PluginError};

use crate::backoff::{self as retry, FailurePhase};
use crate::config::RetryPolicy;
use crate::discovery::access::RawAvailability;
use crate::discovery::build::RawFoundationModel;
use crate::discovery::profiles::RawProfile;
use crate::discovery::sources::{RawCustomDeployment, RawImported, RawProvisioned, RawRouter};
use crate::error::BedrockError;

/// NET-04: every control-plane call (each page included) must finish within this.
pub const CONTROL_PLANE_DEADLINE: Duration = Duration::from_millis(30_000);

/// ListInferenceProfiles' largest page (`MaxResults` max in the service model), so a typical
/// catalog is one round trip.
pub const PROFILES_PAGE_SIZE: i32 = 1000;

pub const LIST_FOUNDATION_MODELS: &str = "ListFoundationModels";
pub const LIST_INFERENCE_PROFILES: &str = "ListInferenceProfiles";
pub const GET_INFERENCE_PROFILE: &str = "GetInferenceProfile";
pub const GET_FOUNDATION_MODEL_AVAILABILITY: &str = "GetFoundationModelAvailability";
pub const LIST_PROMPT_ROUTERS: &str = "ListPromptRouters";
pub const LIST_CUSTOM_MODEL_DEPLOYMENTS: &str = "ListCustomModelDeployments";
pub const GET_CUSTOM_MODEL: &str = "GetCustomModel";
pub const LIST_IMPORTED_MODELS: &str = "ListImportedModels";
pub const LIST_PROVISIONED_MODEL_THROUGHPUTS: &str = "ListProvisionedModelThroughputs";

/// A failed control-plane call.
#[derive(Clone, Debug, PartialEq)]
pub struct CallFailure {
    pub operation: &'static str,
    pub status: Option<u16>,
    /// The service exception (`AccessDeniedException`), when the service answered.
    pub error_name: Option<String>,
    pub message: String,
    pub request_id: Option<String>,
    pub kind: ErrorKind,
    /// True for the NET-04 deadline, whose message is already complete.
    pub timed_out: bool,
    /// `Retry-After` of the failed response (the BR-10 minimum delay, BR-14).
    pub retry_after: Option<Duration>,
}

impl CallFailure {
    /// `<ErrorName>: <message>` (or the transport message alone).
    pub fn detail(&self) -> String {
        match &self.error_name {
            Some(name) => format!("{name}: {}", self.message),
            None => self.message.clone(),
        }
    }

    fn timeout(operation: &'static str, deadline: Duration) -> Self {
        CallFailure {
            operation,
            status: None,
            error_name: None,
            message: format!(
                "Amazon Bedrock {operation} timed out after {} ms",
                deadline.as_millis()
            ),
            request_id: None,
            kind: ErrorKind::Timeout,
            timed_out: true,
            retry_after: None,
        }
    }

    /// BR-14: the failure as the runtime's typed error, so [`retry::transient_reason`]
    /// classifies it exactly as it classifies a ConverseStream failure. Without an exception
    /// name, a throttling or server status is retryable like its named exception and a
    /// transport failure like a reset connection; the NET-04 deadline never is (it covers the
    /// whole call).
    pub fn as_bedrock_error(&self) -> BedrockError {
        match &self.error_name {
            Some(name) => BedrockError::service(
                name,
                Some(&self.message),
                self.status,
                self.request_id.as_deref(),
            ),
            None => BedrockError::Transport {
                message: self.message.clone(),
                kind: self.kind,
                retryable: !self.timed_out
                    && (self.kind == ErrorKind::Network
                        || self
                            .status
                            .is_some_and(|status| status == 429 || status >= 500)),
                code: None,
                request_id: self.request_id.clone(),
                before_stream: true,
            },
        }
    }

    /// DISC-51: the strict-mode error of a failed ListFoundationModels run.
    pub fn into_catalog_error(self) -> PluginError {
        let message = if self.timed_out {
            self.message.clone()
        } else {
            match self.status {
                Some(status) => format!(
                    "Amazon Bedrock model discovery failed (HTTP {status}): {}",
                    self.detail()
                ),
                None => format!("Amazon Bedrock model discovery failed: {}", self.detail()),
            }
        };
        let retryable = matches!(
            self.kind,
            ErrorKind::RateLimit | ErrorKind::Overloaded | ErrorKind::Timeout | ErrorKind::Network
        ) || self.status.is_some_and(|status| status >= 500);
        let mut error = PluginError::new(self.kind, message)
            .with_retryable(retryable)
            .with_diagnostic(
                "catalog_error",
                serde_json::json!({
                    "providerId": crate::manifest::PROVIDER_ID,
                    "operation": self.operation,
                })
                .to_string(),
            );
        if let Some(status) = self.status {
            error = error.with_status(status);
        }
        if let Some(name) = self.error_name {
            error = error.with_error_code(name);
        }
        if let Some(id) = self.request_id {
            error = error.with_request_id(id);
        }
        error
    }
}

fn kind_for(name: Option<&str>, status: Option<u16>) -> ErrorKind {
    match name {
        Some("ThrottlingException" | "ServiceQuotaExceededException") => ErrorKind::RateLimit,
        Some("ServiceUnavailableException") => ErrorKind::Overloaded,
        Some(
            "AccessDeniedException"
            | "UnrecognizedClientException"
            | "ExpiredTokenException"
            | "InvalidSignatureException"
            | "MissingAuthenticationTokenException",
        ) => ErrorKind::Auth,
        Some("ValidationException") => ErrorKind::InvalidRequest,
        _ => match status {
            Some(401 | 403) => ErrorKind::Auth,
            Some(429) => ErrorKind::RateLimit,
            Some(503) => ErrorKind::Overloaded,
            _ => ErrorKind::Service,
        },
    }
}

/// The error and its sources on one line, repeated links dropped (SDK layers wrap and repeat).
fn chain_message(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(link) = current {
        let text = link.to_string();
        if !text.is_empty() && !parts.iter().any(|part| part.ends_with(&text)) {
            parts.push(text);
        }
        current = link.source();
    }
    parts.join(": ")
}

fn from_sdk<E>(operation: &'static str, err: &SdkError<E, HttpResponse>) -> CallFailure
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    let status = err
        .raw_response()
        .map(|response| response.status().as_u16());
    let header = |name: &str| {
        err.raw_response()
            .and_then(|response| response.headers().get(name))
            .map(str::to_owned)
    };
    match err {
        SdkError::ServiceError(service) => {
            let inner = service.err();
            let name = inner
                .code()
                .map(str::to_owned)
                .or_else(|| {
                    header("x-amzn-errortype")
                        .and_then(|value| value.split(':').next().map(str::to_owned))
                })
                .filter(|name| !name.trim().is_empty());
            let message = inner
                .message()
                .map(str::trim)
                .filter(|message| !message.is_empty())
                .map(str::to_owned)
                .unwrap_or_else(|| "An unknown error occurred".to_owned());
            CallFailure {
                operation,
                status,
                kind: kind_for(name.as_deref(), status),
                error_name: name,
                message,
                request_id: header("x-amzn-requestid"),
                timed_out: false,
                retry_after: header("retry-after")
                    .as_deref()
                    .and_then(retry::parse_retry_after),
            }
        }
        SdkError::TimeoutError(_) => CallFailure {
            operation,
            status,
            error_name: None,
            message: chain_message(err),
            request_id: None,
            kind: ErrorKind::Timeout,
            timed_out: false,
            retry_after: None,
        },
        _ => CallFailure {
            operation,
            status,
            error_name: None,
            message: chain_message(err),
            request_id: None,
            kind: if status.is_some() {
                kind_for(None, status)
            } else {
                ErrorKind::Network
            },
            timed_out: false,
            retry_after: None,
        },
    }
}

/// Runs one call under `deadline` (NET-04); dropping the returned future cancels the call.
pub async fn with_deadline<T, E, F>(
    operation: &'static str,
    deadline: Duration,
    call: F,
) -> Result<T, CallFailure>
where
    F: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + StdError + 'static,
{
    match tokio::time::timeout(deadline, call).await {
        Ok(Ok(output)) => Ok(output),
        Ok(Err(err)) => Err(from_sdk(operation, &err)),
        Err(_) => Err(CallFailure::timeout(operation, deadline)),
    }
}

/// BR-14: runs `attempt` until it succeeds, fails in a way BR-10 does not retry, or
/// `policy.max_attempts` attempts were made, waiting the BR-10 backoff between attempts; the
/// whole of it, waits included, within `deadline` (NET-04). A wait that would end past the
/// deadline is not started: the last failure is returned instead (PLG-40), since it says more
/// than a timeout would.
pub async fn with_retries<T, A, Fut>(
    operation: &'static str,
    deadline: Duration,
    policy: &RetryPolicy,
    mut attempt: A,
) -> Result<T, CallFailure>
where
    A: FnMut() -> Fut,
    Fut: Future<Output = Result<T, CallFailure>>,
{
    let started = tokio::time::Instant::now();
    let ends_at = started.checked_add(deadline);
    let max_attempts = policy.max_attempts.max(1);
    let mut counted: u32 = 1;
    let mut jitter = retry::Jitter::from_time();
    loop {
        let result = match ends_at {
            Some(ends_at) => match tokio::time::timeout_at(ends_at, attempt()).await {
                Ok(result) => result,
                Err(_) => return Err(CallFailure::timeout(operation, deadline)),
            },
            None => attempt().await,
        };
        let failure = match result {
            Ok(output) => return Ok(output),
            Err(failure) => failure,
        };
        let phase = FailurePhase {
            saw_event: false,
            emitted_output: false,
        };
        let retried = retry::transient_reason(&failure.as_bedrock_error(), phase).is_some();
        if !retried || counted >= max_attempts {
            return Err(failure);
        }
        counted = counted.saturating_add(1);
        let delay = retry::backoff_delay(policy, counted, failure.retry_after, &mut || {
            jitter.next_u64()
        });
        let now = tokio::time::Instant::now();
        if ends_at.is_some_and(|ends_at| now.checked_add(delay).is_none_or(|at| at >= ends_at)) {
            return Err(failure);
        }
        tracing::debug!(
            operation,
            attempt = counted,
            delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            error = %failure.detail(),
            "retrying Amazon Bedrock control-plane call"
        );
        tokio::time::sleep(delay).await;
    }
}

/// One SDK call under [`with_retries`] with the NET-04 control-plane deadline.
async fn send_with_retries<T, E, A, Fut>(
    operation: &'static str,
    policy: &RetryPolicy,
    mut send: A,
) -> Result<T, CallFailure>
where
    A: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + StdError + 'static,
{
    with_retries(operation, CONTROL_PLANE_DEADLINE, policy, || {
        let call = send();
        async move { call.await.map_err(|err| from_sdk(operation, &err)) }
    })
    .await
}

/// GetInferenceProfile (TEMP-04): the `models[].modelArn` of the profile, in service order.
pub async fn inference_profile_model_arns(
    client: &aws_sdk_bedrock::Client,
    identifier: &str,
    policy: &RetryPolicy,
) -> Result<Vec<String>, CallFailure> {
    let output = send_with_retries(GET_INFERENCE_PROFILE, policy, || {
        client
            .get_inference_profile()
            .inference_profile_identifier(identifier)
            .send()
    })
    .await?;
    Ok(output
        .models()
        .iter()
        .filter_map(|model| model.model_arn().map(str::to_owned))
        .collect())
}

/// ListFoundationModels without filters (the plugin filters itself, DISC-13..19).
pub async fn foundation_models(
    client: &aws_sdk_bedrock::Client,
    policy: &RetryPolicy,
) -> Result<Vec<RawFoundationModel>, CallFailure> {
    let output = send_with_retries(LIST_FOUNDATION_MODELS, policy, || {
        client.list_foundation_models().send()
    })
    .await?;
    Ok(output
        .model_summaries()
        .iter()
        .map(|summary| RawFoundationModel {
            model_id: summary.model_id().to_owned(),
            model_name: summary.model_name().map(str::to_owned),
            provider_name: summary.provider_name().map(str::to_owned),
            input_modalities: summary
                .input_modalities()
                .iter()
                .map(|m| m.as_str().to_owned())
                .collect(),
            output_modalities: summary
                .output_modalities()
                .iter()
                .map(|m| m.as_str().to_owned())
                .collect(),
            response_streaming_supported: summary.response_streaming_supported(),
            inference_types_supported: summary
                .inference_types_supported()
                .iter()
                .map(|t| t.as_str().to_owned())
                .collect(),
            lifecycle_status: summary
                .model_lifecycle()
                .map(|lifecycle| lifecycle.status().as_str().to_owned()),
        })
        .collect())
}

/// Every page of a list operation, sequentially (each page its own call under BR-14 and
/// NET-04), stopping at a missing or repeated `nextToken` (DISC-10; BR-85 pages the same way).
/// `page` sends one request for a token and answers the page's items and its `nextToken`.
async fn all_pages<T, P, Fut>(mut page: P) -> Result<Vec<T>, CallFailure>
where
    P: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), CallFailure>>,
{
    let mut items = Vec::new();
    let mut seen_tokens: HashSet<String> = HashSet::new();
    let mut next_token: Option<String> = None;
    loop {
        let (page_items, token) = page(next_token.take()).await?;
        items.extend(page_items);
        match token.as_deref().map(str::trim) {
            Some(token) if !token.is_empty() && seen_tokens.insert(token.to_owned()) => {
                next_token = Some(token.to_owned());
            }
            _ => break,
        }
    }
    Ok(items)
}

/// Every page of ListInferenceProfiles (DISC-10).
pub async fn inference_profiles(
    client: &aws_sdk_bedrock::Client,
    policy: &RetryPolicy,
) -> Result<Vec<RawProfile>, CallFailure> {
    all_pages(|token| async move {
        let page = send_with_retries(LIST_INFERENCE_PROFILES, policy, || {
            client
                .list_inference_profiles()
                .max_results(PROFILES_PAGE_SIZE)
                .set_next_token(token.clone())
                .send()
        })
        .await?;
        let profiles = page
            .inference_profile_summaries()
            .iter()
            .map(|summary| RawProfile {
                profile_id: summary.inference_profile_id().to_owned(),
                profile_name: summary.inference_profile_name().to_owned(),
                status: summary.status().as_str().to_owned(),
                profile_type: summary.r#type().as_str().to_owned(),
                model_arns: summary
                    .models()
                    .iter()
                    .filter_map(|model| model.model_arn().map(str::to_owned))
                    .collect(),
            })
            .collect();
        Ok((profiles, page.next_token().map(str::to_owned)))
    })
    .await
}

/// GetFoundationModelAvailability (BR-80) for one model, enum values kept as raw strings.
pub async fn model_availability(
    client: &aws_sdk_bedrock::Client,
    model_id: &str,
    policy: &RetryPolicy,
) -> Result<RawAvailability, CallFailure> {
    let output = send_with_retries(GET_FOUNDATION_MODEL_AVAILABILITY, policy, || {
        client
            .get_foundation_model_availability()
            .model_id(model_id)
            .send()
    })
    .await?;
    let agreement = output.agreement_availability();
    Ok(RawAvailability {
        authorization_status: output.authorization_status().as_str().to_owned(),
        entitlement_availability: output.entitlement_availability().as_str().to_owned(),
        region_availability: output.region_availability().as_str().to_owned(),
        agreement_status: agreement
            .map(|agreement| agreement.status().as_str().to_owned())
            .unwrap_or_default(),
        agreement_error: agreement
            .and_then(|agreement| agreement.error_message())
            .map(str::to_owned),
    })
}

/// Every page of ListPromptRouters (BR-85).
pub async fn prompt_routers(
    client: &aws_sdk_bedrock::Client,
    policy: &RetryPolicy,
) -> Result<Vec<RawRouter>, CallFailure> {
    all_pages(|token| async move {
        let page = send_with_retries(LIST_PROMPT_ROUTERS, policy, || {
            client
                .list_prompt_routers()
                .max_results(PROFILES_PAGE_SIZE)
                .set_next_token(token.clone())
                .send()
        })
        .await?;
        let routers = page
            .prompt_router_summaries()
            .iter()
            .map(|summary| RawRouter {
                arn: summary.prompt_router_arn().to_owned(),
                name: summary.prompt_router_name().to_owned(),
                model_arns: summary
                    .models()
                    .iter()
                    .filter_map(|model| model.model_arn().map(str::to_owned))
                    .collect(),
            })
            .collect();
        Ok((routers, page.next_token().map(str::to_owned)))
    })
    .await
}

/// Every page of ListCustomModelDeployments with status `Active` (BR-85); the status is
/// checked here too, since a deployment that is not Active cannot serve a request.
pub async fn custom_model_deployments(
    client: &aws_sdk_bedrock::Client,
    policy: &RetryPolicy,
) -> Result<Vec<RawCustomDeployment>, CallFailure> {
    use aws_sdk_bedrock::types::CustomModelDeploymentStatus;
    all_pages(|token| async move {
        let page = send_with_retries(LIST_CUSTOM_MODEL_DEPLOYMENTS, policy, || {
            client
                .list_custom_model_deployments()
                .status_equals(CustomModelDeploymentStatus::Active)
                .max_results(PROFILES_PAGE_SIZE)
                .set_next_token(token.clone())
                .send()
        })
        .await?;
        let deployments = page
            .model_deployment_summaries()
            .iter()
            .filter(|summary| summary.status().as_str() == "Active")
            .map(|summary| RawCustomDeployment {
                arn: summary.custom_model_deployment_arn().to_owned(),
                name: summary.custom_model_deployment_name().to_owned(),
                model_arn: summary.model_arn().to_owned(),
            })
            .collect();
        Ok((deployments, page.next_token().map(str::to_owned)))
    })
    .await
}

/// GetCustomModel (BR-85): the `baseModelArn` of a custom model, when it names one.
pub async fn custom_model_base(
    client: &aws_sdk_bedrock::Client,
    model_arn: &str,
    policy: &RetryPolicy,
) -> Result<Option<String>, CallFailure> {
    let output = send_with_retries(GET_CUSTOM_MODEL, policy, || {
        client.get_custom_model().model_identifier(model_arn).send()
    })
    .await?;
    Ok(output.base_model_arn().map(str::to_owned))
}

/// Every page of ListImportedModels (BR-85).
pub async fn imported_models(
    client: &aws_sdk_bedrock::Client,
    policy: &RetryPolicy,
) -> Result<Vec<RawImported>, CallFailure> {
    all_pages(|token| async move {
        let page = send_with_retries(LIST_IMPORTED_MODELS, policy, || {
            client
                .list_imported_models()
                .max_results(PROFILES_PAGE_SIZE)
                .set_next_token(token.clone())
                .send()
        })
        .await?;
        let models = page
            .model_summaries()
            .iter()
            .map(|summary| RawImported {
                arn: summary.model_arn().to_owned(),
                name: summary.model_name().to_owned(),
            })
            .collect();
        Ok((models, page.next_token().map(str::to_owned)))
    })
    .await
}

/// Every page of ListProvisionedModelThroughputs with status `InService` (BR-85).
pub async fn provisioned_throughputs(
    client: &aws_sdk_bedrock::Client,
    policy: &RetryPolicy,
) -> Result<Vec<RawProvisioned>, CallFailure> {
    use aws_sdk_bedrock::types::ProvisionedModelStatus;
    all_pages(|token| async move {
        let page = send_with_retries(LIST_PROVISIONED_MODEL_THROUGHPUTS, policy, || {
            client
                .list_provisioned_model_throughputs()
                .status_equals(ProvisionedModelStatus::InService)
                .max_results(PROFILES_PAGE_SIZE)
                .set_next_token(token.clone())
                .send()
        })
        .await?;
        let throughputs = page
            .provisioned_model_summaries()
            .iter()
            .filter(|summary| summary.status().as_str() == "InService")
            .map(|summary| RawProvisioned {
                arn: summary.provisioned_model_arn().to_owned(),
                name: summary.provisioned_model_name().to_owned(),
                foundation_model_arn: summary.foundation_model_arn().to_owned(),
            })
            .collect();
        Ok((throughputs, page.next_token().map(str::to_owned)))
    })
    .await
}

#[cfg(test)]
mod tests;
