//! socketio-lab: guided Socket.IO labs on a real local server with named clients.
//!
//! One trace flows through everything: the server and the clients report to one
//! collector (`trace`); the transcript, `--json`, the quiz, the demo and the tests
//! read "who received what" from that trace and nowhere else.
//!
//! # Layout
//!
//! In the order data flows:
//!
//! - [`lesson`]: lessons are data (TOML, `format_version`, unknown fields refused),
//!   validated into steps, one variant per operation; errors at file:line:col.
//! - [`exercise`]: `verify`'s exercises, data like lessons (and read by the same
//!   machinery): clients that act only as clients, and what they must observe.
//! - [`registry`]: the one list of runnable names: lessons (built in and
//!   `--lessons DIR`) and the measuring labs, with name clashes refused.
//! - [`engine`]: `Lab` drives named clients through steps against a server; a step
//!   ends when its traffic has been observed, never after a fixed delay.
//! - [`server`]: the one lab server (socketioxide on axum), generic over the adapter,
//!   started one way: `server::run(listener, config, shutdown)`.
//! - [`client`]: the one lab client (rust_socketio over WebSocket).
//! - [`netfault`]: a TCP proxy in front of a client's connection, for the steps
//!   that cut, pause and resume it (lessons with `[network]`).
//! - [`protocol`]: the lab protocol both sides speak (`docs/lab-protocol.md`).
//! - [`trace`]: the observations of a run, collected in one place.
//! - [`judge`]: the one answer to "did this step do what it claims".
//! - [`view`] and [`snippet`]: the transcript, and the JS and Rust code of each step;
//!   [`view_json`]: the same records as `--json`; [`layout`]: prose and code
//!   wrapped to the width, in display columns.
//! - [`session`]: a lesson run from first step to verdict (`run`, the menu).
//! - [`predict`]: predict, then see: who the learner expects an emit to reach,
//!   judged from the trace.
//! - [`quiz`] and [`quiz_session`]: questions whose choices are run and judged.
//! - [`check`]: lesson files validated, their steps and questions run.
//! - [`authoring`]: `new NAME`, a commented starter lesson that `check` accepts.
//! - [`export`]: a lesson's server as a Node project (`index.js` as the lesson
//!   prints it, and `lab-probe.js`, which lets the lab watch it) or a Rust one
//!   (`src/main.rs`); [`listing`]: those two files, which the transcript shows
//!   whole and numbers each step's lines by.
//! - [`demo`]: the chat example in plain words, on the same engine and judge.
//! - [`fanout`]: the lab that measures (many clients).
//! - [`topology`]: what a lesson on several nodes runs besides them: a private
//!   redis-server and a real HAProxy, both ended with the lab.
//! - [`serve`]: the lab server alone, with a live log.
//! - [`web`]: the lessons and the demo as a page the lab server serves.
//! - [`verify`]: the learner's own server (a child process group or a URL), judged
//!   by what the exercise's clients observed.
//! - [`progress`] and [`paint`]: quiz scores and runs on disk; colour as a value.
//! - [`path`]: the learner's path (lessons, quizzes, labs, demo) with its progress,
//!   and the one decision of what to do next that every command ends with.
//! - [`highlight`]: code painted by language (syntect), for the terminal and the page.
//! - [`safe`]: text from the network or a file, its control characters escaped.
//! - [`watchdog`]: with `SOCKETIO_LAB_WATCHDOG=SECONDS`, every wait under way is
//!   printed once one lasts longer (a stalled lab says where it waits).
//! - [`suggest`]: "did you mean" for a mistyped lesson, exercise or field name.
//!
//! Library operations return data (`judge::Verdict` or an error); the binary
//! (`src/main.rs`, `src/commands/`) owns the command line, exit codes and terminal.

pub mod app;
pub mod authoring;
pub mod check;
pub mod client;
pub mod demo;
pub mod engine;
pub mod exercise;
pub mod export;
pub mod fanout;
pub mod highlight;
pub mod judge;
pub mod layout;
pub mod lesson;
pub mod listing;
pub mod netfault;
pub mod paint;
pub mod path;
pub mod predict;
pub mod progress;
pub mod protocol;
pub mod quiz;
pub mod quiz_session;
pub mod registry;
pub mod safe;
pub mod serve;
pub mod server;
pub mod session;
pub mod snippet;
pub mod suggest;
pub mod topology;
pub mod trace;
pub mod verify;
pub mod view;
pub mod view_json;
pub mod watchdog;
pub mod web;
