//! Bounded work. Every run of a declared handler or catch-all holds a slot from the
//! moment its event arrives until its last operation is over (a `wait_ms` keeps it):
//! at most [`PER_SOCKET`] per socket, [`IN_ALL`] in the whole server, and the events'
//! arguments they keep at most [`HELD_BYTES`] in all. An event beyond a limit is
//! refused: nothing of its handler runs, and the `handled` note says why
//! (`refused`). A socket's first run is always taken (see [`admit`]). Node would queue it in the socket's order; here a flood from one
//! socket fills that socket's slots alone, and the others are still served.
//! Declared applications are bounded too: [`APPS_PER_SOCKET`] per control socket and
//! [`APPS_PER_SECOND`] in the whole server. (docs/lab-protocol.md, "Bounds on a
//! client's work".)

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::Value;
use socketioxide::adapter::Adapter;
use socketioxide::extract::SocketRef;

/// Handler runs one socket may have waiting or running at once.
pub const PER_SOCKET: usize = 64;
/// Handler runs the server may have waiting or running at once, all sockets together.
pub const IN_ALL: usize = 4096;
/// Bytes of event arguments (as JSON text, about) that waiting handler runs may keep,
/// all together.
pub const HELD_BYTES: usize = 64 << 20;

/// The arguments' bytes (about) up to which a socket's only run is taken beyond the
/// limits in all.
pub const SMALL_EVENT: usize = 4096;

/// Applications (`lab:app`) one control socket may declare; a lab declares one.
pub const APPS_PER_SOCKET: usize = 16;
/// Applications the server takes per second, from all control sockets together (each
/// is validated and may register namespaces).
pub const APPS_PER_SECOND: usize = 50;

/// The server's counts, shared with every slot.
#[derive(Default)]
pub(crate) struct Budget {
    running: AtomicUsize,
    bytes: AtomicUsize,
    /// Declarations in the current one-second window, and when it began.
    apps: std::sync::Mutex<Option<(std::time::Instant, usize)>>,
}

/// One control socket's declarations so far.
#[derive(Clone, Default)]
struct SocketApps(Arc<AtomicUsize>);

/// Whether `control` may declare one more application now, or why not.
pub(crate) fn declare<A: Adapter>(budget: &Budget, control: &SocketRef<A>) -> Result<(), String> {
    let made = match control.extensions.get::<SocketApps>() {
        Some(SocketApps(made)) => made,
        None => {
            let made = SocketApps::default();
            control.extensions.insert(made.clone());
            made.0
        }
    };
    if !take(&made, 1, APPS_PER_SOCKET) {
        return Err(format!(
            "this control socket already declared {APPS_PER_SOCKET} applications, the lab \
             server's limit per socket: connect again for another lab"
        ));
    }
    let now = std::time::Instant::now();
    let mut window = budget.apps.lock().unwrap_or_else(|e| e.into_inner());
    let (began, count) = match *window {
        Some((began, count)) if now.duration_since(began).as_secs() < 1 => (began, count),
        _ => (now, 0),
    };
    if count >= APPS_PER_SECOND {
        made.fetch_sub(1, Ordering::AcqRel);
        return Err(format!(
            "the lab server takes at most {APPS_PER_SECOND} applications a second: try \
             again in a moment"
        ));
    }
    *window = Some((began, count + 1));
    Ok(())
}

/// One socket's count, kept with the socket.
#[derive(Clone, Default)]
struct SocketRuns(Arc<AtomicUsize>);

/// A handler run's place, given back when it is dropped (the run ended, or its task
/// was dropped with the server).
pub(crate) struct Slot {
    budget: Arc<Budget>,
    socket: Arc<AtomicUsize>,
    bytes: usize,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.socket.fetch_sub(1, Ordering::AcqRel);
        self.budget.running.fetch_sub(1, Ordering::AcqRel);
        self.budget.bytes.fetch_sub(self.bytes, Ordering::AcqRel);
    }
}

