//! The lab protocol: the events a scripted client sends to ask a server to do a
//! server-side operation, and what the server answers. `docs/lab-protocol.md` is the
//! human description; these types are shared by the embedded server and the clients.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const MAIN_NS: &str = "/";
pub const ADMIN_NS: &str = "/admin";
/// The lab's own control namespace: state queries and the server's notes.
pub const CONTROL_NS: &str = "/lab";

/// Sent by the server to each socket once its handlers are in place.
pub const WELCOME: &str = "lab:welcome";
pub const JOIN: &str = "lab:join";
pub const LEAVE: &str = "lab:leave";
pub const EMIT: &str = "lab:emit";
/// Answered at once: because a connection is ordered, the answer proves that every
/// packet the server queued for this socket before it has arrived.
pub const SYNC: &str = "lab:sync";
/// The settling marker of nodes an adapter joins: an ordinary `io.of(ns).emit`
/// through the adapter (`lab:mark`), left out of what the lab shows
/// (docs/lab-protocol.md, "Several nodes").
pub const MARK: &str = "scaling:mark";
/// Control namespace only: rooms and sockets of every namespace.
pub const STATE: &str = "lab:state";
/// Control namespace only: pushed by the server for each connection, refusal and disconnection.
pub const NOTE: &str = "lab:note";
/// Control namespace only: the application the server runs from now on
/// (`app::App` as JSON), answered with a reply.
pub const APP: &str = "lab:app";
/// Control namespace only, on every node of a lesson with `[nodes]` whose nodes an
/// adapter joins: `io.of(ns).emit(MARK, mark)` in each namespace named
/// ([`MarkRequest`]), through the adapter, then a reply. A client that has every
/// node's mark has all that each node published before it (docs/lab-protocol.md,
/// "Several nodes").
pub const MARK_REQUEST: &str = "lab:mark";
/// Control namespace only: the adapter the server's namespaces use from now on
/// ([`AdapterRequest`]), for a lesson with `[nodes]` on servers the lab did not
/// start. A server whose adapter is fixed refuses any other.
pub const ADAPTER: &str = "lab:adapter";

/// `lab:mark`'s request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct MarkRequest {
    pub namespaces: Vec<String>,
    pub mark: Value,
}

/// `lab:adapter`'s request: `"none"` (in memory) or `"redis"`, with the Redis URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AdapterRequest {
    pub adapter: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redis: Option<String>,
}

/// The largest message the lab server accepts, in bytes, on either transport: Node's
/// default `maxHttpBufferSize` (socketioxide's own defaults are 100 KB for polling and
/// 16 MiB for WebSocket).
pub const MAX_MESSAGE_BYTES: usize = 1_000_000;
/// Room left in a message for its framing and the lab's own request fields.
pub const MESSAGE_HEADROOM: usize = 1_000;

/// The handshake `auth` field that carries a lab's session: the server runs the
/// application that session declared (`lab:app`) for the socket.
pub const SESSION_AUTH: &str = "lab";

/// The token `/admin` asks for in `auth.token`.
pub const ADMIN_TOKEN: &str = "let-me-in";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Welcome {
    pub sid: String,
    pub name: String,
    pub namespace: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomsRequest {
    pub rooms: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum EmitFrom {
    #[default]
    Socket,
    Io,
}

/// One server-side emit as Socket.IO spells it: where it starts, its operator chain
/// and its flags. This one value is what a lesson step holds, what the lab server
/// executes, and what `snippet` prints as JavaScript and Rust, for lessons and for
/// `serve`'s log alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Emit {
    #[serde(default)]
    pub from: EmitFrom,
    #[serde(default)]
    pub broadcast: bool,
    #[serde(default)]
    pub to: Vec<String>,
    /// `in(..)`: the same selection as `to(..)`.
    #[serde(default, rename = "in")]
    pub within: Vec<String>,
    #[serde(default)]
    pub except: Vec<String>,
    /// `io.of(namespace)`; only with `from = "io"`.
    #[serde(default)]
    pub of: Option<String>,
    /// The `volatile` flag: the packet may be dropped when a connection is not ready.
    #[serde(default)]
    pub volatile: bool,
    /// The `local` flag: only the sockets of the node that emits, never through the
    /// adapter to other nodes. Left out of a request when unset.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub local: bool,
    /// Emit with an acknowledgement request, waiting this long for each answer.
    #[serde(default)]
    pub ack_timeout_ms: Option<u64>,
}

impl Emit {
    /// Whether anything beyond the sender is selected: a socket's plain `emit`
    /// reaches only its own client and never goes through the adapter.
    pub fn selects(&self) -> bool {
        self.from == EmitFrom::Io
            || self.broadcast
            || self.local
            || !self.to.is_empty()
            || !self.within.is_empty()
            || !self.except.is_empty()
    }
}

/// `lab:emit`: an emit, its event and its payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct EmitRequest {
    #[serde(flatten)]
    pub emit: Emit,
    pub event: String,
    #[serde(default)]
    pub data: serde_json::Value,
}

