//! The server application a lesson declares (`[server]`, lesson format 2): its
//! namespaces, middlewares and handlers, each handler a short list of Socket.IO
//! server operations from a fixed vocabulary ([`Op`]).
//!
//! One declaration, three readers:
//! - the embedded server interprets it on socketioxide (`server::app`);
//! - the Node reference interprets the same JSON (`examples/node-reference/server.js`);
//! - `js` and `rust` print the code each of them ran, so that what a learner reads is
//!   the call that executed.
//!
//! The lab sends the declaration to the server over its control namespace
//! (`lab:app`, docs/lab-protocol.md); without one a server runs [`tutorial_chat`].

mod expr;
pub mod js;
pub mod packet;
pub mod rust;
mod validate;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use expr::{Expr, Source};
pub use validate::{pieces, validate, AppError, Piece, MAX_ARGS, MAX_WAIT_MS};

/// The application: its namespaces, `/` first when it has one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct App {
    /// The line the server logs once it listens, `{port}` being the port: the
    /// tutorial's `server.listen(port, () => console.log(..))`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listening: Option<String>,
    #[serde(default)]
    pub namespaces: Vec<Namespace>,
}

/// One namespace, static (`/admin`) or dynamic (`/tenants/{tenant}`: any single
/// segment in place of `{tenant}`, each match a namespace of its own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Namespace {
    pub name: String,
    /// Connection middlewares, in order: each may refuse the socket or set its data.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub middleware: Vec<Middleware>,
    /// Per-packet middlewares (`socket.use`), in order: each may refuse an event
    /// before any handler sees it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packet: Vec<packet::PacketMiddleware>,
    /// The connection handler's own operations, run before it attaches the event
    /// handlers (a slow one, `wait_ms`, leaves events sent meanwhile unheard).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub connection: Vec<Op>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Handler>,
    /// Runs for every event a socket sends, handled or not, before its handler and
    /// before the per-packet middlewares (`{event}`/`$event` is the event's name):
    /// Node's `socket.onAny`. socketioxide has none: the printed Rust calls one
    /// function first in every handler and in the fallback (`app::rust`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any: Vec<Op>,
    /// A catch-all for events no handler takes (`{event}`/`$event` is the event's
    /// name): socketioxide's `on_fallback`, Node's `onAny` kept to the same events.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unhandled: Vec<Op>,
    /// Runs while the socket is still in its rooms.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disconnecting: Vec<Op>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disconnect: Vec<Op>,
    /// socketioxide only: attach the handlers before the socket is accepted and hold
    /// the events they get until the connection handler has run, as Node, which runs
    /// that handler before reading another packet, needs no help to do. Set by the
    /// lab on a namespace whose client emits before it connects (`before_connect`)
    /// and whose connection handler does not wait; printed as a shim (`app::rust`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hold_early: bool,
    /// Set by the lesson, never written: the events its clients send with a
    /// socket's id (an `id:NAME` value), which their handlers may use as a room.
    /// The printed Rust then makes each socket's own-id room, as Node does by
    /// itself (see [`Namespace::own_id_rooms`]).
    #[serde(skip)]
    pub id_events: std::collections::BTreeSet<String>,
    /// Set by the lesson, never written: one of its clients shares another's
    /// connection (`connection = "NAME"`), so `disconnect(true)`, which closes every
    /// namespace's socket on the connection, is printed as a shim in Rust.
    #[serde(skip)]
    pub shared_connections: bool,
}

/// A connection middleware: lets in only a socket whose handshake `auth` has every
/// field of `require` with that value, refusing others with the message `refuse`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Middleware {
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub require: serde_json::Map<String, Value>,
    #[serde(default = "not_authorized")]
    pub refuse: String,
    /// Handshake `auth` fields kept on the socket (`socket.data.KEY`) for its
    /// handlers, which read them as `$data.KEY` and `{data.KEY}`; a field that is
    /// not a text is kept as an empty text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<String>,
}

