//! Exercises are data, like lessons: TOML files under `exercises/`, embedded in the
//! binary, with a `format_version`, unknown fields refused and every mistake located
//! at file:line:col (the lesson machinery reads them: `lesson::from_toml`,
//! `lesson::check_clients`). An exercise says what the learner's own server must do
//! and how `verify` proves it: named clients that act only as clients would (connect
//! with `auth`, emit, ask with an acknowledgement, disconnect) and what they must
//! observe.

mod validate;

use serde_json::Value;

use crate::lesson::{Client, LessonError, Locator};

pub const FORMAT_VERSION: u32 = 1;

/// The exercises shipped inside the binary, in the order of the reading.
/// `tests/it/verify.rs` checks that every file under `exercises/` is listed here.
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "proof-of-life",
        include_str!("../../exercises/proof-of-life.toml"),
    ),
    ("chat", include_str!("../../exercises/chat.toml")),
    ("broadcast", include_str!("../../exercises/broadcast.toml")),
    ("rooms", include_str!("../../exercises/rooms.toml")),
    ("leave", include_str!("../../exercises/leave.toml")),
    (
        "private-message",
        include_str!("../../exercises/private-message.toml"),
    ),
    (
        "admin-namespace",
        include_str!("../../exercises/admin-namespace.toml"),
    ),
    ("acks", include_str!("../../exercises/acks.toml")),
    ("typing", include_str!("../../exercises/typing.toml")),
];

/// A validated exercise.
#[derive(Debug, Clone)]
pub struct Exercise {
    pub id: String,
    pub title: String,
    /// What the learner's server must do, in plain words.
    pub goal: String,
    /// Shown after a failure, in order.
    pub hints: Vec<String>,
    /// The application events it uses, named as in the reading.
    pub events: Vec<String>,
    /// `--init js`: a `server.js` that runs and does none of the exercise.
    pub starter_js: String,
    /// `--init rust`: a `src/main.rs` for socketioxide 0.18.
    pub starter_rust: String,
    pub clients: Vec<Client>,
    pub steps: Vec<Step>,
}

impl Exercise {
    /// Whether a step judges the server's log, which only a server that `verify`
    /// started (not one at `--url`) gives.
    pub fn reads_log(&self) -> bool {
        self.steps.iter().any(|s| !s.expect.log.is_empty())
    }
}

/// One step: what one or more clients do, and what must be observed.
#[derive(Debug, Clone)]
pub struct Step {
    pub title: String,
    pub action: Action,
    pub expect: Expect,
}

/// What a step does: a lesson's [`Action`], of which an exercise takes only what a
/// client can do (`connect`, `disconnect`, `send`, `ask`); the server is the
/// learner's, and a black box.
pub use crate::lesson::Action;

/// What the clients (and the server's log) must show after the step.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Expect {
    /// Exactly who receives an event, and with which first argument.
    pub receive: Option<Receive>,
    /// `connect`: the namespace answers `connect_error`.
    pub refused: bool,
    /// `ask`: the answer, when a particular one is asked for (any answer otherwise).
    pub answer: Option<Value>,
    /// Lines the server must print during the step (each found within a line).
    pub log: Vec<String>,
}

/// Who must receive `event`; every other connected client must not, within the
/// quiet window. `{id:NAME}` in a payload stands for NAME's socket id.
#[derive(Debug, Clone, PartialEq)]
pub struct Receive {
    pub event: String,
    /// Sorted.
    pub to: Vec<String>,
    pub payload: Option<Value>,
}

/// Parses and validates one exercise. `file` is only used in error messages.
pub fn parse(id: &str, file: &str, text: &str) -> Result<Exercise, LessonError> {
    let loc = Locator { file, text };
    let raw: validate::RawExercise = crate::lesson::from_toml(&loc)?;
    crate::lesson::refuse_controls(&loc, text)?;
    validate::exercise(id, &loc, raw)
}

/// The exercises shipped inside the binary, in the order of the reading.
pub fn embedded() -> Result<Vec<Exercise>, LessonError> {
    EMBEDDED
        .iter()
        .map(|(id, text)| parse(id, &format!("exercises/{id}.toml"), text))
        .collect()
}

/// `{id:NAME}` in a template string: the client it names.
pub fn id_placeholder(text: &str) -> Option<&str> {
    text.strip_prefix("{id:")?.strip_suffix('}')
}

#[cfg(test)]
mod tests;
