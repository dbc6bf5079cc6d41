//! The pictures under each beat: who arrived, who left, who is in a room, who saw a
//! message. Every line is read from the beat's `StepRecord`; where an observation is
//! missing the picture says so with a ✗ instead of drawing what was planned.

use std::fmt::Write as _;

use serde_json::Value;
use unicode_width::UnicodeWidthStr;

use super::words::{and_list, display_name, message_text, room_name};
use crate::lesson::{Action, Lesson, Step};
use crate::paint::Paint;
use crate::protocol::{Emit, EmitFrom};
use crate::trace::{Observation, StepRecord};
use crate::view;

/// The arrow from a person (or the server) to what receives their message.
const ARROW: &str = " ──▶ ";

/// What the trace shows of the beat's operation.
pub(super) fn picture(story: &Lesson, step: &Step, record: &StepRecord, paint: Paint) -> String {
    match &step.action {
        Action::Connect { actors } => arrivals(actors, record, paint),
        Action::Disconnect { actors, .. } => departures(actors, record, paint),
        Action::Join { actor, rooms } | Action::Leave { actor, rooms } => {
            membership(story, actor, rooms, record, paint)
        }
        Action::Emit { .. } | Action::Send { .. } | Action::Ask { .. } => {
            delivery(story, step, record, paint)
        }
        // The demo's story has no `[network]`.
        Action::Fault { .. } | Action::Redeploy { .. } => String::new(),
    }
}

/// `name` as people write it, padded to `width` columns.
fn name_cell(name: &str, width: usize, paint: Paint) -> String {
    view::name_cell(&display_name(name), width, paint)
}

/// `[Ana] [Ben]`, or `(nobody)`.
fn people(names: &[String], paint: Paint) -> String {
    if names.is_empty() {
        return paint.dim("(nobody)");
    }
    let shown: Vec<String> = names
        .iter()
        .map(|n| format!("[{}]", paint.name(&display_name(n))))
        .collect();
    shown.join(" ")
}

/// Who is online once the beat is over.
pub(super) fn online_line(record: &StepRecord, paint: Paint) -> String {
    format!(
        "    {}  {}\n",
        paint.dim("online"),
        people(&record.present, paint)
    )
}

