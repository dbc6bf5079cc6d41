//! A declared emit on socketioxide: the operator `app::rust::emit_call` prints, the
//! emit through it and, with a `callback`, the wait for answers reshaped into
//! Node's one call, as the printed shim does.

use std::collections::BTreeSet;
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;
use socketioxide::adapter::Adapter;
use socketioxide::extract::SocketRef;
use socketioxide::operators::BroadcastOperators;
use socketioxide::SocketIo;

use super::super::emit::broadcast_missed;
use super::super::state::{name_of, sorted_names, Lab, Missed};
use super::super::Activity;
use super::Run;
use crate::app::{self, EmitOp, Expr, Op, Source};
use crate::protocol::{EmitFrom, Note, MAIN_NS, RESERVED_EVENTS};

impl<A: Adapter> Run<'_, A> {
    /// The operator `app::rust::emit_call` prints; `None` for a plain `socket.emit`.
    fn operator(&self, emit: &EmitOp) -> Option<BroadcastOperators<A>> {
        let mut op = match (emit.from, &emit.of) {
            // The shim `app::rust::LEFT_ROOM` prints.
            (EmitFrom::Socket, _) if emit.own_room_left => self.io.of(self.socket.ns())?,
            (EmitFrom::Socket, _) if emit.socket_broadcast() => self.socket.broadcast(),
            (EmitFrom::Socket, _) => return None,
            (EmitFrom::Io, None) => self.io.of(MAIN_NS)?,
            (EmitFrom::Io, Some(of)) => self.io.of(of.as_str())?,
        };
        if emit.local {
            op = op.local();
        }
        for rooms in &emit.to {
            op = op.to(self.rooms(rooms));
        }
        for rooms in &emit.within {
            op = op.within(self.rooms(rooms));
        }
        for rooms in &emit.except {
            op = op.except(self.rooms(rooms));
        }
        if emit.socket_broadcast() {
            // The shim `app::rust::SENDER_ROOM` prints.
            op = op.except(self.socket.id);
        }
        if emit.volatile {
            op = op.volatile();
        }
        Some(op)
    }

    /// Whom plain socketioxide would select for `emit`, as the printed Rust without
    /// its own-id shims asks: no socket is in a room named by its own id (this
    /// server joins it, as Node does), and a socket's broadcast leaves out only the
    /// sender. Read from the adapter in the same turn as the emit's own selection;
    /// `None` for a socket's plain `emit`, which involves no room.
    fn plain_selection(&self, emit: &EmitOp) -> Option<Vec<String>> {
        let ns = match (emit.from, &emit.of) {
            (EmitFrom::Socket, _) if !emit.socket_broadcast() => return None,
            (EmitFrom::Socket, _) => self.socket.ns().to_string(),
            (EmitFrom::Io, None) => MAIN_NS.to_string(),
            (EmitFrom::Io, Some(of)) => of.clone(),
        };
        let all = self.io.of(ns.as_str())?;
        // A room's members without the socket whose id names it.
        let members = |groups: &[Vec<Expr>]| {
            let mut found = BTreeSet::new();
            for room in groups.iter().flat_map(|rooms| self.rooms(rooms)) {
                let sockets = all.clone().within(room.clone()).sockets();
                found.extend(
                    sockets
                        .into_iter()
                        .filter(|s| s.id.as_str() != room)
                        .map(|s| s.id),
                );
            }
            found
        };
        let chosen: Vec<Vec<Expr>> = emit.to.iter().chain(&emit.within).cloned().collect();
        // Without rooms, everyone; else the rooms' members; then the exceptions out.
        let within = (!chosen.is_empty()).then(|| members(&chosen));
        let except = members(&emit.except);
        let sender = (emit.from == EmitFrom::Socket).then_some(self.socket.id);
        let selected = all.sockets().into_iter().filter(|s| {
            within.as_ref().is_none_or(|w| w.contains(&s.id))
                && !except.contains(&s.id)
                && Some(s.id) != sender
        });
        Some(sorted_names(selected.collect()))
    }

    pub(super) async fn emit(&mut self, emit: &EmitOp) {
        let args: Vec<Value> = emit.args.iter().map(|a| self.value(a)).collect();
        let named = emit.event_param().map(|param| {
            let name = self.value(&Expr(Source::Param(param.to_string())));
            name.as_str().unwrap_or_default().to_string()
        });
        if let Some(event) = named
            .clone()
            .filter(|e| RESERVED_EVENTS.contains(&e.as_str()))
        {
            // The shim `app::rust::RESERVED_SHIM` prints: Node throws, ending the handler.
            let note = Note::Emit {
                name: name_of(self.socket),
                namespace: self.socket.ns().to_string(),
                error: Some(format!("\"{event}\" is a reserved event name")),
                event,
                delivered_to: Vec::new(),
                timeout_ms: None,
                plain_socketioxide: None,
            };
            self.lab.tell(self.io, self.socket, Activity::Note(note));
            self.stopped = true;
            return;
        }
        let emit = &EmitOp {
            event: named.unwrap_or_else(|| emit.event.clone()),
            ..emit.clone()
        };
        if let Some(callback) = &emit.callback {
            return self.emit_acked(emit, &args, callback).await;
        }
        let event = emit.event.as_str();
        let plain = self.plain_selection(emit);
        let (selected, missed) = match self.operator(emit) {
            Some(op) => {
                let selected = sorted_names(op.clone().sockets());
                let sent = match args.as_slice() {
                    [] => op.emit(event, &[(); 0]).await,
                    [a] => op.emit(event, a).await,
                    [a, b] => op.emit(event, &(a, b)).await,
                    [a, b, c] => op.emit(event, &(a, b, c)).await,
                    [a, b, c, d, ..] => op.emit(event, &(a, b, c, d)).await,
                };
                (selected, broadcast_missed(sent).unwrap_or_default())
            }
            None => {
                let socket = self.socket;
                let sent = match args.as_slice() {
                    [] => socket.emit(event, &[(); 0]),
                    [a] => socket.emit(event, a),
                    [a, b] => socket.emit(event, &(a, b)),
                    [a, b, c] => socket.emit(event, &(a, b, c)),
                    [a, b, c, d, ..] => socket.emit(event, &(a, b, c, d)),
                };
                let missed = match sent {
                    Err(socketioxide::SendError::Socket(e)) => Missed::from_errors([&e]),
                    _ => Missed::default(),
                };
                (vec![name_of(socket)], missed)
            }
        };
        let error = missed
            .any()
            .then(|| format!("`{event}` was {}", missed.words(selected.len())));
        let plain_socketioxide = plain.filter(|plain| *plain != selected);
        let note = Note::Emit {
            name: name_of(self.socket),
            namespace: self.socket.ns().to_string(),
            event: event.to_string(),
            delivered_to: missed.reached(&selected).unwrap_or(selected),
            error,
            timeout_ms: None,
            plain_socketioxide,
        };
        self.lab.tell(self.io, self.socket, Activity::Note(note));
    }

    /// An emit with a callback: `.timeout(..).emit_with_ack(..)`, the `emit` note
    /// (with the wait), then a task that runs the callback once the answers are in
    /// or the time is up, as the printed shim does; the handler goes on meanwhile.
    async fn emit_acked(&self, emit: &EmitOp, args: &[Value], callback: &[Op]) {
        let event = emit.event.as_str();
        let timeout = Duration::from_millis(emit.timeout.unwrap_or_default());
        let plain = self.plain_selection(emit);
        let (selected, pending, error) = match self.operator(emit) {
            Some(op) => {
                let op = op.timeout(timeout);
                let selected = sorted_names(op.clone().sockets());
                let acks = match args {
                    [] => op.emit_with_ack::<_, Value>(event, &[(); 0]).await,
                    [a] => op.emit_with_ack::<_, Value>(event, a).await,
                    [a, b] => op.emit_with_ack::<_, Value>(event, &(a, b)).await,
                    [a, b, c] => op.emit_with_ack::<_, Value>(event, &(a, b, c)).await,
                    [a, b, c, d, ..] => op.emit_with_ack::<_, Value>(event, &(a, b, c, d)).await,
                };
                let error = acks.as_ref().err().map(|e| e.to_string());
                (selected, Pending::Many(acks.ok()), error)
            }
            None => {
                let socket = self.socket.timeout(timeout);
                let ack = match args {
                    [] => socket.emit_with_ack::<_, Value>(event, &[(); 0]),
                    [a] => socket.emit_with_ack::<_, Value>(event, a),
                    [a, b] => socket.emit_with_ack::<_, Value>(event, &(a, b)),
                    [a, b, c] => socket.emit_with_ack::<_, Value>(event, &(a, b, c)),
                    [a, b, c, d, ..] => socket.emit_with_ack::<_, Value>(event, &(a, b, c, d)),
                };
                let error = ack.as_ref().err().map(|e| e.to_string());
                (vec![name_of(self.socket)], Pending::One(ack.ok()), error)
            }
        };
        let plain_socketioxide = plain.filter(|plain| *plain != selected && error.is_none());
        let note = Note::Emit {
            name: name_of(self.socket),
            namespace: self.socket.ns().to_string(),
            event: event.to_string(),
            delivered_to: if error.is_some() {
                Vec::new()
            } else {
                selected
            },
            error: error.map(|e| format!("`{event}` was not sent: {e}")),
            timeout_ms: emit.timeout,
            plain_socketioxide,
        };
        // Before the task starts: its note must come after this one.
        self.lab.tell(self.io, self.socket, Activity::Note(note));
        let called = Called {
            io: self.io.clone(),
            socket: self.socket.clone(),
            lab: self.lab.clone(),
            name: name_of(self.socket),
            namespace: self.socket.ns().to_string(),
            event: event.to_string(),
            names: emit.callback_names(),
            callback: callback.to_vec(),
        };
        tokio::spawn(called.run(pending));
    }
}

