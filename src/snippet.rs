//! The server code behind each step, in JavaScript (what the Socket.IO docs use) and
//! in Rust (socketioxide), generated from the step itself so the two cannot drift.

use serde_json::Value;

use crate::app::{js as app_js, App};
use crate::lesson::{Action, Client, Fault, Lesson, Step};
use crate::protocol::{Emit, EmitFrom, ADMIN_NS, MAIN_NS};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// What the client does, when the step starts on the client.
    pub client: Option<String>,
    pub js: String,
    pub rust: String,
}

/// A room as code: `"r1"`, or a variable holding a socket's id for `id:bob`.
fn room_js(room: &str) -> String {
    match room.strip_prefix("id:") {
        Some(name) => format!("{}Id", name.replace('-', "_")),
        None => format!("{room:?}"),
    }
}

fn room_rust(room: &str) -> String {
    match room.strip_prefix("id:") {
        Some(name) => format!("{}_id", name.replace('-', "_")),
        None => format!("{room:?}"),
    }
}

fn rooms_arg(rooms: &[String], one: fn(&str) -> String) -> String {
    if rooms.len() == 1 {
        one(&rooms[0])
    } else {
        format!(
            "[{}]",
            rooms.iter().map(|r| one(r)).collect::<Vec<_>>().join(", ")
        )
    }
}

fn payload_js(payload: &Option<Value>) -> String {
    match payload {
        None => String::new(),
        Some(v) => format!(", {v}"),
    }
}

fn payload_rust(payload: &Option<Value>) -> String {
    match payload {
        None | Some(Value::Null) => ", &()".to_string(),
        Some(Value::String(s)) => format!(", &{s:?}"),
        Some(v @ (Value::Number(_) | Value::Bool(_))) => format!(", &{v}"),
        Some(v) => format!(", &json!({v})"),
    }
}

/// The JavaScript of an emit's selection, up to `.emit(..)`: what `serve`'s log
/// shows for the emit the server just ran.
pub fn selection_js(spec: &Emit, actor_ns: &str) -> String {
    selection(spec, actor_ns, false)
}

fn selection(spec: &Emit, actor_ns: &str, rust: bool) -> String {
    let one: fn(&str) -> String = if rust { room_rust } else { room_js };
    let mut call = selection_base(spec, actor_ns, rust);
    if spec.local {
        call.push_str(if rust { ".local()" } else { ".local" });
    }
    if !spec.to.is_empty() {
        call.push_str(&format!(".to({})", rooms_arg(&spec.to, one)));
    }
    if !spec.within.is_empty() {
        let word = if rust { "within" } else { "in" };
        call.push_str(&format!(".{word}({})", rooms_arg(&spec.within, one)));
    }
    if !spec.except.is_empty() {
        call.push_str(&format!(".except({})", rooms_arg(&spec.except, one)));
    }
    if spec.volatile {
        call.push_str(if rust { ".volatile()" } else { ".volatile" });
    }
    if let Some(ms) = spec.ack_timeout_ms {
        if rust {
            call.push_str(&format!(".timeout(Duration::from_millis({ms}))"));
        } else {
            call.push_str(&format!(".timeout({ms})"));
        }
    }
    call
}

fn selection_base(spec: &Emit, actor_ns: &str, rust: bool) -> String {
    match spec.from {
        EmitFrom::Socket => {
            let mut s = "socket".to_string();
            // What the lab server runs: on socketioxide only `broadcast()` leaves the
            // sender out (`socket.within(..)` would include it), so a socket's
            // selection starts there, as Node's `socket.to`/`socket.in` implies.
            if spec.broadcast || (rust && spec.selects()) {
                s.push_str(if rust { ".broadcast()" } else { ".broadcast" });
            }
            s
        }
        EmitFrom::Io => {
            let ns = spec.of.as_deref().unwrap_or(actor_ns);
            match (ns == MAIN_NS && spec.of.is_none(), rust) {
                (true, _) => "io".to_string(),
                (false, false) => format!("io.of({ns:?})"),
                (false, true) => format!("io.of({ns:?}).unwrap()"),
            }
        }
    }
}

