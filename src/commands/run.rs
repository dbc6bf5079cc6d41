//! `socketio-lab run NAME`: a lesson, or a lab that measures, by its name.

use std::time::Duration;

use socketio_lab::engine::LabOptions;
use socketio_lab::fanout::{self, FanoutOptions, DEFAULT_CLIENTS};
use socketio_lab::judge::Verdict;
use socketio_lab::lesson::Lesson;
use socketio_lab::paint::Paint;
use socketio_lab::path::After;
use socketio_lab::registry::{Entry, MeasuringLab, Registry};
use socketio_lab::scaling::{self, ScalingOptions, DEFAULT_REDIS};
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
            let options = LabOptions {
                timeout: Duration::from_millis(args.timeout),
                server_url: args.server.clone(),
            };
            lesson_run(registry, lesson, &options, args.step, args.json, paint).await
        }
        Some(Entry::Measuring(lab)) => {
            let verdict = match lab {
                MeasuringLab::Fanout => fanout_run(args, given, paint).await?,
                MeasuringLab::Scaling => scaling_run(args, paint).await?,
            };
            let passed = verdict == Verdict::Passed;
            super::next::mark_ran(lab.name(), passed, paint);
            super::next::show(&After::Measuring { lab, passed }, registry, false, paint)?;
            Ok(verdict)
        }
        None => Err(Error::Usage(format!(
            "unknown lesson `{}` (see `socketio-lab list`)",
            args.lesson
        ))),
    }
}

/// A lesson, shown as it runs; with `step` on a terminal, Enter starts each step.
pub async fn lesson_run(
    registry: &Registry,
    lesson: &Lesson,
    options: &LabOptions,
    step: bool,
    json: bool,
    paint: Paint,
) -> Result<Verdict, Error> {
    let pause = step && !json && crate::term::interactive();
    let format = if json {
        Format::Json
    } else {
        Format::Transcript
    };
    let mut next_step = || !pause || crate::term::wait_for_enter("Enter for the next step");
    let verdict = session::run_lesson(
        lesson,
        options,
        format,
        &mut std::io::stdout(),
        paint,
        &mut next_step,
    )
    .await?;
    let passed = verdict == Verdict::Passed;
    super::next::mark_ran(&lesson.id, passed, paint);
    let after = After::Lesson {
        id: &lesson.id,
        passed,
    };
    super::next::show(&after, registry, json, paint)?;
    Ok(verdict)
}

/// Only the two-node lab has a Redis to be told about.
fn refuse_redis(args: &RunArgs) -> Result<(), Error> {
    match args.redis {
        Some(_) => Err(Error::Usage(
            "`--redis` is for `socketio-lab run scaling` only".into(),
        )),
        None => Ok(()),
    }
}

/// A lesson has no use for the measuring labs' flags.
fn refuse_lab_flags(args: &RunArgs) -> Result<(), Error> {
    refuse_redis(args)?;
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
    if given.typed("timeout") {
        return Err(Error::Usage(
            "`--timeout` is not for `run fanout`: it allows each connection and emit 20 s".into(),
        ));
    }
    let options = FanoutOptions {
        clients: args.clients.unwrap_or(DEFAULT_CLIENTS),
        server_url: args.server.clone(),
    };
    Ok(fanout::run(&options, &mut std::io::stdout(), paint).await?)
}

async fn scaling_run(args: &RunArgs, paint: Paint) -> Result<Verdict, Error> {
    if args.json || args.step || args.server.is_some() || args.clients.is_some() {
        return Err(Error::Usage(
            "`--json`, `--step`, `--server` and `--clients` are not for `run scaling` (it starts its own nodes; see `--redis`)".into(),
        ));
    }
    let options = ScalingOptions {
        redis_url: args.redis.clone().unwrap_or_else(|| DEFAULT_REDIS.into()),
        timeout: Duration::from_millis(args.timeout),
    };
    Ok(scaling::run(&options, &mut std::io::stdout(), paint).await?)
}
