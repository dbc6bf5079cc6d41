//! `--json`: one document per lesson run, read from the same step records as the
//! transcript.

use serde_json::{json, Value};

use crate::lesson::{Lesson, Step};
use crate::trace::{Observation, StepRecord};

/// Every acknowledgement outcome of a step, per socket: the server's wait for each
/// recipient (answered with its value, or timed out), what each client's handler
/// answered, and the answer to an acknowledgement a client asked for. `null` for a
/// step that asked none; in one that did, present sockets not asked say so.
fn acks_json(r: &StepRecord) -> Value {
    let mut acks = serde_json::Map::new();
    for (name, outcome) in r.server_acks() {
        let server = match (&outcome.value, outcome.error.as_deref()) {
            (Some(v), _) if outcome.answered => json!({ "outcome": "answered", "value": v }),
            (_, Some("timeout")) => json!({ "outcome": "timed out" }),
            (_, error) => json!({ "outcome": "failed", "error": error }),
        };
        acks.insert(name, json!({ "server_received": server }));
    }
    for o in &r.observations {
        let (name, key, value) = match o {
            Observation::ClientAcked {
                client,
                value,
                after_ms,
                ..
            } => (
                client,
                "handler_answered",
                json!({ "value": value, "after_ms": after_ms }),
            ),
            Observation::AckAnswered { client, value, .. } => (
                client,
                "client_received",
                json!({ "outcome": "answered", "value": value }),
            ),
            Observation::AckTimedOut {
                client, timeout_ms, ..
            } => (
                client,
                "client_received",
                json!({ "outcome": "timed out", "timeout_ms": timeout_ms }),
            ),
            _ => continue,
        };
        let entry = acks.entry(name.clone()).or_insert_with(|| json!({}));
        entry[key] = value;
    }
    if acks.is_empty() {
        return Value::Null;
    }
    for name in &r.present {
        acks.entry(name.clone())
            .or_insert_with(|| json!({ "outcome": "not asked" }));
    }
    Value::Object(acks)
}

pub fn json(lesson: &Lesson, records: &[StepRecord]) -> Value {
    let steps: Vec<Value> = lesson
        .steps
        .iter()
        .zip(records)
        .map(|(s, r)| step_json(s, r))
        .collect();
    let mut doc = json!({ "lesson": lesson.id, "steps": steps });
    // The whole server, once, as `export` writes it (a lesson that declares one).
    if let Some(listing) = crate::listing::Listing::of(lesson) {
        doc["server_code"] = json!({ "index.js": listing.js, "src/main.rs": listing.rust });
    }
    doc
}

/// One step of the document; the web page's step record starts from it.
pub fn step_json(s: &Step, r: &StepRecord) -> Value {
    let problems = r.problems(s);
    let mut step = json!({
        "index": r.index,
        "title": s.title,
        "actor": s.action.actor(),
        "actors": s.action.actors(),
        "operation": s.action.op(),
        "event": s.action.event(),
        "delivered_to": r.delivered_to(),
        "not_delivered_to": r.not_delivered_to(),
        "server_delivered_to": r.server_delivered_to(),
        "rooms": r.rooms,
        "own_id_rooms": r.own_id_rooms,
        "acks": acks_json(r),
        "passed": problems.is_empty(),
        "problems": problems,
    });
    // Only on the embedded server, where an own-id shim changed the selection: what
    // plain socketioxide would have selected.
    if let Some(plain) = r.plain_socketioxide() {
        step["plain_socketioxide"] = json!(plain);
    }
    // Only where it happened: the event came before any handler and is gone.
    if r.unheard() {
        step["unheard"] = json!(true);
    }
    // Only where a namespace or the HTTP layer turned a client away: its reason
    // (the `connect_error` message).
    let refused: serde_json::Map<String, Value> = r
        .observations
        .iter()
        .filter_map(|o| match o {
            Observation::Refused { client, reason } => {
                Some((client.clone(), Value::String(reason.clone())))
            }
            _ => None,
        })
        .collect();
    if !refused.is_empty() {
        step["refused"] = Value::Object(refused);
    }
    // Only with `[nodes]`: the node that holds each socket.
    if !r.nodes.is_empty() {
        step["nodes"] = json!(r.nodes);
    }
    // Only where a connection carries several sockets, as the transcript shows it.
    if r.multiplexed() {
        step["connections"] = json!(r.connections);
    }
    step
}