fn not_authorized() -> String {
    "not authorized".into()
}

/// `socket.on(event, (args...) => { ops })`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Handler {
    pub event: String,
    /// The handler's parameter names, one per argument the client sends; each is a
    /// text (`String` in Rust) unless written `name: json`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    #[serde(rename = "do")]
    pub ops: Vec<Op>,
}

impl Handler {
    /// Whether the handler answers the sender's acknowledgement.
    pub fn answers(&self) -> bool {
        self.ops.iter().any(|op| matches!(op, Op::Ack(_)))
    }

    /// The parameters, name and whether it is free-form JSON.
    pub fn params(&self) -> impl Iterator<Item = Param<'_>> {
        self.args.iter().map(|a| Param::parse(a))
    }
}

/// One parameter of a handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param<'a> {
    pub name: &'a str,
    pub json: bool,
}

impl<'a> Param<'a> {
    pub fn parse(arg: &'a str) -> Param<'a> {
        match arg.split_once(':') {
            Some((name, ty)) => Param {
                name: name.trim(),
                json: ty.trim() == "json",
            },
            None => Param {
                name: arg.trim(),
                json: false,
            },
        }
    }
}

/// One server operation: the fixed vocabulary a handler is written in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Op {
    /// The server's console: `{name}` is replaced by a text parameter, `{nsp}` by
    /// the namespace's path.
    Log(String),
    Emit(EmitOp),
    Join(Vec<Expr>),
    Leave(Vec<Expr>),
    /// Calls the sender's acknowledgement callback with this value.
    Ack(Expr),
    /// `socket.disconnect(true)`: the server ends the connection.
    Disconnect(bool),
    /// `await` a delay: a handler busy with something slow.
    WaitMs(u64),
    /// `await io.fetchSockets()` in the handler's namespace, then this log line,
    /// where `{count}` is how many sockets came back: every node's with an adapter
    /// that joins them, this node's alone without one.
    FetchSockets(String),
    /// `socket.data.KEY = value`, for each key: state kept on the socket for later
    /// handlers (`$data.KEY`, `{data.KEY}`). A key read outside the connection
    /// handler gets its first value there (or from a middleware), so that no
    /// handler reads a field never set, which Node gives as `undefined`.
    Set(std::collections::BTreeMap<String, Expr>),
}

impl Op {
    /// The values the operation reads: an emit's arguments and rooms, the rooms it
    /// joins or leaves, the answer it acknowledges with.
    pub fn values(&self) -> Vec<&Expr> {
        match self {
            Op::Emit(emit) => emit
                .args
                .iter()
                .chain(
                    emit.to
                        .iter()
                        .chain(&emit.within)
                        .chain(&emit.except)
                        .flatten(),
                )
                .collect(),
            Op::Join(rooms) | Op::Leave(rooms) => rooms.iter().collect(),
            Op::Ack(value) => vec![value],
            Op::Set(fields) => fields.values().collect(),
            Op::Log(_) | Op::Disconnect(_) | Op::WaitMs(_) | Op::FetchSockets(_) => Vec::new(),
        }
    }

    /// The names a log line's placeholders read (none for other operations).
    pub fn placeholders(&self) -> Vec<&str> {
        match self {
            Op::Log(text) | Op::FetchSockets(text) => {
                validate::placeholders(text).unwrap_or_default()
            }
            _ => Vec::new(),
        }
    }
}

/// Indents every non-empty line by `pad` (the printers' block layout).
pub(crate) fn indent(text: &str, pad: &str) -> String {
    text.lines()
        .map(|line| {
            if line.is_empty() {
                "\n".to_string()
            } else {
                format!("{pad}{line}\n")
            }
        })
        .collect()
}

