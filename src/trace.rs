//! The one trace: every observation of a lab run, from the server and from each
//! client, collected in one place. The live view, `--json`, the snapshots and the quiz
//! all read "who received what" from here and nowhere else.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use crate::lesson::Step;
use crate::protocol::{AckOutcome, Reply};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Observation {
    /// The server's connection handler ran for this socket.
    ServerConnect { client: String, namespace: String },
    /// A middleware of the server refused the socket.
    ServerRefuse {
        client: String,
        namespace: String,
        reason: String,
    },
    /// The server saw the socket leave its namespace.
    ServerDisconnect {
        client: String,
        namespace: String,
        reason: String,
    },
    /// Any other line the server logged; with `[nodes]`, the node (from 1) that
    /// logged it.
    ServerLog {
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        node: Option<usize>,
    },
    /// A declared handler run for `client`'s socket emitted `event` to these sockets,
    /// as the server's adapter selected them.
    ServerEmitted {
        client: String,
        namespace: String,
        event: String,
        delivered_to: Vec<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        /// With an acknowledgement callback: how long the server waits for answers.
        #[serde(skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
        /// The embedded server's counterfactual, where it differs: whom plain
        /// socketioxide (no own-id rooms) would have selected.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        plain_socketioxide: Option<Vec<String>>,
    },
    /// The acknowledgement callback of that emit ran with Node's `(err, answers)`:
    /// the error's message, and the answers in time, in the order they came.
    ServerCallback {
        client: String,
        namespace: String,
        event: String,
        err: Option<String>,
        answers: Vec<Value>,
    },
    /// The declared handler for `event` from `client` finished (or none exists).
    ServerHandled {
        client: String,
        namespace: String,
        event: String,
        unhandled: bool,
        /// A per-packet middleware refused it, with this message.
        #[serde(skip_serializing_if = "Option::is_none")]
        refused: Option<String>,
    },
    /// An event from `client` arrived before its socket had any handler for it:
    /// nothing ran, and nobody is told.
    ServerUnheard {
        client: String,
        namespace: String,
        event: String,
    },
    /// The client heard its namespace accept it.
    Connected { client: String },
    /// The client heard `connect_error`.
    Refused { client: String, reason: String },
    /// The client closed its own connection.
    Closed { client: String },
    /// The server answered a request or an application event the client sent.
    Answered {
        client: String,
        event: String,
        reply: Reply,
    },
    /// The application answered an acknowledgement the client asked for.
    AckAnswered {
        client: String,
        event: String,
        value: Value,
    },
    /// The client's acknowledgement timed out: an observed outcome, not a failure.
    AckTimedOut {
        client: String,
        event: String,
        timeout_ms: u64,
    },
    /// The client's handler answered the acknowledgement the server asked for (as
    /// the lesson scripted it); whether it counted is the server's to say.
    ClientAcked {
        client: String,
        event: String,
        value: Value,
        after_ms: u64,
    },
    /// No answer came back within the step timeout.
    Unanswered {
        client: String,
        event: String,
        timeout_ms: u64,
    },
    /// The client received an application event.
    Received {
        client: String,
        event: String,
        /// The one argument, or for none or several the list of them (`arguments`
        /// says which).
        payload: Value,
        /// How many arguments the event carried: `moved "knight" "f3"` is two,
        /// not one list.
        #[serde(skip_serializing_if = "is_one")]
        arguments: usize,
    },
    /// The server ended the client's connection.
    DroppedByServer { client: String },
    /// Something the client library reported outside any request.
    ClientError { client: String, message: String },
}

