//! What became of the actor's event on the server when no handler ran it: a
//! per-packet middleware refused it, no handler exists (the fixed server's answer),
//! or none was attached yet when it arrived (a declared server's `unheard` note).

use crate::paint::Paint;
use crate::safe;
use crate::trace::{Observation, StepRecord};

/// The server's word that no handler took the event, if it gave one, or the
/// per-packet middleware's refusal.
pub(super) fn unhandled(record: &StepRecord, paint: Paint) -> String {
    let server = paint.dim("server");
    if let Some(reason) = record.packet_refusal() {
        let why = format!(
            "`socket.use` refused it ({}): no handler ran",
            safe::text(reason)
        );
        return format!("  {server} {}\n", paint.warn(&why));
    }
    let mut out = String::new();
    if let Some(reply) = record.answer().filter(|r| r.unhandled) {
        let why = safe::text(reply.error.as_deref().unwrap_or("no handler"));
        out.push_str(&format!("  {server} {}\n", paint.warn(&why)));
    }
    if let Some(words) = unheard(record) {
        out.push_str(&format!("  {server} {}\n", paint.warn(&words)));
    }
    out
}

/// The server's word that the actor's event came before any handler for it, in
/// plain words, if it did.
pub fn unheard(record: &StepRecord) -> Option<String> {
    record.observations.iter().find_map(|o| match o {
        Observation::ServerUnheard { event, .. } => Some(format!(
            "had not attached its `{}` handler yet: the event is gone",
            safe::capped(event)
        )),
        _ => None,
    })
}
