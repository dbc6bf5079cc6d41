//! socketio-lab: guided Socket.IO labs on a real local server with named clients.
//!
//! One trace flows through everything: the server and the clients report to one
//! collector (`trace`), and the transcript, `--json` and the tests read that trace.

pub mod check;
pub mod client;
pub mod demo;
pub mod engine;
pub mod fanout;
pub mod judge;
pub mod lesson;
pub mod paint;
pub mod progress;
pub mod protocol;
pub mod quiz;
pub mod quiz_session;
pub mod registry;
pub mod scaling;
pub mod serve;
pub mod server;
pub mod session;
pub mod snippet;
pub mod trace;
pub mod view;
