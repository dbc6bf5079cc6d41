//! `socketio-lab run NAME`: a lesson, or a lab that measures, by its name.

use std::io::IsTerminal;
use std::time::Duration;

use socketio_lab::engine::LabOptions;
use socketio_lab::fanout::{self, FanoutOptions, DEFAULT_CLIENTS};
use socketio_lab::judge::Verdict;
use socketio_lab::lesson::Lesson;
use socketio_lab::paint::Paint;
use socketio_lab::path::After;
use socketio_lab::predict::{self, Predicting};
use socketio_lab::registry::{Entry, MeasuringLab, Registry};
use socketio_lab::session::{self, Format};

use crate::cli::{Given, RunArgs};
use crate::error::Error;

pub async fn run(
    registry: &Registry,
    args: &RunArgs,
    given: &Given,
    paint: Paint,
) -> Result<Verdict, Error> {
    match registry.find(&args.lesson) {
        Some(Entry::Lesson(lesson)) => {
            refuse_lab_flags(args)?;
            if lesson.nodes.is_none() {
                refuse_redis(args)?;
            }
            let options = LabOptions {
                timeout: Duration::from_millis(args.timeout),
                server_url: args.server.first().cloned(),
                more_servers: args.server.iter().skip(1).cloned().collect(),
                redis_url: args.redis.clone(),
                unmasked: args.unmasked,
            };
            let how = How {
                step: args.step,
                json: args.json,
                predictions: predictions(lesson, args)?,
            };
            lesson_run(registry, lesson, &options, &how, paint).await
        }
        Some(Entry::Measuring(lab)) => {
            if args.unmasked {
                return Err(Error::Usage(format!(
                    "`--unmasked` is for lessons; `{}` shows no socket ids",
                    lab.name()
                )));
            }
            let verdict = match lab {
                MeasuringLab::Fanout => fanout_run(args, given, paint).await?,
            };
            let passed = verdict == Verdict::Passed;
            super::next::mark_ran(lab.name(), passed, paint);
            super::next::show(&After::Measuring { lab, passed }, registry, false, paint)?;
            Ok(verdict)
        }
        None => Err(Error::Usage(registry.unknown(&args.lesson))),
    }
}

/// How a lesson is run and shown.
#[derive(Debug, Default)]
pub struct How {
    /// Wait for Enter between steps (on a terminal).
    pub step: bool,
    pub json: bool,
    /// Predict who each emit reaches: asked on the terminal, or scripted.
    pub predictions: Option<Predictions>,
}

#[derive(Debug)]
pub enum Predictions {
    Asked,
    Scripted(Vec<Vec<String>>),
}

/// `--predict`, `--predictions` or `--predictions-file`, checked against the lesson
/// before anything starts.
fn predictions(lesson: &Lesson, args: &RunArgs) -> Result<Option<Predictions>, Error> {
    let text = match (&args.predictions, &args.predictions_file) {
        (Some(list), _) => list.clone(),
        (None, Some(path)) => std::fs::read_to_string(path)
            .map_err(|e| Error::Usage(format!("cannot read `{}`: {e}", path.display())))?,
        (None, None) if !args.predict => return Ok(None),
        // Asked on stderr, as the quiz asks: the transcript or `--json` may go to a file.
        (None, None) if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() => {
            return Ok(Some(Predictions::Asked))
        }
        (None, None) => {
            return Err(Error::Usage(
                "`--predict` asks on a terminal and there is none: pass the predictions with `--predictions \"bob,carol;alice\"` or `--predictions-file FILE`".into(),
            ))
        }
    };
    let list = predict::parse(&text).map_err(Error::Usage)?;
    predict::check(lesson, &list).map_err(Error::Usage)?;
    Ok(Some(Predictions::Scripted(list)))
}

