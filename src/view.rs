//! Renders a lesson's trace: the live transcript and the `--json` document. Every
//! "who received it" line is read from the step's record (see `trace.rs`).

use std::fmt::Write as _;

use serde_json::{json, Value};

use crate::lesson::{Lesson, Op, Step};
use crate::paint::Paint;
use crate::safe;
use crate::snippet;
use crate::trace::{Observation, StepRecord};

pub const WIDTH: usize = 78;

/// Greedy word wrap with an indent on every line.
pub fn wrap(text: &str, indent: usize, width: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    for paragraph in text.split("\n\n") {
        if !out.is_empty() {
            out.push('\n');
        }
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            if !line.is_empty() && indent + line.chars().count() + 1 + word.chars().count() > width
            {
                let _ = writeln!(out, "{pad}{line}");
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        if !line.is_empty() {
            let _ = writeln!(out, "{pad}{line}");
        }
    }
    out
}

/// A heading line: `── title ─────`, as wide as the transcript.
pub fn rule(title: &str, paint: Paint) -> String {
    let used = title.chars().count() + 4;
    let tail = "─".repeat(WIDTH.saturating_sub(used).max(3));
    format!(
        "{} {} {}",
        paint.dim("──"),
        paint.bold(title),
        paint.dim(&tail)
    )
}

fn compact(value: &Value) -> String {
    value.to_string()
}

pub fn header(lesson: &Lesson, server: &str, paint: Paint) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        rule(&format!("socketio-lab · {}", lesson.title), paint)
    );
    out.push_str(&wrap(&lesson.intro, 2, WIDTH));
    let _ = writeln!(out);
    let _ = writeln!(out, "  {} {server}", paint.dim("server "));
    let clients: Vec<String> = lesson
        .clients
        .iter()
        .map(|c| format!("{} ({})", paint.name(&c.name), c.namespace))
        .collect();
    let _ = writeln!(out, "  {} {}", paint.dim("clients"), clients.join(", "));
    out
}

fn server_note(o: &Observation, paint: Paint) -> Option<String> {
    let line = match o {
        Observation::ServerConnect { client, namespace } => format!(
            "{}  {}",
            paint.code("a user connected"),
            paint.dim(&safe::text(&format!("({client} on {namespace})")))
        ),
        Observation::ServerDisconnect {
            client,
            namespace,
            reason,
        } => format!(
            "{}  {}",
            paint.code("user disconnected"),
            paint.dim(&safe::text(&format!("({client} on {namespace}: {reason})")))
        ),
        Observation::ServerRefuse {
            client,
            namespace,
            reason,
        } => format!(
            "{}  {}",
            paint.warn(&safe::text(&format!("refused {client} on {namespace}"))),
            paint.dim(&safe::text(&format!("({reason})")))
        ),
        Observation::ServerLog { text } => paint.code(&safe::text(text)),
        _ => return None,
    };
    Some(line)
}

pub fn name_cell(name: &str, width: usize, paint: Paint) -> String {
    let pad = width.saturating_sub(name.chars().count());
    format!("{}{}", paint.name(name), " ".repeat(pad))
}

/// Column width that fits every client name of the lesson.
pub fn name_width(lesson: &Lesson) -> usize {
    lesson
        .clients
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(4)
        + 2
}

/// The delivery table of a step: every present socket, and what it received.
pub fn who_received(record: &StepRecord, width: usize, paint: Paint) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "  {}", paint.bold("who received it"));
    // Present sockets, plus any socket that received something without being
    // counted as present (that would be a disagreement worth seeing).
    let mut shown: Vec<String> = record.present.clone();
    shown.extend(
        record
            .delivered_to()
            .into_iter()
            .filter(|n| !record.present.contains(n)),
    );
    for name in &shown {
        let got: Vec<String> = record
            .received_by(name)
            .map(|(event, payload)| format!("{} {}", safe::text(event), compact(payload)))
            .collect();
        let cell = name_cell(name, width, paint);
        if got.is_empty() {
            let _ = writeln!(
                out,
                "    {cell}{}  {}",
                paint.dim("·"),
                paint.dim("nothing")
            );
        } else {
            let _ = writeln!(out, "    {cell}{}  {}", paint.good("✓"), got.join("; "));
        }
    }
    out
}