impl Observation {
    pub fn client(&self) -> &str {
        match self {
            Observation::ServerConnect { client, .. }
            | Observation::ServerRefuse { client, .. }
            | Observation::ServerDisconnect { client, .. }
            | Observation::ServerEmitted { client, .. }
            | Observation::ServerCallback { client, .. }
            | Observation::ServerHandled { client, .. }
            | Observation::ServerUnheard { client, .. }
            | Observation::Connected { client }
            | Observation::Refused { client, .. }
            | Observation::Closed { client }
            | Observation::Answered { client, .. }
            | Observation::AckAnswered { client, .. }
            | Observation::AckTimedOut { client, .. }
            | Observation::ClientAcked { client, .. }
            | Observation::Unanswered { client, .. }
            | Observation::Received { client, .. }
            | Observation::DroppedByServer { client }
            | Observation::ClientError { client, .. } => client,
            Observation::ServerLog { .. } => "",
        }
    }

    /// Server-side facts come before what the clients heard; within one rank the
    /// order of the lesson's clients decides.
    fn rank(&self) -> u8 {
        match self {
            Observation::ServerConnect { .. }
            | Observation::ServerRefuse { .. }
            | Observation::ServerDisconnect { .. }
            | Observation::ServerLog { .. }
            | Observation::ServerEmitted { .. }
            | Observation::ServerCallback { .. }
            | Observation::ServerHandled { .. }
            | Observation::ServerUnheard { .. } => 0,
            Observation::Connected { .. }
            | Observation::Refused { .. }
            | Observation::Closed { .. } => 1,
            Observation::Answered { .. }
            | Observation::Unanswered { .. }
            | Observation::AckAnswered { .. }
            | Observation::AckTimedOut { .. } => 2,
            Observation::Received { .. } => 3,
            Observation::ClientAcked { .. } => 4,
            Observation::DroppedByServer { .. } | Observation::ClientError { .. } => 5,
        }
    }
}

/// The sending half, handed to every client and to the control connection.
#[derive(Clone, Debug)]
pub struct Collector {
    tx: UnboundedSender<Observation>,
    /// Stamped on the log lines it records: the node whose control socket heard them.
    node: Option<usize>,
}

impl Collector {
    pub fn new() -> (Collector, UnboundedReceiver<Observation>) {
        let (tx, rx) = unbounded_channel();
        (Collector { tx, node: None }, rx)
    }

    /// The same collector, for what node `node` (from 1) tells its control socket.
    pub fn for_node(&self, node: usize) -> Collector {
        Collector {
            tx: self.tx.clone(),
            node: Some(node),
        }
    }

    pub fn record(&self, mut observation: Observation) {
        if let (Observation::ServerLog { node, .. }, Some(here)) = (&mut observation, self.node) {
            *node = Some(here);
        }
        // The receiver lives as long as the lab; after it, nothing is listening.
        let _ = self.tx.send(observation);
    }
}

/// Puts one step's observations in a deterministic order. Arrival order is kept
/// within one client and rank: a connection delivers in order, so that part is stable.
pub fn canonical_order(observations: &mut [Observation], client_order: &[String]) {
    let index = |name: &str| {
        client_order
            .iter()
            .position(|c| c == name)
            .unwrap_or(usize::MAX)
    };
    // Log lines of several nodes: node 1's first, each node's in the order it
    // logged them (one connection each, so that order is stable).
    let node = |o: &Observation| match o {
        Observation::ServerLog { node, .. } => *node,
        _ => None,
    };
    observations.sort_by_key(|o| (o.rank(), index(o.client()), node(o)));
}

/// Who the server says it sent a step's event to, sorted: its answer to the request,
/// and (lesson format 2) every emit its declared handler noted. `None` when it says
/// nothing. The engine waits on this and the judge compares with it.
pub fn claimed_deliveries(observations: &[Observation]) -> Option<Vec<String>> {
    let answered = observations.iter().find_map(|o| match o {
        Observation::Answered { reply, .. } => reply.delivered_to.clone(),
        _ => None,
    });
    let emitted: Vec<&Vec<String>> = observations
        .iter()
        .filter_map(|o| match o {
            Observation::ServerEmitted { delivered_to, .. } => Some(delivered_to),
            _ => None,
        })
        .collect();
    if emitted.is_empty() {
        return answered;
    }
    let all: BTreeSet<String> = emitted
        .into_iter()
        .flatten()
        .cloned()
        .chain(answered.unwrap_or_default())
        .collect();
    Some(all.into_iter().collect())
}

