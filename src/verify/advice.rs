//! One line of advice for a step that failed, read from its traffic: who got the
//! event against who should have, whether an answer came, whether the namespace
//! answered. The exercise's hints say what the exercise is about; this says what
//! the learner's server did instead, in the learner's language when it is known.

use std::collections::BTreeSet;

use super::report::Lang;
use crate::exercise::{Action, Exercise, Step};
use crate::judge::{exercise::receivers, name_list};
use crate::trace::{Observation, StepRecord};

/// The same advice in each language: JavaScript first, then Rust (socketioxide).
struct Said {
    js: String,
    rust: String,
}

impl Said {
    fn both(text: String) -> Said {
        Said {
            js: text.clone(),
            rust: text,
        }
    }

    fn in_lang(self, lang: Option<Lang>) -> String {
        match lang {
            Some(Lang::Rust) => self.rust,
            Some(Lang::JavaScript) => self.js,
            // Unknown: the JavaScript, since both the reading and the client are.
            None => self.js,
        }
    }
}

/// The advice for one step, empty when it held or nothing in its traffic points at
/// a cause.
pub fn for_step(
    exercise: &Exercise,
    step: &Step,
    record: &StepRecord,
    lang: Option<Lang>,
) -> Vec<String> {
    let mut said = Vec::new();
    said.extend(connect(step, record));
    said.extend(delivery(exercise, step, record));
    said.extend(answer(step, record));
    said.extend(log(step, record));
    said.into_iter().map(|s| s.in_lang(lang)).collect()
}

fn connect(step: &Step, record: &StepRecord) -> Option<Said> {
    let Action::Connect { actors } = &step.action else {
        return None;
    };
    let refused: Vec<&String> = actors
        .iter()
        .filter(|a| record.refusal_of(a).is_some())
        .collect();
    let accepted: Vec<&String> = actors
        .iter()
        .filter(|a| record.saw(a, |o| matches!(o, Observation::Connected { .. })))
        .collect();
    match (step.expect.refused, refused.first(), accepted.first()) {
        (false, Some(who), _) => Some(Said {
            js: format!("`{who}` was refused: a middleware called `next(new Error(…))` for it; let a client with its `auth` through"),
            rust: format!("`{who}` was refused: a middleware returned `Err(…)` for it; let a client with its `auth` through"),
        }),
        (true, _, Some(who)) => Some(Said {
            js: format!("`{who}` was let in: refuse it in the namespace's middleware, `nsp.use((socket, next) => next(new Error(\"…\")))`, after checking `socket.handshake.auth`"),
            rust: format!("`{who}` was let in: refuse it in a middleware that returns `Err(…)`, added with `on_connect.with(check_auth)`"),
        }),
        _ => None,
    }
}

/// "`alice`, `bob`": names as the house writes them.
fn ticked(names: &[String]) -> String {
    let ticked: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    name_list(&ticked)
}

/// The one who emitted the step's event, if a client did.
fn sender(step: &Step) -> Option<&str> {
    match &step.action {
        Action::Send { actor, .. } | Action::Ask { actor, .. } => Some(actor),
        _ => None,
    }
}

fn delivery(exercise: &Exercise, step: &Step, record: &StepRecord) -> Option<Said> {
    let receive = step.expect.receive.as_ref()?;
    let event = &receive.event;
    let want: BTreeSet<&String> = receive.to.iter().collect();
    let got_list = receivers(record, event);
    let got: BTreeSet<&String> = got_list.iter().collect();
    if want == got {
        return payload(step, record);
    }
    if got.is_empty() {
        return Some(nothing_arrived(step, record, event));
    }
    let namespace_of = |name: &str| {
        exercise
            .clients
            .iter()
            .find(|c| c.name == name)
            .map_or("/", |c| c.namespace.as_str())
    };
    // Everyone the step expects sits in one namespace: a delivery elsewhere, or
    // none there, is the namespace's fault before it is a room's.
    let wanted_namespaces: BTreeSet<&str> = want.iter().map(|n| namespace_of(n)).collect();
    if let [wanted] = wanted_namespaces.iter().copied().collect::<Vec<_>>()[..] {
        let strays: Vec<String> = got
            .iter()
            .filter(|n| namespace_of(n) != wanted)
            .map(|n| n.to_string())
            .collect();
        if !strays.is_empty() || got.iter().all(|n| !want.contains(n)) {
            let shown = if strays.is_empty() {
                got_list.clone()
            } else {
                strays
            };
            return Some(Said {
                js: format!(
                    "{} got it, and {} not on `{wanted}`: emit on that namespace, `io.of(\"{wanted}\").emit(…)`, or from a socket of it",
                    name_list(&shown),
                    if shown.len() == 1 { "is" } else { "are" }
                ),
                rust: format!(
                    "{} got it, and {} not on `{wanted}`: emit on that namespace, `io.of(\"{wanted}\")` (an `Option`), or from a socket of it",
                    ticked(&shown),
                    if shown.len() == 1 { "is" } else { "are" }
                ),
            });
        }
    }
    let present: BTreeSet<&String> = record.present.iter().collect();
    let others_of = |who: &str| present.iter().filter(|n| n.as_str() != who).count();
    if let Some(from) = sender(step) {
        let from = from.to_string();
        let rest_wanted: BTreeSet<&String> = want.iter().copied().filter(|n| **n != from).collect();
        let rest_got: BTreeSet<&String> = got.iter().copied().filter(|n| **n != from).collect();
        if rest_wanted == rest_got {
            // Everyone else is right: only the sender differs.
            let room = rest_wanted.len() < others_of(&from);
            return Some(if got.contains(&from) {
                sender_extra(&from, room)
            } else {
                sender_missing(&from, room)
            });
        }
    }
    let extra: Vec<String> = got
        .iter()
        .filter(|n| !want.contains(*n))
        .map(|n| n.to_string())
        .collect();
    let missing: Vec<String> = want
        .iter()
        .filter(|n| !got.contains(*n))
        .map(|n| n.to_string())
        .collect();
    if !extra.is_empty() && missing.is_empty() {
        return Some(Said::both(format!(
            "{} got it too: emit to the room alone, `io.to(room)` or `socket.to(room)`; a socket that called `socket.leave(room)` is no longer in it",
            ticked(&extra)
        )));
    }
    if extra.is_empty() && !missing.is_empty() {
        return Some(Said::both(format!(
            "{} got nothing: a room reaches only the sockets that joined it, with `socket.join(room)`, before the emit",
            ticked(&missing)
        )));
    }
    Some(Said::both(format!(
        "it reached {} instead: the emit went to another room than the step's",
        ticked(&got_list)
    )))
}

