//! A quiz session: asks (or reads scripted answers), runs each answer, shows the
//! verdict and the evidence, and keeps the score.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use serde_json::json;

use crate::cli::{error, QuizArgs, EXIT_FAILED, EXIT_INTERRUPTED};
use crate::engine::LabOptions;
use crate::lesson::{Lesson, Question};
use crate::paint::Paint;
use crate::progress::{self, LoadNote, Score};
use crate::quiz::{self, ChoiceRun};

enum Asked {
    Answer(Vec<usize>),
    Quit,
    Failed(String),
}

/// Asks one question with dialoguer; the hint is an extra entry of the menu.
async fn ask(question: &Question) -> Asked {
    let items: Vec<String> = question.choices.iter().map(|c| c.text.clone()).collect();
    let hint = question.hint.clone();
    let multiple = question.multiple;
    let picked = tokio::task::spawn_blocking(move || loop {
        if multiple {
            let prompt = "Pick every choice that holds (space toggles, Enter confirms)";
            return dialoguer::MultiSelect::new()
                .with_prompt(prompt)
                .items(&items)
                .interact_opt()
                .map(|o| o.map(Asked::Answer).unwrap_or(Asked::Quit));
        }
        let mut menu = items.clone();
        if hint.is_some() {
            menu.push("(h) show a hint".to_string());
        }
        let answer = dialoguer::Select::new()
            .with_prompt("Your answer (Esc to stop)")
            .items(&menu)
            .default(0)
            .interact_opt()?;
        match answer {
            Some(i) if i == items.len() => {
                eprintln!("  hint: {}", hint.as_deref().unwrap_or_default());
            }
            Some(i) => return Ok(Asked::Answer(vec![i])),
            None => return Ok(Asked::Quit),
        }
    })
    .await;
    let _ = dialoguer::console::Term::stderr().show_cursor();
    match picked {
        Ok(Ok(asked)) => asked,
        Ok(Err(e)) => Asked::Failed(e.to_string()),
        Err(e) => Asked::Failed(e.to_string()),
    }
}

fn scripted_answers(args: &QuizArgs) -> Option<Result<Vec<Vec<usize>>, String>> {
    if let Some(list) = &args.answers {
        return Some(quiz::parse_answers(list));
    }
    let path = args.answers_file.as_ref()?;
    Some(
        std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))
            .and_then(|text| quiz::parse_answers(&text)),
    )
}

