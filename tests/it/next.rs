//! From a fresh state, every command ends by naming what to do next, and what it
//! names is a command that exists: its words parse (`--help` of it succeeds), and the
//! lesson, lab or file it names is there.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use common::{bin, repo, stderr, stdout};
use socketio_lab::registry::Registry;

/// A fresh learner: an empty state folder and a working folder of its own.
struct Learner {
    dir: tempfile::TempDir,
}

impl Learner {
    fn new() -> Learner {
        Learner {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn cwd(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = bin();
        cmd.args(args)
            .current_dir(self.cwd())
            .env("SOCKETIO_LAB_STATE_DIR", self.cwd().join("state"));
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Runs `args`, which must exit with `code`; checks that the last lines of
    /// stdout (of stderr when `on_stderr`) name next commands that exist, and
    /// returns them.
    fn next_of(&self, args: &[&str], code: i32, on_stderr: bool) -> Vec<Vec<String>> {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}:\n{}{}",
            stdout(&out),
            stderr(&out)
        );
        let text = if on_stderr {
            stderr(&out)
        } else {
            stdout(&out)
        };
        let nexts = next_lines(&text);
        assert!(!nexts.is_empty(), "{args:?} names nothing next:\n{text}");
        for next in &nexts {
            self.exists(next);
        }
        nexts
    }

    /// `words` is a socketio-lab command line that clap accepts, and what it names
    /// (a lesson or lab, a file to check) is there.
    fn exists(&self, words: &[String]) {
        assert_eq!(words[0], "socketio-lab", "{words:?}");
        let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
        let help = self.run(&[args.as_slice(), &["--help"]].concat());
        assert!(
            help.status.success(),
            "`{}` is not a command: {}",
            words.join(" "),
            stderr(&help)
        );
        let lessons = value_of(&args, "--lessons").map(|d| self.cwd().join(d));
        let registry = Registry::load(lessons.as_deref()).unwrap();
        let rest: Vec<&str> = match lessons {
            Some(_) => args[2..].to_vec(),
            None => args.clone(),
        };
        match rest.as_slice() {
            ["run" | "quiz", name, ..] => {
                assert!(registry.find(name).is_some(), "no lesson or lab `{name}`")
            }
            ["check", path, ..] if *path != "PATH" => {
                assert!(self.cwd().join(path).exists(), "no file `{path}` to check")
            }
            _ => {}
        }
    }
}

/// The value after `flag` in `args`.
fn value_of<'a>(args: &[&'a str], flag: &str) -> Option<&'a str> {
    let at = args.iter().position(|a| *a == flag)?;
    args.get(at + 1).copied()
}

/// The trailing `next: COMMAND   # why` lines of `text`, each split into words.
fn next_lines(text: &str) -> Vec<Vec<String>> {
    let mut lines: Vec<&str> = text
        .lines()
        .rev()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| l.starts_with("next: "))
        .collect();
    lines.reverse();
    lines
        .iter()
        .map(|l| {
            let command = l["next: ".len()..].split("   #").next().unwrap();
            assert!(!command.contains('\''), "quoted words in a test: {l}");
            command.split_whitespace().map(str::to_string).collect()
        })
        .collect()
}

fn words(command: &str) -> Vec<String> {
    command.split_whitespace().map(str::to_string).collect()
}

#[test]
fn every_command_names_a_next_command_that_exists() {
    let me = Learner::new();
    // Where a fresh learner stands: the first lesson.
    assert_eq!(
        me.next_of(&["list"], 0, false),
        [words("socketio-lab run chat")]
    );
    me.next_of(&[], 0, false);
    // A lesson leads to its quiz, with `--json` too (on stderr, beside the document).
    assert_eq!(
        me.next_of(&["run", "rooms"], 0, false),
        [words("socketio-lab quiz rooms")]
    );
    assert_eq!(
        me.next_of(&["run", "rooms", "--json"], 0, true),
        [words("socketio-lab quiz rooms")]
    );
    // A quiz with missed questions leads to the lessons behind them.
    assert_eq!(
        me.next_of(&["quiz", "emit", "--answers", "5,1"], 1, false),
        [words("socketio-lab run emit")]
    );
    me.next_of(&["quiz", "emit", "--answers", "3,2"], 0, false);
    me.next_of(&["quiz", "emit", "--answers", "3,2", "--json"], 0, true);
    assert_eq!(
        me.next_of(&["quiz", "emit", "--reset"], 0, false),
        [words("socketio-lab quiz emit")]
    );
    me.next_of(&["quiz", "--reset"], 0, false);
    me.next_of(&["demo", "--pace", "instant"], 0, false);
    me.next_of(&["run", "fanout", "--clients", "10"], 0, false);
    // Authoring: a new lesson leads to `check`, a checked one to running it.
    assert_eq!(
        me.next_of(&["new", "mine"], 0, false),
        [words("socketio-lab check mine.toml")]
    );
    assert_eq!(
        me.next_of(&["check", "mine.toml"], 0, false),
        [words("socketio-lab --lessons . run mine")]
    );
    let emit = repo().join("lessons/emit.toml");
    assert_eq!(
        me.next_of(&["check", emit.to_str().unwrap()], 0, false),
        [words("socketio-lab run emit")]
    );
    for shell in ["bash", "zsh", "fish", "powershell"] {
        me.next_of(&["completions", shell], 0, true);
    }
}

/// A user lesson's next commands name its folder, or they would not find it.
#[test]
fn a_lesson_of_ones_own_is_named_with_its_folder() {
    let me = Learner::new();
    me.next_of(&["new", "mine", "--dir", "mine"], 0, false);
    let nexts = me.next_of(&["--lessons", "mine", "run", "mine"], 0, false);
    assert_eq!(nexts, [words("socketio-lab --lessons mine quiz mine")]);
}

#[cfg(unix)]
#[test]
fn serve_names_a_next_command_once_stopped() {
    let me = Learner::new();
    let mut cmd = me.command(&["serve", "--port", "0", "--color", "never"]);
    cmd.current_dir(PathBuf::from(me.cwd()));
    let mut served =
        common::ChildServer::start(cmd, common::Ready::PortLine, Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("{e}"));
    let status = Command::new("kill")
        .args(["-INT", &served.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    served.wait_for("server stopped");
    let lines = served.wait_for("next:");
    let last = lines.last().unwrap();
    me.exists(&next_lines(last)[0]);
    assert!(served
        .wait_exit(Duration::from_secs(5))
        .is_some_and(|c| c.success()));
}
