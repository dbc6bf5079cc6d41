//! Command-line interface: parses arguments, picks colour, and calls into the library.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::demo::{DemoOptions, Pace};
use crate::engine::{Lab, LabOptions};
use crate::judge::Verdict;
use crate::lesson::{self, Lesson};
use crate::paint::{ColorChoice, Paint};
use crate::view;

/// Exit codes: 0 all good, 1 the lab observed a failure, 2 bad input or usage,
/// 130 interrupted.
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_INTERRUPTED: u8 = 130;

#[derive(Debug, Parser)]
#[command(
    name = "socketio-lab",
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

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the lessons
    List,
    /// Run a lesson on a real local Socket.IO server and show who receives each event
    Run(RunArgs),
    /// Answer the reading's questions: each answer is run on a real server and judged by its traffic
    Quiz(QuizArgs),
    /// The chat example in plain words, live: for people who do not write code
    Demo(DemoArgs),
    /// Run the lab server alone, for your own clients, and watch what it sees
    Serve(crate::serve::ServeArgs),
    /// Validate lesson files (or every *.toml in a folder)
    Check {
        /// Lesson files or folders
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Pause between beats [default: normal on a terminal, instant otherwise]
    #[arg(long, value_enum, value_name = "PACE")]
    pub pace: Option<Pace>,
    /// Wait for Enter between beats (on a terminal; otherwise go by the pace)
    #[arg(long)]
    pub step: bool,
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
    /// How long, in milliseconds, any expected answer may take before it counts as missing
    #[arg(long, value_name = "MS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub timeout: u64,
    /// Use a lab server you started (it must speak docs/lab-protocol.md) instead of the embedded one
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// `run fanout` only: how many clients to connect (default 1000)
    #[arg(long, value_name = "N")]
    pub clients: Option<usize>,
    /// `run scaling` only: the Redis its two nodes share (default redis://127.0.0.1:6379)
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
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
}

pub fn error(message: impl std::fmt::Display, paint: Paint) -> ExitCode {
    eprintln!("{} {message}", paint.bad("error:"));
    ExitCode::from(EXIT_USAGE)
}

/// Entry point of the binary: parses `args` and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let no_color = std::env::var("NO_COLOR").ok();
    let paint = cli
        .color
        .resolve(std::io::stdout().is_terminal(), no_color.as_deref());
    // `colored` reads the environment itself; align it with the decision made here.
    colored::control::set_override(paint.enabled);

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return error(format!("cannot start the async runtime: {e}"), paint),
    };
    let code = runtime.block_on(dispatch(cli, paint));
    // Lab servers and clients are stopped before this point; do not wait for stragglers.
    runtime.shutdown_timeout(Duration::from_millis(200));
    code
}

async fn dispatch(cli: Cli, paint: Paint) -> ExitCode {
    if let Some(Command::Check { paths }) = &cli.command {
        return interruptible(check(paths, paint), paint).await;
    }
    let lessons = match lesson::catalogue(cli.lessons.as_deref()) {
        Ok(l) => l,
        Err(e) => return error(e, paint),
    };
    match cli.command {
        None => interruptible(menu(&lessons, paint), paint).await,
        Some(Command::List) => {
            print!("{}", list_text(&lessons, paint));
            ExitCode::SUCCESS
        }
        Some(Command::Serve(args)) => crate::serve::run(&args, paint).await,
        Some(Command::Quiz(args)) => {
            interruptible(crate::quiz_session::run(&lessons, args, paint), paint).await
        }
        Some(Command::Run(args)) if args.lesson == "fanout" => {
            if args.redis.is_some() {
                return error("`--redis` is for `socketio-lab run scaling` only", paint);
            }
            interruptible(crate::fanout::run(&args, paint), paint).await
        }
        Some(Command::Run(args)) if args.lesson == "scaling" => {
            interruptible(crate::scaling::run(&args, paint), paint).await
        }
        Some(Command::Run(args)) => {
            if args.redis.is_some() {
                return error("`--redis` is for `socketio-lab run scaling` only", paint);
            }
            if args.clients.is_some() {
                return error("`--clients` is for `socketio-lab run fanout` only", paint);
            }
            let Some(lesson) = lessons.iter().find(|l| l.id == args.lesson) else {
                return error(
                    format!("unknown lesson `{}` (see `socketio-lab list`)", args.lesson),
                    paint,
                );
            };
            let options = LabOptions {
                timeout: Duration::from_millis(args.timeout),
                server_url: args.server.clone(),
            };
            interruptible(run(lesson, &options, args.step, args.json, paint), paint).await
        }
        Some(Command::Demo(args)) => interruptible(demo(&args, paint), paint).await,
        Some(Command::Check { .. }) => unreachable!("handled above"),
    }
}

