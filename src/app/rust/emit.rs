//! An emit as socketioxide code: its chain with the Node shims it needs and, with a
//! `callback`, the wait for answers reshaped into Node's one call `(err, answers)`.

use std::fmt::Write;

use serde_json::Value;

use super::{string, LEFT_ROOM, SENDER_ROOM};
use crate::app::validate::placeholders;
use crate::app::{EmitOp, Expr, Op, Source};
use crate::protocol::{EmitFrom, RESERVED_EVENTS};

/// The comment above the reserved-name check of an event named by a parameter.
pub const RESERVED_SHIM: &str =
    "// shim: Node throws on a name Socket.IO keeps; socketioxide would send it";

/// Node's error for an acknowledgement that did not come in time, in both forms.
pub const TIMED_OUT: &str = "operation has timed out";

/// The comment above a broadcast's callback.
pub const ANSWERS_SHIM: &str =
    "// shim: Node calls back once, (err, answers); socketioxide streams a result per socket";
/// The comment above a single socket's callback.
pub const ANSWER_SHIM: &str =
    "// shim: Node calls back with (err, answer); socketioxide's error is an AckError";

/// The emit and its chain, with the Node shims it needs; a refused send is dropped
/// (`.ok()`), as socketioxide's own examples do, and the lab reports it from the trace.
pub fn emit_call(emit: &EmitOp) -> String {
    let mut out = String::new();
    if let Some(param) = emit.event_param() {
        let reserved: Vec<String> = RESERVED_EVENTS.iter().map(|e| string(e)).collect();
        let _ = writeln!(
            out,
            "{RESERVED_SHIM}\nif [{}].contains(&{param}.as_str()) {{\n    eprintln!(\"\\\"{{{param}}}\\\" is a reserved event name\");\n    return;\n}}",
            reserved.join(", ")
        );
    }
    let start = match (emit.from, &emit.of) {
        (EmitFrom::Socket, _) if emit.own_room_left => {
            out.push_str(LEFT_ROOM);
            out.push('\n');
            "io.of(socket.ns()).unwrap()".to_string()
        }
        (EmitFrom::Socket, _) if emit.sender_room => {
            out.push_str(SENDER_ROOM);
            out.push('\n');
            "socket.broadcast()".to_string()
        }
        // `to` and `except` from a socket leave the sender out by themselves; `within`
        // and `local` keep it unless told.
        (EmitFrom::Socket, _)
            if emit.socket_broadcast()
                && (emit.broadcast || (emit.to.is_empty() && emit.except.is_empty())) =>
        {
            "socket.broadcast()".to_string()
        }
        (EmitFrom::Socket, _) => "socket".to_string(),
        (EmitFrom::Io, None) => "io".to_string(),
        (EmitFrom::Io, Some(of)) => format!("io.of({}).unwrap()", string(of)),
    };
    let mut call = start;
    if emit.local {
        call.push_str(".local()");
    }
    for (verb, groups) in [
        ("to", &emit.to),
        ("within", &emit.within),
        ("except", &emit.except),
    ] {
        for rooms in groups {
            let _ = write!(call, ".{verb}({})", rooms_arg(rooms));
        }
    }
    if emit.sender_room || emit.own_room_left {
        call.push_str(".except(socket.id)");
    }
    if emit.volatile {
        call.push_str(".volatile()");
    }
    if let Some(callback) = &emit.callback {
        out.push_str(&acknowledged(emit, &call, callback));
        return out;
    }
    let plain = emit.from == EmitFrom::Socket && !emit.socket_broadcast();
    let wait = if plain { "" } else { ".await" };
    let _ = writeln!(
        out,
        "{call}.emit({}, {}){wait}.ok();",
        event(emit),
        data(&emit.args)
    );
    out
}

