//! Guards the interface version: a change to anything abi_stable compares at load time must come
//! with the version bump it needs and a CHANGELOG entry.
//!
//! # What is recorded
//!
//! `abi-fingerprint.txt` records the crate version and a fingerprint: a 64-bit FNV-1a hash of a
//! text rendering of `<PluginModuleRef as StableAbi>::LAYOUT` and of every layout reachable from
//! it (the root module's fields, the trait objects' vtables and their method signatures, every
//! struct and enum those carry). `abi-layout.txt`, written by the same update command, records
//! the same layout structurally ([`layout::Layout`]): one entry per reachable type, numbered as
//! in the fingerprint's rendering, with its package and compatible version range, size,
//! alignment, `repr`, kind (struct, prefix type, enum, NonExhaustive enum with the size of the
//! enum and of its storage) and its fields or variants, each naming the entry of its type. The
//! fingerprint says quickly whether anything changed; the structured record says what.
//!
//! # Which bump a change needs
//!
//! When the layout differs from the recorded one, [`classify::compare`] walks both side by side
//! from the root and sorts every difference:
//!
//! - ADDITIVE — abi_stable's own growth rules, which let a host load a plugin built from a newer
//!   version of the same compatible range: a prefix type (the root module
//!   `#[sabi(kind(Prefix))]`, every `#[sabi_trait]` vtable) gaining fields or methods after its
//!   last prefix field, and a NonExhaustive enum gaining variants at its end within its declared
//!   storage; new types may appear only as the types of those new fields and variants. These
//!   need a patch bump (0.2.0 → 0.2.1).
//! - BREAKING — anything else (a field appended to a plain `#[repr(C)]` struct, a field or
//!   parameter type changed, a field removed, a method inserted before the last prefix method,
//!   a size, alignment or `repr` changed, …). These need a minor bump (0.2.0 → 0.3.0), since
//!   `0.x` minors are incompatible with each other.
//!
//! Any new version also needs a `## [<version>]` section in `CHANGELOG.md`. The test fails while
//! the record is not the current layout and version, naming the types and fields that changed
//! and the bump they need; the update command (`UPDATE_ABI_FINGERPRINT=1 cargo test -p
//! plugin-api --test abi_fingerprint`) records the current layout only when the version and the
//! CHANGELOG have that bump, and refuses (saying why) otherwise, e.g. a breaking change under a
//! patch bump. That abi_stable really accepts the additive kinds at load time is proved by
//! `tests/tests/abi_evolution.rs`: its fixture `tests/fixtures/plugin-api-next` derives the next
//! patch release from `plugin-api/src` with a root-module field appended after `shutdown` and a
//! method appended after `ChatProvider`'s last prefix method, and a plugin built from it loads
//! and chats in today's host (only in that direction: abi_stable 0.11 refuses a library with
//! fewer prefix fields than the host, so a newer host does not load an older plugin).
//!
//! # Why the rendering is written here
//!
//! The rendering is written here rather than taken from `TypeLayout`'s `Debug`, which is not
//! stable: it prints addresses (`UTypeId::executable_identity`, function pointers) that change
//! from run to run with ASLR, `TypeId` hashes that change with the compiler and the crate's
//! build metadata, and source line numbers that change with every doc comment; and in 0.11.3 a
//! second `Debug` rendering on the same thread omits the nested layouts the first one printed
//! (its thread-local index is never cleared). `TypeLayout`'s `Display` is stable but shows one
//! level only, with line numbers. So [`render`] walks the layouts itself, in the order abi_stable
//! stores them, and prints what abi_stable's load-time check compares — names, packages and their
//! compatible version ranges, sizes, alignments, `repr`s, tags, extra checks, fields (names,
//! types, lifetimes, function signatures), enum variants and discriminants, prefix-type
//! accessibility — and nothing else (no line numbers, module paths, addresses or type ids). The
//! structured record holds the same facts.
//!
//! Sizes are those of the target, so the recorded layout is the one of 64-bit targets.
#![cfg(target_pointer_width = "64")]

#[path = "abi_fingerprint/classify.rs"]
mod classify;
#[path = "abi_fingerprint/classify_tests.rs"]
mod classify_tests;
#[path = "abi_fingerprint/layout.rs"]
mod layout;
#[path = "abi_fingerprint/versions.rs"]
mod versions;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use abi_stable::type_layout::{TLData, TLFields, TypeLayout};
use abi_stable::StableAbi;
use plugin_api::PluginModuleRef;

