//! `socketio-lab serve`: the lab server on its own, for learners who bring their own
//! clients, narrating live what the server sees.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::TcpListener;

use crate::paint::Paint;
use crate::protocol::Note;
use crate::safe;
use crate::server::{self, Activity, Monitor, MonitorFeed, ServerConfig};
use crate::trace::RoomTable;

/// What `serve` runs and shows besides its log.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServeOptions {
    /// The room table after every join, leave and disconnection that changes it.
    pub rooms: bool,
    /// A lesson's declared application, which clients without a lab session run
    /// instead of the fixed chat: the lesson's id and its application.
    pub lesson: Option<(String, crate::app::App)>,
    /// Text written last, after `server stopped` (the binary's `next:` line). It is
    /// written by the log's own thread, like every line after the first ones: a
    /// stdout nobody reads never blocks the thread that stops the server.
    pub closing: String,
    /// Origins whose pages may use the server besides its own (`--allow-origin`).
    pub allow_origins: Vec<String>,
}

/// Names listed in one line of the log, at most.
pub const LISTED: usize = 20;

/// One line of the live log for something the server did. Names, rooms, event
/// names and reasons come from clients: each is shown escaped and capped (`safe`).
/// Connections and disconnections are plain facts: the application logs its own
/// lines (`a user connected`), which come as log notes.
pub fn describe(activity: &Activity, paint: Paint) -> String {
    let ns = |namespace: &str| {
        if namespace == "/" {
            String::new()
        } else {
            format!(" on {}", safe::capped(namespace))
        }
    };
    // A list from a client (rooms joined at once, say) is cut after `LISTED` names:
    // one join to 10,000 rooms is a line, not 129 KB.
    let names = |names: &[String]| {
        let shown: Vec<_> = names.iter().take(LISTED).map(|n| safe::capped(n)).collect();
        let mut line = shown.join(", ");
        if names.len() > LISTED {
            line.push_str(&format!(" and {} more", names.len() - LISTED));
        }
        line
    };
    match activity {
        Activity::Note(Note::Connect { name, namespace }) => paint.dim(&format!(
            "{} connected{}",
            safe::capped(name),
            ns(namespace)
        )),
        Activity::Note(Note::Disconnect {
            name,
            namespace,
            reason,
        }) => paint.dim(&format!(
            "{} disconnected{}: {}",
            safe::capped(name),
            ns(namespace),
            safe::capped(reason)
        )),
        Activity::Note(Note::Refuse {
            name,
            namespace,
            reason,
        }) => paint.warn(&format!(
            "refused {} on {}: {}",
            safe::capped(name),
            safe::capped(namespace),
            safe::capped(reason)
        )),
        // What the application logged, which may carry a client's text (`message:
        // …`): escaped and capped like every other client-given word.
        Activity::Note(Note::Log { text }) => safe::capped(text).into_owned(),
        Activity::Note(Note::Emit {
            name,
            namespace,
            event,
            delivered_to,
            error,
            ..
        }) => {
            let to = if delivered_to.is_empty() {
                "nobody".to_string()
            } else {
                names(delivered_to)
            };
            let mut line = format!(
                "{}'s handler emitted {} to {to}{}",
                paint.name(&safe::capped(name)),
                paint.code(&format!("\"{}\"", safe::capped(event))),
                ns(namespace)
            );
            if let Some(error) = error {
                line.push_str(&paint.warn(&format!(" ({})", safe::capped(error))));
            }
            line
        }
        Activity::Note(Note::Handled {
            name,
            namespace,
            event,
            unhandled,
            refused,
        }) => {
            // A refused event is never called handled: no operation of it ran.
            if let Some(why) = refused {
                return paint.warn(&format!(
                    "refused {} from {}{}: {}",
                    safe::capped(event),
                    safe::capped(name),
                    ns(namespace),
                    safe::capped(why)
                ));
            }
            let what = if *unhandled {
                "no handler for"
            } else {
                "handled"
            };
            paint.dim(&format!(
                "{what} {} from {}{}",
                safe::capped(event),
                safe::capped(name),
                ns(namespace)
            ))
        }
        Activity::Note(Note::Callback {
            name,
            namespace,
            event,
            err,
            answers,
        }) => paint.dim(&format!(
            "the callback of {}'s {} ran: err {}, answers {}{}",
            safe::capped(name),
            safe::capped(event),
            safe::capped(err.as_deref().unwrap_or("none")),
            safe::capped(&serde_json::Value::from(answers.clone()).to_string()),
            ns(namespace)
        )),
        Activity::Note(Note::Unheard {
            name,
            namespace,
            event,
        }) => paint.warn(&format!(
            "{} from {}{} came before any handler for it: lost",
            safe::capped(event),
            safe::capped(name),
            ns(namespace)
        )),
        Activity::Joined {
            name,
            namespace,
            rooms,
        } => format!(
            "{} joined {}{}",
            paint.name(&safe::capped(name)),
            names(rooms),
            ns(namespace)
        ),
        Activity::Left {
            name,
            namespace,
            rooms,
        } => format!(
            "{} left {}{}",
            paint.name(&safe::capped(name)),
            names(rooms),
            ns(namespace)
        ),
        Activity::Emitted {
            name,
            namespace,
            call,
            event,
            delivered_to,
            missed,
        } => {
            let to = match missed.reached(delivered_to) {
                Some(reached) if reached.is_empty() => "nobody".to_string(),
                Some(reached) => names(&reached),
                None => format!("some of {}", names(delivered_to)),
            };
            let line = format!(
                "{}{} {} {to}",
                paint.name(&safe::capped(name)),
                paint.dim(&format!("{}:", ns(namespace))),
                paint.code(&format!(
                    "{}.emit(\"{}\") →",
                    safe::capped(call),
                    safe::capped(event)
                ))
            );
            if missed.any() {
                let why = format!("({})", missed.words(delivered_to.len()));
                format!("{line} {}", paint.warn(&why))
            } else {
                line
            }
        }
        Activity::Rooms(table) => room_table(table, paint),
    }
}

