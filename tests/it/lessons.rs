//! Every embedded lesson, run for real on the embedded server: its transcript and its
//! `--json` are snapshotted, and the lesson must pass.

use crate::common;

use common::{run, settings, stderr, stdout};
use socketio_lab::lesson::EMBEDDED;

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