/// An emit with its operator chain, as Socket.IO spells it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct EmitOp {
    /// The event's name, or `$param` for a handler's text parameter; Node throws on
    /// a name Socket.IO keeps for itself, and the Rust checks it as Node does.
    pub event: String,
    /// The event's arguments, in order (none, one or several).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<Expr>,
    /// `socket` (default) or `io`.
    #[serde(default, skip_serializing_if = "is_socket")]
    pub from: crate::protocol::EmitFrom,
    /// `io.of(namespace)`; only with `from = "io"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub broadcast: bool,
    /// Each entry is one `.to(..)` call of the chain: a list of rooms.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<Vec<Expr>>,
    #[serde(default, rename = "in", skip_serializing_if = "Vec::is_empty")]
    pub within: Vec<Vec<Expr>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub except: Vec<Vec<Expr>>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub volatile: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub local: bool,
    /// `.timeout(ms)`: how long the server waits for the recipients' answers; only
    /// with a `callback`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    /// The acknowledgement callback, Node's `(err, answers) => { ... }` (`(err,
    /// answer)` for a plain `socket.emit`): called once, when every recipient has
    /// answered or at the timeout. Its log lines read `{err}` and `{answers}` (or
    /// `{answer}`); see [`EmitOp::callback_names`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<Vec<Op>>,
    /// Set by [`Namespace::mark_own_room_left`], never written: the namespace lets a
    /// socket leave its own-id room, so a socket broadcast starts from the namespace
    /// and leaves out that room, as Node does, instead of `socket.broadcast()`.
    #[serde(skip)]
    pub own_room_left: bool,
    /// Set by [`Namespace::mark_own_room_left`], never written: a socket broadcast in
    /// a namespace where a socket may join another's own-id room, so the printed Rust leaves
    /// out the sender's whole own-id room (`.except(socket.id)`), as Node does.
    #[serde(skip)]
    pub sender_room: bool,
}

fn is_socket(from: &crate::protocol::EmitFrom) -> bool {
    *from == crate::protocol::EmitFrom::Socket
}

impl EmitOp {
    /// The handler's text parameter that names the event (`event = "$name"`), if
    /// the name is not written out.
    pub fn event_param(&self) -> Option<&str> {
        match Expr::parse(&self.event).0 {
            Source::Param(_) => self.event.strip_prefix('$'),
            _ => None,
        }
    }

    /// Whether the emit reaches the sending socket alone (`socket.emit`), whose
    /// callback gets one answer, not a list.
    pub fn to_sender(&self) -> bool {
        self.from == crate::protocol::EmitFrom::Socket && !self.socket_broadcast()
    }

    /// The callback's parameters as Node names them: `(err, answer)` for a plain
    /// `socket.emit`, `(err, answers)` for a broadcast.
    pub fn callback_names(&self) -> [&'static str; 2] {
        if self.to_sender() {
            ["err", "answer"]
        } else {
            ["err", "answers"]
        }
    }

    /// Whether the emit starts from the socket and selects beyond it, which in
    /// Socket.IO leaves the sender out (`socket.to`, `socket.broadcast`, ...).
    pub fn socket_broadcast(&self) -> bool {
        self.from == crate::protocol::EmitFrom::Socket
            && (self.broadcast
                || self.local
                || !self.to.is_empty()
                || !self.within.is_empty()
                || !self.except.is_empty())
    }
}

impl Namespace {
    /// Whether a handler makes the socket leave its own-id room
    /// (`socket.leave(socket.id)`): then Node's `socket.to(..)` reaches the sender,
    /// which socketioxide's `socket.broadcast()` never does.
    pub fn leaves_own_room(&self) -> bool {
        fn any(list: &[Op]) -> bool {
            list.iter().any(|op| match op {
                Op::Leave(rooms) => rooms.iter().any(|r| r.0 == Source::SocketId),
                Op::Emit(emit) => emit.callback.as_deref().is_some_and(any),
                _ => false,
            })
        }
        [
            &self.connection,
            &self.unhandled,
            &self.disconnecting,
            &self.disconnect,
            &self.any,
        ]
        .into_iter()
        .chain(self.events.iter().map(|h| &h.ops))
        .any(|list| any(list))
    }

