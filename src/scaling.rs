//! `socketio-lab run scaling`: the chat example on two nodes of the one lab server
//! (`crate::server`), first each on its own adapter, then joined through
//! socketioxide's Redis adapter on a real Redis. The one engine drives it
//! (`engine::Lab` on two nodes), and the one judge (`crate::judge`) judges it.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use serde_json::{json, Value};

use crate::engine::{self, Lab, LabError};
use crate::judge::{self, Verdict};
use crate::lesson::Client;
use crate::paint::Paint;
use crate::protocol::{Emit, EmitFrom, EmitRequest, RoomsRequest, EMIT, JOIN, MAIN_NS};
use crate::server::{run_prefix, AdapterChoice, EmbeddedServer, ServerConfig, ServerError};
use crate::trace::{Observation, StepRecord};
use crate::view;

pub use crate::server::DEFAULT_REDIS;

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
    /// A node did not start (Redis missing, say) or the lab could not reach it;
    /// already one line.
    #[error(transparent)]
    Lab(#[from] LabError),
    /// A client did not get in: what its connection reported.
    #[error("`{name}` could not connect to node {node}: {detail}")]
    Client {
        name: String,
        node: &'static str,
        detail: String,
    },
}

impl From<ServerError> for ScalingError {
    fn from(e: ServerError) -> Self {
        ScalingError::Lab(LabError::Node(e))
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
async fn pair(adapter: AdapterChoice) -> Result<Vec<EmbeddedServer>, ScalingError> {
    match tokio::join!(node(adapter.clone()), node(adapter)) {
        (Ok(a), Ok(b)) => Ok(vec![a, b]),
        (Err(e), Ok(n)) | (Ok(n), Err(e)) => {
            n.stop().await;
            Err(e)
        }
        (Err(e), Err(_)) => Err(e),
    }
}

/// The lab on `nodes`: alice and bob on node A, carol and dave on node B, all
/// connected (that first step is not shown).
async fn start(nodes: Vec<EmbeddedServer>, timeout: Duration) -> Result<Lab, ScalingError> {
    let clients: Vec<Client> = ALL
        .iter()
        .map(|name| Client {
            answers: Vec::new(),
            connection: None,
            name: name.to_string(),
            namespace: MAIN_NS.to_string(),
            auth: serde_json::Map::new(),
            node: None,
            transport: Default::default(),
        })
        .collect();
    let placement: BTreeMap<String, usize> = NODE_B.iter().map(|n| (n.to_string(), 1)).collect();
    let mut lab = Lab::start_on(&clients, nodes, placement, timeout).await?;
    for name in ALL {
        lab.connect(name).await;
    }
    let record = lab.end_step().await?;
    let missing = ALL
        .iter()
        .find(|name| !record.present.iter().any(|p| p == *name));
    let Some(&name) = missing else {
        return Ok(lab);
    };
    let detail = record
        .observations
        .iter()
        .find_map(|o| match o {
            Observation::Refused { client, reason } if client == name => {
                Some(format!("refused ({reason})"))
            }
            Observation::ClientError { client, message } if client == name => Some(message.clone()),
            _ => None,
        })
        .unwrap_or_else(|| "no answer".to_string());
    lab.finish().await;
    let node = if NODE_A.contains(&name) { "A" } else { "B" };
    Err(ScalingError::Client {
        name: name.to_string(),
        node,
        detail,
    })
}

// ---------------------------------------------------------------- the steps

/// One step as the transcript shows it: what ran, why, and who should receive it.
struct Shown {
    title: &'static str,
    code: &'static str,
    why: &'static str,
    /// The event the step emits, for the judge's words.
    event: &'static str,
    expect: &'static [&'static str],
    /// Whether node B went away in this step: its clients' errors are then the
    /// lesson, not faults.
    node_gone: bool,
}

/// The five steps, in order: what each shows and whom it should reach.
const STEPS: [Shown; 5] = [
    Shown {
        title: "without an adapter: alice broadcasts on node A",
        code: "socket.broadcast.emit(\"chat message\", \"hi from alice\")",
        why: "Only bob gets it: each node only knows its own sockets, so node A cannot reach carol and dave on node B.",
        event: "chat message",
        expect: &["bob"],
        node_gone: false,
    },
    Shown {
        title: "with the Redis adapter: the same broadcast",
        code: "socket.broadcast.emit(\"chat message\", \"hi again\")",
        why: "Node A delivers to bob and publishes the packet on Redis; node B receives it and delivers to carol and dave.",
        event: "chat message",
        expect: &["bob", "carol", "dave"],
        node_gone: false,
    },
    Shown {
        title: "local(): node A's sockets only",
        code: "io.local().emit(\"news\", \"node A only\")",
        why: "`local()` skips the adapter: nothing is published, so node B never hears of it.",
        event: "news",
        expect: &["alice", "bob"],
        node_gone: false,
    },
    Shown {
        title: "a room across nodes: bob (A) and carol (B) join `team`",
        code: "io.to(\"team\").emit(\"news\", \"team meeting\")",
        why: "A room lives on each node for its own sockets; the adapter asks every node to deliver to its members of `team`.",
        event: "news",
        expect: &["bob", "carol"],
        node_gone: false,
    },
    Shown {
        title: "node B goes away; alice broadcasts again",
        code: "socket.broadcast.emit(\"chat message\", \"still here?\")",
        why: "carol and dave lost their connection with node B; node A keeps serving, and its broadcast still reaches bob.",
        event: "chat message",
        expect: &["bob"],
        node_gone: true,
    },
];

/// What the one judge finds wrong with a step.
fn judge_step(shown: &Shown, record: &StepRecord) -> Vec<String> {
    let expected_error = |o: &&Observation| {
        shown.node_gone
            && matches!(o, Observation::ClientError { client, .. } if NODE_B.contains(&client.as_str()))
    };
    let observations = record.observations.iter().filter(|o| !expected_error(o));
    let judged = StepRecord {
        declared: false,
        observations: observations.cloned().collect(),
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

/// Ends step `number` (from 1), prints it and returns its problems.
async fn show(
    lab: &mut Lab,
    number: usize,
    out: &mut dyn Write,
    paint: Paint,
) -> Result<Vec<String>, ScalingError> {
    let shown = &STEPS[number - 1];
    let record = lab.end_step().await?;
    let mut text = format!(
        "\n{} {}\n    {}\n",
        paint.bold(&format!("Step {number}/{}", STEPS.len())),
        paint.bold(shown.title),
        paint.code(shown.code)
    );
    text.push_str(&view::who_received(&record, 8, paint));
    for o in &record.observations {
        let (client, line) = match o {
            Observation::DroppedByServer { client } => {
                (client, "✗  disconnected: its node went away".to_string())
            }
            Observation::ClientError { client, message } => {
                (client, format!("✗  connection error: {message}"))
            }
            _ => continue,
        };
        let cell = view::name_cell(client, 8, paint);
        text.push_str(&format!("    {cell}{}\n", paint.warn(&line)));
    }
    let problems = judge_step(shown, &record);
    text.push_str(&view::wrap(shown.why, 2, paint.width));
    for p in &problems {
        text.push_str(&format!("  {} {p}\n", paint.bad("✗")));
    }
    let _ = write!(out, "{text}");
    let _ = out.flush();
    Ok(problems)
}

/// An emit request as the lab protocol spells it.
fn emit(from: EmitFrom, flags: (bool, bool), to: &[&str], event: &str, data: &str) -> Value {
    let (broadcast, local) = flags;
    let request = EmitRequest {
        emit: Emit {
            from,
            broadcast,
            local,
            to: to.iter().map(|r| r.to_string()).collect(),
            ..Emit::default()
        },
        event: event.into(),
        data: json!(data),
    };
    serde_json::to_value(request).unwrap_or_default()
}

/// `socket.broadcast.emit("chat message", data)` from alice.
fn broadcast(data: &str) -> Value {
    emit(EmitFrom::Socket, (true, false), &[], "chat message", data)
}

/// Step 1: two nodes, each on its own in-memory adapter.
async fn without_adapter(
    timeout: Duration,
    out: &mut dyn Write,
    paint: Paint,
) -> Result<Vec<String>, ScalingError> {
    let mut lab = start(pair(AdapterChoice::Local).await?, timeout).await?;
    lab.request("alice", EMIT, broadcast("hi from alice")).await;
    let problems = show(&mut lab, 1, out, paint).await;
    lab.finish().await;
    problems
}

/// Steps 2 to 5: the same chat on two nodes joined by the Redis adapter.
async fn with_redis(
    lab: &mut Lab,
    out: &mut dyn Write,
    paint: Paint,
) -> Result<Vec<String>, ScalingError> {
    lab.request("alice", EMIT, broadcast("hi again")).await;
    let mut problems = show(lab, 2, out, paint).await?;

    let local = emit(EmitFrom::Io, (false, true), &[], "news", "node A only");
    lab.request("alice", EMIT, local).await;
    problems.extend(show(lab, 3, out, paint).await?);

    let team = serde_json::to_value(RoomsRequest {
        rooms: vec!["team".into()],
    })
    .unwrap_or_default();
    // Each join is acknowledged by its own node, so `team` is complete on each node
    // before the emit below; their replies stay in this step's record.
    lab.request("bob", JOIN, team.clone()).await;
    lab.request("carol", JOIN, team).await;
    let to_team = emit(
        EmitFrom::Io,
        (false, false),
        &["team"],
        "news",
        "team meeting",
    );
    lab.request("alice", EMIT, to_team).await;
    problems.extend(show(lab, 4, out, paint).await?);

    lab.stop_node(1).await;
    lab.request("alice", EMIT, broadcast("still here?")).await;
    problems.extend(show(lab, 5, out, paint).await?);
    Ok(problems)
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
            futures_util::future::join_all(joined.into_iter().map(EmbeddedServer::stop)).await;
            return Err(e);
        }
    };
    let mut lab = start(joined, options.timeout).await?;
    let shown = with_redis(&mut lab, out, paint).await;
    lab.finish().await;
    problems.extend(shown?);
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
