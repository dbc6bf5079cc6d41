//! What a lesson with `[nodes]` runs besides its servers: the Redis its adapter
//! shares and the load balancer in front of them, both real programs the lab starts
//! on loopback and ends with itself.
//!
//! - `daemon`: a program on a free loopback port, ready once the port accepts;
//! - `haproxy`: the balancer and the configuration the lesson prints;
//! - `redis`: a private redis-server when the learner names no Redis.

mod daemon;
pub mod haproxy;
mod redis;

pub use daemon::DaemonError;
pub use haproxy::Haproxy;
pub use redis::RedisServer;
