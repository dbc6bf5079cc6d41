//! A lesson run from its first step to its verdict, written out as it happens: the
//! one operation behind `run LESSON`, the lesson menu and `run --json`.

use std::io::Write;

use crate::engine::{Lab, LabError, LabOptions};
use crate::judge::Verdict;
use crate::lesson::Lesson;
use crate::paint::Paint;
use crate::predict::{self, PredictError, Predicting, Prediction};
use crate::trace::StepRecord;
use crate::view;

/// Why a lesson run stopped before its verdict.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Start(LabError),
    #[error("{source} during step {step}")]
    Step { step: usize, source: LabError },
    /// No prediction could be had (`--predict`).
    #[error(transparent)]
    Predict(#[from] PredictError),
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
    let nodes = lab.node_count();
    if nodes > 1 && lab.is_embedded() {
        format!("socketioxide, embedded, {nodes} nodes on 127.0.0.1 (free ports)")
    } else if nodes > 1 {
        format!("the lab servers at {}", lab.urls().join(", "))
    } else if lab.is_embedded() {
        "socketioxide, embedded, on 127.0.0.1 (a free port)".to_string()
    } else {
        format!("the lab server at {}", lab.url())
    }
}

/// Runs `lesson` step by step. Before every step but the first, `next_step` is asked
/// (with the number of the step just shown, 1-based) whether to go on (the terminal layer waits for Enter there); `false` ends the run
/// early, judged on the steps it ran. With `predicting`, the learner predicts who
/// each emit reaches before its traffic is shown (`predict`); the predictions made
/// are left in it, and the verdict is the lab's alone.
pub async fn run_lesson(
    lesson: &Lesson,
    options: &LabOptions,
    format: Format,
    out: &mut dyn Write,
    paint: Paint,
    next_step: &mut dyn FnMut(usize) -> bool,
    mut predicting: Option<&mut Predicting<'_>>,
) -> Result<Verdict, RunError> {
    let mut lab = Lab::for_lesson(lesson, options)
        .await
        .map_err(RunError::Start)?;
    let shown = Shown {
        format,
        paint,
        next_step,
    };
    let records = run_steps(&mut lab, lesson, shown, out, predicting.as_deref_mut()).await;
    let listening = lab.listening();
    lab.finish().await;
    let records = records?;
    // A run cut short (input closed at a `--step` prompt, Esc at a prediction)
    // proved nothing about the steps it never ran: it does not pass.
    let complete = records.len() == lesson.steps.len();
    let passed = complete
        && lesson
            .steps
            .iter()
            .zip(&records)
            .all(|(s, r)| r.problems(s).is_empty());
    match format {
        Format::Json => {
            let mut doc = view::json(lesson, &records);
            if let Some(line) = listening {
                // What the server logged when the lesson's application started.
                doc["listening"] = serde_json::Value::String(line);
            }
            if let Some(p) = &predicting {
                predict::add_to_json(&mut doc, &p.made);
            }
            let text = crate::safe::json(&doc);
            writeln!(out, "{text}")?;
        }
        Format::Transcript if complete => {
            write!(out, "\n{}", view::summary(lesson, &records, paint))?;
            if let Some(p) = &predicting {
                write!(out, "{}", predict::summary(&p.made, paint))?;
            }
        }
        Format::Transcript => {
            let text = format!(
                "stopped after {} of {} steps (not judged as a whole)",
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
    let mut lab = Lab::for_lesson(lesson, options)
        .await
        .map_err(RunError::Start)?;
    let mut sink = std::io::sink();
    let shown = Shown {
        format: Format::Json,
        paint: Paint::PLAIN,
        next_step: &mut |_| true,
    };
    let records = run_steps(&mut lab, lesson, shown, &mut sink, None).await;
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

/// How a run is shown, and the wait between steps.
struct Shown<'a> {
    format: Format,
    paint: Paint,
    next_step: &'a mut dyn FnMut(usize) -> bool,
}

async fn run_steps(
    lab: &mut Lab,
    lesson: &Lesson,
    shown: Shown<'_>,
    out: &mut dyn Write,
    mut predicting: Option<&mut Predicting<'_>>,
) -> Result<Vec<StepRecord>, RunError> {
    let Shown {
        format,
        paint,
        next_step,
    } = shown;
    let transcript = format == Format::Transcript;
    if transcript {
        write!(out, "{}", view::header(lesson, &server_line(lab), paint))?;
        if let (Some(app), Some(line)) = (&lesson.app, lab.listening()) {
            write!(out, "{}", view::startup(app, &line, paint))?;
        }
    }
    let mut records: Vec<StepRecord> = Vec::new();
    for (i, step) in lesson.steps.iter().enumerate() {
        if i > 0 && !next_step(i) {
            break;
        }
        let mut predicted = None;
        if let Some(p) = predicting.as_deref_mut().filter(|_| predict::asks(step)) {
            if transcript {
                write!(out, "\n{}", view::step_question(lesson, step, i + 1, paint))?;
                out.flush()?;
            }
            // Offered: the sockets the trace saw connected when the last step ended.
            let present = records.last().map(|r| r.present.as_slice()).unwrap_or(&[]);
            let event = predict::asked_event(lesson, step);
            let Some(names) = p.from.predict(p.made.len(), &event, present)? else {
                break;
            };
            if transcript {
                write!(out, "{}", predict::asked_line(&names, paint))?;
            }
            predicted = Some(names);
        }
        let record = lab.run_step(step).await.map_err(|source| RunError::Step {
            step: i + 1,
            source,
        })?;
        if transcript && predicted.is_none() {
            write!(out, "\n{}", view::step(lesson, step, &record, paint))?;
        }
        let mut moving_on = true;
        if let (Some(names), Some(p)) = (predicted, predicting.as_deref_mut()) {
            let judged = Prediction::judged(record.index, names, &record);
            if transcript {
                let mut reveal = view::step_answer(lesson, step, &record, paint);
                reveal.push_str(&predict::verdict_line(&judged, paint));
                let last = !lesson.steps[i + 1..].iter().any(predict::asks);
                moving_on = p.from.reveal(&reveal, out, last)?;
            }
            p.made.push(judged);
        }
        out.flush()?;
        records.push(record);
        if !moving_on {
            break;
        }
    }
    Ok(records)
}
