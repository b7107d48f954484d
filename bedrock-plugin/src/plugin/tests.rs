use super::*;

#[test]
fn br_01_05_two_instances_never_share_learned_corrections() {
    let first = PluginState::with_env(
        Settings::default(),
        EnvSource::Fixed(EnvSnapshot::default()),
    );
    let second = PluginState::with_env(
        Settings::default(),
        EnvSource::Fixed(EnvSnapshot::default()),
    );
    first.learned.learn("anthropic.claude-3-haiku", |known| {
        known
            .profiles
            .insert("us-east-1".into(), "us.anthropic.claude-3-haiku".into());
    });
    assert_eq!(first.learned.len(), 1);
    assert!(second.learned.is_empty());
    assert!(second
        .learned
        .get("anthropic.claude-3-haiku")
        .profiles
        .is_empty());
}

#[test]
fn warnings_are_per_instance() {
    let first = PluginState::with_env(
        Settings::default(),
        EnvSource::Fixed(EnvSnapshot::default()),
    );
    let second = PluginState::with_env(
        Settings::default(),
        EnvSource::Fixed(EnvSnapshot::default()),
    );
    assert!(first.call_context().warnings.first("REG-02 m u"));
    assert!(!first.call_context().warnings.first("REG-02 m u"));
    assert!(second.call_context().warnings.first("REG-02 m u"));
}
