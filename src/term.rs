//! Terminal facts, decided once: colour, whether anyone can be asked, prompts, the
//! wait for Enter, and Ctrl-C. Nothing else in the binary looks at the terminal.

use std::future::Future;
use std::io::{IsTerminal, Write};

use socketio_lab::lesson::Question;
use socketio_lab::paint::Paint;
use socketio_lab::quiz_session::{Answers, Asked, QuizError};

use crate::cli::ColorChoice;

mod choose;
use crate::error::Error;

/// `auto` colours a terminal unless `NO_COLOR` is set (to anything but empty).
pub fn resolve(choice: ColorChoice, is_terminal: bool, no_color: Option<&str>) -> Paint {
    let enabled = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => is_terminal && no_color.is_none_or(str::is_empty),
    };
    Paint { enabled }
}

/// The colour decision for this process.
pub fn paint(choice: ColorChoice) -> Paint {
    let no_color = std::env::var("NO_COLOR").ok();
    let paint = resolve(choice, std::io::stdout().is_terminal(), no_color.as_deref());
    // `colored` reads the environment itself; align it with the decision made here.
    colored::control::set_override(paint.enabled);
    paint
}

/// Whether a person is there to answer: input and output are both terminals.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// A prompt may have hidden the cursor; give the terminal back as it was.
pub fn restore_cursor() {
    if std::io::stderr().is_terminal() {
        let _ = dialoguer::console::Term::stderr().show_cursor();
    }
}

/// Waits for Enter after showing `prompt` on stderr; false once the input is closed.
pub fn wait_for_enter(prompt: &str) -> bool {
    eprint!("  ({prompt}) ");
    let _ = std::io::stderr().flush();
    // Blocking on stdin is fine here: nothing else runs on this task meanwhile.
    tokio::task::block_in_place(|| {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map(|n| n > 0)
    })
    .unwrap_or(false)
}

/// Runs `work` unless Ctrl-C comes first.
pub async fn interruptible<T>(work: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
    tokio::select! {
        result = work => result,
        _ = tokio::signal::ctrl_c() => Err(Error::Interrupted),
    }
}

/// Resolves when the user asks a server to stop (Ctrl-C, or SIGTERM on Unix). The
/// handlers are installed when this is called, not when it is first awaited, so a
/// signal that comes right after `listening on` is not lost.
#[cfg(unix)]
pub fn stop_requested() -> impl Future<Output = ()> {
    use tokio::signal::unix::{signal, SignalKind};
    let interrupt = signal(SignalKind::interrupt());
    let terminate = signal(SignalKind::terminate());
    async move {
        match (interrupt, terminate) {
            (Ok(mut int), Ok(mut term)) => {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
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
    let picked = tokio::task::block_in_place(|| {
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
        let outcome =
            tokio::task::block_in_place(|| choose::ask(&term, &items, question.multiple, hint));
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
