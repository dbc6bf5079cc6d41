//! `socketio-lab demo`: the chat example told in plain words, for people who do not
//! write code. The story is a lesson file (`src/demo_story.toml`, read with
//! `lesson::parse`) run on the embedded server through the same `Lab` engine and
//! trace as `run`. Every "sees" line is read from the step's `StepRecord`; when an
//! observation is missing the demo says so instead of printing the planned line.
//!
//! Plain words: narration avoids the terms in [`JARGON`]. Each step may end with one
//! `word: TERM - meaning` line, the only place a technical term appears. "room" is
//! treated as an everyday word (a smaller group inside the chat, explained where it
//! is first used), so it may appear in plain text; "Socket.IO" is the product's name
//! and may appear too. `detail:` lines, printed only when something went wrong, carry
//! the technical account for a developer and are exempt as well.

use std::fmt::Write as _;
use std::io::Write;
use std::time::Duration;

use serde_json::Value;

use crate::engine::{Lab, LabOptions};
use crate::judge::Verdict;
use crate::lesson::{self, Lesson, Op, Origin, Step};
use crate::paint::Paint;
use crate::trace::{Observation, StepRecord};
use crate::view::{rule, step_rule, wrap, WIDTH};

/// The story, in the lesson format.
pub const STORY: &str = include_str!("demo_story.toml");

/// Technical words that must not appear in plain narration (plural and verb forms
/// included, see [`is_jargon`]).
pub const JARGON: &[&str] = &[
    "socket",
    "websocket",
    "emit",
    "broadcast",
    "namespace",
    "event",
    "payload",
    "server-side",
    "client",
    "handler",
    "callback",
    "listener",
    "middleware",
    "adapter",
    "transport",
    "polling",
    "packet",
    "ack",
    "acknowledgement",
    "sid",
    "json",
    "api",
    "protocol",
    "backend",
    "frontend",
    "endpoint",
    "async",
];

/// The one command that shows the technical version of the same story.
pub const TECHNICAL_COMMAND: &str = "socketio-lab run chat";

const GLOSSARY_PREFIX: &str = "word:";
const DETAIL_PREFIX: &str = "detail:";

/// How long the demo rests between beats. Presentation only: a beat's traffic has
/// been observed in full before any pause starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    Slow,
    Normal,
    Fast,
    Instant,
}

