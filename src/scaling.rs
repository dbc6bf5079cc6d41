//! `socketio-lab run scaling`: the chat example on two lab server nodes, first on
//! their own, then joined through socketioxide's Redis adapter on a real Redis.
//!
//! Each node is a small socketioxide server speaking the part of the lab protocol
//! (`docs/lab-protocol.md`) these steps need: `lab:welcome`, `lab:sync`, `lab:join`
//! and `lab:emit` (broadcast, `io`, rooms), plus `scaling:local` for `local()`.

use std::io::Write;
use std::time::Duration;

use axum::routing::get;
use axum::serve::ListenerExt;
use axum::Router;
use futures_util::future::join_all;
use serde_json::{json, Value};
use socketioxide::adapter::{Adapter, LocalAdapter};
use socketioxide::extract::{AckSender, SocketRef, TryData};
use socketioxide::layer::SocketIoLayer;
use socketioxide::SocketIo;
use socketioxide_redis::{RedisAdapter, RedisAdapterConfig, RedisAdapterCtr};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::client::{self, Answer, ConnectOutcome, LabClient};
use crate::judge::Verdict;
use crate::paint::Paint;
use crate::protocol::{
    EmitFrom, EmitRequest, Reply, RoomsRequest, Welcome, EMIT, JOIN, MAIN_NS, SYNC, WELCOME,
};
use crate::trace::{canonical_order, Collector, Observation, StepRecord};
use crate::view;

pub const DEFAULT_REDIS: &str = "redis://127.0.0.1:6379";
/// Emit request like `lab:emit`, sent with the `local()` flag.
pub const LOCAL_EMIT: &str = "scaling:local";
/// The barrier's marker, broadcast from node A through the adapter (never shown).
pub const MARK: &str = "scaling:mark";
/// How long connecting to Redis may take before it counts as unreachable.
const REDIS_CONNECT: Duration = Duration::from_secs(3);

const NODE_A: [&str; 2] = ["alice", "bob"];
const NODE_B: [&str; 2] = ["carol", "dave"];
const ALL: [&str; 4] = ["alice", "bob", "carol", "dave"];

// ---------------------------------------------------------------- the node

fn reply(a: AckSender<impl Adapter>, ok: Result<Option<Vec<String>>, String>) {
    let r = match ok {
        Ok(rooms) => Reply {
            ok: true,
            rooms,
            ..Reply::default()
        },
        Err(error) => Reply {
            ok: false,
            error: Some(error),
            ..Reply::default()
        },
    };
    // A client that asked for no acknowledgement makes this fail; nothing to do then.
    let _ = a.send(&r);
}

/// Emits as the request says. With a remote adapter, `delivered_to` is left out of
/// the reply: this node knows only its own sockets, so only the clients can tell.
async fn emit<A: Adapter>(
    socket: &SocketRef<A>,
    io: &SocketIo<A>,
    req: EmitRequest,
    local: bool,
) -> Result<(), String> {
    let mut op = match req.from {
        EmitFrom::Socket => socket.broadcast(),
        EmitFrom::Io => io.broadcast(),
    };
    if !req.to.is_empty() {
        op = op.to(req.to);
    }
    if local {
        op = op.local();
    }
    op.emit(&req.event, &req.data)
        .await
        .map_err(|e| format!("emit failed: {e}"))
}

fn on_connect<A: Adapter>(socket: SocketRef<A>, auth: Option<Value>) {
    let name = match auth
        .as_ref()
        .and_then(|a| a.get("name"))
        .and_then(Value::as_str)
    {
        Some(n) if !n.is_empty() => n.to_string(),
        _ => "guest".to_string(),
    };
    socket.on(SYNC, |a: AckSender<A>| async move { reply(a, Ok(None)) });
    socket.on(
        JOIN,
        |socket: SocketRef<A>, TryData(req): TryData<RoomsRequest>, a: AckSender<A>| async move {
            let Ok(req) = req else {
                return reply(a, Err(format!("malformed `{JOIN}` request")));
            };
            socket.join(req.rooms);
            reply(a, Ok(Some(crate::server::visible_rooms(&socket))));
        },
    );
    for (event, local) in [(EMIT, false), (LOCAL_EMIT, true)] {
        socket.on(
            event,
            move |socket: SocketRef<A>,
                  io: SocketIo<A>,
                  TryData(req): TryData<EmitRequest>,
                  a: AckSender<A>| async move {
                let Ok(req) = req else {
                    return reply(a, Err(format!("malformed `{event}` request")));
                };
                let done = emit(&socket, &io, req, local).await;
                reply(a, done.map(|()| None));
            },
        );
    }
    // Last, so that a client that hears it knows every handler above is in place.
    let _ = socket.emit(
        WELCOME,
        &Welcome {
            sid: socket.id.to_string(),
            name,
            namespace: socket.ns().to_string(),
        },
    );
}

