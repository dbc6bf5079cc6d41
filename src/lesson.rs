//! Lessons are data: TOML files with a `format_version`, checked strictly so that an
//! instructor's mistake is reported at its file, line and column.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::protocol::{ADMIN_NS, CONTROL_NS, MAIN_NS};

pub const FORMAT_VERSION: u32 = 1;

/// The lessons shipped inside the binary, in teaching order. `tests/lessons.rs` checks
/// that every file under `lessons/` is listed here.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("chat", include_str!("../lessons/chat.toml")),
    ("emit", include_str!("../lessons/emit.toml")),
    ("rooms", include_str!("../lessons/rooms.toml")),
    ("namespaces", include_str!("../lessons/namespaces.toml")),
    ("cheatsheet", include_str!("../lessons/cheatsheet.toml")),
];

fn validate_question(
    loc: &Locator,
    q: &RawQuestion,
    known: &HashMap<String, String>,
) -> Result<Question, LessonError> {
    let at = q.id.span().start;
    let id = q.id.get_ref();
    let choices_at = q.choices.span().start;
    let raw_choices = q.choices.get_ref();
    if raw_choices.len() < 2 {
        return Err(loc.at(
            choices_at,
            format!("question `{id}` needs at least two choices"),
        ));
    }
    let mut connected = BTreeSet::new();
    let setup = validate_steps(loc, &q.setup, known, &mut connected)?;
    if let Some(target) = &q.target {
        check_name_list(loc, target, known, "target")?;
    }
    let mut choices = Vec::new();
    for (n, c) in raw_choices.iter().enumerate() {
        let raw_steps = match (q.steps.is_empty(), c.steps.is_empty()) {
            (false, true) => &q.steps,
            (true, false) => &c.steps,
            (false, false) => {
                return Err(loc.at(
                    c.steps[0].span().start,
                    format!("choice {} of `{id}` has its own `steps` but the question already gives shared `steps`", n + 1),
                ))
            }
            (true, true) => {
                return Err(loc.at(
                    choices_at,
                    format!("choice {} of `{id}` has nothing to run: give the question `steps` or the choice `steps`", n + 1),
                ))
            }
        };
        let mut state = connected.clone();
        let mut steps = validate_steps(loc, raw_steps, known, &mut state)?;
        let prediction = match (&c.expect, &q.target) {
            (Some(expect), _) => {
                check_name_list(loc, expect, known, "expect")?;
                Some(expect.get_ref().clone())
            }
            (None, Some(target)) => Some(target.get_ref().clone()),
            (None, None) => None,
        };
        let last = steps.last_mut().expect("validate_steps keeps every step");
        if let Some(prediction) = prediction {
            if !matches!(last.op, Op::Emit | Op::Send) {
                return Err(loc.at(
                    at,
                    format!("question `{id}`: a `target` or `expect` needs the last step to emit or send, not `{}`", last.op),
                ));
            }
            last.expect = Some(prediction);
        }
        let judged = steps.iter().any(Step::has_expectations);
        if !judged {
            return Err(loc.at(
                at,
                format!(
                    "choice {} of `{id}` expects nothing, so no run could prove it right or wrong",
                    n + 1
                ),
            ));
        }
        choices.push(Choice {
            text: c.text.trim().to_string(),
            steps,
            note: c.note.clone(),
        });
    }
    let (line, column) = line_column(loc.text, at);
    Ok(Question {
        id: id.clone(),
        line,
        column,
        prompt: q.prompt.trim().to_string(),
        multiple: q.multiple,
        hint: q.hint.as_ref().map(|h| h.trim().to_string()),
        setup,
        choices,
    })
}

/// Namespaces the lab server serves to lesson clients.
pub const LESSON_NAMESPACES: &[&str] = &[MAIN_NS, ADMIN_NS];

pub use crate::protocol::RESERVED_EVENTS;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLesson {
    format_version: Spanned<u32>,
    title: String,
    summary: String,
    intro: String,
    #[serde(default)]
    clients: Vec<RawClient>,
    #[serde(default)]
    steps: Vec<Spanned<RawStep>>,
    #[serde(default)]
    questions: Vec<RawQuestion>,
}

