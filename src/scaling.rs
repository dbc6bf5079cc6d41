//! `socketio-lab run scaling`: the chat example on two nodes of the one lab server
//! (`crate::server`), first each on its own adapter, then joined through
//! socketioxide's Redis adapter on a real Redis. Clients are the lab's own
//! (`crate::client`), steps are judged by the one judge (`crate::judge`).

use std::io::Write;
use std::time::Duration;

use futures_util::future::join_all;
use serde_json::{json, Value};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::client::{self, ClientError, ConnectOutcome, LabClient};
use crate::engine::{self, sync_all};
use crate::judge::{self, Verdict};
use crate::paint::Paint;
use crate::protocol::{EmitFrom, EmitRequest, RoomsRequest, EMIT, JOIN, MAIN_NS};
use crate::server::{run_prefix, AdapterChoice, EmbeddedServer, ServerConfig, ServerError};
use crate::trace::{canonical_order, Collector, Observation, StepRecord};
use crate::view;

pub use crate::server::DEFAULT_REDIS;

/// The barrier's marker, broadcast from node A through the adapter (never shown; see
/// "Two nodes" in docs/lab-protocol.md).
pub const MARK: &str = "scaling:mark";

const NODE_A: [&str; 2] = ["alice", "bob"];
const NODE_B: [&str; 2] = ["carol", "dave"];
const ALL: [&str; 4] = ["alice", "bob", "carol", "dave"];

/// What `run scaling` needs to know.
#[derive(Debug, Clone)]
pub struct ScalingOptions {
    /// The Redis both nodes share.
    pub redis_url: String,
    /// How long any one expected answer may take before it counts as missing.
    pub timeout: Duration,
}

impl Default for ScalingOptions {
    fn default() -> Self {
        ScalingOptions {
            redis_url: DEFAULT_REDIS.to_string(),
            timeout: engine::DEFAULT_TIMEOUT,
        }
    }
}

/// Why the two-node lab could not run.
#[derive(Debug, thiserror::Error)]
pub enum ScalingError {
    #[error("cannot start a node on 127.0.0.1: {0}")]
    Node(std::io::Error),
    /// Redis is missing or the URL is not one: already one line.
    #[error(transparent)]
    Redis(ServerError),
    #[error("node {node} refused `{name}`: {reason}")]
    Refused {
        node: &'static str,
        name: &'static str,
        reason: String,
    },
    #[error("`{name}` cannot reach node {node}: {source}")]
    Unreachable {
        node: &'static str,
        name: &'static str,
        source: ClientError,
    },
}

impl From<ServerError> for ScalingError {
    fn from(e: ServerError) -> Self {
        match e {
            ServerError::Io(e) => ScalingError::Node(e),
            other => ScalingError::Redis(other),
        }
    }
}

/// One node: the lab server on its own port, on the adapter it is given.
async fn node(adapter: AdapterChoice) -> Result<EmbeddedServer, ScalingError> {
    let config = ServerConfig {
        adapter,
        ..ServerConfig::default()
    };
    Ok(EmbeddedServer::start_with(config).await?)
}

/// Two nodes, both started or neither.
async fn pair(adapter: AdapterChoice) -> Result<(EmbeddedServer, EmbeddedServer), ScalingError> {
    match tokio::join!(node(adapter.clone()), node(adapter)) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (Err(e), Ok(n)) | (Ok(n), Err(e)) => {
            n.stop().await;
            Err(e)
        }
        (Err(e), Err(_)) => Err(e),
    }
}

// ---------------------------------------------------------------- the lab

struct Cluster {
    timeout: Duration,
    a: EmbeddedServer,
    b: Option<EmbeddedServer>,
    clients: Vec<LabClient>,
    collector: Collector,
    inbox: UnboundedReceiver<Observation>,
    /// Whether the nodes share an adapter, so that the marker barrier applies.
    shared: bool,
    marks: u64,
    steps: usize,
}

