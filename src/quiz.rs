//! The quiz: every answer is judged by running it on a fresh lab server and reading
//! the trace. No answer key exists anywhere: a choice is right when its run meets
//! the expectations its steps carry.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::engine::{Lab, LabError, LabOptions};
use crate::lesson::{Choice, Lesson, Question, Step};
use crate::paint::Paint;
use crate::trace::StepRecord;
use crate::view;

pub mod choice_code;
mod evidence;
mod json;
pub use json::{observed_json, question_json, target_json};

/// The records of a choice's own steps (the setup's are not judged).
#[derive(Debug, Clone)]
pub struct ChoiceRun {
    pub records: Vec<StepRecord>,
}

impl ChoiceRun {
    /// Problems of the run itself (not of the claim): such a choice could not be judged.
    pub fn faults(&self, choice: &Choice) -> Vec<String> {
        self.each_step(choice, StepRecord::faults)
    }

    /// Where the observed traffic contradicts what the choice claims.
    pub fn mismatches(&self, choice: &Choice) -> Vec<String> {
        self.each_step(choice, StepRecord::mismatches)
    }

    /// One judgement over every step of the choice, in order.
    fn each_step(
        &self,
        choice: &Choice,
        judge: fn(&StepRecord, &Step) -> Vec<String>,
    ) -> Vec<String> {
        choice
            .steps
            .iter()
            .zip(&self.records)
            .flat_map(|(s, r)| judge(r, s))
            .collect()
    }

    /// The choice holds when its whole run went through and met every expectation.
    pub fn holds(&self, choice: &Choice) -> bool {
        self.records.len() == choice.steps.len()
            && self.faults(choice).is_empty()
            && self.mismatches(choice).is_empty()
    }
}

/// Plays the question's setup and one choice on a fresh lab (a permit of
/// `lab_permits` held while its own embedded server runs).
pub async fn run_choice(
    lesson: &Lesson,
    question: &Question,
    choice: usize,
    options: &LabOptions,
) -> Result<ChoiceRun, LabError> {
    let _permit = match options.server_url {
        Some(_) => None,
        None => lab_permits().acquire().await.ok(),
    };
    let app = question.choices[choice]
        .app
        .as_ref()
        .or(lesson.app.as_ref());
    let mut lab = Lab::for_lesson_running(lesson, app, options).await?;
    let outcome = async {
        for step in &question.setup {
            lab.run_step(step).await?;
        }
        let mut records = Vec::new();
        for step in &question.choices[choice].steps {
            records.push(lab.run_step(step).await?);
        }
        Ok(records)
    }
    .await;
    lab.finish().await;
    outcome.map(|records| ChoiceRun { records })
}

/// The most embedded lab servers the runs of this process keep at once, whatever
/// asks for them (a scripted quiz, `check`). A quiz's runs are mostly idle, waiting
/// on loopback and on declared waits, so the pace is set by the slowest question, not
/// by this bound: it protects the machine (sockets, memory) when a long quiz or
/// many lesson files start hundreds of runs.
pub const LABS_AT_ONCE: usize = 128;
/// Open files one lab holds at most: both ends of each client's connection and the
/// control socket's (up to 8 clients is typical), its listener, and some spare.
const FILES_PER_LAB: u64 = 32;
/// Open files kept for the rest of the process.
const FILES_BESIDES_LABS: u64 = 256;

/// The permits for embedded labs: `LABS_AT_ONCE`, fewer when the open-file limit
/// (raised as far as allowed) could not hold them.
fn lab_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| {
        let files = crate::fanout::raise_nofile().unwrap_or(1024);
        let fit = files.saturating_sub(FILES_BESIDES_LABS) / FILES_PER_LAB;
        tokio::sync::Semaphore::new((fit as usize).clamp(4, LABS_AT_ONCE))
    })
}

/// How many runs (or questions, each with its runs) may be under way at once: all
/// of them on fresh embedded servers, bounded only by `LABS_AT_ONCE`; one at a time
/// on a server given with `--server`. Labs sharing one server share its namespaces
/// and rooms, so one lab's `io.emit` would reach the sockets of another.
pub fn runs_at_once(options: &LabOptions, wanted: usize) -> usize {
    match options.server_url {
        Some(_) => 1,
        None => wanted.max(1),
    }
}

/// Runs choices `which` of `question`, each on its own fresh lab, at once unless
/// they share a server (`runs_at_once`). Results in `which` order.
pub async fn run_choices(
    lesson: &Lesson,
    question: &Question,
    which: &[usize],
    options: &LabOptions,
) -> Vec<(usize, Result<ChoiceRun, LabError>)> {
    use futures_util::StreamExt;
    let runs = which
        .iter()
        .map(|&i| async move { (i, run_choice(lesson, question, i, options).await) });
    futures_util::stream::iter(runs)
        .buffered(runs_at_once(options, which.len()))
        .collect()
        .await
}

