//! PLG-22: the top-level modules of the plugin form layers: no module reaches, through any
//! chain of `crate::` paths in production code, back to itself. A cycle means two concerns
//! that cannot be read or changed apart (issue 7 removed four; this keeps them out).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Production sources under `dir` (test files and test folders left out).
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "tests" {
                sources(&path, out);
            }
        } else if name.ends_with(".rs") && name != "tests.rs" {
            out.push(path);
        }
    }
}

/// Top-level module → the other top-level modules its production code names.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph = BTreeMap::new();
    for entry in std::fs::read_dir(&root).expect("src is readable").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let module = name.trim_end_matches(".rs").to_owned();
        if module == "lib" || module == "bin" || module == "main" {
            continue;
        }
        let mut files = Vec::new();
        if entry.path().is_dir() {
            sources(&entry.path(), &mut files);
        } else {
            files.push(entry.path());
        }
        let uses: &mut BTreeSet<String> = graph.entry(module.clone()).or_default();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("source is readable");
            for (at, _) in text.match_indices("crate::") {
                let named: String = text[at + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                    .collect();
                if !named.is_empty() && named != module {
                    uses.insert(named);
                }
            }
        }
    }
    graph
}

/// One cycle of `graph`, as the path that closes it.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        done: &mut BTreeSet<String>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|seen| seen == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_owned());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if graph.contains_key(next) {
                if let Some(found) = visit(next, graph, done, path) {
                    return Some(found);
                }
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut done, &mut Vec::new()))
}

#[test]
fn plg_22_top_level_modules_import_each_other_in_one_direction_only() {
    let graph = graph();
    assert!(graph.contains_key("converse") && graph.contains_key("aws"));
    assert_eq!(cycle(&graph), None, "import graph: {graph:#?}");
}

#[test]
fn plg_22_the_cycle_check_finds_a_cycle() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph.insert("a".into(), ["b".to_owned()].into());
    graph.insert("b".into(), ["c".to_owned()].into());
    graph.insert("c".into(), ["a".to_owned()].into());
    assert_eq!(
        cycle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}
