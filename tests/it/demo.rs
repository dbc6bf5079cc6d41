//! `socketio-lab demo`, run for real on the embedded server without a terminal.

use crate::common;

use std::time::{Duration, Instant};

use common::{run, settings, stderr, stdout};

#[test]
fn transcript_at_instant_pace() {
    let out = run(&["demo", "--pace", "instant", "--color", "never"]);
    assert!(
        out.status.success(),
        "`demo` failed:\n{}{}",
        stdout(&out),
        stderr(&out)
    );
    let text = stdout(&out);
    for line in text.lines() {
        assert!(
            line.chars().count() <= 80,
            "wider than 80 columns: {line:?}"
        );
    }
    assert!(!text.contains('\u{1b}'), "colour despite --color never");
    settings().bind(|| insta::assert_snapshot!("demo", text));
}

#[test]
fn without_a_terminal_it_runs_straight_through() {
    // No --pace: with stdout not a terminal the pace is instant.
    let start = Instant::now();
    let out = run(&["demo"]);
    let took = start.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(took < Duration::from_secs(5), "took {took:?}");
    let text = stdout(&out);
    assert!(text.contains("socketio-lab run chat"), "{text}");
    // A transcript for a file or a pipe: never the screen-clearing of a terminal.
    assert!(!text.contains('\u{1b}'), "{text}");
    assert_eq!(stderr(&out), "");
}

#[test]
fn unknown_pace_is_a_usage_error() {
    let out = run(&["demo", "--pace", "warp"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("instant"), "{}", stderr(&out));
}

#[test]
fn help_lists_the_demo() {
    let text = stdout(&run(&["--help"]));
    assert!(text.contains("demo"), "{text}");
    let text = stdout(&run(&["demo", "--help"]));
    for word in ["--pace", "--step", "slow", "instant"] {
        assert!(text.contains(word), "demo --help lacks `{word}`:\n{text}");
    }
}

#[cfg(unix)]
#[test]
fn ctrl_c_ends_it_cleanly() {
    use std::process::Stdio;
    let child = common::bin()
        .args(["demo", "--pace", "slow", "--color", "never"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // Slow pace: after a second it is resting between beats, server still up.
    std::thread::sleep(Duration::from_millis(1000));
    let start = Instant::now();
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let out = child.wait_with_output().expect("the demo ends");
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(stderr(&out).contains("interrupted"), "{}", stderr(&out));
    assert!(!stdout(&out).contains("In short"), "{}", stdout(&out));
}

#[test]
fn step_without_a_terminal_is_refused() {
    for args in [
        &["demo", "--step"][..],
        &["demo", "--step", "--pace", "instant", "--color", "never"],
    ] {
        let out = common::run(args);
        assert_eq!(out.status.code(), Some(2), "{}", common::stderr(&out));
        assert_eq!(
            common::stderr(&out),
            "error: `--step` waits for Enter, but there is no terminal to wait on: leave out `--step` (`--pace normal` goes at reading speed)\n"
        );
        assert_eq!(common::stdout(&out), "", "nothing told before the refusal");
    }
}

/// On a terminal the demo redraws one frame per beat: the chat windows, then the
/// beat. Each frame must fit an 80x24 terminal with the prompt line under it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_redrawn_frame_fits_80_by_24() {
    use socketio_lab::demo::{self, DemoOptions, Pace};
    use socketio_lab::paint::Paint;

    let options = DemoOptions {
        pace: Pace::Instant,
        step: true,
        redraw: true,
    };
    let mut out = Vec::new();
    let mut asked = 0;
    let mut next_beat = || {
        asked += 1;
        true
    };
    let verdict = demo::run(&options, &mut out, Paint::PLAIN, &mut next_beat)
        .await
        .expect("the demo runs");
    assert_eq!(verdict, socketio_lab::judge::Verdict::Passed);
    let text = String::from_utf8(out).unwrap();
    let frames: Vec<&str> = text.split("\u{1b}[H\u{1b}[2J").skip(1).collect();
    // The opening, seven beats, the ending; a go-ahead after all but the ending.
    assert_eq!(frames.len(), 9, "{text}");
    assert_eq!(asked, 8);
    for frame in &frames {
        assert!(
            frame.lines().count() <= 23,
            "{} lines:\n{frame}",
            frame.lines().count()
        );
        for line in frame.lines() {
            assert!(line.chars().count() <= 80, "wider than 80: {line:?}");
        }
        assert!(frame.starts_with("┌ Ana's page"), "{frame}");
    }
    assert!(
        frames[5].contains("▸ Chat server: \"Welc…"),
        "{}",
        frames[5]
    );
    assert!(frames[8].contains("In short"), "{}", frames[8]);
}
