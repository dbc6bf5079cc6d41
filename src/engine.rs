//! The lab engine: starts (or finds) a lab server, drives named clients through a
//! lesson's steps and records what happened. A step ends when its traffic has been
//! observed, never after a fixed delay.
//!
//! The topology is one server, or a lesson's nodes with each client placed on one
//! or behind the balancer (`nodes.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crate::watchdog::watched;
use futures_util::future::join_all;
use serde_json::Value;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::app::App;
use crate::client::{self, Answer, ClientError, ConnectOutcome, LabClient, CONTROL_CLIENT};
use crate::lesson::{Action, Client, Lesson, Network, Step};
use crate::protocol::{
    Emit, EmitRequest, Reply, RoomsRequest, ServerState, StateRequest, APP, CONTROL_NS, EMIT, JOIN,
    LEAVE, MARK, SESSION_AUTH, STATE,
};
use crate::server::EmbeddedServer;
use crate::trace::{
    canonical_order, claimed_deliveries, Collector, Observation, RoomTable, StepRecord,
};

mod callbacks;
mod connect;
mod error;
mod exchange;
mod fault;
mod ids;
mod leave;
mod nodes;
mod rooms;

pub use error::{LabError, LabOptions};
pub use rooms::room_table;
mod send;

use exchange::{request, send_failed, sync_all};

/// The room table, the own-id rooms, the connections and each socket's node (with
/// `[nodes]`) a step's record holds.
type ServerView = (
    RoomTable,
    BTreeMap<String, Vec<String>>,
    Vec<crate::trace::Connection>,
    BTreeMap<String, usize>,
);

pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(2000);

pub struct Lab {
    /// Each node's address; a single server is node 0.
    urls: Vec<String>,
    /// The node each client connects to, by name; node 0 unless placed.
    placement: BTreeMap<String, usize>,
    /// With nodes joined by an adapter, the number of the last settling marker.
    marks: Option<u64>,
    timeout: Duration,
    specs: Vec<Client>,
    client_order: Vec<String>,
    /// Connected lesson clients, by name.
    clients: BTreeMap<String, LabClient>,
    control: LabClient,
    collector: Collector,
    inbox: UnboundedReceiver<Observation>,
    /// This step's observations read so far.
    pending: Vec<Observation>,
    /// The servers this lab started, by node; a stopped node is `None`.
    embedded: Vec<Option<EmbeddedServer>>,
    steps_run: usize,
    /// Clients whose connection the server closed, the control connection included.
    dropped: BTreeSet<String>,
    /// The event of this step's emit, when it asked its recipients to acknowledge.
    asked_ack: Option<String>,
    /// Whether the server runs an application the lesson declared (`declare`).
    declared: bool,
    /// This lab's session, in every socket's `auth.lab`: a server shared by several
    /// labs runs each one's declared application for its own sockets only.
    session: String,
    unmasked: bool,
    /// Whether sockets that are not the lab's stay in the server's account.
    foreign_counted: bool,
    /// The line the declared application logged when it started (`listening`).
    listening: Option<String>,
    /// `[network]`: its timers, and each connection's proxy, by connection name.
    network: Option<crate::lesson::Network>,
    links: BTreeMap<String, crate::netfault::Link>,
    /// `[nodes]`: the control connections to nodes 2 and up, and what runs besides
    /// the servers (Redis, the balancer).
    node_controls: Vec<LabClient>,
    deployed: Option<nodes::Deployed>,
    /// The application declared on every node, again after a redeploy.
    app: Option<App>,
}

impl Lab {
    /// Starts the embedded server (unless a URL is given) and the control connection.
    pub async fn start(clients: &[Client], options: &LabOptions) -> Result<Lab, LabError> {
        Lab::start_networked(clients, None, options).await
    }