use classify::{Change, Comparison, Verdict};
use layout::Layout;

const FINGERPRINT_FILE: &str = "abi-fingerprint.txt";
const LAYOUT_FILE: &str = "abi-layout.txt";
const CHANGELOG_FILE: &str = "CHANGELOG.md";
const UPDATE_VAR: &str = "UPDATE_ABI_FINGERPRINT";
const UPDATE_COMMAND: &str =
    "UPDATE_ABI_FINGERPRINT=1 cargo test -p plugin-api --test abi_fingerprint";
/// How many changes a message lists.
const CHANGE_LIMIT: usize = 40;

/// 64-bit FNV-1a.
fn fnv1a_64(bytes: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET_BASIS, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(PRIME)
    })
}

/// The stable text rendering of `root` and every layout reachable from it: each layout once,
/// preorder and numbered, followed by the layouts it refers to, in the order its shared vars
/// list them and then the ones its extra checks name (the traversal abi_stable's own printing
/// uses, [`layout::reachable_layouts`]).
fn render(root: &'static TypeLayout) -> String {
    let mut out = String::new();
    for (index, layout) in layout::reachable_layouts(root).into_iter().enumerate() {
        render_layout(index, layout, &mut out);
    }
    out
}

fn render_layout(index: usize, layout: &'static TypeLayout, out: &mut String) {
    let (package, version) = layout.package_and_version();
    // Only the compatible range is part of the fingerprint, so a dependency's patch release
    // (or this crate's) does not read as a layout change.
    let compatible_range = layout::compatible_range(version);
    let generics = layout.generics();
    writeln!(
        out,
        "#{index} {ty} package={package}@{compatible_range} size={size} align={align} \
         nonzero={nonzero} repr={repr:?} lifetimes={lifetimes} consts={consts:?}",
        ty = layout.full_type(),
        size = layout.size(),
        align = layout.alignment(),
        nonzero = layout.is_nonzero(),
        repr = layout.repr_attr(),
        lifetimes = generics.lifetime_count(),
        consts = generics.const_params(),
    )
    .unwrap();
    writeln!(out, "  tag: {}", layout.tag()).unwrap();
    match layout.extra_checks() {
        Some(checks) => writeln!(out, "  extra checks: {checks}").unwrap(),
        None => writeln!(out, "  extra checks: none").unwrap(),
    }
    render_fields(out, "phantom field", layout.phantom_fields());
    match layout.data() {
        TLData::Primitive(primitive) => writeln!(out, "  primitive {primitive:?}").unwrap(),
        TLData::Opaque => writeln!(out, "  opaque").unwrap(),
        TLData::Struct { fields } => {
            writeln!(out, "  struct").unwrap();
            render_fields(out, "field", fields);
        }
        TLData::Union { fields } => {
            writeln!(out, "  union").unwrap();
            render_fields(out, "field", fields);
        }
        TLData::Enum(tl_enum) => {
            writeln!(
                out,
                "  enum variants={:?} field_counts={:?} discriminants={:?} exhaustiveness={:?}",
                tl_enum.variant_names.as_str(),
                tl_enum.field_count.as_slice(),
                tl_enum.discriminants,
                tl_enum.exhaustiveness,
            )
            .unwrap();
            render_fields(out, "field", tl_enum.fields);
        }
        TLData::PrefixType(prefix) => {
            let accessible: Vec<_> = prefix
                .accessible_fields
                .iter()
                .take(prefix.fields.len())
                .collect();
            writeln!(
                out,
                "  prefix type first_suffix_field={} conditional={:b} accessible={accessible:?}",
                prefix.first_suffix_field,
                prefix.conditional_prefix_fields.bits(),
            )
            .unwrap();
            render_fields(out, "field", prefix.fields);
        }
    }
}

fn render_fields(out: &mut String, label: &str, fields: TLFields) {
    for field in fields.iter() {
        write!(out, "  {label} {}: {}", field.name(), field.full_type()).unwrap();
        let lifetimes = field.lifetime_indices();
        if !lifetimes.is_empty() {
            write!(out, " lifetimes={lifetimes:?}").unwrap();
        }
        out.push('\n');
        for function in field.function_range().iter() {
            // `TLFunction`'s Display: qualifiers, parameter names and types, return type,
            // lifetime indices — all of which the load-time check compares.
            writeln!(out, "    fn {function}").unwrap();
        }
    }
}

