//! The library file is checked before `dlopen`: a truncated or foreign file is refused with
//! a message naming it (instead of the host dying of SIGBUS), the install record's size and
//! SHA-256 are verified, a hand-copied folder loads with one warning, and MAN-04 still runs
//! after the load.

mod common;
#[path = "common/elf.rs"]
mod elf;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use common::{real_manifest, MANIFEST_PATH};
use elf::{SyntheticElf, BODY_LEN, FILE_LEN};
use host_harness::config::HostConfig;
use host_harness::host::{self, HostError};
use host_harness::library_file::install::install_plugin;
use host_harness::library_file::{check_before_load, Verification, INSTALL_RECORD_FILE};
use host_harness::loader::{self, LoadError};
use host_harness::plugins::{read_plugin, PluginFolder};
use serde_json::{json, Value};

const ID: &str = "amazon-bedrock";
const LIBRARY: &str = "libbedrock_plugin.so";
const HINT: &str = "(a partial copy? reinstall the plugin)";

/// The cdylib cargo built next to this test binary (bedrock-plugin is a dev-dependency),
/// or `None` with a message: these tests then check only the synthetic files.
pub fn real_library() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let found = host_harness::library_file::built_beside(&exe, LIBRARY);
    if found.is_none() {
        eprintln!(
            "skipping: {LIBRARY} not found next to {} (build it with `cargo build -p bedrock-plugin`)",
            exe.display()
        );
    }
    found
}

fn manifest_text() -> String {
    std::fs::read_to_string(MANIFEST_PATH).unwrap()
}

/// `<tmp>/plugins/amazon-bedrock/` holding the repository manifest (edited) and `library`
/// as the library, copied by hand (no install record).
fn hand_copied(dir: &Path, library: &[u8], edit: impl FnOnce(&mut Value)) -> PathBuf {
    let folder = dir.join("plugins").join(ID);
    std::fs::create_dir_all(&folder).unwrap();
    let mut manifest = real_manifest();
    edit(&mut manifest);
    std::fs::write(
        folder.join("manifest.json"),
        serde_json::to_string_pretty(&manifest).unwrap(),
    )
    .unwrap();
    std::fs::write(folder.join(LIBRARY), library).unwrap();
    folder
}

fn plugin(folder: &Path) -> PluginFolder {
    read_plugin(folder).unwrap()
}

fn load_error(folder: &Path) -> String {
    match loader::load_verified(&plugin(folder)) {
        Err(err) => err.to_string(),
        Ok(_) => panic!("{} must not load", folder.display()),
    }
}

fn check_error(folder: &Path) -> String {
    check_before_load(&plugin(folder)).unwrap_err().to_string()
}

fn library_display(folder: &Path) -> String {
    folder.join(LIBRARY).display().to_string()
}

/// Records `tracing` events at every level while `f` runs on this thread.
fn with_recorded_events<T>(f: impl FnOnce() -> T) -> (T, Vec<(tracing::Level, String)>) {
    use tracing::field::{Field, Visit};
    use tracing_subscriber::layer::{Context, SubscriberExt};

    #[derive(Clone, Default)]
    struct Recorder(Arc<Mutex<Vec<(tracing::Level, String)>>>);
    struct Message(String);
    impl Visit for Message {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            if field.name() == "message" {
                self.0 = format!("{value:?}");
            }
        }
    }
    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Recorder {
        fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
            let mut message = Message(String::new());
            event.record(&mut message);
            self.0
                .lock()
                .unwrap()
                .push((*event.metadata().level(), message.0));
        }
    }
    let recorder = Recorder::default();
    let subscriber = tracing_subscriber::registry().with(recorder.clone());
    let out = tracing::subscriber::with_default(subscriber, f);
    let events = recorder.0.lock().unwrap().clone();
    (out, events)
}

#[test]
fn truncated_synthetic_library_is_refused_before_dlopen_naming_path_and_sizes() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = elf::shared_object();
    let folder = hand_copied(dir.path(), &bytes[..1000], |_| {});
    assert_eq!(
        load_error(&folder),
        format!(
            "plugin amazon-bedrock: library {} is truncated: segment 0 (PT_LOAD) ends at byte {BODY_LEN} but the file has 1000 bytes {HINT}",
            library_display(&folder)
        )
    );
    let folder = hand_copied(dir.path(), &bytes[..(BODY_LEN as usize + 100)], |_| {});
    assert_eq!(
        load_error(&folder),
        format!(
            "plugin amazon-bedrock: library {} is truncated: the section header table ends at byte {FILE_LEN} but the file has {} bytes {HINT}",
            library_display(&folder),
            BODY_LEN + 100
        )
    );
}

