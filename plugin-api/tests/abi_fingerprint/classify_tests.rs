//! The classifier and the bump rules on small interfaces declared here in two versions each
//! (real abi_stable layouts, so the tests see what the derive macros emit), the recorded side
//! read back from its text form as the test reads `abi-layout.txt`.
// abi_stable_derive writes the `InterfaceType` impls of `#[sabi_trait]`s and NonExhaustive
// enums inside function bodies (as in plugin-api's lib.rs).
#![allow(non_local_definitions)]
// The interfaces below exist for their layouts only.
#![allow(dead_code)]

use abi_stable::type_layout::TypeLayout;
use abi_stable::StableAbi;
use plugin_api::PluginModuleRef;

use super::classify::{compare, Change, Comparison, Verdict};
use super::layout::Layout;
use super::versions::{changelog_has_section, check_bump, needed_bump, problems};

/// `recorded` as the test reads it back from `abi-layout.txt`, compared with `current`.
fn classify(recorded: &'static TypeLayout, current: &'static TypeLayout) -> Comparison {
    let text = Layout::of(recorded).to_text();
    let recorded = Layout::parse(&text).expect("the text form parses");
    compare(&recorded, &Layout::of(current))
}

fn only_change(comparison: &Comparison) -> &Change {
    assert_eq!(
        comparison.changes.len(),
        1,
        "expected one change:\n{}",
        comparison.describe(100)
    );
    &comparison.changes[0]
}

/// A root module (a prefix type) in three versions.
mod root_v1 {
    use abi_stable::std_types::RString;
    use abi_stable::StableAbi;

    #[repr(C)]
    #[derive(StableAbi)]
    #[sabi(kind(Prefix(prefix_ref = RootRef)))]
    #[sabi(missing_field(option))]
    pub struct Root {
        pub plugin_info: extern "C" fn() -> RString,
        pub new_instance: extern "C" fn(config: u64) -> u32,
        #[sabi(last_prefix_field)]
        pub shutdown: extern "C" fn(),
    }
}

/// `root_v1` with a field appended after the last prefix field.
mod root_appended {
    use abi_stable::std_types::RString;
    use abi_stable::StableAbi;

    #[repr(C)]
    #[derive(StableAbi)]
    pub struct Capabilities {
        pub flags: u64,
    }

    #[repr(C)]
    #[derive(StableAbi)]
    #[sabi(kind(Prefix(prefix_ref = RootRef)))]
    #[sabi(missing_field(option))]
    pub struct Root {
        pub plugin_info: extern "C" fn() -> RString,
        pub new_instance: extern "C" fn(config: u64) -> u32,
        #[sabi(last_prefix_field)]
        pub shutdown: extern "C" fn(),
        pub capabilities: extern "C" fn() -> Capabilities,
    }
}

/// `root_v1` without `new_instance`.
mod root_removed {
    use abi_stable::std_types::RString;
    use abi_stable::StableAbi;

    #[repr(C)]
    #[derive(StableAbi)]
    #[sabi(kind(Prefix(prefix_ref = RootRef)))]
    #[sabi(missing_field(option))]
    pub struct Root {
        pub plugin_info: extern "C" fn() -> RString,
        #[sabi(last_prefix_field)]
        pub shutdown: extern "C" fn(),
    }
}

/// A `#[sabi_trait]` in three versions.
mod provider_v1 {
    use abi_stable::sabi_trait;
    use abi_stable::std_types::RString;

    #[sabi_trait]
    pub trait Provider: Send + Sync {
        fn provider_id(&self) -> RString;
        #[sabi(last_prefix_field)]
        fn normalize_model(&self, window: u64) -> u64;
    }
}

/// `provider_v1` with a method (taking a new type) appended after the last prefix method.
mod provider_appended {
    use abi_stable::sabi_trait;
    use abi_stable::std_types::RString;
    use abi_stable::StableAbi;

