//! Finding plugin folders in a plugins directory, and the manifest checks (MAN-01..05).

mod common;

use std::path::Path;

use common::real_manifest;
use host_harness::plugins::{
    check_library_facts, current_os_key, find_plugins, read_plugin, LibraryFacts, LibraryPaths,
    PluginFolderError,
};
use serde_json::{json, Value};

fn library_name(manifest: &Value) -> String {
    manifest["library"][current_os_key()]
        .as_str()
        .unwrap()
        .to_string()
}

/// Writes `<dir>/<folder>/manifest.json` (+ the library file when `with_library`).
fn write_plugin(dir: &Path, folder: &str, manifest: &Value, with_library: bool) {
    let folder = dir.join(folder);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("manifest.json"),
        serde_json::to_string_pretty(manifest).unwrap(),
    )
    .unwrap();
    if with_library {
        if let Some(lib) = manifest["library"][current_os_key()].as_str() {
            std::fs::write(folder.join(lib), b"not really a library").unwrap();
        }
    }
}

fn read_err(manifest: &Value, folder: &str, with_library: bool) -> String {
    let dir = tempfile::tempdir().unwrap();
    write_plugin(dir.path(), folder, manifest, with_library);
    read_plugin(&dir.path().join(folder))
        .unwrap_err()
        .to_string()
}

#[test]
fn man_01_real_manifest_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = real_manifest();
    write_plugin(dir.path(), "amazon-bedrock", &manifest, true);
    let found = find_plugins(dir.path());
    assert_eq!(found.len(), 1);
    let plugin = found.into_iter().next().unwrap().unwrap();
    assert_eq!(plugin.folder, dir.path().join("amazon-bedrock"));
    assert_eq!(
        plugin.library_path,
        dir.path()
            .join("amazon-bedrock")
            .join(library_name(&manifest))
    );
    let m = &plugin.manifest;
    assert_eq!(m.id, "amazon-bedrock");
    assert_eq!(m.name, "Amazon Bedrock Provider");
    assert_eq!(m.providers, ["amazon-bedrock"]);
    assert_eq!(m.api, "bedrock-converse-stream");
    assert_eq!(m.embedding_providers, ["bedrock"]);
    assert!(m.enabled_by_default());
    assert_eq!(m.env_markers.len(), 3);
    assert_eq!(
        m.migration_paths(),
        Some(&["models.bedrockDiscovery".to_string()][..])
    );
    assert_eq!(m.config_schema, manifest["configSchema"]);
    assert_eq!(m.ui_hints["awsSecretKey"].label, "AWS Secret Key");
    assert!(m.ui_hints["awsSecretKey"].sensitive);
    assert!(!m.ui_hints["awsRegion"].sensitive);
    assert_eq!(
        m.library,
        LibraryPaths {
            linux: Some("libbedrock_plugin.so".into()),
            macos: Some("libbedrock_plugin.dylib".into()),
            windows: Some("bedrock_plugin.dll".into()),
        }
    );
}

#[test]
fn man_01_unknown_top_level_key_is_rejected() {
    let mut manifest = real_manifest();
    manifest["homepage"] = json!("https://example.com");
    assert_eq!(
        read_err(&manifest, "amazon-bedrock", true),
        "invalid manifest for plugin amazon-bedrock: unknown property \"homepage\""
    );
}

#[test]
fn man_02_each_required_key_is_enforced() {
    for key in [
        "name",
        "version",
        "providers",
        "api",
        "library",
        "configSchema",
    ] {
        let mut manifest = real_manifest();
        manifest.as_object_mut().unwrap().remove(key);
        assert_eq!(
            read_err(&manifest, "amazon-bedrock", true),
            format!(
                "invalid manifest for plugin amazon-bedrock: missing required property \"{key}\""
            ),
        );
    }
    // Without an id, the folder name identifies the plugin in the message.
    let mut manifest = real_manifest();
    manifest.as_object_mut().unwrap().remove("id");
    assert_eq!(
        read_err(&manifest, "amazon-bedrock", true),
        "invalid manifest for plugin amazon-bedrock: missing required property \"id\""
    );
}

