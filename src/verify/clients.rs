//! The exercise's clients against the learner's server: each step's actions, then
//! its observations, collected into the same `StepRecord` the lessons use. A step
//! ends as soon as every expected delivery, answer and log line has been observed;
//! only a claim of absence ("nobody else got it") waits, for the quiet window.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::Instant;

use crate::client::{Answer, ClientOptions, ConnectOutcome, Hearing, LabClient, Speaks};
use crate::exercise::{id_placeholder, Action, Exercise, Step};
use crate::trace::{canonical_order, Collector, Observation, RoomTable, StepRecord};

use super::child::LogPipes;

/// One HTTP request the server answers without keeping anything: engine.io refuses
/// an unknown session id (`400`); a server on another path answers `404`. Either
/// way the answer comes from its event loop.
async fn round_trip(url: &str) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Some(host) = url
        .strip_prefix("http://")
        .map(|rest| rest.split('/').next().unwrap_or(rest).to_string())
    else {
        return;
    };
    let Ok(mut stream) = tokio::net::TcpStream::connect(&host).await else {
        return;
    };
    let request = format!(
        "GET /socket.io/?EIO=4&transport=polling&sid=socketio-lab-step-end HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).await.is_err() {
        return;
    }
    // The status line is enough: the answer was written after the step's work.
    let mut answer = [0u8; 64];
    let _ = stream.read(&mut answer).await;
}

pub struct Clients<'a> {
    url: String,
    exercise: &'a Exercise,
    order: Vec<String>,
    connected: BTreeMap<String, LabClient>,
    /// Socket ids by client name, kept after a disconnect so that a payload naming
    /// one still reads `{id:NAME}`.
    sids: BTreeMap<String, String>,
    collector: Collector,
    inbox: UnboundedReceiver<Observation>,
    timeout: Duration,
    quiet: Duration,
    steps_run: usize,
    /// The server's log pipes, when verify started the server.
    log: Option<LogPipes>,
}