    #[repr(C)]
    #[derive(StableAbi)]
    pub struct Description {
        pub text: RString,
    }

    #[sabi_trait]
    pub trait Provider: Send + Sync {
        fn provider_id(&self) -> RString;
        #[sabi(last_prefix_field)]
        fn normalize_model(&self, window: u64) -> u64;
        fn describe(&self, verbose: bool) -> Description;
    }
}

/// `provider_v1` with a method inserted before the last prefix method.
mod provider_inserted {
    use abi_stable::sabi_trait;
    use abi_stable::std_types::RString;

    #[sabi_trait]
    pub trait Provider: Send + Sync {
        fn provider_id(&self) -> RString;
        fn api(&self) -> RString;
        #[sabi(last_prefix_field)]
        fn normalize_model(&self, window: u64) -> u64;
    }
}

/// A NonExhaustive enum, carried by value in a struct, in two versions.
mod event_v1 {
    use abi_stable::std_types::{RString, RVec};
    use abi_stable::StableAbi;

    #[repr(u8)]
    #[derive(StableAbi, Debug, Clone, PartialEq)]
    #[sabi(kind(WithNonExhaustive(size = [usize; 6], traits(Debug, Clone, PartialEq))))]
    #[non_exhaustive]
    pub enum Event {
        Start,
        Text(RString),
    }

    #[repr(C)]
    #[derive(StableAbi)]
    pub struct Batch {
        pub events: RVec<Event_NE>,
    }
}

/// `event_v1` with a variant (holding a new type) appended.
mod event_appended {
    use abi_stable::std_types::{RString, RVec};
    use abi_stable::StableAbi;

    #[repr(C)]
    #[derive(StableAbi, Debug, Clone, PartialEq)]
    pub struct Source {
        pub url: RString,
    }

    #[repr(u8)]
    #[derive(StableAbi, Debug, Clone, PartialEq)]
    #[sabi(kind(WithNonExhaustive(size = [usize; 6], traits(Debug, Clone, PartialEq))))]
    #[non_exhaustive]
    pub enum Event {
        Start,
        Text(RString),
        Citation { index: u32, source: Source },
    }

    #[repr(C)]
    #[derive(StableAbi)]
    pub struct Batch {
        pub events: RVec<Event_NE>,
    }
}

/// A by-value `#[repr(C)]` struct nested in another, in three versions.
mod cost_v1 {
    use abi_stable::StableAbi;

    #[repr(C)]
    #[derive(StableAbi)]
    pub struct Model {
        pub context_window: u64,
    }

    #[repr(C)]
    #[derive(StableAbi)]
    pub struct Request {
        pub model: Model,
    }
}

/// `cost_v1` with a field appended to the plain struct.
mod cost_appended {
    use abi_stable::StableAbi;

    #[repr(C)]
    #[derive(StableAbi)]
    pub struct Model {
        pub context_window: u64,
        pub max_tokens: u64,
    }

    #[repr(C)]
    #[derive(StableAbi)]
    pub struct Request {
        pub model: Model,
    }
}

/// `cost_v1` with the field's type changed (same size and alignment).
mod cost_retyped {
    use abi_stable::StableAbi;

    #[repr(C)]
    #[derive(StableAbi)]
    pub struct Model {
        pub context_window: i64,
    }

    #[repr(C)]
    #[derive(StableAbi)]
    pub struct Request {
        pub model: Model,
    }
}

fn provider_layout_v1() -> &'static TypeLayout {
    <provider_v1::Provider_TO<'static, abi_stable::std_types::RBox<()>> as StableAbi>::LAYOUT
}

#[test]
fn identical_layouts_need_no_bump() {
    let root = <PluginModuleRef as StableAbi>::LAYOUT;
    let comparison = classify(root, root);
    assert_eq!(comparison.changes, Vec::new());
    assert_eq!(comparison.verdict(), Verdict::Identical);
    assert_eq!(needed_bump("0.2.0", Verdict::Identical), "no version bump");
    assert_eq!(check_bump("0.2.0", "0.2.0", Verdict::Identical), Ok(()));
}

