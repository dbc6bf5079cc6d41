//! The lab's one client: a scripted, named rust_socketio client over WebSocket. The
//! only place a `ClientBuilder` is made. A lesson's clients report everything they
//! hear to the trace collector; the fan-out swarm's clients only note when the
//! measured event arrives (`Hearing`).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use rust_socketio::asynchronous::{Client, ClientBuilder};
use rust_socketio::{Event, Payload, TransportType};
use serde_json::Value;
use tokio::sync::oneshot;

use crate::lesson::ScriptedAnswer;

mod early;
mod note;
mod request;
use crate::protocol::{Welcome, CONTROL_NS, MAIN_NS, NOTE, WELCOME};
use crate::trace::{Collector, Observation};
use early::emit_early;
pub use early::Early;
use note::note_observation;
use request::{await_answer, send_request};

/// A connected lab client.
pub struct LabClient {
    pub name: String,
    pub namespace: String,
    /// The socket id the server gave it (never shown; used for own-id rooms): a new
    /// one after each automatic reconnection.
    sid: Arc<Mutex<String>>,
    /// Set once the lab closes this client (or its namespace refused it): the
    /// transport's errors while it closes are part of that close, not traffic.
    closing: Arc<std::sync::atomic::AtomicBool>,
    socket: Client,
    /// How long any one send may take: the client library's own sends are not
    /// bounded, and a lab must never wait on one for ever.
    timeout: Duration,
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
/// The name the lab's own control connection goes by in the trace.
pub const CONTROL_CLIENT: &str = "lab";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// No Socket.IO server answered at the URL.
    #[error("no Socket.IO server answered at `{url}` ({detail})")]
    Unreachable { url: String, detail: String },
    /// A Socket.IO server answered, but it is not a lab server.
    #[error("the Socket.IO server at `{url}` does not speak the lab protocol (see docs/lab-protocol.md): {detail}")]
    NotALabServer { url: String, detail: String },
    /// The server accepted the namespace but never sent `lab:welcome`.
    #[error("the server at `{url}` accepted namespace `{namespace}` but sent no `{WELCOME}` within {timeout_ms} ms: it does not speak the lab protocol (see docs/lab-protocol.md)")]
    NoWelcome {
        url: String,
        namespace: String,
        timeout_ms: u128,
    },
    /// Neither an accept nor a refusal arrived in time.
    #[error("the server at `{url}` neither accepted nor refused namespace `{namespace}` within {timeout_ms} ms")]
    NoConnect {
        url: String,
        namespace: String,
        timeout_ms: u128,
    },
}

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

/// An engine.io server's refusal of an HTTP request, as the vendored rust_engineio
/// words it (`the server answered HTTP 400: Session ID unknown`): the server's own
/// message. A polling request that a load balancer sent to a node without the
/// session gets it; socket.io-client reports it as a `connect_error` too.
fn http_refusal(text: &str) -> Option<String> {
    let (_, rest) = text.split_once("the server answered HTTP ")?;
    let (_, message) = rest.split_once(": ")?;
    Some(message.trim_end_matches(')').to_string())
}

/// What a connected client does with what it hears.
#[derive(Clone)]
pub enum Hearing {
    /// Every event (the protocol's `lab:` plumbing aside), error and drop becomes an
    /// `Observation` on the trace; on the control namespace, so do the server's notes.
    Trace(Collector),
    /// Only `event` is listened to: its payload goes to `hook` with the instant it
    /// arrived. No trace and no catch-all handler, so a swarm of thousands stays
    /// cheap (the fan-out lab's clock).
    Only { event: &'static str, hook: Hook },
    /// Nothing is listened to: the client only sends requests and reads their answers.
    Nothing,
}

/// Called on the client's own task for each event it listens to: keep it short.
pub type Hook = Arc<dyn Fn(Value, Instant) + Send + Sync>;

/// What the server at the URL speaks, which decides when a client counts as accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Speaks {
    /// The lab protocol: accepted once `lab:welcome` arrives (the handlers are ready).
    Lab,
    /// Plain Socket.IO (a learner's own server, `verify`): accepted on the
    /// namespace's CONNECT answer, which carries the socket id.
    Plain,
}

