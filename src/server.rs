//! The embedded lab server: socketioxide on axum, implementing the lab protocol
//! (`docs/lab-protocol.md`) on top of a tiny chat application.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;

use axum::routing::get;
use axum::serve::ListenerExt;
use axum::Router;
use serde_json::Value;
use socketioxide::extract::{AckSender, Event, SocketRef, TryData};
use socketioxide::handler::ConnectHandler;
use socketioxide::operators::BroadcastOperators;
use socketioxide::socket::{DisconnectReason, Sid};
use socketioxide::{AckError, SocketIo};
use tokio::net::TcpListener;
use tokio::sync::mpsc::UnboundedSender;

use crate::protocol::{
    AckOutcome, EmitFrom, EmitRequest, NamespaceState, Note, Reply, RoomsRequest, ServerState,
    SocketInfo, Welcome, ADMIN_NS, ADMIN_TOKEN, CONTROL_NS, EMIT, JOIN, LEAVE, MAIN_NS, NOTE,
    RESERVED_EVENTS, STATE, SYNC, WELCOME,
};

/// What the server did, for a live monitor such as `socketio-lab serve`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Activity {
    Note(Note),
    Joined {
        name: String,
        namespace: String,
        rooms: Vec<String>,
    },
    Left {
        name: String,
        namespace: String,
        rooms: Vec<String>,
    },
    Emitted {
        name: String,
        namespace: String,
        call: String,
        event: String,
        delivered_to: Vec<String>,
    },
}

#[derive(Default)]
pub struct ServerConfig {
    pub monitor: Option<UnboundedSender<Activity>>,
}

/// The socket's lab name, from `auth.name` (or a `guest-N` name when none is given).
#[derive(Clone)]
struct LabName(String);

struct Shared {
    monitor: Option<UnboundedSender<Activity>>,
    guests: AtomicUsize,
}

impl Shared {
    fn tell(&self, io: &SocketIo, activity: Activity) {
        if let Activity::Note(note) = &activity {
            // Sent with the synchronous per-socket emit so that the note is queued
            // before anything the caller queues afterwards (the welcome, say).
            for control in io.of(CONTROL_NS).map(|ns| ns.sockets()).unwrap_or_default() {
                let _ = control.emit(NOTE, note);
            }
        }
        if let Some(monitor) = &self.monitor {
            let _ = monitor.send(activity);
        }
    }

    fn name_from_auth(&self, auth: Option<&Value>) -> String {
        match auth.and_then(|a| a.get("name")).and_then(Value::as_str) {
            Some(name) if !name.is_empty() => name.to_string(),
            _ => format!("guest-{}", self.guests.fetch_add(1, Ordering::Relaxed) + 1),
        }
    }
}

fn name_of(socket: &SocketRef) -> String {
    socket
        .extensions
        .get::<LabName>()
        .map(|n| n.0)
        .unwrap_or_else(|| socket.id.to_string())
}

/// Rooms of a socket as the learner knows them: the own-id room left out, sorted.
pub(crate) fn visible_rooms<A: socketioxide::adapter::Adapter>(
    socket: &SocketRef<A>,
) -> Vec<String> {
    let own = socket.id.to_string();
    let mut rooms: Vec<String> = socket
        .rooms()
        .into_iter()
        .map(|r| r.to_string())
        .filter(|r| *r != own)
        .collect();
    rooms.sort();
    rooms
}

fn sorted_names(sockets: Vec<SocketRef>) -> Vec<String> {
    let mut names: Vec<String> = sockets.iter().map(name_of).collect();
    names.sort();
    names
}