#[test]
fn additive_prefix_method_needs_only_a_patch_bump() {
    let comparison = classify(
        provider_layout_v1(),
        <provider_appended::Provider_TO<'static, abi_stable::std_types::RBox<()>> as StableAbi>::LAYOUT,
    );
    assert_eq!(comparison.verdict(), Verdict::Additive);
    let change = only_change(&comparison);
    assert_eq!(
        change.to_string(),
        "additive: `VTable` prefix type (at Provider_TO<'lt>.obj → RObject<'lt>.vtable → \
         PrefixRef<'a, VTable>.0 (phantom)): gained trailing field `describe: AFunctionPointer` \
         (unsafe fn(RRef<'a>, bool) -> Description)"
    );
    assert_eq!(check_bump("0.2.0", "0.2.1", Verdict::Additive), Ok(()));
    assert_eq!(
        check_bump("0.2.0", "0.2.0", Verdict::Additive),
        Err(
            "an additive layout change needs a patch bump (0.2.0 → 0.2.1; a larger bump is \
             allowed but not needed), but plugin-api is still 0.2.0"
                .to_owned()
        )
    );
}

#[test]
fn additive_root_module_field_needs_only_a_patch_bump() {
    let comparison = classify(
        <root_v1::RootRef as StableAbi>::LAYOUT,
        <root_appended::RootRef as StableAbi>::LAYOUT,
    );
    assert_eq!(comparison.verdict(), Verdict::Additive);
    assert_eq!(
        only_change(&comparison).to_string(),
        "additive: `Root` prefix type (at PrefixRef<'a, Root>.0 (phantom)): gained trailing \
         field `capabilities: AFunctionPointer` (fn() -> Capabilities)"
    );
}

#[test]
fn additive_non_exhaustive_variant_needs_only_a_patch_bump() {
    let comparison = classify(
        <event_v1::Batch as StableAbi>::LAYOUT,
        <event_appended::Batch as StableAbi>::LAYOUT,
    );
    assert_eq!(comparison.verdict(), Verdict::Additive);
    assert_eq!(
        only_change(&comparison).to_string(),
        "additive: `Event` NonExhaustive enum (at Batch.events → RVec._marker → \
         PhantomData<NonExhaustive>.0 (phantom) → NonExhaustive._phantom_ty_param_0 \
         (phantom)): gained trailing variant `Citation` (index: u32, source: Source)"
    );
    assert_eq!(
        needed_bump("0.2.0", Verdict::Additive),
        "a patch bump (0.2.0 → 0.2.1; a larger bump is allowed but not needed)"
    );
}

#[test]
fn field_appended_to_a_repr_c_struct_is_breaking_and_needs_a_minor_bump() {
    let comparison = classify(
        <cost_v1::Request as StableAbi>::LAYOUT,
        <cost_appended::Request as StableAbi>::LAYOUT,
    );
    assert_eq!(comparison.verdict(), Verdict::Breaking);
    assert_eq!(
        comparison.describe(10),
        "  - BREAKING: `Request` (the root): size changed from 8 to 16\n  \
         - BREAKING: `Model` struct (at Request.model): size changed from 8 to 16\n  \
         - BREAKING: `Model` struct (at Request.model): gained field `max_tokens: u64`, but \
         only prefix types (the root module, `#[sabi_trait]` vtables) may gain fields, after \
         their last prefix field\n"
    );
    assert_eq!(
        needed_bump("0.2.0", Verdict::Breaking),
        "a minor bump (0.2.0 → 0.3.0)"
    );
    assert_eq!(check_bump("0.2.0", "0.3.0", Verdict::Breaking), Ok(()));
}