/// The choices a question's runs confirm. Only the runs given are considered.
pub fn holding(question: &Question, runs: &BTreeMap<usize, ChoiceRun>) -> BTreeSet<usize> {
    runs.iter()
        .filter(|(i, run)| run.holds(&question.choices[**i]))
        .map(|(i, _)| *i)
        .collect()
}

/// Right or wrong, from the runs alone. `given` holds 0-based choice numbers. A
/// single-answer question passes when the chosen run holds; a multiple-answer one when
/// the learner picked exactly the choices whose runs hold (every choice must be run).
pub fn judge(question: &Question, given: &[usize], runs: &BTreeMap<usize, ChoiceRun>) -> bool {
    if question.multiple {
        let given: BTreeSet<usize> = given.iter().copied().collect();
        runs.len() == question.choices.len() && holding(question, runs) == given
    } else {
        matches!(given, [one] if runs.get(one).is_some_and(|r| r.holds(&question.choices[*one])))
    }
}

/// Which choices are run to judge an answer: every one, so that a wrong answer can
/// be followed by the right one and the traffic that proves it.
pub fn choices_to_run(question: &Question, _given: &[usize]) -> Vec<usize> {
    (0..question.choices.len()).collect()
}

/// One answer per question: 1-based choice numbers, `2+4` for several.
pub fn parse_answers(text: &str) -> Result<Vec<Vec<usize>>, String> {
    let mut answers = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or_default();
        for entry in line
            .split([',', ' ', '\t'])
            .filter(|e| !e.trim().is_empty())
        {
            let mut picks = Vec::new();
            for part in entry.split('+') {
                let n: usize = part.trim().parse().map_err(|_| {
                    format!("`{entry}` is not a choice number (use `3`, or `2+4` for several)")
                })?;
                if n == 0 {
                    return Err(format!("`{entry}`: choices are numbered from 1"));
                }
                picks.push(n - 1);
            }
            picks.sort();
            picks.dedup();
            answers.push(picks);
        }
    }
    Ok(answers)
}

/// Checks scripted answers against the questions they answer.
pub fn check_answers(
    questions: &[(&Lesson, &Question)],
    answers: &[Vec<usize>],
) -> Result<(), String> {
    if answers.len() != questions.len() {
        return Err(format!(
            "`--answers` has {} entries but the quiz asks {} questions",
            answers.len(),
            questions.len()
        ));
    }
    for (n, ((lesson, q), given)) in questions.iter().zip(answers).enumerate() {
        let count = q.choices.len();
        if let Some(bad) = given.iter().find(|c| **c >= count) {
            return Err(format!(
                "answer {} (`{}/{}`): there is no choice {}, only 1 to {count}",
                n + 1,
                lesson.id,
                q.id,
                bad + 1
            ));
        }
        if !q.multiple && given.len() != 1 {
            return Err(format!(
                "answer {} (`{}/{}`): this question takes exactly one choice",
                n + 1,
                lesson.id,
                q.id
            ));
        }
    }
    Ok(())
}

fn numbers(given: &[usize]) -> String {
    given
        .iter()
        .map(|g| (g + 1).to_string())
        .collect::<Vec<_>>()
        .join("+")
}

pub fn question_text(
    lesson: &Lesson,
    q: &Question,
    number: usize,
    total: usize,
    paint: Paint,
) -> String {
    let mut out = String::new();
    let title = format!("{} · question {number} of {total}", lesson.id);
    let _ = writeln!(out, "{}", view::rule(&title, paint));
    out.push_str(&view::wrap(&q.prompt, 2, paint.width));
    if q.multiple {
        let _ = writeln!(out, "  {}", paint.dim("(pick every choice that holds)"));
    }
    for (i, c) in q.choices.iter().enumerate() {
        out.push_str(&view::hang(
            &format!("{}) {}", i + 1, c.text),
            4,
            7,
            paint.width,
        ));
    }
    out
}

