//! A request: an emit with an acknowledgement, and its answer awaited.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::FutureExt;
use rust_socketio::asynchronous::Client;
use rust_socketio::Payload;
use serde_json::Value;
use tokio::sync::oneshot;

use super::{fill, payload_value, Answer, Slot};

/// Emits `event` with an acknowledgement request; the answer comes on the receiver.
pub(super) async fn send_request(
    socket: &Client,
    event: &str,
    data: Payload,
    timeout: Duration,
) -> Result<oneshot::Receiver<Value>, String> {
    let (tx, rx) = oneshot::channel::<Value>();
    let slot: Slot<Value> = Arc::new(Mutex::new(Some(tx)));
    let callback = move |payload: Payload, _: Client| {
        let slot = slot.clone();
        // rust_socketio hands an acknowledgement's arguments over as one JSON array.
        let value = match payload_value(payload) {
            Value::Array(mut args) if args.len() == 1 => args.remove(0),
            Value::Array(args) => Value::Array(args),
            other => other,
        };
        async move { fill(&slot, value) }.boxed()
    };
    socket
        .emit_with_ack(event, data, timeout, callback)
        .await
        .map(|()| rx)
        .map_err(|e| e.to_string())
}

pub(super) async fn await_answer(rx: oneshot::Receiver<Value>, timeout: Duration) -> Answer {
    match tokio::time::timeout(timeout, rx).await {
        Ok(Ok(value)) => Answer::Reply(value),
        _ => Answer::Silent,
    }
}
