//! Expiry by TTL on the offset clock, refresh on hit, and the entry bound.

use super::*;

const MIN: Duration = Duration::from_secs(60);

#[test]
fn entries_expire_by_ttl_on_the_offset_clock() {
    let mut c = PromptCache::default();
    let now = c.now(Duration::ZERO);
    c.store([1; 32], now, TTL_SHORT);
    c.store([2; 32], now, TTL_LONG);
    assert!(c.hit(&[1; 32], now + 4 * MIN));
    c.advance(6 * MIN);
    let later = c.now(Duration::ZERO);
    assert!(!c.hit(&[1; 32], later), "5m entry gone after 6 minutes");
    assert!(c.hit(&[2; 32], later), "1h entry still there");
}

#[test]
fn store_refreshes_and_never_shortens() {
    let mut c = PromptCache::default();
    c.store([1; 32], Duration::ZERO, TTL_LONG);
    c.store([1; 32], Duration::ZERO, TTL_SHORT);
    assert!(c.hit(&[1; 32], 30 * MIN));
    c.store([1; 32], 50 * MIN, TTL_SHORT);
    assert!(c.hit(&[1; 32], 54 * MIN));
}

#[test]
fn bounded() {
    let mut c = PromptCache::default();
    for i in 0..(MAX_ENTRIES + 5) {
        let mut k = [0u8; 32];
        k[..8].copy_from_slice(&(i as u64).to_le_bytes());
        c.store(k, Duration::from_millis(i as u64), TTL_SHORT);
    }
    assert_eq!(c.len(), MAX_ENTRIES);
    let mut newest = [0u8; 32];
    newest[..8].copy_from_slice(&((MAX_ENTRIES + 4) as u64).to_le_bytes());
    assert!(c.hit(&newest, Duration::from_millis(MAX_ENTRIES as u64)));
    let mut oldest = [0u8; 32];
    oldest[..8].copy_from_slice(&0u64.to_le_bytes());
    assert!(
        !c.hit(&oldest, Duration::ZERO),
        "the entry closest to expiry went first"
    );
}
