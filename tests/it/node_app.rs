//! The Node reference runs declared applications (docs/lab-protocol.md, "Declared
//! applications"): `examples/node-reference/app-check.js` sends it an app over
//! `lab:app` and drives it with the official `socket.io-client`, and these tests read
//! what the lab's control socket and each client observed.
//!
//! Needs `node` and `npm ci --prefix examples/node-reference`; without them the tests
//! say why and pass, unless `SOCKETIO_LAB_REQUIRE_NODE=1` (CI) makes that a failure.

use crate::common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::ChildServer;
use serde_json::{json, Value};
use socketio_lab::app::{self, App};
use socketio_lab::protocol::Note;

fn node_server(test: &str) -> Option<ChildServer> {
    if !common::node_ready(test, "socket.io") || !common::node_ready(test, "socket.io-client") {
        return None;
    }
    Some(common::node_reference().unwrap_or_else(|e| panic!("{e}")))
}

/// Runs one scenario (`{"app", "steps"}`) and returns app-check.js's document. The
/// script bounds its own waits (10 s) and exits non-zero when one runs out.
fn scenario(node: &ChildServer, scenario: Value) -> Value {
    let script = common::repo().join("examples/node-reference/app-check.js");
    let mut child = Command::new("node")
        .arg(script)
        .arg(node.url())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(scenario.to_string().as_bytes()).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "app-check.js failed: {}\nserver's stderr:\n{}",
        common::stderr(&out),
        node.stderr_text()
    );
    serde_json::from_slice(&out.stdout).expect("one JSON document")
}

/// An app as a lesson's `[server]` table would spell it, checked as the lab checks
/// it before sending: these tests send only what a lesson could.
fn app(toml_text: &str) -> App {
    let app: App = toml::from_str(toml_text).expect("the app parses");
    app::validate(&app).expect("the app is valid");
    app
}

/// Installs `app` and runs `steps`; the app must be accepted, and its startup line
/// (if it declares one) logged with the port the server listens on.
fn run(node: &ChildServer, app: &App, steps: Value) -> Vec<Value> {
    let doc = scenario(node, json!({ "app": app, "steps": steps }));
    let port = common::port_of(&node.url());
    let mut accepted = json!({"ok": true});
    if let Some(line) = app.listening_line(port) {
        accepted["listening"] = json!(line);
    }
    assert_eq!(doc["app"], accepted, "{doc}");
    doc["steps"].as_array().unwrap().clone()
}

/// A step's notes, read as the lab's own types read them.
fn notes(step: &Value) -> Vec<Note> {
    serde_json::from_value(step["notes"].clone()).unwrap_or_else(|e| panic!("{e}: {step}"))
}

fn received(step: &Value, name: &str) -> Value {
    step["received"][name].clone()
}

fn got(event: &str, args: Value) -> Value {
    json!([{ "event": event, "args": args }])
}

fn connect(name: &str, namespace: &str) -> Note {
    Note::Connect {
        name: name.into(),
        namespace: namespace.into(),
    }
}

fn log(text: &str) -> Note {
    Note::Log { text: text.into() }
}

fn emitted(name: &str, namespace: &str, event: &str, to: &[&str]) -> Note {
    Note::Emit {
        name: name.into(),
        namespace: namespace.into(),
        event: event.into(),
        delivered_to: to.iter().map(|s| s.to_string()).collect(),
        error: None,
        timeout_ms: None,
        plain_socketioxide: None,
    }
}

fn called(name: &str, event: &str, err: Option<&str>, answers: Value) -> Note {
    Note::Callback {
        name: name.into(),
        namespace: "/".into(),
        event: event.into(),
        err: err.map(str::to_string),
        answers: serde_json::from_value(answers).unwrap(),
    }
}

fn handled(name: &str, namespace: &str, event: &str, unhandled: bool) -> Note {
    Note::Handled {
        name: name.into(),
        namespace: namespace.into(),
        event: event.into(),
        unhandled,
        refused: None,
    }
}

