//! Issue 22: the printed program runs as printed. `export LESSON --lang js` writes
//! the lesson's server as a Node project; each one runs on Node (socket.io 4.8, the
//! Node reference's locked `node_modules`), and the lesson run against it must give
//! the same `--json` document, step by step, as on the embedded server. The code a
//! step shows must be the exported code too.

use std::process::Command;
use std::time::Duration;

use crate::common::{self, repo, ChildServer, Ready};
use crate::reference::{differences_by_design, first_difference, json_run};
use socketio_lab::lesson::EMBEDDED;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `socketio-lab export ID` into `dir`, with the Node reference's `node_modules`
/// linked in (CI has no network for `npm install`; the versions are the same).
fn export(id: &str, dir: &std::path::Path) -> std::path::PathBuf {
    let project = dir.join(id);
    let out = common::run(&["export", id, "--dir", project.to_str().unwrap()]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    std::os::unix::fs::symlink(
        repo().join("examples/node-reference/node_modules"),
        project.join("node_modules"),
    )
    .unwrap();
    project
}

/// The JavaScript blocks a transcript shows (under `JS`), each as its lines with no
/// whitespace, comments left out: a connection handler shown with "// … shown when
/// it runs" in place of each attached handler's body must still be the exported
/// one, those bodies aside; a line wrapped on screen is two pieces.
fn shown_js(transcript: &str) -> Vec<Vec<String>> {
    shown_blocks(transcript, "    JS")
}

/// The code blocks a transcript shows under `heading` (`    JS`, `    Rust`), as
/// [`shown_js`] reads them.
fn shown_blocks(transcript: &str, heading: &str) -> Vec<Vec<String>> {
    let mut blocks = Vec::new();
    let mut block: Option<Vec<String>> = None;
    for line in transcript.lines() {
        // `    JS  index.js`: the label names the file the numbers refer to.
        if line == heading || line.starts_with(&format!("{heading}  ")) {
            block = Some(Vec::new());
            continue;
        }
        let Some(pieces) = block.as_mut() else {
            continue;
        };
        if line.starts_with("      ") {
            let code = common::without_line_number(line);
            let code = code.trim();
            // Each line is a piece: a step shows the lines that ran for it (a
            // catch-all, then the event's handler), which the file may hold apart.
            if !code.starts_with("//") {
                pieces.push(code.chars().filter(|c| !c.is_whitespace()).collect());
            }
        } else if let Some(pieces) = block.take() {
            blocks.push(pieces.into_iter().filter(|p| !p.is_empty()).collect());
        }
    }
    blocks
}

/// Whether `pieces` are found in `text` in their order.
fn in_order(text: &str, pieces: &[String]) -> bool {
    let mut rest = text;
    for piece in pieces {
        match rest.find(piece.as_str()) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    true
}

#[test]
fn every_lesson_runs_the_same_on_its_exported_javascript() {
    if !common::node_ready("every_lesson_runs_the_same_on_its_exported", "socket.io") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut differences = Vec::new();
    for (id, _) in EMBEDDED {
        if crate::reference::nodes_of(id) > 0 {
            // An exported project is one server; a lesson on several nodes is
            // cross-checked on several reference processes instead (reference.rs).
            continue;
        }
        let project = export(id, dir.path());
        let index = std::fs::read_to_string(project.join("index.js")).unwrap();
        // Every block a step shows is in the file, as shown (line breaks aside).
        let exported: String = index
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
            .collect();
        let transcript = common::stdout(&common::run(&["run", id, "--color", "never"]));
        for pieces in shown_js(&transcript) {
            if !in_order(&exported, &pieces) {
                differences.push(format!(
                    "lesson `{id}` shows code its export lacks: {}",
                    pieces.join(" … ")
                ));
            }
        }
        let port = free_port();
        let mut cmd = Command::new("node");
        cmd.arg("index.js")
            .current_dir(&project)
            .env("PORT", port.to_string());
        let server = ChildServer::start(cmd, Ready::Accepts(port), Duration::from_secs(15))
            .unwrap_or_else(|e| panic!("lesson `{id}`: {e}"));
        let url = format!("http://127.0.0.1:{port}");
        let (mut on_export, code) = json_run(&["run", id, "--server", &url, "--json"]);
        let (mut embedded, _) = json_run(&["run", id, "--json"]);
        differences.extend(differences_by_design(id, &mut embedded, &mut on_export));
        if let Some(diff) = first_difference(id, &embedded, &on_export) {
            differences.push(format!(
                "{diff}\nthe exported server's log:\n{}",
                server.stderr_text()
            ));
        } else if code != Some(0) {
            differences.push(format!("lesson `{id}` exited {code:?} on its export"));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n\n"));
}

#[test]
fn a_taken_folder_and_an_unknown_lesson_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p");
    let out = common::run(&["export", "rooms", "--dir", project.to_str().unwrap()]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let again = common::run(&["export", "rooms", "--dir", project.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        common::stderr(&again).contains("already exists"),
        "{}",
        common::stderr(&again)
    );
    let unknown = common::run(&["export", "room"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        common::stderr(&unknown).contains("did you mean `rooms`"),
        "{}",
        common::stderr(&unknown)
    );
}

/// Every quiz choice that is handler code exports too (`--choice QUESTION:N`): each
/// server starts on Node and takes a connection.
#[test]
fn every_handler_code_choice_exports_a_server_that_starts() {
    if !common::node_ready("every_handler_code_choice_exports", "socket.io") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut exported = 0;
    for (id, text) in EMBEDDED {
        let lesson = socketio_lab::lesson::parse(id, id, text).unwrap();
        for q in &lesson.questions {
            for (n, choice) in q.choices.iter().enumerate() {
                if choice.app.is_none() || choice.app == lesson.app {
                    continue;
                }
                let project = dir.path().join(format!("{id}-{}-{}", q.id, n + 1));
                let spec = format!("{}:{}", q.id, n + 1);
                let dir_arg = project.to_str().unwrap();
                let out = common::run(&["export", id, "--choice", &spec, "--dir", dir_arg]);
                assert!(
                    out.status.success(),
                    "{id} {spec}: {}",
                    common::stderr(&out)
                );
                std::os::unix::fs::symlink(
                    repo().join("examples/node-reference/node_modules"),
                    project.join("node_modules"),
                )
                .unwrap();
                let port = free_port();
                let mut cmd = Command::new("node");
                cmd.arg("index.js")
                    .current_dir(&project)
                    .env("PORT", port.to_string());
                ChildServer::start(cmd, Ready::Accepts(port), Duration::from_secs(15))
                    .unwrap_or_else(|e| panic!("lesson `{id}`, choice {spec}: {e}"));
                exported += 1;
            }
        }
    }
    assert!(exported >= 10, "only {exported} choices are handler code");
    let wrong = common::run(&["export", "rooms", "--choice", "room-subst:1"]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        common::stderr(&wrong).contains("did you mean `room-subset`"),
        "{}",
        common::stderr(&wrong)
    );
}

/// `export --lang rust` writes, as `src/main.rs`, exactly the program that
/// `tests/it/printed_rust.rs` compiles for the lesson (and installs on a server),
/// behind a comment; and every Rust block a step shows is in that file, in order.
#[test]
fn every_lessons_rust_export_is_the_compiled_program() {
    let dir = tempfile::tempdir().unwrap();
    let printed = repo().join("tests/it/printed");
    let mut checked = 0;
    for (id, text) in EMBEDDED {
        let lesson = socketio_lab::lesson::parse(id, id, text).unwrap();
        if lesson.app.is_none() {
            continue;
        }
        let project = dir.path().join(format!("{id}-rs"));
        let out = common::run(&[
            "export",
            id,
            "--lang",
            "rust",
            "--dir",
            project.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", common::stderr(&out));
        let main = std::fs::read_to_string(project.join("src/main.rs")).unwrap();
        let manifest = std::fs::read_to_string(project.join("Cargo.toml")).unwrap();
        assert!(manifest.contains("socketioxide = "), "{manifest}");
        // The compiled file is the tutorial chat's when the lesson runs that app.
        let compiled = [id.replace('-', "_"), "tutorial_chat".to_string()]
            .iter()
            .filter_map(|name| std::fs::read_to_string(printed.join(format!("{name}.rs"))).ok())
            .map(|text| text.split_once('\n').unwrap().1.to_string())
            .find(|code| main.ends_with(code.as_str()));
        assert!(
            compiled.is_some(),
            "lesson `{id}`: src/main.rs is not a compiled file of tests/it/printed:\n{main}"
        );
        let exported: String = main
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
            .collect();
        let transcript = common::stdout(&common::run(&["run", id, "--color", "never"]));
        for pieces in shown_blocks(&transcript, "    Rust") {
            assert!(
                in_order(&exported, &pieces),
                "lesson `{id}`: a Rust block shown is not in src/main.rs: {pieces:?}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 9, "{checked}");
}