#[test]
fn truncated_library_fails_host_open_as_a_load_error() {
    let dir = tempfile::tempdir().unwrap();
    let folder = hand_copied(dir.path(), &elf::shared_object()[..4000], |_| {});
    let config = HostConfig::from_value(json!({})).unwrap();
    match host::open(&dir.path().join("plugins"), ID, &config) {
        Err(err @ HostError::Load(LoadError::Manifest(_))) => assert_eq!(
            err.to_string(),
            format!(
                "plugin amazon-bedrock: library {} is truncated: segment 0 (PT_LOAD) ends at byte {BODY_LEN} but the file has 4000 bytes {HINT}",
                library_display(&folder)
            )
        ),
        Err(other) => panic!("expected the truncation error, got {other}"),
        Ok(_) => panic!("a truncated library must not load"),
    }
}

#[test]
fn foreign_files_are_refused_before_dlopen() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(Vec<u8>, &str); 5] = [
        (
            b"root:x:0:0:root:/root:/bin/bash\n".to_vec(),
            "is not an ELF shared object: it does not start with the ELF magic bytes",
        ),
        (
            Vec::new(),
            "is empty (a partial copy? reinstall the plugin)",
        ),
        (
            {
                let mut elf = SyntheticElf::shared_object();
                elf.e_type = 2;
                elf.bytes()
            },
            "is not an ELF shared object: its type is executable (ET_EXEC)",
        ),
        (
            {
                let mut elf = SyntheticElf::shared_object();
                elf.class = 1;
                elf.bytes()
            },
            "is a 32-bit ELF file; this host loads 64-bit libraries",
        ),
        (
            {
                let mut elf = SyntheticElf::shared_object();
                elf.machine = if elf::HOST_MACHINE == 62 { 183 } else { 62 };
                elf.bytes()
            },
            if elf::HOST_MACHINE == 62 {
                "is built for aarch64 (e_machine 183); this host is x86_64 (e_machine 62)"
            } else {
                "is built for x86_64 (e_machine 62); this host is aarch64 (e_machine 183)"
            },
        ),
    ];
    for (bytes, problem) in cases {
        let folder = hand_copied(dir.path(), &bytes, |_| {});
        assert_eq!(
            load_error(&folder),
            format!(
                "plugin amazon-bedrock: library {} {problem}",
                library_display(&folder)
            )
        );
    }
}

#[test]
fn library_path_that_is_a_directory_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let folder = hand_copied(dir.path(), b"", |_| {});
    std::fs::remove_file(folder.join(LIBRARY)).unwrap();
    std::fs::create_dir(folder.join(LIBRARY)).unwrap();
    // MAN-03 refuses what is not a file before the loader's own check would.
    let err = read_plugin(&folder).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "plugin amazon-bedrock: library not found: {}",
            library_display(&folder)
        )
    );
}

#[test]
fn truncated_real_library_is_refused_and_the_host_survives() {
    let Some(real) = real_library() else { return };
    let bytes = std::fs::read(&real).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // 4 KB, as a copy interrupted early leaves it, and three quarters of it.
    for len in [4096, bytes.len() / 4 * 3, bytes.len() - 1] {
        let folder = hand_copied(dir.path(), &bytes[..len], |_| {});
        let err = load_error(&folder);
        let prefix = format!(
            "plugin amazon-bedrock: library {} is truncated: ",
            library_display(&folder)
        );
        let suffix = format!(" but the file has {len} bytes {HINT}");
        assert!(
            err.starts_with(&prefix) && err.ends_with(&suffix),
            "{len} bytes: {err}"
        );
    }
}

#[test]
fn hand_copied_real_library_loads_unverified_with_one_warning() {
    let Some(real) = real_library() else { return };
    let dir = tempfile::tempdir().unwrap();
    let folder = hand_copied(dir.path(), &std::fs::read(&real).unwrap(), |_| {});
    let (loaded, events) = with_recorded_events(|| loader::load_verified(&plugin(&folder)));
    let (module, verification) = loaded.expect("a hand-copied plugin still loads");
    assert_eq!(verification, Verification::Unrecorded);
    assert_eq!(loader::library_facts(module).id, ID);
    let warnings: Vec<_> = events
        .iter()
        .filter(|(level, _)| *level == tracing::Level::WARN)
        .collect();
    assert_eq!(
        warnings,
        [&(
            tracing::Level::WARN,
            format!(
                "plugin amazon-bedrock: library {} is unverified: the plugin folder has no install.json (it was not installed with `host-harness install`); loading it after the format checks only",
                library_display(&folder)
            )
        )]
    );
}

