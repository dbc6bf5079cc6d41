//! What a lab is started with, and why it can fail.

use std::time::Duration;

use super::{exchange, DEFAULT_TIMEOUT};
use crate::client::ClientError;
use crate::protocol::STATE;
use crate::server::ServerError;

#[derive(Debug, Clone)]
pub struct LabOptions {
    /// How long any one expected answer may take before it counts as missing.
    pub timeout: Duration,
    /// A lab server to use instead of the embedded one.
    pub server_url: Option<String>,
    /// A lesson with `[nodes]`: the servers of nodes 2 and up, after `server_url`.
    pub more_servers: Vec<String>,
    /// The Redis a lesson's Redis adapter uses; without it the lab starts one.
    pub redis_url: Option<String>,
    /// Show socket ids and the server's port as they are, not as stable stand-ins
    /// (`bobId`, `PORT`): the transcript then differs from run to run.
    pub unmasked: bool,
}

impl Default for LabOptions {
    fn default() -> Self {
        LabOptions {
            timeout: DEFAULT_TIMEOUT,
            server_url: None,
            more_servers: Vec::new(),
            redis_url: None,
            unmasked: false,
        }
    }
}

impl LabOptions {
    /// Every `--server`, node 1's first.
    pub fn servers(&self) -> Vec<String> {
        self.server_url
            .iter()
            .chain(&self.more_servers)
            .cloned()
            .collect()
    }
}

#[derive(Debug)]
pub enum LabError {
    /// The embedded server could not start.
    Bind(std::io::Error),
    /// A node of a multi-node lab could not start (Redis missing, say).
    Node(ServerError),
    /// The lab's control connection could not be made.
    Control(ClientError),
    /// The server answered `lab:state` with something else.
    BadState(String),
    /// The server at this URL stopped keeping the lab protocol.
    Lost { url: String, lost: exchange::Lost },
    /// The server cannot run the application the lesson declares.
    App { url: String, error: String },
    /// A lesson's topology cannot be set up as asked (`--server` once per node).
    Topology(String),
    /// A program the lesson needs (HAProxy, redis-server) is missing or failed.
    Missing(crate::topology::DaemonError),
    /// A step went on past every wait it could have (`Lab::step_budget`): a bug,
    /// reported rather than waited on for ever.
    Stalled { step: usize, seconds: u64 },
}

impl std::fmt::Display for LabError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LabError::Bind(e) => write!(f, "cannot start the lab server on 127.0.0.1: {e}"),
            LabError::Node(ServerError::Io(e)) => {
                write!(f, "cannot start a node on 127.0.0.1: {e}")
            }
            LabError::Node(e) => write!(f, "{e}"),
            LabError::Control(e) => write!(f, "{e}"),
            LabError::BadState(e) => {
                write!(f, "the server's `{STATE}` answer is not understood: {e}")
            }
            LabError::Lost { url, lost } => write!(f, "the lab server at `{url}` {lost}"),
            LabError::Stalled { step, seconds } => write!(
                f,
                "the lab stalled in step {step}: nothing it waited for settled within {seconds} s (a bug in socketio-lab; please report it)"
            ),
            LabError::Topology(e) => write!(f, "{e}"),
            LabError::Missing(e) => write!(f, "{e}"),
            LabError::App { url, error } => write!(
                f,
                "the lab server at `{url}` cannot run this lesson's server code: {error}"
            ),
        }
    }
}

impl std::error::Error for LabError {}
