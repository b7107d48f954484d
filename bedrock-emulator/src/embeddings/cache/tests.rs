//! The per-instance cache of rendered vectors: the same bytes as rendering, and both bounds with
//! the least recently used vector out first.

use super::super::json::Writer;
use super::super::vector::{vector, Digits};
use super::VectorCache;

/// The vector rendered without the cache.
fn fresh(model: &str, text: &str, dims: usize, normalize: bool, digits: Digits) -> Vec<u8> {
    let mut w = Writer::with_capacity(0);
    w.floats(&vector(model, text, dims, normalize), digits);
    w.into_bytes()
}

#[test]
fn cached_vectors_are_the_rendered_bytes_per_model_text_dimension_and_form() {
    let cache = VectorCache::default();
    let cases = [
        ("m", "hello", 256, true, Digits::F32),
        ("m", "hello", 256, true, Digits::F64),
        ("m", "hello", 256, false, Digits::F64),
        ("m", "hello", 512, true, Digits::F32),
        ("m", "hello!", 256, true, Digits::F32),
        ("n", "hello", 256, true, Digits::F32),
    ];
    for _ in 0..2 {
        for (model, text, dims, normalize, digits) in cases {
            assert_eq!(
                &cache.rendered(model, text, dims, normalize, digits)[..],
                &fresh(model, text, dims, normalize, digits)[..],
                "{model} {text} {dims} {normalize} {digits:?}"
            );
        }
    }
    let bytes: usize = cases
        .iter()
        .map(|&(m, t, d, n, g)| fresh(m, t, d, n, g).len())
        .sum();
    assert_eq!(
        cache.len_and_bytes(),
        (cases.len(), bytes),
        "one entry each"
    );
}

/// Which of the texts are cached as 8-value f32 vectors of model `m`.
fn held(cache: &VectorCache, texts: &[&'static str]) -> Vec<&'static str> {
    texts
        .iter()
        .copied()
        .filter(|t| cache.holds("m", t, 8, true, Digits::F32))
        .collect()
}

#[test]
fn the_entry_bound_drops_the_least_recently_used_vector() {
    let cache = VectorCache::with_bounds(2, usize::MAX);
    let render = |text: &str| cache.rendered("m", text, 8, true, Digits::F32);
    let a = render("a");
    render("b");
    assert_eq!(render("a"), a, "a hit");
    render("c");
    assert_eq!(
        held(&cache, &["a", "b", "c"]),
        ["a", "c"],
        "b was used last longest ago"
    );
    render("b");
    assert_eq!(held(&cache, &["a", "b", "c"]), ["b", "c"], "then a was");
    assert_eq!(cache.len_and_bytes().0, 2);
}

#[test]
fn the_byte_bound_drops_the_oldest_and_keeps_no_vector_larger_than_itself() {
    let size = |text: &str, dims: usize| fresh("m", text, dims, true, Digits::F32).len();
    let bound = size("a", 8) + size("b", 8) + size("c", 8) - 1;
    let cache = VectorCache::with_bounds(100, bound);
    for text in ["a", "b", "c"] {
        cache.rendered("m", text, 8, true, Digits::F32);
    }
    assert_eq!(
        held(&cache, &["a", "b", "c"]),
        ["b", "c"],
        "a went to make room"
    );
    assert_eq!(cache.len_and_bytes(), (2, size("b", 8) + size("c", 8)));
    let large = cache.rendered("m", "a", 512, true, Digits::F32);
    assert_eq!(&large[..], &fresh("m", "a", 512, true, Digits::F32)[..]);
    assert!(
        !cache.holds("m", "a", 512, true, Digits::F32),
        "larger than the bound"
    );
    assert_eq!(
        held(&cache, &["a", "b", "c"]),
        ["b", "c"],
        "nothing evicted for it"
    );
}
