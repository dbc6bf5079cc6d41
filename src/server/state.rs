//! What the server knows beside socketioxide's own state: the lab name of each
//! socket, the monitor, and how the server reports sockets, rooms and reasons.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use socketioxide::adapter::Adapter;
use socketioxide::extract::SocketRef;
use socketioxide::socket::DisconnectReason;
use socketioxide::{SocketError, SocketIo};
use tokio::sync::mpsc::error::{SendTimeoutError, TrySendError};
use tokio::sync::mpsc::{channel, Receiver, Sender};

use crate::protocol::{
    NamespaceState, Note, Reply, ServerState, SocketInfo, ADMIN_NS, CONTROL_NS, MAIN_NS, NOTE,
};
use crate::safe;
use crate::trace::RoomTable;

/// What the server did, for a live monitor such as `socketio-lab serve`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Activity {
    Note(Note),
    Joined {
        name: String,
        namespace: String,
        rooms: Vec<String>,
    },
    Left {
        name: String,
        namespace: String,
        rooms: Vec<String>,
    },
    Emitted {
        name: String,
        namespace: String,
        call: String,
        event: String,
        /// The sockets of this node the emit selected, sorted by name.
        delivered_to: Vec<String>,
        /// Those of them it could not be sent to.
        missed: Missed,
    },
    /// After a join, a leave or a disconnection, when asked for
    /// (`ServerConfig::room_table`): every namespace with sockets, and its rooms with
    /// their members' names, read from the server's own state (own-id rooms left out).
    Rooms(RoomTable),
}

/// Where the server reports what it does: a bounded queue, so that a reader who
/// falls behind costs dropped reports (counted), never memory or a waiting handler.
#[derive(Debug, Clone)]
pub struct Monitor {
    queue: Sender<Report>,
    dropped: Arc<AtomicU64>,
}

#[derive(Debug)]
enum Report {
    Activity(Activity),
    /// Whoever watches is done: the reader stops here even if some part of the
    /// server still holds a `Monitor`.
    End,
}

/// The reading end of a [`Monitor`].
#[derive(Debug)]
pub struct MonitorFeed {
    queue: Receiver<Report>,
    dropped: Arc<AtomicU64>,
}

impl Monitor {
    /// A monitor that holds at most `capacity` reports nobody has read yet.
    pub fn new(capacity: usize) -> (Monitor, MonitorFeed) {
        let (queue, feed) = channel(capacity);
        let dropped = Arc::new(AtomicU64::new(0));
        let feed = MonitorFeed {
            queue: feed,
            dropped: dropped.clone(),
        };
        (Monitor { queue, dropped }, feed)
    }