/// What an acknowledged emit is waiting for: one socket's answer, or a broadcast's
/// stream of one result per socket (`None`: the emit itself failed).
enum Pending<A: Adapter> {
    One(Option<socketioxide::ack::AckStream<Value>>),
    Many(Option<socketioxide::ack::AckStream<Value, A>>),
}

/// A callback to run once its answers are in.
struct Called<A: Adapter> {
    io: SocketIo<A>,
    /// Whose lab session hears the notes.
    socket: SocketRef<A>,
    lab: Lab,
    name: String,
    namespace: String,
    event: String,
    names: [&'static str; 2],
    callback: Vec<Op>,
}

impl<A: Adapter> Called<A> {
    async fn run(self, pending: Pending<A>) {
        // What Node's callback gets: `(err, answer)` or `(err, answers)`.
        let (err, answers, shown) = match pending {
            Pending::One(ack) => {
                let answer = match ack {
                    Some(ack) => ack.await.ok(),
                    None => None,
                };
                let shown = answer.clone().unwrap_or(Value::Null).to_string();
                let err = answer.is_none().then_some(app::rust::TIMED_OUT);
                (err, answer.into_iter().collect::<Vec<_>>(), shown)
            }
            Pending::Many(acks) => {
                let results: Vec<_> = match acks {
                    Some(acks) => acks.collect().await,
                    None => Vec::new(),
                };
                let err = results
                    .iter()
                    .any(|(_, r)| r.is_err())
                    .then_some(app::rust::TIMED_OUT);
                let answers: Vec<Value> = results.into_iter().filter_map(|(_, r)| r.ok()).collect();
                let shown = Value::from(answers.clone()).to_string();
                (err, answers, shown)
            }
        };
        for op in &self.callback {
            let Op::Log(text) = op else { continue };
            let mut line = String::new();
            for piece in app::pieces(text).unwrap_or_default() {
                match piece {
                    app::Piece::Text(text) => line.push_str(&text),
                    app::Piece::Name(name) if name == self.names[0] => {
                        line.push_str(err.unwrap_or("none"))
                    }
                    app::Piece::Name(_) => line.push_str(&shown),
                }
            }
            let note = Note::Log { text: line };
            self.lab.tell(&self.io, &self.socket, Activity::Note(note));
        }
        let note = Note::Callback {
            name: self.name,
            namespace: self.namespace,
            event: self.event,
            err: err.map(str::to_string),
            answers,
        };
        self.lab.tell(&self.io, &self.socket, Activity::Note(note));
    }
}
