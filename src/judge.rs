//! The one judge: whether a step did what it claims, read only from its trace.
//! `run`, the quiz, the demo and the two-node lab all ask here, so "passed" means
//! the same everywhere.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::lesson::{Action, Fault, Step};

mod callback;
use crate::trace::{Observation, StepRecord};

/// A lab's result when it ran to the end: every step held, or some did not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    Failed,
}

impl Verdict {
    /// `Failed` as soon as any part failed.
    pub fn from_ok(ok: bool) -> Verdict {
        if ok {
            Verdict::Passed
        } else {
            Verdict::Failed
        }
    }
}

/// "alice, bob" or "nobody".
pub fn name_list(names: &[String]) -> String {
    if names.is_empty() {
        "nobody".to_string()
    } else {
        names.join(", ")
    }
}

/// The words for an event that reached other sockets than expected, if it did.
/// `observed` is sorted, as `StepRecord::delivered_to` gives it.
pub fn reach_mismatch(event: &str, expected: &[String], observed: &[String]) -> Option<String> {
    let mut expected = expected.to_vec();
    expected.sort();
    (expected != observed).then(|| {
        format!(
            "expected `{event}` to reach {} but it reached {}",
            name_list(&expected),
            name_list(observed)
        )
    })
}

/// "once", "twice", "3 times".
fn times(n: usize) -> String {
    match n {
        1 => "once".to_string(),
        2 => "twice".to_string(),
        n => format!("{n} times"),
    }
}

/// "1 copy", "2 copies", "no copy".
fn copies(n: usize) -> String {
    match n {
        0 => "no copy".to_string(),
        1 => "1 copy".to_string(),
        n => format!("{n} copies"),
    }
}

/// Whether a learner's prediction of who receives a step's event held: it names
/// exactly the sockets the trace shows receiving it (`predicted` sorted, no repeats).
pub fn prediction_held(record: &StepRecord, predicted: &[String]) -> bool {
    reach_mismatch("", predicted, &record.delivered_to()).is_none()
}

impl StepRecord {
    /// What went wrong in the run itself: missing answers, errors, and any
    /// disagreement between what the server says it sent and what clients received.
    pub fn faults(&self, step: &Step) -> Vec<String> {
        let mut problems = self.traffic_faults(&self.event_name(step), step.expect.rejected);
        problems.extend(self.unseen(&step.action));
        problems
    }

    /// `faults` for any lab step, lesson or not: `event` names the step's event in
    /// the words, and a refused request is a fault unless `rejection_expected`.
    pub fn traffic_faults(&self, event: &str, rejection_expected: bool) -> Vec<String> {
        let mut problems = Vec::new();
        for o in &self.observations {
            match o {
                Observation::Unanswered {
                    client,
                    event,
                    timeout_ms,
                } => problems.push(format!(
                    "`{client}` got no answer to `{event}` within {timeout_ms} ms"
                )),
                Observation::Answered { reply, event, .. }
                    if !reply.ok && !reply.unhandled && !rejection_expected =>
                {
                    problems.push(format!(
                        "the server rejected `{event}`: {}",
                        reply.error.as_deref().unwrap_or("no reason given")
                    ))
                }
                Observation::ClientError { client, message } => {
                    problems.push(format!("`{client}` reported an error: {message}"))
                }
                _ => {}
            }
        }

        if let Some(claimed) = self.server_delivered_to() {
            let observed = self.delivered_to();
            for name in claimed.iter().filter(|n| !observed.contains(n)) {
                problems.push(format!(
                    "the server sent `{event}` to `{name}` but `{name}` never received it"
                ));
            }
            let unclaimed = |n: &&String| !claimed.contains(n) && !self.from_another_node(n);
            for name in observed.iter().filter(unclaimed) {
                problems.push(format!(
                    "`{name}` received `{event}` although the server did not send it there"
                ));
            }
        }

        // A handler may emit an event twice, so a second copy is a fault only when
        // the server says it sent fewer.
        for name in self.delivered_to() {
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for (event, _) in self.received_by(&name) {
                *counts.entry(event).or_default() += 1;
            }
            for (event, n) in counts {
                let sent = self.server_copies(&name, event).max(1);
                if n > sent {
                    problems.push(format!(
                        "`{name}` received `{event}` {n} times in one step, but the server sent it {}",
                        times(sent)
                    ));
                }
            }
        }
        problems
    }