/// A quiz question. Its choices are judged by running them, never by a key: a
/// choice holds when its run meets every expectation its steps carry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: Spanned<String>,
    prompt: String,
    /// Several choices may hold; the learner must pick exactly those.
    #[serde(default)]
    multiple: bool,
    #[serde(default)]
    hint: Option<String>,
    /// Steps run before every choice, not judged.
    #[serde(default)]
    setup: Vec<Spanned<RawStep>>,
    /// Steps shared by every choice (for "what happens when ..." questions).
    #[serde(default)]
    steps: Vec<Spanned<RawStep>>,
    /// Who the last step's event must reach, for every choice without its own `expect`.
    #[serde(default)]
    target: Option<Spanned<Vec<String>>>,
    choices: Spanned<Vec<RawChoice>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChoice {
    text: String,
    #[serde(default)]
    steps: Vec<Spanned<RawStep>>,
    /// This choice's prediction of who the last step's event reaches.
    #[serde(default)]
    expect: Option<Spanned<Vec<String>>>,
    /// Shown after the answer, right or wrong.
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClient {
    name: Spanned<String>,
    #[serde(default)]
    namespace: Option<Spanned<String>>,
    #[serde(default)]
    auth: Option<toml::Table>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    #[serde(default)]
    title: String,
    op: Op,
    #[serde(default)]
    actor: Option<Spanned<String>>,
    #[serde(default)]
    actors: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    narration: String,
    #[serde(default)]
    event: Option<Spanned<String>>,
    #[serde(default)]
    payload: Option<toml::Value>,
    #[serde(default)]
    rooms: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    from: Option<Origin>,
    #[serde(default)]
    broadcast: bool,
    #[serde(default)]
    to: Option<Spanned<Vec<String>>>,
    #[serde(default, rename = "in")]
    within: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    except: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    of: Option<Spanned<String>>,
    #[serde(default)]
    expect: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    expect_refused: bool,
    #[serde(default)]
    expect_unhandled: bool,
    #[serde(default)]
    expect_log: Option<Vec<String>>,
    /// `emit` only: ask every recipient for an acknowledgement.
    #[serde(default)]
    ack: bool,
    /// `emit` only: the `volatile` flag.
    #[serde(default)]
    volatile: bool,
    /// Milliseconds to wait for an acknowledgement (`ask`, or `emit` with `ack`).
    #[serde(default)]
    timeout: Option<Spanned<u64>>,
    /// `ask` only: the answer the server's acknowledgement must carry.
    #[serde(default)]
    expect_answer: Option<toml::Value>,
    /// The acknowledgement must time out (`ask`: the client's; `emit`: the server's).
    #[serde(default)]
    expect_timeout: bool,
    /// The server must refuse the request (for example a reserved event name).
    #[serde(default)]
    expect_rejected: bool,
}

/// What one step does. Each maps to one Socket.IO call (see `snippet.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// The actor (or actors) open a connection to their namespace.
    #[default]
    Connect,
    /// The actor closes its connection.
    Disconnect,
    /// The actor asks the server to put it in rooms (joining is server-side only).
    Join,
    /// The actor asks the server to take it out of rooms.
    Leave,
    /// The actor asks the server to emit with a given selection (`socket.to(..)`, `io.emit`, ...).
    Emit,
    /// The actor emits an application event; the server's own handler decides what happens.
    Send,
    /// The actor emits an application event with an acknowledgement callback and waits
    /// (up to `timeout`) for the server's answer.
    Ask,
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Connect => "connect",
            Op::Disconnect => "disconnect",
            Op::Join => "join",
            Op::Leave => "leave",
            Op::Emit => "emit",
            Op::Send => "send",
            Op::Ask => "ask",
        })
    }
}

/// Whether the server-side emit starts from the actor's socket or from the namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    #[default]
    Socket,
    Io,
}

#[derive(Debug, Clone)]
pub struct Lesson {
    pub id: String,
    pub source: String,
    pub title: String,
    pub summary: String,
    pub intro: String,
    pub clients: Vec<Client>,
    pub steps: Vec<Step>,
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone)]
pub struct Client {
    pub name: String,
    pub namespace: String,
    pub auth: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default)]
pub struct EmitSpec {
    pub from: Origin,
    pub broadcast: bool,
    pub to: Vec<String>,
    /// `in` rooms: the same selection as `to`, spelled the other way.
    pub within: Vec<String>,
    pub except: Vec<String>,
    pub of: Option<String>,
    pub volatile: bool,
    /// Ask each recipient for an acknowledgement, waiting this long.
    pub ack_timeout_ms: Option<u64>,
}