/// Runs `work` unless Ctrl-C comes first; then says so and exits 130.
pub async fn interruptible(
    work: impl std::future::Future<Output = ExitCode>,
    paint: Paint,
) -> ExitCode {
    tokio::select! {
        code = work => code,
        _ = tokio::signal::ctrl_c() => {
            // A prompt may have hidden the cursor; give the terminal back as it was.
            if std::io::stderr().is_terminal() {
                let _ = dialoguer::console::Term::stderr().show_cursor();
            }
            eprintln!("\n{} interrupted: the lab server and its clients were stopped", paint.warn("note:"));
            ExitCode::from(EXIT_INTERRUPTED)
        }
    }
}

/// Labs written in code rather than as lesson files, because they measure.
const MEASURING_LABS: &[(&str, &str)] = &[
    (
        "fanout",
        "what one broadcast costs as clients grow (`--clients N`, default 1000)",
    ),
    (
        "scaling",
        "the chat on two server nodes, without and with a Redis adapter (`--redis URL`)",
    ),
];

pub fn list_text(lessons: &[Lesson], paint: Paint) -> String {
    let progress = crate::progress::state_dir()
        .map(|dir| crate::progress::load(&dir).0)
        .unwrap_or_default();
    let width = lessons.iter().map(|l| l.id.len()).max().unwrap_or(4) + 2;
    let mut out = String::from("Lessons:\n");
    for l in lessons {
        let pad = " ".repeat(width - l.id.len());
        let score = match progress.best.get(&l.id) {
            Some(s) => format!(
                "  {}",
                paint.dim(&format!("[quiz best {}/{}]", s.correct, s.total))
            ),
            None => String::new(),
        };
        out.push_str(&format!(
            "  {}{pad}{}{score}\n",
            paint.bold(&l.id),
            l.summary
        ));
    }
    out.push_str("\nLabs that measure as they run:\n");
    for (id, summary) in MEASURING_LABS {
        let pad = " ".repeat(width.saturating_sub(id.len()).max(2));
        out.push_str(&format!("  {}{pad}{summary}\n", paint.bold(id)));
    }
    out.push_str("\nRun one with `socketio-lab run NAME` (add `--step` to go at your own pace);\n");
    out.push_str("test yourself with `socketio-lab quiz NAME`.\n");
    out
}

async fn menu(lessons: &[Lesson], paint: Paint) -> ExitCode {
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    if !interactive {
        print!("{}", list_text(lessons, paint));
        println!("Other commands: `socketio-lab check PATH`, `socketio-lab --help`.");
        return ExitCode::SUCCESS;
    }
    let items: Vec<String> = lessons
        .iter()
        .map(|l| format!("{:<12} {}", l.id, l.summary))
        .collect();
    let picked = tokio::task::spawn_blocking(move || {
        dialoguer::Select::new()
            .with_prompt("Pick a lesson (Esc to quit)")
            .items(&items)
            .default(0)
            .interact_opt()
    })
    .await;
    // dialoguer hides the cursor while it draws; give it back whatever happened.
    let _ = dialoguer::console::Term::stderr().show_cursor();
    match picked {
        Ok(Ok(Some(index))) => {
            let options = LabOptions::default();
            run(&lessons[index], &options, true, false, paint).await
        }
        Ok(Ok(None)) => ExitCode::SUCCESS,
        Ok(Err(e)) => error(format!("the lesson menu failed: {e}"), paint),
        Err(e) => error(format!("the lesson menu failed: {e}"), paint),
    }
}

/// The demo, its pace and step mode decided by the terminal.
async fn demo(args: &DemoArgs, paint: Paint) -> ExitCode {
    let terminal = std::io::stdout().is_terminal();
    let options = DemoOptions {
        pace: args.pace.unwrap_or(if terminal {
            Pace::Normal
        } else {
            Pace::Instant
        }),
        step: args.step && terminal && std::io::stdin().is_terminal(),
    };
    match crate::demo::run(&options, &mut std::io::stdout(), paint, wait_for_enter).await {
        Ok(Verdict::Passed) => ExitCode::SUCCESS,
        Ok(Verdict::Failed) => ExitCode::from(EXIT_FAILED),
        Err(e) => {
            eprintln!("{} {e}", paint.bad("error:"));
            ExitCode::from(EXIT_FAILED)
        }
    }
}

