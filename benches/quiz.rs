//! `cargo bench --bench quiz`: the whole scripted quiz (every lesson's questions,
//! answered right), through the same library operation as `socketio-lab quiz
//! --answers ...`, on the embedded server. Each chosen answer (every choice of a
//! multiple-answer question) is run on a fresh lab server, as in the real command.
//!
//! Before divan's figures it prints, measured side by side in one run (alternating,
//! medians), the whole quiz against each lesson's own quiz: the whole quiz's floor is
//! its slowest lesson's quiz, whose declared waits (a slow handler, a late answer)
//! no amount of running at once can shorten.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use divan::Bencher;
use socketio_lab::engine::LabOptions;
use socketio_lab::judge::Verdict;
use socketio_lab::lesson::{Lesson, Question};
use socketio_lab::paint::Paint;
use socketio_lab::quiz;
use socketio_lab::quiz_session::{self, QuizOptions, Scripted};
use socketio_lab::registry::Registry;

/// Alternating rounds of the side-by-side comparison.
const ROUNDS: usize = 5;

fn main() {
    // Scores go to a folder of this run, never the user's.
    let state = tempfile::tempdir().expect("a temporary folder");
    std::env::set_var("SOCKETIO_LAB_STATE_DIR", state.path());
    if !std::env::args().any(|a| a == "--list") {
        side_by_side();
    }
    divan::main();
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// The right answers, found as `check` finds them: every choice is run, and the
/// choices whose runs hold are the answer (the first of them for a single-answer
/// question). Not a key written here: the runs decide.
fn right_answers(
    rt: &tokio::runtime::Runtime,
    questions: &[(&Lesson, &Question)],
) -> Vec<Vec<usize>> {
    let options = LabOptions::default();
    questions
        .iter()
        .map(|(lesson, q)| {
            let every: Vec<usize> = (0..q.choices.len()).collect();
            let runs: BTreeMap<_, _> = rt
                .block_on(quiz::run_choices(lesson, q, &every, &options))
                .into_iter()
                .map(|(i, run)| (i, run.expect("every choice runs")))
                .collect();
            let holding: Vec<usize> = quiz::holding(q, &runs).into_iter().collect();
            assert!(
                !holding.is_empty(),
                "{}/{}: no choice holds",
                lesson.id,
                q.id
            );
            if q.multiple {
                holding
            } else {
                holding[..1].to_vec()
            }
        })
        .collect()
}

/// One scripted quiz over `questions`, timed; it must pass.
fn timed_quiz(
    rt: &tokio::runtime::Runtime,
    questions: &[(&Lesson, &Question)],
    answers: &[Vec<usize>],
) -> Duration {
    let options = QuizOptions::default();
    let started = Instant::now();
    let finished = rt
        .block_on(quiz_session::run(
            questions,
            &mut Scripted(answers.to_vec()),
            &options,
            &mut std::io::sink(),
            Paint::PLAIN,
        ))
        .expect("the quiz runs");
    let took = started.elapsed();
    assert_eq!(finished.verdict, Verdict::Passed);
    took
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The whole quiz and each lesson's quiz, alternating round by round; medians and
/// the ratio of the whole to the slowest lesson.
fn side_by_side() {
    let rt = runtime();
    let registry = Registry::load(None).expect("the built-in lessons");
    let all = quiz_session::questions(&registry, None).expect("questions");
    let answers = right_answers(&rt, &all);
    let lessons: Vec<&str> = registry
        .lessons()
        .iter()
        .filter(|l| !l.questions.is_empty())
        .map(|l| l.id.as_str())
        .collect();
    let mut whole = Vec::new();
    let mut each: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    for _ in 0..ROUNDS {
        whole.push(timed_quiz(&rt, &all, &answers));
        for id in &lessons {
            let (questions, given): (Vec<_>, Vec<_>) = all
                .iter()
                .zip(&answers)
                .filter(|((l, _), _)| l.id == *id)
                .map(|(q, a)| (*q, a.clone()))
                .unzip();
            each.entry(id)
                .or_default()
                .push(timed_quiz(&rt, &questions, &given));
        }
    }
    let whole = median(whole);
    println!(
        "whole scripted quiz, {} questions: {:.0} ms (median of {ROUNDS}, alternating with each lesson's quiz)",
        all.len(),
        ms(whole)
    );
    let medians: Vec<(&str, Duration)> = each.into_iter().map(|(id, t)| (id, median(t))).collect();
    for (id, t) in &medians {
        println!("  quiz {id:<12} {:>6.0} ms", ms(*t));
    }
    if let Some((id, slowest)) = medians.iter().max_by_key(|(_, t)| *t) {
        println!(
            "whole quiz / slowest lesson's quiz (`{id}`): {:.2}x\n",
            whole.as_secs_f64() / slowest.as_secs_f64()
        );
    }
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn whole_scripted_quiz(bencher: Bencher) {
    let rt = runtime();
    let registry = Registry::load(None).expect("the built-in lessons");
    let questions = quiz_session::questions(&registry, None).expect("questions");
    let answers = right_answers(&rt, &questions);
    bencher.bench_local(|| timed_quiz(&rt, &questions, &answers));
}
