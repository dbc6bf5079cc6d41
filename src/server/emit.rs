//! `lab:emit`: the selection Socket.IO would build for an emit request, and the emit
//! through it, with the JavaScript spelling of the call for the monitor.

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;
use socketioxide::adapter::Adapter;
use socketioxide::extract::SocketRef;
use socketioxide::operators::BroadcastOperators;
use socketioxide::socket::Sid;
use socketioxide::{AckError, BroadcastError, SendError, SocketIo};

use super::state::{name_of, sorted_names, Missed};
use crate::protocol::{AckOutcome, Emit, EmitFrom, EmitRequest, CONTROL_NS, RESERVED_EVENTS};
use crate::snippet;

/// What an emit did: where this node sent it and, when it asked for
/// acknowledgements, what each recipient answered.
pub(crate) struct Emitted {
    /// The sockets of this node the event went to, sorted by name.
    pub delivered_to: Vec<String>,
    pub call: String,
    pub acks: Option<BTreeMap<String, AckOutcome>>,
    /// Whether the emit stayed on this node by its nature (`socket.emit`, `local`),
    /// so that `delivered_to` is the whole story even when nodes are joined.
    pub this_node_only: bool,
    /// The sockets of `delivered_to` it could not be sent to.
    pub missed: Missed,
}

/// The emit as the learner wrote it, for its JavaScript text: an own-id room reads
/// `id:bob` again (shown as `bobId`), never as the random id itself. Only the named
/// rooms are looked up, so the cost does not grow with the namespace.
fn as_written<A: Adapter>(io: &SocketIo<A>, namespace: &str, emit: &Emit) -> Emit {
    let named = |rooms: &[String]| -> Vec<String> {
        rooms
            .iter()
            .map(|room| {
                let owner = room
                    .parse::<Sid>()
                    .ok()
                    .and_then(|sid| io.of(namespace)?.get_socket(sid));
                match owner {
                    Some(socket) => format!("id:{}", name_of(&socket)),
                    None => room.clone(),
                }
            })
            .collect()
    };
    Emit {
        to: named(&emit.to),
        within: named(&emit.within),
        except: named(&emit.except),
        ..emit.clone()
    }
}

/// Where the selection starts: the sending socket's broadcast, or a namespace.
/// `None` when the request is a plain `socket.emit` to the sender alone.
fn origin<A: Adapter>(
    socket: &SocketRef<A>,
    io: &SocketIo<A>,
    emit: &Emit,
) -> Result<Option<BroadcastOperators<A>>, String> {
    match emit.from {
        EmitFrom::Socket if emit.of.is_some() => Err("`of` needs `from: \"io\"`".into()),
        // `socket.to(..)`, `socket.except(..)` and `socket.local` imply the broadcast
        // flag in Socket.IO: the sender is left out.
        EmitFrom::Socket => Ok(emit.selects().then(|| socket.broadcast())),
        EmitFrom::Io => {
            let ns = emit.of.clone().unwrap_or_else(|| socket.ns().to_string());
            if ns == CONTROL_NS {
                return Err(format!("namespace `{CONTROL_NS}` is the lab's own"));
            }
            let op = io
                .of(&ns)
                .ok_or_else(|| format!("no namespace `{ns}` on this server"))?;
            Ok(Some(op))
        }
    }
}

/// Builds the operator a Socket.IO server would build for this emit.
fn selection<A: Adapter>(
    socket: &SocketRef<A>,
    io: &SocketIo<A>,
    emit: &Emit,
) -> Result<Option<BroadcastOperators<A>>, String> {
    let Some(mut op) = origin(socket, io, emit)? else {
        return Ok(None);
    };
    if emit.local {
        op = op.local();
    }
    if !emit.to.is_empty() {
        op = op.to(emit.to.clone());
    }
    if !emit.within.is_empty() {
        op = op.within(emit.within.clone());
    }
    if !emit.except.is_empty() {
        op = op.except(emit.except.clone());
    }
    Ok(Some(op))
}

fn ack_outcome(result: Result<Value, AckError>) -> AckOutcome {
    match result {
        Ok(value) => AckOutcome {
            answered: true,
            value: Some(value),
            error: None,
        },
        Err(AckError::Timeout) => AckOutcome {
            answered: false,
            value: None,
            error: Some("timeout".into()),
        },
        Err(e) => AckOutcome {
            answered: false,
            value: None,
            error: Some(e.to_string()),
        },
    }
}