#[derive(Debug, Clone, Default)]
pub struct Step {
    pub title: String,
    pub op: Op,
    pub actors: Vec<String>,
    pub narration: String,
    pub event: Option<String>,
    pub payload: Option<serde_json::Value>,
    pub rooms: Vec<String>,
    pub emit: EmitSpec,
    pub expect: Option<Vec<String>>,
    pub expect_refused: bool,
    /// The server must answer that no handler exists for the event.
    pub expect_unhandled: bool,
    /// Lines the server must log during the step.
    pub expect_log: Option<Vec<String>>,
    /// `ask`: how long the client waits for the answer.
    pub ask_timeout_ms: Option<u64>,
    /// `ask`: the answer the server must give.
    pub expect_answer: Option<serde_json::Value>,
    /// The acknowledgement must time out.
    pub expect_timeout: bool,
    /// The server must refuse the request.
    pub expect_rejected: bool,
}

#[derive(Debug, Clone)]
pub struct Question {
    pub id: String,
    /// Line and column of its `id`, for `check`.
    pub line: usize,
    pub column: usize,
    pub prompt: String,
    pub multiple: bool,
    pub hint: Option<String>,
    pub setup: Vec<Step>,
    pub choices: Vec<Choice>,
}

#[derive(Debug, Clone)]
pub struct Choice {
    pub text: String,
    /// The steps this choice runs after the setup, expectations attached.
    pub steps: Vec<Step>,
    pub note: Option<String>,
}

impl Step {
    /// Whether a run of this step can contradict anything it claims.
    pub fn has_expectations(&self) -> bool {
        self.expect.is_some()
            || self.expect_refused
            || self.expect_unhandled
            || self.expect_log.is_some()
            || self.expect_answer.is_some()
            || self.expect_timeout
            || self.expect_rejected
    }

    /// The single actor of every operation but a multi-client connect or disconnect.
    pub fn actor(&self) -> &str {
        &self.actors[0]
    }
}

impl Lesson {
    pub fn client(&self, name: &str) -> Option<&Client> {
        self.clients.iter().find(|c| c.name == name)
    }
}

/// A problem in a lesson file, located to the character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for LessonError {}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

struct Locator<'a> {
    file: &'a str,
    text: &'a str,
}

impl Locator<'_> {
    fn at(&self, offset: usize, message: impl Into<String>) -> LessonError {
        let (line, column) = line_column(self.text, offset);
        LessonError {
            file: self.file.to_string(),
            line,
            column,
            message: message.into(),
        }
    }
}

