//! The lesson file as serde reads it: flat tables with their source spans. A step
//! stays one flat struct with every field optional because `toml::Spanned` does not
//! work inside an internally tagged enum (toml-rs/toml#535); `validate.rs` turns it
//! into the typed [`super::Action`] and refuses the fields an operation does not take.
//! (serde reads a missing `Option` field as `None`; only other types say `default`.)

use serde::Deserialize;
use toml::Spanned;

use super::Op;
use crate::protocol::EmitFrom;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLesson {
    pub format_version: Spanned<u32>,
    pub title: String,
    pub summary: String,
    pub intro: String,
    #[serde(default)]
    pub clients: Vec<RawClient>,
    #[serde(default)]
    pub steps: Vec<Spanned<RawStep>>,
    #[serde(default)]
    pub questions: Vec<RawQuestion>,
    /// Format 2: the server application both servers run.
    pub server: Option<Spanned<crate::app::App>>,
    /// Clients behind proxies that steps can cut, pause and resume; shortened timers.
    pub network: Option<Spanned<super::Network>>,
    /// Several nodes, their adapter and their load balancer.
    pub nodes: Option<Spanned<super::Nodes>>,
}

/// A quiz question. Its choices are judged by running them, never by a key: a
/// choice holds when its run meets every expectation its steps carry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawQuestion {
    pub id: Spanned<String>,
    pub prompt: String,
    /// Several choices may hold; the learner must pick exactly those.
    #[serde(default)]
    pub multiple: bool,
    pub hint: Option<String>,
    /// Steps run before every choice, not judged.
    #[serde(default)]
    pub setup: Vec<Spanned<RawStep>>,
    /// Steps shared by every choice (for "what happens when ..." questions).
    #[serde(default)]
    pub steps: Vec<Spanned<RawStep>>,
    /// Who the last step's event must reach, for every choice without its own `expect`.
    pub target: Option<Spanned<Vec<String>>>,
    pub choices: Spanned<Vec<RawChoice>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawChoice {
    pub text: String,
    #[serde(default)]
    pub steps: Vec<Spanned<RawStep>>,
    /// This choice's prediction of who the last step's event reaches.
    pub expect: Option<Spanned<Vec<String>>>,
    /// Shown after the answer, right or wrong.
    pub note: Option<String>,
    /// Format 2: this choice is handler code, run in place of the lesson's own.
    pub handler: Option<Spanned<RawChoiceHandler>>,
}

/// A choice's handler: the event's handler in `namespace` (default `/`) for this
/// choice's run.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawChoiceHandler {
    pub namespace: Option<String>,
    pub event: String,
    #[serde(default)]
    pub args: Vec<String>,
    #[serde(rename = "do")]
    pub ops: Vec<crate::app::Op>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawClient {
    pub name: Spanned<String>,
    pub namespace: Option<Spanned<String>>,
    pub auth: Option<toml::Table>,
    #[serde(default)]
    pub answers: Vec<Spanned<RawAnswer>>,
    /// An earlier client whose connection this client's socket shares.
    pub connection: Option<Spanned<String>>,
    /// `[nodes]`: the node (from 1) it connects to, past the balancer.
    pub node: Option<Spanned<usize>>,
    pub transport: Option<super::Transport>,
}

/// `[[clients.answers]]`: the client answers the server's acknowledgement for `event`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAnswer {
    pub event: String,
    pub value: toml::Value,
    #[serde(default)]
    pub after_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStep {
    #[serde(default)]
    pub title: String,
    pub op: Op,
    pub actor: Option<Spanned<String>>,
    pub actors: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub narration: String,
    pub event: Option<Spanned<String>>,
    pub payload: Option<toml::Value>,
    /// `send` in format 2: several arguments instead of one `payload`.
    pub args: Option<Vec<toml::Value>>,
    /// `send` in format 2: a generated text of this many bytes as the one argument,
    /// instead of `payload` (to show the server's message size limit).
    pub payload_bytes: Option<Spanned<u64>>,
    pub rooms: Option<Spanned<Vec<String>>>,
    pub from: Option<EmitFrom>,
    #[serde(default)]
    pub broadcast: bool,
    pub to: Option<Spanned<Vec<String>>>,
    #[serde(rename = "in")]
    pub within: Option<Spanned<Vec<String>>>,
    pub except: Option<Spanned<Vec<String>>>,
    pub of: Option<Spanned<String>>,
    pub expect: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub expect_refused: bool,
    /// `connect`: the namespace answers `connect_error` with this message (`Invalid
    /// namespace` for one the server never declared).
    pub expect_connect_error: Option<Spanned<String>>,
    #[serde(default)]
    pub expect_unhandled: bool,
    /// `send` with `before_connect` (format 2): the event arrives before the
    /// server's connection handler has attached any handler for it, and is lost.
    #[serde(default)]
    pub expect_unheard: bool,
    pub expect_log: Option<Vec<String>>,
    /// `emit` only: ask every recipient for an acknowledgement.
    #[serde(default)]
    pub ack: bool,
    /// `emit` only: the `volatile` flag.
    #[serde(default)]
    pub volatile: bool,
    /// Milliseconds to wait for an acknowledgement (`ask`, or `emit` with `ack`).
    pub timeout: Option<Spanned<u64>>,
    /// `ask` only: the answer the server's acknowledgement must carry.
    pub expect_answer: Option<toml::Value>,
    /// The acknowledgement must time out (`ask`: the client's; `emit`: the server's).
    #[serde(default)]
    pub expect_timeout: bool,
    /// The server must refuse the request (for example a reserved event name).
    #[serde(default)]
    pub expect_rejected: bool,
    /// `disconnect` only: the page closes, so the connection drops with no
    /// Socket.IO disconnect first (the server sees `transport close`).
    #[serde(default)]
    pub close_transport: bool,
    /// `send` only: the offline actor emits first and connects after.
    #[serde(default)]
    pub before_connect: bool,
    /// The server disconnects the actors during the step, giving this reason.
    pub expect_disconnect: Option<String>,
    /// How many of the server's connections carry the actors' sockets after the step.
    pub expect_connections: Option<Spanned<u64>>,
    /// `emit` with `ack`: who answers what; every other recipient's wait times out.
    pub expect_acks: Option<Spanned<toml::Table>>,
    /// How many copies of the step's event each listed client receives (a handler
    /// that emits twice sends two).
    pub expect_copies: Option<Spanned<toml::Table>>,
    /// `redeploy` only: the adapter and the balancer from now on.
    pub adapter: Option<super::AdapterKind>,
    pub balancer: Option<super::Balancer>,
}

impl RawStep {
    /// Whether any field of `emit`'s selection or flags is given.
    pub fn selects(&self) -> bool {
        self.from.is_some()
            || self.ack
            || self.volatile
            || self.broadcast
            || self.to.is_some()
            || self.within.is_some()
            || self.except.is_some()
            || self.of.is_some()
    }
}

pub(crate) fn to_json(value: &toml::Value) -> serde_json::Value {
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