    /// `start`, with `[network]`'s timers on the embedded server and a proxy in front
    /// of each client connection. A `--server` keeps its own timers.
    async fn start_networked(
        clients: &[Client],
        network: Option<Network>,
        options: &LabOptions,
    ) -> Result<Lab, LabError> {
        let (url, embedded) = match &options.server_url {
            Some(url) => (url.clone(), None),
            None => {
                let mut config = crate::server::ServerConfig::default();
                if let Some(network) = network {
                    config.timeouts.ping_interval = Duration::from_millis(network.ping_interval_ms);
                    config.timeouts.ping_timeout = Duration::from_millis(network.ping_timeout_ms);
                }
                let start = EmbeddedServer::start_with(config);
                let server = watched(|| "start an embedded server".into(), start)
                    .await
                    .map_err(|e| LabError::Bind(e.into()))?;
                (server.url.clone(), Some(server))
            }
        };
        let nodes = (vec![url], vec![embedded]);
        let mut lab = Lab::open(clients, nodes, BTreeMap::new(), options.timeout).await?;
        lab.unmasked = options.unmasked;
        lab.network = network;
        Ok(lab)
    }

    /// Connects the control socket to node 0; on failure stops what this lab started.
    async fn open(
        clients: &[Client],
        (urls, embedded): (Vec<String>, Vec<Option<EmbeddedServer>>),
        placement: BTreeMap<String, usize>,
        timeout: Duration,
    ) -> Result<Lab, LabError> {
        let (collector, inbox) = Collector::new();
        let url = urls[0].clone();
        let session = ids::new_session();
        let mut session_auth = serde_json::Map::new();
        session_auth.insert(SESSION_AUTH.to_string(), Value::String(session.clone()));
        // With several nodes, node 1's log lines say so, as the others' do.
        let heard = match placement.is_empty() && urls.len() == 1 {
            true => collector.clone(),
            false => collector.for_node(1),
        };
        let control = match control_connection(&url, &session_auth, &heard, timeout).await {
            Ok(control) => control,
            Err(e) => {
                stop_embedded(embedded).await;
                return Err(e);
            }
        };
        Ok(Lab {
            urls,
            placement,
            marks: None,
            timeout,
            client_order: clients.iter().map(|c| c.name.clone()).collect(),
            specs: clients.to_vec(),
            clients: BTreeMap::new(),
            control,
            collector,
            inbox,
            pending: Vec::new(),
            embedded,
            steps_run: 0,
            dropped: BTreeSet::new(),
            asked_ack: None,
            declared: false,
            session,
            unmasked: false,
            listening: None,
            foreign_counted: false,
            network: None,
            links: BTreeMap::new(),
            node_controls: Vec::new(),
            deployed: None,
            app: None,
        })
    }

    /// Another control connection of this lab's session (to another node).
    async fn connect_control(&self, url: &str, node: usize) -> Result<LabClient, LabError> {
        let mut auth = serde_json::Map::new();
        auth.insert(
            SESSION_AUTH.to_string(),
            Value::String(self.session.clone()),
        );
        let heard = self.collector.for_node(node);
        control_connection(url, &auth, &heard, self.timeout).await
    }

    /// Counts the sockets that are not the lab's in what the server says it sent
    /// (the web demo, which shows a visitor's tab and judges around it itself).
    pub(crate) fn count_foreign(&mut self) {
        self.foreign_counted = true;
    }

    /// Keeps an observation for this step. A socket that is not one of the lab's
    /// clients (a learner's own page on `serve`, Node's client) may receive what
    /// the server sends too: it is left out of the server's account, so that it
    /// never enters what the lab waits for or judges.
    fn take_in(&mut self, mut o: Observation) {
        if !self.foreign_counted {
            let names = match &mut o {
                Observation::Answered { reply, .. } => reply.delivered_to.as_mut(),
                Observation::ServerEmitted { delivered_to, .. } => Some(delivered_to),
                _ => None,
            };
            if let Some(names) = names {
                names.retain(|n| self.client_order.contains(n));
            }
        }
        self.pending.push(o);
    }

    /// Starts the lab for a lesson: with its declared server application, if any.
    pub async fn for_lesson(lesson: &Lesson, options: &LabOptions) -> Result<Lab, LabError> {
        Lab::for_lesson_running(lesson, lesson.app.as_ref(), options).await
    }