pub async fn run(lessons: &[Lesson], args: QuizArgs, paint: Paint) -> ExitCode {
    let state_dir = progress::state_dir();
    if args.reset {
        return match state_dir.as_deref().map(progress::reset) {
            Some(Ok(())) => {
                println!("quiz progress cleared");
                ExitCode::SUCCESS
            }
            Some(Err(e)) => error(format!("cannot clear the quiz progress: {e}"), paint),
            None => error("no state directory: set `XDG_STATE_HOME` or `HOME`", paint),
        };
    }

    let chosen: Vec<&Lesson> = match &args.lesson {
        Some(id) => match lessons.iter().find(|l| &l.id == id) {
            Some(l) => vec![l],
            None => {
                return error(
                    format!("unknown lesson `{id}` (see `socketio-lab list`)"),
                    paint,
                )
            }
        },
        None => lessons.iter().collect(),
    };
    let questions: Vec<(&Lesson, &Question)> = chosen
        .iter()
        .flat_map(|l| l.questions.iter().map(move |q| (*l, q)))
        .collect();
    if questions.is_empty() {
        return error("no questions in the chosen lessons", paint);
    }

    let scripted = match scripted_answers(&args) {
        Some(Ok(answers)) => {
            if let Err(e) = quiz::check_answers(&questions, &answers) {
                return error(e, paint);
            }
            Some(answers)
        }
        Some(Err(e)) => return error(e, paint),
        None => None,
    };
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if scripted.is_none() && !interactive {
        return error(
            "no terminal to ask on: pass the answers with `--answers 1,3,2+4` or `--answers-file FILE`",
            paint,
        );
    }

    let options = LabOptions {
        timeout: Duration::from_millis(args.timeout),
        server_url: args.server.clone(),
    };
    let mut out = std::io::stdout();
    let mut results = Vec::new();
    let mut scores: BTreeMap<String, Score> = BTreeMap::new();
    let total = questions.len();
    for (n, (lesson, q)) in questions.iter().enumerate() {
        if !args.json {
            let _ = write!(
                out,
                "\n{}",
                quiz::question_text(lesson, q, n + 1, total, paint)
            );
            let _ = out.flush();
        }
        let given = match &scripted {
            Some(answers) => answers[n].clone(),
            None => match ask(q).await {
                Asked::Answer(a) => a,
                Asked::Quit => {
                    eprintln!("quiz stopped; nothing was recorded for this session");
                    return ExitCode::from(EXIT_INTERRUPTED);
                }
                Asked::Failed(e) => {
                    return error(format!("cannot ask on this terminal: {e}"), paint)
                }
            },
        };
        let mut runs: BTreeMap<usize, ChoiceRun> = BTreeMap::new();
        for i in quiz::choices_to_run(q, &given) {
            match quiz::run_choice(lesson, q, i, &options).await {
                Ok(run) => {
                    runs.insert(i, run);
                }
                Err(e) => {
                    eprintln!("{} {e}", paint.bad("error:"));
                    return ExitCode::from(EXIT_FAILED);
                }
            }
        }
        let passed = quiz::judge(q, &given, &runs);
        let score = scores.entry(lesson.id.clone()).or_insert(Score {
            correct: 0,
            total: 0,
        });
        score.total += 1;
        score.correct += usize::from(passed);
        if !args.json {
            let picked = match given.as_slice() {
                [one] if !q.multiple => format!("{}) {}", one + 1, q.choices[*one].text),
                [] => "nothing".to_string(),
                several => several
                    .iter()
                    .map(|i| (i + 1).to_string())
                    .collect::<Vec<_>>()
                    .join("+"),
            };
            let _ = writeln!(out, "  {} {picked}", paint.dim("answer:"));
            if !passed || args.explain {
                let _ = writeln!(out, "  {}", paint.dim("the lab ran it on a fresh server:"));
                let _ = write!(out, "{}", quiz::evidence(lesson, q, &runs, paint));
            }
            let _ = write!(
                out,
                "{}",
                quiz::verdict_text(q, &given, &runs, passed, paint)
            );
            if !passed {
                if let Some(hint) = &q.hint {
                    let _ = write!(
                        out,
                        "{}",
                        crate::view::wrap(&format!("hint: {hint}"), 2, crate::view::WIDTH)
                    );
                }
            }
            let _ = out.flush();
        }
        results.push(quiz::question_json(lesson, q, &given, &runs, passed));
    }

    let correct: usize = scores.values().map(|s| s.correct).sum();
    if let Some(dir) = &state_dir {
        let (mut saved, note) = progress::load(dir);
        if let LoadNote::SetAside(aside) = note {
            eprintln!(
                "{} the progress file was unreadable; it was moved to `{}`",
                paint.warn("warning:"),
                aside.display()
            );
        }
        for (lesson, score) in &scores {
            saved.record(lesson, *score);
        }
        if let Err(e) = progress::save(dir, &saved) {
            eprintln!(
                "{} cannot save the quiz progress: {e}",
                paint.warn("warning:")
            );
        }
    }

    if args.json {
        let lesson = match &args.lesson {
            Some(id) => json!(id),
            None => json!("all"),
        };
        let doc = json!({
            "lesson": lesson,
            "score": { "correct": correct, "total": total },
            "questions": results,
        });
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        );
    } else {
        let _ = writeln!(out);
        let line = format!("score: {correct}/{total}");
        let _ = writeln!(
            out,
            "{}",
            if correct == total {
                paint.good(&line)
            } else {
                paint.bad(&line)
            }
        );
        if scores.len() > 1 {
            for (lesson, s) in &scores {
                let _ = writeln!(out, "  {lesson:<12} {}/{}", s.correct, s.total);
            }
        }
    }
    if correct == total {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FAILED)
    }
}
