//! `socketio-lab verify`: every exercise passes with its JavaScript and Rust reference
//! solutions and fails with its starter and with a plausible wrong solution (giving
//! the expected message); a tutorial-style chat passes `chat`; a crashing, silent or
//! elsewhere-listening server gets its diagnosis; Ctrl-C leaves no server behind.

use crate::common;

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{node_ready_in, repo, stderr, stdout};

const EXERCISES: [&str; 9] = [
    "proof-of-life",
    "chat",
    "broadcast",
    "rooms",
    "leave",
    "private-message",
    "admin-namespace",
    "acks",
    "typing",
];

/// What each plausible wrong solution (`examples/solutions/js/wrong/`) is told: its
/// first failure, and the start of the advice read from its traffic.
const WRONG: [(&str, &str, &str); 9] = [
    (
        "proof-of-life",
        "✗ step 3: expected the server to log `user disconnected`, but it did not",
        "→ nothing printed `user disconnected`: `console.log(\"user disconnected\")` in the handler that runs during this step",
    ),
    (
        "chat",
        "✗ step 2: expected `chat message` to reach alice, bob, carol but it reached bob, carol",
        "→ `alice`, the sender, did not get it: `io.emit(…)` reaches every socket, the sender included; `socket.broadcast.emit(…)` leaves it out",
    ),
    (
        "broadcast",
        "✗ step 2: expected `chat message` to reach bob, carol but it reached alice, bob, carol",
        "→ `alice`, the sender, got it back: `socket.broadcast.emit(…)` leaves the sender out, `io.emit(…)` does not",
    ),
    (
        "rooms",
        "✗ step 5: expected `room message` to reach alice, bob but it reached alice, bob, carol",
        "→ `carol` got it too: emit to the room alone, `io.to(room)` or `socket.to(room)`",
    ),
    (
        "leave",
        "✗ step 6: expected `room message` to reach bob, carol but it reached alice, bob, carol",
        "→ `alice` got it too: emit to the room alone, `io.to(room)` or `socket.to(room)`; a socket that called `socket.leave(room)` is no longer in it",
    ),
    (
        "private-message",
        "✗ step 2: expected `private message` to reach bob but it reached bob, carol",
        "→ `carol` got it too: emit to the room alone",
    ),
    (
        "admin-namespace",
        "✗ step 1: expected `alice` to be accepted, but it was refused",
        "→ `alice` was refused: a middleware called `next(new Error(…))` for it",
    ),
    (
        "acks",
        "✗ step 2: `alice` got no answer to `double` within 3000 ms",
        "→ the handler for `double` never answered: take the callback, its last parameter, and call it, `callback(value)`",
    ),
    (
        "typing",
        "✗ step 2: expected `bob` to receive `typing` with \"alice\", but it came with no argument",
        "→ `bob` got `typing` with no argument, not \"alice\": what follows the event's name in `emit(\"typing\", …)` is what every receiver gets",
    ),
];

/// A quiet window with room for a loaded CI machine: a wrong solution's extra
/// delivery must not arrive after it and pass unseen.
const QUIET_MS: &str = "300";

fn solutions_modules() -> PathBuf {
    repo().join("examples/solutions/node_modules")
}

/// `socketio-lab verify EXERCISE [flags] -- COMMAND` run in `dir`, progress kept in
/// the folder's own state directory.
fn verify(dir: &Path, exercise: &str, flags: &[&str], command: &[&str]) -> Output {
    common::bin()
        .current_dir(dir)
        .env("SOCKETIO_LAB_STATE_DIR", dir.join("state"))
        .env("NODE_PATH", solutions_modules())
        .args([
            "verify",
            exercise,
            "--color",
            "never",
            "--quiet-ms",
            QUIET_MS,
        ])
        .args(flags)
        .arg("--")
        .args(command)
        .output()
        .expect("the binary runs")
}

fn rust_solutions() -> PathBuf {
    // Cargo builds the examples beside the test binaries' `deps` folder.
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_socketio-lab"));
    bin.parent().unwrap().join("examples/solutions")
}

