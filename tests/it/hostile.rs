//! The lab server against clients that misbehave, as a careful user and an attacker
//! would (issue 13): a client that stops reading, connections that say nothing or
//! trickle, names and events made of terminal escapes or megabytes.

use crate::common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};
use socketio_lab::client::{self, Answer, ConnectOutcome, LabClient};
use socketio_lab::paint::Paint;
use socketio_lab::protocol::{Note, EMIT, JOIN, SYNC};
use socketio_lab::serve::describe;
use socketio_lab::server::{
    Activity, EmbeddedServer, Monitor, MonitorFeed, ServerConfig, Timeouts,
};
use socketio_lab::trace::Collector;

const WAIT: Duration = Duration::from_secs(10);

fn port(server: &EmbeddedServer) -> u16 {
    server.url.rsplit_once(':').unwrap().1.parse().unwrap()
}

/// A WebSocket text frame as a client sends it (masked, as RFC 6455 requires).
fn frame(text: &str) -> Vec<u8> {
    let data = text.as_bytes();
    let mut f = vec![0x81];
    match data.len() {
        n if n < 126 => f.push(0x80 | n as u8),
        n if n <= 0xffff => {
            f.push(0x80 | 126);
            f.extend((n as u16).to_be_bytes());
        }
        n => {
            f.push(0x80 | 127);
            f.extend((n as u64).to_be_bytes());
        }
    }
    let mask = [0x12, 0x34, 0x56, 0x78];
    f.extend(mask);
    f.extend(data.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    f
}

/// A Socket.IO client over a WebSocket written by hand, connected to `/` with this
/// `auth`, that reads nothing after the upgrade: a stalled client, as the server
/// sees it, or a hostile one.
fn raw_client(port: u16, auth: Value) -> TcpStream {
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.write_all(
        b"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n\
          Upgrade: websocket\r\nConnection: Upgrade\r\n\
          Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    )
    .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8];
    while !head.ends_with(b"\r\n\r\n") {
        tcp.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    assert!(head.starts_with(b"HTTP/1.1 101"), "{head:?}");
    tcp.write_all(&frame(&format!("40{auth}"))).unwrap();
    tcp
}

/// The next activity that `pick` accepts, within `WAIT`.
async fn next<T>(activity: &mut MonitorFeed, mut pick: impl FnMut(&Activity) -> Option<T>) -> T {
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, activity.next()).await {
            Ok(Some(a)) => {
                if let Some(found) = pick(&a) {
                    return found;
                }
            }
            _ => panic!("the server did not report what was waited for within {WAIT:?}"),
        }
    }
}

async fn connected(activity: &mut MonitorFeed, who: &str) {
    next(activity, |a| match a {
        Activity::Note(Note::Connect { name, .. }) if name == who => Some(()),
        _ => None,
    })
    .await
}

async fn lab_client(server: &EmbeddedServer, name: &str) -> LabClient {
    let (collector, _inbox) = Collector::new();
    let auth = Map::new();
    match client::connect(&server.url, name, "/", &auth, collector, WAIT).await {
        Ok(ConnectOutcome::Accepted(c)) => *c,
        _ => panic!("{name} could not connect"),
    }
}

