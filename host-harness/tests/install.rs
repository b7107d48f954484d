//! `install` is atomic and checked: files are renamed over their destinations (an open or
//! loaded library keeps its old inode), a source that is not an ELF shared object of this
//! machine is refused before anything is written, and a failed install leaves no new folder
//! and no temporary file behind.

mod common;
#[path = "common/elf.rs"]
mod elf;

use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{real_manifest, MANIFEST_PATH};
use host_harness::library_file::install::{
    install_plugin, install_plugin_with, InstallError, Step,
};
use host_harness::library_file::{InstallRecord, INSTALL_RECORD_FILE};
use sha2::{Digest, Sha256};

const ID: &str = "amazon-bedrock";
const LIBRARY: &str = "libbedrock_plugin.so";

fn manifest_text() -> String {
    std::fs::read_to_string(MANIFEST_PATH).unwrap()
}

fn version() -> String {
    real_manifest()["version"].as_str().unwrap().to_string()
}

/// Every path under `dir`, relative and sorted (folders end with `/`).
fn tree(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let relative = path.strip_prefix(root).unwrap().display().to_string();
            if path.is_dir() {
                out.push(format!("{relative}/"));
                walk(root, &path, out);
            } else {
                out.push(relative);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn write_source(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The synthetic shared object with one body byte set to `mark`, so versions differ.
fn synthetic(mark: u8) -> Vec<u8> {
    let mut bytes = elf::shared_object();
    bytes[3000] = mark;
    bytes
}

#[test]
fn install_writes_library_manifest_and_record() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = synthetic(1);
    let source = write_source(dir.path(), "source.so", &bytes);
    let plugins = dir.path().join("plugins");
    let installed = install_plugin(&plugins, &source, &manifest_text()).unwrap();
    let folder = plugins.join(ID);
    assert_eq!(installed.folder, folder);
    assert_eq!(installed.library, folder.join(LIBRARY));
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let expected = InstallRecord {
        plugin_id: ID.into(),
        version: version(),
        library: LIBRARY.into(),
        size: bytes.len() as u64,
        sha256: sha256.clone(),
    };
    assert_eq!(installed.record, expected);
    assert_eq!(
        tree(&plugins),
        [
            "amazon-bedrock/",
            "amazon-bedrock/install.json",
            "amazon-bedrock/libbedrock_plugin.so",
            "amazon-bedrock/manifest.json"
        ]
    );
    assert_eq!(std::fs::read(folder.join(LIBRARY)).unwrap(), bytes);
    assert_eq!(
        std::fs::read_to_string(folder.join("manifest.json")).unwrap(),
        manifest_text()
    );
    assert_eq!(
        std::fs::read_to_string(folder.join(INSTALL_RECORD_FILE)).unwrap(),
        format!(
            "{{\n  \"pluginId\": \"amazon-bedrock\",\n  \"version\": \"{}\",\n  \"library\": \"libbedrock_plugin.so\",\n  \"size\": {},\n  \"sha256\": \"{sha256}\"\n}}\n",
            version(),
            bytes.len()
        )
    );
}

#[test]
fn reinstall_renames_over_so_an_open_library_keeps_the_old_inode() {
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("plugins");
    let old = synthetic(1);
    let new = synthetic(2);
    let first = install_plugin(
        &plugins,
        &write_source(dir.path(), "v1.so", &old),
        &manifest_text(),
    )
    .unwrap();
    let mut open = std::fs::File::open(&first.library).unwrap();
    let old_inode = open.metadata().unwrap().ino();
    let old_manifest_inode = std::fs::metadata(first.folder.join("manifest.json"))
        .unwrap()
        .ino();

    let second = install_plugin(
        &plugins,
        &write_source(dir.path(), "v2.so", &new),
        &manifest_text(),
    )
    .unwrap();
    assert_eq!(second.library, first.library);
    // The handle still reads the old bytes from the old inode…
    let mut seen = Vec::new();
    open.seek(SeekFrom::Start(0)).unwrap();
    open.read_to_end(&mut seen).unwrap();
    assert_eq!(seen, old);
    assert_eq!(open.metadata().unwrap().ino(), old_inode);
    // …while the path names a new inode with the new bytes, and so does every other file.
    assert_ne!(std::fs::metadata(&second.library).unwrap().ino(), old_inode);
    assert_eq!(std::fs::read(&second.library).unwrap(), new);
    assert_ne!(
        std::fs::metadata(second.folder.join("manifest.json"))
            .unwrap()
            .ino(),
        old_manifest_inode
    );
    assert_eq!(second.record.sha256, hex::encode(Sha256::digest(&new)));
    assert_eq!(
        tree(&plugins),
        [
            "amazon-bedrock/",
            "amazon-bedrock/install.json",
            "amazon-bedrock/libbedrock_plugin.so",
            "amazon-bedrock/manifest.json"
        ],
        "no temporary file is left"
    );
}

#[test]
fn reinstall_under_a_host_that_loaded_the_real_plugin_keeps_it_running() {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    let Some(real) = [deps.join(LIBRARY), deps.join("..").join(LIBRARY)]
        .into_iter()
        .find(|p| p.is_file())
    else {
        eprintln!("skipping: {LIBRARY} not built next to {}", exe.display());
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("plugins");
    let installed = install_plugin(&plugins, &real, &manifest_text()).unwrap();
    let folder = host_harness::plugins::read_plugin(&installed.folder).unwrap();
    let module = host_harness::loader::load(&folder).unwrap();
    let loaded_inode = std::fs::metadata(&installed.library).unwrap().ino();

    // A different build of the same plugin (one trailing byte more) replaces it.
    let mut bytes = std::fs::read(&real).unwrap();
    bytes.push(0);
    let rebuilt = write_source(dir.path(), "rebuilt.so", &bytes);
    let again = install_plugin(&plugins, &rebuilt, &manifest_text()).unwrap();
    assert_ne!(
        std::fs::metadata(&again.library).unwrap().ino(),
        loaded_inode
    );
    // The loaded code still runs (an in-place rewrite faulted here with SIGBUS).
    let facts = host_harness::loader::library_facts(module);
    assert_eq!(facts.id, ID);
    assert_eq!(facts.version, version());
}

#[test]
fn non_elf_source_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let passwd = Path::new("/etc/passwd");
    let source = if passwd.is_file() {
        passwd.to_path_buf()
    } else {
        write_source(dir.path(), "passwd", b"root:x:0:0:root:/root:/bin/bash\n")
    };
    let plugins = dir.path().join("plugins");
    let err = install_plugin(&plugins, &source, &manifest_text()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "cannot install plugin amazon-bedrock: library {} is not an ELF shared object: it does not start with the ELF magic bytes",
            source.display()
        )
    );
    assert!(!plugins.exists(), "no plugins dir was created");
    // An existing, empty plugins dir stays empty.
    std::fs::create_dir(&plugins).unwrap();
    install_plugin(&plugins, &source, &manifest_text()).unwrap_err();
    assert!(tree(&plugins).is_empty(), "{:?}", tree(&plugins));
}

#[test]
fn truncated_foreign_or_missing_sources_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("plugins");
    let cases: Vec<(PathBuf, String)> = vec![
        (
            write_source(dir.path(), "partial.so", &elf::shared_object()[..1500]),
            format!("is truncated: segment 0 (PT_LOAD) ends at byte {} but the file has 1500 bytes (a partial copy? reinstall the plugin)", elf::BODY_LEN),
        ),
        (
            write_source(dir.path(), "empty.so", b""),
            "is empty (a partial copy? reinstall the plugin)".into(),
        ),
        (
            dir.path().join("missing.so"),
            "cannot be read: No such file or directory (os error 2)".into(),
        ),
        (
            dir.path().to_path_buf(),
            "is not a regular file (it is a directory)".into(),
        ),
    ];
    for (source, problem) in cases {
        let err = install_plugin(&plugins, &source, &manifest_text()).unwrap_err();
        assert!(matches!(err, InstallError::Source { .. }));
        assert_eq!(
            err.to_string(),
            format!(
                "cannot install plugin amazon-bedrock: library {} {problem}",
                source.display()
            )
        );
        assert!(!plugins.exists());
    }
}

