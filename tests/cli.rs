//! The command line as a user meets it, without a terminal.

mod common;

use std::time::{Duration, Instant};

use common::{repo, run, stderr, stdout};

#[test]
fn help_names_the_commands() {
    let out = run(&["--help"]);
    assert!(out.status.success());
    let text = stdout(&out);
    for word in ["list", "run", "check", "--color", "--lessons"] {
        assert!(text.contains(word), "help lacks `{word}`:\n{text}");
    }
}

#[test]
fn list_shows_every_lesson() {
    let out = run(&["list"]);
    assert!(out.status.success());
    let text = stdout(&out);
    for id in ["chat", "emit", "rooms", "namespaces", "cheatsheet"] {
        assert!(text.contains(id), "list lacks `{id}`:\n{text}");
    }
}

#[test]
fn no_arguments_without_a_terminal_prints_the_list() {
    let out = run(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("rooms") && text.contains("socketio-lab run"),
        "{text}"
    );
}

#[test]
fn unknown_lesson_is_a_usage_error() {
    let out = run(&["run", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        "error: unknown lesson `nope` (see `socketio-lab list`)"
    );
}

#[test]
fn check_accepts_the_shipped_lessons() {
    let out = run(&["check", repo().join("lessons").to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out)
            .lines()
            .filter(|l| l.starts_with("ok "))
            .count(),
        socketio_lab::lesson::EMBEDDED.len()
    );
}

#[test]
fn check_locates_an_unknown_client() {
    let path = repo().join("tests/fixtures/broken_actor.toml");
    let out = run(&["check", path.to_str().unwrap()]);
    // A broken lesson is bad input: 2, in `check` as in `run`.
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "{}:17:9: unknown client `zoe` in `actor`",
            path.display()
        )),
        "{err}"
    );
}

#[test]
fn check_locates_an_unknown_field() {
    let path = repo().join("tests/fixtures/broken_field.toml");
    let out = run(&["check", path.to_str().unwrap()]);
    // A broken lesson is bad input: 2, in `check` as in `run`.
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("broken_field.toml:8:1: unknown field `namespaec`"),
        "{err}"
    );
}

#[test]
fn a_broken_extra_lesson_stops_run_with_its_location() {
    let out = run(&[
        "--lessons",
        repo().join("tests/fixtures").to_str().unwrap(),
        "run",
        "emit",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("broken_actor.toml:17:9"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn extra_lessons_folder_adds_lessons() {
    let dir = std::env::temp_dir().join(format!("socketio-lab-extra-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(repo().join("lessons/emit.toml")).unwrap();
    std::fs::write(dir.join("my-emit.toml"), text).unwrap();
    let out = run(&[
        "--lessons",
        dir.to_str().unwrap(),
        "run",
        "my-emit",
        "--json",
    ]);
    std::fs::remove_dir_all(&dir).ok();
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["lesson"], "my-emit");
}

#[test]
fn color_always_colours_and_never_does_not() {
    let plain = run(&["run", "emit", "--color", "never"]);
    assert!(!stdout(&plain).contains('\u{1b}'));
    let coloured = common::bin()
        .args(["run", "emit", "--color", "always"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        stdout(&coloured).contains('\u{1b}'),
        "--color always must beat NO_COLOR"
    );
    let auto = common::bin().args(["run", "emit"]).output().unwrap();
    assert!(
        !stdout(&auto).contains('\u{1b}'),
        "auto must not colour a pipe"
    );
}

#[test]
fn unreachable_server_fails_fast_naming_the_url() {
    let started = Instant::now();
    let out = run(&[
        "run",
        "rooms",
        "--server",
        "http://127.0.0.1:9",
        "--timeout",
        "1000",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(started.elapsed() < Duration::from_secs(5));
    let err = stderr(&out);
    assert!(err.contains("`http://127.0.0.1:9`"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one-line reason:\n{err}");
}

#[test]
fn a_lesson_runs_well_under_a_second() {
    let started = Instant::now();
    let out = run(&["run", "rooms", "--json"]);
    assert!(out.status.success());
    // Generous for a loaded 2-core machine; measured locally at about 0.1 s.
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn check_runs_questions_and_rejects_an_unanswerable_one() {
    let path = repo().join("tests/fixtures/unanswerable.toml");
    let out = run(&["check", path.to_str().unwrap()]);
    // A broken lesson is bad input: 2, in `check` as in `run`.
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("unanswerable.toml:18:6: question `impossible`: no choice holds when run"),
        "{err}"
    );
}

#[test]
fn a_lessons_file_may_not_take_a_builtin_name() {
    let chat = std::fs::read_to_string(repo().join("lessons/chat.toml")).unwrap();
    for (name, what) in [("fanout", "measuring lab"), ("rooms", "lesson")] {
        let test = common::Test::new().write(&format!("mine/{name}.toml"), &chat);
        let dir = test.path("mine");
        test.args(&["--lessons", &dir, "list"]).fails(
            2,
            &format!(
                "error: {dir}/{name}.toml: the name `{name}` is taken by the built-in {what}: rename the file\n"
            ),
        );
    }
}

#[test]
fn a_lessons_file_with_a_new_name_is_listed() {
    let chat = std::fs::read_to_string(repo().join("lessons/chat.toml")).unwrap();
    let test = common::Test::new().write("mine/private-chat.toml", &chat);
    let dir = test.path("mine");
    let out = test.args(&["--lessons", &dir, "list"]).output();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("  private-chat  the classic chat"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_flag_a_measuring_lab_does_not_use_is_refused() {
    common::Test::new()
        .args(&["run", "fanout", "--timeout", "1"])
        .fails(
            2,
            "error: `--timeout` is not for `run fanout`: it allows each connection and emit 20 s\n",
        );
}

#[test]
fn a_closed_stdout_ends_quietly() {
    // The reader is gone before anything is written (`socketio-lab list | true`):
    // no panic, nothing on stderr, exit 0.
    for args in [&["list"][..], &["check", "lessons/chat.toml"][..]] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = common::bin()
            .args(args)
            .current_dir(repo())
            .stdout(writer)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?}");
    }
}
