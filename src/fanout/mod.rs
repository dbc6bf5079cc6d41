//! `socketio-lab run fanout`: what one broadcast costs as the number of sockets grows.
//! Many lightweight clients connect to the embedded lab server; each one notes the
//! instant an emit reaches it, so every number shown is measured, none simulated.
//!
//! Layout: `swarm` connects the clients (the lab's one client, listening only to
//! the measured event) and times broadcasts; `report` turns the times into rows, a
//! table and a chart; this file checks the open-file limit and writes the transcript.

mod report;
mod swarm;

use std::io::{IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub use report::{chart, growth, measure, ms, percentile, summarize, table, Report, Row, Summary};
pub use swarm::{Delivery, Swarm, Target};

use crate::judge::Verdict;
use crate::paint::Paint;
use crate::protocol::SYNC;
use crate::server::EmbeddedServer;

pub const DEFAULT_CLIENTS: usize = 1000;
/// The sizes measured, as far as `--clients` goes (and `--clients` itself).
pub const SIZES: [usize; 4] = [10, 100, 1000, 5000];
/// Members of the fixed-size room emitted to beside `io.emit`.
pub const ROOM_SIZE: usize = 10;
/// Clients connecting at the same time. A handshake on loopback waits ~40 ms, mostly
/// idle, so this bound, not the CPU, sets the connect rate.
pub const IN_FLIGHT: usize = 256;
/// Broadcasts per size and target.
pub const REPEATS: usize = 5;
/// How long one connection, one answer or one broadcast may take.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// The event the measured broadcasts carry (their payload is a sequence number).
pub const TICK: &str = "fanout:tick";
pub const ROOM: &str = "fanout-room";
/// Open files the process needs besides its clients.
const FILES_BESIDES: u64 = 128;

/// What to measure: `run fanout [--clients N] [--server URL]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FanoutOptions {
    /// The largest swarm measured (`DEFAULT_CLIENTS` unless asked otherwise).
    pub clients: usize,
    /// A lab server to measure instead of the embedded one.
    pub server_url: Option<String>,
}

/// Why the fan-out lab could not run to the end.
#[derive(Debug, thiserror::Error)]
pub enum FanoutError {
    #[error("`--clients` must be at least 1")]
    NoClients,
    /// More clients than the open-file limit allows.
    #[error(
        "`--clients {clients}` needs about {needed} open files ({}) but `RLIMIT_NOFILE` allows {limit}: use `--clients {}` or fewer, or raise the hard limit",
        files_per_client(*.per_client),
        max_clients(*.limit, *.per_client)
    )]
    TooMany {
        clients: usize,
        per_client: u64,
        needed: u64,
        limit: u64,
    },
    #[error("cannot read `RLIMIT_NOFILE`: {0}")]
    Nofile(std::io::Error),
    #[error("cannot start the lab server on 127.0.0.1: {0}")]
    Bind(std::io::Error),
    #[error("`{name}` could not connect: {detail}")]
    Connect { name: String, detail: String },
    #[error("`{name}` got no good answer to `{event}`: {detail}")]
    Request {
        name: String,
        event: String,
        detail: String,
    },
    #[error("{what}: only {got} of {expected} clients had it within {timeout_ms} ms")]
    Incomplete {
        what: String,
        got: usize,
        expected: usize,
        timeout_ms: u128,
    },
    #[error("{count} deliveries reached clients outside their emit's selection")]
    Strays { count: usize },
    /// The transcript could not be written; a closed stdout (`| head`) is the
    /// binary's to forgive, through this source.
    #[error("cannot write the report: {0}")]
    Write(#[source] std::io::Error),
}

fn files_per_client(per_client: u64) -> &'static str {
    if per_client == 2 {
        "client and server end of each connection"
    } else {
        "one per client"
    }
}

/// The sizes to measure for `--clients N`.
pub fn sizes(clients: usize) -> Vec<usize> {
    let mut sizes: Vec<usize> = SIZES.iter().copied().filter(|&s| s < clients).collect();
    if clients > 0 {
        sizes.push(clients);
    }
    sizes
}

/// Open files `clients` connections need in this process: `per_client` is 2 with the
/// embedded server (both ends of each connection live here), 1 with another server.
pub fn files_needed(clients: usize, per_client: u64) -> u64 {
    per_client * clients as u64 + FILES_BESIDES
}

pub fn max_clients(limit: u64, per_client: u64) -> u64 {
    limit.saturating_sub(FILES_BESIDES) / per_client.max(1)
}

/// Raises the soft `RLIMIT_NOFILE` as far as the system allows (the hard limit, or
/// macOS's per-process maximum where the hard limit is infinite); returns the limit
/// now in force.
pub fn raise_nofile() -> std::io::Result<u64> {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => Ok(limit),
        // Raising can be refused (a sandbox, a container): the limit in force still counts.
        #[cfg(unix)]
        Err(_) => rlimit::Resource::NOFILE.get_soft(),
        #[cfg(not(unix))]
        Err(e) => Err(e),
    }
}

