//! The declared application (lesson format 2) on socketioxide: each operation is
//! the call `app::rust` prints for it, shims included, so that the Rust a learner
//! reads is what ran. docs/lab-protocol.md ("Declared applications") is the contract
//! the Node reference keeps too.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{AckSender, Event, SocketRef, State, TryData};
use socketioxide::handler::ConnectHandler;
use socketioxide::SocketIo;
use socketioxide_core::adapter::{DefinedAdapter, Spawnable};

use super::handlers::{on_lesson_connect, welcome};
use super::state::{name_of, set_name, Lab};
use super::Activity;

mod emit_op;
use crate::app::{self, App, Expr, Handler, Namespace, Op, Source};
use crate::protocol::{Note, Reply, ADMIN_NS, CONTROL_NS, MAIN_NS, SESSION_AUTH};

/// `lab:app`: keeps the application and serves every namespace it declares.
pub(crate) async fn on_app<A: Adapter + DefinedAdapter>(
    control: SocketRef<A>,
    io: SocketIo<A>,
    State(lab): State<Lab>,
    TryData(app): TryData<App>,
    ack: AckSender<A>,
) {
    let session = control
        .extensions
        .get::<Session>()
        .map(|s| s.0)
        .unwrap_or_default();
    let answer = match app {
        Err(e) => Err(format!("malformed `lab:app` request: {e}")),
        // An empty session is the server's own application: a lab may not replace it.
        Ok(_) if session == super::state::SESSIONLESS => {
            Err("`lab:app` needs a lab session (`auth.lab`)".to_string())
        }
        Ok(app) => super::budget::declare(&lab.budget, &control)
            .and_then(|()| install(&io, &lab, &session, app)),
    };
    let reply = match answer {
        Ok(listening) => Reply {
            ok: true,
            listening,
            ..Reply::default()
        },
        Err(error) => Reply {
            ok: false,
            error: Some(error),
            ..Reply::default()
        },
    };
    let _ = ack.send(&reply);
}

pub(crate) fn install<A: Adapter + DefinedAdapter>(
    io: &SocketIo<A>,
    lab: &Lab,
    session: &str,
    mut app: App,
) -> Result<Option<String>, String> {
    app::validate(&app).map_err(|e| e.to_string())?;
    for ns in &mut app.namespaces {
        ns.mark_own_room_left();
    }
    let new: Vec<String> = app
        .namespaces
        .iter()
        .map(|ns| ns.name.clone())
        .filter(|name| ![MAIN_NS, ADMIN_NS, CONTROL_NS].contains(&name.as_str()))
        .filter(|name| io.of(name.as_str()).is_none())
        .collect();
    // Namespaces stay registered once made: bounded, so that clients sending
    // application after application cannot grow the server without end.
    if io.nsps().len() + new.len() > MAX_SERVED_NAMESPACES {
        return Err(format!(
            "this server already serves {} namespaces, its limit is {MAX_SERVED_NAMESPACES}",
            io.nsps().len()
        ));
    }
    // The application starts here: its startup line, as `server.listen` logs it.
    let listening = app.listening_line(lab.port);
    lab.set_app(session, app)?;
    for name in new {
        let handler = on_lesson_connect::<A>.with(lesson_guard::<A>);
        if name.contains('{') {
            io.dyn_ns(name.clone(), handler)
                .map_err(|e| format!("`{name}` is not a namespace pattern: {e}"))?;
        } else {
            lab.fixed_namespace(&name);
            io.ns(name, handler).spawn();
        }
    }
    if let Some(line) = &listening {
        lab.log_to_monitor(line.clone());
    }
    Ok(listening)
}