#[test]
fn man_02_optional_keys_may_be_absent() {
    let mut manifest = real_manifest();
    for key in [
        "description",
        "enabledByDefault",
        "embeddingProviders",
        "envMarkers",
        "configContracts",
        "uiHints",
    ] {
        manifest.as_object_mut().unwrap().remove(key);
    }
    let dir = tempfile::tempdir().unwrap();
    write_plugin(dir.path(), "amazon-bedrock", &manifest, true);
    let plugin = read_plugin(&dir.path().join("amazon-bedrock")).unwrap();
    assert!(plugin.manifest.enabled_by_default());
    assert_eq!(plugin.manifest.migration_paths(), None);
    assert!(plugin.manifest.embedding_providers.is_empty());
}

#[test]
fn man_01_wrong_value_types_are_rejected_naming_the_plugin() {
    let mut manifest = real_manifest();
    manifest["providers"] = json!("amazon-bedrock");
    let err = read_err(&manifest, "amazon-bedrock", true);
    assert!(
        err.starts_with("invalid manifest for plugin amazon-bedrock: "),
        "{err}"
    );
}

#[test]
fn man_03_missing_library_file() {
    let manifest = real_manifest();
    let dir = tempfile::tempdir().unwrap();
    write_plugin(dir.path(), "amazon-bedrock", &manifest, false);
    let expected_path = dir
        .path()
        .join("amazon-bedrock")
        .join(library_name(&manifest));
    let err = read_plugin(&dir.path().join("amazon-bedrock")).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "plugin amazon-bedrock: library not found: {}",
            expected_path.display()
        )
    );
}

#[test]
fn man_03_missing_library_entry_for_this_os() {
    let mut manifest = real_manifest();
    manifest["library"]
        .as_object_mut()
        .unwrap()
        .remove(current_os_key());
    let err = read_err(&manifest, "amazon-bedrock", true);
    assert!(
        err.starts_with("plugin amazon-bedrock: library not found: "),
        "{err}"
    );
}

#[test]
fn man_05_folder_must_match_id() {
    let manifest = real_manifest();
    assert_eq!(
        read_err(&manifest, "bedrock", true),
        "plugin folder \"bedrock\" does not match manifest id \"amazon-bedrock\""
    );
}

#[test]
fn man_non_json_manifest_names_file_and_parse_error() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("amazon-bedrock");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("manifest.json"), "{ id: nope").unwrap();
    let err = read_plugin(&folder).unwrap_err();
    assert!(matches!(err, PluginFolderError::ManifestParse { .. }));
    let text = err.to_string();
    assert!(
        text.contains(&folder.join("manifest.json").display().to_string()),
        "{text}"
    );
    assert!(text.contains("line 1"), "{text}");
}

#[test]
fn man_non_object_manifest_is_rejected() {
    let err = read_err(&json!(["amazon-bedrock"]), "amazon-bedrock", false);
    assert!(
        err.starts_with("invalid manifest for plugin amazon-bedrock: "),
        "{err}"
    );
}

#[test]
fn find_plugins_reports_each_plugin_sorted_and_skips_non_plugins() {
    let dir = tempfile::tempdir().unwrap();
    let good = real_manifest();
    write_plugin(dir.path(), "amazon-bedrock", &good, true);
    let mut other = real_manifest();
    other["id"] = json!("zeta");
    write_plugin(dir.path(), "zeta", &other, false);
    let mut bad = real_manifest();
    bad["extra"] = json!(1);
    bad["id"] = json!("alpha");
    write_plugin(dir.path(), "alpha", &bad, true);
    std::fs::create_dir_all(dir.path().join("not-a-plugin")).unwrap();
    std::fs::write(dir.path().join("README.txt"), "hi").unwrap();

    let found: Vec<Result<String, String>> = find_plugins(dir.path())
        .into_iter()
        .map(|r| r.map(|p| p.manifest.id).map_err(|e| e.to_string()))
        .collect();
    assert_eq!(
        found,
        [
            Err("invalid manifest for plugin alpha: unknown property \"extra\"".to_string()),
            Ok("amazon-bedrock".to_string()),
            Err(format!(
                "plugin zeta: library not found: {}",
                dir.path().join("zeta").join(library_name(&other)).display()
            )),
        ]
    );
}

