//! Terminal facts, decided once: colour, whether anyone can be asked, prompts, the
//! wait for Enter, and Ctrl-C. Nothing else in the binary looks at the terminal.

use std::future::Future;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use socketio_lab::lesson::Question;
use socketio_lab::paint::Paint;
use socketio_lab::predict::{PredictError, Predictor};
use socketio_lab::quiz_session::{Answers, Asked, QuizError};

use crate::cli::ColorChoice;

mod choose;
mod reveal;
use crate::error::Error;

/// `auto` colours a terminal unless `NO_COLOR` is set (to anything but empty).
pub fn resolve(choice: ColorChoice, is_terminal: bool, no_color: Option<&str>) -> Paint {
    let enabled = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => is_terminal && no_color.is_none_or(str::is_empty),
    };
    Paint {
        enabled,
        width: Paint::WIDTH,
    }
}

/// The colour and width decisions for this process.
pub fn paint(choice: ColorChoice) -> Paint {
    let no_color = std::env::var("NO_COLOR").ok();
    let mut paint = resolve(choice, std::io::stdout().is_terminal(), no_color.as_deref());
    if let Some((cols, _)) = size() {
        paint.width = text_width(cols);
    }
    // `colored` reads the environment itself; align it with the decision made here.
    colored::control::set_override(paint.enabled);
    paint
}

/// Whether a person is there to answer: input and output are both terminals.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// The size of the terminal stdout writes to, as (columns, rows); `None` when
/// stdout is not a terminal.
pub fn size() -> Option<(usize, usize)> {
    let term = dialoguer::console::Term::stdout();
    if !std::io::stdout().is_terminal() {
        return None;
    }
    term.size_checked()
        .map(|(rows, cols)| (usize::from(cols), usize::from(rows)))
}

/// The width text is laid out in on a terminal `cols` wide: two columns short of it,
/// as the 78 of output that is not a terminal, kept within 58..=118 so that a line
/// stays readable on a very narrow or very wide terminal.
pub fn text_width(cols: usize) -> usize {
    cols.clamp(60, 120) - 2
}

/// A prompt may have hidden the cursor; give the terminal back as it was.
pub fn restore_cursor() {
    if std::io::stderr().is_terminal() {
        let _ = dialoguer::console::Term::stderr().show_cursor();
    }
}

/// Ends the program as Ctrl-C does, from a place that cannot return an error (a
/// blocking wait for Enter): the terminal given back, the note, exit 130.
pub fn exit_interrupted() -> ! {
    restore_cursor();
    let code = Error::Interrupted.code();
    let _ = crate::error::report(Error::Interrupted, Paint::PLAIN);
    std::process::exit(i32::from(code))
}

/// Set once Ctrl-C (SIGINT) has come.
static INTERRUPTED: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// Catches Ctrl-C from the start, before anything can prompt. The prompt library
/// raises SIGINT itself on Ctrl-C; with no handler in place that signal killed the
/// process, with the cursor still hidden, in about half of the tries.
pub fn watch_interrupts() {
    let flag = Arc::new(AtomicBool::new(false));
    // signal-hook: the maintained way to turn a signal into a flag (tokio's own
    // handler only exists once its future is polled).
    let _ = signal_hook::flag::register(signal_hook::consts::SIGINT, flag.clone());
    let _ = INTERRUPTED.set(flag);
    // A Ctrl-C pressed just before a prompt puts the terminal in raw mode arrives as
    // SIGINT, not as a key, and the prompt would then wait for a key regardless
    // (seen in 1 of 8 tries under load): while a prompt waits, SIGINT ends the
    // program here.
    if let Ok(mut signals) = signal_hook::iterator::Signals::new([signal_hook::consts::SIGINT]) {
        std::thread::spawn(move || {
            for _ in signals.forever() {
                if PROMPTING.load(Ordering::SeqCst) {
                    restore_cursor();
                    exit_interrupted();
                }
            }
        });
    }
}

/// Set while a prompt blocks on the terminal.
static PROMPTING: AtomicBool = AtomicBool::new(false);