/// Every lesson namespace's middleware: the declared ones when the application
/// declares the namespace, else the fixed `/admin` token check.
pub(crate) async fn lesson_guard<A: Adapter>(
    socket: SocketRef<A>,
    io: SocketIo<A>,
    State(lab): State<Lab>,
    TryData(auth): TryData<Value>,
) -> Result<(), String> {
    let auth = auth.ok();
    // Its notes go to its own lab's control sockets only (`Shared::tell`).
    if let Some(session) = session_of(auth.as_ref()) {
        socket.extensions.insert(Session(session.to_string()));
    }
    let declared = lab.app_of(session_of(auth.as_ref()));
    let refusal = match declared
        .as_deref()
        .and_then(|app| app.namespace(socket.ns()))
    {
        Some(ns) => ns.middleware.iter().find_map(|mw| {
            let field = |key: &str| auth.as_ref().and_then(|a| a.get(key));
            let passes = mw.require.iter().all(|(k, v)| field(k) == Some(v));
            (!passes).then(|| mw.refuse.clone())
        }),
        None if socket.ns() == ADMIN_NS => super::handlers::admin_refusal(auth.as_ref()),
        None if socket.ns() == MAIN_NS => None,
        // Served for another lab's application, not this socket's: as Node answers
        // a namespace that does not exist.
        None => return Err("Invalid namespace".to_string()),
    };
    let Some(reason) = refusal else {
        keep_data(&socket, declared.as_deref(), auth.as_ref());
        if let Some(app) = &declared {
            if let Some(ns) = app.namespace(socket.ns()) {
                // Held handlers may run before the connection handler starts.
                socket.extensions.insert(Declared(app.clone()));
                super::attach::early(&socket, ns, lab.name_from_auth(auth.as_ref()));
            }
        }
        return Ok(());
    };
    let note = Note::Refuse {
        name: lab.name_from_auth(auth.as_ref()),
        namespace: socket.ns().to_string(),
        reason: reason.clone(),
    };
    lab.tell(&io, &socket, Activity::Note(note));
    Err(reason)
}

/// The handshake fields the namespace's middlewares keep (Node: `socket.data`), as
/// the printed middleware keeps them: a text, or an empty text.
#[derive(Clone, Default)]
struct Kept(std::collections::BTreeMap<String, String>);

fn keep_data<A: Adapter>(socket: &SocketRef<A>, app: Option<&App>, auth: Option<&Value>) {
    let Some(ns) = app.and_then(|app| app.namespace(socket.ns())) else {
        return;
    };
    let kept = ns.kept();
    if kept.is_empty() {
        return;
    }
    let text = |key: &str| {
        let field = auth.and_then(|a| a.get(key)).and_then(Value::as_str);
        field.unwrap_or_default().to_string()
    };
    let data = kept.iter().map(|k| (k.to_string(), text(k))).collect();
    socket.extensions.insert(Kept(data));
}

/// A lab's session, kept with its control socket.
#[derive(Clone)]
pub(crate) struct Session(pub String);

/// The application a lesson socket runs, kept with the socket for its handlers.
#[derive(Clone)]
struct Declared(Arc<App>);

/// The most namespaces a server registers for declared applications, all sessions
/// together (dynamic namespaces count once per pattern).
pub const MAX_SERVED_NAMESPACES: usize = 256;

/// Told once the socket's disconnect handler has run (its note sent), so that a
/// handler that disconnects the socket ends after that note, as Node's does.
#[derive(Clone)]
pub(crate) struct Gone(pub Arc<tokio::sync::Notify>);

/// When the socket connected, in the server's order: `disconnect(true)` closes a
/// connection's sockets in that order, as Node's client does.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ConnectedAt(u64);

