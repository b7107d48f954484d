//! Compares a recorded [`Layout`] with the current one and sorts every difference into
//! ADDITIVE (abi_stable's growth rules accept it between two versions of one compatible range)
//! or BREAKING (anything else).
//!
//! The two layouts are walked side by side from the root, breadth first, pairing each recorded
//! field with the current field at the same position (as abi_stable's load-time check does), so
//! a type is known by where it is reached, not by its name (every `#[sabi_trait]` vtable is
//! called `VTable`). A pair of entries must agree on everything abi_stable compares: name,
//! package and compatible range, size, alignment, `repr`, tag, extra checks, generics, and
//! field by field names, types, lifetimes, accessibility and function signatures. Two kinds of
//! growth are ADDITIVE:
//!
//! - a prefix type (the root module, every `#[sabi_trait]` vtable) with fields appended after
//!   its recorded ones, its prefix (`first_suffix_field`, set by `#[sabi(last_prefix_field)]`)
//!   unchanged; its size grows with them;
//! - a NonExhaustive enum with variants appended after its recorded ones, its storage (size and
//!   alignment) unchanged and the enum still fitting in it.
//!
//! Types reached only through such new fields or variants are new and are not compared. A
//! recorded type no current path leads to is BREAKING.

use std::collections::{HashSet, VecDeque};
use std::fmt;

use super::layout::{Field, Function, Kind, Layout, TypeEntry, Variant};

/// Whether a change needs a patch or a minor bump.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Identical,
    Additive,
    Breaking,
}

/// One difference, located by the path from the root that reaches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub breaking: bool,
    /// The type that changed and how it is reached from the root.
    pub at: String,
    pub what: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.breaking {
            "BREAKING"
        } else {
            "additive"
        };
        write!(f, "{kind}: {}: {}", self.at, self.what)
    }
}

/// Every difference between a recorded and a current layout.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Comparison {
    pub changes: Vec<Change>,
}

impl Comparison {
    pub fn verdict(&self) -> Verdict {
        if self.changes.iter().any(|c| c.breaking) {
            Verdict::Breaking
        } else if self.changes.is_empty() {
            Verdict::Identical
        } else {
            Verdict::Additive
        }
    }

    /// One line per change (breaking ones first), at most `limit`.
    pub fn describe(&self, limit: usize) -> String {
        let mut sorted: Vec<&Change> = self.changes.iter().filter(|c| c.breaking).collect();
        sorted.extend(self.changes.iter().filter(|c| !c.breaking));
        let mut out = String::new();
        for change in sorted.iter().take(limit) {
            out.push_str(&format!("  - {change}\n"));
        }
        if sorted.len() > limit {
            out.push_str(&format!("  - … and {} more\n", sorted.len() - limit));
        }
        out
    }
}

/// Compares `recorded` with `current` (see the module docs).
pub fn compare(recorded: &Layout, current: &Layout) -> Comparison {
    let mut walk = Walk {
        recorded,
        current,
        queue: VecDeque::from([(0, 0, String::new())]),
        changes: Vec::new(),
    };
    let mut seen = HashSet::new();
    let mut reached = HashSet::new();
    while let Some((r, c, path)) = walk.queue.pop_front() {
        if !seen.insert((r, c)) {
            continue;
        }
        reached.insert(r);
        walk.compare_entries(r, c, &path);
    }
    // A recorded type below a changed field is not reached either; only say so when nothing
    // else explains it.
    if !walk.changes.iter().any(|c| c.breaking) {
        for (index, entry) in recorded.entries.iter().enumerate() {
            if !reached.contains(&index) {
                walk.changes.push(Change {
                    breaking: true,
                    at: format!("`{}` (recorded entry #{index})", entry.name),
                    what: "no longer reachable from the root".to_owned(),
                });
            }
        }
    }
    Comparison {
        changes: walk.changes,
    }
}

struct Walk<'a> {
    recorded: &'a Layout,
    current: &'a Layout,
    /// Pairs of (recorded, current) entries still to compare, with the path that reached them.
    queue: VecDeque<(usize, usize, String)>,
    changes: Vec<Change>,
}

/// Where the pair being compared is: its description for messages and the path reaching it.
struct Here {
    at: String,
    path: String,
}