fn to_json(value: &toml::Value) -> serde_json::Value {
    // TOML values are a subset of JSON values except datetimes, which become strings.
    match value {
        toml::Value::String(s) => serde_json::Value::String(s.clone()),
        toml::Value::Integer(i) => serde_json::Value::from(*i),
        toml::Value::Float(f) => serde_json::Value::from(*f),
        toml::Value::Boolean(b) => serde_json::Value::Bool(*b),
        toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
        toml::Value::Array(items) => items.iter().map(to_json).collect(),
        toml::Value::Table(table) => {
            serde_json::Value::Object(table.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

/// Parses and validates one lesson. `file` is only used in error messages.
pub fn parse(id: &str, file: &str, text: &str) -> Result<Lesson, LessonError> {
    let loc = Locator { file, text };
    let raw: RawLesson = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let message = e.message().trim().replace('\n', " ");
        loc.at(offset, message)
    })?;
    validate(id, &loc, raw)
}

fn check_name_list(
    loc: &Locator,
    list: &Spanned<Vec<String>>,
    known: &HashMap<String, String>,
    what: &str,
) -> Result<(), LessonError> {
    for name in list.get_ref() {
        if !known.contains_key(name) {
            return Err(loc.at(
                list.span().start,
                format!("unknown client `{name}` in `{what}`"),
            ));
        }
    }
    Ok(())
}

fn check_rooms(
    loc: &Locator,
    list: &Spanned<Vec<String>>,
    known: &HashMap<String, String>,
    field: &str,
) -> Result<Vec<String>, LessonError> {
    for room in list.get_ref() {
        if room.is_empty() {
            return Err(loc.at(list.span().start, format!("empty room name in `{field}`")));
        }
        if let Some(name) = room.strip_prefix("id:") {
            if !known.contains_key(name) {
                return Err(loc.at(
                    list.span().start,
                    format!("`{room}` names the own-id room of an unknown client `{name}`"),
                ));
            }
        }
    }
    Ok(list.get_ref().clone())
}

fn validate(id: &str, loc: &Locator, raw: RawLesson) -> Result<Lesson, LessonError> {
    if *raw.format_version.get_ref() != FORMAT_VERSION {
        return Err(loc.at(
            raw.format_version.span().start,
            format!(
                "unsupported `format_version` {} (this socketio-lab reads version {FORMAT_VERSION})",
                raw.format_version.get_ref()
            ),
        ));
    }

    // name -> namespace
    let mut known: HashMap<String, String> = HashMap::new();
    let mut clients = Vec::new();
    for raw_client in &raw.clients {
        let name = raw_client.name.get_ref();
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !valid {
            return Err(loc.at(
                raw_client.name.span().start,
                format!("client name `{name}` must be lowercase letters, digits, `-` or `_`"),
            ));
        }
        if known.contains_key(name) {
            return Err(loc.at(
                raw_client.name.span().start,
                format!("duplicate client name `{name}`"),
            ));
        }
        let namespace = match &raw_client.namespace {
            None => MAIN_NS.to_string(),
            Some(ns) => {
                if !LESSON_NAMESPACES.contains(&ns.get_ref().as_str()) {
                    return Err(loc.at(ns.span().start, unknown_namespace_message(ns.get_ref())));
                }
                ns.get_ref().clone()
            }
        };
        let mut auth = serde_json::Map::new();
        if let Some(table) = &raw_client.auth {
            for (k, v) in table {
                auth.insert(k.clone(), to_json(v));
            }
        }
        known.insert(name.clone(), namespace.clone());
        clients.push(Client {
            name: name.clone(),
            namespace,
            auth,
        });
    }
    if clients.is_empty() {
        return Err(loc.at(0, "a lesson needs at least one `[[clients]]` entry"));
    }
    if raw.steps.is_empty() {
        return Err(loc.at(0, "a lesson needs at least one `[[steps]]` entry"));
    }

    // Simulate who is connected so a step cannot act through a closed socket.
    let mut connected: BTreeSet<String> = BTreeSet::new();
    let steps = validate_steps(loc, &raw.steps, &known, &mut connected)?;
    for spanned in &raw.steps {
        if spanned.get_ref().title.is_empty() {
            return Err(loc.at(spanned.span().start, "a lesson step needs a `title`"));
        }
    }
    let mut questions = Vec::new();
    let mut ids = BTreeSet::new();
    for q in &raw.questions {
        if !ids.insert(q.id.get_ref().clone()) {
            return Err(loc.at(
                q.id.span().start,
                format!("duplicate question id `{}`", q.id.get_ref()),
            ));
        }
        questions.push(validate_question(loc, q, &known)?);
    }

    Ok(Lesson {
        id: id.to_string(),
        source: loc.file.to_string(),
        title: raw.title,
        summary: raw.summary,
        intro: raw.intro.trim().to_string(),
        clients,
        steps,
        questions,
    })
}

/// Validates a run of steps, starting from the connections in `connected` and
/// leaving it as the steps leave it.
fn validate_steps(
    loc: &Locator,
    raw_steps: &[Spanned<RawStep>],
    known: &HashMap<String, String>,
    connected: &mut BTreeSet<String>,
) -> Result<Vec<Step>, LessonError> {
    let mut steps = Vec::new();
    for spanned in raw_steps {
        let step_at = spanned.span().start;
        let s = spanned.get_ref();
        let actors: Vec<String> = match (&s.actor, &s.actors) {
            (Some(_), Some(list)) => {
                return Err(loc.at(
                    list.span().start,
                    "give either `actor` or `actors`, not both",
                ))
            }
            (Some(actor), None) => {
                if !known.contains_key(actor.get_ref()) {
                    return Err(loc.at(
                        actor.span().start,
                        format!("unknown client `{}` in `actor`", actor.get_ref()),
                    ));
                }
                vec![actor.get_ref().clone()]
            }
            (None, Some(list)) => {
                if !matches!(s.op, Op::Connect | Op::Disconnect) {
                    return Err(loc.at(
                        list.span().start,
                        format!("`actors` is only for `connect` and `disconnect`; `{}` takes one `actor`", s.op),
                    ));
                }
                if list.get_ref().is_empty() {
                    return Err(loc.at(list.span().start, "`actors` is empty"));
                }
                check_name_list(loc, list, known, "actors")?;
                list.get_ref().clone()
            }
            (None, None) => {
                return Err(loc.at(step_at, format!("step `{}` has no `actor`", s.title)))
            }
        };

        for actor in &actors {
            let is_connected = connected.contains(actor);
            match s.op {
                Op::Connect if is_connected => {
                    return Err(loc.at(
                        step_at,
                        format!("`{actor}` is already connected at step `{}`", s.title),
                    ))
                }
                Op::Connect => {}
                _ if !is_connected => {
                    return Err(loc.at(
                        step_at,
                        format!(
                        "`{actor}` is not connected at step `{}` (add a `connect` step before it)",
                        s.title
                    ),
                    ))
                }
                _ => {}
            }
        }

        let needs_event = matches!(s.op, Op::Emit | Op::Send | Op::Ask);
        let event = match (&s.event, needs_event) {
            (None, true) => return Err(loc.at(step_at, format!("`{}` needs an `event`", s.op))),
            (Some(e), false) => {
                return Err(loc.at(
                    e.span().start,
                    format!("`event` does not apply to `{}`", s.op),
                ))
            }
            (Some(e), true) => {
                let name = e.get_ref();
                if name.is_empty() {
                    return Err(loc.at(e.span().start, "`event` is empty"));
                }
                if RESERVED_EVENTS.contains(&name.as_str()) && !s.expect_rejected {
                    return Err(loc.at(
                        e.span().start,
                        format!(
                            "`{name}` is reserved by Socket.IO and cannot be an application event"
                        ),
                    ));
                }
                if name.starts_with("lab:") {
                    return Err(loc.at(
                        e.span().start,
                        format!(
                            "`{name}`: event names starting with `lab:` belong to the lab protocol"
                        ),
                    ));
                }
                Some(name.clone())
            }
            (None, false) => None,
        };
        if s.payload.is_some() && !needs_event {
            return Err(loc.at(step_at, format!("`payload` does not apply to `{}`", s.op)));
        }

        let rooms = match (&s.rooms, matches!(s.op, Op::Join | Op::Leave)) {
            (Some(list), true) => {
                if list.get_ref().is_empty() {
                    return Err(loc.at(list.span().start, "`rooms` is empty"));
                }
                check_rooms(loc, list, known, "rooms")?
            }
            (None, true) => return Err(loc.at(step_at, format!("`{}` needs `rooms`", s.op))),
            (Some(list), false) => {
                return Err(loc.at(
                    list.span().start,
                    format!(
                    "`rooms` does not apply to `{}` (use `to`, `in` or `except` to select rooms)",
                    s.op
                ),
                ))
            }
            (None, false) => Vec::new(),
        };

        let selects = s.from.is_some()
            || s.ack
            || s.volatile
            || s.broadcast
            || s.to.is_some()
            || s.within.is_some()
            || s.except.is_some()
            || s.of.is_some();
        if selects && s.op != Op::Emit {
            return Err(loc.at(
                step_at,
                format!("`from`, `broadcast`, `to`, `in`, `except`, `of`, `ack` and `volatile` apply to `emit` only, not `{}`", s.op),
            ));
        }
        let timeout = s.timeout.as_ref().map(|t| (*t.get_ref(), t.span().start));
        if let Some((ms, at)) = timeout {
            if !(s.op == Op::Ask || (s.op == Op::Emit && s.ack)) {
                return Err(loc.at(
                    at,
                    "`timeout` applies to `ask`, or to `emit` with `ack = true`",
                ));
            }
            if !(1..=10_000).contains(&ms) {
                return Err(loc.at(at, "`timeout` is in milliseconds, from 1 to 10000"));
            }
        }
        let timeout_ms = timeout.map(|(ms, _)| ms);
        if s.op == Op::Emit && s.ack && timeout_ms.is_none() {
            return Err(loc.at(step_at, "`ack = true` needs a `timeout` (milliseconds)"));
        }
        if s.ack && s.volatile {
            return Err(loc.at(
                step_at,
                "`volatile` and `ack` do not go together: a volatile packet may never arrive",
            ));
        }
        if s.expect_answer.is_some() && !(s.op == Op::Ask || s.ack) {
            return Err(loc.at(
                step_at,
                "`expect_answer` applies to `ask`, or to `emit` with `ack = true`",
            ));
        }
        if s.expect_timeout && !(s.op == Op::Ask || s.ack) {
            return Err(loc.at(
                step_at,
                "`expect_timeout` applies to `ask`, or to `emit` with `ack = true`",
            ));
        }
        if s.expect_rejected && s.op != Op::Emit {
            return Err(loc.at(step_at, "`expect_rejected` applies to `emit` only"));
        }
        let mut emit = EmitSpec {
            from: s.from.unwrap_or_default(),
            broadcast: s.broadcast,
            volatile: s.volatile,
            ack_timeout_ms: if s.op == Op::Emit { timeout_ms } else { None },
            ..EmitSpec::default()
        };
        if let Some(list) = &s.to {
            emit.to = check_rooms(loc, list, known, "to")?;
        }
        if let Some(list) = &s.within {
            emit.within = check_rooms(loc, list, known, "in")?;
        }
        if let Some(list) = &s.except {
            emit.except = check_rooms(loc, list, known, "except")?;
        }
        if s.to.is_some() && s.within.is_some() {
            return Err(loc.at(
                step_at,
                "`to` and `in` are two spellings of one selection: use one",
            ));
        }
        if let Some(of) = &s.of {
            if !LESSON_NAMESPACES.contains(&of.get_ref().as_str()) {
                return Err(loc.at(of.span().start, unknown_namespace_message(of.get_ref())));
            }
            if emit.from != Origin::Io {
                return Err(loc.at(
                    of.span().start,
                    "`of` needs `from = \"io\"` (`io.of(..)` is a server-wide call)",
                ));
            }
            emit.of = Some(of.get_ref().clone());
        }
        if emit.from == Origin::Io && emit.broadcast {
            return Err(loc.at(
                step_at,
                "`broadcast` is a flag of a socket; `io` already reaches everyone",
            ));
        }

        if let Some(expect) = &s.expect {
            if matches!(s.op, Op::Connect | Op::Disconnect | Op::Join | Op::Leave) {
                return Err(loc.at(
                    expect.span().start,
                    format!(
                        "`expect` lists who receives an event; `{}` sends none",
                        s.op
                    ),
                ));
            }
            check_name_list(loc, expect, known, "expect")?;
        }
        if s.expect_refused && s.op != Op::Connect {
            return Err(loc.at(step_at, "`expect_refused` applies to `connect` only"));
        }
        if s.expect_unhandled && !matches!(s.op, Op::Send | Op::Ask) {
            return Err(loc.at(
                step_at,
                "`expect_unhandled` applies to `send` and `ask` only",
            ));
        }

        match s.op {
            Op::Connect if !s.expect_refused => connected.extend(actors.iter().cloned()),
            Op::Disconnect => {
                for a in &actors {
                    connected.remove(a);
                }
            }
            _ => {}
        }

        steps.push(Step {
            title: if s.title.is_empty() {
                s.op.to_string()
            } else {
                s.title.clone()
            },
            op: s.op,
            actors,
            narration: s.narration.trim().to_string(),
            event,
            payload: s.payload.as_ref().map(to_json),
            rooms,
            emit,
            expect: s.expect.as_ref().map(|e| e.get_ref().clone()),
            expect_refused: s.expect_refused,
            expect_unhandled: s.expect_unhandled,
            expect_log: s.expect_log.clone(),
            ask_timeout_ms: if s.op == Op::Ask {
                Some(timeout_ms.unwrap_or(1000))
            } else {
                None
            },
            expect_answer: s.expect_answer.as_ref().map(to_json),
            expect_timeout: s.expect_timeout,
            expect_rejected: s.expect_rejected,
        });
    }

    Ok(steps)
}

fn unknown_namespace_message(ns: &str) -> String {
    if ns == CONTROL_NS {
        return format!(
            "namespace `{CONTROL_NS}` is reserved for the lab's own control connection"
        );
    }
    format!(
        "unknown namespace `{ns}` (the lab server has {})",
        LESSON_NAMESPACES
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(" and ")
    )
}

/// The lesson id of a path: its file name without `.toml`.
pub fn id_of_path(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Reads and validates a lesson file.
pub fn load_file(path: &Path) -> Result<Lesson, LessonError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| LessonError {
        file: shown.clone(),
        line: 0,
        column: 0,
        message: format!("cannot read the file: {e}"),
    })?;
    parse(&id_of_path(path), &shown, &text)
}

/// The lessons shipped inside the binary, in teaching order.
pub fn embedded() -> Result<Vec<Lesson>, LessonError> {
    EMBEDDED
        .iter()
        .map(|(id, text)| parse(id, &format!("lessons/{id}.toml"), text))
        .collect()
}

/// Every `*.toml` of `dir`, sorted by file name (none without a folder).
pub fn load_dir(dir: Option<&Path>) -> Result<Vec<Lesson>, LessonError> {
    let Some(dir) = dir else {
        return Ok(Vec::new());
    };
    let entries = std::fs::read_dir(dir).map_err(|e| LessonError {
        file: dir.display().to_string(),
        line: 0,
        column: 0,
        message: format!("cannot read the lessons folder: {e}"),
    })?;
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths.iter().map(|p| load_file(p)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
format_version = 1
title = "t"
summary = "s"
intro = "i"

[[clients]]
name = "alice"

[[clients]]
name = "bob"

[[steps]]
title = "connect"
op = "connect"
actors = ["alice", "bob"]

[[steps]]
title = "hello"
op = "emit"
actor = "alice"
broadcast = true
event = "hi"
payload = "there"
expect = ["bob"]
"#;

    fn err(text: &str) -> LessonError {
        parse("x", "x.toml", text).expect_err("lesson should be rejected")
    }

    #[test]
    fn a_good_lesson_parses() {
        let lesson = parse("x", "x.toml", GOOD).unwrap();
        assert_eq!(lesson.clients.len(), 2);
        assert_eq!(lesson.clients[0].namespace, "/");
        assert_eq!(lesson.steps[1].payload, Some(serde_json::json!("there")));
        assert!(lesson.steps[1].emit.broadcast);
    }

    #[test]
    fn unknown_field_is_located() {
        let text = GOOD.replace("actor = \"alice\"", "acter = \"alice\"");
        let e = err(&text);
        assert_eq!((e.line, e.column), (21, 1), "{e}");
        assert!(e.message.contains("unknown field `acter`"), "{e}");
    }

    #[test]
    fn unknown_client_is_located() {
        let text = GOOD.replace("actor = \"alice\"", "actor = \"zed\"");
        let e = err(&text);
        assert_eq!((e.line, e.column), (21, 9), "{e}");
        assert_eq!(e.message, "unknown client `zed` in `actor`");
    }

    #[test]
    fn duplicate_client_is_rejected() {
        let text = GOOD.replace("name = \"bob\"", "name = \"alice\"");
        let e = err(&text);
        assert_eq!(e.line, 11);
        assert!(e.message.contains("duplicate client name `alice`"), "{e}");
    }

    #[test]
    fn unknown_operation_is_located() {
        let text = GOOD.replace("op = \"emit\"", "op = \"shout\"");
        let e = err(&text);
        assert_eq!(e.line, 20, "{e}");
        assert!(e.message.contains("shout"), "{e}");
    }

    #[test]
    fn unknown_namespace_is_rejected() {
        let text = GOOD.replace("name = \"bob\"", "name = \"bob\"\nnamespace = \"/chat\"");
        let e = err(&text);
        assert_eq!(e.line, 12, "{e}");
        assert!(e.message.contains("unknown namespace `/chat`"), "{e}");
    }

    #[test]
    fn acting_before_connecting_is_rejected() {
        let text = GOOD.replace("actors = [\"alice\", \"bob\"]", "actors = [\"bob\"]");
        let e = err(&text);
        assert!(e.message.contains("`alice` is not connected"), "{e}");
    }

    #[test]
    fn reserved_event_is_rejected() {
        let e = err(&GOOD.replace("event = \"hi\"", "event = \"disconnect\""));
        assert!(e.message.contains("reserved"), "{e}");
    }

    #[test]
    fn wrong_format_version_is_rejected() {
        let e = err(&GOOD.replace("format_version = 1", "format_version = 7"));
        assert_eq!((e.line, e.column), (2, 18), "{e}");
    }

    #[test]
    fn syntax_error_is_located() {
        let e = err("format_version = 1\ntitle = \"unclosed\n");
        assert_eq!(e.line, 2, "{e}");
    }

    #[test]
    fn embedded_lessons_are_valid() {
        let lessons = embedded().unwrap();
        assert_eq!(lessons.len(), EMBEDDED.len());
    }

    #[test]
    fn columns_count_characters() {
        assert_eq!(line_column("ab\né€x", 8), (2, 3));
        assert_eq!(line_column("ab\né€x", 7), (2, 2));
    }
}
