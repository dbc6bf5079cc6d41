//! The exercise file as serde reads it, and its validation into [`super::Exercise`].
//! A step is one flat struct for the same reason as a lesson step (`toml::Spanned`
//! cannot sit inside a tagged enum); each operation refuses the fields it does not take.

use std::collections::{BTreeSet, HashMap};

use serde::Deserialize;
use serde_json::Value;
use toml::Spanned;

use super::{id_placeholder, Action, Exercise, Expect, Receive, Step, FORMAT_VERSION};
use crate::lesson::{
    check_clients, format_version, to_json, track_connections, LessonError, Locator, Op, RawClient,
};

type Result<T> = std::result::Result<T, LessonError>;

/// How long an `ask` waits for its answer when the step gives no `timeout`.
const DEFAULT_ASK_TIMEOUT_MS: u64 = 5000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExercise {
    format_version: Spanned<u32>,
    title: String,
    goal: String,
    #[serde(default)]
    hints: Vec<String>,
    events: Spanned<Vec<String>>,
    starter: RawStarter,
    clients: Vec<RawClient>,
    steps: Vec<Spanned<RawStep>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStarter {
    js: String,
    rust: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    title: String,
    op: Op,
    actor: Option<Spanned<String>>,
    actors: Option<Spanned<Vec<String>>>,
    event: Option<Spanned<String>>,
    payload: Option<toml::Value>,
    /// `ask`: milliseconds to wait for the answer.
    timeout: Option<Spanned<u64>>,
    /// Who must receive `receive` (default: the step's own `event`).
    expect: Option<Spanned<Vec<String>>>,
    receive: Option<Spanned<String>>,
    expect_payload: Option<toml::Value>,
    #[serde(default)]
    expect_refused: bool,
    expect_answer: Option<toml::Value>,
    expect_log: Option<Vec<String>>,
}

pub(super) fn exercise(id: &str, loc: &Locator, raw: RawExercise) -> Result<Exercise> {
    format_version(loc, &raw.format_version, FORMAT_VERSION)?;
    if raw.events.get_ref().is_empty() {
        return Err(loc.at(raw.events.span().start, "`events` is empty"));
    }
    let (clients, known) = check_clients(loc, &raw.clients)?;
    // `verify` connects each client on its own: the learner's server is judged one
    // connection per client.
    if let Some(shared) = raw.clients.iter().find_map(|c| c.connection.as_ref()) {
        return Err(loc.at(
            shared.span().start,
            "`connection` is for lessons: an exercise's clients each have their own",
        ));
    }
    if raw.steps.is_empty() {
        return Err(loc.at(0, "an exercise needs at least one `[[steps]]` entry"));
    }
    let checker = Checker {
        loc,
        known: &known,
        events: raw.events.get_ref(),
    };
    let mut connected = BTreeSet::new();
    let steps = raw
        .steps
        .iter()
        .map(|s| checker.step(s, &mut connected))
        .collect::<Result<Vec<Step>>>()?;
    if steps.iter().all(|s| s.expect == Expect::default()) {
        return Err(loc.at(0, "no step expects anything, so every server would pass"));
    }
    Ok(Exercise {
        id: id.to_string(),
        title: raw.title,
        goal: raw.goal.trim().to_string(),
        hints: raw.hints.iter().map(|h| h.trim().to_string()).collect(),
        events: raw.events.into_inner(),
        starter_js: raw.starter.js,
        starter_rust: raw.starter.rust,
        clients,
        steps,
    })
}

struct Checker<'a> {
    loc: &'a Locator<'a>,
    known: &'a HashMap<String, String>,
    events: &'a [String],
}

