//! What makes a declared application one that both servers can run and both
//! printers can spell: every reference names something the handler has, every name
//! is one JavaScript and Rust both accept.

use std::collections::BTreeSet;

use super::expr::{is_identifier, Source};
use super::{App, EmitOp, Expr, Handler, Namespace, Op};
use crate::protocol::{EmitFrom, CONTROL_NS, RESERVED_EVENTS};

/// Why a declaration cannot run, with where in it: `namespaces[0].events[1].do[2]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`server.{at}`: {reason}")]
pub struct AppError {
    pub at: String,
    pub reason: String,
}

/// The most arguments a handler takes: the embedded server extracts a tuple of each
/// size up to this one.
pub const MAX_ARGS: usize = 4;

/// The longest a handler may `wait_ms`: longer would only make a lesson slow.
pub const MAX_WAIT_MS: u64 = 10_000;

/// What a handler may read, by where it runs.
#[derive(Clone)]
struct Scope<'a> {
    params: Vec<super::Param<'a>>,
    ack: bool,
    /// The `socket.data` fields the namespace's middlewares keep.
    data: Vec<&'a str>,
}

/// Bounds on one application's size: a lesson needs far less, and a server that
/// accepts `lab:app` from any client must not be made to hold more.
pub const MAX_NAMESPACES: usize = 16;
pub const MAX_HANDLERS: usize = 64;
pub const MAX_OPS: usize = 64;
/// The longest name of a namespace or an event, in bytes.
pub const MAX_NAME: usize = 200;

pub fn validate(app: &App) -> Result<(), AppError> {
    if let Some(line) = &app.listening {
        let names = placeholders(line).map_err(|reason| err("listening", reason))?;
        if let Some(other) = names.into_iter().find(|name| *name != "port") {
            let reason = format!("`{{{other}}}`: the startup line knows only `{{port}}`");
            return Err(err("listening", reason));
        }
    }
    if app.namespaces.len() > MAX_NAMESPACES {
        return Err(err(
            "namespaces",
            format!("at most {MAX_NAMESPACES} namespaces"),
        ));
    }
    let mut seen = BTreeSet::new();
    for (i, ns) in app.namespaces.iter().enumerate() {
        let at = format!("namespaces[{i}]");
        sizes(ns).map_err(|reason| err(&at, reason))?;
        namespace_name(ns).map_err(|reason| err(&at, reason))?;
        if !seen.insert(ns.name.as_str()) {
            return Err(err(&at, format!("`{}` is declared twice", ns.name)));
        }
        namespace(app, ns, &at)?;
        super::packet::validate(ns, &at)?;
    }
    Ok(())
}

fn sizes(ns: &Namespace) -> Result<(), String> {
    if ns.name.len() > MAX_NAME || ns.events.iter().any(|h| h.event.len() > MAX_NAME) {
        return Err(format!("a name is at most {MAX_NAME} bytes"));
    }
    if ns.events.len() > MAX_HANDLERS || ns.middleware.len() > MAX_HANDLERS {
        return Err(format!("at most {MAX_HANDLERS} handlers and middlewares"));
    }
    let lists = [&ns.connection, &ns.any, &ns.disconnecting, &ns.disconnect]
        .into_iter()
        .chain(ns.events.iter().map(|h| &h.ops));
    for list in lists {
        if list.len() > MAX_OPS {
            return Err(format!("at most {MAX_OPS} operations in a handler"));
        }
    }
    Ok(())
}

fn err(at: &str, reason: impl Into<String>) -> AppError {
    AppError {
        at: at.to_string(),
        reason: reason.into(),
    }
}