#[test]
fn field_type_change_is_breaking_even_with_the_same_size() {
    let comparison = classify(
        <cost_v1::Request as StableAbi>::LAYOUT,
        <cost_retyped::Request as StableAbi>::LAYOUT,
    );
    assert_eq!(comparison.verdict(), Verdict::Breaking);
    assert_eq!(
        only_change(&comparison).to_string(),
        "BREAKING: `Model` struct (at Request.model): field `context_window` changed type from \
         `u64` to `i64`"
    );
}

#[test]
fn removed_prefix_field_is_breaking() {
    let comparison = classify(
        <root_v1::RootRef as StableAbi>::LAYOUT,
        <root_removed::RootRef as StableAbi>::LAYOUT,
    );
    assert_eq!(comparison.verdict(), Verdict::Breaking);
    assert_eq!(
        comparison.describe(10),
        "  - BREAKING: `Root` prefix type (at PrefixRef<'a, Root>.0 (phantom)): its prefix (the \
         fields up to `#[sabi(last_prefix_field)]`) was 3 fields, is now 2: fields may only be \
         appended after the last prefix field\n  \
         - BREAKING: `Root` prefix type (at PrefixRef<'a, Root>.0 (phantom)): size changed from \
         24 to 16\n  \
         - BREAKING: `Root` prefix type (at PrefixRef<'a, Root>.0 (phantom)): fields differ \
         from position 1 (`new_instance` is now `shutdown`): recorded `plugin_info, \
         new_instance, shutdown`, now `plugin_info, shutdown`; fields may only be appended, \
         never inserted, removed or reordered\n"
    );
}

#[test]
fn method_inserted_before_the_last_prefix_method_is_breaking() {
    let comparison = classify(
        provider_layout_v1(),
        <provider_inserted::Provider_TO<'static, abi_stable::std_types::RBox<()>> as StableAbi>::LAYOUT,
    );
    assert_eq!(comparison.verdict(), Verdict::Breaking);
    let at = "`VTable` prefix type (at Provider_TO<'lt>.obj → RObject<'lt>.vtable → \
              PrefixRef<'a, VTable>.0 (phantom))";
    let whats: Vec<&str> = comparison
        .changes
        .iter()
        .inspect(|c| assert!(c.breaking && c.at == at, "unexpected change {c}"))
        .map(|c| c.what.as_str())
        .collect();
    assert_eq!(
        whats,
        [
            "its prefix (the fields up to `#[sabi(last_prefix_field)]`) was 4 fields, is now 5: \
             fields may only be appended after the last prefix field",
            "fields differ from position 3 (`normalize_model` is now `api`): recorded \
             `_sabi_tys, _sabi_vtable, provider_id, normalize_model`, now `_sabi_tys, \
             _sabi_vtable, provider_id, api, normalize_model`; fields may only be appended, \
             never inserted, removed or reordered",
        ]
    );
}

#[test]
fn breaking_change_under_a_patch_bump_is_refused() {
    assert_eq!(
        check_bump("0.2.0", "0.2.1", Verdict::Breaking),
        Err(
            "a breaking layout change needs a minor bump (0.2.0 → 0.3.0), but plugin-api 0.2.1 \
             is in the same compatible range as 0.2.0, so abi_stable would take libraries of \
             both layouts for compatible"
                .to_owned()
        )
    );
    assert_eq!(
        check_bump("0.3.0", "0.2.9", Verdict::Additive),
        Err("plugin-api's version 0.2.9 is older than the recorded 0.3.0".to_owned())
    );
}