impl Pace {
    pub fn pause(self) -> Duration {
        Duration::from_millis(match self {
            Pace::Slow => 3500,
            Pace::Normal => 1800,
            Pace::Fast => 600,
            Pace::Instant => 0,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoOptions {
    /// Pause between beats.
    pub pace: Pace,
    /// Wait for the person between beats instead (see [`run`]'s `next_beat`).
    pub step: bool,
}

/// Why the demo could not be told to its end.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the demo story is broken: {0}")]
    Story(#[from] lesson::LessonError),
    #[error(transparent)]
    Start(crate::engine::LabError),
    #[error("beat {beat}: {source}")]
    Beat {
        beat: usize,
        source: crate::engine::LabError,
    },
    #[error("cannot write the demo: {0}")]
    Output(#[from] std::io::Error),
}

/// The demo's story, parsed and validated like any lesson.
pub fn story() -> Result<Lesson, lesson::LessonError> {
    lesson::parse("demo", "src/demo_story.toml", STORY)
}

/// A step's narration split into plain text and its glossary lines `(term, meaning)`.
pub fn split_narration(narration: &str) -> (String, Vec<(String, String)>) {
    let mut plain = Vec::new();
    let mut glossary = Vec::new();
    for line in narration.lines() {
        match line.trim().strip_prefix(GLOSSARY_PREFIX) {
            Some(entry) => {
                let (term, meaning) = entry.split_once(" - ").unwrap_or((entry, ""));
                glossary.push((term.trim().to_string(), meaning.trim().to_string()));
            }
            None => plain.push(line),
        }
    }
    (plain.join("\n").trim().to_string(), glossary)
}

/// True when `token` (lowercase) is a jargon word or one of its usual forms.
pub fn is_jargon(token: &str) -> bool {
    const ENDINGS: &[&str] = &["", "s", "es", "ed", "ted", "ing", "ting", "ter", "ters"];
    JARGON.iter().any(|word| {
        token
            .strip_prefix(word)
            .is_some_and(|rest| ENDINGS.contains(&rest))
    })
}

/// The jargon words found in plain text (glossary and detail lines are skipped).
pub fn jargon_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with(GLOSSARY_PREFIX) || trimmed.starts_with(DETAIL_PREFIX) {
            continue;
        }
        let line = line.replace("Socket.IO", " ");
        let tokens = line
            .split(|c: char| !(c.is_alphanumeric() || c == '-'))
            .filter(|t| !t.is_empty());
        for token in tokens {
            let token = token.to_lowercase();
            let parts = std::iter::once(token.as_str()).chain(token.split('-'));
            for part in parts {
                if is_jargon(part) && !found.iter().any(|f| f == part) {
                    found.push(part.to_string());
                }
            }
        }
    }
    found
}

/// `ana` as people write it: `Ana`.
pub fn display_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `side-room` as people say it: `side room`.
fn room_name(room: &str) -> String {
    room.replace(['-', '_'], " ")
}

/// "Ana", "Ana and Ben", "Ana, Ben and Caro".
fn and_list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A message as it shows on a screen, shortened to keep the picture in 80 columns.
fn message_text(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let short: String = if text.chars().count() > 36 {
        let cut: String = text.chars().take(33).collect();
        format!("{cut}...")
    } else {
        text
    };
    format!("\"{short}\"")
}

fn name_cell(name: &str, width: usize, paint: Paint) -> String {
    let shown = display_name(name);
    let pad = width.saturating_sub(shown.chars().count());
    format!("{}{}", paint.name(&shown), " ".repeat(pad))
}

fn online_line(record: &StepRecord, paint: Paint) -> String {
    let people: Vec<String> = record
        .present
        .iter()
        .map(|n| format!("[{}]", paint.name(&display_name(n))))
        .collect();
    let people = if people.is_empty() {
        paint.dim("(nobody)")
    } else {
        people.join(" ")
    };
    format!("    {}  {people}\n", paint.dim("online"))
}

fn server_noted_arrival(record: &StepRecord, name: &str) -> bool {
    record
        .observations
        .iter()
        .any(|o| matches!(o, Observation::ServerConnect { client, .. } if client == name))
}

fn server_noted_departure(record: &StepRecord, name: &str) -> bool {
    record
        .observations
        .iter()
        .any(|o| matches!(o, Observation::ServerDisconnect { client, .. } if client == name))
}

fn page_got_in(record: &StepRecord, name: &str) -> bool {
    record
        .observations
        .iter()
        .any(|o| matches!(o, Observation::Connected { client } if client == name))
}

fn page_closed(record: &StepRecord, name: &str) -> bool {
    record
        .observations
        .iter()
        .any(|o| matches!(o, Observation::Closed { client } if client == name))
}

/// Members of `room` after the step, as the server reported them.
fn members<'a>(lesson: &Lesson, step: &Step, record: &'a StepRecord, room: &str) -> &'a [String] {
    let ns = lesson
        .client(step.actor())
        .map(|c| c.namespace.as_str())
        .unwrap_or("/");
    record
        .rooms
        .get(ns)
        .and_then(|rooms| rooms.get(room))
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn arrivals(step: &Step, record: &StepRecord, paint: Paint) -> String {
    let mut out = String::new();
    let width = step.actors.iter().map(|a| a.len()).max().unwrap_or(3) + 1;
    for actor in &step.actors {
        let who = name_cell(actor, width, paint);
        let line = if record.refusal_of(actor).is_some() {
            format!("{who}{}", paint.bad("✗ was turned away by the chat server"))
        } else if !page_got_in(record, actor) {
            format!("{who}{}", paint.bad("✗ could not reach the chat server"))
        } else if server_noted_arrival(record, actor) {
            format!(
                "{who}──▶ chat server   {} {}",
                paint.dim("server notes:"),
                paint.good(&format!("\"{} has arrived\"", display_name(actor)))
            )
        } else {
            format!(
                "{who}──▶ chat server   {}",
                paint.bad(&format!(
                    "✗ the server made no note of {} arriving",
                    display_name(actor)
                ))
            )
        };
        let _ = writeln!(out, "    {line}");
    }
    out
}

fn departure(step: &Step, record: &StepRecord, paint: Paint) -> String {
    let mut out = String::new();
    for actor in &step.actors {
        let who = paint.name(&display_name(actor));
        let line = if !page_closed(record, actor) {
            format!(
                "{who} {}",
                paint.bad("✗ the page could not close its line properly")
            )
        } else if server_noted_departure(record, actor) {
            format!(
                "{who} ─╳─ chat server   {} {}",
                paint.dim("server notes:"),
                paint.good(&format!("\"{} has left\"", display_name(actor)))
            )
        } else {
            format!(
                "{who} ─╳─ chat server   {}",
                paint.bad(&format!(
                    "✗ the server did not notice {} leaving",
                    display_name(actor)
                ))
            )
        };
        let _ = writeln!(out, "    {line}");
    }
    out
}

fn joining(lesson: &Lesson, step: &Step, record: &StepRecord, paint: Paint) -> String {
    let mut out = String::new();
    let actor = step.actor();
    let rooms: Vec<String> = step.rooms.iter().map(|r| room_name(r)).collect();
    let _ = writeln!(
        out,
        "    {} ──▶ chat server: \"let me into the {}\"",
        paint.name(&display_name(actor)),
        and_list(&rooms)
    );
    // The server's list of who is inside hangs under the server.
    let hang = " ".repeat(4 + display_name(actor).chars().count() + " ──▶ ".chars().count());
    for room in &step.rooms {
        let inside = members(lesson, step, record, room);
        let listed: Vec<String> = inside
            .iter()
            .map(|n| format!("[{}]", paint.name(&display_name(n))))
            .collect();
        let listed = if listed.is_empty() {
            paint.dim("(nobody)")
        } else {
            listed.join(" ")
        };
        let _ = writeln!(
            out,
            "{hang}{} {listed}",
            paint.dim(&format!("{}:", room_name(room)))
        );
        if !inside.iter().any(|n| n == actor) {
            let _ = writeln!(
                out,
                "{hang}{}",
                paint.bad(&format!(
                    "✗ {} is not in the {} after all",
                    display_name(actor),
                    room_name(room)
                ))
            );
        }
    }
    out
}

/// The rooms a message was aimed at, if any.
fn target_rooms(step: &Step) -> Vec<String> {
    step.emit
        .to
        .iter()
        .chain(&step.emit.within)
        .cloned()
        .collect()
}

fn delivery(lesson: &Lesson, step: &Step, record: &StepRecord, paint: Paint) -> String {
    let mut out = String::new();
    let sent = step
        .payload
        .as_ref()
        .map(message_text)
        .unwrap_or_else(|| "\"\"".to_string());
    let targets = target_rooms(step);
    let target_text = and_list(&targets.iter().map(|r| room_name(r)).collect::<Vec<_>>());
    let from_server = step.op == Op::Emit && step.emit.from == Origin::Io;
    // The tree hangs under whatever receives the message first: the server, or the room.
    let (sender, shown_sender, header) = if from_server {
        let target = if targets.is_empty() {
            "everyone".to_string()
        } else {
            target_text
        };
        let sender = "chat server".to_string();
        (sender.clone(), sender, format!("{target}: {sent}"))
    } else {
        let sender = display_name(step.actor());
        let shown = paint.name(&sender);
        (sender, shown, format!("chat server: {sent}"))
    };
    let _ = writeln!(out, "    {shown_sender} ──▶ {header}");
    let hang = " ".repeat(4 + sender.chars().count() + " ──▶ ".chars().count());

    let people: Vec<&str> = lesson.clients.iter().map(|c| c.name.as_str()).collect();
    let width = people.iter().map(|n| n.len()).max().unwrap_or(3) + 2;
    let expected = step.expect.clone().unwrap_or_default();
    for (i, name) in people.iter().enumerate() {
        let branch = if i + 1 == people.len() { "└" } else { "├" };
        let got: Vec<&Value> = record.received_by(name).map(|(_, p)| p).collect();
        let who = name_cell(name, width, paint);
        let line = if let Some(first) = got.first() {
            let times = if got.len() > 1 {
                format!(" ({} times)", got.len())
            } else {
                String::new()
            };
            format!(
                "{branch}──▶ {who}{}{times}",
                paint.good(&format!("sees {}", message_text(first)))
            )
        } else if !record.present.iter().any(|p| p == name) {
            format!("{branch}─ · {who}{}", paint.dim("is offline, gets nothing"))
        } else if expected.iter().any(|e| e == name) {
            format!(
                "{branch}─ {} {who}{}",
                paint.bad("✗"),
                paint.bad("did not receive it")
            )
        } else {
            let outside: Vec<&String> = targets
                .iter()
                .filter(|r| !members(lesson, step, record, r).iter().any(|m| m == name))
                .collect();
            let why = match outside.first() {
                Some(room) if !targets.is_empty() => {
                    format!(" (not in the {})", room_name(room))
                }
                _ => String::new(),
            };
            format!(
                "{branch}─ · {who}{}",
                paint.dim(&format!("sees nothing{why}"))
            )
        };
        let _ = writeln!(out, "{hang}{line}");
    }

    let delivered: Vec<String> = record
        .delivered_to()
        .iter()
        .map(|n| display_name(n))
        .collect();
    let everyone = !record.present.is_empty()
        && record
            .present
            .iter()
            .all(|p| record.delivered_to().contains(p));
    let verdict = if delivered.is_empty() {
        "Nobody got it.".to_string()
    } else if everyone && record.present.len() > 1 {
        "Everyone online got it, and nobody had to reload the page.".to_string()
    } else {
        // Keep the story's order (Ana, Ben, Caro) rather than sorted order.
        let in_order: Vec<String> = people
            .iter()
            .filter(|n| record.delivered_to().iter().any(|d| d == *n))
            .map(|n| display_name(n))
            .collect();
        format!("Only {} got it.", and_list(&in_order))
    };
    let _ = writeln!(out, "    {}", paint.bold(&verdict));
    out
}

/// Whether a beat went as the story means it to: everything the trace checks
/// (`StepRecord::problems`), plus the arrivals, departures and room lists the
/// pictures show.
pub fn beat_ok(story: &Lesson, step: &Step, record: &StepRecord) -> bool {
    let shown_ok = match step.op {
        Op::Connect => step
            .actors
            .iter()
            .all(|a| page_got_in(record, a) && server_noted_arrival(record, a)),
        Op::Disconnect => step
            .actors
            .iter()
            .all(|a| page_closed(record, a) && server_noted_departure(record, a)),
        Op::Join => step.rooms.iter().all(|room| {
            members(story, step, record, room)
                .iter()
                .any(|m| m == step.actor())
        }),
        Op::Leave | Op::Emit | Op::Send | Op::Ask => true,
    };
    shown_ok && record.problems(step).is_empty()
}

/// The opening: title and what the viewer is about to see.
pub fn header(story: &Lesson, paint: Paint) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        rule(&format!("socketio-lab demo · {}", story.title), paint)
    );
    out.push_str(&wrap(&story.intro, 2, WIDTH));
    let people: Vec<String> = story
        .clients
        .iter()
        .map(|c| display_name(&c.name))
        .collect();
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "  {}  {}, each on their own chat page",
        paint.dim("people"),
        and_list(&people)
    );
    let _ = writeln!(
        out,
        "  {}  a real chat server, running inside this program",
        paint.dim("server")
    );
    out
}