fn current_rendering() -> String {
    render(<PluginModuleRef as StableAbi>::LAYOUT)
}

fn fingerprint_of(rendering: &str) -> String {
    format!("{:016x}", fnv1a_64(rendering.as_bytes()))
}

fn package_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(name)
}

/// Whether an entry of a layout file starts at `line` (`#<index> <type>`).
fn starts_layout_entry(line: &str) -> bool {
    line.strip_prefix('#')
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
}

/// `(version, fingerprint)` from a record's header; `#` starts a comment line, and the header
/// ends where a layout file's first entry starts.
fn read_record(text: &str) -> (Option<String>, Option<String>) {
    let mut version = None;
    let mut fingerprint = None;
    for line in text.lines() {
        if starts_layout_entry(line) {
            break;
        }
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some((key, value)) = line.split_once('=') {
            match key.trim() {
                "version" => version = Some(value.trim().to_owned()),
                "fingerprint" => fingerprint = Some(value.trim().to_owned()),
                _ => {}
            }
        }
    }
    (version, fingerprint)
}

fn record_text(version: &str, fingerprint: &str) -> String {
    format!(
        "# The ABI fingerprint of plugin-api's root module layout (see tests/abi_fingerprint.rs);\n\
         # {LAYOUT_FILE} holds the same layout structurally. Do not edit by hand: bump the\n\
         # version as the test says (patch for additive growth, minor for a breaking change),\n\
         # add a CHANGELOG section, then run\n\
         # {UPDATE_COMMAND}\n\
         version = {version}\n\
         fingerprint = {fingerprint}\n"
    )
}

fn layout_text(version: &str, fingerprint: &str, layout: &Layout) -> String {
    format!(
        "# The ABI layout of plugin-api's root module, structurally (see tests/abi_fingerprint.rs):\n\
         # one entry per type reachable from the root, numbered as in the fingerprint's rendering;\n\
         # `-> #N` names the entry of a field's type. Do not edit by hand: written together with\n\
         # {FINGERPRINT_FILE} by\n\
         # {UPDATE_COMMAND}\n\
         version = {version}\n\
         fingerprint = {fingerprint}\n\
         \n\
         {entries}",
        entries = layout.to_text(),
    )
}

/// The layout of this build.
struct Current {
    version: &'static str,
    rendering: String,
    fingerprint: String,
    layout: Layout,
}

impl Current {
    fn now() -> Current {
        let rendering = current_rendering();
        Current {
            version: env!("CARGO_PKG_VERSION"),
            fingerprint: fingerprint_of(&rendering),
            rendering,
            layout: Layout::of(<PluginModuleRef as StableAbi>::LAYOUT),
        }
    }
}

/// What the two record files hold.
struct Recorded {
    version: String,
    fingerprint: String,
    /// The recorded structured layout, or why there is none to compare with.
    layout: Result<Layout, String>,
    /// The layout file's text, when it could be read.
    layout_text: Option<String>,
}

/// The record, `None` when there is none yet (no fingerprint file).
fn read_recorded() -> Result<Option<Recorded>, String> {
    let path = package_file(FINGERPRINT_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(format!("cannot read {}: {err}", path.display())),
    };
    let (Some(version), Some(fingerprint)) = read_record(&text) else {
        return Err(format!(
            "{} lacks a `version = …` or `fingerprint = …` line",
            path.display()
        ));
    };
    let layout_text = std::fs::read_to_string(package_file(LAYOUT_FILE)).ok();
    let layout = match &layout_text {
        None => Err(format!("{LAYOUT_FILE} is missing")),
        Some(text) => match read_record(text) {
            (_, Some(recorded)) if recorded == fingerprint => {
                Layout::parse(text).map_err(|err| format!("{LAYOUT_FILE} cannot be read: {err}"))
            }
            (_, recorded) => Err(format!(
                "{LAYOUT_FILE} was recorded for fingerprint {}, not for the {fingerprint} of \
                 {FINGERPRINT_FILE}",
                recorded.as_deref().unwrap_or("(none)")
            )),
        },
    };
    Ok(Some(Recorded {
        version,
        fingerprint,
        layout,
        layout_text,
    }))
}