fn sender_extra(from: &str, room: bool) -> Said {
    if room {
        Said {
            js: format!("`{from}`, the sender, got it back: `socket.to(room).emit(…)` leaves the sender out, `io.to(room).emit(…)` does not"),
            rust: format!("`{from}`, the sender, got it back: `socket.to(room).emit(…)` leaves the sender out, `io.to(room).emit(…)` does not"),
        }
    } else {
        Said {
            js: format!("`{from}`, the sender, got it back: `socket.broadcast.emit(…)` leaves the sender out, `io.emit(…)` does not"),
            rust: format!("`{from}`, the sender, got it back: `socket.broadcast().emit(…)` leaves the sender out, `io.emit(…)` does not"),
        }
    }
}

fn sender_missing(from: &str, room: bool) -> Said {
    if room {
        Said {
            js: format!("`{from}`, the sender, did not get it: `io.to(room).emit(…)` reaches every member, the sender included; `socket.to(room)` leaves it out"),
            rust: format!("`{from}`, the sender, did not get it: `io.to(room).emit(…)` reaches every member, the sender included; `socket.to(room)` leaves it out"),
        }
    } else {
        Said {
            js: format!("`{from}`, the sender, did not get it: `io.emit(…)` reaches every socket, the sender included; `socket.broadcast.emit(…)` leaves it out"),
            rust: format!("`{from}`, the sender, did not get it: `io.emit(…)` reaches every socket, the sender included; `socket.broadcast().emit(…)` leaves it out"),
        }
    }
}

/// The right sockets got the event with other arguments than the step's.
fn payload(step: &Step, record: &StepRecord) -> Option<Said> {
    let receive = step.expect.receive.as_ref()?;
    let want = receive.payload.as_ref()?;
    let (who, came) = receive.to.iter().find_map(|name| {
        let first = record
            .received_by(name)
            .find(|(e, _)| *e == receive.event)?
            .1;
        (!crate::judge::exercise::carries(first, want)).then_some((name, first))
    })?;
    let came = match came {
        serde_json::Value::Array(args) if args.is_empty() => "no argument".to_string(),
        other => other.to_string(),
    };
    let event = &receive.event;
    Some(Said {
        js: format!("`{who}` got `{event}` with {came}, not {want}: what follows the event's name in `emit(\"{event}\", …)` is what every receiver gets"),
        rust: format!("`{who}` got `{event}` with {came}, not {want}: the data in `emit(\"{event}\", &data)` is what every receiver gets"),
    })
}

/// Nobody got the event: another event name, or no handler for what was sent.
fn nothing_arrived(step: &Step, record: &StepRecord, event: &str) -> Said {
    let other = record.observations.iter().find_map(|o| match o {
        Observation::Received {
            client, event: e, ..
        } if e != event => Some((client, e)),
        _ => None,
    });
    if let Some((client, other)) = other {
        return Said::both(format!(
            "`{client}` got `{other}` and nobody got `{event}`: an event's name must match, letter for letter, the one the client listens for"
        ));
    }
    let Some(sent) = step.action.event() else {
        return Said::both(format!("nobody got `{event}`"));
    };
    Said {
        js: format!("nobody got `{event}`: does the server listen for `{sent}` with `socket.on(\"{sent}\", …)` inside its connection handler, and emit `{event}` there?"),
        rust: format!("nobody got `{event}`: does `on_connect` register `socket.on(\"{sent}\", …)`, and does that handler emit `{event}`? An event sent right after connecting can come before `on_connect` ran: attach handlers in a middleware, `io.ns(\"/\", connected.with(attach))`"),
    }
}

fn answer(step: &Step, record: &StepRecord) -> Option<Said> {
    let Action::Ask { event, .. } = &step.action else {
        return None;
    };
    let silent = record
        .observations
        .iter()
        .any(|o| matches!(o, Observation::Unanswered { .. }));
    silent.then(|| Said {
        js: format!("the handler for `{event}` never answered: take the callback, its last parameter, and call it, `callback(value)`"),
        rust: format!("the handler for `{event}` never answered: take `ack: AckSender` as a parameter and call `ack.send(&value)`; if it does, the event may have come before `on_connect` attached it (socketioxide runs that after accepting the client): attach handlers in a middleware, `io.ns(\"/\", connected.with(attach))`"),
    })
}

fn log(step: &Step, record: &StepRecord) -> Option<Said> {
    let logged = record.log_lines();
    let line = step
        .expect
        .log
        .iter()
        .find(|line| !logged.iter().any(|l| l.contains(line.as_str())))?;
    Some(Said {
        js: format!("nothing printed `{line}`: `console.log(\"{line}\")` in the handler that runs during this step"),
        rust: format!(
            "nothing printed `{line}`: `println!(\"{}\")` in the handler that runs during this step",
            line.replace('{', "{{").replace('}', "}}")
        ),
    })
}