    /// How many of the server's emits in this step selected `client` for `event`.
    fn server_copies(&self, client: &str, event: &str) -> usize {
        self.observations
            .iter()
            .filter(|o| match o {
                Observation::ServerEmitted {
                    event: e,
                    delivered_to,
                    ..
                } => e == event && delivered_to.iter().any(|n| n == client),
                _ => false,
            })
            .count()
    }

    /// `expect_copies`: each listed client received the step's event (`event`, as
    /// `event_name` words it) this many times.
    fn copies_mismatches(&self, event: &str, want: &BTreeMap<String, usize>) -> Vec<String> {
        let events: Vec<&str> = event.split("`, `").collect();
        let mut problems = Vec::new();
        for (name, &want) in want {
            let got = self
                .received_by(name)
                .filter(|(e, _)| events.contains(e))
                .count();
            if got != want {
                problems.push(format!(
                    "expected `{name}` to receive {} of `{event}`, but it received {}",
                    copies(want),
                    copies(got)
                ));
            }
        }
        problems
    }

    /// What the operation itself must leave in the trace, whatever the lesson expects:
    /// both ends see a connection open or close (unless the namespace refused it), and
    /// the server's rooms after a `join` or `leave` agree with it. An actor whose
    /// trouble is already reported (an error, a missing answer) is not reported again.
    fn unseen(&self, action: &Action) -> Vec<String> {
        let mut problems = Vec::new();
        let troubled = |actor: &str| {
            self.saw(actor, |o| {
                matches!(
                    o,
                    Observation::ClientError { .. } | Observation::Unanswered { .. }
                )
            })
        };
        match action {
            Action::Connect { actors } => {
                for actor in actors
                    .iter()
                    .filter(|a| !troubled(a) && self.refusal_of(a).is_none())
                {
                    if !self.saw(actor, |o| matches!(o, Observation::Connected { .. })) {
                        problems.push(format!("`{actor}` never heard that it was connected"));
                    }
                    if !self.saw(actor, |o| matches!(o, Observation::ServerConnect { .. })) {
                        problems.push(format!("the server made no note of `{actor}` connecting"));
                    }
                }
            }
            Action::Disconnect { actors, .. } => {
                for actor in actors.iter().filter(|a| !troubled(a)) {
                    if !self.saw(actor, |o| matches!(o, Observation::Closed { .. })) {
                        problems.push(format!("`{actor}` did not close its connection"));
                    }
                    if !self.saw(actor, |o| matches!(o, Observation::ServerDisconnect { .. })) {
                        problems.push(format!("the server made no note of `{actor}` leaving"));
                    }
                }
            }
            Action::Fault { actor, fault } if !troubled(actor) => {
                let leaves = matches!(fault, Fault::Cut | Fault::Pause);
                let returns = matches!(fault, Fault::Cut | Fault::Resume);
                if leaves && !self.saw(actor, |o| matches!(o, Observation::ServerDisconnect { .. }))
                {
                    problems.push(format!("the server made no note of `{actor}` leaving"));
                }
                if leaves && !self.saw(actor, |o| matches!(o, Observation::DroppedByServer { .. }))
                {
                    problems.push(format!("`{actor}` never heard its connection close"));
                }
                if returns && !self.saw(actor, |o| matches!(o, Observation::Connected { .. })) {
                    problems.push(format!("`{actor}` did not connect again by itself"));
                }
            }
            Action::Join { actor, rooms } if !troubled(actor) => {
                for room in rooms.iter().filter(|r| !self.in_room(actor, r)) {
                    problems.push(format!("`{actor}` is not in `{room}` after joining it"));
                }
            }
            Action::Leave { actor, rooms } if !troubled(actor) => {
                for room in rooms.iter().filter(|r| self.in_room(actor, r)) {
                    problems.push(format!("`{actor}` is still in `{room}` after leaving it"));
                }
            }
            _ => {}
        }
        problems
    }

    /// Whether the server's rooms after the step hold `client` in `room`.
    fn in_room(&self, client: &str, room: &str) -> bool {
        let own = room.strip_prefix("id:") == Some(client)
            && self.own_id_rooms.values().flatten().any(|c| c == client);
        own || self.rooms.values().any(|rooms| {
            rooms
                .get(room)
                .is_some_and(|m| m.iter().any(|c| c == client))
        })
    }

