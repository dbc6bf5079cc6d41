use super::validate::line_column;
use super::*;

/// A small valid lesson; other modules' tests render it too.
pub(crate) const GOOD: &str = r#"
format_version = 1
title = "t"
summary = "s"
intro = "i"

[[clients]]
name = "alice"

[[clients]]
name = "bob"

[[clients]]
name = "carol"

[[steps]]
title = "connect"
op = "connect"
actors = ["alice", "bob", "carol"]

[[steps]]
title = "everyone but alice"
op = "emit"
actor = "alice"
broadcast = true
event = "news"
payload = "hi"
expect = ["bob", "carol"]
"#;

#[test]
fn a_good_lesson_parses() {
    let lesson = parse("x", "x.toml", GOOD).unwrap();
    assert_eq!(lesson.clients.len(), 3);
    assert_eq!(lesson.clients[0].namespace, "/");
    let step = &lesson.steps[1];
    assert_eq!(step.action.payload(), Some(&serde_json::json!("hi")));
    assert!(step.action.emit().is_some_and(|e| e.broadcast));
    assert_eq!(
        step.expect.delivered_to,
        Some(vec!["bob".to_string(), "carol".to_string()])
    );
}

/// GOOD with its first `from` replaced by `to`: where the error is and what it says.
const BROKEN: &[(&str, &str, (usize, usize), &str)] = &[
    ("actor = ", "acter = ", (24, 1), "unknown field `acter`, expected one of"),
    ("actor = ", "actr = ", (24, 1), "; did you mean `actor`?"),
    ("\"emit\"", "\"emti\"", (23, 6), "; did you mean `emit`?"),
    ("\"alice\"\nbroad", "\"zed\"\nbroad", (24, 9), "unknown client `zed` in `actor`"),
    ("\"bob\"\n\n[[clients]]", "\"alice\"\n\n[[clients]]", (11, 8), "duplicate client name `alice`"),
    ("\"emit\"", "\"shout\"", (23, 6), "unknown variant `shout`, expected one of"),
    ("\"bob\"\n", "\"bob\"\nnamespace = \"/chat\"\n", (12, 13), "unknown namespace `/chat` (the lab server has `/` and `/admin`)"),
    ("\"bob\"\n", "\"bob\"\nnamespace = \"/lab\"\n", (12, 13), "namespace `/lab` is reserved for the lab's own control connection"),
    ("\"alice\", \"bob\", \"carol\"", "\"bob\"", (21, 1), "`alice` is not connected at step `everyone but alice` (add a `connect` step before it)"),
    ("\"news\"", "\"disconnect\"", (26, 9), "`disconnect` is reserved by Socket.IO and cannot be an application event"),
    ("\"news\"", "\"lab:x\"", (26, 9), "`lab:x`: event names starting with `lab:` belong to the lab protocol"),
    ("format_version = 1", "format_version = 7", (2, 18), "unsupported `format_version` 7 (this socketio-lab reads version 2, whose lessons declare their server's code, and version 1, whose lessons run the lab's fixed chat server)"),
    ("op = \"emit\"", "op = \"join\"", (26, 9), "`event` does not apply to `join`"),
    ("broadcast = true", "rooms = [\"r\"]", (25, 9), "`rooms` does not apply to `emit` (use `to`, `in` or `except` to select rooms)"),
    ("broadcast = true", "timeout = 5", (25, 11), "`timeout` applies to `ask`, or to `emit` with `ack = true`"),
    ("broadcast = true", "ack = true", (21, 1), "`ack = true` needs a `timeout` (milliseconds)"),
    ("broadcast = true", "from = \"io\"\nbroadcast = true", (21, 1), "`broadcast` is a flag of a socket; `io` already reaches everyone"),
    ("broadcast = true", "of = \"/admin\"", (25, 6), "`of` needs `from = \"io\"` (`io.of(..)` is a server-wide call)"),
    ("broadcast = true", "to = [\"id:zed\"]", (25, 6), "`id:zed` names the own-id room of an unknown client `zed`"),
    ("op = \"connect\"", "op = \"connect\"\nbroadcast = true", (16, 1), "`from`, `broadcast`, `to`, `in`, `except`, `of`, `ack` and `volatile` apply to `emit` only, not `connect`"),
    ("op = \"connect\"", "op = \"connect\"\nexpect = [\"bob\"]", (19, 10), "`expect` lists who receives an event; `connect` sends none"),
    ("broadcast = true", "expect_refused = true", (21, 1), "`expect_refused` applies to `connect`, `send` and `ask` only"),
    ("broadcast = true", "expect_answer = 1", (21, 1), "`expect_answer` applies to `ask`, to `emit` with `ack = true`, or to `send` in format 2"),
    ("actors = [\"alice\", \"bob\", \"carol\"]", "actor = \"alice\"\nactors = [\"bob\"]", (20, 10), "give either `actor` or `actors`, not both"),
];

