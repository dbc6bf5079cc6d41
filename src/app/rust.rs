//! The declared application as Rust for socketioxide 0.18: the calls the embedded
//! server makes when it interprets the declaration, with the shims that make
//! socketioxide behave as Node does written out where they apply, each with one line
//! saying how plain socketioxide differs.
//!
//! `tests/it/printed_rust.rs` compiles what this prints for every lesson, so a printed
//! line that would not compile fails CI.

use std::fmt::Write;

use super::expr::Source;
use super::validate::placeholders;
use super::{App, Handler, Middleware, Namespace, Op};
use crate::protocol::EmitFrom;

mod emit;

use emit::rooms_arg;
pub use emit::{emit_call, ANSWERS_SHIM, ANSWER_SHIM, RESERVED_SHIM, TIMED_OUT};

const INDENT: &str = "    ";

mod hold;
mod names;

pub use hold::HOLD_EARLY;
pub use names::Names;

/// The comment above the own-id room shim.
pub const OWN_ID_ROOM: &str = "// shim (Node does this itself): a room named by the socket's id";
/// The comment above a socket's broadcast.
pub const SENDER_ROOM: &str = "// shim: Node also leaves out the rest of the sender's own-id room";
/// The comment above a socket's broadcast in a namespace whose sockets may leave
/// their own-id room.
pub const LEFT_ROOM: &str = "// shim: Node leaves out the sender's own-id room, not the sender: \
     after socket.leave(socket.id) it is reached; socket.to(..) would skip it";

/// What an operation's Rust depends on beyond the operation: where it runs.
#[derive(Clone, Copy)]
struct Context<'a> {
    /// The namespace's `socket.data` type, which `set` writes.
    data_ty: &'a str,
    /// A client of the lesson shares another's connection, so `disconnect(true)`
    /// walks its namespaces (the function has `io`).
    shared: bool,
    /// In the `disconnect` part: Node has emptied `socket.rooms` by then.
    rooms_gone: bool,
}

impl<'a> Context<'a> {
    fn new(data_ty: &'a str, shared: bool) -> Self {
        Context {
            data_ty,
            shared,
            rooms_gone: false,
        }
    }
}

/// A text value as an owned `String`, what a `socket.data` field holds.
fn text_value(v: &super::Expr) -> String {
    match &v.0 {
        Source::Param(name) => format!("{name}.clone()"),
        Source::Data(key) => format!("data.{key}.clone()"),
        Source::SocketId => "socket.id.to_string()".into(),
        Source::Nsp => "socket.ns().to_string()".into(),
        _ => format!("{}.to_string()", emit::value(v)),
    }
}

/// The comment above `disconnect(true)` in a lesson whose clients share connections.
pub const CLOSE_SHIM: &str = "// shim: Node's disconnect(true) closes the whole connection, every \
     namespace's socket on it; socketioxide's disconnect() closes this one";

