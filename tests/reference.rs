//! The embedded server against the reference: every lesson runs on the Node server in
//! `examples/node-reference/` (the official `socket.io` package) and must give the same
//! `--json` document as on the embedded socketioxide server.
//!
//! Needs `node` on PATH and `npm ci --prefix examples/node-reference`. Without them
//! the tests say why and pass, unless `SOCKETIO_LAB_REQUIRE_NODE=1` (CI) makes that
//! a failure.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::{repo, run, stderr, stdout};
use serde_json::Value;
use socketio_lab::lesson::EMBEDDED;

/// How long the Node server may take to print its port line.
const START_TIMEOUT: Duration = Duration::from_secs(15);

/// The Node reference server, killed when dropped (a failing assertion included).
struct NodeServer {
    child: Child,
    url: String,
    stderr: Arc<Mutex<String>>,
    stderr_reader: Option<JoinHandle<()>>,
}

impl Drop for NodeServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl NodeServer {
    /// Starts the server on a free port and waits for its `listening on *:PORT` line.
    fn start() -> Result<NodeServer, String> {
        let script = repo().join("examples/node-reference/server.js");
        let mut child = Command::new("node")
            .arg(&script)
            .args(["--port", "0"])
            .env_remove("PORT")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start `node {}`: {e}", script.display()))?;

        // stderr is kept for error messages; stdout is read for the port line and then
        // drained so that the server's log lines never fill the pipe.
        let stderr = Arc::new(Mutex::new(String::new()));
        let stderr_reader = child.stderr.take().map(|mut pipe| {
            let stderr = stderr.clone();
            std::thread::spawn(move || {
                let mut text = String::new();
                let _ = pipe.read_to_string(&mut text);
                stderr.lock().unwrap().push_str(&text);
            })
        });
        let (tx, rx) = mpsc::channel::<String>();
        let pipe = child.stdout.take().expect("stdout is piped");
        std::thread::spawn(move || {
            let mut lines = BufReader::new(pipe).lines();
            if let Some(Ok(first)) = lines.next() {
                let _ = tx.send(first);
            }
            for _ in lines {}
        });

        let mut server = NodeServer {
            child,
            url: String::new(),
            stderr,
            stderr_reader,
        };
        let first = match rx.recv_timeout(START_TIMEOUT) {
            Ok(line) => line,
            Err(_) => {
                // Either it exited (the channel closed) or it is still silent.
                let status = server.child.try_wait().ok().flatten();
                let _ = server.child.kill();
                let _ = server.child.wait();
                // The process is gone, so its stderr reader ends: wait for all of it.
                if let Some(reader) = server.stderr_reader.take() {
                    let _ = reader.join();
                }
                return Err(format!(
                    "the node reference server printed no `listening on *:PORT` line within {} s{}:\n{}",
                    START_TIMEOUT.as_secs(),
                    status.map(|s| format!(" (it exited: {s})")).unwrap_or_default(),
                    server.stderr_text()
                ));
            }
        };
        let port: u16 = first
            .strip_prefix("listening on *:")
            .and_then(|p| p.trim().parse().ok())
            .ok_or_else(|| {
                format!("the node reference server's first line is not `listening on *:PORT`: `{first}`")
            })?;
        server.url = format!("http://127.0.0.1:{port}");
        Ok(server)
    }

    /// What the server wrote to stderr so far.
    fn stderr_text(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

/// The Node server, or `None` after printing why the test is skipped. With
/// `SOCKETIO_LAB_REQUIRE_NODE=1` a missing prerequisite fails the test instead.
fn node_server(test: &str) -> Option<NodeServer> {
    if !common::node_ready(test, "socket.io") {
        return None;
    }
    Some(NodeServer::start().unwrap_or_else(|e| panic!("{e}")))
}

/// The `--json` document of a run and its exit code. A failing lesson still prints
/// its document, and the difference is what the test reports.
fn json_run(args: &[&str]) -> (Value, Option<i32>) {
    let out = run(args);
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "`socketio-lab {}` printed no JSON document ({e}):\n{}{}",
            args.join(" "),
            stdout(&out),
            stderr(&out)
        )
    });
    (doc, out.status.code())
}

