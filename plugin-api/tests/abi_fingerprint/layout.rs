//! The structured rendering of an interface layout, recorded as `abi-layout.txt`.
//!
//! The fingerprint can only say *that* the layout changed; to tell a change abi_stable accepts
//! within a compatible version (a prefix type or a NonExhaustive enum growing at its end) from
//! one it refuses, the test needs the recorded layout itself. [`Layout`] is that record: one
//! [`TypeEntry`] per type reachable from the root, numbered in the order the fingerprint's
//! rendering prints them (so `#N` means the same type in both), each field naming the entry of
//! its type (`-> #N`) so that two layouts can be compared by walking them side by side from the
//! root. It holds everything the fingerprint rendering prints (and so everything abi_stable's
//! load-time check compares), as text that is stable from build to build: no addresses, type
//! ids, module paths or line numbers.
//!
//! The text form is line based: an entry starts with `#<index> <type>` at column 0 and its
//! properties follow indented by two spaces, fields' details by two more. Free text (type
//! names, extra checks) is escaped so that every value stays on its line and keeps its trailing
//! spaces (`\\`, `\n`, `\s` for a space at the end).

use std::collections::HashMap;

use abi_stable::sabi_types::VersionStrings;
use abi_stable::std_types::UTypeId;
use abi_stable::type_layout::{TLData, TLField, TLFields, TLFunction, TypeLayout};
use abi_stable::StableAbi;

/// A recorded or current interface layout: `entries[0]` is the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub entries: Vec<TypeEntry>,
}

/// One type reachable from the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeEntry {
    /// The type as abi_stable prints it (`full_type`).
    pub name: String,
    /// `<package>@<compatible range>`: the range, not the version, so a patch release of a
    /// package does not read as a change of every type it defines.
    pub package: String,
    pub size: usize,
    pub align: usize,
    /// `ReprAttr`'s `Debug` (`C`, `Transparent`, `Int(U8)`, …).
    pub repr: String,
    pub nonzero: bool,
    pub lifetimes: usize,
    /// The const generic parameters (`Debug`), empty for none.
    pub consts: String,
    pub tag: String,
    /// The extra checks (`Display`), empty for none.
    pub extra_checks: String,
    pub phantom_fields: Vec<Field>,
    pub kind: Kind,
}

/// What kind of type an entry is, with the parts abi_stable compares for that kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Primitive(String),
    Opaque,
    Struct(Vec<Field>),
    Union(Vec<Field>),
    /// A prefix type (the root module, every `#[sabi_trait]` vtable, abi_stable's own vtables):
    /// fields after the first `first_suffix_field` may be appended.
    Prefix {
        first_suffix_field: usize,
        conditional: String,
        fields: Vec<Field>,
    },
    Enum {
        /// `Some` for a NonExhaustive enum: its size and alignment here are those of its
        /// declared storage, the enum itself must fit in it.
        non_exhaustive: Option<NonExhaustive>,
        variants: Vec<Variant>,
    },
}

/// The size of a NonExhaustive enum itself (its entry's size is that of the storage).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NonExhaustive {
    pub original_size: usize,
    pub original_align: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    pub name: String,
    pub discriminant: String,
    pub fields: Vec<Field>,
}

/// A field of a struct, union, prefix type or variant, or a phantom field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub ty: String,
    /// The index of the field type's entry.
    pub target: usize,
    /// The lifetime indices (`Debug`), empty for none.
    pub lifetimes: String,
    /// Prefix-type fields only: `Yes`, `No` or `Conditional`.
    pub accessible: String,
    /// The signatures of the function pointers the field holds.
    pub functions: Vec<Function>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    pub is_unsafe: bool,
    pub name: String,
    pub bound_lifetimes: String,
    pub params: Vec<Param>,
    pub returns: Param,
    /// The parameters' and return type's lifetime indices (`Debug`), empty for none.
    pub lifetime_indices: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    pub ty: String,
    pub target: usize,
}