fn changelog() -> String {
    std::fs::read_to_string(package_file(CHANGELOG_FILE)).unwrap_or_default()
}

/// The changes between the record and this build; a layout that cannot be compared counts as
/// a breaking change.
fn judge(recorded: &Recorded, current: &Current) -> Comparison {
    if recorded.fingerprint == current.fingerprint {
        return Comparison::default();
    }
    let unclassified = |what: String| Comparison {
        changes: vec![Change {
            breaking: true,
            at: "the recorded layout".to_owned(),
            what,
        }],
    };
    match &recorded.layout {
        Ok(layout) => {
            let comparison = classify::compare(layout, &current.layout);
            if comparison.changes.is_empty() {
                // The structured layout holds everything the fingerprint hashes, so this is a
                // gap in it: do not guess.
                return unclassified(format!(
                    "the fingerprint changed ({} → {}) but the structured layouts are equal, so \
                     the change cannot be classified and counts as breaking",
                    recorded.fingerprint, current.fingerprint
                ));
            }
            comparison
        }
        Err(why) => unclassified(format!(
            "{why}, so the change since fingerprint {} cannot be classified and counts as \
             breaking",
            recorded.fingerprint
        )),
    }
}

fn verdict_words(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Identical => "is unchanged",
        Verdict::Additive => "changed ADDITIVELY",
        Verdict::Breaking => "changed in a BREAKING way",
    }
}

/// The failure message of a record that is not this build's layout and version.
fn mismatch_report(
    recorded: &Recorded,
    current: &Current,
    comparison: &Comparison,
    changelog: &str,
    saved: &Path,
) -> String {
    let verdict = comparison.verdict();
    let mut out = format!(
        "plugin-api's interface layout {} since the recorded version {} (fingerprint {} → {}); \
         plugin-api is now {}.\n",
        verdict_words(verdict),
        recorded.version,
        recorded.fingerprint,
        current.fingerprint,
        current.version,
    );
    out.push_str(&comparison.describe(CHANGE_LIMIT));
    out.push_str(&format!(
        "This needs {}.\n",
        versions::needed_bump(&recorded.version, verdict)
    ));
    let problems = versions::problems(&recorded.version, current.version, verdict, changelog);
    if problems.is_empty() {
        out.push_str(&format!(
            "plugin-api {} has that bump and CHANGELOG.md has its section: record the layout \
             with {UPDATE_COMMAND}\n",
            current.version
        ));
    } else {
        out.push_str(&format!("Before recording it with {UPDATE_COMMAND}:\n"));
        for problem in problems {
            out.push_str(&format!("  - {problem}\n"));
        }
    }
    out.push_str(&format!(
        "(the current layout is in {}; diff it with plugin-api/{LAYOUT_FILE})",
        saved.display()
    ));
    out
}

/// Writes the current renderings next to the test's build output, so a failing run can be
/// inspected: `abi-layout.txt` in the recorded format (to diff with the committed one) and
/// `abi-rendering.txt`, the text the fingerprint hashes.
fn save_current(current: &Current) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text)
            .unwrap_or_else(|err| panic!("cannot write {}: {err}", path.display()));
        path
    };
    write("abi-rendering.txt", &current.rendering);
    write(
        LAYOUT_FILE,
        &layout_text(current.version, &current.fingerprint, &current.layout),
    )
}

fn update_requested() -> bool {
    std::env::var_os(UPDATE_VAR).is_some_and(|value| !value.is_empty() && value != "0")
}

/// Whether the update command may record `current` over `recorded`: `Ok` with a summary of
/// the change, or `Err` with why not (the bump it needs that the version or the CHANGELOG
/// lack, and the changes).
fn decide_update(
    recorded: Option<&Recorded>,
    current: &Current,
    changelog: &str,
) -> Result<String, String> {
    let Some(recorded) = recorded else {
        return Ok("first record".to_owned());
    };
    let comparison = judge(recorded, current);
    let verdict = comparison.verdict();
    let needed = versions::needed_bump(&recorded.version, verdict);
    let problems = versions::problems(&recorded.version, current.version, verdict, changelog);
    if problems.is_empty() {
        return Ok(format!(
            "the layout {} since {}, which needs {needed}\n{}",
            verdict_words(verdict),
            recorded.version,
            comparison.describe(CHANGE_LIMIT)
        ));
    }
    let problems: Vec<String> = problems.iter().map(|p| format!("  - {p}\n")).collect();
    Err(format!(
        "refusing to record plugin-api {} (fingerprint {}) over the recorded {} (fingerprint \
         {}):\n{}The layout {}, which needs {needed}:\n{}",
        current.version,
        current.fingerprint,
        recorded.version,
        recorded.fingerprint,
        problems.concat(),
        verdict_words(verdict),
        comparison.describe(CHANGE_LIMIT),
    ))
}

