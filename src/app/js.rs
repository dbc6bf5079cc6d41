//! The declared application as JavaScript for the `socket.io` package: the code the
//! Node reference runs when it interprets the declaration, call for call.

use std::fmt::Write;

use serde_json::Value;

use super::expr::Source;
use super::validate::{pieces, Piece};
use super::{App, EmitOp, Expr, Handler, Middleware, Namespace, Op};
use crate::protocol::{EmitFrom, MAIN_NS};

const INDENT: &str = "  ";

/// `{rooms}`: the socket's rooms but its own-id one, sorted.
const JS_ROOMS: &str = "[...socket.rooms].filter((r) => r !== socket.id).sort().join(\", \")";

/// The whole application, one namespace after another.
pub fn app(app: &App) -> String {
    let blocks: Vec<String> = app.namespaces.iter().map(namespace).collect();
    blocks.join("\n")
}

/// The startup, when the application logs a line once it listens.
pub fn listening(app: &App) -> Option<String> {
    let line = app.listening.as_deref()?;
    Some(format!(
        "server.listen(port, () => {{\n{INDENT}console.log({});\n}});\n",
        template(line, false)
    ))
}

/// One namespace: its middlewares, then its connection handler with every handler
/// it attaches.
pub fn namespace(ns: &Namespace) -> String {
    let mut out = connection_head(ns);
    let body = connection_body(ns);
    out.push_str(&indent(&body, 1));
    out.push_str("});\n");
    out
}

/// `io` for `/`, `io.of("/admin")`, or for a dynamic namespace the name of the
/// constant that holds it (see `declaration`).
fn target(ns: &Namespace) -> String {
    if ns.name == MAIN_NS {
        return "io".into();
    }
    match ns.dynamic_param() {
        None => format!("io.of({})", string(&ns.name)),
        Some(_) => parent_name(ns),
    }
}

/// `const tenants = io.of(/^\/tenants\/[^/]+$/);` for a dynamic namespace, nothing
/// for another: each regular expression literal is a parent namespace of its own, so
/// the middleware and the connection handler must be attached to the same one.
fn declaration(ns: &Namespace) -> String {
    let Some(param) = ns.dynamic_param() else {
        return String::new();
    };
    let (before, after) = ns
        .name
        .split_once(&format!("{{{param}}}"))
        .unwrap_or((&ns.name, ""));
    let escape = |s: &str| s.replace('/', "\\/");
    format!(
        "const {} = io.of(/^{}[^/]+{}$/);\n",
        parent_name(ns),
        escape(before),
        escape(after)
    )
}

/// The JavaScript name of a dynamic namespace's parent: its fixed part in camelCase
/// (`/tenants/{tenant}` gives `tenants`).
fn parent_name(ns: &Namespace) -> String {
    let fixed = ns.name.split('{').next().unwrap_or_default();
    let mut name = String::new();
    for word in fixed
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let word = word.to_ascii_lowercase();
        if name.is_empty() {
            name.push_str(&word);
        } else {
            let mut chars = word.chars();
            name.extend(chars.next().map(|c| c.to_ascii_uppercase()));
            name.push_str(chars.as_str());
        }
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name.insert_str(0, "namespace");
    }
    name
}

fn middleware(ns: &Namespace, mw: &Middleware) -> String {
    let mut out = format!("{}.use((socket, next) => {{\n", target(ns));
    if !mw.require.is_empty() {
        let tests: Vec<String> = mw
            .require
            .iter()
            .map(|(key, value)| format!("socket.handshake.auth.{key} !== {}", literal(value)))
            .collect();
        let _ = writeln!(out, "{INDENT}if ({}) {{", tests.join(" || "));
        let _ = writeln!(
            out,
            "{INDENT}{INDENT}return next(new Error({}));",
            string(&mw.refuse)
        );
        let _ = writeln!(out, "{INDENT}}}");
    }
    for key in &mw.data {
        // Only a text is kept, as the Rust does (`as_str()`).
        let field = format!("socket.handshake.auth.{key}");
        let _ = writeln!(
            out,
            "{INDENT}socket.data.{key} = typeof {field} === \"string\" ? {field} : \"\";"
        );
    }
    let _ = writeln!(out, "{INDENT}next();");
    out.push_str("});\n");
    out
}