struct Node {
    url: String,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Node {
    async fn serve<A: Adapter>(layer: SocketIoLayer<A>, io: SocketIo<A>) -> std::io::Result<Node> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        // As in src/server.rs: without TCP_NODELAY a small packet can wait ~40 ms.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let app = Router::new()
            .route("/", get(|| async { "socketio-lab scaling node\n" }))
            .layer(layer);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                    // Each socket first hears a Socket.IO disconnect (the client's
                    // `Event::Close`), then the server stops.
                    for socket in io.sockets() {
                        let _ = socket.disconnect();
                    }
                    io.close().await;
                })
                .await
        });
        Ok(Node {
            url: format!("http://127.0.0.1:{port}"),
            stop,
            task,
        })
    }

    /// Stops the node: every socket is disconnected, then the task ends (bounded).
    async fn kill(self) {
        let _ = self.stop.send(());
        let _ = tokio::time::timeout(Duration::from_secs(2), self.task).await;
    }
}

async fn plain_node() -> std::io::Result<Node> {
    let (layer, io) = SocketIo::builder()
        .with_adapter::<LocalAdapter>(())
        .build_layer();
    io.ns(
        MAIN_NS,
        |socket: SocketRef<LocalAdapter>, TryData(auth): TryData<Value>| async move {
            on_connect(socket, auth.ok())
        },
    );
    Node::serve(layer, io).await
}

/// The redis crate reads the protocol from the URL; the adapter needs RESP3.
fn resp3(url: &str) -> String {
    if url.contains("protocol=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&protocol=resp3")
    } else {
        format!("{url}?protocol=resp3")
    }
}

fn no_redis(url: &str, detail: impl std::fmt::Display) -> String {
    // One line: some errors of the redis crate span several.
    let detail = detail.to_string();
    let detail = detail.lines().next().unwrap_or_default().trim();
    format!(
        "no Redis answered at `{url}` ({detail}); start one with `redis-server --port 6379` or pass `--redis URL`"
    )
}

/// A node with the Redis adapter, subscribed before it accepts anyone.
/// The channel prefix both nodes of one run share. Unique per run, so that two labs
/// on the same Redis never hear each other's broadcasts.
fn run_prefix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("socketio-lab-{}-{nanos}", std::process::id())
}

async fn redis_node(url: &str, prefix: &str) -> Result<Node, String> {
    let client = socketioxide_redis::drivers::redis::redis_client::Client::open(resp3(url))
        .map_err(|e| format!("`{url}` is not a Redis URL such as `{DEFAULT_REDIS}` ({e})"))?;
    let ctr = tokio::time::timeout(
        REDIS_CONNECT,
        RedisAdapterCtr::new_with_redis_config(
            &client,
            RedisAdapterConfig::new().with_prefix(prefix.to_string()),
        ),
    )
    .await
    .map_err(|_| {
        no_redis(
            url,
            format!("no answer within {} ms", REDIS_CONNECT.as_millis()),
        )
    })?
    .map_err(|e| no_redis(url, e))?;
    let (layer, io) = SocketIo::builder()
        .with_adapter::<RedisAdapter<_>>(ctr)
        .build_layer();
    // Subscribes this node to the other nodes' traffic before anyone can connect.
    let subscribed = io.ns(
        MAIN_NS,
        |socket: SocketRef<RedisAdapter<_>>, TryData(auth): TryData<Value>| async move {
            on_connect(socket, auth.ok())
        },
    );
    tokio::time::timeout(REDIS_CONNECT, subscribed)
        .await
        .map_err(|_| no_redis(url, "subscribing timed out"))?
        .map_err(|e| no_redis(url, e))?;
    Node::serve(layer, io)
        .await
        .map_err(|e| format!("cannot start a node on 127.0.0.1: {e}"))
}

