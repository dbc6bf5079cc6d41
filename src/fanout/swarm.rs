//! The swarm: many lab clients that only note the instant each broadcast reaches
//! them, and one sender that asks the server to broadcast.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use indicatif::ProgressBar;
use serde_json::{json, Value};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use super::{FanoutError, ROOM, TICK};
use crate::client::{Answer, ClientOptions, ConnectOutcome, Hearing, LabClient};
use crate::protocol::{Emit, EmitFrom, EmitRequest, Reply, RoomsRequest, EMIT, JOIN, SYNC};

/// Requests (joins, syncs, disconnects) in flight at once across the swarm.
const REQUESTS_IN_FLIGHT: usize = 256;

/// One client noticed one broadcast.
#[derive(Debug, Clone, Copy)]
struct Receipt {
    client: usize,
    seq: u64,
    at: Instant,
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
    clients: Vec<LabClient>,
    room: usize,
    receipts: UnboundedReceiver<Receipt>,
    receipts_tx: UnboundedSender<Receipt>,
    seq: u64,
    /// Deliveries seen outside their broadcast's selection, or twice.
    strays: usize,
}

fn fan_name(index: usize) -> String {
    format!("fan-{index:05}")
}

/// The client, or why `name` could not take part.
fn accepted(
    name: &str,
    outcome: Result<ConnectOutcome, crate::client::ClientError>,
) -> Result<LabClient, FanoutError> {
    let detail = match outcome {
        Ok(ConnectOutcome::Accepted(client)) => return Ok(*client),
        Ok(ConnectOutcome::Refused(reason)) => reason,
        Err(e) => e.to_string(),
    };
    Err(FanoutError::Connect {
        name: name.to_string(),
        detail,
    })
}

/// A measuring client: it hears only `TICK`, and reports the instant it arrived.
async fn connect_fan(
    url: &str,
    index: usize,
    receipts: UnboundedSender<Receipt>,
    timeout: Duration,
) -> Result<LabClient, FanoutError> {
    let hook = Arc::new(move |payload: Value, at: Instant| {
        if let Some(seq) = payload.as_u64() {
            let _ = receipts.send(Receipt {
                client: index,
                seq,
                at,
            });
        }
    });
    let name = fan_name(index);
    let hearing = Hearing::Only { event: TICK, hook };
    let options = ClientOptions::new(url, &name, timeout, hearing);
    accepted(&name, options.connect().await)
}

/// `client`'s answer to `event`, when the server says it did it.
async fn request(
    client: &LabClient,
    event: &str,
    data: Value,
    timeout: Duration,
) -> Result<Reply, FanoutError> {
    let failed = |detail: String| FanoutError::Request {
        name: client.name.clone(),
        event: event.to_string(),
        detail,
    };
    match client.request(event, data, timeout).await {
        Answer::Reply(value) => serde_json::from_value::<Reply>(value.clone())
            .ok()
            .filter(|reply| reply.ok)
            .ok_or_else(|| failed(value.to_string())),
        Answer::Silent => Err(failed(format!(
            "no answer within {} ms",
            timeout.as_millis()
        ))),
        Answer::SendFailed(e) => Err(failed(e)),
    }
}

impl Swarm {
    /// Connects the sender, a lab client named `sender`, to the server at `url`.
    pub async fn new(url: &str, timeout: Duration) -> Result<Swarm, FanoutError> {
        // The measuring clients keep the times: the sender listens to nothing.
        let options = ClientOptions::new(url, "sender", timeout, Hearing::Nothing);
        let sender = accepted("sender", options.connect().await)?;
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
            .map(|c| request(c, JOIN, data.clone(), timeout));
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
        let emit = EmitRequest {
            emit: Emit {
                from: EmitFrom::Io,
                to,
                ..Emit::default()
            },
            event: TICK.to_string(),
            data: json!(seq),
        };
        let data = serde_json::to_value(emit).unwrap_or_default();
        let started = Instant::now();
        let reply = request(&self.sender, EMIT, data, self.timeout).await?;
        let latencies = self.receive(seq, target, expected, started).await?;
        Ok(Delivery {
            all: latencies.iter().copied().max().unwrap_or_default(),
            latencies,
            delivered_to: reply.delivered_to.map(|d| d.len()).unwrap_or_default(),
        })
    }

    /// Waits for broadcast `seq`'s `expected` receipts; returns their latencies
    /// from `started`, sorted. Anything else that arrives meanwhile is a stray.
    async fn receive(
        &mut self,
        seq: u64,
        target: Target,
        expected: usize,
        started: Instant,
    ) -> Result<Vec<Duration>, FanoutError> {
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
        latencies.sort();
        Ok(latencies)
    }

    /// The lab's barrier on every client: once each has answered `lab:sync`, whatever
    /// the server sent it earlier has arrived. Returns the deliveries that went
    /// outside their broadcast's selection (or arrived twice) so far.
    pub async fn settle(&mut self) -> Result<usize, FanoutError> {
        let timeout = self.timeout;
        let mut syncs = stream::iter(self.clients.iter())
            .map(|c| request(c, SYNC, Value::Null, timeout))
            .buffer_unordered(REQUESTS_IN_FLIGHT);
        while let Some(synced) = syncs.next().await {
            synced?;
        }
        drop(syncs);
        while self.receipts.try_recv().is_ok() {
            self.strays += 1;
        }
        Ok(self.strays)
    }

    /// Disconnects every client (a bounded number at a time) and the sender.
    pub async fn close(self) {
        stream::iter(self.clients.iter())
            .map(|c| c.disconnect())
            .buffer_unordered(REQUESTS_IN_FLIGHT)
            .for_each(|_| async {})
            .await;
        let _ = self.sender.disconnect().await;
    }
}
