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
            node: None,
        },
        Observation::ServerConnect {
            client: hostile.into(),
            namespace: "/".into(),
        },
        Observation::Received {
            client: "bob".into(),
            event: hostile.into(),
            payload: Value::Null,
            arguments: 1,
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
        nodes: Default::default(),
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

/// A served application whose `slow` handler waits 10 s and whose `quick` one
/// answers at once, as a hostile client finds them (issue 28).
fn waiting_app() -> socketio_lab::app::App {
    let app: socketio_lab::app::App = toml::from_str(
        r#"
        [[namespaces]]
        name = "/"
        unhandled = [{ wait_ms = 10000 }]

        [[namespaces.events]]
        event = "slow"
        args = ["x"]
        do = [{ wait_ms = 10000 }]

        [[namespaces.events]]
        event = "quick"
        args = ["x"]
        do = [{ ack = "$x" }]
        "#,
    )
    .expect("the app parses");
    socketio_lab::app::validate(&app).expect("the app is valid");
    app
}

/// The server's refusals of `name`'s events, counted until `count` have come.
async fn refusals(activity: &mut MonitorFeed, name: &str, count: usize) -> Vec<String> {
    let mut seen = Vec::new();
    while seen.len() < count {
        let reason = next(activity, |a| match a {
            Activity::Note(Note::Handled {
                name: who,
                refused: Some(reason),
                ..
            }) if who == name => Some(reason.clone()),
            Activity::Note(Note::Handled {
                name: who, event, ..
            }) if who == name => {
                panic!("{name}'s `{event}` was handled while its handlers wait")
            }
            _ => None,
        })
        .await;
        seen.push(reason);
    }
    seen
}

/// Issue 28, items 2 and 5: a client that floods a waiting handler, and a waiting
/// catch-all, gets 64 handler runs at once and no more: every later event is refused
/// (and noted so, never as handled), while a fresh client is still welcomed and
/// answered at once. Without the bound every event waited, each holding memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_to_waiting_handlers_is_refused_beyond_its_sockets_bound() {
    let (monitor, mut activity) = Monitor::new(8192);
    let config = ServerConfig {
        monitor: Some(monitor),
        app: Some(waiting_app()),
        ..ServerConfig::default()
    };
    let server = EmbeddedServer::start_with(config).await.unwrap();
    let port = port(&server);
    let per_socket = socketio_lab::server::PER_SOCKET;
    let flood = 300;
    let slow = tokio::task::spawn_blocking(move || {
        let mut tcp = raw_client(port, json!({"name": "flood"}));
        // Once its handlers are attached: an event before that is only `unheard`.
        assert!(reads_until(&mut tcp, b"lab:welcome"));
        for i in 0..flood {
            // Half to the waiting handler, half to the waiting catch-all.
            let event = if i % 2 == 0 {
                "slow"
            } else {
                "nobody-handles-this"
            };
            tcp.write_all(&frame(&format!("42{}", json!([event, "x"]))))
                .unwrap();
        }
        tcp
    })
    .await
    .unwrap();
    let refused = refusals(&mut activity, "flood", flood - per_socket).await;
    assert!(
        refused.iter().all(|r| r
            == "this socket already has 64 handlers waiting or running, the lab server's \
                limit per socket: the event was refused"),
        "{:?}",
        refused.first()
    );
    // Another client is welcomed, and answered, at once.
    let fresh = lab_client(&server, "fresh").await;
    let answer = fresh.request("quick", json!("hi"), WAIT).await;
    assert_eq!(answer, Answer::Reply(json!("hi")));
    let _ = fresh.disconnect().await;
    drop(slow);
    server.stop().await;
}