fn namespace_name(ns: &Namespace) -> Result<(), String> {
    let name = &ns.name;
    if !name.starts_with('/') {
        return Err(format!("a namespace starts with `/`, not `{name}`"));
    }
    if name == CONTROL_NS || name.starts_with("/lab/") {
        return Err(format!("`{CONTROL_NS}` is the lab's own namespace"));
    }
    let opens = name.matches('{').count();
    let closes = name.matches('}').count();
    if opens > 1 || opens != closes {
        return Err(format!(
            "`{name}`: a dynamic namespace has one `{{param}}`, a whole path segment"
        ));
    }
    if let Some(param) = ns.dynamic_param() {
        let whole = name.split('/').any(|seg| seg == format!("{{{param}}}"));
        if !whole || !is_identifier(param) {
            return Err(format!(
                "`{name}`: a dynamic namespace has one `{{param}}`, a whole path segment"
            ));
        }
    }
    if name
        .split('/')
        .nth(1)
        .is_some_and(|first| first.contains('{'))
    {
        return Err(format!(
            "`{name}`: a dynamic namespace starts with a fixed segment, such as `/tenants/{{tenant}}`"
        ));
    }
    let plain = name.replace(['{', '}'], "");
    if !plain
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_'))
    {
        return Err(format!(
            "`{name}`: use letters, digits, `-`, `_` and `/` in a namespace's name"
        ));
    }
    Ok(())
}

fn namespace(app: &App, ns: &Namespace, at: &str) -> Result<(), AppError> {
    // Printed as `io.fetchSockets()`, which is the main namespace's.
    let fetches = |list: &[Op]| list.iter().any(|op| matches!(op, Op::FetchSockets(_)));
    let anywhere = fetches(&ns.connection)
        || fetches(&ns.disconnecting)
        || fetches(&ns.disconnect)
        || ns.events.iter().any(|h| fetches(&h.ops));
    let twice = |list: &[Op]| {
        list.iter()
            .filter(|op| matches!(op, Op::FetchSockets(_)))
            .count()
            > 1
    };
    if ns.events.iter().any(|h| twice(&h.ops)) || twice(&ns.connection) {
        return Err(err(
            at,
            "one `fetch_sockets` per handler (it names its result `count`)",
        ));
    }
    if anywhere && ns.name != "/" {
        return Err(err(
            at,
            "`fetch_sockets` is `io.fetchSockets()`, the main namespace's: use it in `/`",
        ));
    }
    for (i, mw) in ns.middleware.iter().enumerate() {
        let at = format!("{at}.middleware[{i}]");
        if let Some(key) = mw.require.keys().find(|k| !is_identifier(k)) {
            return Err(err(&at, format!("`{key}` is not a field name")));
        }
        // Node compares with `===`, which never holds for a list or a table.
        let scalar = |v: &serde_json::Value| v.is_string() || v.is_number() || v.is_boolean();
        if let Some((key, _)) = mw.require.iter().find(|(_, v)| !scalar(v)) {
            return Err(err(
                &at,
                format!("`{key}`: `require` compares texts, numbers and booleans only"),
            ));
        }
    }
    let ns_data = ns.fields();
    for (i, mw) in ns.middleware.iter().enumerate() {
        if let Some(key) = mw.data.iter().find(|k| !is_identifier(k) || *k == "name") {
            let at = format!("{at}.middleware[{i}]");
            let why = if key == "name" {
                "`name` is the lab's own field of `socket.data`".to_string()
            } else {
                format!("`{key}` is not a field name")
            };
            return Err(err(&at, why));
        }
    }
    let plain = Scope {
        params: vec![],
        ack: false,
        data: ns_data.clone(),
    };
    if ns.hold_early && ns.waits() {
        return Err(err(
            at,
            "`hold_early` holds early events for a connection handler that does not wait; \
             one that waits loses them in Node too",
        ));
    }
    // The connection handler reads only the fields set before the read.
    let mut early = Scope {
        data: ns.kept(),
        ..plain.clone()
    };
    for (i, op) in ns.connection.iter().enumerate() {
        let at = format!("{at}.connection[{i}]");
        // A set here gives its fields their first value: its own values may only
        // read fields set before it.
        let mut scope = early.clone();
        if let Op::Set(fields) = op {
            scope.data.extend(fields.keys().map(String::as_str));
            for (key, value) in fields {
                text_value(value, &early).map_err(|r| err(&at, format!("`{key}`: {r}")))?;
            }
        }
        one(app, op, &scope).map_err(|r| err(&at, r))?;
        early = scope;
    }
    ops(
        app,
        &ns.disconnecting,
        &plain,
        &format!("{at}.disconnecting"),
    )?;
    ops(app, &ns.disconnect, &plain, &format!("{at}.disconnect"))?;
    let catch_all = Scope {
        params: vec![super::Param::parse("event")],
        ack: false,
        data: ns_data.clone(),
    };
    ops(app, &ns.unhandled, &catch_all, &format!("{at}.unhandled"))?;
    ops(app, &ns.any, &catch_all, &format!("{at}.any"))?;
    for (i, op) in ns.any.iter().enumerate() {
        any_op(op).map_err(|reason| err(&format!("{at}.any[{i}]"), reason))?;
    }
    let mut events = BTreeSet::new();
    for (i, handler) in ns.events.iter().enumerate() {
        let at = format!("{at}.events[{i}]");
        event_handler(app, handler, &ns_data, &at)?;
        if !events.insert(handler.event.as_str()) {
            let e = &handler.event;
            return Err(err(&at, format!("two handlers for `{e}`")));
        }
    }
    Ok(())
}

