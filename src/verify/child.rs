//! The learner's server as a child process: started with `PORT` set, in its own
//! process group, its output read line by line as the server log, and stopped, its
//! whole group, whenever the guard is dropped (success, failure, error, Ctrl-C,
//! panic). Unix only: process groups and signals.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::trace::{Collector, Observation};

/// How many of the server's last lines are kept for a diagnosis.
const KEPT_LINES: usize = 200;
/// At most this many bytes of one line are kept (a server printing without end of
/// line cannot grow verify's memory).
const LINE_BYTES: usize = 4096;
/// At most this many lines go to the transcript (stdout and stderr together): a
/// server that floods its output cannot grow verify's memory without end.
const SHOWN_LINES: usize = 10_000;
/// How long the group has to stop after SIGTERM before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// The running server and its log. Dropping it stops the whole process group.
pub struct ServerProcess {
    child: Child,
    /// The warden: ends the group when verify ends without dropping this (SIGKILL).
    warden: Option<Child>,
    /// The group's id: the child's pid (`process_group(0)`).
    pgid: i32,
    log: Arc<Mutex<Vec<String>>>,
    /// Its stdout and stderr, which a step's end reads to the last byte written.
    pipes: LogPipes,
    /// The pipe readers, done once the pipes close.
    readers: Vec<std::thread::JoinHandle<()>>,
    status: Option<ExitStatus>,
}

impl ServerProcess {
    /// Starts `command` with `PORT=port`; every line it prints goes to `collector`
    /// as a server log line, with the port shown as `$PORT` so that the output is the
    /// same from run to run.
    pub fn spawn(command: &[String], port: u16, collector: Collector) -> std::io::Result<Self> {
        let (program, args) = command
            .split_first()
            .ok_or_else(|| std::io::Error::other("no command"))?;
        let mut command = Command::new(program);
        command
            .args(args)
            .env("PORT", port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own group: Ctrl-C at the terminal reaches verify only, and verify
            // can stop everything the command started (`npm start` runs sh and node).
            .process_group(0);
        die_with_parent(&mut command);
        let mut child = command.spawn()?;
        let pgid = child.id() as i32;
        let warden = match warden(pgid) {
            Ok(warden) => Some(warden),
            Err(e) => {
                // Without a warden only verify's own exit can stop the group.
                let _ = child.kill();
                let _ = child.wait();
                return Err(e);
            }
        };
        let log = Arc::new(Mutex::new(Vec::new()));
        let port_text = port.to_string();
        let shown = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let pipes: Vec<std::os::fd::OwnedFd> = vec![
            child.stdout.take().expect("piped").into(),
            child.stderr.take().expect("piped").into(),
        ];
        let mut readers = Vec::new();
        let mut logs = Vec::new();
        for fd in pipes {
            let pipe = Arc::new(Mutex::new(Pipe::new(
                fd,
                port_text.clone(),
                log.clone(),
                Sink {
                    collector: collector.clone(),
                    shown: shown.clone(),
                },
            )?));
            logs.push(pipe.clone());
            readers.push(std::thread::spawn(move || follow(&pipe)));
        }
        Ok(ServerProcess {
            pgid,
            child,
            warden,
            log,
            pipes: LogPipes(logs),
            readers,
            status: None,
        })
    }

    /// The exit status, once the command has ended; its last lines are read by then
    /// (the pipes close with it, unless a process it left behind still holds them:
    /// that wait is bounded).
    pub fn exited(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.child.try_wait().ok().flatten();
            if self.status.is_some() {
                let deadline = Instant::now() + Duration::from_secs(1);
                while self.readers.iter().any(|r| !r.is_finished()) && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
        }
        self.status
    }

    /// Its two pipes, for [`LogPipes::catch_up`] at the end of each step.
    pub fn pipes(&self) -> LogPipes {
        self.pipes.clone()
    }

    /// The last `n` lines of its log (stdout and stderr as they came).
    pub fn last_lines(&self, n: usize) -> Vec<String> {
        let log = self.log.lock().map(|l| l.clone()).unwrap_or_default();
        log[log.len().saturating_sub(n)..].to_vec()
    }

    /// The first line of a stack trace in the log: a Node error's `    at ...` frames
    /// (from the error line above them) or a Rust panic.
    pub fn stack_trace(&self) -> Option<String> {
        let log = self.log.lock().ok()?;
        if let Some(panic) = log.iter().find(|l| l.contains("panicked at")) {
            return Some(panic.clone());
        }
        let frame = log.iter().position(|l| {
            let t = l.trim_start();
            l.starts_with("    at ") || (t.starts_with("at ") && t.ends_with(')'))
        })?;
        // The error's own line is the last line above the frames that is not blank.
        let head = log[..frame].iter().rev().find(|l| !l.trim().is_empty());
        Some(head.unwrap_or(&log[frame]).clone())
    }

    /// TCP ports the command's process group listens on.
    pub fn listening_ports(&self) -> Vec<u16> {
        super::ports::of_group(self.pgid)
    }

    /// SIGTERM to the group, then SIGKILL if anything is left after a grace period.
    fn stop(&mut self) {
        // SAFETY: kill(2) with a negative pid signals the group; no memory involved.
        unsafe { libc::kill(-self.pgid, libc::SIGTERM) };
        let deadline = Instant::now() + STOP_GRACE;
        while Instant::now() < deadline {
            self.exited();
            if !group_alive(self.pgid) {
                // The first process may have ended after `exited` looked: reap it
                // (bounded), so that no zombie of this run is left when the next starts.
                let reaped = Instant::now() + Duration::from_secs(1);
                while self.exited().is_none() && Instant::now() < reaped {
                    std::thread::sleep(Duration::from_millis(5));
                }
                return;
            }
            // Polling a process's end is bounded; there is no portable wait for a group.
            std::thread::sleep(Duration::from_millis(10));
        }
        // SAFETY: as above.
        unsafe { libc::kill(-self.pgid, libc::SIGKILL) };
        let _ = self.child.wait();
        // SIGKILL is delivered at once but a process ends a moment later: wait
        // (bounded) so that the next run never starts beside this one.
        let deadline = Instant::now() + STOP_GRACE;
        while group_alive(self.pgid) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.stop();
        // The group is gone: the warden is killed (not told, so that it never signals
        // a group id the system may have given out again) and reaped.
        if let Some(mut warden) = self.warden.take() {
            let _ = warden.kill();
            let _ = warden.wait();
        }
    }
}

/// On Linux the command's first process gets SIGKILL when verify's thread that
/// started it ends (`PR_SET_PDEATHSIG`), which covers a verify killed before its
/// warden runs. Its own children are the warden's to end.
#[cfg(target_os = "linux")]
fn die_with_parent(command: &mut Command) {
    // SAFETY: prctl(2) is async-signal-safe and touches no memory of the parent.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_command: &mut Command) {}

/// A small shell, in a group of its own and deaf to the terminal's signals, that
/// reads a pipe only verify writes to. When verify ends in any way, SIGKILL and a
/// closed terminal (SIGHUP) included, the kernel closes the pipe and the warden
/// kills the server's whole group: no process of the learner's server outlives
/// verify, whatever it started. (`PR_SET_PDEATHSIG` alone reaches only the first
/// process: `npm start` or `sh -c` leave their children running.)
fn warden(pgid: i32) -> std::io::Result<Child> {
    Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' HUP INT TERM; while read -r _; do :; done; kill -s KILL -- -{pgid}"
        ))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
}