#[test]
fn broken_lessons_are_located() {
    for (from, to, at, message) in BROKEN {
        assert!(GOOD.contains(from), "GOOD lacks {from:?}");
        let e = parse("x", "x.toml", &GOOD.replacen(from, to, 1)).expect_err(to);
        assert_eq!((e.line, e.column), *at, "{e}");
        // A suggestion ("; did you mean ..") ends the message.
        let found = match message.strip_prefix("; ") {
            Some(_) => e.message.ends_with(message),
            None => e.message.starts_with(message),
        };
        assert!(found, "{e}");
    }
}

#[test]
fn syntax_error_is_located() {
    let e = parse("x", "x.toml", "format_version = 1\ntitle = \"unclosed\n").unwrap_err();
    assert_eq!(e.line, 2, "{e}");
}

#[test]
fn embedded_lessons_are_valid() {
    let lessons = embedded().unwrap();
    assert_eq!(lessons.len(), EMBEDDED.len());
}

#[test]
fn columns_count_characters() {
    assert_eq!(line_column("ab\né€x", 8), (2, 3));
    assert_eq!(line_column("ab\né€x", 7), (2, 2));
}

#[test]
fn scripted_answers_are_read_and_checked() {
    let with = |answers: &str| {
        GOOD.replace(
            "[[clients]]\nname = \"bob\"\n",
            &format!("[[clients]]\nname = \"bob\"\n{answers}"),
        )
    };
    let one =
        with("[[clients.answers]]\nevent = \"confirm\"\nvalue = { ok = true }\nafter_ms = 300\n");
    let lesson = parse("x", "x.toml", &one).unwrap();
    assert_eq!(
        lesson.clients[1].answers,
        [ScriptedAnswer {
            event: "confirm".into(),
            value: serde_json::json!({ "ok": true }),
            after_ms: 300,
        }]
    );
    let answer = "[[clients.answers]]\nevent = \"confirm\"\nvalue = 1\n";
    let twice = parse("x", "x.toml", &with(&format!("{answer}{answer}"))).unwrap_err();
    assert!(
        twice.message.contains("`confirm` is answered twice"),
        "{twice}"
    );
    let slow = with("[[clients.answers]]\nevent = \"confirm\"\nvalue = 1\nafter_ms = 60001\n");
    let slow = parse("x", "x.toml", &slow).unwrap_err();
    assert!(
        slow.message.contains("`after_ms` is at most 60000"),
        "{slow}"
    );
}