/// What `any` (Node's `onAny`) may do: log, and emit without waiting for answers.
/// It runs before the event's own handler in Node without being awaited, so a
/// `wait_ms` would let the handler overtake it; the printed Rust calls it with the
/// event's name as a `&str`, which names no room and no emitted event.
fn any_op(op: &Op) -> Result<(), String> {
    let Op::Emit(emit) = op else {
        return match op {
            Op::Log(_) => Ok(()),
            _ => Err("`any` (onAny) logs and emits; the event's own handler does the rest".into()),
        };
    };
    if emit.callback.is_some() {
        return Err("an emit in `any` waits for no answers (no `callback`)".into());
    }
    let param_room = emit
        .to
        .iter()
        .chain(&emit.within)
        .chain(&emit.except)
        .flatten()
        .any(|r| matches!(r.0, Source::Param(_)));
    if emit.event_param().is_some() || param_room {
        return Err("in `any`, `$event` is an argument of an emit, not its event or a room".into());
    }
    Ok(())
}

fn event_handler(app: &App, handler: &Handler, ns_data: &[&str], at: &str) -> Result<(), AppError> {
    event_name(&handler.event).map_err(|r| err(at, r))?;
    if handler.args.len() > MAX_ARGS {
        return Err(err(
            at,
            format!("a handler takes at most {MAX_ARGS} arguments here"),
        ));
    }
    let params: Vec<_> = handler.params().collect();
    let mut names = BTreeSet::new();
    for (arg, param) in handler.args.iter().zip(&params) {
        let typed = arg.split_once(':').map(|(_, ty)| ty.trim());
        if !is_identifier(param.name) || typed.is_some_and(|ty| ty != "json" && ty != "text") {
            return Err(err(
                at,
                format!("`{arg}`: a parameter is a name, or `name: json` for any JSON value"),
            ));
        }
        if param.name == "nsp" {
            return Err(err(
                at,
                "`nsp` names the namespace (`$nsp`, `{nsp}`): pick another parameter name",
            ));
        }
        if !names.insert(param.name) {
            return Err(err(at, format!("two parameters named `{}`", param.name)));
        }
    }
    let scope = Scope {
        params,
        ack: true,
        data: ns_data.to_vec(),
    };
    ops(app, &handler.ops, &scope, &format!("{at}.do"))
}

