use super::*;

#[test]
fn cfg_01_env_var_id_pattern_compiles_and_matches() {
    assert!(ENV_VAR_ID_RE.is_match("TEAM_BEDROCK_KEY"));
    assert!(!ENV_VAR_ID_RE.is_match("1BAD"));
}