/// One beat: the plain sentences, the glossary line, then a picture of what the trace
/// shows happened.
pub fn beat(story: &Lesson, step: &Step, record: &StepRecord, paint: Paint) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", step_rule(story, step, record, paint));
    let (plain, glossary) = split_narration(&step.narration);
    out.push_str(&wrap(&plain, 2, WIDTH));
    for (term, meaning) in &glossary {
        let _ = writeln!(
            out,
            "  {}",
            paint.dim(&format!("{GLOSSARY_PREFIX} {term} - {meaning}"))
        );
    }
    let _ = writeln!(out);

    let picture = match step.op {
        Op::Connect => arrivals(step, record, paint),
        Op::Disconnect => departure(step, record, paint),
        Op::Join | Op::Leave => joining(story, step, record, paint),
        Op::Emit | Op::Send | Op::Ask => delivery(story, step, record, paint),
    };
    out.push_str(&picture);
    out.push_str(&online_line(record, paint));

    let problems = record.problems(step);
    if !problems.is_empty() {
        let _ = writeln!(
            out,
            "  {}",
            paint.bad("✗ This did not go as it should have. For a developer:")
        );
        // Every wrapped line keeps the prefix: these are the technical lines.
        let width = WIDTH - 2 - DETAIL_PREFIX.len() - 1;
        for p in &problems {
            for line in wrap(p, 0, width).lines() {
                let _ = writeln!(out, "  {}", paint.dim(&format!("{DETAIL_PREFIX} {line}")));
            }
        }
    }
    out
}