/// Builds the operator a Socket.IO server would build for this request, with the
/// JavaScript spelling of the call for the monitor.
fn selection(
    socket: &SocketRef,
    io: &SocketIo,
    req: &EmitRequest,
) -> Result<Option<(BroadcastOperators, String)>, String> {
    // Own-id rooms read as `bobId`, never as the random id itself. Only the named
    // rooms are looked up, so the cost does not grow with the namespace.
    let namespace = req.of.clone().unwrap_or_else(|| socket.ns().to_string());
    let owner = |room: &str| {
        let sid = room.parse::<Sid>().ok()?;
        io.of(&namespace)?.get_socket(sid).map(|s| name_of(&s))
    };
    let rooms_js = |rooms: &[String]| {
        let shown: Vec<String> = rooms
            .iter()
            .map(|r| match owner(r) {
                Some(name) => format!("{name}Id"),
                None => format!("{r:?}"),
            })
            .collect();
        if shown.len() == 1 {
            shown[0].clone()
        } else {
            format!("[{}]", shown.join(", "))
        }
    };
    let mut call;
    let mut op = match req.from {
        EmitFrom::Socket => {
            if req.of.is_some() {
                return Err("`of` needs `from: \"io\"`".into());
            }
            let selects = req.broadcast
                || !req.to.is_empty()
                || !req.within.is_empty()
                || !req.except.is_empty();
            if !selects {
                return Ok(None);
            }
            call = "socket".to_string();
            if req.broadcast {
                call.push_str(".broadcast");
            }
            // `socket.to(..)` and `socket.except(..)` imply the broadcast flag in
            // Socket.IO: the sender is left out.
            socket.broadcast()
        }
        EmitFrom::Io => {
            let ns = req.of.clone().unwrap_or_else(|| socket.ns().to_string());
            if ns == CONTROL_NS {
                return Err(format!("namespace `{CONTROL_NS}` is the lab's own"));
            }
            call = if req.of.is_some() || ns != MAIN_NS {
                format!("io.of({ns:?})")
            } else {
                "io".to_string()
            };
            io.of(&ns)
                .ok_or_else(|| format!("no namespace `{ns}` on this server"))?
        }
    };
    if !req.to.is_empty() {
        op = op.to(req.to.clone());
        call.push_str(&format!(".to({})", rooms_js(&req.to)));
    }
    if !req.within.is_empty() {
        op = op.within(req.within.clone());
        call.push_str(&format!(".in({})", rooms_js(&req.within)));
    }
    if !req.except.is_empty() {
        op = op.except(req.except.clone());
        call.push_str(&format!(".except({})", rooms_js(&req.except)));
    }
    Ok(Some((op, call)))
}