fn failed(e: impl std::fmt::Display) -> String {
    format!("emit failed: {e}")
}

/// A socket that could not take the packet (its buffer full, or closed) is a miss,
/// reported with the emit; any other error fails the emit.
fn missed_by(e: SendError) -> Result<Missed, String> {
    match e {
        SendError::Socket(e) => Ok(Missed::from_errors([&e])),
        e => Err(failed(e)),
    }
}

/// A broadcast's misses, as `missed_by` for one socket.
pub(crate) fn broadcast_missed(sent: Result<(), BroadcastError>) -> Result<Missed, String> {
    match sent {
        Ok(()) => Ok(Missed::default()),
        Err(BroadcastError::Socket(errors)) => Ok(Missed::from_errors(&errors)),
        Err(e) => Err(failed(e)),
    }
}

/// Runs an emit request on this node.
pub(crate) async fn perform_emit<A: Adapter>(
    socket: &SocketRef<A>,
    io: &SocketIo<A>,
    req: &EmitRequest,
) -> Result<Emitted, String> {
    // Node's server throws on these names; socketioxide would send them, so the lab
    // refuses them itself to behave like the reference.
    if RESERVED_EVENTS.contains(&req.event.as_str()) {
        return Err(format!("`{}` is a reserved event name", req.event));
    }
    let timeout = req.emit.ack_timeout_ms.map(Duration::from_millis);
    let namespace = req
        .emit
        .of
        .clone()
        .unwrap_or_else(|| socket.ns().to_string());
    // The text is printed from the very value that runs, as lessons print theirs.
    let call = snippet::selection_js(&as_written(io, &namespace, &req.emit), socket.ns());
    match selection(socket, io, &req.emit)? {
        None => emit_to_sender(socket, req, call, timeout).await,
        Some(op) => emit_through(op, call, req, timeout).await,
    }
}

/// `socket.emit`: the sender alone.
async fn emit_to_sender<A: Adapter>(
    socket: &SocketRef<A>,
    req: &EmitRequest,
    call: String,
    timeout: Option<Duration>,
) -> Result<Emitted, String> {
    let me = name_of(socket);
    let mut missed = Missed::default();
    let acks = match timeout {
        Some(t) => match socket
            .timeout(t)
            .emit_with_ack::<_, Value>(&req.event, &req.data)
        {
            Ok(stream) => Some(BTreeMap::from([(me.clone(), ack_outcome(stream.await))])),
            Err(e) => {
                missed = missed_by(e)?;
                None
            }
        },
        None => {
            let sent = if req.emit.volatile {
                socket.volatile().emit(&req.event, &req.data)
            } else {
                socket.emit(&req.event, &req.data)
            };
            if let Err(e) = sent {
                missed = missed_by(e)?;
            }
            None
        }
    };
    Ok(Emitted {
        delivered_to: vec![me],
        call,
        acks,
        this_node_only: true,
        missed,
    })
}

/// An emit through a broadcast operator, with acknowledgements when asked.
async fn emit_through<A: Adapter>(
    mut op: BroadcastOperators<A>,
    call: String,
    req: &EmitRequest,
    timeout: Option<Duration>,
) -> Result<Emitted, String> {
    if req.emit.volatile {
        op = op.volatile();
    }
    // The adapter's own selection on this node, read just before the emit that uses it.
    let targets = op.clone().sockets();
    let names: BTreeMap<String, String> = targets
        .iter()
        .map(|s| (s.id.to_string(), name_of(s)))
        .collect();
    let delivered_to = sorted_names(targets);
    let (acks, missed) = match timeout {
        Some(t) => {
            let stream = op
                .timeout(t)
                .emit_with_ack::<_, Value>(&req.event, &req.data)
                .await
                .map_err(failed)?;
            let answers: Vec<_> = stream.collect().await;
            let missed = Missed::from_errors(answers.iter().filter_map(|(_, r)| match r {
                Err(AckError::Socket(e)) => Some(e),
                _ => None,
            }));
            let by_name = answers.into_iter().map(|(sid, result)| {
                let sid = sid.to_string();
                let name = names.get(&sid).cloned().unwrap_or(sid);
                (name, ack_outcome(result))
            });
            (Some(by_name.collect()), missed)
        }
        None => (
            None,
            broadcast_missed(op.emit(&req.event, &req.data).await)?,
        ),
    };
    Ok(Emitted {
        delivered_to,
        call,
        acks,
        this_node_only: req.emit.local,
        missed,
    })
}