impl Cluster {
    /// Places alice and bob on node A, carol and dave on node B. On failure the
    /// nodes are stopped.
    async fn start(
        (a, b): (EmbeddedServer, EmbeddedServer),
        shared: bool,
        timeout: Duration,
    ) -> Result<Cluster, ScalingError> {
        let (collector, inbox) = Collector::new();
        let mut lab = Cluster {
            timeout,
            a,
            b: Some(b),
            clients: Vec::new(),
            collector,
            inbox,
            shared,
            marks: 0,
            steps: 0,
        };
        for name in ALL {
            let on_a = NODE_A.contains(&name);
            let (node, url) = match (&lab.b, on_a) {
                (Some(b), false) => ("B", b.url.clone()),
                _ => ("A", lab.a.url.clone()),
            };
            let no_auth = serde_json::Map::new();
            let outcome = client::connect(
                &url,
                name,
                MAIN_NS,
                &no_auth,
                lab.collector.clone(),
                timeout,
            );
            let failed = match outcome.await {
                Ok(ConnectOutcome::Accepted(c)) => {
                    lab.clients.push(*c);
                    continue;
                }
                Ok(ConnectOutcome::Refused(reason)) => ScalingError::Refused { node, name, reason },
                Err(source) => ScalingError::Unreachable { node, name, source },
            };
            lab.finish().await;
            return Err(failed);
        }
        Ok(lab)
    }

    fn client(&self, name: &str) -> Option<&LabClient> {
        self.clients.iter().find(|c| c.name == name)
    }

    async fn request(&self, actor: &str, event: &str, data: Value) {
        let answer = engine::request(self.client(actor), actor, event, data, self.timeout);
        self.collector.record(answer.await);
    }

    /// With the adapter, the step ends first with a marker that node A broadcasts
    /// through it (docs/lab-protocol.md, "Two nodes"): Redis keeps a channel's order,
    /// so once a client has the marker it has everything node A published before.
    /// Returns what arrived meanwhile, and a miss for each client that never got it.
    async fn await_marker(&mut self) -> Vec<Observation> {
        self.marks += 1;
        let mark = json!(self.marks);
        let request = EmitRequest {
            from: EmitFrom::Io,
            event: MARK.into(),
            data: mark.clone(),
            ..EmitRequest::default()
        };
        let data = serde_json::to_value(request).unwrap_or_default();
        let mut kept = Vec::new();
        // Only a failed marker is part of the step; its reply is plumbing.
        match engine::request(self.client("alice"), "alice", EMIT, data, self.timeout).await {
            Observation::Answered { reply, .. } if reply.ok => {}
            other => kept.push(other),
        }
        let mut waiting: Vec<String> = self.clients.iter().map(|c| c.name.clone()).collect();
        let deadline = tokio::time::Instant::now() + self.timeout;
        while !waiting.is_empty() {
            match tokio::time::timeout_at(deadline, self.inbox.recv()).await {
                Ok(Some(Observation::Received {
                    client,
                    event,
                    payload,
                })) if event == MARK => waiting.retain(|w| *w != client || payload != mark),
                Ok(Some(o)) => kept.push(o),
                Ok(None) | Err(_) => break,
            }
        }
        kept.extend(waiting.into_iter().map(|client| Observation::Unanswered {
            client,
            event: MARK.into(),
            timeout_ms: self.timeout.as_millis() as u64,
        }));
        kept
    }

    /// The step's barrier: the marker when the nodes are joined, then a `lab:sync` on
    /// every connection. Waits are bounded by `--timeout`.
    async fn record(&mut self) -> StepRecord {
        let mut observations = Vec::new();
        if self.shared {
            observations = self.await_marker().await;
        }
        observations.extend(sync_all(self.clients.iter(), self.timeout).await);
        while let Ok(o) = self.inbox.try_recv() {
            observations.push(o);
        }
        observations.retain(|o| !matches!(o, Observation::Received { event, .. } if event == MARK));
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
            b.stop().await;
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
        seen.extend(waiting.into_iter().map(|client| Observation::Unanswered {
            client,
            event: "disconnect".into(),
            timeout_ms: self.timeout.as_millis() as u64,
        }));
        self.clients.retain(|c| !NODE_B.contains(&c.name.as_str()));
        let order: Vec<String> = ALL.iter().map(|s| s.to_string()).collect();
        canonical_order(&mut seen, &order);
        seen
    }