/// One client to connect: where, as whom, and what it does with what it hears.
/// The transport is WebSocket unless a lesson client asks for polling. A dropped client reconnects by itself only in
/// a lesson about drops (`reconnect`): elsewhere a lab shows what happened, it does
/// not paper over it.
#[derive(Clone)]
pub struct ClientOptions {
    pub url: String,
    /// Sent as `auth.name`: the server reports the socket by it.
    pub name: String,
    pub namespace: String,
    /// More `auth` fields (`name` is added).
    pub auth: serde_json::Map<String, Value>,
    /// For the handshake, and again for `lab:welcome` (or a refusal).
    pub timeout: Duration,
    pub hearing: Hearing,
    /// How its handlers answer the server's acknowledgement requests (traced clients).
    pub answers: Vec<ScriptedAnswer>,
    pub speaks: Speaks,
    /// A dropped connection comes back by itself after this delay (a lesson with
    /// `[network]`, as socket.io-client's `reconnectionDelay`); `None`: never.
    pub reconnect: Option<Duration>,
    /// WebSocket, or HTTP long-polling never upgraded (a lesson client's `transport`).
    pub transport: crate::lesson::Transport,
}

/// A welcome (the namespace accepted the client) or a refusal's reason.
type Greeting = Result<Welcome, String>;

impl ClientOptions {
    /// A client of the main namespace with no `auth` besides its name.
    pub fn new(url: &str, name: &str, timeout: Duration, hearing: Hearing) -> ClientOptions {
        ClientOptions {
            url: url.to_string(),
            name: name.to_string(),
            namespace: MAIN_NS.to_string(),
            auth: serde_json::Map::new(),
            timeout,
            hearing,
            answers: Vec::new(),
            speaks: Speaks::Lab,
            reconnect: None,
            transport: crate::lesson::Transport::Websocket,
        }
    }

    /// Connects and waits until the namespace accepted the client (`lab:welcome`: the
    /// server's handlers are ready) or refused it. Never returns before one of those
    /// or the timeout.
    pub async fn connect(&self) -> Result<ConnectOutcome, ClientError> {
        Ok(self.connect_via(None, None).await?.0)
    }

    /// `connect`, with the socket over the connection of `over` (another namespace's
    /// socket of the same person: one engine.io connection, as a page's `io("/")` and
    /// `io("/admin")` share one) and, with `early`, a request emitted before anything
    /// is sent. The request waits in the client (the vendored rust_socketio's buffer)
    /// until the namespace accepts the socket; its answer comes with the outcome.
    pub async fn connect_via(
        &self,
        over: Option<&LabClient>,
        early: Option<&Early>,
    ) -> Result<(ConnectOutcome, Option<Answer>), ClientError> {
        let what = || format!("{}: connect to {}", self.name, self.namespace);
        crate::watchdog::watched(what, self.open(over, early)).await
    }

