//! Network faults as steps (a lesson with `[network]`): each client connection goes
//! through its own proxy (`netfault::Link`), which a step cuts, pauses or resumes.
//! A step ends when both sides have shown what the fault did, within bounds that
//! follow from the lesson's timers.

use std::time::Duration;

use super::Lab;
use crate::lesson::Fault;
use crate::netfault::Link;
use crate::trace::Observation;

impl Lab {
    /// The URL a client of `connection` connects to: its proxy's, started on first use.
    pub(super) async fn link(&mut self, connection: &str) -> Result<String, String> {
        if let Some(link) = self.links.get(connection) {
            return Ok(link.url());
        }
        let server = &self.urls[0];
        let authority = server
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let upstream = tokio::net::lookup_host(authority.as_str())
            .await
            .ok()
            .and_then(|mut addrs| addrs.next())
            .ok_or_else(|| format!("cannot put a proxy in front of `{server}`: no address"))?;
        let link = Link::start(upstream)
            .await
            .map_err(|e| format!("cannot start a proxy on 127.0.0.1: {e}"))?;
        let url = link.url();
        self.links.insert(connection.to_string(), link);
        Ok(url)
    }

    /// Whether the connection `name` travels on is paused.
    pub(super) fn is_paused(&self, name: &str) -> bool {
        self.connection_of(name)
            .and_then(|c| self.links.get(&c))
            .is_some_and(Link::is_paused)
    }

    fn connection_of(&self, name: &str) -> Option<String> {
        let spec = self.specs.iter().find(|c| c.name == name)?;
        Some(spec.connection_name().to_string())
    }

    /// How long a side may take to notice a frozen connection: a heartbeat, the
    /// time to answer it, and the lab's timeout on top for a loaded machine.
    fn heartbeat(&self) -> Duration {
        let n = self.network.unwrap_or(crate::lesson::Network {
            ping_interval_ms: 0,
            ping_timeout_ms: 0,
            reconnection_delay_ms: 0,
        });
        Duration::from_millis(n.ping_interval_ms + n.ping_timeout_ms) + self.timeout
    }

    /// How long a reconnection may take: the delay, then a handshake.
    fn comeback(&self) -> Duration {
        let delay = self.network.map_or(0, |n| n.reconnection_delay_ms);
        Duration::from_millis(delay) + self.timeout
    }

    pub(super) async fn fault(&mut self, actor: &str, fault: Fault) {
        let link = self.connection_of(actor).and_then(|c| self.links.get(&c));
        let Some(link) = link else {
            self.collector.record(Observation::ClientError {
                client: actor.to_string(),
                message: format!("`{actor}` has no connection to act on"),
            });
            return;
        };
        match fault {
            Fault::Cut => {
                link.cut();
                // The server notes the socket leaving, the client hears its
                // transport close, then connects again by itself.
                let left = self.left(actor, self.timeout).await;
                if left {
                    self.back(actor).await;
                }
            }
            Fault::Pause => {
                link.pause();
                // The server hears nothing for a heartbeat and gives the socket up.
                self.left(actor, self.heartbeat()).await;
            }
            Fault::Resume => {
                link.resume();
                self.back(actor).await;
            }
        }
    }

    /// Waits until the server has noted `actor` leaving and its client has heard its
    /// connection end; what did not come in time is recorded as missing.
    async fn left(&mut self, actor: &str, within: Duration) -> bool {
        let server = |o: &Observation| matches!(o, Observation::ServerDisconnect { client, .. } if client == actor);
        let client = |o: &Observation| matches!(o, Observation::DroppedByServer { client } if client == actor);
        let both = |seen: &[Observation]| seen.iter().any(server) && seen.iter().any(client);
        if self.wait_within(within, both).await {
            return true;
        }
        let event = match self.pending.iter().any(server) {
            true => "its transport close",
            false => "disconnect",
        };
        self.collector.record(Observation::Unanswered {
            client: actor.to_string(),
            event: event.to_string(),
            timeout_ms: within.as_millis() as u64,
        });
        false
    }

    /// Waits until `actor`, dropped in this step or an earlier one, is connected
    /// again: welcomed on a new socket, which the server noted.
    async fn back(&mut self, actor: &str) {
        let dropped_at = self
            .pending
            .iter()
            .rposition(|o| matches!(o, Observation::DroppedByServer { client } if client == actor));
        let start = dropped_at.map_or(0, |i| i + 1);
        let again = move |seen: &[Observation]| {
            let after = seen.get(start..).unwrap_or_default();
            let welcomed = after
                .iter()
                .any(|o| matches!(o, Observation::Connected { client } if client == actor));
            let noted = after
                .iter()
                .any(|o| matches!(o, Observation::ServerConnect { client, .. } if client == actor));
            welcomed && noted
        };
        let within = self.comeback();
        if !self.wait_within(within, again).await {
            self.collector.record(Observation::Unanswered {
                client: actor.to_string(),
                event: "connect".to_string(),
                timeout_ms: within.as_millis() as u64,
            });
        }
    }
}
