//! One function per embedding family's request and response body, with the `Malformed input request`
//! details (JSON-schema style paths) those models report.

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::json::Writer;
use super::vector::Digits;
use super::EmbeddingResponse;
use super::VectorCache;
use crate::error::ApiError;

pub(super) fn malformed(detail: &str) -> ApiError {
    ApiError::validation(format!(
        "Malformed input request: {detail}, please reformat your input and try again."
    ))
}

/// Input tokens: words, at least 1.
fn words(s: &str) -> usize {
    s.split_whitespace().count().max(1)
}

fn req_str<'a>(v: &'a Value, key: &str) -> Result<&'a str, ApiError> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| malformed(&format!("#: required key [{key}] not found")))
}

/// The dimension field `key`: one of `allowed`, `default` when absent.
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

fn response(body: Writer, input_tokens: usize) -> Result<EmbeddingResponse, ApiError> {
    Ok(EmbeddingResponse {
        body: body.into_bytes(),
        input_tokens,
    })
}

/// Room for a body of `vectors` × `dims` values: at most 24 bytes each (sign, 17 digits,
/// point, exponent, comma), so the buffer never grows while the numbers are written.
fn sized(vectors: usize, dims: usize) -> Writer {
    Writer::with_capacity(
        vectors
            .saturating_mul(dims)
            .saturating_mul(24)
            .saturating_add(256),
    )
}

/// Titan Text Embeddings v2: `dimensions` 256/512/1024, `normalize` (default true).
pub(super) fn titan_v2(
    id: &str,
    req: &Value,
    cache: &VectorCache,
) -> Result<EmbeddingResponse, ApiError> {
    let text = req_str(req, "inputText")?;
    let dims = dims_of(req, "dimensions", &[256, 512, 1024], 1024)?;
    let normalize = req
        .get("normalize")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let floats = cache.rendered(id, text, dims, normalize, Digits::F64);
    let n = words(text);
    let mut body = sized(2, dims);
    body.object(|o| {
        o.field("embedding", |w| w.raw(&floats));
        o.field("embeddingsByType", |w| {
            w.object(|o| o.field("float", |w| w.raw(&floats)))
        });
        o.field("inputTextTokenCount", |w| w.count(n));
    });
    response(body, n)
}

/// Titan Embeddings v1: 1536 dimensions.
pub(super) fn titan_v1(
    id: &str,
    req: &Value,
    cache: &VectorCache,
) -> Result<EmbeddingResponse, ApiError> {
    input_text(id, req, cache, 1536)
}

/// Any other embedding model: Titan-style `inputText`, 1024 dimensions.
pub(super) fn generic(
    id: &str,
    req: &Value,
    cache: &VectorCache,
) -> Result<EmbeddingResponse, ApiError> {
    input_text(id, req, cache, 1024)
}

/// The Titan v1 body: `{inputText}` → `{embedding, inputTextTokenCount}` of `dims` values.
fn input_text(
    id: &str,
    req: &Value,
    cache: &VectorCache,
    dims: usize,
) -> Result<EmbeddingResponse, ApiError> {
    let text = req_str(req, "inputText")?;
    let n = words(text);
    let mut body = sized(1, dims);
    body.object(|o| {
        o.field("embedding", |w| {
            w.raw(&cache.rendered(id, text, dims, true, Digits::F64))
        });
        o.field("inputTextTokenCount", |w| w.count(n));
    });
    response(body, n)
}

/// Cohere Embed v3 (1024 dimensions, `input_type` required) and v4 (`output_dimension`).
pub(super) fn cohere(
    id: &str,
    req: &Value,
    cache: &VectorCache,
) -> Result<EmbeddingResponse, ApiError> {
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
        dims_of(req, "output_dimension", &[256, 512, 1024, 1536], 1536)?
    } else {
        1024
    };
    let vectors = |w: &mut Writer| {
        w.array(|items| {
            for text in &texts {
                items.item(|w| w.raw(&cache.rendered(id, text, dims, true, Digits::F32)));
            }
        })
    };
    let n: usize = texts.iter().map(|t| words(t)).sum();
    let mut body = sized(texts.len(), dims);
    body.object(|o| {
        o.field("embeddings", |w| {
            if v4 {
                w.object(|o| o.field("float", vectors));
            } else {
                vectors(w);
            }
        });
        o.field("id", |w| w.string(&cohere_id(&texts)));
        let response_type = if v4 {
            "embeddings_by_type"
        } else {
            "embeddings_floats"
        };
        o.field("response_type", |w| w.string(response_type));
        o.field("texts", |w| {
            w.array(|items| {
                for text in &texts {
                    items.item(|w| w.string(text));
                }
            })
        });
    });
    response(body, n)
}

/// A UUID-shaped response id derived from the texts.
pub(super) fn cohere_id(texts: &[&str]) -> String {
    let rid = hex::encode(&Sha256::digest(texts.join("\u{0}").as_bytes())[..16]);
    format!(
        "{}-{}-{}-{}-{}",
        &rid[0..8],
        &rid[8..12],
        &rid[12..16],
        &rid[16..20],
        &rid[20..32]
    )
}

/// Nova multimodal embeddings: `singleEmbeddingParams.text.value`, `embeddingDimension`.
pub(super) fn nova(
    id: &str,
    req: &Value,
    cache: &VectorCache,
) -> Result<EmbeddingResponse, ApiError> {
    let params = req
        .get("singleEmbeddingParams")
        .ok_or_else(|| malformed("#: required key [singleEmbeddingParams] not found"))?;
    let text = params
        .get("text")
        .and_then(|t| t.get("value"))
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("#/singleEmbeddingParams/text: required key [value] not found"))?;
    let dims = dims_of(params, "embeddingDimension", &[256, 384, 1024, 3072], 3072)?;
    let mut body = sized(1, dims);
    body.object(|o| {
        o.field("embeddings", |w| {
            w.array(|items| {
                items.item(|w| {
                    w.object(|o| {
                        o.field("embeddingType", |w| w.string("TEXT"));
                        o.field("embedding", |w| {
                            w.raw(&cache.rendered(id, text, dims, true, Digits::F64))
                        });
                    })
                })
            })
        })
    });
    response(body, words(text))
}

/// TwelveLabs Marengo: 2.7 → 1024 dimensions, 3.0 → 512; `inputText` or `text.inputText`.
pub(super) fn marengo(
    id: &str,
    req: &Value,
    cache: &VectorCache,
) -> Result<EmbeddingResponse, ApiError> {
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
    let mut body = sized(1, dims);
    body.object(|o| {
        o.field("data", |w| {
            w.array(|items| {
                items.item(|w| {
                    w.object(|o| {
                        o.field("embedding", |w| {
                            w.raw(&cache.rendered(id, text, dims, true, Digits::F64))
                        });
                        o.field("embeddingOption", |w| w.string("visual-text"));
                    })
                })
            })
        })
    });
    response(body, words(text))
}
