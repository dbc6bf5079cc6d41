//! `[nodes]`: a lesson whose server runs on several nodes, as a deployed chat does:
//! their adapter (each on its own, or joined through a real Redis), and a real load
//! balancer in front of them. Each client reaches one node directly (`node = N`) or
//! goes through the balancer, over WebSocket or HTTP long-polling (`transport`).

use serde::{Deserialize, Serialize};

/// The topology the lesson starts with; a `redeploy` step changes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Nodes {
    /// How many servers run the lesson's application.
    pub count: usize,
    #[serde(default)]
    pub adapter: AdapterKind,
    #[serde(default)]
    pub balancer: Balancer,
}

impl Nodes {
    /// As many as a lesson shows side by side; one is a lesson without `[nodes]`.
    pub const COUNT: std::ops::RangeInclusive<usize> = 2..=3;

    /// The topology after a `redeploy` that changes what it names.
    pub fn redeployed(self, adapter: Option<AdapterKind>, balancer: Option<Balancer>) -> Nodes {
        Nodes {
            count: self.count,
            adapter: adapter.unwrap_or(self.adapter),
            balancer: balancer.unwrap_or(self.balancer),
        }
    }
}

/// What carries an emit from one node to the others.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdapterKind {
    /// Each node's in-memory adapter: a node knows only its own sockets.
    #[default]
    None,
    /// socketioxide-redis, and `@socket.io/redis-adapter` on Node, on one Redis.
    Redis,
}

/// The load balancer in front of the nodes (HAProxy).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Balancer {
    /// No balancer: every client names its node.
    #[default]
    None,
    /// Each HTTP request goes to the next node in turn.
    RoundRobin,
    /// Round robin for a session's first request; the balancer's cookie sends the
    /// rest of the session to the same node.
    Sticky,
}

impl Balancer {
    pub fn name(self) -> &'static str {
        match self {
            Balancer::None => "none",
            Balancer::RoundRobin => "round-robin",
            Balancer::Sticky => "sticky",
        }
    }
}

impl AdapterKind {
    pub fn name(self) -> &'static str {
        match self {
            AdapterKind::None => "none",
            AdapterKind::Redis => "redis",
        }
    }
}

/// How a client's engine.io connection carries its packets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transport {
    /// One WebSocket for the whole session.
    #[default]
    Websocket,
    /// HTTP long-polling, never upgraded: every packet is its own HTTP request,
    /// which a load balancer routes one by one.
    Polling,
}

impl Transport {
    pub fn name(self) -> &'static str {
        match self {
            Transport::Websocket => "websocket",
            Transport::Polling => "polling",
        }
    }
}