/// Shows `prompt` and waits for Enter on a terminal; returns false when the user
/// closed the input.
async fn wait_for_enter(prompt: &str) -> bool {
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let line = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map(|n| n > 0)
    })
    .await;
    matches!(line, Ok(Ok(true)))
}

pub async fn run(
    lesson: &Lesson,
    options: &LabOptions,
    step_mode: bool,
    json: bool,
    paint: Paint,
) -> ExitCode {
    let pause =
        step_mode && !json && std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let mut lab = match Lab::start(&lesson.clients, options).await {
        Ok(lab) => lab,
        Err(e) => {
            eprintln!("{} {e}", paint.bad("error:"));
            return ExitCode::from(EXIT_FAILED);
        }
    };
    let server = if lab.is_embedded() {
        "socketioxide, embedded, on 127.0.0.1 (a free port)".to_string()
    } else {
        format!("the lab server at {}", lab.url())
    };
    let mut out = std::io::stdout();
    if !json {
        let _ = write!(out, "{}", view::header(lesson, &server, paint));
    }
    let mut records = Vec::new();
    for (i, step) in lesson.steps.iter().enumerate() {
        if pause && i > 0 && !wait_for_enter("  (Enter for the next step) ").await {
            break;
        }
        let record = match lab.run_step(step).await {
            Ok(r) => r,
            Err(e) => {
                lab.finish().await;
                eprintln!("{} step {}: {e}", paint.bad("error:"), i + 1);
                return ExitCode::from(EXIT_FAILED);
            }
        };
        if !json {
            let _ = write!(out, "\n{}", view::step(lesson, step, &record, paint));
            let _ = out.flush();
        }
        records.push(record);
    }
    lab.finish().await;
    let failed = lesson
        .steps
        .iter()
        .zip(&records)
        .any(|(s, r)| !r.problems(s).is_empty());
    if json {
        let doc = view::json(lesson, &records);
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        );
    } else {
        let _ = write!(out, "\n{}", view::summary(lesson, &records, paint));
    }
    if failed {
        ExitCode::from(EXIT_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}

fn lesson_files(path: &Path) -> Vec<PathBuf> {
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
    } else {
        vec![path.to_path_buf()]
    }
}

/// Runs every choice of every question: a question no choice can satisfy, or a choice
/// whose run fails, is a broken question.
async fn check_questions(lesson: &Lesson) -> Vec<String> {
    let mut problems = Vec::new();
    let options = LabOptions::default();
    for q in &lesson.questions {
        let at = format!("{}:{}:{}", lesson.source, q.line, q.column);
        let mut runs = std::collections::BTreeMap::new();
        for (i, choice) in q.choices.iter().enumerate() {
            match crate::quiz::run_choice(lesson, q, i, &options).await {
                Ok(run) => {
                    let faults = run.faults(choice);
                    if !faults.is_empty() {
                        problems.push(format!(
                            "{at}: question `{}`: choice {} cannot be run: {}",
                            q.id,
                            i + 1,
                            faults.join("; ")
                        ));
                    }
                    runs.insert(i, run);
                }
                Err(e) => {
                    problems.push(format!("{at}: question `{}`: choice {}: {e}", q.id, i + 1))
                }
            }
        }
        if runs.len() == q.choices.len() && crate::quiz::holding(q, &runs).is_empty() {
            problems.push(format!(
                "{at}: question `{}`: no choice holds when run, so nobody can answer it right",
                q.id
            ));
        }
    }
    problems
}

async fn check(paths: &[PathBuf], paint: Paint) -> ExitCode {
    let mut bad = 0;
    let mut good = 0;
    for path in paths {
        let files = lesson_files(path);
        if files.is_empty() {
            eprintln!(
                "{} `{}` holds no *.toml lesson files",
                paint.bad("error:"),
                path.display()
            );
            bad += 1;
        }
        for file in files {
            match lesson::load_file(&file) {
                Ok(l) => {
                    let problems = check_questions(&l).await;
                    if !problems.is_empty() {
                        bad += 1;
                        for p in problems {
                            eprintln!("{} {p}", paint.bad("error:"));
                        }
                        continue;
                    }
                    good += 1;
                    println!(
                        "{} {} ({} clients, {} steps, {} questions checked by running them)",
                        paint.good("ok"),
                        file.display(),
                        l.clients.len(),
                        l.steps.len(),
                        l.questions.len()
                    );
                }
                Err(e) => {
                    bad += 1;
                    eprintln!("{} {e}", paint.bad("error:"));
                }
            }
        }
    }
    if bad > 0 {
        eprintln!("{good} valid, {bad} invalid");
        ExitCode::from(EXIT_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}