/// The server's answer to every request and to every application event it handles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Reply {
    pub ok: bool,
    /// For emits: the names of the sockets the server sent the event to, sorted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_to: Option<Vec<String>>,
    /// The event the server emitted, when it differs from the one received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emitted: Option<String>,
    /// For join and leave: the socket's rooms afterwards (its own-id room left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rooms: Option<Vec<String>>,
    /// For emits with an acknowledgement request: each recipient's answer, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acks: Option<BTreeMap<String, AckOutcome>>,
    /// Set when no handler exists for the event in this namespace.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unhandled: bool,
    /// For `lab:app`: the startup line the application logged (`listening`), with
    /// the port the server really listens on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listening: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One recipient's answer to a server's acknowledgement request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AckOutcome {
    pub answered: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
    /// `timeout` when no answer came in time, or another error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Event names Socket.IO keeps for itself; a server refuses to emit them.
pub const RESERVED_EVENTS: &[&str] = &[
    "connect",
    "connect_error",
    "disconnect",
    "disconnecting",
    "newListener",
    "removeListener",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SocketInfo {
    pub name: String,
    pub sid: String,
    /// The engine.io connection the socket travels on, numbered by the server from 1
    /// in order of appearance (not an id: it never shows what the wire carries);
    /// sockets of one connection share it. 0 from a server that does not say.
    #[serde(default)]
    pub connection: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct NamespaceState {
    pub sockets: Vec<SocketInfo>,
    /// Room name to the names of its members, as the server's adapter holds it
    /// (own-id rooms included, under the raw socket id).
    pub rooms: BTreeMap<String, Vec<String>>,
}

/// `lab:state`'s request: the namespaces the lab's clients use besides `/` and
/// `/admin` (`/chat`, a dynamic namespace's `/tenants/acme`). A server reports at
/// most [`MAX_STATE_NAMESPACES`] of them, and never the control namespace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct StateRequest {
    #[serde(default)]
    pub namespaces: Vec<String>,
}

pub const MAX_STATE_NAMESPACES: usize = 64;

impl StateRequest {
    /// The namespaces to report: `/`, `/admin`, then the requested ones, each once.
    pub fn reported(&self) -> Vec<&str> {
        let mut out = vec![MAIN_NS, ADMIN_NS];
        for ns in self.namespaces.iter().take(MAX_STATE_NAMESPACES) {
            if ns.starts_with('/') && ns != CONTROL_NS && !out.contains(&ns.as_str()) {
                out.push(ns);
            }
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ServerState {
    pub namespaces: BTreeMap<String, NamespaceState>,
}

/// What the server tells the control namespace about connections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Note {
    /// The connection handler ran: the chat example logs `a user connected` here.
    Connect { name: String, namespace: String },
    /// A middleware refused the socket; the client gets `connect_error` with `reason`.
    Refuse {
        name: String,
        namespace: String,
        reason: String,
    },
    /// Any other line the server logs.
    Log { text: String },
    /// The socket left the namespace; the chat example logs `user disconnected` here.
    Disconnect {
        name: String,
        namespace: String,
        reason: String,
    },
    /// A declared handler of `name`'s socket emitted `event`: the sockets the
    /// server's adapter selected, by name, sorted, and why any could not be sent to.
    Emit {
        name: String,
        namespace: String,
        event: String,
        delivered_to: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        /// With an acknowledgement callback: how long the server waits for answers
        /// (a `callback` note follows once the callback has run).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
        /// Only from the embedded server, only when it differs from `delivered_to`:
        /// whom plain socketioxide would have selected, with no room named by each
        /// socket's id and a socket's broadcast leaving out only the sender.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        plain_socketioxide: Option<Vec<String>>,
    },
    /// The acknowledgement callback of an emit of `event` by `name`'s handler has
    /// run, with what Node's callback got: `err`, the error's message (`operation
    /// has timed out`) or `null`, and `answers`, the answers that came in time in
    /// the order they came (one at most for a plain `socket.emit`).
    Callback {
        name: String,
        namespace: String,
        event: String,
        err: Option<String>,
        answers: Vec<serde_json::Value>,
    },
    /// Every operation of the declared handler for `event` has run (`unhandled`: no
    /// handler exists for it in this namespace).
    Handled {
        name: String,
        namespace: String,
        event: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        unhandled: bool,
        /// The event was refused with this message and no handler ran: a per-packet
        /// middleware (`socket.use`) refused it, or the server did (its bounds on
        /// waiting handlers, or arguments socketioxide does not extract).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        refused: Option<String>,
    },
    /// An application event from `name`'s socket arrived before the connection
    /// handler had attached any handler for it (nor a catch-all): nothing ran and the
    /// event is gone, as it is in Node when the handler `await`s first.
    Unheard {
        name: String,
        namespace: String,
        event: String,
    },
}
