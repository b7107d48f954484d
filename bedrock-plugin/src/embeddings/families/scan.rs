//! The fast path of the Titan and Cohere parse: a byte scanner for the bodies these models
//! send (vectors of plain decimal numbers, texts without escapes), tried before [`super::body`].
//!
//! With [`super::body`] alone, serde_json's number parsing was nearly all of a Cohere v4
//! call's plugin CPU (about 375 instructions per number, 147k numbers per call;
//! BENCHMARKS.md). Numbers here are correctly rounded, as serde_json's are with its
//! `float_roundtrip` feature (on whenever `jsonschema` is in the build, as in the tests and
//! benches): one of at most 15 or 16 digits (up to 2^53) with a decimal exponent within ±22
//! is exactly `digits × 10^e` or `digits ÷ 10^-e` in `f64` (Clinger's fast path, also what
//! serde_json computes for it without that feature), and a longer one of up to 19 digits
//! (Titan's 17-digit forms) goes to the standard library's parser. It accepts a strict subset
//! of JSON and answers `None` for anything else (escapes, literals, longer numbers, a token
//! count that is not a plain integer, malformed input), and then [`super::body`] decides, so
//! every EMB-21 error and every unusual body is the serde parse's.

use super::body::{Parsed, Shape};

/// Nesting skipped before deferring to serde (whose own limit is 128).
const MAX_DEPTH: usize = 64;
/// Most vectors reserved up front for one Cohere answer (EMB-26 sends at most 96 texts).
const MAX_RESERVED_VECTORS: usize = 96;
/// The powers of ten an `f64` holds exactly.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `body` of `shape` when it is inside the subset, else `None` (the caller parses it with
/// [`super::body`]).
pub(super) fn parse(shape: Shape, body: &[u8], expected: usize) -> Option<Parsed> {
    let mut scanner = Scanner { bytes: body, at: 0 };
    let parsed = scanner.body(shape, expected.min(MAX_RESERVED_VECTORS))?;
    scanner.whitespace();
    (scanner.at == body.len()).then_some(parsed)
}