/// The lab server's handlers for application events, as (namespace, event, JS, Rust).
/// One handler a line, as a table.
#[rustfmt::skip]
const HANDLERS: &[(&str, &str, &str, &str)] = &[
    (MAIN_NS, "chat message", "socket.on(\"chat message\", (msg) => io.emit(\"chat message\", msg))", "io.emit(\"chat message\", &msg).await  // in the handler"),
    (MAIN_NS, "ping", "socket.on(\"ping\", (msg, ack) => ack(\"pong\"))", "socket.on(\"ping\", async |ack: AckSender| { ack.send(&\"pong\").ok(); })"),
    (MAIN_NS, "sleepy", "socket.on(\"sleepy\", (msg, ack) => { /* never calls ack */ })", "socket.on(\"sleepy\", async |_ack: AckSender| {})  // never answers"),
    (ADMIN_NS, "announce", "socket.on(\"announce\", (msg) => io.of(\"/\").emit(\"announcement\", msg))", "io.of(\"/\").unwrap().emit(\"announcement\", &msg).await  // in the handler"),
];

/// The server handler the lab server runs for an application event, if any, as (JS, Rust).
pub fn handler(namespace: &str, event: &str) -> Option<(&'static str, &'static str)> {
    HANDLERS
        .iter()
        .find(|(ns, ev, _, _)| *ns == namespace && *ev == event)
        .map(|(_, _, js, rust)| (*js, *rust))
}

/// How a browser would open this client's socket.
fn client_connect(client: &Client) -> String {
    let ns = if client.namespace == MAIN_NS {
        String::new()
    } else {
        format!("{:?}", client.namespace)
    };
    if client.auth.is_empty() {
        return format!("io({ns})");
    }
    let auth = Value::Object(client.auth.clone());
    let sep = if ns.is_empty() { "" } else { ", " };
    format!("io({ns}{sep}{{ auth: {auth} }})")
}

/// The lab server's handler for `event` as (JS, Rust), or a comment saying none exists.
fn handler_or_none(namespace: &str, event: &str) -> (String, String) {
    const NONE: &str = "// no handler for this event in this namespace";
    let (js, rust) = handler(namespace, event).unwrap_or((NONE, NONE));
    (js.to_string(), rust.to_string())
}

/// The code behind a step of `lesson`: printed from its declared server application
/// when it has one (format 2), else the fixed server's code for the step.
pub fn code(lesson: &Lesson, step: &Step, client: &Client) -> Snippet {
    let mut snippet = code_in(lesson.app.as_ref(), step, client);
    if let Action::Connect { actors } = &step.action {
        let clients: Vec<&Client> = actors.iter().filter_map(|a| lesson.client(a)).collect();
        if let Some(calls) = connect_calls(&clients) {
            snippet.client = Some(calls);
        }
    }
    snippet
}

/// Each client's own `io(...)` call when the clients of one connect step open
/// different namespaces or carry different auth, one line per distinct call, with
/// the clients that make it (`None` when all make the same call).
fn connect_calls(clients: &[&Client]) -> Option<String> {
    let mut calls: Vec<(String, Vec<&str>)> = Vec::new();
    for client in clients {
        let call = client_connect(client);
        match calls.iter_mut().find(|(c, _)| *c == call) {
            Some((_, names)) => names.push(&client.name),
            None => calls.push((call, vec![&client.name])),
        }
    }
    if calls.len() < 2 {
        return None;
    }
    let lines: Vec<String> = calls
        .iter()
        .map(|(call, names)| format!("{call}; // {}\n", names.join(", ")))
        .collect();
    Some(lines.concat())
}

/// `code` with the application given (a quiz choice may run its own).
pub fn code_in(app: Option<&App>, step: &Step, client: &Client) -> Snippet {
    match app {
        Some(app) => declared(app, step, client),
        None => for_step(step, client),
    }
}