/// The middlewares, then the first line of the connection handler.
fn connection_head(ns: &Namespace) -> String {
    let mut out = declaration(ns);
    out.extend(ns.middleware.iter().map(|mw| middleware(ns, mw)));
    let wait = ns
        .connection
        .iter()
        .any(|op| matches!(op, Op::WaitMs(_) | Op::FetchSockets(_)));
    let asynchronous = if wait { "async " } else { "" };
    let _ = writeln!(
        out,
        "{}.on(\"connection\", {asynchronous}(socket) => {{",
        target(ns)
    );
    out
}

/// The middlewares and the connection handler as the file holds it, each handler it
/// attaches (`socket.on`, `socket.onAny`, `socket.use`) down to its first and last
/// line: its body is shown where its event is sent.
pub fn connection(ns: &Namespace) -> String {
    let mut out = connection_head(ns);
    let mut body = String::new();
    let mut inside = false;
    for line in connection_body(ns).lines() {
        let attaches = ["socket.on(", "socket.onAny(", "socket.use("]
            .iter()
            .any(|call| line.starts_with(call));
        if inside {
            if line == "});" {
                inside = false;
                body.push_str("  // … shown when it runs\n});\n");
            }
            continue;
        }
        if attaches && line.ends_with('{') {
            inside = true;
        }
        body.push_str(line);
        body.push('\n');
    }
    out.push_str(&indent(&body, 1));
    out.push_str("});\n");
    out
}

/// `any`: Node's `socket.onAny`, which runs for every event, handled or not, before
/// the event's own handler.
pub fn any_listener(ns: &Namespace) -> Option<String> {
    if ns.any.is_empty() {
        return None;
    }
    let mut out = String::from("socket.onAny((event) => {\n");
    out.push_str(&indent(&ops(&ns.any), 1));
    out.push_str("});\n");
    Some(out)
}

/// The catch-all, kept to the events no handler takes, as socketioxide's
/// `on_fallback` is (Node's `onAny` alone runs for every event).
pub fn catch_all(ns: &Namespace) -> Option<String> {
    if ns.unhandled.is_empty() {
        return None;
    }
    let mut out = String::from("socket.onAny((event) => {\n");
    let mut body = String::from(
        "// only events no handler takes, as socketioxide's on_fallback\n\
         if (socket.listeners(event).length > 0) return;\n",
    );
    body.push_str(&ops(&ns.unhandled));
    out.push_str(&indent(&body, 1));
    out.push_str("});\n");
    Some(out)
}

/// The `disconnecting` and `disconnect` handlers, if declared.
pub fn disconnection(ns: &Namespace) -> Option<String> {
    let mut out = String::new();
    for (event, list) in [
        ("disconnecting", &ns.disconnecting),
        ("disconnect", &ns.disconnect),
    ] {
        if !list.is_empty() {
            let _ = writeln!(out, "socket.on({}, (reason) => {{", string(event));
            out.push_str(&indent(&ops(list), 1));
            out.push_str("});\n");
        }
    }
    (!out.is_empty()).then_some(out)
}

fn connection_body(ns: &Namespace) -> String {
    let mut out = super::packet::js(ns);
    out.push_str(&ops(&ns.connection));
    // Registered before the catch-all's `onAny`, so it runs first, as in Rust.
    if let Some(any) = any_listener(ns) {
        out.push_str(&any);
    }
    for handler in &ns.events {
        out.push_str(&event_handler(handler));
    }
    if let Some(catch_all) = catch_all(ns) {
        out.push_str(&catch_all);
    }
    if !ns.disconnecting.is_empty() {
        out.push_str("socket.on(\"disconnecting\", (reason) => {\n");
        out.push_str(&indent(&ops(&ns.disconnecting), 1));
        out.push_str("});\n");
    }
    if !ns.disconnect.is_empty() {
        out.push_str("socket.on(\"disconnect\", (reason) => {\n");
        out.push_str(&indent(&ops(&ns.disconnect), 1));
        out.push_str("});\n");
    }
    out
}

