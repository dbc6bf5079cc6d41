//! The Redis adapter's connection: one line when it fails, and bounded in time.

use std::time::Duration;

use socketioxide_redis::drivers::redis::redis_client::io::tcp::TcpSettings;
use socketioxide_redis::drivers::redis::redis_client::{Client, IntoConnectionInfo};
use socketioxide_redis::drivers::redis::RedisDriver;
use socketioxide_redis::{RedisAdapterConfig, RedisAdapterCtr};

use super::ServerError;

/// A Redis URL as the messages spell one.
pub const DEFAULT_REDIS: &str = "redis://127.0.0.1:6379";
/// How long connecting (or subscribing) may take before Redis counts as unreachable.
const REDIS_CONNECT: Duration = Duration::from_secs(3);

/// The redis crate reads the protocol from the URL; the adapter needs RESP3.
fn resp3(url: &str) -> String {
    if url.contains("protocol=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&protocol=resp3")
    } else {
        format!("{url}?protocol=resp3")
    }
}

fn no_redis(url: &str, detail: impl std::fmt::Display) -> ServerError {
    // One line: some errors of the redis crate span several.
    let detail = detail.to_string();
    let detail = detail.lines().next().unwrap_or_default().trim().to_string();
    ServerError::NoRedis {
        url: url.to_string(),
        detail,
    }
}

/// A channel prefix for the nodes of one lab run. Unique per call, so that two labs
/// on the same Redis never hear each other's broadcasts.
pub fn run_prefix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("socketio-lab-{}-{nanos}", std::process::id())
}

/// The adapter's shared connection to Redis.
pub(crate) async fn connect(
    url: &str,
    prefix: &str,
) -> Result<RedisAdapterCtr<RedisDriver>, ServerError> {
    let bad_url =
        |e: socketioxide_redis::drivers::redis::redis_client::RedisError| ServerError::RedisUrl {
            url: url.to_string(),
            detail: e.to_string(),
        };
    // TCP_NODELAY, as on every other connection of the lab: a broadcast relayed
    // through Redis is a small write that must not wait for a delayed ACK. The redis
    // crate leaves Nagle on by default.
    let info = resp3(url)
        .into_connection_info()
        .map_err(bad_url)?
        .set_tcp_settings(TcpSettings::default().set_nodelay(true));
    let client = Client::open(info).map_err(bad_url)?;
    let config = RedisAdapterConfig::new().with_prefix(prefix.to_string());
    let connecting = RedisAdapterCtr::new_with_redis_config(&client, config);
    let limit = format!("no answer within {} ms", REDIS_CONNECT.as_millis());
    tokio::time::timeout(REDIS_CONNECT, connecting)
        .await
        .map_err(|_| no_redis(url, limit))?
        .map_err(|e| no_redis(url, e))
}

/// Waits until a namespace's adapter has subscribed to the other nodes' traffic.
pub(crate) async fn subscribed<E: std::fmt::Display>(
    url: &str,
    subscription: impl std::future::Future<Output = Result<(), E>>,
) -> Result<(), ServerError> {
    tokio::time::timeout(REDIS_CONNECT, subscription)
        .await
        .map_err(|_| no_redis(url, "subscribing timed out"))?
        .map_err(|e| no_redis(url, e))
}
