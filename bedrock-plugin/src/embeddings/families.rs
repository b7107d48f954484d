//! Embedding model ids, the model table and the per-family request and response bodies
//! (EMB-10..14, EMB-20..22).
//!
//! Everything here is pure (no I/O) so the exact ids, bodies and error messages of the spec are
//! unit-testable without a network.

use plugin_api::error::{ErrorKind, PluginError};
use serde_json::{json, Value};

use crate::models::prefixes::REGION_PREFIXES;

/// The provider's default model (EMB-01, EMB-10).
pub const DEFAULT_MODEL: &str = "amazon.titan-embed-text-v2:0";
/// EMB-21: the one message every unusable response body maps to.
pub const MALFORMED_RESPONSE: &str = "Amazon Bedrock embedding response returned malformed JSON";

/// Prefixes a host may put in front of a model id (EMB-10).
const PROVIDER_PREFIXES: [&str; 3] = ["bedrock/", "amazon-bedrock/", "aws/"];

/// The request/response shape a model speaks (EMB-12).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    TitanV2,
    TitanV1,
    CohereV3,
    CohereV4,
    Nova,
    Marengo27,
    Marengo3,
}

impl Family {
    /// The family name used in the spec, in `EmbeddingProviderInfo.family` and in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::TitanV2 => "titan-v2",
            Family::TitanV1 => "titan-v1",
            Family::CohereV3 => "cohere-v3",
            Family::CohereV4 => "cohere-v4",
            Family::Nova => "nova",
            Family::Marengo27 => "marengo-2.7",
            Family::Marengo3 => "marengo-3",
        }
    }

    /// Parses a family name a host passes explicitly (case-insensitive); `None` when unknown.
    pub fn parse(name: &str) -> Option<Family> {
        let name = name.trim().to_ascii_lowercase();
        [
            Family::TitanV2,
            Family::TitanV1,
            Family::CohereV3,
            Family::CohereV4,
            Family::Nova,
            Family::Marengo27,
            Family::Marengo3,
        ]
        .into_iter()
        .find(|family| family.as_str() == name)
    }

    /// Cohere models embed many texts per call (EMB-26); the others one text per call.
    pub fn is_cohere(self) -> bool {
        matches!(self, Family::CohereV3 | Family::CohereV4)
    }
}

/// One row of the EMB-12 model table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModelSpec {
    pub family: Family,
    pub max_input_tokens: u32,
    pub default_dims: u32,
    pub valid_dims: &'static [u32],
}

const fn spec(
    family: Family,
    max_input_tokens: u32,
    default_dims: u32,
    valid_dims: &'static [u32],
) -> ModelSpec {
    ModelSpec {
        family,
        max_input_tokens,
        default_dims,
        valid_dims,
    }
}

/// EMB-12: the known models by lookup key.
const MODEL_TABLE: [(&str, ModelSpec); 10] = [
    (
        "amazon.titan-embed-text-v2:0",
        spec(Family::TitanV2, 8192, 1024, &[256, 512, 1024]),
    ),
    (
        "amazon.titan-embed-text-v1",
        spec(Family::TitanV1, 8000, 1536, &[1536]),
    ),
    (
        "amazon.titan-embed-g1-text-02",
        spec(Family::TitanV1, 8000, 1536, &[1536]),
    ),
    (
        "amazon.titan-embed-image-v1",
        spec(Family::TitanV1, 128, 1024, &[1024]),
    ),
    (
        "cohere.embed-english-v3",
        spec(Family::CohereV3, 512, 1024, &[1024]),
    ),
    (
        "cohere.embed-multilingual-v3",
        spec(Family::CohereV3, 512, 1024, &[1024]),
    ),
    (
        "cohere.embed-v4:0",
        spec(Family::CohereV4, 128_000, 1536, &[256, 512, 1024, 1536]),
    ),
    (
        "amazon.nova-2-multimodal-embeddings-v1:0",
        spec(Family::Nova, 8192, 1024, &[256, 384, 1024, 3072]),
    ),
    (
        "twelvelabs.marengo-embed-2-7-v1:0",
        spec(Family::Marengo27, 77, 1024, &[1024]),
    ),
    (
        "twelvelabs.marengo-embed-3-0-v1:0",
        spec(Family::Marengo3, 512, 512, &[512]),
    ),
];

