//! The server code behind each step, in JavaScript (what the Socket.IO docs use) and
//! in Rust (socketioxide), generated from the step itself so the two cannot drift.

use serde_json::Value;

use crate::lesson::{Client, EmitSpec, Op, Origin, Step};
use crate::protocol::{ADMIN_NS, MAIN_NS};

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

fn selection(spec: &EmitSpec, actor_ns: &str, rust: bool) -> String {
    let one: fn(&str) -> String = if rust { room_rust } else { room_js };
    let mut call = selection_base(spec, actor_ns, rust);
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

fn selection_base(spec: &EmitSpec, actor_ns: &str, rust: bool) -> String {
    match spec.from {
        Origin::Socket => {
            let mut s = "socket".to_string();
            if spec.broadcast {
                s.push_str(if rust { ".broadcast()" } else { ".broadcast" });
            }
            s
        }
        Origin::Io => {
            let ns = spec.of.as_deref().unwrap_or(actor_ns);
            match (ns == MAIN_NS && spec.of.is_none(), rust) {
                (true, _) => "io".to_string(),
                (false, false) => format!("io.of({ns:?})"),
                (false, true) => format!("io.of({ns:?}).unwrap()"),
            }
        }
    }
}

/// Whether a socketioxide call needs `.await` (broadcasts go through the adapter).
fn is_broadcast(spec: &EmitSpec) -> bool {
    spec.from == Origin::Io
        || spec.broadcast
        || !spec.to.is_empty()
        || !spec.within.is_empty()
        || !spec.except.is_empty()
}

/// The server handler the lab server runs for an application event, if any.
pub fn handler(namespace: &str, event: &str) -> Option<(&'static str, &'static str)> {
    match (namespace, event) {
        (MAIN_NS, "chat message") => Some((
            "socket.on(\"chat message\", (msg) => io.emit(\"chat message\", msg))",
            "io.emit(\"chat message\", &msg).await  // in the handler",
        )),
        (MAIN_NS, "ping") => Some((
            "socket.on(\"ping\", (msg, ack) => ack(\"pong\"))",
            "socket.on(\"ping\", async |ack: AckSender| { ack.send(&\"pong\").ok(); })",
        )),
        (MAIN_NS, "sleepy") => Some((
            "socket.on(\"sleepy\", (msg, ack) => { /* never calls ack */ })",
            "socket.on(\"sleepy\", async |_ack: AckSender| {})  // never answers",
        )),
        (ADMIN_NS, "announce") => Some((
            "socket.on(\"announce\", (msg) => io.of(\"/\").emit(\"announcement\", msg))",
            "io.of(\"/\").unwrap().emit(\"announcement\", &msg).await  // in the handler",
        )),
        _ => None,
    }
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

pub fn for_step(step: &Step, client: &Client) -> Snippet {
    let actor_ns = client.namespace.as_str();
    let rooms_js = || rooms_arg(&step.rooms, room_js);
    let rooms_rust = || rooms_arg(&step.rooms, room_rust);
    match step.op {
        Op::Connect if actor_ns == ADMIN_NS => Snippet {
            client: Some(client_connect(client)),
            js: "io.of(\"/admin\").use(checkToken)  // next(err) refuses".into(),
            rust: "io.ns(\"/admin\", on_connect.with(check_token))  // Err refuses".into(),
        },
        Op::Connect => Snippet {
            client: Some(client_connect(client)),
            js: "io.on(\"connection\", (socket) => { console.log(\"a user connected\"); })".into(),
            rust: "io.ns(\"/\", async |socket: SocketRef| println!(\"a user connected\"))".into(),
        },
        Op::Disconnect => Snippet {
            client: Some("socket.disconnect()".into()),
            js: "socket.on(\"disconnect\", (reason) => { console.log(\"user disconnected\"); })".into(),
            rust: "socket.on_disconnect(async |reason: DisconnectReason| println!(\"user disconnected\"))".into(),
        },
        Op::Join => Snippet {
            client: None,
            js: format!("socket.join({})", rooms_js()),
            rust: format!("socket.join({})", rooms_rust()),
        },
        Op::Leave => Snippet {
            client: None,
            js: if step.rooms.len() == 1 {
                format!("socket.leave({})", rooms_js())
            } else {
                format!("{}.forEach((room) => socket.leave(room))", rooms_js())
            },
            rust: format!("socket.leave({})", rooms_rust()),
        },
        Op::Emit if step.emit.ack_timeout_ms.is_some() => {
            let event = step.event.as_deref().unwrap_or_default();
            // A broadcast's ack stream is obtained asynchronously; a socket's directly.
            let get = if is_broadcast(&step.emit) { ".await?" } else { "?" };
            Snippet {
                client: None,
                js: format!(
                    "await {}.emitWithAck({event:?}{})",
                    selection(&step.emit, actor_ns, false),
                    payload_js(&step.payload)
                ),
                rust: format!(
                    "{}.emit_with_ack::<_, Value>({event:?}{}){get}.await",
                    selection(&step.emit, actor_ns, true),
                    payload_rust(&step.payload)
                ),
            }
        }
        Op::Emit => {
            let event = step.event.as_deref().unwrap_or_default();
            let await_ = if is_broadcast(&step.emit) { ".await" } else { "" };
            Snippet {
                client: None,
                js: format!(
                    "{}.emit({event:?}{})",
                    selection(&step.emit, actor_ns, false),
                    payload_js(&step.payload)
                ),
                rust: format!(
                    "{}.emit({event:?}{}){await_}",
                    selection(&step.emit, actor_ns, true),
                    payload_rust(&step.payload)
                ),
            }
        }
        Op::Ask => {
            let event = step.event.as_deref().unwrap_or_default();
            let ms = step.ask_timeout_ms.unwrap_or(1000);
            let (js, rust) = handler(actor_ns, event).unwrap_or((
                "// no handler for this event in this namespace",
                "// no handler for this event in this namespace",
            ));
            Snippet {
                client: Some(format!(
                    "await socket.timeout({ms}).emitWithAck({event:?}{})",
                    payload_js(&step.payload)
                )),
                js: js.to_string(),
                rust: rust.to_string(),
            }
        }
        Op::Send => {
            let event = step.event.as_deref().unwrap_or_default();
            let (js, rust) = handler(actor_ns, event).unwrap_or((
                "// no handler for this event in this namespace",
                "// no handler for this event in this namespace",
            ));
            Snippet {
                client: Some(format!("socket.emit({event:?}{})", payload_js(&step.payload))),
                js: js.to_string(),
                rust: rust.to_string(),
            }
        }
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
        }
    }

    fn emit(spec: EmitSpec, payload: Value) -> Step {
        Step {
            title: "t".into(),
            op: Op::Emit,
            actors: vec!["alice".into()],
            event: Some("news".into()),
            payload: Some(payload),
            emit: spec,
            ..Step::default()
        }
    }

    #[test]
    fn socket_to_two_rooms() {
        let spec = EmitSpec {
            to: vec!["r1".into(), "r2".into()],
            ..EmitSpec::default()
        };
        let s = for_step(&emit(spec, Value::from("hi")), &alice());
        assert_eq!(s.js, r#"socket.to(["r1", "r2"]).emit("news", "hi")"#);
        assert_eq!(
            s.rust,
            r#"socket.to(["r1", "r2"]).emit("news", &"hi").await"#
        );
    }

    #[test]
    fn io_of_admin_with_own_id_room() {
        let spec = EmitSpec {
            from: Origin::Io,
            except: vec!["id:bob".into()],
            of: Some("/admin".into()),
            ..EmitSpec::default()
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
        let s = for_step(&emit(EmitSpec::default(), Value::from(1)), &alice());
        assert_eq!(s.js, r#"socket.emit("news", 1)"#);
        assert_eq!(s.rust, r#"socket.emit("news", &1)"#);
    }
}
