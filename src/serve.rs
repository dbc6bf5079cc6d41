//! `socketio-lab serve`: the lab server on its own, for learners who bring their own
//! clients, narrating live what the server sees.

use std::io::Write;
use std::net::IpAddr;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::paint::Paint;
use crate::protocol::Note;
use crate::server::{self, Activity, Monitor, MonitorFeed, ServerConfig};

/// One line of the live log for something the server did.
pub fn describe(activity: &Activity, paint: Paint) -> String {
    let ns = |namespace: &str| {
        if namespace == "/" {
            String::new()
        } else {
            format!(" on {namespace}")
        }
    };
    // The chat example's own log line, then who it was about.
    let logged = |line: &str, about: String| {
        format!("{}  {}", paint.code(line), paint.dim(&format!("({about})")))
    };
    match activity {
        Activity::Note(Note::Connect { name, namespace }) => {
            logged("a user connected", format!("{name}{}", ns(namespace)))
        }
        Activity::Note(Note::Disconnect {
            name,
            namespace,
            reason,
        }) => logged(
            "user disconnected",
            format!("{name}{}: {reason}", ns(namespace)),
        ),
        Activity::Note(Note::Refuse {
            name,
            namespace,
            reason,
        }) => paint.warn(&format!("refused {name} on {namespace}: {reason}")),
        Activity::Note(Note::Log { text }) => text.clone(),
        Activity::Joined {
            name,
            namespace,
            rooms,
        } => {
            format!(
                "{} joined {}{}",
                paint.name(name),
                rooms.join(", "),
                ns(namespace)
            )
        }
        Activity::Left {
            name,
            namespace,
            rooms,
        } => {
            format!(
                "{} left {}{}",
                paint.name(name),
                rooms.join(", "),
                ns(namespace)
            )
        }
        Activity::Emitted {
            name,
            namespace,
            call,
            event,
            delivered_to,
        } => {
            let to = if delivered_to.is_empty() {
                "nobody".to_string()
            } else {
                delivered_to.join(", ")
            };
            format!(
                "{}{} {} {to}",
                paint.name(name),
                paint.dim(&format!("{}:", ns(namespace))),
                paint.code(&format!("{call}.emit({event:?}) →"))
            )
        }
    }
}

/// Log lines that may wait for a slow reader; beyond this they are dropped and
/// counted, so that a stdout nobody reads neither blocks the server nor grows it.
const BACKLOG: usize = 1024;

/// "12,345": counts of dropped lines are read at a glance.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn not_shown(dropped: u64) -> Option<String> {
    match dropped {
        0 => None,
        1 => Some("… 1 line not shown (the output was not read fast enough)".to_string()),
        n => Some(format!(
            "… {} lines not shown (the output was not read fast enough)",
            thousands(n)
        )),
    }
}

/// Writes the log on a thread of its own, straight from the server's bounded
/// monitor: a blocked `out` stalls only this thread, and the server drops (and
/// counts) what does not fit. Hands `out` back when the server is gone.
fn printer<W: Write + Send + 'static>(
    mut out: W,
    mut feed: MonitorFeed,
    paint: Paint,
    done: tokio::sync::oneshot::Sender<(W, u64)>,
) {
    std::thread::spawn(move || {
        while let Some(activity) = feed.blocking_next() {
            let skipped = not_shown(feed.take_dropped());
            let line = describe(&activity, paint);
            let written = skipped
                .iter()
                .chain(std::iter::once(&line))
                .try_for_each(|l| writeln!(out, "{l}"))
                .and_then(|()| out.flush());
            if written.is_err() {
                return;
            }
        }
        let _ = done.send((out, feed.take_dropped()));
    });
}

/// Serves the lab on `listener` until `stop` resolves, writing one line to `out` for
/// everything the server sees. `host` is only named in the hint line.
pub async fn serve(
    listener: TcpListener,
    host: IpAddr,
    mut out: impl Write + Send + 'static,
    paint: Paint,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let port = listener.local_addr()?.port();
    writeln!(out, "listening on *:{port}")?;
    let hint = format!(
        "connect a Socket.IO client to http://{host}:{port} (send `auth: {{ name }}` to be named); Ctrl-C stops"
    );
    writeln!(out, "{}", paint.dim(&hint))?;
    out.flush()?;
    let (monitor, feed) = Monitor::new(BACKLOG);
    let (done, printed) = tokio::sync::oneshot::channel();
    printer(out, feed, paint, done);
    let stopping = monitor.clone();
    let config = ServerConfig {
        monitor: Some(monitor.clone()),
        ..ServerConfig::default()
    };
    server::run(listener, config, async move {
        stop.await;
        let text = paint.dim("stopping: disconnecting every socket");
        // Not to be dropped, unless the output is stuck: then Ctrl-C still stops.
        let line = Activity::Note(Note::Log { text });
        stopping.say(line, Duration::from_millis(200)).await;
    })
    .await?;
    // The last lines are written unless the output is stuck; then give up quietly.
    let finished = async {
        monitor.end().await;
        printed.await
    };
    if let Ok(Ok((mut out, dropped))) = tokio::time::timeout(Duration::from_secs(1), finished).await
    {
        if let Some(skipped) = not_shown(dropped) {
            writeln!(out, "{skipped}")?;
        }
        writeln!(out, "server stopped")?;
        out.flush()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_with_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(12345), "12,345");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
