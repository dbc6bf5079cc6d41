//! `socketio-lab run fanout`: what one broadcast costs as the number of sockets grows.
//! Many lightweight clients connect to the embedded lab server; each one notes the
//! instant an emit reaches it, so every number shown is measured, none simulated.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use futures_util::FutureExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rust_socketio::asynchronous::{Client, ClientBuilder};
use rust_socketio::{Event, Payload, TransportType};
use serde_json::{json, Value};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::sync::oneshot;

use crate::client::{self, fill, Answer, ConnectOutcome, LabClient, Slot};
use crate::judge::Verdict;
use crate::paint::Paint;
use crate::protocol::{EmitFrom, EmitRequest, Reply, RoomsRequest, EMIT, JOIN, MAIN_NS, SYNC};
use crate::protocol::{Welcome, WELCOME};
use crate::server::EmbeddedServer;
use crate::trace::Collector;

pub const DEFAULT_CLIENTS: usize = 1000;
/// The sizes measured, as far as `--clients` goes (and `--clients` itself).
pub const SIZES: [usize; 4] = [10, 100, 1000, 5000];
/// Members of the fixed-size room emitted to beside `io.emit`.
pub const ROOM_SIZE: usize = 10;
/// Clients connecting at the same time. A handshake on loopback waits ~40 ms, mostly
/// idle, so this bound, not the CPU, sets the connect rate.
pub const IN_FLIGHT: usize = 256;
/// Broadcasts per size and target.
pub const REPEATS: usize = 5;
/// How long one connection, one answer or one broadcast may take.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// The event the measured broadcasts carry (their payload is a sequence number).
pub const TICK: &str = "fanout:tick";
pub const ROOM: &str = "fanout-room";
/// Open files the process needs besides its clients.
const FILES_BESIDES: u64 = 128;

/// What `run fanout` measures against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FanoutOptions {
    pub clients: usize,
    /// A lab server to measure instead of the embedded one.
    pub server_url: Option<String>,
}

#[derive(Debug)]
pub enum FanoutError {
    /// `--clients 0`.
    NoClients,
    /// The open-file limit could not be read.
    Nofile(std::io::Error),
    /// More clients than the open-file limit allows.
    TooMany {
        clients: usize,
        per_client: u64,
        needed: u64,
        limit: u64,
    },
    Bind(std::io::Error),
    Connect {
        name: String,
        detail: String,
    },
    Request {
        name: String,
        event: String,
        detail: String,
    },
    Incomplete {
        what: String,
        got: usize,
        expected: usize,
        timeout_ms: u128,
    },
    Strays {
        count: usize,
    },
}

impl std::fmt::Display for FanoutError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FanoutError::TooMany { clients, per_client, needed, limit } => write!(
                f,
                "`--clients {clients}` needs about {needed} open files ({}) but `RLIMIT_NOFILE` allows {limit}: use `--clients {}` or fewer, or raise the hard limit",
                if *per_client == 2 { "client and server end of each connection" } else { "one per client" },
                max_clients(*limit, *per_client)
            ),
            FanoutError::NoClients => write!(f, "`--clients` must be at least 1"),
            FanoutError::Nofile(e) => write!(f, "cannot read `RLIMIT_NOFILE`: {e}"),
            FanoutError::Bind(e) => write!(f, "cannot start the lab server on 127.0.0.1: {e}"),
            FanoutError::Connect { name, detail } => write!(f, "`{name}` could not connect: {detail}"),
            FanoutError::Request { name, event, detail } => {
                write!(f, "`{name}` got no good answer to `{event}`: {detail}")
            }
            FanoutError::Incomplete { what, got, expected, timeout_ms } => write!(
                f,
                "{what}: only {got} of {expected} clients had it within {timeout_ms} ms"
            ),
            FanoutError::Strays { count } => write!(
                f,
                "{count} deliveries reached clients outside their emit's selection"
            ),
        }
    }
}