impl ConnectedAt {
    fn now() -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        Self(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

/// The lab session a socket's handshake names.
pub(crate) fn session_of(auth: Option<&Value>) -> Option<&str> {
    auth?.get(SESSION_AUTH)?.as_str()
}

/// A connection to a declared namespace, in the order docs/lab-protocol.md gives.
pub(crate) async fn connect<A: Adapter>(
    socket: SocketRef<A>,
    io: SocketIo<A>,
    lab: Lab,
    name: String,
    (app, ns): (Arc<App>, Namespace),
) {
    socket.extensions.insert(Declared(app));
    socket.extensions.insert(Gone(Arc::default()));
    socket.extensions.insert(ConnectedAt::now());
    set_name(&socket, name.clone());
    // The shim `app::rust::OWN_ID_ROOM` prints.
    socket.join(socket.id);
    let note = Note::Connect {
        name,
        namespace: socket.ns().to_string(),
    };
    lab.tell(&io, &socket, Activity::Note(note));
    // Before the connection's own operations, so that a socket that leaves while a
    // slow one runs is still reported, as Node reports it.
    socket.on_disconnect(super::handlers::on_disconnect::<A>);
    super::handlers::left_before_its_handler(&socket, &io, &lab);
    let mut run = Run::new(&socket, &io, &lab);
    run.ops(&ns.connection).await;
    if ns.hold_early {
        // The handlers are in place since the middleware (`attach::early`): the
        // welcome goes first, as in Node, where no held event has run before it.
        welcome(&socket);
        super::attach::open(&socket);
    } else {
        super::attach::handlers(&socket, &ns);
        welcome(&socket);
    }
}

/// The declared `disconnecting` and `disconnect` operations, which socketioxide runs
/// in its one disconnect handler, rooms still readable.
pub(crate) async fn disconnect<A: Adapter>(
    socket: &SocketRef<A>,
    io: &SocketIo<A>,
    lab: &Lab,
    rooms: Vec<String>,
) {
    let declared = socket.extensions.get::<Declared>();
    let Some(ns) = declared
        .as_ref()
        .and_then(|Declared(app)| app.namespace(socket.ns()))
    else {
        return;
    };
    let mut run = Run::new(socket, io, lab);
    run.rooms_at_exit = Some(rooms);
    run.ops(&ns.disconnecting).await;
    // By `disconnect` Node has taken the socket out of every room, as the printed
    // shim does; socketioxide's one handler would still see them.
    run.rooms_at_exit = Some(Vec::new());
    run.ops(&ns.disconnect).await;
}

/// The application of the socket's lab session, when it declares the namespace.
pub(crate) fn declares(
    lab: &Lab,
    auth: Option<&Value>,
    namespace: &str,
) -> Option<(Arc<App>, Namespace)> {
    let app = lab.app_of(session_of(auth))?;
    let ns = app.namespace(namespace)?.clone();
    Some((app, ns))
}

pub(super) async fn on_unhandled<A: Adapter>(
    socket: SocketRef<A>,
    io: SocketIo<A>,
    State(lab): State<Lab>,
    Event(event): Event,
) {
    // The lab's own events are not the application's to see.
    if event.starts_with("lab:") {
        return;
    }
    // The catch-all's operations may wait too: bounded like a handler's.
    let named = [Value::String(event.to_string())];
    let _slot = match super::budget::admit(&lab.budget, &socket, &named) {
        Ok(slot) => slot,
        Err(reason) => return refused(&socket, &io, &lab, &event, reason),
    };
    super::attach::connected(&socket).await;
    let declared = socket.extensions.get::<Declared>();
    let ns = declared
        .as_ref()
        .and_then(|Declared(app)| app.namespace(socket.ns()));
    // `any` first, as the printed fallback calls it, and Node registers its
    // `onAny` before the catch-all's.
    on_any(&socket, &io, &lab, ns, &event).await;
    let catch_all = ns.map(|ns| ns.unhandled.clone()).unwrap_or_default();
    let mut run = Run::new(&socket, &io, &lab);
    run.args = vec![("event".to_string(), Value::String(event.to_string()))];
    run.ops(&catch_all).await;
    // Node runs its `onAny` catch-all before `socket.use`; the printed fallback asks
    // the packet middleware last, in the same order.
    if packet_refused(&socket, &io, &lab, ns, &event) {
        return;
    }
    handled(&socket, &io, &lab, &event, true);
}

/// The namespace's `any` (Node's `onAny`), as the printed function every handler
/// calls first: after the early-event shim's wait, before the packet middleware.
async fn on_any<A: Adapter>(
    socket: &SocketRef<A>,
    io: &SocketIo<A>,
    lab: &Lab,
    ns: Option<&Namespace>,
    event: &str,
) {
    let Some(ns) = ns.filter(|ns| !ns.any.is_empty()) else {
        return;
    };
    super::attach::connected(socket).await;
    let mut run = Run::new(socket, io, lab);
    run.args = vec![("event".to_string(), Value::String(event.to_string()))];
    run.ops(&ns.any).await;
}

fn handled<A: Adapter>(
    socket: &SocketRef<A>,
    io: &SocketIo<A>,
    lab: &Lab,
    event: &str,
    unhandled: bool,
) {
    let note = Note::Handled {
        name: name_of(socket),
        namespace: socket.ns().to_string(),
        event: event.to_string(),
        unhandled,
        refused: None,
    };
    lab.tell(io, socket, Activity::Note(note));
}

/// The kept `socket.data` field `key`, or an empty text (as the printed struct's
/// default).
fn kept_field<A: Adapter>(socket: &SocketRef<A>, key: &str) -> String {
    let kept = socket.extensions.get::<Kept>().unwrap_or_default();
    kept.0.get(key).cloned().unwrap_or_default()
}

/// The namespace's per-packet middlewares, as the printed `packet_middleware` runs
/// first in every handler: `true` when one refused the event (it logged why, as the
/// printed code does, and the `handled` note says so).
fn packet_refused<A: Adapter>(
    socket: &SocketRef<A>,
    io: &SocketIo<A>,
    lab: &Lab,
    ns: Option<&Namespace>,
    event: &str,
) -> bool {
    let field = |key: &str| kept_field(socket, key);
    let Some(reason) = ns.and_then(|ns| app::packet::refusal(ns, event, &field)) else {
        return false;
    };
    let text = reason.clone();
    lab.tell(io, socket, Activity::Note(Note::Log { text }));
    refused(socket, io, lab, event, reason);
    true
}

/// The `handled` note of an event no handler ran for, with why.
pub(super) fn refused<A: Adapter>(
    socket: &SocketRef<A>,
    io: &SocketIo<A>,
    lab: &Lab,
    event: &str,
    reason: String,
) {
    let note = Note::Handled {
        name: name_of(socket),
        namespace: socket.ns().to_string(),
        event: event.to_string(),
        unhandled: false,
        refused: Some(reason),
    };
    lab.tell(io, socket, Activity::Note(note));
}

/// Runs the declared handler for `event` with the arguments the client sent. When
/// they are not what the printed Rust extracts (`Data<String>`, a tuple of the
/// parameters' count), socketioxide would not call that handler: neither does this.
pub(super) async fn handle<A: Adapter>(
    socket: SocketRef<A>,
    io: SocketIo<A>,
    lab: Lab,
    event: &str,
    args: Result<Vec<Value>, String>,
    ack: AckSender<A>,
) {
    let declared = socket.extensions.get::<Declared>();
    let ns = declared
        .as_ref()
        .and_then(|Declared(app)| app.namespace(socket.ns()));
    let handler = ns.and_then(|ns| ns.handler(event));
    let Some(handler) = handler else {
        return handled(&socket, &io, &lab, event, true);
    };
    // Held until the handler's last operation is over: a flood of events to a
    // waiting handler fills this socket's slots, then is refused (`budget`).
    let held = args.as_deref().unwrap_or_default();
    let _slot = match super::budget::admit(&lab.budget, &socket, held) {
        Ok(slot) => slot,
        Err(reason) => return refused(&socket, &io, &lab, event, reason),
    };
    let fits = args.as_ref().is_ok_and(|args| {
        handler
            .params()
            .zip(args)
            .all(|(param, arg)| param.json || arg.is_string())
    });
    // The printed handler calls `any` first, once socketioxide has extracted its
    // arguments: not when they do not fit.
    if fits {
        on_any(&socket, &io, &lab, ns, event).await;
    }
    if packet_refused(&socket, &io, &lab, ns, event) {
        return;
    }
    // After the packet middleware, as the printed handler waits.
    super::attach::connected(&socket).await;
    if !fits {
        // Refused, never "handled": no operation of the handler ran.
        let reason = format!(
            "socketioxide did not run the handler of `{event}`: its arguments are not the {} it extracts",
            extracted(handler)
        );
        return refused(&socket, &io, &lab, event, reason);
    }
    let mut run = Run::new(&socket, &io, &lab);
    run.args = handler
        .params()
        .map(|p| p.name.to_string())
        .zip(args.unwrap_or_default())
        .collect();
    run.ack = Some(ack);
    run.ops(&handler.ops).await;
    handled(&socket, &io, &lab, event, false);
}

fn extracted(handler: &Handler) -> String {
    let types: Vec<&str> = handler
        .params()
        .map(|p| if p.json { "Value" } else { "String" })
        .collect();
    match types.as_slice() {
        [one] => format!("`Data<{one}>`"),
        many => format!("`Data<({})>`", many.join(", ")),
    }
}

/// One handler's run: the socket, its parameters and its acknowledgement.
struct Run<'a, A: Adapter> {
    socket: &'a SocketRef<A>,
    io: &'a SocketIo<A>,
    lab: &'a Lab,
    args: Vec<(String, Value)>,
    ack: Option<AckSender<A>>,
    /// Set by an operation that ends the handler, as a throw ends Node's.
    stopped: bool,
    /// In a disconnect handler: the rooms as the disconnection began
    /// (`handlers::RoomsAtDisconnect`).
    rooms_at_exit: Option<Vec<String>>,
}

impl<'a, A: Adapter> Run<'a, A> {
    fn new(socket: &'a SocketRef<A>, io: &'a SocketIo<A>, lab: &'a Lab) -> Self {
        Run {
            socket,
            io,
            lab,
            args: Vec::new(),
            ack: None,
            stopped: false,
            rooms_at_exit: None,
        }
    }