#[test]
fn installed_real_library_loads_verified_without_warnings() {
    let Some(real) = real_library() else { return };
    let dir = tempfile::tempdir().unwrap();
    let installed = install_plugin(&dir.path().join("plugins"), &real, &manifest_text()).unwrap();
    let (loaded, events) =
        with_recorded_events(|| loader::load_verified(&plugin(&installed.folder)));
    let (module, verification) = loaded.expect("installed plugin loads");
    assert_eq!(
        verification,
        Verification::Recorded {
            sha256: installed.record.sha256.clone()
        }
    );
    assert_eq!(loader::library_facts(module).id, ID);
    assert!(
        !events
            .iter()
            .any(|(level, _)| *level <= tracing::Level::WARN),
        "{events:?}"
    );
}

#[test]
fn man_04_still_runs_after_the_pre_load_checks_pass() {
    let Some(real) = real_library() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut manifest = real_manifest();
    let version = manifest["version"].as_str().unwrap().to_string();
    manifest["version"] = json!("9.9.9");
    let installed = install_plugin(
        &dir.path().join("plugins"),
        &real,
        &serde_json::to_string_pretty(&manifest).unwrap(),
    )
    .unwrap();
    // The record agrees with the (edited) manifest, so the file checks pass…
    assert!(check_before_load(&plugin(&installed.folder)).is_ok());
    // …and the library's own facts still decide.
    assert_eq!(
        load_error(&installed.folder),
        format!("plugin amazon-bedrock: manifest/library mismatch on version: manifest \"9.9.9\", library \"{version}\"")
    );
}

/// Installs the synthetic shared object (it passes the format checks but is never loaded).
fn installed_synthetic(dir: &Path) -> PathBuf {
    let source = dir.join("source.so");
    std::fs::write(&source, elf::shared_object()).unwrap();
    install_plugin(&dir.join("plugins"), &source, &manifest_text())
        .unwrap()
        .folder
}

#[test]
fn installed_synthetic_library_passes_the_file_checks() {
    let dir = tempfile::tempdir().unwrap();
    let folder = installed_synthetic(dir.path());
    let checked = check_before_load(&plugin(&folder)).unwrap();
    assert!(matches!(
        checked.verification,
        Verification::Recorded { .. }
    ));
}

#[test]
fn library_changed_since_install_is_refused() {
    use sha2::{Digest, Sha256};

    let dir = tempfile::tempdir().unwrap();
    let folder = installed_synthetic(dir.path());
    let library = folder.join(LIBRARY);
    let recorded = hex::encode(Sha256::digest(elf::shared_object()));

    // Same size, one byte different.
    let mut bytes = elf::shared_object();
    bytes[3000] ^= 0xff;
    std::fs::write(&library, &bytes).unwrap();
    let now = hex::encode(Sha256::digest(&bytes));
    assert_eq!(
        load_error(&folder),
        format!(
            "plugin amazon-bedrock: library {} changed since install: its sha256 is {now}, install.json records {recorded} (reinstall the plugin)",
            library.display()
        )
    );

    // Grown (still a valid ELF file).
    let mut bytes = elf::shared_object();
    bytes.extend_from_slice(b"appended");
    std::fs::write(&library, &bytes).unwrap();
    assert_eq!(
        load_error(&folder),
        format!(
            "plugin amazon-bedrock: library {} changed since install: it has {} bytes, install.json records {FILE_LEN} (reinstall the plugin)",
            library.display(),
            FILE_LEN + 8
        )
    );

    // Truncated: the format check speaks first.
    std::fs::write(&library, &elf::shared_object()[..2000]).unwrap();
    assert_eq!(
        load_error(&folder),
        format!(
            "plugin amazon-bedrock: library {} is truncated: segment 0 (PT_LOAD) ends at byte {BODY_LEN} but the file has 2000 bytes {HINT}",
            library.display()
        )
    );
}