impl std::error::Error for FanoutError {}

/// The sizes to measure for `--clients N`.
pub fn sizes(clients: usize) -> Vec<usize> {
    let mut sizes: Vec<usize> = SIZES.iter().copied().filter(|&s| s < clients).collect();
    if clients > 0 {
        sizes.push(clients);
    }
    sizes
}

/// Open files `clients` connections need in this process: `per_client` is 2 with the
/// embedded server (both ends of each connection live here), 1 with another server.
pub fn files_needed(clients: usize, per_client: u64) -> u64 {
    per_client * clients as u64 + FILES_BESIDES
}

pub fn max_clients(limit: u64, per_client: u64) -> u64 {
    limit.saturating_sub(FILES_BESIDES) / per_client.max(1)
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit; returns the limit now in force.
// `rlim_t` is `u64` on Linux but not on every target.
#[allow(clippy::unnecessary_cast)]
pub fn raise_nofile() -> std::io::Result<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit for the duration of the call.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    if limit.rlim_cur < limit.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: limit.rlim_max,
            rlim_max: limit.rlim_max,
        };
        // SAFETY: `raised` is a valid rlimit; the call only reads it.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            limit.rlim_cur = limit.rlim_max;
        }
    }
    Ok(limit.rlim_cur as u64)
}

pub fn check_nofile(clients: usize, per_client: u64, limit: u64) -> Result<(), FanoutError> {
    let needed = files_needed(clients, per_client);
    if needed > limit {
        return Err(FanoutError::TooMany {
            clients,
            per_client,
            needed,
            limit,
        });
    }
    Ok(())
}

/// One client noticed one broadcast.
#[derive(Debug, Clone, Copy)]
struct Receipt {
    client: usize,
    seq: u64,
    at: Instant,
}

/// A measuring client: no trace, only the instant each broadcast reached it.
struct FanClient {
    name: String,
    socket: Client,
}

fn fan_name(index: usize) -> String {
    format!("fan-{index:05}")
}

async fn connect_fan(
    url: &str,
    index: usize,
    receipts: UnboundedSender<Receipt>,
    timeout: Duration,
) -> Result<FanClient, FanoutError> {
    let name = fan_name(index);
    let (tx, rx) = oneshot::channel::<Result<(), String>>();
    let slot: Slot<Result<(), String>> = Arc::new(Mutex::new(Some(tx)));
    let on_welcome = {
        let slot = slot.clone();
        move |payload: Payload, _: Client| {
            let welcome = serde_json::from_value::<Welcome>(client::payload_value(payload));
            fill(&slot, welcome.map(|_| ()).map_err(|e| e.to_string()));
            async {}.boxed()
        }
    };
    let on_error = {
        let slot = slot.clone();
        move |payload: Payload, _: Client| {
            fill(&slot, Err(client::payload_value(payload).to_string()));
            async {}.boxed()
        }
    };
    let on_tick = move |payload: Payload, _: Client| {
        let at = Instant::now();
        if let Some(seq) = client::payload_value(payload).as_u64() {
            let _ = receipts.send(Receipt {
                client: index,
                seq,
                at,
            });
        }
        async {}.boxed()
    };
    let connecting = ClientBuilder::new(url)
        .namespace(MAIN_NS)
        .auth(json!({ "name": name }))
        .transport_type(TransportType::Websocket)
        .reconnect(false)
        .on(WELCOME, on_welcome)
        .on(TICK, on_tick)
        .on(Event::Error, on_error)
        .connect();
    let failed = |detail: String| FanoutError::Connect {
        name: name.clone(),
        detail,
    };
    let socket = match tokio::time::timeout(timeout, connecting).await {
        Ok(Ok(socket)) => socket,
        Ok(Err(e)) => return Err(failed(e.to_string())),
        Err(_) => {
            return Err(failed(format!(
                "no answer within {} ms",
                timeout.as_millis()
            )))
        }
    };
    match tokio::time::timeout(timeout, rx).await {
        Ok(Ok(Ok(()))) => Ok(FanClient { name, socket }),
        Ok(Ok(Err(detail))) => {
            let _ = socket.disconnect().await;
            Err(failed(detail))
        }
        _ => {
            let _ = socket.disconnect().await;
            Err(failed(format!(
                "no `{WELCOME}` within {} ms",
                timeout.as_millis()
            )))
        }
    }
}

