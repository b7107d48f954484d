//! Control plane: ListFoundationModels (filters), GetFoundationModel, ListInferenceProfiles (paginated,
//! `type` filter) and GetInferenceProfile, answering with the catalog's JSON objects verbatim; and the
//! account's own catalog ([`Account`]): GetFoundationModelAvailability (BR-80), the paginated lists of
//! prompt routers, custom-model deployments (`statusEquals`), imported models and provisioned
//! throughput (`statusEquals`), and GetCustomModel (BR-85).
//!
//! Filters and page sizes are validated with the same enum / range messages Bedrock uses, so a client's
//! error handling can be tested here too.

use base64::Engine;
use percent_encoding::percent_decode_str;
use serde_json::{json, Value};

use crate::catalog::account::{Account, AccountList};
use crate::catalog::{Catalog, FoundationModel};
use crate::error::{ApiError, INVALID_MODEL};
use crate::record::Operation;

const MAX_PAGE: usize = 1000;
const TOKEN_PREFIX: &str = "emulator:";

/// The decoded query string.
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(query: &str) -> Self {
        let decode = |s: &str| {
            percent_decode_str(&s.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        };
        Params(
            query
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap_or((p, ""));
                    (decode(k), decode(v))
                })
                .collect(),
        )
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The parameter, checked against an enum (`name` is the member name in the error).
    fn enum_value(
        &self,
        key: &str,
        name: &str,
        allowed: &[&str],
    ) -> Result<Option<&str>, ApiError> {
        match self.get(key) {
            Some(value) if !allowed.contains(&value) => Err(ApiError::validation(format!(
                "1 validation error detected: Value '{value}' at '{name}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                allowed.join(", ")
            ))),
            value => Ok(value),
        }
    }
}

/// Handle a control-plane operation; returns the JSON body.
pub(crate) fn handle(
    catalog: &Catalog,
    account: &Account,
    op: Operation,
    identifier: Option<&str>,
    query: &str,
) -> Result<Value, ApiError> {
    let params = Params::parse(query);
    let id = identifier.unwrap_or_default();
    match op {
        Operation::ListFoundationModels => list_foundation_models(catalog, &params),
        Operation::GetFoundationModel => match catalog.model(id) {
            Some(m) => Ok(json!({ "modelDetails": m.raw })),
            None => Err(ApiError::validation(INVALID_MODEL)),
        },
        Operation::ListInferenceProfiles => list_inference_profiles(catalog, &params),
        Operation::GetInferenceProfile => match catalog.profile(id) {
            Some(p) => Ok(p.raw.clone()),
            // L: no public capture of this 404's text.
            None => Err(ApiError::not_found(format!(
                "Inference profile {id} not found."
            ))),
        },
        Operation::GetFoundationModelAvailability => match catalog.model(id) {
            Some(m) => Ok(account.access(&m.model_id).body(&m.model_id)),
            // L: no public capture of this 404's text.
            None => Err(ApiError::not_found(format!(
                "The model {id} was not found."
            ))),
        },
        Operation::ListPromptRouters => {
            let kind = params.enum_value("type", "type", &["custom", "default"])?;
            account_page(
                account.list(AccountList::PromptRouters),
                &params,
                "promptRouterSummaries",
                |r| kind.is_none_or(|k| r.get("type").and_then(Value::as_str) == Some(k)),
            )
        }
        Operation::ListCustomModelDeployments => {
            let status = params.enum_value(
                "statusEquals",
                "statusEquals",
                &["Creating", "Active", "Failed"],
            )?;
            account_page(
                account.list(AccountList::CustomModelDeployments),
                &params,
                "modelDeploymentSummaries",
                |r| has_status(r, status),
            )
        }
        Operation::ListImportedModels => account_page(
            account.list(AccountList::ImportedModels),
            &params,
            "modelSummaries",
            |_| true,
        ),
        Operation::ListProvisionedModelThroughputs => {
            let status = params.enum_value(
                "statusEquals",
                "statusEquals",
                &["Creating", "InService", "Updating", "Failed"],
            )?;
            account_page(
                account.list(AccountList::ProvisionedThroughputs),
                &params,
                "provisionedModelSummaries",
                |r| has_status(r, status),
            )
        }
        Operation::GetCustomModel => account
            .list(AccountList::CustomModels)
            .iter()
            .find(|m| {
                ["modelArn", "modelName"]
                    .iter()
                    .any(|key| m.get(*key).and_then(Value::as_str) == Some(id))
            })
            .cloned()
            // L: no public capture of this 404's text.
            .ok_or_else(|| ApiError::not_found(format!("The model {id} was not found."))),
        _ => Err(ApiError::unknown_operation()),
    }
}

