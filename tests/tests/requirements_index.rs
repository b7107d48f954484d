//! The requirement-id index, `docs/requirements.md`, against the ids the code cites.
//!
//! Comments and test names cite requirement ids of the behaviour spec (kept outside the
//! repository) and of the repository's own decisions (`PLG-`). A reader of a clone looks
//! them up in `docs/requirements.md`, so every cited id must be defined there. These tests
//! scan every `*.rs` file of the repository (skipping `target/`, `node_modules/` and `.git/`
//! directories at any depth) and check the index itself. Std only; the scanner is written
//! by hand. `.ci/req-coverage` applies the same grammar with awk.
//!
//! # What counts as a citation
//!
//! 1. **Upper-case ids**: `PREFIX-NUMBER`, where PREFIX is a maximal run of 2 to 6 ASCII
//!    capitals, NUMBER is an optional capital (the `EX-S01` style), then 2 or 3 digits (the
//!    whole digit run), then an optional lower-case letter (the `DISC-19a` style). Roughly
//!    `[A-Z]{2,6}-[A-Z]?[0-9]{2,3}[a-z]?`, with boundaries:
//!    - the byte before the prefix is not an ASCII letter, digit, `_`, `-` or `.`, so parts of
//!      longer upper-case words are not ids (`US-EAST-12` and `ANTHROPIC.CLAUDE-OPUS-47`
//!      yield nothing);
//!    - the byte after the id is not an ASCII letter, digit or `_` (so four-digit numbers
//!      such as `ISO-8601` are not ids). A single lower-case letter right after the digits
//!      belongs to the id, so a plural written straight after an id is read as another id
//!      and reported: write "the DISC-20 fields", not the id with an `s` glued on.
//!
//!    The digit rule alone already rejects `UTF-8`, `HTTP-1`, `X-Amz-…`, region names
//!    (`US-EAST-1`) and model-name pieces (`TITAN-V2`, `v2-0`, which is lower case anyway).
//!    What still matches but is no requirement id is excluded by the prefix stoplist
//!    [`NOT_REQUIREMENT_PREFIXES`]: encodings, hashes, ciphers and standards that take a
//!    2-3 digit suffix (`UTF-16`, `SHA-256`, `AES-128`, `CRC-32`, `ISO-639`, `RFC-822`,
//!    `HTTP-11`, `TLS-13`). In the tree today only `UTF-16` needs it.
//! 2. **Shorthand continuations** right after an upper-case id: `/NN` (spaces allowed around
//!    the slash) lists another id of the same prefix, `..NN`, `…NN` (U+2026) and `–NN`
//!    (U+2013) end a range. `THINK-06/07` cites THINK-06 and THINK-07, `EX-I23 / I24` cites
//!    EX-I23 and EX-I24, `EMB-10..14` cites the range's two ends (a range means "the ids that
//!    exist in between", so only its ends are checked). A continuation without a capital
//!    inherits the first id's capital (`EX-I13/14` is EX-I14).
//! 3. **Test-name ids**: a function whose name starts with `<prefix>_<number>` for a prefix
//!    the index uses (`fn disc_45_refresh_interval_zero_disables_cache`). The whole name is
//!    then read as snake case: each `<prefix>_<number>` cites an id, following `_<number>`
//!    segments cite more ids of that prefix and `_to_<number>` ends a range
//!    (`disc_45_46_…` is DISC-45 and DISC-46, `ex_i02_i03_…` is EX-I02 and EX-I03,
//!    `disc_02_13_to_20_…` is DISC-02 plus the range DISC-13 to DISC-20). A range starts at
//!    the id written just before it, in both notations. The number's leading letter is
//!    upper-cased and its trailing letter kept (`disc_19a_…` is DISC-19a).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Upper-case prefixes that look like requirement ids but are not (see the module docs).
/// None of them is, or may become, a requirement prefix.
const NOT_REQUIREMENT_PREFIXES: &[&str] =
    &["UTF", "SHA", "AES", "CRC", "ISO", "RFC", "HTTP", "TLS"];