/// The whole application as a program, `src/main.rs` of the crate `export --lang
/// rust` writes: the handlers, `install` (which registers the namespaces on a
/// `SocketIo`), `serve` (the server on a bound listener, with the startup line) and
/// `main` (binds `127.0.0.1:PORT`, 3000 unless set). `heartbeat` is a lesson's
/// `(pingInterval, pingTimeout)` in ms, part of its server as in Node.
pub fn module(app: &App, heartbeat: Option<(u64, u64)>) -> String {
    let mut body = String::new();
    let mut installs = Vec::new();
    for ns in &app.namespaces {
        let (code, install) = namespace(ns);
        body.push_str(&code);
        body.push('\n');
        installs.push(install);
    }
    body.push_str("pub fn install(io: &SocketIo) {\n");
    for line in installs {
        let _ = writeln!(body, "{INDENT}{line}");
    }
    body.push_str("}\n");
    let layer = match heartbeat {
        None => "SocketIo::new_layer()".to_string(),
        Some((interval, timeout)) => format!(
            "SocketIo::builder()\n{INDENT}{INDENT}.ping_interval(Duration::from_millis({interval}))\n\
             {INDENT}{INDENT}.ping_timeout(Duration::from_millis({timeout}))\n\
             {INDENT}{INDENT}.build_layer()"
        ),
    };
    let startup = listening(app).unwrap_or_else(|| {
        "let port = listener.local_addr()?.port();\nprintln!(\"listening on *:{port}\");\n"
            .to_string()
    });
    let _ = write!(
        body,
        "\n/// The server on a bound listener (`main` runs it; so can a test).\n\
         pub async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {{\n\
         {INDENT}let (layer, io) = {layer};\n\
         {INDENT}install(&io);\n{}\
         {INDENT}axum::serve(listener, axum::Router::new().layer(layer)).await\n}}\n\
         \n\
         #[tokio::main]\n\
         async fn main() -> std::io::Result<()> {{\n\
         {INDENT}let port = std::env::var(\"PORT\").ok().and_then(|p| p.parse().ok()).unwrap_or(3000);\n\
         {INDENT}serve(tokio::net::TcpListener::bind((\"127.0.0.1\", port)).await?).await\n}}\n",
        indent(&startup, 1)
    );
    imports(&body) + "\n" + &body
}

/// The `use` lines `body` needs, and no more: an unused import is a warning in the
/// learner's build.
fn imports(body: &str) -> String {
    let has = |text: &str| body.contains(text);
    let mut out = String::new();
    match (has("json!("), has("Value")) {
        (true, true) => out.push_str("use serde_json::{json, Value};\n"),
        (true, false) => out.push_str("use serde_json::json;\n"),
        (false, true) => out.push_str("use serde_json::Value;\n"),
        (false, false) => {}
    }
    let extract: Vec<&str> = [
        ("AckSender", "AckSender"),
        ("Data<", "Data"),
        ("Event(", "Event"),
        ("SocketRef", "SocketRef"),
        ("TryData(", "TryData"),
    ]
    .into_iter()
    .filter(|(used, _)| has(used))
    .map(|(_, name)| name)
    .collect();
    match extract.as_slice() {
        [] => {}
        [one] => {
            let _ = writeln!(out, "use socketioxide::extract::{one};");
        }
        many => {
            let _ = writeln!(out, "use socketioxide::extract::{{{}}};", many.join(", "));
        }
    }
    if has(".with(") {
        out.push_str("use socketioxide::handler::ConnectHandler;\n");
    }
    out.push_str("use socketioxide::SocketIo;\n");
    // A broadcast's answers are a stream (`collect`).
    if has("acks.collect()") {
        out.push_str("use futures_util::StreamExt;\n");
    }
    if has("Duration::") {
        out.push_str("use std::time::Duration;\n");
    }
    out
}

/// The startup line, logged once the listener is bound (`axum::serve` follows).
pub fn listening(app: &App) -> Option<String> {
    let line = app.listening.as_deref()?;
    Some(format!(
        "let port = listener.local_addr()?.port();\n{};\n",
        log(line, false)
    ))
}

/// One namespace printed: each function apart, so a step can show the one that ran.
pub struct Printed {
    /// The middlewares, then the connection handler.
    pub connect: String,
    /// Each event's handler, by event.
    pub events: Vec<(String, String)>,
    /// The catch-all for events no handler takes.
    pub unhandled: Option<String>,
    pub disconnect: Option<String>,
    /// The line that registers the namespace.
    pub register: String,
    /// The per-packet middleware's function (`socket.use`), empty without one.
    pub packet: String,
    /// `any`'s function (Node's `socket.onAny`), empty without one.
    pub any: String,
}

impl Printed {
    pub fn event(&self, event: &str) -> Option<&str> {
        self.events
            .iter()
            .find(|(e, _)| e == event)
            .map(|(_, code)| code.as_str())
    }

    fn all(&self) -> String {
        let mut parts = vec![self.connect.clone()];
        parts.extend((!self.any.is_empty()).then(|| self.any.clone()));
        parts.extend((!self.packet.is_empty()).then(|| self.packet.clone()));
        parts.extend(self.events.iter().map(|(_, code)| code.clone()));
        parts.extend(self.unhandled.clone());
        parts.extend(self.disconnect.clone());
        parts.join("\n")
    }
}

