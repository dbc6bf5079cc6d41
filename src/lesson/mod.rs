//! Lessons are data: TOML files with a `format_version`, checked strictly so that an
//! instructor's mistake is reported at its file, line and column.
//!
//! `raw.rs` is the file as serde reads it; `validate.rs` and `steps.rs` turn it into
//! the types below, where a step's [`Action`] holds only the fields its operation
//! takes.

mod generated;
mod nodes;
mod raw;
mod steps;
mod text;
mod validate;

use std::fmt;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::protocol::Emit;
use crate::protocol::{ADMIN_NS, MAIN_NS};

/// The newest lesson format: 2 declares the server's application (`[server]`).
/// Format 1, the lab's fixed chat server driven step by step, is still read.
pub const FORMAT_VERSION: u32 = 2;
/// The format whose lessons ask the lab's fixed server to act for a client.
pub const FIXED_SERVER_FORMAT: u32 = 1;

/// The lessons shipped inside the binary, in teaching order. `tests/it/lessons.rs` checks
/// that every file under `lessons/` is listed here.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("chat", include_str!("../../lessons/chat.toml")),
    ("emit", include_str!("../../lessons/emit.toml")),
    ("rooms", include_str!("../../lessons/rooms.toml")),
    ("namespaces", include_str!("../../lessons/namespaces.toml")),
    ("cheatsheet", include_str!("../../lessons/cheatsheet.toml")),
    ("lobby", include_str!("../../lessons/lobby.toml")),
    ("handlers", include_str!("../../lessons/handlers.toml")),
    ("early", include_str!("../../lessons/early.toml")),
    ("drops", include_str!("../../lessons/drops.toml")),
    ("scaling", include_str!("../../lessons/scaling.toml")),
    ("nodes", include_str!("../../lessons/nodes.toml")),
];

/// Namespaces the lab server serves to lesson clients.
pub const LESSON_NAMESPACES: &[&str] = &[MAIN_NS, ADMIN_NS];

pub use crate::protocol::RESERVED_EVENTS;
pub use generated::{generated_text, message_bytes, MAX_PAYLOAD_BYTES};
pub use nodes::{AdapterKind, Balancer, Nodes, Transport};

/// The operation a step names in its `op` field. Each maps to one Socket.IO call
/// (see `snippet.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Connect,
    Disconnect,
    Join,
    Leave,
    Emit,
    Send,
    Ask,
    Cut,
    Pause,
    Resume,
    Redeploy,
}

impl Op {
    /// Every operation, in the order the variants are declared.
    pub const ALL: [Op; 11] = [
        Op::Connect,
        Op::Disconnect,
        Op::Join,
        Op::Leave,
        Op::Emit,
        Op::Send,
        Op::Ask,
        Op::Cut,
        Op::Pause,
        Op::Resume,
        Op::Redeploy,
    ];
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The name a lesson file uses, in the order the variants are declared.
        const NAMES: [&str; 11] = [
            "connect",
            "disconnect",
            "join",
            "leave",
            "emit",
            "send",
            "ask",
            "cut",
            "pause",
            "resume",
            "redeploy",
        ];
        f.write_str(NAMES[*self as usize])
    }
}

/// A validated lesson: its clients, the steps `run` shows and the quiz's questions.
#[derive(Debug, Clone)]
pub struct Lesson {
    /// The file name without `.toml`: what `run NAME` and `quiz NAME` take.
    pub id: String,
    /// Where it was read from, for messages.
    pub source: String,
    pub title: String,
    /// One line for `list`.
    pub summary: String,
    /// The paragraph under the title, trimmed.
    pub intro: String,
    pub clients: Vec<Client>,
    /// What `run` shows, in order.
    pub steps: Vec<Step>,
    pub questions: Vec<Question>,
    /// Format 2: the server application, which the lab sends to the server.
    pub app: Option<crate::app::App>,
    /// `[network]`: each client's connection goes through a proxy that steps can
    /// cut, pause and resume, with these timers.
    pub network: Option<Network>,
    /// `[nodes]`: the application runs on several servers, maybe joined by an
    /// adapter, maybe behind a load balancer.
    pub nodes: Option<Nodes>,
}

/// A lesson's network: its heartbeat and its clients' reconnection, shortened so
/// that a drop shows in a fraction of a second. Both servers run these timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// The server pings every client this often (`pingInterval`).
    pub ping_interval_ms: u64,
    /// and drops one that has not answered within this (`pingTimeout`).
    pub ping_timeout_ms: u64,
    /// A client whose connection dropped connects again after this long
    /// (`reconnectionDelay`; the lab's clients do not randomize it).
    pub reconnection_delay_ms: u64,
}

