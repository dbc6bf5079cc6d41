//! A watchdog for a lab that stalls (issue 28, item 6: a quiz seen idle, its
//! servers listening, once in hundreds of runs under load).
//!
//! With `SOCKETIO_LAB_WATCHDOG=SECONDS` in the environment, every wait the lab marks
//! with [`watched`] (a server starting or stopping, a client connecting, a request,
//! a step, a lab finishing) is kept in a table while it lasts. A thread of its own,
//! outside the async runtime so that it still runs when every worker is blocked,
//! checks the table; once a wait is older than SECONDS it prints to stderr every wait
//! under way, oldest first, with its age, and what each thread of the process is
//! blocked in (Linux: `/proc/self/task/*/wchan`), then again every SECONDS while
//! the stall lasts. Without the variable nothing is kept and nothing runs.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub const VAR: &str = "SOCKETIO_LAB_WATCHDOG";

struct Table {
    limit: Duration,
    next: AtomicU64,
    waits: Mutex<BTreeMap<u64, (String, Instant)>>,
}

static TABLE: OnceLock<Option<Table>> = OnceLock::new();

fn table() -> Option<&'static Table> {
    let table = TABLE.get_or_init(|| {
        let seconds: f64 = std::env::var(VAR).ok()?.trim().parse().ok()?;
        let limit = Duration::try_from_secs_f64(seconds)
            .ok()
            .filter(|l| !l.is_zero())?;
        Some(Table {
            limit,
            next: AtomicU64::new(0),
            waits: Mutex::default(),
        })
    });
    let table = table.as_ref()?;
    static WATCHING: std::sync::Once = std::sync::Once::new();
    WATCHING.call_once(|| {
        std::thread::Builder::new()
            .name("watchdog".into())
            .spawn(move || watch(table))
            .ok();
    });
    Some(table)
}

/// Removes its wait from the table when the wait ends or is dropped (a timeout
/// around it fired, its task was cancelled).
struct Entry(&'static Table, u64);

impl Drop for Entry {
    fn drop(&mut self) {
        if let Ok(mut waits) = self.0.waits.lock() {
            waits.remove(&self.1);
        }
    }
}

/// Awaits `wait`, kept in the watchdog's table as `what` while it lasts (when the
/// watchdog is on; `what` is only called then).
pub async fn watched<F: Future>(what: impl FnOnce() -> String, wait: F) -> F::Output {
    let Some(table) = table() else {
        return wait.await;
    };
    let id = table.next.fetch_add(1, Ordering::Relaxed);
    if let Ok(mut waits) = table.waits.lock() {
        waits.insert(id, (what(), Instant::now()));
    }
    let _entry = Entry(table, id);
    wait.await
}

fn watch(table: &'static Table) {
    let tick = (table.limit / 4).max(Duration::from_millis(50));
    let mut last_report: Option<Instant> = None;
    loop {
        std::thread::sleep(tick);
        let now = Instant::now();
        let mut waits: Vec<(Duration, String)> = match table.waits.lock() {
            Ok(waits) => waits
                .values()
                .map(|(what, since)| (now.duration_since(*since), what.clone()))
                .collect(),
            Err(_) => continue,
        };
        let stalled = waits.iter().any(|(age, _)| *age >= table.limit);
        let due = last_report.is_none_or(|at| now.duration_since(at) >= table.limit);
        if !stalled || !due {
            continue;
        }
        last_report = Some(now);
        waits.sort_by_key(|(age, _)| std::cmp::Reverse(*age));
        eprintln!("{}", report(table.limit, &waits, &threads()));
    }
}

/// The report: every wait under way, oldest first, then every thread.
fn report(limit: Duration, waits: &[(Duration, String)], threads: &[String]) -> String {
    let mut text = format!(
        "watchdog: a wait has lasted more than {:.1} s; {} under way:",
        limit.as_secs_f64(),
        waits.len()
    );
    for (age, what) in waits {
        text.push_str(&format!("\n  {:>7.1} s  {what}", age.as_secs_f64()));
    }
    if !threads.is_empty() {
        text.push_str("\nwatchdog: threads (name, state, kernel wait):");
        for t in threads {
            text.push_str(&format!("\n  {t}"));
        }
    }
    text
}

/// Each thread of the process: its name, its state and where the kernel has it wait
/// (a worker in `futex_wait` is blocked on a lock or a condition; one in
/// `ep_poll`/`do_epoll_wait` is idle, waiting for work).
#[cfg(target_os = "linux")]
fn threads() -> Vec<String> {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    let mut lines: Vec<String> = tasks
        .flatten()
        .map(|task| {
            let read = |file: &str| {
                std::fs::read_to_string(task.path().join(file))
                    .map(|t| t.trim().to_string())
                    .unwrap_or_default()
            };
            let state = read("stat")
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next().map(str::to_string))
                .unwrap_or_default();
            format!(
                "{} {} {} {}",
                task.file_name().to_string_lossy(),
                read("comm"),
                state,
                read("wchan")
            )
        })
        .collect();
    lines.sort();
    lines
}

#[cfg(not(target_os = "linux"))]
fn threads() -> Vec<String> {
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_lists_every_wait_oldest_first_then_the_threads() {
        let waits = [
            (
                Duration::from_millis(61_500),
                "lab 1: step 3 `sync`".to_string(),
            ),
            (
                Duration::from_millis(200),
                "alice: request `lab:sync`".to_string(),
            ),
        ];
        let text = report(
            Duration::from_secs(20),
            &waits,
            &["7 tokio-runtime-w S futex_wait_queue".to_string()],
        );
        assert_eq!(
            text,
            "watchdog: a wait has lasted more than 20.0 s; 2 under way:\n     \
             61.5 s  lab 1: step 3 `sync`\n      0.2 s  alice: request `lab:sync`\n\
             watchdog: threads (name, state, kernel wait):\n  7 tokio-runtime-w S futex_wait_queue"
        );
    }
}