/// Every layout reachable from `root`, preorder, each once: the layout, then the ones its
/// shared vars list, then the ones its extra checks name (abi_stable's own printing order).
pub fn reachable_layouts(root: &'static TypeLayout) -> Vec<&'static TypeLayout> {
    fn visit(
        layout: &'static TypeLayout,
        seen: &mut HashMap<UTypeId, usize>,
        out: &mut Vec<&'static TypeLayout>,
    ) {
        if seen.contains_key(&layout.get_utypeid()) {
            return;
        }
        seen.insert(layout.get_utypeid(), out.len());
        out.push(layout);
        for nested in layout.shared_vars().type_layouts() {
            visit(nested(), seen, out);
        }
        if let Some(checks) = layout.extra_checks() {
            for nested in checks.nested_type_layouts().iter() {
                visit(nested, seen, out);
            }
        }
    }
    let mut out = Vec::new();
    visit(root, &mut HashMap::new(), &mut out);
    out
}

/// abi_stable accepts any version of a package that is "loosely compatible": same major, and
/// for 0.x the same minor. That range is what a layout records of a package's version.
pub fn compatible_range(version: VersionStrings) -> String {
    match version.parsed() {
        Ok(v) if v.major == 0 => format!("0.{}", v.minor),
        Ok(v) => v.major.to_string(),
        Err(_) => format!("unparsed {version}"),
    }
}

impl Layout {
    /// The layout of `root` and of everything reachable from it.
    pub fn of(root: &'static TypeLayout) -> Layout {
        let layouts = reachable_layouts(root);
        let index: HashMap<UTypeId, usize> = layouts
            .iter()
            .enumerate()
            .map(|(i, layout)| (layout.get_utypeid(), i))
            .collect();
        let builder = Builder { index: &index };
        Layout {
            entries: layouts.iter().map(|layout| builder.entry(layout)).collect(),
        }
    }
}

struct Builder<'a> {
    index: &'a HashMap<UTypeId, usize>,
}

