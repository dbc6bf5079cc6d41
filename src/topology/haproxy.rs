//! The load balancer in front of a lesson's nodes: HAProxy, from Debian's package,
//! with a configuration written for the lesson. The lesson prints that file; a
//! learner who deploys writes the same one.

use super::daemon::{free_port, Daemon, DaemonError, Spec};
use crate::lesson::Balancer;

/// HAProxy running one lesson's configuration.
pub struct Haproxy {
    daemon: Daemon,
    /// Kept for as long as HAProxy reads it.
    _config: tempfile::NamedTempFile,
}

/// The ports in a configuration: the balancer's own and each node's, in node order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ports<'a> {
    pub frontend: &'a str,
    pub nodes: &'a [String],
}

/// The configuration file, with these ports (real ones, or stand-ins for the
/// transcript).
pub fn config(balancer: Balancer, ports: &Ports) -> String {
    let sticky = balancer == Balancer::Sticky;
    let mut text = String::from(
        "defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    # a WebSocket is one long request: keep it open
    timeout tunnel 1h

frontend socketio
",
    );
    text.push_str(&format!("    bind 127.0.0.1:{}\n", ports.frontend));
    text.push_str("    default_backend nodes\n\nbackend nodes\n");
    // Without `prefer-last-server`, HAProxy balances every HTTP request on its own,
    // a keep-alive connection's included: each long-polling request may land on
    // another node.
    text.push_str("    balance roundrobin\n");
    if sticky {
        text.push_str(
            "    # the session's first response sets a cookie naming its node;\n    \
             # every later request of the session carries it back there\n    \
             cookie SERVERID insert indirect nocache\n",
        );
    }
    for (i, port) in ports.nodes.iter().enumerate() {
        let n = i + 1;
        let cookie = if sticky {
            format!(" cookie node{n}")
        } else {
            String::new()
        };
        text.push_str(&format!("    server node{n} 127.0.0.1:{port}{cookie}\n"));
    }
    text
}

impl Haproxy {
    /// Starts HAProxy in front of the nodes on `node_ports`, on a free port.
    pub async fn start(balancer: Balancer, node_ports: &[u16]) -> Result<Haproxy, DaemonError> {
        let failed = |detail: String| DaemonError::Failed {
            what: "the load balancer (HAProxy)",
            detail,
        };
        let port = free_port().map_err(|e| failed(e.to_string()))?;
        let nodes: Vec<String> = node_ports.iter().map(u16::to_string).collect();
        let frontend = port.to_string();
        let text = config(
            balancer,
            &Ports {
                frontend: &frontend,
                nodes: &nodes,
            },
        );
        let file = tempfile::Builder::new()
            .prefix("socketio-lab-haproxy-")
            .suffix(".cfg")
            .tempfile()
            .map_err(|e| failed(e.to_string()))?;
        std::fs::write(file.path(), text).map_err(|e| failed(e.to_string()))?;
        let spec = Spec {
            what: "the load balancer (HAProxy)",
            program: "haproxy",
            install: "apt-get install haproxy",
            // -db: in the foreground, so that the lab owns it; -q: quiet.
            args: vec![
                "-db".into(),
                "-q".into(),
                "-f".into(),
                file.path().display().to_string(),
            ],
        };
        let daemon = Daemon::start(spec, port).await?;
        Ok(Haproxy {
            daemon,
            _config: file,
        })
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.daemon.port)
    }

    pub fn port(&self) -> u16 {
        self.daemon.port
    }
}
