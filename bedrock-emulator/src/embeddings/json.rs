//! Embedding response bodies written straight into bytes. A Cohere v4 answer holds 147k numbers;
//! as a `serde_json::Value` tree each became a heap `String` (the workspace's
//! `arbitrary_precision`) that was built, serialised and freed on the server's one runtime
//! thread, which the embedding benches then measured instead of the plugin. The bytes are the
//! ones `serde_json::to_vec` wrote for that tree: objects in insertion order (`preserve_order`),
//! no whitespace, strings escaped and numbers formatted by serde_json itself.

use super::vector::Digits;

/// A JSON document being written. Objects and arrays are written through closures, so every
/// bracket opened is closed and every separator is in place.
pub(super) struct Writer {
    out: Vec<u8>,
}

/// The members of an open object.
pub(super) struct Object<'a> {
    w: &'a mut Writer,
    empty: bool,
}

/// The items of an open array.
pub(super) struct Array<'a> {
    w: &'a mut Writer,
    empty: bool,
}

impl Writer {
    pub(super) fn with_capacity(bytes: usize) -> Self {
        Self {
            out: Vec::with_capacity(bytes),
        }
    }

    pub(super) fn into_bytes(self) -> Vec<u8> {
        self.out
    }

    /// A string, escaped as serde_json escapes it.
    pub(super) fn string(&mut self, s: &str) {
        // Writing into a `Vec` cannot fail and a string always serialises.
        let _ = serde_json::to_writer(&mut self.out, s);
    }

    pub(super) fn count(&mut self, n: usize) {
        let _ = serde_json::to_writer(&mut self.out, &n);
    }

    /// serde_json's shortest form of the f32 (a non-finite one is `null`, as `Value::from`
    /// made it).
    fn f32(&mut self, x: f32) {
        let _ = serde_json::to_writer(&mut self.out, &x);
    }

    /// serde_json's shortest form of the f64 (non-finite: `null`).
    fn f64(&mut self, x: f64) {
        let _ = serde_json::to_writer(&mut self.out, &x);
    }

    /// Bytes that are already JSON (a vector rendered once and used twice).
    pub(super) fn raw(&mut self, json: &[u8]) {
        self.out.extend_from_slice(json);
    }

    pub(super) fn object(&mut self, members: impl FnOnce(&mut Object<'_>)) {
        self.out.push(b'{');
        members(&mut Object {
            w: self,
            empty: true,
        });
        self.out.push(b'}');
    }

    pub(super) fn array(&mut self, items: impl FnOnce(&mut Array<'_>)) {
        self.out.push(b'[');
        items(&mut Array {
            w: self,
            empty: true,
        });
        self.out.push(b']');
    }

    /// A vector's values as a JSON array, each in the form `digits` names.
    pub(super) fn floats(&mut self, values: &[f64], digits: Digits) {
        self.array(|items| {
            for &x in values {
                match digits {
                    Digits::F32 => items.item(|w| w.f32(x as f32)),
                    Digits::F64 => items.item(|w| w.f64(x)),
                }
            }
        });
    }
}

impl Object<'_> {
    /// The member `key`, its value written by `value`.
    pub(super) fn field(&mut self, key: &str, value: impl FnOnce(&mut Writer)) {
        if !std::mem::take(&mut self.empty) {
            self.w.out.push(b',');
        }
        self.w.string(key);
        self.w.out.push(b':');
        value(self.w);
    }
}

impl Array<'_> {
    pub(super) fn item(&mut self, value: impl FnOnce(&mut Writer)) {
        if !std::mem::take(&mut self.empty) {
            self.w.out.push(b',');
        }
        value(self.w);
    }
}
