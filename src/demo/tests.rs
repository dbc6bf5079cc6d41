use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::words::and_list;
use super::*;
use crate::lesson::{Action, Op};
use crate::trace::{Observation, RoomTable};

fn record(index: usize, observations: Vec<Observation>, present: &[&str]) -> StepRecord {
    StepRecord {
        declared: false,
        index,
        observations,
        present: present.iter().map(|s| s.to_string()).collect(),
        rooms: RoomTable::new(),
        own_id_rooms: BTreeMap::new(),
        connections: Vec::new(),
        nodes: Default::default(),
    }
}

/// What a faithful run of `step` would observe.
fn good_record(index: usize, step: &Step, present: &[&str]) -> StepRecord {
    let mut obs = Vec::new();
    let reason = "client namespace disconnect";
    for a in step.action.actors() {
        let (client, namespace) = (a.clone(), "/".to_string());
        obs.extend(match &step.action {
            Action::Connect { .. } => vec![
                Observation::ServerConnect { client, namespace },
                Observation::Connected { client: a.clone() },
            ],
            Action::Disconnect { .. } => vec![
                Observation::ServerDisconnect {
                    client,
                    namespace,
                    reason: reason.into(),
                },
                Observation::Closed { client: a.clone() },
            ],
            _ => Vec::new(),
        });
    }
    for name in step.expect.delivered_to.iter().flatten() {
        obs.push(Observation::Received {
            client: name.clone(),
            event: step.action.event().unwrap_or_default().to_string(),
            payload: step.action.payload().cloned().unwrap_or(Value::Null),
            arguments: 1,
        });
    }
    let mut r = record(index, obs, present);
    if let Action::Join { actor, rooms } = &step.action {
        let rooms = rooms
            .iter()
            .map(|room| (room.clone(), vec![actor.clone()]))
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
        match &step.action {
            Action::Connect { actors } => online.extend(actors.iter().map(String::as_str)),
            Action::Disconnect { actors, .. } => online.retain(|n| !actors.iter().any(|a| a == n)),
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
        .filter(|(s, r)| !r.problems(s).is_empty())
        .count();
    out.push_str(&ending(story, failed, Paint::PLAIN));
    out
}

/// The transcript with, for each step, the record `observe` gives for it (its
/// number, the step, who is online after it).
fn transcript_with(
    story: &Lesson,
    observe: impl Fn(usize, &Step, &[&str]) -> StepRecord,
) -> String {
    let present = present_after(story);
    let records: Vec<StepRecord> = story
        .steps
        .iter()
        .zip(&present)
        .enumerate()
        .map(|(i, (step, present))| observe(i + 1, step, present))
        .collect();
    transcript(story, &records)
}

fn good_transcript(story: &Lesson) -> String {
    transcript_with(story, good_record)
}

/// Nothing observed at all: every beat must say so.
fn empty_transcript(story: &Lesson) -> String {
    transcript_with(story, |i, _, present| record(i, Vec::new(), present))
}

#[test]
fn the_story_is_a_valid_lesson_with_ana_ben_and_caro() {
    let story = story().unwrap();
    let names: Vec<&str> = story.clients.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["ana", "ben", "caro"]);
    let ops: Vec<Op> = story.steps.iter().map(|s| s.action.op()).collect();
    assert!(ops.contains(&Op::Join));
    assert!(ops.contains(&Op::Disconnect));
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
    let leave = story
        .steps
        .iter()
        .find(|s| s.action.op() == Op::Disconnect)
        .unwrap();
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

#[test]
fn at_normal_pace_the_demo_takes_reading_time() {
    let story = story().unwrap();
    let present = present_after(&story);
    let mut beats = vec![header(&story, Paint::PLAIN)];
    for (i, (step, present)) in story.steps.iter().zip(&present).enumerate() {
        beats.push(beat(
            &story,
            step,
            &good_record(i + 1, step, present),
            Paint::PLAIN,
        ));
    }
    let words: usize = beats.iter().map(|b| word_count(b)).sum();
    let total = Pace::Normal.reading_time(words);
    // 2 minutes at least (the floor), and each beat rests in proportion to
    // its words: none is skimmed at the old 55 words a second.
    assert!(
        total >= Duration::from_secs(120),
        "{words} words, {total:?}"
    );
    assert!(
        total <= Duration::from_secs(240),
        "{words} words, {total:?}"
    );
    for b in &beats {
        let secs = Pace::Normal.reading_time(word_count(b)).as_secs_f64();
        let rate = word_count(b) as f64 / secs * 60.0;
        assert!(
            (200.0..=250.0).contains(&rate),
            "{rate} words a minute:\n{b}"
        );
        assert!(secs >= 10.0, "{secs} s for:\n{b}");
    }
    assert_eq!(Pace::Instant.reading_time(words), Duration::ZERO);
    assert!(Pace::Slow.reading_time(words) > total);
    assert!(Pace::Fast.reading_time(words) < total);
}