/// A lesson, shown as it runs; with `step` on a terminal, Enter starts each step.
pub async fn lesson_run(
    registry: &Registry,
    lesson: &Lesson,
    options: &LabOptions,
    how: &How,
    paint: Paint,
) -> Result<Verdict, Error> {
    let pause = how.step && !how.json && crate::term::interactive();
    let format = if how.json {
        Format::Json
    } else {
        Format::Transcript
    };
    // The prompt names the step just shown: on a short terminal a long step has
    // scrolled its own heading away by now.
    let mut next_step = |done: usize| {
        let title = socketio_lab::safe::text(&lesson.steps[done - 1].title);
        let total = lesson.steps.len();
        let keys = format!("Enter: step {}, q: stop, Ctrl-C: quit", done + 1);
        let prompt = format!("{done}/{total} {title} · {keys}");
        // The prompt keeps to one line: a long title gives way to the keys.
        let prompt = if prompt.chars().count() + 5 > socketio_lab::view::WIDTH {
            format!("{done}/{total} · {keys}")
        } else {
            prompt
        };
        !pause || crate::term::wait_for_enter(&prompt)
    };
    let mut asked = crate::term::Prompted;
    let mut scripted;
    let mut predicting = match &how.predictions {
        None => None,
        Some(Predictions::Asked) => Some(Predicting::new(&mut asked)),
        Some(Predictions::Scripted(list)) => {
            scripted = predict::Scripted(list.clone());
            Some(Predicting::new(&mut scripted))
        }
    };
    let verdict = session::run_lesson(
        lesson,
        options,
        format,
        &mut std::io::stdout(),
        paint,
        &mut next_step,
        predicting.as_mut(),
    )
    .await?;
    // Only a run whose every emit was predicted has a score to keep.
    if let Some(p) = predicting.filter(|p| p.made.len() == predict::count(lesson)) {
        for warning in predict::save(&lesson.id, &p.made) {
            eprintln!("{} {warning}", paint.warn("warning:"));
        }
    }
    let passed = verdict == Verdict::Passed;
    super::next::mark_ran(&lesson.id, passed, paint);
    let after = After::Lesson {
        id: &lesson.id,
        passed,
    };
    super::next::show(&after, registry, how.json, paint)?;
    Ok(verdict)
}

/// Only the two-node lab has a Redis to be told about.
fn refuse_redis(args: &RunArgs) -> Result<(), Error> {
    match args.redis {
        Some(_) => Err(Error::Usage(
            "`--redis` is for lessons on several nodes joined by the Redis adapter (`[nodes]`)"
                .into(),
        )),
        None => Ok(()),
    }
}

/// The measuring labs show no step to predict.
fn refuse_predict(args: &RunArgs, lab: &str) -> Result<(), Error> {
    if args.predict || args.predictions.is_some() || args.predictions_file.is_some() {
        return Err(Error::Usage(format!(
            "`--predict` is for lessons, not `run {lab}`"
        )));
    }
    Ok(())
}

/// A lesson has no use for the measuring labs' flags.
fn refuse_lab_flags(args: &RunArgs) -> Result<(), Error> {
    if args.clients.is_some() {
        return Err(Error::Usage(
            "`--clients` is for `socketio-lab run fanout` only".into(),
        ));
    }
    Ok(())
}

async fn fanout_run(args: &RunArgs, given: &Given, paint: Paint) -> Result<Verdict, Error> {
    refuse_redis(args)?;
    if args.json || args.step {
        return Err(Error::Usage(
            "`--json` and `--step` are for lessons, not `run fanout`".into(),
        ));
    }
    refuse_predict(args, "fanout")?;
    if given.typed("timeout") {
        return Err(Error::Usage(
            "`--timeout` is not for `run fanout`: it allows each connection and emit 20 s".into(),
        ));
    }
    let options = FanoutOptions {
        clients: args.clients.unwrap_or(DEFAULT_CLIENTS),
        server_url: single_server(args)?,
    };
    Ok(fanout::run(&options, &mut std::io::stdout(), paint).await?)
}

/// A lab that runs on one server takes one `--server`.
fn single_server(args: &RunArgs) -> Result<Option<String>, Error> {
    match args.server.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        _ => Err(Error::Usage(format!(
            "`run {}` runs on one server: give `--server` once",
            args.lesson
        ))),
    }
}
