//! A client's application event in a lesson that declares its server (format 2):
//! sent as a real client sends it, with no acknowledgement, and over when the
//! server's note says what became of it: handled (or taken by the catch-all), or
//! unheard, when it arrived before the socket had any handler for it.

use serde_json::Value;

use super::exchange::{request, send_failed};
use super::Lab;
use crate::client::Early;
use crate::trace::Observation;

impl Lab {
    /// A client emits an application event with no acknowledgement, as a real client
    /// does; the server's `handled` or `unheard` note says when it is done.
    pub(super) async fn send(&mut self, actor: &str, event: &str, args: Vec<Value>) {
        let Some(client) = self.clients.get(actor) else {
            let missing = request(None, actor, event, Value::Null, self.timeout).await;
            return self.collector.record(missing);
        };
        if let Err(message) = client.emit_args(event, args).await {
            return self.collector.record(send_failed(actor, event, &message));
        }
        self.await_fate(actor, event).await;
    }

    /// `before_connect`: the offline actor emits, then connects. Its client holds the
    /// event until the namespace accepts the socket and sends it at once: the server
    /// may read it before its connection handler has attached the event's handler.
    pub(super) async fn connect_emitting(&mut self, actor: &str, event: &str, args: Vec<Value>) {
        let early = Early {
            event: event.to_string(),
            data: Value::Array(args),
            timeout: self.timeout,
            ack: false,
        };
        match self.connect_with(actor, Some(&early)).await {
            Some(crate::client::Answer::SendFailed(message)) => {
                self.collector.record(send_failed(actor, event, &message))
            }
            // Sent: what the server made of it is in its notes.
            Some(_) => self.await_fate(actor, event).await,
            // Not even connected: what went wrong is recorded already.
            None => {}
        }
    }

    /// Waits (bounded) for the server's note on `actor`'s `event`: handled, or
    /// unheard, or for the server to have closed `actor`'s connection (a message
    /// over the size limit); no note in time is recorded as no answer.
    async fn await_fate(&mut self, actor: &str, event: &str) {
        let done = self.wait_until(|seen| {
            seen.iter().any(|o| match o {
                Observation::ServerHandled {
                    client, event: e, ..
                }
                | Observation::ServerUnheard {
                    client, event: e, ..
                } => client == actor && e == event,
                _ => false,
            }) || super::exchange::dropped(seen, actor)
        });
        if !done.await {
            self.collector.record(Observation::Unanswered {
                client: actor.to_string(),
                event: event.to_string(),
                timeout_ms: self.timeout_ms(),
            });
        }
    }
}