impl Checker<'_> {
    fn step(&self, spanned: &Spanned<RawStep>, connected: &mut BTreeSet<String>) -> Result<Step> {
        let (s, at) = (spanned.get_ref(), spanned.span().start);
        let action = match s.op {
            Op::Connect | Op::Disconnect => {
                let actors = match (&s.actors, &s.actor) {
                    (Some(list), None) => self.names(list)?,
                    (None, Some(one)) => vec![self.name(one)?],
                    _ => return Err(self.at(at, format!("`{}` needs `actors` (or one `actor`)", s.op))),
                };
                for field in [s.event.is_some(), s.payload.is_some(), s.timeout.is_some()] {
                    if field {
                        return Err(self.at(at, format!("`{}` takes no `event`, `payload` or `timeout`", s.op)));
                    }
                }
                let connecting = s.op == Op::Connect;
                for actor in &actors {
                    if connected.contains(actor) == connecting {
                        let state = if connecting { "already" } else { "not" };
                        return Err(self.at(at, format!("`{actor}` is {state} connected here")));
                    }
                }
                if connecting {
                    Action::Connect { actors }
                } else {
                    Action::Disconnect {
                        actors,
                        close_transport: false,
                    }
                }
            }
            Op::Send | Op::Ask => {
                let Some(actor) = &s.actor else {
                    return Err(self.at(at, format!("`{}` needs one `actor`", s.op)));
                };
                let actor = self.name(actor)?;
                if !connected.contains(&actor) {
                    return Err(self.at(at, format!("`{actor}` is not connected here")));
                }
                let Some(event) = &s.event else {
                    return Err(self.at(at, format!("`{}` needs an `event`", s.op)));
                };
                let event = self.event(event)?;
                let payload = s.payload.as_ref().map(|p| self.template(at, to_json(p))).transpose()?;
                if s.op == Op::Send {
                    if s.timeout.is_some() {
                        return Err(self.at(at, "`timeout` is for `ask` only"));
                    }
                    Action::Send {
                        actor,
                        event,
                        payload,
                        args: None,
                        payload_bytes: None,
                        before_connect: false,
                    }
                } else {
                    let timeout_ms = s.timeout.as_ref().map_or(DEFAULT_ASK_TIMEOUT_MS, |t| *t.get_ref());
                    Action::Ask { actor, event, payload, timeout_ms }
                }
            }
            other => {
                return Err(self.at(at, format!(
                    "`{other}` is a server-side operation: an exercise's clients only `connect`, `disconnect`, `send` or `ask`"
                )))
            }
        };
        let expect = self.expect(s, at, &action)?;
        track_connections(&action, expect.refused, connected);
        Ok(Step {
            title: s.title.clone(),
            action,
            expect,
        })
    }

    fn expect(&self, s: &RawStep, at: usize, action: &Action) -> Result<Expect> {
        let receive = match (&s.expect, &s.receive) {
            (Some(to), receive) => {
                let event = match (receive, action.event()) {
                    (Some(e), _) => self.event(e)?,
                    (None, Some(e)) => e.to_string(),
                    (None, None) => {
                        return Err(self.at(at, "`expect` needs `receive`: the event it is about"))
                    }
                };
                let mut to = self.names(to)?;
                to.sort();
                let payload = s
                    .expect_payload
                    .as_ref()
                    .map(|p| self.template(at, to_json(p)))
                    .transpose()?;
                Some(Receive { event, to, payload })
            }
            (None, Some(r)) => {
                return Err(self.at(r.span().start, "`receive` needs `expect`: who receives it"))
            }
            (None, None) if s.expect_payload.is_some() => {
                return Err(self.at(at, "`expect_payload` needs `expect`: who receives it"))
            }
            (None, None) => None,
        };
        if s.expect_refused && !matches!(action, Action::Connect { .. }) {
            return Err(self.at(at, "`expect_refused` is for `connect` only"));
        }
        if s.expect_answer.is_some() && !matches!(action, Action::Ask { .. }) {
            return Err(self.at(at, "`expect_answer` is for `ask` only"));
        }
        Ok(Expect {
            receive,
            refused: s.expect_refused,
            answer: s.expect_answer.as_ref().map(to_json),
            log: s.expect_log.clone().unwrap_or_default(),
        })
    }

    fn at(&self, offset: usize, message: impl Into<String>) -> LessonError {
        self.loc.at(offset, message)
    }

    fn name(&self, name: &Spanned<String>) -> Result<String> {
        if self.known.contains_key(name.get_ref()) {
            return Ok(name.get_ref().clone());
        }
        Err(self.at(
            name.span().start,
            format!("unknown client `{}`", name.get_ref()),
        ))
    }

    fn names(&self, list: &Spanned<Vec<String>>) -> Result<Vec<String>> {
        let mut seen = BTreeSet::new();
        for name in list.get_ref() {
            if !self.known.contains_key(name) {
                return Err(self.at(list.span().start, format!("unknown client `{name}`")));
            }
            if !seen.insert(name) {
                return Err(self.at(list.span().start, format!("client `{name}` is named twice")));
            }
        }
        Ok(list.get_ref().clone())
    }

    /// An application event must be one the exercise lists in `events`.
    fn event(&self, event: &Spanned<String>) -> Result<String> {
        if self.events.contains(event.get_ref()) {
            return Ok(event.get_ref().clone());
        }
        Err(self.at(
            event.span().start,
            format!(
                "event `{}` is not in the exercise's `events`",
                event.get_ref()
            ),
        ))
    }

    /// A payload whose `{id:NAME}` strings name known clients.
    fn template(&self, at: usize, value: Value) -> Result<Value> {
        let mut unknown = None;
        visit_strings(&value, &mut |s| {
            if let Some(name) = id_placeholder(s).filter(|n| !self.known.contains_key(*n)) {
                unknown.get_or_insert_with(|| name.to_string());
            }
        });
        match unknown {
            Some(name) => Err(self.at(at, format!("`{{id:{name}}}` names no client"))),
            None => Ok(value),
        }
    }
}

/// Calls `f` on every string inside `value`.
pub(crate) fn visit_strings(value: &Value, f: &mut impl FnMut(&str)) {
    match value {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter().for_each(|v| visit_strings(v, f)),
        Value::Object(map) => map.values().for_each(|v| visit_strings(v, f)),
        _ => {}
    }
}
