//! Ids the lab never shows: its own session id, and the sockets' random ids, which
//! are written `bobId` wherever they show up in what was observed.

use serde_json::Value;

use crate::trace::Observation;

/// A lab session nobody else's is: this process, a count, and the std library's
/// per-process random hash keys (no crate needed for an id that is never shown).
pub(super) fn new_session() -> String {
    use std::hash::{BuildHasher, Hasher};
    static COUNT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    format!("{}-{:016x}", std::process::id(), hasher.finish())
}

/// `line` with the port of `url` written `PORT`: a free port differs every run.
pub(super) fn mask_port(line: &str, url: &str) -> String {
    let port = url
        .rsplit_once(':')
        .map(|(_, port)| port.trim_end_matches('/'))
        .filter(|port| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()));
    match port {
        Some(port) => line.replace(port, "PORT"),
        None => line.to_string(),
    }
}

/// Replaces each socket id of `ids` (id, shown name) in the server's log lines and
/// in what clients received or were answered.
pub(super) fn mask(ids: Vec<(String, String)>, observations: &mut [Observation]) {
    let ids: Vec<(String, String)> = ids.into_iter().filter(|(sid, _)| !sid.is_empty()).collect();
    if ids.is_empty() {
        return;
    }
    let mask = |text: &mut String| {
        for (sid, shown) in &ids {
            if text.contains(sid.as_str()) {
                *text = text.replace(sid.as_str(), shown);
            }
        }
    };
    for o in observations {
        match o {
            Observation::ServerLog { text, .. } => mask(text),
            Observation::Received { payload, .. }
            | Observation::AckAnswered { value: payload, .. } => mask_value(payload, &mask),
            _ => {}
        }
    }
}

fn mask_value(value: &mut Value, mask: &impl Fn(&mut String)) {
    match value {
        Value::String(text) => mask(text),
        Value::Array(items) => items.iter_mut().for_each(|v| mask_value(v, mask)),
        Value::Object(map) => map.values_mut().for_each(|v| mask_value(v, mask)),
        _ => {}
    }
}

impl super::Lab {
    /// An argument `"id:bob"` stands for bob's socket id, which only the run knows.
    pub(super) fn resolve_id(&self, arg: Value) -> Value {
        match &arg {
            Value::String(s) if s.starts_with("id:") => {
                Value::String(self.resolve_rooms(std::slice::from_ref(s)).remove(0))
            }
            _ => arg,
        }
    }

    /// Socket ids are random: wherever one shows up in what the server logged or a
    /// client received, it is written `bobId`, as the code shown writes it.
    pub(super) fn mask_ids(&self, observations: &mut [Observation]) {
        if self.unmasked {
            return;
        }
        let ids = self
            .clients
            .iter()
            .map(|(name, c)| (c.sid(), format!("{name}Id")));
        mask(ids.collect(), observations);
    }

    /// `id:bob` names the room Socket.IO makes for bob's socket: use its real id.
    pub(super) fn resolve_rooms(&self, rooms: &[String]) -> Vec<String> {
        rooms
            .iter()
            .map(|room| match room.strip_prefix("id:") {
                Some(name) => self
                    .clients
                    .get(name)
                    .map(|c| c.sid())
                    .unwrap_or_else(|| room.clone()),
                None => room.clone(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_socket_id_is_written_by_name_wherever_it_shows() {
        let mut seen = vec![
            Observation::ServerLog {
                text: "joined abc123".into(),
                node: None,
            },
            Observation::Received {
                client: "bob".into(),
                event: "x".into(),
                payload: json!({"from": ["abc123"]}),
                arguments: 1,
            },
        ];
        mask(vec![("abc123".into(), "anaId".into())], &mut seen);
        assert_eq!(
            seen[0],
            Observation::ServerLog {
                text: "joined anaId".into(),
                node: None,
            }
        );
        assert!(
            matches!(&seen[1], Observation::Received { payload, .. } if *payload == json!({"from": ["anaId"]}))
        );
        let two = new_session();
        assert_ne!(two, new_session(), "every lab has a session of its own");
    }

    #[test]
    fn the_port_of_the_server_is_written_port() {
        let line = "server running at http://localhost:41234";
        assert_eq!(
            mask_port(line, "http://127.0.0.1:41234"),
            "server running at http://localhost:PORT"
        );
        assert_eq!(
            mask_port(line, "http://127.0.0.1:41234/"),
            mask_port(line, "http://127.0.0.1:41234")
        );
        // A URL without a port leaves the line alone.
        assert_eq!(mask_port(line, "http://lab.example"), line);
    }
}
