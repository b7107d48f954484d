//! The account's own catalog: per-model access (GetFoundationModelAvailability, BR-80) and the
//! resources an account creates for itself (prompt routers, custom-model deployments and their
//! custom models, imported models, provisioned throughput; BR-85).
//!
//! Foundation models are the same in every account, but whether an account may call one is not:
//! it needs IAM permission, the model in its region, an entitlement and, for Marketplace models,
//! an accepted agreement. The built-in state is every model available except
//! [`AGREEMENT_MODEL`], which waits for its agreement as a new account's Marketplace model does;
//! tests change any model's access with [`Emulator::set_model_access`](crate::Emulator::set_model_access)
//! and add resources with [`Emulator::add_account_resource`](crate::Emulator::add_account_resource).

use std::collections::HashMap;

use serde_json::{json, Value};

/// The built-in model that needs a Marketplace agreement (`agreementAvailability.status`
/// `NOT_AVAILABLE`) before the account can call it.
pub const AGREEMENT_MODEL: &str = "ai21.jamba-1-5-large-v1:0";

/// One model's GetFoundationModelAvailability answer (the wire enum values as strings, so a
/// test can send values newer than any client knows).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelAccess {
    /// `authorizationStatus`: `AUTHORIZED` or `NOT_AUTHORIZED`.
    pub authorization_status: String,
    /// `entitlementAvailability`: `AVAILABLE` or `NOT_AVAILABLE`.
    pub entitlement_availability: String,
    /// `regionAvailability`: `AVAILABLE` or `NOT_AVAILABLE`.
    pub region_availability: String,
    /// `agreementAvailability.status`: `AVAILABLE`, `PENDING`, `NOT_AVAILABLE` or `ERROR`.
    pub agreement_status: String,
    /// `agreementAvailability.errorMessage`.
    pub agreement_error: Option<String>,
}

impl ModelAccess {
    /// Everything `AUTHORIZED` / `AVAILABLE`: the account can call the model.
    pub fn available() -> Self {
        ModelAccess {
            authorization_status: "AUTHORIZED".into(),
            entitlement_availability: "AVAILABLE".into(),
            region_availability: "AVAILABLE".into(),
            agreement_status: "AVAILABLE".into(),
            agreement_error: None,
        }
    }

    /// Available except for the agreement, whose status is `status` (`PENDING`,
    /// `NOT_AVAILABLE`, or `ERROR` with `error`).
    pub fn agreement(status: &str, error: Option<&str>) -> Self {
        ModelAccess {
            agreement_status: status.into(),
            agreement_error: error.map(str::to_owned),
            ..ModelAccess::available()
        }
    }

    /// The response body for `model_id`.
    pub(crate) fn body(&self, model_id: &str) -> Value {
        let mut agreement = json!({ "status": self.agreement_status });
        if let Some(message) = &self.agreement_error {
            agreement["errorMessage"] = json!(message);
        }
        json!({
            "modelId": model_id,
            "agreementAvailability": agreement,
            "authorizationStatus": self.authorization_status,
            "entitlementAvailability": self.entitlement_availability,
            "regionAvailability": self.region_availability,
        })
    }
}

/// The kinds of resource an account lists, each answered by its own list operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccountList {
    /// ListPromptRouters: `PromptRouterSummary` objects.
    PromptRouters,
    /// ListCustomModelDeployments: `CustomModelDeploymentSummary` objects.
    CustomModelDeployments,
    /// GetCustomModel answers: `GetCustomModelResponse` objects (found by `modelArn` or `modelName`).
    CustomModels,
    /// ListImportedModels: `ImportedModelSummary` objects.
    ImportedModels,
    /// ListProvisionedModelThroughputs: `ProvisionedModelSummary` objects.
    ProvisionedThroughputs,
}

/// Per-model access and the account's resources.
#[derive(Clone, Debug, Default)]
pub struct Account {
    access: HashMap<String, ModelAccess>,
    resources: HashMap<AccountList, Vec<Value>>,
}

impl Account {
    /// The built-in account: [`AGREEMENT_MODEL`] awaits its agreement, and the two default prompt
    /// routers every account has are listed.
    pub fn builtin() -> Self {
        let mut account = Account::default();
        account.set_access(
            AGREEMENT_MODEL,
            ModelAccess::agreement("NOT_AVAILABLE", None),
        );
        for (name, models) in [
            (
                "Anthropic Prompt Router",
                [
                    "anthropic.claude-3-haiku-20240307-v1:0",
                    "anthropic.claude-3-7-sonnet-20250219-v1:0",
                ],
            ),
            (
                "Amazon Nova Prompt Router",
                ["amazon.nova-micro-v1:0", "amazon.nova-pro-v1:0"],
            ),
        ] {
            let slug = name.to_lowercase().replace(' ', "-");
            let arn = |id: &str| format!("arn:aws:bedrock:us-east-1::foundation-model/{id}");
            account.add(
                AccountList::PromptRouters,
                json!({
                    "promptRouterName": name,
                    "routingCriteria": {"responseQualityDifference": 0.5},
                    "promptRouterArn": format!(
                        "arn:aws:bedrock:us-east-1:{}:default-prompt-router/{slug}:1",
                        crate::policy::ACCOUNT
                    ),
                    "models": models.iter().map(|id| json!({"modelArn": arn(id)})).collect::<Vec<_>>(),
                    "fallbackModel": {"modelArn": arn(models[0])},
                    "status": "AVAILABLE",
                    "type": "default",
                }),
            );
        }
        account
    }

    /// Set `model_id`'s access.
    pub fn set_access(&mut self, model_id: &str, access: ModelAccess) {
        self.access.insert(model_id.to_owned(), access);
    }

    /// `model_id`'s access: as set, else available.
    pub fn access(&self, model_id: &str) -> ModelAccess {
        self.access
            .get(model_id)
            .cloned()
            .unwrap_or_else(ModelAccess::available)
    }

    /// Add one resource summary to a list.
    pub fn add(&mut self, list: AccountList, summary: Value) {
        self.resources.entry(list).or_default().push(summary);
    }

    /// The resources of a list, in the order they were added.
    pub fn list(&self, list: AccountList) -> &[Value] {
        self.resources.get(&list).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests;