impl Network {
    /// What each timer may be: short enough for a lesson, long enough for a loaded machine.
    pub const RANGE_MS: std::ops::RangeInclusive<u64> = 50..=10_000;
}

/// What a network step does to the actor's connection (see [`crate::netfault`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Both TCP connections closed at once, no close frame: the server says
    /// `transport close`, the client reconnects by itself.
    Cut,
    /// Nothing forwarded either way, as a frozen network.
    Pause,
    /// Forwarding again.
    Resume,
}

impl Lesson {
    /// The server's `(pingInterval, pingTimeout)` in ms when the lesson shortens
    /// them (`[network]`): part of its server, in both languages.
    pub fn heartbeat(&self) -> Option<(u64, u64)> {
        self.network
            .as_ref()
            .map(|n| (n.ping_interval_ms, n.ping_timeout_ms))
    }

    pub fn client(&self, name: &str) -> Option<&Client> {
        self.clients.iter().find(|c| c.name == name)
    }

    /// The topology after step `index` (1-based): `[nodes]` with every `redeploy` up
    /// to it applied.
    pub fn nodes_at(&self, index: usize) -> Option<Nodes> {
        let start = self.nodes?;
        Some(
            self.steps
                .iter()
                .take(index)
                .fold(start, |nodes, step| match &step.action {
                    Action::Redeploy { adapter, balancer } => nodes.redeployed(*adapter, *balancer),
                    _ => nodes,
                }),
        )
    }

    /// The most a step of this lesson may wait on purpose, as the lesson declares it:
    /// an acknowledgement it expects to time out, a client's late answer
    /// (`after_ms`), and what the server's handlers for the step declare (`wait_ms`,
    /// an emit's `.timeout(..)`). An upper bound: everything else a step does is
    /// loopback traffic, which takes a few milliseconds, never tens.
    pub fn declared_wait(&self, step: &Step) -> std::time::Duration {
        let late = self
            .clients
            .iter()
            .flat_map(|c| c.answers.iter().map(|a| a.after_ms))
            .max()
            .unwrap_or(0);
        let mut ms = match &step.action {
            Action::Ask { timeout_ms, .. } if step.expect.timeout => *timeout_ms,
            Action::Emit { emit, .. } => emit.ack_timeout_ms.map_or(0, |t| t.max(late)),
            // A fault is noticed by a heartbeat (a ping interval, then its timeout),
            // and a dropped client comes back after its reconnection delay.
            Action::Fault { .. } => self.network.map_or(0, |n| {
                n.ping_interval_ms + n.ping_timeout_ms + n.reconnection_delay_ms
            }),
            _ => 0,
        };
        let Some(app) = &self.app else {
            return std::time::Duration::from_millis(ms);
        };
        for nsp in &app.namespaces {
            let ops: Vec<&[crate::app::Op]> = match &step.action {
                Action::Connect { .. } => vec![&nsp.connection],
                Action::Disconnect { .. } => vec![&nsp.disconnecting, &nsp.disconnect],
                Action::Send {
                    event,
                    before_connect,
                    ..
                } => {
                    let mut ops = vec![nsp.ops_for(event)];
                    if *before_connect {
                        ops.push(&nsp.connection);
                    }
                    ops
                }
                Action::Ask { event, .. } => vec![nsp.ops_for(event)],
                _ => Vec::new(),
            };
            let (waits, asks_acks) = declared_in(ops.into_iter().flatten());
            ms += waits + if asks_acks { late } else { 0 };
        }
        std::time::Duration::from_millis(ms)
    }
}

/// The waits `ops` declare (`wait_ms`, an emit's `.timeout(..)`, its callback's
/// own), summed, and whether any of them asks recipients for an acknowledgement.
fn declared_in<'a>(ops: impl Iterator<Item = &'a crate::app::Op>) -> (u64, bool) {
    let mut ms = 0;
    let mut asks_acks = false;
    for op in ops {
        match op {
            crate::app::Op::WaitMs(wait) => ms += wait,
            crate::app::Op::Emit(emit) => {
                ms += emit.timeout.unwrap_or(0);
                asks_acks |= emit.callback.is_some();
                let (inner, acks) = declared_in(emit.callback.iter().flatten());
                ms += inner;
                asks_acks |= acks;
            }
            _ => {}
        }
    }
    (ms, asks_acks)
}

