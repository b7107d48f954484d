use super::*;

fn list(ids: &[&str], base: &str) -> Vec<ProfileCandidate> {
    ids.iter()
        .map(|id| ProfileCandidate {
            profile_id: (*id).to_owned(),
            base_model_id: base.to_owned(),
        })
        .collect()
}

#[test]
fn disc_19a_profile_choice_examples() {
    let base = "anthropic.claude-sonnet-4-6";
    let us_global = list(
        &[
            "global.anthropic.claude-sonnet-4-6",
            "us.anthropic.claude-sonnet-4-6",
        ],
        base,
    );
    assert_eq!(
        choose_profile(base, "ca-central-1", &us_global, true, true).as_deref(),
        Some("us.anthropic.claude-sonnet-4-6")
    );
    let jp_apac = list(
        &[
            "apac.anthropic.claude-sonnet-4-6",
            "jp.anthropic.claude-sonnet-4-6",
        ],
        base,
    );
    assert_eq!(
        choose_profile(base, "ap-northeast-1", &jp_apac, true, true).as_deref(),
        Some("jp.anthropic.claude-sonnet-4-6")
    );
    assert_eq!(
        choose_profile(base, "us-east-1", &us_global, false, true).as_deref(),
        Some("global.anthropic.claude-sonnet-4-6")
    );
    assert_eq!(
        choose_profile(base, "us-east-1", &us_global, false, false),
        None
    );
    assert_eq!(
        choose_profile("other.model", "us-east-1", &us_global, true, true),
        None
    );
}

#[test]
fn disc_19a_geography_prefixes() {
    for (region, prefix) in [
        ("us-gov-west-1", "us-gov."),
        ("us-west-2", "us."),
        ("eu-central-1", "eu."),
        ("ap-northeast-3", "jp."),
        ("ap-southeast-4", "au."),
        ("ap-south-1", "apac."),
        ("me-central-1", "apac."),
        ("ca-central-1", "ca."),
    ] {
        assert_eq!(geography_prefix(region), Some(prefix), "{region}");
    }
    assert_eq!(geography_prefix("sa-east-1"), None);
}
