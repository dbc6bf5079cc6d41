//! The command line's shape (clap), and nothing else: each command's work lives in
//! `commands/`, and the library knows none of these types.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "socketio-lab",
    max_term_width = 80,
    version,
    about = "Learn Socket.IO by watching it work: a real server, named clients, and who received what",
    after_help = "Run `socketio-lab list` to see the lessons, then `socketio-lab run rooms`."
)]
pub struct Cli {
    /// When to colour the output (`auto` honours NO_COLOR and colours terminals only)
    #[arg(long, global = true, value_enum, default_value = "auto")]
    pub color: ColorChoice,

    /// A folder of extra lesson files (*.toml) to offer beside the built-in ones
    #[arg(long, global = true, value_name = "DIR")]
    pub lessons: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// `--color` as the user gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the lessons, their quizzes and the labs, with your progress
    List,
    /// Run a lesson on a real local Socket.IO server and show who receives each event
    Run(RunArgs),
    /// Answer the reading's questions: each answer is run on a real server and judged by its traffic
    Quiz(QuizArgs),
    /// The chat example in plain words, live: for people who do not write code
    Demo(DemoArgs),
    /// Run the lab server alone, for your own clients, and watch what it sees
    Serve(ServeArgs),
    /// The lessons in a browser page, served by the lab server on 127.0.0.1
    Web(WebArgs),
    /// Check your own Socket.IO server against an exercise, by its traffic
    Verify(VerifyArgs),
    /// Validate lesson files (or every *.toml in a folder)
    Check {
        /// Lesson files or folders
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Write a commented starter lesson, NAME.toml, that `check` accepts
    New(NewArgs),
    /// Write a lesson's server as a project you can run (Node: index.js, package.json)
    Export(ExportArgs),
    /// Print a completion script for your shell (see README: "Shell completions")
    Completions {
        /// The shell to complete in
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The lesson's name (lowercase letters, digits, `-`, `_`): its file is NAME.toml
    pub name: String,
    /// The folder to write it in
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The lesson whose server to write (see `socketio-lab list`)
    pub lesson: String,
    /// The language of the project
    #[arg(long, value_enum, default_value = "js")]
    pub lang: ExportLang,
    /// The folder to write it in (made if missing; default: LESSON-server)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// A quiz choice that is handler code, as QUESTION:N (N from 1): its server
    #[arg(long, value_name = "QUESTION:N")]
    pub choice: Option<String>,
}

/// The languages `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportLang {
    /// Node and socket.io 4.8
    Js,
    /// Rust, socketioxide 0.18 on axum (no lab probe: `run --server` needs Node's)
    Rust,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The lesson to run (see `socketio-lab list`)
    pub lesson: String,
    /// Wait for Enter between steps (on a terminal; otherwise run straight through)
    #[arg(long)]
    pub step: bool,
    /// Print one JSON document instead of the transcript
    #[arg(long)]
    pub json: bool,
    /// Before each emit's traffic is shown, predict who will receive it (asked on a terminal)
    #[arg(long)]
    pub predict: bool,
    /// Scripted predictions, one per emit in order: `bob,carol;alice;-` (`-` for nobody); implies `--predict`
    #[arg(long, value_name = "LIST", conflicts_with = "predictions_file")]
    pub predictions: Option<String>,
    /// Scripted predictions from a file (same format; `;` or new lines between emits; `#` comments)
    #[arg(long, value_name = "FILE")]
    pub predictions_file: Option<PathBuf>,
    /// How long, in milliseconds, any expected answer may take before it counts as missing
    #[arg(long, value_name = "MS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub timeout: u64,
    /// Use a lab server you started (it must speak docs/lab-protocol.md) instead of the embedded one; a lesson with several nodes takes one per node, in order
    #[arg(long, value_name = "URL", value_parser = server_url)]
    pub server: Vec<String>,
    /// Show socket ids and the server's port as they are instead of stand-ins (`bobId`, `PORT`); the transcript then changes from run to run
    #[arg(long)]
    pub unmasked: bool,
    /// `run fanout` only: how many clients to connect (default 1000)
    #[arg(long, value_name = "N")]
    pub clients: Option<usize>,
    /// The Redis that a lesson's nodes share through the Redis adapter (without it the lab starts its own)
    #[arg(long, value_name = "URL")]
    pub redis: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct QuizArgs {
    /// Only this lesson's questions (default: every lesson, in order)
    pub lesson: Option<String>,
    /// Scripted answers, one per question in order: `3,1,2+4` (1-based; `+` joins several)
    #[arg(long, value_name = "LIST", conflicts_with = "answers_file")]
    pub answers: Option<String>,
    /// Scripted answers from a file (same format; commas, spaces or new lines; `#` comments)
    #[arg(long, value_name = "FILE")]
    pub answers_file: Option<PathBuf>,
    /// Show the observed traffic for right answers too
    #[arg(long)]
    pub explain: bool,
    /// Print one JSON document instead of the transcript
    #[arg(long)]
    pub json: bool,
    /// Forget every stored score, then exit
    #[arg(long)]
    pub reset: bool,
    /// How long, in milliseconds, any expected answer may take before it counts as missing
    #[arg(long, value_name = "MS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub timeout: u64,
    /// Use a lab server you started (it must speak docs/lab-protocol.md) instead of the embedded one
    #[arg(long, value_name = "URL", value_parser = server_url)]
    pub server: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Rest on each beat as long as reading it takes: slow 150, normal 220, fast 400 words a minute, instant none [default: normal on a terminal, instant otherwise]
    #[arg(long, value_enum, value_name = "PACE")]
    pub pace: Option<Pace>,
    /// Wait for Enter after each beat (needs a terminal)
    #[arg(long)]
    pub step: bool,
    /// Tell it in a browser page instead, where you can join the chat
    #[arg(long)]
    pub web: bool,
    /// With `--web`: how to reach and open the page
    #[command(flatten)]
    pub page: PageArgs,
}

#[derive(Debug, clap::Args)]
pub struct WebArgs {
    /// The lesson to open (default: the list of lessons)
    pub lesson: Option<String>,
    #[command(flatten)]
    pub page: PageArgs,
    /// How long, in milliseconds, any expected answer may take before it counts as missing
    #[arg(long, value_name = "MS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub timeout: u64,
}

/// Where a page is served and whether a browser is opened on it.
#[derive(Debug, clap::Args)]
pub struct PageArgs {
    /// Port on 127.0.0.1 to serve the page on (default: a free one)
    #[arg(long)]
    pub port: Option<u16>,
    /// Only print the page's address; do not open a browser
    #[arg(long)]
    pub no_open: bool,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  socketio-lab verify --list\n  socketio-lab verify broadcast --init js\n  socketio-lab verify broadcast -- node server.js\n  socketio-lab verify broadcast --watch -- node server.js\n  socketio-lab verify broadcast --url http://127.0.0.1:3000"
)]
pub struct VerifyArgs {
    /// The exercise (see `--list`)
    #[arg(required_unless_present = "list")]
    pub exercise: Option<String>,
    /// List the exercises, with the ones you passed
    #[arg(long, conflicts_with_all = ["init", "url", "watch", "command"])]
    pub list: bool,
    /// Write the exercise's starter server into the current folder, then exit
    #[arg(long, value_enum, value_name = "LANG", conflicts_with_all = ["url", "watch", "command"])]
    pub init: Option<Lang>,
    /// A server already running (any language) instead of a command to start
    #[arg(long, value_name = "URL", conflicts_with_all = ["command", "watch"])]
    pub url: Option<String>,
    /// Run again whenever a file in the server's folder changes (Ctrl-C to stop)
    #[arg(long)]
    pub watch: bool,
    /// How long, after the expected deliveries, no other socket may receive the event
    #[arg(long, value_name = "MS", default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=60_000))]
    pub quiet_ms: u64,
    /// How long, in milliseconds, any expected observation may take
    #[arg(long, value_name = "MS", default_value_t = 5000, value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub timeout: u64,
    /// Print one JSON document instead of the transcript
    #[arg(long)]
    pub json: bool,
    /// The command that starts your server, after `--` (it gets `PORT` in its environment)
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

/// `--init`'s language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    Js,
    Rust,
}

/// `--pace`, as the library's `demo::Pace`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Pace {
    Slow,
    Normal,
    Fast,
    Instant,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Port to listen on (0 picks a free one)
    #[arg(long, default_value_t = 3000)]
    pub port: u16,
    /// Address to bind; the default keeps the server on this machine
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Show who is in which room, from the server's own state, each time a join, a leave or a disconnection changes it
    #[arg(long)]
    pub rooms: bool,
    /// Run the server code a lesson declares (format 2) for your own clients, instead of the tutorial's chat
    #[arg(long, value_name = "LESSON")]
    pub lesson: Option<String>,
    /// Let a page of yours from ORIGIN (such as `http://localhost:5173`) use the server; pages from other origins are refused (repeatable)
    #[arg(long = "allow-origin", value_name = "ORIGIN", value_parser = socketio_lab::server::parse_origin)]
    pub allow_origin: Vec<String>,
}

