//! `socketio-lab web` and `demo --web`: the lab in a browser page. The lab server
//! itself serves the page (axum routes beside its Socket.IO layer, `routes`), bound
//! to 127.0.0.1, every asset embedded in the binary (`web/` at the crate root: plain
//! HTML, CSS and JavaScript modules, and the official `socket.io-client` bundle).
//!
//! - `driver`: one task per lab owns its `Lab`, runs a step when a page asks and
//!   publishes the step's record; in the demo it also records a visitor's traffic;
//! - `record`: the JSON a page renders, read from each `StepRecord` (the page never
//!   works out who received what);
//! - `routes`: the pages, assets, records (server-sent events) and requests.

mod driver;
mod record;
mod routes;

use std::future::Future;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::demo::{self, Pace};
use crate::judge::Verdict;
use crate::lesson::{Lesson, LessonError};
use crate::paint::Paint;
use crate::server::{self, Monitor, MonitorFeed, ServerConfig, ServerError};

pub use crate::server::CSP;
pub use routes::TOKEN_HEADER;

/// The demo's lab name in the pages' addresses (`/demo`, `/api/lab/demo`).
const DEMO: &str = "demo";

/// The page the browser is sent to first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// Every lesson, and the demo.
    Home,
    Lesson(String),
    Demo,
}

#[derive(Debug, Clone)]
pub struct WebOptions {
    /// The lessons the pages offer (built in and `--lessons DIR`).
    pub lessons: Vec<Lesson>,
    pub page: Page,
    /// 0 picks a free port.
    pub port: u16,
    /// How long any expected answer may take, as in `run`.
    pub timeout: Duration,
    /// The demo's reading pace when the page advances on its own.
    pub pace: Pace,
}

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("port {0} is already in use on 127.0.0.1: choose another with `--port`")]
    PortInUse(u16),
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
    #[error("the demo story is broken: {0}")]
    Story(#[from] LessonError),
    #[error("the server failed: {0}")]
    Server(#[from] ServerError),
    #[error("cannot write the address: {0}")]
    Output(#[from] std::io::Error),
}

/// What the routes share: what they offer, and the labs started so far.
pub(crate) struct Site {
    lessons: Vec<Lesson>,
    story: Lesson,
    /// This server's own address: the demo's lab runs on it.
    url: String,
    timeout: Duration,
    /// How fast the page reads when it goes on by itself.
    pace: Pace,
    drivers: routes::Drivers,
    /// The server's monitor, handed to the demo's lab when it starts.
    feed: std::sync::Mutex<Option<MonitorFeed>>,
    /// The secret each served page carries and sends back with every request that
    /// changes something (`routes::TOKEN_HEADER`): fresh for each server.
    token: String,
    /// Turns true when the server stops: the pages' event streams end then, since
    /// the server waits for every open connection before it is done.
    closing: watch::Receiver<bool>,
}

/// Serves the pages until `stop` resolves. The first line written is the page's
/// address; `opened` gets it too (the command line opens a browser there).
pub async fn run(
    options: &WebOptions,
    out: &mut dyn Write,
    paint: Paint,
    opened: &mut dyn FnMut(&str),
    stop: impl Future<Output = ()> + Send + 'static,
) -> Result<Verdict, WebError> {
    let port = options.port;
    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::AddrInUse => WebError::PortInUse(port),
            _ => WebError::Bind { port, source },
        })?;
    let bound = listener.local_addr()?;
    let url = format!("http://{bound}");
    let (monitor, feed) = Monitor::new(4096);
    let (close, closing) = watch::channel(false);
    let site = Arc::new(Site {
        lessons: options.lessons.clone(),
        story: demo::story()?,
        url: url.clone(),
        timeout: options.timeout,
        pace: options.pace,
        drivers: Default::default(),
        token: fresh_token()?,
        feed: std::sync::Mutex::new(Some(feed)),
        closing,
    });
    let config = ServerConfig {
        monitor: Some(monitor),
        routes: Some(routes::router(site.clone())),
        ..ServerConfig::default()
    };
    let address = match &options.page {
        Page::Home => format!("{url}/"),
        Page::Lesson(name) => format!("{url}/lesson/{name}"),
        Page::Demo => format!("{url}/demo"),
    };
    writeln!(out, "{address}")?;
    writeln!(
        out,
        "{}",
        paint.dim("the page is served from this machine only; Ctrl-C stops")
    )?;
    out.flush()?;
    let stop = async move {
        stop.await;
        let _ = close.send(true);
    };
    let serving = tokio::spawn(server::run(listener, config, stop));
    opened(&address);
    let served = serving.await;
    // The labs the pages started: their clients and servers are stopped in turn.
    let drivers = std::mem::take(&mut *site.drivers.lock().await);
    for handle in drivers.into_values() {
        let (done, finished) = tokio::sync::oneshot::channel();
        if handle.ask(driver::Command::Stop(done)).await {
            let _ = tokio::time::timeout(Duration::from_secs(5), finished).await;
        }
    }
    match served {
        Ok(result) => result?,
        Err(e) => {
            return Err(WebError::Server(
                std::io::Error::other(e.to_string()).into(),
            ))
        }
    }
    Ok(Verdict::Passed)
}

/// 128 random bits in hex, from the operating system.
fn fresh_token() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).map_err(std::io::Error::other)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests;