#[test]
fn install_record_that_disagrees_with_the_manifest_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let folder = installed_synthetic(dir.path());
    let record_path = folder.join(INSTALL_RECORD_FILE);
    let original: Value =
        serde_json::from_str(&std::fs::read_to_string(&record_path).unwrap()).unwrap();
    let version = real_manifest()["version"].as_str().unwrap().to_string();
    for (field, value, manifest_value) in [
        ("version", "0.0.1", version.as_str()),
        ("pluginId", "other-plugin", ID),
        ("library", "libother.so", LIBRARY),
    ] {
        let mut record = original.clone();
        record[field] = json!(value);
        std::fs::write(&record_path, record.to_string()).unwrap();
        assert_eq!(
            load_error(&folder),
            format!(
                "plugin amazon-bedrock: install record {} does not match the manifest: it records {field} \"{value}\", the manifest has \"{manifest_value}\" (reinstall the plugin)",
                record_path.display()
            )
        );
    }
}

#[test]
fn unreadable_or_invalid_install_record_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let folder = installed_synthetic(dir.path());
    let record_path = folder.join(INSTALL_RECORD_FILE);
    std::fs::write(&record_path, "{\"pluginId\": ").unwrap();
    assert_eq!(
        check_error(&folder),
        format!(
            "plugin amazon-bedrock: install record {} is invalid: EOF while parsing a value at line 1 column 13 (reinstall the plugin)",
            record_path.display()
        )
    );
    std::fs::remove_file(&record_path).unwrap();
    std::fs::create_dir(&record_path).unwrap();
    assert_eq!(
        check_error(&folder),
        format!(
            "plugin amazon-bedrock: install record {} cannot be read: Is a directory (os error 21) (reinstall the plugin)",
            record_path.display()
        )
    );
}

/// Median of `runs` timings of `f`, in milliseconds.
fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = std::time::Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[runs / 2]
}

/// What the pre-load checks cost, for the report: run with
/// `cargo test -p host-harness --test library_check -- --ignored --nocapture measure`.
/// `LIBRARY_CHECK_FILES` (colon-separated) adds libraries to measure, e.g. a stripped
/// (release-size) copy or a padded 200 MB one.
#[test]
#[ignore = "measurement, not a check"]
fn measure_pre_load_check_cost() {
    let Some(real) = real_library() else { return };
    let mut files = vec![real.clone()];
    if let Ok(extra) = std::env::var("LIBRARY_CHECK_FILES") {
        files.extend(
            extra
                .split(':')
                .filter(|s| !s.is_empty())
                .map(PathBuf::from),
        );
    }
    const RUNS: usize = 9;
    for file in files {
        let dir = tempfile::tempdir().unwrap();
        let len = std::fs::metadata(&file).unwrap().len();
        let plugins = dir.path().join("plugins");
        let install_ms = median_ms(RUNS, || {
            install_plugin(&plugins, &file, &manifest_text()).unwrap();
        });
        let folder = plugins.join(ID);
        let library = folder.join(LIBRARY);
        let elf_ms = median_ms(RUNS, || {
            host_harness::library_file::open_checked(&library).unwrap();
        });
        let plugin = plugin(&folder);
        let full_ms = median_ms(RUNS, || {
            check_before_load(&plugin).unwrap();
        });
        println!(
            "{}: {len} bytes: ELF check {elf_ms:.3} ms, ELF + record + sha256 {full_ms:.1} ms, install {install_ms:.1} ms (medians of {RUNS})",
            file.display()
        );
    }
    // dlopen + root-module init of the real library, each from a fresh inode (a new copy),
    // to put the checks in proportion.
    let bytes = std::fs::read(&real).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    let load_ms = median_ms(5, || {
        n += 1;
        let folder = hand_copied(&dir.path().join(n.to_string()), &bytes, |_| {});
        let source = folder.join(LIBRARY);
        let plugins = dir.path().join(format!("{n}-installed"));
        install_plugin(&plugins, &source, &manifest_text()).unwrap();
        let plugin = plugin(&plugins.join(ID));
        let start = std::time::Instant::now();
        let _ = check_before_load(&plugin).unwrap();
        let checks = start.elapsed().as_secs_f64() * 1000.0;
        let start = std::time::Instant::now();
        loader::load_verified(&plugin).unwrap();
        let load = start.elapsed().as_secs_f64() * 1000.0;
        println!(
            "  fresh copy {n}: checks alone {checks:.1} ms; load_verified (checks + dlopen + init + MAN-04) {load:.1} ms"
        );
    });
    println!("  (each iteration, copy + install + loads: median {load_ms:.1} ms)");
}