// ---------------------------------------------------------------- the lab

struct Cluster {
    timeout: Duration,
    a: Node,
    b: Option<Node>,
    clients: Vec<LabClient>,
    collector: Collector,
    inbox: UnboundedReceiver<Observation>,
    /// Whether the nodes share an adapter, so that the marker barrier applies.
    shared: bool,
    marks: u64,
    steps: usize,
}

impl Cluster {
    async fn start(a: Node, b: Node, shared: bool, timeout: Duration) -> Result<Cluster, String> {
        let (collector, inbox) = Collector::new();
        let mut clients = Vec::new();
        for name in ALL {
            let url = if NODE_A.contains(&name) {
                &a.url
            } else {
                &b.url
            };
            let node = if NODE_A.contains(&name) { "A" } else { "B" };
            let outcome = client::connect(
                url,
                name,
                MAIN_NS,
                &serde_json::Map::new(),
                collector.clone(),
                timeout,
            )
            .await;
            match outcome {
                Ok(ConnectOutcome::Accepted(c)) => clients.push(*c),
                Ok(ConnectOutcome::Refused(r)) => {
                    return Err(format!("node {node} refused `{name}`: {r}"))
                }
                Err(e) => return Err(format!("`{name}` cannot reach node {node}: {e}")),
            }
        }
        Ok(Cluster {
            timeout,
            a,
            b: Some(b),
            clients,
            collector,
            inbox,
            shared,
            marks: 0,
            steps: 0,
        })
    }

    fn client(&self, name: &str) -> Option<&LabClient> {
        self.clients.iter().find(|c| c.name == name)
    }

    async fn request(&self, actor: &str, event: &str, data: Value) {
        let Some(client) = self.client(actor) else {
            return self.collector.record(Observation::ClientError {
                client: actor.into(),
                message: format!("`{actor}` is not connected"),
            });
        };
        let observation = match client.request(event, data, self.timeout).await {
            Answer::Reply(value) => match serde_json::from_value::<Reply>(value.clone()) {
                Ok(reply) => Observation::Answered {
                    client: actor.into(),
                    event: event.into(),
                    reply,
                },
                Err(e) => Observation::ClientError {
                    client: actor.into(),
                    message: format!("the answer to `{event}` is not a lab reply ({e}): {value}"),
                },
            },
            Answer::Silent => Observation::Unanswered {
                client: actor.into(),
                event: event.into(),
                timeout_ms: self.timeout.as_millis() as u64,
            },
            Answer::SendFailed(message) => Observation::ClientError {
                client: actor.into(),
                message: format!("could not send `{event}`: {message}"),
            },
        };
        self.collector.record(observation);
    }