    /// `for_lesson`, with `app` on its server (or each of its nodes) instead of the
    /// lesson's own (a quiz choice brings its own handler).
    pub async fn for_lesson_running(
        lesson: &Lesson,
        app: Option<&App>,
        options: &LabOptions,
    ) -> Result<Lab, LabError> {
        let Some(nodes) = lesson.nodes else {
            return Lab::with_app(&lesson.clients, app, lesson.network, options).await;
        };
        let mut lab = Lab::start_nodes(&lesson.clients, nodes, options).await?;
        if let Some(app) = app {
            if let Err(e) = lab.declare(app).await {
                lab.finish().await;
                return Err(e);
            }
        }
        Ok(lab)
    }

    /// Starts the lab with these clients and, if given, the application the server
    /// runs (a quiz choice may bring its own).
    pub async fn with_app(
        clients: &[Client],
        app: Option<&App>,
        network: Option<Network>,
        options: &LabOptions,
    ) -> Result<Lab, LabError> {
        let mut lab = Lab::start_networked(clients, network, options).await?;
        if let Some(app) = app {
            if let Err(e) = lab.declare(app).await {
                lab.finish().await;
                return Err(e);
            }
        }
        Ok(lab)
    }

    /// Sends the application the server runs from now on (`lab:app`), before any
    /// lesson client connects.
    pub async fn declare(&mut self, app: &App) -> Result<(), LabError> {
        let data = serde_json::to_value(app).unwrap_or_default();
        // Every node runs it; node 1's startup line is the one shown.
        let mut listening = None;
        for (i, control) in self.controls().enumerate() {
            let reply = self.control_request(control, APP, data.clone()).await?;
            if i == 0 {
                listening = reply.listening;
            }
        }
        self.listening = listening;
        self.declared = true;
        self.app = Some(app.clone());
        Ok(())
    }

    /// A lab request on a control connection that must succeed: its reply, or why
    /// the server cannot do what the lab asks.
    pub(crate) async fn control_request(
        &self,
        control: &LabClient,
        event: &str,
        data: Value,
    ) -> Result<Reply, LabError> {
        let refused = |error: String| LabError::App {
            url: self.urls[0].clone(),
            error,
        };
        match control.request(event, data, self.timeout).await {
            Answer::Reply(value) => match serde_json::from_value::<Reply>(value) {
                Ok(reply) if reply.ok => Ok(reply),
                Ok(reply) => Err(refused(reply.error.unwrap_or_default())),
                Err(e) => Err(refused(format!(
                    "its answer to `{event}` is no reply ({e})"
                ))),
            },
            Answer::Silent => {
                // A server that predates `lab:app` ignores it.
                let hint = if event == APP {
                    " (a server for lesson format 1 only?)"
                } else {
                    ""
                };
                Err(refused(format!(
                    "it did not answer `{event}` within {} ms{hint}",
                    self.timeout_ms()
                )))
            }
            Answer::SendFailed(_) => Err(self.lost(exchange::Lost::Closed)),
        }
    }

    /// The startup line the declared application logged, its port written `PORT`
    /// unless the lab shows it as it is.
    pub fn listening(&self) -> Option<String> {
        let line = self.listening.as_deref()?;
        if self.unmasked {
            return Some(line.to_string());
        }
        Some(ids::mask_port(line, &self.urls[0]))
    }

    pub fn is_embedded(&self) -> bool {
        !self.embedded.is_empty() && self.embedded.iter().all(Option::is_some)
    }

    pub fn url(&self) -> &str {
        &self.urls[0]
    }

    /// Every node's URL, node 1's first.
    pub fn urls(&self) -> &[String] {
        &self.urls
    }

    pub fn node_count(&self) -> usize {
        self.urls.len()
    }

    fn timeout_ms(&self) -> u64 {
        self.timeout.as_millis() as u64
    }