/// One namespace's functions, and the line that registers it.
pub fn namespace(ns: &Namespace) -> (String, String) {
    let printed = printed(ns);
    (printed.all(), printed.register)
}

pub fn printed(ns: &Namespace) -> Printed {
    let mut marked = ns.clone();
    marked.mark_own_room_left();
    let ns = &marked;
    let mut names = Names::new(ns);
    let connect = names.of("on connect");
    let data_ty = names.data_type();
    let mut out = String::new();
    let kept = ns.fields();
    if !kept.is_empty() {
        let _ = writeln!(
            out,
            "/// What the socket keeps for its handlers (Node: `socket.data`)."
        );
        let _ = writeln!(out, "#[derive(Clone, Default)]\nstruct {data_ty} {{");
        for key in &kept {
            let _ = writeln!(out, "{INDENT}{key}: String,");
        }
        out.push_str("}\n\n");
    }
    let hold = ns.hold_early.then(|| hold::Hold::new(&mut names));
    let mut handler = connect.clone();
    if let Some(hold) = &hold {
        // The first `with` runs last: after the namespace's own middlewares.
        let _ = write!(handler, ".with({})", hold.attach);
    }
    for mw in &ns.middleware {
        let name = names.of("guard");
        out.push_str(&middleware(&name, mw, &data_ty));
        out.push('\n');
        let _ = write!(handler, ".with({name})");
    }
    let disconnect = (!ns.disconnecting.is_empty() || !ns.disconnect.is_empty())
        .then(|| names.of("on disconnect"));
    let events: Vec<(String, &Handler)> = ns.events.iter().map(|h| (names.event(h), h)).collect();
    // A per-packet middleware and `any` run for events no handler takes, too.
    let unhandled = (!ns.unhandled.is_empty() || !ns.packet.is_empty() || !ns.any.is_empty())
        .then(|| names.of("on unhandled"));
    let mut attached: Vec<String> = events
        .iter()
        .map(|(function, h)| format!("socket.on({}, {function});", string(&h.event)))
        .collect();
    if let Some(function) = &unhandled {
        attached.push(format!("socket.on_fallback({function});"));
    }
    let wait = hold.as_ref().map(hold::Hold::wait);
    let open = match &hold {
        Some(hold) => {
            out.push_str(&hold.code(&attached));
            hold.open()
        }
        None => attached.iter().map(|line| format!("{line}\n")).collect(),
    };
    out.push_str(&connect_fn(
        ns,
        &connect,
        &open,
        disconnect.as_deref(),
        &data_ty,
    ));
    let register = match ns.dynamic_param() {
        None => format!("io.ns({}, {handler});", string(&ns.name)),
        Some(_) => format!(
            "io.dyn_ns({}, {handler}).expect(\"a valid pattern\");",
            string(&ns.name)
        ),
    };
    let check = (!ns.packet.is_empty()).then(|| names.of("packet middleware"));
    let any =
        (!ns.any.is_empty()).then(|| any_fn(ns, &names.of("on any"), &data_ty, wait.as_deref()));
    let guarded = |function: String, event: &str| {
        let function = match &check {
            None => function,
            Some(check) => super::packet::guarded(&function, check, event),
        };
        match &any {
            None => function,
            Some((_, call)) => call.first_in(&function, event),
        }
    };
    Printed {
        any: any
            .as_ref()
            .map(|(code, _)| code.clone())
            .unwrap_or_default(),
        connect: out,
        packet: check
            .as_deref()
            .map(|check| super::packet::rust_fn(ns, check, &data_ty))
            .unwrap_or_default(),
        events: events
            .iter()
            .map(|(name, h)| {
                let function = event_fn(name, h, &data_ty, wait.as_deref(), ns.shared_connections);
                (h.event.clone(), guarded(function, &string(&h.event)))
            })
            .collect(),
        disconnect: disconnect.map(|name| disconnect_fn(ns, &name, &data_ty)),
        unhandled: unhandled.map(|name| {
            let function = unhandled_fn(ns, &name, &data_ty, wait.as_deref());
            let function = match &check {
                None => function,
                Some(check) => super::packet::checked_last(&function, check),
            };
            match &any {
                None => function,
                Some((_, call)) => {
                    let function = function.replace("Event(_event)", "Event(event)");
                    call.first_in(&function, "&event")
                }
            }
        }),
        register,
    }
}

