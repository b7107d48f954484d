//! The growth path of the structs that cross the boundary by value.
//!
//! A `#[repr(C)]` struct such as [`ModelDefinition`](crate::model::ModelDefinition) cannot take a
//! new field without changing its layout, and a layout change makes every host built before it
//! refuse the plugin. So each by-value struct that is expected to grow ends with one
//! [`Extensions`] field: a list of named, typed values. A newer side adds keys; an older side
//! never looks them up and carries them along untouched. Keys are documented constants in
//! [`keys`]; each comes with a typed accessor next to the struct it extends, so callers never
//! handle the raw list.
//!
//! Rules for authors of either side:
//! - a key's meaning and value type never change once released; a new meaning gets a new key;
//! - readers ignore keys they do not know and values of an unexpected type;
//! - writers set each key at most once ([`Extensions::set`] replaces).

use abi_stable::{
    std_types::{RString, RVec},
    StableAbi,
};

/// One extension value. `NonExhaustive`, so value kinds can be added later as well.
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
#[sabi(kind(WithNonExhaustive(size = [usize; 6], traits(Debug, Clone, PartialEq))))]
#[non_exhaustive]
pub enum ExtValue {
    /// A flag.
    Bool(bool),
    /// A whole number.
    Integer(i64),
    /// A floating-point number.
    Number(f64),
    /// Free text, or one value of a documented set of strings.
    Text(RString),
    /// A JSON document, for structured values (objects, arrays).
    Json(RString),
}

/// One named extension value.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct Extension {
    /// The key, one of [`keys`] (or a key of a newer interface version).
    pub key: RString,
    /// The value.
    pub value: ExtValue_NE,
}

/// The trailing extension field of a by-value struct: the way it gains fields without a
/// layout change (see the module docs).
#[repr(transparent)]
#[derive(StableAbi, Debug, Clone, PartialEq, Default)]
pub struct Extensions(RVec<Extension>);

impl Extensions {
    /// No extensions.
    pub fn new() -> Self {
        Self(RVec::new())
    }

    /// The value stored under `key`, if any.
    pub fn get(&self, key: &str) -> Option<&ExtValue> {
        self.0
            .iter()
            .find(|extension| extension.key.as_str() == key)
            .and_then(|extension| extension.value.as_enum().ok())
    }

    /// Stores `value` under `key`, replacing an earlier value of the same key.
    pub fn set(&mut self, key: &str, value: ExtValue) {
        let value = ExtValue_NE::new(value);
        match self
            .0
            .iter_mut()
            .find(|extension| extension.key.as_str() == key)
        {
            Some(existing) => existing.value = value,
            None => self.0.push(Extension {
                key: key.into(),
                value,
            }),
        }
    }

    /// Removes `key`; returns whether it was present.
    pub fn remove(&mut self, key: &str) -> bool {
        let before = self.0.len();
        self.0.retain(|extension| extension.key.as_str() != key);
        self.0.len() != before
    }

    /// Every stored extension, in insertion order (known and unknown keys alike).
    pub fn iter(&self) -> impl Iterator<Item = &Extension> {
        self.0.iter()
    }

    /// True when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The text stored under `key`, when it is text.
    pub fn text(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(ExtValue::Text(text)) => Some(text.as_str()),
            _ => None,
        }
    }

    /// The flag stored under `key`, when it is a flag.
    pub fn flag(&self, key: &str) -> Option<bool> {
        match self.get(key) {
            Some(ExtValue::Bool(flag)) => Some(*flag),
            _ => None,
        }
    }
}