    async fn finish(self) {
        join_all(self.clients.iter().map(|c| c.disconnect())).await;
        self.a.stop().await;
        if let Some(b) = self.b {
            b.stop().await;
        }
    }
}

// ---------------------------------------------------------------- the steps

/// One step as the transcript shows it: what ran, why, and who should receive it.
struct Shown {
    number: usize,
    title: &'static str,
    code: &'static str,
    why: &'static str,
    /// The event the step emits, for the judge's words.
    event: &'static str,
    expect: &'static [&'static str],
}

const TOTAL: usize = 5;

/// What the one judge finds wrong with a step. Once a node went away (`extra` holds
/// how its clients saw that), their connection errors are the lesson, not faults.
fn judge_step(shown: &Shown, record: &StepRecord, extra: &[Observation]) -> Vec<String> {
    let node_gone = !extra.is_empty();
    let expected_error = |o: &&Observation| {
        node_gone
            && matches!(o, Observation::ClientError { client, .. } if NODE_B.contains(&client.as_str()))
    };
    let observations = record.observations.iter().chain(extra);
    let judged = StepRecord {
        observations: observations
            .filter(|o| !expected_error(o))
            .cloned()
            .collect(),
        ..record.clone()
    };
    let expected: Vec<String> = shown.expect.iter().map(|s| s.to_string()).collect();
    let mut problems = judged.traffic_faults(shown.event, false);
    problems.extend(judge::reach_mismatch(
        shown.event,
        &expected,
        &record.delivered_to(),
    ));
    problems
}

/// Prints one step; returns its problems.
fn show(
    out: &mut dyn Write,
    shown: &Shown,
    record: &StepRecord,
    extra: &[Observation],
    paint: Paint,
) -> Vec<String> {
    let mut text = format!(
        "\n{} {}\n    {}\n",
        paint.bold(&format!("Step {}/{TOTAL}", shown.number)),
        paint.bold(shown.title),
        paint.code(shown.code)
    );
    text.push_str(&view::who_received(record, 8, paint));
    for o in record.observations.iter().chain(extra) {
        let line = match o {
            Observation::DroppedByServer { client } => {
                (client, "✗  disconnected: its node went away".to_string())
            }
            Observation::ClientError { client, message } => {
                (client, format!("✗  connection error: {message}"))
            }
            _ => continue,
        };
        let cell = view::name_cell(line.0, 8, paint);
        text.push_str(&format!("    {cell}{}\n", paint.warn(&line.1)));
    }
    let problems = judge_step(shown, record, extra);
    text.push_str(&view::wrap(shown.why, 2, view::WIDTH));
    for p in &problems {
        text.push_str(&format!("  {} {p}\n", paint.bad("✗")));
    }
    let _ = write!(out, "{text}");
    let _ = out.flush();
    problems
}

/// An emit request as the lab protocol spells it.
fn emit(
    from: EmitFrom,
    broadcast: bool,
    local: bool,
    to: &[&str],
    event: &str,
    data: &str,
) -> Value {
    let request = EmitRequest {
        from,
        broadcast,
        local,
        to: to.iter().map(|r| r.to_string()).collect(),
        event: event.into(),
        data: json!(data),
        ..EmitRequest::default()
    };
    serde_json::to_value(request).unwrap_or_default()
}

/// `socket.broadcast.emit(event, data)` from alice.
fn broadcast(data: &str) -> Value {
    emit(EmitFrom::Socket, true, false, &[], "chat message", data)
}

