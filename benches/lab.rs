//! `cargo bench`: one lab step's settle time, and broadcast fan-out on the embedded
//! server. Figures, not assertions: nothing here fails because something is slow.

use divan::Bencher;
use indicatif::ProgressBar;
use socketio_lab::engine::{Lab, LabOptions};
use socketio_lab::fanout::{self, Embedded, Swarm, Target};
use socketio_lab::lesson::{self, Op};

fn main() {
    divan::main();
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// The `rooms` lesson's four clients connect; then one `join` step is run again and
/// again: the request, its answer, the `lab:sync` barrier on all five connections
/// and the `lab:state` read.
#[divan::bench(sample_count = 200)]
fn step_join_4_clients(bencher: Bencher) {
    let rt = runtime();
    let lessons = lesson::catalogue(None).expect("the built-in lessons");
    let rooms = lessons
        .iter()
        .find(|l| l.id == "rooms")
        .expect("the `rooms` lesson");
    let connect = rooms.steps.iter().find(|s| s.op == Op::Connect).unwrap();
    let join = rooms.steps.iter().find(|s| s.op == Op::Join).unwrap();
    let mut lab = rt
        .block_on(Lab::start(&rooms.clients, &LabOptions::default()))
        .expect("the lab starts");
    rt.block_on(lab.run_step(connect))
        .expect("the clients connect");
    bencher.bench_local(|| rt.block_on(lab.run_step(join)).expect("the step runs"));
    rt.block_on(lab.finish());
}

fn broadcast_bench(bencher: Bencher, clients: usize, target: Target) {
    fanout::raise_nofile().expect("`RLIMIT_NOFILE` is readable");
    let rt = runtime();
    let server = rt.block_on(Embedded::start()).expect("the server starts");
    let mut swarm = rt
        .block_on(Swarm::new(&server.url, fanout::TIMEOUT))
        .expect("the sender connects");
    rt.block_on(swarm.grow_to(clients, fanout::IN_FLIGHT, &ProgressBar::hidden()))
        .expect("the clients connect");
    rt.block_on(swarm.fill_room(fanout::ROOM_SIZE))
        .expect("the room fills");
    bencher.bench_local(|| rt.block_on(swarm.broadcast(target)).expect("it arrives"));
    rt.block_on(swarm.close());
    rt.block_on(server.stop());
}

/// `io.emit` from the server until the last of `clients` sockets has it.
#[divan::bench(args = [100, 1000], sample_count = 50)]
fn broadcast_io_emit(bencher: Bencher, clients: usize) {
    broadcast_bench(bencher, clients, Target::Everyone);
}

/// `io.to(room).emit` to a room of 10 among `clients` sockets.
#[divan::bench(args = [100, 1000], sample_count = 50)]
fn broadcast_room_of_10(bencher: Bencher, clients: usize) {
    broadcast_bench(bencher, clients, Target::Room);
}