/// Issue 28, item 2: sockets that each stay within their own bound still meet the
/// server's: 65 sockets × 64 waiting runs pass 4,096 in all, and the rest is refused
/// with the server's reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_handlers_are_bounded_in_all() {
    let (monitor, mut activity) = Monitor::new(16384);
    let config = ServerConfig {
        monitor: Some(monitor),
        app: Some(waiting_app()),
        ..ServerConfig::default()
    };
    let server = EmbeddedServer::start_with(config).await.unwrap();
    let port = port(&server);
    let (per_socket, in_all) = (
        socketio_lab::server::PER_SOCKET,
        socketio_lab::server::IN_ALL,
    );
    let sockets = in_all / per_socket + 1;
    let held = tokio::task::spawn_blocking(move || {
        (0..sockets)
            .map(|n| {
                let mut tcp = raw_client(port, json!({"name": format!("s{n}")}));
                assert!(reads_until(&mut tcp, b"lab:welcome"));
                let slow = frame(&format!("42{}", json!(["slow", "x"])));
                for _ in 0..per_socket {
                    tcp.write_all(&slow).unwrap();
                }
                tcp
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    // The last socket's first run is taken beyond the limit (a socket with none
    // always gets one); the rest of what passes 4,096 is refused.
    let over = sockets * per_socket - in_all - 1;
    let mut refused = Vec::new();
    while refused.len() < over {
        refused.push(
            next(&mut activity, |a| match a {
                Activity::Note(Note::Handled {
                    refused: Some(reason),
                    ..
                }) => Some(reason.clone()),
                _ => None,
            })
            .await,
        );
    }
    assert!(
        refused.iter().all(|r| r
            == "the server already has 4,096 handlers waiting or running, its limit: \
                the event was refused"),
        "{:?}",
        refused.first()
    );
    drop(held);
    server.stop().await;
}

/// Issue 28, item 8: `serve` with 2,000 clients and a stdout nobody reads stops soon
/// after SIGINT. Its log thread is blocked on the full pipe; before, the thread that
/// handles the signal then wrote its last lines (`server stopped`, what to do next)
/// to the same stdout and waited there for ever.
#[cfg(target_os = "linux")]
#[test]
fn serve_stops_on_ctrl_c_with_2000_clients_and_a_stdout_nobody_reads() {
    use std::io::{BufRead, BufReader};
    use std::os::fd::AsRawFd;
    use std::process::Stdio;
    let _ = rlimit::increase_nofile_limit(8192);
    let mut child = common::bin()
        .args(["serve", "--port", "0", "--color", "never"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pipe = child.stdout.take().unwrap();
    // One page: the log fills it after a few dozen lines.
    // SAFETY: fcntl on a pipe this test owns.
    unsafe { libc::fcntl(pipe.as_raw_fd(), libc::F_SETPIPE_SZ, 4096) };
    let mut reader = BufReader::new(pipe);
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    let port = common::listening_port(&first).unwrap();
    // Never read again until it has ended.
    let clients: Vec<TcpStream> = (0..2000)
        .map(|n| raw_client(port, json!({"name": format!("c{n}")})))
        .collect();
    let mut last = clients.last().unwrap().try_clone().unwrap();
    assert!(
        reads_until(&mut last, b"lab:welcome"),
        "the last client was not welcomed"
    );
    let asked = Instant::now();
    // SAFETY: a signal to the child this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let deadline = asked + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = asked.elapsed();
    println!("serve stopped {took:?} after SIGINT, with 2,000 clients and its stdout unread");
    let status = status.expect("serve was still running 10 s after SIGINT");
    assert!(status.success(), "{status:?}");
    assert!(took < Duration::from_secs(2), "{took:?}");
    drop(clients);
}

/// Issue 28, item 2: one control socket declares at most 16 applications; the next
/// is refused with why (a lab declares one).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_control_socket_declares_a_bounded_number_of_applications() {
    use socketio_lab::protocol::{APP, CONTROL_NS, SESSION_AUTH};
    let server = EmbeddedServer::start().await.unwrap();
    let (collector, _inbox) = Collector::new();
    let mut auth = Map::new();
    auth.insert(SESSION_AUTH.into(), json!("s1"));
    let control =
        match client::connect(&server.url, "lab", CONTROL_NS, &auth, collector, WAIT).await {
            Ok(ConnectOutcome::Accepted(c)) => *c,
            _ => panic!("the control socket could not connect"),
        };
    let app = serde_json::to_value(waiting_app()).unwrap();
    let limit = socketio_lab::server::APPS_PER_SOCKET;
    for n in 1..=limit {
        let answer = control.request(APP, app.clone(), WAIT).await;
        assert_eq!(
            answer,
            Answer::Reply(json!({"ok": true})),
            "declaration {n}"
        );
    }
    let answer = control.request(APP, app, WAIT).await;
    assert_eq!(
        answer,
        Answer::Reply(json!({
            "ok": false,
            "error": "this control socket already declared 16 applications, the lab server's \
                      limit per socket: connect again for another lab"
        }))
    );
    let _ = control.disconnect().await;
    server.stop().await;
}

/// One HTTP/1.1 request on a connection of its own, and the whole response as text
/// (lowercase headers untouched: the caller looks for what it needs).
fn http(port: u16, head: &str) -> String {
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(WAIT)).unwrap();
    tcp.write_all(head.as_bytes()).unwrap();
    let mut text = Vec::new();
    let mut buf = [0u8; 4096];
    // Until the server closes, or, for a WebSocket it accepts, its answer's head.
    while !(text.starts_with(b"HTTP/1.1 101") && text.windows(4).any(|w| w == b"\r\n\r\n")) {
        match tcp.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => text.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&text).into_owned()
}

fn status(response: &str) -> &str {
    response.split(' ').nth(1).unwrap_or("none")
}

/// Issue 28, item 1: a page from another origin (any site the learner visits) cannot
/// open a Socket.IO connection or reach any route; a foreign `Host` (DNS rebinding)
/// is refused; the lab's own clients, which send no `Origin`, and its own pages pass;
/// every response, refusals and the Socket.IO layer's included, carries the CSP.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_labs_own_origin_and_host_reach_a_server() {
    let config = ServerConfig {
        allow_origins: vec!["http://localhost:5173".into()],
        ..ServerConfig::default()
    };
    let server = EmbeddedServer::start_with(config).await.unwrap();
    let port = port(&server);
    let handshake = |host: &str, origin: Option<&str>| {
        let origin = origin.map_or(String::new(), |o| format!("Origin: {o}\r\n"));
        format!("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: {host}\r\n{origin}Connection: close\r\n\r\n")
    };
    let own = format!("127.0.0.1:{port}");
    let upgrade = move |origin: &str| {
        format!(
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {origin}\r\n\
             Upgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
    };
    let seen = tokio::task::spawn_blocking(move || {
        let mut seen = Vec::new();
        let mut ask = |what: &str, head: String, want: &str| {
            let response = http(port, &head);
            let lower = response.to_lowercase();
            assert_eq!(status(&response), want, "{what}: {response}");
            assert!(
                lower.contains("content-security-policy: default-src 'self'"),
                "{what}: no CSP in {response}"
            );
            seen.push(response);
        };
        ask("a lab client", handshake(&own, None), "200");
        ask(
            "its own page",
            handshake(&own, Some(&format!("http://localhost:{port}"))),
            "200",
        );
        ask(
            "an allowed page",
            handshake(&own, Some("http://localhost:5173")),
            "200",
        );
        ask(
            "another site",
            handshake(&own, Some("https://attacker.example")),
            "403",
        );
        ask(
            "another local port",
            handshake(&own, Some("http://127.0.0.1:8000")),
            "403",
        );
        ask(
            "a WebSocket from another site",
            upgrade("https://attacker.example"),
            "403",
        );
        ask(
            "a WebSocket from its own page",
            upgrade(&format!("http://127.0.0.1:{port}")),
            "101",
        );
        ask(
            "a rebound name",
            handshake(&format!("attacker.example:{port}"), None),
            "403",
        );
        ask(
            "a route",
            format!("GET / HTTP/1.1\r\nHost: {own}\r\nConnection: close\r\n\r\n"),
            "200",
        );
        ask(
            "no route",
            format!("GET /nothing HTTP/1.1\r\nHost: {own}\r\nConnection: close\r\n\r\n"),
            "404",
        );
        let post = format!(
            "POST / HTTP/1.1\r\nHost: {own}\r\nOrigin: https://attacker.example\r\n\
             Content-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi"
        );
        ask("a simple POST from another site", post, "403");
        seen
    })
    .await
    .unwrap();
    // The refusal says how to let a page in.
    assert!(
        seen[3].contains("--allow-origin https://attacker.example"),
        "{}",
        seen[3]
    );
    assert!(seen[7].contains("host `attacker.example"), "{}", seen[7]);
    server.stop().await;
}

/// Issue 28, item 3: the handshake deadline is for the handshake. A long-poll the
/// server holds until its next ping, on a connection of its own as browsers open
/// them, outlives the deadline several times over, poll after poll. The deadline is
/// made short (200 ms) so that each 1-second poll outlives it fivefold.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_poll_outlives_the_handshake_deadline() {
    let config = ServerConfig {
        timeouts: Timeouts {
            handshake: Duration::from_millis(200),
            ping_interval: Duration::from_secs(1),
            ping_timeout: Duration::from_secs(2),
        },
        ..ServerConfig::default()
    };
    let server = EmbeddedServer::start_with(config).await.unwrap();
    let port = port(&server);
    tokio::task::spawn_blocking(move || {
        let get = |query: &str| {
            http(port, &format!("GET /socket.io/?EIO=4&transport=polling{query} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"))
        };
        let post = |sid: &str, body: &str| {
            let head = format!(
                "POST /socket.io/?EIO=4&transport=polling&sid={sid} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
                 Content-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let response = http(port, &head);
            assert_eq!(status(&response), "200", "{response}");
        };
        let open = get("");
        let sid = open.split("\"sid\":\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        post(&sid, r#"40{"name":"poller"}"#);
        let mut pings = 0;
        while pings < 3 {
            // Nothing is waiting but the next ping: the server holds this poll about
            // a second, five handshake deadlines.
            let response = get(&format!("&sid={sid}"));
            assert_eq!(status(&response), "200", "poll after {pings} pings: {response}");
            let body = response.split("\r\n\r\n").nth(1).unwrap_or("");
            for packet in body.split('\u{1e}') {
                if packet == "2" {
                    pings += 1;
                    post(&sid, "3");
                }
            }
        }
    })
    .await
    .unwrap();
    server.stop().await;
}

/// Issue 28, item 5: the children of a dynamic namespace go when their last socket
/// leaves. Without that, 300 children opened and closed by one client fill the
/// server's 256 namespaces for good, and every later lab's declaration is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_dynamic_children_are_removed() {
    let handlers =
        socketio_lab::lesson::load_file(&common::repo().join("lessons/handlers.toml")).unwrap();
    let config = ServerConfig {
        app: handlers.app.clone(),
        ..ServerConfig::default()
    };
    let server = EmbeddedServer::start_with(config).await.unwrap();
    let port = port(&server);
    let opened = tokio::task::spawn_blocking(move || {
        let mut tcp = raw_client(port, json!({"name": "many"}));
        tcp.set_read_timeout(Some(WAIT)).unwrap();
        for n in 0..300 {
            let ns = format!("/tenants/t{n}");
            tcp.write_all(&frame(&format!("40{ns},{{}}"))).unwrap();
            assert!(
                reads_until(&mut tcp, format!("40{ns},").as_bytes()),
                "{ns} not opened"
            );
            tcp.write_all(&frame(&format!("41{ns},"))).unwrap();
        }
        tcp
    })
    .await
    .unwrap();
    let (collector, _inbox) = Collector::new();
    let auth: Map<String, Value> = [("lab".to_string(), json!("later"))].into_iter().collect();
    let control = match client::connect(&server.url, "lab", "/lab", &auth, collector, WAIT).await {
        Ok(ConnectOutcome::Accepted(c)) => *c,
        _ => panic!("the control socket could not connect"),
    };
    let namespaces =
        socketio_lab::lesson::load_file(&common::repo().join("lessons/namespaces.toml")).unwrap();
    let app = serde_json::to_value(namespaces.app.unwrap()).unwrap();
    // The children go on tasks of their own: ask until the declaration is taken.
    let deadline = Instant::now() + WAIT;
    let reply = loop {
        let reply = match control.request("lab:app", app.clone(), WAIT).await {
            Answer::Reply(v) => v,
            other => panic!("no reply to lab:app: {other:?}"),
        };
        if reply["ok"] == json!(true) || Instant::now() > deadline {
            break reply;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(reply["ok"], json!(true), "{reply}");
    drop(opened);
    server.stop().await;
}

/// Issue 28, item 5: a name is kept to `MAX_NAME` characters, however long the
/// handshake's, and one join to 10,000 rooms is logged as one short line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_and_log_lines_are_bounded() {
    let (monitor, mut activity) = Monitor::new(4096);
    let config = ServerConfig {
        monitor: Some(monitor),
        ..ServerConfig::default()
    };
    let server = EmbeddedServer::start_with(config).await.unwrap();
    let port = port(&server);
    let long = "n".repeat(100_000);
    let tcp = tokio::task::spawn_blocking(move || raw_client(port, json!({ "name": long })))
        .await
        .unwrap();
    let kept = next(&mut activity, |a| match a {
        Activity::Note(Note::Connect { name, .. }) => Some(name.clone()),
        _ => None,
    })
    .await;
    assert_eq!(
        kept.chars().count(),
        socketio_lab::server::MAX_NAME,
        "{kept}"
    );
    drop(tcp);
    server.stop().await;

    let rooms: Vec<String> = (0..10_000).map(|i| format!("room-{i}")).collect();
    let joined = Activity::Joined {
        name: "alice".into(),
        namespace: "/".into(),
        rooms,
    };
    let line = describe(&joined, Paint::PLAIN);
    assert!(line.len() < 1_000, "{} bytes", line.len());
    assert!(line.ends_with("and 9980 more"), "{line}");
}
