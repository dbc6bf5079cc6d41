//! The step records the page renders: the `--json` step (`view::step_json`) plus what
//! the page draws, every part read from the step's `StepRecord` here, so that the
//! page's JavaScript only renders and never works out who received what.

use serde_json::{json, Value};

use crate::demo::{display_name, split_narration};
use crate::lesson::{Action, Lesson, Step};
use crate::paint::Paint;
use crate::safe;
use crate::snippet;
use crate::trace::{Observation, StepRecord};
use crate::view;
use crate::view_json;

/// One socket's card after a step: where it is, and what it received in the step.
/// `delivers`: the step sends an event, so that receiving nothing is worth a `·`.
fn card(lesson: &Lesson, record: &StepRecord, name: &str, delivers: bool) -> Value {
    let namespace = lesson
        .client(name)
        .map(|c| c.namespace.clone())
        .unwrap_or_else(|| "/".into());
    let rooms: Vec<&String> = record
        .rooms
        .get(&namespace)
        .map(|rooms| {
            rooms
                .iter()
                .filter(|(_, members)| members.iter().any(|m| m == name))
                .map(|(room, _)| room)
                .collect()
        })
        .unwrap_or_default();
    let received: Vec<Value> = record
        .received_args(name)
        .map(|(event, args)| {
            json!({
                "event": safe::text(event),
                "payload": match args.as_slice() {
                    [one] => safe::value(one),
                    many => safe::value(&Value::Array(many.iter().map(|a| (*a).clone()).collect())),
                },
                "args": args.iter().map(|a| safe::value(a)).collect::<Vec<_>>(),
                // As the transcript says it: each argument, or that there was none.
                "text": view::received_words(event, &args),
            })
        })
        .collect();
    let present = record.present.iter().any(|p| p == name);
    let mark = match (received.is_empty(), present && delivers) {
        (false, _) => "✓",
        (true, true) => "·",
        (true, false) => "",
    };
    json!({
        "name": name,
        "namespace": namespace,
        "present": present,
        "mark": mark,
        "rooms": rooms,
        "received": received,
        // A lesson with `[nodes]`: the node that holds the socket (none when it is
        // not connected, or with one server).
        "node": record.nodes.get(name),
    })
}

/// What each client saw of its own connection, and what came back to the actor.
fn outcomes(lesson: &Lesson, step: &Step, record: &StepRecord) -> Vec<Value> {
    let mut lines = Vec::new();
    let mut say = |name: &str, ok: bool, text: String| {
        lines.push(json!({ "name": name, "ok": ok, "text": text }));
    };
    for o in &record.observations {
        match o {
            Observation::Connected { client } => {
                let ns = lesson.client(client).map(|c| c.namespace.as_str());
                say(client, true, format!("connected to {}", ns.unwrap_or("/")));
            }
            Observation::Refused { client, reason } => say(
                client,
                false,
                format!("connect_error: {}", safe::text(reason)),
            ),
            Observation::Closed { client } => say(client, true, "closed its connection".into()),
            Observation::DroppedByServer { client } => {
                say(client, false, view::dropped(record, client).into())
            }
            _ => {}
        }
    }
    let actor = step.action.actor();
    if let Some(rooms) = record.answer().and_then(|r| r.rooms.as_ref()) {
        say(actor, true, format!("is now in: {}", rooms_words(rooms)));
    }
    if let Some(value) = record.ack_answer() {
        say(actor, true, format!("got the answer {value}"));
    } else if let Some(ms) = record.ack_timed_out() {
        let text = format!("no answer within {ms} ms: the acknowledgement timed out");
        say(actor, false, text);
    }
    if let Some(reply) = record.answer().filter(|r| r.unhandled || !r.ok) {
        let why = safe::text(reply.error.as_deref().unwrap_or("no reason given"));
        say("server", false, why.into_owned());
    }
    if let Some(words) = view::unheard(record) {
        say("server", false, words);
    }
    for (name, outcome) in record.server_acks() {
        let (ok, text) = view::ack_words(&outcome);
        say(&name, ok, text);
    }
    lines
}

fn rooms_words(rooms: &[String]) -> String {
    if rooms.is_empty() {
        "no rooms".into()
    } else {
        rooms.join(", ")
    }
}

