use serde_json::json;

use super::*;

fn path(text: &str) -> ConfigPath {
    ConfigPath::parse(text).unwrap()
}

#[test]
fn plg_44_paths_read_keys_and_indexes_and_print_as_cfg_10_does() {
    let config = json!({"models": {"providers": {"amazon-bedrock": {"models": [{"id": "a"}, {"id": "b"}]}}}});
    let p = path("models.providers.amazon-bedrock.models[1].id");
    assert_eq!(
        p.to_string(),
        "models.providers.amazon-bedrock.models[1].id"
    );
    assert_eq!(p.get(&config).unwrap(), &json!("b"));
}

#[test]
fn plg_44_malformed_paths_say_what_is_accepted() {
    for (text, reason) in [
        ("", "the path is empty"),
        ("a..b", "a key is empty"),
        ("a.[0]", "a key is empty"),
        ("a[x]", "an array index must be a number, e.g. [0]"),
        ("a[0", "an array index must be written [n]"),
        ("a]", "a \"]\" without its \"[\""),
    ] {
        assert_eq!(
            ConfigPath::parse(text).unwrap_err().to_string(),
            format!("invalid config path \"{text}\": {reason}; write keys separated by dots, with [n] for an array item, e.g. plugins.entries.amazon-bedrock.config.discovery.enabled"),
        );
    }
}

#[test]
fn plg_44_a_missing_path_names_the_deepest_place_that_exists() {
    let config =
        json!({"plugins": {"entries": {"amazon-bedrock": {"config": {"awsRegion": "us-east-1"}}}}});
    let err = path("plugins.entries.amazon-bedrock.config.discovery.enabled")
        .get(&config)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "plugins.entries.amazon-bedrock.config.discovery.enabled is not set (plugins.entries.amazon-bedrock.config has no \"discovery\")"
    );
    let err = path("plugins.entries.amazon-bedrock.config.awsRegion.x")
        .get(&config)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "plugins.entries.amazon-bedrock.config.awsRegion.x is not set (plugins.entries.amazon-bedrock.config.awsRegion is a string, not an object)"
    );
    assert_eq!(
        path("models").get(&json!({})).unwrap_err().to_string(),
        "models is not set (the config has no \"models\")"
    );
}

#[test]
fn plg_44_set_creates_objects_on_the_way_and_keeps_key_order() {
    let mut config = json!({"b": 1, "plugins": {"z": true}, "a": 2});
    path("plugins.entries.amazon-bedrock.enabled")
        .set(&mut config, json!(false))
        .unwrap();
    assert_eq!(
        serde_json::to_string(&config).unwrap(),
        r#"{"b":1,"plugins":{"z":true,"entries":{"amazon-bedrock":{"enabled":false}}},"a":2}"#
    );
    path("list[0]").set(&mut config, json!("x")).unwrap();
    path("list[1]").set(&mut config, json!("y")).unwrap();
    path("list[0]").set(&mut config, json!("w")).unwrap();
    assert_eq!(config["list"], json!(["w", "y"]));
    let err = path("list[5]").set(&mut config, json!(1)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot set list[5]: list has 2 item(s); an index names an existing item or, to append, 2"
    );
    let err = path("b.c").set(&mut config, json!(1)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot set b.c: b is an integer, not an object"
    );
}

#[test]
fn plg_44_unset_removes_in_place_and_reports_a_missing_path() {
    let mut config = json!({"a": 1, "b": {"c": 2, "d": 3}, "e": 4, "l": [1, 2, 3]});
    assert_eq!(path("b.c").unset(&mut config).unwrap(), json!(2));
    assert_eq!(path("a").unset(&mut config).unwrap(), json!(1));
    assert_eq!(path("l[1]").unset(&mut config).unwrap(), json!(2));
    assert_eq!(
        serde_json::to_string(&config).unwrap(),
        r#"{"b":{"d":3},"e":4,"l":[1,3]}"#
    );
    assert_eq!(
        path("b.c").unset(&mut config).unwrap_err().to_string(),
        "b.c is not set (b has no \"c\")"
    );
}

fn secret() -> Value {
    json!({"oneOf": [
        {"type": "string", "minLength": 1},
        {"type": "object", "properties": {"source": {"const": "env"}, "id": {"type": "string"}}}
    ]})
}

#[test]
fn cfg_04_secrets_show_their_source_never_their_value() {
    let schema = json!({"properties": {
        "awsSecretKey": secret(),
        "awsAccessKey": secret(),
        "awsSessionToken": secret(),
        "awsRegion": {"type": "string"},
        "nested": {"properties": {"token": secret()}}
    }});
    let config = json!({
        "awsSecretKey": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        "awsAccessKey": {"source": "env", "id": "TEAM_KEY"},
        "awsSessionToken": 12345,
        "awsRegion": "us-east-1",
        "nested": {"token": "hunter2"}
    });
    assert_eq!(
        mask_secrets(&config, &schema, SecretView::Written),
        json!({
            "awsSecretKey": "(set in config)",
            "awsAccessKey": {"source": "env", "id": "TEAM_KEY"},
            "awsSessionToken": "(set in config)",
            "awsRegion": "us-east-1",
            "nested": {"token": "(set in config)"}
        })
    );
    assert_eq!(
        mask_secrets(&config, &schema, SecretView::Source)["awsAccessKey"],
        json!("env:TEAM_KEY")
    );
}

#[test]
fn plg_45_defaults_fill_unset_keys_but_invent_no_required_object() {
    let schema = json!({"properties": {
        "discovery": {"properties": {
            "enabled": {"type": "boolean"},
            "refreshInterval": {"type": "integer", "default": 3600}
        }},
        "guardrail": {"required": ["guardrailIdentifier"], "properties": {
            "guardrailIdentifier": {"type": "string"},
            "latestMessageOnly": {"type": "boolean", "default": false}
        }},
        "requestMaxTokens": {"type": "integer", "default": 32000},
        "awsRegion": {"type": "string"}
    }});
    assert_eq!(
        with_defaults(&json!({"awsRegion": "eu-west-1"}), &schema),
        json!({"awsRegion": "eu-west-1", "discovery": {"refreshInterval": 3600}, "requestMaxTokens": 32000})
    );
    assert_eq!(
        with_defaults(
            &json!({"guardrail": {"guardrailIdentifier": "g"}, "requestMaxTokens": 5}),
            &schema
        ),
        json!({"guardrail": {"guardrailIdentifier": "g", "latestMessageOnly": false}, "requestMaxTokens": 5, "discovery": {"refreshInterval": 3600}})
    );
}

#[test]
fn plg_45_each_shown_value_says_where_it_comes_from() {
    let written = json!({"discovery": {"enabled": true}});
    let migrated = json!({"discovery": {"enabled": true, "region": "eu-west-1"}});
    let shown = json!({"discovery": {"enabled": true, "region": "eu-west-1", "refreshInterval": 3600}, "list": [1], "empty": {}});
    let lines = effective_view(&shown, &written, &migrated);
    let summary: Vec<(String, Origin)> = lines.into_iter().map(|l| (l.path, l.origin)).collect();
    assert_eq!(
        summary,
        vec![
            ("discovery.enabled".to_owned(), Origin::Written),
            ("discovery.region".to_owned(), Origin::Legacy),
            ("discovery.refreshInterval".to_owned(), Origin::Default),
            ("list".to_owned(), Origin::Default),
            ("empty".to_owned(), Origin::Default),
        ]
    );
}