impl FanClient {
    async fn request(
        &self,
        event: &str,
        data: Value,
        timeout: Duration,
    ) -> Result<(), FanoutError> {
        let (tx, rx) = oneshot::channel::<Value>();
        let slot: Slot<Value> = Arc::new(Mutex::new(Some(tx)));
        let callback = move |payload: Payload, _: Client| {
            fill(&slot, client::payload_value(payload));
            async {}.boxed()
        };
        let failed = |detail: String| FanoutError::Request {
            name: self.name.clone(),
            event: event.to_string(),
            detail,
        };
        self.socket
            .emit_with_ack(event, data, timeout, callback)
            .await
            .map_err(|e| failed(e.to_string()))?;
        let value = match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(value)) => value,
            _ => {
                return Err(failed(format!(
                    "no answer within {} ms",
                    timeout.as_millis()
                )))
            }
        };
        let value = match value {
            Value::Array(mut args) if args.len() == 1 => args.remove(0),
            other => other,
        };
        match serde_json::from_value::<Reply>(value.clone()) {
            Ok(reply) if reply.ok => Ok(()),
            _ => Err(failed(value.to_string())),
        }
    }
}

/// Who a measured broadcast goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `io.emit`: every socket of the namespace.
    Everyone,
    /// `io.to(ROOM).emit`: the room's members only.
    Room,
}

/// One broadcast as the clients saw it.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// From the request leaving the sender to the last recipient noticing it.
    pub all: Duration,
    /// Per recipient, from the request leaving the sender to its receipt.
    pub latencies: Vec<Duration>,
    /// The names the server said it emitted to (the sender included for `io.emit`).
    pub delivered_to: usize,
}

/// Many measuring clients and one sender, on one lab server.
pub struct Swarm {
    url: String,
    timeout: Duration,
    sender: LabClient,
    clients: Vec<FanClient>,
    room: usize,
    receipts: UnboundedReceiver<Receipt>,
    receipts_tx: UnboundedSender<Receipt>,
    seq: u64,
    /// Deliveries seen outside their broadcast's selection, or twice.
    strays: usize,
}

impl Swarm {
    /// Connects the sender, a lab client named `sender`, to the server at `url`.
    pub async fn new(url: &str, timeout: Duration) -> Result<Swarm, FanoutError> {
        // The sender's own trace is not read: the measuring clients keep the times.
        let (collector, _) = Collector::new();
        let sender = match client::connect(
            url,
            "sender",
            MAIN_NS,
            &Default::default(),
            collector,
            timeout,
        )
        .await
        {
            Ok(ConnectOutcome::Accepted(c)) => *c,
            Ok(ConnectOutcome::Refused(reason)) => {
                return Err(FanoutError::Connect {
                    name: "sender".into(),
                    detail: reason,
                })
            }
            Err(e) => {
                return Err(FanoutError::Connect {
                    name: "sender".into(),
                    detail: e.to_string(),
                })
            }
        };
        let (receipts_tx, receipts) = unbounded_channel();
        Ok(Swarm {
            url: url.to_string(),
            timeout,
            sender,
            clients: Vec::new(),
            room: 0,
            receipts,
            receipts_tx,
            seq: 0,
            strays: 0,
        })
    }