fn middleware(name: &str, mw: &Middleware, data_ty: &str) -> String {
    let socket = if mw.data.is_empty() {
        ""
    } else {
        "socket: SocketRef, "
    };
    let mut out = format!(
        "async fn {name}({socket}TryData(auth): TryData<Value>) -> Result<(), String> {{\n"
    );
    if mw.require.is_empty() && mw.data.is_empty() {
        let _ = writeln!(out, "{INDENT}let _ = auth;");
    } else {
        let _ = writeln!(out, "{INDENT}let auth = auth.unwrap_or_default();");
    }
    if !mw.require.is_empty() {
        let tests: Vec<String> = mw
            .require
            .iter()
            .map(|(key, value)| format!("auth[{}] != json!({value})", string(key)))
            .collect();
        let _ = writeln!(out, "{INDENT}if {} {{", tests.join(" || "));
        let _ = writeln!(
            out,
            "{INDENT}{INDENT}return Err({}.into());",
            string(&mw.refuse)
        );
        let _ = writeln!(out, "{INDENT}}}");
    }
    if !mw.data.is_empty() {
        let _ = writeln!(
            out,
            "{INDENT}let mut data = socket.extensions.get::<{data_ty}>().unwrap_or_default();"
        );
        for key in &mw.data {
            let _ = writeln!(
                out,
                "{INDENT}data.{key} = auth[{}].as_str().unwrap_or_default().to_string();",
                string(key)
            );
        }
        let _ = writeln!(out, "{INDENT}socket.extensions.insert(data);");
    }
    let _ = writeln!(out, "{INDENT}Ok(())");
    out.push_str("}\n");
    out
}

/// The line that reads the kept fields, first in a function whose operations use them.
fn data_preamble(list: &[Op], data_ty: &str) -> String {
    if list.iter().any(reads_data) {
        format!("let data = socket.extensions.get::<{data_ty}>().unwrap_or_default();\n")
    } else {
        String::new()
    }
}

fn reads_data(op: &Op) -> bool {
    op.placeholders().iter().any(|n| n.starts_with("data."))
        || op.values().iter().any(|e| matches!(e.0, Source::Data(_)))
}

/// The connection handler; `attach` is its lines after the operations: the
/// handlers it attaches, or (with the early-event shim) the gate it opens.
fn connect_fn(
    ns: &Namespace,
    name: &str,
    attach: &str,
    disconnect: Option<&str>,
    data_ty: &str,
) -> String {
    let mut out = format!("async fn {name}(socket: SocketRef) {{\n");
    let mut body = if ns.own_id_rooms() {
        format!("{OWN_ID_ROOM}\nsocket.join(socket.id);\n")
    } else {
        String::new()
    };
    body.push_str(&data_preamble(&ns.connection, data_ty));
    // No `io` here: `disconnect(true)` closes this namespace only.
    body.push_str(&ops(&ns.connection, Context::new(data_ty, false)));
    body.push_str(attach);
    if let Some(function) = disconnect {
        let _ = writeln!(body, "socket.on_disconnect({function});");
    }
    out.push_str(&indent(&body, 1));
    out.push_str("}\n");
    out
}