    /// The step's barrier. A connection is ordered, so a client's `lab:sync` answer
    /// proves it holds everything its own node queued for it before. With the Redis
    /// adapter, node B queues what node A published only when Redis hands it over;
    /// so first node A broadcasts a marker through the adapter. Node A publishes the
    /// step's emit and then the marker on one Redis connection and channel, Redis
    /// delivers a channel's messages in order, and node B's adapter handles them one
    /// after the other, queueing each for its sockets at once: once carol has the
    /// marker, she has everything node A published before it, and what she has not
    /// received by then was never sent to her. Waits are bounded by `--timeout`.
    async fn settle(&mut self) -> Vec<Observation> {
        let mut kept = Vec::new();
        if self.shared {
            self.marks += 1;
            let mark = self.marks;
            let request = EmitRequest {
                from: EmitFrom::Io,
                event: MARK.into(),
                data: json!(mark),
                ..EmitRequest::default()
            };
            let data = serde_json::to_value(request).unwrap_or_default();
            self.request("alice", EMIT, data).await;
            let mut waiting: Vec<String> = self.clients.iter().map(|c| c.name.clone()).collect();
            let deadline = tokio::time::Instant::now() + self.timeout;
            while !waiting.is_empty() {
                match tokio::time::timeout_at(deadline, self.inbox.recv()).await {
                    Ok(Some(Observation::Received {
                        client,
                        event,
                        payload,
                    })) if event == MARK => {
                        if payload == json!(mark) {
                            waiting.retain(|w| *w != client);
                        }
                    }
                    Ok(Some(o)) => kept.push(o),
                    Ok(None) | Err(_) => break,
                }
            }
            for client in waiting {
                kept.push(Observation::Unanswered {
                    client,
                    event: MARK.into(),
                    timeout_ms: self.timeout.as_millis() as u64,
                });
            }
        }
        let timeout = self.timeout;
        let syncs = self
            .clients
            .iter()
            .map(|c| async move { (c.name.clone(), c.request(SYNC, Value::Null, timeout).await) });
        for (name, answer) in join_all(syncs).await {
            if !matches!(answer, Answer::Reply(_)) {
                kept.push(Observation::Unanswered {
                    client: name,
                    event: SYNC.into(),
                    timeout_ms: timeout.as_millis() as u64,
                });
            }
        }
        while let Ok(o) = self.inbox.try_recv() {
            kept.push(o);
        }
        kept.retain(|o| !matches!(o, Observation::Received { event, .. } if event == MARK));
        kept
    }

    async fn record(&mut self) -> StepRecord {
        let mut observations = self.settle().await;
        let order: Vec<String> = ALL.iter().map(|s| s.to_string()).collect();
        canonical_order(&mut observations, &order);
        self.steps += 1;
        StepRecord {
            index: self.steps,
            observations,
            present: self.clients.iter().map(|c| c.name.clone()).collect(),
            rooms: Default::default(),
            own_id_rooms: Default::default(),
        }
    }

    /// Stops node B and waits, bounded, until its clients have seen their connection end.
    async fn kill_b(&mut self) -> Vec<Observation> {
        if let Some(b) = self.b.take() {
            b.kill().await;
        }
        let mut waiting: Vec<String> = NODE_B.iter().map(|s| s.to_string()).collect();
        let mut seen = Vec::new();
        let deadline = tokio::time::Instant::now() + self.timeout;
        while !waiting.is_empty() {
            match tokio::time::timeout_at(deadline, self.inbox.recv()).await {
                Ok(Some(o)) => {
                    if matches!(
                        o,
                        Observation::DroppedByServer { .. } | Observation::ClientError { .. }
                    ) {
                        waiting.retain(|w| w != o.client());
                    }
                    seen.push(o);
                }
                Ok(None) | Err(_) => break,
            }
        }
        for client in &waiting {
            seen.push(Observation::Unanswered {
                client: client.clone(),
                event: "disconnect".into(),
                timeout_ms: self.timeout.as_millis() as u64,
            });
        }
        self.clients.retain(|c| !NODE_B.contains(&c.name.as_str()));
        let order: Vec<String> = ALL.iter().map(|s| s.to_string()).collect();
        canonical_order(&mut seen, &order);
        seen
    }

    async fn finish(self) {
        join_all(self.clients.iter().map(|c| c.disconnect())).await;
        self.a.kill().await;
        if let Some(b) = self.b {
            b.kill().await;
        }
    }
}

// ---------------------------------------------------------------- the steps

struct Shown {
    number: usize,
    title: &'static str,
    code: &'static str,
    why: &'static str,
    expect: &'static [&'static str],
}

fn broadcast(event: &str, data: &str) -> Value {
    serde_json::to_value(EmitRequest {
        from: EmitFrom::Socket,
        broadcast: true,
        event: event.into(),
        data: json!(data),
        ..EmitRequest::default()
    })
    .unwrap_or_default()
}