/// Runs a blocking prompt off the async workers; a Ctrl-C that came before it, or
/// comes while it waits without reading it as a key, ends the program (exit 130).
fn prompting<T>(prompt: impl FnOnce() -> T) -> T {
    PROMPTING.store(true, Ordering::SeqCst);
    if interrupted() {
        restore_cursor();
        exit_interrupted();
    }
    let result = tokio::task::block_in_place(prompt);
    PROMPTING.store(false, Ordering::SeqCst);
    result
}

pub fn interrupted() -> bool {
    INTERRUPTED.get().is_some_and(|f| f.load(Ordering::SeqCst))
}

/// Waits for Enter after showing `prompt` on stderr; false when the input cannot be
/// read or the line is `q`. Ctrl-C meanwhile ends the program at once with its exit code (130): the line
/// is read on a thread of its own so that the wait can notice it. Ctrl-D (the input
/// closed: only a terminal is ever asked) ends it the same way, as a shell's Ctrl-D
/// ends what it runs.
pub fn wait_for_enter(prompt: &str) -> bool {
    use std::sync::mpsc::RecvTimeoutError;
    eprint!("  ({prompt}) ");
    let _ = std::io::stderr().flush();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let read = std::io::stdin().read_line(&mut line);
        let _ = tx.send(read.map(|n| (n, line)));
    });
    tokio::task::block_in_place(|| loop {
        match rx.recv_timeout(std::time::Duration::from_millis(50)) {
            Ok(Ok((0, _))) => {
                // The shell's next prompt starts on a line of its own.
                eprintln!();
                exit_interrupted()
            }
            // `q` (then Enter: the line is read whole) stops, as in a pager.
            Ok(Ok((_, line))) => return !line.trim().eq_ignore_ascii_case("q"),
            Ok(Err(_)) => return false,
            Err(RecvTimeoutError::Timeout) if interrupted() => exit_interrupted(),
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return false,
        }
    })
}

/// Runs `work` unless Ctrl-C comes first. A Ctrl-C that a prompt turned into an
/// error of its own still ends as an interruption.
pub async fn interruptible<T>(work: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
    let result = tokio::select! {
        result = work => result,
        _ = tokio::signal::ctrl_c() => Err(Error::Interrupted),
    };
    if interrupted() {
        return Err(Error::Interrupted);
    }
    result
}

