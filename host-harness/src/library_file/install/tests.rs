//! The install's bookkeeping: temporary names and cleanup of what a failed install created.

use std::path::Path;

use super::{write_atomically, Work};

fn work() -> Work {
    Work {
        id: "amazon-bedrock".into(),
        temps: Vec::new(),
        created_dirs: Vec::new(),
        committed: false,
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn temp_files_are_hidden_beside_the_target_and_unique() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("libbedrock_plugin.so");
    let mut work = work();
    let (a, _) = work.temp_beside(&target).unwrap();
    let (b, _) = work.temp_beside(&target).unwrap();
    assert_ne!(a, b);
    for temp in [&a, &b] {
        assert_eq!(temp.parent(), Some(dir.path()));
        let name = temp.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with(&format!(".libbedrock_plugin.so.{}.", std::process::id()))
                && name.ends_with(".tmp"),
            "{name}"
        );
    }
    drop(work);
    assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
}

#[test]
fn uncommitted_work_removes_the_folders_it_created_innermost_first() {
    let dir = tempfile::tempdir().unwrap();
    let deep = dir.path().join("plugins/amazon-bedrock/lib");
    let mut work = work();
    work.create_dirs(&deep).unwrap();
    assert_eq!(
        work.created_dirs,
        [
            dir.path().join("plugins"),
            dir.path().join("plugins/amazon-bedrock"),
            deep.clone()
        ]
    );
    work.write_temp(&deep.join("x.so"), b"bytes").unwrap();
    drop(work);
    assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
}

#[test]
fn uncommitted_work_keeps_folders_that_existed_or_hold_other_files() {
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("plugins");
    std::fs::create_dir(&plugins).unwrap();
    let folder = plugins.join("amazon-bedrock");
    let mut work = work();
    work.create_dirs(&folder).unwrap();
    assert_eq!(work.created_dirs, std::slice::from_ref(&folder));
    // Someone else writes into the new folder meanwhile: it is not removed.
    std::fs::write(folder.join("other"), b"x").unwrap();
    drop(work);
    assert_eq!(names(&folder), ["other"]);
    assert_eq!(names(&plugins), ["amazon-bedrock"]);
}

#[test]
fn committed_work_leaves_everything() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("amazon-bedrock");
    let mut work = work();
    work.create_dirs(&folder).unwrap();
    let temp = work
        .write_temp(&folder.join("manifest.json"), b"{}")
        .unwrap();
    work.committed = true;
    drop(work);
    assert!(temp.exists());
}

#[test]
fn plg_44_write_atomically_replaces_the_file_and_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("config.json5");
    std::fs::write(&target, "old").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
    write_atomically(&target, b"new").unwrap();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
    let mode = std::fs::metadata(&target).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(names(dir.path()), ["config.json5"]);
}

#[test]
fn plg_44_a_failed_atomic_write_leaves_the_target_and_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    // A non-empty folder cannot be replaced by a file: the rename fails.
    let target = dir.path().join("config.json5");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("inside"), "kept").unwrap();
    let err = write_atomically(&target, b"new").unwrap_err();
    assert_eq!(err.action, "replace");
    assert!(
        err.to_string()
            .starts_with(&format!("cannot replace {}: ", target.display())),
        "{err}"
    );
    assert_eq!(names(dir.path()), ["config.json5"]);
    assert_eq!(
        std::fs::read_to_string(target.join("inside")).unwrap(),
        "kept"
    );
}