struct Scanner<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        self.whitespace();
        (self.peek() == Some(byte)).then(|| self.at += 1)
    }

    /// The top-level object; a repeated key counts once, its last value winning, as in serde.
    fn body(&mut self, shape: Shape, reserve: usize) -> Option<Parsed> {
        let mut parsed = Parsed::default();
        self.object(|scanner, key| {
            match (key, shape) {
                (b"inputTextTokenCount", _) => parsed.input_tokens = Some(scanner.unsigned()?),
                (b"embedding", Shape::Titan) => parsed.vectors = Some(vec![scanner.vector(0)?]),
                (b"embeddings", Shape::CohereV3 | Shape::CohereV4) => {
                    parsed.vectors = Some(scanner.cohere(shape == Shape::CohereV4, reserve)?);
                }
                _ => scanner.skip(1)?,
            }
            Some(())
        })?;
        Some(parsed)
    }

    /// Cohere's `embeddings`: the list, or (v4, `by_type`) an object whose `float` key holds it.
    fn cohere(&mut self, by_type: bool, reserve: usize) -> Option<Vec<Vec<f64>>> {
        self.whitespace();
        match self.peek()? {
            b'[' => self.vectors(reserve),
            b'{' if by_type => {
                let mut floats = None;
                self.object(|scanner, key| {
                    if key == b"float" {
                        floats = Some(scanner.vectors(reserve)?);
                    } else {
                        scanner.skip(2)?;
                    }
                    Some(())
                })?;
                floats
            }
            _ => None,
        }
    }

    /// A list of vectors; each after the first gets room for as many values as the one before.
    fn vectors(&mut self, reserve: usize) -> Option<Vec<Vec<f64>>> {
        let mut vectors: Vec<Vec<f64>> = Vec::with_capacity(reserve);
        self.array(|scanner| {
            let dims = vectors.last().map_or(0, Vec::len);
            vectors.push(scanner.vector(dims)?);
            Some(())
        })?;
        Some(vectors)
    }

    fn vector(&mut self, dims: usize) -> Option<Vec<f64>> {
        let mut vector = Vec::with_capacity(dims);
        self.array(|scanner| {
            vector.push(scanner.number()?);
            Some(())
        })?;
        Some(vector)
    }

    /// `{ "key": value, … }`, `field` reading each value.
    fn object(&mut self, mut field: impl FnMut(&mut Self, &'a [u8]) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        self.whitespace();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Some(());
        }
        loop {
            let key = self.string()?;
            self.eat(b':')?;
            field(self, key)?;
            self.whitespace();
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// `[ value, … ]`, `element` reading each value.
    fn array(&mut self, mut element: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.eat(b'[')?;
        self.whitespace();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Some(());
        }
        loop {
            element(self)?;
            self.whitespace();
            match self.peek()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// A value the plugin does not read: strings, numbers, arrays and objects of them.
    fn skip(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.whitespace();
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' => self.object(|scanner, _| scanner.skip(depth + 1)),
            b'[' => self.array(|scanner| scanner.skip(depth + 1)),
            b'-' | b'0'..=b'9' => self.number().map(drop),
            _ => None,
        }
    }

    /// A string without escapes or control characters, valid UTF-8: its bytes.
    fn string(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let rest = self.bytes.get(self.at..)?;
        let len = rest
            .iter()
            .position(|&byte| byte == b'"' || byte == b'\\' || byte < 0x20)?;
        let (text, end) = (rest.get(..len)?, rest.get(len)?);
        if *end != b'"' {
            return None;
        }
        std::str::from_utf8(text).ok()?;
        self.at += len + 1;
        Some(text)
    }

    /// A plain unsigned integer (a token count), else `None`.
    fn unsigned(&mut self) -> Option<u64> {
        self.whitespace();
        let start = self.at;
        let mut value: u64 = 0;
        while let Some(digit @ b'0'..=b'9') = self.peek() {
            value = value
                .checked_mul(10)?
                .checked_add(u64::from(digit - b'0'))?;
            self.at += 1;
        }
        let digits = self.at - start;
        let leading_zero = digits > 1 && self.bytes.get(start) == Some(&b'0');
        if digits == 0 || leading_zero || matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        Some(value)
    }

    /// A JSON number with at most 19 significant digits and a decimal exponent within ±22,
    /// else `None`. The digit loops work on a local index: this is the per-number cost of a
    /// whole answer.
    fn number(&mut self) -> Option<f64> {
        self.whitespace();
        let bytes = self.bytes;
        let start = self.at;
        let mut at = start;
        let negative = bytes.get(at) == Some(&b'-');
        if negative {
            at += 1;
        }
        let mut mantissa: u64 = 0;
        // Up to 19 digits cannot overflow; beyond that the number is left to serde before
        // the (wrapped) mantissa is used.
        let digits = |at: &mut usize, mantissa: &mut u64| {
            let first = *at;
            while let Some(&byte) = bytes.get(*at) {
                let digit = byte.wrapping_sub(b'0');
                if digit > 9 {
                    break;
                }
                *mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(digit));
                *at += 1;
            }
            *at - first
        };
        let mut significant = match bytes.get(at) {
            Some(b'0') => {
                at += 1;
                0
            }
            Some(b'1'..=b'9') => digits(&mut at, &mut mantissa),
            _ => return None,
        };
        let mut exponent: i32 = 0;
        if bytes.get(at) == Some(&b'.') {
            at += 1;
            let first = at;
            if mantissa == 0 {
                while bytes.get(at) == Some(&b'0') {
                    at += 1;
                }
            }
            significant += digits(&mut at, &mut mantissa);
            if at == first {
                return None;
            }
            exponent = i32::try_from(at - first).ok()?.checked_neg()?;
        }
        if significant > 19 {
            return None;
        }
        if let Some(b'e' | b'E') = bytes.get(at) {
            at += 1;
            let sign = match bytes.get(at) {
                Some(b'-') => {
                    at += 1;
                    -1
                }
                Some(b'+') => {
                    at += 1;
                    1
                }
                _ => 1,
            };
            let first = at;
            let mut written: i32 = 0;
            while let Some(&byte @ b'0'..=b'9') = bytes.get(at) {
                written = written
                    .checked_mul(10)?
                    .checked_add(i32::from(byte - b'0'))?;
                at += 1;
            }
            if at == first {
                return None;
            }
            exponent = exponent.checked_add(sign * written)?;
        }
        let power = POW10.get(exponent.unsigned_abs() as usize)?;
        self.at = at;
        if mantissa > 1u64 << 53 {
            let text = std::str::from_utf8(bytes.get(start..at)?).ok()?;
            return text.parse().ok();
        }
        let magnitude = if exponent < 0 {
            mantissa as f64 / power
        } else {
            mantissa as f64 * power
        };
        Some(if negative { -magnitude } else { magnitude })
    }
}
