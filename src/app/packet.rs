//! Per-packet middlewares (Node: `socket.use`): checks that run on every event a
//! socket sends before any handler does, and may refuse it. A refused event reaches
//! no handler; Node hands the error to the socket's `error` listener, which the
//! printed code declares to log its message.
//!
//! socketioxide has no per-packet middleware: the printed Rust (and the embedded
//! server, which runs what it prints) calls one function at the top of each handler,
//! and says so in a one-line comment.

use std::fmt::Write;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::expr::is_identifier;
use super::validate::AppError;
use super::Namespace;

/// `socket.use(([event], next) => ...)`: refuses `events` (every event when empty)
/// unless the socket's kept data (`socket.data`, set by a connection middleware) has
/// every field of `require` with that text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PacketMiddleware {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<String>,
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub require: serde_json::Map<String, Value>,
    #[serde(default = "not_allowed")]
    pub refuse: String,
}

fn not_allowed() -> String {
    "not allowed".into()
}

/// The comment over the shim, in the printed Rust.
const SHIM: &str = "// shim: socketioxide has no `socket.use`; each handler asks first";

impl PacketMiddleware {
    fn applies(&self, event: &str) -> bool {
        self.events.is_empty() || self.events.iter().any(|e| e == event)
    }

    /// Whether this middleware refuses `event` from a socket whose kept
    /// field `key` is `kept(key)`.
    fn refuses(&self, event: &str, kept: &dyn Fn(&str) -> String) -> bool {
        self.applies(event)
            && self
                .require
                .iter()
                .any(|(key, want)| want.as_str() != Some(kept(key).as_str()))
    }
}

/// Why the namespace's packet middlewares refuse `event`: the first refusal's
/// message, or `None` when every middleware lets it through.
pub fn refusal(ns: &Namespace, event: &str, kept: &dyn Fn(&str) -> String) -> Option<String> {
    ns.packet
        .iter()
        .find(|mw| mw.refuses(event, kept))
        .map(|mw| mw.refuse.clone())
}

pub(super) fn validate(ns: &Namespace, at: &str) -> Result<(), AppError> {
    let kept = ns.kept();
    for (i, mw) in ns.packet.iter().enumerate() {
        let err = |reason: String| AppError {
            at: format!("{at}.packet[{i}]"),
            reason,
        };
        if mw.require.is_empty() {
            return Err(err(
                "`require` names the `socket.data` fields an event needs".into(),
            ));
        }
        for (key, value) in &mw.require {
            if !is_identifier(key) || !kept.contains(&key.as_str()) {
                return Err(err(format!(
                    "`{key}` is not a field a connection middleware keeps (`data`)"
                )));
            }
            if !value.is_string() {
                return Err(err(format!(
                    "`require.{key}`: a kept field is a text, so the value is one too"
                )));
            }
        }
        if mw
            .events
            .iter()
            .any(|e| e.is_empty() || e.starts_with("lab:"))
        {
            return Err(err("an event is named, and not `lab:...`".into()));
        }
    }
    Ok(())
}

/// The middlewares and the error listener, first in the connection handler.
pub fn js(ns: &Namespace) -> String {
    js_of(ns, |_| true)
}

/// The middlewares that see `event` and the error listener, for a step that sends it.
pub fn js_for(ns: &Namespace, event: &str) -> String {
    js_of(ns, |mw| mw.applies(event))
}

fn js_of(ns: &Namespace, shown: impl Fn(&PacketMiddleware) -> bool) -> String {
    let shown: Vec<&PacketMiddleware> = ns.packet.iter().filter(|mw| shown(mw)).collect();
    if shown.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    for mw in shown {
        out.push_str("socket.use(([event], next) => {\n");
        let _ = writeln!(out, "  if ({}) {{", js_test(mw));
        let refuse = super::js::string(&mw.refuse);
        let _ = writeln!(out, "    return next(new Error({refuse}));");
        out.push_str("  }\n  next();\n});\n");
    }
    out.push_str("socket.on(\"error\", (err) => {\n  console.log(err.message);\n});\n");
    out
}

/// When `mw` refuses an event: it is one of `events` (when it lists any) and some
/// kept field differs from what `require` wants. `differs(key, text)` and
/// `listed(names)` spell the two tests in the printed language.
fn condition(
    mw: &PacketMiddleware,
    differs: impl Fn(&str, &str) -> String,
    listed: impl Fn(&[String]) -> String,
) -> String {
    let data: Vec<String> = mw
        .require
        .iter()
        .map(|(key, want)| differs(key, want.as_str().unwrap_or_default()))
        .collect();
    match mw.events.as_slice() {
        [] => data.join(" || "),
        events if data.len() > 1 => format!("{} && ({})", listed(events), data.join(" || ")),
        events => format!("{} && {}", listed(events), data.join("")),
    }
}