fn event_name(event: &str) -> Result<(), String> {
    if event.is_empty() {
        return Err("an event needs a name".into());
    }
    if RESERVED_EVENTS.contains(&event) {
        return Err(format!(
            "`{event}` is reserved by Socket.IO; a namespace's `connection`, `disconnecting` \
             and `disconnect` are their own tables"
        ));
    }
    if event.starts_with("lab:") {
        return Err(format!(
            "`{event}`: events starting `lab:` are the lab's own"
        ));
    }
    Ok(())
}

fn ops(app: &App, list: &[Op], scope: &Scope, at: &str) -> Result<(), AppError> {
    for (i, op) in list.iter().enumerate() {
        let at = format!("{at}[{i}]");
        one(app, op, scope).map_err(|r| err(&at, r))?;
    }
    Ok(())
}

fn one(app: &App, op: &Op, scope: &Scope) -> Result<(), String> {
    match op {
        Op::Log(text) => template(text, scope),
        Op::Emit(emit) => emit_op(app, emit, scope),
        Op::Join(rooms) | Op::Leave(rooms) => {
            if rooms.is_empty() {
                return Err("name at least one room".into());
            }
            rooms.iter().try_for_each(|r| room(r, scope))
        }
        Op::Ack(value) if scope.ack => expr(value, scope),
        Op::Ack(_) => Err("only an event handler has an acknowledgement to answer".into()),
        Op::Disconnect(_) => Ok(()),
        Op::FetchSockets(text) => {
            // `{count}` is the one name the operation adds to the handler's own.
            let counted = text.replace("{count}", "");
            template(&counted, scope)
        }
        Op::Set(fields) => {
            if fields.is_empty() {
                return Err("`set` names at least one `socket.data` field".into());
            }
            for (key, value) in fields {
                if !is_identifier(key) || key == "name" {
                    return Err(if key == "name" {
                        "`name` is the lab's own field of `socket.data`".to_string()
                    } else {
                        format!("`{key}` is not a field name")
                    });
                }
                if !scope.data.contains(&key.as_str()) {
                    return Err(format!(
                        "`{key}` gets its first value in the connection handler \
                         (`connection = [{{ set = {{ {key} = \"...\" }} }}]`) or from a \
                         middleware: a handler that read it before any set would see \
                         `undefined` in Node"
                    ));
                }
                text_value(value, scope).map_err(|why| format!("`{key}`: {why}"))?;
            }
            Ok(())
        }
        Op::WaitMs(ms) if *ms <= MAX_WAIT_MS => Ok(()),
        Op::WaitMs(ms) => Err(format!("`wait_ms = {ms}` is over {MAX_WAIT_MS}")),
    }
}

fn emit_op(app: &App, emit: &EmitOp, scope: &Scope) -> Result<(), String> {
    let event = &emit.event;
    if let Some(param) = emit.event_param() {
        if !scope.params.iter().any(|p| p.name == param && !p.json) {
            return Err(format!(
                "`{event}`: an event's name is a text parameter of this handler"
            ));
        }
    } else if event.starts_with('$') && !event.starts_with("$$") {
        return Err(format!(
            "`{event}`: an event's name is a text, or `$param` for a text parameter"
        ));
    } else if RESERVED_EVENTS.contains(&event.as_str()) {
        return Err(format!(
            "`{event}` is reserved: Node's server throws when asked to emit it"
        ));
    } else {
        event_name(event)?;
    }
    if let Some(of) = &emit.of {
        if emit.from != EmitFrom::Io {
            return Err("`of` needs `from = \"io\"`".into());
        }
        let declared = app.namespaces.iter().any(|ns| &ns.name == of);
        if !declared || of.contains('{') {
            return Err(format!(
                "`of = \"{of}\"` names no static namespace of this app"
            ));
        }
    }
    if emit.from == EmitFrom::Io && emit.broadcast {
        return Err("`broadcast` is a socket's flag; `io` already reaches everyone".into());
    }
    for group in emit.to.iter().chain(&emit.within).chain(&emit.except) {
        if group.is_empty() {
            return Err("each `to`, `in` and `except` names at least one room".into());
        }
        group.iter().try_for_each(|r| room(r, scope))?;
    }
    emit.args.iter().try_for_each(|a| expr(a, scope))?;
    acknowledgement(emit)
}