/// Issue 13, item 4: an emit a socket cannot take (its client stopped reading and
/// its send buffer is full) is reported, in the reply and in the monitor (`serve`'s
/// log), never dropped without a word. The buffer is made small so that it fills
/// fast; the lab's own holds a million packets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_emit_a_stalled_client_cannot_take_is_reported() {
    let (monitor, mut activity) = Monitor::new(4096);
    let config = ServerConfig {
        monitor: Some(monitor),
        send_buffer: 4,
        ..ServerConfig::default()
    };
    let server = EmbeddedServer::start_with(config).await.unwrap();
    let port = port(&server);
    let mut slow = tokio::task::spawn_blocking(move || raw_client(port, json!({"name": "slow"})))
        .await
        .unwrap();
    connected(&mut activity, "slow").await;
    let reader = lab_client(&server, "reader").await;

    // The relay: `slow` floods the chat with large messages and never reads their
    // echoes. No acknowledgement is asked for, so only the log can tell.
    let big = "x".repeat(256 * 1024);
    let reported = Arc::new(AtomicBool::new(false));
    let stop = reported.clone();
    let flood = tokio::task::spawn_blocking(move || {
        let message = frame(&format!("42{}", json!(["chat message", big])));
        for _ in 0..2000 {
            if stop.load(Ordering::Relaxed) || slow.write_all(&message).is_err() {
                break;
            }
        }
        slow
    });
    let line = next(&mut activity, |a| match a {
        Activity::Emitted { missed, .. } if missed.any() => Some(describe(a, Paint::PLAIN)),
        _ => None,
    })
    .await;
    reported.store(true, Ordering::Relaxed);
    assert_eq!(
        line,
        "slow: io.emit(\"chat message\") → some of reader, slow \
         (not sent to 1 of 2 sockets: 1 send buffer full (the client reads too slowly))"
    );
    let mut slow = flood.await.unwrap();

    // `lab:emit` to `slow` alone: the reply says it reached nobody, and why.
    let join = frame(&format!("42{}", json!([JOIN, {"rooms": ["stalled"]}])));
    slow.write_all(&join).unwrap();
    next(&mut activity, |a| {
        matches!(a, Activity::Joined { .. }).then_some(())
    })
    .await;
    let request = json!({"from": "io", "to": ["stalled"], "event": "news", "data": 1});
    let Answer::Reply(reply) = reader.request(EMIT, request, WAIT).await else {
        panic!("no reply to `lab:emit`");
    };
    assert_eq!(
        reply,
        json!({
            "ok": false,
            "delivered_to": [],
            "error": "`news` was not sent to 1 of 1 socket: \
                      1 send buffer full (the client reads too slowly)"
        })
    );
    let line = next(&mut activity, |a| match a {
        Activity::Emitted { event, .. } if event == "news" => Some(describe(a, Paint::PLAIN)),
        _ => None,
    })
    .await;
    assert_eq!(
        line,
        "reader: io.to(\"stalled\").emit(\"news\") → nobody \
         (not sent to 1 of 1 socket: 1 send buffer full (the client reads too slowly))"
    );
    drop(slow);
    let _ = reader.disconnect().await;
    server.stop().await;
}

/// Waits until the server closes `tcp` (reading and dropping anything it sends);
/// returns when that happened, or `None` if it was still open at `deadline`.
fn closed_at(mut tcp: TcpStream, deadline: Instant) -> Option<Instant> {
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        tcp.set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .unwrap();
        match tcp.read(&mut buf) {
            Ok(0) => return Some(Instant::now()),
            Ok(_) => continue,
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return Some(Instant::now()),
            Err(_) => return None,
        }
    }
}

/// Issue 13, item 8: connections that say nothing, or trickle a request in a byte at
/// a time, are closed once the handshake timeout has passed; one that was answered
/// and then went silent, once the idle timeout has; a live client stays. (Short
/// timeouts here; the lab's are 10 s and 65 s.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_and_trickling_connections_are_closed_and_live_clients_stay() {
    let timeouts = Timeouts {
        handshake: Duration::from_millis(500),
        ping_interval: Duration::from_millis(300),
        ping_timeout: Duration::from_millis(300),
    };
    let (monitor, mut activity) = Monitor::new(4096);
    let config = ServerConfig {
        monitor: Some(monitor),
        timeouts,
        ..ServerConfig::default()
    };
    let server = EmbeddedServer::start_with(config).await.unwrap();
    let live = lab_client(&server, "live").await;
    let port = port(&server);
    let times = tokio::task::spawn_blocking(move || connections_closed(port))
        .await
        .unwrap();
    let Closed {
        started,
        silent,
        trickle,
        answered,
        idle,
    } = times;
    let after = |t: Option<Instant>, from: Instant| t.map(|t| t.duration_since(from));
    let slowest = silent.iter().map(|t| after(*t, started)).max().unwrap();
    println!(
        "200 silent connections closed after at most {slowest:?}; a trickling one after \
         {:?}; an answered one silent for {:?}",
        after(trickle, started),
        after(idle, answered)
    );
    let handshake = timeouts.handshake;
    // Not closed early, closed in time. The lower bound allows for this side's
    // clock starting late on a loaded machine (it only ever shortens what is seen).
    let window = |t: Option<Duration>, limit: Duration| {
        let slack = Duration::from_millis(400);
        t.is_some_and(|t| t + slack >= limit && t < limit + Duration::from_secs(2))
    };
    assert!(window(slowest, handshake), "silent: {slowest:?}");
    assert!(
        silent.iter().all(|t| window(after(*t, started), handshake)),
        "{silent:?}"
    );
    assert!(window(after(trickle, started), handshake), "trickle");
    assert!(window(after(idle, answered), timeouts.idle()), "idle");
    // The live client answered every ping meanwhile: still connected, still served.
    let answer = live.request(SYNC, Value::Null, WAIT).await;
    assert_eq!(answer, Answer::Reply(json!({"ok": true})));
    while let Some(a) = activity.try_next() {
        assert!(
            !matches!(a, Activity::Note(Note::Disconnect { .. })),
            "{a:?}"
        );
    }
    live.disconnect().await.unwrap();
    server.stop().await;
}