/// The heading of a step: its number out of the lesson's and its title.
pub fn step_rule(lesson: &Lesson, step: &Step, record: &StepRecord, paint: Paint) -> String {
    let total = lesson.steps.len();
    rule(&format!("{}/{total}  {}", record.index, step.title), paint)
}

/// One step of the live transcript.
pub fn step(lesson: &Lesson, step: &Step, record: &StepRecord, paint: Paint) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", step_rule(lesson, step, record, paint));

    let Some(actor) = lesson.client(step.actor()) else {
        return out;
    };
    let code = snippet::for_step(step, actor);
    let actors = step.actors.join(", ");
    match &code.client {
        Some(client_line) => {
            let _ = writeln!(out, "  {} {}", paint.name(&actors), paint.dim("(client)"));
            let _ = writeln!(out, "    {}", paint.code(client_line));
            let _ = writeln!(out, "  {}", paint.dim("server"));
        }
        None => {
            let _ = writeln!(
                out,
                "  {} {}",
                paint.name(&actors),
                paint.dim("asks the server to run")
            );
        }
    }
    let _ = writeln!(out, "    {} {}", paint.dim("JS  "), paint.code(&code.js));
    let _ = writeln!(out, "    {} {}", paint.dim("Rust"), paint.code(&code.rust));
    if !step.narration.is_empty() {
        let _ = writeln!(out);
        out.push_str(&wrap(&step.narration, 2, WIDTH));
    }
    let _ = writeln!(out);

    let notes: Vec<String> = record
        .observations
        .iter()
        .filter_map(|o| server_note(o, paint))
        .collect();
    for note in &notes {
        let _ = writeln!(out, "  {} {note}", paint.dim("server log"));
    }

    let width = lesson
        .clients
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(4)
        + 2;
    for o in &record.observations {
        let line = match o {
            Observation::Connected { client } => {
                let ns = lesson
                    .client(client)
                    .map(|c| c.namespace.as_str())
                    .unwrap_or("/");
                format!(
                    "{}{}",
                    name_cell(client, width, paint),
                    paint.good(&format!("connected to {ns}"))
                )
            }
            Observation::Refused { client, reason } => format!(
                "{}{} {}",
                name_cell(client, width, paint),
                paint.warn("connect_error:"),
                compact(&Value::from(reason.as_str()))
            ),
            Observation::Closed { client } => {
                format!(
                    "{}{}",
                    name_cell(client, width, paint),
                    "closed its connection"
                )
            }
            Observation::DroppedByServer { client } => {
                format!(
                    "{}{}",
                    name_cell(client, width, paint),
                    paint.warn("was disconnected by the server")
                )
            }
            _ => continue,
        };
        let _ = writeln!(out, "  {line}");
    }

    match step.op {
        Op::Join | Op::Leave => {
            if let Some(rooms) = record.answer().and_then(|r| r.rooms.as_ref()) {
                let now = if rooms.is_empty() {
                    "no rooms".to_string()
                } else {
                    rooms.join(", ")
                };
                let _ = writeln!(
                    out,
                    "  {}{} {now}",
                    name_cell(step.actor(), width, paint),
                    paint.dim("is now in:")
                );
            }
        }
        Op::Ask => {
            let cell = name_cell(step.actor(), width, paint);
            if let Some(value) = record.ack_answer() {
                let _ = writeln!(
                    out,
                    "  {cell}{} {}",
                    paint.good("got the answer"),
                    compact(value)
                );
            } else if let Some(ms) = record.ack_timed_out() {
                let _ = writeln!(
                    out,
                    "  {cell}{}",
                    paint.warn(&format!(
                        "no answer within {ms} ms: the acknowledgement timed out"
                    ))
                );
            } else if let Some(reply) = record.answer().filter(|r| r.unhandled) {
                let why = safe::text(reply.error.as_deref().unwrap_or("no handler"));
                let _ = writeln!(out, "  {} {}", paint.dim("server"), paint.warn(&why));
            }
        }
        Op::Emit | Op::Send => {
            if let Some(reply) = record.answer().filter(|r| r.unhandled) {
                let why = safe::text(reply.error.as_deref().unwrap_or("no handler"));
                let _ = writeln!(out, "  {} {}", paint.dim("server"), paint.warn(&why));
            }
            out.push_str(&who_received(record, width, paint));
            if let Some(claim) = record.server_delivered_to() {
                let to = if claim.is_empty() {
                    "nobody".to_string()
                } else {
                    claim.join(", ")
                };
                let event = record.event_name(step);
                let _ = writeln!(out, "  {} sent `{event}` to {to}", paint.dim("server"));
            }
            for (name, outcome) in record.server_acks() {
                let cell = name_cell(&name, width, paint);
                let line = match (&outcome.value, outcome.error.as_deref()) {
                    (Some(v), _) if outcome.answered => {
                        paint.good(&format!("acknowledged with {}", compact(v)))
                    }
                    (_, Some("timeout")) => {
                        paint.warn("did not acknowledge: the server's wait timed out")
                    }
                    (_, Some(e)) => paint.warn(&format!("acknowledgement failed: {e}")),
                    _ => paint.warn("did not acknowledge"),
                };
                let _ = writeln!(out, "  {} {cell}{line}", paint.dim("ack   "));
            }
            if let Some(reply) = record.answer().filter(|r| !r.ok && !r.unhandled) {
                let why = safe::text(reply.error.as_deref().unwrap_or("no reason given"));
                let _ = writeln!(
                    out,
                    "  {} {}",
                    paint.dim("server"),
                    paint.warn(&format!("refused: {why}"))
                );
            }
        }
        Op::Connect | Op::Disconnect => {}
    }

    for (ns, rooms) in &record.rooms {
        let listed: Vec<String> = rooms
            .iter()
            .map(|(room, members)| format!("{}: {}", paint.bold(room), members.join(", ")))
            .collect();
        let listed = if listed.is_empty() {
            paint.dim("(no rooms)")
        } else {
            listed.join("  ")
        };
        let _ = writeln!(out, "  {} {:<6} {listed}", paint.dim("rooms "), ns);
    }

    let uses_own_id = step
        .emit
        .to
        .iter()
        .chain(&step.emit.within)
        .chain(&step.emit.except)
        .any(|r| r.starts_with("id:"));
    if step.op == Op::Connect || uses_own_id {
        for (ns, names) in &record.own_id_rooms {
            let _ = writeln!(
                out,
                "  {} {:<6} {}",
                paint.dim("own-id"),
                ns,
                paint.dim(&format!("{}  (room name = socket id)", names.join(", ")))
            );
        }
    }

    let problems = record.problems(step);
    if problems.is_empty() {
        if let Some(expect) = &step.expect {
            let mut expect = expect.clone();
            expect.sort();
            let who = if expect.is_empty() {
                "nobody".to_string()
            } else {
                expect.join(", ")
            };
            let _ = writeln!(
                out,
                "  {} {}",
                paint.good("✓"),
                paint.good(&format!("as the lesson predicted: {who}"))
            );
        }
    } else {
        for p in &problems {
            let _ = writeln!(out, "  {} {}", paint.bad("✗"), paint.bad(&safe::text(p)));
        }
    }
    out
}

