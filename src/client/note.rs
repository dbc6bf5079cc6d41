//! The server's `lab:note`s, as the trace records them.

use serde_json::Value;

use super::CONTROL_CLIENT;
use crate::protocol::{Note, NOTE};
use crate::trace::Observation;

/// A server's `lab:note` as the trace records it.
pub(super) fn note_observation(note: Value) -> Observation {
    match serde_json::from_value::<Note>(note) {
        Ok(Note::Log { text }) => Observation::ServerLog { text, node: None },
        Ok(Note::Connect { name, namespace }) => Observation::ServerConnect {
            client: name,
            namespace,
        },
        Ok(Note::Refuse {
            name,
            namespace,
            reason,
        }) => Observation::ServerRefuse {
            client: name,
            namespace,
            reason,
        },
        Ok(Note::Disconnect {
            name,
            namespace,
            reason,
        }) => Observation::ServerDisconnect {
            client: name,
            namespace,
            reason,
        },
        Ok(Note::Emit {
            name,
            namespace,
            event,
            delivered_to,
            error,
            timeout_ms,
            plain_socketioxide,
        }) => Observation::ServerEmitted {
            client: name,
            namespace,
            event,
            delivered_to,
            error,
            timeout_ms,
            plain_socketioxide,
        },
        Ok(Note::Callback {
            name,
            namespace,
            event,
            err,
            answers,
        }) => Observation::ServerCallback {
            client: name,
            namespace,
            event,
            err,
            answers,
        },
        Ok(Note::Handled {
            name,
            namespace,
            event,
            unhandled,
            refused,
        }) => Observation::ServerHandled {
            client: name,
            namespace,
            event,
            unhandled,
            refused,
        },
        Ok(Note::Unheard {
            name,
            namespace,
            event,
        }) => Observation::ServerUnheard {
            client: name,
            namespace,
            event,
        },
        Err(e) => Observation::ClientError {
            client: CONTROL_CLIENT.into(),
            message: format!("malformed `{NOTE}` from the server: {e}"),
        },
    }
}
