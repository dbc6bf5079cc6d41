//! A scripted, named client: rust_socketio over WebSocket, reporting everything it
//! hears to the trace collector.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::FutureExt;
use rust_socketio::asynchronous::{Client, ClientBuilder};
use rust_socketio::{Event, Payload, TransportType};
use serde_json::Value;
use tokio::sync::oneshot;

use crate::protocol::{Note, Welcome, CONTROL_NS, NOTE, WELCOME};
use crate::trace::{Collector, Observation};

/// A connected lab client.
pub struct LabClient {
    pub name: String,
    pub namespace: String,
    /// The socket id the server gave it (never shown; used for own-id rooms).
    pub sid: String,
    socket: Client,
}

#[derive(Debug)]
pub enum ConnectOutcome {
    Accepted(Box<LabClient>),
    /// The namespace answered `connect_error` with this message.
    Refused(String),
}

impl std::fmt::Debug for LabClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LabClient")
            .field("name", &self.name)
            .field("namespace", &self.namespace)
            .finish()
    }
}

/// Why a client could not take part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientError {
    /// No Socket.IO server answered at the URL.
    Unreachable { url: String, detail: String },
    /// A Socket.IO server answered, but it is not a lab server.
    NotALabServer { url: String, detail: String },
    /// The server accepted the namespace but never sent `lab:welcome`.
    NoWelcome {
        url: String,
        namespace: String,
        timeout_ms: u128,
    },
    /// Neither an accept nor a refusal arrived in time.
    NoConnect {
        url: String,
        namespace: String,
        timeout_ms: u128,
    },
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Unreachable { url, detail } => {
                write!(f, "no Socket.IO server answered at `{url}` ({detail})")
            }
            ClientError::NotALabServer { url, detail } => write!(
                f,
                "the Socket.IO server at `{url}` does not speak the lab protocol (see docs/lab-protocol.md): {detail}"
            ),
            ClientError::NoWelcome { url, namespace, timeout_ms } => write!(
                f,
                "the server at `{url}` accepted namespace `{namespace}` but sent no `{WELCOME}` within {timeout_ms} ms: it does not speak the lab protocol (see docs/lab-protocol.md)"
            ),
            ClientError::NoConnect { url, namespace, timeout_ms } => write!(
                f,
                "the server at `{url}` neither accepted nor refused namespace `{namespace}` within {timeout_ms} ms"
            ),
        }
    }
}

impl std::error::Error for ClientError {}

/// A request's outcome as the client saw it.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Reply(Value),
    /// No acknowledgement within the timeout.
    Silent,
    /// The request could not even be sent.
    SendFailed(String),
}

/// A one-shot answer slot that a callback (called any number of times) fills once.
pub(crate) type Slot<T> = Arc<Mutex<Option<oneshot::Sender<T>>>>;

pub(crate) fn fill<T>(slot: &Slot<T>, value: T) {
    if let Some(tx) = slot.lock().ok().and_then(|mut s| s.take()) {
        let _ = tx.send(value);
    }
}

/// The arguments of an event or an acknowledgement as one JSON value: the single
/// argument itself, or an array when there are several.
pub fn payload_value(payload: Payload) -> Value {
    match payload {
        Payload::Text(mut values) => {
            if values.len() == 1 {
                values.remove(0)
            } else {
                Value::Array(values)
            }
        }
        Payload::Binary(bytes) => Value::String(format!("<{} bytes of binary>", bytes.len())),
        #[allow(deprecated)]
        Payload::String(s) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
    }
}

/// The innermost error of a chain: rust_socketio's own text ("EngineIO Error") says
/// little, the transport's ("Connection refused") says what happened.
fn root_cause(e: &dyn std::error::Error) -> String {
    let mut inner = e;
    while let Some(next) = inner.source() {
        inner = next;
    }
    let text = inner.to_string();
    text.lines().next().unwrap_or_default().to_string()
}

/// Turns rust_socketio's `Received an ConnectError frame: {"message":"..."}` into the message.
fn refusal_reason(text: &str) -> Option<String> {
    let data = text.strip_prefix("Received an ConnectError frame: ")?;
    let parsed: Option<Value> = serde_json::from_str(data).ok();
    Some(match parsed {
        Some(Value::Object(map)) => map
            .get("message")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| data.to_string()),
        Some(Value::String(s)) => s,
        _ => data.to_string(),
    })
}