/// A named scripted client of the lesson.
#[derive(Debug, Clone)]
pub struct Client {
    pub name: String,
    /// `/` unless the lesson says otherwise.
    pub namespace: String,
    /// Sent as the handshake's `auth` (the `/admin` middleware reads `token`).
    pub auth: serde_json::Map<String, Value>,
    /// How this client's handlers answer a server's acknowledgement request, per
    /// event; an event not listed is received and left unanswered.
    pub answers: Vec<ScriptedAnswer>,
    /// The client whose connection this one's socket shares, as one page's
    /// `io("/")` and `io("/admin")` share one (the first client of that connection);
    /// `None`: a connection of its own.
    pub connection: Option<String>,
    /// `[nodes]`: the node (from 1) this client connects to directly; `None`:
    /// through the load balancer, or to the one server.
    pub node: Option<usize>,
    pub transport: Transport,
}

impl Client {
    /// The name of the connection its socket travels on: the first client on it.
    pub fn connection_name(&self) -> &str {
        self.connection.as_deref().unwrap_or(&self.name)
    }
}

/// A client's handler for `event` answers the acknowledgement the server asked for.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScriptedAnswer {
    pub event: String,
    /// The handler calls its callback with this value.
    pub value: Value,
    /// After this long (0: at once); longer than the server waits makes a late answer.
    pub after_ms: u64,
}

/// One step of a lesson or a quiz choice.
#[derive(Debug, Clone)]
pub struct Step {
    pub title: String,
    /// Where the step starts in its file, for `check` (1-based; 0 when built in code).
    pub line: usize,
    pub column: usize,
    pub narration: String,
    pub action: Action,
    pub expect: Expectations,
}

/// What a step does, with the fields its operation takes and no others.
#[derive(Debug, Clone)]
pub enum Action {
    /// The actors open a connection to their namespace.
    Connect { actors: Vec<String> },
    /// The actors close their connection: with `socket.disconnect()`, or, with
    /// `close_transport`, as a closed tab does, the transport dropping at once.
    Disconnect {
        actors: Vec<String>,
        close_transport: bool,
    },
    /// The actor asks the server to put it in rooms (joining is server-side only).
    Join { actor: String, rooms: Vec<String> },
    /// The actor asks the server to take it out of rooms.
    Leave { actor: String, rooms: Vec<String> },
    /// The actor asks the server to emit with a selection (`socket.to(..)`, `io.emit`, ...).
    Emit {
        actor: String,
        event: String,
        payload: Option<Value>,
        emit: Emit,
    },
    /// The actor emits an application event; the server's own handler decides what happens.
    Send {
        actor: String,
        event: String,
        payload: Option<Value>,
        /// Format 2: several arguments (then `payload` is `None`).
        args: Option<Vec<Value>>,
        /// Format 2: the one argument is a generated text of this many bytes (then
        /// `payload` and `args` are `None`); see [`generated_text`].
        payload_bytes: Option<usize>,
        /// The actor was offline: it emitted first and connected after, and the event
        /// waited in its client until the namespace accepted it.
        before_connect: bool,
    },
    /// The actor emits an application event with an acknowledgement callback and waits
    /// up to `timeout_ms` for the server's answer.
    Ask {
        actor: String,
        event: String,
        payload: Option<Value>,
        timeout_ms: u64,
    },
    /// The network between the actor's client and the server fails or comes back
    /// (a lesson with `[network]`).
    Fault { actor: String, fault: Fault },
    /// Every node (and the balancer) stops and starts again with this topology,
    /// while no client is connected (a lesson with `[nodes]`).
    Redeploy {
        adapter: Option<AdapterKind>,
        balancer: Option<Balancer>,
    },
}

impl Action {
    pub fn op(&self) -> Op {
        match self {
            Action::Connect { .. } => Op::Connect,
            Action::Disconnect { .. } => Op::Disconnect,
            Action::Join { .. } => Op::Join,
            Action::Leave { .. } => Op::Leave,
            Action::Emit { .. } => Op::Emit,
            Action::Send { .. } => Op::Send,
            Action::Ask { .. } => Op::Ask,
            Action::Fault { fault, .. } => match fault {
                Fault::Cut => Op::Cut,
                Fault::Pause => Op::Pause,
                Fault::Resume => Op::Resume,
            },
            Action::Redeploy { .. } => Op::Redeploy,
        }
    }