#[test]
fn the_tutorial_chat_runs_as_declared() {
    let Some(node) = node_server("the_tutorial_chat_runs_as_declared") else {
        return;
    };
    let steps = run(
        &node,
        &app::tutorial_chat(),
        json!([
            {"connect": "alice"},
            {"connect": "bob"},
            {"emit": "alice", "event": "chat message", "args": ["hi"]},
            {"disconnect": "bob"},
        ]),
    );
    assert!(
        steps[0]["welcome"].as_bool().unwrap_or(false),
        "{}",
        steps[0]
    );
    assert_eq!(
        notes(&steps[0]),
        [connect("alice", "/"), log("a user connected")]
    );
    assert_eq!(
        notes(&steps[1]),
        [connect("bob", "/"), log("a user connected")]
    );
    let chat = &steps[2];
    assert_eq!(
        notes(chat),
        [
            log("message: hi"),
            emitted("alice", "/", "chat message", &["alice", "bob"]),
            handled("alice", "/", "chat message", false),
        ]
    );
    for name in ["alice", "bob"] {
        assert_eq!(
            received(chat, name),
            got("chat message", json!(["hi"])),
            "{name}"
        );
    }
    assert_eq!(
        notes(&steps[3]),
        [
            log("user disconnected"),
            Note::Disconnect {
                name: "bob".into(),
                namespace: "/".into(),
                reason: "client namespace disconnect".into()
            },
        ]
    );
    // The notes (and the startup line of the reply) tell what the server's console shows.
    let console = node.wait_for("user disconnected");
    let port = common::port_of(&node.url());
    assert_eq!(
        console,
        [
            format!("server running at http://localhost:{port}").as_str(),
            "a user connected",
            "a user connected",
            "message: hi",
            "user disconnected"
        ]
    );
}

