//! On a real terminal (a pseudo-terminal, through `rexpect`): Ctrl-C at any prompt
//! ends the program with 130 and gives the terminal back (issue 13, item 2). The
//! prompt library raises SIGINT itself and also returns an error; whichever arrives
//! first, the answer must be 130, so each prompt is tried several times.

#![cfg(unix)]

use std::process::Command;
use std::time::{Duration, Instant};

use rexpect::process::WaitStatus;
use socketio_lab::lesson::EMBEDDED;

const TRIES: usize = 8;

/// The start of the first line of `text`, enough to recognise it on the screen
/// whatever the terminal's width.
fn opening(text: &str) -> String {
    text.lines().next().unwrap_or("").chars().take(16).collect()
}

fn lesson(id: &str) -> socketio_lab::lesson::Lesson {
    let (_, text) = EMBEDDED.iter().find(|(i, _)| *i == id).unwrap();
    socketio_lab::lesson::parse(id, id, text).unwrap()
}

/// Starts `args` on a pseudo-terminal, waits for `ready` on its screen, presses Ctrl-C
/// and returns the exit code and what was shown after the key (bounded: a program that
/// does not end fails the test).
fn ctrl_c_at(args: &[&str], ready: &str) -> (i32, String) {
    key_at(args, ready, 'c')
}

/// Starts `args` on a pseudo-terminal, waits for `ready`, presses Ctrl-`key` and
/// returns the exit code and what was shown after the key (bounded).
fn key_at(args: &[&str], ready: &str, key: char) -> (i32, String) {
    let state = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_socketio-lab"));
    cmd.args(args)
        .env("SOCKETIO_LAB_STATE_DIR", state.path())
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR");
    let mut session = rexpect::session::spawn_command(cmd, Some(15_000)).unwrap();
    if let Err(e) = session.exp_string(ready) {
        panic!("{args:?}: `{ready}` never appeared: {e}");
    }
    session.send_control(key).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut after = String::new();
    loop {
        match session.process().status() {
            Some(WaitStatus::Exited(_, code)) => {
                after.push_str(&session.exp_eof().unwrap_or_default());
                return (code, after);
            }
            Some(WaitStatus::Signaled(_, signal, _)) => panic!("{args:?}: killed by {signal}"),
            _ if Instant::now() > deadline => {
                panic!("{args:?}: still running 10 s after Ctrl-{key}")
            }
            _ => {
                // Keep reading, so that the program never blocks on a full terminal.
                while let Some(c) = session.try_read() {
                    after.push(c);
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

/// Ctrl-C at this prompt gives 130 every time; a prompt that hid the cursor shows it
/// again (`ESC [?25h`), so that the terminal is left usable.
fn always_130(args: &[&str], ready: &str, hides_cursor: bool) {
    let runs: Vec<(i32, String)> = (0..TRIES).map(|_| ctrl_c_at(args, ready)).collect();
    let codes: Vec<i32> = runs.iter().map(|(c, _)| *c).collect();
    assert!(
        codes.iter().all(|&c| c == 130),
        "{args:?}: exit codes {codes:?}"
    );
    for (_, after) in &runs {
        assert!(after.contains("interrupted"), "{args:?}: {after:?}");
        if hides_cursor {
            assert!(
                after.contains("\u{1b}[?25h"),
                "{args:?}: cursor left hidden: {after:?}"
            );
        }
    }
}

#[test]
fn ctrl_c_at_a_quiz_question_exits_130() {
    let prompt = &lesson("rooms").questions[0].prompt;
    always_130(&["quiz", "rooms"], &opening(prompt), true);
}

#[test]
fn ctrl_c_in_the_lesson_menu_exits_130() {
    always_130(&[], "cheatsheet", true);
}

#[test]
fn ctrl_c_at_a_step_prompt_exits_130() {
    // The first step is shown, then the program waits for Enter.
    // The prompt names the step just shown and the next one.
    always_130(&["run", "chat", "--step"], "Enter: step 2", false);
}

/// Issue 28, item 11: Ctrl-D at a step prompt ends the lesson as Ctrl-C does (it
/// exited 1, as if the lab had failed).
#[test]
fn ctrl_d_at_a_step_prompt_exits_130() {
    let (code, after) = key_at(&["run", "chat", "--step"], "Enter: step 2", 'd');
    assert_eq!(code, 130, "{after:?}");
    assert!(after.contains("interrupted"), "{after:?}");
}

/// Issue 27: `q` then Enter at a step prompt stops the lesson there (it was echoed
/// and taken as Enter).
#[test]
fn q_at_a_step_prompt_stops_the_lesson() {
    let state = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_socketio-lab"));
    cmd.args(["run", "chat", "--step", "--color", "never"])
        .env("SOCKETIO_LAB_STATE_DIR", state.path())
        .env("TERM", "xterm-256color");
    let mut session = rexpect::session::spawn_command(cmd, Some(15_000)).unwrap();
    session
        .exp_string("Enter: step 2, q: stop, Ctrl-C: quit")
        .unwrap();
    session.send_line("q").unwrap();
    session.exp_string("stopped after 1 of").unwrap();
    let rest = session.exp_eof().unwrap_or_default();
    assert!(!rest.contains("── 2/"), "step 2 ran after `q`: {rest:?}");
    match session.process().wait() {
        Ok(WaitStatus::Exited(_, code)) => {
            assert_eq!(code, 1, "a lesson stopped early is not passed")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn ctrl_c_at_a_prediction_exits_130() {
    // Step 3 is chat's first emit: its code is shown, then who will receive it is asked.
    always_130(&["run", "chat", "--predict"], "Who will receive", true);
}

#[test]
fn ctrl_c_at_a_demo_beat_exits_130() {
    always_130(&["demo", "--step"], "Enter to go on", false);
}
