//! Unit tests of the `chat` command's pure parts.

use super::*;

#[test]
fn hcfg_11_model_ref_keeps_the_id_verbatim() {
    assert_eq!(
        parse_model_ref("amazon-bedrock/arn:aws:bedrock:us-west-2:1:inference-profile/us.x"),
        Ok("arn:aws:bedrock:us-west-2:1:inference-profile/us.x")
    );
    assert!(parse_model_ref("openai/gpt").is_err());
}