impl<'a> Clients<'a> {
    pub fn new(
        url: String,
        exercise: &'a Exercise,
        (collector, inbox): (Collector, UnboundedReceiver<Observation>),
        timeout: Duration,
        quiet: Duration,
    ) -> Clients<'a> {
        Clients {
            url,
            exercise,
            order: exercise.clients.iter().map(|c| c.name.clone()).collect(),
            connected: BTreeMap::new(),
            sids: BTreeMap::new(),
            collector,
            inbox,
            timeout,
            quiet,
            steps_run: 0,
            log: None,
        }
    }

    /// Read the server's log to its last line at the end of every step.
    pub fn with_log(mut self, log: Option<LogPipes>) -> Self {
        self.log = log;
        self
    }

    /// What arrived outside any step (the server's first lines), oldest first.
    pub fn drain(&mut self) -> Vec<Observation> {
        let mut seen = Vec::new();
        while let Ok(o) = self.inbox.try_recv() {
            seen.push(o);
        }
        seen
    }

    /// Runs one step and returns what was observed.
    pub async fn run_step(&mut self, step: &Step) -> StepRecord {
        self.steps_run += 1;
        let mut seen = self.drain();
        self.act(&step.action).await;
        let deadline = Instant::now() + self.timeout;
        while !self.complete(step, &seen) {
            match tokio::time::timeout_at(deadline, self.inbox.recv()).await {
                Ok(Some(o)) => seen.push(o),
                _ => break,
            }
        }
        if self.claims_absence(step) {
            // The window counts only time the lab could watch: a timer that fires
            // late means this process was not running (a loaded machine), and what
            // was on its way meanwhile gets a window of its own again (at most 3).
            for _ in 0..3 {
                let quiet_end = Instant::now() + self.quiet;
                while let Ok(Some(o)) = tokio::time::timeout_at(quiet_end, self.inbox.recv()).await
                {
                    seen.push(o);
                }
                if Instant::now().duration_since(quiet_end) < self.quiet / 4 {
                    break;
                }
            }
        }
        self.settle().await;
        seen.extend(self.drain());
        for o in &mut seen {
            if let Observation::Received { payload, .. }
            | Observation::AckAnswered { value: payload, .. } = o
            {
                *payload = self.with_ids_named(payload.clone());
            }
        }
        canonical_order(&mut seen, &self.order);
        StepRecord {
            declared: false,
            index: self.steps_run,
            observations: seen,
            present: self.present(),
            rooms: RoomTable::new(),
            own_id_rooms: BTreeMap::new(),
            connections: Vec::new(),
            nodes: Default::default(),
        }
    }

    /// The step's end: every line the server printed during it is collected. One HTTP
    /// round trip first (a polling request for a session that does not exist, which
    /// any Socket.IO server answers at once with an error and no state) proves that
    /// the server's event loop went past whatever it did for the step, so a line it
    /// printed just after sending the step's last packet is written too; then both
    /// pipes are read to their last byte. The round trip is bounded by the quiet
    /// window: a server that does not answer it only loses that guarantee.
    async fn settle(&mut self) {
        let Some(log) = self.log.clone() else {
            return;
        };
        let limit = self.quiet.max(Duration::from_millis(100));
        let _ = tokio::time::timeout(limit, round_trip(&self.url)).await;
        let _ = tokio::task::spawn_blocking(move || log.catch_up()).await;
    }

    /// Connected clients, in the exercise's order.
    pub fn present(&self) -> Vec<String> {
        self.order
            .iter()
            .filter(|n| self.connected.contains_key(*n))
            .cloned()
            .collect()
    }

    /// Whether the step expects some connected socket to receive nothing.
    pub fn claims_absence(&self, step: &Step) -> bool {
        step.expect
            .receive
            .as_ref()
            .is_some_and(|r| self.present().iter().any(|n| !r.to.contains(n)))
    }

    /// Every expected delivery, answer and log line is in `seen`.
    fn complete(&self, step: &Step, seen: &[Observation]) -> bool {
        let delivered = step.expect.receive.as_ref().is_none_or(|r| {
            r.to.iter().all(|name| {
                seen.iter().any(|o| matches!(o, Observation::Received { client, event, .. } if client == name && *event == r.event))
            })
        });
        let logged = step.expect.log.iter().all(|line| {
            seen.iter().any(
                |o| matches!(o, Observation::ServerLog { text, .. } if text.contains(line.as_str())),
            )
        });
        delivered && logged
    }

    async fn act(&mut self, action: &Action) {
        match action {
            Action::Connect { actors } | Action::Disconnect { actors, .. } => {
                let connecting = matches!(action, Action::Connect { .. });
                for actor in actors {
                    match self.connected.remove(actor) {
                        None if connecting => self.connect(actor).await,
                        Some(client) if !connecting => {
                            let _ = client.disconnect().await;
                            let client = actor.clone();
                            self.record(Observation::Closed { client });
                        }
                        _ => {}
                    }
                }
            }
            Action::Send { .. } | Action::Ask { .. } => self.send(action).await,
            // Server-side operations: an exercise's validation refuses them.
            Action::Join { .. } | Action::Leave { .. } | Action::Emit { .. } => {}
            // An exercise has no `[network]`: its validation refuses faults.
            Action::Fault { .. } | Action::Redeploy { .. } => {}
        }
    }

    /// `send`: an emit; `ask`: an emit whose acknowledgement is awaited.
    async fn send(&mut self, action: &Action) {
        let (actor, event) = (action.actor(), action.event().unwrap_or_default());
        let data = action.payload().map(|p| self.with_ids(p.clone()));
        let Some(socket) = self.connected.get(actor) else {
            return;
        };
        let (client, event_name) = (actor.to_string(), event.to_string());
        let observation = match action {
            Action::Ask { timeout_ms, .. } => {
                let wait = Duration::from_millis(*timeout_ms);
                // No payload: no argument, so the handler's first parameter is its
                // callback, as a page's `socket.emitWithAck(event)` makes it.
                match socket
                    .request_args(event, data.into_iter().collect(), wait)
                    .await
                {
                    Answer::Reply(value) => Observation::AckAnswered {
                        client,
                        event: event_name,
                        value,
                    },
                    Answer::Silent => Observation::Unanswered {
                        client,
                        event: event_name,
                        timeout_ms: *timeout_ms,
                    },
                    Answer::SendFailed(message) => Observation::ClientError { client, message },
                }
            }
            _ => match socket.emit(event, data).await {
                Ok(()) => return,
                Err(message) => Observation::ClientError { client, message },
            },
        };
        self.record(observation);
    }

    async fn connect(&mut self, name: &str) {
        let Some(spec) = self.exercise.clients.iter().find(|c| c.name == name) else {
            return;
        };
        let options = ClientOptions {
            namespace: spec.namespace.clone(),
            auth: spec.auth.clone(),
            speaks: Speaks::Plain,
            ..ClientOptions::new(
                &self.url,
                name,
                self.timeout,
                Hearing::Trace(self.collector.clone()),
            )
        };
        let client = name.to_string();
        match options.connect().await {
            Ok(ConnectOutcome::Accepted(socket)) => {
                self.sids.insert(client.clone(), socket.sid());
                self.connected.insert(client.clone(), *socket);
                self.record(Observation::Connected { client });
            }
            Ok(ConnectOutcome::Refused(reason)) => {
                self.record(Observation::Refused { client, reason })
            }
            Err(e) => self.record(Observation::ClientError {
                client,
                message: e.to_string(),
            }),
        }
    }

    fn record(&self, o: Observation) {
        self.collector.record(o);
    }

    /// `{id:NAME}` strings replaced by NAME's socket id, to send.
    fn with_ids(&self, value: Value) -> Value {
        map_strings(value, &|s| {
            id_placeholder(s)
                .and_then(|name| self.sids.get(name))
                .cloned()
        })
    }

    /// Socket ids replaced by `{id:NAME}`: what was received, readable and the same
    /// from run to run.
    fn with_ids_named(&self, value: Value) -> Value {
        map_strings(value, &|s| {
            self.sids
                .iter()
                .find(|(_, sid)| *sid == s)
                .map(|(name, _)| format!("{{id:{name}}}"))
        })
    }
}

/// `value` with every string that `f` maps replaced.
fn map_strings(value: Value, f: &dyn Fn(&str) -> Option<String>) -> Value {
    match value {
        Value::String(s) => Value::String(f(&s).unwrap_or(s)),
        Value::Array(items) => items.into_iter().map(|v| map_strings(v, f)).collect(),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, map_strings(v, f)))
                .collect(),
        ),
        other => other,
    }
}
