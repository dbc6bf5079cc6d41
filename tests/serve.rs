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

/// The resident memory of process `pid`, in MB (Linux).
#[cfg(target_os = "linux")]
fn rss_mb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb / 1024
}

/// A flood of chat messages while nobody reads `serve`'s output: the log drops
/// lines (and says how many) instead of growing, and Ctrl-C still stops it.
#[cfg(target_os = "linux")]
#[test]
fn a_log_nobody_reads_neither_grows_nor_blocks_serve() {
    use std::io::{BufRead, BufReader};
    if !common::node_ready(
        "a_log_nobody_reads_neither_grows_nor_blocks_serve",
        "socket.io-client",
    ) {
        return;
    }
    let mut child = common::bin()
        .args(["serve", "--port", "0", "--color", "never"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Read the port, then never read again: the pipe fills up and stays full.
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    let port = first
        .trim()
        .strip_prefix("listening on *:")
        .unwrap()
        .to_string();
    // Done once the server has echoed nothing for 500 ms: it has handled every
    // message (some echoes may be refused on a full buffer; that is issue 13's item 4).
    let flood = "const { io } = require('socket.io-client'); \
        const s = io(process.argv[1], { transports: ['websocket'], reconnection: false }); \
        let last = Date.now(); s.on('chat message', () => { last = Date.now(); }); \
        s.on('connect', () => { for (let i = 0; i < 100000; i++) s.emit('chat message', 'm' + i); \
          const t = setInterval(() => { if (Date.now() - last > 500) { clearInterval(t); process.exit(0); } }, 50); }); \
        setTimeout(() => process.exit(3), 60000);";
    // Two floods: with a log that grows, the second one adds what the first did.
    let mut rss = Vec::new();
    for _ in 0..2 {
        let node = Command::new("node")
            .args(["-e", flood, &format!("http://127.0.0.1:{port}")])
            .current_dir(common::repo().join("examples/node-reference"))
            .status()
            .unwrap();
        assert!(node.success(), "the flood did not finish: {node:?}");
        rss.push(rss_mb(child.id()));
    }
    println!("serve holds {rss:?} MB after each flood of 100,000 messages");
    assert!(
        rss[1] < rss[0] + 30,
        "serve grew from {} to {} MB",
        rss[0],
        rss[1]
    );
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("Ctrl-C did not stop serve within 5 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
    drop(reader);
}
