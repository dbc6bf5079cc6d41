//! `socketio-lab serve`: the lab server on its own, for learners who bring their own
//! clients, narrating live what the server sees.

use std::io::Write;
use std::net::IpAddr;
use std::process::ExitCode;

use tokio::net::TcpListener;
use tokio::sync::mpsc::unbounded_channel;

use crate::cli::{error, EXIT_FAILED};
use crate::paint::Paint;
use crate::protocol::Note;
use crate::server::{self, Activity, ServerConfig};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Port to listen on (0 picks a free one)
    #[arg(long, default_value_t = 3000)]
    pub port: u16,
    /// Address to bind; the default keeps the server on this machine
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
}

/// One line of the live log for something the server did.
pub fn describe(activity: &Activity, paint: Paint) -> String {
    let ns = |namespace: &str| {
        if namespace == "/" {
            String::new()
        } else {
            format!(" on {namespace}")
        }
    };
    match activity {
        Activity::Note(Note::Connect { name, namespace }) => {
            format!(
                "{}  {}",
                paint.code("a user connected"),
                paint.dim(&format!("({name}{})", ns(namespace)))
            )
        }
        Activity::Note(Note::Disconnect {
            name,
            namespace,
            reason,
        }) => format!(
            "{}  {}",
            paint.code("user disconnected"),
            paint.dim(&format!("({name}{}: {reason})", ns(namespace)))
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

/// Resolves when the user asks the server to stop (Ctrl-C, or SIGTERM on Unix). The
/// handlers are installed when this is called, not when it is first awaited, so a
/// signal that comes right after `listening on` is not lost.
#[cfg(unix)]
fn stop_requested() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{signal, SignalKind};
    let interrupt = signal(SignalKind::interrupt());
    let terminate = signal(SignalKind::terminate());
    async move {
        match (interrupt, terminate) {
            (Ok(mut int), Ok(mut term)) => {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
}

#[cfg(not(unix))]
fn stop_requested() -> impl std::future::Future<Output = ()> {
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

pub async fn run(args: &ServeArgs, paint: Paint) -> ExitCode {
    let listener = match TcpListener::bind((args.host, args.port)).await {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            return error(
                format!(
                    "port {} is already in use on {}: choose another with `--port`",
                    args.port, args.host
                ),
                paint,
            )
        }
        Err(e) => {
            return error(
                format!("cannot listen on {}:{}: {e}", args.host, args.port),
                paint,
            )
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(args.port);
    let stop = stop_requested();
    let (monitor, mut activity) = unbounded_channel();
    let printer = tokio::spawn(async move {
        let mut out = std::io::stdout();
        while let Some(a) = activity.recv().await {
            let _ = writeln!(out, "{}", describe(&a, paint));
            let _ = out.flush();
        }
    });

    println!("listening on *:{port}");
    println!(
        "{}",
        paint.dim(&format!(
            "connect a Socket.IO client to http://{}:{port} (send `auth: {{ name }}` to be named); Ctrl-C stops",
            args.host
        ))
    );
    let _ = std::io::stdout().flush();

    let result = server::run(
        listener,
        ServerConfig {
            monitor: Some(monitor),
            ..ServerConfig::default()
        },
        async move {
            stop.await;
            println!("{}", paint.dim("stopping: disconnecting every socket"));
        },
    )
    .await;
    // Every sender is gone once the server is; bound the wait all the same.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), printer).await;
    match result {
        Ok(()) => {
            println!("server stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{} the server failed: {e}", paint.bad("error:"));
            ExitCode::from(EXIT_FAILED)
        }
    }
}