    pub fn len(&self) -> usize {
        self.clients.len()
    }

    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }

    /// Connects clients until there are `n`, `in_flight` at a time.
    pub async fn grow_to(
        &mut self,
        n: usize,
        in_flight: usize,
        progress: &ProgressBar,
    ) -> Result<Duration, FanoutError> {
        let started = Instant::now();
        let from = self.clients.len();
        let url = self.url.clone();
        let timeout = self.timeout;
        let tx = self.receipts_tx.clone();
        let mut connecting = stream::iter(from..n)
            .map(|i| connect_fan(&url, i, tx.clone(), timeout))
            .buffered(in_flight.max(1));
        while let Some(client) = connecting.next().await {
            self.clients.push(client?);
            progress.inc(1);
        }
        Ok(started.elapsed())
    }

    /// The first `size` clients join the room (once; later calls keep it as it is).
    pub async fn fill_room(&mut self, size: usize) -> Result<(), FanoutError> {
        let size = size.min(self.clients.len());
        let data = serde_json::to_value(RoomsRequest {
            rooms: vec![ROOM.to_string()],
        })
        .unwrap_or_default();
        let timeout = self.timeout;
        let joins = self.clients[self.room..size]
            .iter()
            .map(|c| c.request(JOIN, data.clone(), timeout));
        for joined in futures_util::future::join_all(joins).await {
            joined?;
        }
        self.room = self.room.max(size);
        Ok(())
    }

    pub fn room_size(&self) -> usize {
        self.room
    }

    /// One broadcast from the sender, measured until every recipient noticed it.
    pub async fn broadcast(&mut self, target: Target) -> Result<Delivery, FanoutError> {
        self.seq += 1;
        let seq = self.seq;
        let (expected, to) = match target {
            Target::Everyone => (self.clients.len(), vec![]),
            Target::Room => (self.room, vec![ROOM.to_string()]),
        };
        let request = EmitRequest {
            from: EmitFrom::Io,
            to,
            event: TICK.to_string(),
            data: json!(seq),
            ..EmitRequest::default()
        };
        let data = serde_json::to_value(request).unwrap_or_default();
        let started = Instant::now();
        let answer = self.sender.request(EMIT, data, self.timeout).await;
        let failed = |detail: String| FanoutError::Request {
            name: "sender".into(),
            event: EMIT.into(),
            detail,
        };
        let reply = match answer {
            Answer::Reply(v) => serde_json::from_value::<Reply>(v.clone())
                .ok()
                .filter(|r| r.ok)
                .ok_or_else(|| failed(v.to_string()))?,
            Answer::Silent => {
                return Err(failed(format!(
                    "no answer within {} ms",
                    self.timeout.as_millis()
                )))
            }
            Answer::SendFailed(e) => return Err(failed(e)),
        };
        let deadline = tokio::time::Instant::from_std(started + self.timeout);
        let mut seen = vec![false; self.clients.len()];
        let mut latencies = Vec::with_capacity(expected);
        while latencies.len() < expected {
            match tokio::time::timeout_at(deadline, self.receipts.recv()).await {
                Ok(Some(r)) => {
                    let member = target == Target::Everyone || r.client < self.room;
                    if r.seq != seq || !member || seen[r.client] {
                        self.strays += 1;
                        continue;
                    }
                    seen[r.client] = true;
                    latencies.push(r.at.saturating_duration_since(started));
                }
                Ok(None) | Err(_) => {
                    return Err(FanoutError::Incomplete {
                        what: format!("broadcast {seq}"),
                        got: latencies.len(),
                        expected,
                        timeout_ms: self.timeout.as_millis(),
                    })
                }
            }
        }
        let all = latencies.iter().copied().max().unwrap_or_default();
        latencies.sort();
        Ok(Delivery {
            all,
            latencies,
            delivered_to: reply.delivered_to.map(|d| d.len()).unwrap_or_default(),
        })
    }

    /// The lab's barrier on every client: once each has answered `lab:sync`, whatever
    /// the server sent it earlier has arrived. Returns the deliveries that went
    /// outside their broadcast's selection (or arrived twice) so far.
    pub async fn settle(&mut self) -> Result<usize, FanoutError> {
        let timeout = self.timeout;
        let mut syncs = stream::iter(self.clients.iter())
            .map(|c| c.request(SYNC, Value::Null, timeout))
            .buffer_unordered(256);
        while let Some(synced) = syncs.next().await {
            synced?;
        }
        drop(syncs);
        while let Ok(r) = self.receipts.try_recv() {
            let _ = r;
            self.strays += 1;
        }
        Ok(self.strays)
    }

    /// Disconnects every client (`in_flight` at a time) and the sender.
    pub async fn close(self) {
        let clients = self.clients;
        stream::iter(clients.iter())
            .map(|c| c.socket.disconnect())
            .buffer_unordered(256)
            .for_each(|_| async {})
            .await;
        let _ = self.sender.disconnect().await;
    }
}