/// A step of a lesson that declares its server: the client's call, and the
/// declared code that ran on the server for it, as each server ran it.
fn declared(app: &App, step: &Step, client: &Client) -> Snippet {
    let Some(ns) = app.namespace(&client.namespace) else {
        // A namespace the server never declared: no code of its runs, and Socket.IO
        // itself answers `Invalid namespace`.
        let nothing = format!(
            "// nothing declares \"{}\": Socket.IO answers \"Invalid namespace\"",
            client.namespace
        );
        return Snippet {
            client: Some(client_connect(client)),
            js: nothing.clone(),
            rust: nothing,
        };
    };
    let printed = crate::app::rust::printed(ns);
    let none = |what: &str| format!("// no {what} in `{}`", ns.name);
    let handler = |event: &str| {
        // No handler for the event: the catch-all takes it, if there is one.
        let fallback = || {
            app_js::catch_all(ns)
                .zip(printed.unhandled.clone())
                .unwrap_or_else(|| {
                    let text = none(&format!("handler for `{event}`"));
                    (text.clone(), text)
                })
        };
        let (js, rust) = match (ns.handler(event), printed.event(event)) {
            (Some(h), Some(rust)) => (app_js::event_handler(h), rust.to_string()),
            _ => fallback(),
        };
        // The per-packet middleware runs first: shown first, as the code that ran.
        let use_js = crate::app::packet::js_for(ns, event);
        let (js, rust) = match use_js.is_empty() {
            true => (js, rust),
            false => (use_js + &js, format!("{}\n{rust}", printed.packet)),
        };
        // `any` (onAny) runs before both, for every event.
        match app_js::any_listener(ns) {
            None => (js, rust),
            Some(any) => (any + &js, format!("{}\n{rust}", printed.any)),
        }
    };
    match &step.action {
        Action::Connect { .. } => Snippet {
            client: Some(client_connect(client)),
            js: app_js::connection(ns),
            rust: printed.connect.clone(),
        },
        Action::Disconnect {
            close_transport, ..
        } => Snippet {
            client: Some(leaving(*close_transport)),
            js: app_js::disconnection(ns).unwrap_or_else(|| none("disconnect handler")),
            rust: printed
                .disconnect
                .clone()
                .unwrap_or_else(|| none("disconnect handler")),
        },
        Action::Send {
            event,
            payload_bytes,
            before_connect,
            ..
        } => {
            let (mut js, mut rust) = handler(event);
            let mut call = vec![format!("{event:?}")];
            let mut emit = match payload_bytes {
                // The text itself would fill the screen: its code and its size instead.
                Some(n) => format!(
                    "socket.emit({event:?}, \"x\".repeat({n})); // a message of {} bytes",
                    crate::safe::thousands(crate::lesson::message_bytes(
                        &client.namespace,
                        event,
                        *n
                    ) as u64)
                ),
                None => {
                    call.extend(step.action.arguments().iter().map(arg_js));
                    format!("socket.emit({})", call.join(", "))
                }
            };
            if *before_connect {
                // The event meets the connection handler first: show both.
                emit = format!("const socket = {}; {emit}", client_connect(client));
                js = format!("{}\n{js}", app_js::connection(ns));
                rust = format!("{}\n{rust}", printed.connect);
            }
            Snippet {
                client: Some(emit),
                js,
                rust,
            }
        }
        Action::Ask {
            event,
            payload,
            timeout_ms,
            ..
        } => {
            let (js, rust) = handler(event);
            let mut call = vec![format!("{event:?}")];
            call.extend(payload.iter().map(arg_js));
            let call = call.join(", ");
            Snippet {
                client: Some(format!(
                    "await socket.timeout({timeout_ms}).emitWithAck({call})"
                )),
                js,
                rust,
            }
        }
        Action::Fault { fault, .. } => {
            let gone = app_js::disconnection(ns).unwrap_or_else(|| none("disconnect handler"));
            let gone_rust = printed
                .disconnect
                .clone()
                .unwrap_or_else(|| none("disconnect handler"));
            // A cut and a resume end with the client back: the connection handler
            // runs again, for a new socket.
            let (js, rust) = match fault {
                Fault::Pause => (gone, gone_rust),
                _ => (
                    format!("{gone}\n{}", app_js::connection(ns)),
                    format!("{gone_rust}\n{}", printed.connect),
                ),
            };
            Snippet {
                client: Some(network_line(*fault)),
                js,
                rust,
            }
        }
        _ => for_step(step, client),
    }
}

