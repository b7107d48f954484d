use super::*;
use crate::converse::request::test_log::capture_warnings;

fn kv(key: &str, value: &str) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: value.into(),
    }
}

#[test]
fn req_05_example_invalid_key_dropped_with_warning() {
    let (sent, warnings) = capture_warnings(|| {
        request_metadata(&[kv("team", "search"), kv("bad key!", "secret-value")])
    });
    assert_eq!(
        sent,
        Some(HashMap::from([("team".to_owned(), "search".to_owned())]))
    );
    assert_eq!(
        warnings,
        vec!["Amazon Bedrock: dropping invalid requestMetadata entry \"bad key!\"".to_owned()]
    );
    assert!(!warnings.iter().any(|w| w.contains("secret-value")));
}

#[test]
fn req_05_limits() {
    // Empty key invalid; empty value valid; punctuation of the class accepted.
    assert_eq!(request_metadata(&[kv("", "x")]), None);
    assert_eq!(
        request_metadata(&[kv("k:_@$#=/+,-. \t", "")]),
        Some(HashMap::from([(
            "k:_@$#=/+,-. \t".to_owned(),
            String::new()
        )]))
    );
    // Length limits: 256 ok, 257 dropped.
    let long = "a".repeat(256);
    let too_long = "a".repeat(257);
    assert!(request_metadata(&[kv(&long, &long)]).is_some());
    assert_eq!(request_metadata(&[kv(&too_long, "v")]), None);
    assert_eq!(request_metadata(&[kv("k", &too_long)]), None);
    // Non-ASCII letters are outside the class.
    assert_eq!(request_metadata(&[kv("équipe", "v")]), None);
    assert_eq!(request_metadata(&[]), None);
}

#[test]
fn req_05_entries_after_the_sixteenth_valid_one_are_dropped() {
    let entries: Vec<KeyValue> = (0..18)
        .map(|i| kv(&format!("key{i}"), "v"))
        .chain([kv("bad!", "v")])
        .collect();
    let (sent, warnings) = capture_warnings(|| request_metadata(&entries));
    let sent = sent.unwrap_or_default();
    assert_eq!(sent.len(), 16);
    assert!(sent.contains_key("key15") && !sent.contains_key("key16"));
    assert_eq!(
        warnings,
        vec![
            "Amazon Bedrock: dropping invalid requestMetadata entry \"key16\"".to_owned(),
            "Amazon Bedrock: dropping invalid requestMetadata entry \"key17\"".to_owned(),
            "Amazon Bedrock: dropping invalid requestMetadata entry \"bad!\"".to_owned(),
        ]
    );
}