/// What the runs of the choices `shown` showed, for one answered question.
pub fn evidence(
    lesson: &Lesson,
    q: &Question,
    runs: &BTreeMap<usize, ChoiceRun>,
    shown: &[usize],
    paint: Paint,
) -> String {
    let mut out = String::new();
    for (i, run) in runs.iter().filter(|(i, _)| shown.contains(i)) {
        let choice = &q.choices[*i];
        let heading = view::hang(&format!("{}) {}", i + 1, choice.text), 2, 5, paint.width);
        out.push_str(&paint_lines(&heading, |l| paint.bold(l)));
        let app = choice.app.as_ref().or(lesson.app.as_ref());
        // A choice that is handler code shows the handler it ran, on both servers.
        if let Some(code) = choice_code::of(lesson, choice) {
            out.push_str(&choice_code::shown(&code, paint));
        }
        for (step, record) in choice.steps.iter().zip(&run.records) {
            // Laid out two columns narrower: each line is indented by two more.
            let inner = Paint {
                width: paint.width.saturating_sub(2),
                ..paint
            };
            for line in evidence::step(lesson, app, step, record, inner).lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
    }
    out
}

/// After a wrong single answer: the choices whose runs hold, and what they showed.
pub fn right_answer(
    lesson: &Lesson,
    q: &Question,
    runs: &BTreeMap<usize, ChoiceRun>,
    paint: Paint,
) -> String {
    let right: Vec<usize> = holding(q, runs).into_iter().collect();
    if right.is_empty() {
        let none = "no choice held when the lab ran them all; the lesson needs a fix";
        return format!("  {}\n", paint.warn(none));
    }
    let label = if right.len() == 1 {
        "the right answer, as its run shows:"
    } else {
        "the right answers, as their runs show:"
    };
    let mut out = format!("  {}\n", paint.good(label));
    out.push_str(&evidence(lesson, q, runs, &right, paint));
    for i in &right {
        if let Some(note) = &q.choices[*i].note {
            out.push_str(&view::wrap(&format!("note: {note}"), 2, paint.width));
        }
    }
    out
}

/// The verdict block shown after each answer.
pub fn verdict_text(
    q: &Question,
    given: &[usize],
    runs: &BTreeMap<usize, ChoiceRun>,
    passed: bool,
    paint: Paint,
) -> String {
    let mut out = if q.multiple {
        every_choice_verdict(q, runs, given, passed, paint)
    } else {
        let chosen = given
            .first()
            .and_then(|g| Some((&q.choices[*g], runs.get(g)?)));
        chosen
            .map(|(choice, run)| one_choice_verdict(choice, run, passed, paint))
            .unwrap_or_default()
    };
    for i in given {
        if let Some(note) = &q.choices[*i].note {
            out.push_str(&view::wrap(&format!("note: {note}"), 2, paint.width));
        }
    }
    out
}

/// A multiple-answer question: what each run showed, then the picks against them.
fn every_choice_verdict(
    q: &Question,
    runs: &BTreeMap<usize, ChoiceRun>,
    given: &[usize],
    passed: bool,
    paint: Paint,
) -> String {
    let mut out = String::new();
    for (i, run) in runs {
        let choice = &q.choices[*i];
        let picked = if given.contains(i) {
            "you picked"
        } else {
            "not picked"
        };
        let faults = run.faults(choice);
        let mismatches = run.mismatches(choice);
        let (mark, why) = if !faults.is_empty() {
            (
                ("✗ could not run", paint.bad("✗ could not run")),
                faults[0].clone(),
            )
        } else if mismatches.is_empty() {
            (
                ("✓ holds", paint.good("✓ holds")),
                "the run matched".to_string(),
            )
        } else {
            (
                ("✗ does not hold", paint.warn("✗ does not hold")),
                mismatches[0].clone(),
            )
        };
        let (mark_text, mark) = mark;
        let picked = format!("[{picked}]");
        let line = format!("{mark_text}  {}) {}  {picked}", i + 1, choice.text);
        let line = view::hang(&line, 2, 6, paint.width)
            .replacen(mark_text, &mark, 1)
            .replacen(&picked, &paint.dim(&picked), 1);
        out.push_str(&line);
        out.push_str(&paint_lines(&view::wrap(&why, 6, paint.width), |l| {
            paint.dim(l)
        }));
    }
    let confirmed: Vec<usize> = holding(q, runs).into_iter().collect();
    let listed = |picks: &[usize], none: &str| {
        if picks.is_empty() {
            none.to_string()
        } else {
            numbers(picks)
        }
    };
    if passed {
        let why = format!(
            "exactly the choices the runs confirm ({})",
            numbers(&confirmed)
        );
        out.push_str(&marked(("✓ right:", Paint::good), &why, paint));
    } else {
        let (you, runs) = (listed(given, "nothing"), listed(&confirmed, "none"));
        let why = format!("you picked {you}; the runs confirm {runs}");
        out.push_str(&marked(("✗ not quite:", Paint::bad), &why, paint));
    }
    out
}

/// A single-answer question: whether the chosen run held, and if not why.
fn one_choice_verdict(choice: &Choice, run: &ChoiceRun, passed: bool, paint: Paint) -> String {
    let faults = run.faults(choice);
    if passed {
        return marked(
            ("✓ right:", Paint::good),
            "the traffic matched the goal",
            paint,
        );
    }
    if !faults.is_empty() {
        let why = format!("the run failed: {}", faults.join("; "));
        return marked(("✗", Paint::bad), &why, paint);
    }
    let mismatches = run.mismatches(choice).join("; ");
    marked(("✗ not this one:", Paint::bad), &mismatches, paint)
}

/// Each line painted alone, its indent left plain.
fn paint_lines(text: &str, painter: impl Fn(&str) -> String) -> String {
    text.lines()
        .map(|l| {
            let body = l.trim_start();
            format!("{}{}\n", &l[..l.len() - body.len()], painter(body))
        })
        .collect()
}

/// `  mark why`, wrapped to the width at spaces (the mark painted): a verdict never
/// runs past the edge of the terminal.
fn marked((mark, painter): (&str, fn(Paint, &str) -> String), why: &str, paint: Paint) -> String {
    view::led(&format!("{mark} {why}"), paint.width).replacen(mark, &painter(paint, mark), 1)
}