/// `timeout` and `callback` go together: Node's server waits for answers only with a
/// timeout here, and a timeout without a callback waits for nothing.
fn acknowledgement(emit: &EmitOp) -> Result<(), String> {
    let Some(callback) = &emit.callback else {
        return match emit.timeout {
            Some(_) => Err("`timeout` bounds the wait for answers: give a `callback` too".into()),
            None => Ok(()),
        };
    };
    match emit.timeout {
        None => return Err("a `callback` needs a `timeout` (milliseconds)".into()),
        Some(ms) if ms == 0 || ms > MAX_WAIT_MS => {
            return Err(format!("`timeout` is 1 to {MAX_WAIT_MS} ms"))
        }
        Some(_) => {}
    }
    if emit.volatile {
        return Err(
            "`volatile` and a `callback` do not go together: a volatile packet may never arrive"
                .into(),
        );
    }
    if callback.len() > MAX_OPS {
        return Err(format!("at most {MAX_OPS} operations in a callback"));
    }
    let names = emit.callback_names();
    for op in callback {
        let Op::Log(text) = op else {
            return Err("a `callback` only logs (`{ log = \"...\" }`) here".into());
        };
        if let Some(name) = placeholders(text)?.into_iter().find(|n| !names.contains(n)) {
            return Err(format!(
                "`{{{name}}}` in a callback: it reads `{{{}}}` and `{{{}}}` only",
                names[0], names[1]
            ));
        }
    }
    Ok(())
}

/// A value a `socket.data` field holds: a text, as a middleware keeps one.
fn text_value(v: &Expr, scope: &Scope) -> Result<(), String> {
    text(v, scope, "a field holds a text", "a field holds a text")
}

fn room(r: &Expr, scope: &Scope) -> Result<(), String> {
    text(
        r,
        scope,
        "a room is a text",
        "a room needs a text parameter",
    )
}

/// A value that must be a text: a text literal or a text parameter (the words say
/// what it is for: `{what}, not 3`, `$x is JSON; {for_json}`).
fn text(v: &Expr, scope: &Scope, what: &str, for_json: &str) -> Result<(), String> {
    match &v.0 {
        Source::Literal(serde_json::Value::String(_)) => Ok(()),
        Source::Literal(other) => Err(format!("{what}, not `{other}`")),
        Source::Param(name) => match scope.params.iter().find(|p| p.name == name) {
            Some(p) if p.json => Err(format!("`${name}` is JSON; {for_json}")),
            _ => expr(v, scope),
        },
        _ => expr(v, scope),
    }
}

fn expr(e: &Expr, scope: &Scope) -> Result<(), String> {
    match &e.0 {
        Source::Literal(_) | Source::SocketId | Source::Nsp => Ok(()),
        Source::Data(key) if scope.data.contains(&key.as_str()) => Ok(()),
        Source::Data(key) => Err(format!(
            "`$data.{key}`: no middleware of this namespace keeps `{key}` (`data = [\"{key}\"]`) \
             and its connection handler does not set it first (`set = {{ {key} = \"...\" }}`)"
        )),
        Source::Param(name) if scope.params.iter().any(|p| p.name == name) => Ok(()),
        Source::Param(name) => Err(format!("`${name}` is no parameter of this handler")),
        Source::Unknown(text) => Err(format!(
            "`${text}` names nothing; write `$param`, `$socket.id` or `$nsp` (`$$` for a text starting with `$`)"
        )),
    }
}

