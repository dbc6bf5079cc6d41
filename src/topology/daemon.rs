//! A program the lab starts for a lesson (HAProxy, redis-server): on a loopback port,
//! ready once the port accepts, ended when the lab drops it or when the lab itself
//! ends in any way (`PR_SET_PDEATHSIG`).

use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a program may take to open its port: far more than either needs.
const READY_WITHIN: Duration = Duration::from_secs(10);

pub struct Daemon {
    child: Child,
    pub port: u16,
}

/// Why a program could not start, in one line.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("{what} is not installed (`{program}` is not on PATH); install it with `{install}`")]
    Missing {
        what: &'static str,
        program: &'static str,
        install: &'static str,
    },
    #[error("{what} did not start: {detail}")]
    Failed { what: &'static str, detail: String },
}

/// A program to start and what to call it in messages.
pub struct Spec {
    pub what: &'static str,
    pub program: &'static str,
    pub install: &'static str,
    pub args: Vec<String>,
}

/// A free loopback port: the system picks one, and the program binds it next. (Neither
/// HAProxy nor redis-server can bind port 0 and say which port it got.)
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Daemon {
    /// Starts `spec`, which listens on `port`, and returns once the port accepts.
    pub async fn start(spec: Spec, port: u16) -> Result<Daemon, DaemonError> {
        let failed = |detail: String| DaemonError::Failed {
            what: spec.what,
            detail,
        };
        // What it says goes to a file, never to a pipe nobody reads (a full pipe would
        // stall it), and is read back only when it fails to start.
        let log = tempfile::tempfile().map_err(|e| failed(e.to_string()))?;
        let stderr = log.try_clone().map_err(|e| failed(e.to_string()))?;
        let mut command = Command::new(spec.program);
        command
            .args(&spec.args)
            .stdin(Stdio::null())
            .stdout(Stdio::from(
                log.try_clone().map_err(|e| failed(e.to_string()))?,
            ))
            .stderr(Stdio::from(stderr));
        die_with_parent(&mut command);
        let child = match command.spawn() {
            Ok(child) => child,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(DaemonError::Missing {
                    what: spec.what,
                    program: spec.program,
                    install: spec.install,
                })
            }
            Err(e) => return Err(failed(e.to_string())),
        };
        let mut daemon = Daemon { child, port };
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let started = Instant::now();
        // Bounded: a program that never opens its port ends in an error, not a hang.
        loop {
            if let Ok(Some(status)) = daemon.child.try_wait() {
                let mut detail = String::new();
                {
                    use std::io::{Read, Seek};
                    let mut log = &log;
                    let _ = log.rewind();
                    let _ = log.read_to_string(&mut detail);
                }
                let last = detail.lines().rfind(|l| !l.trim().is_empty());
                let last = last.map(crate::safe::capped).unwrap_or_default();
                return Err(failed(
                    format!("it exited ({status}) {last}").trim().to_string(),
                ));
            }
            let probe = tokio::net::TcpStream::connect(addr);
            if let Ok(Ok(_)) = tokio::time::timeout(Duration::from_millis(200), probe).await {
                return Ok(daemon);
            }
            if started.elapsed() > READY_WITHIN {
                return Err(failed(format!(
                    "port {port} did not accept within {} s",
                    READY_WITHIN.as_secs()
                )));
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// On Linux the program gets SIGKILL when the lab's thread that started it ends, so
/// that a lab killed outright leaves nothing behind.
#[cfg(target_os = "linux")]
fn die_with_parent(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: prctl(2) and getppid(2) are async-signal-safe and touch no memory of
    // the parent.
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            // The lab may have ended between the fork and the prctl: then nothing
            // would ever send the signal, so the program does not start at all.
            if libc::getppid() != parent {
                return Err(std::io::Error::other("the lab ended while starting it"));
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_command: &mut Command) {}
