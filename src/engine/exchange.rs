//! One request and the sync barrier, as observations for the trace.

use std::collections::BTreeSet;
use std::time::Duration;

use futures_util::future::join_all;
use serde_json::Value;

use crate::client::{Answer, LabClient, CONTROL_CLIENT};
use crate::protocol::{Reply, SYNC};
use crate::trace::Observation;

/// Sends one lab request from `actor` and turns its answer into the observation the
/// trace keeps: the reply, or why there is none.
pub(super) async fn request(
    client: Option<&LabClient>,
    actor: &str,
    event: &str,
    data: Value,
    wait: Duration,
) -> Observation {
    let Some(client) = client else {
        return Observation::ClientError {
            client: actor.to_string(),
            message: format!("`{actor}` is not connected"),
        };
    };
    let answer = client.request(event, data, wait).await;
    answered(actor, event, answer, wait)
}

/// A request's answer as the observation the trace keeps.
pub(super) fn answered(actor: &str, event: &str, answer: Answer, wait: Duration) -> Observation {
    match answer {
        Answer::Reply(value) => match serde_json::from_value::<Reply>(value.clone()) {
            Ok(reply) => Observation::Answered {
                client: actor.to_string(),
                event: event.to_string(),
                reply,
            },
            Err(e) => Observation::ClientError {
                client: actor.to_string(),
                message: format!(
                    "the server's answer to `{event}` is not a lab reply ({e}): {value}"
                ),
            },
        },
        Answer::Silent => Observation::Unanswered {
            client: actor.to_string(),
            event: event.to_string(),
            timeout_ms: wait.as_millis() as u64,
        },
        Answer::SendFailed(message) => send_failed(actor, event, &message),
    }
}

pub(super) fn send_failed(actor: &str, event: &str, message: &str) -> Observation {
    Observation::ClientError {
        client: actor.to_string(),
        message: format!("could not send `{event}`: {message}"),
    }
}

/// Sends `lab:sync` on every connection at once; returns an observation for each
/// that got no answer in time.
pub(super) async fn sync_all<'a>(
    clients: impl Iterator<Item = &'a LabClient>,
    timeout: Duration,
) -> Vec<Observation> {
    let syncs = clients
        .map(|c| async move { (c.name.clone(), c.request(SYNC, Value::Null, timeout).await) });
    join_all(syncs)
        .await
        .into_iter()
        .filter(|(_, answer)| !matches!(answer, Answer::Reply(_)))
        .map(|(name, _)| Observation::Unanswered {
            client: name,
            event: SYNC.to_string(),
            timeout_ms: timeout.as_millis() as u64,
        })
        .collect()
}

/// How a server stopped keeping the lab protocol: what ends a lab at once, since every
/// later step would only wait out its timeout to show the same loss.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lost {
    /// The lab's own connection to the server closed.
    Closed,
    /// A lab request on a live connection got no answer in time.
    Unanswered {
        event: String,
        client: String,
        timeout_ms: u64,
    },
}

impl std::fmt::Display for Lost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Lost::Closed => write!(f, "closed the connection"),
            Lost::Unanswered {
                event,
                client,
                timeout_ms,
            } => write!(
                f,
                "did not answer `{event}` from `{}` within {timeout_ms} ms",
                crate::safe::capped(client)
            ),
        }
    }
}

/// The first sign in a step's observations that the server no longer keeps the lab
/// protocol. `dropped` holds the clients the server itself disconnected, in this step
/// or before: their requests are expected to fail and are shown, not fatal.
pub(super) fn lost(observations: &[Observation], dropped: &BTreeSet<String>) -> Option<Lost> {
    if dropped.contains(CONTROL_CLIENT) {
        return Some(Lost::Closed);
    }
    observations.iter().find_map(|o| match o {
        Observation::Unanswered {
            client,
            event,
            timeout_ms,
        } if event.starts_with("lab:") && !dropped.contains(client) => Some(Lost::Unanswered {
            event: event.clone(),
            client: client.clone(),
            timeout_ms: *timeout_ms,
        }),
        _ => None,
    })
}

/// Whether the server closed `actor`'s connection, as both ends saw it: the server
/// noted the disconnection and the client heard its connection close (a message
/// over the size limit is never handled: this ends the wait for it instead).
pub(super) fn dropped(seen: &[Observation], actor: &str) -> bool {
    let saw = |f: &dyn Fn(&Observation) -> bool| seen.iter().any(f);
    saw(&|o| matches!(o, Observation::ServerDisconnect { client, .. } if client == actor))
        && saw(&|o| matches!(o, Observation::DroppedByServer { client } if client == actor))
}