/// Whether any process of the group is left. A zombie does not count: it has ended
/// and only waits for a parent (one left behind by the group waits for init, which
/// in a container may never come).
fn group_alive(pgid: i32) -> bool {
    // SAFETY: signal 0 only checks that the group exists.
    let exists = unsafe { libc::kill(-pgid, 0) } == 0
        || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH);
    exists && super::ports::group_running(pgid)
}

/// Where the lines go: the trace, up to [`SHOWN_LINES`] between both pipes.
struct Sink {
    collector: Collector,
    shown: Arc<std::sync::atomic::AtomicUsize>,
}

impl Sink {
    fn send(&self, text: String) {
        use std::sync::atomic::Ordering;
        match self.shown.fetch_add(1, Ordering::Relaxed) {
            n if n < SHOWN_LINES => self
                .collector
                .record(Observation::ServerLog { text, node: None }),
            SHOWN_LINES => self.collector.record(Observation::ServerLog {
                text: format!("… more than {SHOWN_LINES} lines: the rest is not shown"),
                node: None,
            }),
            _ => {}
        }
    }
}

/// The server's stdout and stderr, shared between their reader threads and the step
/// that ends: whoever holds a pipe's lock reads it, so once [`LogPipes::catch_up`]
/// returns, every line the server wrote before the call is in the collector. A step
/// that ends therefore keeps the log lines printed during it, which arrival order
/// alone (a thread reading a pipe when it gets to it) did not promise.
#[derive(Clone)]
pub struct LogPipes(Vec<Arc<Mutex<Pipe>>>);

impl LogPipes {
    /// Reads what both pipes hold now, to its last complete line.
    pub fn catch_up(&self) {
        for pipe in &self.0 {
            if let Ok(mut pipe) = pipe.lock() {
                pipe.drain();
            }
        }
    }
}