/// Checks the exit code (0 passed, 1 failed) and the closing banner; returns stdout.
fn assert_verdict(out: &Output, passed: bool, what: &str) -> String {
    let text = stdout(out);
    let (code, banner) = if passed {
        (0, "── passed: `")
    } else {
        (1, "── not yet: `")
    };
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}:\n{text}\n{}",
        stderr(out)
    );
    assert!(text.contains(banner), "{what}:\n{text}");
    // A failure ends with the exercise's hints.
    assert_eq!(text.contains("  hint: "), !passed, "{what}:\n{text}");
    // Then, pass or not, with what to do next.
    let last = text.lines().last().unwrap_or_default();
    assert!(last.starts_with("next: socketio-lab "), "{what}:\n{text}");
    text
}

fn assert_passes(out: &Output, what: &str) {
    assert_verdict(out, true, what);
}

fn assert_fails(out: &Output, what: &str) -> String {
    assert_verdict(out, false, what)
}

fn assert_has(text: &str, lines: &[&str]) {
    for line in lines {
        assert!(text.contains(line), "{line:?} missing:\n{text}");
    }
}

/// `verify --list` with the progress kept in `state`.
fn listed(state: &Path) -> String {
    let out = common::bin()
        .env("SOCKETIO_LAB_STATE_DIR", state)
        .args(["verify", "--list", "--color", "never"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn list_names_every_exercise_and_the_folder_holds_no_other() {
    let state = tempfile::tempdir().unwrap();
    let text = listed(state.path());
    for id in EXERCISES {
        assert!(
            text.contains(&format!("    {id} ")),
            "{id} missing:\n{text}"
        );
    }
    let mut files: Vec<String> = std::fs::read_dir(repo().join("exercises"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut expected: Vec<String> = EXERCISES.iter().map(|e| format!("{e}.toml")).collect();
    expected.sort();
    assert_eq!(files, expected, "every file under exercises/ is embedded");
}

#[test]
fn every_exercise_passes_with_its_rust_solution() {
    let dir = tempfile::tempdir().unwrap();
    let solutions = rust_solutions();
    let solutions = solutions.to_str().unwrap();
    std::thread::scope(|s| {
        for chunk in EXERCISES.chunks(3) {
            let dir = dir.path();
            s.spawn(move || {
                for id in chunk {
                    assert_passes(&verify(dir, id, &[], &[solutions, id]), id)
                }
            });
        }
    });
}

#[test]
fn every_exercise_passes_with_its_js_solution_and_fails_with_its_starter_and_a_wrong_one() {
    let test = "every_exercise_passes_with_its_js_solution";
    if !node_ready_in(test, "examples/solutions", "socket.io") {
        return;
    }
    let js = repo().join("examples/solutions/js");
    // Three at a time: Node's start-up is the slow part, and a loaded machine must
    // not push it past verify's 10 s wait.
    std::thread::scope(|s| {
        for chunk in WRONG.chunks(3) {
            let js = js.clone();
            s.spawn(move || {
                for &(id, message, advice) in chunk {
                    let dir = tempfile::tempdir().unwrap();
                    let solution = js.join(format!("{id}.js"));
                    let out = verify(dir.path(), id, &[], &["node", solution.to_str().unwrap()]);
                    assert_passes(&out, &format!("{id} with its solution"));

                    let init = common::bin()
                        .current_dir(dir.path())
                        .args(["verify", id, "--init", "js"])
                        .output()
                        .unwrap();
                    assert_eq!(init.status.code(), Some(0), "{}", stderr(&init));
                    let out = verify(dir.path(), id, &[], &["node", "server.js"]);
                    assert_fails(&out, &format!("{id} with its starter"));

                    let wrong = js.join(format!("wrong/{id}.js"));
                    let out = verify(dir.path(), id, &[], &["node", wrong.to_str().unwrap()]);
                    let text = assert_fails(&out, &format!("{id} with its wrong solution"));
                    // The summary wraps its lines: read them joined again.
                    let joined = text.replace("\n    ", " ");
                    assert!(
                        joined.contains(&format!("\n  {message}\n")),
                        "{id}: `{message}` missing:\n{text}"
                    );
                    assert!(
                        joined.contains(&format!("\n  {advice}")),
                        "{id}: `{advice}` missing:\n{text}"
                    );
                }
            });
        }
    });
}

#[test]
fn a_tutorial_style_chat_with_a_hard_coded_port_passes_chat() {
    if !node_ready_in("a_tutorial_style_chat", "examples/solutions", "express") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let fixture = std::fs::read_to_string(repo().join("tests/fixtures/verify/tutorial-index.js"))
        .unwrap()
        .replace("3000", &port.to_string());
    std::fs::write(dir.path().join("index.js"), fixture).unwrap();
    let out = verify(dir.path(), "chat", &[], &["node", "index.js"]);
    assert_passes(&out, "the tutorial's index.js");
    let text = stdout(&out);
    let note =
        format!("note: the server ignores `PORT` and listens on port {port}: verifying there");
    assert!(text.contains(&note), "{text}");
    assert!(
        // Two arguments, the message and its offset: not one list.
        text.contains(r#"alice  ✓  chat message "hello everyone" 1"#),
        "{text}"
    );
}

/// Issue 27: a line the server prints as it accepts the third client belongs to the
/// connect step, though it reaches verify's pipe at the moment the client sees its
/// answer. Arrival order put it under step 2 in about 5 runs of 12; the step's end
/// now reads the pipes to their last byte after a round trip to the server.
#[test]
fn a_log_line_printed_as_a_client_connects_stays_in_the_connect_step() {
    if !node_ready_in("a_log_line_printed_as", "examples/solutions", "socket.io") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let fixture = repo().join("tests/fixtures/verify/logs-each-connection.js");
    for run in 1..=6 {
        let out = verify(
            dir.path(),
            "chat",
            &["--json"],
            &["node", fixture.to_str().unwrap()],
        );
        let doc: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("one JSON document");
        assert_eq!(doc["passed"], true, "run {run}: {doc:#}");
        let lines = |step: usize| doc["steps"][step]["log"].as_array().unwrap().len();
        assert_eq!(
            (lines(0), lines(1), lines(2)),
            (3, 0, 0),
            "run {run}: three `a user connected` in step 1, none later: {doc:#}"
        );
    }
}

#[test]
fn a_failure_shows_who_received_what_and_what_was_expected_also_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let solutions = rust_solutions();
    // The `chat` solution (io.emit) where `broadcast` is asked.
    let out = verify(
        dir.path(),
        "broadcast",
        &[],
        &[solutions.to_str().unwrap(), "chat"],
    );
    let text = assert_fails(&out, "chat's solution for broadcast");
    for line in [
        "── 2/3  alice sends a chat message ──",
        "  who received it\n    alice  ✓  chat message \"hello\"\n    bob    ✓  chat message \"hello\"\n",
        "  expected `chat message` reaches bob, carol with \"hello\", and no one else\n",
        "  ✗ expected `chat message` to reach bob, carol but it reached alice, bob, carol\n",
        // A Rust server (a `target/` binary) gets the Rust hint alone.
        "  hint: `socket.broadcast().emit(\"chat message\", &msg).await`.",
        "  server  ",
    ] {
        assert!(text.contains(line), "{line:?} missing:\n{text}");
    }
    assert!(!text.contains("socket.broadcast.emit(...)"), "{text}");
    // The advice read from the traffic, in Rust for a Rust server.
    let advice = "\n  → `alice`, the sender, got it back: `socket.broadcast().emit(…)` leaves the sender out, `io.emit(…)` does not\n";
    assert!(text.replace("\n    ", " ").contains(advice), "{text}");
    assert!(
        text.contains("\nnext: socketio-lab verify broadcast --watch -- "),
        "{text}"
    );
    let out = verify(
        dir.path(),
        "broadcast",
        &["--json"],
        &[solutions.to_str().unwrap(), "chat"],
    );
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["passed"], false);
    assert_eq!(doc["quiet_ms"], 300);
    assert_eq!(
        doc["steps"][1]["received"]["alice"][0],
        serde_json::json!(["chat message", "hello"])
    );
    assert_eq!(
        doc["steps"][1]["problems"][0],
        "expected `chat message` to reach bob, carol but it reached alice, bob, carol"
    );
    assert_eq!(
        doc["steps"][1]["advice"][0],
        "`alice`, the sender, got it back: `socket.broadcast().emit(…)` leaves the sender out, `io.emit(…)` does not"
    );
    // The right solution passes, says the quiet window, and the pass is remembered.
    let out = verify(
        dir.path(),
        "broadcast",
        &[],
        &[solutions.to_str().unwrap(), "broadcast"],
    );
    assert_passes(&out, "broadcast");
    assert!(stdout(&out).contains("  ✓ no other socket received `chat message` within 300 ms\n"));
    // The exercise after it, not yet passed, is next.
    assert!(
        stdout(&out).contains("\nnext: socketio-lab verify rooms --init js   #"),
        "{}",
        stdout(&out)
    );
    let list = listed(&dir.path().join("state"));
    assert!(list.contains("  ✓ broadcast "), "{list}");
    assert!(list.contains("    chat "), "never tried:\n{list}");
}

#[test]
fn a_server_already_running_is_verified_at_its_url() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = Command::new(rust_solutions());
    cmd.arg("acks").env("PORT", port.to_string());
    let server =
        common::ChildServer::start(cmd, common::Ready::Accepts(port), Duration::from_secs(10))
            .unwrap();
    let out = common::run(&["verify", "acks", "--url", &server.url(), "--color", "never"]);
    assert_passes(&out, "acks at its URL");
    // The log is not there to read at a URL.
    common::one_line_error(
        &["verify", "proof-of-life", "--url", &server.url()],
        2,
        "error: `proof-of-life` judges the server's log",
    );
}

#[test]
fn a_server_that_crashes_or_never_listens_gets_a_diagnosis_with_its_last_lines() {
    let dir = tempfile::tempdir().unwrap();
    let crash = [
        "sh",
        "-c",
        "echo starting; echo 'Error: cannot find module express' >&2; exit 3",
    ];
    let out = verify(dir.path(), "chat", &[], &crash);
    let text = assert_fails(&out, "a crash");
    assert_has(
        &text,
        &[
            "  ✗ the server exited with status 3 before it listened on `PORT` ($PORT)\n  its last lines:\n",
            "      | Error: cannot find module express\n",
        ],
    );

    let started = Instant::now();
    let out = verify(dir.path(), "chat", &[], &["sleep", "60"]);
    let text = assert_fails(&out, "a server that never listens");
    assert!(
        text.contains("✗ the server did not listen on `PORT` ($PORT) within 10 s"),
        "{text}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );

    // A server on another port than PORT is found there, and said so.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let elsewhere = format!("PORT={port}");
    let solutions = rust_solutions();
    let out = verify(
        dir.path(),
        "typing",
        &[],
        &["env", &elsewhere, solutions.to_str().unwrap(), "typing"],
    );
    assert_passes(&out, "a server on another port");
    assert!(
        stdout(&out).contains(&format!(
            "note: the server ignores `PORT` and listens on port {port}"
        )),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_stack_trace_is_named_in_the_diagnosis() {
    if !node_ready_in("a_stack_trace", "examples/solutions", "socket.io") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let fixture = repo().join("tests/fixtures/verify/crash-in-handler.js");
    let out = verify(
        dir.path(),
        "chat",
        &[],
        &["node", fixture.to_str().unwrap()],
    );
    let text = assert_fails(&out, "a handler that throws");
    assert_has(
        &text,
        &[
            "✗ the server exited with status 1 during step 2\n",
            "✗ the server printed a stack trace: TypeError: Cannot read properties of undefined (reading 'toUpperCase')",
        ],
    );
}

#[test]
fn bad_input_is_one_line_with_exit_2() {
    common::one_line_error(
        &["verify", "nope", "--", "node", "x.js"],
        2,
        "error: unknown exercise `nope` (see `socketio-lab verify --list`)",
    );
    common::one_line_error(
        &["verify", "chat"],
        2,
        "error: give the command that starts your server after `--`",
    );
    common::one_line_error(
        &["verify", "chat", "--", "/nonexistent/server"],
        2,
        "error: cannot start `/nonexistent/server`: No such file or directory",
    );
    let dir = tempfile::tempdir().unwrap();
    let init = || {
        common::bin()
            .current_dir(dir.path())
            .args(["verify", "rooms", "--init", "rust"])
            .output()
            .unwrap()
    };
    let first = init();
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert!(stdout(&first).contains("socketio-lab verify rooms -- cargo run -q"));
    assert!(std::fs::read_to_string(dir.path().join("src/main.rs"))
        .unwrap()
        .contains("\"PORT\""));
    let again = init();
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(
        stderr(&again),
        "error: `Cargo.toml` already exists here: remove it or run `--init` in an empty folder\n"
    );
}

/// Whether the process is gone (or only a zombie waiting for its parent).
fn gone(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

#[test]
fn interrupting_verify_stops_the_servers_whole_process_group() {
    let (out, group) = verify_ended_by(libc::SIGINT);
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(stderr(&out).contains("interrupted"), "{}", stderr(&out));
    all_gone(&group);
}

/// Issue 28, item 9: a closed terminal (SIGHUP) ends verify as Ctrl-C and SIGTERM do,
/// the learner's whole server with it. Before, verify died at once and left it.
#[test]
fn a_closed_terminal_stops_verify_and_the_servers_whole_process_group() {
    let (out, group) = verify_ended_by(libc::SIGHUP);
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    all_gone(&group);
}

/// Issue 28, item 9: even verify killed outright (SIGKILL: nothing of it runs) takes
/// the learner's whole server with it, through its warden.
#[test]
fn killing_verify_leaves_no_process_of_the_server() {
    let (out, group) = verify_ended_by(libc::SIGKILL);
    assert_eq!(out.status.signal(), Some(libc::SIGKILL), "{out:?}");
    all_gone(&group);
}

/// Every process of `group` ends within 5 s.
fn all_gone(group: &[i32]) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !group.iter().all(|p| gone(*p)) {
        assert!(Instant::now() < deadline, "left behind: {group:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Starts verify on a server of two processes that never listens, sends `signal` to
/// verify once both run, and gives what verify did and the server's pids.
fn verify_ended_by(signal: i32) -> (Output, Vec<i32>) {
    let dir = tempfile::tempdir().unwrap();
    let pids = dir.path().join("pids");
    // A server that starts a second process of its group, then never listens.
    let script = format!(
        "sleep 300 & echo $! > {0}.tmp; echo $$ >> {0}.tmp; mv {0}.tmp {0}; wait",
        pids.display()
    );
    let child = common::bin()
        .args([
            "verify", "chat", "--color", "never", "--", "sh", "-c", &script,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !pids.exists() {
        assert!(Instant::now() < deadline, "the server never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    let group: Vec<i32> = std::fs::read_to_string(&pids)
        .unwrap()
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect();
    assert_eq!(group.len(), 2);
    // SAFETY: a signal to the child this test started.
    unsafe { libc::kill(child.id() as i32, signal) };
    (child.wait_with_output().unwrap(), group)
}

#[test]
fn watch_runs_again_when_the_server_changes_and_stops_on_ctrl_c() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("server.sh");
    let solutions = rust_solutions();
    let write = |exercise: &str| {
        let text = format!("exec {} {exercise}\n", solutions.display());
        std::fs::write(&script, text).unwrap();
    };
    write("chat");
    let mut child = common::bin()
        .current_dir(dir.path())
        .env("SOCKETIO_LAB_STATE_DIR", dir.path().join("state"))
        .args([
            "verify",
            "broadcast",
            "--watch",
            "--color",
            "never",
            "--",
            "sh",
            "server.sh",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, lines) = std::sync::mpsc::channel();
    let pipe = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(pipe).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let until = |needle: &str| {
        let mut seen = Vec::new();
        while let Ok(line) = lines.recv_timeout(Duration::from_secs(30)) {
            let found = line.contains(needle);
            seen.push(line);
            if found {
                return seen;
            }
        }
        panic!("`{needle}` never came:\n{}", seen.join("\n"));
    };
    let first = until("watching . for changes (Ctrl-C to stop)");
    assert!(
        first
            .iter()
            .any(|l| l.starts_with("── not yet: `broadcast`")),
        "{first:?}"
    );
    write("broadcast");
    until("a file changed: verifying again");
    until("── passed: `broadcast`");
    until("watching . for changes");
    // SAFETY: a signal to the child this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
}

/// Issue 28, item 9: `--watch` reacts to what changes a file's content, never to
/// reads. The server here reads every file of its folder again and again as it runs
/// (as `node` and `cargo run` read theirs): that used to start a new run after every
/// run. Left alone, it verifies once; one write, once more; and each run's server
/// is gone before the next starts.
#[test]
fn watch_ignores_reads_and_runs_one_server_at_a_time() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("server.sh");
    // Kept outside the watched folder, as a learner's state directory is.
    let outside = tempfile::tempdir().unwrap();
    let live = outside.path().join("live");
    std::fs::create_dir(&live).unwrap();
    let overlap = outside.path().join("overlap");
    // Each server notes its pid, and whether an earlier one still runs.
    let text = format!(
        "for f in {live}/*; do [ -e \"$f\" ] && kill -0 \"${{f##*/}}\" 2>/dev/null && touch {overlap}; done\n\
         touch {live}/$$\n\
         (while :; do cat ./*.sh ./*.txt > /dev/null; sleep 0.02; done) &\n\
         exec {} chat\n",
        rust_solutions().display(),
        live = live.display(),
        overlap = overlap.display(),
    );
    std::fs::write(&script, text).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "one\n").unwrap();
    let mut child = common::bin()
        .current_dir(dir.path())
        .env("SOCKETIO_LAB_STATE_DIR", outside.path().join("state"))
        .args(["verify", "chat", "--watch", "--color", "never", "--"])
        .args(["sh", "server.sh"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, lines) = std::sync::mpsc::channel();
    let pipe = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(pipe).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // Lines until `needle`, or until `wait` passes without it (None then).
    let until = |needle: &str, wait: Duration| {
        let deadline = Instant::now() + wait;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return Some(seen),
                Ok(line) => seen.push(line),
                Err(_) => return None,
            }
        }
    };
    let watching = "watching . for changes";
    let again = "a file changed: verifying again";
    until(watching, Duration::from_secs(30)).expect("the first run ends");
    // Its server ran for the whole run, reading its files: nothing happens now. A
    // read's event comes within the debouncer's 200 ms; 2 s leaves room for a loaded
    // machine.
    assert_eq!(
        until(again, Duration::from_secs(2)),
        None,
        "a read ran it again"
    );
    std::fs::write(dir.path().join("notes.txt"), "two\n").unwrap();
    until(again, Duration::from_secs(10)).expect("a write runs it again");
    let second = until(watching, Duration::from_secs(30)).expect("the second run ends");
    assert!(!second.iter().any(|l| l.contains(again)), "{second:?}");
    assert_eq!(
        until(again, Duration::from_secs(2)),
        None,
        "a read ran it again"
    );
    // Two runs, two servers, each gone before the next started: every pid is gone.
    let pids: Vec<i32> = std::fs::read_dir(&live)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().parse().unwrap())
        .collect();
    assert_eq!(pids.len(), 2, "{pids:?}");
    all_gone(&pids);
    assert!(
        !overlap.exists(),
        "a server started while the last one still ran"
    );
    // SAFETY: a signal to the child this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
}

/// Issue 28, item 9: a server that cannot listen because a process verify did not
/// start holds its port (one left running from before) is told so, with the port.
#[test]
fn a_port_held_by_another_process_is_named() {
    // Only `node` itself is needed; the solutions' folder is where CI has it ready.
    if !node_ready_in("a_port_held", "examples/solutions", "socket.io") {
        return;
    }
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let script = format!("require('http').createServer().listen({port}, '127.0.0.1')");
    let out = verify(dir.path(), "chat", &[], &["node", "-e", &script]);
    let text = assert_fails(&out, "a server whose port is held");
    assert!(
        text.contains(&format!(
            "✗ port {port} is already held by a process verify did not start (a server left \
             running?): stop it, or listen on `PORT`, which verify chooses free"
        )),
        "{text}"
    );
    drop(held);
}

/// Issue 28, item 9: `verify --watch ... > log.txt` in the server's own folder. The
/// log changes with every run; reacting to it verified again without end (145 runs
/// in a minute). verify's own output files are not the learner's changes.
#[test]
fn watch_ignores_the_file_its_own_output_goes_to() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("server.sh"),
        format!("exec {} chat\n", rust_solutions().display()),
    )
    .unwrap();
    let log = std::fs::File::create(dir.path().join("log.txt")).unwrap();
    let mut child = common::bin()
        .current_dir(dir.path())
        .args(["verify", "chat", "--watch", "--color", "never", "--"])
        .args(["sh", "server.sh"])
        .stdout(log)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let read = || std::fs::read_to_string(dir.path().join("log.txt")).unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !read().contains("watching . for changes") {
        assert!(
            Instant::now() < deadline,
            "the first run never ended:\n{}",
            read()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // The debouncer reports within 200 ms; 2 s leaves room for a loaded machine.
    std::thread::sleep(Duration::from_secs(2));
    let text = read();
    // SAFETY: a signal to the child this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let _ = child.wait();
    assert!(
        !text.contains("a file changed"),
        "its own log ran it again:\n{text}"
    );
}
