//! Control plane: ListFoundationModels (filters), GetFoundationModel, ListInferenceProfiles (paginated,
//! `type` filter) and GetInferenceProfile, answering with the catalog's JSON objects verbatim.

use base64::Engine;
use percent_encoding::percent_decode_str;
use serde_json::{json, Value};

use crate::catalog::Catalog;
use crate::validation::ApiError;
use crate::Operation;

fn query_params(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let dec = |s: &str| {
                percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (dec(k), dec(v))
        })
        .collect()
}

fn enum_check(name: &str, value: &str, allowed: &[&str]) -> Result<(), ApiError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(ApiError::validation(format!(
            "1 validation error detected: Value '{value}' at '{name}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
            allowed.join(", ")
        )))
    }
}

/// Handle a control-plane operation; returns the JSON body.
pub(crate) fn handle(
    catalog: &Catalog,
    op: Operation,
    identifier: Option<&str>,
    query: &str,
) -> Result<Value, ApiError> {
    let params = query_params(query);
    let param = |k: &str| {
        params
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    match op {
        Operation::ListFoundationModels => {
            let provider = param("byProvider");
            let modality = param("byOutputModality");
            let inference = param("byInferenceType");
            let customization = param("byCustomizationType");
            if let Some(m) = modality {
                enum_check("byOutputModality", m, &["TEXT", "IMAGE", "EMBEDDING"])?;
            }
            if let Some(i) = inference {
                enum_check("byInferenceType", i, &["ON_DEMAND", "PROVISIONED"])?;
            }
            if let Some(c) = customization {
                enum_check(
                    "byCustomizationType",
                    c,
                    &["FINE_TUNING", "CONTINUED_PRE_TRAINING", "DISTILLATION"],
                )?;
            }
            let list: Vec<Value> = catalog
                .models
                .iter()
                .filter(|m| {
                    provider.is_none_or(|p| {
                        m.provider_name.eq_ignore_ascii_case(p)
                            || m.model_id
                                .split('.')
                                .next()
                                .is_some_and(|pre| pre.eq_ignore_ascii_case(p))
                    })
                })
                .filter(|m| modality.is_none_or(|x| m.output_modalities.iter().any(|o| o == x)))
                .filter(|m| inference.is_none_or(|x| m.inference_types.iter().any(|o| o == x)))
                .filter(|m| {
                    customization.is_none_or(|x| {
                        m.raw
                            .get("customizationsSupported")
                            .and_then(Value::as_array)
                            .is_some_and(|a| a.iter().any(|c| c.as_str() == Some(x)))
                    })
                })
                .map(|m| m.raw.clone())
                .collect();
            Ok(json!({ "modelSummaries": list }))
        }
        Operation::GetFoundationModel => {
            let id = identifier.unwrap_or_default();
            match catalog.model(id) {
                Some(m) => Ok(json!({ "modelDetails": m.raw })),
                None => Err(ApiError::validation(crate::validation::INVALID_MODEL)),
            }
        }
        Operation::ListInferenceProfiles => {
            let type_filter = param("type");
            if let Some(t) = type_filter {
                enum_check("typeEquals", t, &["SYSTEM_DEFINED", "APPLICATION"])?;
            }
            let max = match param("maxResults") {
                None => 1000,
                Some(s) => match s.parse::<usize>() {
                    Ok(n) if (1..=1000).contains(&n) => n,
                    _ => {
                        return Err(ApiError::validation(format!(
                            "1 validation error detected: Value '{s}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000 and greater than or equal to 1"
                        )))
                    }
                },
            };
            let start = match param("nextToken") {
                None | Some("") => 0,
                Some(tok) => base64::engine::general_purpose::STANDARD
                    .decode(tok)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .and_then(|s| s.strip_prefix("emulator:").and_then(|n| n.parse().ok()))
                    .ok_or_else(|| ApiError::validation("Invalid input for nextToken."))?,
            };
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
                body["nextToken"] = json!(base64::engine::general_purpose::STANDARD
                    .encode(format!("emulator:{}", start + max)));
            }
            Ok(body)
        }
        Operation::GetInferenceProfile => {
            let id = identifier.unwrap_or_default();
            match catalog.profile(id) {
                Some(p) => Ok(p.raw.clone()),
                None => Err(ApiError::new(
                    404,
                    "ResourceNotFoundException",
                    format!("Inference profile {id} not found."),
                )),
            }
        }
        _ => Err(ApiError::new(
            404,
            "UnknownOperationException",
            "Unknown operation",
        )),
    }
}
