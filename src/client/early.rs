//! An event a client emits before it connects: its library keeps it until the
//! namespace accepts the socket, then sends it (`ClientOptions::connect_via`).

use std::time::Duration;

use rust_socketio::asynchronous::Client;
use rust_socketio::Payload;
use serde_json::Value;

/// What a client emits before it connects.
#[derive(Debug, Clone)]
pub struct Early {
    pub event: String,
    /// With `ack`, the request's one argument; without, the event's arguments as
    /// an array.
    pub data: Value,
    pub timeout: Duration,
    /// A lab request that waits for its acknowledgement (format 1), or a plain
    /// application event (format 2).
    pub ack: bool,
}

/// Emits `early` with no acknowledgement: its arguments are the items of its data.
pub(super) async fn emit_early(socket: &Client, early: &Early) -> Result<(), String> {
    let args = match &early.data {
        Value::Array(args) => args.clone(),
        other => vec![other.clone()],
    };
    socket
        .emit(early.event.as_str(), Payload::Text(args))
        .await
        .map_err(|e| e.to_string())
}