/// An event handler inside the connection handler of its namespace, where it is
/// attached (the rest of that handler left out): how a quiz choice that is
/// handler code shows where it runs.
pub fn attached_handler(ns: &Namespace, handler: &Handler) -> String {
    let wait = ns
        .connection
        .iter()
        .any(|op| matches!(op, Op::WaitMs(_) | Op::FetchSockets(_)));
    let asynchronous = if wait { "async " } else { "" };
    let mut out = declaration(ns);
    let _ = writeln!(
        out,
        "{}.on(\"connection\", {asynchronous}(socket) => {{",
        target(ns)
    );
    out.push_str(&indent(&event_handler(handler), 1));
    out.push_str("});\n");
    out
}

/// `socket.on(event, (args..., callback) => { ... })`.
pub fn event_handler(handler: &Handler) -> String {
    let mut params: Vec<&str> = handler.params().map(|p| p.name).collect();
    if handler.answers() {
        params.push("callback");
    }
    let wait = handler
        .ops
        .iter()
        .any(|op| matches!(op, Op::WaitMs(_) | Op::FetchSockets(_)));
    let asynchronous = if wait { "async " } else { "" };
    let mut out = format!(
        "socket.on({}, {asynchronous}({}) => {{\n",
        string(&handler.event),
        params.join(", ")
    );
    out.push_str(&indent(&ops(&handler.ops), 1));
    out.push_str("});\n");
    out
}

fn ops(list: &[Op]) -> String {
    list.iter().map(op).collect()
}

fn op(op: &Op) -> String {
    match op {
        Op::Log(text) => format!("console.log({});\n", template(text, false)),
        Op::Emit(emit) => format!("{};\n", emit_call(emit)),
        Op::Join(rooms) => format!("socket.join({});\n", rooms_arg(rooms)),
        Op::Leave(rooms) => rooms
            .iter()
            .map(|room| format!("socket.leave({});\n", value(room)))
            .collect(),
        Op::Ack(answer) => format!("callback({});\n", value(answer)),
        Op::Disconnect(close) => format!("socket.disconnect({close});\n"),
        Op::Set(fields) => fields
            .iter()
            .map(|(key, v)| format!("socket.data.{key} = {};\n", value(v)))
            .collect(),
        Op::WaitMs(ms) => format!("await new Promise((resolve) => setTimeout(resolve, {ms}));\n"),
        Op::FetchSockets(text) => format!(
            "const count = (await io.fetchSockets()).length;\nconsole.log({});\n",
            template(text, false)
        ),
    }
}

/// The emit with its operator chain, as Socket.IO's API spells it.
pub fn emit_call(emit: &EmitOp) -> String {
    let mut call = match (emit.from, &emit.of) {
        (EmitFrom::Socket, _) => "socket".to_string(),
        (EmitFrom::Io, None) => "io".to_string(),
        (EmitFrom::Io, Some(of)) => format!("io.of({})", string(of)),
    };
    if emit.broadcast {
        call.push_str(".broadcast");
    }
    if emit.local {
        call.push_str(".local");
    }
    for (verb, groups) in [
        ("to", &emit.to),
        ("in", &emit.within),
        ("except", &emit.except),
    ] {
        for rooms in groups {
            let _ = write!(call, ".{verb}({})", rooms_arg(rooms));
        }
    }
    if emit.volatile {
        call.push_str(".volatile");
    }
    if let Some(ms) = emit.timeout {
        let _ = write!(call, ".timeout({ms})");
    }
    let event = match emit.event_param() {
        Some(param) => param.to_string(),
        None => string(&emit.event),
    };
    let mut args = vec![event];
    args.extend(emit.args.iter().map(value));
    if let Some(callback) = &emit.callback {
        let [err, answers] = emit.callback_names();
        let body: String = callback
            .iter()
            .map(|op| match op {
                Op::Log(text) => format!("console.log({});\n", template(text, true)),
                other => self::op(other),
            })
            .collect();
        args.push(format!("({err}, {answers}) => {{\n{}}}", indent(&body, 1)));
    }
    let _ = write!(call, ".emit({})", args.join(", "));
    call
}

