//! The quiz's prompt on a real terminal: tmux runs `socketio-lab quiz` in a pane,
//! keys are sent to it, and the pane is read back. Skipped (saying why) without
//! tmux, unless `SOCKETIO_LAB_REQUIRE_TMUX=1` (as `.ci/run` sets).

use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux session of its own (its own server socket too), killed when dropped.
struct Pane {
    socket: String,
}

impl Pane {
    fn start(tag: &str, command: &str) -> Option<Pane> {
        Pane::sized(tag, command, (100, 40))
    }

    /// A pane `cols` by `rows`.
    fn sized(tag: &str, command: &str, (cols, rows): (u16, u16)) -> Option<Pane> {
        if Command::new("tmux").arg("-V").output().is_err() {
            if std::env::var("SOCKETIO_LAB_REQUIRE_TMUX").as_deref() == Ok("1") {
                panic!("`{tag}` needs tmux (`SOCKETIO_LAB_REQUIRE_TMUX=1`)");
            }
            println!("skipped `{tag}`: `tmux` is not installed");
            return None;
        }
        let pane = Pane {
            socket: format!("socketio-lab-{tag}-{}", std::process::id()),
        };
        // The command stays on screen after it ends, so that its last lines can be read.
        let held = format!("{command}; echo \"exit=$?\"; sleep 30");
        let (cols, rows) = (cols.to_string(), rows.to_string());
        pane.tmux(&["new-session", "-d", "-x", &cols, "-y", &rows, &held]);
        Some(pane)
    }

    /// `socketio-lab ARGS --color never` with its progress in `state`.
    fn socketio_lab(tag: &str, state: &std::path::Path, args: &str) -> Option<Pane> {
        let command = format!(
            "SOCKETIO_LAB_STATE_DIR='{}' '{}' {args} --color never",
            state.display(),
            env!("CARGO_BIN_EXE_socketio-lab")
        );
        Pane::start(tag, &command)
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        for key in keys {
            self.tmux(&["send-keys", key]);
        }
    }

    /// The pane's text once it contains `needle`; fails after 15 s without it.
    fn wait_for(&self, needle: &str) -> String {
        self.wait_until(needle, &["capture-pane", "-p", "-J", "-S", "-200"])
    }

    /// What is on screen now (no scrollback) once it shows `needle`.
    fn on_screen(&self, needle: &str) -> String {
        self.wait_until(needle, &["capture-pane", "-p"])
    }

