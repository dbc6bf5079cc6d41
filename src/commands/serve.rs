//! `socketio-lab serve`: the lab server alone, narrating what it sees.

use std::io::Write;

use socketio_lab::judge::Verdict;
use socketio_lab::paint::Paint;
use socketio_lab::path::After;
use socketio_lab::registry::Registry;
use socketio_lab::serve::ServeOptions;
use tokio::net::TcpListener;

use crate::cli::ServeArgs;
use crate::error::Error;

/// Not under `term::interruptible`: Ctrl-C is how a server is meant to stop (exit 0).
pub async fn run(registry: &Registry, args: &ServeArgs, paint: Paint) -> Result<Verdict, Error> {
    let listener = TcpListener::bind((args.host, args.port))
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AddrInUse => Error::Usage(format!(
                "port {} is already in use on {}: choose another with `--port`",
                args.port, args.host
            )),
            _ => Error::Usage(format!("cannot listen on {}:{}: {e}", args.host, args.port)),
        })?;
    if let Some(warning) = socketio_lab::serve::exposure(args.host) {
        // Like every other line of the binary, a closed stderr is no reason to stop.
        let _ = writeln!(std::io::stderr(), "warning: {warning}");
    }
    let stop = crate::term::stop_requested();
    let lesson = match &args.lesson {
        None => None,
        Some(id) => Some((id.clone(), declared_app(registry, id)?)),
    };
    // What to do next is written by the log's thread, after `server stopped`: this
    // thread handles Ctrl-C and must never wait on a stdout nobody reads.
    let closing = super::next::text(&After::Serve, registry, paint);
    let options = ServeOptions {
        rooms: args.rooms,
        lesson,
        closing: format!("\n{closing}"),
        allow_origins: args.allow_origin.clone(),
    };
    socketio_lab::serve::serve(listener, options, std::io::stdout(), paint, stop)
        .await
        .map_err(Error::Serve)?;
    Ok(Verdict::Passed)
}

/// The server application lesson `id` declares.
fn declared_app(registry: &Registry, id: &str) -> Result<socketio_lab::app::App, Error> {
    let Some(lesson) = registry.lesson(id) else {
        return Err(Error::Usage(registry.unknown(id)));
    };
    lesson.app.clone().ok_or_else(|| {
        Error::Usage(format!(
            "lesson `{id}` declares no server code (lesson format 1): `serve` runs the fixed chat for it"
        ))
    })
}