/// `emit_with_ack`, then a task that waits for the answers and runs the callback
/// with what Node's callback gets: the handler goes on meanwhile, as Node's does.
fn acknowledged(emit: &EmitOp, call: &str, callback: &[Op]) -> String {
    let ms = emit.timeout.unwrap_or_default();
    let [err, answers] = emit.callback_names();
    let used = |name: &str| callback.iter().any(|op| op.placeholders().contains(&name));
    let binding = |name: &str| {
        if used(name) {
            name.to_string()
        } else {
            format!("_{name}")
        }
    };
    let single = emit.to_sender();
    let (stream, wait) = if single {
        ("ack", "")
    } else {
        ("acks", ".await")
    };
    let mut out = format!(
        "let {stream} = {call}.timeout(Duration::from_millis({ms}))\n    .emit_with_ack::<_, Value>({}, {}){wait};\n",
        event(emit),
        data(&emit.args)
    );
    let mut body = String::new();
    if single {
        let _ = writeln!(
            body,
            "let {} = match ack {{\n    Ok(ack) => ack.await.ok(),\n    Err(_) => None,\n}};",
            binding(answers)
        );
        let _ = writeln!(
            body,
            "let {} = {}.is_none().then_some({});",
            binding(err),
            binding(answers),
            string(TIMED_OUT)
        );
    } else {
        body.push_str(
            "let results: Vec<_> = match acks {\n    Ok(acks) => acks.collect().await,\n    Err(e) => {\n        eprintln!(\"{e}\");\n        Vec::new()\n    }\n};\n",
        );
        let _ = writeln!(
            body,
            "let {} = results.iter().any(|(_, r)| r.is_err()).then_some({});",
            binding(err),
            string(TIMED_OUT)
        );
        let _ = writeln!(
            body,
            "let {}: Vec<Value> = results.into_iter().filter_map(|(_, r)| r.ok()).collect();",
            binding(answers)
        );
    }
    for op in callback {
        if let Op::Log(text) = op {
            let _ = writeln!(body, "{};", log(text));
        }
    }
    out.push_str(if single { ANSWER_SHIM } else { ANSWERS_SHIM });
    out.push_str("\ntokio::spawn(async move {\n");
    out.push_str(&super::indent(&body, 1));
    out.push_str("});\n");
    out
}

/// The event's name: written out, or the parameter that holds it.
fn event(emit: &EmitOp) -> String {
    match emit.event_param() {
        Some(param) => format!("&{param}"),
        None => string(&emit.event),
    }
}

/// A callback's log line: `{err}` is the message or `none`, `{answers}` and
/// `{answer}` the JSON that came back (as `JSON.stringify` writes it in Node).
fn log(text: &str) -> String {
    let names = placeholders(text).unwrap_or_default();
    let mut format = text.to_string();
    let mut args = Vec::new();
    for name in &names {
        format = format.replacen(&format!("{{{name}}}"), "{}", 1);
        args.push(match *name {
            "err" => "err.unwrap_or(\"none\")".to_string(),
            other => format!("json!({other})"),
        });
    }
    let mut all = vec![string(&format)];
    all.extend(args);
    format!("println!({})", all.join(", "))
}

/// An emit's arguments: an empty array for none (`&()` would send one `null`),
/// `&x` for one, a tuple for several (socketioxide sends the items of a tuple or an
/// array as separate arguments).
pub(super) fn data(args: &[Expr]) -> String {
    match args {
        [] => "&[(); 0] /* no argument: `&()` would send one null */".into(),
        [one] => format!("&{}", value(one)),
        // References, so that one value may be sent twice.
        many => format!(
            "&({})",
            many.iter()
                .map(|e| format!("&{}", value(e)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

pub(crate) fn value(expr: &Expr) -> String {
    match &expr.0 {
        Source::Literal(Value::String(s)) => string(s),
        Source::Literal(v @ (Value::Bool(_) | Value::Number(_))) => v.to_string(),
        Source::Literal(v) => format!("json!({v})"),
        Source::Param(name) => name.clone(),
        Source::SocketId => "socket.id".into(),
        Source::Nsp => "socket.ns()".into(),
        Source::Data(key) => format!("data.{key}"),
        Source::Unknown(text) => format!("/* unknown ${text} */ ()"),
    }
}

/// A room argument: one as it is, several as a `Vec<String>`.
pub(crate) fn rooms_arg(rooms: &[Expr]) -> String {
    let one = |e: &Expr| match &e.0 {
        Source::Param(name) => format!("{name}.clone()"),
        Source::Data(key) => format!("data.{key}.clone()"),
        Source::Nsp => "socket.ns().to_string()".into(),
        _ => value(e),
    };
    match rooms {
        [single] => one(single),
        many => format!(
            "vec![{}]",
            many.iter()
                .map(|e| format!("{}.to_string()", value(e)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