    async fn open(
        &self,
        over: Option<&LabClient>,
        early: Option<&Early>,
    ) -> Result<(ConnectOutcome, Option<Answer>), ClientError> {
        let (greeting, greeted) = oneshot::channel::<Greeting>();
        let sid = Arc::new(Mutex::new(String::new()));
        let closing = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let builder = self.builder(Arc::new(Mutex::new(Some(greeting))), &sid, &closing);
        let built = async {
            let socket = match over {
                Some(over) => builder.build_shared(&over.socket)?,
                None => builder.build().await?,
            };
            let asked = match early {
                Some(e) if e.ack => {
                    let rx = send_request(
                        &socket,
                        &e.event,
                        Payload::Text(vec![e.data.clone()]),
                        e.timeout,
                    )
                    .await;
                    Some(rx.map(Some))
                }
                Some(e) => Some(emit_early(&socket, e).await.map(|()| None)),
                None => None,
            };
            socket.open().await?;
            Ok::<_, rust_socketio::Error>((socket, asked))
        };
        let (socket, asked) = match tokio::time::timeout(self.timeout, built).await {
            Ok(Ok(built)) => built,
            Ok(Err(e)) => {
                let cause = root_cause(&e);
                if let Some(reason) = http_refusal(&cause) {
                    return Ok((ConnectOutcome::Refused(reason), None));
                }
                return Err(self.unreachable(cause));
            }
            Err(_) => {
                let waited = format!("no answer within {} ms", self.timeout.as_millis());
                return Err(self.unreachable(waited));
            }
        };
        let outcome = self.greeted(socket, greeted, sid, closing).await?;
        let answer = match (asked, &outcome, early) {
            (Some(Ok(Some(rx))), ConnectOutcome::Accepted(_), Some(e)) => {
                Some(await_answer(rx, e.timeout).await)
            }
            // A plain emit asks for no answer: sent is all there is to say.
            (Some(Ok(None)), ConnectOutcome::Accepted(_), _) => Some(Answer::Silent),
            (Some(Err(message)), _, _) => Some(Answer::SendFailed(message)),
            (Some(_), _, _) => Some(Answer::Silent),
            (None, _, _) => None,
        };
        Ok((outcome, answer))
    }

    /// Waits for the namespace's welcome (or its CONNECT answer) or refusal.
    async fn greeted(
        &self,
        socket: Client,
        greeted: oneshot::Receiver<Greeting>,
        sid: Arc<Mutex<String>>,
        closing: Arc<std::sync::atomic::AtomicBool>,
    ) -> Result<ConnectOutcome, ClientError> {
        match tokio::time::timeout(self.timeout, greeted).await {
            Ok(Ok(Ok(welcome))) => {
                if let Ok(mut sid) = sid.lock() {
                    *sid = welcome.sid;
                }
                Ok(ConnectOutcome::Accepted(Box::new(LabClient {
                    name: self.name.clone(),
                    namespace: self.namespace.clone(),
                    sid,
                    closing,
                    socket,
                    timeout: self.timeout,
                })))
            }
            Ok(Ok(Err(reason))) => {
                // The namespace leaves the connection, which closes unless another
                // namespace's socket is still on it.
                let _ = socket.disconnect().await;
                Ok(ConnectOutcome::Refused(reason))
            }
            Ok(Err(_)) | Err(_) if self.speaks == Speaks::Plain => {
                let _ = socket.disconnect().await;
                Err(ClientError::NoConnect {
                    url: self.url.clone(),
                    namespace: self.namespace.clone(),
                    timeout_ms: self.timeout.as_millis(),
                })
            }
            Ok(Err(_)) | Err(_) => {
                let _ = socket.disconnect().await;
                Err(ClientError::NoWelcome {
                    url: self.url.clone(),
                    namespace: self.namespace.clone(),
                    timeout_ms: self.timeout.as_millis(),
                })
            }
        }
    }

    fn unreachable(&self, detail: String) -> ClientError {
        ClientError::Unreachable {
            url: self.url.clone(),
            detail,
        }
    }