/// A line diff (longest common subsequence) of two texts, `-` embedded and `+` node,
/// showing only the changed lines and `CONTEXT` lines around them.
fn line_diff(embedded: &str, node: &str) -> String {
    const CONTEXT: usize = 3;
    let a: Vec<&str> = embedded.lines().collect();
    let b: Vec<&str> = node.lines().collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut lines: Vec<(char, &str)> = Vec::new();
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            lines.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            lines.push(('-', a[i]));
            i += 1;
        } else {
            lines.push(('+', b[j]));
            j += 1;
        }
    }
    let near_a_change = |k: usize| {
        let from = k.saturating_sub(CONTEXT);
        let to = (k + CONTEXT + 1).min(lines.len());
        lines[from..to].iter().any(|(mark, _)| *mark != ' ')
    };
    let mut out = String::new();
    let mut skipped = false;
    for (k, (mark, line)) in lines.iter().enumerate() {
        if near_a_change(k) {
            if skipped {
                out.push_str("  ...\n");
                skipped = false;
            }
            out.push_str(&format!("{mark} {line}\n"));
        } else {
            skipped = true;
        }
    }
    out
}

/// `None` when both documents agree; otherwise the first differing step (or the
/// top-level fields), as a diff.
fn first_difference(id: &str, embedded: &Value, node: &Value) -> Option<String> {
    if embedded == node {
        return None;
    }
    let steps = |doc: &Value| doc["steps"].as_array().cloned().unwrap_or_default();
    let (ours, theirs) = (steps(embedded), steps(node));
    for i in 0..ours.len().max(theirs.len()) {
        let (a, b) = (ours.get(i), theirs.get(i));
        if a != b {
            let pretty = |v: Option<&Value>| {
                v.map(|v| serde_json::to_string_pretty(v).unwrap())
                    .unwrap_or_else(|| "(no such step)".to_string())
            };
            let title = a.or(b).and_then(|s| s["title"].as_str()).unwrap_or("?");
            return Some(format!(
                "lesson `{id}`, step {} `{title}` differs (- embedded, + node):\n{}",
                i + 1,
                line_diff(&pretty(a), &pretty(b))
            ));
        }
    }
    let without_steps = |doc: &Value| {
        let mut doc = doc.clone();
        if let Some(map) = doc.as_object_mut() {
            map.remove("steps");
        }
        serde_json::to_string_pretty(&doc).unwrap()
    };
    Some(format!(
        "lesson `{id}`: the documents differ outside the steps (- embedded, + node):\n{}",
        line_diff(&without_steps(embedded), &without_steps(node))
    ))
}