    /// Whether a room of this namespace can be named by a socket's id: a handler uses
    /// `$socket.id` as a room, a socket leaves its own-id room, or a client sends an
    /// id. Only then does socketioxide, which makes no own-id room, deliver
    /// differently from Node, so only then does the printed Rust carry the shims
    /// that make that room and leave it out of a socket's broadcast.
    pub fn own_id_rooms(&self) -> bool {
        fn names_id(list: &[Op]) -> bool {
            let id = |rooms: &Vec<Expr>| rooms.iter().any(|r| r.0 == Source::SocketId);
            list.iter().any(|op| match op {
                Op::Join(rooms) | Op::Leave(rooms) => id(rooms),
                Op::Emit(emit) => {
                    emit.to
                        .iter()
                        .chain(&emit.within)
                        .chain(&emit.except)
                        .any(id)
                        || emit.callback.as_deref().is_some_and(names_id)
                }
                _ => false,
            })
        }
        !self.id_events.is_empty()
            || self.leaves_own_room()
            || [
                &self.connection,
                &self.unhandled,
                &self.disconnecting,
                &self.disconnect,
                &self.any,
            ]
            .into_iter()
            .chain(self.events.iter().map(|h| &h.ops))
            .any(|list| names_id(list))
    }

    /// Whether a socket can join a room named by another socket's id: a handler of
    /// an event that clients send ids with joins a room it was given. Only then
    /// does Node's `socket.to(..)`, which leaves out everyone in the sender's own-id
    /// room, differ from socketioxide's, which leaves out the sender alone.
    pub fn others_in_own_id_rooms(&self) -> bool {
        let joins_given = |list: &[Op]| {
            list.iter().any(|op| {
                matches!(op, Op::Join(rooms)
                    if rooms.iter().any(|r| matches!(r.0, Source::Param(_) | Source::Data(_))))
            })
        };
        self.events
            .iter()
            .any(|h| self.id_events.contains(&h.event) && joins_given(&h.ops))
    }

    /// Marks every socket broadcast `own_room_left` when [`Self::leaves_own_room`],
    /// and `sender_room` when [`Self::others_in_own_id_rooms`].
    pub fn mark_own_room_left(&mut self) {
        fn mark(list: &mut [Op], left: bool, sender_room: bool) {
            for op in list {
                if let Op::Emit(emit) = op {
                    emit.own_room_left = left && emit.socket_broadcast();
                    emit.sender_room = sender_room && emit.socket_broadcast();
                    if let Some(callback) = &mut emit.callback {
                        mark(callback, left, sender_room);
                    }
                }
            }
        }
        let (left, sender_room) = (self.leaves_own_room(), self.others_in_own_id_rooms());
        if !left && !sender_room {
            return;
        }
        let mark = |list: &mut [Op]| mark(list, left, sender_room);
        for list in [
            &mut self.connection,
            &mut self.unhandled,
            &mut self.disconnecting,
            &mut self.disconnect,
            &mut self.any,
        ] {
            mark(list);
        }
        for handler in &mut self.events {
            mark(&mut handler.ops);
        }
    }

    /// The `socket.data` fields its middlewares keep, in order, once each.
    pub fn kept(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = Vec::new();
        for key in self.middleware.iter().flat_map(|mw| &mw.data) {
            if !keys.contains(&key.as_str()) {
                keys.push(key);
            }
        }
        keys
    }