    /// Runs one step and returns its record once every delivery it caused has arrived.
    pub async fn run_step(&mut self, step: &Step) -> Result<StepRecord, LabError> {
        // Every wait inside is bounded; this bound on the whole step is the last
        // line, so that a wait nobody foresaw ends in an error, never in a hang.
        let budget = self.step_budget(step);
        let number = self.steps_run + 1;
        let title: String = step.title.chars().take(60).collect();
        let what = format!("lab {}: step {number} ({title})", self.session);
        let run = async {
            if let Action::Redeploy { adapter, balancer } = &step.action {
                self.redeploy(*adapter, *balancer).await?;
            }
            self.act(&step.action).await;
            self.end_step().await
        };
        match watched(|| what, tokio::time::timeout(budget, run)).await {
            Ok(record) => record,
            Err(_) => Err(LabError::Stalled {
                step: self.steps_run + 1,
                seconds: budget.as_secs(),
            }),
        }
    }

    /// Far more than a step can take when every wait in it runs out: its own waits
    /// (connections, answers, a late scripted answer, the sync barrier, the state
    /// query), each bounded by the timeout, plus a server's declared `wait_ms`.
    fn step_budget(&self, step: &Step) -> Duration {
        let actors = step.action.actors().len() as u32;
        let late = self
            .specs
            .iter()
            .flat_map(|c| c.answers.iter().map(|a| a.after_ms))
            .max()
            .unwrap_or(0);
        let heartbeat = self.network.map_or(0, |n| {
            2 * (n.ping_interval_ms + n.ping_timeout_ms) + n.reconnection_delay_ms
        });
        self.timeout * (8 + 2 * actors)
            + Duration::from_millis(late + heartbeat)
            + Duration::from_millis(crate::app::MAX_WAIT_MS * 2)
    }

    /// Does what the step asks, recording what each client and the server report.
    async fn act(&mut self, action: &Action) {
        match action {
            Action::Connect { actors } => {
                for actor in actors {
                    self.connect(actor).await;
                }
            }
            Action::Disconnect {
                actors,
                close_transport,
            } => {
                for actor in actors {
                    self.disconnect(actor, *close_transport).await;
                }
            }
            Action::Join { actor, rooms } => self.rooms_request(actor, JOIN, rooms).await,
            Action::Leave { actor, rooms } => self.rooms_request(actor, LEAVE, rooms).await,
            Action::Emit {
                actor,
                event,
                payload,
                emit,
            } => {
                // The step's own emit, sent as it is but for own-id rooms, which
                // only exist under the socket's real id.
                let request = EmitRequest {
                    emit: Emit {
                        to: self.resolve_rooms(&emit.to),
                        within: self.resolve_rooms(&emit.within),
                        except: self.resolve_rooms(&emit.except),
                        ..emit.clone()
                    },
                    event: event.clone(),
                    data: payload.clone().unwrap_or(Value::Null),
                };
                let data = serde_json::to_value(request).unwrap_or_default();
                // The server answers only once every acknowledgement is in or timed out.
                let wait = self.timeout + Duration::from_millis(emit.ack_timeout_ms.unwrap_or(0));
                if emit.ack_timeout_ms.is_some() {
                    self.asked_ack = Some(event.clone());
                }
                self.request_within(actor, EMIT, data, wait).await;
            }
            Action::Send {
                actor,
                event,
                before_connect,
                ..
            } if self.declared => {
                let args = action.arguments().into_iter();
                let args = args.map(|a| self.resolve_id(a)).collect();
                if *before_connect {
                    self.connect_emitting(actor, event, args).await;
                } else {
                    self.send(actor, event, args).await;
                }
            }
            Action::Send {
                actor,
                event,
                payload,
                before_connect,
                ..
            } => {
                let data = payload.clone().unwrap_or(Value::Null);
                if *before_connect {
                    self.connect_sending(actor, event, data).await;
                } else {
                    self.request(actor, event, data).await;
                }
            }
            Action::Ask {
                actor,
                event,
                payload,
                timeout_ms,
            } => {
                let wait = Duration::from_millis(*timeout_ms);
                // A declared lesson's client emits what its printed line shows:
                // `emitWithAck("join r1 and r2")` sends no argument, so the handler's
                // first parameter is its callback, as in Node.
                let args = if self.declared {
                    payload.iter().map(|p| self.resolve_id(p.clone())).collect()
                } else {
                    vec![payload.clone().unwrap_or(Value::Null)]
                };
                self.ask(actor, event, args, wait).await;
            }
            Action::Fault { actor, fault } => self.fault(actor, *fault).await,
            // Done before the step's traffic (`run_step`), where its error can end the lab.
            Action::Redeploy { .. } => {}
        }
    }

