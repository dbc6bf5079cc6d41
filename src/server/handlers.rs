//! The handlers, as socketioxide's own examples write them: named async functions,
//! generic over the adapter, the server's state through `State`, the `/admin`
//! middleware through `.with(..)`.

use serde_json::Value;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{AckSender, Event, SocketRef, State, TryData};
use socketioxide::handler::ConnectHandler;
use socketioxide::socket::DisconnectReason;
use socketioxide::SocketIo;
// `io.ns` is only for an adapter whose subscription result is known (a remote
// adapter must be awaited); socketioxide keeps that trait in its core crate.
use socketioxide_core::adapter::DefinedAdapter;

use super::app::lesson_guard;
use super::emit::{broadcast_missed, perform_emit, Emitted};
use super::state::{name_of, set_name, sorted_names, state, visible_rooms, Lab};
use super::Activity;
use crate::protocol::{
    AdapterRequest, EmitRequest, MarkRequest, Note, Reply, RoomsRequest, StateRequest, Welcome,
    ADAPTER, ADMIN_NS, ADMIN_TOKEN, APP, CONTROL_NS, EMIT, JOIN, LEAVE, MAIN_NS, MARK,
    MARK_REQUEST, MAX_STATE_NAMESPACES, STATE, SYNC, WELCOME,
};
use crate::safe;

/// Registers the three namespaces. With a remote adapter each registration is a
/// subscription the caller must await before accepting anyone.
pub(crate) fn install<A: Adapter + DefinedAdapter>(io: &SocketIo<A>) -> [A::InitRes; 3] {
    [
        // The last `with` runs first: the guard, then the fixed application's handlers.
        io.ns(
            MAIN_NS,
            on_lesson_connect::<A>
                .with(prepare::<A>)
                .with(lesson_guard::<A>),
        ),
        io.ns(
            ADMIN_NS,
            on_lesson_connect::<A>
                .with(prepare::<A>)
                .with(lesson_guard::<A>),
        ),
        io.ns(CONTROL_NS, on_control_connect::<A>),
    ]
}

fn ack(ack: AckSender<impl Adapter>, reply: &Reply) {
    // A client that asked for no acknowledgement makes this fail; nothing to do then.
    let _ = ack.send(reply);
}

fn refuse(a: AckSender<impl Adapter>, error: String) {
    let reply = Reply {
        ok: false,
        error: Some(error),
        ..Reply::default()
    };
    ack(a, &reply);
}

/// Answers a request whose payload is not what the protocol says. The words are the
/// Node reference's (`examples/node-reference/server.js`), not serde's, so that both
/// servers answer alike; without this the request would go unanswered.
fn malformed(a: AckSender<impl Adapter>, event: &str) {
    let what = if event == EMIT {
        "an emit request as docs/lab-protocol.md describes"
    } else {
        "`{\"rooms\": [\"room\", ...]}`"
    };
    refuse(a, format!("malformed `{event}` request: expected {what}"));
}

// ------------------------------------------------------------ connections

/// `/` and `/admin` running the fixed application, before the namespace's CONNECT
/// answer goes out: the socket's name and every handler. socketioxide sends that
/// answer before it runs the connection handler, on a task of its own, so a packet
/// the client sends as soon as it is accepted (one it buffered, say) could otherwise
/// reach a socket with no handler yet. Node runs the connection handler before it
/// reads the next packet.
/// The lab's requests a client may make of the server: join, leave, emit.
fn lab_requests<A: Adapter>(socket: &SocketRef<A>) {
    socket.on(JOIN, on_rooms::<A>);
    socket.on(LEAVE, on_rooms::<A>);
    socket.on(EMIT, on_emit::<A>);
}

async fn prepare<A: Adapter>(
    socket: SocketRef<A>,
    State(lab): State<Lab>,
    TryData(auth): TryData<Value>,
) -> Result<(), std::convert::Infallible> {
    lab.connection_of(&socket);
    let auth = auth.ok();
    if super::app::declares(&lab, auth.as_ref(), socket.ns()).is_some() {
        // A declared application sets the socket up on connection (`app::connect`).
        // A socket with no lab session runs the server's own application (`serve`),
        // beside which the lab's requests stay available to a learner's client.
        if super::app::session_of(auth.as_ref()).is_none() {
            lab_requests(&socket);
        }
        return Ok(());
    }
    let name = lab.name_from_auth(auth.as_ref());
    set_name(&socket, name);
    // Socket.IO (Node) puts every socket in a room named by its own id; socketioxide
    // does not, so the lab does it to keep `io.to(socket.id)` working as in Node.
    socket.join(socket.id.to_string());
    lab_requests(&socket);
    socket.on(SYNC, on_sync::<A>);
    if socket.ns() == ADMIN_NS {
        // `/admin`: `announce` sends an announcement to everyone in `/`.
        socket.on("announce", on_relay::<A>);
    } else {
        // `/`: the chat example's relay, `io.emit("chat message", msg)`.
        socket.on("chat message", on_relay::<A>);
        socket.on("ping", on_ping::<A>);
        socket.on("sleepy", on_sleepy::<A>);
    }
    socket.on_fallback(on_unhandled::<A>);
    socket.on_disconnect(on_disconnect::<A>);
    Ok(())
}

