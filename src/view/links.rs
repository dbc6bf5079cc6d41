//! The server's engine.io connections under a step's room table, when one of them
//! carries several namespace sockets: which sockets share a connection, and how the
//! server named them, as it reported them (never the ids themselves).

use std::fmt::Write as _;

use crate::paint::Paint;
use crate::trace::{SocketIds, StepRecord};

pub(super) fn connections(record: &StepRecord, paint: Paint) -> String {
    let mut out = String::new();
    if !record.multiplexed() {
        return out;
    }
    let listed: Vec<String> = record
        .connections
        .iter()
        .map(|c| c.sockets.join(" + "))
        .collect();
    let count = match listed.len() {
        1 => "1 engine.io connection".to_string(),
        n => format!("{n} engine.io connections"),
    };
    let _ = writeln!(
        out,
        "  {} {count}: {}",
        paint.dim("conns "),
        listed.join(", ")
    );
    for c in record.connections.iter() {
        let said = match c.socket_ids {
            Some(SocketIds::Shared) => "one socket id, the same in every namespace",
            Some(SocketIds::PerNamespace) => "a socket id of its own in each namespace",
            Some(SocketIds::Mixed) => "some socket ids shared, some not",
            None => continue,
        };
        let _ = writeln!(
            out,
            "  {} {}: {said}",
            paint.dim("ids   "),
            c.sockets.join(" + ")
        );
    }
    out
}
