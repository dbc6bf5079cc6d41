//! `check`: lesson files validated, then every quiz question run, choice by choice,
//! on a fresh embedded server, so that a question nobody can answer right is caught
//! before a learner meets it.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::engine::LabOptions;
use crate::lesson::{self, Lesson, Question};
use crate::paint::Paint;
use crate::quiz;
use crate::session::{self, RunError};

/// What `check` found over all its paths.
#[derive(Debug, Default)]
pub struct Report {
    pub valid: usize,
    pub invalid: usize,
    /// One line per problem, each located (`file:line:col: ...`).
    pub problems: Vec<String>,
    /// The files that passed, in order.
    pub passed: Vec<PathBuf>,
}

/// The lesson files a path names: the file itself, or every `*.toml` of a folder.
pub fn lesson_files(path: &Path) -> Vec<PathBuf> {
    if !path.is_dir() {
        return vec![path.to_path_buf()];
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Runs the lesson's steps on a fresh embedded server, as `run` would: a step whose
/// run contradicts its `expect` (or any other claim) is a broken step.
pub async fn step_problems(lesson: &Lesson) -> Vec<String> {
    let at = |i: usize| {
        let s = &lesson.steps[i];
        format!(
            "{}:{}:{}: step {} `{}`",
            lesson.source,
            s.line,
            s.column,
            i + 1,
            s.title
        )
    };
    match session::step_problems(lesson, &LabOptions::default()).await {
        Ok(broken) => broken
            .into_iter()
            .map(|(i, problems)| format!("{}: when run, {}", at(i), problems.join("; ")))
            .collect(),
        Err(RunError::Step { step, source }) => {
            vec![format!("{}: cannot be run: {source}", at(step - 1))]
        }
        Err(e) => vec![format!("{}: the lesson cannot be run: {e}", lesson.source)],
    }
}

/// A file named like a built-in lesson or lab would hide it (and inherit its quiz
/// score), so it is refused, unless it is the built-in lesson's own text.
fn name_problem(file: &Path, lesson: &Lesson) -> Option<String> {
    let what = crate::registry::builtin_name(&lesson.id)?;
    let own = lesson::EMBEDDED.iter().any(|(id, text)| {
        *id == lesson.id && std::fs::read_to_string(file).is_ok_and(|t| t == *text)
    });
    (!own).then(|| {
        format!(
            "{}: the name `{}` is taken by the built-in {what}: rename the file",
            file.display(),
            lesson.id
        )
    })
}

/// Runs every choice of every question: a question no choice can satisfy, or a choice
/// whose run fails, is a broken question. Questions and their choices run at once,
/// each choice on its own fresh server; problems come in question order.
pub async fn question_problems(lesson: &Lesson) -> Vec<String> {
    use futures_util::StreamExt;
    let options = LabOptions::default();
    let checks = lesson
        .questions
        .iter()
        .map(|q| question_check(lesson, q, &options));
    futures_util::stream::iter(checks)
        .buffered(quiz::runs_at_once(&options, lesson.questions.len()))
        .collect::<Vec<Vec<String>>>()
        .await
        .concat()
}

async fn question_check(lesson: &Lesson, q: &Question, options: &LabOptions) -> Vec<String> {
    let at = format!("{}:{}:{}", lesson.source, q.line, q.column);
    let mut problems = Vec::new();
    let mut runs = BTreeMap::new();
    let every: Vec<usize> = (0..q.choices.len()).collect();
    for (i, run) in quiz::run_choices(lesson, q, &every, options).await {
        match run {
            Ok(run) => {
                let faults = run.faults(&q.choices[i]);
                if !faults.is_empty() {
                    problems.push(format!(
                        "{at}: question `{}`: choice {} cannot be run: {}",
                        q.id,
                        i + 1,
                        faults.join("; ")
                    ));
                }
                runs.insert(i, run);
            }
            Err(e) => problems.push(format!("{at}: question `{}`: choice {}: {e}", q.id, i + 1)),
        }
    }
    if runs.len() == q.choices.len() && quiz::holding(q, &runs).is_empty() {
        problems.push(format!(
            "{at}: question `{}`: no choice holds when run, so nobody can answer it right",
            q.id
        ));
    }
    problems
}

/// Checks every lesson file under `paths`, writing an `ok` line for each good one.
pub async fn check(
    paths: &[PathBuf],
    out: &mut dyn Write,
    paint: Paint,
) -> std::io::Result<Report> {
    let mut report = Report::default();
    for path in paths {
        let files = lesson_files(path);
        if files.is_empty() {
            report
                .problems
                .push(format!("`{}` holds no *.toml lesson files", path.display()));
            report.invalid += 1;
        }
        for file in files {
            let problems = match lesson::load_file(&file) {
                Ok(l) => {
                    let mut problems: Vec<String> = name_problem(&file, &l).into_iter().collect();
                    // The steps and the questions run on servers of their own, at once.
                    let (steps, questions) =
                        futures_util::join!(step_problems(&l), question_problems(&l));
                    problems.extend(steps);
                    problems.extend(questions);
                    if problems.is_empty() {
                        writeln!(
                            out,
                            "{} {} ({} clients; {} steps and {} questions checked by running them)",
                            paint.good("ok"),
                            file.display(),
                            l.clients.len(),
                            l.steps.len(),
                            l.questions.len()
                        )?;
                        if l.app.is_none() {
                            let note = "format 1: it runs the lab's fixed chat server and asks it to \
                                        join, leave and emit for its clients; format 2 declares the \
                                        server's own code in `[server]` (docs/lesson-format.md, \
                                        \"Version 2\")";
                            write!(out, "{}", crate::view::wrap(note, 2, paint.width))?;
                        }
                    }
                    problems
                }
                Err(e) => vec![e.to_string()],
            };
            if problems.is_empty() {
                report.valid += 1;
                report.passed.push(file);
            } else {
                report.invalid += 1;
                report.problems.extend(problems);
            }
        }
    }
    Ok(report)
}
