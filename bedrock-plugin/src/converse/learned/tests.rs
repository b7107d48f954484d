use super::*;

#[test]
fn br_01_05_corrections_are_per_instance() {
    let first = LearnedCorrections::default();
    let second = LearnedCorrections::default();
    first.learn("anthropic.claude-x", |known| known.no_sampling = true);
    assert!(first.get("anthropic.claude-x").no_sampling);
    assert_eq!(second.get("anthropic.claude-x"), Learned::default());
    assert!(second.is_empty());
}

#[test]
fn br_01_05_corrections_are_bounded() {
    let corrections = LearnedCorrections::with_capacity(4);
    for n in 0..50 {
        corrections.learn(&format!("model-{n}"), |known| known.max_tokens = Some(n));
    }
    assert_eq!(corrections.len(), 4);
    assert_eq!(corrections.get("model-49").max_tokens, Some(49));
    assert_eq!(corrections.get("model-0"), Learned::default());
    assert_eq!(
        LearnedCorrections::default()
            .by_model
            .lock()
            .unwrap()
            .capacity(),
        LEARNED_CAPACITY
    );
}