/// The closing: the three sentences to repeat, and where the technical version is.
pub fn ending(story: &Lesson, failed_beats: usize, paint: Paint) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", rule("In short", paint));
    if failed_beats > 0 {
        let _ = writeln!(
            out,
            "  {}",
            paint.bad(&format!(
                "✗ {failed_beats} of {} beats did not go as planned (see the ✗ lines).",
                story.steps.len()
            ))
        );
    }
    out.push_str(&wrap(&story.summary, 2, WIDTH));
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "  Developers: `{}` shows the same chat with its code.",
        paint.code(TECHNICAL_COMMAND)
    );
    out
}

/// Rests between beats: the person's go-ahead in step mode (`next_beat` returns
/// false once they closed the input: then the pace takes over), otherwise the pace.
async fn rest(pace: Pace, step_mode: &mut bool, next_beat: &mut dyn FnMut() -> bool) {
    if *step_mode {
        *step_mode = next_beat();
        return;
    }
    if pace != Pace::Instant {
        tokio::time::sleep(pace.pause()).await;
    }
}

/// Runs the demo: every beat's traffic is observed in full before it is shown, and
/// only then does the pause before the next beat start.
pub async fn run(
    options: &DemoOptions,
    out: &mut dyn Write,
    paint: Paint,
    next_beat: &mut dyn FnMut() -> bool,
) -> Result<Verdict, DemoError> {
    let story = story()?;
    let pace = options.pace;
    let mut step_mode = options.step;
    let mut lab = Lab::start(&story.clients, &LabOptions::default())
        .await
        .map_err(DemoError::Start)?;
    let failed = tell(
        &mut lab,
        &story,
        pace,
        &mut step_mode,
        out,
        paint,
        next_beat,
    )
    .await;
    lab.finish().await;
    let failed = failed?;
    write!(out, "\n{}", ending(&story, failed, paint))?;
    out.flush()?;
    Ok(Verdict::from_ok(failed == 0))
}