/// What an emit did: where the server sent it and, when it asked for
/// acknowledgements, what each recipient answered.
struct Emitted {
    delivered_to: Vec<String>,
    call: String,
    acks: Option<BTreeMap<String, AckOutcome>>,
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

async fn perform_emit(
    socket: &SocketRef,
    io: &SocketIo,
    req: &EmitRequest,
) -> Result<Emitted, String> {
    // Node's server throws on these names; socketioxide would send them, so the lab
    // refuses them itself to behave like the reference.
    if RESERVED_EVENTS.contains(&req.event.as_str()) {
        return Err(format!("`{}` is a reserved event name", req.event));
    }
    let timeout = req.ack_timeout_ms.map(Duration::from_millis);
    match selection(socket, io, req)? {
        None => {
            let me = name_of(socket);
            let acks = match timeout {
                Some(t) => {
                    let stream = socket
                        .timeout(t)
                        .emit_with_ack::<_, Value>(&req.event, &req.data)
                        .map_err(|e| format!("emit failed: {e}"))?;
                    Some(BTreeMap::from([(me.clone(), ack_outcome(stream.await))]))
                }
                None if req.volatile => {
                    socket
                        .volatile()
                        .emit(&req.event, &req.data)
                        .map_err(|e| format!("emit failed: {e}"))?;
                    None
                }
                None => {
                    socket
                        .emit(&req.event, &req.data)
                        .map_err(|e| format!("emit failed: {e}"))?;
                    None
                }
            };
            Ok(Emitted {
                delivered_to: vec![me],
                call: "socket".to_string(),
                acks,
            })
        }
        Some((mut op, call)) => {
            if req.volatile {
                op = op.volatile();
            }
            // The adapter's own selection, read just before the emit that uses it.
            let targets = op.clone().sockets();
            let names: BTreeMap<String, String> = targets
                .iter()
                .map(|s| (s.id.to_string(), name_of(s)))
                .collect();
            let delivered_to = sorted_names(targets);
            let acks = match timeout {
                Some(t) => {
                    let stream = op
                        .timeout(t)
                        .emit_with_ack::<_, Value>(&req.event, &req.data)
                        .await
                        .map_err(|e| format!("emit failed: {e}"))?;
                    let answers: Vec<_> = stream.collect().await;
                    Some(
                        answers
                            .into_iter()
                            .map(|(sid, result)| {
                                let name = names
                                    .get(&sid.to_string())
                                    .cloned()
                                    .unwrap_or_else(|| sid.to_string());
                                (name, ack_outcome(result))
                            })
                            .collect(),
                    )
                }
                None => {
                    op.emit(&req.event, &req.data)
                        .await
                        .map_err(|e| format!("emit failed: {e}"))?;
                    None
                }
            };
            Ok(Emitted {
                delivered_to,
                call,
                acks,
            })
        }
    }
}

fn ack(ack: AckSender, reply: &Reply) {
    // A client that asked for no acknowledgement makes this fail; nothing to do then.
    let _ = ack.send(reply);
}

/// Answers a request whose payload is not what the protocol says. The words are the
/// Node reference's (`examples/node-reference/server.js`), not serde's, so that both
/// servers answer alike; without this the request would go unanswered.
fn malformed(a: AckSender, event: &str) {
    let what = if event == EMIT {
        "an emit request as docs/lab-protocol.md describes"
    } else {
        "`{\"rooms\": [\"room\", ...]}`"
    };
    ack(
        a,
        &Reply {
            ok: false,
            error: Some(format!("malformed `{event}` request: expected {what}")),
            ..Reply::default()
        },
    );
}

/// The chat application behind each namespace, beside the lab protocol.
#[derive(Clone, Copy)]
enum App {
    /// `/`: the chat example's relay, `io.emit("chat message", msg)`.
    Chat,
    /// `/admin`: `announce` sends an announcement to everyone in `/`.
    Admin,
}

/// `lab:join` and `lab:leave`: the same request, one verb apart.
fn install_rooms_request(socket: &SocketRef, shared: &Arc<Shared>, event: &'static str) {
    let shared = shared.clone();
    socket.on(
        event,
        move |socket: SocketRef,
              io: SocketIo,
              TryData(req): TryData<RoomsRequest>,
              a: AckSender| {
            let shared = shared.clone();
            async move {
                let Ok(req) = req else {
                    return malformed(a, event);
                };
                let name = name_of(&socket);
                let namespace = socket.ns().to_string();
                let rooms = req.rooms;
                let activity = if event == JOIN {
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
                shared.tell(&io, activity);
                let rooms = Some(visible_rooms(&socket));
                ack(
                    a,
                    &Reply {
                        ok: true,
                        rooms,
                        ..Reply::default()
                    },
                );
            }
        },
    );
}

fn install_protocol(socket: &SocketRef, shared: &Arc<Shared>) {
    install_rooms_request(socket, shared, JOIN);
    install_rooms_request(socket, shared, LEAVE);
    {
        let shared = shared.clone();
        socket.on(
            EMIT,
            move |socket: SocketRef,
                  io: SocketIo,
                  TryData(req): TryData<EmitRequest>,
                  a: AckSender| {
                let shared = shared.clone();
                async move {
                    let Ok(req) = req else {
                        return malformed(a, EMIT);
                    };
                    let reply = match perform_emit(&socket, &io, &req).await {
                        Ok(Emitted {
                            delivered_to,
                            call,
                            acks,
                        }) => {
                            shared.tell(
                                &io,
                                Activity::Emitted {
                                    name: name_of(&socket),
                                    namespace: socket.ns().to_string(),
                                    call,
                                    event: req.event.clone(),
                                    delivered_to: delivered_to.clone(),
                                },
                            );
                            Reply {
                                ok: true,
                                delivered_to: Some(delivered_to),
                                acks,
                                ..Reply::default()
                            }
                        }
                        Err(error) => Reply {
                            ok: false,
                            error: Some(error),
                            ..Reply::default()
                        },
                    };
                    ack(a, &reply);
                }
            },
        );
    }
    socket.on(SYNC, |a: AckSender| async move {
        ack(
            a,
            &Reply {
                ok: true,
                ..Reply::default()
            },
        )
    });
}

#[allow(clippy::too_many_arguments)]
/// The application's relay: a handler emits `event` from a namespace to everyone in
/// `target_ns`. The reply names the emitted event only when it is not the one received.
async fn relay(
    socket: SocketRef,
    io: SocketIo,
    shared: Arc<Shared>,
    target_ns: &'static str,
    (received, event): (&'static str, &'static str),
    call: &'static str,
    data: Value,
    a: AckSender,
) {
    let Some(op) = io.of(target_ns) else {
        let error = Some(format!("no namespace `{target_ns}`"));
        return ack(
            a,
            &Reply {
                ok: false,
                error,
                ..Reply::default()
            },
        );
    };
    let targets = sorted_names(op.clone().sockets());
    let reply = match op.emit(event, &data).await {
        Ok(()) => {
            shared.tell(
                &io,
                Activity::Emitted {
                    name: name_of(&socket),
                    namespace: socket.ns().to_string(),
                    call: call.to_string(),
                    event: event.to_string(),
                    delivered_to: targets.clone(),
                },
            );
            Reply {
                ok: true,
                delivered_to: Some(targets),
                emitted: (event != received).then(|| event.to_string()),
                ..Reply::default()
            }
        }
        Err(e) => Reply {
            ok: false,
            error: Some(format!("emit failed: {e}")),
            ..Reply::default()
        },
    };
    ack(a, &reply);
}

/// The message a handler gets: the first argument, or `null` when the client sent
/// none (a JavaScript handler's `msg` is then `undefined`, which is sent as `null`).
/// Without `TryData` the handler would not run at all and the client would get no
/// acknowledgement.
fn message(msg: Result<Value, impl std::fmt::Debug>) -> Value {
    msg.unwrap_or(Value::Null)
}

fn install_app(socket: &SocketRef, shared: &Arc<Shared>, app: App) {
    let shared = shared.clone();
    if let App::Chat = app {
        socket.on("ping", |a: AckSender| async move {
            let _ = a.send(&"pong");
        });
        // A handler that takes the acknowledgement callback and never calls it, like
        // a server stuck on a slow database: the client's timeout is what ends the wait.
        socket.on("sleepy", |_a: AckSender| async move {});
    }
    match app {
        App::Chat => socket.on(
            "chat message",
            move |socket: SocketRef, io: SocketIo, TryData(msg): TryData<Value>, a: AckSender| {
                let shared = shared.clone();
                let msg = message(msg);
                relay(
                    socket,
                    io,
                    shared,
                    MAIN_NS,
                    ("chat message", "chat message"),
                    "io",
                    msg,
                    a,
                )
            },
        ),
        App::Admin => socket.on(
            "announce",
            move |socket: SocketRef, io: SocketIo, TryData(msg): TryData<Value>, a: AckSender| {
                let shared = shared.clone();
                let msg = message(msg);
                relay(
                    socket,
                    io,
                    shared,
                    MAIN_NS,
                    ("announce", "announcement"),
                    "io.of(\"/\")",
                    msg,
                    a,
                )
            },
        ),
    }
    // Like a 404: tell the client that nothing in this namespace handles the event.
    socket.on_fallback(
        |socket: SocketRef, Event(event): Event, a: AckSender| async move {
            let error = Some(format!("no handler for `{event}` in `{}`", socket.ns()));
            ack(
                a,
                &Reply {
                    ok: false,
                    unhandled: true,
                    error,
                    ..Reply::default()
                },
            );
        },
    );
}

fn on_connect(socket: SocketRef, io: SocketIo, auth: Option<Value>, shared: Arc<Shared>, app: App) {
    let name = shared.name_from_auth(auth.as_ref());
    socket.extensions.insert(LabName(name.clone()));
    // Socket.IO (Node) puts every socket in a room named by its own id; socketioxide
    // does not, so the lab does it to keep `io.to(socket.id)` working as in Node.
    socket.join(socket.id.to_string());
    let namespace = socket.ns().to_string();
    shared.tell(
        &io,
        Activity::Note(Note::Connect {
            name: name.clone(),
            namespace: namespace.clone(),
        }),
    );
    install_protocol(&socket, &shared);
    install_app(&socket, &shared, app);
    {
        let shared = shared.clone();
        socket.on_disconnect(
            move |socket: SocketRef, io: SocketIo, reason: DisconnectReason| {
                let shared = shared.clone();
                async move {
                    let note = Note::Disconnect {
                        name: name_of(&socket),
                        namespace: socket.ns().to_string(),
                        reason: reason_text(reason).to_string(),
                    };
                    shared.tell(&io, Activity::Note(note));
                }
            },
        );
    }
    // Last, so that a client that hears it knows every handler above is in place.
    let _ = socket.emit(
        WELCOME,
        &Welcome {
            sid: socket.id.to_string(),
            name,
            namespace,
        },
    );
}

/// The reason strings of the JavaScript server, so both servers read the same.
fn reason_text(reason: DisconnectReason) -> &'static str {
    match reason {
        DisconnectReason::TransportClose => "transport close",
        DisconnectReason::MultipleHttpPollingError | DisconnectReason::PacketParsingError => {
            "parse error"
        }
        DisconnectReason::TransportError => "transport error",
        DisconnectReason::HeartbeatTimeout => "ping timeout",
        DisconnectReason::ClientNSDisconnect => "client namespace disconnect",
        DisconnectReason::ServerNSDisconnect => "server namespace disconnect",
        DisconnectReason::ClosingServer => "server shutting down",
    }
}

fn state(io: &SocketIo) -> ServerState {
    let mut state = ServerState::default();
    for ns in [MAIN_NS, ADMIN_NS] {
        let Some(op) = io.of(ns) else { continue };
        let mut entry = NamespaceState::default();
        for socket in op.sockets() {
            let name = name_of(&socket);
            entry.sockets.push(SocketInfo {
                name: name.clone(),
                sid: socket.id.to_string(),
            });
            for room in socket.rooms() {
                entry
                    .rooms
                    .entry(room.to_string())
                    .or_default()
                    .push(name.clone());
            }
        }
        entry.sockets.sort_by(|a, b| a.name.cmp(&b.name));
        for members in entry.rooms.values_mut() {
            members.sort();
        }
        state.namespaces.insert(ns.to_string(), entry);
    }
    state
}

fn install(io: &SocketIo, shared: Arc<Shared>) {
    {
        let shared = shared.clone();
        io.ns(
            MAIN_NS,
            move |socket: SocketRef, io: SocketIo, TryData(auth): TryData<Value>| {
                let shared = shared.clone();
                async move { on_connect(socket, io, auth.ok(), shared, App::Chat) }
            },
        );
    }
    {
        let handler_shared = shared.clone();
        let handler = move |socket: SocketRef, io: SocketIo, TryData(auth): TryData<Value>| {
            let shared = handler_shared.clone();
            async move { on_connect(socket, io, auth.ok(), shared, App::Admin) }
        };
        let guard_shared = shared.clone();
        let guard = move |io: SocketIo, TryData(auth): TryData<Value>| {
            let shared = guard_shared.clone();
            async move {
                let auth = auth.ok();
                let token = auth
                    .as_ref()
                    .and_then(|a| a.get("token"))
                    .and_then(Value::as_str);
                if token == Some(ADMIN_TOKEN) {
                    return Ok(());
                }
                let reason = "not authorized: `/admin` needs a valid `auth.token`".to_string();
                let note = Note::Refuse {
                    name: shared.name_from_auth(auth.as_ref()),
                    namespace: ADMIN_NS.to_string(),
                    reason: reason.clone(),
                };
                shared.tell(&io, Activity::Note(note));
                Err(reason)
            }
        };
        io.ns(ADMIN_NS, handler.with(guard));
    }
    io.ns(CONTROL_NS, |socket: SocketRef| async move {
        socket.on(STATE, |io: SocketIo, a: AckSender| async move {
            let _ = a.send(&state(&io));
        });
        socket.on(SYNC, |a: AckSender| async move {
            ack(
                a,
                &Reply {
                    ok: true,
                    ..Reply::default()
                },
            )
        });
        let welcome = Welcome {
            sid: socket.id.to_string(),
            name: "lab".to_string(),
            namespace: CONTROL_NS.to_string(),
        };
        let _ = socket.emit(WELCOME, &welcome);
    });
}

async fn index() -> &'static str {
    "socketio-lab server: connect a Socket.IO client to this address\n"
}

/// Serves the lab on `listener` until `shutdown` completes, then disconnects every
/// socket and lets the connections drain.
pub async fn run(
    listener: TcpListener,
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (layer, io) = SocketIo::builder().build_layer();
    let shared = Arc::new(Shared {
        monitor: config.monitor,
        guests: AtomicUsize::new(0),
    });
    install(&io, shared);
    let app = Router::new().route("/", get(index)).layer(layer);
    // Small packets go out at once: without TCP_NODELAY a packet that follows another
    // can wait for the peer's delayed ACK (about 40 ms on Linux).
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            io.close().await;
        })
        .await
}

/// The lab server on a free loopback port, in this process, stopped on request.
pub struct EmbeddedServer {
    pub url: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl EmbeddedServer {
    pub async fn start() -> std::io::Result<EmbeddedServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(run(listener, ServerConfig::default(), async {
            let _ = stopped.await;
        }));
        Ok(EmbeddedServer {
            url: format!("http://127.0.0.1:{port}"),
            stop,
            task,
        })
    }

    /// Disconnects every socket and waits (bounded) for the server to finish.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = tokio::time::timeout(Duration::from_secs(5), self.task).await;
    }
}
