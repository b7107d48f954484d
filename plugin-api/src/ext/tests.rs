use super::*;

#[test]
fn set_replaces_an_existing_key_and_keeps_order() {
    let mut extensions = Extensions::new();
    assert!(extensions.is_empty());
    extensions.set("a", ExtValue::Bool(true));
    extensions.set("b", ExtValue::Text("x".into()));
    extensions.set("a", ExtValue::Bool(false));
    let keys: Vec<&str> = extensions.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["a", "b"]);
    assert_eq!(extensions.flag("a"), Some(false));
    assert_eq!(extensions.text("b"), Some("x"));
}

#[test]
fn typed_readers_ignore_values_of_another_type() {
    let mut extensions = Extensions::new();
    extensions.set("k", ExtValue::Integer(3));
    assert_eq!(extensions.flag("k"), None);
    assert_eq!(extensions.text("k"), None);
    assert_eq!(extensions.get("k"), Some(&ExtValue::Integer(3)));
    assert_eq!(extensions.get("missing"), None);
}

#[test]
fn remove_reports_whether_the_key_was_present() {
    let mut extensions = Extensions::new();
    extensions.set("k", ExtValue::Json("{}".into()));
    assert!(extensions.remove("k"));
    assert!(!extensions.remove("k"));
    assert!(extensions.is_empty());
}