/// The prefix of the repository's own decisions, where the spec is silent.
const REPOSITORY_PREFIX: &str = "PLG";

/// Directory names never scanned, at any depth.
const SKIPPED_DIRS: &[&str] = &["target", "node_modules", ".git"];

/// The index, relative to the repository root.
const INDEX: &str = "docs/requirements.md";

/// The separator between an index line's id and its summary.
const INDEX_SEPARATOR: &str = "** — ";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("repository root")
}

/// One cited id, and how it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Citation {
    id: String,
    /// `Some(start)` when this id ends a range that starts at the id written just before it.
    range_from: Option<String>,
}

impl Citation {
    fn single(id: String) -> Self {
        Citation {
            id,
            range_from: None,
        }
    }
}

/// The NUMBER part of an id: optional capital, 2-3 digits, optional lower-case letter.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Number {
    letter: Option<char>,
    digits: String,
    suffix: Option<char>,
}

impl Number {
    fn render(&self, prefix: &str) -> String {
        let mut id = format!("{prefix}-");
        id.extend(self.letter);
        id.push_str(&self.digits);
        id.extend(self.suffix);
        id
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Parses an upper-case NUMBER at `at`, with the right boundary; returns it and its end.
fn parse_number(b: &[u8], at: usize) -> Option<(Number, usize)> {
    let mut i = at;
    let letter = match b.get(i) {
        Some(c) if c.is_ascii_uppercase() => {
            i += 1;
            Some(*c as char)
        }
        _ => None,
    };
    let digits_start = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let digit_count = i - digits_start;
    if !(2..=3).contains(&digit_count) {
        return None;
    }
    let digits = String::from_utf8_lossy(&b[digits_start..i]).into_owned();
    let mut suffix = None;
    if let Some(c) = b.get(i).filter(|c| c.is_ascii_lowercase()) {
        if !b.get(i + 1).copied().is_some_and(is_word_byte) {
            suffix = Some(*c as char);
            i += 1;
        }
    }
    if b.get(i).copied().is_some_and(is_word_byte) {
        return None;
    }
    Some((
        Number {
            letter,
            digits,
            suffix,
        },
        i,
    ))
}

/// The continuation operator at `at` (see the module docs), and where its number starts.
fn parse_continuation(b: &[u8], at: usize) -> Option<(bool, usize)> {
    let rest = &b[at..];
    let spaces = |s: &[u8]| s.iter().take_while(|c| **c == b' ').count();
    let lead = spaces(rest);
    if rest.get(lead) == Some(&b'/') {
        let after = lead + 1;
        return Some((false, at + after + spaces(&rest[after..])));
    }
    for range_op in ["..", "\u{2026}", "\u{2013}"] {
        if rest.starts_with(range_op.as_bytes()) {
            return Some((true, at + range_op.len()));
        }
    }
    None
}

/// Upper-case citations (rules 1 and 2) in one line.
fn upper_case_citations(line: &str) -> Vec<Citation> {
    let b = line.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let left_ok = i == 0 || !(is_word_byte(b[i - 1]) || b[i - 1] == b'-' || b[i - 1] == b'.');
        if !(left_ok && b[i].is_ascii_uppercase()) {
            i += 1;
            continue;
        }
        let mut j = i;
        while b.get(j).is_some_and(u8::is_ascii_uppercase) {
            j += 1;
        }
        let prefix = &line[i..j];
        let parsed = if (2..=6).contains(&(j - i)) && b.get(j) == Some(&b'-') {
            parse_number(b, j + 1)
        } else {
            None
        };
        let Some((first, mut end)) = parsed else {
            i = j.max(i + 1);
            continue;
        };
        if NOT_REQUIREMENT_PREFIXES.contains(&prefix) {
            i = end;
            continue;
        }
        let mut previous = first.render(prefix);
        found.push(Citation::single(previous.clone()));
        while let Some((is_range, number_at)) = parse_continuation(b, end) {
            let Some((mut next, next_end)) = parse_number(b, number_at) else {
                break;
            };
            if next.letter.is_none() {
                next.letter = first.letter;
            }
            let id = next.render(prefix);
            found.push(Citation {
                id: id.clone(),
                range_from: is_range.then_some(previous),
            });
            previous = id;
            end = next_end;
        }
        i = end;
    }
    found
}

/// A snake-case NUMBER segment: optional letter, 2-3 digits, optional letter.
fn snake_number(segment: &str) -> Option<Number> {
    let chars: Vec<char> = segment.chars().collect();
    let letter = chars
        .first()
        .filter(|c| c.is_ascii_lowercase())
        .map(char::to_ascii_uppercase);
    let mut i = usize::from(letter.is_some());
    let digits: String = chars[i..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    i += digits.len();
    if !(2..=3).contains(&digits.len()) {
        return None;
    }
    let suffix = match &chars[i..] {
        [] => None,
        [c] if c.is_ascii_lowercase() => Some(*c),
        _ => return None,
    };
    Some(Number {
        letter,
        digits,
        suffix,
    })
}

/// Test-name citations (rule 3) in one line, for the given lower-case prefixes.
fn test_name_citations(line: &str, prefixes: &BTreeSet<String>) -> Vec<Citation> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("fn ") {
        let before_ok = rest[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric() && c != '_');
        let name: String = rest[at + 3..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        rest = &rest[at + 3..];
        let segments: Vec<&str> = name.split('_').collect();
        let starts_with_id = segments.len() >= 2
            && prefixes.contains(segments[0])
            && snake_number(segments[1]).is_some();
        if !(before_ok && starts_with_id) {
            continue;
        }
        let mut k = 0;
        while k < segments.len() {
            let Some(first) = (prefixes.contains(segments[k]))
                .then(|| segments.get(k + 1).and_then(|s| snake_number(s)))
                .flatten()
            else {
                k += 1;
                continue;
            };
            let prefix = segments[k].to_ascii_uppercase();
            let mut previous = first.render(&prefix);
            found.push(Citation::single(previous.clone()));
            k += 2;
            loop {
                let (is_range, segment) = match segments.get(k) {
                    Some(&"to") => (true, segments.get(k + 1)),
                    other => (false, other),
                };
                let Some(mut next) = segment.and_then(|s| snake_number(s)) else {
                    break;
                };
                if next.letter.is_none() {
                    next.letter = first.letter;
                }
                let id = next.render(&prefix);
                found.push(Citation {
                    id: id.clone(),
                    range_from: is_range.then_some(previous),
                });
                previous = id;
                k += if is_range { 2 } else { 1 };
            }
        }
    }
    found
}

/// Every `*.rs` file under `dir`, sorted, skipping [`SKIPPED_DIRS`] and symlinks.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(fs::DirEntry::file_name);
    for entry in entries {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        let name = entry.file_name();
        if kind.is_dir() {
            if !SKIPPED_DIRS.iter().any(|skip| name == *skip) {
                rust_files(&path, out);
            }
        } else if kind.is_file() && path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// The index: id → line number, plus every problem found while reading it.
struct Index {
    ids: BTreeMap<String, usize>,
    problems: Vec<String>,
}

/// Whether `id` is one whole upper-case id of rule 1.
fn is_well_formed_id(id: &str) -> bool {
    let cited = upper_case_citations(id);
    cited.len() == 1 && cited[0].id == id
}

fn read_index(root: &Path) -> Index {
    let path = root.join(INDEX);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut ids = BTreeMap::new();
    let mut problems = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        if !line.starts_with("- ") {
            continue;
        }
        let entry = line
            .strip_prefix("- **")
            .and_then(|rest| rest.split_once(INDEX_SEPARATOR));
        let Some((id, summary)) = entry else {
            problems.push(format!(
                "{INDEX}:{n}: a list line must read `- **ID** — summary.`: {line}"
            ));
            continue;
        };
        if !is_well_formed_id(id) {
            problems.push(format!(
                "{INDEX}:{n}: `{id}` is not a well-formed requirement id"
            ));
        }
        let summary = summary.trim();
        if summary.is_empty() || !summary.ends_with('.') || summary.contains(INDEX_SEPARATOR) {
            problems.push(format!(
                "{INDEX}:{n}: {id}: the summary must be one non-empty sentence ending with `.`"
            ));
        }
        if let Some(first) = ids.insert(id.to_string(), n) {
            problems.push(format!(
                "{INDEX}:{n}: {id} is already defined at line {first}"
            ));
        }
    }
    Index { ids, problems }
}

/// The lower-case prefixes the index uses, for test-name citations.
fn index_prefixes(index: &Index) -> BTreeSet<String> {
    index
        .ids
        .keys()
        .filter_map(|id| id.split_once('-'))
        .map(|(prefix, _)| prefix.to_ascii_lowercase())
        .collect()
}

/// Every citation of every `*.rs` file: (path relative to the root, line, citation).
fn citations(root: &Path, prefixes: &BTreeSet<String>) -> Vec<(String, usize, Citation)> {
    let mut files = Vec::new();
    rust_files(root, &mut files);
    assert!(!files.is_empty(), "no *.rs files under {}", root.display());
    let mut found = Vec::new();
    for file in files {
        let Ok(bytes) = fs::read(&file) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let shown = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        for (n, line) in text.lines().enumerate() {
            let mut cited = upper_case_citations(line);
            cited.extend(test_name_citations(line, prefixes));
            found.extend(cited.into_iter().map(|c| (shown.clone(), n + 1, c)));
        }
    }
    found
}

/// The spec directory: `$BEDROCK_SPEC_DIR` (relative to the repository root), else
/// `../shared/spec` next to the repository.
fn spec_dir(root: &Path) -> Option<PathBuf> {
    let dir = match std::env::var_os("BEDROCK_SPEC_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("../shared/spec"),
    };
    dir.is_dir().then_some(dir)
}

/// Expands a range citation `from`..`to` of the same prefix and capital.
fn expand_range(from: &str, to: &str) -> Vec<String> {
    let split = |id: &str| {
        let (prefix, number) = id.split_once('-')?;
        let letter: String = number
            .chars()
            .take_while(char::is_ascii_uppercase)
            .collect();
        let digits: String = number[letter.len()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        Some((prefix.to_string(), letter, digits))
    };
    let (Some((p1, l1, d1)), Some((p2, l2, d2))) = (split(from), split(to)) else {
        return vec![to.to_string()];
    };
    let (Ok(a), Ok(b)) = (d1.parse::<u32>(), d2.parse::<u32>()) else {
        return vec![to.to_string()];
    };
    if p1 != p2 || l1 != l2 || a > b {
        return vec![to.to_string()];
    }
    (a + 1..=b)
        .map(|n| format!("{p1}-{l1}{n:0width$}", width = d2.len()))
        .collect()
}

/// The ids the spec defines: bullets that start with a bold id, and the first cells of the
/// acceptance-example tables (`| EX-S01 |`, `| EX-A02–A04 |`, `| EX-I13 / I14 |`).
fn spec_ids(dir: &Path) -> BTreeMap<String, String> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .expect("spec dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|ext| ext == "md"))
        .collect();
    files.sort();
    let mut ids = BTreeMap::new();
    for file in files {
        let text = fs::read_to_string(&file).expect("spec file");
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        for line in text.lines() {
            let trimmed = line.trim_start();
            let defined = if let Some(rest) = trimmed.strip_prefix("- **") {
                rest.split_once("**")
                    .map(|(id, _)| id)
                    .filter(|id| is_well_formed_id(id))
                    .map(|id| vec![Citation::single(id.to_string())])
                    .unwrap_or_default()
            } else if let Some(rest) = trimmed.strip_prefix("| EX-") {
                let cell = format!("EX-{}", rest.split('|').next().unwrap_or("").trim());
                upper_case_citations(&cell)
            } else {
                Vec::new()
            };
            for citation in defined {
                if let Some(from) = &citation.range_from {
                    for id in expand_range(from, &citation.id) {
                        ids.insert(id, name.clone());
                    }
                } else {
                    ids.insert(citation.id, name.clone());
                }
            }
        }
    }
    ids
}

#[test]
fn every_requirement_id_cited_in_rust_code_is_defined_in_docs_requirements_md() {
    let root = repo_root();
    let index = read_index(&root);
    let prefixes = index_prefixes(&index);
    let mut undefined = Vec::new();
    let mut distinct = BTreeSet::new();
    let all = citations(&root, &prefixes);
    for (file, line, citation) in &all {
        distinct.insert(citation.id.clone());
        if !index.ids.contains_key(&citation.id) {
            let how = match &citation.range_from {
                Some(from) => format!(" (end of a range from {from})"),
                None => String::new(),
            };
            undefined.push(format!("{file}:{line}: {}{how}", citation.id));
        }
    }
    assert!(
        undefined.is_empty(),
        "{} citation(s) of requirement ids that {INDEX} does not define; fix the id, or add \
         it to the index (spec ids: as the spec words them; decisions of this repository: \
         as {REPOSITORY_PREFIX}-NN):\n{}",
        undefined.len(),
        undefined.join("\n")
    );
    // A scan that finds (almost) nothing means the scanner or the walk broke, not success.
    assert!(
        all.len() > 100 && distinct.len() > 50,
        "only {} citations of {} ids found under {}",
        all.len(),
        distinct.len(),
        root.display()
    );
}

#[test]
fn requirements_index_lines_are_well_formed_and_ids_are_unique() {
    let root = repo_root();
    let index = read_index(&root);
    assert!(
        index.problems.is_empty(),
        "{INDEX} has malformed or duplicate entries:\n{}",
        index.problems.join("\n")
    );
    assert!(
        index.ids.len() > 100,
        "{INDEX} defines only {} ids",
        index.ids.len()
    );
    assert!(
        !NOT_REQUIREMENT_PREFIXES.contains(&REPOSITORY_PREFIX),
        "the repository prefix must not be stoplisted"
    );
}

#[test]
fn requirements_index_lists_exactly_the_spec_ids_plus_repository_decisions() {
    let root = repo_root();
    let Some(dir) = spec_dir(&root) else {
        eprintln!(
            "spec directory not found (set BEDROCK_SPEC_DIR); skipping the completeness check"
        );
        return;
    };
    let spec = spec_ids(&dir);
    assert!(
        spec.len() > 100,
        "only {} ids parsed from {}",
        spec.len(),
        dir.display()
    );
    let index = read_index(&root);
    let spec_prefixes: BTreeSet<&str> = spec
        .keys()
        .filter_map(|id| id.split_once('-'))
        .map(|(p, _)| p)
        .collect();
    assert!(
        !spec_prefixes.contains(REPOSITORY_PREFIX),
        "the spec now uses the repository prefix {REPOSITORY_PREFIX}-; choose another one"
    );
    for prefix in NOT_REQUIREMENT_PREFIXES {
        assert!(
            !spec_prefixes.contains(prefix),
            "the spec uses the stoplisted prefix {prefix}-"
        );
    }
    let missing: Vec<String> = spec
        .iter()
        .filter(|(id, _)| !index.ids.contains_key(*id))
        .map(|(id, file)| format!("{id} (defined in {file})"))
        .collect();
    let unknown: Vec<String> = index
        .ids
        .iter()
        .filter(|(id, _)| {
            !spec.contains_key(*id) && !id.starts_with(&format!("{REPOSITORY_PREFIX}-"))
        })
        .map(|(id, line)| format!("{INDEX}:{line}: {id}"))
        .collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "{INDEX} is out of date with {}.\nDefined by the spec but not indexed:\n{}\n\
         Indexed but neither defined by the spec nor a {REPOSITORY_PREFIX}- decision:\n{}",
        dir.display(),
        missing.join("\n"),
        unknown.join("\n")
    );
}

#[test]
fn id_scanner_reads_ids_shorthands_and_test_names_but_not_lookalikes() {
    // Built at run time so that this file cites no id itself.
    let id = |prefix: &str, number: &str| format!("{prefix}-{number}");
    let ids = |line: &str| -> Vec<String> {
        upper_case_citations(line)
            .into_iter()
            .map(|c| c.id)
            .collect()
    };
    let (disc, ex, think, emb) = ("DISC", "EX", "THINK", "EMB");

    let line = format!(
        "see {} and ({}), {}.",
        id(disc, "19a"),
        id(ex, "S01"),
        id(think, "06")
    );
    assert_eq!(
        ids(&line),
        [id(disc, "19a"), id(ex, "S01"), id(think, "06")]
    );
    let line = format!(
        "{}/07, {} / I24, {}/14",
        id(think, "06"),
        id(ex, "I23"),
        id(ex, "I13")
    );
    assert_eq!(
        ids(&line),
        [
            id(think, "06"),
            id(think, "07"),
            id(ex, "I23"),
            id(ex, "I24"),
            id(ex, "I13"),
            id(ex, "I14")
        ]
    );
    let ranged = upper_case_citations(&format!(
        "{}..14 {}\u{2013}A04",
        id(emb, "10"),
        id(ex, "A02")
    ));
    assert_eq!(
        ranged[1].range_from.as_deref(),
        Some(id(emb, "10").as_str())
    );
    assert_eq!(ranged[3].id, id(ex, "A04"));
    assert_eq!(
        expand_range(&id(ex, "A02"), &id(ex, "A04")),
        [id(ex, "A03"), id(ex, "A04")]
    );

    // Lookalikes: stoplisted prefixes, one or four digits, glued to a longer word.
    let lookalikes = [
        "UTF-8 and UTF-16, SHA-256, ISO-8601, HTTP-1, X-Amz-Date, v2-0",
        "US-EAST-1, US.ANTHROPIC.CLAUDE-OPUS-47, TITAN-V2, ABCDEFG-12, xDISC-45, DISC-45xy",
        "EMB-1, BR-1234, REQ-01_x, REQ-01a2, my.REQ-01, x-REQ-01",
    ];
    for line in lookalikes {
        assert_eq!(ids(line), Vec::<String>::new(), "{line}");
    }

    let prefixes: BTreeSet<String> = ["disc", "ex", "msg", "emb"].map(String::from).into();
    let names = |line: &str| -> Vec<String> {
        test_name_citations(line, &prefixes)
            .into_iter()
            .map(|c| c.id)
            .collect()
    };
    assert_eq!(
        names("fn disc_45_46_hit_after() {"),
        [id(disc, "45"), id(disc, "46")]
    );
    assert_eq!(
        names("async fn ex_i02_i03_opus_47() {"),
        [id(ex, "I02"), id(ex, "I03")]
    );
    assert_eq!(
        names("fn ex_a10_msg_07_images() {"),
        [id(ex, "A10"), id("MSG", "07")]
    );
    assert_eq!(
        names("fn disc_19a_30_choice() {"),
        [id(disc, "19a"), id(disc, "30")]
    );
    let range = test_name_citations("fn disc_02_13_to_20_x() {", &prefixes);
    assert_eq!(
        range[2].range_from.as_deref(),
        Some(id(disc, "13").as_str())
    );
    assert_eq!(
        names("fn disc_02_13_to_20_x() {"),
        [id(disc, "02"), id(disc, "13"), id(disc, "20")]
    );
    assert_eq!(names("fn helper_disc_45() {"), Vec::<String>::new());
    assert_eq!(names("fn emb_1m_context() {"), Vec::<String>::new());
}
