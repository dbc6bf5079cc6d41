//! The layers point one way: no two top-level modules of the library, or of the
//! binary, reach each other through `crate::` paths (comments excluded).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::common::repo;

/// The binary's own modules (src/main.rs); every other file of src/ is the library's.
const BINARY: &[&str] = &["main", "cli", "commands", "error", "term"];

/// The top-level module a source file belongs to (`src/server/app/emit_op.rs` is `server`).
fn module_of(path: &Path) -> String {
    let rel = path.strip_prefix(repo().join("src")).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// The top-level modules that `source` names after `crate::`, also inside `use crate::{…}`.
fn uses(source: &str) -> BTreeSet<String> {
    let code: String = source
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        let names: Vec<String> = if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            group[..end]
                .split(',')
                .map(|item| item.trim().split("::").next().unwrap_or("").to_string())
                .collect()
        } else {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            vec![rest[..end].to_string()]
        };
        found.extend(
            names
                .into_iter()
                .filter(|n| n.starts_with(|c: char| c.is_ascii_lowercase())),
        );
    }
    found
}

fn rust_files(dir: &Path, into: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

/// Every use that lies on a cycle, as `from -> to`: `to` reaches `from` back.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut next = vec![from.to_string()];
        while let Some(module) = next.pop() {
            if module == to {
                return true;
            }
            if seen.insert(module.clone()) {
                next.extend(graph.get(&module).into_iter().flatten().cloned());
            }
        }
        false
    };
    let mut found = Vec::new();
    for (from, targets) in graph {
        for to in targets.iter().filter(|to| reaches(to, from)) {
            found.push(format!("{from} -> {to}"));
        }
    }
    found
}

#[test]
fn no_module_cycle() {
    let mut files = Vec::new();
    rust_files(&repo().join("src"), &mut files);
    let mut library = BTreeMap::<String, BTreeSet<String>>::new();
    let mut binary = BTreeMap::<String, BTreeSet<String>>::new();
    for file in files {
        let module = module_of(&file);
        let graph = if BINARY.contains(&module.as_str()) {
            &mut binary
        } else {
            &mut library
        };
        let source = std::fs::read_to_string(&file).unwrap();
        let targets: Vec<String> = uses(&source).into_iter().filter(|t| *t != module).collect();
        graph.entry(module).or_default().extend(targets);
    }
    assert!(library.len() > 20 && binary.len() == BINARY.len());
    let found: Vec<_> = cycles(&library)
        .into_iter()
        .chain(cycles(&binary))
        .collect();
    assert!(found.is_empty(), "module cycles: {found:?}");
}

#[test]
fn a_cycle_is_found() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("path", "use crate::registry::Registry;"),
        (
            "registry",
            "fn f() { crate::path::list_text() } // crate::view",
        ),
        ("view", "use crate::{paint::Paint, registry};"),
    ]
    .into_iter()
    .map(|(module, source)| (module.to_string(), uses(source)))
    .collect();
    let view = BTreeSet::from(["paint".to_string(), "registry".to_string()]);
    assert_eq!(graph["view"], view);
    assert_eq!(cycles(&graph), ["path -> registry", "registry -> path"]);
}