    /// The one rust_socketio `ClientBuilder` of the lab.
    fn builder(
        &self,
        greeting: Slot<Greeting>,
        sid: &Arc<Mutex<String>>,
        closing: &Arc<std::sync::atomic::AtomicBool>,
    ) -> ClientBuilder {
        let mut auth = self.auth.clone();
        auth.insert("name".into(), Value::String(self.name.clone()));
        let collector = match &self.hearing {
            // A client that reconnects reports each drop's transport errors (a ping
            // timeout, a refused attempt) through the library's error callback:
            // part of the drop, which the trace shows as the connection closing.
            Hearing::Trace(_) if self.reconnect.is_some() => None,
            Hearing::Trace(collector) => Some(collector.clone()),
            _ => None,
        };
        let builder = ClientBuilder::new(self.url.as_str())
            .namespace(self.namespace.as_str())
            .auth(Value::Object(auth))
            .transport_type(match self.transport {
                crate::lesson::Transport::Websocket => TransportType::Websocket,
                crate::lesson::Transport::Polling => TransportType::Polling,
            });
        let builder = match self.reconnect {
            // Connection errors and drops only: a server's kick is final, as in
            // socket.io-client.
            Some(delay) => {
                let ms = delay.as_millis() as u64;
                builder.reconnect(true).reconnect_delay(ms, ms)
            }
            None => builder.reconnect(false),
        };
        let builder = builder.on(
            Event::Error,
            on_error(greeting.clone(), collector, &self.name, closing.clone()),
        );
        let builder = match self.speaks {
            Speaks::Lab => builder.on(WELCOME, on_welcome(greeting, sid.clone(), self.again())),
            Speaks::Plain => builder.on(Event::Connect, on_connect(greeting, self)),
        };
        match &self.hearing {
            Hearing::Trace(collector) => self.traced(builder, collector, closing),
            Hearing::Only { event, hook } => builder.on(*event, on_only(hook.clone())),
            Hearing::Nothing => builder,
        }
    }

    /// Everything the client hears goes to the trace.
    fn traced(
        &self,
        builder: ClientBuilder,
        collector: &Collector,
        closing: &Arc<std::sync::atomic::AtomicBool>,
    ) -> ClientBuilder {
        // A control connection the lab let go (its node is redeployed) ends as its
        // server stops: that end is the lab's doing, not a lost server.
        let closing = (self.namespace == CONTROL_NS).then(|| closing.clone());
        let builder = if self.namespace == CONTROL_NS {
            builder.on(NOTE, on_note(collector.clone()))
        } else {
            builder
        };
        let answers = Arc::new(self.answers.clone());
        builder
            .on(
                Event::Close,
                on_close(collector.clone(), &self.name, closing),
            )
            .on_any_with_ack(on_any(collector.clone(), &self.name, answers))
    }
}

/// Connects one named client that reports to the trace; see [`ClientOptions::connect`].
pub async fn connect(
    url: &str,
    name: &str,
    namespace: &str,
    auth: &serde_json::Map<String, Value>,
    collector: Collector,
    timeout: Duration,
) -> Result<ConnectOutcome, ClientError> {
    ClientOptions {
        namespace: namespace.to_string(),
        auth: auth.clone(),
        ..ClientOptions::new(url, name, timeout, Hearing::Trace(collector))
    }
    .connect()
    .await
}

/// What rust_socketio calls a handler with; the returned future runs on its task.
type Handler = Box<dyn FnMut(Payload, Client) -> BoxFuture<'static, ()> + Send + Sync>;

/// A plain server's CONNECT answer (`{"sid": ...}`) stands for the lab's welcome.
fn on_connect(greeting: Slot<Greeting>, options: &ClientOptions) -> Handler {
    let (name, namespace) = (options.name.clone(), options.namespace.clone());
    Box::new(move |payload, _| {
        let sid = payload_value(payload)
            .get("sid")
            .and_then(Value::as_str)
            .map(str::to_string);
        let welcome = sid
            .map(|sid| Welcome {
                sid,
                name: name.clone(),
                namespace: namespace.clone(),
            })
            .ok_or_else(|| "the namespace's CONNECT answer carries no `sid`".to_string());
        fill(&greeting, welcome);
        async {}.boxed()
    })
}

/// Who to tell when a reconnected client is welcomed again: the trace, as this name.
type Again = Option<(Collector, String)>;

impl ClientOptions {
    fn again(&self) -> Again {
        match (&self.hearing, self.reconnect) {
            (Hearing::Trace(collector), Some(_)) => Some((collector.clone(), self.name.clone())),
            _ => None,
        }
    }
}