/// EMB-10: trim, strip one provider prefix, empty → the default model.
pub fn normalize_model_id(raw: &str) -> String {
    let trimmed = raw.trim();
    let stripped = PROVIDER_PREFIXES
        .iter()
        .find_map(|prefix| trimmed.strip_prefix(prefix))
        .unwrap_or(trimmed)
        .trim();
    if stripped.is_empty() {
        DEFAULT_MODEL.to_owned()
    } else {
        stripped.to_owned()
    }
}

/// True for an ARN (application inference profile, foundation model, …).
pub fn is_arn(id: &str) -> bool {
    id.starts_with("arn:")
}

/// EMB-11: region prefix removed, then a provisioned-throughput suffix (`:<digits>k` or
/// `:<digits>:<digits>k`). An ARN is keyed by its trailing segment (the EMB-13 fallback for
/// an application profile whose GetInferenceProfile lookup failed; the looked-up target is
/// passed to [`resolve_with_spec_id`] instead).
pub fn lookup_key(normalized: &str) -> String {
    let id = if is_arn(normalized) {
        normalized.rsplit('/').next().unwrap_or(normalized)
    } else {
        normalized
    };
    // Cross-region profile prefixes are removed for the spec lookup (EMB-11); as written
    // (case-sensitive), since the spec table's ids are lower-case.
    let id = REGION_PREFIXES
        .iter()
        .find_map(|prefix| id.strip_prefix(prefix))
        .unwrap_or(id);
    strip_throughput_suffix(id).to_owned()
}

/// `amazon.titan-embed-text-v1:2:8k` → `amazon.titan-embed-text-v1`;
/// `amazon.titan-embed-text-v2:0:8k` → `amazon.titan-embed-text-v2:0`.
///
/// Both suffix forms match `…-v2:0:8k`, so the form that leaves a known id wins; for ids the
/// table does not know the shorter `:<digits>k` form is removed.
fn strip_throughput_suffix(id: &str) -> &str {
    let is_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let Some((single, last)) = id.rsplit_once(':') else {
        return id;
    };
    if !last.strip_suffix('k').is_some_and(is_digits) {
        return id;
    }
    let double = single
        .rsplit_once(':')
        .filter(|(_, units)| is_digits(units))
        .map(|(base, _)| base);
    match double {
        Some(base) if known_spec(single).is_none() && known_spec(base).is_some() => base,
        _ => single,
    }
}

/// EMB-12: the table row for a lookup key.
pub fn known_spec(key: &str) -> Option<ModelSpec> {
    MODEL_TABLE
        .iter()
        .find(|(known, _)| *known == key)
        .map(|(_, spec)| *spec)
}

/// EMB-13: the family of an id the table does not know, from its lookup key's prefix.
pub fn unknown_family(key: &str) -> Family {
    const RULES: [(&str, Family); 7] = [
        ("amazon.titan-embed-text-v2", Family::TitanV2),
        ("amazon.titan-embed", Family::TitanV1),
        ("amazon.nova", Family::Nova),
        ("cohere.embed-v4", Family::CohereV4),
        ("cohere.embed", Family::CohereV3),
        ("twelvelabs.marengo-embed-2-7", Family::Marengo27),
        ("twelvelabs.", Family::Marengo3),
    ];
    RULES
        .iter()
        .find(|(prefix, _)| key.starts_with(prefix))
        .map_or(Family::TitanV1, |(_, family)| *family)
}

/// Everything a provider instance needs to know about its model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedModel {
    /// The id sent to Bedrock verbatim (EMB-10).
    pub model_id: String,
    pub family: Family,
    /// The vector length every response must have, when known (EMB-14, EMB-22).
    pub dimensions: Option<u32>,
    pub max_input_tokens: Option<u32>,
}

