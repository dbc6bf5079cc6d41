//! A declared handler's emit that waits for answers (lesson format 2): the step is
//! over once the server says each such emit's callback has run.

use std::time::Duration;

use super::Lab;
use crate::trace::Observation;

impl Lab {
    /// Waits, bounded by the timeout plus the longest wait the server announced,
    /// until there is a `callback` note for every `emit` note that announced one; the
    /// emitted event is then the one whose scripted answers the step waits for.
    pub(super) async fn await_callbacks(&mut self) {
        let announced = |seen: &[Observation]| -> Vec<(String, u64)> {
            seen.iter()
                .filter_map(|o| match o {
                    Observation::ServerEmitted {
                        event,
                        timeout_ms: Some(ms),
                        ..
                    } => Some((event.clone(), *ms)),
                    _ => None,
                })
                .collect()
        };
        let waiting = announced(&self.pending);
        let emitter = self.pending.iter().find_map(|o| match o {
            Observation::ServerEmitted {
                client,
                timeout_ms: Some(_),
                ..
            } => Some(client.clone()),
            _ => None,
        });
        let Some(longest) = waiting.iter().map(|(_, ms)| *ms).max() else {
            return;
        };
        if self.asked_ack.is_none() {
            self.asked_ack = waiting.first().map(|(event, _)| event.clone());
        }
        let called = |seen: &[Observation]| {
            let calls = seen
                .iter()
                .filter(|o| matches!(o, Observation::ServerCallback { .. }))
                .count();
            calls >= announced(seen).len()
        };
        let within = self.timeout + Duration::from_millis(longest);
        if !self.wait_within(within, called).await {
            // The run's own failure: the server never said its callback ran.
            self.collector.record(Observation::Unanswered {
                client: emitter.unwrap_or_default(),
                event: "the emit's callback".to_string(),
                timeout_ms: within.as_millis() as u64,
            });
        }
    }
}