/// Step 1: two nodes, each on its own in-memory adapter.
async fn without_adapter(
    timeout: Duration,
    out: &mut dyn Write,
    paint: Paint,
) -> Result<Vec<String>, ScalingError> {
    let mut lab = Cluster::start(pair(AdapterChoice::Local).await?, false, timeout).await?;
    let _ = lab.record().await; // the connections themselves
    lab.request("alice", EMIT, broadcast("hi from alice")).await;
    let record = lab.record().await;
    let shown = Shown {
        number: 1,
        title: "without an adapter: alice broadcasts on node A",
        code: "socket.broadcast.emit(\"chat message\", \"hi from alice\")",
        why: "Only bob gets it: each node only knows its own sockets, so node A cannot reach carol and dave on node B.",
        event: "chat message",
        expect: &["bob"],
    };
    let problems = show(out, &shown, &record, &[], paint);
    lab.finish().await;
    Ok(problems)
}

/// Steps 2 to 5: the same chat on two nodes joined by the Redis adapter.
async fn with_redis(mut lab: Cluster, out: &mut dyn Write, paint: Paint) -> Vec<String> {
    let _ = lab.record().await;
    lab.request("alice", EMIT, broadcast("hi again")).await;
    let record = lab.record().await;
    let mut problems = show(out, &Shown {
        number: 2,
        title: "with the Redis adapter: the same broadcast",
        code: "socket.broadcast.emit(\"chat message\", \"hi again\")",
        why: "Node A delivers to bob and publishes the packet on Redis; node B receives it and delivers to carol and dave.",
        event: "chat message",
        expect: &["bob", "carol", "dave"],
    }, &record, &[], paint);

    let local = emit(EmitFrom::Io, false, true, &[], "news", "node A only");
    lab.request("alice", EMIT, local).await;
    let record = lab.record().await;
    problems.extend(show(
        out,
        &Shown {
            number: 3,
            title: "local(): node A's sockets only",
            code: "io.local().emit(\"news\", \"node A only\")",
            why: "`local()` skips the adapter: nothing is published, so node B never hears of it.",
            event: "news",
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
    let to_team = emit(
        EmitFrom::Io,
        false,
        false,
        &["team"],
        "news",
        "team meeting",
    );
    lab.request("alice", EMIT, to_team).await;
    let record = lab.record().await;
    problems.extend(show(out, &Shown {
        number: 4,
        title: "a room across nodes: bob (A) and carol (B) join `team`",
        code: "io.to(\"team\").emit(\"news\", \"team meeting\")",
        why: "A room lives on each node for its own sockets; the adapter asks every node to deliver to its members of `team`.",
        event: "news",
        expect: &["bob", "carol"],
    }, &record, &[], paint));

    let dropped = lab.kill_b().await;
    lab.request("alice", EMIT, broadcast("still here?")).await;
    let record = lab.record().await;
    problems.extend(show(out, &Shown {
        number: 5,
        title: "node B goes away; alice broadcasts again",
        code: "socket.broadcast.emit(\"chat message\", \"still here?\")",
        why: "carol and dave lost their connection with node B; node A keeps serving, and its broadcast still reaches bob.",
        event: "chat message",
        expect: &["bob"],
    }, &record, &dropped, paint));
    lab.finish().await;
    problems
}

/// Runs the two-node lab, writing its transcript to `out`.
pub async fn run(
    options: &ScalingOptions,
    out: &mut dyn Write,
    paint: Paint,
) -> Result<Verdict, ScalingError> {
    let redis = AdapterChoice::Redis {
        url: options.redis_url.clone(),
        prefix: run_prefix(),
    };
    // Redis first, so that a missing one is said at once, before any output.
    let joined = pair(redis).await?;
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
    let mut problems = match without_adapter(options.timeout, out, paint).await {
        Ok(problems) => problems,
        Err(e) => {
            joined.0.stop().await;
            joined.1.stop().await;
            return Err(e);
        }
    };
    let lab = Cluster::start(joined, true, options.timeout).await?;
    problems.extend(with_redis(lab, out, paint).await);
    if problems.is_empty() {
        let _ = writeln!(
            out,
            "\n{} every step delivered as expected",
            paint.good("✓")
        );
    } else {
        let _ = writeln!(
            out,
            "\n{} {} problem(s), listed under their steps",
            paint.bad("✗"),
            problems.len()
        );
    }
    Ok(Verdict::from_ok(problems.is_empty()))
}