#[test]
fn manifest_with_a_library_path_outside_the_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let source = write_source(dir.path(), "source.so", &synthetic(1));
    let mut manifest = real_manifest();
    manifest["library"]["linux"] = serde_json::json!("../escape.so");
    let err = install_plugin(
        &dir.path().join("plugins"),
        &source,
        &serde_json::to_string(&manifest).unwrap(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot install: invalid manifest for plugin amazon-bedrock: library.linux \"../escape.so\" has a \"..\" component; the library must be a relative path inside the plugin folder"
    );
    assert!(!dir.path().join("plugins").exists());
}

#[test]
fn manifest_id_that_is_not_a_folder_name_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let source = write_source(dir.path(), "source.so", &synthetic(1));
    for id in ["../escape", "a/b", "/abs", ".", "..", ""] {
        let mut manifest = real_manifest();
        manifest["id"] = serde_json::json!(id);
        let err = install_plugin(
            &dir.path().join("plugins"),
            &source,
            &serde_json::to_string(&manifest).unwrap(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("cannot install: invalid manifest for plugin {id}: id \"{id}\" cannot name a folder in the plugins directory")
        );
    }
    assert_eq!(tree(dir.path()), ["source.so"]);
}

#[test]
fn failed_install_at_any_step_leaves_no_new_folder_and_no_temp_files() {
    let steps = [
        Step::CreateDir,
        Step::WriteLibrary,
        Step::WriteManifest,
        Step::WriteRecord,
        Step::RenameLibrary,
        Step::RenameManifest,
        Step::RenameRecord,
    ];
    for failing in steps {
        let dir = tempfile::tempdir().unwrap();
        let source = write_source(dir.path(), "source.so", &synthetic(1));
        let root = dir.path().join("root");
        std::fs::create_dir(&root).unwrap();
        let plugins = root.join("plugins");
        let err = install_plugin_with(&plugins, &source, &manifest_text(), &mut |step| {
            if step == failing {
                Err(std::io::Error::other("injected"))
            } else {
                Ok(())
            }
        })
        .unwrap_err();
        let (action, target) = match failing {
            Step::CreateDir => ("create", plugins.join(ID)),
            Step::WriteLibrary => ("write", plugins.join(ID).join(LIBRARY)),
            Step::WriteManifest => ("write", plugins.join(ID).join("manifest.json")),
            Step::WriteRecord => ("write", plugins.join(ID).join(INSTALL_RECORD_FILE)),
            Step::RenameLibrary => ("replace", plugins.join(ID).join(LIBRARY)),
            Step::RenameManifest => ("replace", plugins.join(ID).join("manifest.json")),
            Step::RenameRecord => ("replace", plugins.join(ID).join(INSTALL_RECORD_FILE)),
        };
        assert_eq!(
            err.to_string(),
            format!(
                "cannot install plugin amazon-bedrock: cannot {action} {}: injected",
                target.display()
            )
        );
        let left = tree(&root);
        assert!(
            left.iter().all(|path| !path.ends_with(".tmp")),
            "{failing:?}: temp files left: {left:?}"
        );
        match failing {
            // Nothing reached its destination: no folder either.
            Step::CreateDir
            | Step::WriteLibrary
            | Step::WriteManifest
            | Step::WriteRecord
            | Step::RenameLibrary => assert!(left.is_empty(), "{failing:?}: {left:?}"),
            // Half-swapped: what was renamed stays; no record vouches for it.
            Step::RenameManifest => assert_eq!(
                left,
                [
                    "plugins/",
                    "plugins/amazon-bedrock/",
                    "plugins/amazon-bedrock/libbedrock_plugin.so"
                ]
            ),
            Step::RenameRecord => assert_eq!(
                left,
                [
                    "plugins/",
                    "plugins/amazon-bedrock/",
                    "plugins/amazon-bedrock/libbedrock_plugin.so",
                    "plugins/amazon-bedrock/manifest.json"
                ]
            ),
        }
    }
}

