//! A lesson on several nodes (`[nodes]`): the nodes, the Redis their adapter shares
//! and the balancer in front, a control socket on each, the settling marks, and a
//! redeploy.

use serde_json::json;

use super::{Lab, LabError, LabOptions};
use crate::client::{Answer, LabClient};
use crate::lesson::{AdapterKind, Balancer, Client, Nodes};
use crate::protocol::{AdapterRequest, MarkRequest, ADAPTER, MARK, MARK_REQUEST};
use crate::server::{run_prefix, AdapterChoice, EmbeddedServer, ServerConfig};
use crate::topology::{Haproxy, RedisServer};
use crate::trace::Observation;

// ------------------------------------------------------- a lesson with `[nodes]`

/// What a lesson with `[nodes]` runs besides its servers, as deployed now.
pub(crate) struct Deployed {
    pub nodes: Nodes,
    /// The Redis the adapter uses: the learner's (`--redis`), or one the lab started.
    redis_url: Option<String>,
    own_redis: Option<RedisServer>,
    pub balancer: Option<Haproxy>,
    /// The lab started the servers itself (else they are `--server`s).
    embedded: bool,
}

fn port_of(url: &str) -> u16 {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.port_or_known_default())
        .unwrap_or(0)
}

impl Lab {
    /// The lab for a lesson with `[nodes]`: its nodes (started here, or the
    /// `--server`s, one per node), the Redis their adapter shares, a control
    /// connection to each, and the balancer in front.
    pub(crate) async fn start_nodes(
        clients: &[Client],
        nodes: Nodes,
        options: &LabOptions,
    ) -> Result<Lab, LabError> {
        let given: Vec<String> = options.servers();
        if !given.is_empty() && given.len() != nodes.count {
            return Err(LabError::Topology(format!(
                "the lesson runs on {} nodes: give `--server` once for each ({} given)",
                nodes.count,
                given.len()
            )));
        }
        if let Some(url) = &options.redis_url {
            // Said before the first step, not at the redeploy that first needs it.
            reachable_redis(url).await?;
        }
        let mut deployed = Deployed {
            nodes,
            redis_url: options.redis_url.clone(),
            own_redis: None,
            balancer: None,
            embedded: given.is_empty(),
        };
        deployed.ensure_redis().await?;
        let (urls, embedded) = if deployed.embedded {
            let servers = start_embedded(nodes, deployed.redis_url.as_deref()).await?;
            let urls = servers.iter().map(|s| s.url.clone()).collect();
            (urls, servers.into_iter().map(Some).collect())
        } else {
            (given, Vec::new())
        };
        let placement = clients
            .iter()
            .filter_map(|c| Some((c.name.clone(), c.node? - 1)))
            .collect();
        let mut lab = Lab::open(clients, (urls, embedded), placement, options.timeout).await?;
        lab.unmasked = options.unmasked;
        lab.deployed = Some(deployed);
        if let Err(e) = lab.bring_up_nodes().await {
            lab.finish().await;
            return Err(e);
        }
        Ok(lab)
    }

    /// The control connections to nodes 2 and up, each node's adapter (on servers
    /// the lab did not start), the balancer, and the settling marks.
    async fn bring_up_nodes(&mut self) -> Result<(), LabError> {
        let Some(deployed) = self.deployed.as_mut() else {
            return Ok(());
        };
        let nodes = deployed.nodes;
        let redis = deployed.redis_url.clone();
        let embedded = deployed.embedded;
        for (i, url) in self.urls.iter().enumerate().skip(1) {
            let control = self.connect_control(url, i + 1).await?;
            self.node_controls.push(control);
        }
        if !embedded {
            let request = AdapterRequest {
                adapter: nodes.adapter.name().to_string(),
                redis: (nodes.adapter == AdapterKind::Redis).then(|| redis.unwrap_or_default()),
            };
            let data = serde_json::to_value(request).unwrap_or_default();
            for control in self.controls() {
                self.control_request(control, ADAPTER, data.clone()).await?;
            }
        }
        if nodes.balancer != Balancer::None {
            let ports: Vec<u16> = self.urls.iter().map(|u| port_of(u)).collect();
            let balancer = Haproxy::start(nodes.balancer, &ports)
                .await
                .map_err(LabError::Missing)?;
            if let Some(deployed) = self.deployed.as_mut() {
                deployed.balancer = Some(balancer);
            }
        }
        self.marks = (nodes.adapter == AdapterKind::Redis).then_some(0);
        Ok(())
    }

    /// Every control connection: node 1's, then the others'.
    pub(super) fn controls(&self) -> impl Iterator<Item = &LabClient> {
        std::iter::once(&self.control).chain(self.node_controls.iter())
    }

    /// Where a client connects: its node, else the balancer, else node 1.
    pub(super) fn url_of(&self, name: &str) -> String {
        let placed = self.placement.get(name).copied();
        let balancer = self.deployed.as_ref().and_then(|d| d.balancer.as_ref());
        match (placed, balancer) {
            (Some(node), _) => self.urls[node].clone(),
            (None, Some(balancer)) => balancer.url(),
            (None, None) => self.urls[0].clone(),
        }
    }