/// For a connection handler (not a middleware, where no socket is connected yet).
/// socketioxide answers a namespace's CONNECT before its connection handler runs
/// (on a task of its own), so a client may leave before `on_disconnect` is set, and
/// then no disconnect handler ever runs for it. Its bookkeeping is done here
/// instead: a child namespace left empty that way stayed for good (7,591 of 20,000
/// opened and closed at once), until the server's namespace limit refused every
/// later lab. No note: the reason is not known any more, and no lab waits for it.
pub(crate) fn left_before_its_handler<A: Adapter>(
    socket: &SocketRef<A>,
    io: &SocketIo<A>,
    lab: &Lab,
) {
    if !socket.connected() {
        lab.left(io, socket);
        lab.prune(io, socket);
    }
}

/// Every lesson namespace: the declared application when a lesson sent one that
/// declares the namespace, else the fixed one the namespace names, whose handlers
/// `prepare` put in place: the chat example's `a user connected`, then the welcome.
pub(crate) async fn on_lesson_connect<A: Adapter>(
    socket: SocketRef<A>,
    io: SocketIo<A>,
    State(lab): State<Lab>,
    TryData(auth): TryData<Value>,
) {
    if let Some(declared) = super::app::declares(&lab, auth.as_ref().ok(), socket.ns()) {
        let name = lab.name_from_auth(auth.as_ref().ok());
        return super::app::connect(socket, io, lab, name, declared).await;
    }
    let note = Note::Connect {
        name: name_of(&socket),
        namespace: socket.ns().to_string(),
    };
    lab.tell(&io, &socket, Activity::Note(note));
    welcome(&socket);
}

/// Why the fixed `/admin` refuses a socket: it lets in only one that brings the token.
pub(crate) fn admin_refusal(auth: Option<&Value>) -> Option<String> {
    let token = auth.and_then(|a| a.get("token")).and_then(Value::as_str);
    (token != Some(ADMIN_TOKEN))
        .then(|| "not authorized: `/admin` needs a valid `auth.token`".to_string())
}

/// Sent last, so that a client that hears it knows every handler is in place.
pub(crate) fn welcome<A: Adapter>(socket: &SocketRef<A>) {
    let welcome = Welcome {
        sid: socket.id.to_string(),
        name: name_of(socket),
        namespace: socket.ns().to_string(),
    };
    let _ = socket.emit(WELCOME, &welcome);
}

/// The socket's rooms as the disconnection began, read while socketioxide calls the
/// disconnect handler, before its task runs. socketioxide 0.18 leaves the socket's
/// rooms once that task ends, except when a second close follows at once (the
/// client's disconnect packet, then its transport's end): that one leaves the rooms
/// at once, and a handler task that runs late on a loaded machine read no rooms
/// (a `disconnecting` log line was seen empty once in a full test run).
pub(crate) struct RoomsAtDisconnect(pub Vec<String>);

impl<A: Adapter> socketioxide::handler::disconnect::FromDisconnectParts<A> for RoomsAtDisconnect {
    type Error = std::convert::Infallible;

    fn from_disconnect_parts(
        s: &std::sync::Arc<socketioxide::socket::Socket<A>>,
        _reason: DisconnectReason,
    ) -> Result<Self, Self::Error> {
        Ok(RoomsAtDisconnect(
            s.rooms().into_iter().map(String::from).collect(),
        ))
    }
}

pub(crate) async fn on_disconnect<A: Adapter>(
    socket: SocketRef<A>,
    io: SocketIo<A>,
    State(lab): State<Lab>,
    reason: DisconnectReason,
    RoomsAtDisconnect(rooms): RoomsAtDisconnect,
) {
    super::app::disconnect(&socket, &io, &lab, rooms).await;
    let note = Note::Disconnect {
        name: name_of(&socket),
        namespace: socket.ns().to_string(),
        reason: lab.reason_text(reason).to_string(),
    };
    lab.tell(&io, &socket, Activity::Note(note));
    lab.left(&io, &socket);
    lab.rooms_changed(&io, Some(&socket));
    lab.prune(&io, &socket);
    if let Some(super::app::Gone(told)) = socket.extensions.get() {
        told.notify_one();
    }
}