fn disconnect_fn(ns: &Namespace, name: &str, data_ty: &str) -> String {
    // `{rooms}` in the `disconnect` part reads no socket: the shim's empty list.
    let gone = ns.disconnect.iter().map(|op| match op {
        Op::Log(text) => Op::Log(text.replace("{rooms}", "")),
        other => other.clone(),
    });
    let list: Vec<Op> = ns.disconnecting.iter().cloned().chain(gone).collect();
    let mut out = format!(
        "async fn {name}({}) {{\n",
        extractors(&list, &[], false, ns.shared_connections).join(", ")
    );
    let mut body = String::new();
    if !ns.disconnecting.is_empty() {
        body.push_str("// no `disconnecting` in socketioxide: rooms are still readable here\n");
    }
    body.push_str(&data_preamble(&list, data_ty));
    let cx = Context::new(data_ty, ns.shared_connections);
    body.push_str(&ops(&ns.disconnecting, cx));
    // Node has emptied `socket.rooms` by `disconnect`; this handler still sees them.
    let gone = Context {
        rooms_gone: true,
        ..cx
    };
    body.push_str(&ops(&ns.disconnect, gone));
    out.push_str(&indent(&body, 1));
    out.push_str("}\n");
    out
}

/// The comment over the call to `any`'s function, in every handler.
pub const ANY_SHIM: &str = "// shim: socketioxide has no `onAny`; each handler calls it first";

/// How a handler calls `any`'s function: its name and what it reads.
struct AnyCall {
    name: String,
    socket: bool,
    io: bool,
}

impl AnyCall {
    /// `function` with the call first in its body (before the per-packet
    /// middleware's, as Node runs `onAny` before `socket.use`), and the extractors
    /// the call needs; `event` is the Rust expression of the event's name there.
    fn first_in(&self, function: &str, event: &str) -> String {
        let Some((head, body)) = function.split_once('\n') else {
            return function.to_string();
        };
        let mut head = head.to_string();
        let mut args = Vec::new();
        if self.socket {
            args.push("&socket");
        }
        if self.io {
            args.push("&io");
            if !head.contains("io: SocketIo") {
                head = match head.find("socket: SocketRef, ") {
                    Some(at) => {
                        let at = at + "socket: SocketRef, ".len();
                        format!("{}io: SocketIo, {}", &head[..at], &head[at..])
                    }
                    None => head.replacen('(', "(io: SocketIo, ", 1),
                };
            }
        }
        if self.socket && !head.contains("socket: SocketRef") {
            head = head.replacen('(', "(socket: SocketRef, ", 1);
        }
        let head = head.replace(", )", ")");
        args.push(event);
        format!(
            "{head}\n{INDENT}{ANY_SHIM}\n{INDENT}{}({}).await;\n{body}",
            self.name,
            args.join(", ")
        )
    }
}

/// `any`'s function (Node's `socket.onAny`), which every handler calls first; with
/// the early-event shim it waits for the connection handler itself, as Node runs
/// `onAny` only once that handler has ended.
fn any_fn(ns: &Namespace, name: &str, data_ty: &str, wait: Option<&str>) -> (String, AnyCall) {
    let socket = wait.is_some() || ns.any.iter().any(needs_socket);
    let io = ns
        .any
        .iter()
        .any(|op| matches!(op, Op::Emit(e) if e.from == EmitFrom::Io));
    let mut params = Vec::new();
    if socket {
        params.push("socket: &SocketRef".to_string());
    }
    if io {
        params.push("io: &SocketIo".to_string());
    }
    let reads_event = ns.any.iter().any(|op| op_reads(op, "event"));
    params.push(format!(
        "{}: &str",
        if reads_event { "event" } else { "_event" }
    ));
    let mut out = String::from(
        "/// Node's `socket.onAny`: every handler of this namespace calls it first.\n",
    );
    let _ = writeln!(out, "async fn {name}({}) {{", params.join(", "));
    let body = wait.unwrap_or_default().to_string()
        + &data_preamble(&ns.any, data_ty)
        + &ops(&ns.any, Context::new(data_ty, false));
    out.push_str(&indent(&body, 1));
    out.push_str("}\n");
    let call = AnyCall {
        name: name.to_string(),
        socket,
        io,
    };
    (out, call)
}

