use super::*;
use futures::FutureExt as _;

fn output() -> RunResult {
    Ok(Arc::new(RunOutput {
        models: Vec::new(),
        fetched_at_ms: 1,
        profile_failure: None,
        candidates: Vec::new(),
        access_cacheable: true,
        source_failures: Vec::new(),
    }))
}

fn ready(cache: &DiscoveryCache, key: u64, ttl: Duration) {
    let mut id = 0;
    let lookup = cache.lookup(key, false, |run_id| {
        id = run_id;
        futures::future::ready(output()).boxed()
    });
    assert!(matches!(lookup, Lookup::Run(_)));
    cache.complete(key, id, &output(), ttl);
}

#[test]
fn disc_45_46_hit_after_complete_and_zero_ttl_not_cached() {
    let cache = DiscoveryCache::default();
    ready(&cache, 1, Duration::from_secs(60));
    assert!(matches!(
        cache.lookup(1, false, |_| unreachable!("cached")),
        Lookup::Hit(_)
    ));
    ready(&cache, 2, Duration::ZERO);
    assert_eq!(cache.len(), 1);
}

#[test]
fn disc_48_lru_bound() {
    let cache = DiscoveryCache::default();
    for key in 0..40 {
        ready(&cache, key, Duration::from_secs(60));
    }
    assert_eq!(cache.len(), MAX_KEYS);
    assert!(matches!(
        cache.lookup(39, false, |_| unreachable!("cached")),
        Lookup::Hit(_)
    ));
}

#[test]
fn disc_53_abandoned_run_is_restarted() {
    let cache = DiscoveryCache::default();
    let first = cache.lookup(7, false, |_| futures::future::pending().boxed());
    drop(first);
    let mut started = false;
    let _second = cache.lookup(7, false, |_| {
        started = true;
        futures::future::pending().boxed()
    });
    assert!(started);
}
