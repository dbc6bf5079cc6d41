//! `socketio-lab serve` as a learner uses it: a server on its own, reached over loopback.

use crate::common;

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
        let needle = format!("{name} disconnected: ");
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
        .filter(|l| !l.contains("127.0.0.1:") && !l.contains("localhost:"))
        .collect();
    common::settings().bind(|| insta::assert_snapshot!("serve_rooms_log", pinned.join("\n")));
    assert!(log.iter().any(|l| l == "alice connected"), "{log:?}");
    // The lesson's private message: its `tell` handler, given bob's id as the room.
    let private = [
        "alice's handler emitted \"news\" to bob",
        "handled tell from alice",
    ];
    assert!(log.windows(2).any(|w| w == private), "{log:?}");
}

#[test]
fn rooms_shows_the_servers_room_table_on_every_change() {
    let mut cmd = common::bin();
    cmd.args(["serve", "--port", "0", "--color", "never", "--rooms"]);
    let served = common::ChildServer::start(cmd, common::Ready::PortLine, Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("{e}"));
    let lesson = run(&["run", "rooms", "--server", &served.url()]);
    assert!(lesson.status.success(), "{}", stderr(&lesson));
    let log = served.wait_for("rooms  (no sockets connected)");
    let tables: Vec<&str> = log
        .iter()
        .map(String::as_str)
        .filter(|l| l.starts_with("rooms "))
        .collect();
    // Each join and leave of the lesson, in its order, as the server's state holds
    // it; the departures at the end empty it (they race, so only the end is pinned).
    assert_eq!(
        tables[..5],
        [
            "rooms  /      r1: bob  r2: bob",
            "rooms  /      r1: bob, carol  r2: bob",
            "rooms  /      r1: bob, carol  r2: bob, dave",
            "rooms  /      r1: alice, bob, carol  r2: bob, dave",
            "rooms  /      r1: alice, carol  r2: bob, dave",
        ],
        "{log:#?}"
    );
    assert_eq!(tables.last(), Some(&"rooms  (no sockets connected)"));
    // Each table comes as the change it shows happens: within the handler that
    // joined, before the server notes that handler done.
    let joined = log
        .iter()
        .position(|l| l == "handled join from carol")
        .unwrap();
    assert_eq!(log[joined - 1], "rooms  /      r1: bob, carol  r2: bob");
    // Without `--rooms`, no table.
    let plain = common::serve();
    let again = run(&["run", "rooms", "--server", &plain.url()]);
    assert!(again.status.success(), "{}", stderr(&again));
    let log = plain.wait_for("handled leave from bob");
    assert!(!log.iter().any(|l| l.starts_with("rooms ")), "{log:#?}");
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
        // The chat message is the page's own event: the tutorial's handler answers
        // nothing, and only what the clients received tells who got it.
        let answered = i < 3;
        if answered {
            assert_eq!(step["reply"]["ok"], true, "step {}: {step}", i + 1);
        } else {
            assert_eq!(step["reply"], serde_json::Value::Null, "step {}", i + 1);
        }
        let received: Vec<&str> = ["ana", "ben"]
            .into_iter()
            .filter(|n| !step["deliveries"][n].as_array().unwrap().is_empty())
            .collect();
        assert_eq!(received, names, "step {}: {step}", i + 1);
        if answered && !names.is_empty() {
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

/// Issue 13, item 4: a flood of 100,000 chat messages from the official JavaScript
/// client is echoed whole to it, as Node does. socketioxide's default buffer (128
/// packets) refused most of the echoes, and the relay dropped them without a word.
#[test]
fn a_flood_of_chat_messages_is_echoed_whole() {
    if !common::node_ready(
        "a_flood_of_chat_messages_is_echoed_whole",
        "socket.io-client",
    ) {
        return;
    }
    // Done when every echo is in; or, once the server has answered a `lab:sync` sent
    // after the flood (so it has read every message), when no echo came for 5 s.
    let flood = "const { io } = require('socket.io-client'); const N = 100000; \
        const s = io(process.argv[1], { transports: ['websocket'], reconnection: false }); \
        let got = 0, synced = false, last = Date.now(); const t0 = Date.now(); \
        const done = () => { console.log(JSON.stringify({ got, ms: Date.now() - t0 })); process.exit(0); }; \
        s.on('chat message', () => { got++; last = Date.now(); if (got === N) done(); }); \
        s.on('connect', () => { for (let i = 0; i < N; i++) s.emit('chat message', 'm' + i); \
          s.emit('lab:sync', null, () => { synced = true; last = Date.now(); }); last = Date.now(); \
          setInterval(() => { if (Date.now() - last > (synced ? 5000 : 30000)) done(); }, 50); });";
    let served = common::serve();
    let out = Command::new("node")
        .args(["-e", flood, &served.url()])
        .current_dir(common::repo().join("examples/node-reference"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    println!(
        "the sender received {} of 100,000 echoes in {} ms",
        result["got"], result["ms"]
    );
    assert_eq!(result["got"], 100_000, "{result}");
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
    let port = common::listening_port(&first).unwrap();
    // Done once every echo is in: the server has handled every message (issue 13's
    // item 4: none is refused any more). Measured at rest, not mid-flood.
    let flood = "const { io } = require('socket.io-client'); \
        const s = io(process.argv[1], { transports: ['websocket'], reconnection: false }); \
        let got = 0; s.on('chat message', () => { if (++got === 100000) process.exit(0); }); \
        s.on('connect', () => { for (let i = 0; i < 100000; i++) s.emit('chat message', 'm' + i); }); \
        setTimeout(() => process.exit(3), 60000);";
    // Three floods: with a log that grows, each adds what the first did (about 120 MB
    // each, measured before the fix). Echoes are now buffered as Node does, and the
    // allocator keeps some of what they took: up to 50 MB more after a later flood.
    let mut rss = Vec::new();
    for _ in 0..3 {
        let node = Command::new("node")
            .args(["-e", flood, &format!("http://127.0.0.1:{port}")])
            .current_dir(common::repo().join("examples/node-reference"))
            .status()
            .unwrap();
        assert!(node.success(), "the flood did not finish: {node:?}");
        rss.push(rss_mb(child.id()));
    }
    println!("serve holds {rss:?} MB after each flood of 100,000 messages");
    // Memory is printed, not judged: with Node-like send buffers the allocator keeps
    // 130-200 MB after a flood whatever the log does. That the log is bounded is
    // judged below, by what it says it dropped.
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    // Never hang: a serve that ignores Ctrl-C is killed after 10 s, and fails below.
    let pid = child.id().to_string();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(10));
        let _ = Command::new("kill").args(["-KILL", &pid]).status();
    });
    // Reading again lets the log drain: it must say what it left out, then stop.
    let rest: Vec<String> = reader.lines().map_while(Result::ok).collect();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(
        rest.iter().any(|l| l.contains(" lines not shown")),
        "no line says what was dropped"
    );
    // Its last words: `server stopped`, then what to do next.
    let words: Vec<&str> = rest
        .iter()
        .map(String::as_str)
        .filter(|l| !l.is_empty() && !l.starts_with("next: "))
        .collect();
    assert_eq!(words.last().copied(), Some("server stopped"));
    assert!(
        rest.last().is_some_and(|l| l.starts_with("next: ")),
        "{rest:?}"
    );
}

/// `serve ARGS`' first line on stdout, and all it wrote on stderr until it was
/// stopped right after that line.
fn first_line(args: &[&str]) -> (String, String) {
    use std::io::{BufRead, BufReader, Read};
    let mut child = common::bin()
        .arg("serve")
        .args(args)
        .args(["--port", "0", "--color", "never"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (first.trim_end().to_string(), err)
}

/// Issue 13, item 8: the first line names the address `serve` is bound to (it said
/// `*` while bound to loopback alone), and nothing is said on stderr.
#[test]
fn serve_names_the_address_it_is_bound_to() {
    let (line, err) = first_line(&[]);
    let port = common::listening_port(&line).unwrap();
    assert_eq!(line, format!("listening on 127.0.0.1:{port}"));
    assert_eq!(err, "");
}

/// Issue 13, item 8: bound to every interface, `serve` says on stderr that anyone on
/// the network can drive the lab. (It is stopped as soon as it has said so.)
#[test]
fn serve_warns_when_it_listens_beyond_this_machine() {
    let (line, err) = first_line(&["--host", "0.0.0.0"]);
    let port = common::listening_port(&line).unwrap();
    assert_eq!(line, format!("listening on 0.0.0.0:{port}"));
    assert_eq!(
        err,
        "warning: `--host 0.0.0.0` is not a loopback address: anyone on the network can \
         connect to this server and drive the lab; the default `--host 127.0.0.1` keeps it \
         on this machine\n"
    );
}

/// Issue 13, items 5 and 8: names, rooms and event names from clients are shown in
/// `serve`'s log with their control characters escaped, and a 900 KB event name (just
/// under the server's 1,000,000-byte message limit) is never logged whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_clients_send_is_logged_escaped_and_capped() {
    use serde_json::{json, Map, Value};
    use socketio_lab::client::{self, Answer, ConnectOutcome};
    use socketio_lab::protocol::{EMIT, JOIN};
    use socketio_lab::trace::Collector;

    let served = common::serve();
    // An OSC window title, a screen clear, a colour, a forged log line.
    let name = "\u{1b}]0;owned\u{7}mallory\u{1b}[2J";
    let wait = Duration::from_secs(10);
    let (collector, _inbox) = Collector::new();
    let auth = Map::new();
    let outcome = client::connect(&served.url(), name, "/", &auth, collector, wait).await;
    let Ok(ConnectOutcome::Accepted(mallory)) = outcome else {
        panic!("mallory could not connect");
    };
    let ask = |event: String, data: Value| {
        let mallory = &mallory;
        async move {
            match mallory.request(&event, data, wait).await {
                Answer::Reply(reply) => reply,
                other => panic!("`{}`: {other:?}", &event[..event.len().min(40)]),
            }
        }
    };
    ask(
        JOIN.into(),
        json!({"rooms": ["\u{1b}[31mred\nforged line"]}),
    )
    .await;
    let blink = json!({"event": "\u{1b}[5mblink", "data": 1});
    ask(EMIT.into(), blink).await;
    let huge = "x".repeat(900_000);
    let shown = format!("{}… (900,000 bytes in all)", "x".repeat(100));
    let escaped = "\\e]0;owned\\u{7}mallory\\e[2J";
    // A chat message the tutorial's handler logs (`message: …`): the client's text.
    let red = json!("\u{1b}[31mred");
    mallory.emit_args("chat message", vec![red]).await.unwrap();
    let chatted = served.wait_for("handled chat message");
    // An event nobody handles, as a page would send it: the tutorial's chat has no
    // catch-all, and the log names it capped.
    mallory.emit_args(&huge, vec![Value::Null]).await.unwrap();
    let before: Vec<String> = chatted
        .into_iter()
        .chain(served.wait_for("no handler for"))
        .collect();
    ask(EMIT.into(), json!({"event": huge, "data": 1})).await;
    let _ = mallory.disconnect().await;
    let after = served.wait_for("disconnected: client namespace disconnect");

    // After the application's startup line.
    let log: Vec<String> = before.into_iter().chain(after).collect();
    let start = log
        .iter()
        .position(|l| l.starts_with("server running at http://localhost:"))
        .expect("the startup line");
    assert_eq!(
        log[start + 1..],
        [
            format!("{escaped} connected"),
            "a user connected".to_string(),
            format!("{escaped} joined \\e[31mred\\nforged line"),
            format!("{escaped}: socket.emit(\"\\e[5mblink\") → {escaped}"),
            "message: \\e[31mred".to_string(),
            format!("{escaped}'s handler emitted \"chat message\" to {escaped}"),
            format!("handled chat message from {escaped}"),
            format!("no handler for {shown} from {escaped}"),
            format!("{escaped}: socket.emit(\"{shown}\") → {escaped}"),
            "user disconnected".to_string(),
            format!("{escaped} disconnected: client namespace disconnect"),
        ]
    );
}

/// `serve --lesson chat`: the official JavaScript client talks to the chat lesson's
/// declared server code, and the log is that code's own lines (startup line with the
/// real port included), connections and departures as plain facts beside them.
#[test]
fn serve_runs_a_lessons_declared_code_for_your_own_clients() {
    if !common::node_ready(
        "serve_runs_a_lessons_declared_code_for_your_own_clients",
        "socket.io-client",
    ) {
        return;
    }
    let mut cmd = common::bin();
    cmd.args([
        "serve", "--port", "0", "--color", "never", "--lesson", "chat",
    ]);
    let served = common::ChildServer::start(cmd, common::Ready::PortLine, Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("{e}"));
    let chat = "const { io } = require('socket.io-client'); \
        const s = io(process.argv[1], { auth: { name: 'ana' }, transports: ['websocket'], reconnection: false }); \
        s.on('connect', () => s.emit('chat message', 'hello')); \
        s.on('chat message', (m) => { console.log(m); s.disconnect(); process.exit(0); }); \
        setTimeout(() => process.exit(3), 10000);";
    let out = Command::new("node")
        .args(["-e", chat, &served.url()])
        .current_dir(common::repo().join("examples/node-reference"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "hello");
    let log = served.wait_for("ana disconnected: ");
    let port = common::port_of(&served.url());
    let wanted = [
        format!("server running at http://localhost:{port}"),
        "ana connected".to_string(),
        "a user connected".to_string(),
        "message: hello".to_string(),
        "user disconnected".to_string(),
    ];
    let mut at = 0;
    for line in &wanted {
        let found = log[at..].iter().position(|l| l.trim() == line.as_str());
        at += found.unwrap_or_else(|| panic!("`{line}` missing, or out of order, in {log:#?}")) + 1;
    }
    assert!(
        log.iter().all(|l| !l.contains("a user connected  (")),
        "a declared app's log is its own: {log:#?}"
    );
}

/// Issue 28, item 4: a lab counts only its own sockets. A learner's page connected
/// to `serve` with no lab session (the documented workflow: your page beside the lab)
/// receives the chat's broadcasts too, and the lab neither waits for it nor fails
/// for it.
#[test]
fn a_foreign_page_beside_serve_does_not_break_a_lab() {
    use socketio_lab::client::{self, ConnectOutcome};
    use socketio_lab::trace::Collector;

    let served = common::serve();
    let url = served.url();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let page = runtime.block_on(async {
        let (collector, _inbox) = Collector::new();
        let auth = serde_json::Map::new();
        let wait = Duration::from_secs(10);
        match client::connect(&url, "learner-page", "/", &auth, collector, wait).await {
            Ok(ConnectOutcome::Accepted(c)) => *c,
            _ => panic!("the page could not connect"),
        }
    });
    served.wait_for("learner-page connected");
    for lesson in ["chat", "emit"] {
        let lab = run(&["run", lesson, "--server", &url, "--color", "never"]);
        assert!(lab.status.success(), "{lesson}: {}", stderr(&lab));
    }
    runtime.block_on(async { page.disconnect().await.unwrap() });
}

/// Issue 28, item 5: children of a dynamic namespace that clients open and close at
/// once are removed. socketioxide answers the CONNECT before it runs the connection
/// handler, so a client that leaves as soon as it is accepted left before the
/// handler set `on_disconnect`: 7,591 of 20,000 children stayed, and the next lab's
/// declaration was refused (256 namespaces at most); 1,712 of 4,000 here, with
/// Node's client.
#[test]
fn children_left_as_soon_as_accepted_are_removed_and_the_next_lab_runs() {
    if !common::node_ready("children_left_as_soon_as_accepted", "socket.io-client") {
        return;
    }
    let mut cmd = common::bin();
    cmd.args([
        "serve", "--lesson", "handlers", "--port", "0", "--color", "never",
    ]);
    let served = common::ChildServer::start(cmd, common::Ready::PortLine, Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("{e}"));
    let out = Command::new("node")
        .arg(common::repo().join("tests/fixtures/open-and-close-children.js"))
        .args([served.url().as_str(), "4000"])
        .env(
            "NODE_PATH",
            common::repo().join("examples/node-reference/node_modules"),
        )
        .stdin(Stdio::null())
        .output()
        .expect("node runs");
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let lab = run(&["run", "namespaces", "--server", &served.url(), "--json"]);
    assert!(lab.status.success(), "{}", stderr(&lab));
}