/// When each kind of connection was closed by the server (`None`: it was not).
struct Closed {
    started: Instant,
    silent: Vec<Option<Instant>>,
    trickle: Option<Instant>,
    answered: Instant,
    idle: Option<Instant>,
}

/// Opens 200 connections that send nothing, one that trickles a request in (a byte
/// every 50 ms), and one that asks for `/` and then stays silent; waits until the
/// server closes each.
fn connections_closed(port: u16) -> Closed {
    let connect = || TcpStream::connect(("127.0.0.1", port)).unwrap();
    let started = Instant::now();
    let silent: Vec<TcpStream> = (0..200).map(|_| connect()).collect();
    let trickle = connect();
    let mut writer = trickle.try_clone().unwrap();
    std::thread::spawn(move || {
        for byte in b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
            .iter()
            .cycle()
        {
            if writer.write_all(&[*byte]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    let mut idle = connect();
    idle.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    while !String::from_utf8_lossy(&answer).contains("socketio-lab server") {
        let n = idle.read(&mut buf).unwrap();
        assert!(n > 0, "closed before answering");
        answer.extend(&buf[..n]);
    }
    let answered = Instant::now();
    // One deadline for all: a server that never closes them fails in `WAIT`.
    let deadline = started + WAIT;
    Closed {
        started,
        silent: silent.into_iter().map(|c| closed_at(c, deadline)).collect(),
        trickle: closed_at(trickle, deadline),
        answered,
        idle: closed_at(idle, deadline),
    }
}

/// Issue 13, item 5: what a `--server` sends (its `lab:note` text, the names in its
/// notes, event names, its error words) is shown with control characters escaped in
/// the transcript, even with colour off.
#[test]
fn what_a_server_sends_is_shown_escaped_in_the_transcript() {
    use socketio_lab::protocol::Reply;
    use socketio_lab::trace::{Observation, StepRecord};
    let lesson = socketio_lab::lesson::parse(
        "t",
        "t.toml",
        "format_version = 1\ntitle = \"t\"\nsummary = \"s\"\nintro = \"t\"\n\n[[clients]]\nname = \"bob\"\n\n\
         [[steps]]\ntitle = \"c\"\nop = \"connect\"\nactors = [\"bob\"]\n\n\
         [[steps]]\ntitle = \"emit\"\nop = \"emit\"\nactor = \"bob\"\nevent = \"news\"\n",
    )
    .unwrap();
    let hostile = "\u{1b}]0;owned\u{7}\u{1b}[2J";
    let observations = vec![
        Observation::ServerLog {
            text: hostile.into(),
        },
        Observation::ServerConnect {
            client: hostile.into(),
            namespace: "/".into(),
        },
        Observation::Received {
            client: "bob".into(),
            event: hostile.into(),
            payload: Value::Null,
        },
        Observation::Answered {
            client: "bob".into(),
            event: EMIT.into(),
            reply: Reply {
                ok: false,
                error: Some(hostile.into()),
                ..Reply::default()
            },
        },
    ];
    let record = StepRecord {
        declared: false,
        index: 2,
        observations,
        present: vec!["bob".into()],
        rooms: Default::default(),
        own_id_rooms: Default::default(),
        connections: Vec::new(),
    };
    let text = socketio_lab::view::step(&lesson, &lesson.steps[1], &record, Paint::PLAIN);
    assert!(!text.contains(['\u{1b}', '\u{7}']), "{text:?}");
    assert_eq!(text.matches("\\e]0;owned\\u{7}\\e[2J").count(), 5, "{text}");
}

/// The Node reference with one lab-protocol fault (tests/fixtures/faulty-server.js).
fn faulty_server(test: &str, fault: &str) -> Option<common::ChildServer> {
    if !common::node_ready(test, "socket.io") {
        return None;
    }
    let mut cmd = std::process::Command::new("node");
    cmd.arg(common::repo().join("tests/fixtures/faulty-server.js"))
        .args([fault, "--port", "0"])
        .env_remove("PORT");
    Some(
        common::ChildServer::start(cmd, common::Ready::PortLine, Duration::from_secs(15))
            .unwrap_or_else(|e| panic!("{e}")),
    )
}

/// Issue 13, item 7: a server that never answers `lab:sync` ends the lab at the first
/// step, with one line on stderr naming what went unanswered, instead of every step
/// waiting out its timeout and printing its failure on stdout.
#[test]
fn a_server_that_never_answers_sync_ends_the_lab_at_once() {
    let test = "a_server_that_never_answers_sync_ends_the_lab_at_once";
    let Some(server) = faulty_server(test, "silent-sync") else {
        return;
    };
    let url = server.url();
    let out = common::run(&[
        "run",
        "chat",
        "--server",
        &url,
        "--timeout",
        "500",
        "--color",
        "never",
    ]);
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let prefix = format!("error: the lab server at `{url}` did not answer `lab:sync` from `");
    assert!(err.starts_with(&prefix), "{err}");
    assert!(
        err.trim_end().ends_with("within 500 ms during step 1"),
        "{err}"
    );
    let shown = common::stdout(&out);
    assert!(!shown.contains("alice opens the chat page"), "{shown}");
    assert!(!shown.contains('✗'), "{shown}");
}

/// Issue 13, item 7: a server that dies mid-lesson ends the lab with one line on
/// stderr saying so and naming the step; the steps before it stand as they ran.
#[test]
fn a_server_that_dies_mid_lesson_is_named_with_its_step() {
    let test = "a_server_that_dies_mid_lesson_is_named_with_its_step";
    // Each step syncs every connection, the lab's own included: step 1 two (alice),
    // step 2 four (alice, bob, carol): the seventh sync is step 3's first.
    let Some(server) = faulty_server(test, "exit-at-sync=7") else {
        return;
    };
    let url = server.url();
    let out = common::run(&["run", "chat", "--server", &url, "--color", "never"]);
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(
        err,
        format!("error: the lab server at `{url}` closed the connection during step 3\n")
    );
    let shown = common::stdout(&out);
    assert!(shown.contains("bob and carol open it too"), "{shown}");
    assert!(!shown.contains("alice sends a chat message"), "{shown}");
    assert!(!shown.contains('✗'), "{shown}");
}

/// Reads what the server sends until `needle` appears (true) or the connection ends or
/// `WAIT` passes (false).
fn reads_until(tcp: &mut TcpStream, needle: &[u8]) -> bool {
    let deadline = Instant::now() + WAIT;
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !seen.windows(needle.len()).any(|w| w == needle) {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        tcp.set_read_timeout(Some(left)).unwrap();
        match tcp.read(&mut buf) {
            Ok(0) | Err(_) => return false,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
    true
}

/// Issue 13, item 6: the server takes a message of up to 1,000,000 bytes, as Node's
/// default `maxHttpBufferSize` does (socketioxide's own WebSocket limit is 16 MiB), and
/// closes the connection of a client that sends more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_over_the_limit_closes_the_connection() {
    let server = EmbeddedServer::start().await.unwrap();
    let limit = socketio_lab::protocol::MAX_MESSAGE_BYTES;
    for (size, kept) in [(limit, true), (limit + 1, false)] {
        let mut tcp = raw_client(port(&server), json!({"name": "big"}));
        // `42["big","xx…"]` is 12 bytes around the string.
        let message = format!("42[\"big\",\"{}\"]", "x".repeat(size - 12));
        assert_eq!(message.len(), size);
        tcp.write_all(&frame(&message)).unwrap();
        tcp.write_all(&frame(&format!("421[\"{SYNC}\"]"))).unwrap();
        // The sync is answered only on a connection the big message left open.
        assert_eq!(
            reads_until(&mut tcp, b"431["),
            kept,
            "a message of {size} bytes"
        );
    }
    server.stop().await;
}