/// `connection = "NAME"` (one person's sockets over one connection) and
/// `before_connect` (an emit before the connection is up), read and refused where
/// they make no sense.
#[test]
fn shared_connections_and_early_sends_are_read_and_checked() {
    let admin = |extra: &str| {
        GOOD.replace(
            "[[clients]]\nname = \"carol\"\n",
            &format!("[[clients]]\nname = \"carol\"\n\n[[clients]]\nname = \"bob-admin\"\nnamespace = \"/admin\"\n{extra}"),
        )
    };
    let lesson = parse("x", "x.toml", &admin("connection = \"bob\"\n")).unwrap();
    let shared = lesson.client("bob-admin").unwrap();
    assert_eq!(
        (shared.connection.as_deref(), shared.connection_name()),
        (Some("bob"), "bob")
    );
    assert_eq!(lesson.client("bob").unwrap().connection_name(), "bob");
    let refused = [
        (
            "connection = \"zed\"\n",
            "`connection` names `zed`, which is not a client declared before `bob-admin`",
        ),
        (
            "connection = \"bob-admin\"\n",
            "`connection` names `bob-admin`, which is not a client declared before",
        ),
        ("namespace = \"/\"\nconnection = \"bob\"\n", "duplicate key"),
    ];
    for (extra, message) in refused {
        let e = parse("x", "x.toml", &admin(extra)).expect_err(extra);
        assert!(e.message.contains(message), "{extra}: {e}");
    }
    let twice = GOOD.replace(
        "[[clients]]\nname = \"carol\"\n",
        "[[clients]]\nname = \"carol\"\nconnection = \"alice\"\n",
    );
    let e = parse("x", "x.toml", &twice).unwrap_err();
    assert!(
        e.message
            .starts_with("`alice` is already on that connection in `/`: one socket per namespace"),
        "{e}"
    );

    let early = |step: &str| format!("{GOOD}\n[[steps]]\ntitle = \"early\"\n{step}\n");
    let carol_offline = GOOD.replace("\"alice\", \"bob\", \"carol\"", "\"alice\", \"bob\"");
    let text = format!("{carol_offline}\n[[steps]]\ntitle = \"early\"\nop = \"send\"\nactor = \"carol\"\nbefore_connect = true\nevent = \"chat message\"\n\n[[steps]]\ntitle = \"then\"\nop = \"send\"\nactor = \"carol\"\nevent = \"chat message\"\n");
    let lesson = parse("x", "x.toml", &text).unwrap();
    assert!(matches!(
        lesson.steps[2].action,
        Action::Send {
            before_connect: true,
            ..
        }
    ));
    let refused = [
        (
            "op = \"send\"\nactor = \"carol\"\nbefore_connect = true\nevent = \"x\"",
            "`carol` is already connected at step `early`",
        ),
        (
            "op = \"ask\"\nactor = \"carol\"\nbefore_connect = true\nevent = \"x\"",
            "`before_connect` applies to `send` only",
        ),
        (
            "op = \"join\"\nactor = \"carol\"\nbefore_connect = true\nrooms = [\"r\"]",
            "`before_connect` applies to `send` only",
        ),
    ];
    for (step, message) in refused {
        let e = parse("x", "x.toml", &early(step)).expect_err(step);
        assert!(e.message.starts_with(message), "{step}: {e}");
    }
}

#[test]
fn connection_and_ack_claims_are_read_and_checked() {
    let with = |step: &str| format!("{GOOD}\n[[steps]]\ntitle = \"claim\"\n{step}\n");
    let lesson = parse(
        "x",
        "x.toml",
        &with("op = \"emit\"\nactor = \"alice\"\nfrom = \"io\"\nack = true\ntimeout = 100\nevent = \"e\"\nexpect_acks = { bob = \"yes\" }\nexpect_connections = 3"),
    )
    .unwrap();
    let expect = &lesson.steps[2].expect;
    assert_eq!(expect.connections, Some(3));
    let acks = expect.acks.as_ref().unwrap();
    assert_eq!(acks.get("bob"), Some(&serde_json::json!("yes")));
    let refused = [
        ("op = \"emit\"\nactor = \"alice\"\nevent = \"e\"\nexpect_acks = { bob = 1 }", "`expect_acks` applies to `emit` with `ack = true`"),
        ("op = \"emit\"\nactor = \"alice\"\nack = true\ntimeout = 9\nevent = \"e\"\nexpect_acks = { zed = 1 }", "unknown client `zed` in `expect_acks`"),
        ("op = \"emit\"\nactor = \"alice\"\nack = true\ntimeout = 9\nevent = \"e\"\nexpect_timeout = true\nexpect_acks = { bob = 1 }", "give `expect_acks`, or `expect_answer` or `expect_timeout`, not both"),
        ("op = \"leave\"\nactor = \"alice\"\nrooms = [\"r\"]\nexpect_connections = 0", "`expect_connections` is at least 1"),
        ("op = \"leave\"\nactor = \"alice\"\nrooms = [\"r\"]\nexpect_disconnect = \"x\"", "`expect_disconnect` applies to `send`, `ask`, `disconnect`, `cut` and `pause`"),
    ];
    for (step, message) in refused {
        let e = parse("x", "x.toml", &with(step)).expect_err(step);
        assert!(e.message.starts_with(message), "{step}: {e}");
    }
}