    /// Who acts: several clients for a `connect` or `disconnect`, one otherwise.
    pub fn actors(&self) -> &[String] {
        match self {
            Action::Connect { actors } | Action::Disconnect { actors, .. } => actors,
            Action::Join { actor, .. }
            | Action::Leave { actor, .. }
            | Action::Emit { actor, .. }
            | Action::Send { actor, .. }
            | Action::Ask { actor, .. }
            | Action::Fault { actor, .. } => std::slice::from_ref(actor),
            Action::Redeploy { .. } => &[],
        }
    }

    /// The first (for most operations the only) actor; none (`""`) for a redeploy.
    pub fn actor(&self) -> &str {
        self.actors().first().map_or("", String::as_str)
    }

    /// The application event the actor sends or asks the server to emit.
    pub fn event(&self) -> Option<&str> {
        match self {
            Action::Emit { event, .. } | Action::Send { event, .. } | Action::Ask { event, .. } => {
                Some(event)
            }
            _ => None,
        }
    }

    pub fn payload(&self) -> Option<&Value> {
        match self {
            Action::Emit { payload, .. }
            | Action::Send { payload, .. }
            | Action::Ask { payload, .. } => payload.as_ref(),
            _ => None,
        }
    }

    /// The arguments a `send` or `ask` emits: its `args`, its generated text, or its
    /// one `payload` (none without one).
    pub fn arguments(&self) -> Vec<Value> {
        match self {
            Action::Send {
                payload_bytes: Some(n),
                ..
            } => vec![Value::String(generated_text(*n))],
            Action::Send {
                args: Some(args), ..
            } => args.clone(),
            _ => self.payload().into_iter().cloned().collect(),
        }
    }

    /// The rooms a `join` or `leave` names.
    pub fn rooms(&self) -> &[String] {
        match self {
            Action::Join { rooms, .. } | Action::Leave { rooms, .. } => rooms,
            _ => &[],
        }
    }

    /// The selection of an `emit`.
    pub fn emit(&self) -> Option<&Emit> {
        match self {
            Action::Emit { emit, .. } => Some(emit),
            _ => None,
        }
    }
}

/// What a run of the step must show. Validation lets each claim only on the
/// operations it fits (named on each field).
#[derive(Debug, Clone, Default)]
pub struct Expectations {
    /// `emit`, `send`, `ask`: exactly who receives the event.
    pub delivered_to: Option<Vec<String>>,
    /// `connect`: the namespace refuses the actors.
    pub refused: bool,
    /// `connect`: the `connect_error` message each actor gets (implies `refused`).
    pub connect_error: Option<String>,
    /// `send`, `ask`: the server has no handler for the event.
    pub unhandled: bool,
    /// `send` with `before_connect` (format 2): the event arrived before the
    /// connection handler attached any handler for it, and was lost.
    pub unheard: bool,
    /// Any operation: lines the server must log during the step.
    pub log: Option<Vec<String>>,
    /// `ask`, or `emit` with an acknowledgement: the answer that must come back.
    pub answer: Option<Value>,
    /// `ask`, or `emit` with an acknowledgement: the acknowledgement must time out.
    pub timeout: bool,
    /// `emit`: the server must refuse the request.
    pub rejected: bool,
    /// Any operation: the server's connections that carry the actors' sockets after
    /// the step, counted (one person's namespaces share one when multiplexed).
    pub connections: Option<usize>,
    /// `emit` with an acknowledgement: each of these recipients answers with its
    /// value, and every other recipient's wait times out.
    pub acks: Option<std::collections::BTreeMap<String, Value>>,
    /// `send`, `ask`, `disconnect`: the server notes each actor leaving, with this
    /// reason (one a message too large gets, say).
    pub disconnect: Option<String>,
    /// `emit`, `send`, `ask`: how many copies of the step's event each listed client
    /// receives.
    pub copies: Option<std::collections::BTreeMap<String, usize>>,
}

impl Expectations {
    /// Whether a run can contradict nothing here.
    pub fn is_empty(&self) -> bool {
        self.delivered_to.is_none()
            && !self.refused
            && !self.unhandled
            && !self.unheard
            && self.log.is_none()
            && self.answer.is_none()
            && !self.timeout
            && !self.rejected
            && self.connections.is_none()
            && self.copies.is_none()
            && self.acks.is_none()
            && self.disconnect.is_none()
    }
}

