//! The model catalog, in the exact ListFoundationModels / ListInferenceProfiles JSON format.
//!
//! Entries are kept as the JSON objects they were loaded from (so unknown fields and values such as
//! `INFERENCE_PROFILE` round-trip untouched) plus the few fields the emulator routes on. The built-in
//! catalog lives in `bedrock-emulator/catalog/*.json` and is embedded at compile time.

pub mod account;
#[cfg(test)]
mod tests;

use std::path::Path;

use serde_json::Value;

use crate::EmulatorError;

const BUILTIN_MODELS: &str = include_str!("../../catalog/foundation-models.json");
const BUILTIN_PROFILES: &str = include_str!("../../catalog/inference-profiles.json");

/// One foundation model summary.
#[derive(Clone, Debug)]
pub struct FoundationModel {
    /// The summary exactly as loaded.
    pub raw: Value,
    /// `modelId`.
    #[doc(alias = "modelId")]
    pub model_id: String,
    /// `providerName`.
    #[doc(alias = "providerName")]
    pub provider_name: String,
    /// `outputModalities` (`TEXT`, `IMAGE`, `EMBEDDING`).
    #[doc(alias = "outputModalities")]
    pub output_modalities: Vec<String>,
    /// `inferenceTypesSupported` (`ON_DEMAND`, `INFERENCE_PROFILE`, `PROVISIONED`).
    #[doc(alias = "inferenceTypesSupported")]
    pub inference_types: Vec<String>,
    /// `responseStreamingSupported`.
    #[doc(alias = "responseStreamingSupported")]
    pub streaming: bool,
    /// `modelLifecycle.status` (`ACTIVE` when absent).
    pub status: String,
}

/// One inference profile summary.
#[derive(Clone, Debug)]
pub struct InferenceProfile {
    /// The summary exactly as loaded.
    pub raw: Value,
    /// `inferenceProfileId`.
    #[doc(alias = "inferenceProfileId")]
    pub id: String,
    /// `inferenceProfileArn`.
    #[doc(alias = "inferenceProfileArn")]
    pub arn: String,
    /// `type` (`SYSTEM_DEFINED` or `APPLICATION`).
    pub profile_type: String,
    /// The `modelArn` of each of `models`.
    pub model_arns: Vec<String>,
}

impl InferenceProfile {
    /// The foundation model id of the first model ARN.
    pub fn base_model_id(&self) -> Option<&str> {
        self.model_arns
            .first()
            .and_then(|a| a.split_once("foundation-model/").map(|(_, id)| id))
    }
}

/// The catalog served by the control plane and used to resolve runtime model ids.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    pub models: Vec<FoundationModel>,
    pub profiles: Vec<InferenceProfile>,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn str_field(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn catalog_error(file: &str, detail: impl std::fmt::Display) -> EmulatorError {
    EmulatorError::Catalog(format!("{file}: {detail}"))
}

fn parse(file: &str, text: &str) -> Result<Value, EmulatorError> {
    serde_json::from_str(text).map_err(|e| catalog_error(file, e))
}

/// The summaries array `key` of the document `file`.
fn summaries<'a>(file: &str, doc: &'a Value, key: &str) -> Result<&'a [Value], EmulatorError> {
    match doc.get(key).and_then(Value::as_array) {
        Some(list) => Ok(list),
        None => Err(catalog_error(
            file,
            format!("expected {{\"{key}\": [...]}}"),
        )),
    }
}

impl FoundationModel {
    fn from_raw(raw: Value) -> Self {
        FoundationModel {
            model_id: str_field(&raw, "modelId"),
            provider_name: str_field(&raw, "providerName"),
            output_modalities: strings(raw.get("outputModalities")),
            inference_types: strings(raw.get("inferenceTypesSupported")),
            streaming: raw
                .get("responseStreamingSupported")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            status: raw
                .get("modelLifecycle")
                .map(|l| str_field(l, "status"))
                .unwrap_or_else(|| "ACTIVE".into()),
            raw,
        }
    }
}

impl InferenceProfile {
    fn from_raw(raw: Value) -> Self {
        InferenceProfile {
            id: str_field(&raw, "inferenceProfileId"),
            arn: str_field(&raw, "inferenceProfileArn"),
            profile_type: str_field(&raw, "type"),
            model_arns: raw
                .get("models")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(|m| str_field(m, "modelArn")).collect())
                .unwrap_or_default(),
            raw,
        }
    }
}

impl Catalog {
    /// The built-in catalog.
    pub fn builtin() -> Result<Catalog, EmulatorError> {
        Catalog::from_json(BUILTIN_MODELS, BUILTIN_PROFILES)
    }

    /// Load `foundation-models.json` and `inference-profiles.json` from a directory (a missing
    /// profiles file means no profiles).
    pub fn load_dir(dir: &Path) -> Result<Catalog, EmulatorError> {
        let read = |path: &Path| {
            std::fs::read_to_string(path).map_err(|e| catalog_error(&path.display().to_string(), e))
        };
        let models = read(&dir.join("foundation-models.json"))?;
        let profiles_path = dir.join("inference-profiles.json");
        let profiles = if profiles_path.exists() {
            read(&profiles_path)?
        } else {
            r#"{"inferenceProfileSummaries":[]}"#.to_string()
        };
        Catalog::from_json(&models, &profiles)
    }

    /// Parse the two documents.
    pub fn from_json(models: &str, profiles: &str) -> Result<Catalog, EmulatorError> {
        const MODELS: &str = "foundation-models.json";
        const PROFILES: &str = "inference-profiles.json";
        let models = parse(MODELS, models)?;
        let profiles = parse(PROFILES, profiles)?;
        let models = summaries(MODELS, &models, "modelSummaries")?;
        let profiles = summaries(PROFILES, &profiles, "inferenceProfileSummaries")?;
        Ok(Catalog {
            models: models
                .iter()
                .cloned()
                .map(FoundationModel::from_raw)
                .collect(),
            profiles: profiles
                .iter()
                .cloned()
                .map(InferenceProfile::from_raw)
                .collect(),
        })
    }

    /// Foundation model by id or foundation-model ARN (any region, or none).
    pub fn model(&self, id_or_arn: &str) -> Option<&FoundationModel> {
        let id = match id_or_arn.split_once(":foundation-model/") {
            Some((prefix, id)) if prefix.starts_with("arn:") => id,
            _ => id_or_arn,
        };
        self.models.iter().find(|m| m.model_id == id)
    }

    /// Inference profile by id or ARN (the ARN's region and account are not checked, only its id).
    pub fn profile(&self, id_or_arn: &str) -> Option<&InferenceProfile> {
        if let Some(p) = self.profiles.iter().find(|p| p.arn == id_or_arn) {
            return Some(p);
        }
        let id = if id_or_arn.starts_with("arn:") {
            id_or_arn
                .split_once(":inference-profile/")
                .or_else(|| id_or_arn.split_once(":application-inference-profile/"))
                .map(|(_, id)| id)?
        } else {
            id_or_arn
        };
        self.profiles.iter().find(|p| p.id == id)
    }
}