/// The game-room case of issue 11: players join a room named by the host's socket
/// id, and the host's `socket.to(socket.id)` leaves out that whole room in Node.
#[test]
fn a_host_emitting_to_its_own_id_room_reaches_nobody() {
    let Some(node) = node_server("a_host_emitting_to_its_own_id_room_reaches_nobody") else {
        return;
    };
    let lobby = app(r#"
        [[namespaces]]
        name = "/"
        [[namespaces.events]]
        event = "join game"
        args = ["game"]
        do = [{ join = ["$game"] }]
        [[namespaces.events]]
        event = "start"
        do = [{ emit = { event = "started", to = [["$socket.id"]], args = ["go"] } }]
        [[namespaces.events]]
        event = "start from io"
        do = [{ emit = { event = "started", from = "io", to = [["$socket.id"]], args = ["go"] } }]
    "#);
    let steps = run(
        &node,
        &lobby,
        json!([
            {"connect": "host"},
            {"connect": "ana"},
            {"connect": "ben"},
            {"emit": "ana", "event": "join game", "args": [{"sid_of": "host"}]},
            {"emit": "ben", "event": "join game", "args": [{"sid_of": "host"}]},
            {"emit": "host", "event": "start"},
            {"emit": "host", "event": "start from io"},
        ]),
    );
    let start = &steps[5];
    assert_eq!(
        notes(start),
        [
            emitted("host", "/", "started", &[]),
            handled("host", "/", "start", false)
        ]
    );
    for name in ["host", "ana", "ben"] {
        assert_eq!(received(start, name), json!([]), "{name}: {start}");
    }
    // The players are in the room: `io.to(hostId)` reaches all three.
    let from_io = &steps[6];
    assert_eq!(
        notes(from_io)[0],
        emitted("host", "/", "started", &["ana", "ben", "host"])
    );
    for name in ["host", "ana", "ben"] {
        assert_eq!(
            received(from_io, name),
            got("started", json!(["go"])),
            "{name}"
        );
    }
}

#[test]
fn tenants_of_a_dynamic_namespace_do_not_hear_each_other() {
    let Some(node) = node_server("tenants_of_a_dynamic_namespace_do_not_hear_each_other") else {
        return;
    };
    let tenants = app(r#"
        [[namespaces]]
        name = "/tenants/{tenant}"
        [[namespaces.events]]
        event = "say"
        args = ["msg"]
        do = [
          { log = "{nsp}: {msg}" },
          { emit = { event = "said", broadcast = true, args = ["$msg", "$nsp"] } },
        ]
    "#);
    let steps = run(
        &node,
        &tenants,
        json!([
            {"connect": "a1", "namespace": "/tenants/a"},
            {"connect": "a2", "namespace": "/tenants/a"},
            {"connect": "b1", "namespace": "/tenants/b"},
            {"connect": "x1", "namespace": "/other"},
            {"emit": "a1", "event": "say", "args": ["hello"]},
        ]),
    );
    assert_eq!(notes(&steps[2]), [connect("b1", "/tenants/b")]);
    // A namespace the app does not declare does not exist.
    assert_eq!(steps[3]["refused"], "Invalid namespace", "{}", steps[3]);
    let say = &steps[4];
    assert_eq!(
        notes(say),
        [
            log("/tenants/a: hello"),
            emitted("a1", "/tenants/a", "said", &["a2"]),
            handled("a1", "/tenants/a", "say", false),
        ]
    );
    assert_eq!(
        received(say, "a2"),
        got("said", json!(["hello", "/tenants/a"]))
    );
    assert_eq!(received(say, "a1"), json!([]));
    assert_eq!(received(say, "b1"), json!([]));
}

/// A per-packet middleware (`socket.use`) turns an event away before its handler:
/// the `error` listener logs why, the `handled` note says it was refused, and nobody
/// receives anything. The lab's own events pass, and so do events it does not list.
#[test]
fn a_packet_middleware_refuses_an_event_before_its_handler() {
    let Some(node) = node_server("a_packet_middleware_refuses_an_event_before_its_handler") else {
        return;
    };
    let billing = app(r#"
        [[namespaces]]
        name = "/"
        [[namespaces.middleware]]
        data = ["team"]
        [[namespaces.packet]]
        events = ["invoice"]
        require = { team = "billing" }
        refuse = "only billing sends invoices"
        [[namespaces.events]]
        event = "invoice"
        args = ["number"]
        do = [{ emit = { event = "invoice", broadcast = true, args = ["$number"] } }]
        [[namespaces.events]]
        event = "hello"
        do = [{ log = "hello" }]
    "#);
    let steps = run(
        &node,
        &billing,
        json!([
            {"connect": "ike", "auth": {"name": "ike", "team": "billing"}},
            {"connect": "ivy", "auth": {"name": "ivy", "team": "sales"}},
            {"emit": "ivy", "event": "invoice", "args": ["#1"]},
            {"emit": "ivy", "event": "hello"},
            {"emit": "ike", "event": "invoice", "args": ["#2"]},
        ]),
    );
    let refused = Note::Handled {
        name: "ivy".into(),
        namespace: "/".into(),
        event: "invoice".into(),
        unhandled: false,
        refused: Some("only billing sends invoices".into()),
    };
    assert_eq!(
        notes(&steps[2]),
        [log("only billing sends invoices"), refused]
    );
    assert_eq!(received(&steps[2], "ike"), json!([]));
    assert_eq!(
        notes(&steps[3]),
        [log("hello"), handled("ivy", "/", "hello", false)]
    );
    assert_eq!(
        notes(&steps[4]),
        [
            emitted("ike", "/", "invoice", &["ivy"]),
            handled("ike", "/", "invoice", false)
        ]
    );
    assert_eq!(received(&steps[4], "ivy"), got("invoice", json!(["#2"])));
}

/// A declared `/admin` brings its own middleware: the lab's fixed token no longer
/// lets anyone in, the declared requirement does.
#[test]
fn a_declared_middleware_refuses_without_the_required_auth() {
    let Some(node) = node_server("a_declared_middleware_refuses_without_the_required_auth") else {
        return;
    };
    let admin = app(r#"
        [[namespaces]]
        name = "/admin"
        [[namespaces.middleware]]
        require = { role = "teacher" }
        refuse = "teachers only"
    "#);
    let steps = run(
        &node,
        &admin,
        json!([
            {"connect": "eve", "namespace": "/admin", "auth": {"name": "eve", "token": "let-me-in"}},
            {"connect": "tom", "namespace": "/admin", "auth": {"name": "tom", "role": "teacher"}},
        ]),
    );
    assert_eq!(steps[0]["refused"], "teachers only", "{}", steps[0]);
    assert_eq!(
        notes(&steps[0]),
        [Note::Refuse {
            name: "eve".into(),
            namespace: "/admin".into(),
            reason: "teachers only".into()
        }]
    );
    assert!(
        steps[1]["welcome"].as_bool().unwrap_or(false),
        "{}",
        steps[1]
    );
    assert_eq!(notes(&steps[1]), [connect("tom", "/admin")]);
}

#[test]
fn an_event_without_a_handler_is_reported_unhandled() {
    let Some(node) = node_server("an_event_without_a_handler_is_reported_unhandled") else {
        return;
    };
    // `/admin` without a middleware: nobody is refused, token or not.
    let pairs = app(r#"
        [[namespaces]]
        name = "/admin"
        [[namespaces.events]]
        event = "pair"
        args = ["a", "b: json"]
        do = [{ emit = { event = "pair", args = ["$b", "$a", "$$5"] } }, { ack = "$a" }]
    "#);
    let steps = run(
        &node,
        &pairs,
        json!([
            {"connect": "kim", "namespace": "/admin"},
            {"emit": "kim", "event": "nope", "args": [1], "ack": true},
            {"emit": "kim", "event": "pair", "args": ["x", {"k": 1}], "ack": true},
            {"emit": "kim", "event": "pair", "args": ["only"]},
        ]),
    );
    assert!(
        steps[0]["welcome"].as_bool().unwrap_or(false),
        "{}",
        steps[0]
    );
    let nope = &steps[1];
    assert_eq!(notes(nope), [handled("kim", "/admin", "nope", true)]);
    assert_eq!(
        nope.get("ack"),
        None,
        "the catch-all answers nothing: {nope}"
    );
    let pair = &steps[2];
    assert_eq!(
        notes(pair),
        [
            emitted("kim", "/admin", "pair", &["kim"]),
            handled("kim", "/admin", "pair", false)
        ]
    );
    assert_eq!(
        received(pair, "kim"),
        got("pair", json!([{"k": 1}, "x", "$5"]))
    );
    assert_eq!(pair["ack"], "x");
    // A missing argument is `null`, and no acknowledgement asked for is none answered.
    let short = &steps[3];
    assert_eq!(
        received(short, "kim"),
        got("pair", json!([null, "only", "$5"]))
    );
    assert_eq!(notes(short)[1], handled("kim", "/admin", "pair", false));
}

#[test]
fn a_malformed_app_is_refused_and_changes_nothing() {
    let Some(node) = node_server("a_malformed_app_is_refused_and_changes_nothing") else {
        return;
    };
    run(&node, &app::tutorial_chat(), json!([]));
    let doc = scenario(
        &node,
        json!({"app": {"namespaces": [{"name": "/", "events": [{"event": "x"}]}]}, "steps": [
            {"connect": "ann"},
        ]}),
    );
    assert_eq!(doc["app"]["ok"], false, "{doc}");
    let error = doc["app"]["error"].as_str().unwrap();
    assert!(error.starts_with("malformed `lab:app` request"), "{error}");
    assert!(error.contains("`do`"), "{error}");
    // Nothing changed for this session: it runs the fixed chat, which logs no `log`
    // note; the chat another session installed before is that session's alone.
    assert_eq!(notes(&doc["steps"][0]), [connect("ann", "/")]);
}

/// Node's sender exclusion is the sender's own-id room: `socket.in(room)` leaves the
/// sender out, and a socket that left its own-id room hears its own broadcast.
#[test]
fn the_sender_is_left_out_through_its_own_id_room() {
    let Some(node) = node_server("the_sender_is_left_out_through_its_own_id_room") else {
        return;
    };
    let rooms = app(r#"
        [[namespaces]]
        name = "/"
        [[namespaces.events]]
        event = "enter"
        do = [{ join = ["r1"] }]
        [[namespaces.events]]
        event = "hide"
        do = [{ leave = ["$socket.id"] }]
        [[namespaces.events]]
        event = "shout"
        do = [{ emit = { event = "shouted", in = [["r1"]] } }]
    "#);
    let steps = run(
        &node,
        &rooms,
        json!([
            {"connect": "ann"},
            {"connect": "bea"},
            {"emit": "ann", "event": "enter"},
            {"emit": "bea", "event": "enter"},
            {"emit": "ann", "event": "shout"},
            {"emit": "ann", "event": "hide"},
            {"emit": "ann", "event": "shout"},
        ]),
    );
    assert_eq!(
        notes(&steps[4])[0],
        emitted("ann", "/", "shouted", &["bea"])
    );
    assert_eq!(received(&steps[4], "ann"), json!([]));
    assert_eq!(
        notes(&steps[6])[0],
        emitted("ann", "/", "shouted", &["ann", "bea"])
    );
    assert_eq!(received(&steps[6], "ann"), got("shouted", json!([])));
}

/// A connection handler that awaits something slow attaches its event handlers
/// late: an event the client sends meanwhile reaches no listener, not even the
/// catch-all. Nothing runs for it; only the lab's `unheard` note tells.
#[test]
fn a_slow_connection_handler_misses_an_early_event() {
    let Some(node) = node_server("a_slow_connection_handler_misses_an_early_event") else {
        return;
    };
    // Long enough that the client's first packet, sent as soon as it is connected,
    // arrives during the wait even on a loaded machine.
    let slow = app(r#"
        [[namespaces]]
        name = "/"
        connection = [{ wait_ms = 1000 }, { log = "ready" }]
        [[namespaces.events]]
        event = "hi"
        do = [{ log = "hi" }]
    "#);
    let steps = run(
        &node,
        &slow,
        json!([
            {"connect": "sam", "early": "hi"},
            {"emit": "sam", "event": "hi"},
        ]),
    );
    assert!(
        steps[0]["welcome"].as_bool().unwrap_or(false),
        "{}",
        steps[0]
    );
    let unheard = Note::Unheard {
        name: "sam".into(),
        namespace: "/".into(),
        event: "hi".into(),
    };
    assert_eq!(
        notes(&steps[0]),
        [connect("sam", "/"), unheard, log("ready")]
    );
    assert_eq!(
        notes(&steps[1]),
        [log("hi"), handled("sam", "/", "hi", false)]
    );
}

/// Node's callback form of an acknowledged emit, as the printed JavaScript runs it: a
/// broadcast's callback once, with the error and the answers that came in time; a
/// socket's own emit with `(err, answer)`. The handler goes on without waiting.
#[test]
fn an_emit_with_a_callback_calls_back_once() {
    let Some(node) = node_server("an_emit_with_a_callback_calls_back_once") else {
        return;
    };
    let app = app(r#"
        [[namespaces]]
        name = "/"
        [[namespaces.events]]
        event = "join"
        do = [{ join = ["r1"] }]
        [[namespaces.events]]
        event = "roll call"
        do = [
          { emit = { event = "confirm", from = "io", to = [["r1"]], args = ["there?"], timeout = 300, callback = [{ log = "err: {err}, answers: {answers}" }] } },
          { log = "asked" },
        ]
        [[namespaces.events]]
        event = "check"
        do = [{ emit = { event = "confirm", args = ["you?"], timeout = 300, callback = [{ log = "{err}: {answer}" }] } }]
    "#);
    let answers =
        |value: &str, after_ms: u64| json!({"confirm": {"value": value, "after_ms": after_ms}});
    let steps = run(
        &node,
        &app,
        json!([
            {"connect": "ann", "answers": answers("yes", 0)},
            {"connect": "bo"},
            {"connect": "cy", "answers": answers("late", 900)},
            {"emit": "ann", "event": "join"},
            {"emit": "bo", "event": "join"},
            {"emit": "cy", "event": "join"},
            {"emit": "ann", "event": "roll call"},
            {"emit": "ann", "event": "check"},
            {"emit": "bo", "event": "check"},
        ]),
    );
    let asked = |name: &str, event: &str, to: &[&str]| match emitted(name, "/", event, to) {
        Note::Emit {
            name,
            namespace,
            event,
            delivered_to,
            error,
            ..
        } => Note::Emit {
            name,
            namespace,
            event,
            delivered_to,
            error,
            timeout_ms: Some(300),
            plain_socketioxide: None,
        },
        other => other,
    };
    let timed_out = Some("operation has timed out");
    assert_eq!(
        notes(&steps[6]),
        [
            asked("ann", "confirm", &["ann", "bo", "cy"]),
            log("asked"),
            handled("ann", "/", "roll call", false),
            log("err: operation has timed out, answers: [\"yes\"]"),
            called("ann", "confirm", timed_out, json!(["yes"])),
        ]
    );
    assert_eq!(
        notes(&steps[7]),
        [
            asked("ann", "confirm", &["ann"]),
            handled("ann", "/", "check", false),
            log("none: \"yes\""),
            called("ann", "confirm", None, json!(["yes"])),
        ]
    );
    assert_eq!(
        notes(&steps[8]),
        [
            asked("bo", "confirm", &["bo"]),
            handled("bo", "/", "check", false),
            log("operation has timed out: null"),
            called("bo", "confirm", timed_out, json!([])),
        ]
    );
}

/// A format-2 lesson, run by the lab itself: the embedded server's interpreter and
/// this one must give the same document, and transcripts that differ only in the
/// line naming the server.
#[test]
fn a_declared_lesson_runs_alike_on_both_servers() {
    let Some(node) = node_server("a_declared_lesson_runs_alike_on_both_servers") else {
        return;
    };
    let lessons = common::repo().join("tests/fixtures/declared");
    let lessons = lessons.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "--lessons",
            lessons,
            "run",
            "tenants-lobby",
            "--color",
            "never",
        ];
        args.extend(extra);
        let out = common::run(&args);
        assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
        common::stdout(&out)
    };
    let url = node.url();
    let (embedded, on_node) = (run(&["--json"]), run(&["--json", "--server", &url]));
    let parse = |text: &str| serde_json::from_str::<Value>(text).expect("a JSON document");
    let (mut ours, mut theirs) = (parse(&embedded), parse(&on_node));
    let wrong = crate::reference::differences_by_design("tenants-lobby", &mut ours, &mut theirs);
    assert!(wrong.is_empty(), "{wrong:?}");
    assert!(
        ours == theirs,
        "the two servers disagree (- embedded, + node):\n{}\nnode's stderr:\n{}",
        common::line_diff(&embedded, &on_node),
        node.stderr_text()
    );
    let without_server = |text: String| -> String {
        let lines = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("server  "))
            // Only the embedded server says what plain socketioxide would have done.
            .filter(|l| !l.starts_with(common::PLAIN_SOCKETIOXIDE));
        lines.collect::<Vec<_>>().join("\n")
    };
    let (embedded, on_node) = (run(&[]), run(&["--server", &url]));
    assert_eq!(
        without_server(embedded.clone()),
        without_server(on_node.clone()),
        "{}",
        common::line_diff(&embedded, &on_node)
    );
}

/// `any` is `socket.onAny`: it runs for every event, first, handled or not, and
/// before `socket.use`, so it sees even an event the middleware refuses; the lab's
/// own `lab:` events never reach it.
#[test]
fn any_runs_first_for_every_event() {
    let Some(node) = node_server("any_runs_first_for_every_event") else {
        return;
    };
    let watched = app(r#"
        [[namespaces]]
        name = "/"
        any = [{ log = "in: {event}" }]
        unhandled = [{ log = "nobody handles {event}" }]
        [[namespaces.middleware]]
        data = ["team"]
        [[namespaces.packet]]
        events = ["invoice"]
        require = { team = "billing" }
        refuse = "billing only"
        [[namespaces.events]]
        event = "invoice"
        do = [{ log = "invoiced" }]
    "#);
    let steps = run(
        &node,
        &watched,
        json!([
            {"connect": "ike", "auth": {"name": "ike", "team": "billing"}},
            {"connect": "ivy", "auth": {"name": "ivy", "team": "sales"}},
            {"emit": "ike", "event": "invoice"},
            {"emit": "ivy", "event": "invoice"},
            {"emit": "ivy", "event": "dance"},
        ]),
    );
    assert_eq!(
        notes(&steps[2]),
        [
            log("in: invoice"),
            log("invoiced"),
            handled("ike", "/", "invoice", false)
        ]
    );
    let refused = Note::Handled {
        name: "ivy".into(),
        namespace: "/".into(),
        event: "invoice".into(),
        unhandled: false,
        refused: Some("billing only".into()),
    };
    assert_eq!(
        notes(&steps[3]),
        [log("in: invoice"), log("billing only"), refused]
    );
    assert_eq!(
        notes(&steps[4]),
        [
            log("in: dance"),
            log("nobody handles dance"),
            handled("ivy", "/", "dance", true)
        ]
    );
}
