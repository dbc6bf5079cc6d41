//! The embedded server against the reference: every lesson runs on the Node server in
//! `examples/node-reference/` (the official `socket.io` package) and must give the same
//! `--json` document as on the embedded socketioxide server.
//!
//! Needs `node` on PATH and `npm ci --prefix examples/node-reference`. Without them
//! the tests say why and pass, unless `SOCKETIO_LAB_REQUIRE_NODE=1` (CI) makes that
//! a failure.

use crate::common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{line_diff, repo, run, stderr, stdout, ChildServer, Ready};
use serde_json::Value;
use socketio_lab::lesson::EMBEDDED;

/// The Node server, or `None` after printing why the test is skipped. With
/// `SOCKETIO_LAB_REQUIRE_NODE=1` a missing prerequisite fails the test instead.
fn node_server(test: &str) -> Option<ChildServer> {
    if !common::node_ready(test, "socket.io") {
        return None;
    }
    Some(common::node_reference().unwrap_or_else(|e| panic!("{e}")))
}

/// The `--json` document of a run and its exit code. A failing lesson still prints
/// its document, and the difference is what the test reports.
pub(crate) fn json_run(args: &[&str]) -> (Value, Option<i32>) {
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

/// `None` when both documents agree; otherwise the first differing step (or the
/// top-level fields), as a diff.
pub(crate) fn first_difference(id: &str, embedded: &Value, node: &Value) -> Option<String> {
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

/// The things the servers do differently on purpose:
/// - the sockets a connection carries in several namespaces have one id on
///   socketioxide (the engine.io session's) and one each on Node;
/// - only the embedded server says where plain socketioxide, with no own-id rooms,
///   would have sent an emit that its shims send as Node does.
///
/// Checks that each server did its own, then leaves the fields out of both
/// documents so that the rest must agree.
pub(crate) fn differences_by_design(
    id: &str,
    embedded: &mut Value,
    node: &mut Value,
) -> Vec<String> {
    let mut wrong = Vec::new();
    for (doc, server, want) in [
        (&mut *embedded, "embedded", "shared"),
        (&mut *node, "node", "per_namespace"),
    ] {
        let steps = doc["steps"].as_array_mut().into_iter().flatten();
        let connections = steps
            .filter_map(|s| s["connections"].as_array_mut())
            .flatten();
        for connection in connections.filter_map(Value::as_object_mut) {
            match connection.remove("socket_ids") {
                Some(ids) if ids == want => {}
                Some(ids) => wrong.push(format!(
                    "lesson `{id}` on {server}: socket ids {ids}, expected {want}\n"
                )),
                None => {}
            }
        }
    }
    for (doc, server) in [(embedded, "embedded"), (node, "node")] {
        let steps = doc["steps"].as_array_mut().into_iter().flatten();
        for step in steps.filter_map(Value::as_object_mut) {
            if step.remove("plain_socketioxide").is_some() && server == "node" {
                wrong.push(format!(
                    "lesson `{id}` on node: a step says what plain socketioxide would do"
                ));
            }
        }
    }
    wrong
}

/// The Node reference's options for a lesson's `[network]` timers, if it has one.
fn heartbeat_of(id: &str, text: &str) -> Option<Vec<String>> {
    let lesson = socketio_lab::lesson::parse(id, id, text).unwrap_or_else(|e| panic!("{e}"));
    let n = lesson.network?;
    Some(vec![
        "--ping-interval".into(),
        n.ping_interval_ms.to_string(),
        "--ping-timeout".into(),
        n.ping_timeout_ms.to_string(),
    ])
}

#[test]
fn every_lesson_runs_the_same_on_the_node_reference() {
    let Some(node) = node_server("every_lesson_runs_the_same_on_the_node_reference") else {
        return;
    };
    let mut differences = Vec::new();
    for (id, text) in EMBEDDED {
        let started = Instant::now();
        // A lesson about drops needs its own heartbeat: Node's is server-wide.
        let timed = heartbeat_of(id, text)
            .map(|options| common::node_reference_with(&options).unwrap_or_else(|e| panic!("{e}")));
        // A lesson on several nodes runs on as many reference processes of its own,
        // which the lab joins through the Redis it starts (`lab:adapter`).
        let nodes: Vec<ChildServer> = (0..nodes_of(id))
            .map(|_| common::node_reference().unwrap_or_else(|e| panic!("{e}")))
            .collect();
        let url = timed.as_ref().unwrap_or(&node).url();
        let (mut embedded, embedded_code) = json_run(&["run", id, "--json"]);
        let mut args = vec!["run".to_string(), id.to_string(), "--json".to_string()];
        let urls: Vec<String> = if nodes.is_empty() {
            vec![url]
        } else {
            nodes.iter().map(ChildServer::url).collect()
        };
        for url in urls {
            args.extend(["--server".to_string(), url]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (mut on_node, node_code) = json_run(&args);
        differences.extend(differences_by_design(id, &mut embedded, &mut on_node));
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
    for (lesson, text) in socketio_lab::lesson::EMBEDDED {
        if nodes_of(lesson) > 0 {
            // Its server line names every node; the `--json` cross-check covers it.
            continue;
        }
        match heartbeat_of(lesson, text) {
            Some(options) => {
                let timed = common::node_reference_with(&options).unwrap_or_else(|e| panic!("{e}"));
                transcript_matches(&timed, lesson);
            }
            None => transcript_matches(&node, lesson),
        }
    }
}

fn transcript_matches(node: &ChildServer, lesson: &str) {
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
    let on_node = transcript(&["--server", &node.url()]);

    let header = "  server  ";
    let (a, b): (Vec<&str>, Vec<&str>) = (
        embedded.split_inclusive('\n').collect(),
        on_node.split_inclusive('\n').collect(),
    );
    // Only the embedded server can say what plain socketioxide would have done: its
    // line is left out before the transcripts are compared.
    let plain = crate::common::PLAIN_SOCKETIOXIDE;
    let a: Vec<&str> = a.into_iter().filter(|l| !l.starts_with(plain)).collect();
    assert!(b.iter().all(|l| !l.starts_with(plain)), "{on_node}");
    // Socket ids of one connection, as each server gives them (one id on
    // socketioxide, one per namespace on Node): said differently on purpose.
    let ids_as_each_server_gives_them = |i: usize| {
        let (ours, theirs) = (
            a.get(i).copied().unwrap_or(""),
            b.get(i).copied().unwrap_or(""),
        );
        ours.starts_with("  ids    ")
            && ours.ends_with(": one socket id, the same in every namespace\n")
            && theirs.starts_with("  ids    ")
            && theirs.ends_with(": a socket id of its own in each namespace\n")
    };
    let differing: Vec<usize> = (0..a.len().max(b.len()))
        .filter(|&i| a.get(i) != b.get(i) && !ids_as_each_server_gives_them(i))
        .collect();
    let only_the_header = a.len() == b.len()
        && differing.len() == 1
        && a[differing[0]].starts_with(header)
        && b[differing[0]] == format!("{header}the lab server at {}\n", node.url());
    assert!(
        only_the_header,
        "`{lesson}`: the transcripts must differ in the `server` header line only (- embedded, + node):\n{}",
        line_diff(&embedded, &on_node)
    );
}

/// Every quiz choice holds on the Node reference exactly when it holds on the
/// embedded server: the quiz teaches what real Socket.IO does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiz_verdicts_match_on_the_node_reference() {
    let Some(node) = node_server("quiz_verdicts_match_on_the_node_reference") else {
        return;
    };
    let lessons = socketio_lab::lesson::embedded().unwrap();
    let embedded = socketio_lab::engine::LabOptions::default();
    let reference = socketio_lab::engine::LabOptions {
        server_url: Some(node.url()),
        ..Default::default()
    };
    {
        for lesson in &lessons {
            // A lesson on several nodes runs each choice on as many reference
            // processes, joined (or not) as the choice's topology says.
            let nodes: Vec<ChildServer> = (0..nodes_of(&lesson.id))
                .map(|_| common::node_reference().unwrap_or_else(|e| panic!("{e}")))
                .collect();
            let reference = match nodes.split_first() {
                Some((first, more)) => socketio_lab::engine::LabOptions {
                    server_url: Some(first.url()),
                    more_servers: more.iter().map(ChildServer::url).collect(),
                    ..Default::default()
                },
                None => reference.clone(),
            };
            for q in &lesson.questions {
                for (i, choice) in q.choices.iter().enumerate() {
                    let here = socketio_lab::quiz::run_choice(lesson, q, i, &embedded)
                        .await
                        .unwrap();
                    let there = socketio_lab::quiz::run_choice(lesson, q, i, &reference)
                        .await
                        .unwrap();
                    let faults = there.faults(choice);
                    let at = format!("{}/{} choice {}", lesson.id, q.id, i + 1);
                    assert!(faults.is_empty(), "{at} on node: {faults:?}");
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
    }
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
    let mut cmd = Command::new("node");
    cmd.args(["-e", script])
        .current_dir(repo().join("examples/node-reference"));
    let plain = ChildServer::start(cmd, Ready::PortLine, Duration::from_secs(15))
        .unwrap_or_else(|e| panic!("{e}"));
    let url = plain.url();
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

/// Alice and bob on `url`; alice asks for an emit with the `local` flag (from `io`
/// or from her socket) and gets the server's reply.
async fn local_emit_reply(url: &str, from: &str) -> socketio_lab::protocol::Reply {
    use socketio_lab::client::{self, Answer, ConnectOutcome};
    let (collector, _inbox) = socketio_lab::trace::Collector::new();
    let timeout = Duration::from_secs(2);
    let mut clients = Vec::new();
    for name in ["alice", "bob"] {
        let auth = serde_json::Map::new();
        match client::connect(url, name, "/", &auth, collector.clone(), timeout).await {
            Ok(ConnectOutcome::Accepted(c)) => clients.push(c),
            other => panic!("`{name}` did not get in at {url}: {other:?}"),
        }
    }
    let request = serde_json::json!({"from": from, "local": true, "event": "news", "data": "hi"});
    let answer = clients[0].request("lab:emit", request, timeout).await;
    for c in &clients {
        let _ = c.disconnect().await;
    }
    match answer {
        Answer::Reply(value) => serde_json::from_value(value).expect("a lab reply"),
        other => panic!("no reply to `lab:emit` at {url}: {other:?}"),
    }
}

/// The `local` flag (docs/lab-protocol.md): on one server it selects what the same
/// emit without it selects, and both servers answer alike.
#[tokio::test]
async fn the_local_flag_selects_alike_on_both_servers() {
    let Some(node) = node_server("the_local_flag_selects_alike_on_both_servers") else {
        return;
    };
    let embedded = socketio_lab::server::EmbeddedServer::start()
        .await
        .expect("the embedded server starts");
    for (from, reached) in [("io", vec!["alice", "bob"]), ("socket", vec!["bob"])] {
        let ours = local_emit_reply(&embedded.url, from).await;
        let theirs = local_emit_reply(&node.url(), from).await;
        assert_eq!(ours, theirs, "from `{from}`");
        let reached: Vec<String> = reached.into_iter().map(String::from).collect();
        assert_eq!(ours.delivered_to, Some(reached), "from `{from}`: {ours:?}");
    }
    embedded.stop().await;
}

/// Over the size limit both servers close the sender's connection (the `chat`
/// lesson shows it with the same reason on both), but their WebSocket close frames
/// differ, as docs/lesson-format.md says: Node's carries 1009 (message too big),
/// socketioxide's no code, which a client reads as 1005. At the limit both keep it.
#[tokio::test]
async fn over_the_size_limit_the_close_frames_differ_as_documented() {
    let test = "over_the_size_limit_the_close_frames_differ_as_documented";
    let Some(node) = node_server(test) else {
        return;
    };
    let embedded = socketio_lab::server::EmbeddedServer::start()
        .await
        .expect("the embedded server starts");
    let script = repo().join("examples/node-reference/close-check.js");
    let close = move |url: &str, bytes: usize| {
        let out = Command::new("node")
            .arg(&script)
            .arg(url)
            .arg(bytes.to_string())
            .output()
            .expect("node runs");
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out).trim().to_string()
    };
    let limit = socketio_lab::protocol::MAX_MESSAGE_BYTES;
    let url = embedded.url.clone();
    let (ours, theirs) = tokio::task::spawn_blocking(move || {
        let ours = (close(&url, limit), close(&url, limit + 1));
        let theirs = (close(&node.url(), limit), close(&node.url(), limit + 1));
        (ours, theirs)
    })
    .await
    .unwrap();
    assert_eq!(ours, ("open".to_string(), "1005".to_string()));
    assert_eq!(theirs, ("open".to_string(), "1009".to_string()));
    embedded.stop().await;
}

/// A quiz against one shared server runs its choices one at a time: labs that share
/// a server share its namespaces and rooms, so a choice's `io.emit` would reach the
/// sockets of another choice run at the same moment. Each question here has a
/// choice whose handler emits to everyone.
#[test]
fn a_quiz_against_one_server_keeps_its_choices_apart() {
    let Some(node) = node_server("a_quiz_against_one_server_keeps_its_choices_apart") else {
        return;
    };
    let url = node.url();
    for (lesson, right) in [("rooms", "1,1,1+2"), ("namespaces", "1,1+2+3,1+2,1")] {
        let out = run(&["quiz", lesson, "--server", &url, "--answers", right]);
        assert!(
            out.status.success(),
            "quiz {lesson}:\n{}\n{}",
            stdout(&out),
            stderr(&out)
        );
    }
}

/// How many nodes a built-in lesson runs on (`[nodes]`); 0 for one server.
pub(crate) fn nodes_of(id: &str) -> usize {
    let lessons = socketio_lab::lesson::embedded().unwrap();
    let lesson = lessons.iter().find(|l| l.id == id).unwrap();
    lesson.nodes.map_or(0, |n| n.count)
}
