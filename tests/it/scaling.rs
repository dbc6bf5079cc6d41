//! `socketio-lab run scaling` (a lesson on two nodes) on a real `redis-server` that
//! the test starts itself and passes as `--redis`.

use crate::common;

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{name_list, run, stderr, stdout, step_titled, ChildServer, Ready};

/// A private `redis-server` on a free loopback port (killed when dropped), or `None`
/// after saying why the test is skipped; `SOCKETIO_LAB_REQUIRE_REDIS=1` makes that a
/// failure.
fn redis() -> Option<ChildServer> {
    let required = std::env::var("SOCKETIO_LAB_REQUIRE_REDIS").is_ok_and(|v| v == "1");
    let found = Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !matches!(found, Ok(s) if s.success()) {
        let reason = "`redis-server` is not on PATH (install it: `apt-get install redis-server`)";
        assert!(!required, "SOCKETIO_LAB_REQUIRE_REDIS=1 but {reason}");
        eprintln!("skipped: {reason}");
        return None;
    }
    // redis-server cannot pick a free port itself: take one from the system.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port();
    let mut cmd = Command::new("redis-server");
    cmd.args(["--port", &port.to_string()]).args([
        "--save",
        "",
        "--appendonly",
        "no",
        "--bind",
        "127.0.0.1",
    ]);
    Some(
        ChildServer::start(cmd, Ready::Accepts(port), Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("{e}")),
    )
}

/// `run scaling` is a lesson on two nodes: given a Redis (`--redis`), its nodes
/// use that one, and the transcript is the one pinned for the built-in run.
#[test]
fn scaling_shows_who_receives_with_and_without_the_redis_adapter() {
    let Some(redis) = redis() else { return };
    let url = format!("redis://127.0.0.1:{}", redis.port);
    let (doc, code) = crate::reference::json_run(&["run", "scaling", "--redis", &url, "--json"]);
    assert_eq!(code, Some(0), "{doc:#}");
    let alone = step_titled(&doc, "without an adapter: alice broadcasts");
    assert_eq!(name_list(&alone["delivered_to"]), ["bob"]);
    let joined = step_titled(&doc, "with the adapter: the same broadcast");
    assert_eq!(name_list(&joined["delivered_to"]), ["bob", "carol", "dave"]);
    assert_eq!(joined["nodes"]["carol"], 2);
    let local = step_titled(&doc, "local: node 1's sockets only");
    assert_eq!(name_list(&local["delivered_to"]), ["alice", "bob"]);
    let team = step_titled(&doc, "a room across nodes");
    assert_eq!(name_list(&team["delivered_to"]), ["bob", "carol"]);
    assert_eq!(
        team["rooms"]["/"]["team"],
        serde_json::json!(["bob", "carol"])
    );

    let out = run(&["run", "scaling", "--redis", &url, "--color", "never"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{}\n{text}", stderr(&out));
    // Nothing random: no port, no socket id; the same words as without `--redis`.
    assert!(!text.contains(&redis.port.to_string()), "{text}");
    assert!(!text.contains("127.0.0.1:"), "{text}");
    let pinned = stdout(&run(&["run", "scaling", "--color", "never"]));
    assert_eq!(text, pinned);
}

#[test]
fn scaling_without_redis_is_one_line() {
    let url = "redis://127.0.0.1:9";
    let starts = format!("error: no Redis answered at `{url}`");
    let err = common::one_line_error(&["run", "scaling", "--redis", url], 2, &starts);
    assert!(
        err.contains("leave it out and the lab starts its own"),
        "{err}"
    );
}

#[test]
fn redis_is_for_lessons_on_nodes_only() {
    let out = run(&["run", "rooms", "--redis", "redis://127.0.0.1:9"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`--redis`"), "{}", stderr(&out));
}