/// EMB-10..14: normalises the id, finds its spec and validates the requested dimensions.
///
/// `family` is what a host passes when it already knows the family (EMB-11); it applies to ids
/// the table does not know. Errors are `InvalidConfig` because they come from the host's
/// memory-search settings, never from a call.
pub fn resolve(
    raw_model: &str,
    output_dimensionality: Option<u32>,
    family: Option<&str>,
) -> Result<ResolvedModel, PluginError> {
    resolve_with_spec_id(raw_model, output_dimensionality, family, None)
}

/// [`resolve`] with the spec taken from `spec_id` when given: EMB-11's first target model of
/// an application profile (the request still sends the ARN, EMB-10).
pub fn resolve_with_spec_id(
    raw_model: &str,
    output_dimensionality: Option<u32>,
    family: Option<&str>,
    spec_id: Option<&str>,
) -> Result<ResolvedModel, PluginError> {
    let model_id = normalize_model_id(raw_model);
    let key = lookup_key(spec_id.unwrap_or(&model_id));
    match known_spec(&key) {
        Some(spec) => {
            let dimensions = match output_dimensionality {
                None => spec.default_dims,
                Some(requested) if spec.valid_dims.contains(&requested) => requested,
                Some(requested) => {
                    let valid: Vec<String> =
                        spec.valid_dims.iter().map(|d| d.to_string()).collect();
                    return Err(PluginError::new(
                        ErrorKind::InvalidConfig,
                        format!(
                            "Invalid dimensions {requested} for {model_id}. Valid values: {}",
                            valid.join(", ")
                        ),
                    ));
                }
            };
            Ok(ResolvedModel {
                model_id,
                family: spec.family,
                dimensions: Some(dimensions),
                max_input_tokens: Some(spec.max_input_tokens),
            })
        }
        None => Ok(ResolvedModel {
            family: family
                .and_then(Family::parse)
                .unwrap_or_else(|| unknown_family(&key)),
            model_id,
            dimensions: output_dimensionality,
            max_input_tokens: None,
        }),
    }
}

/// Whether a call embeds a search query or documents to index (EMB-20, EMB-24, EMB-26).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Query,
    Document,
}

/// EMB-20: the InvokeModel body for one text (or, for Cohere, one chunk of texts).
pub fn request_body(
    family: Family,
    texts: &[String],
    dimensions: Option<u32>,
    purpose: Purpose,
) -> Value {
    let first = texts.first().map(String::as_str).unwrap_or_default();
    match family {
        Family::TitanV2 => match dimensions {
            Some(dims) => json!({"inputText": first, "dimensions": dims, "normalize": true}),
            None => json!({"inputText": first, "normalize": true}),
        },
        Family::TitanV1 => json!({"inputText": first}),
        Family::Nova => json!({
            "taskType": "SINGLE_EMBEDDING",
            "singleEmbeddingParams": {
                "embeddingPurpose": match purpose {
                    Purpose::Query => "GENERIC_RETRIEVAL",
                    Purpose::Document => "GENERIC_INDEX",
                },
                "embeddingDimension": dimensions.unwrap_or(1024),
                "text": {"truncationMode": "END", "value": first}
            }
        }),
        Family::Marengo27 => {
            json!({"inputType": "text", "inputText": first, "textTruncate": "end"})
        }
        Family::Marengo3 => json!({"inputType": "text", "text": {"inputText": first}}),
        Family::CohereV3 | Family::CohereV4 => {
            let mut body = json!({
                "texts": texts,
                "input_type": match purpose {
                    Purpose::Query => "search_query",
                    Purpose::Document => "search_document",
                },
                "truncate": "END"
            });
            if family == Family::CohereV4 {
                if let Some(object) = body.as_object_mut() {
                    object.insert("embedding_types".into(), json!(["float"]));
                    if let Some(dims) = dimensions {
                        object.insert("output_dimension".into(), json!(dims));
                    }
                }
            }
            body
        }
    }
}

fn malformed() -> PluginError {
    PluginError::new(ErrorKind::Service, MALFORMED_RESPONSE)
}

/// One array of finite numbers, or the EMB-21 error.
fn number_array(value: &Value) -> Result<Vec<f64>, PluginError> {
    let items = value.as_array().ok_or_else(malformed)?;
    items
        .iter()
        .map(|item| {
            item.as_f64()
                .filter(|number| item.is_number() && number.is_finite())
                .ok_or_else(malformed)
        })
        .collect()
}