/// Resolves when the user asks a server to stop (Ctrl-C, or SIGTERM or SIGHUP on
/// Unix: a closed terminal sends SIGHUP, whose default would end the process without
/// stopping what it started). The handlers are installed when this is called, not
/// when it is first awaited, so a signal that comes right after `listening on` is
/// not lost.
#[cfg(unix)]
pub fn stop_requested() -> impl Future<Output = ()> {
    use tokio::signal::unix::{signal, SignalKind};
    let interrupt = signal(SignalKind::interrupt());
    let terminate = signal(SignalKind::terminate());
    let hangup = signal(SignalKind::hangup());
    async move {
        match (interrupt, terminate, hangup) {
            (Ok(mut int), Ok(mut term), Ok(mut hup)) => {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                    _ = hup.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
}

#[cfg(not(unix))]
pub fn stop_requested() -> impl Future<Output = ()> {
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// dialoguer reads Ctrl-C as a key in raw mode, raises SIGINT itself and returns an
/// `Interrupted` error: that is Ctrl-C, never a terminal failure.
fn prompt_error(e: dialoguer::Error) -> QuizError {
    let dialoguer::Error::IO(io) = &e;
    if io.kind() == std::io::ErrorKind::Interrupted {
        return QuizError::Interrupted;
    }
    QuizError::Terminal(format!("cannot ask on this terminal: {e}"))
}

/// Picks one of `items`, starting on `preselected`; `None` when the person pressed Esc.
pub fn select_from(
    prompt: &str,
    items: &[String],
    preselected: usize,
) -> Result<Option<usize>, QuizError> {
    let picked = prompting(|| {
        dialoguer::Select::new()
            .with_prompt(prompt)
            .items(items)
            .default(preselected)
            .interact_opt()
    });
    restore_cursor();
    picked.map_err(prompt_error)
}

/// Answers from the person at the terminal, one key at a time (`choose`): `h` shows
/// the hint in every kind of question, an empty multiple answer is confirmed first,
/// and Esc stops the quiz with the answers given so far kept.
pub struct Prompted;

impl Answers for Prompted {
    fn answer(&mut self, _: usize, question: &Question) -> Result<Asked, QuizError> {
        let items: Vec<String> = question.choices.iter().map(|c| c.text.clone()).collect();
        let term = dialoguer::console::Term::stderr();
        let hint = question.hint.as_deref();
        let outcome = prompting(|| choose::ask(&term, &items, question.multiple, hint));
        restore_cursor();
        match outcome {
            Ok(choose::Outcome::Answer(picked)) => Ok(Asked::Answer(picked)),
            Ok(choose::Outcome::Quit) => Ok(Asked::Quit),
            Ok(choose::Outcome::Interrupt) => Err(QuizError::Interrupted),
            Ok(choose::Outcome::Continue) => unreachable!("`ask` returns on an answer"),
            Err(e) => Err(QuizError::Terminal(format!(
                "cannot ask on this terminal: {e}"
            ))),
        }
    }

    fn reveal(&mut self, text: &str, out: &mut dyn Write, last: bool) -> Result<bool, QuizError> {
        let done = if last { "the score" } else { "next question" };
        match hold(text, out, done) {
            Ok(reveal::Held::Next) => Ok(true),
            Ok(reveal::Held::Stop) => Ok(false),
            Ok(reveal::Held::Interrupt) => Err(QuizError::Interrupted),
            Err(e) => Err(QuizError::Terminal(format!(
                "cannot show the answer on this terminal: {e}"
            ))),
        }
    }
}

/// Shows a reveal and holds it until a key, a page at a time when it is taller than
/// the terminal; without a terminal to show it on and to read a key from, it is only
/// written.
fn hold(text: &str, out: &mut dyn Write, done: &str) -> std::io::Result<reveal::Held> {
    let Some(size) = size().filter(|_| std::io::stdin().is_terminal()) else {
        out.write_all(text.as_bytes())?;
        out.flush()?;
        return Ok(reveal::Held::Next);
    };
    let held = prompting(|| reveal::show(text, out, size, done));
    restore_cursor();
    held
}

impl Predictor for Prompted {
    fn predict(
        &mut self,
        _: usize,
        event: &str,
        present: &[String],
    ) -> Result<Option<Vec<String>>, PredictError> {
        if present.is_empty() {
            // Nobody is connected: there is no one to pick, and nobody can receive it.
            return Ok(Some(Vec::new()));
        }
        let prompt = format!(
            "Who will receive `{}`? (Space picks; none = nobody; Enter confirms)",
            socketio_lab::safe::text(event)
        );
        let picked = prompting(|| {
            dialoguer::MultiSelect::new()
                .with_prompt(prompt)
                .items(present)
                .interact_opt()
        });
        restore_cursor();
        let picked = picked.map_err(|e| match prompt_error(e) {
            QuizError::Interrupted => PredictError::Interrupted,
            other => PredictError::Terminal(other.to_string()),
        })?;
        Ok(picked.map(|i| i.into_iter().map(|i| present[i].clone()).collect()))
    }

    fn reveal(
        &mut self,
        text: &str,
        out: &mut dyn Write,
        last: bool,
    ) -> Result<bool, PredictError> {
        let done = if last {
            "the rest of the lesson"
        } else {
            "next step"
        };
        match hold(text, out, done) {
            Ok(reveal::Held::Next) => Ok(true),
            Ok(reveal::Held::Stop) => Ok(false),
            Ok(reveal::Held::Interrupt) => Err(PredictError::Interrupted),
            Err(e) => Err(PredictError::Terminal(format!(
                "cannot show the step on this terminal: {e}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_wins_only_in_auto() {
        assert!(!resolve(ColorChoice::Auto, true, Some("1")).enabled);
        assert!(resolve(ColorChoice::Auto, true, Some("")).enabled);
        assert!(resolve(ColorChoice::Auto, true, None).enabled);
        assert!(!resolve(ColorChoice::Auto, false, None).enabled);
        assert!(resolve(ColorChoice::Always, false, Some("1")).enabled);
        assert!(!resolve(ColorChoice::Never, true, None).enabled);
    }
}
