//! Model-family rules and model-id resolution.

use super::model_rules::{temperature_deprecated, temperature_top_p_exclusive};
use super::resolve;
use crate::catalog::Catalog;
use crate::error::INVALID_MODEL;

#[test]
fn temperature_rules() {
    assert!(temperature_deprecated("anthropic.claude-opus-4-7"));
    assert!(temperature_deprecated("anthropic.claude-opus-4.8-v1:0"));
    assert!(temperature_deprecated("anthropic.claude-opus-5"));
    assert!(!temperature_deprecated("anthropic.claude-opus-4-6-v1"));
    assert!(!temperature_deprecated("anthropic.claude-opus-4-70"));
    assert!(!temperature_deprecated("anthropic.claude-sonnet-4-6"));
    assert!(temperature_top_p_exclusive("anthropic.claude-sonnet-4-6"));
    assert!(!temperature_top_p_exclusive(
        "anthropic.claude-3-7-sonnet-20250219-v1:0"
    ));
}

#[test]
fn resolves_ids() {
    let c = Catalog::builtin().unwrap();
    assert!(resolve(&c, "amazon.nova-micro-v1:0", true).is_ok());
    assert!(
        resolve(&c, "us.anthropic.claude-sonnet-4-6", true)
            .unwrap()
            .via_profile
    );
    let e = resolve(&c, "anthropic.claude-sonnet-4-6", true)
        .err()
        .unwrap();
    assert!(e.message.starts_with("Invocation of model ID anthropic.claude-sonnet-4-6 with on-demand throughput isn't supported."));
    assert_eq!(
        resolve(&c, "nope", true).err().unwrap().message,
        INVALID_MODEL
    );
    assert_eq!(
        resolve(&c, "anthropic.claude-3-haiku-20240307-v1:0:48k", true)
            .err()
            .unwrap()
            .message,
        INVALID_MODEL
    );
    assert_eq!(
        resolve(&c, "meta.llama3-8b-instruct-v1:0", true)
            .err()
            .unwrap()
            .status,
        404
    );
}
