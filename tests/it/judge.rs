//! The judge on traffic written by hand: who received a step's event, and a quiz
//! answer over its choices' runs. Each verdict below is written out, never taken
//! from a run or a snapshot, so a judge that accepts a wrong reach fails here.

use socketio_lab::lesson::{self, Lesson};
use socketio_lab::quiz::{self, ChoiceRun};
use socketio_lab::trace::{Observation, StepRecord};
use std::collections::{BTreeMap, BTreeSet};

/// The built-in lesson `emit`: alice, bob and carol, three ways of emitting.
fn emit_lesson() -> Lesson {
    let (_, text) = lesson::EMBEDDED
        .iter()
        .find(|(id, _)| *id == "emit")
        .unwrap();
    lesson::parse("emit", "emit.toml", text).unwrap()
}

/// A step's record in which exactly `receivers` received `event` (in this order).
fn record(event: &str, receivers: &[&str]) -> StepRecord {
    StepRecord {
        index: 1,
        observations: receivers
            .iter()
            .map(|client| Observation::Received {
                client: client.to_string(),
                event: event.to_string(),
                payload: serde_json::Value::Null,
                arguments: 1,
            })
            .collect(),
        present: vec!["alice".into(), "bob".into(), "carol".into()],
        rooms: Default::default(),
        own_id_rooms: Default::default(),
        connections: Vec::new(),
        nodes: Default::default(),
        declared: true,
    }
}

/// The lesson's step "To everyone but the sender": `typing`, expected at bob and carol.
#[test]
fn a_delivery_holds_only_when_exactly_the_expected_sockets_received_it() {
    let lesson = emit_lesson();
    let step = lesson
        .steps
        .iter()
        .find(|s| s.action.event() == Some("typing"))
        .unwrap();
    let expected = Some(vec!["bob".to_string(), "carol".to_string()]);
    assert_eq!(step.expect.delivered_to, expected);
    let table: &[(&str, &[&str], bool)] = &[
        ("exactly", &["bob", "carol"], true),
        ("in another order", &["carol", "bob"], true),
        (
            "superset: the sender too",
            &["alice", "bob", "carol"],
            false,
        ),
        ("superset: one extra", &["bob", "carol", "dave"], false),
        ("subset", &["bob"], false),
        ("other sockets, as many", &["alice", "bob"], false),
        ("empty", &[], false),
    ];
    for (case, received, holds) in table {
        let problems = record("typing", received).mismatches(step);
        assert_eq!(problems.is_empty(), *holds, "{case}: {problems:?}");
    }
}

/// An expectation of nobody holds only when nobody received the event.
#[test]
fn an_expected_silence_holds_only_when_nobody_received_it() {
    let mut step = emit_lesson().steps[1].clone();
    step.expect.delivered_to = Some(Vec::new());
    assert!(record("echo", &[]).mismatches(&step).is_empty());
    assert!(!record("echo", &["alice"]).mismatches(&step).is_empty());
}

/// The question "everyone-but-me", each choice's run written by hand as socket.io
/// delivers it: `io.emit` reaches all three, `socket.emit` alice, the broadcast flag
/// and `except(socket.id)` bob and carol, `except("lobby")` nobody.
fn everyone_but_me() -> (lesson::Question, BTreeMap<usize, ChoiceRun>) {
    let lesson = emit_lesson();
    let question = lesson
        .questions
        .iter()
        .find(|q| q.id == "everyone-but-me")
        .unwrap()
        .clone();
    let reached: [&[&str]; 5] = [
        &["alice", "bob", "carol"],
        &["alice"],
        &["bob", "carol"],
        &["carol", "bob"],
        &[],
    ];
    assert_eq!(question.choices.len(), reached.len());
    let runs = reached
        .iter()
        .enumerate()
        .map(|(i, who)| {
            let run = ChoiceRun {
                records: vec![record("news", who)],
            };
            (i, run)
        })
        .collect();
    (question, runs)
}

#[test]
fn a_single_answer_is_right_only_when_its_run_holds() {
    let (question, runs) = everyone_but_me();
    assert!(!question.multiple);
    let table: &[(&[usize], bool)] = &[
        (&[2], true),
        (&[3], true),
        (&[0], false), // reaches the sender too
        (&[1], false), // the sender only
        (&[4], false), // nobody
        (&[], false),
        (&[2, 3], false), // one answer is asked for
    ];
    for (given, right) in table {
        assert_eq!(quiz::judge(&question, given, &runs), *right, "{given:?}");
    }
}

#[test]
fn several_answers_are_right_only_when_exactly_the_holding_choices_are_given() {
    let (mut question, runs) = everyone_but_me();
    question.multiple = true;
    assert_eq!(quiz::holding(&question, &runs), BTreeSet::from([2, 3]));
    let table: &[(&[usize], bool)] = &[
        (&[2, 3], true),
        (&[3, 2], true),
        (&[2], false),          // subset
        (&[0, 2, 3], false),    // superset
        (&[1, 2, 3, 4], false), // superset
        (&[], false),           // empty
        (&[0, 1], false),
    ];
    for (given, right) in table {
        assert_eq!(quiz::judge(&question, given, &runs), *right, "{given:?}");
    }
    // Every choice must have been run to judge a multiple answer.
    let mut partial = runs.clone();
    partial.remove(&4);
    assert!(!quiz::judge(&question, &[2, 3], &partial));
}