/// Nearest-rank percentile of sorted durations.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Median of the "every recipient had it" times, p50 and p99 over all recipients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub all: Duration,
    pub p50: Duration,
    pub p99: Duration,
    pub recipients: usize,
}

pub fn summarize(deliveries: &[Delivery]) -> Summary {
    let mut alls: Vec<Duration> = deliveries.iter().map(|d| d.all).collect();
    alls.sort();
    let mut pooled: Vec<Duration> = deliveries
        .iter()
        .flat_map(|d| d.latencies.iter().copied())
        .collect();
    pooled.sort();
    Summary {
        all: percentile(&alls, 50.0),
        p50: percentile(&pooled, 50.0),
        p99: percentile(&pooled, 99.0),
        recipients: deliveries.first().map(|d| d.latencies.len()).unwrap_or(0),
    }
}

/// One measured size.
#[derive(Debug, Clone)]
pub struct Row {
    pub clients: usize,
    /// Time to connect the clients added for this size.
    pub connect: Duration,
    pub everyone: Summary,
    pub room: Summary,
}

pub struct Report {
    pub rows: Vec<Row>,
    pub connect_total: Duration,
    pub limit: u64,
    pub repeats: usize,
}

/// Runs the whole measurement: grows the swarm size by size and broadcasts.
pub async fn measure(
    url: &str,
    clients: usize,
    repeats: usize,
    progress: &ProgressBar,
    limit: u64,
) -> Result<Report, FanoutError> {
    let mut swarm = Swarm::new(url, TIMEOUT).await?;
    let outcome = measure_on(&mut swarm, clients, repeats, progress, limit).await;
    swarm.close().await;
    outcome
}

async fn measure_on(
    swarm: &mut Swarm,
    clients: usize,
    repeats: usize,
    progress: &ProgressBar,
    limit: u64,
) -> Result<Report, FanoutError> {
    let mut rows = Vec::new();
    let mut connect_total = Duration::ZERO;
    for size in sizes(clients) {
        progress.set_message(format!("connecting {size} clients"));
        let connect = swarm.grow_to(size, IN_FLIGHT, progress).await?;
        connect_total += connect;
        swarm.fill_room(ROOM_SIZE).await?;
        progress.set_message(format!("broadcasting to {size} clients"));
        let mut everyone = Vec::new();
        let mut room = Vec::new();
        for _ in 0..repeats.max(1) {
            everyone.push(swarm.broadcast(Target::Everyone).await?);
            room.push(swarm.broadcast(Target::Room).await?);
        }
        let strays = swarm.settle().await?;
        if strays > 0 {
            return Err(FanoutError::Strays { count: strays });
        }
        rows.push(Row {
            clients: size,
            connect,
            everyone: summarize(&everyone),
            room: summarize(&room),
        });
    }
    Ok(Report {
        rows,
        connect_total,
        limit,
        repeats: repeats.max(1),
    })
}

/// Milliseconds with a precision that suits the size.
pub fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 100.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

