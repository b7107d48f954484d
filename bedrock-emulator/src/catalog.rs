//! The model catalog, in the exact ListFoundationModels / ListInferenceProfiles JSON format.
//!
//! Entries are kept as the JSON objects they were loaded from (so unknown fields and values such as
//! `INFERENCE_PROFILE` round-trip untouched) plus the few fields the emulator routes on. The built-in
//! catalog lives in `bedrock-emulator/catalog/*.json` and is embedded at compile time.

use std::path::Path;

use serde_json::Value;

use crate::EmulatorError;

const BUILTIN_MODELS: &str = include_str!("../catalog/foundation-models.json");
const BUILTIN_PROFILES: &str = include_str!("../catalog/inference-profiles.json");

/// One foundation model summary.
#[derive(Clone, Debug)]
pub struct FoundationModel {
    pub raw: Value,
    pub model_id: String,
    pub provider_name: String,
    pub output_modalities: Vec<String>,
    pub inference_types: Vec<String>,
    pub streaming: bool,
    pub status: String,
}

/// One inference profile summary.
#[derive(Clone, Debug)]
pub struct InferenceProfile {
    pub raw: Value,
    pub id: String,
    pub arn: String,
    pub profile_type: String,
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

impl Catalog {
    /// The built-in catalog.
    pub fn builtin() -> Result<Catalog, EmulatorError> {
        Catalog::from_json(BUILTIN_MODELS, BUILTIN_PROFILES)
    }

    /// Load `foundation-models.json` and `inference-profiles.json` from a directory (a missing
    /// profiles file means no profiles).
    pub fn load_dir(dir: &Path) -> Result<Catalog, EmulatorError> {
        let models = std::fs::read_to_string(dir.join("foundation-models.json")).map_err(|e| {
            EmulatorError::Catalog(format!(
                "{}: {e}",
                dir.join("foundation-models.json").display()
            ))
        })?;
        let profiles_path = dir.join("inference-profiles.json");
        let profiles = if profiles_path.exists() {
            std::fs::read_to_string(&profiles_path)
                .map_err(|e| EmulatorError::Catalog(format!("{}: {e}", profiles_path.display())))?
        } else {
            r#"{"inferenceProfileSummaries":[]}"#.to_string()
        };
        Catalog::from_json(&models, &profiles)
    }

    /// Parse the two documents.
    pub fn from_json(models: &str, profiles: &str) -> Result<Catalog, EmulatorError> {
        let m: Value = serde_json::from_str(models)
            .map_err(|e| EmulatorError::Catalog(format!("foundation-models.json: {e}")))?;
        let p: Value = serde_json::from_str(profiles)
            .map_err(|e| EmulatorError::Catalog(format!("inference-profiles.json: {e}")))?;
        let Some(summaries) = m.get("modelSummaries").and_then(Value::as_array) else {
            return Err(EmulatorError::Catalog(
                "foundation-models.json: expected {\"modelSummaries\": [...]}".into(),
            ));
        };
        let Some(psummaries) = p.get("inferenceProfileSummaries").and_then(Value::as_array) else {
            return Err(EmulatorError::Catalog(
                "inference-profiles.json: expected {\"inferenceProfileSummaries\": [...]}".into(),
            ));
        };
        let models = summaries
            .iter()
            .map(|raw| FoundationModel {
                model_id: str_field(raw, "modelId"),
                provider_name: str_field(raw, "providerName"),
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
                raw: raw.clone(),
            })
            .collect();
        let profiles = psummaries
            .iter()
            .map(|raw| InferenceProfile {
                id: str_field(raw, "inferenceProfileId"),
                arn: str_field(raw, "inferenceProfileArn"),
                profile_type: str_field(raw, "type"),
                model_arns: raw
                    .get("models")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().map(|m| str_field(m, "modelArn")).collect())
                    .unwrap_or_default(),
                raw: raw.clone(),
            })
            .collect();
        Ok(Catalog { models, profiles })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_parses_and_resolves() {
        let c = Catalog::builtin().unwrap();
        assert!(c.models.len() > 20);
        assert!(c.model("amazon.nova-micro-v1:0").is_some());
        assert!(c
            .model("arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-micro-v1:0")
            .is_some());
        let p = c.profile("global.anthropic.claude-opus-4-6-v1").unwrap();
        assert_eq!(p.base_model_id(), Some("anthropic.claude-opus-4-6-v1"));
        assert!(c
            .profile("arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.amazon.nova-micro-v1:0")
            .is_some());
        assert!(c
            .profile(
                "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/mi1dadi0g15f"
            )
            .is_some());
        for p in &c.profiles {
            let base = p.base_model_id().unwrap();
            assert!(c.model(base).is_some(), "{base}");
        }
    }
}
