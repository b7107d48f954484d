use super::*;

#[test]
fn bounded_map_evicts_the_least_recently_used_entry() {
    let mut map = BoundedMap::new(2);
    *map.entry_or_insert_with("a", || 0) = 1;
    *map.entry_or_insert_with("b", || 0) = 2;
    // Reading `a` makes `b` the oldest.
    assert_eq!(map.get(&"a"), Some(&1));
    *map.entry_or_insert_with("c", || 0) = 3;
    assert_eq!(map.len(), 2);
    assert_eq!(map.get(&"b"), None);
    assert_eq!(map.get(&"a"), Some(&1));
    assert_eq!(map.get(&"c"), Some(&3));
}

#[test]
fn bounded_map_never_exceeds_its_capacity() {
    let mut map = BoundedMap::new(8);
    for n in 0..1000 {
        map.entry_or_insert_with(n, || n);
        assert!(map.len() <= 8);
    }
    assert_eq!(map.capacity(), 8);
    // The newest eight survive.
    assert!((992..1000).all(|n| map.contains(&n)));
}

#[test]
fn warn_once_is_true_once_per_key_and_bounded() {
    let warned = WarnOnce::with_capacity(3);
    assert!(warned.first("x"));
    assert!(!warned.first("x"));
    assert!(warned.first("y"));
    for n in 0..10 {
        warned.first(&format!("k{n}"));
    }
    assert_eq!(warned.len(), 3);
    assert!(!warned.is_empty());
}