/// Room name to sorted member names, per namespace.
pub type RoomTable = BTreeMap<String, BTreeMap<String, Vec<String>>>;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepRecord {
    /// 1-based.
    pub index: usize,
    pub observations: Vec<Observation>,
    /// Clients whose connection was up when the step ended, in lesson order.
    pub present: Vec<String>,
    /// The server's rooms after the step (own-id rooms left out).
    pub rooms: RoomTable,
    /// Per namespace: the sockets the server holds in a room named by their own id.
    pub own_id_rooms: BTreeMap<String, Vec<String>>,
    /// The server's engine.io connections after the step, with the lesson sockets
    /// each carries; empty from a server that does not number them.
    pub connections: Vec<Connection>,
    /// A lesson with `[nodes]`: the node (from 1) that holds each connected lesson
    /// socket after the step, as each node's own state says.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub nodes: BTreeMap<String, usize>,
    /// The server ran a lesson's declared application: its log is only what that
    /// code printed (the lab's own connection notes are not log lines then).
    #[serde(skip)]
    pub declared: bool,
}

/// One engine.io connection as the server reports it: the lesson's sockets on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Connection {
    /// In the lesson's client order.
    pub sockets: Vec<String>,
    /// With several sockets: whether the server gave them one id or one each.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub socket_ids: Option<SocketIds>,
}

/// How a server names the sockets of one connection, as observed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SocketIds {
    /// The same id in every namespace (socketioxide: the engine.io session's).
    Shared,
    /// An id of its own for each namespace's socket (Node's `socket.io`).
    PerNamespace,
    /// Some shared, some not.
    Mixed,
}

impl StepRecord {
    /// Whether one of the server's connections carries several sockets: only then
    /// are the connections shown (in the transcript and in `--json`).
    pub fn multiplexed(&self) -> bool {
        self.connections.iter().any(|c| c.sockets.len() > 1)
    }

    /// Sorted names of the clients that received an application event in this step.
    pub fn delivered_to(&self) -> Vec<String> {
        let names: BTreeSet<&str> = self
            .observations
            .iter()
            .filter_map(|o| match o {
                Observation::Received { client, .. } => Some(client.as_str()),
                _ => None,
            })
            .collect();
        names.into_iter().map(str::to_string).collect()
    }

    /// Sorted names of present clients that received nothing.
    pub fn not_delivered_to(&self) -> Vec<String> {
        let got = self.delivered_to();
        let mut names: Vec<String> = self
            .present
            .iter()
            .filter(|p| !got.contains(p))
            .cloned()
            .collect();
        names.sort();
        names
    }