/// The room table as `--rooms` shows it, one line per namespace with sockets:
/// `rooms  /      r1: alice, bob  r2: bob`, the way `run` shows rooms after a step.
pub fn room_table(table: &RoomTable, paint: Paint) -> String {
    if table.is_empty() {
        return format!(
            "{} {}",
            paint.dim("rooms "),
            paint.dim("(no sockets connected)")
        );
    }
    let lines: Vec<String> = table
        .iter()
        .map(|(ns, rooms)| {
            let listed: Vec<String> = rooms
                .iter()
                .map(|(room, members)| {
                    let names: Vec<_> = members.iter().map(|n| safe::capped(n)).collect();
                    format!("{}: {}", paint.bold(&safe::capped(room)), names.join(", "))
                })
                .collect();
            let listed = if listed.is_empty() {
                paint.dim("(no rooms)")
            } else {
                listed.join("  ")
            };
            format!("{} {:<6} {listed}", paint.dim("rooms "), safe::capped(ns))
        })
        .collect();
    lines.join("\n")
}

/// Log lines that may wait for a slow reader; beyond this they are dropped and
/// counted, so that a stdout nobody reads neither blocks the server nor grows it.
const BACKLOG: usize = 1024;

fn not_shown(dropped: u64) -> Option<String> {
    match dropped {
        0 => None,
        1 => Some("… 1 line not shown (the output was not read fast enough)".to_string()),
        n => Some(format!(
            "… {} lines not shown (the output was not read fast enough)",
            crate::safe::thousands(n)
        )),
    }
}

/// Writes the log on a thread of its own, straight from the server's bounded
/// monitor: a blocked `out` stalls only this thread, and the server drops (and
/// counts) what does not fit. When the server is gone it writes the last lines
/// (what was not shown, `server stopped`, then `closing`) and says so on `done`.
fn printer<W: Write + Send + 'static>(
    mut out: W,
    mut feed: MonitorFeed,
    (paint, closing, writing): (Paint, String, Arc<Writing>),
    done: tokio::sync::oneshot::Sender<std::io::Result<()>>,
) {
    std::thread::spawn(move || {
        // The table is shown when it changed: a disconnection outside any room
        // leaves it as it was.
        let mut last_table = None;
        while let Some(activity) = feed.blocking_next() {
            if let Activity::Rooms(table) = &activity {
                if last_table.as_ref() == Some(table) {
                    continue;
                }
                last_table = Some(table.clone());
            }
            let skipped = not_shown(feed.take_dropped());
            let line = describe(&activity, paint);
            writing.start();
            let written = skipped
                .iter()
                .chain(std::iter::once(&line))
                .try_for_each(|l| writeln!(out, "{l}"))
                .and_then(|()| out.flush());
            writing.end();
            if written.is_err() {
                return;
            }
        }
        let ended = not_shown(feed.take_dropped())
            .iter()
            .try_for_each(|l| writeln!(out, "{l}"))
            .and_then(|()| writeln!(out, "server stopped"))
            .and_then(|()| write!(out, "{closing}"))
            .and_then(|()| out.flush());
        let _ = done.send(ended);
    });
}

/// Whether the log's thread is inside one write, and since when: a write that has
/// not returned for [`STUCK_AFTER`] is a stdout nobody reads, and stopping then waits
/// for it no longer.
struct Writing {
    epoch: Instant,
    /// Milliseconds from `epoch` when the write began, plus one; 0 when not writing.
    since: AtomicU64,
}

const STUCK_AFTER: Duration = Duration::from_millis(100);

impl Writing {
    fn new() -> Arc<Writing> {
        Arc::new(Writing {
            epoch: Instant::now(),
            since: AtomicU64::new(0),
        })
    }

    fn now(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64 + 1
    }

    fn start(&self) {
        self.since.store(self.now(), Ordering::Release);
    }

    fn end(&self) {
        self.since.store(0, Ordering::Release);
    }

