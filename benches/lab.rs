//! `cargo bench`: every lesson's run, one lab step's settle time, and broadcast
//! fan-out, on the embedded server and (when `node` and
//! `examples/node-reference/node_modules` are there) on the Node reference server.
//! Figures, not assertions: nothing here fails because something is slow.
//!
//! Before divan's figures it prints each lesson's run time and its slowest step
//! beyond what the lesson declares it waits (`Lesson::declared_wait`), medians of
//! a few runs: a step that waits for nothing should take a few milliseconds.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use divan::Bencher;
use indicatif::ProgressBar;
use socketio_lab::engine::{Lab, LabOptions};
use socketio_lab::fanout::{self, Swarm, Target};
use socketio_lab::lesson::{self, Lesson, Op};
use socketio_lab::server::EmbeddedServer;

/// Runs of each lesson for the slowest-step table.
const LESSON_RUNS: usize = 5;

fn main() {
    if !std::env::args().any(|a| a == "--list") {
        slowest_steps();
    }
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

/// One run of `lesson` from its first step to its last: each step's time.
fn lesson_run(rt: &tokio::runtime::Runtime, lesson: &Lesson) -> Vec<Duration> {
    rt.block_on(async {
        let mut lab = Lab::for_lesson(lesson, &LabOptions::default())
            .await
            .expect("the lab starts");
        let mut times = Vec::new();
        for step in &lesson.steps {
            let started = Instant::now();
            lab.run_step(step).await.expect("the step runs");
            times.push(started.elapsed());
        }
        lab.finish().await;
        times
    })
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Each lesson's whole run (start to finish, its server's start included) and its
/// slowest step beyond the step's declared waits, medians of `LESSON_RUNS` runs.
fn slowest_steps() {
    let rt = runtime();
    let lessons = lesson::embedded().expect("the built-in lessons");
    println!("lesson runs, medians of {LESSON_RUNS} (step time beyond its declared waits):");
    for lesson in &lessons {
        let mut whole = Vec::new();
        let mut steps: Vec<Vec<Duration>> = vec![Vec::new(); lesson.steps.len()];
        for _ in 0..LESSON_RUNS {
            let started = Instant::now();
            let times = lesson_run(&rt, lesson);
            whole.push(started.elapsed());
            for (all, t) in steps.iter_mut().zip(times) {
                all.push(t);
            }
        }
        let beyond = |(i, times): (usize, &Vec<Duration>)| {
            let took = median(times.clone());
            let declared = lesson.declared_wait(&lesson.steps[i]);
            (took.saturating_sub(declared), i, took, declared)
        };
        let Some((over, i, took, declared)) = steps.iter().enumerate().map(beyond).max() else {
            continue;
        };
        println!(
            "  {:<11} {:>7.1} ms, {:>2} steps; slowest: step {} `{}` {:.1} ms ({:.1} ms beyond {} ms declared)",
            lesson.id,
            ms(median(whole)),
            lesson.steps.len(),
            i + 1,
            lesson.steps[i].title,
            ms(took),
            ms(over),
            declared.as_millis()
        );
    }
    println!();
}

/// Every lesson, run from its server's start to its last step.
fn lesson_ids() -> impl Iterator<Item = &'static str> {
    lesson::EMBEDDED.iter().map(|(id, _)| *id)
}

#[divan::bench(args = lesson_ids(), sample_count = 20)]
fn lesson(bencher: Bencher, id: &str) {
    let rt = runtime();
    let lessons = lesson::embedded().expect("the built-in lessons");
    let lesson = lessons.iter().find(|l| l.id == id).expect("the lesson");
    bencher.bench_local(|| lesson_run(&rt, lesson));
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