/// `{name}` placeholders: text parameters, `{nsp}`, and `{rooms}` (the socket's
/// rooms but its own-id one, sorted, comma-separated; none by `disconnect`, which
/// is the point of logging them there).
/// (Never the socket's id: it is random, and the lab shows nothing random.)
fn template(text: &str, scope: &Scope) -> Result<(), String> {
    for name in placeholders(text)? {
        let kept = name
            .strip_prefix("data.")
            .is_some_and(|key| scope.data.contains(&key));
        let ok = name == "nsp"
            || name == "rooms"
            || kept
            || scope.params.iter().any(|p| p.name == name && !p.json);
        if !ok {
            return Err(format!(
                "`{{{name}}}` in a log line names no text parameter of this handler (or `{{nsp}}`, `{{rooms}}`, `{{data.KEY}}` a middleware keeps)"
            ));
        }
    }
    Ok(())
}

/// A piece of a log line: literal text (braces unescaped) or a `{name}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(String),
    Name(&'a str),
}

/// A log line read as the lab writes it: `{name}` placeholders, `{{` and `}}` for
/// literal braces. The one reader of that syntax, for validation, the printers and
/// the interpreter alike.
pub fn pieces(text: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        let (brace, after) = (&rest[i..i + 1], &rest[i + 1..]);
        literal.push_str(&rest[..i]);
        if after.starts_with(brace) {
            literal.push_str(brace);
            rest = &after[1..];
            continue;
        }
        if brace == "}" {
            return Err("a lone `}` in a log line: write `}}`".into());
        }
        let end = after
            .find('}')
            .ok_or("an unclosed `{` in a log line: write `{{` for a brace")?;
        if !literal.is_empty() {
            pieces.push(Piece::Text(std::mem::take(&mut literal)));
        }
        pieces.push(Piece::Name(&after[..end]));
        rest = &after[end + 1..];
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        pieces.push(Piece::Text(literal));
    }
    Ok(pieces)
}