/// `/lab`: the lab's own control socket.
async fn on_control_connect<A: Adapter + DefinedAdapter>(
    socket: SocketRef<A>,
    TryData(auth): TryData<Value>,
) {
    if let Some(session) = super::app::session_of(auth.as_ref().ok()) {
        socket
            .extensions
            .insert(super::app::Session(session.to_string()));
    }
    socket.on_disconnect(on_control_disconnect::<A>);
    socket.on(STATE, on_state::<A>);
    socket.on(APP, super::app::on_app::<A>);
    socket.on(SYNC, on_sync::<A>);
    socket.on(MARK_REQUEST, on_mark::<A>);
    socket.on(ADAPTER, on_adapter::<A>);
    let welcome = Welcome {
        sid: socket.id.to_string(),
        name: "lab".to_string(),
        namespace: CONTROL_NS.to_string(),
    };
    let _ = socket.emit(WELCOME, &welcome);
}

/// A lab's control socket left: the application its session declared goes too.
async fn on_control_disconnect<A: Adapter>(socket: SocketRef<A>, State(lab): State<Lab>) {
    if let Some(super::app::Session(session)) = socket.extensions.get() {
        lab.drop_app(&session);
    }
}

// ------------------------------------------------------------ the lab protocol

/// `lab:join` and `lab:leave`: the same request, one verb apart.
async fn on_rooms<A: Adapter>(
    socket: SocketRef<A>,
    io: SocketIo<A>,
    State(lab): State<Lab>,
    Event(event): Event,
    TryData(req): TryData<RoomsRequest>,
    a: AckSender<A>,
) {
    let Ok(RoomsRequest { rooms }) = req else {
        return malformed(a, &event);
    };
    let name = name_of(&socket);
    let namespace = socket.ns().to_string();
    let activity = if &*event == JOIN {
        socket.join(rooms.clone());
        Activity::Joined {
            name,
            namespace,
            rooms,
        }
    } else {
        socket.leave(rooms.clone());
        Activity::Left {
            name,
            namespace,
            rooms,
        }
    };
    lab.tell(&io, &socket, activity);
    lab.rooms_changed(&io, None);
    // The answer: the socket's rooms afterwards.
    let reply = Reply {
        ok: true,
        rooms: Some(visible_rooms(&socket)),
        ..Reply::default()
    };
    ack(a, &reply);
}

async fn on_emit<A: Adapter>(
    socket: SocketRef<A>,
    io: SocketIo<A>,
    State(lab): State<Lab>,
    TryData(req): TryData<EmitRequest>,
    a: AckSender<A>,
) {
    let Ok(req) = req else {
        return malformed(a, EMIT);
    };
    let Emitted {
        delivered_to,
        call,
        acks,
        this_node_only,
        missed,
    } = match perform_emit(&socket, &io, &req).await {
        Ok(emitted) => emitted,
        Err(error) => return refuse(a, error),
    };
    // Joined to other nodes, this node knows only its own recipients of a broadcast:
    // then only the clients can tell who received it, and the reply says nothing.
    let known = !lab.spans_nodes || this_node_only;
    let mut reply = lab.emitted(&socket, &io, (call, &req.event), delivered_to, missed);
    reply.acks = acks;
    if !known {
        reply.delivered_to = None;
    }
    ack(a, &reply);
}

async fn on_state<A: Adapter>(
    io: SocketIo<A>,
    State(lab): State<Lab>,
    TryData(request): TryData<StateRequest>,
    a: AckSender<A>,
) {
    // A lab that asks for no namespace (or an older one, sending `null`) gets `/` and `/admin`.
    let request = request.unwrap_or_default();
    let _ = a.send(&state(&io, &lab, &request.reported()));
}

/// `lab:mark`: the settling marker, emitted in each namespace through the adapter.
async fn on_mark<A: Adapter>(
    io: SocketIo<A>,
    TryData(request): TryData<MarkRequest>,
    a: AckSender<A>,
) {
    let Ok(request) = request else {
        return malformed(a, MARK_REQUEST);
    };
    for ns in request.namespaces.iter().take(MAX_STATE_NAMESPACES) {
        if let Some(op) = io.of(ns.as_str()) {
            let _ = op.emit(MARK, &request.mark).await;
        }
    }
    on_sync(a).await
}

