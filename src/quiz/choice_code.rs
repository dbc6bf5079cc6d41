//! A quiz choice that is handler code, shown as both servers ran it: the JavaScript
//! inside its namespace's connection handler (what the Node reference ran) and the
//! Rust function socketioxide ran, printed from the one declaration as a lesson's
//! steps print theirs.

use serde_json::{json, Value};

use crate::app::{js, rust};
use crate::lesson::{Choice, Lesson};
use crate::paint::Paint;
use crate::view;

/// The handler a choice runs in place of the lesson's, as code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoiceCode {
    pub namespace: String,
    pub event: String,
    pub js: String,
    pub rust: String,
}

/// The code of a choice that is handler code (`None` for any other choice): the
/// handler that differs from the lesson's (its event need not be the last step's),
/// else the choice's handler for the last step's event.
pub fn of(lesson: &Lesson, choice: &Choice) -> Option<ChoiceCode> {
    let app = choice.app.as_ref()?;
    let own = |ns: &str, event: &str| lesson.app.as_ref()?.namespace(ns)?.handler(event);
    let changed = app.namespaces.iter().find_map(|ns| {
        let mut events = ns.events.iter();
        events
            .find(|h| own(&ns.name, &h.event) != Some(*h))
            .map(|h| (ns, h))
    });
    let last = choice.steps.last().and_then(|s| s.action.event());
    let (ns, handler) = changed.or_else(|| {
        app.namespaces
            .iter()
            .find_map(|ns| Some((ns, ns.handler(last?)?)))
    })?;
    let rust = rust::printed(ns).event(&handler.event)?.to_string();
    Some(ChoiceCode {
        namespace: ns.name.clone(),
        event: handler.event.clone(),
        js: js::attached_handler(ns, handler),
        rust,
    })
}

/// The code as the run transcript shows a step's server code (`server`, then `JS`
/// and `Rust`), two columns further in, under the choice's number.
pub fn shown(code: &ChoiceCode, paint: Paint) -> String {
    let inner = Paint {
        width: paint.width.saturating_sub(2),
        ..paint
    };
    let mut block = format!("  {}\n", paint.dim("server"));
    block.push_str(&view::code_lines(Some("JS  "), &code.js, inner));
    block.push_str(&view::code_lines(Some("Rust"), &code.rust, inner));
    block
        .lines()
        .map(|line| match line {
            "" => "\n".to_string(),
            line => format!("  {line}\n"),
        })
        .collect()
}

/// The same code for `quiz --json`: `null` for a choice that is not handler code.
pub fn json(code: Option<&ChoiceCode>) -> Value {
    code.map_or(
        Value::Null,
        |c| json!({ "namespace": c.namespace, "event": c.event, "js": c.js, "rust": c.rust }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handler_choice_is_shown_in_its_namespace_and_in_rust() {
        let lessons = crate::lesson::embedded().unwrap();
        let handlers = lessons.iter().find(|l| l.id == "handlers").unwrap();
        let q = handlers
            .questions
            .iter()
            .find(|q| q.id == "tenant-broadcast")
            .unwrap();
        let code = of(handlers, &q.choices[0]).unwrap();
        assert_eq!(code.namespace, "/tenants/{tenant}");
        assert!(
            code.js
                .starts_with("const tenants = io.of(/^\\/tenants\\/[^/]+$/);\ntenants.on(\"connection\", (socket) => {\n  socket.on(\"post\", (msg) => {\n"),
            "{}",
            code.js
        );
        assert!(
            code.rust.starts_with("async fn tenants_tenant_on_post("),
            "{}",
            code.rust
        );
        let shown = shown(&code, Paint::PLAIN);
        assert!(
            shown.starts_with("    server\n      JS\n        const tenants = io.of("),
            "{shown}"
        );
        assert!(shown.contains("\n      Rust\n        async fn "), "{shown}");
        // A choice of steps only is not code.
        let chat = lessons.iter().find(|l| l.id == "chat").unwrap();
        assert_eq!(of(chat, &chat.questions[0].choices[0]), None);
        assert_eq!(json(None), Value::Null);
    }
}