    /// Where the observed traffic contradicts the step's expectations.
    pub fn mismatches(&self, step: &Step) -> Vec<String> {
        let mut problems = Vec::new();
        let event = self.event_name(step);
        let expect = &step.expect;
        if let Some(expected) = &expect.delivered_to {
            problems.extend(reach_mismatch(&event, expected, &self.delivered_to()));
        }
        if let Action::Connect { actors } = &step.action {
            for actor in actors {
                match (expect.refused, self.refusal_of(actor)) {
                    (true, None) => problems.push(format!(
                        "expected `{actor}` to be refused, but it was accepted"
                    )),
                    (false, Some(_)) => problems.push(format!(
                        "expected `{actor}` to be accepted, but it was refused"
                    )),
                    (true, Some(got)) => match &expect.connect_error {
                        Some(want) if want != got => problems.push(format!(
                            "expected `{actor}`'s connect_error to be {want:?}, but it was {got:?}"
                        )),
                        _ => {}
                    },
                    _ => {}
                }
            }
        }
        if matches!(step.action, Action::Send { .. } | Action::Ask { .. }) {
            // A refusal the step does not claim is only a fact; who received what
            // is judged as always.
            if expect.refused && self.packet_refusal().is_none() {
                problems.push(format!(
                    "expected a `socket.use` middleware to refuse `{event}`, but none did"
                ));
            }
        }
        if expect.unhandled && !self.unhandled() {
            problems.push(format!(
                "expected no handler for `{event}`, but the server handled it"
            ));
        }
        if expect.unheard && !self.unheard() {
            let sent = step.action.event().unwrap_or_default();
            problems.push(format!(
                "expected `{sent}` to arrive before any handler for it and be lost, but the server heard it"
            ));
        }
        if expect.rejected && self.answer().is_none_or(|r| r.ok) && !self.emit_refused() {
            problems.push(format!(
                "expected the server to refuse `{event}`, but it did not"
            ));
        }
        if let Action::Send { .. } = step.action {
            let (answer, acks) = (expect.answer.as_ref(), expect.acks.as_ref());
            problems.extend(callback::mismatches(self, answer, expect.timeout, acks));
        } else {
            if let Some(want) = &expect.answer {
                problems.extend(self.answer_mismatches(&step.action, want));
            }
            if expect.timeout {
                problems.extend(self.timeout_mismatches(&step.action, &event));
            }
            if let Some(want) = &expect.acks {
                problems.extend(self.acks_mismatches(want));
            }
        }
        if let Some(want) = &expect.disconnect {
            problems.extend(self.disconnect_mismatches(step.action.actors(), want));
        }
        if let Some(want) = &expect.copies {
            problems.extend(self.copies_mismatches(&event, want));
        }
        if let Some(want) = expect.connections {
            problems.extend(self.connections_mismatch(step.action.actors(), want));
        }
        if let Some(lines) = &expect.log {
            let logged = self.log_lines();
            for line in lines.iter().filter(|l| !logged.contains(l)) {
                problems.push(format!(
                    "expected the server to log `{line}`, but it did not"
                ));
            }
        }
        problems
    }

    /// An `ask` must get `want` back; an acknowledged `emit`, `want` from every recipient.
    fn answer_mismatches(&self, action: &Action, want: &Value) -> Vec<String> {
        if let Action::Ask { .. } = action {
            return match self.ack_answer() {
                Some(got) if got != want => vec![format!(
                    "expected the answer {want}, but the server answered {got}"
                )],
                None => vec![format!("expected the answer {want}, but no answer came")],
                _ => Vec::new(),
            };
        }
        let mut problems = Vec::new();
        for (name, outcome) in self.server_acks() {
            match &outcome.value {
                Some(got) if outcome.answered && got == want => {}
                Some(got) if outcome.answered => problems.push(format!(
                    "expected `{name}` to acknowledge with {want}, but it answered {got}"
                )),
                _ => problems.push(format!(
                    "expected `{name}` to acknowledge with {want}, but no answer came"
                )),
            }
        }
        problems
    }

