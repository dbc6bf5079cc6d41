//! The integration tests: one test binary, so the test build links once (as cargo,
//! ripgrep and just do). Each module is one topic; `common` holds the helpers they
//! share. A new topic is a new `tests/it/TOPIC.rs` and a `mod TOPIC;` line here, never
//! a new file directly under `tests/` (that would be a binary of its own, and
//! `one_test_binary` fails). Run one topic with `cargo test --test it -- TOPIC::`.

mod common;

mod choice_code;
mod cli;
mod demo;
mod engine;
mod export;
mod fanout;
mod hostile;
mod judge;
mod layers;
mod lessons;
mod multiplex;
mod next;
mod node_app;
mod nodes;
mod pins;
mod predict;
mod printed_rust;
mod prompt;
mod quiz;
mod reference;
mod scaling;
mod serve;
mod soak;
mod terminal;
mod verify;
mod web;
mod width;

/// Every file of `tests/it/` is a module of this binary, and `tests/` holds no other
/// test binary: a test file that cargo would build apart, or that nothing compiles,
/// fails here instead of being missed.
#[test]
fn one_test_binary() {
    let tests = common::repo().join("tests");
    let mut stray = Vec::new();
    for entry in std::fs::read_dir(&tests).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let binary = if path.is_dir() {
            path.join("main.rs").is_file() && name != "it"
        } else {
            name.ends_with(".rs")
        };
        if binary {
            stray.push(format!("tests/{name}"));
        }
    }
    let main = include_str!("main.rs");
    for entry in std::fs::read_dir(tests.join("it")).unwrap() {
        let path = entry.unwrap().path();
        let Some(module) = path
            .file_name()
            .unwrap()
            .to_str()
            .and_then(|n| n.strip_suffix(".rs"))
        else {
            continue;
        };
        if module != "main" && !main.contains(&format!("\nmod {module};\n")) {
            stray.push(format!(
                "tests/it/{module}.rs (no `mod {module};` in main.rs)"
            ));
        }
    }
    assert!(
        stray.is_empty(),
        "make these modules of tests/it/main.rs: {stray:?}"
    );
}