pub fn summary(lesson: &Lesson, records: &[StepRecord], paint: Paint) -> String {
    let failed: Vec<(usize, Vec<String>)> = lesson
        .steps
        .iter()
        .zip(records)
        .map(|(s, r)| (r.index, r.problems(s)))
        .filter(|(_, p)| !p.is_empty())
        .collect();
    let mut out = String::new();
    if failed.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            rule(
                &format!(
                    "done: {} steps, all as observed and expected",
                    records.len()
                ),
                paint
            )
        );
    } else {
        let _ = writeln!(
            out,
            "{}",
            rule(
                &format!("done: {} of {} steps failed", failed.len(), records.len()),
                paint
            )
        );
        for (index, problems) in failed {
            for p in problems {
                let _ = writeln!(out, "  {} step {index}: {}", paint.bad("✗"), safe::text(&p));
            }
        }
    }
    out
}

/// The `--json` document: one entry per step, names sorted.
pub fn json(lesson: &Lesson, records: &[StepRecord]) -> Value {
    let steps: Vec<Value> = lesson
        .steps
        .iter()
        .zip(records)
        .map(|(s, r)| {
            let problems = r.problems(s);
            json!({
                "index": r.index,
                "title": s.title,
                "actor": s.actor(),
                "actors": s.actors,
                "operation": s.op,
                "event": s.event,
                "delivered_to": r.delivered_to(),
                "not_delivered_to": r.not_delivered_to(),
                "server_delivered_to": r.server_delivered_to(),
                "rooms": r.rooms,
                "own_id_rooms": r.own_id_rooms,
                "passed": problems.is_empty(),
                "problems": problems,
            })
        })
        .collect();
    json!({ "lesson": lesson.id, "steps": steps })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::lesson::parse;
    use crate::protocol::Reply;
    use crate::trace::RoomTable;

    const LESSON: &str = r#"
format_version = 1
title = "t"
summary = "s"
intro = "i"

[[clients]]
name = "alice"

[[clients]]
name = "bob"

[[clients]]
name = "carol"

[[steps]]
title = "connect"
op = "connect"
actors = ["alice", "bob", "carol"]

[[steps]]
title = "everyone but alice"
op = "emit"
actor = "alice"
broadcast = true
event = "news"
payload = "hi"
expect = ["bob", "carol"]
"#;

    fn record(received_by: &[&str], claimed: &[&str]) -> StepRecord {
        let mut observations: Vec<Observation> = received_by
            .iter()
            .map(|n| Observation::Received {
                client: n.to_string(),
                event: "news".into(),
                payload: Value::from("hi"),
            })
            .collect();
        observations.push(Observation::Answered {
            client: "alice".into(),
            event: "lab:emit".into(),
            reply: Reply {
                ok: true,
                delivered_to: Some(claimed.iter().map(|n| n.to_string()).collect()),
                ..Reply::default()
            },
        });
        let mut rooms = RoomTable::new();
        rooms.insert(
            "/".into(),
            BTreeMap::from([("r1".to_string(), vec!["bob".to_string()])]),
        );
        StepRecord {
            index: 2,
            observations,
            present: vec!["alice".into(), "bob".into(), "carol".into()],
            rooms,
            own_id_rooms: BTreeMap::new(),
        }
    }

    #[test]
    fn a_faithful_step_shows_who_received_it() {
        let lesson = parse("t", "t.toml", LESSON).unwrap();
        let text = step(
            &lesson,
            &lesson.steps[1],
            &record(&["bob", "carol"], &["bob", "carol"]),
            Paint::PLAIN,
        );
        assert!(
            text.contains("socket.broadcast.emit(\"news\", \"hi\")"),
            "{text}"
        );
        assert!(text.contains("    alice  ·  nothing\n"), "{text}");
        assert!(text.contains("    bob    ✓  news \"hi\"\n"), "{text}");
        assert!(
            text.contains("  server sent `news` to bob, carol\n"),
            "{text}"
        );
        assert!(text.contains("r1: bob"), "{text}");
        assert!(
            text.contains("✓ as the lesson predicted: bob, carol"),
            "{text}"
        );
        assert!(!text.contains('✗'), "{text}");
    }

    #[test]
    fn a_disagreement_between_server_and_clients_is_shown() {
        let lesson = parse("t", "t.toml", LESSON).unwrap();
        let text = step(
            &lesson,
            &lesson.steps[1],
            &record(&["bob"], &["bob", "carol"]),
            Paint::PLAIN,
        );
        assert!(text.contains("    carol  ·  nothing\n"), "{text}");
        assert!(
            text.contains("✗ the server sent `news` to `carol` but `carol` never received it"),
            "{text}"
        );
        assert!(
            text.contains("✗ expected `news` to reach bob, carol but it reached bob"),
            "{text}"
        );
        let json = json(
            &lesson,
            &[record(&[], &[]), record(&["bob"], &["bob", "carol"])],
        );
        assert_eq!(json["steps"][1]["delivered_to"], serde_json::json!(["bob"]));
        assert_eq!(
            json["steps"][1]["not_delivered_to"],
            serde_json::json!(["alice", "carol"])
        );
        assert_eq!(json["steps"][1]["passed"], false);
    }
}