impl Builder<'_> {
    fn target(&self, layout: &'static TypeLayout) -> usize {
        // Every field's and parameter's layout is one of its owner's shared vars, which
        // `reachable_layouts` visits.
        *self.index.get(&layout.get_utypeid()).unwrap_or_else(|| {
            panic!(
                "{} is referenced but was not reached from the root",
                layout.full_type()
            )
        })
    }

    fn entry(&self, layout: &'static TypeLayout) -> TypeEntry {
        let (package, version) = layout.package_and_version();
        let generics = layout.generics();
        let consts = generics.const_params();
        let kind = match layout.data() {
            TLData::Primitive(primitive) => Kind::Primitive(format!("{primitive:?}")),
            TLData::Opaque => Kind::Opaque,
            TLData::Struct { fields } => Kind::Struct(self.fields(fields, None)),
            TLData::Union { fields } => Kind::Union(self.fields(fields, None)),
            TLData::PrefixType(prefix) => {
                let accessible: Vec<String> = prefix
                    .accessible_fields
                    .iter()
                    .take(prefix.fields.len())
                    .map(|a| format!("{a:?}"))
                    .collect();
                Kind::Prefix {
                    first_suffix_field: usize::from(prefix.first_suffix_field),
                    conditional: format!("{:b}", prefix.conditional_prefix_fields.bits()),
                    fields: self.fields(prefix.fields, Some(&accessible)),
                }
            }
            TLData::Enum(tl_enum) => {
                let non_exhaustive = tl_enum.exhaustiveness.as_nonexhaustive().map(|ne| {
                    non_exhaustive_from_debug(&format!("{ne:?}")).unwrap_or_else(|| {
                        panic!("unexpected TLNonExhaustive Debug output: {ne:?}")
                    })
                });
                let discriminants = format!("{:?}", tl_enum.discriminants);
                let discriminants: Vec<&str> = discriminants
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .split(", ")
                    .collect();
                let mut names = tl_enum.variant_names.as_str().split(';');
                let mut fields = self.fields(tl_enum.fields, None).into_iter();
                let variants = tl_enum
                    .field_count
                    .as_slice()
                    .iter()
                    .enumerate()
                    .map(|(i, count)| Variant {
                        name: names.next().unwrap_or_default().to_owned(),
                        discriminant: discriminants.get(i).copied().unwrap_or("?").to_owned(),
                        fields: fields.by_ref().take(usize::from(*count)).collect(),
                    })
                    .collect();
                Kind::Enum {
                    non_exhaustive,
                    variants,
                }
            }
        };
        TypeEntry {
            name: layout.full_type().to_string(),
            package: format!("{package}@{}", compatible_range(version)),
            size: layout.size(),
            align: layout.alignment(),
            repr: format!("{:?}", layout.repr_attr()),
            nonzero: layout.is_nonzero(),
            lifetimes: generics.lifetime_count(),
            consts: if consts.is_empty() {
                String::new()
            } else {
                format!("{consts:?}")
            },
            tag: layout.tag().to_string(),
            extra_checks: layout
                .extra_checks()
                .map(|checks| checks.to_string())
                .unwrap_or_default(),
            phantom_fields: self.fields(layout.phantom_fields(), None),
            kind,
        }
    }

    fn fields(&self, fields: TLFields, accessible: Option<&[String]>) -> Vec<Field> {
        fields
            .iter()
            .enumerate()
            .map(|(i, field)| self.field(&field, accessible.and_then(|a| a.get(i))))
            .collect()
    }

    fn field(&self, field: &TLField, accessible: Option<&String>) -> Field {
        let lifetimes = field.lifetime_indices();
        Field {
            name: field.name().to_owned(),
            ty: field.full_type().to_string(),
            target: self.target(field.layout()),
            lifetimes: if lifetimes.is_empty() {
                String::new()
            } else {
                format!("{lifetimes:?}")
            },
            accessible: accessible.cloned().unwrap_or_default(),
            functions: field
                .function_range()
                .iter()
                .map(|f| self.function(&f))
                .collect(),
        }
    }

    fn function(&self, function: &TLFunction) -> Function {
        // abi_stable names unnamed parameters `param_<i>` (its `GetParamNames`).
        let mut names = function.param_names.as_str().split(';');
        let params = function
            .param_type_layouts
            .iter()
            .enumerate()
            .map(|(i, layout)| {
                let layout = layout();
                let name = match names.next().filter(|n| !n.is_empty()) {
                    Some(name) => name.to_owned(),
                    None => format!("param_{i}"),
                };
                Param {
                    name,
                    ty: layout.full_type().to_string(),
                    target: self.target(layout),
                }
            })
            .collect();
        let returns = match function.return_type_layout() {
            Some(layout) => layout(),
            None => <() as StableAbi>::LAYOUT,
        };
        Function {
            is_unsafe: function.fn_qualifs.is_unsafe(),
            name: function.name.as_str().to_owned(),
            bound_lifetimes: function.bound_lifetimes.as_str().to_owned(),
            params,
            returns: Param {
                name: "__returns".to_owned(),
                ty: returns.full_type().to_string(),
                target: self.target(returns),
            },
            lifetime_indices: if function.paramret_lifetime_indices.is_empty() {
                String::new()
            } else {
                format!("{:?}", function.paramret_lifetime_indices)
            },
        }
    }
}

/// `TLNonExhaustive { original_size: 40, original_alignment_pow2: 3 }` (its fields are
/// private; `Debug` is the one way to read them).
fn non_exhaustive_from_debug(text: &str) -> Option<NonExhaustive> {
    let number_after = |key: &str| -> Option<usize> {
        let rest = &text[text.find(key)? + key.len()..];
        let end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        rest[..end].parse().ok()
    };
    let pow2 = u32::try_from(number_after("original_alignment_pow2: ")?).ok()?;
    Some(NonExhaustive {
        original_size: number_after("original_size: ")?,
        original_align: 1usize.checked_shl(pow2)?,
    })
}