    async fn ops(&mut self, ops: &[Op]) {
        for op in ops {
            self.op(op).await;
            if self.stopped {
                break;
            }
        }
    }

    async fn op(&mut self, op: &Op) {
        match op {
            Op::Log(text) => {
                let text = self.template(text);
                self.lab
                    .tell(self.io, self.socket, Activity::Note(Note::Log { text }));
            }
            Op::Emit(emit) => self.emit(emit).await,
            Op::Join(rooms) => {
                self.socket.join(self.rooms(rooms));
                self.lab.rooms_changed(self.io, None);
            }
            Op::Leave(rooms) => {
                self.socket.leave(self.rooms(rooms));
                self.lab.rooms_changed(self.io, None);
            }
            Op::Ack(value) => {
                if let Some(ack) = self.ack.take() {
                    // A sender that asked for no acknowledgement has nothing to answer.
                    let _ = ack.send(&self.value(value));
                }
            }
            Op::Disconnect(close) => {
                // Node's `disconnect(true)` closes the whole connection: the socket of
                // every namespace on it, in the order they connected. socketioxide's
                // closes this namespace only; the printed shim walks the namespaces.
                let sockets = if *close {
                    same_connection(self.io, self.socket)
                } else {
                    vec![self.socket.clone()]
                };
                for socket in sockets {
                    let gone = socket.extensions.get::<Gone>();
                    let _ = socket.disconnect();
                    // socketioxide runs the disconnect handler on a task of its own; Node
                    // runs it inside `disconnect()`. Wait (bounded) so the `disconnect`
                    // note comes before this handler's `handled` on both servers.
                    if let Some(Gone(told)) = gone {
                        let _ = tokio::time::timeout(Duration::from_secs(1), told.notified()).await;
                    }
                }
            }
            Op::WaitMs(ms) => tokio::time::sleep(Duration::from_millis(*ms)).await,
            Op::Set(fields) => {
                // As the printed Rust does: the socket's fields, read, changed, kept.
                let mut kept = self.socket.extensions.get::<Kept>().unwrap_or_default();
                for (key, value) in fields {
                    let text = match self.value(value) {
                        Value::String(text) => text,
                        other => other.to_string(),
                    };
                    kept.0.insert(key.clone(), text);
                }
                self.socket.extensions.insert(kept);
            }
            Op::FetchSockets(text) => {
                // Through the adapter: every node's sockets when one joins them.
                let fetched = match self.io.of(self.socket.ns()) {
                    Some(op) => op.fetch_sockets().await.map(|s| s.len()).unwrap_or(0),
                    None => 0,
                };
                self.args
                    .push(("count".to_string(), Value::String(fetched.to_string())));
                let text = self.template(text);
                self.args.pop();
                self.lab
                    .tell(self.io, self.socket, Activity::Note(Note::Log { text }));
            }
        }
    }

