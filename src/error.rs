//! The one error type of the command line, its exit codes, and the one place that
//! prints it. Exit codes (README): 0 all good; 1 the lab observed a failure or could
//! not run; 2 bad input or usage; 130 interrupted.

use std::process::ExitCode;

use socketio_lab::authoring::NewError;
use socketio_lab::check::Report;
use socketio_lab::demo::DemoError;
use socketio_lab::engine::LabError;
use socketio_lab::fanout::FanoutError;
use socketio_lab::judge::Verdict;
use socketio_lab::paint::Paint;
use socketio_lab::predict::PredictError;
use socketio_lab::quiz_session::QuizError;
use socketio_lab::registry::RegistryError;
use socketio_lab::safe;
use socketio_lab::session::RunError;
use socketio_lab::web::WebError;

pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_INTERRUPTED: u8 = 130;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    /// The command line asks for something that cannot be done.
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// `check` found broken lesson files.
    #[error("{} invalid lesson file(s)", .0.invalid)]
    Invalid(Report),
    #[error(transparent)]
    Run(#[from] RunError),
    #[error(transparent)]
    Quiz(#[from] QuizError),
    #[error(transparent)]
    Demo(#[from] DemoError),
    #[error(transparent)]
    Fanout(#[from] FanoutError),
    #[error(transparent)]
    New(#[from] NewError),
    #[error(transparent)]
    Export(#[from] socketio_lab::export::ExportError),
    #[error(transparent)]
    Verify(#[from] socketio_lab::verify::VerifyError),
    #[error("the server failed: {0}")]
    Serve(#[source] std::io::Error),
    #[error(transparent)]
    Web(#[from] WebError),
    /// Something outside the lab failed (the progress file, say).
    #[error("{0}")]
    Io(String),
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
    /// Ctrl-C.
    #[error("interrupted: the lab server and its clients were stopped")]
    Interrupted,
}

impl Error {
    pub fn code(&self) -> u8 {
        match self {
            Error::Usage(_) | Error::Registry(_) | Error::Invalid(_) => EXIT_USAGE,
            Error::Verify(e) if e.is_usage() => EXIT_USAGE,
            Error::Quiz(QuizError::Usage(_) | QuizError::Terminal(_)) => EXIT_USAGE,
            Error::Run(RunError::Predict(PredictError::Terminal(_))) => EXIT_USAGE,
            Error::Run(RunError::Predict(PredictError::Interrupted)) => EXIT_INTERRUPTED,
            // A program the lesson needs is not installed (HAProxy, redis-server), or
            // the `--server`s do not match its nodes: the learner's setup to fix.
            Error::Run(RunError::Start(LabError::Missing(_) | LabError::Topology(_))) => EXIT_USAGE,
            Error::Fanout(FanoutError::NoClients | FanoutError::TooMany { .. }) => EXIT_USAGE,
            Error::Web(WebError::PortInUse(_)) => EXIT_USAGE,
            Error::Export(
                socketio_lab::export::ExportError::NoServer(_)
                | socketio_lab::export::ExportError::Choice(..)
                | socketio_lab::export::ExportError::Exists(_),
            ) => EXIT_USAGE,
            Error::New(NewError::BadName(_) | NewError::Taken { .. } | NewError::Exists(_)) => {
                EXIT_USAGE
            }
            Error::Interrupted
            | Error::Quiz(QuizError::Stopped { .. } | QuizError::Interrupted) => EXIT_INTERRUPTED,
            _ => EXIT_FAILED,
        }
    }

    /// A closed stdout (`socketio-lab list | head -1`): the reader has what it wanted.
    /// Whether this is Ctrl-C, however deep it was noticed.
    pub fn is_interrupt(&self) -> bool {
        matches!(
            self,
            Error::Interrupted
                | Error::Quiz(QuizError::Interrupted)
                | Error::Run(RunError::Predict(PredictError::Interrupted))
        )
    }

    fn is_broken_pipe(&self) -> bool {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(self);
        while let Some(e) = source {
            if let Some(io) = e.downcast_ref::<std::io::Error>() {
                if io.kind() == std::io::ErrorKind::BrokenPipe {
                    return true;
                }
            }
            source = e.source();
        }
        false
    }
}

/// The exit code of a command that ran to its end.
pub fn verdict_code(verdict: Verdict) -> ExitCode {
    match verdict {
        Verdict::Passed => ExitCode::SUCCESS,
        Verdict::Failed => ExitCode::from(EXIT_FAILED),
    }
}

/// Prints `error` once, on stderr, and gives its exit code.
pub fn report(error: Error, paint: Paint) -> ExitCode {
    if error.is_broken_pipe() {
        return ExitCode::SUCCESS;
    }
    let code = error.code();
    match &error {
        Error::Invalid(report) => {
            for problem in &report.problems {
                eprintln!(
                    "{} {}",
                    paint.bad("error:"),
                    safe::text(&problem.to_string())
                );
            }
            eprintln!("{} valid, {} invalid", report.valid, report.invalid);
        }
        _ if error.is_interrupt() => {
            eprintln!("\n{} {}", paint.warn("note:"), Error::Interrupted)
        }
        // Said by `quiz` itself, before its `next:` line.
        Error::Quiz(QuizError::Stopped { .. }) => {}
        // A message may quote a lesson file or a server: printed escaped.
        _ => eprintln!("{} {}", paint.bad("error:"), safe::text(&error.to_string())),
    }
    ExitCode::from(code)
}
