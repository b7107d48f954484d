//! The access policy: per caller (SigV4 access key id or Bedrock API key), the operations IAM denies,
//! answered as Bedrock's IAM layer answers (real-error-messages.md 8b, H): HTTP 403
//! `AccessDeniedException` in the `…/com.amazon.coral.service/` namespace with a capital `{"Message"}`:
//! `User: <principal-arn> is not authorized to perform: bedrock:<Action> on resource: <resource-arn>
//! because no identity-based policy allows the bedrock:<Action> action`.
//!
//! The caller's identity is derived from its credentials ([`principal_arn`]), the IAM action from the
//! operation ([`iam_action`]) and the resource from the identifier in the path ([`resource_arn`]).
//! The check runs after authentication and before any validation, as IAM does.

#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};

use crate::catalog::Catalog;
use crate::error::{ApiError, Origin};
use crate::record::{AuthScheme, Operation};

/// The account every emulated ARN lives in (the built-in catalog's account).
pub(crate) const ACCOUNT: &str = "123456789012";
/// The region of resources when the request carries none (API keys are not region-scoped): L.
const DEFAULT_REGION: &str = "us-east-1";

/// Which operations are denied to which caller. A caller is named by its SigV4 access key id or its
/// bearer token; `"*"` names every caller.
#[derive(Clone, Debug, Default)]
pub struct AccessPolicy {
    denied: HashMap<String, HashSet<Operation>>,
}

impl AccessPolicy {
    /// A policy that allows everything.
    pub fn new() -> Self {
        AccessPolicy::default()
    }

    /// Also deny `operations` to `caller` (access key id, bearer token, or `"*"`).
    pub fn deny(
        mut self,
        caller: impl Into<String>,
        operations: impl IntoIterator<Item = Operation>,
    ) -> Self {
        self.add(caller.into(), operations);
        self
    }

    pub(crate) fn add(&mut self, caller: String, operations: impl IntoIterator<Item = Operation>) {
        self.denied.entry(caller).or_default().extend(operations);
    }

    /// Allow everything again for `caller`.
    pub(crate) fn allow(&mut self, caller: &str) {
        self.denied.remove(caller);
    }

    /// Whether `operation` is denied to `caller`.
    pub fn is_denied(&self, caller: &str, operation: Operation) -> bool {
        [caller, "*"].iter().any(|c| {
            self.denied
                .get(*c)
                .is_some_and(|ops| ops.contains(&operation))
        })
    }
}

/// The IAM action an operation needs. Converse needs `bedrock:InvokeModel` and ConverseStream
/// `bedrock:InvokeModelWithResponseStream` (H, AWS docs); `bedrock:CountTokens` and
/// `bedrock:ApplyGuardrail` are the actions the Service Authorization Reference lists (M).
pub fn iam_action(operation: Operation) -> &'static str {
    match operation {
        Operation::ListFoundationModels => "bedrock:ListFoundationModels",
        Operation::GetFoundationModel => "bedrock:GetFoundationModel",
        Operation::ListInferenceProfiles => "bedrock:ListInferenceProfiles",
        Operation::GetInferenceProfile => "bedrock:GetInferenceProfile",
        Operation::GetFoundationModelAvailability => "bedrock:GetFoundationModelAvailability",
        Operation::ListPromptRouters => "bedrock:ListPromptRouters",
        Operation::ListCustomModelDeployments => "bedrock:ListCustomModelDeployments",
        Operation::GetCustomModel => "bedrock:GetCustomModel",
        Operation::ListImportedModels => "bedrock:ListImportedModels",
        Operation::ListProvisionedModelThroughputs => "bedrock:ListProvisionedModelThroughputs",
        Operation::ConverseStream => "bedrock:InvokeModelWithResponseStream",
        Operation::Converse | Operation::InvokeModel => "bedrock:InvokeModel",
        Operation::CountTokens => "bedrock:CountTokens",
        Operation::ApplyGuardrail => "bedrock:ApplyGuardrail",
        Operation::Unknown => "bedrock:Unknown",
    }
}