pub fn table(report: &Report) -> String {
    let room = report.rows.first().map(|r| r.room.recipients).unwrap_or(0);
    let mut out = String::new();
    out.push_str(&format!(
        "{:>8}  {:>10}  | {:>10} {:>9} {:>9}  | {:>10} {:>9} {:>9}\n",
        "clients",
        "connect",
        "io.emit",
        "p50",
        "p99",
        format!("room of {room}"),
        "p50",
        "p99"
    ));
    for r in &report.rows {
        out.push_str(&format!(
            "{:>8}  {:>10}  | {:>10} {:>9} {:>9}  | {:>10} {:>9} {:>9}\n",
            r.clients,
            ms(r.connect),
            ms(r.everyone.all),
            ms(r.everyone.p50),
            ms(r.everyone.p99),
            ms(r.room.all),
            ms(r.room.p50),
            ms(r.room.p99),
        ));
    }
    out
}

/// How much each kind of emit grew from the smallest size to the largest, as measured.
pub fn growth(report: &Report) -> String {
    let (Some(first), Some(last)) = (report.rows.first(), report.rows.last()) else {
        return String::new();
    };
    let ratio = |a: Duration, b: Duration| b.as_secs_f64() / a.as_secs_f64().max(1e-9);
    format!(
        "From {} to {} clients, `io.emit` took {:.1} times as long; the emit to the room of {}, \
         {:.1} times.",
        first.clients,
        last.clients,
        ratio(first.everyone.all, last.everyone.all),
        last.room.recipients,
        ratio(first.room.all, last.room.all),
    )
}

const CHART_WIDTH: usize = 50;

/// Bars of the time until every recipient had the emit: `#` for `io.emit`, `=` for the room.
pub fn chart(report: &Report) -> String {
    let room = report.rows.first().map(|r| r.room.recipients).unwrap_or(0);
    let longest = report
        .rows
        .iter()
        .flat_map(|r| [r.everyone.all, r.room.all])
        .max()
        .unwrap_or_default()
        .as_secs_f64();
    let bar = |d: Duration, c: char| {
        let n = if longest > 0.0 {
            ((d.as_secs_f64() / longest) * CHART_WIDTH as f64).round() as usize
        } else {
            0
        };
        c.to_string().repeat(n.max(1))
    };
    let room_label = format!("room of {room}");
    let width = room_label.len().max("io.emit".len());
    let mut out = String::new();
    for r in &report.rows {
        out.push_str(&format!(
            "{:>8}  {:<width$} |{} {}\n",
            r.clients,
            "io.emit",
            bar(r.everyone.all, '#'),
            ms(r.everyone.all)
        ));
        out.push_str(&format!(
            "{:>8}  {:<width$} |{} {}\n",
            "",
            room_label,
            bar(r.room.all, '='),
            ms(r.room.all)
        ));
    }
    out
}

fn progress_bar(total: usize) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg:<26} [{bar:30}] {pos}/{len}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

