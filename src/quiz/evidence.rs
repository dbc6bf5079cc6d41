//! What one step of a quiz choice's run showed: the client's call, the server's log
//! and reasons, connections, acknowledgements and who received the event.

use std::fmt::Write as _;

use crate::app::App;
use crate::lesson::{Action, Lesson, Step};
use crate::paint::Paint;
use crate::trace::{Observation, StepRecord};
use crate::{safe, snippet, view};

pub(super) fn step(
    lesson: &Lesson,
    app: Option<&App>,
    step: &Step,
    record: &StepRecord,
    paint: Paint,
) -> String {
    let mut out = String::new();
    let width = view::name_width(lesson);
    if let Some(actor) = lesson.client(step.action.actor()) {
        let code = snippet::code_in(app, step, actor);
        let line = match (&code.client, &step.action) {
            (
                Some(client),
                Action::Send { .. } | Action::Connect { .. } | Action::Disconnect { .. },
            ) => {
                format!("{client}  {}", paint.dim("(client)"))
            }
            // In format 2 an `ask` is the client's emit too; its handler is the server's.
            (Some(client), Action::Ask { .. }) if app.is_some() => {
                format!("{client}  {}", paint.dim("(client)"))
            }
            _ => code.js.clone(),
        };
        let actors = step.action.actors().join(", ");
        let plain = format!("  {actors} {}", crate::paint::without_colour(&line));
        if unicode_width::UnicodeWidthStr::width(plain.as_str()) <= paint.width {
            let _ = writeln!(out, "  {} {}", paint.name(&actors), paint.code(&line));
        } else if let Some(client) = &code.client {
            // Too long for one line: the client's code on lines of its own, as `run`
            // shows it, wrapped between tokens.
            let _ = writeln!(out, "  {} {}", paint.name(&actors), paint.dim("(client)"));
            out.push_str(&view::code_lines(None, client, paint));
        } else {
            let _ = writeln!(out, "  {}", paint.name(&actors));
            out.push_str(&view::code_lines(Some("JS"), &code.js, paint));
        }
    }
    for line in record.log_lines() {
        let line = safe::line(&line);
        let _ = writeln!(out, "    {} {}", paint.dim("server log"), paint.code(&line));
    }
    for o in record.observations.iter().filter(|_| record.declared) {
        // Why the server saw a socket go: the evidence for a claimed reason.
        if let Observation::ServerDisconnect {
            client,
            namespace,
            reason,
        } = o
        {
            let words =
                safe::text(&format!("{client} left {namespace}: reason `{reason}`")).into_owned();
            let _ = writeln!(out, "    {} {}", paint.dim("server    "), paint.dim(&words));
        }
    }
    if let Action::Connect { actors } = &step.action {
        for actor in actors {
            let cell = view::name_cell(actor, width, paint);
            match record.refusal_of(actor) {
                Some(reason) => {
                    let _ = writeln!(out, "    {cell}{} {reason:?}", paint.warn("connect_error:"));
                }
                None => {
                    let _ = writeln!(out, "    {cell}{}", paint.good("connected"));
                }
            }
        }
    }
    if let Some(value) = record.ack_answer() {
        let _ = writeln!(out, "    {} {}", paint.good("answered"), value);
    }
    if let Some(ms) = record.ack_timed_out() {
        let _ = writeln!(
            out,
            "    {}",
            paint.warn(&format!("no answer within {ms} ms (timeout)"))
        );
    }
    for (name, outcome) in record.server_acks() {
        let what = match (&outcome.value, outcome.answered) {
            (Some(v), true) => format!("acknowledged with {v}"),
            _ => format!(
                "did not acknowledge ({})",
                outcome.error.as_deref().unwrap_or("no answer")
            ),
        };
        let _ = writeln!(out, "    {} {}", paint.name(&name), paint.dim(&what));
    }
    if let Some(reply) = record.answer().filter(|r| !r.ok && !r.unhandled) {
        let why = reply.error.as_deref().unwrap_or("no reason given");
        let _ = writeln!(
            out,
            "    {} {}",
            paint.dim("server refused:"),
            paint.warn(why)
        );
    }
    if record.unhandled() {
        let why = record
            .answer()
            .and_then(|r| r.error.clone())
            .unwrap_or_else(|| "no handler".into());
        let _ = writeln!(out, "    {} {}", paint.dim("server"), paint.warn(&why));
    }
    if let Some(words) = view::unheard(record) {
        let _ = writeln!(out, "    {} {}", paint.dim("server"), paint.warn(&words));
    }
    if matches!(step.action, Action::Emit { .. } | Action::Send { .. })
        || step.expect.delivered_to.is_some()
    {
        for line in view::who_received(record, width, paint).lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    out
}
