//! Helpers shared by the integration tests: run the real binary, no terminal attached.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_socketio-lab"));
    // Runs and scores land in a folder of this test, never in the user's nor in
    // another test's of the one test binary (libtest names each test's thread after
    // it). A test that reads progress sets its own `SOCKETIO_LAB_STATE_DIR` after this.
    let test: String = std::thread::current()
        .name()
        .unwrap_or("unnamed")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let state = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("state-{}-{test}", std::process::id()));
    cmd.stdin(Stdio::null())
        .env_remove("NO_COLOR")
        .env("SOCKETIO_LAB_STATE_DIR", state);
    cmd
}

pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Snapshots live in the top-level `snapshots/` folder.
pub fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(repo().join("snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s
}

/// Why Node with `package` cannot run here, if it cannot.
fn node_missing(package: &str) -> Option<String> {
    node_missing_in("examples/node-reference", package)
}

/// Why Node with `package`, installed under the repository's `folder`, cannot run here.
fn node_missing_in(folder: &str, package: &str) -> Option<String> {
    let node = std::process::Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !matches!(node, Ok(s) if s.success()) {
        return Some("`node` is not on PATH".to_string());
    }
    if !repo()
        .join(folder)
        .join("node_modules")
        .join(package)
        .is_dir()
    {
        return Some(format!(
            "`{package}` is not installed under `{folder}` (run `npm ci --prefix {folder}`)"
        ));
    }
    None
}

/// Whether a test that needs Node and `package` can run; prints why it is skipped
/// when not. With `SOCKETIO_LAB_REQUIRE_NODE=1` (as in CI) a missing prerequisite
/// fails the test instead of skipping it.
pub fn node_ready(test: &str, package: &str) -> bool {
    skip_unless_ready(test, node_missing(package))
}

/// `node_ready` for packages installed under another folder of the repository
/// (`examples/solutions`, for `verify`).
pub fn node_ready_in(test: &str, folder: &str, package: &str) -> bool {
    skip_unless_ready(test, node_missing_in(folder, package))
}

fn skip_unless_ready(test: &str, missing: Option<String>) -> bool {
    let Some(why) = missing else {
        return true;
    };
    if std::env::var("SOCKETIO_LAB_REQUIRE_NODE").as_deref() == Ok("1") {
        panic!("`{test}` needs Node (`SOCKETIO_LAB_REQUIRE_NODE=1`): {why}");
    }
    println!("skipped `{test}`: {why}");
    false
}

/// A CLI test in the style of casey/just's: arguments, environment, files in a
/// temporary folder the test owns (removed on drop), and what must come out.
pub struct Test {
    dir: tempfile::TempDir,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

impl Test {
    pub fn new() -> Test {
        let dir = tempfile::tempdir().expect("a temporary folder");
        Test {
            // Scores land in the test's own folder, never in the user's.
            env: vec![(
                "SOCKETIO_LAB_STATE_DIR".into(),
                dir.path().join("state").display().to_string(),
            )],
            dir,
            args: Vec::new(),
        }
    }

    pub fn args(mut self, args: &[&str]) -> Test {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    /// Writes `text` to `name` under the test's folder (folders created as needed).
    pub fn write(self, name: &str, text: &str) -> Test {
        let path = self.dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    /// The test's folder, to name in arguments.
    pub fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    pub fn output(&self) -> Output {
        let mut cmd = bin();
        cmd.args(&self.args).current_dir(self.dir.path());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.output().expect("the binary runs")
    }

    /// Runs and checks the exit code and stderr exactly; returns stdout.
    pub fn fails(&self, code: i32, stderr_text: &str) -> String {
        let out = self.output();
        assert_eq!(out.status.code(), Some(code), "{}", stderr(&out));
        assert_eq!(stderr(&out), stderr_text);
        stdout(&out)
    }
}

/// A server in a child process (the Node reference, `serve`, `redis-server`),
/// killed when dropped so that a failing assertion leaves nothing behind. Its stdout
/// lines arrive on `lines`; what it wrote to stderr is kept for messages.
pub struct ChildServer {
    child: std::process::Child,
    pub port: u16,
    pub lines: std::sync::mpsc::Receiver<String>,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

/// The port of a `listening on ADDRESS:PORT` line: `serve` names the address it is
/// bound to (`127.0.0.1:3000`, `[::1]:3000`), the Node reference `*:3000`.
pub fn listening_port(line: &str) -> Option<u16> {
    let (_, port) = line.strip_prefix("listening on ")?.rsplit_once(':')?;
    port.trim().parse().ok()
}

/// How a child server says it is ready.
pub enum Ready {
    /// Its first stdout line is `listening on ADDRESS:PORT` (`*:PORT` for Node's).
    PortLine,
    /// It accepts TCP connections on this port (for servers that print nothing useful).
    Accepts(u16),
    /// Its first stdout line is a page's address, `http://127.0.0.1:PORT/...` (`web`).
    UrlLine,
}

impl ChildServer {
    /// Starts `cmd` and waits, up to `limit`, until it is ready.
    pub fn start(mut cmd: Command, ready: Ready, limit: Duration) -> Result<ChildServer, String> {
        use std::io::{BufRead, Read};
        let shown = format!("{cmd:?}");
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {shown}: {e}"))?;
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        if let Some(mut pipe) = child.stderr.take() {
            let stderr = stderr.clone();
            std::thread::spawn(move || {
                let mut text = String::new();
                let _ = pipe.read_to_string(&mut text);
                stderr.lock().unwrap().push_str(&text);
            });
        }
        let (tx, lines) = std::sync::mpsc::channel();
        let pipe = child.stdout.take().expect("stdout is piped");
        // Every line is read, so that a chatty server never fills its pipe.
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(pipe).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut server = ChildServer {
            child,
            port: 0,
            lines,
            stderr,
        };
        server.port = match ready {
            Ready::PortLine => server.port_line(limit),
            Ready::Accepts(port) => server.accepts(port, limit).map(|()| port),
            Ready::UrlLine => server.url_line(limit),
        }
        .map_err(|why| format!("{shown}: {why}\n{}", server.stderr_text()))?;
        Ok(server)
    }

    fn port_line(&self, limit: Duration) -> Result<u16, String> {
        let first = self
            .lines
            .recv_timeout(limit)
            .map_err(|_| format!("printed no `listening on` line within {limit:?}"))?;
        listening_port(&first)
            .ok_or_else(|| format!("its first line is not `listening on ADDRESS:PORT`: `{first}`"))
    }

    fn url_line(&self, limit: Duration) -> Result<u16, String> {
        let first = self
            .lines
            .recv_timeout(limit)
            .map_err(|_| format!("printed no address within {limit:?}"))?;
        let port = first
            .strip_prefix("http://127.0.0.1:")
            .and_then(|rest| rest.split('/').next())
            .and_then(|port| port.parse().ok());
        port.ok_or_else(|| format!("its first line is not `http://127.0.0.1:PORT/...`: `{first}`"))
    }

    fn accepts(&mut self, port: u16, limit: Duration) -> Result<(), String> {
        let deadline = std::time::Instant::now() + limit;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("exited ({status}) before accepting on port {port}"));
            }
            if std::time::Instant::now() > deadline {
                return Err(format!("did not accept on port {port} within {limit:?}"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the server wrote to stderr so far.
    pub fn stderr_text(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Stdout lines until one contains `needle` (each waited for up to 5 s).
    pub fn wait_for(&self, needle: &str) -> Vec<String> {
        let mut seen = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            let found = line.contains(needle);
            seen.push(line);
            if found {
                return seen;
            }
        }
        panic!("`{needle}` never printed; got:\n{}", seen.join("\n"));
    }

    /// Waits (bounded) for the server to exit by itself.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + limit;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if std::time::Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The Node reference server (`examples/node-reference/server.js`) on a free port.
pub fn node_reference() -> Result<ChildServer, String> {
    node_reference_with(&[])
}

/// The Node reference with more command-line options (`--ping-interval MS`, say).
pub fn node_reference_with(options: &[String]) -> Result<ChildServer, String> {
    let mut cmd = Command::new("node");
    cmd.arg(repo().join("examples/node-reference/server.js"))
        .args(["--port", "0"])
        .args(options)
        .env_remove("PORT");
    ChildServer::start(cmd, Ready::PortLine, Duration::from_secs(15))
}

/// `socketio-lab serve` on a free port.
pub fn serve() -> ChildServer {
    let mut cmd = bin();
    cmd.args(["serve", "--port", "0", "--color", "never"]);
    ChildServer::start(cmd, Ready::PortLine, Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A `- left` / `+ right` line diff with three lines of context (`similar`).
pub fn line_diff(left: &str, right: &str) -> String {
    similar::TextDiff::from_lines(left, right)
        .unified_diff()
        .context_radius(3)
        .to_string()
}

/// Runs `args` and checks it failed with `code`, one line on stderr starting with
/// `starts` and nothing on stdout; returns that line.
pub fn one_line_error(args: &[&str], code: i32, starts: &str) -> String {
    let out = run(args);
    assert_eq!(out.status.code(), Some(code), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with(starts), "{err}");
    assert!(out.stdout.is_empty(), "{}", stdout(&out));
    err
}

/// Established TCP connections whose far end is `port` on this machine, read from
/// `/proc/net/tcp` and `/proc/net/tcp6` as `ss -tn state established dst :PORT`
/// counts them: the client ends of the connections to a server on `port`.
pub fn established_to(port: u16) -> usize {
    // By their two ends: the kernel writes the table a page at a time, so a socket
    // can be listed twice when others open or close during the read.
    let mut seen = std::collections::BTreeSet::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let text = std::fs::read_to_string(table).unwrap_or_default();
        for line in text.lines().skip(1) {
            // sl local_address rem_address st ...; addresses are HEX_IP:HEX_PORT.
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (Some(remote), Some(state)) = (fields.get(2), fields.get(3)) else {
                continue;
            };
            let remote_port = remote
                .rsplit(':')
                .next()
                .and_then(|p| u16::from_str_radix(p, 16).ok());
            if *state == "01" && remote_port == Some(port) {
                seen.insert((fields[1].to_string(), remote.to_string()));
            }
        }
    }
    seen.len()
}

/// The port of a `http://127.0.0.1:PORT` URL.
pub fn port_of(url: &str) -> u16 {
    url.rsplit(':')
        .next()
        .and_then(|p| p.trim_end_matches('/').parse().ok())
        .unwrap_or_else(|| panic!("no port in `{url}`"))
}

/// Waits, within `limit`, until `established_to(port)` is `want`; returns the last
/// count. A closed connection leaves the table when the kernel has processed the
/// close, which nothing tells the test about: it looks again, at most for `limit`.
pub fn established_becomes(port: u16, want: usize, limit: Duration) -> usize {
    let deadline = std::time::Instant::now() + limit;
    loop {
        let now = established_to(port);
        if now == want || std::time::Instant::now() >= deadline {
            return now;
        }
        // The interval between looks, not a wait for anything to settle.
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The step of a `--json` document with this title.
pub fn step_titled<'a>(doc: &'a serde_json::Value, title: &str) -> &'a serde_json::Value {
    doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["title"] == title)
        .unwrap_or_else(|| panic!("no step `{title}`"))
}

/// A JSON list of names, as `--json` writes `delivered_to`.
pub fn name_list(v: &serde_json::Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_str).collect())
        .unwrap_or_default()
}

/// A displayed code line without the number of its line in the exported file
/// (`     21  socket.join(room);`), which a step's code and the header's whole
/// server show in front: the code as it reads, its indentation kept.
pub fn without_line_number(line: &str) -> String {
    let body = line.trim_start();
    let digits = body.len() - body.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    match body[digits..].strip_prefix("  ") {
        Some(code) if digits > 0 => format!("{}{code}", " ".repeat(line.len() - body.len())),
        // A blank line of the file: its number alone.
        None if digits > 0 && digits == body.len() => String::new(),
        _ => line.to_string(),
    }
}

/// How a transcript line starts that only the embedded server prints: what plain
/// socketioxide would have done where an own-id shim changed who got an emit.
pub const PLAIN_SOCKETIOXIDE: &str =
    "  rust   plain socketioxide (no own-id rooms) would have sent it to ";