/// Prints one step; returns its problems.
fn show(
    out: &mut dyn Write,
    total: usize,
    shown: &Shown,
    record: &StepRecord,
    extra: &[Observation],
    paint: Paint,
) -> Vec<String> {
    let mut text = format!(
        "\n{} {}\n    {}\n",
        paint.bold(&format!("Step {}/{total}", shown.number)),
        paint.bold(shown.title),
        paint.code(shown.code)
    );
    text.push_str(&view::who_received(record, 8, paint));
    let mut problems = Vec::new();
    for o in record.observations.iter().chain(extra) {
        match o {
            Observation::DroppedByServer { client } => text.push_str(&format!(
                "    {}{}\n",
                view::name_cell(client, 8, paint),
                paint.warn("✗  disconnected: its node went away")
            )),
            Observation::ClientError { client, message } => {
                text.push_str(&format!(
                    "    {}{}\n",
                    view::name_cell(client, 8, paint),
                    paint.warn(&format!("✗  connection error: {message}"))
                ));
                if !NODE_B.contains(&client.as_str()) || extra.is_empty() {
                    problems.push(format!("`{client}` reported an error: {message}"));
                }
            }
            Observation::Unanswered {
                client,
                event,
                timeout_ms,
            } => problems.push(format!(
                "`{client}` got no `{event}` within {timeout_ms} ms"
            )),
            Observation::Answered { event, reply, .. } if !reply.ok => problems.push(format!(
                "the node rejected `{event}`: {}",
                reply.error.as_deref().unwrap_or("no reason given")
            )),
            _ => {}
        }
    }
    let got = record.delivered_to();
    let want: Vec<String> = shown.expect.iter().map(|s| s.to_string()).collect();
    if got != want {
        let list = |n: &[String]| {
            if n.is_empty() {
                "nobody".to_string()
            } else {
                n.join(", ")
            }
        };
        problems.push(format!(
            "expected it to reach {} but it reached {}",
            list(&want),
            list(&got)
        ));
    }
    text.push_str(&view::wrap(shown.why, 2, view::WIDTH));
    for p in &problems {
        text.push_str(&format!("  {} {p}\n", paint.bad("✗")));
    }
    let _ = write!(out, "{text}");
    let _ = out.flush();
    problems
}

const TOTAL: usize = 5;

/// The two-node lab's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScalingOptions {
    pub redis_url: String,
    /// How long any expected answer may take.
    pub timeout: Duration,
}

/// Why the two-node lab could not run (no Redis, a node that would not start).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ScalingError(String);

