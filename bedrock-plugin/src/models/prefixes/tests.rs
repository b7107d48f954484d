use super::*;

#[test]
fn disc_30_every_prefix_is_stripped_once() {
    for prefix in REGION_PREFIXES {
        let id = format!("{prefix}anthropic.claude-sonnet-4-6");
        assert_eq!(strip_region_prefix(&id), "anthropic.claude-sonnet-4-6");
    }
    assert_eq!(strip_region_prefix("us.us.x"), "us.x");
    assert_eq!(strip_region_prefix("US-GOV.x"), "x");
    assert_eq!(strip_region_prefix("anthropic.claude"), "anthropic.claude");
    assert_eq!(split_region_prefix("apac.x"), Some("x"));
    assert_eq!(split_region_prefix("apx.x"), None);
}

#[test]
fn disc_30_prefix_group_matches_each_prefix_only() {
    let re =
        regex_lite::Regex::new(&format!("^{}$", *PREFIX_GROUP)).expect("constant pattern compiles");
    for prefix in REGION_PREFIXES {
        assert!(re.is_match(prefix), "{prefix}");
    }
    for other in ["us", "usa.", "ap-", "apac", "global-", "eu.."] {
        assert!(!re.is_match(other), "{other}");
    }
}
