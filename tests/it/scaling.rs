//! `socketio-lab run scaling` on a real `redis-server` that the test starts itself.

use crate::common;

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{run, stderr, stdout, ChildServer, Ready};

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

/// The names on a step's "who received it" lines that received something.
fn receivers(step: &str) -> Vec<String> {
    step.lines()
        .filter(|l| l.contains(" ✓ "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

#[test]
fn scaling_shows_who_receives_with_and_without_the_redis_adapter() {
    let Some(redis) = redis() else { return };
    let url = format!("redis://127.0.0.1:{}", redis.port);
    let out = run(&["run", "scaling", "--redis", &url, "--color", "never"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{}\n{text}", stderr(&out));
    let steps: Vec<&str> = text.split("\nStep ").skip(1).collect();
    assert_eq!(steps.len(), 5, "{text}");
    assert_eq!(receivers(steps[0]), ["bob"], "{}", steps[0]);
    assert!(
        steps[0].contains("each node only knows its own sockets"),
        "{}",
        steps[0]
    );
    assert_eq!(
        receivers(steps[1]),
        ["bob", "carol", "dave"],
        "{}",
        steps[1]
    );
    assert_eq!(receivers(steps[2]), ["alice", "bob"], "{}", steps[2]);
    assert_eq!(receivers(steps[3]), ["bob", "carol"], "{}", steps[3]);
    assert_eq!(receivers(steps[4]), ["bob"], "{}", steps[4]);
    for name in ["carol", "dave"] {
        let line = steps[4]
            .lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_default();
        assert!(line.contains("✗  disconnected"), "{}", steps[4]);
    }
    assert!(text.contains("every step delivered as expected"), "{text}");
    common::settings().bind(|| insta::assert_snapshot!("run_scaling", text));
    // Nothing random: no port, no socket id.
    assert!(!text.contains(&redis.port.to_string()), "{text}");
    assert!(!text.contains("127.0.0.1:"), "{text}");
}

#[test]
fn scaling_without_redis_is_one_line() {
    let url = "redis://127.0.0.1:9";
    let starts = format!("error: no Redis answered at `{url}`");
    let err = common::one_line_error(&["run", "scaling", "--redis", url], 1, &starts);
    assert!(err.contains("`redis-server --port 6379`"), "{err}");
}

#[test]
fn redis_is_for_scaling_only() {
    let out = run(&["run", "rooms", "--redis", "redis://127.0.0.1:9"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`--redis`"), "{}", stderr(&out));
}