#[test]
fn failed_reinstall_before_the_swap_leaves_the_old_install_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("plugins");
    let old = synthetic(1);
    install_plugin(
        &plugins,
        &write_source(dir.path(), "v1.so", &old),
        &manifest_text(),
    )
    .unwrap();
    let record = std::fs::read(plugins.join(ID).join(INSTALL_RECORD_FILE)).unwrap();
    let new_source = write_source(dir.path(), "v2.so", &synthetic(2));
    for failing in [
        Step::WriteLibrary,
        Step::WriteManifest,
        Step::WriteRecord,
        Step::RenameLibrary,
    ] {
        install_plugin_with(&plugins, &new_source, &manifest_text(), &mut |step| {
            if step == failing {
                Err(std::io::Error::other("injected"))
            } else {
                Ok(())
            }
        })
        .unwrap_err();
        assert_eq!(std::fs::read(plugins.join(ID).join(LIBRARY)).unwrap(), old);
        assert_eq!(
            std::fs::read(plugins.join(ID).join(INSTALL_RECORD_FILE)).unwrap(),
            record
        );
        assert_eq!(
            tree(&plugins),
            [
                "amazon-bedrock/",
                "amazon-bedrock/install.json",
                "amazon-bedrock/libbedrock_plugin.so",
                "amazon-bedrock/manifest.json"
            ],
            "{failing:?}"
        );
    }
}

