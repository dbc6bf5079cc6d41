//! A lab on several nodes of the lab server joined by an adapter (`run scaling`):
//! clients placed on their node, the settling marker, a node that goes away.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::json;

use super::exchange::request;
use super::{Lab, LabError};
use crate::lesson::Client;
use crate::protocol::{Emit, EmitFrom, EmitRequest, EMIT, MARK};
use crate::server::EmbeddedServer;
use crate::trace::Observation;

impl Lab {
    /// A lab on several running nodes of the lab server, each client placed on one
    /// (`placement`: name to index in `nodes`; node 0 for the rest). Clients connect
    /// when asked (`connect`); the control connection goes to node 0.
    pub async fn start_on(
        clients: &[Client],
        nodes: Vec<EmbeddedServer>,
        placement: BTreeMap<String, usize>,
        timeout: Duration,
    ) -> Result<Lab, LabError> {
        let urls = nodes.iter().map(|n| n.url.clone()).collect();
        let joined = nodes.iter().any(EmbeddedServer::joined);
        let nodes = (urls, nodes.into_iter().map(Some).collect());
        let mut lab = Lab::open(clients, nodes, placement, timeout).await?;
        lab.marks = joined.then_some(0);
        Ok(lab)
    }

    /// With nodes joined by an adapter, a sync on a node's connections does not wait
    /// for what another node published and Redis has yet to hand over; so first the
    /// marker (docs/lab-protocol.md, "Two nodes"): a client on node 0 has its node
    /// `io.emit` it through the adapter, and once every client has it, each has all
    /// that node 0 published before. A client without it within the timeout is a miss.
    pub(super) async fn await_marker(&mut self) {
        let Some(mark) = self.marks.as_mut() else {
            return;
        };
        *mark += 1;
        let mark = json!(*mark);
        let on_node_0 = |name: &&String| self.node_of(name) == 0;
        let connected = |name: &&String| self.clients.contains_key(name.as_str());
        let Some(sender) = self.client_order.iter().filter(on_node_0).find(connected) else {
            return;
        };
        let sender = sender.clone();
        let marker = EmitRequest {
            emit: Emit {
                from: EmitFrom::Io,
                ..Emit::default()
            },
            event: MARK.into(),
            data: mark.clone(),
        };
        let data = serde_json::to_value(marker).unwrap_or_default();
        // Only a marker that failed is part of the step; its reply is plumbing.
        match request(self.clients.get(&sender), &sender, EMIT, data, self.timeout).await {
            Observation::Answered { reply, .. } if reply.ok => {}
            failed => self.collector.record(failed),
        }
        let has_mark = |seen: &[Observation], name: &str| {
            seen.iter().any(|o| matches!(o, Observation::Received { client, event, payload } if client == name && event == MARK && *payload == mark))
        };
        let everyone: Vec<String> = self.clients.keys().cloned().collect();
        self.wait_until(|seen| everyone.iter().all(|name| has_mark(seen, name)))
            .await;
        for name in everyone.iter().filter(|n| !has_mark(&self.pending, n)) {
            self.collector.record(Observation::Unanswered {
                client: name.clone(),
                event: MARK.to_string(),
                timeout_ms: self.timeout_ms(),
            });
        }
    }

    /// Stops a node this lab started and waits, within the timeout, until each of its
    /// clients has seen its connection end; from then on they are gone.
    pub(crate) async fn stop_node(&mut self, node: usize) {
        if let Some(server) = self.embedded.get_mut(node).and_then(Option::take) {
            server.stop().await;
        }
        let placed: Vec<String> = (self.clients.keys())
            .filter(|name| self.node_of(name) == node)
            .cloned()
            .collect();
        let ended = |seen: &[Observation], name: &str| {
            seen.iter().any(|o| {
                matches!(o, Observation::DroppedByServer { client } | Observation::ClientError { client, .. } if client == name)
            })
        };
        self.wait_until(|seen| placed.iter().all(|name| ended(seen, name)))
            .await;
        for name in &placed {
            if !ended(&self.pending, name) {
                self.collector.record(Observation::Unanswered {
                    client: name.clone(),
                    event: "disconnect".to_string(),
                    timeout_ms: self.timeout_ms(),
                });
            }
            self.clients.remove(name);
        }
    }
}