/// A network fault runs no client code: a comment says what the network did.
fn network_line(fault: Fault) -> String {
    match fault {
        Fault::Cut => "// the network drops: the TCP connection is cut, no close frame".into(),
        Fault::Pause => "// the network freezes: nothing gets through either way".into(),
        Fault::Resume => "// the network is back: what waited gets through".into(),
    }
}

/// A client's argument as JavaScript: `"id:bob"` stands for bob's socket id, which
/// a page would hold in a variable.
fn arg_js(arg: &Value) -> String {
    match arg {
        Value::String(s) if s.starts_with("id:") => room_js(s),
        other => other.to_string(),
    }
}

/// How a client leaves: its own call, or a closed tab, which runs no code at all.
fn leaving(close_transport: bool) -> String {
    if close_transport {
        "// the tab closes: the connection drops, no socket.disconnect() is sent".into()
    } else {
        "socket.disconnect()".into()
    }
}

/// The code behind a step. `client` is the step's (first) actor.
pub fn for_step(step: &Step, client: &Client) -> Snippet {
    let actor_ns = client.namespace.as_str();
    match &step.action {
        Action::Connect { .. } if actor_ns == ADMIN_NS => Snippet {
            client: Some(client_connect(client)),
            js: "io.of(\"/admin\").use(checkToken)  // next(err) refuses".into(),
            rust: "io.ns(\"/admin\", on_connect.with(check_token))  // Err refuses".into(),
        },
        Action::Connect { .. } => Snippet {
            client: Some(client_connect(client)),
            js: "io.on(\"connection\", (socket) => { console.log(\"a user connected\"); })".into(),
            rust: "io.ns(\"/\", async |socket: SocketRef| println!(\"a user connected\"))".into(),
        },
        Action::Disconnect {
            close_transport, ..
        } => Snippet {
            client: Some(leaving(*close_transport)),
            js: "socket.on(\"disconnect\", (reason) => { console.log(\"user disconnected\"); })".into(),
            rust: "socket.on_disconnect(async |reason: DisconnectReason| println!(\"user disconnected\"))".into(),
        },
        Action::Fault { fault, .. } => Snippet {
            client: Some(network_line(*fault)),
            js: "socket.on(\"disconnect\", (reason) => { console.log(\"user disconnected\"); })".into(),
            rust: "socket.on_disconnect(async |reason: DisconnectReason| println!(\"user disconnected\"))".into(),
        },
        // The servers' configuration, which the step shows in its own words.
        Action::Redeploy { .. } => Snippet {
            client: None,
            js: String::new(),
            rust: String::new(),
        },
        Action::Join { rooms, .. } => Snippet {
            client: None,
            js: format!("socket.join({})", rooms_arg(rooms, room_js)),
            rust: format!("socket.join({})", rooms_arg(rooms, room_rust)),
        },
        Action::Leave { rooms, .. } => {
            let js = rooms_arg(rooms, room_js);
            Snippet {
                client: None,
                js: if rooms.len() == 1 {
                    format!("socket.leave({js})")
                } else {
                    format!("{js}.forEach((room) => socket.leave(room))")
                },
                rust: format!("socket.leave({})", rooms_arg(rooms, room_rust)),
            }
        }
        Action::Emit {
            event,
            payload,
            emit,
            ..
        } => server_emit(emit, event, payload, actor_ns),
        Action::Ask {
            event,
            payload,
            timeout_ms,
            ..
        } => {
            let (js, rust) = handler_or_none(actor_ns, event);
            let call = format!("{event:?}{}", payload_js(payload));
            Snippet {
                client: Some(format!(
                    "await socket.timeout({timeout_ms}).emitWithAck({call})"
                )),
                js,
                rust,
            }
        }
        Action::Send {
            event,
            payload,
            before_connect,
            ..
        } => {
            let (js, rust) = handler_or_none(actor_ns, event);
            let emit = format!("socket.emit({event:?}{})", payload_js(payload));
            Snippet {
                // Nothing in between: the emit runs before the connection is up.
                client: Some(match before_connect {
                    true => format!("const socket = {}; {emit}", client_connect(client)),
                    false => emit,
                }),
                js,
                rust,
            }
        }
    }
}