/// Connects one named client and waits until its namespace accepted it (and the
/// server's handlers are ready) or refused it. Never returns before one of those or
/// the timeout.
pub async fn connect(
    url: &str,
    name: &str,
    namespace: &str,
    auth: &serde_json::Map<String, Value>,
    collector: Collector,
    timeout: Duration,
) -> Result<ConnectOutcome, ClientError> {
    let mut auth = auth.clone();
    auth.insert("name".into(), Value::String(name.to_string()));

    let (tx, rx) = oneshot::channel::<Result<Welcome, String>>();
    let slot: Slot<Result<Welcome, String>> = Arc::new(Mutex::new(Some(tx)));

    let on_welcome = {
        let slot = slot.clone();
        move |payload: Payload, _: Client| {
            let slot = slot.clone();
            async move {
                match serde_json::from_value::<Welcome>(payload_value(payload)) {
                    Ok(welcome) => fill(&slot, Ok(welcome)),
                    Err(e) => fill(&slot, Err(format!("malformed `{WELCOME}`: {e}"))),
                }
            }
            .boxed()
        }
    };
    let on_error = {
        let slot = slot.clone();
        let collector = collector.clone();
        let name = name.to_string();
        move |payload: Payload, _: Client| {
            let slot = slot.clone();
            let collector = collector.clone();
            let name = name.clone();
            async move {
                let text = match payload_value(payload) {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                match refusal_reason(&text) {
                    Some(reason) => fill(&slot, Err(reason)),
                    None => collector.record(Observation::ClientError {
                        client: name,
                        message: text,
                    }),
                }
            }
            .boxed()
        }
    };
    let on_any = {
        let collector = collector.clone();
        let name = name.to_string();
        move |event: Event, payload: Payload, _: Client| {
            let collector = collector.clone();
            let name = name.clone();
            async move {
                let event = String::from(event);
                // Protocol traffic is plumbing, not something a lesson is about.
                if !event.starts_with("lab:") {
                    let payload = payload_value(payload);
                    collector.record(Observation::Received {
                        client: name,
                        event,
                        payload,
                    });
                }
            }
            .boxed()
        }
    };
    let on_close = {
        let collector = collector.clone();
        let name = name.to_string();
        move |_: Payload, _: Client| {
            let collector = collector.clone();
            let name = name.clone();
            async move { collector.record(Observation::DroppedByServer { client: name }) }.boxed()
        }
    };

    let on_note = {
        let collector = collector.clone();
        move |payload: Payload, _: Client| {
            let collector = collector.clone();
            async move {
                let observation = match serde_json::from_value::<Note>(payload_value(payload)) {
                    Ok(Note::Log { text }) => Observation::ServerLog { text },
                    Ok(Note::Connect { name, namespace }) => Observation::ServerConnect {
                        client: name,
                        namespace,
                    },
                    Ok(Note::Refuse {
                        name,
                        namespace,
                        reason,
                    }) => Observation::ServerRefuse {
                        client: name,
                        namespace,
                        reason,
                    },
                    Ok(Note::Disconnect {
                        name,
                        namespace,
                        reason,
                    }) => Observation::ServerDisconnect {
                        client: name,
                        namespace,
                        reason,
                    },
                    Err(e) => Observation::ClientError {
                        client: "lab".into(),
                        message: format!("malformed `{NOTE}` from the server: {e}"),
                    },
                };
                collector.record(observation);
            }
            .boxed()
        }
    };

    let mut builder = ClientBuilder::new(url);
    if namespace == CONTROL_NS {
        builder = builder.on(NOTE, on_note);
    }
    let connecting = builder
        .namespace(namespace)
        .auth(Value::Object(auth))
        .transport_type(TransportType::Websocket)
        .reconnect(false)
        .on(WELCOME, on_welcome)
        .on(Event::Error, on_error)
        .on(Event::Close, on_close)
        .on_any(on_any)
        .connect();
    let socket = match tokio::time::timeout(timeout, connecting).await {
        Ok(Ok(socket)) => socket,
        Ok(Err(e)) => {
            return Err(ClientError::Unreachable {
                url: url.to_string(),
                detail: root_cause(&e),
            })
        }
        Err(_) => {
            return Err(ClientError::Unreachable {
                url: url.to_string(),
                detail: format!("no answer within {} ms", timeout.as_millis()),
            })
        }
    };

    match tokio::time::timeout(timeout, rx).await {
        Ok(Ok(Ok(welcome))) => Ok(ConnectOutcome::Accepted(Box::new(LabClient {
            name: name.to_string(),
            namespace: namespace.to_string(),
            sid: welcome.sid,
            socket,
        }))),
        Ok(Ok(Err(reason))) => {
            // The engine.io connection stays open after a refusal: close it.
            let _ = socket.disconnect().await;
            Ok(ConnectOutcome::Refused(reason))
        }
        Ok(Err(_)) | Err(_) => {
            let _ = socket.disconnect().await;
            Err(ClientError::NoWelcome {
                url: url.to_string(),
                namespace: namespace.to_string(),
                timeout_ms: timeout.as_millis(),
            })
        }
    }
}

impl LabClient {
    /// Emits `event` with `data` and waits for the server's acknowledgement.
    pub async fn request(&self, event: &str, data: Value, timeout: Duration) -> Answer {
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
        if let Err(e) = self
            .socket
            .emit_with_ack(event, data, timeout, callback)
            .await
        {
            return Answer::SendFailed(e.to_string());
        }
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(value)) => Answer::Reply(value),
            _ => Answer::Silent,
        }
    }

    /// Closes the socket the way a browser tab does when it is closed.
    pub async fn disconnect(&self) -> Result<(), String> {
        self.socket.disconnect().await.map_err(|e| e.to_string())
    }
}
