use super::*;

type Cache = SingleFlight<&'static str, u32, String>;

/// Starts a run for `key` and returns its id (the run itself never finishes).
fn start(cache: &Cache, key: &'static str) -> (u64, Lookup<u32, String>) {
    let mut id = 0;
    let lookup = cache.lookup(key, false, |run_id| {
        id = run_id;
        futures::future::pending().boxed()
    });
    (id, lookup)
}

#[test]
fn disc_53_temp_04_callers_of_a_run_in_flight_join_it() {
    let cache = Cache::new(4);
    let (_, first) = start(&cache, "arn");
    let mut started_again = false;
    let second = cache.lookup("arn", false, |_| {
        started_again = true;
        futures::future::pending().boxed()
    });
    assert!(!started_again);
    assert!(matches!((first, second), (Lookup::Run(_), Lookup::Run(_))));
    assert_eq!(cache.len(), 1);
}

#[test]
fn disc_45_temp_04_kept_results_are_served_until_they_expire() {
    let cache = Cache::new(4);
    let (id, _run) = start(&cache, "forever");
    cache.complete(&"forever", id, Some((Arc::new(7), None)));
    assert_eq!(cache.cached(&"forever").as_deref(), Some(&7));
    assert!(matches!(
        cache.lookup("forever", false, |_| unreachable!("kept")),
        Lookup::Hit(_)
    ));
    let (id, _run) = start(&cache, "expired");
    // Expiring now: by the next read the expiry is no longer in the future.
    cache.complete(&"expired", id, Some((Arc::new(8), Some(Instant::now()))));
    assert_eq!(cache.cached(&"expired"), None);
}

#[test]
fn disc_47_temp_04_a_replaced_run_cannot_overwrite_its_successor() {
    let cache = Cache::new(4);
    let (old_id, old_run) = start(&cache, "arn");
    // Every caller of the old run went away, so the next caller starts a new run.
    drop(old_run);
    let (new_id, _new_run) = start(&cache, "arn");
    assert_ne!(old_id, new_id);
    cache.complete(&"arn", old_id, Some((Arc::new(1), None)));
    assert_eq!(cache.cached(&"arn"), None);
    cache.complete(&"arn", new_id, None);
    assert!(cache.is_empty());
}
