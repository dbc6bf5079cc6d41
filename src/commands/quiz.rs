//! `socketio-lab quiz [LESSON]`: each answer run on a fresh server and judged by
//! its traffic; `--reset` forgets the scores.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use socketio_lab::engine::LabOptions;
use socketio_lab::judge::Verdict;
use socketio_lab::paint::Paint;
use socketio_lab::path::After;
use socketio_lab::progress;
use socketio_lab::quiz;
use socketio_lab::quiz_session::{self, Answers, QuizError, QuizOptions, Scripted};
use socketio_lab::registry::Registry;

use crate::cli::QuizArgs;
use crate::error::Error;

pub async fn run(registry: &Registry, args: &QuizArgs, paint: Paint) -> Result<Verdict, Error> {
    if args.reset {
        return reset(registry, args.lesson.as_deref(), paint);
    }
    let questions = quiz_session::questions(registry, args.lesson.as_deref())?;
    let mut answers: Box<dyn Answers> = match scripted_answers(args)? {
        Some(list) => {
            quiz::check_answers(&questions, &list).map_err(QuizError::Usage)?;
            Box::new(Scripted(list))
        }
        None if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() => {
            Box::new(crate::term::Prompted)
        }
        None => {
            return Err(QuizError::Terminal(
                "no terminal to ask on: pass the answers with `--answers 1,3,2+4` or `--answers-file FILE`".into(),
            )
            .into())
        }
    };
    let options = QuizOptions {
        lab: LabOptions {
            timeout: Duration::from_millis(args.timeout),
            server_url: args.server.clone(),
            ..LabOptions::default()
        },
        lesson: args.lesson.clone(),
        json: args.json,
        explain: args.explain,
    };
    let mut out = std::io::stdout();
    let finished =
        quiz_session::run(&questions, answers.as_mut(), &options, &mut out, paint).await?;
    for warning in &finished.warnings {
        eprintln!("{} {warning}", paint.warn("warning:"));
    }
    if let Some((answered, total)) = finished.stopped {
        // Said before the `next:` line, which is always last; wrapped to the width.
        let stopped = QuizError::Stopped { answered, total }.to_string();
        eprint!("{}", socketio_lab::layout::wrap(&stopped, 0, paint.width));
    }
    let after = After::Quiz {
        lesson: args.lesson.as_deref(),
        missed: &finished.missed,
        stopped: finished.stopped.is_some(),
    };
    super::next::show(&after, registry, args.json, paint)?;
    if let Some((answered, total)) = finished.stopped {
        return Err(QuizError::Stopped { answered, total }.into());
    }
    Ok(finished.verdict)
}

fn scripted_answers(args: &QuizArgs) -> Result<Option<Vec<Vec<usize>>>, QuizError> {
    let text = match (&args.answers, &args.answers_file) {
        (Some(list), _) => list.clone(),
        (None, Some(path)) => std::fs::read_to_string(path)
            .map_err(|e| QuizError::Usage(format!("cannot read `{}`: {e}", path.display())))?,
        (None, None) => return Ok(None),
    };
    quiz::parse_answers(&text)
        .map(Some)
        .map_err(QuizError::Usage)
}

/// Forgets the quiz scores of one lesson, or of every lesson; lesson runs are kept.
fn reset(registry: &Registry, lesson: Option<&str>, paint: Paint) -> Result<Verdict, Error> {
    if let Some(id) = lesson {
        if registry.lesson(id).is_none() {
            return Err(QuizError::Usage(registry.unknown(id)).into());
        }
    }
    let dir = progress::state_dir().ok_or_else(|| {
        Error::Io("no state directory: set `SOCKETIO_LAB_STATE_DIR` or `HOME`".into())
    })?;
    let warnings =
        progress::update_in(&dir, "the quiz progress", |saved| saved.forget_quiz(lesson));
    if let Some(failed) = warnings.iter().find(|w| w.starts_with("cannot save")) {
        return Err(Error::Io(failed.clone()));
    }
    let mut out = std::io::stdout();
    match lesson {
        Some(id) => writeln!(out, "quiz scores of `{id}` cleared; other lessons kept")?,
        None => writeln!(out, "quiz scores of every lesson cleared; lesson runs kept")?,
    }
    super::next::show(&After::QuizReset { lesson }, registry, false, paint)?;
    Ok(Verdict::Passed)
}