/// A quiz question: no answer key, each choice is judged by running it.
#[derive(Debug, Clone)]
pub struct Question {
    pub id: String,
    pub prompt: String,
    pub hint: Option<String>,
    /// Several choices may hold; the learner must pick exactly those.
    pub multiple: bool,
    /// Line and column of its `id`, for `check`.
    pub line: usize,
    pub column: usize,
    /// Steps run before every choice, not judged.
    pub setup: Vec<Step>,
    pub choices: Vec<Choice>,
}

#[derive(Debug, Clone)]
pub struct Choice {
    pub text: String,
    /// The steps this choice runs after the setup, expectations attached.
    pub steps: Vec<Step>,
    pub note: Option<String>,
    /// Format 2: the application this choice runs, when the choice is handler code.
    pub app: Option<crate::app::App>,
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

impl LessonError {
    /// A problem with a whole file or folder, which has no line.
    fn unlocated(file: String, message: String) -> LessonError {
        LessonError {
            file,
            line: 0,
            column: 0,
            message,
        }
    }
}

/// Parses and validates one lesson. `file` is only used in error messages.
pub fn parse(id: &str, file: &str, text: &str) -> Result<Lesson, LessonError> {
    let loc = validate::Locator { file, text };
    let raw: raw::RawLesson = from_toml(&loc)?;
    text::refuse_controls(&loc, text)?;
    validate::lesson(id, &loc, raw)
}

/// A TOML file read into its raw type, a syntax error or unknown field located.
/// Exercises (`crate::exercise`) are read the same way.
pub(crate) fn from_toml<T: serde::de::DeserializeOwned>(
    loc: &validate::Locator,
) -> Result<T, LessonError> {
    toml::from_str(loc.text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let message = e.message().trim().replace('\n', " ");
        let hint = field_suggestion(&message);
        loc.at(offset, message + &hint)
    })
}

/// serde's "unknown field `actr`, expected one of `title`, `actor`, ..." gets the
/// closest expected field named: "; did you mean `actor`?" (an unknown `op`
/// variant too).
fn field_suggestion(message: &str) -> String {
    let Some(rest) = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))
    else {
        return String::new();
    };
    let Some((given, expected)) = rest.split_once("`, expected ") else {
        return String::new();
    };
    let fields = expected.split('`').skip(1).step_by(2);
    crate::suggest::did_you_mean(given, fields)
}

/// What exercises share with lessons: locating errors, clients, TOML values as JSON.
pub(crate) use raw::{to_json, RawClient};
pub(crate) use steps::track_connections;
pub(crate) use text::refuse_controls;
pub(crate) use validate::{clients as check_clients, format_version, Locator};

/// The lesson id of a path: its file name without `.toml`.
pub fn id_of_path(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Reads and validates a lesson file.
pub fn load_file(path: &Path) -> Result<Lesson, LessonError> {
    let shown = path.display().to_string();
    let text =
        read_lesson(path).map_err(|message| LessonError::unlocated(shown.clone(), message))?;
    let text = String::from_utf8(text).map_err(|e| {
        // Located where the valid text ends, as every other lesson error is.
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let valid = std::str::from_utf8(valid).unwrap_or_default();
        let (line, column) = validate::line_column(valid, valid.len());
        LessonError {
            file: shown.clone(),
            line,
            column,
            message: "the file is not UTF-8 text".to_string(),
        }
    })?;
    parse(&id_of_path(path), &shown, &text)
}

/// The most a lesson file may hold. The largest built-in lesson is under 20 KiB.
pub const MAX_LESSON_BYTES: u64 = 1024 * 1024;

/// A lesson file's bytes: a regular file (never a FIFO or a device, which could
/// block or never end) of at most [`MAX_LESSON_BYTES`], read no further than that.
fn read_lesson(path: &Path) -> std::result::Result<Vec<u8>, String> {
    use std::io::Read;
    let cannot = |e: std::io::Error| format!("cannot read the file: {e}");
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if !meta.is_file() {
        return Err("not a regular file (a lesson is a `.toml` file)".to_string());
    }
    let too_big = || format!("the file is over {MAX_LESSON_BYTES} bytes, the most a lesson may be");
    if meta.len() > MAX_LESSON_BYTES {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(cannot)?
        .take(MAX_LESSON_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_LESSON_BYTES {
        return Err(too_big());
    }
    Ok(bytes)
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
    let entries = std::fs::read_dir(dir).map_err(|e| {
        LessonError::unlocated(
            dir.display().to_string(),
            format!("cannot read the lessons folder: {e}"),
        )
    })?;
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths.iter().map(|p| load_file(p)).collect()
}

#[cfg(test)]
pub(crate) mod tests;