/// The first welcome answers `connect`; a later one is an automatic reconnection,
/// with a new socket id, and the trace hears of it.
fn on_welcome(greeting: Slot<Greeting>, sid: Arc<Mutex<String>>, again: Again) -> Handler {
    Box::new(move |payload, _| {
        let welcome = serde_json::from_value::<Welcome>(payload_value(payload));
        let first = greeting.lock().map(|g| g.is_some()).unwrap_or(false);
        if let (false, Ok(welcome), Some((collector, name))) = (first, &welcome, &again) {
            if let Ok(mut sid) = sid.lock() {
                *sid = welcome.sid.clone();
            }
            collector.record(Observation::Connected {
                client: name.clone(),
            });
        }
        fill(
            &greeting,
            welcome.map_err(|e| format!("malformed `{WELCOME}`: {e}")),
        );
        async {}.boxed()
    })
}

/// A `connect_error` is the namespace's refusal; any other error goes to the trace,
/// if there is one. After a refusal, or once the lab closes the client, the
/// transport's errors while it closes are part of that close, not the lesson's
/// traffic: they are not recorded (with TCP_NODELAY they race the close).
fn on_error(
    greeting: Slot<Greeting>,
    collector: Option<Collector>,
    name: &str,
    closing: Arc<std::sync::atomic::AtomicBool>,
) -> Handler {
    let name = name.to_string();
    Box::new(move |payload, _| {
        let text = match payload_value(payload) {
            Value::String(s) => s,
            other => other.to_string(),
        };
        let pending = greeting.lock().map(|g| g.is_some()).unwrap_or(false);
        let refused_http = http_refusal(&text).filter(|_| pending);
        let reason = refusal_reason(&text).or(refused_http);
        if reason.is_some() {
            closing.store(true, std::sync::atomic::Ordering::Relaxed);
        } else if closing.load(std::sync::atomic::Ordering::Relaxed) {
            return async {}.boxed();
        }
        match (reason, &collector) {
            (Some(reason), _) => fill(&greeting, Err(reason)),
            (None, Some(collector)) => collector.record(Observation::ClientError {
                client: name.clone(),
                message: text,
            }),
            (None, None) => {}
        }
        async {}.boxed()
    })
}

/// Records every application event; answers the server's acknowledgement where the
/// lesson scripted an answer, as a JavaScript handler calls its callback.
fn on_any(
    collector: Collector,
    name: &str,
    answers: Arc<Vec<ScriptedAnswer>>,
) -> impl FnMut(Event, Payload, Client, Option<i32>) -> BoxFuture<'static, ()> + Send + Sync {
    let name = name.to_string();
    move |event, payload, client, ack_id| {
        let event = String::from(event);
        // Protocol traffic is plumbing, not something a lesson is about.
        if event.starts_with("lab:") {
            return async {}.boxed();
        }
        let arguments = match &payload {
            Payload::Text(values) => values.len(),
            _ => 1,
        };
        collector.record(Observation::Received {
            client: name.clone(),
            event: event.clone(),
            payload: payload_value(payload),
            arguments,
        });
        let scripted = answers.iter().find(|a| a.event == event).cloned();
        let (Some(id), Some(answer)) = (ack_id, scripted) else {
            return async {}.boxed();
        };
        let (collector, name) = (collector.clone(), name.clone());
        // On a task of its own: a late answer must not hold up what the client hears
        // meanwhile.
        tokio::spawn(async move {
            // The lesson's scripted delay (a slow handler), not a wait for anything.
            tokio::time::sleep(Duration::from_millis(answer.after_ms)).await;
            let sent = client.ack(id, vec![answer.value.clone()]).await;
            collector.record(match sent {
                Ok(()) => Observation::ClientAcked {
                    client: name,
                    event,
                    value: answer.value,
                    after_ms: answer.after_ms,
                },
                Err(e) => Observation::ClientError {
                    client: name,
                    message: format!("could not answer `{event}`: {e}"),
                },
            });
        });
        async {}.boxed()
    }
}

fn on_close(
    collector: Collector,
    name: &str,
    let_go: Option<Arc<std::sync::atomic::AtomicBool>>,
) -> Handler {
    let name = name.to_string();
    Box::new(move |_, _| {
        if let_go
            .as_ref()
            .is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed))
        {
            return async {}.boxed();
        }
        collector.record(Observation::DroppedByServer {
            client: name.clone(),
        });
        async {}.boxed()
    })
}

