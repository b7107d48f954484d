//! Model access (BR-80..82): whether the account can call each discovered model, from
//! GetFoundationModelAvailability, so the catalog does not offer models that can only fail with
//! AccessDeniedException (no access granted, agreement not accepted, not offered in the region).
//!
//! The classification and the profile rule are pure; [`check`] runs the calls, at most
//! [`MAX_IN_FLIGHT`] at once, inside one NET-04 deadline, so a large catalog costs a few round
//! trips rather than one per model.

use std::collections::HashMap;

use futures::StreamExt;
use plugin_api::ext::{keys, ExtValue};
use plugin_api::model::ModelDefinition;

use crate::config::RetryPolicy;
use crate::discovery::fetch::{self, CallFailure, CONTROL_PLANE_DEADLINE};
use crate::discovery::profiles::RawProfile;

/// BR-80: at most this many GetFoundationModelAvailability calls are in flight.
pub const MAX_IN_FLIGHT: usize = 8;

/// One GetFoundationModelAvailability answer, enum values as the raw strings Bedrock sent
/// (DISC-12: a new value never fails parsing, it just is not `AVAILABLE`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawAvailability {
    pub authorization_status: String,
    pub entitlement_availability: String,
    pub region_availability: String,
    pub agreement_status: String,
    pub agreement_error: Option<String>,
}

/// A model's access (the values of [`keys::MODEL_ACCESS`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Access {
    Available,
    NotAuthorized,
    NotInRegion,
    NotEntitled,
    AgreementPending,
    AgreementRequired,
    /// The agreement's `errorMessage`, when Bedrock sent one.
    AgreementError(Option<String>),
    Unknown,
}

impl Access {
    /// The wire name of [`keys::MODEL_ACCESS`].
    pub fn as_str(&self) -> &'static str {
        match self {
            Access::Available => "available",
            Access::NotAuthorized => "not_authorized",
            Access::NotInRegion => "not_in_region",
            Access::NotEntitled => "not_entitled",
            Access::AgreementPending => "agreement_pending",
            Access::AgreementRequired => "agreement_required",
            Access::AgreementError(_) => "agreement_error",
            Access::Unknown => "unknown",
        }
    }

    /// BR-80: `available` only when all four facts allow the call; otherwise the first that
    /// fails, in the spec's order. An agreement status newer than the four known ones is
    /// `unknown`: it is not `AVAILABLE`, but the plugin cannot say what it means.
    pub fn classify(raw: &RawAvailability) -> Access {
        let is = |value: &str, wanted: &str| value.trim().eq_ignore_ascii_case(wanted);
        if !is(&raw.authorization_status, "AUTHORIZED") {
            Access::NotAuthorized
        } else if !is(&raw.region_availability, "AVAILABLE") {
            Access::NotInRegion
        } else if !is(&raw.entitlement_availability, "AVAILABLE") {
            Access::NotEntitled
        } else {
            match raw.agreement_status.trim().to_ascii_uppercase().as_str() {
                "AVAILABLE" => Access::Available,
                "PENDING" => Access::AgreementPending,
                "NOT_AVAILABLE" => Access::AgreementRequired,
                "ERROR" => Access::AgreementError(
                    raw.agreement_error
                        .as_deref()
                        .map(str::trim)
                        .filter(|message| !message.is_empty())
                        .map(str::to_owned),
                ),
                _ => Access::Unknown,
            }
        }
    }

    /// Stores this access (and an agreement error's message) on `model`.
    pub fn apply(&self, model: &mut ModelDefinition) {
        model
            .extensions
            .set(keys::MODEL_ACCESS, ExtValue::Text(self.as_str().into()));
        model.extensions.remove(keys::MODEL_ACCESS_DETAIL);
        if let Access::AgreementError(Some(message)) = self {
            model.extensions.set(
                keys::MODEL_ACCESS_DETAIL,
                ExtValue::Text(message.as_str().into()),
            );
        }
    }
}