/// The update command: records this build's layout, unless its version or the CHANGELOG lack
/// the bump the change since the record needs.
fn update(current: &Current) {
    let recorded = read_recorded().unwrap_or_else(|err| {
        panic!("refusing to update the record: {err}; fix or delete {FINGERPRINT_FILE}")
    });
    let summary = decide_update(recorded.as_ref(), current, &changelog())
        .unwrap_or_else(|refusal| panic!("{refusal}"));
    let write = |name: &str, text: String| {
        let path = package_file(name);
        std::fs::write(&path, text)
            .unwrap_or_else(|err| panic!("cannot write {}: {err}", path.display()));
    };
    write(
        FINGERPRINT_FILE,
        record_text(current.version, &current.fingerprint),
    );
    write(
        LAYOUT_FILE,
        layout_text(current.version, &current.fingerprint, &current.layout),
    );
    eprintln!(
        "recorded version = {}, fingerprint = {} in {FINGERPRINT_FILE} and {LAYOUT_FILE}: \
         {summary}",
        current.version, current.fingerprint
    );
}

#[test]
fn abi_fingerprint_matches_the_recorded_one() {
    let current = Current::now();
    if update_requested() {
        update(&current);
        return;
    }
    let recorded = match read_recorded() {
        Ok(Some(recorded)) => recorded,
        Ok(None) => panic!(
            "{} does not exist: record the layout with {UPDATE_COMMAND}",
            package_file(FINGERPRINT_FILE).display()
        ),
        Err(err) => panic!("{err}; record the layout with {UPDATE_COMMAND}"),
    };
    if recorded.version == current.version && recorded.fingerprint == current.fingerprint {
        let expected = layout_text(current.version, &current.fingerprint, &current.layout);
        if recorded.layout_text.as_deref() == Some(expected.as_str()) {
            return;
        }
        let why = match &recorded.layout {
            Err(why) => why.clone(),
            Ok(_) => "it differs from what the update command writes".to_owned(),
        };
        panic!(
            "{FINGERPRINT_FILE} matches this build but {LAYOUT_FILE} does not ({why}): record it \
             with {UPDATE_COMMAND} (no version bump is needed)"
        );
    }
    let saved = save_current(&current);
    let comparison = judge(&recorded, &current);
    panic!(
        "{}",
        mismatch_report(&recorded, &current, &comparison, &changelog(), &saved)
    );
}

#[test]
fn recorded_layout_file_belongs_to_the_recorded_fingerprint() {
    // Independent of this build's layout: the committed files agree with each other.
    let recorded = read_recorded()
        .expect("the record is readable")
        .expect("the record exists");
    let text = recorded.layout_text.expect("abi-layout.txt exists");
    assert_eq!(
        read_record(&text),
        (Some(recorded.version), Some(recorded.fingerprint))
    );
    let layout = recorded
        .layout
        .unwrap_or_else(|why| panic!("abi-layout.txt is not usable: {why}"));
    assert_eq!(layout.entries[0].name, "PrefixRef<'a, PluginModule>");
    assert_eq!(layout.entries[1].kind_name(), "prefix type");
}

#[test]
fn rendering_is_deterministic_within_a_process() {
    // TypeLayout's Debug fails this (its second rendering on a thread drops the nested layouts).
    let first = current_rendering();
    let second = current_rendering();
    assert_eq!(first, second);
    let from_other_thread = std::thread::spawn(current_rendering).join().unwrap();
    assert_eq!(first, from_other_thread);
}

