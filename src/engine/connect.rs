//! Lesson clients getting in: on a connection of their own, or over the connection of
//! another of the person's sockets (`connection = "NAME"` in a lesson), and, for a
//! `send` with `before_connect`, with an event emitted before the socket connects.

use std::collections::BTreeMap;

use serde_json::Value;

use super::exchange::{answered, send_failed};
use super::Lab;
use crate::client::{Answer, ClientOptions, ConnectOutcome, Early, Hearing, LabClient};
use crate::lesson::Client;
use crate::protocol::{ServerState, SESSION_AUTH};
use crate::trace::{Connection, Observation, SocketIds};

impl Lab {
    /// Connects a lesson client (on its node), recording whether it got in.
    pub(crate) async fn connect(&mut self, name: &str) {
        self.connect_with(name, None).await;
    }

    /// The step's actor emits `event`, then connects: the request waits in its
    /// client until the namespace accepts the socket, and its answer is recorded as
    /// any request's is.
    pub(super) async fn connect_sending(&mut self, name: &str, event: &str, data: Value) {
        let early = Early {
            event: event.to_string(),
            data,
            timeout: self.timeout,
            ack: true,
        };
        let observation = match self.connect_with(name, Some(&early)).await {
            Some(Answer::SendFailed(message)) => send_failed(name, event, &message),
            Some(answer) => answered(name, event, answer, self.timeout),
            // Not even connected: what went wrong is recorded already.
            None => return,
        };
        self.collector.record(observation);
    }

    /// Connects `name`, over the connection of another of its person's sockets when
    /// one is up (as a page's second `io(..)` reuses the first one's connection);
    /// returns the answer to `early`, if it asked one.
    pub(super) async fn connect_with(
        &mut self,
        name: &str,
        early: Option<&Early>,
    ) -> Option<Answer> {
        let spec = self.specs.iter().find(|c| c.name == name).cloned()?;
        if self.clients.contains_key(name) {
            return None;
        }
        let connection = spec.connection_name().to_string();
        let url = match self.network {
            Some(_) => match self.link(&connection).await {
                Ok(url) => url,
                Err(message) => {
                    let client = name.to_string();
                    self.collector
                        .record(Observation::ClientError { client, message });
                    return None;
                }
            },
            None => self.url_of(name),
        };
        let reconnect = self
            .network
            .map(|n| std::time::Duration::from_millis(n.reconnection_delay_ms));
        let over: Option<&LabClient> = self.specs.iter().find_map(|other| {
            let shared = other.name != name && other.connection_name() == connection;
            shared.then(|| self.clients.get(&other.name)).flatten()
        });
        let mut auth = spec.auth.clone();
        auth.insert(
            SESSION_AUTH.to_string(),
            Value::String(self.session.clone()),
        );
        let outcome = ClientOptions {
            namespace: spec.namespace.clone(),
            auth,
            answers: spec.answers.clone(),
            reconnect,
            transport: spec.transport,
            ..ClientOptions::new(
                &url,
                &spec.name,
                self.timeout,
                Hearing::Trace(self.collector.clone()),
            )
        }
        .connect_via(over, early)
        .await;
        match outcome {
            Ok((ConnectOutcome::Accepted(client), answer)) => {
                self.collector.record(Observation::Connected {
                    client: name.to_string(),
                });
                self.clients.insert(name.to_string(), *client);
                answer
            }
            Ok((ConnectOutcome::Refused(reason), _)) => {
                self.collector.record(Observation::Refused {
                    client: name.to_string(),
                    reason,
                });
                None
            }
            Err(e) => {
                self.collector.record(Observation::ClientError {
                    client: name.to_string(),
                    message: e.to_string(),
                });
                None
            }
        }
    }
}

/// The server's connections that carry the lesson's sockets: each with its sockets in
/// lesson order, in the order of their first socket, and how the server named them.
pub fn connection_table(state: &ServerState, clients: &[Client]) -> Vec<Connection> {
    // The server's connection number to its sockets' (lesson index, name, id).
    let mut by_connection: BTreeMap<u64, Vec<(usize, String, String)>> = BTreeMap::new();
    for socket in state.namespaces.values().flat_map(|ns| &ns.sockets) {
        let Some(index) = clients.iter().position(|c| c.name == socket.name) else {
            continue;
        };
        if socket.connection == 0 {
            // A server that does not number its connections shows none.
            return Vec::new();
        }
        let on = by_connection.entry(socket.connection).or_default();
        on.push((index, socket.name.clone(), socket.sid.clone()));
    }
    let mut connections: Vec<(usize, Connection)> = by_connection
        .into_values()
        .map(|mut sockets| {
            sockets.sort();
            let first = sockets[0].0;
            let socket_ids = (sockets.len() > 1).then(|| {
                let distinct: std::collections::BTreeSet<&str> =
                    sockets.iter().map(|(_, _, sid)| sid.as_str()).collect();
                match distinct.len() {
                    1 => SocketIds::Shared,
                    n if n == sockets.len() => SocketIds::PerNamespace,
                    _ => SocketIds::Mixed,
                }
            });
            let sockets = sockets.into_iter().map(|(_, name, _)| name).collect();
            (
                first,
                Connection {
                    sockets,
                    socket_ids,
                },
            )
        })
        .collect();
    connections.sort_by_key(|(first, _)| *first);
    connections.into_iter().map(|(_, c)| c).collect()
}