#[test]
fn copies_claims_are_read_and_checked() {
    let with = |step: &str| format!("{GOOD}\n[[steps]]\ntitle = \"claim\"\n{step}\n");
    let lesson = parse(
        "x",
        "x.toml",
        &with("op = \"emit\"\nactor = \"alice\"\nfrom = \"io\"\nevent = \"e\"\nexpect_copies = { bob = 2 }"),
    )
    .unwrap();
    let copies = lesson.steps[2].expect.copies.as_ref().unwrap();
    assert_eq!(copies.get("bob"), Some(&2));
    let refused = [
        (
            "op = \"emit\"\nactor = \"alice\"\nevent = \"e\"\nexpect_copies = { zed = 1 }",
            "unknown client `zed` in `expect_copies`",
        ),
        (
            "op = \"emit\"\nactor = \"alice\"\nevent = \"e\"\nexpect_copies = { bob = 0 }",
            "`expect_copies` gives `bob` a count from 1 up",
        ),
        (
            "op = \"emit\"\nactor = \"alice\"\nevent = \"e\"\nexpect_copies = { bob = \"2\" }",
            "`expect_copies` gives `bob` a count from 1 up",
        ),
        (
            "op = \"leave\"\nactor = \"alice\"\nrooms = [\"r\"]\nexpect_copies = { bob = 1 }",
            "`expect_copies` counts an event; `leave` sends none",
        ),
    ];
    for (step, message) in refused {
        let e = parse("x", "x.toml", &with(step)).expect_err(step);
        assert!(e.message.starts_with(message), "{step}: {e}");
    }
}

/// Format 2: `before_connect` is read, `expect_unheard` goes with it only, and the
/// early-event shim is set where a client sends early and the connection handler
/// does not wait.
#[test]
fn early_sends_in_format_2_mark_the_namespaces_that_need_the_shim() {
    let lesson = |steps: &str| {
        format!(
            r#"
format_version = 2
title = "t"
summary = "s"
intro = "i"

[[clients]]
name = "ada"

[[clients]]
name = "sam"
namespace = "/slow"

[[server.namespaces]]
name = "/"
connection = [{{ log = "hi" }}]

[[server.namespaces]]
name = "/slow"
connection = [{{ wait_ms = 10 }}]

[[server.namespaces]]
name = "/other"

{steps}
"#
        )
    };
    let send = |actor: &str, extra: &str| {
        format!("[[steps]]\ntitle = \"{actor}\"\nop = \"send\"\nactor = \"{actor}\"\nbefore_connect = true\nevent = \"e\"\n{extra}\n")
    };
    let both = format!(
        "{}{}",
        send("ada", ""),
        send("sam", "expect_unheard = true")
    );
    let read = parse("x", "x.toml", &lesson(&both)).unwrap();
    let app = read.app.unwrap();
    let held: Vec<bool> = app.namespaces.iter().map(|ns| ns.hold_early).collect();
    assert_eq!(held, [true, false, false]);
    assert!(read.steps[1].expect.unheard);
    let without = parse("x", "x.toml", &lesson(&send("sam", ""))).unwrap();
    assert!(without
        .app
        .unwrap()
        .namespaces
        .iter()
        .all(|ns| !ns.hold_early));
    let connected = "[[steps]]\ntitle = \"c\"\nop = \"connect\"\nactor = \"ada\"\n\n[[steps]]\ntitle = \"s\"\nop = \"send\"\nactor = \"ada\"\nevent = \"e\"\nexpect_unheard = true\n";
    let e = parse("x", "x.toml", &lesson(connected)).unwrap_err();
    assert!(
        e.message.starts_with(
            "`expect_unheard` applies to `send` with `before_connect` in format 2 only"
        ),
        "{e}"
    );
}

