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
        pane.tmux(&["new-session", "-d", "-x", "100", "-y", "40", &held]);
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
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let screen = self.tmux(&["capture-pane", "-p", "-J", "-S", "-200"]);
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
