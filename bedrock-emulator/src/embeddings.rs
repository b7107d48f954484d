//! InvokeModel for embedding models: Titan v1/v2, Cohere v3/v4, Nova multimodal embeddings and
//! TwelveLabs Marengo, with the request/response bodies those models use on Bedrock. Vectors are
//! deterministic (seeded by model, text and dimension) and L2-normalised unless Titan v2 `normalize: false`.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::catalog::FoundationModel;
use crate::validation::ApiError;

/// A finished embedding response: JSON body and input token count (for `x-amzn-bedrock-input-token-count`).
pub(crate) struct EmbeddingResponse {
    pub(crate) body: Value,
    pub(crate) input_tokens: usize,
}

fn malformed(detail: &str) -> ApiError {
    ApiError::validation(format!(
        "Malformed input request: {detail}, please reformat your input and try again."
    ))
}

/// Deterministic vector of `dims` values in [-1, 1], optionally L2-normalised.
pub(crate) fn vector(model: &str, text: &str, dims: usize, normalize: bool) -> Vec<f64> {
    let mut h = Sha256::new();
    h.update(model.as_bytes());
    h.update([0]);
    h.update(text.as_bytes());
    h.update((dims as u64).to_le_bytes());
    let d = h.finalize();
    let mut state = u64::from_le_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]) | 1;
    let mut v: Vec<f64> = (0..dims)
        .map(|_| {
            // xorshift64*
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            let x = state.wrapping_mul(0x2545_F491_4F6C_DD1D);
            ((x >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        })
        .collect();
    if normalize {
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm > 0.0 {
            for x in &mut v {
                *x /= norm;
            }
        }
    }
    // Round to f32 precision like the real service.
    v.iter().map(|x| (*x as f32) as f64).collect()
}

fn words(s: &str) -> usize {
    s.split_whitespace().count().max(1)
}

fn req_str<'a>(v: &'a Value, key: &str) -> Result<&'a str, ApiError> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| malformed(&format!("#: required key [{key}] not found")))
}

fn dims_of(v: &Value, key: &str, allowed: &[usize], default: usize) -> Result<usize, ApiError> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(x) => {
            let n = x.as_u64().map(|n| n as usize);
            match n {
                Some(n) if allowed.contains(&n) => Ok(n),
                _ => Err(malformed(&format!(
                    "#/{key}: {x} is not a valid enum value"
                ))),
            }
        }
    }
}

/// Serve InvokeModel for `model` with the raw request body.
pub(crate) fn invoke(model: &FoundationModel, body: &[u8]) -> Result<EmbeddingResponse, ApiError> {
    let id = model.model_id.as_str();
    if !model.output_modalities.iter().any(|m| m == "EMBEDDING") {
        return Err(ApiError::validation(
            "The emulator serves InvokeModel for embedding models only; use Converse for text models.",
        ));
    }
    let req: Value =
        serde_json::from_slice(body).map_err(|_| malformed("expected a JSON object"))?;
    if !req.is_object() {
        return Err(malformed("#: expected type: JSONObject, found: JSONArray"));
    }
    if id.starts_with("amazon.titan-embed-text-v2") {
        let text = req_str(&req, "inputText")?;
        let dims = dims_of(&req, "dimensions", &[256, 512, 1024], 1024)?;
        let normalize = req
            .get("normalize")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let v = vector(id, text, dims, normalize);
        let n = words(text);
        return Ok(EmbeddingResponse {
            body: json!({"embedding": v, "embeddingsByType": {"float": v}, "inputTextTokenCount": n}),
            input_tokens: n,
        });
    }
    if id.starts_with("amazon.titan-embed") {
        let text = req_str(&req, "inputText")?;
        let n = words(text);
        return Ok(EmbeddingResponse {
            body: json!({"embedding": vector(id, text, 1536, true), "inputTextTokenCount": n}),
            input_tokens: n,
        });
    }
    if id.starts_with("cohere.embed") {
        let texts: Vec<&str> = match req.get("texts") {
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => return Err(malformed("#: required key [texts] not found")),
        };
        if texts.len() > 96 {
            return Err(malformed(
                "#/texts: expected maximum item count: 96, found: 97",
            ));
        }
        let v4 = id.starts_with("cohere.embed-v4");
        if !v4 && req.get("input_type").is_none() {
            return Err(malformed("#: required key [input_type] not found"));
        }
        let dims = if v4 {
            dims_of(&req, "output_dimension", &[256, 512, 1024, 1536], 1536)?
        } else {
            1024
        };
        let vectors: Vec<Vec<f64>> = texts.iter().map(|t| vector(id, t, dims, true)).collect();
        let n: usize = texts.iter().map(|t| words(t)).sum();
        let rid = hex::encode(&Sha256::digest(texts.join("\u{0}").as_bytes())[..16]);
        let rid = format!(
            "{}-{}-{}-{}-{}",
            &rid[0..8],
            &rid[8..12],
            &rid[12..16],
            &rid[16..20],
            &rid[20..32]
        );
        let body = if v4 {
            json!({"embeddings": {"float": vectors}, "id": rid, "response_type": "embeddings_by_type", "texts": texts})
        } else {
            json!({"embeddings": vectors, "id": rid, "response_type": "embeddings_floats", "texts": texts})
        };
        return Ok(EmbeddingResponse {
            body,
            input_tokens: n,
        });
    }
    if id.starts_with("amazon.nova") {
        let params = req
            .get("singleEmbeddingParams")
            .ok_or_else(|| malformed("#: required key [singleEmbeddingParams] not found"))?;
        let text = params
            .get("text")
            .and_then(|t| t.get("value"))
            .and_then(Value::as_str)
            .ok_or_else(|| {
                malformed("#/singleEmbeddingParams/text: required key [value] not found")
            })?;
        let dims = dims_of(params, "embeddingDimension", &[256, 384, 1024, 3072], 3072)?;
        let n = words(text);
        return Ok(EmbeddingResponse {
            body: json!({"embeddings": [{"embeddingType": "TEXT", "embedding": vector(id, text, dims, true)}]}),
            input_tokens: n,
        });
    }
    if id.starts_with("twelvelabs.marengo") {
        let text = req
            .get("inputText")
            .and_then(Value::as_str)
            .or_else(|| {
                req.get("text")
                    .and_then(|t| t.get("inputText"))
                    .and_then(Value::as_str)
            })
            .ok_or_else(|| malformed("#: required key [inputText] not found"))?;
        let dims = if id.contains("3-0") { 512 } else { 1024 };
        let n = words(text);
        return Ok(EmbeddingResponse {
            body: json!({"data": [{"embedding": vector(id, text, dims, true), "embeddingOption": "visual-text"}]}),
            input_tokens: n,
        });
    }
    let text = req_str(&req, "inputText")?;
    let n = words(text);
    Ok(EmbeddingResponse {
        body: json!({"embedding": vector(id, text, 1024, true), "inputTextTokenCount": n}),
        input_tokens: n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_are_deterministic_and_normalised() {
        let a = vector("m", "hello", 256, true);
        assert_eq!(a, vector("m", "hello", 256, true));
        assert_ne!(a, vector("m", "hello!", 256, true));
        let norm: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
        assert!((norm - 1.0).abs() < 1e-3);
    }
}