/// Which of a subcommand's options the user typed, as opposed to their defaults: a
/// measuring lab refuses a flag that does not apply to it, even one with a default.
#[derive(Debug, Default)]
pub struct Given {
    matches: Option<ArgMatches>,
}

impl Given {
    pub fn typed(&self, id: &str) -> bool {
        self.matches
            .as_ref()
            .and_then(|m| m.subcommand())
            .is_some_and(|(_, sub)| sub.value_source(id) == Some(ValueSource::CommandLine))
    }
}

/// Parses the process's arguments; on a mistake clap prints it and exits 2.
pub fn parse() -> (Cli, Given) {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    (
        cli,
        Given {
            matches: Some(matches),
        },
    )
}

/// A `--server` address: an absolute http(s) or ws(s) URL with a host. Checked here so
/// that a typo is a usage error (exit 2), not a failed run.
fn server_url(text: &str) -> Result<String, String> {
    if !text.contains("://") {
        return Err(format!("the URL has no scheme; try `http://{text}`"));
    }
    let url = url::Url::parse(text)
        .map_err(|e| format!("not a URL ({e}); try `http://127.0.0.1:3000`"))?;
    if !matches!(url.scheme(), "http" | "https" | "ws" | "wss") {
        return Err(format!(
            "a lab server is reached over `http`, `https`, `ws` or `wss`, not `{}`",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL names no host; try `http://127.0.0.1:3000`".to_string());
    }
    Ok(text.to_string())
}