    /// `lab:join` or `lab:leave`: the server changes the actor's rooms.
    async fn rooms_request(&mut self, actor: &str, event: &str, rooms: &[String]) {
        let rooms = self.resolve_rooms(rooms);
        let data = serde_json::to_value(RoomsRequest { rooms }).unwrap_or_default();
        self.request(actor, event, data).await;
    }

    /// Ends the step that the requests since the last one made: returns its record
    /// once every delivery it caused has arrived.
    pub(crate) async fn end_step(&mut self) -> Result<StepRecord, LabError> {
        self.steps_run += 1;
        // A step is over when every delivery the server says it made has reached its
        // client. The sync barrier covers packets sent in order; this wait also covers
        // those a server may send outside that order (socketioxide's volatile ones).
        self.wait_until(|seen| {
            let claimed = claimed_deliveries(seen).unwrap_or_default();
            claimed.iter().all(|name| {
                seen.iter()
                    .any(|o| matches!(o, Observation::Received { client, .. } if client == name))
            })
        })
        .await;
        self.await_callbacks().await;
        self.await_scripted_answers().await;
        self.forget_dropped().await;
        self.settle().await;
        while let Ok(o) = self.inbox.try_recv() {
            self.take_in(o);
        }
        self.dropped
            .extend(self.pending.iter().filter_map(|o| match o {
                Observation::DroppedByServer { client } => Some(client.clone()),
                _ => None,
            }));
        if let Some(lost) = exchange::lost(&self.pending, &self.dropped) {
            return Err(self.lost(lost));
        }
        let (rooms, own_id_rooms, connections, nodes) = self.rooms().await?;

        while let Ok(o) = self.inbox.try_recv() {
            self.take_in(o);
        }
        let mut observations = std::mem::take(&mut self.pending);
        self.mask_ids(&mut observations);
        // The settling marker is plumbing, like the `lab:` events the clients drop.
        observations.retain(|o| !matches!(o, Observation::Received { event, .. } if event == MARK));
        canonical_order(&mut observations, &self.client_order);
        Ok(StepRecord {
            declared: self.declared,
            index: self.steps_run,
            observations,
            present: self
                .client_order
                .iter()
                .filter(|n| self.clients.contains_key(*n))
                .cloned()
                .collect(),
            rooms,
            own_id_rooms,
            connections,
            nodes,
        })
    }

    /// When the step asked for acknowledgements, waits until every recipient whose
    /// handler the lesson scripted to answer has answered, late ones included, so
    /// that each answer belongs to the step that asked for it.
    async fn await_scripted_answers(&mut self) {
        let Some(event) = self.asked_ack.take() else {
            return;
        };
        let specs = self.specs.clone();
        let scripted = |name: &str| {
            specs
                .iter()
                .find(|c| c.name == name)
                .and_then(|c| c.answers.iter().find(|a| a.event == event))
                .map(|a| a.after_ms)
        };
        let latest = specs.iter().filter_map(|c| scripted(&c.name)).max();
        let tried = |seen: &[Observation], name: &str| {
            seen.iter().any(|o| match o {
                Observation::ClientAcked {
                    client, event: e, ..
                } => client == name && *e == event,
                Observation::ClientError { client, message } => {
                    client == name && message.starts_with(&format!("could not answer `{event}`"))
                }
                _ => false,
            })
        };
        let within = self.timeout + Duration::from_millis(latest.unwrap_or(0));
        self.wait_within(within, |seen| {
            seen.iter().all(|o| match o {
                Observation::Received {
                    client, event: e, ..
                } if *e == event => scripted(client).is_none() || tried(seen, client),
                _ => true,
            })
        })
        .await;
    }