/// The extension keys this version of the interface defines. Each entry says which struct it
/// extends and the value type it carries. 0.2.0 shipped the mechanism without keys, so that the
/// first key to be added is already an addition rather than a layout break.
pub mod keys {
    /// [`ModelDefinition`](crate::model::ModelDefinition), text: whether the account can call
    /// the model (BR-80), one of `available`, `not_authorized`, `not_in_region`,
    /// `not_entitled`, `agreement_pending`, `agreement_required`, `agreement_error` or
    /// `unknown` (not checked). A host hides known-unavailable models unless asked for all, so
    /// users do not pick a model that fails with AccessDeniedException.
    pub const MODEL_ACCESS: &str = "model.access";
    /// [`ModelDefinition`](crate::model::ModelDefinition), text: the service's own words for
    /// an access that is not `available` (the agreement's `errorMessage` for
    /// `agreement_error`), shown next to the reason.
    pub const MODEL_ACCESS_DETAIL: &str = "model.accessDetail";
    /// [`ModelDefinition`](crate::model::ModelDefinition), text: the catalog source that listed
    /// the model (BR-85): `foundation-models`, `inference-profiles`, `prompt-routers`,
    /// `custom-models`, `imported-models` or `provisioned`; absent for explicit models.
    pub const MODEL_SOURCE: &str = "model.source";
    /// [`ListModelsOptions`](crate::traits::ListModelsOptions), flag: also return models whose
    /// access is known and not `available` (BR-81), as the harness `models list --all` does,
    /// whatever the plugin's own `discovery.includeUnavailable` says.
    pub const LIST_INCLUDE_UNAVAILABLE: &str = "list.includeUnavailable";
    /// [`DoctorReport`](crate::status::DoctorReport), JSON: the doctor's permission probes
    /// (BR-31), an array in report order of objects `{"operation", "action", "target",
    /// "result", "message"}`: the Bedrock operation sent (`ConverseStream`), the IAM action it
    /// needs (`bedrock:InvokeModelWithResponseStream`), the model, profile or guardrail it was
    /// sent for (or `null`), one of `ok`, `denied`, `unsupported`, `skipped` or `error`, and the
    /// service's or the plugin's message (`null` for `ok`). The printable lines stay in
    /// `DoctorReport::checks`.
    pub const DOCTOR_PROBES: &str = "doctor.probes";
    /// [`ChatOptions`](crate::chat::ChatOptions), text: the latency profile asked for
    /// (`options.performance`, BR-90), `standard` or `optimized`; it wins over the
    /// `performanceConfig` param. Latency-optimized inference is a per-request choice, so it
    /// travels with the request rather than in the model's params.
    pub const PERFORMANCE: &str = "chat.performance";
    /// [`ChatOptions`](crate::chat::ChatOptions), JSON: `options.responseFormat` (BR-91), an
    /// object `{"type": "json_schema", "schema": {…}, "name"?, "description"?}` asking for a
    /// structured (JSON) answer that matches `schema`, which must be a JSON object.
    pub const RESPONSE_FORMAT: &str = "chat.responseFormat";
    /// The `Document` variant of [`ContentPart`](crate::chat::ContentPart), flag: let the model
    /// cite this document (BR-92); the citations arrive under [`RESPONSE_CITATIONS`].
    pub const DOCUMENT_CITATIONS: &str = "document.citations";
    /// [`ResponseSummary`](crate::event::ResponseSummary), text: the latency profile the
    /// service says it served (`metadata.performanceConfig.latency`, BR-90), `standard` or
    /// `optimized`; absent when the service echoed none. It can differ from the one asked for,
    /// since Bedrock falls back to standard latency without an error.
    pub const RESPONSE_PERFORMANCE: &str = "response.performance";
    /// [`ResponseSummary`](crate::event::ResponseSummary), flag: the answer's text is
    /// structured output for the request's [`RESPONSE_FORMAT`] (BR-91), so a host may parse it
    /// as JSON.
    pub const RESPONSE_STRUCTURED: &str = "response.structured";
    /// [`ResponseSummary`](crate::event::ResponseSummary), JSON: the answer's citations
    /// (BR-92), an array in the order they were received of objects
    /// `{"index", "text", "title"?, "source"?, "sourceText"?, "location"}`: the content block
    /// index, the answer text the citation covers (the block's text since its previous
    /// citation), the cited document's title and source, the quoted source text, and the
    /// location, an object with one key (`documentChar`, `documentPage`, `documentChunk`,
    /// `web`, `searchResult`, or a kind this version does not know). They travel on the
    /// summary because a new `StreamEvent` variant would change the interface layout (see the
    /// CHANGELOG).
    pub const RESPONSE_CITATIONS: &str = "response.citations";
    /// [`ResponseSummary`](crate::event::ResponseSummary), JSON: USE-01's `contextUsage`, an
    /// object `{"state": "available", "promptTokens", "totalTokens"}` where `promptTokens` is
    /// `input + cacheRead + cacheWrite` of the usage, so a host can show how full the context
    /// window is; absent when the service reported no usage.
    pub const RESPONSE_CONTEXT_USAGE: &str = "response.contextUsage";
    /// [`EmbeddingProviderInfo`](crate::embedding::EmbeddingProviderInfo), JSON: the
    /// provider's descriptor (EMB-01) `{"id", "defaultModel", "transport", "authProviderId",
    /// "autoSelectPriority"}`, what a host in auto mode ranks embedding providers by; a
    /// creation error for missing credentials means "try the next provider".
    pub const EMBEDDING_DESCRIPTOR: &str = "embedding.descriptor";
}

#[cfg(test)]
mod tests;