/// `lab:adapter`: this server's adapter is chosen when it starts; it says so to a
/// lab that asks for another.
async fn on_adapter<A: Adapter>(
    State(lab): State<Lab>,
    TryData(request): TryData<AdapterRequest>,
    a: AckSender<A>,
) {
    let Ok(request) = request else {
        return malformed(a, ADAPTER);
    };
    let own = if lab.spans_nodes { "redis" } else { "none" };
    if request.adapter == own {
        return on_sync(a).await;
    }
    refuse(
        a,
        format!(
            "this server's adapter is `{own}`, chosen when it started; a lab that needs `{}` starts its own nodes",
            crate::safe::capped(&request.adapter)
        ),
    )
}

pub(crate) async fn on_sync<A: Adapter>(a: AckSender<A>) {
    let reply = Reply {
        ok: true,
        ..Reply::default()
    };
    ack(a, &reply);
}

// ------------------------------------------------------------ the chat application

/// The message a handler gets: the first argument, or `null` when the client sent
/// none (a JavaScript handler's `msg` is then `undefined`, which is sent as `null`).
/// Without `TryData` the handler would not run at all and the client would get no
/// acknowledgement.
fn message(msg: Result<Value, impl std::fmt::Debug>) -> Value {
    msg.unwrap_or(Value::Null)
}

/// The application's relays: `/`'s `socket.on("chat message", msg =>
/// io.emit("chat message", msg))`, and `/admin`'s `socket.on("announce", msg =>
/// io.of("/").emit("announcement", msg))`.
async fn on_relay<A: Adapter>(
    Event(event): Event,
    TryData(msg): TryData<Value>,
    socket: SocketRef<A>,
    io: SocketIo<A>,
    State(lab): State<Lab>,
    a: AckSender<A>,
) {
    let relay = if &*event == "announce" {
        Relay {
            received: "announce",
            event: "announcement",
            call: "io.of(\"/\")",
        }
    } else {
        Relay {
            received: "chat message",
            event: "chat message",
            call: "io",
        }
    };
    relay.run(socket, io, lab, message(msg), a).await
}

/// A message as the tutorial's log line shows it: text as it is, anything else as JSON
/// (the Node reference writes the same).
fn logged(data: &Value) -> String {
    match data {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

async fn on_ping<A: Adapter>(a: AckSender<A>) {
    let _ = a.send(&"pong");
}

/// A handler that takes the acknowledgement callback and never calls it, like a
/// server stuck on a slow database: the client's timeout is what ends the wait.
async fn on_sleepy<A: Adapter>(_a: AckSender<A>) {}

/// Like a 404: tell the client that nothing in this namespace handles the event.
async fn on_unhandled<A: Adapter>(socket: SocketRef<A>, Event(event): Event, a: AckSender<A>) {
    let reply = Reply {
        ok: false,
        unhandled: true,
        // Capped: the name is the client's, and may be megabytes long.
        error: Some(format!(
            "no handler for `{}` in `{}`",
            safe::capped(&event),
            socket.ns()
        )),
        ..Reply::default()
    };
    ack(a, &reply);
}

/// The application's relay: a handler emits `event` to everyone in `/`. The reply
/// names the emitted event only when it is not the one received.
struct Relay {
    received: &'static str,
    event: &'static str,
    /// The JavaScript spelling of the operator, for the monitor.
    call: &'static str,
}

impl Relay {
    async fn run<A: Adapter>(
        self,
        socket: SocketRef<A>,
        io: SocketIo<A>,
        lab: Lab,
        data: Value,
        a: AckSender<A>,
    ) {
        let Some(op) = io.of(MAIN_NS) else {
            return refuse(a, format!("no namespace `{MAIN_NS}`"));
        };
        if self.received == "chat message" {
            // The tutorial's server logs each message (`console.log('message: ' + msg)`).
            let text = format!("message: {}", logged(&data));
            lab.tell(&io, &socket, Activity::Note(Note::Log { text }));
        }
        let targets = sorted_names(op.clone().sockets());
        let missed = match broadcast_missed(op.emit(self.event, &data).await) {
            Ok(missed) => missed,
            Err(error) => return refuse(a, error),
        };
        let call = (self.call.to_string(), self.event);
        let mut reply = lab.emitted(&socket, &io, call, targets, missed);
        if lab.spans_nodes {
            reply.delivered_to = None;
        }
        reply.emitted = (self.event != self.received).then(|| self.event.to_string());
        ack(a, &reply);
    }
}