/// `on_fallback`'s handler: the event's name through `Event`.
fn unhandled_fn(ns: &Namespace, name: &str, data_ty: &str, wait: Option<&str>) -> String {
    let mut args = extractors(&ns.unhandled, &[], false, ns.shared_connections);
    with_socket(&mut args, wait);
    let reads_event = ns.unhandled.iter().any(|op| op_reads(op, "event"));
    let binding = if reads_event { "event" } else { "_event" };
    args.push(format!("Event({binding}): Event"));
    let mut out = format!("async fn {name}({}) {{\n", args.join(", "));
    let body = wait.unwrap_or_default().to_string()
        + &data_preamble(&ns.unhandled, data_ty)
        + &ops(&ns.unhandled, Context::new(data_ty, ns.shared_connections));
    out.push_str(&indent(&body, 1));
    out.push_str("}\n");
    out
}

/// `async fn on_event(...)` with the extractors its operations need; `wait` is the
/// early-event shim's first line, if the namespace has it.
pub fn event_fn(
    name: &str,
    handler: &Handler,
    data_ty: &str,
    wait: Option<&str>,
    shared: bool,
) -> String {
    let params: Vec<_> = handler.params().collect();
    let mut args = extractors(&handler.ops, &params, handler.answers(), shared);
    with_socket(&mut args, wait);
    let mut out = format!("async fn {name}({}) {{\n", args.join(", "));
    let body = wait.unwrap_or_default().to_string()
        + &data_preamble(&handler.ops, data_ty)
        + &ops(&handler.ops, Context::new(data_ty, shared));
    out.push_str(&indent(&body, 1));
    out.push_str("}\n");
    out
}

/// A held handler reads its socket to wait on, whatever its operations need.
fn with_socket(args: &mut Vec<String>, wait: Option<&str>) {
    const SOCKET: &str = "socket: SocketRef";
    if wait.is_some() && args.first().map(String::as_str) != Some(SOCKET) {
        args.insert(0, SOCKET.to_string());
    }
}

/// `shared`: a client of the lesson carries several namespaces on one connection.
fn extractors(list: &[Op], params: &[super::Param], ack: bool, shared: bool) -> Vec<String> {
    let mut args = Vec::new();
    if list.iter().any(needs_socket) {
        args.push("socket: SocketRef".to_string());
    }
    if list.iter().any(|op| {
        matches!(op, Op::Emit(e) if e.from == EmitFrom::Io || e.own_room_left)
            || matches!(op, Op::FetchSockets(_))
            || (shared && *op == Op::Disconnect(true))
    }) {
        args.push("io: SocketIo".to_string());
    }
    let ty = |p: &super::Param| if p.json { "Value" } else { "String" };
    // A parameter no operation reads is written `_name`, as Rust wants it.
    let used = |name: &str| list.iter().any(|op| op_reads(op, name));
    let binding = |p: &super::Param| {
        if used(p.name) {
            p.name.to_string()
        } else {
            format!("_{}", p.name)
        }
    };
    match params {
        [] => {}
        [one] => args.push(format!("Data({}): Data<{}>", binding(one), ty(one))),
        many => {
            let names: Vec<String> = many.iter().map(binding).collect();
            let types: Vec<&str> = many.iter().map(ty).collect();
            args.push(format!(
                "Data(({})): Data<({})>",
                names.join(", "),
                types.join(", ")
            ));
        }
    }
    if ack {
        args.push("ack: AckSender".to_string());
    }
    args
}

/// Whether `op` reads the parameter `name`.
fn op_reads(op: &Op, name: &str) -> bool {
    matches!(op, Op::Emit(e) if e.event_param() == Some(name))
        || op.placeholders().contains(&name)
        || op
            .values()
            .iter()
            .any(|e| matches!(&e.0, Source::Param(p) if p == name))
}

fn needs_socket(op: &Op) -> bool {
    let from_socket = matches!(op, Op::Emit(e) if e.from == EmitFrom::Socket);
    reads_data(op)
        || from_socket
        || matches!(
            op,
            Op::Join(_) | Op::Leave(_) | Op::Disconnect(_) | Op::Set(_)
        )
        || op
            .placeholders()
            .iter()
            .any(|n| *n == "nsp" || *n == "rooms")
        || op
            .values()
            .iter()
            .any(|e| matches!(e.0, Source::SocketId | Source::Nsp))
}