    /// Pages through the reveal on screen, to the next question.
    fn through_reveal(&self) {
        loop {
            let screen = self.on_screen("q stops)");
            self.keys(&["Enter"]);
            if screen.contains("(Enter: next question") {
                return;
            }
            // The next page replaces the prompt.
            let deadline = Instant::now() + Duration::from_secs(15);
            while self.tmux(&["capture-pane", "-p"]) == screen {
                assert!(Instant::now() < deadline, "the page stayed:\n{screen}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }

    fn wait_until(&self, needle: &str, capture: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let screen = self.tmux(capture);
            if screen.contains(needle) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "`{needle}` never showed; the pane:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

#[test]
fn h_shows_hints_an_empty_pick_is_confirmed_and_esc_keeps_the_answers() {
    let state = tempfile::tempdir().unwrap();
    let Some(pane) = Pane::socketio_lab("prompt", state.path(), "quiz chat") else {
        return;
    };
    pane.wait_for("Enter answers, h hint");
    // A single-answer question: `h` shows its hint.
    pane.keys(&["h"]);
    pane.wait_for("hint: Look at the server's `chat message` handler");
    pane.keys(&["Down", "Enter"]);
    pane.through_reveal();
    pane.wait_for("question 2 of 3");
    // A multiple-answer question has its hint too.
    pane.wait_for("space picks, Enter confirms, h hint");
    pane.keys(&["h"]);
    pane.wait_for("hint: Look for `console.log` in the server");
    // Enter with nothing picked asks first; `n` goes back.
    pane.keys(&["Enter"]);
    pane.wait_for("Nothing is picked: answer that none of them holds? (y/n)");
    pane.keys(&["n", "Escape"]);
    let screen = pane.wait_for("exit=130");
    assert!(
        screen.contains("quiz stopped after 1 of 3 questions"),
        "{screen}"
    );
    assert!(screen.contains("next: socketio-lab quiz chat"), "{screen}");
    // `next:` is the last line the quiz writes.
    let before_exit = screen.split("exit=130").next().unwrap_or_default();
    let last = before_exit.lines().rev().find(|l| !l.trim().is_empty());
    assert!(last.is_some_and(|l| l.starts_with("next: ")), "{screen}");
    let progress = std::fs::read_to_string(state.path().join("progress.json")).unwrap();
    let progress: serde_json::Value = serde_json::from_str(&progress).unwrap();
    assert_eq!(
        progress["partial"]["chat"],
        serde_json::json!({ "correct": 1, "answered": 1, "total": 3 }),
        "{progress}"
    );
    assert!(progress["best"].get("chat").is_none(), "{progress}");
}

/// The menu offers lessons, quizzes, labs and the demo with their progress, the
/// next unfinished one preselected; Esc leaves it naming what is next.
#[test]
fn the_menu_preselects_the_next_unfinished_stop() {
    let state = tempfile::tempdir().unwrap();
    // chat ran and its quiz is perfect: `run emit` is next.
    let progress = r#"{ "best": { "chat": { "correct": 2, "total": 2 } },
                        "ran": { "chat": { "passed": true } } }"#;
    std::fs::write(state.path().join("progress.json"), progress).unwrap();
    let Some(pane) = Pane::socketio_lab("menu", state.path(), "") else {
        return;
    };
    pane.wait_for("Pick what to do next");
    let screen = pane.wait_for("demo");
    let chosen: Vec<&str> = screen
        .lines()
        .filter(|l| l.trim_start().starts_with('>') || l.trim_start().starts_with('❯'))
        .collect();
    assert_eq!(chosen.len(), 1, "{screen}");
    assert!(chosen[0].contains("run emit"), "{screen}");
    for shown in ["quiz chat", "best 2/2", "run fanout", "not run yet", "demo"] {
        assert!(
            screen.contains(shown),
            "the menu lacks `{shown}`:\n{screen}"
        );
    }
    pane.keys(&["Escape"]);
    let screen = pane.wait_for("exit=0");
    assert!(screen.contains("next: socketio-lab run emit"), "{screen}");
}

/// At 80x24 the reveal of a wrong answer stays in view until a key: the right
/// answer's run, with who received it, is on screen, paged rather than scrolled away.
#[test]
fn after_a_wrong_answer_the_right_answers_table_stays_until_a_key() {
    let state = tempfile::tempdir().unwrap();
    let command = format!(
        "SOCKETIO_LAB_STATE_DIR='{}' '{}' quiz rooms --color never",
        state.path().display(),
        env!("CARGO_BIN_EXE_socketio-lab")
    );
    let Some(pane) = Pane::sized("reveal", &command, (80, 24)) else {
        return;
    };
    pane.wait_for("Enter answers, h hint");
    // Question 1: `socket.broadcast.emit` (3) is wrong; the reveal is taller than
    // the terminal, so its first page waits for a key.
    pane.keys(&["3", "Enter"]);
    let first = pane.on_screen("(Enter: more, page 1 of 2; q stops)");
    assert!(
        first.contains("answer: 3) socket.broadcast.emit"),
        "{first}"
    );
    pane.keys(&["Enter"]);
    let screen = pane.on_screen("(Enter: next question; q stops)");
    let right = screen
        .split("the right answer, as its run shows")
        .nth(1)
        .unwrap_or_else(|| panic!("no right answer on screen:\n{screen}"));
    for line in [
        "who received it",
        "bob    ✓  move \"e4\"",
        "carol  ✓  move \"e4\"",
        "dave   ·  nothing",
    ] {
        assert!(right.contains(line), "`{line}` not on screen:\n{screen}");
    }
    assert!(!screen.contains("question 2 of 3"), "{screen}");
    // Held: the next question waits for the key, whatever the time.
    std::thread::sleep(Duration::from_millis(500));
    let still = pane.on_screen("(Enter: next question; q stops)");
    assert!(!still.contains("question 2 of 3"), "{still}");
    pane.keys(&["Enter"]);
    let next = pane.on_screen("question 2 of 3");
    assert!(!next.contains("q stops)"), "the prompt was erased:\n{next}");
}