    /// Reports at once, or drops (and counts) the report when the queue is full.
    pub fn tell(&self, activity: Activity) {
        if let Err(TrySendError::Full(_)) = self.queue.try_send(Report::Activity(activity)) {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Reports, waiting up to `patience` for room; dropped (and counted) after that.
    pub async fn say(&self, activity: Activity, patience: Duration) {
        let sent = self
            .queue
            .send_timeout(Report::Activity(activity), patience);
        if let Err(SendTimeoutError::Timeout(_)) = sent.await {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Tells the reader that nothing more will come, waiting for room.
    pub async fn end(&self) {
        let _ = self.queue.send(Report::End).await;
    }
}

impl MonitorFeed {
    /// The next report, waiting on this thread (not for async code); `None` at the
    /// end.
    pub fn blocking_next(&mut self) -> Option<Activity> {
        match self.queue.blocking_recv()? {
            Report::Activity(activity) => Some(activity),
            Report::End => None,
        }
    }

    /// The next report, for async readers; `None` at the end.
    pub async fn next(&mut self) -> Option<Activity> {
        match self.queue.recv().await? {
            Report::Activity(activity) => Some(activity),
            Report::End => None,
        }
    }

    /// A report that is already there, if any.
    pub fn try_next(&mut self) -> Option<Activity> {
        match self.queue.try_recv().ok()? {
            Report::Activity(activity) => Some(activity),
            Report::End => None,
        }
    }

    /// How many reports were dropped since the last call.
    pub fn take_dropped(&self) -> u64 {
        self.dropped.swap(0, Ordering::Relaxed)
    }
}

/// The selected sockets of this node an emit could not be sent to. socketioxide
/// counts them but does not name them, so they are named only when it missed all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Missed {
    /// Their send buffer (`ServerConfig::send_buffer`) was full: the client reads too slowly.
    pub full: usize,
    /// They closed between the selection and the emit.
    pub closed: usize,
}

impl Missed {
    pub fn from_errors<'a>(errors: impl IntoIterator<Item = &'a SocketError>) -> Missed {
        let mut missed = Missed::default();
        for e in errors {
            match e {
                SocketError::InternalChannelFull => missed.full += 1,
                SocketError::Closed => missed.closed += 1,
            }
        }
        missed
    }

    pub fn any(&self) -> bool {
        self.full + self.closed > 0
    }

    /// Who the emit reached out of `selected`, when that is known.
    pub fn reached(&self, selected: &[String]) -> Option<Vec<String>> {
        match self.full + self.closed {
            0 => Some(selected.to_vec()),
            n if n >= selected.len() => Some(Vec::new()),
            _ => None,
        }
    }

    /// "not sent to 1 of 3 sockets: 1 send buffer full (...)".
    pub fn words(&self, selected: usize) -> String {
        let count = |n: usize, one: &str, many: &str| match n {
            1 => format!("1 {one}"),
            n => format!("{n} {many}"),
        };
        let mut why = Vec::new();
        if self.full > 0 {
            why.push(format!(
                "{} (the client reads too slowly)",
                count(self.full, "send buffer full", "send buffers full"),
            ));
        }
        if self.closed > 0 {
            why.push(count(self.closed, "socket closed", "sockets closed"));
        }
        format!(
            "not sent to {} of {}: {}",
            self.full + self.closed,
            count(selected, "socket", "sockets"),
            why.join("; ")
        )
    }
}

/// The socket's lab name, from `auth.name` (or a `guest-N` name when none is given).
#[derive(Clone)]
struct LabName(String);

/// The longest name a socket keeps, in characters (a lesson's names are a word).
pub const MAX_NAME: usize = 64;

/// The server's own state, handed to every handler through socketioxide's `State`.
pub(crate) struct Shared {
    monitor: Option<Monitor>,
    guests: AtomicUsize,
    /// Whether an adapter joins this server to other nodes: then it knows only its
    /// own sockets, and a broadcast's recipients are not its to tell.
    pub(crate) spans_nodes: bool,
    /// Tell the monitor the room table after every membership change.
    room_table: bool,
    /// Set once the server is shutting down, so that the sockets it disconnects
    /// then are reported as Socket.IO reports a closing server.
    closing: AtomicBool,
    /// Each engine.io connection with a lesson socket on it, numbered in order of
    /// appearance, by the id of its sockets (socketioxide gives a connection's
    /// sockets the engine.io session's id in every namespace).
    connections: Mutex<ConnectionNumbers>,
    /// The applications labs declared (`lab:app`), by lab session: each lab's
    /// sockets bring its session in `auth.lab`, so that labs sharing this server (a
    /// quiz's choices at once, say) each run their own. A socket without one, or of
    /// a session without an application, runs the fixed one.
    apps: std::sync::Mutex<std::collections::HashMap<String, Arc<crate::app::App>>>,
    /// The port the server listens on, for an application's startup line.
    pub(crate) port: u16,
    /// Handler runs waiting or running, bounded (`budget`).
    pub(crate) budget: Arc<super::budget::Budget>,
    /// The namespaces registered by name (`io.ns`). Any other one beside the lab's
    /// own is a child of a dynamic namespace (`/t/{x}`), made by a client's
    /// connection: it is removed once empty, so that clients cannot fill the
    /// server's namespace limit with children nobody uses.
    fixed: std::sync::Mutex<std::collections::HashSet<String>>,
}

#[derive(Default)]
struct ConnectionNumbers {
    last: u64,
    by_sid: std::collections::HashMap<String, u64>,
    /// The most connections open at once since the memory was last given back.
    peak: usize,
}

/// Connections a round must have reached before its end gives memory back: a
/// lesson's handful never does, a fan-out's thousands do.
const GIVE_BACK_AFTER: usize = 256;

/// The state as the handlers extract it.
pub(crate) type Lab = Arc<Shared>;

/// Lab sessions whose applications one server keeps at once (a quiz runs up to
/// `quiz::LABS_AT_ONCE` of them; the rest is room for `serve`'s other visitors).
pub const MAX_SESSIONS: usize = 1024;

/// Where the server's own application is kept among the labs' ones: no lab session
/// is empty, and one that names itself so cannot replace or drop it.
pub(crate) const SESSIONLESS: &str = "";

impl Shared {
    pub(crate) fn new(
        monitor: Option<Monitor>,
        (spans_nodes, room_table): (bool, bool),
        port: u16,
    ) -> Lab {
        Arc::new(Shared {
            port,
            monitor,
            guests: AtomicUsize::new(0),
            spans_nodes,
            room_table,
            closing: AtomicBool::new(false),
            connections: Mutex::default(),
            apps: Default::default(),
            budget: Arc::default(),
            fixed: Default::default(),
        })
    }

    /// A line for the monitor only (`serve`'s log): the labs' collectors learn of it
    /// from the reply that caused it.
    pub(crate) fn log_to_monitor(&self, text: String) {
        if let Some(monitor) = &self.monitor {
            monitor.tell(Activity::Note(Note::Log { text }));
        }
    }

    /// The application the lab session `session` declared, if any.
    /// A socket without a session runs the server's own application, if it has one
    /// (`serve --lesson`).
    pub(crate) fn app_of(&self, session: Option<&str>) -> Option<Arc<crate::app::App>> {
        let apps = self.apps.lock().ok()?;
        apps.get(session.unwrap_or(SESSIONLESS)).cloned()
    }

    /// Keeps `app` for `session`, replacing the one it declared before; a session
    /// beyond [`MAX_SESSIONS`] is refused (each keeps its application until its
    /// control socket leaves).
    pub(crate) fn set_app(&self, session: &str, app: crate::app::App) -> Result<(), String> {
        let mut apps = self.apps.lock().unwrap_or_else(|e| e.into_inner());
        if !apps.contains_key(session) && apps.len() >= MAX_SESSIONS {
            return Err(format!(
                "this server already keeps the applications of {} lab sessions, its limit: \
                 end another lab first",
                crate::safe::thousands(MAX_SESSIONS as u64)
            ));
        }
        apps.insert(session.to_string(), Arc::new(app));
        Ok(())
    }

    /// The session's control socket left: its application goes with it.
    pub(crate) fn drop_app(&self, session: &str) {
        if session == SESSIONLESS {
            return;
        }
        if let Ok(mut apps) = self.apps.lock() {
            apps.remove(session);
        }
    }

    /// Tells the monitor, and the control sockets of the lab session `about` belongs
    /// to: labs that share this server each hear only of their own sockets, which may
    /// have the same names. A socket of no session (a visitor's page, which the web
    /// demo's lab watches) is told to every lab.
    pub(crate) fn tell<A: Adapter>(
        &self,
        io: &SocketIo<A>,
        about: &SocketRef<A>,
        activity: Activity,
    ) {
        if let Activity::Note(note) = &activity {
            let session = |socket: &SocketRef<A>| {
                socket
                    .extensions
                    .get::<super::app::Session>()
                    .map(|super::app::Session(s)| s)
            };
            let theirs = session(about);
            // Sent with the synchronous per-socket emit so that the note is queued
            // before anything the caller queues afterwards (the welcome, say).
            for control in io.of(CONTROL_NS).map(|ns| ns.sockets()).unwrap_or_default() {
                if theirs.is_none() || session(&control) == theirs {
                    let _ = control.emit(NOTE, note);
                }
            }
        }
        if let Some(monitor) = &self.monitor {
            monitor.tell(activity);
        }
    }

    /// Tells the monitor about an emit by `socket`, and gives the reply: who it
    /// reached, and `ok` only when it could be sent to every selected socket.
    pub(crate) fn emitted<A: Adapter>(
        &self,
        socket: &SocketRef<A>,
        io: &SocketIo<A>,
        (call, event): (String, &str),
        selected: Vec<String>,
        missed: Missed,
    ) -> Reply {
        let error = missed.any().then(|| {
            format!(
                "`{}` was {}",
                safe::capped(event),
                missed.words(selected.len())
            )
        });
        let reply = Reply {
            ok: error.is_none(),
            delivered_to: missed.reached(&selected),
            error,
            ..Reply::default()
        };
        let activity = Activity::Emitted {
            name: name_of(socket),
            namespace: socket.ns().to_string(),
            call,
            event: event.to_string(),
            delivered_to: selected,
            missed,
        };
        self.tell(io, socket, activity);
        reply
    }

    /// Tells the monitor who is in which room now, if it asked to know. `leaving` is
    /// a socket whose disconnect handler is running: socketioxide still lists it
    /// until the handler returns, but it is gone.
    pub(crate) fn rooms_changed<A: Adapter>(
        &self,
        io: &SocketIo<A>,
        leaving: Option<&SocketRef<A>>,
    ) {
        let Some(monitor) = self.monitor.as_ref().filter(|_| self.room_table) else {
            return;
        };
        let mut table = RoomTable::new();
        for ns in [MAIN_NS, ADMIN_NS] {
            let Some(op) = io.of(ns) else { continue };
            for socket in op.sockets() {
                // By namespace too: socketioxide gives a connection's sockets one id.
                if leaving.is_some_and(|l| l.id == socket.id && l.ns() == ns) {
                    continue;
                }
                let rooms = table.entry(ns.to_string()).or_default();
                let name = name_of(&socket);
                for room in visible_rooms(&socket) {
                    rooms.entry(room).or_default().push(name.clone());
                }
            }
        }
        for members in table.values_mut().flat_map(|rooms| rooms.values_mut()) {
            members.sort();
        }
        monitor.tell(Activity::Rooms(table));
    }

    /// The number of the connection `socket` travels on, given on its first socket.
    pub(crate) fn connection_of<A: Adapter>(&self, socket: &SocketRef<A>) -> u64 {
        let mut numbers = self.connections.lock().unwrap_or_else(|p| p.into_inner());
        let sid = socket.id.to_string();
        if let Some(n) = numbers.by_sid.get(&sid) {
            return *n;
        }
        numbers.last += 1;
        let n = numbers.last;
        numbers.by_sid.insert(sid, n);
        numbers.peak = numbers.peak.max(numbers.by_sid.len());
        n
    }

    /// Forgets the number of `leaving`'s connection once no lesson socket is on it.
    pub(crate) fn left<A: Adapter>(&self, io: &SocketIo<A>, leaving: &SocketRef<A>) {
        let still_on = [MAIN_NS, ADMIN_NS].iter().any(|ns| {
            io.of(*ns).is_some_and(|op| {
                op.sockets()
                    .iter()
                    .any(|s| s.id == leaving.id && s.ns() != leaving.ns())
            })
        });
        if !still_on {
            let mut numbers = self.connections.lock().unwrap_or_else(|p| p.into_inner());
            numbers.by_sid.remove(leaving.id.as_str());
            if numbers.by_sid.is_empty() && numbers.peak >= GIVE_BACK_AFTER {
                numbers.peak = 0;
                numbers.by_sid.shrink_to_fit();
                give_memory_back();
            }
        }
    }

    pub(crate) fn fixed_namespace(&self, path: &str) {
        if let Ok(mut fixed) = self.fixed.lock() {
            fixed.insert(path.to_string());
        }
    }

    /// Removes the dynamic child namespace `leaving` was in once it is empty. On a
    /// task of its own: socketioxide lists the socket until its disconnect handler
    /// (the caller) returns, and removing a namespace closes the sockets left in it.
    pub(crate) fn prune<A: Adapter>(&self, io: &SocketIo<A>, leaving: &SocketRef<A>) {
        let path = leaving.ns().to_string();
        let lab_own = [MAIN_NS, ADMIN_NS, CONTROL_NS].contains(&path.as_str());
        if lab_own || self.fixed.lock().map_or(true, |f| f.contains(&path)) {
            return;
        }
        let (io, id) = (io.clone(), leaving.id);
        tokio::spawn(async move {
            let Some(ns) = io.of(path.as_str()) else {
                return;
            };
            if ns.sockets().iter().all(|s| s.id == id) {
                io.delete_ns(path);
            }
        });
    }

    pub(crate) fn close(&self) {
        self.closing.store(true, Ordering::Relaxed);
    }

    /// The reason strings of the JavaScript server, so both servers read the same.
    pub(crate) fn reason_text(&self, reason: DisconnectReason) -> &'static str {
        if self.closing.load(Ordering::Relaxed) {
            return "server shutting down";
        }
        match reason {
            DisconnectReason::TransportClose => "transport close",
            DisconnectReason::MultipleHttpPollingError | DisconnectReason::PacketParsingError => {
                "parse error"
            }
            DisconnectReason::TransportError => "transport error",
            DisconnectReason::HeartbeatTimeout => "ping timeout",
            DisconnectReason::ClientNSDisconnect => "client namespace disconnect",
            DisconnectReason::ServerNSDisconnect => "server namespace disconnect",
            DisconnectReason::ClosingServer => "server shutting down",
        }
    }

    /// The socket's name from its handshake, cut to `MAX_NAME` characters: the
    /// server keeps it and shows it in every note and log line about the socket.
    pub(crate) fn name_from_auth(&self, auth: Option<&Value>) -> String {
        match auth.and_then(|a| a.get("name")).and_then(Value::as_str) {
            Some(name) if !name.is_empty() => name.chars().take(MAX_NAME).collect(),
            _ => format!("guest-{}", self.guests.fetch_add(1, Ordering::Relaxed) + 1),
        }
    }
}

pub(crate) fn set_name<A: Adapter>(socket: &SocketRef<A>, name: String) {
    socket.extensions.insert(LabName(name));
}

pub(crate) fn name_of<A: Adapter>(socket: &SocketRef<A>) -> String {
    socket
        .extensions
        .get::<LabName>()
        .map(|n| n.0)
        .unwrap_or_else(|| socket.id.to_string())
}

/// Rooms of a socket as the learner knows them: the own-id room left out, sorted.
pub fn visible_rooms<A: Adapter>(socket: &SocketRef<A>) -> Vec<String> {
    let own = socket.id.to_string();
    let mut rooms: Vec<String> = socket
        .rooms()
        .into_iter()
        .map(|r| r.to_string())
        .filter(|r| *r != own)
        .collect();
    rooms.sort();
    rooms
}

pub(crate) fn sorted_names<A: Adapter>(sockets: Vec<SocketRef<A>>) -> Vec<String> {
    let mut names: Vec<String> = sockets.iter().map(name_of).collect();
    names.sort();
    names
}

/// `lab:state`: the sockets and rooms of each of `namespaces` on this node (a
/// dynamic namespace's children by their paths, as socketioxide keeps them).
pub(crate) fn state<A: Adapter>(
    io: &SocketIo<A>,
    lab: &Shared,
    namespaces: &[&str],
) -> ServerState {
    let mut state = ServerState::default();
    for &ns in namespaces {
        let Some(op) = io.of(ns) else { continue };
        let mut entry = NamespaceState::default();
        for socket in op.sockets() {
            let name = name_of(&socket);
            entry.sockets.push(SocketInfo {
                name: name.clone(),
                sid: socket.id.to_string(),
                connection: lab.connection_of(&socket),
            });
            for room in socket.rooms() {
                entry
                    .rooms
                    .entry(room.to_string())
                    .or_default()
                    .push(name.clone());
            }
        }
        entry.sockets.sort_by(|a, b| a.name.cmp(&b.name));
        for members in entry.rooms.values_mut() {
            members.sort();
        }
        state.namespaces.insert(ns.to_string(), entry);
    }
    state
}

/// The last of many connections left: hand the freed heap back to the system.
/// glibc's allocator keeps freed memory for reuse, so after a round of 3,000 fan-out
/// clients `serve` stayed at 147 MB against 25 MB before it; `malloc_trim` brought
/// it to 33 MB. A moment later, not at once: the sockets' last references (their
/// handler tasks, their engine.io buffers) are dropped just after the last
/// disconnection is handled.
fn give_memory_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            // SAFETY: malloc_trim only returns free pages of glibc's own heap.
            let _ = tokio::task::spawn_blocking(|| unsafe { libc::malloc_trim(0) }).await;
        });
    }
}

#[cfg(test)]
mod session_tests {
    use super::*;

    /// Issue 28, item 5: lab sessions are bounded in all; a session already kept may
    /// still replace its application, and one that ended makes room.
    #[test]
    fn sessions_beyond_the_limit_are_refused_and_an_ended_one_makes_room() {
        let lab = Shared::new(None, (false, false), 0);
        let app = crate::app::App::default();
        for n in 0..MAX_SESSIONS {
            lab.set_app(&format!("s{n}"), app.clone()).unwrap();
        }
        let refused = lab.set_app("one-more", app.clone()).unwrap_err();
        assert!(refused.contains("1,024 lab sessions"), "{refused}");
        lab.set_app("s0", app.clone())
            .expect("a kept session replaces its own");
        lab.drop_app("s1");
        lab.set_app("one-more", app)
            .expect("an ended session made room");
    }
}
