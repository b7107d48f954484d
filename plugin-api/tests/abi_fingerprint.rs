//! Guards the interface version: a change to anything abi_stable compares at load time must come
//! with a version bump and a CHANGELOG entry.
//!
//! The fingerprint is a 64-bit FNV-1a hash of a text rendering of
//! `<PluginModuleRef as StableAbi>::LAYOUT` and of every layout reachable from it (the root
//! module's fields, the trait objects' vtables and their method signatures, every struct and enum
//! those carry). `abi-fingerprint.txt` records it together with the crate version it belongs to.
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
//! accessibility — and nothing else (no line numbers, module paths, addresses or type ids).
//!
//! Sizes are those of the target, so the recorded fingerprint is the one of 64-bit targets.
#![cfg(target_pointer_width = "64")]

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::PathBuf;

use abi_stable::std_types::UTypeId;
use abi_stable::type_layout::{TLData, TLFields, TypeLayout};
use abi_stable::StableAbi;
use plugin_api::PluginModuleRef;

const FINGERPRINT_FILE: &str = "abi-fingerprint.txt";
const UPDATE_VAR: &str = "UPDATE_ABI_FINGERPRINT";
const UPDATE_COMMAND: &str =
    "UPDATE_ABI_FINGERPRINT=1 cargo test -p plugin-api --test abi_fingerprint";

/// 64-bit FNV-1a.
fn fnv1a_64(bytes: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET_BASIS, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(PRIME)
    })
}

/// The stable text rendering of `root` and every layout reachable from it.
fn render(root: &'static TypeLayout) -> String {
    let mut out = String::new();
    let mut visited = HashSet::new();
    let mut next_index = 0usize;
    render_layout(root, &mut out, &mut visited, &mut next_index);
    out
}

/// Renders `layout` once (preorder, numbered), then the layouts it refers to, in the order its
/// shared vars list them followed by the ones its extra checks name: the same traversal
/// abi_stable's own printing uses.
fn render_layout(
    layout: &'static TypeLayout,
    out: &mut String,
    visited: &mut HashSet<UTypeId>,
    next_index: &mut usize,
) {
    if !visited.insert(layout.get_utypeid()) {
        return;
    }
    let index = *next_index;
    *next_index += 1;

    let (package, version) = layout.package_and_version();
    // abi_stable accepts any version of a package that is "loosely compatible": same major, and
    // for 0.x the same minor. Only that range is part of the fingerprint, so a dependency's patch
    // release (or this crate's) does not read as a layout change.
    let compatible_range = match version.parsed() {
        Ok(v) if v.major == 0 => format!("0.{}", v.minor),
        Ok(v) => v.major.to_string(),
        Err(_) => format!("unparsed {version}"),
    };
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

    for nested in layout.shared_vars().type_layouts() {
        render_layout(nested(), out, visited, next_index);
    }
    if let Some(checks) = layout.extra_checks() {
        for nested in checks.nested_type_layouts().iter() {
            render_layout(nested, out, visited, next_index);
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

fn fingerprint_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(FINGERPRINT_FILE)
}

/// `(version, fingerprint)` from the fingerprint file; `#` starts a comment line.
fn read_record(text: &str) -> (Option<String>, Option<String>) {
    let mut version = None;
    let mut fingerprint = None;
    for line in text.lines().map(str::trim) {
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
        "# The ABI fingerprint of plugin-api's root module layout (see tests/abi_fingerprint.rs).\n\
         # Do not edit by hand: bump the version, add a CHANGELOG entry, then run\n\
         # {UPDATE_COMMAND}\n\
         version = {version}\n\
         fingerprint = {fingerprint}\n"
    )
}

/// abi_stable's notion of compatible versions: same major, and for 0.x the same minor.
fn loosely_compatible(a: &str, b: &str) -> bool {
    let parse = |v: &str| -> Option<(u64, u64)> {
        let mut parts = v.split('.');
        Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
    };
    match (parse(a), parse(b)) {
        (Some((0, a_minor)), Some((0, b_minor))) => a_minor == b_minor,
        (Some((a_major, _)), Some((b_major, _))) => a_major == b_major,
        _ => false,
    }
}

/// Writes the current rendering next to the test's build output, so a failing run can be
/// inspected (and diffed against a rendering saved from the previous commit).
fn save_rendering(rendering: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("abi-layout.txt");
    std::fs::write(&path, rendering).expect("write the layout rendering");
    path
}

#[test]
fn abi_fingerprint_matches_the_recorded_one() {
    let version = env!("CARGO_PKG_VERSION");
    let rendering = current_rendering();
    let fingerprint = fingerprint_of(&rendering);
    let path = fingerprint_path();

    if std::env::var_os(UPDATE_VAR).is_some_and(|value| !value.is_empty() && value != "0") {
        std::fs::write(&path, record_text(version, &fingerprint))
            .unwrap_or_else(|err| panic!("cannot write {}: {err}", path.display()));
        eprintln!(
            "recorded version = {version}, fingerprint = {fingerprint} in {}",
            path.display()
        );
        return;
    }

    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!(
            "cannot read {}: {err}; record the fingerprint with {UPDATE_COMMAND}",
            path.display()
        )
    });
    let (recorded_version, recorded_fingerprint) = read_record(&text);
    let (Some(recorded_version), Some(recorded_fingerprint)) =
        (recorded_version, recorded_fingerprint)
    else {
        panic!(
            "{} lacks a `version = …` or `fingerprint = …` line; record it with {UPDATE_COMMAND}",
            path.display()
        );
    };

    if recorded_version == version && recorded_fingerprint == fingerprint {
        return;
    }
    let saved = save_rendering(&rendering);
    let layout_changed = recorded_fingerprint != fingerprint;
    if layout_changed && loosely_compatible(&recorded_version, version) {
        panic!(
            "the interface layout changed: bump plugin-api's minor version, add a CHANGELOG \
             entry, then record the new fingerprint with {UPDATE_COMMAND}\n\
             (recorded: version {recorded_version}, fingerprint {recorded_fingerprint}; \
             now: version {version}, fingerprint {fingerprint}; the current layout rendering is \
             in {saved}). Only a change abi_stable accepts from older libraries — a field \
             appended after `last_prefix_field`, a method appended to a `#[sabi_trait]` — may be \
             recorded without the bump, and still gets a CHANGELOG entry.",
            saved = saved.display(),
        );
    }
    panic!(
        "plugin-api's version changed ({recorded_version} -> {version}) but {file} was not \
         updated{layout}: add a CHANGELOG entry for {version}, then record the fingerprint with \
         {UPDATE_COMMAND}\n(the current layout rendering is in {saved})",
        file = FINGERPRINT_FILE,
        layout = if layout_changed {
            " (the layout changed as well)"
        } else {
            ""
        },
        saved = saved.display(),
    );
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
fn record_round_trips() {
    let text = record_text("9.8.7", "00112233aabbccdd");
    assert_eq!(
        read_record(&text),
        (
            Some("9.8.7".to_owned()),
            Some("00112233aabbccdd".to_owned())
        )
    );
    assert!(loosely_compatible("0.2.0", "0.2.5"));
    assert!(!loosely_compatible("0.2.0", "0.3.0"));
    assert!(loosely_compatible("1.2.0", "1.9.0"));
    assert!(!loosely_compatible("1.2.0", "2.0.0"));
}
