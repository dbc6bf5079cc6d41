//! `cargo bench`: one lab step's settle time, and broadcast fan-out, on the embedded
//! server and (when `node` and `examples/node-reference/node_modules` are there) on
//! the Node reference server. Figures, not assertions: nothing here fails because
//! something is slow.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use divan::Bencher;
use indicatif::ProgressBar;
use socketio_lab::engine::{Lab, LabOptions};
use socketio_lab::fanout::{self, Swarm, Target};
use socketio_lab::lesson::{self, Op};
use socketio_lab::server::EmbeddedServer;

fn main() {
    let mut divan = divan::Divan::from_args();
    if let Err(reason) = node_available() {
        eprintln!("skipping the `node::` benchmarks: {reason}");
        divan = divan.skip_regex("node");
    }
    divan.main();
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn reference_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/node-reference")
}

fn node_available() -> Result<(), String> {
    if !reference_dir().join("node_modules").is_dir() {
        return Err("`examples/node-reference/node_modules` is missing (run `npm ci --prefix examples/node-reference`)".into());
    }
    match Command::new("node").arg("--version").output() {
        Ok(o) if o.status.success() => Ok(()),
        _ => Err("`node` is not installed".into()),
    }
}

/// The Node reference server on a free loopback port; killed when dropped.
struct NodeServer {
    child: Child,
    url: String,
}

impl NodeServer {
    fn start() -> NodeServer {
        let mut child = Command::new("node")
            .arg(reference_dir().join("server.js"))
            .args(["--port", "0"])
            .env_remove("PORT")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("`node` starts");
        let pipe = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(pipe).lines();
            if let Some(Ok(first)) = lines.next() {
                let _ = tx.send(first);
            }
            // Drained so that the server's log never fills the pipe.
            for _ in lines {}
        });
        let mut server = NodeServer {
            child,
            url: String::new(),
        };
        let first = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("the node reference server prints `listening on *:PORT`");
        let port: u16 = first
            .strip_prefix("listening on *:")
            .and_then(|p| p.trim().parse().ok())
            .expect("a `listening on *:PORT` line");
        server.url = format!("http://127.0.0.1:{port}");
        server
    }
}

impl Drop for NodeServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `rooms` lesson's four clients connect; then its first join step (bob's
/// `join r1 and r2`, answered by the lesson's handler) is run again and again: the
/// event, its acknowledgement, the `lab:sync` barrier on all five connections and
/// the `lab:state` read.
fn step_bench(bencher: Bencher, server_url: Option<String>) {
    let rt = runtime();
    let lessons = lesson::embedded().expect("the built-in lessons");
    let rooms = lessons
        .iter()
        .find(|l| l.id == "rooms")
        .expect("the `rooms` lesson");
    let connect = rooms
        .steps
        .iter()
        .find(|s| s.action.op() == Op::Connect)
        .unwrap();
    let join = rooms
        .steps
        .iter()
        .find(|s| s.action.op() == Op::Ask)
        .unwrap();
    let options = LabOptions {
        server_url,
        ..LabOptions::default()
    };
    let mut lab = rt
        .block_on(Lab::for_lesson(rooms, &options))
        .expect("the lab starts");
    rt.block_on(lab.run_step(connect))
        .expect("the clients connect");
    bencher.bench_local(|| rt.block_on(lab.run_step(join)).expect("the step runs"));
    rt.block_on(lab.finish());
}

fn broadcast_bench(
    rt: &tokio::runtime::Runtime,
    bencher: Bencher,
    url: &str,
    clients: usize,
    target: Target,
) {
    fanout::raise_nofile().expect("`RLIMIT_NOFILE` is readable");
    let mut swarm = rt
        .block_on(Swarm::new(url, fanout::TIMEOUT))
        .expect("the sender connects");
    rt.block_on(swarm.grow_to(clients, fanout::IN_FLIGHT, &ProgressBar::hidden()))
        .expect("the clients connect");
    rt.block_on(swarm.fill_room(fanout::ROOM_SIZE))
        .expect("the room fills");
    bencher.bench_local(|| rt.block_on(swarm.broadcast(target)).expect("it arrives"));
    rt.block_on(swarm.close());
}

/// The embedded server runs on the same runtime as the clients, as in `run fanout`.
fn on_embedded(bencher: Bencher, clients: usize, target: Target) {
    let rt = runtime();
    let server = rt
        .block_on(EmbeddedServer::start())
        .expect("the server starts");
    broadcast_bench(&rt, bencher, &server.url, clients, target);
    rt.block_on(server.stop());
}

#[divan::bench(sample_count = 200)]
fn step_join_4_clients(bencher: Bencher) {
    step_bench(bencher, None);
}

/// `io.emit` from the server until the last of `clients` sockets has it.
#[divan::bench(args = [100, 1000], sample_count = 50)]
fn broadcast_io_emit(bencher: Bencher, clients: usize) {
    on_embedded(bencher, clients, Target::Everyone);
}

/// `io.to(room).emit` to a room of 10 among `clients` sockets.
#[divan::bench(args = [100, 1000], sample_count = 50)]
fn broadcast_room_of_10(bencher: Bencher, clients: usize) {
    on_embedded(bencher, clients, Target::Room);
}

/// The same measurements on the Node reference server (`socket.io`), for the ratio.
mod node {
    use super::*;

    #[divan::bench(sample_count = 200)]
    fn step_join_4_clients(bencher: Bencher) {
        let server = NodeServer::start();
        step_bench(bencher, Some(server.url.clone()));
    }

    #[divan::bench(args = [100, 1000], sample_count = 50)]
    fn broadcast_io_emit(bencher: Bencher, clients: usize) {
        let server = NodeServer::start();
        broadcast_bench(&runtime(), bencher, &server.url, clients, Target::Everyone);
    }

    #[divan::bench(args = [100, 1000], sample_count = 50)]
    fn broadcast_room_of_10(bencher: Bencher, clients: usize) {
        let server = NodeServer::start();
        broadcast_bench(&runtime(), bencher, &server.url, clients, Target::Room);
    }
}