fn on_note(collector: Collector) -> Handler {
    Box::new(move |payload, _| {
        collector.record(note_observation(payload_value(payload)));
        async {}.boxed()
    })
}

fn on_only(hook: Hook) -> Handler {
    Box::new(move |payload, _| {
        // The clock is read first: the payload's decoding is not part of the delivery.
        let at = Instant::now();
        hook(payload_value(payload), at);
        async {}.boxed()
    })
}

impl LabClient {
    /// The socket id the server gave it on its latest connection.
    pub fn sid(&self) -> String {
        self.sid.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Emits `event` with `data` and waits for the server's acknowledgement.
    pub async fn request(&self, event: &str, data: Value, timeout: Duration) -> Answer {
        self.request_args(event, vec![data], timeout).await
    }

    /// Emits `event` with these arguments (none, one or several) and an
    /// acknowledgement, and waits for the answer: `socket.emitWithAck(event, ...args)`.
    pub async fn request_args(&self, event: &str, args: Vec<Value>, timeout: Duration) -> Answer {
        let what = || format!("{}: request `{}`", self.name, crate::safe::capped(event));
        crate::watchdog::watched(what, async {
            // Bounded as a whole: the library's own send is not.
            let sent = send_request(&self.socket, event, Payload::Text(args), timeout);
            match tokio::time::timeout(timeout, sent).await {
                Ok(Ok(rx)) => await_answer(rx, timeout).await,
                Ok(Err(message)) => Answer::SendFailed(message),
                Err(_) => Answer::Silent,
            }
        })
        .await
    }

    /// Emits an application event with no acknowledgement: no argument for `None`.
    pub async fn emit(&self, event: &str, data: Option<Value>) -> Result<(), String> {
        let data = match data {
            Some(value) => Payload::Text(vec![value]),
            None => Payload::Text(Vec::new()),
        };
        self.bounded(self.socket.emit(event, data)).await
    }

    /// Emits an application event with these arguments and no acknowledgement.
    pub async fn emit_args(&self, event: &str, args: Vec<Value>) -> Result<(), String> {
        self.bounded(self.socket.emit(event, Payload::Text(args)))
            .await
    }

    /// The tab closes: the transport drops with no Socket.IO disconnect first.
    pub async fn close_transport(&self) -> Result<(), String> {
        self.closing
            .store(true, std::sync::atomic::Ordering::Relaxed);
        self.bounded(self.socket.close_transport()).await
    }

    /// `socket.disconnect()`: the client leaves its namespace, then closes.
    pub async fn disconnect(&self) -> Result<(), String> {
        self.closing
            .store(true, std::sync::atomic::Ordering::Relaxed);
        self.bounded(self.socket.disconnect()).await
    }

    /// One operation of the client library, within the client's timeout.
    async fn bounded(
        &self,
        operation: impl std::future::Future<Output = Result<(), rust_socketio::Error>>,
    ) -> Result<(), String> {
        match tokio::time::timeout(self.timeout, operation).await {
            Ok(done) => done.map_err(|e| e.to_string()),
            Err(_) => Err(format!(
                "the client library did not finish within {} ms",
                self.timeout.as_millis()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_one_line_naming_the_protocol_event() {
        let e = ClientError::NoWelcome {
            url: "http://127.0.0.1:1".into(),
            namespace: "/".into(),
            timeout_ms: 5,
        }
        .to_string();
        assert!(e.contains("sent no `lab:welcome` within 5 ms"), "{e}");
        assert!(!e.contains('\n'));
    }

    #[test]
    fn a_connect_error_frame_is_read_as_the_refusal_reason() {
        let frame = r#"Received an ConnectError frame: {"message":"not allowed"}"#;
        assert_eq!(refusal_reason(frame).as_deref(), Some("not allowed"));
        assert_eq!(refusal_reason("EngineIO Error"), None);
    }
}