pub async fn run(
    options: &ScalingOptions,
    out: &mut dyn Write,
    paint: Paint,
) -> Result<Verdict, ScalingError> {
    let timeout = options.timeout;
    let redis_url = options.redis_url.clone();
    let fail = |message: String| Err(ScalingError(message));
    let prefix = run_prefix();
    // Redis first, so that a missing one is said at once, before any output.
    let (ra, rb) = match tokio::join!(
        redis_node(&redis_url, &prefix),
        redis_node(&redis_url, &prefix)
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), Ok(n)) | (Ok(n), Err(e)) => {
            n.kill().await;
            return fail(e);
        }
        (Err(e), Err(_)) => return fail(e),
    };
    let _ = write!(
        out,
        "{}\n  {} two socketioxide nodes on 127.0.0.1 (free ports), A and B\n  {} {} and {} on node A, {} and {} on node B\n",
        paint.bold("── socketio-lab · scaling: one chat on two server nodes"),
        paint.dim("nodes  "),
        paint.dim("clients"),
        paint.name("alice"),
        paint.name("bob"),
        paint.name("carol"),
        paint.name("dave"),
    );
    let mut problems = Vec::new();

    // Step 1: two plain nodes.
    let plain = match (plain_node().await, plain_node().await) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            ra.kill().await;
            rb.kill().await;
            return fail(format!("cannot start a node on 127.0.0.1: {e}"));
        }
    };
    let mut lab = match Cluster::start(plain.0, plain.1, false, timeout).await {
        Ok(lab) => lab,
        Err(e) => {
            ra.kill().await;
            rb.kill().await;
            return fail(e);
        }
    };
    let _ = lab.record().await; // the connections themselves
    lab.request("alice", EMIT, broadcast("chat message", "hi from alice"))
        .await;
    let record = lab.record().await;
    problems.extend(show(
        out,
        TOTAL,
        &Shown {
            number: 1,
            title: "without an adapter: alice broadcasts on node A",
            code: "socket.broadcast.emit(\"chat message\", \"hi from alice\")",
            why: "Only bob gets it: each node only knows its own sockets, so node A cannot reach carol and dave on node B.",
            expect: &["bob"],
        },
        &record,
        &[],
        paint,
    ));
    lab.finish().await;

    // Steps 2 to 5: the same two nodes, now with the Redis adapter.
    let mut lab = match Cluster::start(ra, rb, true, timeout).await {
        Ok(lab) => lab,
        Err(e) => return fail(e),
    };
    let _ = lab.record().await;
    lab.request("alice", EMIT, broadcast("chat message", "hi again"))
        .await;
    let record = lab.record().await;
    problems.extend(show(
        out,
        TOTAL,
        &Shown {
            number: 2,
            title: "with the Redis adapter: the same broadcast",
            code: "socket.broadcast.emit(\"chat message\", \"hi again\")",
            why: "Node A delivers to bob and publishes the packet on Redis; node B receives it and delivers to carol and dave.",
            expect: &["bob", "carol", "dave"],
        },
        &record,
        &[],
        paint,
    ));

    let local = serde_json::to_value(EmitRequest {
        from: EmitFrom::Io,
        event: "news".into(),
        data: json!("node A only"),
        ..EmitRequest::default()
    })
    .unwrap_or_default();
    lab.request("alice", LOCAL_EMIT, local).await;
    let record = lab.record().await;
    problems.extend(show(
        out,
        TOTAL,
        &Shown {
            number: 3,
            title: "local(): node A's sockets only",
            code: "io.local().emit(\"news\", \"node A only\")",
            why: "`local()` skips the adapter: nothing is published, so node B never hears of it.",
            expect: &["alice", "bob"],
        },
        &record,
        &[],
        paint,
    ));

    let team = serde_json::to_value(RoomsRequest {
        rooms: vec!["team".into()],
    })
    .unwrap_or_default();
    tokio::join!(
        lab.request("bob", JOIN, team.clone()),
        lab.request("carol", JOIN, team)
    );
    // Both joins are acknowledged by their own node, so `team` is complete on each
    // node before the emit below; their replies stay in this step's record.
    let to_team = serde_json::to_value(EmitRequest {
        from: EmitFrom::Io,
        to: vec!["team".into()],
        event: "news".into(),
        data: json!("team meeting"),
        ..EmitRequest::default()
    })
    .unwrap_or_default();
    lab.request("alice", EMIT, to_team).await;
    let record = lab.record().await;
    problems.extend(show(
        out,
        TOTAL,
        &Shown {
            number: 4,
            title: "a room across nodes: bob (A) and carol (B) join `team`",
            code: "io.to(\"team\").emit(\"news\", \"team meeting\")",
            why: "A room lives on each node for its own sockets; the adapter asks every node to deliver to its members of `team`.",
            expect: &["bob", "carol"],
        },
        &record,
        &[],
        paint,
    ));

    let dropped = lab.kill_b().await;
    lab.request("alice", EMIT, broadcast("chat message", "still here?"))
        .await;
    let record = lab.record().await;
    problems.extend(show(
        out,
        TOTAL,
        &Shown {
            number: 5,
            title: "node B goes away; alice broadcasts again",
            code: "socket.broadcast.emit(\"chat message\", \"still here?\")",
            why: "carol and dave lost their connection with node B; node A keeps serving, and its broadcast still reaches bob.",
            expect: &["bob"],
        },
        &record,
        &dropped,
        paint,
    ));
    lab.finish().await;

    if problems.is_empty() {
        let _ = writeln!(
            out,
            "\n{} every step delivered as expected",
            paint.good("✓")
        );
        Ok(Verdict::Passed)
    } else {
        let _ = writeln!(
            out,
            "\n{} {} problem(s), listed under their steps",
            paint.bad("✗"),
            problems.len()
        );
        Ok(Verdict::Failed)
    }
}
