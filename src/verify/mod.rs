//! `socketio-lab verify`: the learner's own server, judged by its traffic. The server
//! is a black box that speaks no lab protocol: verify starts it (or finds it at a
//! URL), connects the exercise's clients, and judges only what they observed, plus
//! the server's log when verify started it. "Nobody else got it" is proven by a quiet
//! window after the expected deliveries, stated in the verdict.

mod advice;
mod child;
mod clients;
pub mod init;
mod ports;
pub mod report;
pub mod watch;

use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

use crate::exercise::Exercise;
use crate::judge::Verdict;
use crate::paint::Paint;
use crate::progress;
use crate::trace::{Collector, StepRecord};

pub use child::ServerProcess;

/// The quiet window's default, in milliseconds.
pub const DEFAULT_QUIET_MS: u64 = 100;
/// How long the server may take to accept connections.
pub const START_TIMEOUT: Duration = Duration::from_secs(10);
/// How many of the server's last lines a diagnosis shows.
const TAIL: usize = 10;

/// Where the learner's server is.
#[derive(Debug, Clone)]
pub enum Target {
    /// Started by verify with `PORT` set, stopped when verify ends.
    Command(Vec<String>),
    /// Already running (any language); its log is not available.
    Url(String),
}

#[derive(Debug, Clone)]
pub struct VerifyOptions {
    pub target: Target,
    /// The quiet window after the expected deliveries.
    pub quiet: Duration,
    /// How long any expected observation may take.
    pub timeout: Duration,
    pub start_timeout: Duration,
    pub json: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The command could not even be started (not found, not executable).
    #[error("cannot start `{command}`: {source}")]
    Spawn {
        command: String,
        source: std::io::Error,
    },
    #[error("`{0}` judges the server's log, which verify only sees when it starts the server: use `socketio-lab verify {0} -- COMMAND` instead of `--url`")]
    NeedsLog(String),
    #[error("cannot find a free port on 127.0.0.1: {0}")]
    Port(std::io::Error),
    #[error("cannot watch `{0}` for changes: {1}")]
    Watch(String, String),
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
}

impl VerifyError {
    /// Whether the user asked for something that cannot be done (exit 2).
    pub fn is_usage(&self) -> bool {
        matches!(self, VerifyError::Spawn { .. } | VerifyError::NeedsLog(_))
    }
}

/// Verifies the learner's server against `exercise`, printing as it goes.
pub async fn run(
    exercise: &Exercise,
    options: &VerifyOptions,
    out: &mut dyn Write,
    paint: Paint,
) -> Result<Verdict, VerifyError> {
    let (collector, inbox) = Collector::new();
    let Started {
        mut server,
        shown,
        url,
        note,
        mut diagnosis,
    } = start(exercise, options, &collector).await?;
    if !options.json {
        write!(out, "{}", report::header(exercise, &shown, paint))?;
        if let Some(note) = &note {
            writeln!(out, "  {}", paint.warn(&crate::safe::text(note)))?;
        }
        writeln!(out)?;
    }
    let mut records = Vec::new();
    let quiet_ms = options.quiet.as_millis() as u64;
    if let Some(url) = url {
        let mut clients = clients::Clients::new(
            url,
            exercise,
            (collector, inbox),
            options.timeout,
            options.quiet,
        )
        .with_log(server.as_ref().map(ServerProcess::pipes));
        if !options.json {
            let startup = StepRecord {
                declared: false,
                index: 0,
                observations: clients.drain(),
                present: Vec::new(),
                rooms: Default::default(),
                own_id_rooms: Default::default(),
                connections: Vec::new(),
                nodes: Default::default(),
            };
            write!(out, "{}", crate::view::server_log(&startup, paint))?;
        }
        for step in &exercise.steps {
            let record = clients.run_step(step).await;
            if !options.json {
                write!(
                    out,
                    "{}",
                    report::step(exercise, step, &record, quiet_ms, paint)
                )?;
            }
            records.push(record);
            if let Some(status) = server.as_mut().and_then(ServerProcess::exited) {
                diagnosis.push(format!(
                    "✗ the server {} during step {}",
                    ended(status),
                    records.len()
                ));
                break;
            }
        }
    }
    let passed = report::passed(exercise, &records, &diagnosis);
    if let Some(process) = server.as_ref().filter(|_| !passed) {
        explain(process, &mut diagnosis);
    }
    // The clients go first, then the whole process group.
    drop(server);
    let warnings = save_result(&exercise.id, passed);
    let lang = match &options.target {
        Target::Command(command) => report::lang_of(command),
        Target::Url(_) => None,
    };
    if options.json {
        let mut doc = report::json(exercise, &records, &diagnosis, quiet_ms, lang);
        doc["note"] = note.into();
        writeln!(out, "{doc:#}")?;
    } else {
        write!(
            out,
            "{}",
            report::summary(exercise, &records, &diagnosis, lang, paint)
        )?;
        for w in warnings {
            writeln!(out, "{} {w}", paint.warn("warning:"))?;
        }
    }
    Ok(Verdict::from_ok(passed))
}

/// The server under test, as far as it got before the clients run.
struct Started {
    /// The process verify started, if it did.
    server: Option<ServerProcess>,
    /// The server as the header names it.
    shown: String,
    /// Where the clients connect; none when the server never listened.
    url: Option<String>,
    /// A remark that is not a failure (the server ignores `PORT`).
    note: Option<String>,
    diagnosis: Vec<String>,
}