#[test]
fn a_new_version_needs_its_changelog_section() {
    let changelog = "# Changelog\n\n## [Unreleased]\n\n## [0.2.1] - 2026-12-03\n\n## [0.2.0]\n";
    assert!(changelog_has_section(changelog, "0.2.1"));
    assert!(!changelog_has_section(changelog, "0.2.2"));
    assert_eq!(
        problems("0.2.0", "0.2.1", Verdict::Additive, changelog),
        Vec::<String>::new()
    );
    assert_eq!(
        problems("0.2.1", "0.2.2", Verdict::Additive, changelog),
        ["plugin-api/CHANGELOG.md has no `## [0.2.2]` section"]
    );
    // The recorded version's own section is not asked for again.
    assert_eq!(
        problems("0.2.0", "0.2.0", Verdict::Identical, "# Changelog\n"),
        Vec::<String>::new()
    );
}

/// A build of `version` whose layout is `root`'s, as the update command sees it.
fn build(version: &'static str, root: &'static TypeLayout) -> crate::Current {
    let rendering = crate::render(root);
    crate::Current {
        version,
        fingerprint: crate::fingerprint_of(&rendering),
        rendering,
        layout: Layout::of(root),
    }
}

/// The record `build` would have written.
fn record_of(build: &crate::Current) -> crate::Recorded {
    crate::Recorded {
        version: build.version.to_owned(),
        fingerprint: build.fingerprint.clone(),
        layout: Ok(build.layout.clone()),
        layout_text: None,
    }
}

#[test]
fn update_refuses_a_breaking_change_under_a_patch_bump() {
    let recorded = record_of(&build("0.2.0", <cost_v1::Request as StableAbi>::LAYOUT));
    let current = build("0.2.1", <cost_retyped::Request as StableAbi>::LAYOUT);
    let changelog = "## [0.2.1] - 2026-12-03\n";
    assert_eq!(
        crate::decide_update(Some(&recorded), &current, changelog),
        Err(format!(
            "refusing to record plugin-api 0.2.1 (fingerprint {}) over the recorded 0.2.0 \
             (fingerprint {}):\n  \
             - a breaking layout change needs a minor bump (0.2.0 → 0.3.0), but plugin-api \
             0.2.1 is in the same compatible range as 0.2.0, so abi_stable would take \
             libraries of both layouts for compatible\n\
             The layout changed in a BREAKING way, which needs a minor bump (0.2.0 → 0.3.0):\n  \
             - BREAKING: `Model` struct (at Request.model): field `context_window` changed type \
             from `u64` to `i64`\n",
            current.fingerprint, recorded.fingerprint
        ))
    );
    // The same change under 0.3.0, with its CHANGELOG section, is recorded.
    let current = build("0.3.0", <cost_retyped::Request as StableAbi>::LAYOUT);
    assert!(crate::decide_update(Some(&recorded), &current, "## [0.3.0]\n").is_ok());
}

#[test]
fn update_records_an_additive_change_under_a_patch_bump_with_its_changelog_section() {
    let recorded = record_of(&build("0.2.0", provider_layout_v1()));
    let current = build(
        "0.2.1",
        <provider_appended::Provider_TO<'static, abi_stable::std_types::RBox<()>> as StableAbi>::LAYOUT,
    );
    assert_eq!(
        crate::decide_update(Some(&recorded), &current, "## [0.2.1] - 2026-12-03\n"),
        Ok(
            "the layout changed ADDITIVELY since 0.2.0, which needs a patch bump (0.2.0 → \
            0.2.1; a larger bump is allowed but not needed)\n  \
            - additive: `VTable` prefix type (at Provider_TO<'lt>.obj → RObject<'lt>.vtable → \
            PrefixRef<'a, VTable>.0 (phantom)): gained trailing field `describe: \
            AFunctionPointer` (unsafe fn(RRef<'a>, bool) -> Description)\n"
                .to_owned()
        )
    );
    let refused = crate::decide_update(Some(&recorded), &current, "## [0.2.0]\n");
    assert!(
        refused.as_ref().is_err_and(
            |why| why.contains("  - plugin-api/CHANGELOG.md has no `## [0.2.1]` section\n")
        ),
        "{refused:?}"
    );
}
