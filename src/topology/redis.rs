//! A private redis-server for a lesson whose nodes share the Redis adapter, when the
//! learner names none (`--redis`): on a free loopback port, nothing saved to disk.

use super::daemon::{free_port, Daemon, DaemonError, Spec};

pub struct RedisServer {
    daemon: Daemon,
}

impl RedisServer {
    pub async fn start() -> Result<RedisServer, DaemonError> {
        let port = free_port().map_err(|e| DaemonError::Failed {
            what: "redis-server",
            detail: e.to_string(),
        })?;
        let args = [
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--loglevel",
            "warning",
        ];
        let spec = Spec {
            what: "Redis (for the Redis adapter)",
            program: "redis-server",
            install: "apt-get install redis-server",
            args: args.iter().map(|a| a.to_string()).collect(),
        };
        Ok(RedisServer {
            daemon: Daemon::start(spec, port).await?,
        })
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.daemon.port)
    }
}