/// Members of `room` after the step, in `actor`'s namespace, as the server reported them.
fn members<'a>(story: &Lesson, actor: &str, record: &'a StepRecord, room: &str) -> &'a [String] {
    let ns = story
        .client(actor)
        .map(|c| c.namespace.as_str())
        .unwrap_or("/");
    record
        .rooms
        .get(ns)
        .and_then(|rooms| rooms.get(room))
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// How the picture draws one end of a connection: a page opening it, or closing it.
struct Passage {
    /// Between the person and the chat server.
    link: &'static str,
    /// What the page must have seen, and what the picture says when it did not.
    page: (fn(&Observation) -> bool, &'static str),
    /// What the server must have noted, its note, and what the picture says when it
    /// made none (`{}` is the person).
    server: (fn(&Observation) -> bool, &'static str, &'static str),
}

/// Opening a connection, then closing one. One entry a line, as a table.
#[rustfmt::skip]
const PASSAGES: [Passage; 2] = [
    Passage {
        link: "──▶ ",
        page: (|o| matches!(o, Observation::Connected { .. }), "✗ could not reach the chat server"),
        server: (|o| matches!(o, Observation::ServerConnect { .. }), "has arrived", "✗ the server made no note of {} arriving"),
    },
    Passage {
        link: "─╳─ ",
        page: (|o| matches!(o, Observation::Closed { .. }), "✗ the page could not close its line properly"),
        server: (|o| matches!(o, Observation::ServerDisconnect { .. }), "has left", "✗ the server did not notice {} leaving"),
    },
];
const ARRIVAL: &Passage = &PASSAGES[0];
const DEPARTURE: &Passage = &PASSAGES[1];

fn arrivals(actors: &[String], record: &StepRecord, paint: Paint) -> String {
    let width = actors.iter().map(|a| a.width()).max().unwrap_or(3) + 1;
    passages(ARRIVAL, actors, record, paint, |a| {
        name_cell(a, width, paint)
    })
}

fn departures(actors: &[String], record: &StepRecord, paint: Paint) -> String {
    let who = |a: &str| format!("{} ", paint.name(&display_name(a)));
    passages(DEPARTURE, actors, record, paint, who)
}

/// One line per actor: the link to the chat server and the server's note, or a ✗
/// naming the side that did not see it.
fn passages(
    passage: &Passage,
    actors: &[String],
    record: &StepRecord,
    paint: Paint,
    who: impl Fn(&str) -> String,
) -> String {
    let (page_saw, page_failed) = passage.page;
    let (server_saw, noted, not_noted) = passage.server;
    let mut out = String::new();
    for actor in actors {
        let name = display_name(actor);
        let what = if record.refusal_of(actor).is_some() {
            paint.bad("✗ was turned away by the chat server")
        } else if !record.saw(actor, page_saw) {
            paint.bad(page_failed)
        } else if record.saw(actor, server_saw) {
            let note = paint.good(&format!("\"{name} {noted}\""));
            format!(
                "{}chat server   {} {note}",
                passage.link,
                paint.dim("server notes:")
            )
        } else {
            let missing = not_noted.replace("{}", &name);
            format!("{}chat server   {}", passage.link, paint.bad(&missing))
        };
        let _ = writeln!(out, "    {}{what}", who(actor));
    }
    out
}

/// A `join` (or `leave`): the request, then who the server says is in each room.
fn membership(
    story: &Lesson,
    actor: &str,
    rooms: &[String],
    record: &StepRecord,
    paint: Paint,
) -> String {
    let mut out = String::new();
    let spoken: Vec<String> = rooms.iter().map(|r| room_name(r)).collect();
    let name = display_name(actor);
    let _ = writeln!(
        out,
        "    {}{ARROW}chat server: \"let me into the {}\"",
        paint.name(&name),
        and_list(&spoken)
    );
    // The server's list of who is inside hangs under the server.
    let hang = " ".repeat(4 + name.width() + ARROW.width());
    for room in rooms {
        let inside = members(story, actor, record, room);
        let label = paint.dim(&format!("{}:", room_name(room)));
        let _ = writeln!(out, "{hang}{label} {}", people(inside, paint));
        if !inside.iter().any(|n| n == actor) {
            let missing = format!("✗ {name} is not in the {} after all", room_name(room));
            let _ = writeln!(out, "{hang}{}", paint.bad(&missing));
        }
    }
    out
}

/// The rooms a message was aimed at, if any.
fn target_rooms(emit: Option<&Emit>) -> Vec<String> {
    emit.map(|e| e.to.iter().chain(&e.within).cloned().collect())
        .unwrap_or_default()
}

/// A message: who sent it where, what each person saw, and a one-line summary.
fn delivery(story: &Lesson, step: &Step, record: &StepRecord, paint: Paint) -> String {
    let mut out = String::new();
    let sent = step
        .action
        .payload()
        .map(message_text)
        .unwrap_or_else(|| "\"\"".to_string());
    let emit = step.action.emit();
    let targets = target_rooms(emit);
    // The tree hangs under whatever receives the message first: the server, or the room.
    let (sender, shown_sender, header) = if emit.is_some_and(|e| e.from == EmitFrom::Io) {
        let spoken: Vec<String> = targets.iter().map(|r| room_name(r)).collect();
        let target = if targets.is_empty() {
            "everyone".to_string()
        } else {
            and_list(&spoken)
        };
        let sender = "chat server".to_string();
        (sender.clone(), sender, format!("{target}: {sent}"))
    } else {
        let sender = display_name(step.action.actor());
        let shown = paint.name(&sender);
        (sender, shown, format!("chat server: {sent}"))
    };
    let _ = writeln!(out, "    {shown_sender}{ARROW}{header}");
    let hang = " ".repeat(4 + sender.width() + ARROW.width());
    let width = story
        .clients
        .iter()
        .map(|c| c.name.width())
        .max()
        .unwrap_or(3)
        + 2;
    let last = story.clients.len().saturating_sub(1);
    for (i, client) in story.clients.iter().enumerate() {
        let branch = if i == last { "└" } else { "├" };
        let who = name_cell(&client.name, width, paint);
        let seen = what_they_saw(story, step, &targets, record, &client.name, &who, paint);
        let _ = writeln!(out, "{hang}{branch}{seen}");
    }
    let _ = writeln!(out, "    {}", paint.bold(&summary(story, record)));
    out
}

/// One branch of the delivery tree, after its `├`: what `name` (shown as the cell
/// `who`) saw of the message, or why it saw nothing.
fn what_they_saw(
    story: &Lesson,
    step: &Step,
    targets: &[String],
    record: &StepRecord,
    name: &str,
    who: &str,
    paint: Paint,
) -> String {
    let got: Vec<&Value> = record.received_by(name).map(|(_, p)| p).collect();
    if let Some(first) = got.first() {
        let times = if got.len() > 1 {
            format!(" ({} times)", got.len())
        } else {
            String::new()
        };
        let sees = paint.good(&format!("sees {}", message_text(first)));
        return format!("──▶ {who}{sees}{times}");
    }
    if !record.present.iter().any(|p| p == name) {
        return format!("─ · {who}{}", paint.dim("is offline, gets nothing"));
    }
    let expected = step.expect.delivered_to.iter().flatten();
    if expected.into_iter().any(|e| e == name) {
        let missed = paint.bad("did not receive it");
        return format!("─ {} {who}{missed}", paint.bad("✗"));
    }
    let actor = step.action.actor();
    let outside = targets
        .iter()
        .find(|r| !members(story, actor, record, r).iter().any(|m| m == name));
    let why = match outside {
        Some(room) => format!(" (not in the {})", room_name(room)),
        None => String::new(),
    };
    format!("─ · {who}{}", paint.dim(&format!("sees nothing{why}")))
}

/// "Nobody got it.", "Everyone online got it, ...", or "Only Ben got it."
fn summary(story: &Lesson, record: &StepRecord) -> String {
    let delivered = record.delivered_to();
    let everyone =
        !record.present.is_empty() && record.present.iter().all(|p| delivered.contains(p));
    if delivered.is_empty() {
        "Nobody got it.".to_string()
    } else if everyone && record.present.len() > 1 {
        "Everyone online got it, and nobody had to reload the page.".to_string()
    } else {
        // Keep the story's order (Ana, Ben, Caro) rather than sorted order.
        let in_order: Vec<String> = story
            .clients
            .iter()
            .filter(|c| delivered.contains(&c.name))
            .map(|c| display_name(&c.name))
            .collect();
        format!("Only {} got it.", and_list(&in_order))
    }
}
