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
/// extends and the value type it carries. Empty in 0.2.0: the mechanism ships first, so that the
/// first key to be added is already an addition rather than a layout break.
pub mod keys {}

#[cfg(test)]
mod tests;
