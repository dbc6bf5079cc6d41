//! `socketio-lab serve`: the lab server on its own, for learners who bring their own
//! clients, narrating live what the server sees.

use std::io::Write;
use std::net::IpAddr;

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
    // One writer for every line, so that lines never interleave.
    let printer = tokio::spawn(async move {
        while let Some(a) = activity.recv().await {
            if writeln!(out, "{}", describe(&a, paint))
                .and_then(|()| out.flush())
                .is_err()
            {
                break;
            }
        }
        out
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
    // Every sender is gone once the server is; bound the wait all the same.
    let printed = tokio::time::timeout(std::time::Duration::from_secs(1), printer).await;
    result?;
    if let Ok(Ok(mut out)) = printed {
        writeln!(out, "server stopped")?;
        out.flush()?;
    }
    Ok(())
}