/// GOOD with a network fault step appended, and `network` as its `[network]` table.
fn with_fault(network: &str, op: &str) -> Result<Lesson, LessonError> {
    let text =
        format!("{GOOD}\n[[steps]]\ntitle = \"drop\"\nop = \"{op}\"\nactor = \"bob\"\n\n{network}");
    parse("x", "x.toml", &text)
}

const NETWORK: &str =
    "[network]\nping_interval_ms = 300\nping_timeout_ms = 200\nreconnection_delay_ms = 100\n";

#[test]
fn network_faults_need_a_network_table() {
    let lesson = with_fault(NETWORK, "cut").unwrap();
    assert_eq!(lesson.network.map(|n| n.ping_timeout_ms), Some(200));
    assert_eq!(lesson.steps[2].action.op(), Op::Cut);
    for op in ["cut", "pause", "resume"] {
        let e = with_fault("", op).unwrap_err().to_string();
        assert!(
            e.contains(&format!(
                "`op = \"{op}\"` acts on a client's network: the lesson needs a `[network]` table"
            )),
            "{e}"
        );
    }
}

#[test]
fn network_timers_are_bounded() {
    let e = with_fault(&NETWORK.replace("= 200", "= 20"), "pause")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("`ping_timeout_ms` is 20: it must be from 50 to 10000 ms"),
        "{e}"
    );
    let e = with_fault(&NETWORK.replace("ping_interval_ms", "ping_every"), "pause")
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown field `ping_every`"), "{e}");
}

/// Issue 26: a client on a namespace `[server]` never declared is allowed when its
/// connect claims the refusal (`expect_connect_error`), and refused otherwise.
#[test]
fn a_client_on_an_undeclared_namespace_needs_its_refusal_claimed() {
    let lesson = |claim: &str| {
        format!(
            r#"
format_version = 2
title = "t"
summary = "s"
intro = "i"

[[clients]]
name = "gus"
namespace = "/games"

[[server.namespaces]]
name = "/"

[[steps]]
title = "gus"
op = "connect"
actor = "gus"
{claim}
"#
        )
    };
    let read = parse(
        "x",
        "x.toml",
        &lesson("expect_connect_error = \"Invalid namespace\""),
    )
    .unwrap();
    let expect = &read.steps[0].expect;
    assert!(expect.refused);
    assert_eq!(expect.connect_error.as_deref(), Some("Invalid namespace"));
    let e = parse("x", "x.toml", &lesson("")).unwrap_err();
    assert!(
        e.message
            .contains("`gus` connects to `/games`, which `[server]` does not declare"),
        "{e}"
    );
    let lab = lesson("expect_connect_error = \"x\"").replace("\"/games\"", "\"/lab\"");
    let e = parse("x", "x.toml", &lab).unwrap_err();
    assert!(e.message.contains("is not one `[server]` declares"), "{e}");
    let sent = lesson("").replace(
        "op = \"connect\"",
        "op = \"disconnect\"\nexpect_connect_error = \"x\"",
    );
    assert!(parse("x", "x.toml", &sent).is_err());
}
