//! The one lab server: socketioxide on axum, implementing the lab protocol
//! (`docs/lab-protocol.md`) beside a tiny chat application. Lessons, the quiz, the
//! demo, `serve`, fan-out and the two-node lab all start it the same way, `run`,
//! on the local adapter or joined to other nodes through Redis.
//!
//! - `state`: each socket's lab name, the monitor, what `lab:state` reports;
//! - `handlers`: the namespaces and their handlers, generic over the adapter;
//! - `emit`: the selection an emit request describes, and the emit through it;
//! - `redis`: the Redis adapter's connection, bounded and said in one line;
//! - `conn`: the handshake and idle timeouts of every connection.

mod app;
mod attach;
mod budget;
mod conn;
mod emit;
mod guard;
mod handlers;
mod redis;
mod state;

use std::future::Future;
use std::time::Duration;

use axum::routing::get;
use axum::Router;
use socketioxide::adapter::{Adapter, LocalAdapter};
use socketioxide::layer::SocketIoLayer;
use socketioxide::SocketIo;
use socketioxide_redis::RedisAdapter;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use budget::{APPS_PER_SECOND, APPS_PER_SOCKET, HELD_BYTES, IN_ALL, PER_SOCKET};
pub use conn::Timeouts;
pub use guard::{parse_origin, CSP};
pub use redis::{run_prefix, DEFAULT_REDIS};
pub use state::{visible_rooms, Activity, Missed, Monitor, MonitorFeed, MAX_NAME};

use crate::protocol::MAX_MESSAGE_BYTES;
use conn::Guarded;
use state::{Lab, Shared};

/// Which socketioxide adapter holds the rooms: this process's memory, or Redis,
/// which joins every server started with the same URL and prefix into one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AdapterChoice {
    #[default]
    Local,
    Redis {
        url: String,
        prefix: String,
    },
}

/// Packets that may wait for one socket's connection before an emit to it is
/// refused. socketioxide's default, 128, refused most echoes of a flood that Node
/// delivers whole (Node has no limit): a million holds a flood of 100,000 chat
/// messages. Beyond it an emit is refused, and that is reported, never silent.
pub const SEND_BUFFER: usize = 1 << 20;

pub struct ServerConfig {
    /// Receives everything the server does, for `serve`'s log.
    pub monitor: Option<Monitor>,
    pub adapter: AdapterChoice,
    /// Packets each socket may have waiting (`SEND_BUFFER`).
    pub send_buffer: usize,
    pub timeouts: Timeouts,
    /// Tell the monitor the room table after every join, leave and disconnection
    /// (`Activity::Rooms`), as `serve --rooms` shows it.
    pub room_table: bool,
    /// Pages served beside the Socket.IO layer (`socketio-lab web`); without them
    /// `/` says what the server is.
    pub routes: Option<Router>,
    /// The application sockets without a lab session run (`serve --lesson`) in the
    /// namespaces it declares, instead of the fixed chat.
    pub app: Option<crate::app::App>,
    /// Pages from these origins may use the server besides its own
    /// (`serve --allow-origin`), as `parse_origin` spells them.
    pub allow_origins: Vec<String>,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            monitor: None,
            adapter: AdapterChoice::default(),
            send_buffer: SEND_BUFFER,
            timeouts: Timeouts::default(),
            room_table: false,
            routes: None,
            app: None,
            allow_origins: Vec::new(),
        }
    }
}

/// Why the server could not start or stopped serving.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("`{url}` is not a Redis URL such as `{DEFAULT_REDIS}` ({detail})")]
    RedisUrl { url: String, detail: String },
    #[error("no Redis answered at `{url}` ({detail}); check `--redis URL`, or leave it out and the lab starts its own")]
    NoRedis { url: String, detail: String },
}

impl From<ServerError> for std::io::Error {
    fn from(e: ServerError) -> Self {
        match e {
            ServerError::Io(e) => e,
            other => std::io::Error::other(other.to_string()),
        }
    }
}

/// Serves the lab on `listener` until `shutdown` completes, then disconnects every
/// socket and lets the connections drain.
pub async fn run(
    listener: TcpListener,
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    start(listener, config, shutdown, None).await
}