pub fn check_nofile(clients: usize, per_client: u64, limit: u64) -> Result<(), FanoutError> {
    let needed = files_needed(clients, per_client);
    if needed > limit {
        return Err(FanoutError::TooMany {
            clients,
            per_client,
            needed,
            limit,
        });
    }
    Ok(())
}

fn progress_bar(total: usize) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg:<26} [{bar:30}] {pos}/{len}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

/// `socketio-lab run fanout`: checks the open-file limit, measures, and writes the
/// transcript to `out` (a progress bar goes to stderr when it is a terminal).
pub async fn run(
    options: &FanoutOptions,
    out: &mut dyn Write,
    paint: Paint,
) -> Result<Verdict, FanoutError> {
    let clients = options.clients;
    if clients == 0 {
        return Err(FanoutError::NoClients);
    }
    let per_client = if options.server_url.is_some() { 1 } else { 2 };
    let limit = raise_nofile().map_err(FanoutError::Nofile)?;
    check_nofile(clients, per_client, limit)?;
    let (url, embedded, server_line) = match &options.server_url {
        Some(url) => (url.clone(), None, format!("the lab server at {url}")),
        None => {
            let server = EmbeddedServer::start().await.map_err(FanoutError::Bind)?;
            let line = "socketioxide, embedded, on 127.0.0.1".to_string();
            (server.url.clone(), Some(server), line)
        }
    };
    let report = match intro(out, paint, &server_line, clients, limit) {
        Ok(()) => {
            let progress = progress_bar(clients);
            let report = measure(&url, clients, REPEATS, &progress, limit).await;
            progress.finish_and_clear();
            report
        }
        Err(e) => Err(FanoutError::Write(e)),
    };
    if let Some(server) = embedded {
        server.stop().await;
    }
    results(out, paint, &report?).map_err(FanoutError::Write)?;
    // Measuring judges nothing: a missing receipt or a stray delivery means the
    // numbers cannot be trusted, so it is an error above, never `Failed`.
    Ok(Verdict::Passed)
}

/// What is measured, and how, before the measuring starts.
fn intro(
    out: &mut dyn Write,
    paint: Paint,
    server_line: &str,
    clients: usize,
    limit: u64,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{}\n",
        paint.bold("Fan-out: what one emit costs as sockets are added")
    )?;
    writeln!(
        out,
        "Server: {server_line}; {clients} clients over WebSocket, in this process (open-file \
         limit {limit})."
    )?;
    writeln!(
        out,
        "The sender asks the server for `io.emit` (everyone) and for `io.to(\"{ROOM}\")` \
         ({ROOM_SIZE} members);\nthe clock runs from its request until each client's receipt. \
         Each emit is repeated {REPEATS} times."
    )?;
    out.flush()
}

/// The measured table and chart, and what they show.
fn results(out: &mut dyn Write, paint: Paint, report: &Report) -> std::io::Result<()> {
    let total = report.rows.last().map(|r| r.clients).unwrap_or(0);
    writeln!(
        out,
        "\nConnected {total} clients in {:.2} s, {IN_FLIGHT} connecting at a time.\n",
        report.connect_total.as_secs_f64()
    )?;
    write!(out, "{}", table(report))?;
    writeln!(
        out,
        "\n{} connect: time to connect the clients added for that size; `io.emit`/room: median \
         time until the last\nrecipient had it; p50/p99: per-client delivery time over all {} \
         repeats.",
        paint.dim("columns:"),
        report.repeats
    )?;
    writeln!(
        out,
        "\n{}",
        paint.bold("Time until every recipient had the emit (# io.emit, = room)")
    )?;
    write!(out, "{}", chart(report))?;
    writeln!(out, "\n{}", growth(report))?;
    writeln!(
        out,
        "`io.emit` writes one packet per connected socket; an emit to a room writes only to its \
         members.\nEvery client answered `{SYNC}` after each size: no delivery reached a socket \
         outside its emit's selection."
    )?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_stop_at_the_client_count_and_include_it() {
        assert_eq!(sizes(1000), vec![10, 100, 1000]);
        assert_eq!(sizes(150), vec![10, 100, 150]);
        assert_eq!(sizes(7), vec![7]);
        assert_eq!(sizes(6000), vec![10, 100, 1000, 5000, 6000]);
    }

    #[test]
    fn the_file_limit_names_the_largest_count_that_fits() {
        assert!(check_nofile(1000, 2, 20_000).is_ok());
        assert!(check_nofile(15_000, 1, 20_000).is_ok());
        let e = check_nofile(20_000, 2, 20_000).unwrap_err().to_string();
        assert!(e.contains("`--clients 20000`"), "{e}");
        assert!(
            e.contains(&format!("`--clients {}`", max_clients(20_000, 2))),
            "{e}"
        );
        assert!(check_nofile(max_clients(20_000, 2) as usize, 2, 20_000).is_ok());
        assert!(!e.contains('\n'));
    }
}