/// Starts the command (with `PORT`) and waits until it listens, or takes the URL.
async fn start(
    exercise: &Exercise,
    options: &VerifyOptions,
    collector: &Collector,
) -> Result<Started, VerifyError> {
    let command = match &options.target {
        Target::Url(_) if exercise.reads_log() => {
            return Err(VerifyError::NeedsLog(exercise.id.clone()))
        }
        Target::Url(url) => {
            return Ok(Started {
                server: None,
                shown: url.clone(),
                url: Some(url.clone()),
                note: None,
                diagnosis: Vec::new(),
            })
        }
        Target::Command(command) => command,
    };
    let port = free_port().map_err(VerifyError::Port)?;
    let spawned = ServerProcess::spawn(command, port, collector.clone());
    let mut process = spawned.map_err(|source| VerifyError::Spawn {
        command: command_line(command),
        source,
    })?;
    let (url, note, diagnosis) = match ready(&mut process, port, options.start_timeout).await {
        Ok((url, note)) => (Some(url), note, Vec::new()),
        Err(why) => (None, None, vec![why]),
    };
    Ok(Started {
        server: Some(process),
        shown: format!("{} (PORT=$PORT)", command_line(command)),
        url,
        note,
        diagnosis,
    })
}

/// Adds what the server's log says about a failure: a stack trace, its last lines.
fn explain(process: &ServerProcess, diagnosis: &mut Vec<String>) {
    if let Some(held) = port_held(&process.last_lines(200)) {
        diagnosis.push(held);
    }
    if let Some(trace) = process.stack_trace() {
        diagnosis.push(format!("✗ the server printed a stack trace: {trace}"));
    }
    if !diagnosis.is_empty() {
        diagnosis.push("its last lines:".to_string());
        let tail = process.last_lines(TAIL);
        diagnosis.extend(tail.iter().map(|l| format!("    | {l}")));
    }
}

/// When the server could not listen because its port is taken (Node's `EADDRINUSE`,
/// Rust's "Address already in use"), the words that say so: most often a server
/// verify did not start, one left running from before, holds it.
fn port_held(lines: &[String]) -> Option<String> {
    let in_use = |l: &&String| l.to_ascii_lowercase().contains("address already in use");
    let line =
        (lines.iter().find(in_use)).or_else(|| lines.iter().find(|l| l.contains("EADDRINUSE")))?;
    // Node ends the line with the address: `... in use :::3000` or `127.0.0.1:3000`.
    let port = line
        .rsplit_once(':')
        .map(|(_, p)| p.trim())
        .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    Some(match port {
        Some(port) => format!(
            "✗ port {port} is already held by a process verify did not start (a server left running?): stop it, or listen on `PORT`, which verify chooses free"
        ),
        None => "✗ the port the server asked for is already held by a process verify did not start (a server left running?): stop it, or listen on `PORT`, which verify chooses free".to_string(),
    })
}

/// The command as a shell would read it: an argument with spaces is quoted.
fn command_line(command: &[String]) -> String {
    let word = |a: &String| match a.contains(char::is_whitespace) || a.is_empty() {
        true => format!("{a:?}"),
        false => a.clone(),
    };
    command.iter().map(word).collect::<Vec<_>>().join(" ")
}

/// A port on 127.0.0.1 that was free a moment ago.
fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// "exited with status 1" or "was killed by signal 9".
fn ended(status: std::process::ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with status {code}"),
        (None, Some(signal)) => format!("was killed by signal {signal}"),
        _ => format!("ended ({status})"),
    }
}

/// Waits, bounded, until the server accepts connections: on `PORT`, or else on the
/// one other port its process group listens on (with a note). Stops early when the
/// command exits. The URL to use, or a diagnosis.
async fn ready(
    server: &mut ServerProcess,
    port: u16,
    limit: Duration,
) -> Result<(String, Option<String>), String> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        for host in ["127.0.0.1", "[::1]"] {
            let addr = format!("{host}:{port}");
            if tokio::net::TcpStream::connect(&addr).await.is_ok() {
                return Ok((format!("http://{addr}"), None));
            }
        }
        if let Some(status) = server.exited() {
            return Err(format!(
                "✗ the server {} before it listened on `PORT` ($PORT)",
                ended(status)
            ));
        }
        let others = server.listening_ports();
        match others.as_slice() {
            [] => {}
            [other] => {
                let note = format!("note: the server ignores `PORT` and listens on port {other}: verifying there (read `process.env.PORT` so that verify can choose)");
                return Ok((format!("http://127.0.0.1:{other}"), Some(note)));
            }
            several => {
                let list: Vec<String> = several.iter().map(u16::to_string).collect();
                return Err(format!(
                    "✗ the server listens on ports {}, not on `PORT` ($PORT): read `process.env.PORT`",
                    list.join(", ")
                ));
            }
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(format!(
                "✗ the server did not listen on `PORT` ($PORT) within {} s (a `cargo run` that compiles first may need `cargo build` before verify)",
                limit.as_secs()
            ));
        }
        // Readiness is polled (there is nothing to wait on), bounded by the deadline.
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Stores the verdict; says what could not be kept.
fn save_result(exercise: &str, passed: bool) -> Vec<String> {
    progress::update("the progress", |saved| {
        saved.record_exercise(exercise, passed)
    })
}
