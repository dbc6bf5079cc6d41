//! `socketio-lab serve`: the lab server on its own, for learners who bring their own
//! clients, narrating live what the server sees.

use std::io::Write;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::TrySendError;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::mpsc::unbounded_channel;

use crate::paint::Paint;
use crate::protocol::Note;
use crate::server::{self, Activity, ServerConfig};

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

fn not_shown(dropped: &AtomicU64) -> Option<String> {
    match dropped.swap(0, Ordering::Relaxed) {
        0 => None,
        1 => Some("… 1 line not shown (the output was not read fast enough)".to_string()),
        n => Some(format!(
            "… {} lines not shown (the output was not read fast enough)",
            thousands(n)
        )),
    }
}

/// Writes log lines on a thread of its own: a blocked `out` stalls only this thread.
fn printer<W: Write + Send + 'static>(
    mut out: W,
    lines: std::sync::mpsc::Receiver<String>,
    dropped: Arc<AtomicU64>,
    done: tokio::sync::oneshot::Sender<W>,
) {
    std::thread::spawn(move || {
        for line in lines {
            let skipped = not_shown(&dropped);
            let written = skipped
                .iter()
                .chain(std::iter::once(&line))
                .try_for_each(|l| writeln!(out, "{l}"))
                .and_then(|()| out.flush());
            if written.is_err() {
                return;
            }
        }
        let _ = done.send(out);
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
    let (monitor, mut activity) = unbounded_channel();
    let (lines, queued) = std::sync::mpsc::sync_channel::<String>(BACKLOG);
    let dropped = Arc::new(AtomicU64::new(0));
    let (done, printed) = tokio::sync::oneshot::channel();
    printer(out, queued, dropped.clone(), done);
    // Drains the server's channel at once, so that it never grows.
    let counter = dropped.clone();
    tokio::spawn(async move {
        while let Some(a) = activity.recv().await {
            match lines.try_send(describe(&a, paint)) {
                Ok(()) => {}
                Err(TrySendError::Full(_)) => {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
                Err(TrySendError::Disconnected(_)) => break,
            }
        }
    });
    let stopping = monitor.clone();
    let result = server::run(
        listener,
        ServerConfig {
            monitor: Some(monitor),
            ..ServerConfig::default()
        },
        async move {
            stop.await;
            let text = paint.dim("stopping: disconnecting every socket");
            let _ = stopping.send(Activity::Note(Note::Log { text }));
        },
    )
    .await;
    result?;
    // The last lines are written unless the output is stuck; then give up quietly.
    if let Ok(Ok(mut out)) = tokio::time::timeout(Duration::from_secs(1), printed).await {
        if let Some(skipped) = not_shown(&dropped) {
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
