use serde_json::Value;
use std::collections::BTreeMap;

use super::record;
use crate::lesson::{parse, tests::GOOD};
use crate::protocol::AckOutcome;
use crate::trace::{Observation, StepRecord};

/// GOOD's emit step as observed (`view`'s test record), where bob's acknowledgement
/// timed out.
fn observed(received_by: &[&str], claimed: &[&str]) -> StepRecord {
    let mut record = crate::view::tests::record(received_by, claimed);
    let acks = BTreeMap::from([(
        "bob".to_string(),
        AckOutcome {
            answered: false,
            value: None,
            error: Some("timeout".into()),
        },
    )]);
    for o in &mut record.observations {
        if let Observation::Answered { reply, .. } = o {
            reply.acks = Some(acks.clone());
        }
    }
    record
}

fn card<'a>(doc: &'a Value, name: &str) -> &'a Value {
    let cards = doc["sockets"].as_array().unwrap();
    cards.iter().find(|c| c["name"] == name).unwrap()
}

#[test]
fn the_page_record_marks_each_socket_from_the_trace() {
    let lesson = parse("t", "t.toml", GOOD).unwrap();
    let doc = record::step(&lesson, &lesson.steps[1], &observed(&["carol"], &["carol"]));
    assert_eq!(card(&doc, "alice")["mark"], "·");
    assert_eq!(card(&doc, "bob")["mark"], "·");
    assert_eq!(card(&doc, "bob")["rooms"], serde_json::json!(["r1"]));
    assert_eq!(card(&doc, "carol")["mark"], "✓");
    assert_eq!(card(&doc, "carol")["received"][0]["payload"], "\"hi\"");
    // The judge's word travels with it: the lesson expected bob too.
    assert_eq!(doc["passed"], false);
    assert_eq!(doc["expected"], serde_json::json!(["bob", "carol"]));
    let outcomes = doc["outcomes"].as_array().unwrap();
    let bob = outcomes.iter().find(|o| o["name"] == "bob").unwrap();
    assert_eq!(bob["ok"], false);
    assert_eq!(
        bob["text"],
        "did not acknowledge: the server's wait timed out"
    );
    assert_eq!(doc["code"]["js"], r#"socket.broadcast.emit("news", "hi")"#);
}

#[test]
fn a_step_that_sends_nothing_marks_nobody() {
    let lesson = parse("t", "t.toml", GOOD).unwrap();
    let mut record = observed(&[], &[]);
    record.observations.clear();
    let doc = record::step(&lesson, &lesson.steps[0], &record);
    for name in ["alice", "bob", "carol"] {
        assert_eq!(card(&doc, name)["mark"], "", "{name}");
    }
}

#[test]
fn a_visitor_shows_in_every_window_by_the_server_notes() {
    let story = crate::demo::story().unwrap();
    let mut record = observed(&[], &[]);
    record.observations = vec![Observation::ServerConnect {
        client: "dana\u{1b}[31m".into(),
        namespace: "/".into(),
    }];
    record.present = vec!["ana".into(), "ben".into()];
    let doc = record::visitor(&story, &record, "dana\u{1b}[31m", None);
    assert_eq!(doc["title"], "dana\\e[31m joins the chat");
    let windows = doc["windows"].as_array().unwrap();
    assert_eq!(windows.len(), 3);
    for w in windows {
        assert_eq!(w["notes"][0], "Dana\\e[31m joined the chat", "{w}");
    }
    assert_eq!(windows[2]["open"], false);
}

/// Issue 28, item 7: 3,000 visitor records (tabs arriving, writing, leaving) beside the story's beats leave a new page the beats and the last
/// `VISITOR_RECORDS` visitor records, the latest carrying who is online now.
#[test]
fn the_demos_record_keeps_the_beats_and_the_latest_visitors() {
    use super::driver::{push_bounded, Published, VISITOR_RECORDS};
    let mut all = Vec::new();
    let mut seq = 0;
    let mut push = |all: &mut Vec<Published>, visitor: bool| {
        let text = format!("{{\"seq\":{seq}}}");
        push_bounded(
            all,
            Published {
                seq,
                text: text.into(),
                visitor,
            },
        );
        seq += 1;
    };
    for beat in 0..20 {
        push(&mut all, false);
        for _ in 0..300 * (beat % 2) {
            push(&mut all, true);
        }
    }
    assert_eq!(all.iter().filter(|r| !r.visitor).count(), 20);
    let visitors: Vec<usize> = all.iter().filter(|r| r.visitor).map(|r| r.seq).collect();
    assert_eq!(visitors.len(), VISITOR_RECORDS);
    assert_eq!(*visitors.last().unwrap(), seq - 1);
    assert!(all.windows(2).all(|w| w[0].seq < w[1].seq), "in order");
}