/// `socketio-lab run fanout [--clients N] [--server URL]`.
pub async fn run(
    options: &FanoutOptions,
    out: &mut dyn Write,
    paint: Paint,
) -> Result<Verdict, FanoutError> {
    let clients = options.clients;
    if clients == 0 {
        return Err(FanoutError::NoClients);
    }
    let per_client = if options.server_url.is_some() { 1 } else { 2 };
    let limit = raise_nofile().map_err(FanoutError::Nofile)?;
    check_nofile(clients, per_client, limit)?;
    let (url, embedded, server_line) = match &options.server_url {
        Some(url) => (url.clone(), None, format!("the lab server at {url}")),
        None => {
            let s = EmbeddedServer::start().await.map_err(FanoutError::Bind)?;
            let url = s.url.clone();
            (
                url,
                Some(s),
                "socketioxide, embedded, on 127.0.0.1".to_string(),
            )
        }
    };
    let _ = writeln!(
        out,
        "{}\n",
        paint.bold("Fan-out: what one emit costs as sockets are added")
    );
    let _ = writeln!(
        out,
        "Server: {server_line}; {clients} clients over WebSocket, in this process (open-file \
         limit {limit})."
    );
    let _ = writeln!(
        out,
        "The sender asks the server for `io.emit` (everyone) and for `io.to(\"{ROOM}\")` \
         ({ROOM_SIZE} members);\nthe clock runs from its request until each client's receipt. \
         Each emit is repeated {REPEATS} times."
    );
    let _ = out.flush();
    let progress = progress_bar(clients);
    let report = measure(&url, clients, REPEATS, &progress, limit).await;
    progress.finish_and_clear();
    if let Some(server) = embedded {
        server.stop().await;
    }
    let report = report?;
    let total = report.rows.last().map(|r| r.clients).unwrap_or(0);
    let _ = writeln!(
        out,
        "\nConnected {total} clients in {:.2} s, {IN_FLIGHT} connecting at a time.\n",
        report.connect_total.as_secs_f64()
    );
    let _ = write!(out, "{}", table(&report));
    let _ = writeln!(
        out,
        "\n{} connect: time to connect the clients added for that size; `io.emit`/room: median \
         time until the last\nrecipient had it; p50/p99: per-client delivery time over all {} \
         repeats.",
        paint.dim("columns:"),
        report.repeats
    );
    let _ = writeln!(
        out,
        "\n{}",
        paint.bold("Time until every recipient had the emit (# io.emit, = room)")
    );
    let _ = write!(out, "{}", chart(&report));
    let _ = writeln!(out, "\n{}", growth(&report));
    let _ = writeln!(
        out,
        "`io.emit` writes one packet per connected socket; an emit to a room writes only to its \
         members.\nEvery client answered `{SYNC}` after each size: no delivery reached a socket \
         outside its emit's selection."
    );
    Ok(Verdict::Passed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_stop_at_the_client_count_and_include_it() {
        assert_eq!(sizes(1000), vec![10, 100, 1000]);
        assert_eq!(sizes(150), vec![10, 100, 150]);
        assert_eq!(sizes(7), vec![7]);
        assert_eq!(sizes(6000), vec![10, 100, 1000, 5000, 6000]);
    }

    #[test]
    fn the_file_limit_names_the_largest_count_that_fits() {
        assert!(check_nofile(1000, 2, 20_000).is_ok());
        assert!(check_nofile(15_000, 1, 20_000).is_ok());
        let e = check_nofile(20_000, 2, 20_000).unwrap_err().to_string();
        assert!(e.contains("`--clients 20000`"), "{e}");
        assert!(
            e.contains(&format!("`--clients {}`", max_clients(20_000, 2))),
            "{e}"
        );
        assert!(check_nofile(max_clients(20_000, 2) as usize, 2, 20_000).is_ok());
        assert!(!e.contains('\n'));
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let d: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&d, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&d, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&d[..1], 99.0), Duration::from_millis(1));
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
    }

    fn summary(ms: u64) -> Summary {
        let d = Duration::from_millis(ms);
        Summary {
            all: d,
            p50: d,
            p99: d,
            recipients: 10,
        }
    }

    #[test]
    fn the_chart_has_two_bars_per_size_scaled_to_the_longest() {
        let report = Report {
            rows: vec![
                Row {
                    clients: 10,
                    connect: Duration::from_millis(1),
                    everyone: summary(1),
                    room: summary(1),
                },
                Row {
                    clients: 1000,
                    connect: Duration::from_millis(1),
                    everyone: summary(100),
                    room: summary(1),
                },
            ],
            connect_total: Duration::from_millis(2),
            limit: 20_000,
            repeats: 3,
        };
        let chart = chart(&report);
        let lines: Vec<&str> = chart.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[2].matches('#').count(), CHART_WIDTH);
        assert_eq!(lines[3].matches('=').count(), 1);
        assert!(lines[1].contains("room of 10"));
        assert_eq!(table(&report).lines().count(), 3);
    }
}
