//! Every embedded lesson, run for real on the embedded server: its transcript and its
//! `--json` are snapshotted, and the lesson must pass.

mod common;

use common::{run, settings, stderr, stdout};
use socketio_lab::lesson::{Action, EMBEDDED};

fn transcript(id: &str) -> String {
    let out = run(&["run", id, "--color", "never"]);
    assert!(
        out.status.success(),
        "`run {id}` failed:\n{}{}",
        stdout(&out),
        stderr(&out)
    );
    stdout(&out)
}

fn json(id: &str) -> serde_json::Value {
    let out = run(&["run", id, "--json"]);
    assert!(
        out.status.success(),
        "`run {id} --json` failed:\n{}",
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).expect("--json prints one JSON document")
}

#[test]
fn every_lesson_file_is_embedded() {
    let mut on_disk: Vec<String> = std::fs::read_dir(common::repo().join("lessons"))
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension()? == "toml")
                .then(|| p.file_stem().unwrap().to_string_lossy().into_owned())
        })
        .collect();
    on_disk.sort();
    let mut embedded: Vec<String> = EMBEDDED.iter().map(|(id, _)| id.to_string()).collect();
    embedded.sort();
    assert_eq!(on_disk, embedded, "lessons/ and lesson::EMBEDDED disagree");
}

/// One test per lesson, so that one failing lesson does not hide the others.
macro_rules! lesson_snapshots {
    ($($id:ident),* $(,)?) => {
        const SNAPSHOTTED: &[&str] = &[$(stringify!($id)),*];
        $(
            mod $id {
                use super::*;

                #[test]
                fn transcript() {
                    let id = stringify!($id);
                    settings().bind(|| insta::assert_snapshot!(format!("run_{id}"), super::transcript(id)));
                }

                #[test]
                fn json() {
                    let id = stringify!($id);
                    let doc = serde_json::to_string_pretty(&super::json(id)).unwrap();
                    settings().bind(|| insta::assert_snapshot!(format!("json_{id}"), doc));
                }
            }
        )*
    };
}

lesson_snapshots!(chat, emit, rooms, namespaces, cheatsheet, lobby, handlers, early);

#[test]
fn every_embedded_lesson_is_snapshotted() {
    let embedded: Vec<&str> = EMBEDDED.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        embedded, SNAPSHOTTED,
        "add the lesson to `lesson_snapshots!`"
    );
}

#[test]
fn bob_in_two_rooms_receives_once() {
    let doc = json("rooms");
    let step = doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["title"] == "Two rooms at once")
        .expect("the rooms lesson has its two-rooms step");
    let delivered: Vec<&str> = step["delivered_to"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(delivered.iter().filter(|n| **n == "bob").count(), 1);
    assert_eq!(delivered, ["bob", "carol", "dave"]);
    assert_eq!(
        step["rooms"]["/"]["r1"],
        serde_json::json!(["alice", "bob", "carol"])
    );
}

#[test]
fn transcripts_are_stable() {
    // Three runs in a row, in parallel with the other tests: byte-identical.
    let first = transcript("rooms");
    for _ in 0..2 {
        assert_eq!(transcript("rooms"), first);
    }
}

use std::time::Duration;

const MARGIN: Duration = Duration::from_millis(30);
/// Runs of a lesson at most: a step fails only when it is over in every one.
const RUNS: usize = 3;

/// Each step's time in one run of `lesson`.
async fn step_times(lesson: &socketio_lab::lesson::Lesson) -> Vec<Duration> {
    use socketio_lab::engine::{Lab, LabOptions};
    let mut lab = Lab::for_lesson(lesson, &LabOptions::default())
        .await
        .expect("the lab starts");
    let mut times = Vec::new();
    for step in &lesson.steps {
        let started = std::time::Instant::now();
        lab.run_step(step).await.expect("the step runs");
        times.push(started.elapsed());
    }
    lab.finish().await;
    times
}

/// What a step may take: what the lesson declares it waits, plus `MARGIN` for the
/// step and for each actor past the first of a `connect` or `disconnect` (each
/// actor's connection is a handshake of its own). `None` for a step that sends a
/// generated megabyte (`payload_bytes`): writing and reading it costs CPU, most of
/// all in a debug build, and is no wait.
fn allowed(lesson: &socketio_lab::lesson::Lesson, i: usize) -> Option<Duration> {
    let step = &lesson.steps[i];
    if matches!(
        step.action,
        Action::Send {
            payload_bytes: Some(_),
            ..
        }
    ) {
        return None;
    }
    let actors = step.action.actors().len().max(1) as u32;
    Some(lesson.declared_wait(step) + MARGIN * actors)
}

/// A step ends when its traffic has been observed: on loopback that is a few
/// milliseconds beyond what the lesson declares it waits (a slow handler, a late
/// answer, a timeout). A constant ~40 ms is Nagle's algorithm meeting a delayed ACK
/// on a connection without TCP_NODELAY, and it comes back in every run. The bound
/// is generous, and a step fails only when it is over in each of `RUNS` runs (its
/// fastest time counts), so that a loaded machine does not fail the test; `cargo
/// bench --bench lab` has the figures.
#[test]
fn no_step_waits_beyond_its_declared_waits() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut over = Vec::new();
    for lesson in socketio_lab::lesson::embedded().unwrap() {
        let mut fastest: Vec<Duration> = vec![Duration::MAX; lesson.steps.len()];
        let late = |fastest: &[Duration]| -> Vec<usize> {
            (0..fastest.len())
                .filter(|&i| allowed(&lesson, i).is_some_and(|a| fastest[i] > a))
                .collect()
        };
        for _ in 0..RUNS {
            let times = rt.block_on(step_times(&lesson));
            for (f, t) in fastest.iter_mut().zip(times) {
                *f = (*f).min(t);
            }
            if late(&fastest).is_empty() {
                break;
            }
        }
        for i in late(&fastest) {
            over.push(format!(
                "{}: step {} took at least {:?} in {RUNS} runs (allowed {:?})",
                lesson.id,
                i + 1,
                fastest[i],
                allowed(&lesson, i).unwrap_or_default()
            ));
        }
    }
    assert!(
        over.is_empty(),
        "steps over their declared waits plus {MARGIN:?}:\n{}",
        over.join("\n")
    );
}
