//! Model-id resolution: a runtime request names a foundation model (id or ARN) or an inference
//! profile (id or ARN, system-defined or application); both resolve to the catalog model that serves it.

use crate::catalog::{Catalog, FoundationModel};
use crate::error::{ApiError, INVALID_MODEL};

/// A runtime model id resolved against the catalog.
pub(crate) struct Resolved<'a> {
    pub(crate) model: &'a FoundationModel,
    /// Whether the id named an inference profile (only the unit tests read it so far).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) via_profile: bool,
}

/// Resolve the model id of a runtime request. `on_demand_check` is false for CountTokens.
pub(crate) fn resolve<'a>(
    catalog: &'a Catalog,
    id: &str,
    on_demand_check: bool,
) -> Result<Resolved<'a>, ApiError> {
    if let Some(model) = catalog.model(id) {
        check_lifecycle(model)?;
        if on_demand_check {
            check_on_demand(model)?;
        }
        return Ok(Resolved {
            model,
            via_profile: false,
        });
    }
    if let Some(profile) = catalog.profile(id) {
        if let Some(model) = profile.base_model_id().and_then(|b| catalog.model(b)) {
            return Ok(Resolved {
                model,
                via_profile: true,
            });
        }
    }
    Err(ApiError::validation(INVALID_MODEL))
}

fn check_lifecycle(model: &FoundationModel) -> Result<(), ApiError> {
    if model.status.eq_ignore_ascii_case("INACTIVE") {
        // Not in real-error-messages.md: L.
        return Err(ApiError::not_found(
            "This model version has reached the end of its life. Please refer to the AWS documentation for more details.",
        ));
    }
    Ok(())
}

/// A base model id needs on-demand throughput; profile-only models must be called through a profile.
fn check_on_demand(model: &FoundationModel) -> Result<(), ApiError> {
    let types = &model.inference_types;
    let on_demand = types.iter().any(|t| t == "ON_DEMAND");
    let profile = types.iter().any(|t| t == "INFERENCE_PROFILE");
    if !on_demand && profile {
        // 4d (H): with the curly U+2019 apostrophe, as Bedrock sends it.
        return Err(ApiError::validation(format!(
            "Invocation of model ID {} with on-demand throughput isn\u{2019}t supported. Retry your request with the ID or ARN of an inference profile that contains this model.",
            model.model_id
        )));
    }
    if !on_demand && !types.is_empty() {
        return Err(ApiError::validation(INVALID_MODEL));
    }
    Ok(())
}

/// The resolved base model id for fault matching (no validation).
pub(crate) fn base_id(catalog: &Catalog, id: &str) -> Option<String> {
    if let Some(m) = catalog.model(id) {
        return Some(m.model_id.clone());
    }
    catalog
        .profile(id)
        .and_then(|p| p.base_model_id().map(str::to_string))
}