#[test]
fn every_lesson_runs_the_same_on_the_node_reference() {
    let Some(node) = node_server("every_lesson_runs_the_same_on_the_node_reference") else {
        return;
    };
    let mut differences = Vec::new();
    for (id, _) in EMBEDDED {
        let started = Instant::now();
        let (embedded, embedded_code) = json_run(&["run", id, "--json"]);
        let (on_node, node_code) = json_run(&["run", id, "--server", &node.url, "--json"]);
        println!("`{id}`: both runs in {:?}", started.elapsed());
        if let Some(diff) = first_difference(id, &embedded, &on_node) {
            differences.push(diff);
        } else if embedded_code != node_code {
            differences.push(format!(
                "lesson `{id}`: same document, but exit code {embedded_code:?} embedded, {node_code:?} on node\n"
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "the embedded server and the node reference disagree:\n\n{}\nnode's stderr:\n{}",
        differences.join("\n"),
        node.stderr_text()
    );
}

#[test]
fn transcripts_differ_only_in_the_server_line() {
    let Some(node) = node_server("transcripts_differ_only_in_the_server_line") else {
        return;
    };
    for (lesson, _) in socketio_lab::lesson::EMBEDDED {
        transcript_matches(&node, lesson);
    }
}

fn transcript_matches(node: &NodeServer, lesson: &str) {
    let transcript = |extra: &[&str]| {
        let mut args = vec!["run", lesson, "--color", "never"];
        args.extend_from_slice(extra);
        let out = run(&args);
        assert!(
            out.status.success(),
            "`socketio-lab {}` failed:\n{}{}",
            args.join(" "),
            stdout(&out),
            stderr(&out)
        );
        stdout(&out)
    };
    let embedded = transcript(&[]);
    let on_node = transcript(&["--server", &node.url]);

    let header = "  server  ";
    let (a, b): (Vec<&str>, Vec<&str>) = (
        embedded.split_inclusive('\n').collect(),
        on_node.split_inclusive('\n').collect(),
    );
    let differing: Vec<usize> = (0..a.len().max(b.len()))
        .filter(|&i| a.get(i) != b.get(i))
        .collect();
    let only_the_header = a.len() == b.len()
        && differing.len() == 1
        && a[differing[0]].starts_with(header)
        && b[differing[0]] == format!("{header}the lab server at {}\n", node.url);
    assert!(
        only_the_header,
        "`{lesson}`: the transcripts must differ in the `server` header line only (- embedded, + node):\n{}",
        line_diff(&embedded, &on_node)
    );
}

/// Every quiz choice holds on the Node reference exactly when it holds on the
/// embedded server: the quiz teaches what real Socket.IO does.
#[test]
fn quiz_verdicts_match_on_the_node_reference() {
    let Some(node) = node_server("quiz_verdicts_match_on_the_node_reference") else {
        return;
    };
    let lessons = socketio_lab::lesson::embedded().unwrap();
    let embedded = socketio_lab::engine::LabOptions::default();
    let reference = socketio_lab::engine::LabOptions {
        server_url: Some(node.url.clone()),
        ..Default::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        for lesson in &lessons {
            for q in &lesson.questions {
                for (i, choice) in q.choices.iter().enumerate() {
                    let here = socketio_lab::quiz::run_choice(lesson, q, i, &embedded)
                        .await
                        .unwrap();
                    let there = socketio_lab::quiz::run_choice(lesson, q, i, &reference)
                        .await
                        .unwrap();
                    assert!(
                        there.faults(choice).is_empty(),
                        "{}/{} choice {} on node: {:?}",
                        lesson.id,
                        q.id,
                        i + 1,
                        there.faults(choice)
                    );
                    assert_eq!(
                        here.holds(choice),
                        there.holds(choice),
                        "{}/{} choice {}: embedded {:?}, node {:?}",
                        lesson.id,
                        q.id,
                        i + 1,
                        here.mismatches(choice),
                        there.mismatches(choice)
                    );
                }
            }
        }
    });
}

/// A real Socket.IO server that knows nothing of the lab: a one-line diagnosis,
/// quickly, and a non-zero exit.
#[test]
fn a_plain_socket_io_server_is_named_as_not_a_lab_server() {
    if !common::node_ready(
        "a_plain_socket_io_server_is_named_as_not_a_lab_server",
        "socket.io",
    ) {
        return;
    }
    let script = "const http = require('node:http'); const { Server } = require('socket.io'); \
        const s = http.createServer(); new Server(s); \
        s.listen(0, '127.0.0.1', () => console.log('listening on *:' + s.address().port));";
    let mut child = Command::new("node")
        .args(["-e", script])
        .current_dir(repo().join("examples/node-reference"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node starts");
    struct Kill(Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let stdout_pipe = child.stdout.take().unwrap();
    let _guard = Kill(child);
    let mut first = String::new();
    BufReader::new(stdout_pipe).read_line(&mut first).unwrap();
    let port = first
        .trim()
        .strip_prefix("listening on *:")
        .expect("a port line");
    let url = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let out = run(&["run", "emit", "--server", &url, "--timeout", "1000"]);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!(
            "the Socket.IO server at `{url}` does not speak the lab protocol"
        )),
        "{err}"
    );
}