    /// The acknowledgement must time out: the client's for `ask`, every recipient's for `emit`.
    fn timeout_mismatches(&self, action: &Action, event: &str) -> Vec<String> {
        match action {
            Action::Ask { .. } if self.ack_answer().is_some() => vec![format!(
                "expected `{event}`'s acknowledgement to time out, but the server answered"
            )],
            Action::Emit { .. } => self
                .server_acks()
                .into_iter()
                .filter(|(_, outcome)| outcome.answered)
                .map(|(name, _)| {
                    format!("expected `{name}`'s acknowledgement to time out, but it answered")
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// `expect_acks`: the listed recipients answered these values, the others' waits
    /// timed out.
    fn acks_mismatches(&self, want: &std::collections::BTreeMap<String, Value>) -> Vec<String> {
        let got = self.server_acks();
        let mut problems: Vec<String> = want
            .keys()
            .filter(|name| !got.iter().any(|(n, _)| n == *name))
            .map(|name| {
                format!("expected `{name}` to be asked for an acknowledgement, but it was not")
            })
            .collect();
        for (name, outcome) in &got {
            match (want.get(name), outcome.answered, &outcome.value) {
                (Some(w), true, Some(v)) if v == w => {}
                (Some(w), true, Some(v)) => problems.push(format!(
                    "expected `{name}` to acknowledge with {w}, but it answered {v}"
                )),
                (Some(w), _, _) => problems.push(format!(
                    "expected `{name}` to acknowledge with {w}, but no answer came"
                )),
                (None, true, _) => problems.push(format!(
                    "expected `{name}`'s acknowledgement to time out, but it answered"
                )),
                (None, false, _) => {}
            }
        }
        problems
    }

    /// `expect_connections`: how many of the server's connections carry the actors.
    /// Each actor must have left with the reason `want`, as the server noted it.
    fn disconnect_mismatches(&self, actors: &[String], want: &str) -> Vec<String> {
        let reason = |actor: &str| {
            self.observations.iter().find_map(|o| match o {
                Observation::ServerDisconnect { client, reason, .. } if client == actor => {
                    Some(reason.as_str())
                }
                _ => None,
            })
        };
        let mut problems = Vec::new();
        for actor in actors {
            match reason(actor) {
                Some(got) if got == want => {}
                Some(got) => problems.push(format!(
                    "expected the server to see `{actor}` leave with the reason `{want}`, but it gave `{got}`"
                )),
                None => problems.push(format!(
                    "expected the server to see `{actor}` leave with the reason `{want}`, but `{actor}` stayed connected"
                )),
            }
        }
        problems
    }

    fn connections_mismatch(&self, actors: &[String], want: usize) -> Option<String> {
        if self.connections.is_empty() {
            return Some("the server did not report its connections".to_string());
        }
        let got = self
            .connections
            .iter()
            .filter(|c| c.sockets.iter().any(|s| actors.contains(s)))
            .count();
        (got != want).then(|| {
            format!(
                "expected {} to travel on {want} connection(s), but the server holds {got}",
                name_list(actors)
            )
        })
    }

    /// Everything that went wrong in this step or contradicts the lesson.
    pub fn problems(&self, step: &Step) -> Vec<String> {
        let mut problems = self.faults(step);
        problems.extend(self.mismatches(step));
        problems
    }
}

/// `verify`: the judge's word on one exercise step, read only from what the clients
/// observed (the learner's server says nothing of where it sent anything).
pub mod exercise {
    use serde_json::Value;

    use super::{name_list, reach_mismatch};
    use crate::exercise::{Action, Receive, Step};
    use crate::trace::{Observation, StepRecord};

    /// Who received `event`, sorted.
    pub fn receivers(record: &StepRecord, event: &str) -> Vec<String> {
        let mut names: Vec<String> = record
            .present
            .iter()
            .chain(record.delivered_to().iter())
            .filter(|n| record.received_by(n).any(|(e, _)| e == event))
            .cloned()
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Whether `got` carries `want`: as its only argument, or as the first of several
    /// (the reading's later chat adds an offset after the message).
    pub fn carries(got: &Value, want: &Value) -> bool {
        got == want || matches!(got, Value::Array(args) if args.len() > 1 && &args[0] == want)
    }

    /// Everything that contradicts the step.
    pub fn problems(record: &StepRecord, step: &Step) -> Vec<String> {
        let event = step
            .expect
            .receive
            .as_ref()
            .map(|r| r.event.clone())
            .or_else(|| step.action.event().map(str::to_string))
            .unwrap_or_default();
        let mut problems = record.traffic_faults(&event, false);
        if let Action::Connect { actors } = &step.action {
            for actor in actors {
                match (step.expect.refused, record.refusal_of(actor).is_some()) {
                    (true, false)
                        if record.saw(actor, |o| matches!(o, Observation::Connected { .. })) =>
                    {
                        problems.push(format!(
                            "expected `{actor}` to be refused, but it was accepted"
                        ))
                    }
                    (false, true) => problems.push(format!(
                        "expected `{actor}` to be accepted, but it was refused"
                    )),
                    _ => {}
                }
            }
        }
        if let Some(receive) = &step.expect.receive {
            problems.extend(delivery_problems(record, receive));
        }
        if let (Action::Ask { .. }, Some(want)) = (&step.action, &step.expect.answer) {
            if let Some(got) = record.ack_answer().filter(|got| !carries(got, want)) {
                problems.push(format!(
                    "expected the answer {want}, but the server answered {got}"
                ));
            }
        }
        let logged = record.log_lines();
        for line in &step.expect.log {
            if !logged.iter().any(|l| l.contains(line.as_str())) {
                problems.push(format!(
                    "expected the server to log `{line}`, but it did not"
                ));
            }
        }
        problems
    }

    fn delivery_problems(record: &StepRecord, receive: &Receive) -> Vec<String> {
        let event = &receive.event;
        let got = receivers(record, event);
        let mut problems = Vec::new();
        problems.extend(reach_mismatch(event, &receive.to, &got));
        let Some(want) = &receive.payload else {
            return problems;
        };
        for name in receive.to.iter().filter(|n| got.contains(n)) {
            let first = record
                .received_by(name)
                .find(|(e, _)| e == event)
                .map(|(_, p)| p.clone())
                .unwrap_or_default();
            if !carries(&first, want) {
                let came = match &first {
                    Value::Array(args) if args.is_empty() => "no argument".to_string(),
                    other => other.to_string(),
                };
                problems.push(format!(
                    "expected `{name}` to receive `{event}` with {want}, but it came with {came}"
                ));
            }
        }
        problems
    }

    /// " with PAYLOAD" when the step names the payload, else nothing.
    pub fn with_payload(receive: &Receive) -> String {
        match &receive.payload {
            Some(p) => format!(" with {p}"),
            None => String::new(),
        }
    }

    /// What the step proved, for a step without problems: the lines after its ✓.
    pub fn confirmations(record: &StepRecord, step: &Step, quiet_ms: u64) -> Vec<String> {
        let mut lines = Vec::new();
        if let Action::Connect { actors } = &step.action {
            let who = name_list(actors);
            match step.expect.refused {
                true => lines.push(format!("{who} refused, as expected")),
                false => lines.push(format!("{who} accepted, as expected")),
            }
        }
        if let Some(receive) = &step.expect.receive {
            let (event, to) = (&receive.event, name_list(&receive.to));
            lines.push(format!("`{event}` reached {to}{}", with_payload(receive)));
            if record.present.iter().any(|n| !receive.to.contains(n)) {
                lines.push(format!(
                    "no other socket received `{}` within {quiet_ms} ms",
                    receive.event
                ));
            }
        }
        if let (Action::Ask { .. }, Some(answer)) = (&step.action, record.ack_answer()) {
            lines.push(format!("the acknowledgement answered {answer}"));
        }
        for line in &step.expect.log {
            lines.push(format!("the server logged `{line}`"));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(observations: Vec<Observation>) -> StepRecord {
        StepRecord {
            index: 1,
            observations,
            present: vec!["ann".into(), "bob".into()],
            rooms: Default::default(),
            own_id_rooms: Default::default(),
            connections: Vec::new(),
            nodes: Default::default(),
            declared: true,
        }
    }

    fn emitted(to: &[&str]) -> Observation {
        Observation::ServerEmitted {
            client: "ann".into(),
            namespace: "/".into(),
            event: "alert".into(),
            delivered_to: to.iter().map(|n| n.to_string()).collect(),
            error: None,
            timeout_ms: None,
            plain_socketioxide: None,
        }
    }

    fn received(client: &str) -> Observation {
        Observation::Received {
            client: client.into(),
            event: "alert".into(),
            payload: Value::Null,
            arguments: 1,
        }
    }

    /// Two copies are a fault only beyond what the server says it sent, and
    /// `expect_copies` counts what each client received.
    #[test]
    fn copies_are_judged_against_the_servers_emits() {
        let twice = record(vec![
            emitted(&["ann", "bob"]),
            emitted(&["bob"]),
            received("ann"),
            received("bob"),
            received("bob"),
        ]);
        assert!(twice.traffic_faults("alert", false).is_empty());
        let want = BTreeMap::from([("ann".to_string(), 1), ("bob".to_string(), 2)]);
        assert!(twice.copies_mismatches("alert", &want).is_empty());
        let wrong = BTreeMap::from([("ann".to_string(), 2)]);
        assert_eq!(
            twice.copies_mismatches("alert", &wrong),
            ["expected `ann` to receive 2 copies of `alert`, but it received 1 copy"]
        );

        let once = record(vec![emitted(&["bob"]), received("bob"), received("bob")]);
        assert_eq!(
            once.traffic_faults("alert", false),
            ["`bob` received `alert` 2 times in one step, but the server sent it once"]
        );
    }
}