#[test]
fn find_plugins_on_missing_dir_reports_one_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let found = find_plugins(&missing);
    assert_eq!(found.len(), 1);
    let err = found.into_iter().next().unwrap().unwrap_err();
    assert!(matches!(err, PluginFolderError::PluginsDir { .. }));
    assert!(err.to_string().contains(&missing.display().to_string()));
}

fn matching_facts() -> LibraryFacts {
    LibraryFacts {
        id: "amazon-bedrock".into(),
        version: real_manifest()["version"].as_str().unwrap().into(),
        providers: vec!["amazon-bedrock".into()],
        api: "bedrock-converse-stream".into(),
        embedding_providers: vec!["bedrock".into()],
    }
}

fn parsed_manifest() -> host_harness::plugins::Manifest {
    let dir = tempfile::tempdir().unwrap();
    write_plugin(dir.path(), "amazon-bedrock", &real_manifest(), true);
    read_plugin(&dir.path().join("amazon-bedrock"))
        .unwrap()
        .manifest
}

#[test]
fn man_04_matching_library_facts_pass() {
    assert_eq!(
        check_library_facts(&parsed_manifest(), &matching_facts()),
        Ok(())
    );
}

#[test]
fn man_04_mismatch_names_field_and_both_values() {
    let manifest = parsed_manifest();
    let version = manifest.version.clone();

    let mut facts = matching_facts();
    facts.version = "9.9.9".into();
    assert_eq!(
        check_library_facts(&manifest, &facts).unwrap_err().to_string(),
        format!("plugin amazon-bedrock: manifest/library mismatch on version: manifest \"{version}\", library \"9.9.9\"")
    );

    let mut facts = matching_facts();
    facts.providers = vec!["amazon-bedrock".into(), "bedrock".into()];
    assert_eq!(
        check_library_facts(&manifest, &facts).unwrap_err().to_string(),
        "plugin amazon-bedrock: manifest/library mismatch on providers: manifest \"amazon-bedrock\", library \"amazon-bedrock,bedrock\""
    );

    let mut facts = matching_facts();
    facts.api = "other".into();
    assert_eq!(
        check_library_facts(&manifest, &facts).unwrap_err().to_string(),
        "plugin amazon-bedrock: manifest/library mismatch on api: manifest \"bedrock-converse-stream\", library \"other\""
    );

    let mut facts = matching_facts();
    facts.embedding_providers = vec![];
    assert_eq!(
        check_library_facts(&manifest, &facts).unwrap_err().to_string(),
        "plugin amazon-bedrock: manifest/library mismatch on embeddingProviders: manifest \"bedrock\", library \"\""
    );

    let mut facts = matching_facts();
    facts.id = "bedrock".into();
    assert_eq!(
        check_library_facts(&manifest, &facts).unwrap_err().to_string(),
        "plugin amazon-bedrock: manifest/library mismatch on id: manifest \"amazon-bedrock\", library \"bedrock\""
    );
}

fn outside_error(value: &str, reason: &str) -> String {
    format!(
        "invalid manifest for plugin amazon-bedrock: library.{} \"{value}\" {reason}",
        current_os_key()
    )
}

const INSIDE: &str = "the library must be a relative path inside the plugin folder";

#[test]
fn library_path_absolute_is_rejected_before_anything_is_read() {
    // The file does not exist: the path is refused from the manifest text alone.
    for value in ["/usr/lib/libbedrock_plugin.so", "/nonexistent/lib.so"] {
        let mut manifest = real_manifest();
        manifest["library"][current_os_key()] = json!(value);
        assert_eq!(
            read_err(&manifest, "amazon-bedrock", false),
            outside_error(value, &format!("is an absolute path; {INSIDE}"))
        );
    }
}