// ---------------------------------------------------------------------------------------------
// Text form

fn escape(text: &str) -> String {
    let mut out = text.replace('\\', "\\\\").replace('\n', "\\n");
    if out.ends_with(' ') {
        out.pop();
        out.push_str("\\s");
    }
    out
}

fn unescape(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('s') => out.push(' '),
            other => return Err(format!("unknown escape `\\{}`", other.unwrap_or(' '))),
        }
    }
    Ok(out)
}

impl Layout {
    /// The entries in their text form (no file header).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for (index, entry) in self.entries.iter().enumerate() {
            write_entry(&mut out, index, entry);
        }
        out
    }

    /// Parses what [`Layout::to_text`] wrote (lines before the first entry are skipped).
    pub fn parse(text: &str) -> Result<Layout, String> {
        let lines: Vec<Line> = text
            .lines()
            .enumerate()
            .map(|(i, raw)| {
                let content = raw.trim_start_matches(' ');
                let (key, rest) = content.split_once(' ').unwrap_or((content, ""));
                Line {
                    number: i + 1,
                    indent: raw.len() - content.len(),
                    key,
                    rest,
                }
            })
            .skip_while(|line| !is_entry_start(line))
            .collect();
        let mut cursor = Cursor { lines, pos: 0 };
        let mut entries = Vec::new();
        while cursor.peek().is_some() {
            entries.push(parse_entry(&mut cursor, entries.len())?);
        }
        if entries.is_empty() {
            return Err("no `#0 …` entry".to_owned());
        }
        let layout = Layout { entries };
        layout.check_targets()?;
        Ok(layout)
    }

    fn check_targets(&self) -> Result<(), String> {
        let count = self.entries.len();
        for (index, entry) in self.entries.iter().enumerate() {
            for field in entry.all_fields() {
                let targets =
                    std::iter::once(field.target).chain(field.functions.iter().flat_map(|f| {
                        f.params
                            .iter()
                            .map(|p| p.target)
                            .chain(std::iter::once(f.returns.target))
                    }));
                for target in targets {
                    if target >= count {
                        return Err(format!(
                            "entry #{index} field `{}` refers to #{target}, but there are only \
                             {count} entries",
                            field.name
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

impl TypeEntry {
    /// Phantom fields, then the fields of the kind (of every variant, in order).
    pub fn all_fields(&self) -> impl Iterator<Item = &Field> {
        let own: Box<dyn Iterator<Item = &Field>> = match &self.kind {
            Kind::Struct(fields) | Kind::Union(fields) | Kind::Prefix { fields, .. } => {
                Box::new(fields.iter())
            }
            Kind::Enum { variants, .. } => Box::new(variants.iter().flat_map(|v| v.fields.iter())),
            Kind::Primitive(_) | Kind::Opaque => Box::new(std::iter::empty()),
        };
        self.phantom_fields.iter().chain(own)
    }

    /// `struct`, `prefix type`, `NonExhaustive enum`, …: for messages.
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            Kind::Primitive(_) => "primitive",
            Kind::Opaque => "opaque type",
            Kind::Struct(_) => "struct",
            Kind::Union(_) => "union",
            Kind::Prefix { .. } => "prefix type",
            Kind::Enum {
                non_exhaustive: Some(_),
                ..
            } => "NonExhaustive enum",
            Kind::Enum { .. } => "enum",
        }
    }
}

fn write_entry(out: &mut String, index: usize, entry: &TypeEntry) {
    let mut line = |indent: usize, text: String| {
        out.push_str(&" ".repeat(indent));
        out.push_str(&text);
        out.push('\n');
    };
    line(0, format!("#{index} {}", escape(&entry.name)));
    line(2, format!("package {}", escape(&entry.package)));
    line(
        2,
        format!(
            "size={} align={} repr={} nonzero={} lifetimes={}",
            entry.size, entry.align, entry.repr, entry.nonzero, entry.lifetimes
        ),
    );
    if !entry.consts.is_empty() {
        line(2, format!("consts {}", escape(&entry.consts)));
    }
    line(2, format!("tag {}", escape(&entry.tag)));
    if !entry.extra_checks.is_empty() {
        line(2, format!("extra-checks {}", escape(&entry.extra_checks)));
    }
    let mut fields = Vec::new();
    for field in &entry.phantom_fields {
        write_field(&mut fields, 2, "phantom", field);
    }
    match &entry.kind {
        Kind::Primitive(primitive) => fields.push(format!("  primitive {primitive}")),
        Kind::Opaque => fields.push("  opaque".to_owned()),
        Kind::Struct(list) | Kind::Union(list) => {
            let word = if matches!(entry.kind, Kind::Struct(_)) {
                "struct"
            } else {
                "union"
            };
            fields.push(format!("  {word}"));
            for field in list {
                write_field(&mut fields, 2, "field", field);
            }
        }
        Kind::Prefix {
            first_suffix_field,
            conditional,
            fields: list,
        } => {
            fields.push(format!(
                "  prefix first_suffix_field={first_suffix_field} conditional={conditional}"
            ));
            for field in list {
                write_field(&mut fields, 2, "field", field);
            }
        }
        Kind::Enum {
            non_exhaustive,
            variants,
        } => {
            fields.push(match non_exhaustive {
                Some(ne) => format!(
                    "  non-exhaustive-enum original_size={} original_align={}",
                    ne.original_size, ne.original_align
                ),
                None => "  enum".to_owned(),
            });
            for variant in variants {
                fields.push(format!(
                    "  variant {} = {}",
                    escape(&variant.name),
                    escape(&variant.discriminant)
                ));
                for field in &variant.fields {
                    write_field(&mut fields, 4, "field", field);
                }
            }
        }
    }
    for text in fields {
        out.push_str(&text);
        out.push('\n');
    }
}

fn write_field(out: &mut Vec<String>, indent: usize, word: &str, field: &Field) {
    let pad = " ".repeat(indent);
    out.push(format!(
        "{pad}{word} {}: {} -> #{}",
        escape(&field.name),
        escape(&field.ty),
        field.target
    ));
    if !field.lifetimes.is_empty() {
        out.push(format!("{pad}  lifetimes {}", escape(&field.lifetimes)));
    }
    if !field.accessible.is_empty() {
        out.push(format!("{pad}  accessible {}", escape(&field.accessible)));
    }
    for function in &field.functions {
        let safety = if function.is_unsafe { "unsafe" } else { "safe" };
        out.push(format!("{pad}  fn {safety} {}", escape(&function.name)));
        if !function.bound_lifetimes.is_empty() {
            out.push(format!(
                "{pad}    bound-lifetimes {}",
                escape(&function.bound_lifetimes)
            ));
        }
        for param in &function.params {
            out.push(format!(
                "{pad}    param {}: {} -> #{}",
                escape(&param.name),
                escape(&param.ty),
                param.target
            ));
        }
        out.push(format!(
            "{pad}    returns {}: {} -> #{}",
            escape(&function.returns.name),
            escape(&function.returns.ty),
            function.returns.target
        ));
        if !function.lifetime_indices.is_empty() {
            out.push(format!(
                "{pad}    lifetime-indices {}",
                escape(&function.lifetime_indices)
            ));
        }
    }
}

struct Line<'a> {
    number: usize,
    indent: usize,
    key: &'a str,
    rest: &'a str,
}

fn is_entry_start(line: &Line) -> bool {
    line.indent == 0
        && line.key.starts_with('#')
        && line.key[1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
}

struct Cursor<'a> {
    lines: Vec<Line<'a>>,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<&Line<'a>> {
        self.lines.get(self.pos)
    }

    /// The next line if it is indented by exactly `indent`.
    fn next_at(&mut self, indent: usize) -> Option<&Line<'a>> {
        let line = self.lines.get(self.pos)?;
        if line.indent != indent {
            return None;
        }
        self.pos += 1;
        self.lines.get(self.pos - 1)
    }

    /// The next line at `indent` if its key is `key`.
    fn take_key(&mut self, indent: usize, key: &str) -> Option<&Line<'a>> {
        let line = self.lines.get(self.pos)?;
        if line.indent == indent && line.key == key {
            self.pos += 1;
            return self.lines.get(self.pos - 1);
        }
        None
    }
}

fn error(line: &Line, what: &str) -> String {
    format!(
        "line {}: {what} (found `{}{}{}`)",
        line.number,
        line.key,
        if line.rest.is_empty() { "" } else { " " },
        line.rest
    )
}

fn parse_entry(cursor: &mut Cursor, expected_index: usize) -> Result<TypeEntry, String> {
    let head = cursor.next_at(0).ok_or("expected an entry")?;
    if !is_entry_start(head) || head.key[1..] != expected_index.to_string() {
        return Err(error(
            head,
            &format!("expected entry `#{expected_index} <type>`"),
        ));
    }
    let name = unescape(head.rest)?;
    let package = cursor
        .take_key(2, "package")
        .map(|l| unescape(l.rest))
        .transpose()?
        .ok_or_else(|| format!("entry #{expected_index}: no `package` line"))?;
    let sizes = cursor
        .next_at(2)
        .ok_or_else(|| format!("entry #{expected_index}: no `size=… align=…` line"))?;
    let sizes_text = format!("{} {}", sizes.key, sizes.rest);
    let attrs: HashMap<&str, &str> = sizes_text
        .split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .collect();
    let attr = |key: &str| -> Result<&str, String> {
        attrs
            .get(key)
            .copied()
            .ok_or_else(|| format!("entry #{expected_index}: no `{key}=` in `{sizes_text}`"))
    };
    let number = |key: &str| -> Result<usize, String> {
        attr(key)?
            .parse()
            .map_err(|_| format!("entry #{expected_index}: `{key}` is not a number"))
    };
    let (size, align, lifetimes) = (number("size")?, number("align")?, number("lifetimes")?);
    let repr = attr("repr")?.to_owned();
    let nonzero = attr("nonzero")? == "true";
    let consts = optional_value(cursor, 2, "consts")?;
    let tag = optional_value(cursor, 2, "tag")?;
    let extra_checks = optional_value(cursor, 2, "extra-checks")?;
    let mut phantom_fields = Vec::new();
    while cursor
        .peek()
        .is_some_and(|l| l.indent == 2 && l.key == "phantom")
    {
        phantom_fields.push(parse_field(cursor, 2, "phantom")?);
    }
    let kind_line = cursor
        .next_at(2)
        .ok_or_else(|| format!("entry #{expected_index}: no kind line"))?;
    let (kind_key, kind_rest) = (kind_line.key, kind_line.rest);
    let kind_error = error(kind_line, "expected a kind");
    let kind_attrs: HashMap<&str, &str> = kind_rest
        .split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .collect();
    let kind_number = |key: &str| -> Result<usize, String> {
        kind_attrs
            .get(key)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("entry #{expected_index}: no number `{key}=`"))
    };
    let kind = match kind_key {
        "primitive" => Kind::Primitive(kind_rest.to_owned()),
        "opaque" => Kind::Opaque,
        "struct" => Kind::Struct(parse_fields(cursor, 2)?),
        "union" => Kind::Union(parse_fields(cursor, 2)?),
        "prefix" => Kind::Prefix {
            first_suffix_field: kind_number("first_suffix_field")?,
            conditional: kind_attrs
                .get("conditional")
                .copied()
                .unwrap_or_default()
                .to_owned(),
            fields: parse_fields(cursor, 2)?,
        },
        "enum" | "non-exhaustive-enum" => {
            let non_exhaustive = if kind_key == "enum" {
                None
            } else {
                Some(NonExhaustive {
                    original_size: kind_number("original_size")?,
                    original_align: kind_number("original_align")?,
                })
            };
            let mut variants = Vec::new();
            while let Some(line) = cursor.take_key(2, "variant") {
                let (name, discriminant) = line
                    .rest
                    .split_once(" = ")
                    .ok_or_else(|| error(line, "expected `variant <name> = <discriminant>`"))?;
                let (name, discriminant) = (unescape(name)?, unescape(discriminant)?);
                variants.push(Variant {
                    name,
                    discriminant,
                    fields: parse_fields(cursor, 4)?,
                });
            }
            Kind::Enum {
                non_exhaustive,
                variants,
            }
        }
        _ => return Err(kind_error),
    };
    if let Some(line) = cursor.peek() {
        if line.indent != 0 {
            return Err(error(
                line,
                &format!("unexpected line in entry #{expected_index}"),
            ));
        }
    }
    Ok(TypeEntry {
        name,
        package,
        size,
        align,
        repr,
        nonzero,
        lifetimes,
        consts,
        tag,
        extra_checks,
        phantom_fields,
        kind,
    })
}

fn optional_value(cursor: &mut Cursor, indent: usize, key: &str) -> Result<String, String> {
    match cursor.take_key(indent, key) {
        Some(line) => unescape(line.rest),
        None => Ok(String::new()),
    }
}

fn parse_fields(cursor: &mut Cursor, indent: usize) -> Result<Vec<Field>, String> {
    let mut fields = Vec::new();
    while cursor
        .peek()
        .is_some_and(|l| l.indent == indent && l.key == "field")
    {
        fields.push(parse_field(cursor, indent, "field")?);
    }
    Ok(fields)
}

/// `<name>: <type> -> #<target>`.
fn parse_typed(line: &Line) -> Result<(String, String, usize), String> {
    let (named, target) = line
        .rest
        .rsplit_once(" -> #")
        .ok_or_else(|| error(line, "expected `<name>: <type> -> #<index>`"))?;
    let (name, ty) = named
        .split_once(": ")
        .ok_or_else(|| error(line, "expected `<name>: <type>`"))?;
    let target = target
        .parse()
        .map_err(|_| error(line, "expected an entry index after `-> #`"))?;
    Ok((unescape(name)?, unescape(ty)?, target))
}

fn parse_field(cursor: &mut Cursor, indent: usize, word: &str) -> Result<Field, String> {
    let line = cursor
        .take_key(indent, word)
        .ok_or_else(|| format!("expected `{word} …`"))?;
    let (name, ty, target) = parse_typed(line)?;
    let lifetimes = optional_value(cursor, indent + 2, "lifetimes")?;
    let accessible = optional_value(cursor, indent + 2, "accessible")?;
    let mut functions = Vec::new();
    while let Some(line) = cursor.take_key(indent + 2, "fn") {
        let (safety, name) = line
            .rest
            .split_once(' ')
            .ok_or_else(|| error(line, "expected `fn safe|unsafe <name>`"))?;
        let is_unsafe = match safety {
            "unsafe" => true,
            "safe" => false,
            _ => return Err(error(line, "expected `fn safe|unsafe <name>`")),
        };
        let name = unescape(name)?;
        let bound_lifetimes = optional_value(cursor, indent + 4, "bound-lifetimes")?;
        let mut params = Vec::new();
        while let Some(line) = cursor.take_key(indent + 4, "param") {
            let (name, ty, target) = parse_typed(line)?;
            params.push(Param { name, ty, target });
        }
        let returns = cursor
            .take_key(indent + 4, "returns")
            .ok_or_else(|| format!("fn `{name}` has no `returns` line"))?;
        let (returns_name, returns_ty, returns_target) = parse_typed(returns)?;
        let lifetime_indices = optional_value(cursor, indent + 4, "lifetime-indices")?;
        functions.push(Function {
            is_unsafe,
            name,
            bound_lifetimes,
            params,
            returns: Param {
                name: returns_name,
                ty: returns_ty,
                target: returns_target,
            },
            lifetime_indices,
        });
    }
    Ok(Field {
        name,
        ty,
        target,
        lifetimes,
        accessible,
        functions,
    })
}
