//! A quiz session: takes each answer (from a script or from the person at the
//! terminal, through [`Answers`]), runs it, shows the verdict and the evidence, and
//! keeps the score.

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::{json, Value};

use futures_util::StreamExt;

use crate::engine::{LabError, LabOptions};
use crate::judge::Verdict;
use crate::lesson::{Lesson, Question};
use crate::paint::Paint;
use crate::progress::{self, Partial, Score};
use crate::quiz::{self, ChoiceRun};
use crate::registry::Registry;

/// One answer, or the person's wish to stop.
pub enum Asked {
    Answer(Vec<usize>),
    Quit,
}

/// Where answers come from: a script, or a prompt on a terminal.
pub trait Answers {
    /// The answer to question `number` (0-based), or why none could be had.
    fn answer(&mut self, number: usize, question: &Question) -> Result<Asked, QuizError>;

    /// Every answer, when all are known before the first question is shown: then
    /// the questions' runs need not wait for each other.
    fn upfront(&self) -> Option<Vec<Vec<usize>>> {
        None
    }

    /// Shows an answer's reveal (its code, who received it, the verdict) and holds
    /// it until the person moves on: false when they stop instead. `last`: no
    /// question follows. A script does not wait.
    fn reveal(&mut self, text: &str, out: &mut dyn Write, last: bool) -> Result<bool, QuizError> {
        let _ = last;
        write!(out, "{text}")?;
        out.flush()?;
        Ok(true)
    }
}

/// Answers given up front (`--answers 3,1,2+4`), one per question in order.
pub struct Scripted(pub Vec<Vec<usize>>);

impl Answers for Scripted {
    fn answer(&mut self, number: usize, _: &Question) -> Result<Asked, QuizError> {
        Ok(Asked::Answer(self.0[number].clone()))
    }

    fn upfront(&self) -> Option<Vec<Vec<usize>>> {
        Some(self.0.clone())
    }
}

/// Runs the choices `given` needs, all at once, into the map the judge reads.
async fn runs_for(
    lesson: &Lesson,
    q: &Question,
    given: &[usize],
    lab: &LabOptions,
) -> Result<BTreeMap<usize, ChoiceRun>, LabError> {
    let which = quiz::choices_to_run(q, given);
    quiz::run_choices(lesson, q, &which, lab)
        .await
        .into_iter()
        .map(|(i, run)| run.map(|run| (i, run)))
        .collect()
}

