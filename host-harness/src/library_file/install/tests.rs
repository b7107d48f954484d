//! The install's bookkeeping: temporary names and cleanup of what a failed install created.

use std::path::Path;

use super::Work;

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