/// One room as it is, several as an array.
fn rooms_arg(rooms: &[Expr]) -> String {
    match rooms {
        [one] => value(one),
        many => format!(
            "[{}]",
            many.iter().map(value).collect::<Vec<_>>().join(", ")
        ),
    }
}

pub fn value(expr: &Expr) -> String {
    match &expr.0 {
        Source::Literal(v) => literal(v),
        Source::Param(name) => name.clone(),
        Source::SocketId => "socket.id".into(),
        Source::Nsp => "socket.nsp.name".into(),
        Source::Data(key) => format!("socket.data.{key}"),
        Source::Unknown(text) => format!("/* unknown ${text} */ undefined"),
    }
}

fn literal(value: &Value) -> String {
    value.to_string()
}

pub(super) fn string(text: &str) -> String {
    Value::String(text.to_string()).to_string()
}

/// A log line: a plain string, or a template literal when it names something. In an
/// acknowledgement callback (`callback`), `{err}` is the error's message or `none`,
/// and `{answers}`/`{answer}` what came back, as JSON.
fn template(text: &str, callback: bool) -> String {
    let pieces = pieces(text).unwrap_or_default();
    if pieces.iter().all(|p| matches!(p, Piece::Text(_))) {
        let plain: String = pieces
            .into_iter()
            .map(|p| match p {
                Piece::Text(t) => t,
                Piece::Name(_) => String::new(),
            })
            .collect();
        return string(&plain);
    }
    let mut out = String::from("`");
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(&escape_template(&text)),
            Piece::Name(name) => {
                let js = match (name, name.strip_prefix("data.")) {
                    ("err", _) if callback => "err?.message ?? \"none\"".to_string(),
                    ("answers", _) if callback => "JSON.stringify(answers)".to_string(),
                    ("answer", _) if callback => "JSON.stringify(answer ?? null)".to_string(),
                    ("nsp", _) => "socket.nsp.name".to_string(),
                    ("rooms", _) => JS_ROOMS.to_string(),
                    (_, Some(key)) => format!("socket.data.{key}"),
                    (name, None) => name.to_string(),
                };
                let _ = write!(out, "${{{js}}}");
            }
        }
    }
    out.push('`');
    out
}

fn escape_template(text: &str) -> String {
    let quoted = string(text);
    let inner = &quoted[1..quoted.len() - 1];
    inner
        .replace("\\\"", "\"")
        .replace('`', "\\`")
        .replace('$', "\\$")
}

fn indent(text: &str, depth: usize) -> String {
    super::indent(text, &INDENT.repeat(depth))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::tutorial_chat;

    #[test]
    fn the_tutorial_chat_reads_as_the_tutorial_writes_it() {
        let js = app(&tutorial_chat());
        assert_eq!(
            js,
            r#"io.on("connection", (socket) => {
  console.log("a user connected");
  socket.on("chat message", (msg) => {
    console.log(`message: ${msg}`);
    io.emit("chat message", msg);
  });
  socket.on("disconnect", (reason) => {
    console.log("user disconnected");
  });
});
"#
        );
    }

    #[test]
    fn a_template_escapes_what_javascript_would_read() {
        assert_eq!(
            template("a `b` $c {x} {{y}}", false),
            r"`a \`b\` \$c ${x} {y}`"
        );
        assert_eq!(template("plain {{braces}}", false), r#""plain {braces}""#);
    }
}
