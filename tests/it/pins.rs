//! Pins of what is not a lesson transcript: every `--help`, the stderr and exit code
//! of every usage error, and `quiz LESSON --json` for each lesson. They keep the
//! command line byte-identical while the code behind it moves.

use crate::common;

use common::{run, settings, stderr, stdout};

const HELP: &[&[&str]] = &[
    &["--help"],
    &["list", "--help"],
    &["run", "--help"],
    &["quiz", "--help"],
    &["demo", "--help"],
    &["serve", "--help"],
    &["web", "--help"],
    &["check", "--help"],
    &["verify", "--help"],
    &["new", "--help"],
    &["completions", "--help"],
];

#[test]
fn every_help_is_pinned() {
    for args in HELP {
        let out = run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        let name = format!("help_{}", args[0].trim_start_matches('-'));
        settings().bind(|| insta::assert_snapshot!(name, stdout(&out)));
    }
}

/// Usage mistakes a user makes; each must fail at once with one clear line.
const USAGE_ERRORS: &[&[&str]] = &[
    &["run", "nope"],
    &["run"],
    &["run", "rooms", "--clients", "5"],
    &["run", "rooms", "--redis", "redis://127.0.0.1:9"],
    &["run", "fanout", "--redis", "redis://127.0.0.1:9"],
    &["run", "scaling", "--clients", "5"],
    &["run", "rooms", "--timeout", "0"],
    &["run", "rooms", "--server", "localhost:3000"],
    &["run", "rooms", "--server", "http://"],
    &["quiz", "rooms", "--server", "ftp://127.0.0.1:3000"],
    &["quiz", "nope"],
    &["quiz", "rooms"],
    &["quiz", "rooms", "--answers", "x"],
    &["quiz", "rooms", "--answers", "1,1"],
    &["quiz", "rooms", "--answers", "9,1,1"],
    &["demo", "--pace", "warp"],
    &["serve", "--port", "99999"],
    &["check"],
    &["check", "/nonexistent/lessons.toml"],
    &["new", "rooms"],
    &["new", "My Lesson"],
    &["completions", "tcsh"],
    &["completions"],
    &["--color", "sometimes", "list"],
    &["frobnicate"],
];

#[test]
fn every_usage_error_is_pinned() {
    let mut text = String::new();
    for args in USAGE_ERRORS {
        let out = run(args);
        assert!(
            out.stdout.is_empty(),
            "{args:?} printed on stdout: {}",
            stdout(&out)
        );
        text.push_str(&format!(
            "$ socketio-lab {}\nexit {:?}\n{}\n",
            args.join(" "),
            out.status.code(),
            stderr(&out).trim_end()
        ));
    }
    settings().bind(|| insta::assert_snapshot!("usage_errors", text));
}

#[test]
fn quiz_json_is_pinned_for_every_lesson() {
    // The first choice of every question: some right, some wrong, all run for real.
    for lesson in socketio_lab::lesson::embedded().expect("embedded lessons load") {
        // A lesson without questions has no quiz to pin (`quiz` says so, exit 2).
        if lesson.questions.is_empty() {
            continue;
        }
        let answers = vec!["1"; lesson.questions.len()].join(",");
        let state = std::env::temp_dir().join(format!(
            "socketio-lab-pins-{}-{}",
            std::process::id(),
            lesson.id
        ));
        let out = common::bin()
            .env("SOCKETIO_LAB_STATE_DIR", &state)
            .args(["quiz", &lesson.id, "--json", "--answers", &answers])
            .output()
            .expect("the binary runs");
        let _ = std::fs::remove_dir_all(&state);
        assert!(
            matches!(out.status.code(), Some(0) | Some(1)),
            "{}: {}",
            lesson.id,
            stderr(&out)
        );
        settings()
            .bind(|| insta::assert_snapshot!(format!("quiz_json_{}", lesson.id), stdout(&out)));
    }
}