#[test]
fn rendering_reaches_nested_layouts() {
    let rendering = current_rendering();
    // Through the root module's prefix type, the trait objects' vtables and their method
    // signatures down to by-value structs and NonExhaustive enums several levels deep.
    for needle in [
        "field new_instance:",
        "field stream_chat:",
        "ModelDefinition package=plugin-api@0.2",
        "field thinking_level_map: RVec",
        "ThinkingLevelMapping package=plugin-api@0.2",
        "field extensions: Extensions",
        "ExtValue package=plugin-api@0.2",
        "ContentPart package=plugin-api@0.2 size=192",
        "variants=\"Text;Image;Video;Document;Audio;\"",
        "AssistantOrigin package=plugin-api@0.2",
        "field stop_reason: ROption",
        "StopReason package=plugin-api@0.2",
        "SecretString package=plugin-api@0.2",
    ] {
        assert!(
            rendering.contains(needle),
            "the layout rendering lacks {needle:?}:\n{rendering}"
        );
    }
    // No addresses, module paths or source lines (TypeLayout's Display starts those `line:`).
    for unstable in ["0x", "plugin_api::"] {
        assert!(
            !rendering.contains(unstable),
            "the layout rendering contains {unstable:?}, which is not stable:\n{rendering}"
        );
    }
    assert!(!rendering.lines().any(|line| line.starts_with("line:")));
}

/// Two versions of the same small interface whose only difference is a field of a nested type.
mod before {
    use abi_stable::StableAbi;

    #[repr(C)]
    #[derive(StableAbi)]
    pub struct Inner {
        pub a: u32,
    }

    #[repr(C)]
    #[derive(StableAbi)]
    pub struct Outer {
        pub inner: abi_stable::std_types::RVec<Inner>,
    }
}

mod after {
    use abi_stable::StableAbi;

    #[repr(C)]
    #[derive(StableAbi)]
    pub struct Inner {
        pub b: u32,
    }

    #[repr(C)]
    #[derive(StableAbi)]
    pub struct Outer {
        pub inner: abi_stable::std_types::RVec<Inner>,
    }
}

#[test]
fn a_change_in_a_nested_type_changes_the_fingerprint() {
    let before = render(<before::Outer as StableAbi>::LAYOUT);
    let after = render(<after::Outer as StableAbi>::LAYOUT);
    assert_ne!(fingerprint_of(&before), fingerprint_of(&after));
    // The outer struct's own entry is the same; the difference is the nested one.
    assert_eq!(before.lines().next(), after.lines().next());
}

#[test]
fn fnv1a_matches_reference_vectors() {
    assert_eq!(fnv1a_64(b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fnv1a_64(b"a"), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(fnv1a_64(b"foobar"), 0x8594_4171_f739_67e8);
}

#[test]
fn structured_layout_round_trips_through_its_text_form() {
    let current = Layout::of(<PluginModuleRef as StableAbi>::LAYOUT);
    let text = layout_text("0.2.0", "00112233aabbccdd", &current);
    assert_eq!(Layout::parse(&text), Ok(current.clone()));
    // One entry per type of the fingerprint's rendering, numbered alike.
    let rendering = current_rendering();
    let rendered_entries = rendering.lines().filter(|l| starts_layout_entry(l)).count();
    assert_eq!(current.entries.len(), rendered_entries);
    for (index, entry) in current.entries.iter().enumerate() {
        assert!(
            rendering.contains(&format!("#{index} {} package=", entry.name)),
            "entry #{index} {} is not the rendering's #{index}",
            entry.name
        );
    }
}

#[test]
fn record_round_trips() {
    let text = record_text("9.8.7", "00112233aabbccdd");
    assert_eq!(
        read_record(&text),
        (
            Some("9.8.7".to_owned()),
            Some("00112233aabbccdd".to_owned())
        )
    );
    // A layout file's header reads the same, and its entries are not taken for it.
    let layout = Layout::of(<before::Outer as StableAbi>::LAYOUT);
    assert_eq!(
        read_record(&layout_text("9.8.7", "00112233aabbccdd", &layout)),
        (
            Some("9.8.7".to_owned()),
            Some("00112233aabbccdd".to_owned())
        )
    );
    assert!(versions::loosely_compatible("0.2.0", "0.2.5"));
    assert!(!versions::loosely_compatible("0.2.0", "0.3.0"));
    assert!(versions::loosely_compatible("1.2.0", "1.9.0"));
    assert!(!versions::loosely_compatible("1.2.0", "2.0.0"));
}