/// The CLI reports the refusal and exits 1 (it used to print success for /etc/passwd).
#[test]
fn cli_install_of_a_non_elf_file_fails_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let source = write_source(dir.path(), "passwd", b"root:x:0:0:root:/root:/bin/bash\n");
    let plugins = dir.path().join("plugins");
    let output = Command::new(env!("CARGO_BIN_EXE_host-harness"))
        .arg("install")
        .arg("--plugins-dir")
        .arg(&plugins)
        .arg("--library")
        .arg(&source)
        .env("HOME", dir.path())
        .env_remove("HOST_HARNESS_PLUGINS_DIR")
        .env_remove("HOST_HARNESS_CONFIG")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        format!(
            "cannot install plugin amazon-bedrock: library {} is not an ELF shared object: it does not start with the ELF magic bytes\n",
            source.display()
        )
    );
    assert!(output.stdout.is_empty());
    assert!(!plugins.exists());
}

/// `validate` on a truncated library prints why and exits 1 instead of dying of SIGBUS.
#[test]
fn cli_validate_of_a_truncated_library_reports_it() {
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("plugins");
    let folder = plugins.join(ID);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("manifest.json"), manifest_text()).unwrap();
    std::fs::write(folder.join(LIBRARY), &elf::shared_object()[..4000]).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_host-harness"))
        .arg("validate")
        .arg("--plugins-dir")
        .arg(&plugins)
        .env("HOME", dir.path())
        .env_remove("HOST_HARNESS_PLUGINS_DIR")
        .env_remove("HOST_HARNESS_CONFIG")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let expected = format!(
        "plugin amazon-bedrock: library {} is truncated: segment 0 (PT_LOAD) ends at byte {} but the file has 4000 bytes (a partial copy? reinstall the plugin)",
        folder.join(LIBRARY).display(),
        elf::BODY_LEN
    );
    assert!(
        stderr.lines().any(|line| line == expected),
        "stderr: {stderr}"
    );
}