/// Whether a summary's `status` equals the `statusEquals` filter (no filter: every summary).
fn has_status(summary: &Value, status: Option<&str>) -> bool {
    status.is_none_or(|s| summary.get("status").and_then(Value::as_str) == Some(s))
}

/// One page of an account list under `key`, with the same `maxResults` / `nextToken` rules as
/// ListInferenceProfiles.
fn account_page(
    all: &[Value],
    params: &Params,
    key: &str,
    keep: impl Fn(&Value) -> bool,
) -> Result<Value, ApiError> {
    let max = page_size(params)?;
    let start = page_start(params)?;
    let kept: Vec<&Value> = all.iter().filter(|v| keep(v)).collect();
    let page: Vec<Value> = kept
        .iter()
        .skip(start)
        .take(max)
        .map(|v| (*v).clone())
        .collect();
    let mut body = json!({ key: page });
    if start + max < kept.len() {
        body["nextToken"] = json!(next_token(start + max));
    }
    Ok(body)
}

/// The `nextToken` for the page starting at `offset`.
fn next_token(offset: usize) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{TOKEN_PREFIX}{offset}"))
}

/// The filters of ListFoundationModels (each `None` = no filter).
struct ModelFilter<'a> {
    provider: Option<&'a str>,
    modality: Option<&'a str>,
    inference: Option<&'a str>,
    customization: Option<&'a str>,
}

impl ModelFilter<'_> {
    fn matches(&self, m: &FoundationModel) -> bool {
        let provider = self.provider.is_none_or(|p| {
            m.provider_name.eq_ignore_ascii_case(p)
                || m.model_id
                    .split('.')
                    .next()
                    .is_some_and(|pre| pre.eq_ignore_ascii_case(p))
        });
        let modality = self
            .modality
            .is_none_or(|x| m.output_modalities.iter().any(|o| o == x));
        let inference = self
            .inference
            .is_none_or(|x| m.inference_types.iter().any(|o| o == x));
        let customization = self.customization.is_none_or(|x| {
            m.raw
                .get("customizationsSupported")
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|c| c.as_str() == Some(x)))
        });
        provider && modality && inference && customization
    }
}

fn list_foundation_models(catalog: &Catalog, params: &Params) -> Result<Value, ApiError> {
    let filter = ModelFilter {
        provider: params.get("byProvider"),
        modality: params.enum_value(
            "byOutputModality",
            "byOutputModality",
            &["TEXT", "IMAGE", "EMBEDDING"],
        )?,
        inference: params.enum_value(
            "byInferenceType",
            "byInferenceType",
            &["ON_DEMAND", "PROVISIONED"],
        )?,
        customization: params.enum_value(
            "byCustomizationType",
            "byCustomizationType",
            &["FINE_TUNING", "CONTINUED_PRE_TRAINING", "DISTILLATION"],
        )?,
    };
    let list: Vec<Value> = catalog
        .models
        .iter()
        .filter(|m| filter.matches(m))
        .map(|m| m.raw.clone())
        .collect();
    Ok(json!({ "modelSummaries": list }))
}

fn list_inference_profiles(catalog: &Catalog, params: &Params) -> Result<Value, ApiError> {
    let type_filter =
        params.enum_value("type", "typeEquals", &["SYSTEM_DEFINED", "APPLICATION"])?;
    let max = page_size(params)?;
    let start = page_start(params)?;
    let all: Vec<&Value> = catalog
        .profiles
        .iter()
        .filter(|p| type_filter.is_none_or(|t| p.profile_type == t))
        .map(|p| &p.raw)
        .collect();
    let page: Vec<Value> = all
        .iter()
        .skip(start)
        .take(max)
        .map(|v| (*v).clone())
        .collect();
    let mut body = json!({ "inferenceProfileSummaries": page });
    if start + max < all.len() {
        body["nextToken"] = json!(next_token(start + max));
    }
    Ok(body)
}

/// `maxResults`: 1 to 1000, default 1000.
fn page_size(params: &Params) -> Result<usize, ApiError> {
    let Some(s) = params.get("maxResults") else {
        return Ok(MAX_PAGE);
    };
    match s.parse::<usize>() {
        Ok(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        _ => Err(ApiError::validation(format!(
            "1 validation error detected: Value '{s}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000 and greater than or equal to 1"
        ))),
    }
}

/// The offset a `nextToken` (base64 of `emulator:<offset>`) stands for; 0 without one.
fn page_start(params: &Params) -> Result<usize, ApiError> {
    match params.get("nextToken") {
        None | Some("") => Ok(0),
        Some(tok) => base64::engine::general_purpose::STANDARD
            .decode(tok)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.strip_prefix(TOKEN_PREFIX).and_then(|n| n.parse().ok()))
            .ok_or_else(|| ApiError::validation("Invalid input for nextToken.")),
    }
}
