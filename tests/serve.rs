//! `socketio-lab serve` as a learner uses it: a server on its own, reached over loopback.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{run, stderr, stdout};

/// A running `serve`, killed on drop so a failing test leaves no server behind.
struct Served {
    child: Child,
    port: u16,
    lines: mpsc::Receiver<String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve() -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_socketio-lab"))
        .args(["serve", "--port", "0", "--color", "never"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let first = lines
        .recv_timeout(Duration::from_secs(10))
        .expect("serve prints its port");
    let port = first
        .strip_prefix("listening on *:")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line: {first}"));
    Served { child, port, lines }
}

impl Served {
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Lines printed so far, waiting until `needle` shows up (bounded).
    fn wait_for(&self, needle: &str) -> Vec<String> {
        let mut seen = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            let found = line.contains(needle);
            seen.push(line);
            if found {
                return seen;
            }
        }
        panic!("`{needle}` never printed; got:\n{}", seen.join("\n"));
    }
}

#[test]
fn lessons_run_against_serve_as_against_the_embedded_server() {
    let served = serve();
    let remote = run(&[
        "run",
        "rooms",
        "--server",
        &served.url(),
        "--color",
        "never",
    ]);
    assert!(remote.status.success(), "{}", stderr(&remote));
    let local = run(&["run", "rooms", "--color", "never"]);
    let strip = |text: String| {
        text.lines()
            .filter(|l| !l.trim_start().starts_with("server  "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(stdout(&remote)), strip(stdout(&local)));
    let log = served.wait_for("user disconnected  (dave");
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
    let served = serve();
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
    let mut served = serve();
    let status = Command::new("kill")
        .args(["-INT", &served.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let lines = served.wait_for("server stopped");
    assert!(lines
        .iter()
        .any(|l| l.contains("stopping: disconnecting every socket")));
    let code = served.child.wait().unwrap();
    assert!(code.success(), "{code:?}");
    let mut err = String::new();
    served
        .child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
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
    let served = serve();
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
