//! The soak of issue 13: every lesson run many times in a row while two busy loops
//! keep both cores of a small machine loaded, each transcript compared with the first.
//! It takes minutes, so it is ignored by `cargo test`; run it with
//!
//!     cargo test --release --test soak -- --ignored --nocapture
//!
//! (`SOCKETIO_LAB_SOAK_RUNS` sets the runs per lesson, 100 by default.)

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use common::{run, stderr, stdout};
use socketio_lab::lesson::EMBEDDED;

/// Spins one thread per `n` until dropped: the load the soak runs under.
struct BusyLoops(Arc<AtomicBool>, Vec<std::thread::JoinHandle<()>>);

impl BusyLoops {
    fn start(n: usize) -> BusyLoops {
        let stop = Arc::new(AtomicBool::new(false));
        let threads = (0..n)
            .map(|_| {
                let stop = stop.clone();
                std::thread::spawn(move || {
                    let mut x = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
                    }
                })
            })
            .collect();
        BusyLoops(stop, threads)
    }
}

impl Drop for BusyLoops {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
        for t in self.1.drain(..) {
            let _ = t.join();
        }
    }
}

#[test]
#[ignore = "minutes long: run with `-- --ignored`"]
fn every_lesson_gives_the_same_transcript_every_time_under_load() {
    let runs: usize = std::env::var("SOCKETIO_LAB_SOAK_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100);
    let _load = BusyLoops::start(2);
    let mut differing = Vec::new();
    for (id, _) in EMBEDDED {
        let started = Instant::now();
        let mut first: Option<String> = None;
        let mut same = 0;
        for i in 1..=runs {
            let out = run(&["run", id, "--color", "never"]);
            let text = format!(
                "exit {:?}\n{}{}",
                out.status.code(),
                stdout(&out),
                stderr(&out)
            );
            match &first {
                None => {
                    first = Some(text);
                    same += 1;
                }
                Some(f) if *f == text => same += 1,
                Some(f) => differing.push(format!(
                    "`{id}` run {i} differs from run 1:\n{}",
                    common::line_diff(f, &text)
                )),
            }
        }
        println!(
            "`{id}`: {same} of {runs} transcripts identical, in {:.1?}",
            started.elapsed()
        );
    }
    assert!(differing.is_empty(), "{}", differing.join("\n"));
}