    fn stuck(&self) -> bool {
        match self.since.load(Ordering::Acquire) {
            0 => false,
            since => self.now().saturating_sub(since) >= STUCK_AFTER.as_millis() as u64,
        }
    }
}

/// The warning for a server that listens beyond this machine, if it does.
pub fn exposure(host: IpAddr) -> Option<String> {
    (!host.is_loopback()).then(|| {
        format!(
            "`--host {host}` is not a loopback address: anyone on the network can connect \
             to this server and drive the lab; the default `--host 127.0.0.1` keeps it on \
             this machine"
        )
    })
}

/// The address a client on this machine reaches `bound` at: bound to every
/// interface, loopback is one of them.
fn reachable(bound: SocketAddr) -> SocketAddr {
    let ip = match bound.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, bound.port())
}

/// Serves the lab on `listener` until `stop` resolves, writing one line to `out` for
/// everything the server sees. The first line names the address it is bound to.
pub async fn serve(
    listener: TcpListener,
    options: ServeOptions,
    mut out: impl Write + Send + 'static,
    paint: Paint,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let bound = listener.local_addr()?;
    writeln!(out, "listening on {bound}")?;
    let hint = format!(
        "connect a Socket.IO client to http://{} (send `auth: {{ name }}` to be named); Ctrl-C stops",
        reachable(bound)
    );
    writeln!(out, "{}", paint.dim(&hint))?;
    let (what, app) = match options.lesson {
        Some((id, app)) => (format!("the server code of lesson `{id}`"), app),
        None => (
            "the tutorial's chat".to_string(),
            crate::app::tutorial_chat(),
        ),
    };
    let what = format!(
        "a client without a lab session runs {what}, as Node would run it (the lab's own \
         `lab:` events aside):"
    );
    for line in crate::view::wrap(&what, 0, crate::view::WIDTH).lines() {
        writeln!(out, "{}", paint.dim(line))?;
    }
    for line in crate::app::js::app(&app).lines() {
        writeln!(out, "  {}", paint.code(line))?;
    }
    out.flush()?;
    let (monitor, feed) = Monitor::new(BACKLOG);
    let (done, printed) = tokio::sync::oneshot::channel();
    let writing = Writing::new();
    printer(out, feed, (paint, options.closing, writing.clone()), done);
    let stopping = monitor.clone();
    let stuck = writing.clone();
    let config = ServerConfig {
        monitor: Some(monitor.clone()),
        room_table: options.rooms,
        app: Some(app),
        allow_origins: options.allow_origins.clone(),
        ..ServerConfig::default()
    };
    server::run(listener, config, async move {
        stop.await;
        let text = "stopping: disconnecting every socket".to_string();
        // Not to be dropped, unless the output is stuck: then Ctrl-C still stops.
        let line = Activity::Note(Note::Log { text });
        if stuck.stuck() {
            stopping.tell(line);
        } else {
            stopping.say(line, Duration::from_millis(200)).await;
        }
    })
    .await?;
    // The last lines are written unless the output stays stuck; then give up quietly:
    // this thread never writes once the log's thread has the output. A stdout that
    // was stuck a moment ago may be read again now (a pager, a slow reader), so it
    // gets the same bounded wait, which keeps Ctrl-C within its 2 s.
    let finished = async {
        monitor.end().await;
        printed.await
    };
    match tokio::time::timeout(Duration::from_millis(500), finished).await {
        Ok(Ok(written)) => written,
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_host_beyond_this_machine_is_warned_about() {
        for host in ["0.0.0.0", "::", "192.168.1.5", "fe80::1"] {
            let warning = exposure(host.parse().unwrap());
            assert!(
                warning.is_some_and(|w| w.contains("anyone on the network can connect")),
                "{host}"
            );
        }
        for host in ["127.0.0.1", "127.0.0.2", "::1"] {
            assert_eq!(exposure(host.parse().unwrap()), None, "{host}");
        }
    }

    #[test]
    fn the_room_table_is_one_line_per_namespace_with_names_escaped() {
        use std::collections::BTreeMap;
        let mut table = RoomTable::new();
        assert_eq!(
            room_table(&table, Paint::PLAIN),
            "rooms  (no sockets connected)"
        );
        let members = vec!["bob".to_string(), "eve\u{1b}[2J".to_string()];
        table.insert("/".into(), BTreeMap::from([("r1".to_string(), members)]));
        table.insert("/admin".into(), BTreeMap::new());
        assert_eq!(
            room_table(&table, Paint::PLAIN),
            "rooms  /      r1: bob, eve\\e[2J\nrooms  /admin (no rooms)"
        );
    }

    #[test]
    fn the_hint_names_an_address_this_machine_reaches() {
        let shown = |a: &str| reachable(a.parse().unwrap()).to_string();
        assert_eq!(shown("0.0.0.0:3000"), "127.0.0.1:3000");
        assert_eq!(shown("[::]:3000"), "[::1]:3000");
        assert_eq!(shown("127.0.0.1:3000"), "127.0.0.1:3000");
        assert_eq!(shown("[::1]:3000"), "[::1]:3000");
    }
}