/// One pipe, non-blocking, with the line it has begun.
pub struct Pipe {
    file: std::fs::File,
    partial: Vec<u8>,
    closed: bool,
    port: String,
    log: Arc<Mutex<Vec<String>>>,
    sink: Sink,
}

impl Pipe {
    fn new(
        fd: std::os::fd::OwnedFd,
        port: String,
        log: Arc<Mutex<Vec<String>>>,
        sink: Sink,
    ) -> std::io::Result<Pipe> {
        use std::os::fd::AsRawFd;
        // SAFETY: fcntl(2) on a descriptor this value owns; no memory involved.
        let flags = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) };
        if flags < 0
            || unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0
        {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Pipe {
            file: fd.into(),
            partial: Vec::new(),
            closed: false,
            port,
            log,
            sink,
        })
    }

    /// Reads until the pipe is empty (or closed), sending each complete line; a line
    /// longer than [`LINE_BYTES`] is sent in pieces of that size.
    fn drain(&mut self) {
        let mut chunk = [0u8; 8192];
        while !self.closed {
            match std::io::Read::read(&mut self.file, &mut chunk) {
                Ok(0) => {
                    self.closed = true;
                    if !self.partial.is_empty() {
                        let rest = std::mem::take(&mut self.partial);
                        self.send(&rest);
                    }
                }
                Ok(n) => {
                    self.partial.extend_from_slice(&chunk[..n]);
                    self.send_lines();
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return,
                Err(_) => self.closed = true,
            }
        }
    }

    fn send_lines(&mut self) {
        loop {
            let end = match self.partial.iter().position(|&b| b == b'\n') {
                Some(at) if at < LINE_BYTES => at + 1,
                _ if self.partial.len() >= LINE_BYTES => LINE_BYTES,
                _ => return,
            };
            let line: Vec<u8> = self.partial.drain(..end).collect();
            self.send(&line);
        }
    }

    fn send(&self, bytes: &[u8]) {
        let text = String::from_utf8_lossy(bytes);
        let line = with_port_hidden(text.trim_end_matches(['\n', '\r']), &self.port);
        if let Ok(mut log) = self.log.lock() {
            if log.len() == KEPT_LINES {
                log.remove(0);
            }
            log.push(line.clone());
        }
        self.sink.send(line);
    }
}

/// A pipe's reader thread: waits (without holding the lock) until the pipe has
/// something, then reads it, until it closes.
fn follow(pipe: &Mutex<Pipe>) {
    use std::os::fd::AsRawFd;
    let Ok(fd) = pipe.lock().map(|p| p.file.as_raw_fd()) else {
        return;
    };
    loop {
        let mut ready = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one pollfd on the stack; the descriptor lives as long as `pipe`.
        let polled = unsafe { libc::poll(&mut ready, 1, -1) };
        if polled < 0 && std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            return;
        }
        let Ok(mut pipe) = pipe.lock() else { return };
        pipe.drain();
        if pipe.closed {
            return;
        }
    }
}

/// `listening on 43567` reads `listening on $PORT`: the port changes every run.
fn with_port_hidden(line: &str, port: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find(port) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + port.len()..].chars().next();
        let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
        out.push_str(&rest[..at]);
        out.push_str(if digit(before) || digit(after) {
            port
        } else {
            "$PORT"
        });
        rest = &rest[at + port.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gone, or a zombie that only waits for a parent to collect it.
    #[cfg(target_os = "linux")]
    fn gone(pid: &str) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => true,
            Ok(stat) => stat
                .rsplit_once(')')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_panic_still_stops_the_whole_group() {
        let (collector, mut lines) = Collector::new();
        let command = ["sh", "-c", "sleep 300 & echo $!; wait"].map(String::from);
        let server = ServerProcess::spawn(&command, 1, collector).unwrap();
        let Some(Observation::ServerLog { text: sleeper, .. }) = lines.blocking_recv() else {
            panic!("no pid printed");
        };
        let leader = server.pgid.to_string();
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            let _guard = server;
            panic!("a bug in verify while the server runs");
        }));
        assert!(unwound.is_err());
        let deadline = Instant::now() + Duration::from_secs(5);
        while !(gone(&sleeper) && gone(&leader)) {
            assert!(
                Instant::now() < deadline,
                "{sleeper} or {leader} left behind"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn the_port_is_hidden_only_as_a_whole_number() {
        assert_eq!(
            with_port_hidden("listening on *:43567", "43567"),
            "listening on *:$PORT"
        );
        assert_eq!(with_port_hidden("id 143567 x", "43567"), "id 143567 x");
        assert_eq!(with_port_hidden("no port", "43567"), "no port");
    }
}