    /// The `socket.data` fields every handler may read: those its middlewares keep,
    /// then those its connection handler sets, in order, once each.
    pub fn fields(&self) -> Vec<&str> {
        let mut keys = self.kept();
        for key in self.connection.iter().flat_map(|op| match op {
            Op::Set(fields) => fields.keys().map(String::as_str).collect(),
            _ => Vec::new(),
        }) {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        keys
    }

    /// The `{param}` of a dynamic namespace's name, if it has one.
    pub fn dynamic_param(&self) -> Option<&str> {
        let start = self.name.find('{')?;
        let end = self.name[start..].find('}')? + start;
        Some(&self.name[start + 1..end])
    }

    /// Whether a concrete namespace path is this namespace (or one of its matches).
    pub fn matches(&self, path: &str) -> bool {
        let Some(param) = self.dynamic_param() else {
            return self.name == path;
        };
        let pattern = format!("{{{param}}}");
        let (prefix, suffix) = self.name.split_once(&pattern).unwrap_or((&self.name, ""));
        path.len() > prefix.len() + suffix.len()
            && path.starts_with(prefix)
            && path.ends_with(suffix)
            && !path[prefix.len()..path.len() - suffix.len()].contains('/')
    }

    /// Whether the connection handler `await`s before it attaches the event
    /// handlers: an event that arrives meanwhile finds none, in Node as in
    /// socketioxide.
    pub fn waits(&self) -> bool {
        self.connection.iter().any(|op| matches!(op, Op::WaitMs(_)))
    }

    pub fn handler(&self, event: &str) -> Option<&Handler> {
        self.events.iter().find(|h| h.event == event)
    }

    /// What the namespace runs for `event`: its handler, or the catch-all.
    pub fn ops_for(&self, event: &str) -> &[Op] {
        self.handler(event).map_or(&self.unhandled, |h| &h.ops)
    }
}

impl App {
    /// The startup line as the server logs it when it listens on `port`.
    pub fn listening_line(&self, port: u16) -> Option<String> {
        let pieces = pieces(self.listening.as_deref()?).ok()?;
        let line = pieces.into_iter().map(|piece| match piece {
            Piece::Text(text) => text,
            Piece::Name(_) => port.to_string(),
        });
        Some(line.collect())
    }

    /// The declared namespace a concrete path belongs to: static names first.
    pub fn namespace(&self, path: &str) -> Option<&Namespace> {
        self.namespaces
            .iter()
            .find(|ns| ns.name == path)
            .or_else(|| self.namespaces.iter().find(|ns| ns.matches(path)))
    }
}

/// What a server runs when no lesson declared anything: the chat of the Socket.IO
/// tutorial, with its three log lines.
pub fn tutorial_chat() -> App {
    App {
        listening: Some("server running at http://localhost:{port}".into()),
        namespaces: vec![Namespace {
            name: "/".into(),
            connection: vec![Op::Log("a user connected".into())],
            events: vec![Handler {
                event: "chat message".into(),
                args: vec!["msg".into()],
                ops: vec![
                    Op::Log("message: {msg}".into()),
                    Op::Emit(EmitOp {
                        event: "chat message".into(),
                        args: vec![Expr::parse("$msg")],
                        from: crate::protocol::EmitFrom::Io,
                        ..EmitOp::default()
                    }),
                ],
            }],
            disconnect: vec![Op::Log("user disconnected".into())],
            ..Namespace::default()
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dynamic_namespace_matches_one_segment() {
        let ns = Namespace {
            name: "/tenants/{tenant}".into(),
            ..Namespace::default()
        };
        assert_eq!(ns.dynamic_param(), Some("tenant"));
        assert!(ns.matches("/tenants/acme"));
        assert!(!ns.matches("/tenants/"));
        assert!(!ns.matches("/tenants/a/b"));
        assert!(!ns.matches("/other/acme"));
    }

    #[test]
    fn the_declaration_travels_as_json_unchanged() {
        let app = tutorial_chat();
        let json = serde_json::to_value(&app).unwrap();
        let back: App = serde_json::from_value(json).unwrap();
        assert_eq!(back, app);
    }
}