/// Gives the socket its count; done before any of its events can arrive (in the
/// namespace's middleware) so that two first events never make two counts.
pub(crate) fn open<A: Adapter>(socket: &SocketRef<A>) {
    runs_of(socket);
}

fn runs_of<A: Adapter>(socket: &SocketRef<A>) -> Arc<AtomicUsize> {
    if let Some(SocketRuns(runs)) = socket.extensions.get::<SocketRuns>() {
        return runs;
    }
    let runs = SocketRuns::default();
    socket.extensions.insert(runs.clone());
    runs.0
}

/// Takes one increment of `counter` if that keeps it at most `limit`.
fn take(counter: &AtomicUsize, amount: usize, limit: usize) -> bool {
    counter
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
            n.checked_add(amount).filter(|m| *m <= limit)
        })
        .is_ok()
}

/// A slot for a handler run of `socket` keeping `args`, or why there is none.
///
/// A socket with no run waiting or running gets one even when the server is at its
/// limits, for an event of at most [`SMALL_EVENT`] bytes of arguments: a crowd of
/// flooding sockets cannot lock every other socket out (a lab's client, a fresh
/// page). That adds at most one run and `SMALL_EVENT` bytes per connected socket to
/// the limits in all.
pub(crate) fn admit<A: Adapter>(
    budget: &Arc<Budget>,
    socket: &SocketRef<A>,
    args: &[Value],
) -> Result<Slot, String> {
    let runs = runs_of(socket);
    let Ok(before) = runs.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
        (n < PER_SOCKET).then_some(n + 1)
    }) else {
        return Err(format!(
            "this socket already has {PER_SOCKET} handlers waiting or running, the lab \
             server's limit per socket: the event was refused"
        ));
    };
    let bytes = weight(args);
    if before == 0 && bytes <= SMALL_EVENT {
        budget.running.fetch_add(1, Ordering::AcqRel);
        budget.bytes.fetch_add(bytes, Ordering::AcqRel);
        return Ok(Slot {
            budget: budget.clone(),
            socket: runs,
            bytes,
        });
    }
    if !take(&budget.running, 1, IN_ALL) {
        runs.fetch_sub(1, Ordering::AcqRel);
        return Err(format!(
            "the server already has {} handlers waiting or running, its limit: the event \
             was refused",
            crate::safe::thousands(IN_ALL as u64)
        ));
    }
    if !take(&budget.bytes, bytes, HELD_BYTES) {
        runs.fetch_sub(1, Ordering::AcqRel);
        budget.running.fetch_sub(1, Ordering::AcqRel);
        return Err(format!(
            "the handlers waiting or running hold {} MB of arguments, the lab server's \
             limit: the event was refused",
            HELD_BYTES >> 20
        ));
    }
    Ok(Slot {
        budget: budget.clone(),
        socket: runs,
        bytes,
    })
}

/// About how many bytes `args` take, as JSON text: what bounds the memory a waiting
/// run keeps, without writing the text.
fn weight(args: &[Value]) -> usize {
    fn of(v: &Value) -> usize {
        match v {
            Value::String(s) => s.len() + 2,
            Value::Array(items) => 2 + items.iter().map(of).sum::<usize>(),
            Value::Object(map) => 2 + map.iter().map(|(k, v)| k.len() + 3 + of(v)).sum::<usize>(),
            _ => 8,
        }
    }
    args.iter().map(of).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_never_passes_its_limit_and_gives_back_what_it_took() {
        let counter = AtomicUsize::new(0);
        assert!((0..3).all(|_| take(&counter, 1, 3)));
        assert!(!take(&counter, 1, 3));
        assert_eq!(counter.load(Ordering::Acquire), 3);
        assert!(!take(&counter, usize::MAX, usize::MAX));
    }

    #[test]
    fn arguments_weigh_about_their_json_text() {
        let args = [serde_json::json!({"k": ["ab", 1]}), Value::from("xyz")];
        let text: usize = args.iter().map(|a| a.to_string().len()).sum();
        let w = weight(&args);
        assert!(w >= text && w <= 2 * text, "{w} for {text}");
    }
}