    fn value(&self, expr: &Expr) -> Value {
        match &expr.0 {
            Source::Literal(v) => v.clone(),
            Source::Param(name) => self
                .args
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or(Value::Null),
            Source::SocketId => Value::String(self.socket.id.to_string()),
            Source::Nsp => Value::String(self.socket.ns().to_string()),
            Source::Data(key) => Value::String(self.kept(key)),
            Source::Unknown(_) => Value::Null,
        }
    }

    fn kept(&self, key: &str) -> String {
        kept_field(self.socket, key)
    }

    fn room(&self, expr: &Expr) -> String {
        match self.value(expr) {
            Value::String(s) => s,
            other => other.to_string(),
        }
    }

    fn rooms(&self, rooms: &[Expr]) -> Vec<String> {
        rooms.iter().map(|r| self.room(r)).collect()
    }

    fn template(&self, text: &str) -> String {
        let mut out = String::new();
        for piece in app::pieces(text).unwrap_or_default() {
            let name = match piece {
                app::Piece::Text(text) => {
                    out.push_str(&text);
                    continue;
                }
                app::Piece::Name(name) => name,
            };
            let value = match name {
                "nsp" => Value::String(self.socket.ns().to_string()),
                // As `app::rust::log` prints it: the rooms but the own-id one, sorted.
                "rooms" => {
                    let own = self.socket.id.as_str();
                    let now = || self.socket.rooms().into_iter().map(String::from).collect();
                    let rooms = self.rooms_at_exit.clone().unwrap_or_else(now);
                    let mut rooms: Vec<String> = rooms.into_iter().filter(|r| *r != own).collect();
                    rooms.sort();
                    Value::String(rooms.join(", "))
                }
                name => match name.strip_prefix("data.") {
                    Some(key) => Value::String(self.kept(key)),
                    None => self.value(&Expr(Source::Param(name.to_string()))),
                },
            };
            match value {
                Value::String(s) => out.push_str(&s),
                other => out.push_str(&other.to_string()),
            }
        }
        out
    }
}

/// The sockets on `socket`'s connection, one per namespace, in the order they
/// connected: socketioxide gives a connection one id in every namespace.
fn same_connection<A: Adapter>(io: &SocketIo<A>, socket: &SocketRef<A>) -> Vec<SocketRef<A>> {
    let mut found: Vec<SocketRef<A>> = io
        .nsps()
        .into_iter()
        .filter(|ns| ns.ns_path() != CONTROL_NS)
        .filter_map(|ns| ns.get_socket(socket.id))
        .collect();
    found.sort_by_key(|s| s.extensions.get::<ConnectedAt>());
    found
}