#[derive(Debug, thiserror::Error)]
pub enum QuizError {
    /// The quiz cannot start as asked: an unknown lesson, answers that do not fit.
    #[error("{0}")]
    Usage(String),
    /// No terminal to ask on, or the prompt failed.
    #[error("{0}")]
    Terminal(String),
    /// The person stopped the quiz (Esc); the answers given were kept.
    #[error("quiz stopped after {answered} of {total} questions; the answers given are kept as a partial attempt")]
    Stopped { answered: usize, total: usize },
    /// Ctrl-C at a prompt.
    #[error("interrupted")]
    Interrupted,
    #[error(transparent)]
    Lab(#[from] LabError),
    #[error("cannot write the quiz: {0}")]
    Output(#[from] std::io::Error),
}

#[derive(Debug, Clone, Default)]
pub struct QuizOptions {
    pub lab: LabOptions,
    /// The lesson asked for, if one was (named in `--json`).
    pub lesson: Option<String>,
    pub json: bool,
    /// Show the traffic for right answers too.
    pub explain: bool,
}

/// A finished quiz: its verdict, the lessons behind missed questions, and what went
/// wrong with keeping the score.
pub struct Finished {
    pub verdict: Verdict,
    pub warnings: Vec<String>,
    /// The lessons of the questions answered wrong, in quiz order, each once.
    pub missed: Vec<String>,
    /// Set when the person stopped early: how many questions were answered, of how many.
    pub stopped: Option<(usize, usize)>,
}

/// The questions of one lesson, or of every lesson in order.
pub fn questions<'a>(
    registry: &'a Registry,
    lesson: Option<&str>,
) -> Result<Vec<(&'a Lesson, &'a Question)>, QuizError> {
    let chosen: Vec<&Lesson> = match lesson {
        Some(id) => vec![registry
            .lesson(id)
            .ok_or_else(|| QuizError::Usage(registry.unknown(id)))?],
        None => registry.lessons().iter().collect(),
    };
    let questions: Vec<(&Lesson, &Question)> = chosen
        .iter()
        .flat_map(|l| l.questions.iter().map(move |q| (*l, q)))
        .collect();
    if questions.is_empty() {
        return Err(QuizError::Usage(
            "no questions in the chosen lessons".into(),
        ));
    }
    Ok(questions)
}

/// One question's outcome.
struct Answered {
    lesson: String,
    passed: bool,
    json: Value,
}

/// Asks, runs and shows every question, then stores the scores.
pub async fn run(
    questions: &[(&Lesson, &Question)],
    answers: &mut dyn Answers,
    options: &QuizOptions,
    out: &mut dyn Write,
    paint: Paint,
) -> Result<Finished, QuizError> {
    let mut results = Vec::new();
    let mut stopped = false;
    // With every answer known, every question's runs start now (as many labs at once
    // as `quiz::LABS_AT_ONCE` allows), and are shown in quiz order as they come: the
    // transcript stays the same.
    let known = answers.upfront();
    let mut ahead = known.as_ref().map(|all| {
        let runs = questions
            .iter()
            .zip(all)
            .map(|((lesson, q), given)| runs_for(lesson, q, given, &options.lab));
        let at_once = quiz::runs_at_once(&options.lab, questions.len());
        Box::pin(futures_util::stream::iter(runs).buffered(at_once))
    });
    for (n, (lesson, q)) in questions.iter().enumerate() {
        if !options.json {
            write!(
                out,
                "\n{}",
                quiz::question_text(lesson, q, n + 1, questions.len(), paint)
            )?;
            out.flush()?;
        }
        let given = match answers.answer(n, q)? {
            Asked::Answer(given) => given,
            Asked::Quit => {
                stopped = true;
                break;
            }
        };
        let runs = match ahead.as_mut() {
            Some(ahead) => ahead
                .next()
                .await
                .unwrap_or_else(|| unreachable!("one run per question"))?,
            None => runs_for(lesson, q, &given, &options.lab).await?,
        };
        let (answered, reveal) = show_answer(lesson, q, given, &runs, options, paint);
        results.push(answered);
        if !options.json && !answers.reveal(&reveal, out, n + 1 == questions.len())? {
            stopped = results.len() < questions.len();
            break;
        }
    }
    let mut scores: BTreeMap<String, Score> = BTreeMap::new();
    for r in &results {
        let score = scores.entry(r.lesson.clone()).or_insert(Score {
            correct: 0,
            total: 0,
        });
        score.total += 1;
        score.correct += usize::from(r.passed);
    }
    let warnings = if stopped {
        save_partial(questions, &scores)
    } else {
        save_scores(&scores)
    };
    let correct = results.iter().filter(|r| r.passed).count();
    let total = questions.len();
    let mut missed: Vec<String> = Vec::new();
    for r in results.iter().filter(|r| !r.passed) {
        if !missed.contains(&r.lesson) {
            missed.push(r.lesson.clone());
        }
    }
    let answered = results.len();
    if options.json {
        let mut doc = json!({
            "lesson": options.lesson.as_deref().unwrap_or("all"),
            "score": { "correct": correct, "total": total },
            "questions": results.into_iter().map(|r| r.json).collect::<Vec<_>>(),
        });
        if stopped {
            doc["stopped"] = json!({ "answered": answered });
        }
        writeln!(out, "{}", crate::safe::json(&doc))?;
    } else if stopped {
        let line = format!("stopped: {correct} right of the {answered} answered ({total} asked)");
        writeln!(out, "\n{}", paint.warn(&line))?;
    } else {
        write!(out, "{}", score_text(&scores, correct, total, paint))?;
    }
    Ok(Finished {
        verdict: Verdict::from_ok(!stopped && correct == total),
        warnings,
        missed,
        stopped: stopped.then_some((answered, total)),
    })
}

/// Judges an answer from the runs of its choices, and words its reveal: the
/// verdict and the evidence (empty with `--json`).
fn show_answer(
    lesson: &Lesson,
    q: &Question,
    given: Vec<usize>,
    runs: &BTreeMap<usize, ChoiceRun>,
    options: &QuizOptions,
    paint: Paint,
) -> (Answered, String) {
    use std::fmt::Write as _;
    let passed = quiz::judge(q, &given, runs);
    let mut out = String::new();
    if !options.json {
        let picked = match given.as_slice() {
            [one] if !q.multiple => format!("{}) {}", one + 1, q.choices[*one].text),
            [] => "nothing".to_string(),
            several => several
                .iter()
                .map(|i| (i + 1).to_string())
                .collect::<Vec<_>>()
                .join("+"),
        };
        let line = crate::view::hang(&format!("answer: {picked}"), 2, 10, paint.width);
        out.push_str(&line.replacen("answer:", &paint.dim("answer:"), 1));
        // A multiple-answer verdict goes through every choice; a single answer shows
        // the chosen run, and after a wrong one the right choices and their runs.
        let all: Vec<usize> = runs.keys().copied().collect();
        let shown = if q.multiple { &all } else { &given };
        if !passed || options.explain {
            let _ = writeln!(out, "  {}", paint.dim("the lab ran it on a fresh server:"));
            out.push_str(&quiz::evidence(lesson, q, runs, shown, paint));
        }
        out.push_str(&quiz::verdict_text(q, &given, runs, passed, paint));
        if !passed && !q.multiple {
            out.push_str(&quiz::right_answer(lesson, q, runs, paint));
        }
        if let (false, Some(hint)) = (passed, &q.hint) {
            let hint = format!("hint: {hint}");
            out.push_str(&crate::view::wrap(&hint, 2, paint.width));
        }
    }
    let answered = Answered {
        lesson: lesson.id.clone(),
        passed,
        json: quiz::question_json(lesson, q, &given, runs, passed),
    };
    (answered, out)
}

/// Adds this session's scores to the stored ones; says what could not be kept.
fn save_scores(scores: &BTreeMap<String, Score>) -> Vec<String> {
    progress::update("the quiz progress", |saved| {
        for (lesson, score) in scores {
            saved.record(lesson, *score);
        }
    })
}

/// Keeps a stopped session's answers as a partial attempt of each lesson it reached:
/// never a best score (a third of a quiz is not a score), but shown by `list`.
fn save_partial(
    questions: &[(&Lesson, &Question)],
    scores: &BTreeMap<String, Score>,
) -> Vec<String> {
    progress::update("the quiz progress", |saved| {
        for (lesson, score) in scores {
            let total = questions.iter().filter(|(l, _)| l.id == *lesson).count();
            if score.total == total {
                // Every question of this lesson was answered before the stop.
                saved.record(lesson, *score);
                continue;
            }
            let partial = Partial {
                correct: score.correct,
                answered: score.total,
                total,
            };
            saved.partial.insert(lesson.clone(), partial);
        }
    })
}

fn score_text(
    scores: &BTreeMap<String, Score>,
    correct: usize,
    total: usize,
    paint: Paint,
) -> String {
    let line = format!("score: {correct}/{total}");
    let mut text = format!(
        "\n{}\n",
        if correct == total {
            paint.good(&line)
        } else {
            paint.bad(&line)
        }
    );
    if scores.len() > 1 {
        for (lesson, s) in scores {
            text.push_str(&format!("  {lesson:<12} {}/{}\n", s.correct, s.total));
        }
    }
    text
}
