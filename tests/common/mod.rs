//! Helpers shared by the integration tests: run the real binary, no terminal attached.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_socketio-lab"));
    cmd.stdin(Stdio::null()).env_remove("NO_COLOR");
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
    let node = std::process::Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !matches!(node, Ok(s) if s.success()) {
        return Some("`node` is not on PATH".to_string());
    }
    if !repo()
        .join("examples/node-reference/node_modules")
        .join(package)
        .is_dir()
    {
        return Some(format!(
            "`{package}` is not installed under `examples/node-reference` (run `npm ci --prefix examples/node-reference`)"
        ));
    }
    None
}

/// Whether a test that needs Node and `package` can run; prints why it is skipped
/// when not. With `SOCKETIO_LAB_REQUIRE_NODE=1` (as in CI) a missing prerequisite
/// fails the test instead of skipping it.
pub fn node_ready(test: &str, package: &str) -> bool {
    let Some(why) = node_missing(package) else {
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