/// BR-81: a model left out of the provider's models unless unavailable models are wanted: its
/// access is known and not `available` (`unknown` and unset are kept).
pub fn is_unavailable(model: &ModelDefinition) -> bool {
    model
        .access()
        .is_some_and(|access| access != "available" && access != "unknown")
}

/// What the checks of one run found.
#[derive(Clone, Debug, Default)]
pub struct AccessOutcome {
    /// Access per lower-cased foundation model id, for the models whose check answered.
    pub by_model: HashMap<String, Access>,
    /// BR-82: the AccessDeniedException that stopped the checks (every model `unknown`).
    pub denied: Option<CallFailure>,
    /// A check failed in a way a later run may not (throttling, server error, deadline): the
    /// run is not cached (PLG-61).
    pub incomplete: bool,
}

impl AccessOutcome {
    /// The access of a foundation model id (`unknown` when unchecked or denied).
    pub fn model(&self, id: &str) -> Access {
        if self.denied.is_some() {
            return Access::Unknown;
        }
        self.by_model
            .get(&id.trim().to_lowercase())
            .cloned()
            .unwrap_or(Access::Unknown)
    }

    /// BR-80: a profile is `available` when every backing model is, else the first backing
    /// model's (in `models[]` order) that is not; a profile without backing models is
    /// `unknown` (PLG-60).
    pub fn profile(&self, profile: &RawProfile) -> Access {
        let mut backing = profile
            .model_arns
            .iter()
            .filter_map(|arn| arn.split_once("foundation-model/").map(|(_, id)| id))
            .peekable();
        if backing.peek().is_none() {
            return Access::Unknown;
        }
        backing
            .map(|id| self.model(id))
            .find(|access| *access != Access::Available)
            .unwrap_or(Access::Available)
    }

    /// Whether the run may be cached with this outcome (BR-82).
    pub fn cacheable(&self) -> bool {
        self.denied.is_none() && !self.incomplete
    }
}

/// BR-80: GetFoundationModelAvailability for each of `model_ids`, at most [`MAX_IN_FLIGHT`] at
/// once, each call with BR-14 retries, all of it within the NET-04 deadline (checks still
/// running then stay `unknown`). The first AccessDeniedException stops the rest (BR-82): the
/// caller lacks `bedrock:GetFoundationModelAvailability`, so every other call would be denied too.
pub async fn check(
    client: &aws_sdk_bedrock::Client,
    model_ids: Vec<String>,
    policy: &RetryPolicy,
) -> AccessOutcome {
    let mut outcome = AccessOutcome::default();
    let mut answers = futures::stream::iter(model_ids)
        .map(|id| async move {
            let answer = fetch::model_availability(client, &id, policy).await;
            (id, answer)
        })
        .buffer_unordered(MAX_IN_FLIGHT);
    let collect = async {
        while let Some((id, answer)) = answers.next().await {
            match answer {
                Ok(raw) => {
                    outcome
                        .by_model
                        .insert(id.trim().to_lowercase(), Access::classify(&raw));
                }
                Err(failure) if failure.error_name.as_deref() == Some("AccessDeniedException") => {
                    outcome.denied = Some(failure);
                    return;
                }
                Err(failure) => {
                    // BR-82: this model stays unknown; a transient failure may clear next run.
                    let transient = crate::backoff::transient_reason(
                        &failure.as_bedrock_error(),
                        crate::backoff::FailurePhase {
                            saw_event: false,
                            emitted_output: false,
                        },
                    )
                    .is_some();
                    outcome.incomplete |= transient || failure.timed_out;
                    tracing::debug!(model = %id, error = %failure.detail(), "model access check failed");
                }
            }
        }
    };
    if tokio::time::timeout(CONTROL_PLANE_DEADLINE, collect)
        .await
        .is_err()
    {
        outcome.incomplete = true;
    }
    outcome
}

#[cfg(test)]
mod tests;