fn ops(list: &[Op], cx: Context) -> String {
    list.iter().map(|o| op(o, cx)).collect()
}

fn op(op: &Op, cx: Context) -> String {
    match op {
        Op::Log(text) => format!("{};\n", log(text, cx.rooms_gone)),
        Op::Emit(emit) => emit_call(emit),
        Op::Join(rooms) => format!("socket.join({});\n", rooms_arg(rooms)),
        Op::Leave(rooms) => format!("socket.leave({});\n", rooms_arg(rooms)),
        Op::Ack(answer) => format!(
            "ack.send({}).ok();\n",
            emit::data(std::slice::from_ref(answer))
        ),
        Op::Disconnect(true) if cx.shared => format!(
            "{CLOSE_SHIM}\nfor ns in io.nsps() {{\n    if let Some(socket) = ns.get_socket(socket.id) {{\n        socket.disconnect().ok();\n    }}\n}}\n"
        ),
        Op::Disconnect(_) => "socket.clone().disconnect().ok();\n".to_string(),
        Op::WaitMs(ms) => format!("tokio::time::sleep(Duration::from_millis({ms})).await;\n"),
        Op::Set(fields) => {
            let mut out = format!(
                "let mut data = socket.extensions.get::<{}>().unwrap_or_default();\n",
                cx.data_ty
            );
            for (key, v) in fields {
                let _ = writeln!(out, "data.{key} = {};", text_value(v));
            }
            out.push_str("socket.extensions.insert(data);\n");
            out
        }
        Op::FetchSockets(text) => format!(
            "let count = io.fetch_sockets().await.map(|s| s.len()).unwrap_or(0);\n{};\n",
            log(text, cx.rooms_gone)
        ),
    }
}

/// How a log line reads the socket's rooms (see [`log`]).
const ROOMS_NOW: &str =
    "let mut rooms: Vec<String> = socket.rooms().into_iter().map(String::from)\n    \
     .filter(|r| *r != socket.id.as_str()).collect();\nrooms.sort();\n";
/// The same read in the `disconnect` part of socketioxide's one disconnect handler.
const ROOMS_GONE: &str =
    "// shim: by \"disconnect\" Node's socket.rooms is empty; this handler still sees them\n\
     let rooms: Vec<String> = Vec::new();\n";

/// `println!` with the template's names as inline arguments; `{nsp}` is positional,
/// and `{rooms}` is read into a sorted list first (an empty one when `rooms_gone`).
fn log(text: &str, rooms_gone: bool) -> String {
    let names = placeholders(text).unwrap_or_default();
    let mut out = String::new();
    if names.contains(&"rooms") {
        out.push_str(if rooms_gone { ROOMS_GONE } else { ROOMS_NOW });
    }
    let positional: Vec<String> = names
        .iter()
        .filter_map(|n| match *n {
            "nsp" => Some("socket.ns()".to_string()),
            "rooms" => Some("rooms.join(\", \")".to_string()),
            n if n.starts_with("data.") => Some(n.to_string()),
            _ => None,
        })
        .collect();
    let mut format = text.replace("{nsp}", "{}").replace("{rooms}", "{}");
    for name in names.iter().filter(|n| n.starts_with("data.")) {
        format = format.replace(&format!("{{{name}}}"), "{}");
    }
    let mut args = vec![string(&format)];
    args.extend(positional);
    let _ = write!(out, "println!({})", args.join(", "));
    out
}

pub(crate) fn string(text: &str) -> String {
    // JSON's string syntax is valid Rust for every character but `{`-free escapes of
    // control characters, which `\u{..}` spells in Rust.
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn indent(text: &str, depth: usize) -> String {
    super::indent(text, &INDENT.repeat(depth))
}

#[cfg(test)]
mod tests;