/// `run`, telling `ready` once the adapter is connected and subscribed, so that a
/// caller can say at once when Redis is not there.
async fn start(
    listener: TcpListener,
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
    ready: Option<oneshot::Sender<()>>,
) -> Result<(), ServerError> {
    let spans_nodes = config.adapter != AdapterChoice::Local;
    let port = listener.local_addr()?.port();
    let guard = guard::Guard::new(
        listener.local_addr()?,
        &config.allow_origins,
        config.monitor.clone(),
    );
    let lab = Shared::new(config.monitor, (spans_nodes, config.room_table), port);
    let builder = SocketIo::builder()
        .max_buffer_size(config.send_buffer.max(1))
        .max_payload(MAX_MESSAGE_BYTES as u64)
        .ws_max_message_size(MAX_MESSAGE_BYTES)
        .ping_interval(config.timeouts.ping_interval)
        .ping_timeout(config.timeouts.ping_timeout)
        .with_state(lab.clone());
    let routes = config
        .routes
        .unwrap_or_else(|| Router::new().route("/", get(index)));
    let routes = (routes, guard);
    let listener = Guarded {
        listener,
        timeouts: config.timeouts,
    };
    match config.adapter {
        AdapterChoice::Local => {
            let (layer, io) = builder.with_adapter::<LocalAdapter>(()).build_layer();
            let _: [(); 3] = handlers::install(&io);
            own_app(&io, &lab, config.app)?;
            serve(listener, (layer, io, lab), routes, shutdown, ready).await
        }
        AdapterChoice::Redis { url, prefix } => {
            let ctr = redis::connect(&url, &prefix).await?;
            let (layer, io) = builder.with_adapter::<RedisAdapter<_>>(ctr).build_layer();
            // Subscribed to the other nodes' traffic before anyone can connect.
            for subscription in handlers::install(&io) {
                redis::subscribed(&url, subscription).await?;
            }
            own_app(&io, &lab, config.app)?;
            serve(listener, (layer, io, lab), routes, shutdown, ready).await
        }
    }
}

/// The server's own application, for sockets without a lab session.
fn own_app<A: Adapter + socketioxide_core::adapter::DefinedAdapter>(
    io: &SocketIo<A>,
    lab: &Lab,
    app: Option<crate::app::App>,
) -> Result<(), ServerError> {
    let Some(app) = app else {
        return Ok(());
    };
    app::install(io, lab, state::SESSIONLESS, app)
        .map(|_| ())
        .map_err(|e| ServerError::Io(std::io::Error::other(e)))
}

async fn index() -> &'static str {
    "socketio-lab server: connect a Socket.IO client to this address\n"
}

async fn serve<A: Adapter>(
    listener: Guarded,
    (layer, io, lab): (SocketIoLayer<A>, SocketIo<A>, Lab),
    (routes, guard): (Router, guard::Guard),
    shutdown: impl Future<Output = ()> + Send + 'static,
    ready: Option<oneshot::Sender<()>>,
) -> Result<(), ServerError> {
    // The guard in front of everything, the Socket.IO layer included.
    let app = Router::new()
        .fallback_service(routes.layer(layer))
        .layer(axum::middleware::from_fn_with_state(guard, guard::check));
    if let Some(ready) = ready {
        let _ = ready.send(());
    }
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            // Each socket first hears a Socket.IO disconnect, so that its client
            // knows at once: a rust_socketio client does not notice a transport that
            // is just closed. Only this node's sockets: `SocketRef::disconnect` never
            // goes through the adapter.
            lab.close();
            for ns in io.nsps() {
                for socket in ns.sockets() {
                    let _ = socket.disconnect();
                }
            }
            io.close().await;
        })
        .await?;
    Ok(())
}

/// The lab server on a free loopback port, in this process, stopped on request.
pub struct EmbeddedServer {
    pub url: String,
    /// Whether an adapter joins it to other nodes.
    joined: bool,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), ServerError>>,
}

impl EmbeddedServer {
    /// The server on the local adapter.
    pub async fn start() -> std::io::Result<EmbeddedServer> {
        Ok(EmbeddedServer::start_with(ServerConfig::default()).await?)
    }

    /// Starts `run` on a free port and returns once it accepts clients, or with the
    /// reason it cannot.
    pub async fn start_with(config: ServerConfig) -> Result<EmbeddedServer, ServerError> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let joined = config.adapter != AdapterChoice::Local;
        let (stop, stopped) = oneshot::channel::<()>();
        let (ready, is_ready) = oneshot::channel::<()>();
        let shutdown = async {
            let _ = stopped.await;
        };
        let mut task = tokio::spawn(start(listener, config, shutdown, Some(ready)));
        tokio::select! {
            Ok(()) = is_ready => {}
            ended = &mut task => {
                return Err(match ended {
                    Ok(Err(e)) => e,
                    Ok(Ok(())) => std::io::Error::other("the server stopped at once").into(),
                    Err(e) => std::io::Error::other(e.to_string()).into(),
                });
            }
        }
        Ok(EmbeddedServer {
            url: format!("http://127.0.0.1:{port}"),
            joined,
            stop,
            task,
        })
    }

    /// Whether an adapter joins this server to other nodes.
    pub fn joined(&self) -> bool {
        self.joined
    }

    /// Disconnects every socket and waits (bounded) for the server to finish.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let what = || format!("stop the server at {}", self.url);
        let stopped = tokio::time::timeout(Duration::from_secs(5), self.task);
        let _ = crate::watchdog::watched(what, stopped).await;
    }
}
