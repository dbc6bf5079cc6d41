//! `socketio-lab serve` as a learner uses it: a server on its own, reached over loopback.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::{run, stderr, stdout};

#[test]
fn lessons_run_against_serve_as_against_the_embedded_server() {
    let served = common::serve();
    let url = served.url();
    let remote = run(&["run", "rooms", "--server", &url, "--color", "never"]);
    assert!(remote.status.success(), "{}", stderr(&remote));
    let local = run(&["run", "rooms", "--color", "never"]);
    let strip = |text: String| {
        text.lines()
            .filter(|l| !l.trim_start().starts_with("server  "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(stdout(&remote)), strip(stdout(&local)));
    // The lab's last three clients leave together, in any order: read until all
    // three are gone, and pin that closing block sorted.
    let mut log = Vec::new();
    for name in ["alice", "bob", "dave"] {
        let needle = format!("user disconnected  ({name}:");
        if !log.iter().any(|l: &String| l.contains(&needle)) {
            log.extend(served.wait_for(&needle));
        }
    }
    let closing = log.len() - 3;
    log[closing..].sort();
    // The port is random: the line that names it is left out.
    let pinned: Vec<&str> = log
        .iter()
        .map(String::as_str)
        .filter(|l| !l.contains("127.0.0.1:"))
        .collect();
    common::settings().bind(|| insta::assert_snapshot!("serve_rooms_log", pinned.join("\n")));
    assert!(
        log.iter().any(|l| l == "a user connected  (alice)"),
        "{log:?}"
    );
    assert!(
        log.iter()
            .any(|l| l == "alice: socket.to(bobId).emit(\"whisper\") → bob"),
        "{log:?}"
    );
}

#[test]
fn a_port_in_use_is_named() {
    let served = common::serve();
    let out = run(&["serve", "--port", &served.port.to_string()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        format!(
            "error: port {} is already in use on 127.0.0.1: choose another with `--port`",
            served.port
        )
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_server_cleanly() {
    let mut served = common::serve();
    let status = Command::new("kill")
        .args(["-INT", &served.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let lines = served.wait_for("server stopped");
    assert!(lines
        .iter()
        .any(|l| l.contains("stopping: disconnecting every socket")));
    let code = served.wait_exit(Duration::from_secs(5));
    assert!(code.is_some_and(|c| c.success()), "{code:?}");
    let err = served.stderr_text();
    assert!(err.is_empty(), "{err}");
}

#[test]
fn the_official_javascript_client_sees_what_the_lab_predicts() {
    if !common::node_ready(
        "the_official_javascript_client_sees_what_the_lab_predicts",
        "socket.io-client",
    ) {
        return;
    }
    let served = common::serve();
    let script = common::repo().join("examples/node-reference/client-check.js");
    let out = Command::new("node")
        .arg(&script)
        .arg(served.url())
        .stdin(Stdio::null())
        .output()
        .expect("node runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let steps: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    let steps = steps.as_array().unwrap();
    // (who the lab predicts receives each request's event, and what)
    let predicted: [(&[&str], &str, &str); 4] = [
        (&[], "", ""),
        (&["ana"], "news", "hi r1"),
        (&["ben"], "typing", "ana"),
        (&["ana", "ben"], "chat message", "hello all"),
    ];
    assert_eq!(steps.len(), predicted.len());
    for (i, (step, (names, event, payload))) in steps.iter().zip(predicted).enumerate() {
        assert_eq!(step["reply"]["ok"], true, "step {}: {step}", i + 1);
        let received: Vec<&str> = ["ana", "ben"]
            .into_iter()
            .filter(|n| !step["deliveries"][n].as_array().unwrap().is_empty())
            .collect();
        assert_eq!(received, names, "step {}: {step}", i + 1);
        if !names.is_empty() {
            // The server's own account matches what the official client saw.
            assert_eq!(
                step["reply"]["delivered_to"],
                serde_json::json!(names),
                "step {}",
                i + 1
            );
        }
        for n in names {
            let got = &step["deliveries"][n];
            assert_eq!(
                got,
                &serde_json::json!([{ "event": event, "payload": payload }]),
                "step {}",
                i + 1
            );
        }
    }
    assert_eq!(steps[0]["reply"]["rooms"], serde_json::json!(["r1"]));
}