/// Whether a list of fields or variants may grow at its end.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Growth {
    Fixed,
    Appendable,
}

impl Walk<'_> {
    fn push(&mut self, breaking: bool, here: &Here, what: String) {
        self.changes.push(Change {
            breaking,
            at: here.at.clone(),
            what,
        });
    }

    fn compare_entries(&mut self, r: usize, c: usize, path: &str) {
        let rec: &TypeEntry = &self.recorded.entries[r];
        let cur: &TypeEntry = &self.current.entries[c];
        let at = &Here {
            at: if path.is_empty() {
                format!("`{}` (the root)", rec.name)
            } else {
                format!("`{}` {} (at {path})", rec.name, rec.kind_name())
            },
            path: path.to_owned(),
        };
        if rec.name != cur.name {
            self.push(true, at, format!("is now `{}`", cur.name));
            return;
        }
        if rec.kind_name() != cur.kind_name() {
            self.push(
                true,
                at,
                format!(
                    "changed kind from {} to {}",
                    rec.kind_name(),
                    cur.kind_name()
                ),
            );
            return;
        }
        let scalars: [(&str, String, String); 8] = [
            ("package", rec.package.clone(), cur.package.clone()),
            ("alignment", rec.align.to_string(), cur.align.to_string()),
            ("repr", rec.repr.clone(), cur.repr.clone()),
            ("nonzero", rec.nonzero.to_string(), cur.nonzero.to_string()),
            (
                "lifetime count",
                rec.lifetimes.to_string(),
                cur.lifetimes.to_string(),
            ),
            ("const parameters", rec.consts.clone(), cur.consts.clone()),
            ("tag", rec.tag.clone(), cur.tag.clone()),
            (
                "extra checks",
                rec.extra_checks.clone(),
                cur.extra_checks.clone(),
            ),
        ];
        for (what, was, now) in scalars {
            if was != now {
                self.push(
                    true,
                    at,
                    format!("{what} changed from `{}` to `{}`", was.trim(), now.trim()),
                );
            }
        }
        self.compare_field_list(
            at,
            &rec.name,
            "phantom field",
            &rec.phantom_fields,
            &cur.phantom_fields,
            Growth::Fixed,
        );

        let size_changed = rec.size != cur.size;
        let size_change = format!("size changed from {} to {}", rec.size, cur.size);
        match (&rec.kind, &cur.kind) {
            (Kind::Primitive(was), Kind::Primitive(now)) => {
                if was != now {
                    self.push(true, at, format!("primitive `{was}` is now `{now}`"));
                }
                if size_changed {
                    self.push(true, at, size_change);
                }
            }
            (Kind::Struct(was), Kind::Struct(now)) | (Kind::Union(was), Kind::Union(now)) => {
                if size_changed {
                    self.push(true, at, size_change);
                }
                self.compare_field_list(at, &rec.name, "field", was, now, Growth::Fixed);
            }
            (
                Kind::Prefix {
                    first_suffix_field: was_prefix,
                    conditional: was_conditional,
                    fields: was,
                },
                Kind::Prefix {
                    first_suffix_field: now_prefix,
                    conditional: now_conditional,
                    fields: now,
                },
            ) => {
                if was_prefix != now_prefix {
                    self.push(
                        true,
                        at,
                        format!(
                            "its prefix (the fields up to `#[sabi(last_prefix_field)]`) was \
                             {was_prefix} fields, is now {now_prefix}: fields may only be \
                             appended after the last prefix field"
                        ),
                    );
                }
                if was_conditional != now_conditional {
                    self.push(
                        true,
                        at,
                        format!(
                            "its conditional prefix fields changed from {was_conditional} to \
                             {now_conditional}"
                        ),
                    );
                }
                let grew = now.len() > was.len();
                if rec.size > cur.size || (size_changed && !grew) {
                    self.push(true, at, size_change);
                }
                self.compare_field_list(at, &rec.name, "field", was, now, Growth::Appendable);
            }
            (
                Kind::Enum {
                    non_exhaustive: was_ne,
                    variants: was,
                },
                Kind::Enum {
                    non_exhaustive: now_ne,
                    variants: now,
                },
            ) => {
                if size_changed {
                    let what = if was_ne.is_some() { "storage " } else { "" };
                    self.push(true, at, format!("{what}{size_change}"));
                }
                let growth = match now_ne {
                    Some(ne) => {
                        if ne.original_size > cur.size || ne.original_align > cur.align {
                            self.push(
                                true,
                                at,
                                format!(
                                    "the enum (size {}, alignment {}) no longer fits its \
                                     declared NonExhaustive storage (size {}, alignment {})",
                                    ne.original_size, ne.original_align, cur.size, cur.align
                                ),
                            );
                        }
                        Growth::Appendable
                    }
                    None => Growth::Fixed,
                };
                self.compare_variants(at, rec, was, now, growth);
            }
            // Same kind name, so same kind.
            _ => {}
        }
    }

    fn compare_variants(
        &mut self,
        at: &Here,
        owner: &TypeEntry,
        was: &[Variant],
        now: &[Variant],
        growth: Growth,
    ) {
        let names = |variants: &[Variant]| {
            variants
                .iter()
                .map(|v| v.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        for (position, (rec, cur)) in was.iter().zip(now).enumerate() {
            if rec.name != cur.name {
                self.push(
                    true,
                    at,
                    format!(
                        "variants differ from position {position} (`{}` is now `{}`): \
                         recorded `{}`, now `{}`; variants may only be appended",
                        rec.name,
                        cur.name,
                        names(was),
                        names(now)
                    ),
                );
                return;
            }
            if rec.discriminant != cur.discriminant {
                self.push(
                    true,
                    at,
                    format!(
                        "variant `{}` has discriminant {} instead of {}",
                        rec.name, cur.discriminant, rec.discriminant
                    ),
                );
            }
            let label = format!("field of variant `{}`", rec.name);
            let variant_owner = format!("{}::{}", owner.name, rec.name);
            self.compare_field_list(
                at,
                &variant_owner,
                &label,
                &rec.fields,
                &cur.fields,
                Growth::Fixed,
            );
        }
        for rec in was.iter().skip(now.len()) {
            self.push(true, at, format!("lost variant `{}`", rec.name));
        }
        for cur in now.iter().skip(was.len()) {
            let what = format!("variant `{}`{}", cur.name, field_list(&cur.fields));
            match growth {
                Growth::Appendable => self.push(false, at, format!("gained trailing {what}")),
                Growth::Fixed => self.push(
                    true,
                    at,
                    format!(
                        "gained {what}, but it is an exhaustive enum (only NonExhaustive enums \
                         may gain variants)"
                    ),
                ),
            }
        }
    }

    fn compare_field_list(
        &mut self,
        at: &Here,
        owner: &str,
        label: &str,
        was: &[Field],
        now: &[Field],
        growth: Growth,
    ) {
        let names = |fields: &[Field]| {
            fields
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        for (position, (rec, cur)) in was.iter().zip(now).enumerate() {
            if rec.name != cur.name {
                self.push(
                    true,
                    at,
                    format!(
                        "{label}s differ from position {position} (`{}` is now `{}`): recorded \
                         `{}`, now `{}`; fields may only be appended, never inserted, removed \
                         or reordered",
                        rec.name,
                        cur.name,
                        names(was),
                        names(now)
                    ),
                );
                return;
            }
            self.compare_field(at, owner, label, rec, cur);
        }
        for rec in was.iter().skip(now.len()) {
            self.push(true, at, format!("lost {label} `{}: {}`", rec.name, rec.ty));
        }
        for cur in now.iter().skip(was.len()) {
            let what = format!("{label} `{}: {}`{}", cur.name, cur.ty, signatures(cur));
            match growth {
                Growth::Appendable => self.push(false, at, format!("gained trailing {what}")),
                Growth::Fixed => self.push(
                    true,
                    at,
                    format!(
                        "gained {what}, but only prefix types (the root module, `#[sabi_trait]` \
                         vtables) may gain fields, after their last prefix field"
                    ),
                ),
            }
        }
    }

    fn compare_field(&mut self, at: &Here, owner: &str, label: &str, rec: &Field, cur: &Field) {
        let name = &rec.name;
        let segment = if label == "phantom field" {
            format!("{owner}.{name} (phantom)")
        } else {
            format!("{owner}.{name}")
        };
        let mut same = true;
        if rec.ty != cur.ty {
            self.push(
                true,
                at,
                format!(
                    "{label} `{name}` changed type from `{}` to `{}`",
                    rec.ty, cur.ty
                ),
            );
            same = false;
        }
        if rec.lifetimes != cur.lifetimes {
            self.push(
                true,
                at,
                format!(
                    "{label} `{name}` changed lifetimes from `{}` to `{}`",
                    rec.lifetimes, cur.lifetimes
                ),
            );
        }
        if rec.accessible != cur.accessible {
            self.push(
                true,
                at,
                format!(
                    "{label} `{name}` changed accessibility from `{}` to `{}`",
                    rec.accessible, cur.accessible
                ),
            );
        }
        if rec.functions.len() != cur.functions.len() {
            self.push(
                true,
                at,
                format!(
                    "{label} `{name}` holds {} function pointer(s) instead of {}",
                    cur.functions.len(),
                    rec.functions.len()
                ),
            );
        } else {
            for (was, now) in rec.functions.iter().zip(&cur.functions) {
                self.compare_function(at, &segment, label, name, was, now);
            }
        }
        if same {
            self.follow(rec.target, cur.target, &segment, at);
        }
    }

    fn compare_function(
        &mut self,
        at: &Here,
        segment: &str,
        label: &str,
        field: &str,
        was: &Function,
        now: &Function,
    ) {
        let (was_sig, now_sig) = (signature(was), signature(now));
        let changed = was.is_unsafe != now.is_unsafe
            || was.name != now.name
            || was.bound_lifetimes != now.bound_lifetimes
            || was.lifetime_indices != now.lifetime_indices
            || was.params.len() != now.params.len()
            || was
                .params
                .iter()
                .zip(&now.params)
                .any(|(a, b)| a.name != b.name || a.ty != b.ty)
            || was.returns.ty != now.returns.ty;
        if changed {
            let names = |f: &Function| {
                f.params
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let detail = if was_sig != now_sig {
                String::new()
            } else if names(was) != names(now) {
                format!(" (parameters `{}` → `{}`)", names(was), names(now))
            } else {
                format!(
                    " (lifetimes `{}` → `{}`)",
                    was.lifetime_indices, now.lifetime_indices
                )
            };
            self.push(
                true,
                at,
                format!(
                    "{label} `{field}` changed signature from `{was_sig}` to `{now_sig}`{detail}"
                ),
            );
            return;
        }
        for (a, b) in was.params.iter().zip(&now.params) {
            let step = format!("{segment}({})", a.name);
            self.follow(a.target, b.target, &step, at);
        }
        let step = format!("{segment}() return");
        self.follow(was.returns.target, now.returns.target, &step, at);
    }

    /// Queues the pair of entries a pair of fields leads to.
    fn follow(&mut self, r: usize, c: usize, segment: &str, here: &Here) {
        let path = if here.path.is_empty() {
            segment.to_owned()
        } else {
            format!("{} → {segment}", here.path)
        };
        self.queue.push_back((r, c, path));
    }
}

/// `unsafe fn(RRef<'a>, ChatRequest) -> RResult`: the types only, since the parameter names
/// abi_stable records for `#[sabi_trait]` methods are mangled (`_self,param_0,`).
fn signature(function: &Function) -> String {
    let params: Vec<&str> = function.params.iter().map(|p| p.ty.as_str()).collect();
    format!(
        "{}fn{}({}) -> {}",
        if function.is_unsafe { "unsafe " } else { "" },
        if function.bound_lifetimes.is_empty() {
            String::new()
        } else {
            format!(" for<{}>", function.bound_lifetimes)
        },
        params.join(", "),
        function.returns.ty
    )
}

/// ` (unsafe fn(…) -> …)` for a field that holds function pointers, else empty.
fn signatures(field: &Field) -> String {
    if field.functions.is_empty() {
        return String::new();
    }
    let sigs: Vec<String> = field.functions.iter().map(signature).collect();
    format!(" ({})", sigs.join("; "))
}

/// ` (a: T, b: U)` for a variant with fields, else empty.
fn field_list(fields: &[Field]) -> String {
    if fields.is_empty() {
        return String::new();
    }
    let list: Vec<String> = fields
        .iter()
        .map(|f| format!("{}: {}", f.name, f.ty))
        .collect();
    format!(" ({})", list.join(", "))
}