fn js_test(mw: &PacketMiddleware) -> String {
    let js = super::js::string;
    condition(
        mw,
        |key, text| format!("socket.data.{key} !== {}", js(text)),
        |events| {
            let names: Vec<String> = events.iter().map(|e| js(e)).collect();
            format!("[{}].includes(event)", names.join(", "))
        },
    )
}

/// The function `name` every handler calls first, in Rust.
pub fn rust_fn(ns: &Namespace, name: &str, data_ty: &str) -> String {
    if ns.packet.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "/// Node's `socket.use`, which every handler of this namespace calls first.\n\
         fn {name}(socket: &SocketRef, event: &str) -> Result<(), String> {{\n"
    );
    let _ = writeln!(
        out,
        "    let data = socket.extensions.get::<{data_ty}>().unwrap_or_default();"
    );
    let rust = super::rust::string;
    for mw in &ns.packet {
        let test = condition(
            mw,
            |key, text| format!("data.{key} != {}", rust(text)),
            |events| {
                let names: Vec<String> = events.iter().map(|e| rust(e)).collect();
                format!("[{}].contains(&event)", names.join(", "))
            },
        );
        let _ = writeln!(out, "    if {test} {{");
        let _ = writeln!(out, "        return Err({}.to_string());", rust(&mw.refuse));
        out.push_str("    }\n");
    }
    if ns.packet.iter().all(|mw| mw.events.is_empty()) {
        out.push_str("    let _ = event;\n");
    }
    out.push_str("    Ok(())\n}\n");
    out
}

/// A handler's function with the call to `check` (the printed `socket.use`) first:
/// `event` is the Rust expression of the event's name in it.
pub fn guarded(function: &str, check: &str, event: &str) -> String {
    let function = with_socket(function);
    let Some((head, body)) = function.split_once('\n') else {
        return function;
    };
    format!(
        "{head}\n    {SHIM}\n    if let Err(err) = {check}(&socket, {event}) {{\n        \
         println!(\"{{err}}\");\n        return;\n    }}\n{body}"
    )
}

/// The catch-all (`on_fallback`) with the call to `packet_middleware` last: Node runs
/// its `onAny` catch-all before `socket.use`.
pub fn checked_last(function: &str, check: &str) -> String {
    let function = with_socket(&function.replace("Event(_event)", "Event(event)"));
    let body = function.trim_end().trim_end_matches('}');
    format!(
        "{body}    {SHIM}\n    if let Err(err) = {check}(&socket, &event) {{\n        \
         println!(\"{{err}}\");\n    }}\n}}\n"
    )
}

/// The function with `socket: SocketRef` among its extractors.
fn with_socket(function: &str) -> String {
    let Some((head, body)) = function.split_once('\n') else {
        return function.to_string();
    };
    if head.contains("socket: SocketRef") {
        return function.to_string();
    }
    let head = head
        .replacen('(', "(socket: SocketRef, ", 1)
        .replace(", )", ")");
    format!("{head}\n{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns() -> Namespace {
        toml::from_str(
            r#"
            name = "/"
            [[middleware]]
            data = ["role"]
            [[packet]]
            events = ["delete"]
            require = { role = "admin" }
            refuse = "admins only"
            "#,
        )
        .unwrap()
    }

    #[test]
    fn a_listed_event_is_refused_unless_the_kept_field_matches() {
        let ns = ns();
        let as_role = |role: &'static str| move |_: &str| role.to_string();
        assert_eq!(
            refusal(&ns, "delete", &as_role("guest")).as_deref(),
            Some("admins only")
        );
        assert_eq!(refusal(&ns, "delete", &as_role("admin")), None);
        assert_eq!(refusal(&ns, "post", &as_role("guest")), None);
    }

    #[test]
    fn it_prints_as_socket_use_and_as_a_shim() {
        let ns = ns();
        let js = js(&ns);
        assert!(
            js.contains("if ([\"delete\"].includes(event) && socket.data.role !== \"admin\")"),
            "{js}"
        );
        assert!(js.contains("socket.on(\"error\""), "{js}");
        let guarded = guarded(
            "async fn on_x(Data(m): Data<String>) {\n    body;\n}\n",
            "packet_middleware",
            "\"x\"",
        );
        assert!(
            guarded.starts_with(
                "async fn on_x(socket: SocketRef, Data(m): Data<String>) {\n    // shim"
            ),
            "{guarded}"
        );
        assert!(guarded.ends_with("    body;\n}\n"), "{guarded}");
        let bare = super::guarded("async fn on_y() {\n}\n", "check", "\"y\"");
        assert!(
            bare.starts_with("async fn on_y(socket: SocketRef) {"),
            "{bare}"
        );
    }

    #[test]
    fn require_names_a_kept_text_field() {
        let mut bad = ns();
        bad.packet[0]
            .require
            .insert("level".into(), Value::from("x"));
        assert!(validate(&bad, "namespaces[0]").is_err());
        let mut number = ns();
        number.packet[0]
            .require
            .insert("role".into(), Value::from(1));
        assert!(validate(&number, "namespaces[0]").is_err());
        validate(&ns(), "namespaces[0]").unwrap();
    }
}