/// The names between braces, in order.
pub fn placeholders(text: &str) -> Result<Vec<&str>, String> {
    let names = pieces(text)?.into_iter().filter_map(|piece| match piece {
        Piece::Name(name) => Some(name),
        Piece::Text(_) => None,
    });
    Ok(names.collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::tutorial_chat;

    fn app(toml_text: &str) -> App {
        toml::from_str(toml_text).unwrap()
    }

    #[test]
    fn the_tutorial_chat_is_valid() {
        let chat = tutorial_chat();
        validate(&chat).unwrap();
        assert_eq!(
            chat.listening_line(3000).as_deref(),
            Some("server running at http://localhost:3000")
        );
    }

    #[test]
    fn the_startup_line_knows_only_the_port() {
        let bad = app(r#"listening = "up on {host}""#);
        let e = validate(&bad).unwrap_err();
        assert_eq!(e.at, "listening");
        assert!(e.reason.contains("only `{port}`"), "{e}");
        let unclosed = app(r#"listening = "up on {port""#);
        assert!(validate(&unclosed).is_err());
        let braces = app(r#"listening = "{{ok}} on {port}""#);
        validate(&braces).unwrap();
        assert_eq!(braces.listening_line(80).as_deref(), Some("{ok} on 80"));
    }

    /// `set` keeps a text on the socket; a key gets its first value in the
    /// connection handler, so no handler reads a field Node would give as undefined.
    #[test]
    fn a_socket_data_field_is_set_first_on_connection() {
        let good = app(r#"
            [[namespaces]]
            name = "/"
            connection = [{ set = { nick = "anonymous" } }, { log = "hi {data.nick}" }]
            [[namespaces.events]]
            event = "nick"
            args = ["name"]
            do = [{ set = { nick = "$name" } }]
            [[namespaces.events]]
            event = "say"
            do = [{ emit = { event = "said", from = "io", args = ["$data.nick"] } }]
        "#);
        validate(&good).unwrap();
        assert_eq!(good.namespaces[0].fields(), vec!["nick"]);
        let unset = app(r#"
            [[namespaces]]
            name = "/"
            [[namespaces.events]]
            event = "nick"
            args = ["name"]
            do = [{ set = { nick = "$name" } }]
        "#);
        let e = validate(&unset).unwrap_err();
        assert!(
            e.reason.contains("first value in the connection handler"),
            "{e}"
        );
        // Read in the connection handler before it is set: refused too.
        let early = app(r#"
            [[namespaces]]
            name = "/"
            connection = [{ log = "hi {data.nick}" }, { set = { nick = "a" } }]
        "#);
        assert!(validate(&early).is_err());
        let lab = app(r#"
            [[namespaces]]
            name = "/"
            connection = [{ set = { name = "x" } }]
        "#);
        assert!(validate(&lab)
            .unwrap_err()
            .reason
            .contains("lab's own field"));
    }

    #[test]
    fn references_must_name_something_the_handler_has() {
        let bad = app(r#"
            [[namespaces]]
            name = "/"
            [[namespaces.events]]
            event = "hi"
            do = [{ emit = { event = "x", args = ["$nope"] } }]
        "#);
        let e = validate(&bad).unwrap_err();
        assert_eq!(e.at, "namespaces[0].events[0].do[0]");
        assert!(e.reason.contains("`$nope` is no parameter"), "{e}");
    }

    #[test]
    fn reserved_names_and_lab_names_are_refused() {
        for (event, word) in [("disconnect", "reserved"), ("lab:sync", "lab's own")] {
            let bad = app(&format!(
                "[[namespaces]]\nname = \"/\"\n[[namespaces.events]]\nevent = \"{event}\"\ndo = []"
            ));
            assert!(validate(&bad).unwrap_err().reason.contains(word));
        }
    }

    #[test]
    fn an_application_is_bounded() {
        let many = App {
            namespaces: (0..=MAX_NAMESPACES)
                .map(|i| Namespace {
                    name: format!("/n{i}"),
                    ..Namespace::default()
                })
                .collect(),
            ..App::default()
        };
        assert!(validate(&many).unwrap_err().reason.contains("at most 16"));
        let long = App {
            namespaces: vec![Namespace {
                name: "/".into(),
                connection: vec![Op::WaitMs(0); MAX_OPS + 1],
                ..Namespace::default()
            }],
            ..App::default()
        };
        assert!(validate(&long).unwrap_err().reason.contains("operations"));
    }

    #[test]
    fn the_early_event_shim_is_for_a_connection_handler_that_does_not_wait() {
        let waits = app(r#"
            [[namespaces]]
            name = "/"
            hold_early = true
            connection = [{ wait_ms = 5 }]
        "#);
        assert!(validate(&waits)
            .unwrap_err()
            .reason
            .contains("`hold_early`"));
        let quick = app("[[namespaces]]\nname = \"/\"\nhold_early = true");
        validate(&quick).unwrap();
    }

    #[test]
    fn any_logs_and_emits_the_event_name_as_an_argument() {
        let fine = app(r#"
            [[namespaces]]
            name = "/"
            any = [{ log = "saw {event}" }, { emit = { event = "seen", from = "io", args = ["$event"] } }]
        "#);
        validate(&fine).unwrap();
        for (op, word) in [
            (r#"{ wait_ms = 5 }"#, "logs and emits"),
            (r#"{ join = ["$event"] }"#, "logs and emits"),
            (r#"{ ack = "ok" }"#, "acknowledgement"),
            (r#"{ emit = { event = "$event" } }"#, "not its event"),
            (r#"{ log = "{msg}" }"#, "names no text parameter"),
        ] {
            let bad = app(&format!("[[namespaces]]\nname = \"/\"\nany = [{op}]"));
            let e = validate(&bad).unwrap_err();
            assert_eq!(e.at, "namespaces[0].any[0]", "{op}");
            assert!(e.reason.contains(word), "{op}: {e}");
        }
    }

    #[test]
    fn placeholders_are_read_with_escapes() {
        assert_eq!(placeholders("a {b} {{c}} {d}").unwrap(), vec!["b", "d"]);
        assert!(placeholders("a {b").is_err());
        assert!(placeholders("a } b").is_err());
    }
}
