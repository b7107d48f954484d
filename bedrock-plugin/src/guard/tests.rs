use super::*;
use plugin_api::error::ErrorKind;

#[test]
fn panic_inside_guard_becomes_internal_error() {
    let result: Result<(), PluginError> = guard("test_entry", || panic!("boom"));
    let error = result.expect_err("a panic must become an error");
    assert_eq!(error.kind(), Some(ErrorKind::Internal));
    assert!(error.message.contains("test_entry"), "{}", error.message);
}

#[test]
fn guard_passes_results_through() {
    assert_eq!(guard("ok_entry", || Ok(7)).ok(), Some(7));
}
