//! Attaching a declared namespace's handlers to a socket: one socketioxide handler
//! per argument count (the tuple the printed Rust extracts), the lab's `lab:sync`
//! and its catch-all. Normally the connection handler attaches them once its own
//! operations have run (`app::connect`), as the printed code does. With the
//! early-event shim (`Namespace::hold_early`, printed by `app::rust`'s `hold`), the
//! middleware attaches them before the socket is accepted and each waits for the
//! connection handler to end, as Node, which reads no packet before then, behaves.
//!
//! Until the handlers are attached, an application event finds none: the lab's
//! fallback (not application code, like its notes) says so with an `unheard` note.

use serde_json::Value;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{AckSender, Event, SocketRef, State, TryData};
use socketioxide::SocketIo;

use super::app::{handle, on_unhandled};
use super::handlers::on_sync;
use super::state::{name_of, set_name, Lab};
use super::Activity;
use crate::app::Namespace;
use crate::protocol::{Note, SYNC};

/// The shim's gate, as `app::rust`'s `hold` prints it: set once the connection
/// handler has run.
#[derive(Clone, Default)]
struct Connected(tokio::sync::watch::Sender<bool>);

/// In the namespace's middleware, before the socket is accepted: its name, and
/// either the held handlers (the shim) or the lab's note for an event that comes
/// before any handler.
pub(super) fn early<A: Adapter>(socket: &SocketRef<A>, ns: &Namespace, name: String) {
    // Set here too: an event can arrive before the connection handler runs.
    set_name(socket, name);
    super::budget::open(socket);
    if ns.hold_early {
        socket.extensions.insert(Connected::default());
        handlers(socket, ns);
    } else {
        socket.on_fallback(on_unheard::<A>);
    }
}

/// The connection handler has run: the held handlers go on.
pub(super) fn open<A: Adapter>(socket: &SocketRef<A>) {
    if let Some(Connected(connected)) = socket.extensions.get::<Connected>() {
        connected.send_replace(true);
    }
}

/// Waits, in a held handler, until the connection handler has run; at once without
/// the shim.
pub(super) async fn connected<A: Adapter>(socket: &SocketRef<A>) {
    if let Some(Connected(connected)) = socket.extensions.get::<Connected>() {
        connected.subscribe().wait_for(|done| *done).await.ok();
    }
}

/// The declared handlers, the lab's `lab:sync` and its catch-all (which replaces
/// the `unheard` fallback).
pub(super) fn handlers<A: Adapter>(socket: &SocketRef<A>, ns: &Namespace) {
    for handler in &ns.events {
        let event = handler.event.clone();
        match handler.args.len() {
            0 => socket.on(event, on_event_0::<A>),
            1 => socket.on(event, on_event_1::<A>),
            2 => socket.on(event, on_event_2::<A>),
            3 => socket.on(event, on_event_3::<A>),
            _ => socket.on(event, on_event_4::<A>),
        }
    }
    socket.on(SYNC, on_sync::<A>);
    socket.on_fallback(on_unhandled::<A>);
}

/// An application event before any handler: socketioxide drops it, as Node does;
/// the lab says so.
async fn on_unheard<A: Adapter>(
    Event(event): Event,
    socket: SocketRef<A>,
    State(lab): State<Lab>,
    io: SocketIo<A>,
) {
    // The lab's own events are plumbing, never the application's.
    if event.starts_with("lab:") {
        return;
    }
    let note = Note::Unheard {
        name: name_of(&socket),
        namespace: socket.ns().to_string(),
        event: event.to_string(),
    };
    lab.tell(&io, &socket, Activity::Note(note));
}

async fn on_event_0<A: Adapter>(
    socket: SocketRef<A>,
    io: SocketIo<A>,
    State(lab): State<Lab>,
    Event(event): Event,
    ack: AckSender<A>,
) {
    handle(socket, io, lab, &event, Ok(vec![]), ack).await
}

async fn on_event_1<A: Adapter>(
    socket: SocketRef<A>,
    io: SocketIo<A>,
    State(lab): State<Lab>,
    Event(event): Event,
    TryData(a): TryData<Value>,
    ack: AckSender<A>,
) {
    handle(
        socket,
        io,
        lab,
        &event,
        Ok(vec![a.unwrap_or(Value::Null)]),
        ack,
    )
    .await
}

async fn on_event_2<A: Adapter>(
    socket: SocketRef<A>,
    io: SocketIo<A>,
    State(lab): State<Lab>,
    Event(event): Event,
    TryData(args): TryData<(Value, Value)>,
    ack: AckSender<A>,
) {
    let args = args.map(|(a, b)| vec![a, b]).map_err(|e| e.to_string());
    handle(socket, io, lab, &event, args, ack).await
}

async fn on_event_3<A: Adapter>(
    socket: SocketRef<A>,
    io: SocketIo<A>,
    State(lab): State<Lab>,
    Event(event): Event,
    TryData(args): TryData<(Value, Value, Value)>,
    ack: AckSender<A>,
) {
    let args = args
        .map(|(a, b, c)| vec![a, b, c])
        .map_err(|e| e.to_string());
    handle(socket, io, lab, &event, args, ack).await
}

async fn on_event_4<A: Adapter>(
    socket: SocketRef<A>,
    io: SocketIo<A>,
    State(lab): State<Lab>,
    Event(event): Event,
    TryData(args): TryData<(Value, Value, Value, Value)>,
    ack: AckSender<A>,
) {
    let args = args
        .map(|(a, b, c, d)| vec![a, b, c, d])
        .map_err(|e| e.to_string());
    handle(socket, io, lab, &event, args, ack).await
}
