//! A lesson run from its first step to its verdict, written out as it happens: the
//! one operation behind `run LESSON`, the lesson menu and `run --json`.

use std::io::Write;

use crate::engine::{Lab, LabError, LabOptions};
use crate::judge::Verdict;
use crate::lesson::Lesson;
use crate::paint::Paint;
use crate::trace::StepRecord;
use crate::view;

/// Why a lesson run stopped before its verdict.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Start(LabError),
    #[error("{source} during step {step}")]
    Step { step: usize, source: LabError },
    /// The transcript could not be written (a closed pipe, say).
    #[error("cannot write the transcript: {0}")]
    Output(#[from] std::io::Error),
}

/// How a run is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Transcript,
    Json,
}

/// Where the lab runs, for the header: the embedded server or the one at a URL.
fn server_line(lab: &Lab) -> String {
    if lab.is_embedded() {
        "socketioxide, embedded, on 127.0.0.1 (a free port)".to_string()
    } else {
        format!("the lab server at {}", lab.url())
    }
}

/// Runs `lesson` step by step. Before every step but the first, `next_step` is asked
/// whether to go on (the terminal layer waits for Enter there); `false` ends the run
/// early, judged on the steps it ran.
pub async fn run_lesson(
    lesson: &Lesson,
    options: &LabOptions,
    format: Format,
    out: &mut dyn Write,
    paint: Paint,
    next_step: &mut dyn FnMut() -> bool,
) -> Result<Verdict, RunError> {
    let mut lab = Lab::start(&lesson.clients, options)
        .await
        .map_err(RunError::Start)?;
    let records = run_steps(&mut lab, lesson, format, out, paint, next_step).await;
    lab.finish().await;
    let records = records?;
    // A run cut short (input closed at a `--step` prompt) proved nothing about the
    // steps it never ran: it does not pass.
    let complete = records.len() == lesson.steps.len();
    let passed = complete
        && lesson
            .steps
            .iter()
            .zip(&records)
            .all(|(s, r)| r.problems(s).is_empty());
    match format {
        Format::Json => {
            let doc = view::json(lesson, &records);
            let text = crate::safe::json(&doc);
            writeln!(out, "{text}")?;
        }
        Format::Transcript if complete => {
            write!(out, "\n{}", view::summary(lesson, &records, paint))?
        }
        Format::Transcript => {
            let text = format!(
                "cut short: the input closed after {} of {} steps",
                records.len(),
                lesson.steps.len()
            );
            writeln!(out, "\n{}", view::rule(&text, paint))?
        }
    }
    out.flush()?;
    Ok(Verdict::from_ok(passed))
}

/// Runs every step of `lesson` on a fresh lab without showing it, as `run` would,
/// and gives the problems of each step that did not do what it claims: its index
/// (0-based) and what went wrong. For `check`.
pub async fn step_problems(
    lesson: &Lesson,
    options: &LabOptions,
) -> Result<Vec<(usize, Vec<String>)>, RunError> {
    let mut lab = Lab::start(&lesson.clients, options)
        .await
        .map_err(RunError::Start)?;
    let mut sink = std::io::sink();
    let records = run_steps(
        &mut lab,
        lesson,
        Format::Json,
        &mut sink,
        Paint::PLAIN,
        &mut || true,
    )
    .await;
    lab.finish().await;
    Ok(lesson
        .steps
        .iter()
        .zip(&records?)
        .enumerate()
        .map(|(i, (s, r))| (i, r.problems(s)))
        .filter(|(_, problems)| !problems.is_empty())
        .collect())
}

async fn run_steps(
    lab: &mut Lab,
    lesson: &Lesson,
    format: Format,
    out: &mut dyn Write,
    paint: Paint,
    next_step: &mut dyn FnMut() -> bool,
) -> Result<Vec<StepRecord>, RunError> {
    if format == Format::Transcript {
        write!(out, "{}", view::header(lesson, &server_line(lab), paint))?;
    }
    let mut records = Vec::new();
    for (i, step) in lesson.steps.iter().enumerate() {
        if i > 0 && !next_step() {
            break;
        }
        let record = lab.run_step(step).await.map_err(|source| RunError::Step {
            step: i + 1,
            source,
        })?;
        if format == Format::Transcript {
            write!(out, "\n{}", view::step(lesson, step, &record, paint))?;
            out.flush()?;
        }
        records.push(record);
    }
    Ok(records)
}