    /// The settling marks of nodes an adapter joins: every node emits its own mark
    /// through the adapter in each lesson namespace, and every connected client must
    /// receive all of them. A node's mark follows, on Redis, everything that node
    /// published before it, so a client with every mark has every packet any node
    /// sent it in this step. A mark missing within the timeout is a miss.
    pub(super) async fn await_node_marks(&mut self) {
        let Some(mark) = self.marks.as_mut() else {
            return;
        };
        *mark += 1;
        let round = *mark;
        let mut namespaces: Vec<String> = self.specs.iter().map(|c| c.namespace.clone()).collect();
        namespaces.sort();
        namespaces.dedup();
        let marks: Vec<serde_json::Value> = (1..=self.urls.len())
            .map(|node| json!(format!("{round}:{node}")))
            .collect();
        let requests = self.controls().zip(&marks).map(|(control, mark)| {
            let request = MarkRequest {
                namespaces: namespaces.clone(),
                mark: mark.clone(),
            };
            let data = serde_json::to_value(request).unwrap_or_default();
            control.request(MARK_REQUEST, data, self.timeout)
        });
        let answers = futures_util::future::join_all(requests).await;
        for answer in answers {
            if !matches!(answer, Answer::Reply(_)) {
                self.collector.record(Observation::Unanswered {
                    client: crate::client::CONTROL_CLIENT.to_string(),
                    event: MARK_REQUEST.to_string(),
                    timeout_ms: self.timeout_ms(),
                });
            }
        }
        let has_all = |seen: &[Observation], name: &str| {
            marks.iter().all(|mark| {
                seen.iter().any(|o| matches!(o, Observation::Received { client, event, payload, .. } if client == name && event == MARK && payload == mark))
            })
        };
        let everyone: Vec<String> = self.clients.keys().cloned().collect();
        self.wait_until(|seen| everyone.iter().all(|name| has_all(seen, name)))
            .await;
        for name in everyone.iter().filter(|n| !has_all(&self.pending, n)) {
            self.collector.record(Observation::Unanswered {
                client: name.clone(),
                event: MARK.to_string(),
                timeout_ms: self.timeout_ms(),
            });
        }
    }

    /// `redeploy`: every node and the balancer stop and start again with the new
    /// adapter or balancer. No lesson client is connected (validation sees to it).
    pub(super) async fn redeploy(
        &mut self,
        adapter: Option<AdapterKind>,
        balancer: Option<Balancer>,
    ) -> Result<(), LabError> {
        let Some(mut deployed) = self.deployed.take() else {
            return Ok(());
        };
        deployed.nodes = deployed.nodes.redeployed(adapter, balancer);
        deployed.balancer = None;
        deployed.ensure_redis().await?;
        let controls = std::mem::take(&mut self.node_controls);
        for control in &controls {
            let _ = tokio::time::timeout(self.timeout, control.disconnect()).await;
        }
        if deployed.embedded {
            let _ = tokio::time::timeout(self.timeout, self.control.disconnect()).await;
            super::stop_embedded(std::mem::take(&mut self.embedded)).await;
            let servers = start_embedded(deployed.nodes, deployed.redis_url.as_deref()).await?;
            self.urls = servers.iter().map(|s| s.url.clone()).collect();
            self.embedded = servers.into_iter().map(Some).collect();
            let url = self.urls[0].clone();
            self.control = self.connect_control(&url, 1).await?;
        }
        self.deployed = Some(deployed);
        self.bring_up_nodes().await?;
        if let Some(app) = self.app.clone() {
            self.declare(&app).await?;
        }
        Ok(())
    }
}

impl Deployed {
    /// A Redis for the adapter when it needs one and has none yet.
    async fn ensure_redis(&mut self) -> Result<(), LabError> {
        if self.nodes.adapter != AdapterKind::Redis || self.redis_url.is_some() {
            return Ok(());
        }
        let redis = RedisServer::start().await.map_err(LabError::Missing)?;
        self.redis_url = Some(redis.url());
        self.own_redis = Some(redis);
        Ok(())
    }
}

/// The lab server `nodes.count` times, on the adapter the topology names: all
/// started, or none left running.
async fn start_embedded(
    nodes: Nodes,
    redis_url: Option<&str>,
) -> Result<Vec<EmbeddedServer>, LabError> {
    let adapter = match (nodes.adapter, redis_url) {
        (AdapterKind::Redis, Some(url)) => AdapterChoice::Redis {
            url: url.to_string(),
            prefix: run_prefix(),
        },
        _ => AdapterChoice::Local,
    };
    let starts = (0..nodes.count).map(|_| {
        EmbeddedServer::start_with(ServerConfig {
            adapter: adapter.clone(),
            ..ServerConfig::default()
        })
    });
    let mut started = Vec::new();
    let mut failed = None;
    for result in futures_util::future::join_all(starts).await {
        match result {
            Ok(server) => started.push(server),
            Err(e) => failed = Some(e),
        }
    }
    if let Some(e) = failed {
        futures_util::future::join_all(started.into_iter().map(EmbeddedServer::stop)).await;
        return Err(LabError::Node(e));
    }
    Ok(started)
}

/// A `--redis` that answers on its port, or why not, in one line.
async fn reachable_redis(url: &str) -> Result<(), LabError> {
    let parsed = url::Url::parse(url).ok().filter(|u| u.scheme() == "redis");
    let Some(parsed) = parsed else {
        return Err(LabError::Topology(format!(
            "`{}` is not a Redis URL such as `redis://127.0.0.1:6379`",
            crate::safe::capped(url)
        )));
    };
    let host = parsed.host_str().unwrap_or("127.0.0.1").to_string();
    let port = parsed.port().unwrap_or(6379);
    let connect = tokio::net::TcpStream::connect((host.as_str(), port));
    match tokio::time::timeout(std::time::Duration::from_secs(3), connect).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(LabError::Topology(format!(
            "no Redis answered at `{url}` ({e}); check `--redis URL`, or leave it out and the lab starts its own"
        ))),
        Err(_) => Err(LabError::Topology(format!(
            "no Redis answered at `{url}` within 3 s; check `--redis URL`, or leave it out and the lab starts its own"
        ))),
    }
}