/// The page's record of one lesson step.
pub fn step(lesson: &Lesson, step: &Step, record: &StepRecord) -> Value {
    let mut doc = view_json::step_json(step, record);
    let code = lesson
        .client(step.action.actor())
        .map(|actor| snippet::code(lesson, step, actor));
    let mut names: Vec<String> = lesson.clients.iter().map(|c| c.name.clone()).collect();
    names.extend(
        view::shown_sockets(record)
            .into_iter()
            .filter(|n| lesson.client(n).is_none()),
    );
    let delivers = matches!(step.action, Action::Emit { .. } | Action::Send { .. });
    let extra = json!({
        "kind": "step",
        "total": lesson.steps.len(),
        "narration": step.narration,
        "code": code.map(|c| {
            use crate::highlight::{html, Lang};
            // Each line's number in the file `export` writes, as the transcript
            // shows them (`null`: a line the file does not hold).
            let numbered = lesson
                .client(step.action.actor())
                .and_then(|actor| crate::listing::step_numbers(lesson, actor, &c));
            json!({
                "js_lines": numbered.as_ref().map(|n| &n.js),
                "rust_lines": numbered.as_ref().map(|n| &n.rust),
                "client_html": c.client.as_deref().and_then(|client| html(Lang::JavaScript, client)),
                "js_html": html(Lang::JavaScript, &c.js),
                "rust_html": html(Lang::Rust, &c.rust),
                "client": c.client,
                "js": c.js,
                "rust": c.rust,
            })
        }),
        "delivers": delivers,
        // What the server emitted (from its own note), which need not be what the
        // client sent: `tell` makes the server emit `news`.
        "sent_event": safe::text(&record.event_name(step)),
        "expected": step.expect.delivered_to.clone().map(|mut names| { names.sort(); names }),
        "shown": view::shown_sockets(record),
        "sockets": names.iter().map(|n| card(lesson, record, n, delivers)).collect::<Vec<_>>(),
        "outcomes": outcomes(lesson, step, record),
        "server_log": log(record),
    });
    merge(&mut doc, extra);
    doc
}

fn merge(doc: &mut Value, extra: Value) {
    if let (Some(doc), Value::Object(extra)) = (doc.as_object_mut(), extra) {
        doc.extend(extra);
    }
}

/// The demo's record of a beat: the lesson step plus the chat windows in plain words.
pub fn beat(story: &Lesson, step: &Step, record: &StepRecord) -> Value {
    let mut doc = self::step(story, step, record);
    let (plain, glossary) = split_narration(&step.narration);
    let from = crate::demo::sender(step);
    let extra = json!({
        "plain": plain,
        "glossary": glossary.iter().map(|(t, m)| json!({ "term": t, "meaning": m })).collect::<Vec<_>>(),
        "windows": windows(story, record, &from),
        "online": online(record),
    });
    merge(&mut doc, extra);
    doc
}

/// What a visitor's own action came to, as the trace saw it: `said` is what the
/// server relayed for them (`None` when they arrived or left).
pub fn visitor(story: &Lesson, record: &StepRecord, name: &str, said: Option<Value>) -> Value {
    let delivers = said.is_some();
    let title = match (&said, arrived(record, name)) {
        (Some(_), _) => format!("{} writes", safe::text(name)),
        (None, true) => format!("{} joins the chat", safe::text(name)),
        (None, false) => format!("{} leaves", safe::text(name)),
    };
    json!({
        "kind": "visitor",
        "index": record.index,
        "title": title,
        "visitor": safe::text(name),
        "server_sent_to": said,
        "delivered_to": record.delivered_to(),
        "not_delivered_to": record.not_delivered_to(),
        "shown": view::shown_sockets(record),
        "sockets": story.clients.iter().map(|c| card(story, record, &c.name, delivers)).collect::<Vec<_>>(),
        "windows": windows(story, record, &safe::text(name)),
        "online": online(record),
        "server_log": log(record),
    })
}

fn arrived(record: &StepRecord, name: &str) -> bool {
    record
        .observations
        .iter()
        .any(|o| matches!(o, Observation::ServerConnect { client, .. } if client == name))
}

/// Everyone the server holds in `/` after the step, by the room Socket.IO makes for
/// each socket's own id: the lab's people and any visitor alike.
fn online(record: &StepRecord) -> Vec<String> {
    let names = record.own_id_rooms.get("/").cloned().unwrap_or_default();
    let mut names: Vec<String> = names.iter().map(|n| display_name(&safe::text(n))).collect();
    names.sort_by_key(|n| n.to_lowercase());
    names
}

/// Each person's chat window: the messages their page received in this step (from
/// `from`), and who the server saw arrive or leave.
fn windows(story: &Lesson, record: &StepRecord, from: &str) -> Vec<Value> {
    let mut notes = Vec::new();
    for o in &record.observations {
        match o {
            Observation::ServerConnect { client, .. } => notes.push(format!(
                "{} joined the chat",
                display_name(&safe::text(client))
            )),
            Observation::ServerDisconnect { client, .. } => notes.push(format!(
                "{} left the chat",
                display_name(&safe::text(client))
            )),
            _ => {}
        }
    }
    story
        .clients
        .iter()
        .map(|c| {
            let messages: Vec<Value> = record
                .received_by(&c.name)
                .map(|(_, payload)| {
                    let text = match payload {
                        Value::String(s) => safe::text(s).into_owned(),
                        other => other.to_string(),
                    };
                    json!({ "from": from, "text": text })
                })
                .collect();
            json!({
                "name": c.name,
                "title": display_name(&c.name),
                "open": record.present.contains(&c.name),
                "messages": messages,
                "notes": notes,
            })
        })
        .collect()
}

/// The server's log for the step, as the transcript writes it (names escaped).
fn log(record: &StepRecord) -> Vec<String> {
    view::server_log(record, Paint::PLAIN)
        .lines()
        .map(|line| line.trim_start().to_string())
        .map(|line| {
            let rest = line
                .strip_prefix("server log ")
                .or(line.strip_prefix("server "));
            rest.map_or(line.clone(), |rest| rest.trim_start().to_string())
        })
        .collect()
}
