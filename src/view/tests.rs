use std::collections::BTreeMap;

use super::*;
use crate::lesson::{parse, tests::GOOD};
use crate::protocol::Reply;
use crate::trace::RoomTable;

pub(crate) fn record(received_by: &[&str], claimed: &[&str]) -> StepRecord {
    let mut observations: Vec<Observation> = received_by
        .iter()
        .map(|n| Observation::Received {
            client: n.to_string(),
            event: "news".into(),
            payload: Value::from("hi"),
            arguments: 1,
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
        declared: false,
        index: 2,
        observations,
        present: vec!["alice".into(), "bob".into(), "carol".into()],
        rooms,
        own_id_rooms: BTreeMap::new(),
        connections: Vec::new(),
        nodes: Default::default(),
    }
}

/// The transcript of GOOD's emit step, given who received it and who the server
/// says it sent to.
fn shown(received_by: &[&str], claimed: &[&str]) -> String {
    let lesson = parse("t", "t.toml", GOOD).unwrap();
    let record = record(received_by, claimed);
    step(&lesson, &lesson.steps[1], &record, Paint::PLAIN)
}

#[test]
fn a_faithful_step_shows_who_received_it() {
    let text = shown(&["bob", "carol"], &["bob", "carol"]);
    for line in [
        "socket.broadcast.emit(\"news\", \"hi\")",
        "    alice  ·  nothing\n",
        "    bob    ✓  news \"hi\"\n",
        "  server sent `news` to bob, carol\n",
        "r1: bob",
        "✓ as the lesson predicted: bob, carol",
    ] {
        assert!(text.contains(line), "{line:?} missing in:\n{text}");
    }
    assert!(!text.contains('✗'), "{text}");
}

#[test]
fn a_disagreement_between_server_and_clients_is_shown() {
    let text = shown(&["bob"], &["bob", "carol"]);
    for line in [
        "    carol  ·  nothing\n",
        "✗ the server sent `news` to `carol` but `carol` never received it",
        "✗ expected `news` to reach bob, carol but it reached bob",
    ] {
        assert!(text.contains(line), "{line:?} missing in:\n{text}");
    }
    let lesson = parse("t", "t.toml", GOOD).unwrap();
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
