//! Clients leaving: by their own disconnect, or because the server closed them.

use crate::trace::Observation;

impl super::Lab {
    pub(super) async fn disconnect(&mut self, name: &str, close_transport: bool) {
        let Some(client) = self.clients.remove(name) else {
            return;
        };
        let closed = if close_transport {
            client.close_transport().await
        } else {
            client.disconnect().await
        };
        if let Err(message) = closed {
            self.collector.record(Observation::ClientError {
                client: name.to_string(),
                message,
            });
            return;
        }
        self.collector.record(Observation::Closed {
            client: name.to_string(),
        });
        // Nothing on the client's side tells when the server has noticed: wait for
        // the server's own note of it, within the timeout.
        let seen = self.wait_until(|seen| {
            seen.iter().any(
                |o| matches!(o, Observation::ServerDisconnect { client, .. } if client == name),
            )
        });
        if !seen.await {
            self.collector.record(Observation::Unanswered {
                client: name.to_string(),
                event: "disconnect".to_string(),
                timeout_ms: self.timeout_ms(),
            });
        }
    }

    /// Clients the server disconnected in this step (a handler's `disconnect`): once
    /// each has heard it (bounded), it is gone, and the barrier does not ask it.
    pub(super) async fn forget_dropped(&mut self) {
        while let Ok(o) = self.inbox.try_recv() {
            self.take_in(o);
        }
        // With `[network]`, a connection that dropped comes back by itself (the
        // fault steps wait for it); only a server's kick is final.
        let comes_back = |o: &Observation| {
            self.network.is_some()
                && matches!(o, Observation::ServerDisconnect { reason, .. }
                    if reason == "transport close" || reason == "ping timeout")
        };
        let back: Vec<&str> = self
            .pending
            .iter()
            .filter(|o| comes_back(o))
            .map(Observation::client)
            .collect();
        let leaving: Vec<String> = self
            .pending
            .iter()
            .filter_map(|o| match o {
                Observation::ServerDisconnect { client, .. }
                | Observation::DroppedByServer { client } => Some(client.clone()),
                _ => None,
            })
            .filter(|name| self.clients.contains_key(name) && !back.contains(&name.as_str()))
            .collect();
        if leaving.is_empty() {
            return;
        }
        let heard = |seen: &[Observation], name: &str| {
            seen.iter()
                .any(|o| matches!(o, Observation::DroppedByServer { client } if client == name))
        };
        self.wait_until(|seen| leaving.iter().all(|n| heard(seen, n)))
            .await;
        for name in leaving {
            if heard(&self.pending, &name) {
                self.clients.remove(&name);
            }
        }
    }
}
