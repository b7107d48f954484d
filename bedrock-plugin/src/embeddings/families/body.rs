//! The EMB-21 serde parse of Titan and Cohere response bodies straight into `f64` vectors:
//! every body the byte scanner ([`super::scan`]) leaves to it, with the full JSON rules.
//!
//! A Cohere v4 answer carries 96 × 1,536 numbers (about 1.8 MB of JSON). Building a
//! `serde_json::Value` of it first cost about 2,900 instructions per number (one allocation
//! per number under the workspace's `arbitrary_precision`, then a second parse of that text,
//! then freeing it all; BENCHMARKS.md) and was three quarters of a whole batch's CPU. Here
//! each number is parsed once into its vector, fields the plugin does not read (Titan v2's
//! duplicate `embeddingsByType`, Cohere's echoed `texts`) are skipped without being built, and
//! every rule of the `Value` path is kept: a body that is not a JSON object, a missing or
//! non-array vector field, or any element that is not a finite number is malformed.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer as _, IgnoredAny, MapAccess, SeqAccess};
use serde_json::Value;

/// Most vectors reserved up front for one Cohere answer (EMB-26 sends at most 96 texts).
const MAX_RESERVED_VECTORS: usize = 96;

/// Where a family's vectors sit in its response body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shape {
    /// Titan v1/v2: one vector in `embedding`.
    Titan,
    /// Cohere v3: `embeddings` is the list of vectors.
    CohereV3,
    /// Cohere v4: `embeddings` is the list, or an object whose `float` key holds it.
    CohereV4,
}

/// What a body held: its vectors (`None` when the field was absent) and the body's own token
/// count (`inputTextTokenCount`, when it is an unsigned integer).
#[derive(Debug, Default, PartialEq)]
pub(super) struct Parsed {
    pub(super) vectors: Option<Vec<Vec<f64>>>,
    pub(super) input_tokens: Option<u64>,
}

/// Parses `body` of `shape`; `expected` texts were sent (it only sizes the list; the caller
/// checks the count).
pub(super) fn parse(
    shape: Shape,
    body: &[u8],
    expected: usize,
) -> Result<Parsed, serde_json::Error> {
    let reserve = expected.min(MAX_RESERVED_VECTORS);
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let parsed = (&mut deserializer).deserialize_map(BodyVisitor { shape, reserve })?;
    deserializer.end()?;
    Ok(parsed)
}

/// The top-level keys the parse reads.
enum Key {
    Embedding,
    Embeddings,
    InputTokens,
    Float,
    Other,
}

impl<'de> de::Deserialize<'de> for Key {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl de::Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("an object key")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
                Ok(match key {
                    "embedding" => Key::Embedding,
                    "embeddings" => Key::Embeddings,
                    "inputTextTokenCount" => Key::InputTokens,
                    "float" => Key::Float,
                    _ => Key::Other,
                })
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

struct BodyVisitor {
    shape: Shape,
    /// Vectors to make room for.
    reserve: usize,
}

impl<'de> de::Visitor<'de> for BodyVisitor {
    type Value = Parsed;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("an embedding response object")
    }

    /// A repeated key counts once, its last value winning, as in a parsed `Value`.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parsed, A::Error> {
        let mut parsed = Parsed::default();
        while let Some(key) = map.next_key::<Key>()? {
            match (key, self.shape) {
                (Key::InputTokens, _) => {
                    parsed.input_tokens = map.next_value::<Value>()?.as_u64();
                }
                (Key::Embedding, Shape::Titan) => {
                    let vector = map.next_value::<Vector>()?.0;
                    parsed.vectors = Some(vec![vector]);
                }
                (Key::Embeddings, Shape::CohereV3 | Shape::CohereV4) => {
                    parsed.vectors = Some(map.next_value_seed(CohereSeed {
                        by_type: self.shape == Shape::CohereV4,
                        reserve: self.reserve,
                    })?);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(parsed)
    }
}

/// One array of finite numbers.
struct Vector(Vec<f64>);

impl<'de> de::Deserialize<'de> for Vector {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Vector, D::Error> {
        deserializer.deserialize_seq(VectorVisitor)
    }
}

struct VectorVisitor;

impl<'de> de::Visitor<'de> for VectorVisitor {
    type Value = Vector;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("an array of finite numbers")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vector, A::Error> {
        let mut vector = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(number) = seq.next_element::<f64>()? {
            if !number.is_finite() {
                return Err(de::Error::custom("embedding value is not finite"));
            }
            vector.push(number);
        }
        Ok(Vector(vector))
    }
}

/// Cohere's `embeddings`: a list of vectors, or (v4, `by_type`) an object whose `float` key
/// holds that list (its other embedding types are skipped).
struct CohereSeed {
    by_type: bool,
    /// Vectors to make room for.
    reserve: usize,
}

impl<'de> DeserializeSeed<'de> for CohereSeed {
    type Value = Vec<Vec<f64>>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Vec<Vec<f64>>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> de::Visitor<'de> for CohereSeed {
    type Value = Vec<Vec<f64>>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a list of embeddings")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Vec<f64>>, A::Error> {
        let mut vectors = Vec::with_capacity(self.reserve);
        while let Some(Vector(vector)) = seq.next_element::<Vector>()? {
            vectors.push(vector);
        }
        Ok(vectors)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<Vec<f64>>, A::Error> {
        if !self.by_type {
            return Err(de::Error::custom("embeddings is not a list"));
        }
        let mut floats = None;
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Float => {
                    floats = Some(map.next_value_seed(CohereSeed {
                        by_type: false,
                        ..self
                    })?);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        floats.ok_or_else(|| de::Error::custom("embeddings has no float list"))
    }
}