/// A parsed response: vectors in request order and the body's token count, if any.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedResponse {
    pub vectors: Vec<Vec<f64>>,
    pub input_tokens: Option<u64>,
}

/// EMB-21: extracts the vectors of a response body. `expected` is the number of texts sent
/// (Cohere must return exactly that many vectors; the others return one).
///
/// Titan and Cohere bodies, the large ones, are parsed straight into vectors: by the byte
/// scanner ([`scan`]) when they are in its subset, else by serde ([`body`]). Nova's and
/// Marengo's varied single-vector shapes go through a `Value`.
pub fn parse_response(
    family: Family,
    body: &[u8],
    expected: usize,
) -> Result<ParsedResponse, PluginError> {
    let shape = match family {
        Family::TitanV1 | Family::TitanV2 => Some(body::Shape::Titan),
        Family::CohereV3 => Some(body::Shape::CohereV3),
        Family::CohereV4 => Some(body::Shape::CohereV4),
        Family::Nova | Family::Marengo27 | Family::Marengo3 => None,
    };
    let (vectors, input_tokens) = match shape {
        Some(shape) => {
            let parsed = match scan::parse(shape, body, expected) {
                Some(parsed) => parsed,
                None => body::parse(shape, body, expected).map_err(|_| malformed())?,
            };
            (parsed.vectors.ok_or_else(malformed)?, parsed.input_tokens)
        }
        None => parse_single_vector(family, body)?,
    };
    if vectors.len() != expected {
        return Err(malformed());
    }
    Ok(ParsedResponse {
        vectors,
        input_tokens,
    })
}

/// Nova's and Marengo's bodies: one vector at a family-specific place, and the token count.
fn parse_single_vector(
    family: Family,
    body: &[u8],
) -> Result<(Vec<Vec<f64>>, Option<u64>), PluginError> {
    let json: Value = serde_json::from_slice(body).map_err(|_| malformed())?;
    let object = json.as_object().ok_or_else(malformed)?;
    let input_tokens = object.get("inputTextTokenCount").and_then(Value::as_u64);
    let field = match family {
        Family::Marengo27 | Family::Marengo3 => {
            let data = object.get("data");
            data.and_then(Value::as_array)
                .and_then(|all| all.first())
                .and_then(|first| first.get("embedding"))
                .or_else(|| data.and_then(|data| data.get("embedding")))
                .or_else(|| object.get("embedding"))
        }
        // Nova (the only other family that reaches here).
        _ => object
            .get("embeddings")
            .and_then(Value::as_array)
            .and_then(|all| all.first())
            .and_then(|first| first.get("embedding")),
    };
    Ok((
        vec![number_array(field.ok_or_else(malformed)?)?],
        input_tokens,
    ))
}

/// EMB-22: checks the length against the expected dimensions and L2-normalises (a zero vector
/// stays zero). Inputs are already known finite (EMB-21).
pub fn finish_vector(
    vector: Vec<f64>,
    expected_dims: Option<u32>,
) -> Result<Vec<f32>, PluginError> {
    if let Some(dims) = expected_dims {
        if vector.len() != dims as usize {
            return Err(PluginError::new(
                ErrorKind::Service,
                format!(
                    "Amazon Bedrock embedding returned {} dimensions, expected {dims}",
                    vector.len()
                ),
            ));
        }
    }
    // Divided by the largest magnitude first, so the squares neither overflow (1e300) nor
    // vanish (1e-320) (PLG-59).
    let largest = vector.iter().fold(0.0f64, |max, x| max.max(x.abs()));
    if largest == 0.0 || !largest.is_finite() {
        return Ok(vector.into_iter().map(|x| x as f32).collect());
    }
    let norm = vector
        .iter()
        .map(|x| (x / largest) * (x / largest))
        .sum::<f64>()
        .sqrt();
    Ok(vector
        .into_iter()
        .map(|x| ((x / largest) / norm) as f32)
        .collect())
}

mod body;
mod scan;
#[cfg(test)]
mod tests;