/// The caller as the policy names it: its access key id or bearer token.
pub(crate) fn caller_of<'a>(scheme: &'a AuthScheme, bearer: Option<&'a str>) -> Option<&'a str> {
    match scheme {
        AuthScheme::SigV4 { access_key_id, .. } => Some(access_key_id),
        AuthScheme::Bearer => bearer,
        AuthScheme::Anonymous => None,
    }
}

/// The principal ARN IAM names in a denial: an IAM user for long-term keys, an assumed role with a
/// session token, and the IAM user Bedrock creates for an API key (that user's name is L).
pub(crate) fn principal_arn(scheme: &AuthScheme) -> String {
    match scheme {
        AuthScheme::SigV4 {
            session_token: true,
            ..
        } => format!("arn:aws:sts::{ACCOUNT}:assumed-role/emulator/emulator-session"),
        AuthScheme::Bearer => format!("arn:aws:iam::{ACCOUNT}:user/BedrockAPIKey-emulator"),
        _ => format!("arn:aws:iam::{ACCOUNT}:user/emulator"),
    }
}

/// The region a request is evaluated in: its SigV4 scope, else [`DEFAULT_REGION`].
fn region_of(scheme: &AuthScheme) -> &str {
    match scheme {
        AuthScheme::SigV4 { region, .. } => region,
        _ => DEFAULT_REGION,
    }
}

/// The resource ARN of a request, in the forms of 8b: an ARN as sent stays as it is; a profile id
/// becomes `arn:aws:bedrock:<region>:<acct>:inference-profile/<id>` (an application profile its
/// catalog ARN); a model id `arn:aws:bedrock:<region>::foundation-model/<id>`; a guardrail id
/// `arn:aws:bedrock:<region>:<acct>:guardrail/<id>`. List operations have no resource (`None`).
pub(crate) fn resource_arn(
    catalog: &Catalog,
    operation: Operation,
    identifier: &str,
    region: &str,
) -> Option<String> {
    match operation {
        Operation::ListFoundationModels
        | Operation::ListInferenceProfiles
        | Operation::ListPromptRouters
        | Operation::ListCustomModelDeployments
        | Operation::ListImportedModels
        | Operation::ListProvisionedModelThroughputs
        | Operation::Unknown => None,
        _ if identifier.starts_with("arn:") => Some(identifier.to_string()),
        Operation::ApplyGuardrail => Some(format!(
            "arn:aws:bedrock:{region}:{ACCOUNT}:guardrail/{identifier}"
        )),
        Operation::GetCustomModel => Some(format!(
            "arn:aws:bedrock:{region}:{ACCOUNT}:custom-model/{identifier}"
        )),
        _ => Some(match catalog.profile(identifier) {
            Some(p) if p.profile_type == "APPLICATION" => p.arn.clone(),
            Some(p) => format!(
                "arn:aws:bedrock:{region}:{ACCOUNT}:inference-profile/{}",
                p.id
            ),
            None => format!("arn:aws:bedrock:{region}::foundation-model/{identifier}"),
        }),
    }
}

/// The 8b denial. Without a resource (list operations) the `on resource:` clause is left out, as IAM
/// words denials of actions that take no resource (L: no Bedrock capture of that form).
pub(crate) fn denial(principal: &str, action: &str, resource: Option<&str>) -> ApiError {
    let on = resource
        .map(|r| format!(" on resource: {r}"))
        .unwrap_or_default();
    ApiError::access_denied(format!(
        "User: {principal} is not authorized to perform: {action}{on} because no identity-based policy allows the {action} action"
    ))
    .answered_by(Origin::CoralCapital)
}

/// The denial for this request, if the policy denies it.
pub(crate) fn check(
    policy: &AccessPolicy,
    catalog: &Catalog,
    scheme: &AuthScheme,
    caller: Option<&str>,
    operation: Operation,
    identifier: &str,
) -> Option<ApiError> {
    let caller = caller?;
    if !policy.is_denied(caller, operation) {
        return None;
    }
    let resource = resource_arn(catalog, operation, identifier, region_of(scheme));
    Some(denial(
        &principal_arn(scheme),
        iam_action(operation),
        resource.as_deref(),
    ))
}