#[test]
fn library_path_with_dot_dot_is_rejected() {
    for value in [
        "../libbedrock_plugin.so",
        "../../etc/passwd",
        "lib/../../amazon-bedrock/libbedrock_plugin.so",
        "./..",
    ] {
        let mut manifest = real_manifest();
        manifest["library"][current_os_key()] = json!(value);
        assert_eq!(
            read_err(&manifest, "amazon-bedrock", false),
            outside_error(value, &format!("has a \"..\" component; {INSIDE}"))
        );
    }
}

#[test]
fn library_path_naming_no_file_is_rejected() {
    for value in ["", ".", "./"] {
        let mut manifest = real_manifest();
        manifest["library"][current_os_key()] = json!(value);
        assert_eq!(
            read_err(&manifest, "amazon-bedrock", false),
            outside_error(value, &format!("does not name a file; {INSIDE}"))
        );
    }
}

#[test]
fn library_path_in_a_subfolder_is_accepted() {
    let mut manifest = real_manifest();
    manifest["library"][current_os_key()] = json!("./lib/libbedrock_plugin.so");
    let dir = tempfile::tempdir().unwrap();
    write_plugin(dir.path(), "amazon-bedrock", &manifest, false);
    let folder = dir.path().join("amazon-bedrock");
    std::fs::create_dir(folder.join("lib")).unwrap();
    std::fs::write(folder.join("lib/libbedrock_plugin.so"), b"x").unwrap();
    let plugin = read_plugin(&folder).unwrap();
    assert_eq!(
        plugin.library_path,
        folder.join("./lib/libbedrock_plugin.so")
    );
}

#[cfg(unix)]
#[test]
fn library_symlink_leading_out_of_the_folder_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = real_manifest();
    let name = library_name(&manifest);
    write_plugin(dir.path(), "amazon-bedrock", &manifest, false);
    let folder = dir.path().join("amazon-bedrock");
    let outside = dir.path().join("elsewhere.so");
    std::fs::write(&outside, b"x").unwrap();
    std::os::unix::fs::symlink(&outside, folder.join(&name)).unwrap();
    let err = read_plugin(&folder).unwrap_err().to_string();
    assert_eq!(
        err,
        outside_error(
            &name,
            &format!(
                "resolves to {}, outside the plugin folder {}",
                outside.canonicalize().unwrap().display(),
                folder.canonicalize().unwrap().display()
            )
        )
    );
    // A relative symlink climbing out is caught the same way.
    std::fs::remove_file(folder.join(&name)).unwrap();
    std::os::unix::fs::symlink("../elsewhere.so", folder.join(&name)).unwrap();
    assert!(read_err_at(&folder).contains("outside the plugin folder"));
}

#[cfg(unix)]
#[test]
fn library_symlink_inside_the_folder_is_accepted_even_through_a_linked_folder() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = real_manifest();
    let name = library_name(&manifest);
    // The plugins dir entry is itself a symlink to the real folder.
    let real = dir.path().join("store/amazon-bedrock");
    std::fs::create_dir_all(&real).unwrap();
    std::fs::write(
        real.join("manifest.json"),
        serde_json::to_string(&manifest).unwrap(),
    )
    .unwrap();
    std::fs::write(real.join("libbedrock_plugin.so.1"), b"x").unwrap();
    std::os::unix::fs::symlink("libbedrock_plugin.so.1", real.join(&name)).unwrap();
    let plugins = dir.path().join("plugins");
    std::fs::create_dir(&plugins).unwrap();
    std::os::unix::fs::symlink(&real, plugins.join("amazon-bedrock")).unwrap();
    let plugin = read_plugin(&plugins.join("amazon-bedrock")).unwrap();
    assert_eq!(
        plugin.library_path,
        plugins.join("amazon-bedrock").join(&name)
    );
}

fn read_err_at(folder: &Path) -> String {
    read_plugin(folder).unwrap_err().to_string()
}