/// An `emit` step's server call, with or without acknowledgements.
fn server_emit(emit: &Emit, event: &str, payload: &Option<Value>, actor_ns: &str) -> Snippet {
    let js_target = selection(emit, actor_ns, false);
    let rust_target = selection(emit, actor_ns, true);
    let (js_args, rust_args) = (payload_js(payload), payload_rust(payload));
    if emit.ack_timeout_ms.is_some() {
        // A broadcast's ack stream is obtained asynchronously; a socket's directly.
        let get = if emit.selects() { ".await?" } else { "?" };
        return Snippet {
            client: None,
            js: format!("await {js_target}.emitWithAck({event:?}{js_args})"),
            rust: format!(
                "{rust_target}.emit_with_ack::<_, Value>({event:?}{rust_args}){get}.await"
            ),
        };
    }
    let await_ = if emit.selects() { ".await" } else { "" };
    Snippet {
        client: None,
        js: format!("{js_target}.emit({event:?}{js_args})"),
        rust: format!("{rust_target}.emit({event:?}{rust_args}){await_}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> Client {
        Client {
            name: "alice".into(),
            namespace: "/".into(),
            auth: Default::default(),
            answers: Vec::new(),
            connection: None,
            node: None,
            transport: Default::default(),
        }
    }

    fn emit(spec: Emit, payload: Value) -> Step {
        Step {
            title: "t".into(),
            line: 0,
            column: 0,
            narration: String::new(),
            action: Action::Emit {
                actor: "alice".into(),
                event: "news".into(),
                payload: Some(payload),
                emit: spec,
            },
            expect: Default::default(),
        }
    }

    #[test]
    fn socket_to_two_rooms() {
        let spec = Emit {
            to: vec!["r1".into(), "r2".into()],
            ..Emit::default()
        };
        let s = for_step(&emit(spec, Value::from("hi")), &alice());
        assert_eq!(s.js, r#"socket.to(["r1", "r2"]).emit("news", "hi")"#);
        assert_eq!(
            s.rust,
            r#"socket.broadcast().to(["r1", "r2"]).emit("news", &"hi").await"#
        );
    }

    #[test]
    fn io_of_admin_with_own_id_room() {
        let spec = Emit {
            from: EmitFrom::Io,
            except: vec!["id:bob".into()],
            of: Some("/admin".into()),
            ..Emit::default()
        };
        let s = for_step(&emit(spec, serde_json::json!({"a": 1})), &alice());
        assert_eq!(
            s.js,
            r#"io.of("/admin").except(bobId).emit("news", {"a":1})"#
        );
        assert_eq!(
            s.rust,
            r#"io.of("/admin").unwrap().except(bob_id).emit("news", &json!({"a":1})).await"#
        );
    }

    #[test]
    fn plain_socket_emit_is_synchronous_in_rust() {
        let s = for_step(&emit(Emit::default(), Value::from(1)), &alice());
        assert_eq!(s.js, r#"socket.emit("news", 1)"#);
        assert_eq!(s.rust, r#"socket.emit("news", &1)"#);
    }
}