    /// What `client` received in this step, in arrival order.
    pub fn received_by<'a>(
        &'a self,
        client: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a Value)> {
        self.observations.iter().filter_map(move |o| match o {
            Observation::Received {
                client: c,
                event,
                payload,
                ..
            } if c == client => Some((event.as_str(), payload)),
            _ => None,
        })
    }

    /// What `client` received, each event with its arguments as they came: one
    /// value each (none for an event with no argument).
    pub fn received_args<'a>(
        &'a self,
        client: &'a str,
    ) -> impl Iterator<Item = (&'a str, Vec<&'a Value>)> {
        self.observations.iter().filter_map(move |o| match o {
            Observation::Received {
                client: c,
                event,
                payload,
                arguments,
            } if c == client => Some((event.as_str(), arguments_of(payload, *arguments))),
            _ => None,
        })
    }

    /// Whether this step's trace holds an observation about `client` that `is` picks
    /// out, e.g. `record.saw("bob", |o| matches!(o, Observation::Closed { .. }))`.
    pub fn saw(&self, client: &str, is: impl Fn(&Observation) -> bool) -> bool {
        self.observations
            .iter()
            .any(|o| o.client() == client && is(o))
    }

    /// The server's own account of where it sent the step's event, if it gave one.
    /// Whether `name` sits on another node than a socket whose handler emitted in
    /// this step: each node notes only what it sent its own sockets, and the other
    /// nodes' deliveries come through the adapter (a lesson with `[nodes]`).
    pub fn from_another_node(&self, name: &str) -> bool {
        let Some(node) = self.nodes.get(name) else {
            return false;
        };
        self.observations.iter().any(|o| match o {
            Observation::ServerEmitted { client, .. } => {
                self.nodes.get(client).is_some_and(|n| n != node)
            }
            _ => false,
        })
    }

    pub fn server_delivered_to(&self) -> Option<Vec<String>> {
        claimed_deliveries(&self.observations)
    }

    /// Where plain socketioxide would have sent this step's emits instead, as the
    /// embedded server computed it beside its own selection (`None`: nowhere else).
    pub fn plain_socketioxide(&self) -> Option<Vec<String>> {
        let mut plain: Option<BTreeSet<&String>> = None;
        for o in &self.observations {
            if let Observation::ServerEmitted {
                plain_socketioxide: Some(names),
                ..
            } = o
            {
                plain.get_or_insert_with(BTreeSet::new).extend(names);
            }
        }
        plain.map(|names| names.into_iter().cloned().collect())
    }

    pub fn answer(&self) -> Option<&Reply> {
        self.observations.iter().find_map(|o| match o {
            Observation::Answered { reply, .. } => Some(reply),
            _ => None,
        })
    }

    pub fn refusal_of(&self, client: &str) -> Option<&str> {
        self.observations.iter().find_map(|o| match o {
            Observation::Refused { client: c, reason } if c == client => Some(reason.as_str()),
            _ => None,
        })
    }

    /// The chat example's log lines for this step's server notes, in trace order.
    pub fn log_lines(&self) -> Vec<String> {
        self.observations
            .iter()
            .filter_map(|o| match o {
                Observation::ServerConnect { .. } if !self.declared => {
                    Some("a user connected".to_string())
                }
                Observation::ServerDisconnect { .. } if !self.declared => {
                    Some("user disconnected".to_string())
                }
                Observation::ServerRefuse {
                    client, namespace, ..
                } => Some(format!("refused {client} on {namespace}")),
                Observation::ServerLog { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    /// The answer to the acknowledgement the actor asked for, if one came.
    pub fn ack_answer(&self) -> Option<&Value> {
        self.observations.iter().find_map(|o| match o {
            Observation::AckAnswered { value, .. } => Some(value),
            _ => None,
        })
    }

    /// The client's acknowledgement that timed out, with its timeout.
    pub fn ack_timed_out(&self) -> Option<u64> {
        self.observations.iter().find_map(|o| match o {
            Observation::AckTimedOut { timeout_ms, .. } => Some(*timeout_ms),
            _ => None,
        })
    }

    /// What each recipient answered to the server's acknowledgement request.
    pub fn server_acks(&self) -> Vec<(String, AckOutcome)> {
        self.answer()
            .and_then(|r| r.acks.clone())
            .map(|acks| acks.into_iter().collect())
            .unwrap_or_default()
    }

    /// What the acknowledgement callback of a declared handler's emit got: the
    /// error's message, and the answers in the order they came (format 2).
    pub fn callback(&self) -> Option<(Option<&str>, &[Value])> {
        self.observations.iter().find_map(|o| match o {
            Observation::ServerCallback { err, answers, .. } => {
                Some((err.as_deref(), answers.as_slice()))
            }
            _ => None,
        })
    }

    /// Whether the server says a declared handler's emit failed (a reserved name,
    /// or a socket that could not take the packet).
    pub fn emit_refused(&self) -> bool {
        !self.emit_errors().is_empty()
    }

    /// The errors the server gave for a declared handler's emits.
    pub fn emit_errors(&self) -> Vec<&str> {
        self.observations
            .iter()
            .filter_map(|o| match o {
                Observation::ServerEmitted {
                    error: Some(error), ..
                } => Some(error.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Who a declared handler's emit asked to acknowledge, sorted.
    pub fn asked_to_acknowledge(&self) -> Vec<String> {
        let asked: BTreeSet<&String> = self
            .observations
            .iter()
            .filter_map(|o| match o {
                Observation::ServerEmitted {
                    delivered_to,
                    timeout_ms: Some(_),
                    ..
                } => Some(delivered_to),
                _ => None,
            })
            .flatten()
            .collect();
        asked.into_iter().cloned().collect()
    }

    /// Whether the server said no handler exists for what the actor sent.
    pub fn unhandled(&self) -> bool {
        // A declared application says so in its `handled` note (format 2).
        self.answer().is_some_and(|r| r.unhandled)
            || self.observations.iter().any(|o| {
                matches!(
                    o,
                    Observation::ServerHandled {
                        unhandled: true,
                        ..
                    }
                )
            })
    }

    /// Whether an event the actor sent arrived before any handler for it was
    /// attached, and was lost (the server's `unheard` note).
    pub fn unheard(&self) -> bool {
        self.observations
            .iter()
            .any(|o| matches!(o, Observation::ServerUnheard { .. }))
    }

    /// The message of the per-packet middleware that refused what the step sent.
    pub fn packet_refusal(&self) -> Option<&str> {
        self.observations.iter().find_map(|o| match o {
            Observation::ServerHandled {
                refused: Some(reason),
                ..
            } => Some(reason.as_str()),
            _ => None,
        })
    }

    /// The event the step's traffic carried: what the server says it emitted, or
    /// what the step sent.
    pub fn event_name(&self, step: &Step) -> String {
        let emitted: BTreeSet<&str> = self
            .observations
            .iter()
            .filter_map(|o| match o {
                Observation::ServerEmitted { event, .. } => Some(event.as_str()),
                _ => None,
            })
            .collect();
        if !emitted.is_empty() {
            // What a declared handler emitted, which need not be what it received.
            let names: Vec<&str> = emitted.into_iter().collect();
            return names.join("`, `");
        }
        self.answer()
            .and_then(|r| r.emitted.clone())
            .or_else(|| step.action.event().map(str::to_string))
            .unwrap_or_default()
    }
}

/// One whole run of a lesson.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trace {
    pub lesson: String,
    pub steps: Vec<StepRecord>,
}

fn is_one(n: &usize) -> bool {
    *n == 1
}

/// An event's arguments from its recorded payload: the one value, or the items of
/// the list that stands for none or several.
fn arguments_of(payload: &Value, arguments: usize) -> Vec<&Value> {
    match (arguments, payload) {
        (1, one) => vec![one],
        (_, Value::Array(items)) => items.iter().collect(),
        (_, other) => vec![other],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn received(client: &str) -> Observation {
        Observation::Received {
            client: client.into(),
            event: "news".into(),
            payload: Value::from("hi"),
            arguments: 1,
        }
    }

    fn record(observations: Vec<Observation>) -> StepRecord {
        StepRecord {
            declared: false,
            index: 1,
            observations,
            present: vec!["alice".into(), "bob".into(), "carol".into()],
            rooms: RoomTable::new(),
            own_id_rooms: BTreeMap::new(),
            connections: Vec::new(),
            nodes: Default::default(),
        }
    }

    #[test]
    fn delivery_sets_come_from_receipts() {
        let r = record(vec![received("carol"), received("bob"), received("bob")]);
        assert_eq!(r.delivered_to(), vec!["bob", "carol"]);
        assert_eq!(r.not_delivered_to(), vec!["alice"]);
    }

    #[test]
    fn canonical_order_is_independent_of_arrival() {
        let order: Vec<String> = vec!["alice".into(), "bob".into()];
        let mut a = vec![
            received("bob"),
            Observation::Connected {
                client: "alice".into(),
            },
            received("alice"),
        ];
        let mut b = vec![
            received("alice"),
            received("bob"),
            Observation::Connected {
                client: "alice".into(),
            },
        ];
        canonical_order(&mut a, &order);
        canonical_order(&mut b, &order);
        assert_eq!(a, b);
        assert!(matches!(a[0], Observation::Connected { .. }));
    }
}
