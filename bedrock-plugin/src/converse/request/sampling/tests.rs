use super::*;
use crate::converse::request::test_log::capture_warnings;

/// One warn-once memory for these tests, as one instance would have.
static WARNINGS: std::sync::LazyLock<WarnOnce> = std::sync::LazyLock::new(WarnOnce::default);

fn resolve(model: &ModelDefinition, temperature: Option<f64>, top_p: Option<f64>) -> Sampling {
    super::resolve(
        model,
        &ModelTraits::of(model),
        temperature,
        top_p,
        &WARNINGS,
    )
}

fn omits_temperature(model: &ModelDefinition) -> bool {
    super::omits_temperature(&ModelTraits::of(model))
}

fn rejects_temperature_with_top_p(model: &ModelDefinition) -> bool {
    super::rejects_temperature_with_top_p(&ModelTraits::of(model))
}

fn model(id: &str) -> ModelDefinition {
    ModelDefinition::new(id, "amazon-bedrock", "bedrock-converse-stream")
}

fn with_canonical(id: &str, canonical: &str) -> ModelDefinition {
    let mut model = model(id);
    model.params_json = abi_stable::std_types::ROption::RSome(
        format!(r#"{{"canonicalModelId":"{canonical}"}}"#).into(),
    );
    model
}

#[test]
fn temp_02_opus_47_family_omits_temperature() {
    for id in [
        "anthropic.claude-opus-4-7",
        "us.anthropic.claude-opus-4-7",
        "eu.anthropic.claude-opus-4-7",
        "global.anthropic.claude-opus-4-7",
        "apac.anthropic.claude-opus-4-7",
        "anthropic.claude-opus-4-7-v1:0",
        "us.anthropic.claude-opus-4.7-v1:0",
        "claude-opus-4-7",
        "US.ANTHROPIC.CLAUDE-OPUS-4-7",
        "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-opus-4-7",
        "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-opus-4.7-v1:0",
        "us.anthropic.claude-opus-4-8",
        "us.anthropic.claude-opus-4.8-v1:0",
        "us.anthropic.claude-opus-5",
        "global.anthropic.claude-opus-5",
        "anthropic.claude-opus-5",
        // Claude 5 identities and Mythos Preview (TEMP-01 third bullet).
        "anthropic.claude-fable-5",
        "us.anthropic.claude-sonnet-5",
        "anthropic.claude-mythos-5-v1:0",
        "us.anthropic.claude-mythos-preview",
    ] {
        assert!(
            omits_temperature(&model(id)),
            "{id} should omit temperature"
        );
        let sampling = resolve(&model(id), Some(0.2), Some(0.9));
        assert_eq!(sampling, Sampling::default(), "{id}");
    }
    // Alias with a canonical id.
    let alias = with_canonical("production-claude", "claude-opus-4-8");
    assert!(omits_temperature(&alias));
}

const OPAQUE_PROFILE: &str =
    "arn:aws:bedrock:us-west-2:123456789012:application-inference-profile/z27qyso459dd";
const NAMED_PROFILE: &str =
    "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/my-claude-profile";

/// The traits of an application profile whose GetInferenceProfile lookup returned `targets`.
fn profile_traits(arn: &str, targets: &[&str]) -> ModelTraits {
    ModelTraits::of(&model(arn))
        .with_profile_targets(targets.iter().map(|id| (*id).to_owned()).collect())
}

#[test]
fn temp_04_ex_i40_opaque_profile_backed_by_opus_47_omits_temperature() {
    let traits = profile_traits(OPAQUE_PROFILE, &["anthropic.claude-opus-4.7-v1:0"]);
    assert!(super::omits_temperature(&traits));
    let sampling = super::resolve(
        &model(OPAQUE_PROFILE),
        &traits,
        Some(0.3),
        Some(0.9),
        &WARNINGS,
    );
    assert_eq!(sampling, Sampling::default());
    // Any target matching TEMP-01 is enough.
    let mixed = profile_traits(
        OPAQUE_PROFILE,
        &["anthropic.claude-sonnet-4-6", "anthropic.claude-opus-4-7"],
    );
    assert!(super::omits_temperature(&mixed));
}

#[test]
fn temp_04_the_lookup_decides_over_the_arn_string() {
    // TEMP-03: a named Claude profile resolving to a non-Opus-4.7+ model keeps temperature.
    let sonnet = profile_traits(NAMED_PROFILE, &["anthropic.claude-sonnet-4-6"]);
    assert!(!super::omits_temperature(&sonnet));
    // A profile whose name suggests Opus 4.7 but whose target is Sonnet 4.6 keeps it too.
    let misnamed =
        "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/claude-opus-4-7";
    assert!(omits_temperature(&model(misnamed)), "ARN fallback matches");
    let looked_up = profile_traits(misnamed, &["anthropic.claude-sonnet-4-6"]);
    assert!(!super::omits_temperature(&looked_up));
    let kept = super::resolve(&model(misnamed), &looked_up, Some(0.5), None, &WARNINGS);
    assert_eq!(kept.temperature, Some(0.5));
}

#[test]
fn temp_05_applies_to_an_application_profiles_targets() {
    let traits = profile_traits(OPAQUE_PROFILE, &["anthropic.claude-sonnet-4-6"]);
    assert!(super::rejects_temperature_with_top_p(&traits));
    let (sampling, warnings) = capture_warnings(|| {
        super::resolve(
            &model(OPAQUE_PROFILE),
            &traits,
            Some(0.3),
            Some(0.9),
            &WARNINGS,
        )
    });
    assert_eq!(sampling.temperature, Some(0.3));
    assert_eq!(sampling.top_p, None);
    assert_eq!(
        warnings,
        vec![format!(
            "Amazon Bedrock: {OPAQUE_PROFILE} does not accept temperature and top_p together; dropping top_p"
        )]
    );
}

#[test]
fn temp_03_other_models_keep_temperature() {
    for id in [
        "anthropic.claude-opus-4-6-v1",
        "us.anthropic.claude-opus-4-6-v1",
        "anthropic.claude-opus-4-5-20251101-v1:0",
        "anthropic.claude-opus-4-1-20250805-v1:0",
        "us.anthropic.claude-sonnet-4-6",
        "anthropic.claude-opus-4-70",
        "my-claude-opus-4-7",
        "amazon.nova-micro-v1:0",
        // Without a lookup result the ARN itself is matched (TEMP-04's fallback for a failed
        // lookup); the lookup's own verdict is tested in the TEMP-04 tests below.
        "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/my-claude-profile",
    ] {
        assert!(
            !omits_temperature(&model(id)),
            "{id} should keep temperature"
        );
        assert_eq!(
            resolve(&model(id), Some(0.5), None).temperature,
            Some(0.5),
            "{id}"
        );
    }
}

/// TEMP-02's MATCH row: `anthropic.claude-opus-47` is read as a later major (47) by TEMP-01's
/// "Opus 5 and later majors" pattern `claude-opus-([5-9]|[1-9][0-9])`.
#[test]
fn temp_02_opus_47_without_separator_is_a_later_major() {
    let opus47 = model("anthropic.claude-opus-47");
    assert!(omits_temperature(&opus47));
    assert_eq!(resolve(&opus47, Some(0.5), Some(0.9)).temperature, None);
    assert_eq!(resolve(&opus47, Some(0.5), Some(0.9)).top_p, None);
}

#[test]
fn temp_05_exclusive_models_drop_top_p_with_one_warning() {
    let id = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    let (first, warnings) = capture_warnings(|| {
        let first = resolve(&model(id), Some(0.3), Some(0.9));
        let _second = resolve(&model(id), Some(0.3), Some(0.9));
        first
    });
    assert_eq!(first.temperature, Some(0.3));
    assert_eq!(first.top_p, None);
    assert_eq!(
        warnings,
        vec![format!(
            "Amazon Bedrock: {id} does not accept temperature and top_p together; dropping top_p"
        )]
    );
    for id in [
        "anthropic.claude-haiku-4-5-20251001-v1:0",
        "us.anthropic.claude-sonnet-4-6",
        "anthropic.claude-opus-4-5-20251101-v1:0",
        "global.anthropic.claude-opus-4-6-v1",
    ] {
        assert!(rejects_temperature_with_top_p(&model(id)), "{id}");
    }
    for id in [
        "anthropic.claude-sonnet-4-20250514-v1:0",
        "anthropic.claude-3-7-sonnet-20250219-v1:0",
        "amazon.nova-micro-v1:0",
    ] {
        assert!(!rejects_temperature_with_top_p(&model(id)), "{id}");
        let kept = resolve(&model(id), Some(0.3), Some(0.9));
        assert_eq!(kept.top_p, Some(0.9), "{id}");
    }
    // Only one of the two set: nothing dropped.
    let only_top_p = resolve(&model("us.anthropic.claude-sonnet-4-6"), None, Some(0.4));
    assert_eq!(only_top_p.top_p, Some(0.4));
}

#[test]
fn req_08_out_of_range_values_are_clamped_once_per_model() {
    let id = "amazon.nova-lite-v1:0-req08";
    let (sampling, warnings) = capture_warnings(|| {
        let sampling = resolve(&model(id), Some(1.5), Some(-0.2));
        resolve(&model(id), Some(2.0), Some(-1.0));
        sampling
    });
    assert_eq!(sampling.temperature, Some(1.0));
    assert_eq!(sampling.top_p, Some(0.0));
    assert_eq!(
        warnings,
        vec![
            "Amazon Bedrock: temperature 1.5 is outside [0, 1]; using 1".to_owned(),
            "Amazon Bedrock: top_p -0.2 is outside [0, 1]; using 0".to_owned(),
        ]
    );
}