    /// Collects observations until `done` holds for this step's observations so far,
    /// or the timeout passes; says which.
    async fn wait_until(&mut self, done: impl Fn(&[Observation]) -> bool) -> bool {
        self.wait_within(self.timeout, done).await
    }

    async fn wait_within(
        &mut self,
        within: Duration,
        done: impl Fn(&[Observation]) -> bool,
    ) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            while let Ok(o) = self.inbox.try_recv() {
                self.take_in(o);
            }
            if done(&self.pending) {
                return true;
            }
            match tokio::time::timeout_at(deadline, self.inbox.recv()).await {
                Ok(Some(o)) => self.take_in(o),
                Ok(None) | Err(_) => return done(&self.pending),
            }
        }
    }

    /// Sends one lab request from `actor` and records its answer in this step.
    pub(crate) async fn request(&mut self, actor: &str, event: &str, data: Value) {
        self.request_within(actor, event, data, self.timeout).await
    }

    /// An application-level acknowledgement: whatever the server answers is the
    /// observation; no answer within `wait` is one too.
    async fn ask(&mut self, actor: &str, event: &str, args: Vec<Value>, wait: Duration) {
        let Some(client) = self.clients.get(actor) else {
            let data = args.into_iter().next().unwrap_or(Value::Null);
            return self.request(actor, event, data).await;
        };
        let observation = match client.request_args(event, args, wait).await {
            Answer::Reply(value) => match serde_json::from_value::<Reply>(value.clone()) {
                // The lab server's catch-all: no handler exists for the event.
                Ok(reply) if reply.unhandled => Observation::Answered {
                    client: actor.to_string(),
                    event: event.to_string(),
                    reply,
                },
                _ => Observation::AckAnswered {
                    client: actor.to_string(),
                    event: event.to_string(),
                    value,
                },
            },
            Answer::Silent => Observation::AckTimedOut {
                client: actor.to_string(),
                event: event.to_string(),
                timeout_ms: wait.as_millis() as u64,
            },
            Answer::SendFailed(message) => send_failed(actor, event, &message),
        };
        self.collector.record(observation);
    }

    async fn request_within(&mut self, actor: &str, event: &str, data: Value, wait: Duration) {
        let observation = request(self.clients.get(actor), actor, event, data, wait).await;
        self.collector.record(observation);
    }

    /// The barrier: every connection answers a sync. A connection is ordered, so once
    /// a client has its answer, everything the server sent it before has arrived; what
    /// a client has not received by then was never sent to it.
    async fn settle(&mut self) {
        self.await_node_marks().await;
        // A paused connection answers nothing until it is resumed: not asked.
        let paused = |c: &&LabClient| self.is_paused(&c.name);
        let reachable = self.clients.values().filter(|c| !paused(c));
        let everyone = reachable.chain(self.controls());
        for missing in sync_all(everyone, self.timeout).await {
            self.collector.record(missing);
        }
    }

    /// The server's rooms, with socket ids turned into names, and its connections.
    async fn rooms(&mut self) -> Result<ServerView, LabError> {
        if self.deployed.is_some() {
            return self.rooms_of_nodes().await;
        }
        let state = self.state_of(&self.control).await?;
        let (rooms, own) = room_table(&state, &self.specs);
        Ok((
            rooms,
            own,
            connect::connection_table(&state, &self.specs),
            BTreeMap::new(),
        ))
    }

    /// Every node's rooms, each room's members from all nodes together, and the node
    /// (from 1) that holds each lesson socket.
    async fn rooms_of_nodes(&mut self) -> Result<ServerView, LabError> {
        let mut rooms = RoomTable::new();
        let mut own_id_rooms: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut nodes = BTreeMap::new();
        let controls: Vec<&LabClient> = self.controls().collect();
        for (i, control) in controls.into_iter().enumerate() {
            let state = self.state_of(control).await?;
            for socket in state.namespaces.values().flat_map(|ns| &ns.sockets) {
                if self.client_order.contains(&socket.name) {
                    nodes.insert(socket.name.clone(), i + 1);
                }
            }
            let (node_rooms, own) = room_table(&state, &self.specs);
            for (ns, table) in node_rooms {
                let merged = rooms.entry(ns).or_default();
                for (room, members) in table {
                    let all = merged.entry(room).or_default();
                    all.extend(members);
                    all.sort();
                }
            }
            for (ns, names) in own {
                let all = own_id_rooms.entry(ns).or_default();
                all.extend(names);
                all.sort();
            }
        }
        Ok((rooms, own_id_rooms, Vec::new(), nodes))
    }

    /// One server's `lab:state`.
    async fn state_of(&self, control: &LabClient) -> Result<ServerState, LabError> {
        // Every namespace a client of the lesson uses, dynamic ones by their paths.
        let mut namespaces: Vec<String> = self.specs.iter().map(|c| c.namespace.clone()).collect();
        namespaces.sort();
        namespaces.dedup();
        let request = serde_json::to_value(StateRequest { namespaces }).unwrap_or(Value::Null);
        let answer = control.request(STATE, request, self.timeout).await;
        let value = match answer {
            Answer::Reply(v) => v,
            Answer::Silent => {
                return Err(self.lost(exchange::Lost::Unanswered {
                    event: STATE.to_string(),
                    client: CONTROL_CLIENT.to_string(),
                    timeout_ms: self.timeout_ms(),
                }))
            }
            Answer::SendFailed(_) => return Err(self.lost(exchange::Lost::Closed)),
        };
        serde_json::from_value(value).map_err(|e| LabError::BadState(e.to_string()))
    }

    fn lost(&self, lost: exchange::Lost) -> LabError {
        LabError::Lost {
            url: self.urls[0].clone(),
            lost,
        }
    }

    /// Disconnects everyone and stops the embedded server.
    pub async fn finish(self) {
        let what = format!("lab {}: finish", self.session);
        watched(|| what, self.finish_now()).await
    }

    async fn finish_now(mut self) {
        // A paused connection would hold its client's goodbye until the timeout.
        self.links.values().for_each(crate::netfault::Link::resume);
        let clients = std::mem::take(&mut self.clients);
        // Bounded: a client stuck on a dead or busy connection must not hold the lab
        // open (one hung quiz run was seen on a loaded machine); the server's stop
        // closes whatever is left.
        let everyone = join_all(clients.values().map(|c| c.disconnect()));
        let _ = tokio::time::timeout(self.timeout, everyone).await;
        let _ = tokio::time::timeout(self.timeout, self.control.disconnect()).await;
        for control in std::mem::take(&mut self.node_controls) {
            let _ = tokio::time::timeout(self.timeout, control.disconnect()).await;
        }
        stop_embedded(std::mem::take(&mut self.embedded)).await;
        self.links.clear();
        // The balancer and a Redis the lab started end with it.
        self.deployed = None;
    }
}

/// The lab's control connection to the server at `url`.
async fn control_connection(
    url: &str,
    session_auth: &serde_json::Map<String, Value>,
    collector: &Collector,
    timeout: Duration,
) -> Result<LabClient, LabError> {
    let control = client::connect(
        url,
        CONTROL_CLIENT,
        CONTROL_NS,
        session_auth,
        collector.clone(),
        timeout,
    );
    match control.await {
        Ok(ConnectOutcome::Accepted(control)) => Ok(*control),
        Ok(ConnectOutcome::Refused(reason)) => Err(LabError::Control(ClientError::NotALabServer {
            url: url.to_string(),
            detail: format!("its namespace `{CONTROL_NS}` refused the lab ({reason})"),
        })),
        Err(e) => Err(LabError::Control(e)),
    }
}

async fn stop_embedded(embedded: Vec<Option<EmbeddedServer>>) {
    join_all(embedded.into_iter().flatten().map(EmbeddedServer::stop)).await;
}
