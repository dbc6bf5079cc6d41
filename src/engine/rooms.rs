//! The server's rooms as the views show them.

use std::collections::BTreeMap;

use crate::lesson::Client;
use crate::protocol::ServerState;
use crate::trace::RoomTable;

/// Turns the server's state into the room table the views show: namespaces the lesson
/// uses, own-id rooms set apart.
pub fn room_table(
    state: &ServerState,
    clients: &[Client],
) -> (RoomTable, BTreeMap<String, Vec<String>>) {
    let mut table = RoomTable::new();
    let mut own = BTreeMap::new();
    for client in clients {
        table.entry(client.namespace.clone()).or_default();
    }
    for (ns, ns_state) in &state.namespaces {
        if !table.contains_key(ns) {
            continue;
        }
        let rooms = table.entry(ns.clone()).or_default();
        let owners: BTreeMap<&str, &str> = ns_state
            .sockets
            .iter()
            .map(|s| (s.sid.as_str(), s.name.as_str()))
            .collect();
        let mut own_ids: Vec<String> = Vec::new();
        for (room, members) in &ns_state.rooms {
            match owners.get(room.as_str()) {
                Some(owner) if members.len() == 1 && members[0] == *owner => {
                    own_ids.push(owner.to_string())
                }
                Some(owner) => {
                    rooms.insert(format!("id:{owner}"), members.clone());
                }
                None => {
                    rooms.insert(room.clone(), members.clone());
                }
            }
        }
        own_ids.sort();
        if !own_ids.is_empty() {
            own.insert(ns.clone(), own_ids);
        }
    }
    (table, own)
}