/// Tells every beat; returns how many did not hold.
async fn tell(
    lab: &mut Lab,
    story: &Lesson,
    pace: Pace,
    step_mode: &mut bool,
    out: &mut dyn Write,
    paint: Paint,
    next_beat: &mut dyn FnMut() -> bool,
) -> Result<usize, DemoError> {
    write!(out, "{}", header(story, paint))?;
    out.flush()?;
    rest(pace, step_mode, next_beat).await;
    let mut failed = 0;
    for (i, step) in story.steps.iter().enumerate() {
        let record = lab.run_step(step).await.map_err(|source| DemoError::Beat {
            beat: i + 1,
            source,
        })?;
        if !beat_ok(story, step, &record) {
            failed += 1;
        }
        write!(out, "\n{}", beat(story, step, &record, paint))?;
        out.flush()?;
        if i + 1 < story.steps.len() {
            rest(pace, step_mode, next_beat).await;
        }
    }
    Ok(failed)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::trace::RoomTable;

    fn record(index: usize, observations: Vec<Observation>, present: &[&str]) -> StepRecord {
        StepRecord {
            index,
            observations,
            present: present.iter().map(|s| s.to_string()).collect(),
            rooms: RoomTable::new(),
            own_id_rooms: BTreeMap::new(),
        }
    }

    /// What a faithful run of `step` would observe.
    fn good_record(index: usize, step: &Step, present: &[&str]) -> StepRecord {
        let mut obs = Vec::new();
        match step.op {
            Op::Connect => {
                for a in &step.actors {
                    obs.push(Observation::ServerConnect {
                        client: a.clone(),
                        namespace: "/".into(),
                    });
                    obs.push(Observation::Connected { client: a.clone() });
                }
            }
            Op::Disconnect => {
                for a in &step.actors {
                    obs.push(Observation::ServerDisconnect {
                        client: a.clone(),
                        namespace: "/".into(),
                        reason: "client namespace disconnect".into(),
                    });
                    obs.push(Observation::Closed { client: a.clone() });
                }
            }
            _ => {
                for name in step.expect.iter().flatten() {
                    obs.push(Observation::Received {
                        client: name.clone(),
                        event: step.event.clone().unwrap_or_default(),
                        payload: step.payload.clone().unwrap_or(Value::Null),
                    });
                }
            }
        }
        let mut r = record(index, obs, present);
        if step.op == Op::Join {
            let rooms = step
                .rooms
                .iter()
                .map(|room| (room.clone(), vec![step.actor().to_string()]))
                .collect();
            r.rooms.insert("/".into(), rooms);
        }
        r
    }

    /// Who is online after each step of the story, per the story itself.
    fn present_after(story: &Lesson) -> Vec<Vec<&str>> {
        let mut online: Vec<&str> = Vec::new();
        let mut out = Vec::new();
        for step in &story.steps {
            match step.op {
                Op::Connect => online.extend(step.actors.iter().map(String::as_str)),
                Op::Disconnect => online.retain(|n| !step.actors.iter().any(|a| a == n)),
                _ => {}
            }
            out.push(online.clone());
        }
        out
    }

    /// The whole transcript for the given records.
    fn transcript(story: &Lesson, records: &[StepRecord]) -> String {
        let mut out = header(story, Paint::PLAIN);
        for (step, r) in story.steps.iter().zip(records) {
            out.push_str(&beat(story, step, r, Paint::PLAIN));
        }
        let failed = story
            .steps
            .iter()
            .zip(records)
            .filter(|(s, r)| !beat_ok(story, s, r))
            .count();
        out.push_str(&ending(story, failed, Paint::PLAIN));
        out
    }

    fn good_transcript(story: &Lesson) -> String {
        let present = present_after(story);
        let records: Vec<StepRecord> = story
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| good_record(i + 1, s, &present[i]))
            .collect();
        transcript(story, &records)
    }

    /// Nothing observed at all: every beat must say so.
    fn empty_transcript(story: &Lesson) -> String {
        let present = present_after(story);
        let records: Vec<StepRecord> = story
            .steps
            .iter()
            .enumerate()
            .map(|(i, _)| record(i + 1, Vec::new(), &present[i]))
            .collect();
        transcript(story, &records)
    }

    #[test]
    fn the_story_is_a_valid_lesson_with_ana_ben_and_caro() {
        let story = story().unwrap();
        let names: Vec<&str> = story.clients.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["ana", "ben", "caro"]);
        assert!(story.steps.iter().any(|s| s.op == Op::Join));
        assert!(story.steps.iter().any(|s| s.op == Op::Disconnect));
    }

    #[test]
    fn jargon_is_caught_in_its_usual_forms() {
        for text in [
            "the socket",
            "Sockets",
            "it emits",
            "emitted",
            "an Event",
            "server-side code",
            "the client's page",
            "one handler",
            "WebSocket",
        ] {
            assert!(!jargon_in(text).is_empty(), "missed jargon in {text:?}");
        }
        for text in [
            "Socket.IO keeps a line open",
            "eventually",
            "the side room",
            "a server",
            "word: broadcast - sending to all",
            "  detail: the server sent `chat message`",
        ] {
            assert_eq!(jargon_in(text), Vec::<String>::new(), "{text:?}");
        }
    }

    #[test]
    fn narration_outside_glossary_lines_has_no_jargon() {
        let story = story().unwrap();
        let mut texts = vec![
            story.title.clone(),
            story.intro.clone(),
            story.summary.clone(),
        ];
        for step in &story.steps {
            texts.push(step.title.clone());
            texts.push(step.narration.clone());
        }
        for text in texts {
            let found = jargon_in(&text);
            assert!(found.is_empty(), "jargon {found:?} in:\n{text}");
        }
        // What the demo prints around it, whether things go well or not.
        for out in [good_transcript(&story), empty_transcript(&story)] {
            let found = jargon_in(&out);
            assert!(found.is_empty(), "jargon {found:?} in:\n{out}");
        }
    }

    #[test]
    fn each_beat_has_one_glossary_word_and_none_repeats() {
        let story = story().unwrap();
        let mut seen = BTreeSet::new();
        for step in &story.steps {
            let (plain, glossary) = split_narration(&step.narration);
            assert!(!plain.is_empty(), "`{}` has no plain text", step.title);
            assert_eq!(glossary.len(), 1, "`{}`: one glossary line", step.title);
            let (term, meaning) = &glossary[0];
            assert!(!meaning.is_empty(), "`{term}` has no meaning");
            assert!(seen.insert(term.clone()), "`{term}` is explained twice");
        }
    }

    #[test]
    fn everything_fits_80_columns() {
        let story = story().unwrap();
        for out in [good_transcript(&story), empty_transcript(&story)] {
            for line in out.lines() {
                assert!(line.chars().count() <= 80, "too wide: {line:?}");
            }
        }
    }

    #[test]
    fn missing_observations_are_said_not_hidden() {
        let story = story().unwrap();
        let out = empty_transcript(&story);
        for said in [
            "✗ could not reach the chat server",
            "✗ Ana did not receive it",
            "✗ Ben did not receive it",
            "✗ Caro did not receive it",
            "✗ Ben is not in the side room after all",
            "✗ the page could not close its line properly",
            "Nobody got it.",
            "✗ 7 of 7 beats did not go as planned",
        ] {
            assert!(
                out.replace("✗ Ana   ", "✗ Ana ")
                    .replace("✗ Ben   ", "✗ Ben ")
                    .replace("✗ Caro  ", "✗ Caro ")
                    .contains(said),
                "missing {said:?} in:\n{out}"
            );
        }
        assert!(!out.contains("sees \""), "claims a delivery:\n{out}");
        assert!(!out.contains("has arrived"), "claims an arrival:\n{out}");
        assert!(!out.contains("has left"), "claims a departure:\n{out}");
    }

    #[test]
    fn a_silent_server_is_reported() {
        let story = story().unwrap();
        let connect = &story.steps[0];
        let r = record(
            1,
            vec![Observation::Connected {
                client: "ana".into(),
            }],
            &["ana"],
        );
        let out = beat(&story, connect, &r, Paint::PLAIN);
        assert!(
            out.contains("✗ the server made no note of Ana arriving"),
            "{out}"
        );
        let leave = story.steps.iter().find(|s| s.op == Op::Disconnect).unwrap();
        let r = record(
            6,
            vec![Observation::Closed {
                client: "caro".into(),
            }],
            &["ana", "ben"],
        );
        let out = beat(&story, leave, &r, Paint::PLAIN);
        assert!(
            out.contains("✗ the server did not notice Caro leaving"),
            "{out}"
        );
    }

    #[test]
    fn a_faithful_run_has_no_crosses() {
        let story = story().unwrap();
        let out = good_transcript(&story);
        assert!(!out.contains('✗'), "{out}");
        assert!(out.contains("Only Ben got it."), "{out}");
    }

    #[test]
    fn names_are_shown_capitalised() {
        assert_eq!(display_name("caro"), "Caro");
        assert_eq!(
            and_list(&["Ana".into(), "Ben".into(), "Caro".into()]),
            "Ana, Ben and Caro"
        );
    }
}
